"""The console's view of a run: a live Exercise advanced by a worker, or a recording scrubbed.

No Textual here: the screen drives these objects; the worker thread calls ``advance``.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scenarios.errors import CdtxError
from sim import expectations
from sim.clock import SPEEDS, Calendar
from sim.picture import Picture

if TYPE_CHECKING:
    from sim.recording import Recorder

#: What "run to the next meeting, decision or inject" (n) stops at; a request to a played
#: delegation is a decision point too, so the clock stays paused once it is answered; an MSEL
#: inject is where the facilitator has something to deliver.
STOP_KINDS = frozenset({"meeting", "decision", "decision_request", "inject_applied"})


def speed_label(speed: int | None) -> str:
    return "max" if speed is None else f"x{speed}"


class Observed:
    """``version`` counts changes; ``on_change(version)``, if set, hears of each one (from the
    thread that made it: the console posts a coalescing message, so any thread will do)."""

    version = 0
    on_change: Callable[[int], None] | None = None

    def changed(self) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change(self.version)


class LiveSession(Observed):
    """A live Exercise. ``lock`` guards the Exercise between the worker and the UI thread."""

    readonly = False

    def __init__(self, ex, record: str | Path | None = None, speed_index: int = 4):
        self.ex = ex
        self.lock = threading.RLock()
        self.wake = threading.Event()
        self.mode = "paused"  # paused, run, until_kind, until_t
        self.target: float | None = None
        self.speed_index = speed_index
        self.display_t = ex.now
        self._anchor = (time.perf_counter(), ex.now)
        self.version = 0
        self.record_path = Path(record) if record else None
        self.recorder: Recorder | None = None
        self.record_error = ""
        self.record_off = False  # the facilitator chose not to record (--no-record)
        #: Played delegations answering at their own seats (cdtx host keeps this up to date).
        self.seated: frozenset[str] = frozenset()
        #: cdtx host's join command for each seat (shown again with J); empty otherwise.
        self.join_lines: list[str] = []
        self.players_note = ""  # said on screen at the start: --players replaced the scenario's
        self.message = ""
        self._msel_cache: tuple | None = None  # (scenario, its MSEL by time, its ids)

    # -- facts -----------------------------------------------------------------------------

    @property
    def scenario(self):
        return self.ex.scenario

    @property
    def calendar(self) -> Calendar:
        return self.ex.calendar

    @property
    def events(self) -> list:
        return self.ex.events

    @property
    def players(self) -> tuple[str, ...]:
        return self.ex.players

    @property
    def speed(self) -> int | None:
        return SPEEDS[self.speed_index]

    @property
    def recorded(self) -> bool:
        return self.recorder is not None

    def state(self) -> str:
        if self.ex.finished:
            return "ended"
        if self.ex.pending:
            return "waiting for a delegation"
        if self.ex.held:
            return f"holding at {self.ex.held[0]}: l releases it"
        return "paused" if self.mode == "paused" else "running"

    def now(self) -> float:
        return max(self.display_t, self.ex.now)

    # -- recording -------------------------------------------------------------------------

    def start_recording(self) -> None:
        if self.recorder is not None or self.record_path is None or self.record_error:
            return
        try:
            from sim.recording import Recorder
        except ImportError:
            self.record_error = "sim.recording is not available: this run is NOT recorded"
            return
        try:
            self.record_path.parent.mkdir(parents=True, exist_ok=True)
            # A fresh name if the file exists (sessions of `cdtx serve` starting in the same
            # second): created exclusively, never overwriting another session's recording.
            recorder = Recorder(self.record_path, self.ex, unique=True)
        except (CdtxError, OSError) as exc:  # a disk problem must not stop the exercise
            self.record_error = f"cannot record to {self.record_path}: {exc}"
            return
        self.recorder = recorder
        self.record_path = recorder.path

    def close(self) -> None:
        self.mode = "paused"
        with self.lock:
            if self.recorder is not None:
                try:
                    self.recorder.close()
                finally:
                    self.recorder = None
                    self.record_path = None

    # -- the clock (worker thread) ---------------------------------------------------------

    def set_mode(self, mode: str, target: float | None = None) -> None:
        with self.lock:
            if mode != "paused":
                self.start_recording()
            self.mode, self.target = mode, target
            self._anchor = (time.perf_counter(), self.now())
            self.changed()
        self.wake.set()

    def set_speed(self, index: int) -> None:
        with self.lock:
            self.speed_index = max(0, min(len(SPEEDS) - 1, index))
            self._anchor = (time.perf_counter(), self.now())
            self.changed()

    def advance(self, budget: float = 0.02) -> bool:
        """Advance for up to ``budget`` wall seconds. False when the clock cannot move, or when
        at a set speed no event was due yet (only the shown time moved): the worker then waits
        a frame instead of spinning."""
        with self.lock:
            ex = self.ex
            if self.mode == "paused" or ex.finished or ex.pending or ex.held:
                if ex.pending or ex.held:
                    # Waiting for someone: the clock goes on from here once they answer,
                    # whoever answers (the console, a seat of cdtx host, a resumed host),
                    # not from where it was before the wait (issue 23: it jumped two days).
                    self._anchor = (time.perf_counter(), self.now())
                return False
            steps = ex.steps
            deadline = time.perf_counter() + budget
            if self.mode == "run" and self.speed is not None:
                wall0, sim0 = self._anchor
                target = min(sim0 + (time.perf_counter() - wall0) * self.speed / 3600, ex.horizon)
                while not ex.pending and not ex.finished and time.perf_counter() < deadline:
                    if ex.next_event_time() > target:
                        if target >= ex.horizon:
                            ex.run()
                        break
                    ex.run_steps(ex.steps + 1)
                self.display_t = max(self.display_t, min(target, ex.horizon))
            else:
                while not ex.pending and not ex.finished and time.perf_counter() < deadline:
                    if self.mode == "until_t" and ex.next_event_time() > self.target:
                        self.display_t = self.target
                        self.mode = "paused"
                        break
                    n = len(ex.events)
                    ex.run_steps(ex.steps + 1)
                    if self.mode == "until_kind" and any(
                        e.kind in STOP_KINDS for e in ex.events[n:]
                    ):
                        self.mode = "paused"
                        break
                self.display_t = max(self.display_t, ex.now)
            if ex.finished:
                self.display_t = ex.horizon
                self.mode = "paused"
            self.changed()
            return ex.steps != steps or self.mode != "run" or self.speed is None

    # -- people (UI thread) ----------------------------------------------------------------

    def step(self) -> list:
        with self.lock:
            self.start_recording()
            self.mode = "paused"
            events = self.ex.step()
            self.display_t = max(self.display_t, self.ex.now)
            if self.ex.finished:
                self.display_t = self.ex.horizon
            self.changed()
            return events

    def _input(self, act, *args, **kwargs):
        """``act(...)``, an input method of the Exercise, as a person's input: under the lock,
        recorded, at the time the header shows (the engine's clock moves there first, within
        the quiet time before its next event, as replay re-places inputs)."""
        with self.lock:
            self.start_recording()
            self.ex.advance_clock(self.display_t)
            record = act(*args, **kwargs)
            self.changed()
            return record

    def submit(self, inject: dict):
        return self._input(self.ex.submit, inject)

    def answer(self, state: str, position: str, statement: str = ""):
        with self.lock:
            record = self._input(self.ex.answer, state, position, statement)
            self._anchor = (time.perf_counter(), self.now())
        self.wake.set()
        return record

    def note(self, text: str, objective: str = "", state: str = "", replaces: int | None = None):
        """Record a facilitator's note (several lines; tagged to an objective and/or a
        delegation; ``replaces``: the event of the note it edits). A note is an entry of the
        evaluation log (``sim/evaluation.py``), so it is edited, replayed and reported as the
        evaluator's observations are."""
        entry: dict[str, str | int] = {"entry": "note", "text": text, "objective": objective,
                                       "state": state}  # fmt: skip
        if replaces is not None:
            entry["replaces"] = replaces
        return self.evaluate(entry)

    def evaluate(self, entry: dict):
        """Record an evaluator's entry (observation, rating, hot wash; ``sim/evaluation.py``)."""
        from sim import evaluation

        return self._input(evaluation.record, self.ex, entry)

    def mark(self, entry: str, state: str, met: bool, text: str = ""):
        """Mark ``entry``'s expectation of ``state`` met or not (sim/expectations.py)."""
        return self._input(expectations.mark, self.ex, entry, state, met, text)

    def skip(self, msel_id: str):
        return self._input(self.ex.skip, msel_id)

    def release(self) -> str:
        """Release the held MSEL entry the clock waits at; returns its id."""
        entry_id = self.ex.held[0] if self.ex.held else None
        self._input(self.ex.release, entry_id)
        with self.lock:  # the clock goes on from here, not from where it was before the wait
            self._anchor = (time.perf_counter(), self.now())
        return entry_id or ""

    def edit(self, msel_id: str, inject: dict):
        """Replace an entry still to come with the form's edited version.

        What the form does not show (objectives, HSEEP columns, params it has no field for) is
        kept from the entry; a field left empty stays empty; a change of type starts afresh.
        Raises ``InjectError`` if the clock applied the entry while the form was open.
        """
        from .inject import fields_for

        with self.lock:
            original = self.entry(msel_id).model_dump(mode="json", by_alias=True)
            kept = {k: v for k, v in original.items() if k not in ("id", "at", "type", "params")}
            params = dict(inject.get("params", {}))
            if inject.get("type") == original["type"]:
                shown = {
                    f.key.removeprefix("params.") for f in fields_for(original["type"], (), ())
                }
                hidden = {k: v for k, v in original["params"].items() if k not in shown}
                params = {**hidden, **params}
            inject = {**kept, **inject, "params": params, "id": f"{msel_id}-edited"}
            return self._input(self.ex.replace, msel_id, inject, how="edited")

    def entry(self, msel_id: str):
        """The entry ``msel_id`` still to come (MSEL or a facilitator's scheduled inject);
        ``InjectError`` if it has been applied or skipped meanwhile."""
        return self.ex.still_to_come(msel_id)

    def fire(self, msel_id: str):
        """Fire an entry still to come now: a copy of it applied at the current time."""
        with self.lock:
            self._input(self.ex.fire, msel_id)

    def upcoming(self, limit: int | None = None) -> list:
        """The MSEL entries and scheduled facilitator injects still to come, by time (the first
        ``limit`` of them). The console asks for its window every frame the clock moves: the
        MSEL is sorted once, and the walk stops at ``limit`` (a 5,000-entry MSEL took 6 ms a
        frame to filter and sort whole: bench/tui.py --msel)."""
        msel_by_time, _ids = self._msel_index()
        applied, skipped = self.ex.applied, set(self.ex.skipped)
        scheduled = sorted((i for i in list(self.ex.scheduled.values())), key=lambda i: i.at)
        waiting = []
        for entry in heapq.merge(msel_by_time, scheduled, key=lambda entry: entry.at):
            if entry.id in applied or entry.id in skipped:
                continue
            waiting.append(entry)
            if limit is not None and len(waiting) >= limit:
                break
        return waiting

    def upcoming_count(self) -> int:
        """How many entries are still to come (what :meth:`upcoming` would list in full)."""
        done = self.ex.applied | set(self.ex.skipped)
        _by_time, ids = self._msel_index()
        msel = len(ids) - len(ids & done)
        return msel + sum(1 for i in list(self.ex.scheduled.values()) if i.id not in done)

    def _msel_index(self) -> tuple[list, frozenset[str]]:
        """The scenario's MSEL by time, and its ids (made once per scenario)."""
        scenario = self.scenario
        if self._msel_cache is None or self._msel_cache[0] is not scenario:
            by_time = sorted(scenario.msel, key=lambda entry: entry.at)
            self._msel_cache = (scenario, by_time, frozenset(m.id for m in by_time))
        return self._msel_cache[1], self._msel_cache[2]

    def can_change_players(self) -> bool:
        return self.ex.steps == 0 and self.recorder is None and len(self.ex.events) <= 1

    def toggle_player(self, code: str) -> str:
        """Hand delegation ``code`` to the people at the table, or back to the model.

        Before the clock starts the Exercise is rebuilt with the new players (the recording's
        header then names them); afterwards the change is an input from now on.
        Raises ``InjectError`` when it cannot be done now (the delegation owes an answer, the
        exercise has ended).
        """
        from sim.exercise import Exercise

        played = code not in self.ex.players
        with self.lock:
            if self.can_change_players():
                old = self.ex
                players = sorted(set(old.players) ^ {code})
                self.ex = Exercise(old.scenario, old.seed, players=players,
                                   interactive=old.interactive, model=old.model)  # fmt: skip
                self.changed()
            else:
                self._input(self.ex.set_played, code, played)
        return "played by people" if played else "played by the model"


class ReplaySession(Observed):
    """A recording scrubbed event by event; read-only, with a branch into a live run."""

    readonly = True
    CHECKPOINT = 2000

    def __init__(self, recording):
        self.recording = recording
        self.events = list(recording.events)
        self.scenario = _scenario_of(recording)
        header = getattr(recording, "header", {}) or {}
        self.players = tuple(header.get("players") or self._started().get("players") or ())
        self.calendar = Calendar(self.scenario.start)
        self.cursor = 0  # number of events shown
        self.version = 0
        self.message = ""
        self._checkpoints: dict[int, Picture] = {0: Picture(self.scenario, self.players)}

    def _started(self) -> dict:
        for e in self.events[:1]:
            if e.kind == "started":
                return e.data
        return {}

    def state(self) -> str:
        return "replay"

    def now(self) -> float:
        return self.events[self.cursor - 1].t if self.cursor else 0.0

    def picture(self) -> Picture:
        """Picture after ``cursor`` events, folded forward from the nearest checkpoint."""
        base = max(k for k in self._checkpoints if k <= self.cursor)
        picture = self._checkpoints[base].copy()
        for i in range(base, self.cursor):
            picture.apply(self.events[i])
            if (i + 1) % self.CHECKPOINT == 0 and (i + 1) not in self._checkpoints:
                self._checkpoints[i + 1] = picture.copy()
        picture.seen = self.cursor
        return picture

    def move(self, cursor: int) -> None:
        self.cursor = max(0, min(len(self.events), cursor))
        self.changed()

    def seek_time(self, t: float) -> None:
        """Show every event at or before sim time ``t``."""
        import bisect

        self.move(bisect.bisect_right([e.t for e in self.events], t))

    def next_decision(self, direction: int) -> None:
        i = self.cursor + (0 if direction > 0 else -2)
        while 0 <= i < len(self.events):
            if self.events[i].kind in ("decision", "adopted"):
                self.move(i + 1)
                return
            i += direction
        self.move(len(self.events) if direction > 0 else 0)

    def branch(self, record_to=None):
        """A live Exercise equal to the recording up to the cursor's event, without any input
        recorded after it (recorded to ``record_to``)."""
        if not self.cursor:
            return self.recording.branch(0.0, [], record_to=record_to)
        return self.recording.branch(record_to=record_to, after_event=self.cursor - 1)

    def upcoming(self, limit: int | None = None) -> list:
        """What was still to come at the cursor, as the live console listed it then: MSEL entries
        and facilitator injects scheduled for later, less those applied or skipped (the first
        ``limit`` of them)."""
        return self._upcoming()[:limit]

    def upcoming_count(self) -> int:
        return len(self._upcoming())

    def _upcoming(self) -> list:
        from pydantic import TypeAdapter

        from scenarios.model import Inject

        seen = self.events[: self.cursor]
        done = {e.data.get("inject") for e in seen if e.kind == "inject_applied"}
        done |= {e.data.get("msel") for e in seen if e.kind == "input" and "msel" in e.data}
        waiting = [m for m in self.scenario.msel if m.id not in done and m.at >= self.now()]
        adapter = TypeAdapter(Inject)
        for e in seen:
            inject = e.data.get("inject") if e.kind == "input" else None
            if inject and inject.get("id") not in done and inject.get("at", 0) > e.t:
                # Recorded ``at`` is exact hours; the format's durations want a unit.
                entry = adapter.validate_python({**inject, "at": "0"})
                waiting.append(entry.model_copy(update={"at": inject["at"]}))
        return sorted(waiting, key=lambda entry: entry.at)


def _scenario_of(recording):
    scenario = getattr(recording, "scenario", None)
    if scenario is not None:
        return scenario
    try:
        return recording.picture_at(0).scenario
    except Exception:
        pass
    import scenarios

    header = getattr(recording, "header", {}) or {}
    if header.get("scenario_text") or header.get("source_text"):
        return scenarios.load_text(
            header.get("scenario_text") or header["source_text"], "recording"
        )
    return scenarios.load(header.get("scenario"))
