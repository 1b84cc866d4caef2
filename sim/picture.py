"""The situation picture: what the console shows, as a pure fold over events.

A live run and a replayed run build it with the same code from the same events, so they show the
same thing. ``copy()`` makes the cheap checkpoints that replay scrubbing folds forward from.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from actors.roster import builtin_roster
from scenarios.model import Scenario

from . import event_kinds as K
from .events import Event
from .names import NAMING_TEXT
from .narrative import short

STAGES = ("Incident", "Detection", "Shared awareness", "HWPCI", "PSC", "Council", "Effect")
#: The crisis track's levels (a large-scale incident, sim/stages/crisis.py), shown beside STAGES.
LEVELS = ("Technical", "Operational", "Political")
#: Who works at each level, as a wall names it.
LEVEL_BODIES = {"Technical": "CSIRTs Network", "Operational": "EU-CyCLONe",
                "Political": "Presidency (IPCR), Commission and EEAS (ISAA)"}  # fmt: skip


_Fold = TypeVar("_Fold", bound=Callable[..., None])

#: Kind -> the :class:`Picture` method that folds it, filled by :func:`_folds` as the class is
#: defined (one declaration per kind: FOLDED is derived from it, never kept beside it).
_FOLDS: dict[str, Callable[[Picture, Event], None]] = {}
#: The crisis track's kinds, filled the same way (:data:`CRISIS_KINDS` once the class is made).
_CRISIS: set[str] = set()


def _folds(*kinds: str, crisis: bool = False) -> Callable[[_Fold], _Fold]:
    """Register the decorated method as the fold of ``kinds``. A ``crisis`` kind is folded only
    once the crisis track has opened (a recording cut before its ``large_scale`` event)."""

    def register(method: _Fold) -> _Fold:
        fold = method
        if crisis:

            @functools.wraps(method)
            def fold(picture: Picture, e: Event) -> None:
                if picture.levels:
                    method(picture, e)

        for kind in kinds:
            if kind in _FOLDS:
                raise ValueError(f"the picture folds {kind!r} twice")
            _FOLDS[kind] = fold
            if crisis or kind == K.LARGE_SCALE:
                _CRISIS.add(kind)
        return method

    return register


#: The row's field each of these kinds sets the first time (:meth:`Picture._first_time`).
_FIRST_TIME: dict[str, str] = {K.SHARED: "shared", K.REPORTED: "reported", K.ATTRIBUTED: "attributed"}


@dataclass(slots=True)
class StateRow:
    code: str
    name: str
    played: bool = False
    affected: bool = False
    detected: float | None = None
    shared: float | None = None
    reported: float | None = None
    confidence: float = 0.0
    attributed: float | None = None
    position: str | None = None


@dataclass(slots=True)
class Stage:
    status: str = "pending"  # pending, active, done, blocked
    t: float | None = None  # when the status or detail shown last changed
    detail: str = ""
    since: float | None = None  # when the stage first became active (or reached)
    reached: float | None = None  # when its milestone was first reached (as the report counts)


@dataclass
class Picture:
    scenario: Scenario
    players: tuple[str, ...] = ()
    seen: int = 0
    t: float = 0.0
    states: dict[str, StateRow] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    assessment: dict[str, Any] | None = None
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    current: str | None = None  # id of the proposal on the table
    adopted: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)  # open decision requests
    assistance: list[dict[str, Any]] = field(default_factory=list)  # Art. 42(7) / 222 invoked
    partners_attributed: dict[str, float] = field(default_factory=dict)  # partner -> when
    notes: list[dict[str, Any]] = field(default_factory=list)
    pressure: float = 0.0
    adversary: str = ""
    retaliations: list[dict[str, Any]] = field(default_factory=list)  # by the state behind it
    meetings: int = 0
    ended: bool = False
    #: The crisis track's levels (empty without a large-scale incident), its IPCR mode, what
    #: reached each level and the PSC (product, number, to, confidence, t), Reserve deployments.
    levels: dict[str, Stage] = field(default_factory=dict)
    ipcr: str = "none"
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    reserve: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.states:
            for state in builtin_roster():
                self.states[state.code] = StateRow(
                    state.code, state.name, state.code in self.players
                )
        if not self.stages:
            self.stages = {name: Stage() for name in STAGES}

    def copy(self) -> Picture:
        """An independent copy (checkpoints for scrubbing fold forward from these)."""
        # The scenario is frozen: share it instead of deep-copying it into every copy.
        # Notes are never changed once added: share them (a copy per checkpoint would make
        # building the checkpoints quadratic in the notes of a recording).
        memo: dict[int, Any] = {id(self.scenario): self.scenario}
        memo.update((id(note), note) for note in self.notes)
        return copy.deepcopy(self, memo)

    def catch_up(self, events: list[Event]) -> Picture:
        """Fold in the events after those seen so far."""
        self.seen = self.fold_through(events, self.seen, math.inf)
        return self

    def fold_through(self, events: list[Event], start: int, until: float) -> int:
        """Fold ``events[start:]`` in, up to and including those at ``until``; the index of
        the first event left (what a sampler picks up from for its next time)."""
        folds = _FOLDS
        i, n = start, len(events)
        while i < n:
            e = events[i]
            if e.t > until:
                break
            self.t = e.t
            fold = folds.get(e.kind)
            if fold is not None:
                fold(self, e)
            i += 1
        return i

    def _stage(self, name: str, status: str, t: float, detail: str = "") -> None:
        # The time goes with what the row says: "PSC blocked" shows when it was blocked.
        stage = self.stages[name] if name in self.stages else self.levels[name]
        detail = detail or stage.detail
        if stage.t is None or (status, detail) != (stage.status, stage.detail):
            stage.t = t
        stage.status, stage.detail = status, detail
        if stage.since is None:
            stage.since = t

    def _reach(self, name: str, t: float) -> None:
        """The milestone of stage ``name`` is reached at ``t`` (the first time only: later
        updates change what the row says, not when the milestone was reached)."""
        stage = self.stages[name] if name in self.stages else self.levels[name]
        if stage.reached is None:
            stage.reached = t

    def apply(self, e: Event) -> None:
        """Fold one event in (an event of a kind the picture does not fold moves its clock)."""
        self.t = e.t
        fold = _FOLDS.get(e.kind)
        if fold is not None:
            fold(self, e)

    # -- the fold, one method per kind (registered in _FOLDS by @_folds) -----------------------

    @_folds(K.POSITION)
    def _position(self, e: Event) -> None:
        d = e.data
        self.states[d["state"]].position = d["position"]
        if self.requests:  # answered: the request is no longer open
            self.requests = [r for r in self.requests if r["state"] != d["state"]]

    @_folds(K.EVIDENCE)
    def _evidence(self, e: Event) -> None:
        self.states[e.data["state"]].confidence = e.data["confidence"]

    @_folds(K.INCIDENT)
    def _incident(self, e: Event) -> None:
        d = e.data
        self.incidents[d["incident"]] = dict(actor=d["actor"], score=d["score"], rung=d["recommended_rung"],
                                             targets=d["targets"], t=e.t)  # fmt: skip
        for target in d["targets"]:
            self.states[target["state"]].affected = True
        self._stage("Incident", "active", e.t, f"{len(self.incidents)} incident(s)")
        self._reach("Incident", e.t)

    @_folds(K.ESCALATION)
    def _escalation(self, e: Event) -> None:
        d = e.data
        self.incidents[d["incident"]].update(score=d["score"], rung=d["recommended_rung"])

    @_folds(K.DETECTED)
    def _detected(self, e: Event) -> None:
        row = self.states[e.data["state"]]
        row.detected = e.t if row.detected is None else row.detected
        count = sum(r.detected is not None for r in self.states.values())
        self._stage("Detection", "active", e.t, f"{count} state(s) detected")
        self._reach("Detection", e.t)  # the first detection, as the report's OBJ timing

    @_folds(K.SHARED, K.REPORTED, K.ATTRIBUTED)
    def _first_time(self, e: Event) -> None:
        # a state's row keeps when it first shared, reported or attributed
        row, field = self.states[e.data["state"]], _FIRST_TIME[e.kind]
        if getattr(row, field) is None:
            setattr(row, field, e.t)

    @_folds(K.ASSESSMENT)
    def _assessment(self, e: Event) -> None:
        d = e.data
        # Once endorsed, the member states share the assessment's updates too (as the model
        # uses them): an update does not undo shared awareness.
        shared = self.assessment is not None and self.assessment["shared"]
        self.assessment = dict(actor=d["actor"], confidence=d["confidence"], t=e.t, shared=shared)
        if shared:
            self._stage("Shared awareness", "done", e.t, f"updated {d['confidence']:.0%}")
        else:
            self._stage("Shared awareness", "active", e.t,
                        f"INTCEN assessment {d['confidence']:.0%}")  # fmt: skip

    @_folds(K.SHARED_AWARENESS)
    def _shared_awareness(self, e: Event) -> None:
        if self.assessment is not None:
            self.assessment["shared"] = True
        self._stage("Detection", "done", e.t)
        self._stage("Shared awareness", "done", e.t, f"endorsed at {e.data['body'].upper()}")
        self._reach("Shared awareness", e.t)

    @_folds(K.PROPOSAL)
    def _proposal(self, e: Event) -> None:
        d = e.data
        self.proposals[d["proposal"]] = dict(measure=d["measure"], by=d["by"], status="tabled",
                                             t=e.t)  # fmt: skip
        self.current = d["proposal"]
        for row in self.states.values():
            row.position = None

    @_folds(K.PREPARED)
    def _prepared(self, e: Event) -> None:
        d = e.data
        self._stage("HWPCI", "done", e.t, f"{d['proposal']} {short(d['measure'])} prepared")
        self._reach("HWPCI", e.t)

    @_folds(K.EVIDENCE_PACKAGE)
    def _evidence_package(self, e: Event) -> None:
        self._stage("HWPCI", "active", e.t, f"evidence package {e.data['phase']}")

    @_folds(K.MEETING)
    def _meeting(self, e: Event) -> None:
        d = e.data
        self.meetings += 1
        if d["body"] == "psc":
            sitting = "extraordinary sitting" if d["extraordinary"] else "sitting"
            self._stage("PSC", "active", e.t, sitting)
        elif d["body"] == "hwpci":
            self._stage("HWPCI", "active", e.t, "sitting")

    @_folds(K.DECISION_REQUEST)
    def _decision_request(self, e: Event) -> None:
        d = e.data
        self.requests.append(dict(state=d["state"], proposal=d["proposal"], measure=d["measure"],
                                  others=d.get("others", {}), advice=d.get("advice")))  # fmt: skip

    @_folds(K.POSITION_FIXED)
    def _position_fixed(self, e: Event) -> None:
        # A played delegation's answer: on the board as soon as it is given, not only with
        # the decision (an inject fixing a position ahead of time shows at the decision).
        d = e.data
        if any(r["state"] == d["state"] and r["measure"] == d["measure"] for r in self.requests):
            self.states[d["state"]].position = d["position"]

    @_folds(K.DECISION)
    def _decision(self, e: Event) -> None:
        d = e.data
        stage = "Council" if d["body"] == "council" else "PSC"
        status = "done" if d["adopted"] else "blocked"
        verdict = "agreed" if d["adopted"] else f"blocked by {', '.join(d['blockers'])}"
        self._stage(stage, status, e.t, f"{short(d['measure'])} {verdict}")
        if d["adopted"]:
            self._reach(stage, e.t)
        if d["proposal"] in self.proposals:
            self.proposals[d["proposal"]]["status"] = "agreed" if d["adopted"] else "blocked"

    @_folds(K.RELEX, K.COREPER, K.WRITTEN_PROCEDURE, K.SILENCE_PROCEDURE)
    def _council_step(self, e: Event) -> None:
        self._stage("Council", "active", e.t, e.kind.replace("_", " "))

    @_folds(K.DECLARATION_HELD)
    def _declaration_held(self, e: Event) -> None:
        self._stage("Council", "active", e.t, "agreed; held for the capitals' attribution")

    @_folds(K.ADOPTED)
    def _adopted(self, e: Event) -> None:
        d = e.data
        self.adopted.append(dict(measure=d["measure"], t=e.t, how=d["how"],
                                 naming=d.get("naming")))  # fmt: skip
        if d["proposal"] in self.proposals:
            self.proposals[d["proposal"]]["status"] = "adopted"
        # The row follows adoption wherever it happens: the Council, a silence procedure at
        # the PSC, or the High Representative in her own name.
        how = d["how"] + (f"; {NAMING_TEXT[d['naming']]}" if d.get("naming") else "")
        self._stage("Council", "done", e.t, f"{short(d['measure'])} adopted ({how})")
        self._reach("Council", e.t)

    @_folds(K.REDRAFTED)
    def _redrafted(self, e: Event) -> None:
        d = e.data
        if d["proposal"] in self.proposals:
            self.proposals[d["proposal"]]["naming"] = d["naming"]
        self._stage("PSC", "active", e.t, f"redrafted: {NAMING_TEXT[d['naming']]}")

    @_folds(K.WITHDRAWN)
    def _withdrawn(self, e: Event) -> None:
        if e.data["proposal"] in self.proposals:
            self.proposals[e.data["proposal"]]["status"] = "withdrawn"

    @_folds(K.ASSISTANCE)
    def _assistance(self, e: Event) -> None:
        d = e.data
        self.assistance.append(dict(article=d["article"], by=d["by"], t=e.t))

    @_folds(K.PARTNER_ATTRIBUTED)
    def _partner_attributed(self, e: Event) -> None:
        self.partners_attributed.setdefault(e.data["partner"], e.t)

    @_folds(K.DROPPED, K.DEFERRED, K.COMPROMISE)
    def _set_aside(self, e: Event) -> None:
        if e.data["proposal"] in self.proposals:
            self.proposals[e.data["proposal"]]["status"] = e.kind

    @_folds(K.ADVERSARY)
    def _adversary(self, e: Event) -> None:
        action = e.data["action"]
        self.adversary = action
        self._stage("Effect", "done" if action == "cease" else "active", e.t, f"actor: {action}")
        if action == "cease":
            self._reach("Effect", e.t)

    @_folds(K.RETALIATION)
    def _retaliation(self, e: Event) -> None:
        d = e.data
        self.retaliations.append(dict(by=d["sponsor"], action=d["action"],
                                      against=list(d["against"]), t=e.t))  # fmt: skip
        self._stage("Effect", "active", e.t, f"{d['sponsor']} retaliates: "
                    + d["action"].replace("_", " "))  # fmt: skip

    @_folds(K.PRESSURE)
    def _pressure(self, e: Event) -> None:
        self.pressure = max(self.pressure, e.data["pressure"])

    @_folds(K.INPUT)
    def _input(self, e: Event) -> None:
        d = e.data
        control = d.get("control")
        if control == "players":
            self.states[d["state"]].played = d["played"]
            self.players = tuple(c for c, row in self.states.items() if row.played)
        elif control == "note":
            self._note(e)

    @_folds(K.NOTE)
    def _note(self, e: Event) -> None:
        self.notes.append(dict(t=e.t, text=e.data.get("text", ""), source=e.source))

    @_folds(K.ENDED)
    def _ended(self, e: Event) -> None:
        self.ended = True

    # -- the crisis track (sim/stages/crisis.py): its three levels ------------------------------

    @_folds(K.LARGE_SCALE)
    def _large_scale(self, e: Event) -> None:
        self.levels = self.levels or {name: Stage() for name in LEVELS}

    @_folds(K.TECHNICAL_REPORT, crisis=True)
    def _technical_report(self, e: Event) -> None:
        d = e.data
        self._stage("Technical", "active", e.t,
                    f"report #{d['number']}, confidence {d['confidence']:.0%}")  # fmt: skip
        self._reach("Technical", e.t)

    @_folds(K.CYCLONE_MEETING, crisis=True)
    def _cyclone_meeting(self, e: Event) -> None:
        d = e.data
        self._stage("Operational", "active", e.t, f"CyCLONe {d['level']} #{d['number']}")

    @_folds(K.AGENCY_CONTRIBUTION, crisis=True)
    def _agency_contribution(self, e: Event) -> None:
        d = e.data
        if d["by"] == "people":  # a played agency answered: its request is no longer open
            self.requests = [r for r in self.requests if r["state"] != d["state"]
                             or r["measure"] != "operational_assessment"]  # fmt: skip

    @_folds(K.OPERATIONAL_ASSESSMENT, crisis=True)
    def _operational_assessment(self, e: Event) -> None:
        d = e.data
        self._stage("Operational", "done", e.t,
                    f"assessment #{d['number']}, impact {d['impact']:.0%}, "
                    f"confidence {d['confidence']:.0%}")  # fmt: skip
        self._reach("Operational", e.t)

    @_folds(K.IPCR, crisis=True)
    def _ipcr(self, e: Event) -> None:
        mode = e.data["mode"]
        self.ipcr = mode
        self._stage("Political", "blocked" if mode == "deactivated" else "active", e.t,
                    f"IPCR {mode.replace('_', '-')}")  # fmt: skip
        if mode != "deactivated":
            self._reach("Political", e.t)

    @_folds(K.ISAA, crisis=True)
    def _isaa(self, e: Event) -> None:
        d = e.data
        self._stage("Political", "active", e.t,
                    f"IPCR {self.ipcr.replace('_', '-')}, ISAA #{d['number']} "
                    f"({d['confidence']:.0%})")  # fmt: skip

    @_folds(K.HANDOFF, crisis=True)
    def _handoff(self, e: Event) -> None:
        d = e.data
        self.handoffs.append(dict(product=d["product"], number=d["number"], to=d["to"],
                                  confidence=d["confidence"], t=e.t))  # fmt: skip
        if d["to"] == "psc":
            self._stage("Political", "done", e.t,
                        f"IPCR {self.ipcr.replace('_', '-')}, ISAA #{d['number']} at the PSC")  # fmt: skip

    @_folds(K.RESERVE_DEPLOYED, crisis=True)
    def _reserve_deployed(self, e: Event) -> None:
        self.reserve.append(dict(state=e.data["state"], t=e.t))

    @property
    def proposal(self) -> dict[str, Any] | None:
        return self.proposals.get(self.current) if self.current else None


#: The kinds :meth:`Picture.apply` folds: any other event only moves the picture's clock.
FOLDED = frozenset(_FOLDS)
#: The crisis track's kinds the picture folds (its three levels: sim/stages/crisis.py):
#: ``large_scale``, which opens the track, and each fold marked ``crisis``.
CRISIS_KINDS = frozenset(_CRISIS)
