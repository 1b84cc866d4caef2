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
    """

    def __init__(self, path: str | Path, exercise, *, parent: dict[str, Any] | None = None):
        self.path = Path(path)
        self.exercise = exercise
        self.count = 0
        self.closed = False
        try:
            self._file = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115
        except OSError as exc:
            raise RecordingError(f"{path}: cannot write the recording ({exc.strerror})") from None
        self._file.write(orjson.dumps(header_for(exercise, parent)) + b"\n")
        self._file.flush()
        self._last_flush = time.monotonic()
        # Events already in the log (at least "started") go first, with their chain links.
        exercise.log.subscribe(self._listener, past=True)
        self.flush()

    def _listener(self, event: Event, raw: bytes, chain_hash: str) -> None:
        if self.closed:
            return
        self._file.write(event_line(raw, chain_hash))
        self.count += 1
        now = time.monotonic()
        if event.kind == "input" or now - self._last_flush >= FLUSH_INTERVAL:
            self._file.flush()
            self._last_flush = now

    def flush(self) -> None:
        if not self.closed:
            self._file.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        """Write the trailer and close the file (idempotent)."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ValueError):
            self.exercise.log.unsubscribe(self._listener)
        trailer = {"end": True, "events": self.count, "digest": self.exercise.digest}
        self._file.write(orjson.dumps(trailer) + b"\n")
        self._file.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
