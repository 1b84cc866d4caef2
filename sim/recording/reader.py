"""Reading, verifying, scrubbing and branching recordings (docs/recording-format.md).

``open(path)`` reads a recording without modifying it. A file cut short (no trailer, or a partial
last line, as a killed process leaves it) opens as its valid prefix with a warning. ``verify()``
re-simulates from the embedded scenario and compares event by event; ``branch()`` starts a new
exercise from any moment of a recording.
"""

from __future__ import annotations

import bisect
import hashlib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

import scenarios
from scenarios.errors import CdtxError, cut_short

# The embedded scenario is held to the limit of a scenario file.
from scenarios.safe_read import MAX_BYTES as MAX_SCENARIO_BYTES
from scenarios.safe_read import MAX_DEPTH, ScenarioError, check_depth, open_regular
from scenarios.vocabulary import EU27, format_duration

from .. import cdtx_version, constants, evaluation
from ..clock import format_offset, parse_offset
from ..events import GENESIS, Event, canonical, chain, digest_of
from ..exercise import MAX_TEXT, REMARKS, Exercise, InjectError
from ..expectations import MARK, check_mark
from ..picture import Picture
from ..seat_rules import ALL_STATES, check_advice, check_chat, check_flag, check_recorded
from .payload import Payloads
from .signing import check as check_signature
from .writer import FORMAT_VERSION, Recorder, RecordingError

if TYPE_CHECKING:
    from scenarios.model import Scenario

#: Header fields a recording must have.
HEADER_FIELDS = ("cdtx_recording", "scenario_text", "seed", "players", "interactive")

#: A picture checkpoint every this many events (at least; long recordings space them wider).
CHECKPOINT_EVERY = 512

#: The longest line a recording may hold, its line break included. The header embeds a scenario
#: of at most 2 MB (characters), at most 6 bytes each once written as JSON (``\\u0001``); no
#: event line comes near it. A longer line is refused after reading this much of it, so a
#: 600 MB line costs 16 MB, not 1.2 GB.
MAX_LINE_BYTES = 16 * 1024 * 1024

_HEX = frozenset("0123456789abcdef")


#: The first cdtx whose replay re-checks each seat's recorded input as the host does
#: (:func:`sim.seat_rules.check_recorded`) and holds remarks to :data:`sim.exercise.MAX_TEXT`.
SEAT_RULES_SINCE = (0, 5, 0)
#: What a recording continuing an older one writes as its header's ``seat_rules``.
LEGACY_SEAT_RULES = "0.4.0"


class RecordingWarning(UserWarning):
    """A recording that can be used, with a caveat (truncated, other cdtx version)."""


@dataclass(frozen=True)
class Difference:
    seq: int
    t: float | None
    expected: dict[str, Any] | None
    got: dict[str, Any] | None
    line: int | None = None

    def __str__(self) -> str:
        where = f"event {self.seq}" + (f" (line {self.line})" if self.line else "")
        when = "" if self.t is None else f" at t={self.t:g}h"
        if self.got is None:
            return f"{where}{when}: recorded {_short(self.expected)}, re-simulation has no event"
        if self.expected is None:
            return f"{where}{when}: re-simulation has an extra event {_short(self.got)}"
        return f"{where}{when}: recorded {_short(self.expected)}, re-simulated {_short(self.got)}"


def _short(raw: dict[str, Any] | None) -> str:
    return cut_short(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).decode(), 300)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :meth:`Recording.verify`.

    ``ended`` says whether the recorded run reached its horizon (its ``ended`` event is in the
    file); when not, ``end_time`` is where its events stop and ``horizon`` where the run would
    have ended: the recording was closed, or cut short, before the end of the exercise.
    """

    ok: bool
    events: int
    digest: str
    truncated: bool
    difference: Difference | None = None
    message: str = ""
    ended: bool = False
    end_time: float = 0.0
    horizon: float = 0.0

    def __bool__(self) -> bool:
        return self.ok


class Recording:
    """A recording read from ``path``: header, events, inputs, and what can be done with them."""

    def __init__(self, path: Path, header: dict[str, Any], events: list[Event], *,
                 truncated: bool, trailer: dict[str, Any] | None,
                 warnings_: list[str]) -> None:  # fmt: skip
        self.path = path
        self.header = header
        self.events = events
        self.truncated = truncated
        self.trailer = trailer
        self.warnings = warnings_
        self._scenario: Scenario | None = None
        self._digest: tuple[int, str] | None = None
        self._times: list[float] | None = None
        self._checkpoints: list[Any] | None = None
        self._every = CHECKPOINT_EVERY
        #: SHA-256 of the header line as written (what a signed trailer covers).
        self.header_sha256 = ""

    def __repr__(self) -> str:
        state = "truncated" if self.truncated else "complete"
        return f"<Recording {self.path} {len(self.events)} events, {state}>"

    def __len__(self) -> int:
        return len(self.events)

    @property
    def inputs(self) -> list[Event]:
        return [e for e in self.events if e.kind == "input"]

    @property
    def digest(self) -> str:
        """The chain digest of the events that were read (the trailer's, when complete)."""
        if self.trailer is not None and not self.truncated:
            return self.trailer["digest"]
        if self._digest is None or self._digest[0] != len(self.events):
            self._digest = (len(self.events), digest_of(self.events))
        return self._digest[1]

    @property
    def parent(self) -> dict[str, Any] | None:
        return self.header.get("parent")

    @property
    def end_time(self) -> float:
        return self.events[-1].t if self.events else 0.0

    @property
    def scenario(self) -> Scenario:
        """The embedded scenario, validated again (``RecordingError`` if it no longer is)."""
        if self._scenario is None:
            try:
                scenario = scenarios.load_text(
                    self.header["scenario_text"], f"{self.path} (embedded scenario)"
                )
            except scenarios.ScenarioError as exc:
                problems = "; ".join(str(p) for p in exc.problems[:5])
                raise RecordingError(
                    f"{self.path}: the embedded scenario no longer validates: {problems}"
                ) from None
            horizon = scenario.horizon
            late = next((e for e in self.events if e.t > horizon), None)
            if late is not None:
                raise RecordingError(
                    f"{self.path}: line {late.seq + 2}: event time t {late.t:g} is after the "
                    f"scenario's horizon ({horizon:g} h)"
                )
            self._scenario = scenario
        return self._scenario

    # -- the situation picture at any moment -----------------------------------------------

    def picture_at(self, t: float | str):
        """The situation picture after every event at or before sim time ``t`` (hours)."""
        if isinstance(t, str):
            t = parse_offset(t)
        if self._checkpoints is None or self._times is None:
            self._build_checkpoints()
        assert self._checkpoints is not None and self._times is not None  # built just above
        count = bisect.bisect_right(self._times, t)  # events with e.t <= t
        base = self._checkpoints[count // self._every]
        picture: Picture = base.copy()
        for event in self.events[picture.seen : count]:
            picture.apply(event)
        picture.seen = count
        if count == 0:
            picture.t = 0.0
        return picture

    def fold_to(self, t: float):
        """The situation picture at sim time ``t`` folded once from the start, without the
        checkpoints :meth:`picture_at` builds for scrubbing: linear in the events, for a
        single look (``cdtx replay FILE`` printed as text)."""
        count = bisect.bisect_right([e.t for e in self.events], t)
        picture = Picture(self.scenario, tuple(self.header.get("players", ())))
        for event in self.events[:count]:
            picture.apply(event)
        picture.seen = count
        return picture

    def _build_checkpoints(self) -> None:
        n = len(self.events)
        self._every = max(CHECKPOINT_EVERY, n // 2000)
        self._times = [e.t for e in self.events]
        picture = Picture(self.scenario, tuple(self.header.get("players", ())))
        checkpoints = [picture.copy()]
        for i, event in enumerate(self.events, 1):
            picture.apply(event)
            if i % self._every == 0:
                picture.seen = i
                checkpoints.append(picture.copy())
        self._checkpoints = checkpoints

    # -- re-simulation -----------------------------------------------------------------------

    def new_exercise(self):
        h = self.header
        model = self._model_constants()
        try:
            ex = Exercise(
                self.scenario,
                h["seed"],
                players=h["players"],
                interactive=h["interactive"],
                model=model,
            )
        except (InjectError, ValueError) as exc:
            raise RecordingError(f"{self.path}: cannot rebuild the exercise: {exc}") from None
        if self.made_before_seat_rules:
            # a recording continuing this one (resumed, branched) says its inputs were taken
            # by the older rules, so that it replays too
            ex.seat_rules = LEGACY_SEAT_RULES
        return ex

    def _model_constants(self) -> dict[str, float] | None:
        """The model constants the recorded run set (its ``started`` event's ``model``), checked
        against the registry: a hostile or foreign recording's unknown or out-of-range constant
        is refused naming its line, never applied."""
        first = self.events[0] if self.events else None
        if first is None or first.kind != "started":
            return None
        model = first.data.get("model")
        # the header is line 1, the started event line 2
        where = f"{self.path}: line 2 (the started event)"
        if model is not None and not isinstance(model, dict):
            raise RecordingError(f"{where}: model is not a mapping of constants to values")
        try:
            return constants.checked(model, where=f"{where}: model") if model else model
        except constants.ConstantError as exc:
            raise RecordingError(str(exc)) from None

    @property
    def made_before_seat_rules(self) -> bool:
        """Recorded by a cdtx before :data:`SEAT_RULES_SINCE`, whose host let a delegation
        handed back to the model act from its seat and whose console took texts of any length:
        its inputs are re-applied as that cdtx took them (a version that is not one, or
        ``unknown``, gets today's rules)."""
        # A recording that continues one of those (cdtx host --resume, run --from, a branch)
        # says so in "seat_rules": its copied inputs were taken by that cdtx.
        version = self.header.get("seat_rules", self.header.get("cdtx_version"))
        parts = version.split(".") if isinstance(version, str) else []
        if len(parts) != 3 or not all(p.isascii() and p.isdecimal() and len(p) < 6 for p in parts):
            return False
        return tuple(int(p) for p in parts) < SEAT_RULES_SINCE

    def resimulate(
        self,
        until: float | str | None = None,
        *,
        exercise=None,
        events: int | None = None,
    ):
        """Re-simulate the recording; return the Exercise.

        With ``until=None`` it replays every recorded input and stops where the recording ends
        (after as many events). With ``until`` it replays the inputs recorded up to that time and
        runs to it (:meth:`branch` submits new injects there). With ``events`` it replays the
        inputs among the first ``events`` events and stops once it holds as many: inputs
        recorded later, even at the same sim time, are not taken.
        """
        ex = exercise if exercise is not None else self.new_exercise()
        limit = None
        if until is not None:
            limit = ex._hours(until, "until") if isinstance(until, str) else float(until)
        legacy = self.made_before_seat_rules
        for event in self.events:
            if event.kind != "input" or not event.is_input:
                continue
            if limit is not None and event.t > limit:
                break
            if events is not None and event.seq >= events:
                break
            ex.run_steps(event.get("step", 0))
            # An input made after the run ended has the step count of the last kernel step: the
            # "ended" event (no kernel step of its own) must come first, as it did.
            _advance_to(ex, event.seq)
            try:
                _reapply(ex, event, legacy=legacy)
            except InjectError as exc:
                raise RecordingError(
                    f"{self.path}: line {event.seq + 2} (event {event.seq}): recorded input cannot be "
                    f"re-applied: {exc}"
                ) from None
            except CdtxError:
                raise  # says what is wrong itself (a model constant, a scenario)
            except (KeyError, TypeError, AttributeError, ValueError, OverflowError) as exc:
                # a field missing, mistyped or not a number where one is expected
                raise RecordingError(
                    f"{self.path}: line {event.seq + 2} (event {event.seq}): recorded input is malformed "
                    f"({type(exc).__name__}: {exc}); the line was edited"
                ) from None
        if events is not None:
            _advance_to(ex, events)
        elif limit is None:
            _advance_to(ex, len(self.events))
        else:
            ex.run(limit)
        return ex

    def verify(self, key: bytes | None = None) -> VerifyResult:
        """Check the chain hash of every line, the trailer and the header
        (:meth:`check_integrity`), then re-simulate and compare event by event; with ``key``,
        also the trailer's signature (sim.recording.signing). A trailer that says the run
        reached its horizon (``"ended": true``) when its events stop before it, or the reverse,
        fails too."""
        broken = self.check_integrity()
        if broken is not None:
            return broken
        if key is not None:
            why = check_signature(key, None if self.truncated else self.trailer, self.header_sha256)
            if why is not None:
                return VerifyResult(False, len(self.events), self.digest, self.truncated, None,
                                    f"{self.path}: {why}")  # fmt: skip
        ex = self.new_exercise()
        # Compare the bytes each event had when it was emitted (as the recorder wrote them; an
        # event's data may be changed in place later by the engine), one by one as they come.
        events = self.events
        n = len(events)
        head = GENESIS
        first: tuple[int, bytes | None] | None = None

        def compare(event: Event, raw: bytes, h: str) -> None:
            nonlocal head, first
            i = event.seq
            if i >= n or first is not None:
                return
            if raw != canonical(events[i]):
                first = (i, raw)
            head = h

        ex.log.subscribe(compare, past=True)  # past: ``started``, emitted before we could listen
        self.resimulate(exercise=ex)
        ex.log.unsubscribe(compare)
        if first is None and len(ex.events) < n:
            first = (len(ex.events), None)
        if first is not None:
            i, raw = first
            expected = events[i]
            diff = Difference(expected.seq, expected.t, expected.as_dict(),
                              orjson.loads(raw) if raw else None, line=i + 2)  # fmt: skip
            return VerifyResult(False, n, self.digest, self.truncated, diff,
                                f"diverges at {diff}")  # fmt: skip
        if not n:
            head = GENESIS
        if self.trailer is not None and not self.truncated and head != self.trailer["digest"]:
            return VerifyResult(False, n, head, self.truncated, None,
                                "trailer digest does not match the events")  # fmt: skip
        # The re-simulation holds the recorded ``ended`` event exactly when the file does.
        ended, horizon = ex.finished, ex.horizon
        claims = None if self.truncated or self.trailer is None else self.trailer.get("ended")
        if claims is not None and claims != ended:
            where = f"{self.path}: line {n + 2}"
            last = f"its last event (line {n + 1}) is at {format_offset(self.end_time)}"
            message = (
                f"{where}: the end line says the run reached its horizon "
                f"({format_duration(horizon)}), but {last}: the recording stopped early"
                if claims
                else f"{where}: the end line says the run stopped before its horizon, but the "
                "events reach it (ended): the end line was edited"
            )
            return VerifyResult(False, n, head, False, None, message, ended, self.end_time,
                                horizon)  # fmt: skip
        signed = key is not None
        return VerifyResult(True, n, head, self.truncated, None,
                            "identical, signature checked" if signed else "identical",
                            ended, self.end_time, horizon)  # fmt: skip

    def check_integrity(self) -> VerifyResult | None:
        """The checks that need no re-simulation: every line's chain hash and the trailer
        (:meth:`check_chain`), then the header against the embedded scenario
        (:meth:`check_header`). The first failure, naming its line; None when all hold.
        ``cdtx host --resume`` refuses a recording that fails them."""
        broken = self.check_chain()
        if broken is None:
            broken = self.check_header()
        return broken

    def check_chain(self) -> VerifyResult | None:
        """Re-read the file and check each event line's ``"h"``, and that the trailer's count
        and digest are those of the events; the first failure, naming its line; None when all
        links hold."""
        head = GENESIS
        n = len(self.events)
        shown = str(self.path)
        with _open_regular(self.path, shown) as f:
            lines = _bounded_lines(f, shown)
            next(lines, None)
            for i in range(n):
                line = next(lines, b"")
                lineno = i + 2
                try:
                    raw = orjson.loads(line)
                    recorded = raw.pop("h")
                except (orjson.JSONDecodeError, KeyError, AttributeError, TypeError):
                    return self._broken(lineno, i, "line has no chain hash")
                event = Event.from_dict(raw)
                body = canonical(event)
                if event.seq != i:
                    return self._broken(lineno, i, f"sequence number {event.seq}, expected {i}")
                head = chain(head, body)
                if head != recorded:
                    return self._broken(lineno, i, "chain hash does not match: line was edited")
        trailer = self.trailer if not self.truncated else None
        if trailer is not None:
            why = None
            if trailer["events"] != n:
                why = f"says {trailer['events']} events, the file holds {n}"
            elif trailer["digest"] != head:
                why = f"digest is not that of the events (the last event's h, line {n + 1})"
            if why is not None:
                message = f"{self.path}: line {n + 2}: the end line {why}: the file was edited"
                return VerifyResult(False, n, head, False, None, message)
        return None

    def check_header(self) -> VerifyResult | None:
        """Check the header fields that restate the embedded scenario (``scenario_sha256``,
        ``scenario_id``, ``decision_rule``) against it; None when they agree. The rest of what
        the header says (the scenario text, seed, players, interactive) is committed to by the
        ``started`` event, which the re-simulation must reproduce byte for byte."""
        h = self.header
        scenario = self.scenario  # RecordingError if the embedded scenario does not validate
        claimed = h.get("scenario_sha256")
        actual = hashlib.sha256(h["scenario_text"].encode("utf-8")).hexdigest()
        problem = None
        if claimed is not None and claimed != actual:
            problem = "scenario_sha256 does not match scenario_text"
        else:
            for field, value in (("scenario_id", scenario.id),
                                 ("decision_rule", scenario.decision_rule)):  # fmt: skip
                if field in h and h[field] != value:
                    problem = f"{field} {h[field]!r} is not the embedded scenario's ({value!r})"
                    break
            started = self.events[0].data if self.events else {}
            # ``actual`` is also the embedded scenario's own (exercise.scenario_sha256): it
            # was loaded from that very text.
            if problem is None and started.get("scenario_sha256", actual) != actual:
                problem = "scenario_text is not the scenario this run started with"
        if problem is None:
            return None
        return VerifyResult(False, len(self.events), self.digest, self.truncated, None,
                            f"{self.path}: line 1: {problem} (the header was edited)")  # fmt: skip

    def _broken(self, lineno: int, index: int, why: str) -> VerifyResult:
        e = self.events[index]
        diff = Difference(e.seq, e.t, e.as_dict(), None, line=lineno)
        return VerifyResult(False, len(self.events), self.digest, self.truncated, diff,
                            f"{self.path}: line {lineno}: {why}")  # fmt: skip

    def branch(
        self,
        at_hours: float | str | None = None,
        injects: Iterable[Mapping[str, Any]] = (),
        record_to: str | Path | None = None,
        *,
        after_event: int | None = None,
    ):
        """A new Exercise that equals this recording up to ``at_hours``, then takes ``injects``.

        With ``after_event`` (a seq, as the replay cursor shows it) the branch starts right after
        that event instead: inputs recorded after it are not in the branch, even those made at
        the same sim time (a played delegation's answer to the request just shown, say).
        With ``record_to`` the branch is recorded (its header names this recording as parent);
        the Recorder is ``exercise.recorder``: close it when done.
        """
        ex = self.new_exercise()
        if after_event is not None:
            events = self.events
            if not events:
                raise RecordingError(f"{self.path}: no event to branch after")
            if not 0 <= after_event < len(events):
                raise RecordingError(
                    f"{self.path}: no event {after_event} to branch after "
                    f"(events 0 to {len(events) - 1})"
                )
            at = events[after_event].t
        elif at_hours is None:
            raise ValueError("branch: give at_hours or after_event")
        else:
            at = ex._hours(at_hours, "at") if isinstance(at_hours, str) else float(at_hours)
        if at > ex.horizon:
            raise RecordingError(
                f"{self.path}: {format_duration(at)} is after the horizon ({format_duration(ex.horizon)})"
            )
        recorder = None
        if record_to is not None:
            parent: dict[str, Any] = {"digest": self.digest, "at": at, "path": str(self.path)}
            if after_event is not None:
                parent["after_event"] = after_event
            recorder = Recorder(record_to, ex, parent=parent)
        ex.recorder = recorder
        try:
            if after_event is None:
                self.resimulate(at, exercise=ex)
            else:
                self.resimulate(exercise=ex, events=after_event + 1)
            for inject in injects:
                inject = dict(inject)
                if inject.get("at") is None:
                    inject["at"] = at
                ex.submit(inject)
        except (InjectError, RecordingError):
            if recorder is not None:
                recorder.close()
            raise
        return ex


def _advance_to(ex, count: int) -> None:
    """Step ``ex`` until its log holds ``count`` events (or its clock has to stop)."""
    while len(ex.events) < count and ex.step():
        pass


def _reapply(ex, event: Event, legacy: bool = False) -> None:
    """Re-apply one recorded input; ``legacy``: the recording was made by a cdtx whose host
    and console took inputs the rules of today refuse (:data:`SEAT_RULES_SINCE`: a delegation
    handed back to the model acting from its seat, remarks of any length), so those are
    re-applied as that cdtx took them; every other rule of its host holds."""
    ex.advance_clock(event.t)
    data = event.data
    ex.seat = data.get("seat")  # the seat that entered it (cdtx host); None in older recordings
    if legacy:
        ex.text_limit = None
    try:
        # a seat's input the host would have refused was never recorded
        check_recorded(ex, data, played=not legacy)
        _reapply_input(ex, data)
    finally:
        ex.seat = None
        ex.text_limit = MAX_TEXT


def _reapply_input(ex, data: dict[str, Any]) -> None:
    if "inject" in data:
        # ``at`` is recorded in exact hours, so the inject is scheduled as it was.
        ex.submit(data["inject"])
    elif data.get("control") == "skip":
        ex.skip(data["msel"], data.get("replaced_by"), data.get("how"))
    elif data.get("control") == "note":
        ex.note(data["text"])
    elif data.get("control") == "release":
        ex.release(data["msel"])
    elif data.get("control") == "acknowledge":
        ex.acknowledge(data["entry"], data["state"])
    elif data.get("control") == "players":
        ex.set_played(data["state"], data["played"])
    elif data.get("control") == MARK:
        # Checked as the host checked it: a mark of an expectation that does not exist (an
        # entry that expected nothing of that state, met not true or false) was never recorded.
        fields = check_mark(ex, data.get("msel"), data.get("state"), data.get("met"),
                            data.get("text"))  # fmt: skip
        ex.remark(MARK, data.get("text", ""), **fields)
    elif data.get("control") == "chat":  # open, to a played delegation, as the host checked it
        ex.remark("chat", data.get("text", ""), to=check_chat(ex, data.get("to")))
    elif data.get("control") in REMARKS:
        fields = {k: v for k, v in data.items() if k not in ("control", "text", "step", "seat")}
        if data["control"] == evaluation.CONTROL:  # an evaluation entry, as it was checked
            evaluation.check(ex.scenario, {"entry": evaluation.kind_of(data), **fields,
                                           "text": data.get("text", "")}, ex.events)  # fmt: skip
        elif data["control"] == "advice":  # as the host checked it
            check_advice(ex, data.get("state", ALL_STATES), data.get("allowed"))
        elif data["control"] == "allow_chat":
            check_flag("allow_chat", "allowed", data.get("allowed"))
        ex.remark(data["control"], data.get("text", ""), **fields)
    else:
        raise InjectError("", f"unknown input {_short(data)}")


def open(path: str | Path) -> Recording:  # noqa: A001 - replay.open, like io.open
    """Read the recording at ``path`` (never modifying it)."""
    path = Path(path)
    shown = str(path)
    with _open_regular(path, shown) as f:
        try:
            return _read(f, path)
        except OSError as exc:
            raise RecordingError(f"{shown}: cannot read ({exc.strerror})") from None


def _open_regular(path: Path, shown: str):
    """``path`` opened for reading; a directory, /dev/zero or a FIFO is refused (RecordingError)
    without reading or blocking."""
    try:
        return open_regular(path, what="a recording", shown=shown)
    except ScenarioError as exc:
        raise RecordingError(str(exc.problems[0])) from None


def _with_last(lines: Iterable[bytes]):
    """``(line, is_last)`` for each line, looking one line ahead."""
    previous = None
    for line in lines:
        if previous is not None:
            yield previous, False
        previous = line
    if previous is not None:
        yield previous, True


def _bounded_lines(f, shown: str):
    """The lines of ``f``, each read in bounded chunks; a line longer than
    :data:`MAX_LINE_BYTES` is refused (naming it) once that much of it is read."""
    lineno = 0
    readline = f.readline
    while line := readline(MAX_LINE_BYTES + 1):
        lineno += 1
        if len(line) > MAX_LINE_BYTES:
            raise RecordingError(
                f"{shown}: line {lineno}: longer than {MAX_LINE_BYTES // 2**20} MB, more than "
                "any line cdtx writes (not a recording, or a damaged one)"
            )
        yield line


def _read(f, path: Path) -> Recording:
    shown = str(path)
    notes: list[str] = []
    truncated = False
    lines = _with_last(_bounded_lines(f, shown))
    first = next(lines, None)
    if first is None or (first[1] and not first[0].strip()):
        raise RecordingError(f"{shown}: empty file, not a recording")
    if not first[0].endswith(b"\n"):
        raise RecordingError(f"{shown}: not a recording (no complete header line)")
    header = _header(first[0], shown)
    version = header.get("cdtx_version")
    ours = cdtx_version()
    if version != ours:
        notes.append(
            f"{shown}: recorded with cdtx {version}, this is cdtx {ours}; comparing anyway"
        )
    events: list[Event] = []
    append = events.append
    trailer = None
    loads = orjson.loads
    # A million events repeat a few hundred short strings (kinds, state codes, actors): keep one
    # copy of each, which saves about a third of the memory of a long recording.
    shared: dict[str, str] = {}
    share = shared.setdefault
    # Every reader takes a payload as the engine wrote it: a field of the wrong type, or a
    # name that is not one, is refused here at its line (an older cdtx wrote fewer fields).
    payload_problem = Payloads(complete=version == ours).problem
    lineno = 1
    for line, is_last in lines:
        lineno += 1
        if not line.endswith(b"\n"):
            # A last line without its newline was being written when the process stopped.
            truncated = True
            notes.append(f"{shown}: line {lineno} is incomplete; ignored")
            break
        try:
            raw = loads(line)
            if raw.__class__ is dict and "end" in raw:
                if not is_last:
                    raise RecordingError(
                        f"{shown}: line {lineno}: trailer before the end of the file"
                    )
                trailer = _trailer(raw, shown, lineno)
                break
            if raw["h"].__class__ is not str:  # every event line carries its chain link
                raise KeyError("h")
            data = raw["data"]
            if line.count(b"[") + line.count(b"{") > MAX_DEPTH:  # cheap; most lines have < 10
                _check_nesting(data, shown, lineno)
            for key, value in data.items():
                if value.__class__ is str and len(value) <= 32:
                    data[key] = share(value, value)
            t = raw["t"]
            # The engine writes every time as a float; t - t is 0 unless it is inf or NaN.
            if t.__class__ is int:  # a hand edit wrote 0 for 0.0: --verify tells it apart
                t = float(t)
            if t.__class__ is not float or t < 0 or t - t != 0.0:
                raise RecordingError(
                    f"{shown}: line {lineno}: event time t {t!r} is not a number of hours"
                )
            kind = raw["kind"]
            if kind.__class__ is not str:
                raise TypeError("kind")
            why = payload_problem(kind, data)
            if why is not None:
                raise RecordingError(f"{shown}: line {lineno}: {why}")
            if (
                kind == "input"
                and data.get("seat") is not None
                and data["seat"].__class__ is not str
            ):
                # every reader of inputs (reports, expectations, pages) takes a seat's name as text
                raise RecordingError(f"{shown}: line {lineno}: an input's seat "
                                     f"{str(data['seat'])[:40]!r} is not a seat's name")  # fmt: skip
            append(Event(t, raw["seq"], share(kind, kind), share(raw["source"], raw["source"]),
                         data))  # fmt: skip
        except RecordingError:
            raise
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            # Only a last line without its line break was being written when a run stopped
            # (above): a complete line that is not a chained event was never written by cdtx.
            why = (
                "not valid JSON"
                if isinstance(exc, orjson.JSONDecodeError)
                else "not an event (data, kind, seq, source, t and its chain hash h)"
            )
            raise RecordingError(f"{shown}: line {lineno}: {why}") from None
        if raw["seq"] != lineno - 2:
            raise RecordingError(
                f"{shown}: line {lineno}: event seq {raw['seq']!r}, expected {lineno - 2}"
            )
    if trailer is None:
        truncated = True
        notes.append(
            f"{shown}: no end line (the run was cut short); using the {len(events)} "
            "complete event(s)"
        )
    elif trailer.get("events") != len(events):
        notes.append(
            f"{shown}: end line says {trailer.get('events')} events, file has {len(events)}"
        )
    for note in notes:
        warnings.warn(note, RecordingWarning, stacklevel=3)
    recording = Recording(path, header, events, truncated=truncated, trailer=trailer,
                          warnings_=notes)  # fmt: skip
    recording.header_sha256 = hashlib.sha256(first[0].rstrip(b"\n")).hexdigest()
    return recording


def _trailer(raw: dict[str, Any], shown: str, lineno: int) -> dict[str, Any]:
    """The end line ``raw``, if it holds what cdtx writes: ``events`` (a count), ``digest`` (a
    SHA-256 in hex) and optionally ``ended`` (a boolean) and ``hmac``."""
    events, digest, ended = raw.get("events"), raw.get("digest"), raw.get("ended", False)
    wrong = next(
        (
            field
            for field, bad in (
                ("end", raw["end"] is not True),
                ("events", events.__class__ is not int or events < 0),
                ("digest", digest.__class__ is not str or len(digest) != 64
                           or not _HEX.issuperset(digest)),
                ("ended", ended.__class__ is not bool),
            )
            if bad
        ),
        None,
    )  # fmt: skip
    if wrong is not None:
        what = "missing" if wrong not in raw else "not what cdtx writes"
        raise RecordingError(
            f"{shown}: line {lineno}: the end line's {wrong} is {what} (an end line holds "
            '"end": true, "events": N and "digest": the last event\'s h)'
        )
    return raw


def _check_nesting(data: Any, shown: str, lineno: int) -> None:
    try:
        check_depth(data, shown)
    except ScenarioError as exc:
        raise RecordingError(f"{shown}: line {lineno}: {exc.problems[0].message}") from None


def _header(line: bytes, shown: str) -> dict[str, Any]:
    try:
        header = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise RecordingError(f"{shown}: line 1: not a cdtx recording (not JSON Lines)") from None
    if not isinstance(header, dict) or "cdtx_recording" not in header:
        raise RecordingError(f"{shown}: line 1: not a cdtx recording (no cdtx_recording header)")
    version = header["cdtx_recording"]
    if isinstance(version, bool) or version != FORMAT_VERSION:  # true == 1 in Python
        raise RecordingError(
            f"{shown}: line 1: unknown recording format version {version!r} "
            f"(this cdtx reads version {FORMAT_VERSION})"
        )
    missing = [f for f in HEADER_FIELDS if f not in header]
    if missing:
        raise RecordingError(f"{shown}: line 1: header lacks {', '.join(missing)}")
    seed, parent = header["seed"], header.get("parent")
    wrong = [
        name
        for name, bad in (
            ("scenario_text", not isinstance(header["scenario_text"], str)),
            ("seed", isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63),
            ("players", not isinstance(header["players"], list)
                        or not all(c in EU27 for c in header["players"])),
            ("interactive", not isinstance(header["interactive"], bool)),
            ("parent", parent is not None and not isinstance(parent, dict)),
            ("parent.at", isinstance(parent, dict) and (
                isinstance(parent.get("at"), bool)
                or not isinstance(parent.get("at"), (int, float)))),
        )
        if bad
    ]  # fmt: skip
    if wrong:
        raise RecordingError(f"{shown}: line 1: header field {wrong[0]} is not what cdtx writes")
    if len(header["scenario_text"]) > MAX_SCENARIO_BYTES:  # characters: at least as many bytes
        raise RecordingError(
            f"{shown}: line 1: the embedded scenario is larger than a scenario file may be "
            f"({MAX_SCENARIO_BYTES / 1e6:.0f} MB)"
        )
    return header


__all__ = ["Difference", "Recording", "RecordingError", "RecordingWarning", "VerifyResult",
           "open"]  # fmt: skip
