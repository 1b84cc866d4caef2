"""The engine: one run of a scenario, driven step by step or to the end.

It owns the SimPy environment, the random streams, the merged roster and the event log. People
act on it only through :meth:`Engine.submit`; everything they do is recorded as an ``input``
event with the kernel step at which it was applied, so a recording re-simulates exactly.

It knows nothing of what is read from its events: the situation picture, the metrics and the
DataFrames are folds over them that :class:`sim.exercise.Exercise` (the public class, an
:class:`Engine` with them) adds. So the engine's modules (this one, sim/stages/, sim/world.py,
sim/clock.py ...) import none of sim/picture.py, sim/metrics.py, sim/sweep/, sim/report/ or
sim/recording/ (tests/test_layering.py).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

import orjson
import simpy
from pydantic import TypeAdapter, ValidationError

import scenarios
from actors.national import partner_profiles
from actors.roster import MemberState, Roster, roster_for
from scenarios.model import INJECT_TYPE, Incident, Inject, InjectBase, Scenario, references
from scenarios.references import who_acts
from scenarios.vocabulary import EU27, MAX_HOURS, bounded_hours, format_duration

from . import constants
from . import event_kinds as K
from .clock import Calendar, format_offset, parse_offset
from .errors import InjectError
from .event_kinds import PLAIN_NAMES, declared
from .events import FACILITATOR, MODEL, MSEL, Event, EventLog
from .stages import awareness, crisis, incident, initiation, injects, proposal
from .stages.blueprint import CONTRIBUTION_OF_STANCE, QUESTION, Track
from .stages.meetings import Body
from .streams import Streams
from .timing import Timing, timing_for
from .world import Proposal, World

_INJECT = TypeAdapter(Inject)
_REF_ORDER = ("actor", "incident", "new_incident", "victim")

#: Inputs the model records but does not act on (:meth:`Engine.remark`).
REMARKS = ("message", "observation", "advice", "mark", "chat", "allow_chat")
#: Characters of one remark's text (a message, a chat, an observation, a mark): ``cdtx host``
#: refuses a longer text field from a seat (its budget, tui/host/budget.py), and replay refuses
#: a recording that holds one.
MAX_TEXT = 4000


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the scenario's YAML source (what a recording embeds); of its canonical JSON
    for a scenario built in code, which has no source text."""
    text = scenario.source_text
    if text is None:
        data = scenario.model_dump(mode="json")
        return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Setup:
    """What a run derives from its scenario alone, the same for every seed."""

    roster: Roster
    partners: dict[str, MemberState]
    releasable: dict[str, float]  # partner -> share of its evidence it releases to the Union
    timing: Timing
    scenario_sha256: str


#: Setups of recent scenarios by ``id``, each with its scenario (kept alive, so the id stays
#: its own): a sweep or a benchmark runs one scenario many times. Scenarios are frozen.
_SETUPS: dict[tuple, tuple[Scenario, _Setup]] = {}
_SETUPS_KEPT = 32
_SETUPS_LOCK = threading.Lock()


def _setup_of(scenario: Scenario, model: Mapping[str, float] | None = None) -> _Setup:
    """The setup of ``scenario`` under the model constants ``model`` (some constants, such as
    the instruction spread, shape the setup: the key holds them)."""
    key = (id(scenario), tuple(model.items()) if model else ())
    known = _SETUPS.get(key)
    if known is not None and known[0] is scenario:
        return known[1]
    with _SETUPS_LOCK:  # sweeps on Dask run exercises in threads
        return _new_setup(scenario, key)


def _new_setup(scenario: Scenario, key: tuple) -> _Setup:
    """Derive and keep the setup of ``scenario`` (with the lock held)."""
    known = _SETUPS.get(key)
    if known is not None and known[0] is scenario:
        return known[1]
    declared = None if scenario.partners is None else [
        (p.id, p.name, p.intel, p.attribution_threshold, p.stance, p.releasable)
        for p in scenario.partners
    ]  # fmt: skip
    partners = partner_profiles(declared, any(a.sponsor for a in scenario.threat_actors))
    setup = _Setup(
        roster=roster_for(scenario),
        partners={code: p.state for code, p in partners.items()},
        releasable={code: p.releasable for code, p in partners.items()},
        timing=timing_for(scenario.procedure),
        scenario_sha256=scenario_sha256(scenario),
    )
    if len(_SETUPS) >= _SETUPS_KEPT:
        _SETUPS.pop(next(iter(_SETUPS)))
    _SETUPS[key] = (scenario, setup)
    return setup


@dataclass(frozen=True)
class DecisionRequest:
    """A played delegation's position is needed before the procedure can go on."""

    state: str
    proposal: str
    measure: str
    body: str


def _under_model(method):
    """Run ``method`` with the exercise's model constants in force (:func:`constants.applied`):
    every public way into the model goes through it, so a run's values hold wherever it is
    driven from (a sweep, the console's clock thread, a replay) and never outlive the call."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with constants.applied(self.model):
            return method(self, *args, **kwargs)

    return wrapper


class _ClockReached(Exception):
    """Leaves ``env.step()`` once the timeout that moves the clock has been processed."""


def _clock_reached(event: simpy.Event) -> None:
    raise _ClockReached


class Engine:
    """A run of ``scenario`` with ``seed`` (default: the scenario's own seed).

    ``players`` (default: the scenario's) are delegations played by people. With
    ``interactive=True`` the clock stops when one of their positions is needed, until it is
    submitted; otherwise the model's own policy answers for them. ``model`` sets model
    constants for this run only (``{"model.listing_veto_at": -0.6}``; :mod:`sim.constants`),
    over those the scenario's ``model:`` block sets (name by name; the rest of the block
    applies): they are in force whenever this exercise runs the model, and recorded in its
    ``started`` event.

    People use :class:`sim.exercise.Exercise`: this engine with the folds read from its
    events (``picture``, ``metrics``, ``events_frame()``).
    """

    def __init__(
        self,
        scenario: Scenario | str,
        seed: int | None = None,
        *,
        players: list[str] | tuple[str, ...] | None = None,
        interactive: bool = False,
        model: Mapping[str, float] | None = None,
    ):
        self.scenario = scenario if isinstance(scenario, Scenario) else scenarios.load(scenario)
        if seed is None:
            seed = self.scenario.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise ValueError(f"seed must be an integer between 0 and 2**63-1, not {seed!r}")
        self.seed = seed
        chosen = tuple(self.scenario.players if players is None else players)
        unknown = [c for c in chosen if c not in EU27]
        if unknown:
            raise InjectError("players", f"unknown member state code(s): {', '.join(unknown)}")
        self.players = tuple(c for c in EU27 if c in chosen)
        #: Model constants this run sets (name -> value, checked; empty: the defaults): the
        #: scenario's ``model:`` block, with ``model`` overriding it name by name.
        self.model = constants.for_run(self.scenario, model)
        self.interactive = interactive
        self.horizon = self.scenario.horizon
        self.env = simpy.Environment()
        self.log = EventLog()
        self.rng = Streams(seed)
        with constants.applied(self.model):  # the setup reads some constants (the spread)
            setup = _setup_of(self.scenario, self.model)
        self.roster = setup.roster
        #: Partners of the Union that attribute (scenario ``partners``), as attributor profiles.
        self.partners = dict(setup.partners)
        #: What share of its evidence each partner releases for the Union's use.
        self.releasable = setup.releasable
        self.timing = setup.timing
        self.calendar = Calendar(self.scenario.start)
        self.world = World()
        self.bodies = {name: Body(self, name) for name in ("hwpci", "psc", "coreper", "council")}
        self.skipped: list[str] = []
        self.applied: set[str] = set()  # ids of the injects applied so far (membership only)
        #: The injects delivered so far (not the delegations' answers): id -> the states
        #: addressed (empty: all).
        self.delivered: dict[str, tuple[str, ...]] = {}
        self.acknowledged: set[tuple[str, str]] = set()  # (inject id, state)
        #: Facilitator injects waiting for their time (id -> inject); MSEL entries are in the scenario.
        self.scheduled: dict[str, InjectBase] = {}
        self.pending: list[DecisionRequest] = []
        #: MSEL entries marked ``hold`` that are due and wait for the facilitator (ids, in order).
        self.held: list[str] = []
        self._releases: dict[str, simpy.Event] = {}
        self.steps = 0
        self.finished = False
        self._signals: dict[str, simpy.Event] = {}
        self._dirty: list[str] = []
        #: Who is still to answer, on which measure, the answers so far and the event to fire.
        self._waiting: list[tuple[list[str], str, dict[str, str], simpy.Event]] = []
        self._submitted = 0
        # Inject ids name entries in reports (planned vs delivered): each names one entry.
        self._ids = {entry.id: "the scenario's MSEL" for entry in self.scenario.msel}
        #: The seat entering inputs now (``cdtx host``): each input event records it as ``seat``.
        self.seat: str | None = None
        #: The longest text a remark may hold (None: any, for inputs a replay re-applies from a
        #: recording of a cdtx that took them so).
        self.text_limit: int | None = MAX_TEXT
        #: The cdtx whose seat rules took the inputs replayed into this run, when older than
        #: today's (a recording of 0.4.0 resumed or branched): its recording's header says so.
        self.seat_rules: str | None = None
        #: The crisis track of a large-scale incident (sim/stages/crisis.py), if one is open.
        self.crisis: Track | None = None
        #: Whether delegations may chat with each other: the latest ``allow_chat`` remark's
        #: ``allowed`` (closed until the facilitator opens it), set as that remark is applied,
        #: live or re-applied from a recording (replay, branch, resume).
        self.chat_allowed = False

        # The first event commits to the whole setup, so the digest chain covers what a
        # recording's header says: the scenario text (objectives and targets included, which
        # change the report but not the run), the seed, the players and the interactive flag.
        self.emit(K.STARTED, scenario=self.scenario.id, title=self.scenario.title, seed=seed,
                  rule=self.scenario.decision_rule, mode=self.timing.mode,
                  horizon=self.horizon, players=list(self.players),
                  scenario_sha256=setup.scenario_sha256,
                  interactive=bool(interactive), **self._recorded_model())  # fmt: skip
        if self.scenario.large_scale_incident is not None:
            self.crisis = crisis.open_track(self, self.scenario.large_scale_incident, "scenario")
        for spec in self.scenario.incidents:
            self.env.process(incident.start(self, spec))
        for entry in self.scenario.msel:
            self.env.process(injects.scheduled(self, entry, MSEL))
        self.env.process(awareness.intcen(self))
        self.env.process(initiation.initiative(self))

    def _recorded_model(self) -> dict[str, Any]:
        """The ``started`` event's ``model`` field: the constants this run sets, only when it
        sets some (a default run's events, and digests, are as they were)."""
        return {"model": dict(self.model)} if self.model else {}

    # -- events ----------------------------------------------------------------------------

    def emit(self, kind: str, source: str = MODEL, **data: Any) -> Event:
        """Record that something happened now; ``kind`` must be declared in sim/event_kinds.py
        (a dict lookup: the payload is checked against the declaration by the tests)."""
        name = PLAIN_NAMES.get(kind)
        if name is None:
            name = str(declared(kind))  # raises, naming where to declare it
        # A declared kind is a str subclass; events hold plain strings (copies, pickles).
        if self.seat is not None and name == "input":
            data["seat"] = self.seat
        event = self.log.record(self.env.now, name, source, data)
        if self.crisis is not None:  # the crisis track listens to the procedure
            crisis.heard(self, self.crisis, name, data)
        return event

    @property
    def events(self) -> list[Event]:
        return self.log.events

    @property
    def digest(self) -> str:
        """Hash chain over the canonical events so far (docs/model.md, *Determinism*)."""
        return self.log.digest

    @property
    def now(self) -> float:
        return self.env.now

    # -- signals between processes ---------------------------------------------------------

    def signal(self, name: str) -> simpy.Event:
        """An event that fires at the next ``notify(name)`` (or now, if one is unheard)."""
        if name in self._dirty:
            self._dirty.remove(name)
            event = self.env.event()
            event.succeed()
            return event
        waiting = self._signals.get(name)
        if waiting is None or waiting.triggered:
            waiting = self._signals[name] = self.env.event()
        return waiting

    def notify(self, name: str) -> None:
        event = self._signals.pop(name, None)
        if event is not None and not event.triggered:
            event.succeed()
        elif name not in self._dirty:
            self._dirty.append(name)

    def until(self, t: float) -> simpy.Event:
        """A timeout that ends at sim time ``t`` (now if ``t`` has passed).

        Differences of float times can come out a hair below zero; SimPy refuses negative delays.
        """
        return self.env.timeout(max(0.0, t - self.env.now))

    def world_changed(self) -> None:
        self.notify("world")

    # -- the clock -------------------------------------------------------------------------

    def _kernel_step(self) -> bool:
        """Process one SimPy event inside the horizon; False when the clock cannot advance."""
        if self.finished or self.pending or self.held:
            return False
        if self.env.peek() > self.horizon:
            self._finish()
            return False
        self.env.step()
        self.steps += 1
        return True

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            # Nothing is due before the horizon: the clock stands there from now on, so a
            # note taken after the end is dated at the end.
            self._move_clock(self.horizon)
            self.log.append(self.horizon, str(K.ENDED), MODEL, reason="horizon")

    @_under_model
    def step(self) -> list[Event]:
        """Advance until at least one new event happens (or the clock has to stop)."""
        start = len(self.log)
        while len(self.log) == start and self._kernel_step():
            pass
        return self.log.events[start:]

    @_under_model
    def run(self, until: float | str | None = None) -> Self:
        """Run to ``until`` (hours or a duration like ``3d``; default: the horizon).

        Stops early when a played delegation's position is awaited (see ``pending``) or a held
        MSEL entry waits for the facilitator (see ``held``).
        """
        limit = self.horizon if until is None else min(self._hours(until, "until"), self.horizon)
        env, steps = self.env, self.steps
        # The hot loop of every run: _kernel_step's checks, inlined.
        while not self.pending and not self.held and not self.finished and env.peek() <= limit:
            env.step()
            steps += 1
            self.steps = steps
        if limit >= self.horizon and not self.pending and not self.held:
            self._finish()
        else:
            self.advance_clock(limit)
        return self

    def advance_clock(self, t: float) -> None:
        """Move the clock forward to ``t`` when nothing is due before it, as ``env.run(until)``
        would: an inject submitted "now" after ``run(until=t)`` then happens at ``t``. It counts
        no kernel step and leaves nothing queued, so recorded step counts stay valid; replay calls it with each input's
        recorded time."""
        if (
            not self.pending
            and not self.held
            and not self.finished
            and self.env.now < t < self.env.peek()
        ):
            self._move_clock(t)

    def _move_clock(self, t: float) -> None:
        """Move SimPy's clock to ``t``, when nothing is due before it, without leaving a trace
        in the kernel's queue or in ``steps``.

        A timeout at ``t`` is the next event; processing it moves the clock and its one callback
        leaves ``env.step()`` at once. (``env.run(until=t)`` would leave its spent stop event
        queued again: SimPy 4.1 re-schedules it, and the next run counted one kernel step more
        than a replay, which moves the clock only before each input, so the recording no longer
        verified.) The timeout takes a sequence number, but every event scheduled later takes a
        larger one either way, so the order of events, and the digests, are unchanged."""
        if self.env.now < t:
            mark = self.env.timeout(t - self.env.now)
            mark.callbacks.append(_clock_reached)
            with contextlib.suppress(_ClockReached):
                self.env.step()

    @_under_model
    def run_steps(self, steps: int) -> None:
        """Advance exactly to kernel step ``steps`` (replay uses this to place inputs)."""
        while self.steps < steps and self._kernel_step():
            pass

    def next_event_time(self) -> float:
        return self.env.peek()

    # -- people ----------------------------------------------------------------------------

    @_under_model
    def submit(self, inject: Mapping[str, Any] | InjectBase) -> Event:
        """Apply an inject now (or schedule it at its ``at``); returns the recorded input event.

        Raises :class:`InjectError` naming the field when the inject is invalid.
        """
        self._refuse_after_end()
        model = self._validate(inject)
        if model.hold and model.at <= self.env.now:
            raise InjectError("hold", "hold makes the clock wait when the inject falls due: give "
                              "it a later time (at), or leave hold off to apply it now")  # fmt: skip
        if (model.type == "ipcr" and model.params.mode == "deactivated"
                and model.at <= self.env.now and not crisis.ipcr_active(self)):  # fmt: skip
            raise InjectError("params.mode", "IPCR is not active: there is nothing to deactivate "
                              "(monitoring, information_sharing or full activate it)")  # fmt: skip
        entry = model.model_dump(mode="json", by_alias=True)
        entry["at"] = model.at  # exact hours, so a re-simulation schedules it identically
        record = self.emit(K.INPUT, FACILITATOR, inject=entry, step=self.steps)
        self._submitted += 1
        self._ids[model.id] = "an earlier inject"
        if model.at <= self.env.now:
            injects.apply(self, model, FACILITATOR)
        else:
            self.scheduled[model.id] = model
            self.env.process(injects.scheduled(self, model, FACILITATOR))
        return record

    @_under_model
    def answer(self, state: str, position: str, statement: str = "") -> Event:
        """A played delegation's answer to a pending decision request."""
        for request in self.pending:
            if request.state == state and request.measure == QUESTION:
                # A played cyber crisis agency at EU-CyCLONe: what it brings, in the words of
                # the decision dialog's stances (support: shares its picture in full).
                contribution = CONTRIBUTION_OF_STANCE.get(position, position)
                return self.submit(
                    {
                        "type": "agency",
                        "message": statement,
                        "params": {"state": state, "contribution": contribution},
                    }
                )
            if request.state == state:
                return self.submit({"type": "position", "message": statement,
                                    "params": {"state": state, "measure": request.measure,
                                               "stance": position}})  # fmt: skip
        raise InjectError("state", f"no decision is awaited from {state}")

    def still_to_come(self, entry_id: str) -> InjectBase:
        """The MSEL entry or facilitator inject ``entry_id`` if it has been neither applied nor
        skipped; raises :class:`InjectError` otherwise (the clock may have fired it meanwhile)."""
        if entry_id in self.applied or entry_id in self.skipped:
            done = "applied" if entry_id in self.applied else "skipped"
            raise InjectError("msel", f"{entry_id} has already been {done}")
        entry = self.scheduled.get(entry_id)
        if entry is None:
            entry = next((m for m in self.scenario.msel if m.id == entry_id), None)
        if entry is None:
            raise InjectError("msel", f"no MSEL entry or scheduled inject {entry_id!r}")
        return entry

    @_under_model
    def skip(self, msel_id: str, replaced_by: str | None = None, how: str | None = None) -> Event:
        """Skip an MSEL entry or facilitator inject still to come (recorded as an input).

        ``replaced_by`` names the inject that takes its place and ``how`` says why ("fired" early
        or "edited"), so that reports tell a replacement from a plain skip.
        """
        self._refuse_after_end()
        self.still_to_come(msel_id)
        extra = {} if replaced_by is None else {"replaced_by": replaced_by}
        if how is not None:
            extra["how"] = how
        record = self.emit(K.INPUT, FACILITATOR, control="skip", msel=msel_id, **extra,
                           step=self.steps)  # fmt: skip
        self.skipped.append(msel_id)
        self.scheduled.pop(msel_id, None)
        if msel_id in self.held:  # skipped (or replaced) while the clock waited for it
            self.held.remove(msel_id)
            self._releases.pop(msel_id).succeed()
        return record

    @_under_model
    def replace(self, entry_id: str, inject: Mapping[str, Any], how: str) -> Event:
        """Put ``inject`` in the place of the entry still to come ``entry_id``: the console's
        fire-now (``how="fired"``) and edit (``"edited"``). Both halves are checked before
        either is recorded; returns the inject's input event."""
        if how not in ("fired", "edited"):
            raise ValueError(f"how is 'fired' or 'edited', not {how!r}")
        self.still_to_come(entry_id)
        record = self.submit(inject)
        self.skip(entry_id, replaced_by=record.data["inject"]["id"], how=how)
        return record

    @_under_model
    def set_played(self, state: str, played: bool) -> Event:
        """Hand delegation ``state`` to people at the table (or back to the model) from now on.

        Recorded as an input. Decisions already taken keep their positions; a delegation with a
        decision request open must answer it first.
        """
        self._refuse_after_end()
        if state not in EU27:
            raise InjectError("state", f"unknown member state code {state!r}")
        if any(r.state == state for r in self.pending):
            raise InjectError("state", f"{state} has a decision to answer first")
        record = self.emit(K.INPUT, FACILITATOR, control="players", state=state, played=played,
                           step=self.steps)  # fmt: skip
        chosen = (set(self.players) | {state}) if played else (set(self.players) - {state})
        self.players = tuple(c for c in EU27 if c in chosen)
        return record

    def note(self, text: str) -> Event:
        """A facilitator's note at the current sim time (recorded; reports use it).

        Notes are allowed after the end too: the hot wash after an exercise is worth keeping.
        """
        if not text.strip():
            raise InjectError("text", "a note needs some text")
        return self.emit(K.INPUT, FACILITATOR, control="note", text=text.strip(), step=self.steps)

    def remark(self, control: str, text: str = "", **fields: Any) -> Event:
        """Record an input the model does not act on (``cdtx host``): a delegation's
        ``message`` to the facilitator, an evaluator's ``observation`` (``objective``,
        ``rating``), the facilitator's ``advice`` setting (``state``, ``allowed``), opening or
        closing chat (``allow_chat``, ``allowed``: :attr:`chat_allowed`). Allowed after the
        end, like notes."""
        if control not in REMARKS:
            raise InjectError("control", f"{control!r} is not one of {', '.join(REMARKS)}")
        if self.text_limit is not None and len(text) > self.text_limit:
            raise InjectError("text", f"a text of {len(text):,} characters is too long (at "
                                      f"most {self.text_limit:,})")  # fmt: skip
        record = self.emit(K.INPUT, FACILITATOR, control=control, text=text.strip(), **fields,
                           step=self.steps)  # fmt: skip
        if control == "allow_chat":
            self.chat_allowed = bool(record.data.get("allowed"))
        return record

    def acknowledge(self, entry_id: str, state: str) -> Event:
        """``state``'s delegation acknowledges the inject ``entry_id`` delivered to it: an
        input, then an ``acknowledged`` event (sim/expectations.py). Refused for an inject not
        (yet) delivered to that delegation, or acknowledged already."""
        if not isinstance(state, str) or state not in EU27:
            raise InjectError("state", f"unknown member state code {state!r}")
        if not isinstance(entry_id, str):
            raise InjectError("entry", f"the id of an inject, not {entry_id!r}")
        to = self.delivered.get(entry_id)
        if to is None:
            raise InjectError("entry", f"{entry_id!r} has not been delivered (yet)")
        if to and state not in to:
            raise InjectError("entry", f"{entry_id} was not addressed to {state}")
        if (entry_id, state) in self.acknowledged:
            raise InjectError("entry", f"{state} has already acknowledged {entry_id}")
        record = self.emit(K.INPUT, FACILITATOR, control="acknowledge", entry=entry_id,
                           state=state, step=self.steps)  # fmt: skip
        self.acknowledged.add((entry_id, state))
        self.emit(K.ACKNOWLEDGED, FACILITATOR, entry=entry_id, state=state)
        return record

    def fire(self, entry_id: str) -> Event:
        """Fire an entry still to come now: a copy (``ID-early``) applied at the current time,
        recorded as a replacement (the console's ``e``, a facilitator seat's ``fire``)."""
        data = self.still_to_come(entry_id).model_dump(mode="json", by_alias=True)
        data.pop("at", None)
        data.pop("hold", None)  # fired now by the facilitator: nothing to wait for
        data["id"] = f"{entry_id}-early"
        return self.replace(entry_id, data, how="fired")

    def edit(self, entry_id: str, changes: Mapping[str, Any]) -> Event:
        """Replace an entry still to come by a copy (``ID-edited``) with ``changes`` (``at``,
        ``message``, any other field of an MSEL entry), recorded as a replacement."""
        data = self.still_to_come(entry_id).model_dump(mode="json", by_alias=True)
        data.update(changes)
        data["id"] = f"{entry_id}-edited"
        return self.replace(entry_id, data, how="edited")

    def _refuse_after_end(self) -> None:
        if self.finished:
            raise InjectError("", "the exercise has ended; branch from a recording to go on")

    def _validate(self, inject: Mapping[str, Any] | InjectBase) -> InjectBase:
        if isinstance(inject, InjectBase):
            data = inject.model_dump(by_alias=True)
        elif isinstance(inject, Mapping):
            data = dict(inject)
        else:
            raise InjectError("", f"an inject is a mapping, not {type(inject).__name__}")
        at = (
            self._hours(data.pop("at"), "at") if data.get("at") is not None else float(self.env.now)
        )
        if at < self.env.now - 1e-9:
            raise InjectError(
                "at", f"{format_offset(at)} is in the past (now {format_offset(self.env.now)})"
            )
        if at > self.horizon:
            raise InjectError(
                "at",
                f"{format_duration(at)} is after the scenario's horizon "
                f"({format_duration(self.horizon)}): it would never be applied",
            )
        if "id" not in data:
            number = self._submitted + 1
            while f"F-{number:03d}" in self._ids:
                number += 1
            data["id"] = f"F-{number:03d}"
        elif str(data["id"]) in self._ids:
            raise InjectError(
                "id", f"{data['id']!r} is already used by {self._ids[str(data['id'])]}"
            )
        data["at"] = "0"
        try:
            model = _INJECT.validate_python(data)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
                loc = ["type"]
            else:
                # The first segment is the inject type (the union's tag); labels of union members
                # (``function-after[...]``, ``literal['hr']``) name no field either.
                loc = [str(p) for p in error["loc"][1:] if not (isinstance(p, str) and "[" in p)]
            message = error["msg"].removeprefix("Value error, ")
            raise InjectError(".".join(loc), message) from None
        model = model.model_copy(update={"at": at})
        self._check_references(model)
        return model

    def _check_references(self, model: InjectBase) -> None:
        """The checks each inject type's declaration asks for (scenarios/model.py: the fields
        marked with ``Ref`` and ``recipients``), against the exercise as it is now."""
        declared = INJECT_TYPE[model.type]
        # Actors first, then incidents, then victims: the first problem found is reported.
        refs = sorted(references(declared.params), key=lambda ref: _REF_ORDER.index(ref[1]))
        for name, kind in refs:
            value = getattr(model.params, name)
            field = f"params.{name}"
            if kind == "actor":
                actors = [a.id for a in self.scenario.threat_actors]
                if value not in actors:
                    raise InjectError(
                        field, f"unknown threat actor {value!r} ({', '.join(actors)})"
                    )
            elif kind == "incident":
                known = list(self.world.incidents) + [i.id for i in self.scenario.incidents]
                if value not in known:
                    raise InjectError(field, f"unknown incident {value!r}")
            elif kind == "new_incident":
                if value in self.world.incidents:
                    raise InjectError(field, f"incident {value!r} already exists")
            elif kind == "victim" and value not in self._may_invoke(model.at):
                hit = ", ".join(self.world.victims()) or "none yet"
                raise InjectError(
                    field,
                    f"{value} has not been hit (victims: {hit}): {who_acts(model.type)}",
                )
        if declared.recipients == "required" and not model.to:
            raise InjectError("to", f"{model.type} goes to one or more states")

    def _may_invoke(self, at: float) -> set[str]:
        """Who may invoke Art. 42(7) / 222 at ``at``: a state hit, or for a later time also a
        state the scenario's incidents will hit (the check the scenario file gets)."""
        states = set(self.world.victims())
        if at > self.env.now:
            specs = list(self.scenario.incidents)
            later = [*self.scenario.msel, *self.scheduled.values()]
            specs += [m.params for m in later if isinstance(m.params, Incident)]
            states.update(t.state for spec in specs for t in spec.targets if t.state)
        return states

    def _hours(self, value: Any, field: str) -> float:
        """A time in hours from a number or text; InjectError for anything cdtx cannot represent
        (negative, NaN, inf, longer than ``MAX_HOURS``: scenarios.vocabulary.bounded_hours)."""
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if value < 0:
                    raise InjectError(field, f"negative time {value!r}")
                hours = bounded_hours(float(min(value, MAX_HOURS * 2)), value)
            else:
                hours = parse_offset(value)
        except ValueError as exc:
            if isinstance(exc, InjectError):
                raise
            raise InjectError(field, str(exc)) from None
        return hours

    def await_positions(self, codes: list[str], prop: Proposal, body: str) -> simpy.Event:
        """Stop the clock until each of ``codes`` has a position on ``prop``'s measure; the
        event's value is the answers, code -> position."""
        return self.await_answers(codes, prop.id, prop.measure, body)

    def await_answers(self, codes: list[str], about: str, measure: str, body: str) -> simpy.Event:
        """Stop the clock until each of ``codes`` has answered on ``measure`` (a measure, or
        what a played cyber crisis agency brings to EU-CyCLONe); the event's value is the
        answers, code -> answer."""
        event = self.env.event()
        for code in codes:
            self.pending.append(DecisionRequest(code, about, measure, body))
        self._waiting.append((list(codes), measure, {}, event))
        return event

    def await_release(self, entry_id: str) -> simpy.Event:
        """Stop the clock until the facilitator releases the held MSEL entry ``entry_id``."""
        event = self.env.event()
        self.held.append(entry_id)
        self._releases[entry_id] = event
        return event

    @_under_model
    def release(self, entry_id: str | None = None) -> Event:
        """Release a held MSEL entry (default: the first waiting); it takes effect and the clock
        goes on. Recorded as an input, so replay and verify re-apply it."""
        if not self.held:
            raise InjectError("msel", "no MSEL entry is held")
        entry_id = self.held[0] if entry_id is None else entry_id
        if entry_id not in self.held:
            raise InjectError("msel", f"{entry_id} is not held (held: {', '.join(self.held)})")
        record = self.emit(K.INPUT, FACILITATOR, control="release", msel=entry_id,
                           step=self.steps)  # fmt: skip
        self.held.remove(entry_id)
        self.emit(K.RELEASED, FACILITATOR, inject=entry_id, by="facilitator")
        self._releases.pop(entry_id).succeed()
        return record

    def position_answered(self, state: str, measure: str, position: str) -> bool:
        """``state``'s people give ``position`` on ``measure``: the answer to every request
        awaiting it (the decision's event fires with the answers once all are in). False when
        no request awaited it."""
        self.pending = [r for r in self.pending if not (r.state == state and r.measure == measure)]
        answered = False
        for waiting in list(self._waiting):
            remaining, wanted, answers, event = waiting
            if wanted == measure and state in remaining:
                answered = True
                remaining.remove(state)
                answers[state] = position
                if not remaining:
                    self._waiting.remove(waiting)
                    event.succeed(answers)
        return answered

    # -- procedure helpers used by the stages ----------------------------------------------

    @_under_model
    def propose(
        self,
        measure: str,
        by: str,
        source: str = "model",
        parent: str | None = None,
        prepared: bool = False,
        start: bool = True,
        naming: str | None = None,
        cosponsors: list[str] | None = None,
    ) -> Proposal:
        """Table a proposal and start its life through the procedure.

        ``naming`` fixes how the text names the perpetrator (a scenario asking for it); left
        out, the model drafts the wording from the attributions made. ``cosponsors`` are the
        capitals of a push coalition."""
        for existing in self.world.pending():
            if existing.measure == measure and start:
                self.emit(K.PROPOSAL_JOINED, proposal=existing.id, measure=measure, by=by)
                return existing
        prop = Proposal(
            f"P-{len(self.world.proposals) + 1}",
            measure,
            by,
            self.env.now,
            self.env.event(),
            parent,
        )
        if naming is not None:
            prop.naming, prop.forced = naming, True
        self.world.proposals.append(prop)
        extra: dict[str, Any] = {"cosponsors": cosponsors} if cosponsors else {}
        self.emit(
            K.PROPOSAL,
            proposal=prop.id,
            measure=measure,
            by=by,
            parent=parent,
            origin=source,
            **extra,
        )
        self.world_changed()
        if start:
            self.env.process(proposal.lifecycle(self, prop, prepared=prepared))
        return prop
