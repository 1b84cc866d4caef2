"""Recording an exercise as JSON Lines (docs/recording-format.md).

Line 1 is a header (scenario text, seed, players, ...); then one line per event, holding the
event's canonical JSON fields plus ``"h"``, the digest chain after it; a trailer line closes a
complete recording. Lines are flushed at least every half second and right after every input
event, so a process killed at any moment leaves a file whose complete lines are a valid prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from scenarios.errors import CdtxError

from .. import cdtx_version
from ..events import Event

#: The recording format version written in the header's ``cdtx_recording`` field.
FORMAT_VERSION = 1

#: Seconds between flushes at most (inputs are flushed at once).
FLUSH_INTERVAL = 0.5


class RecordingError(CdtxError):
    """A recording that cannot be used or written; the message names the file (and line)."""


def header_for(exercise, parent: dict[str, Any] | None = None) -> dict[str, Any]:
    """The header line of a recording of ``exercise``."""
    text = exercise.scenario.source_text
    return {
        "cdtx_recording": FORMAT_VERSION,
        "cdtx_version": cdtx_version(),
        "scenario_id": exercise.scenario.id,
        "scenario_text": text,
        "scenario_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "seed": exercise.seed,
        "decision_rule": exercise.scenario.decision_rule,
        # Who was played when the run began (its ``started`` event), not after later handovers:
        # a re-simulation starts from the header and re-applies the handovers it records.
        "players": list(exercise.events[0].data["players"])
        if exercise.events
        else list(exercise.players),
        "interactive": bool(exercise.interactive),
        # Wall clock, outside the model: it never enters the digest.
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "parent": parent,
    }


def event_line(raw: bytes, chain_hash: str) -> bytes:
    """One event line: the canonical bytes with ``"h"`` added as the last key."""
    return raw[:-1] + b',"h":"' + chain_hash.encode("ascii") + b'"}\n'


class Recorder:
    """Write ``exercise``'s events to ``path`` as they happen.

    ``parent`` (``{"digest", "at", "path"}``) names the recording a branch came from. Use as a
    context manager, or call :meth:`close`, which writes the trailer.

    The file is created exclusively (``scenarios.safe_write.create_exclusive``): never
    truncating an existing file or writing through a symbolic link; ``force`` replaces an
    existing file by a new one, ``unique`` picks the next free name (``run-2.jsonl``) instead, as
    several console sessions starting in the same second must. A write that fails (a full disk)
    stops the recording and leaves its complete lines, a valid prefix; :attr:`error` says why
    and :meth:`close` does not claim a complete recording (no trailer is written).
    """

    def __init__(self, path: str | Path, exercise, *, parent: dict[str, Any] | None = None,
                 force: bool = False, unique: bool = False,
                 key: bytes | None = None):  # fmt: skip
        from scenarios.safe_write import OutputError, create_exclusive, create_unique

        self.path = Path(path)
        self.exercise = exercise
        self.count = 0
        self.closed = False
        #: Why the recording stopped early (a full disk), or None.
        self.error: str | None = None
        try:
            if unique:
                stem, suffix = self.path.stem, self.path.suffix
                self.path, self._file = create_unique(self.path.parent, stem, suffix)
            else:
                self._file = create_exclusive(self.path, force=force)
        except OutputError as exc:
            raise RecordingError(f"{exc} (the recording)") from None
        self._last_flush = time.monotonic()
        header_line = orjson.dumps(header_for(exercise, parent))
        #: With a key, the trailer is signed (sim.recording.signing).
        self._key = key
        self._header_sha256 = hashlib.sha256(header_line).hexdigest()
        self._write(header_line + b"\n", flush=True)
        if self.error is not None:
            self._file.close()
            self.closed = True
            raise RecordingError(f"{self.path}: cannot write the recording: {self.error}")
        # Events already in the log (at least "started") go first, with their chain links.
        exercise.log.subscribe(self._listener, past=True)
        self.flush()

    def _write(self, data: bytes, flush: bool = False) -> None:
        """Write (and flush) ``data``; a failure stops the recording, keeping its valid prefix."""
        from scenarios.safe_write import describe_os_error

        if self.error is not None:
            return
        try:
            self._file.write(data)
            if flush:
                self._file.flush()
                self._last_flush = time.monotonic()
        except OSError as exc:
            self.error = describe_os_error(exc)
            with contextlib.suppress(ValueError):
                self.exercise.log.unsubscribe(self._listener)

    def _listener(self, event: Event, raw: bytes, chain_hash: str) -> None:
        if self.closed or self.error is not None:
            return
        now = time.monotonic()
        flush = event.kind == "input" or now - self._last_flush >= FLUSH_INTERVAL
        self._write(event_line(raw, chain_hash), flush=flush)
        if self.error is None:
            self.count += 1

    def flush(self) -> None:
        if not self.closed:
            self._write(b"", flush=True)

    def close(self) -> None:
        """Write the trailer and close the file (idempotent). After a failed write there is no
        trailer: the file reads as a truncated recording of its complete lines."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ValueError):
            self.exercise.log.unsubscribe(self._listener)
        trailer = {"end": True, "events": self.count, "digest": self.exercise.digest}
        if self._key is not None:
            from .signing import signature

            trailer["hmac"] = signature(self._key, self._header_sha256, trailer["digest"],
                                        self.count)  # fmt: skip
        self._write(orjson.dumps(trailer) + b"\n", flush=True)
        try:
            self._file.close()
        except OSError as exc:  # the last buffered bytes could not be written
            from scenarios.safe_write import describe_os_error

            self.error = self.error or describe_os_error(exc)
            with contextlib.suppress(OSError):
                self._file.close()

    def check(self) -> None:
        """Raise RecordingError if the recording stopped early (call after :meth:`close`)."""
        if self.error is not None:
            raise RecordingError(
                f"{self.path}: the recording stopped after {self.count} events: {self.error}; "
                "its complete lines are a valid (truncated) recording"
            )

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
