"""Recording an exercise as JSON Lines (docs/recording-format.md).

Line 1 is a header (scenario text, seed, players, ...); then one line per event, holding the
event's canonical JSON fields plus ``"h"``, the digest chain after it; a trailer line closes a
complete recording. Lines are flushed at least every half second and right after every input
event, so a process killed at any moment leaves a file whose complete lines are a valid prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
import weakref
from bisect import bisect_right
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from scenarios.safe_write import OutputError, create_exclusive, create_unique, describe_os_error

from .. import cdtx_version
from ..errors import RecordingError as RecordingError  # raised here, and named here too
from ..events import Event
from .signing import signature

#: The recording format version written in the header's ``cdtx_recording`` field.
FORMAT_VERSION = 1

#: Seconds between flushes at most (inputs are flushed at once).
FLUSH_INTERVAL = 0.5

#: Bytes held before they are written, at most (a fast run fills this before FLUSH_INTERVAL).
BUFFER_BYTES = 1 << 20


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
        # A run continuing a recording of cdtx 0.4.0 (its inputs taken by that host's rules):
        # a replay of this one re-applies them so (sim/recording/reader.py, SEAT_RULES_SINCE).
        **({"seat_rules": exercise.seat_rules} if exercise.seat_rules else {}),
        # Wall clock, outside the model: it never enters the digest.
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "parent": parent,
    }


def _write_all(fd: int, data: bytearray) -> tuple[int, OSError | None]:
    """Write ``data`` to ``fd``: the bytes written, and the error that stopped it if any."""
    done = 0
    with memoryview(data) as view:
        try:
            while done < len(data):
                done += os.write(fd, view[done:])
        except OSError as exc:
            return done, exc
    return done, None


def _release(fd: int, pending: bytearray) -> None:
    """Write what is ``pending`` (nothing after :meth:`Recorder.close`) and close ``fd``."""
    _write_all(fd, pending)
    with contextlib.suppress(OSError):
        os.close(fd)


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
    stops the recording: the file is cut back to its last complete line, a valid prefix;
    :attr:`error` says why, :attr:`count` how many events the file holds, and :meth:`close`
    does not claim a complete recording (no trailer is written). If even the header cannot be
    written, the file is removed and ``RecordingError`` raised: no unreadable file is left.

    The recorder keeps its own buffer and writes it with ``os.write``, so it knows exactly which
    bytes reached the file (a buffered file object, failing half-way through a flush, does not
    say how much it wrote). A lock guards the buffer: the engine appends in one thread while
    ``cdtx host`` flushes in another (before a seat is sent what it may see).
    """

    def __init__(self, path: str | Path, exercise, *, parent: dict[str, Any] | None = None,
                 force: bool = False, unique: bool = False,
                 key: bytes | None = None):  # fmt: skip
        self.path = Path(path)
        self.exercise = exercise
        #: Event lines wholly in the file (after a failed write: what the file holds).
        self.count = 0
        self.closed = False
        #: Why the recording stopped early (a full disk), or None.
        self.error: str | None = None
        self._lock = threading.Lock()
        try:
            if unique:
                stem, suffix = self.path.stem, self.path.suffix
                self.path, handle = create_unique(self.path.parent, stem, suffix)
            else:
                handle = create_exclusive(self.path, force=force)
        except OutputError as exc:
            raise RecordingError(f"{exc} (the recording)") from None
        self._fd = os.dup(handle.fileno())  # our own buffer below: the file object's is unused
        handle.close()
        #: Bytes in the file, all of them complete lines.
        self._size = 0
        self._buffer = bytearray()
        # Closes the file once: at close(), or when a recorder never closed is dropped or the
        # interpreter exits (writing what is pending, as a buffered file would).
        self._close_fd = weakref.finalize(self, _release, self._fd, self._buffer)
        #: The end (in the buffer) of each event line it holds, in order.
        self._ends: list[int] = []
        self._last_flush = time.monotonic()
        header_line = orjson.dumps(header_for(exercise, parent))
        #: With a key, the trailer is signed (sim.recording.signing).
        self._key = key
        self._header_sha256 = hashlib.sha256(header_line).hexdigest()
        self._buffer += header_line + b"\n"
        self._flush()
        if self.error is not None:
            self.closed = True
            self._close_fd()
            if self._size == 0:  # not even the header: no file that reads as nothing
                with contextlib.suppress(OSError):
                    self.path.unlink()
            raise RecordingError(f"{self.path}: cannot write the recording: {self.error}; "
                                 "no recording was made")  # fmt: skip
        # Events already in the log (at least "started") go first, with their chain links.
        exercise.log.subscribe(self._listener, past=True)
        self.flush()

    def _flush(self) -> None:
        """Write the buffer to the file. A failure stops the recording: the file is cut back to
        its last complete line (a valid prefix) and :attr:`count` is what it holds."""
        buffer = self._buffer
        done, error = _write_all(self._fd, buffer)
        if error is not None:
            self._fail(error, done)
            return
        self._size += done
        self.count += len(self._ends)
        buffer.clear()
        self._ends.clear()
        self._last_flush = time.monotonic()

    def _fail(self, exc: OSError, done: int) -> None:
        """Stop recording after a failed write of which ``done`` bytes of the buffer reached
        the file: keep its complete lines only."""
        self.error = describe_os_error(exc)
        with contextlib.suppress(ValueError):
            self.exercise.log.unsubscribe(self._listener)
        # Every line ends with a line break and holds no other (JSON escapes them).
        whole = self._buffer.rfind(b"\n", 0, done) + 1
        self.count += bisect_right(self._ends, whole)
        with contextlib.suppress(OSError):  # shrinking a file needs no space
            os.ftruncate(self._fd, self._size + whole)
        self._size += whole
        self._buffer.clear()
        self._ends.clear()

    def _listener(self, event: Event, raw: bytes, chain_hash: str) -> None:
        with self._lock:
            if self.closed or self.error is not None:
                return
            self._buffer += event_line(raw, chain_hash)
            self._ends.append(len(self._buffer))
            if (
                event.kind == "input"
                or len(self._buffer) >= BUFFER_BYTES
                or time.monotonic() - self._last_flush >= FLUSH_INTERVAL
            ):
                self._flush()

    def flush(self) -> None:
        """Write every event so far to the file (the host does before a seat sees it); safe
        from another thread than the one running the exercise."""
        with self._lock:
            if not self.closed and self.error is None:
                self._flush()

    def sync(self) -> None:
        """:meth:`flush`, then have the system put the file on the disk (``fsync``); a
        failure sets :attr:`error`, like a failed write."""
        with self._lock:
            if self.closed or self.error is not None:
                return
            self._flush()
            if self.error is None:
                try:
                    os.fsync(self._fd)
                except OSError as exc:
                    self.error = describe_os_error(exc)

    def close(self) -> None:
        """Write the trailer and close the file (idempotent). After a failed write there is no
        trailer: the file reads as a truncated recording of its complete lines."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ValueError):
            self.exercise.log.unsubscribe(self._listener)
        if self.error is None:
            events = self.count + len(self._ends)  # in the file once the buffer is written
            # ``ended``: the run reached its horizon (its ``ended`` event is above). --verify
            # checks the claim against the events: a run stopped early says so.
            trailer = {"end": True, "events": events, "digest": self.exercise.digest,
                       "ended": bool(self.exercise.finished)}  # fmt: skip
            if self._key is not None:
                trailer["hmac"] = signature(self._key, self._header_sha256, trailer["digest"],
                                            events)  # fmt: skip
            self._buffer += orjson.dumps(trailer) + b"\n"
            self._flush()
        self._close_fd()

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
