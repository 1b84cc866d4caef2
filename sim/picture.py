"""The situation picture: what the console shows, as a pure fold over events.

A live run and a replayed run build it with the same code from the same events, so they show the
same thing. ``copy()`` makes the cheap checkpoints that replay scrubbing folds forward from.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

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


#: The crisis track's kinds start with these (one string test on the fold's hot path).
CRISIS_PREFIXES = ("large_scale", "technical_", "cyclone_", "agency_", "operational_", "ipcr",
                    "isaa", "handoff", "reserve_")  # fmt: skip


#: The kinds :meth:`Picture.apply` folds (tests/test_engine.py checks this names every kind
#: it tests for): any other event only moves the picture's clock, without the chain of tests.
FOLDED = frozenset({
    K.ADOPTED,
    K.ADVERSARY,
    K.AGENCY_CONTRIBUTION,
    K.ASSESSMENT,
    K.ASSISTANCE,
    K.ATTRIBUTED,
    K.COMPROMISE,
    K.COREPER,
    K.CYCLONE_MEETING,
    K.DECISION,
    K.DECISION_REQUEST,
    K.DECLARATION_HELD,
    K.DEFERRED,
    K.DETECTED,
    K.DROPPED,
    K.ENDED,
    K.ESCALATION,
    K.EVIDENCE,
    K.EVIDENCE_PACKAGE,
    K.HANDOFF,
    K.INCIDENT,
    K.INPUT,
    K.IPCR,
    K.ISAA,
    K.LARGE_SCALE,
    K.MEETING,
    K.NOTE,
    K.OPERATIONAL_ASSESSMENT,
    K.PARTNER_ATTRIBUTED,
    K.POSITION,
    K.POSITION_FIXED,
    K.PREPARED,
    K.PRESSURE,
    K.PROPOSAL,
    K.REDRAFTED,
    K.RELEX,
    K.REPORTED,
    K.RESERVE_DEPLOYED,
    K.RETALIATION,
    K.SHARED,
    K.SHARED_AWARENESS,
    K.SILENCE_PROCEDURE,
    K.TECHNICAL_REPORT,
    K.WITHDRAWN,
    K.WRITTEN_PROCEDURE,
})


@dataclass
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


@dataclass
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
        for event in events[self.seen :]:
            self.apply(event)
        self.seen = len(events)
        return self

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
        """Fold one event in."""
        self.t = e.t
        kind = e.kind
        if kind not in FOLDED:
            return
        d = e.data
        # the most frequent kinds first: a run's events are mostly positions and evidence
        if kind == K.POSITION:
            self.states[d["state"]].position = d["position"]
            self.requests = [r for r in self.requests if r["state"] != d["state"]]
        elif kind == K.EVIDENCE:
            self.states[d["state"]].confidence = d["confidence"]
        elif kind == K.INCIDENT:
            self.incidents[d["incident"]] = dict(actor=d["actor"], score=d["score"], rung=d["recommended_rung"],
                                                 targets=d["targets"], t=e.t)  # fmt: skip
            for target in d["targets"]:
                self.states[target["state"]].affected = True
            self._stage("Incident", "active", e.t, f"{len(self.incidents)} incident(s)")
            self._reach("Incident", e.t)
        elif kind == K.ESCALATION:
            self.incidents[d["incident"]].update(score=d["score"], rung=d["recommended_rung"])
        elif kind == K.DETECTED:
            row = self.states[d["state"]]
            row.detected = e.t if row.detected is None else row.detected
            count = sum(r.detected is not None for r in self.states.values())
            self._stage("Detection", "active", e.t, f"{count} state(s) detected")
            self._reach("Detection", e.t)  # the first detection, as the report's OBJ timing
        elif kind == K.SHARED:
            row = self.states[d["state"]]
            row.shared = e.t if row.shared is None else row.shared
        elif kind == K.REPORTED:
            row = self.states[d["state"]]
            row.reported = e.t if row.reported is None else row.reported
        elif kind == K.ATTRIBUTED:
            row = self.states[d["state"]]
            row.attributed = e.t if row.attributed is None else row.attributed
        elif kind == K.ASSESSMENT:
            # Once endorsed, the member states share the assessment's updates too (as the model
            # uses them): an update does not undo shared awareness.
            shared = self.assessment is not None and self.assessment["shared"]
            self.assessment = dict(
                actor=d["actor"], confidence=d["confidence"], t=e.t, shared=shared
            )
            if shared:
                self._stage("Shared awareness", "done", e.t, f"updated {d['confidence']:.0%}")
            else:
                self._stage(
                    "Shared awareness", "active", e.t, f"INTCEN assessment {d['confidence']:.0%}"
                )
        elif kind == K.SHARED_AWARENESS:
            if self.assessment is not None:
                self.assessment["shared"] = True
            self._stage("Detection", "done", e.t)
            self._stage("Shared awareness", "done", e.t, f"endorsed at {d['body'].upper()}")
            self._reach("Shared awareness", e.t)
        elif kind == K.PROPOSAL:
            self.proposals[d["proposal"]] = dict(
                measure=d["measure"], by=d["by"], status="tabled", t=e.t
            )
            self.current = d["proposal"]
            for row in self.states.values():
                row.position = None
        elif kind == K.PREPARED:
            self._stage("HWPCI", "done", e.t, f"{d['proposal']} {short(d['measure'])} prepared")
            self._reach("HWPCI", e.t)
        elif kind == K.EVIDENCE_PACKAGE:
            self._stage("HWPCI", "active", e.t, f"evidence package {d['phase']}")
        elif kind == K.MEETING:
            self.meetings += 1
            if d["body"] == "psc":
                self._stage(
                    "PSC",
                    "active",
                    e.t,
                    "extraordinary sitting" if d["extraordinary"] else "sitting",
                )
            elif d["body"] == "hwpci":
                self._stage("HWPCI", "active", e.t, "sitting")
        elif kind == K.DECISION_REQUEST:
            self.requests.append(
                dict(
                    state=d["state"],
                    proposal=d["proposal"],
                    measure=d["measure"],
                    others=d.get("others", {}),
                    advice=d.get("advice"),
                )  # fmt: skip
            )
        elif kind == K.POSITION_FIXED:
            # A played delegation's answer: on the board as soon as it is given, not only with
            # the decision (an inject fixing a position ahead of time shows at the decision).
            if any(
                r["state"] == d["state"] and r["measure"] == d["measure"] for r in self.requests
            ):
                self.states[d["state"]].position = d["position"]
        elif kind == K.DECISION:
            stage = "Council" if d["body"] == "council" else "PSC"
            status = "done" if d["adopted"] else "blocked"
            verdict = "agreed" if d["adopted"] else f"blocked by {', '.join(d['blockers'])}"
            self._stage(stage, status, e.t, f"{short(d['measure'])} {verdict}")
            if d["adopted"]:
                self._reach(stage, e.t)
            if d["proposal"] in self.proposals:
                self.proposals[d["proposal"]]["status"] = "agreed" if d["adopted"] else "blocked"
        elif kind in (K.RELEX, K.COREPER, K.WRITTEN_PROCEDURE, K.SILENCE_PROCEDURE):
            self._stage("Council", "active", e.t, kind.replace("_", " "))
        elif kind == K.DECLARATION_HELD:
            self._stage("Council", "active", e.t, "agreed; held for the capitals' attribution")
        elif kind == K.ADOPTED:
            self.adopted.append(dict(measure=d["measure"], t=e.t, how=d["how"],
                                     naming=d.get("naming")))  # fmt: skip
            if d["proposal"] in self.proposals:
                self.proposals[d["proposal"]]["status"] = "adopted"
            # The row follows adoption wherever it happens: the Council, a silence procedure at
            # the PSC, or the High Representative in her own name.
            how = d["how"] + (f"; {NAMING_TEXT[d['naming']]}" if d.get("naming") else "")
            self._stage("Council", "done", e.t, f"{short(d['measure'])} adopted ({how})")
            self._reach("Council", e.t)
        elif kind == K.REDRAFTED:
            if d["proposal"] in self.proposals:
                self.proposals[d["proposal"]]["naming"] = d["naming"]
            self._stage("PSC", "active", e.t, f"redrafted: {NAMING_TEXT[d['naming']]}")
        elif kind == K.WITHDRAWN:
            if d["proposal"] in self.proposals:
                self.proposals[d["proposal"]]["status"] = "withdrawn"
        elif kind == K.ASSISTANCE:
            self.assistance.append(dict(article=d["article"], by=d["by"], t=e.t))
        elif kind == K.PARTNER_ATTRIBUTED:
            self.partners_attributed.setdefault(d["partner"], e.t)
        elif kind in (K.DROPPED, K.DEFERRED, K.COMPROMISE):
            if d["proposal"] in self.proposals:
                self.proposals[d["proposal"]]["status"] = kind
        elif kind == K.ADVERSARY:
            self.adversary = d["action"]
            self._stage(
                "Effect",
                "done" if d["action"] == "cease" else "active",
                e.t,
                f"actor: {d['action']}",
            )
            if d["action"] == "cease":
                self._reach("Effect", e.t)
        elif kind == K.RETALIATION:
            self.retaliations.append(dict(by=d["sponsor"], action=d["action"],
                                          against=list(d["against"]), t=e.t))  # fmt: skip
            self._stage("Effect", "active", e.t, f"{d['sponsor']} retaliates: "
                        + d["action"].replace("_", " "))  # fmt: skip
        elif kind == K.PRESSURE:
            self.pressure = max(self.pressure, d["pressure"])
        elif kind == K.INPUT and d.get("control") == "players":
            self.states[d["state"]].played = d["played"]
            self.players = tuple(c for c, row in self.states.items() if row.played)
        elif kind == K.NOTE or (kind == K.INPUT and d.get("control") == "note"):
            self.notes.append(dict(t=e.t, text=d.get("text", ""), source=e.source))
        elif kind == K.ENDED:
            self.ended = True
        elif kind.startswith(CRISIS_PREFIXES):
            self._crisis(e)

    def _crisis(self, e: Event) -> None:
        """Fold an event of the crisis track (sim/stages/crisis.py) into its three levels."""
        d, kind = e.data, e.kind
        if kind == K.LARGE_SCALE:
            self.levels = self.levels or {name: Stage() for name in LEVELS}
        elif not self.levels:
            return  # a recording cut before the track opened
        if kind == K.TECHNICAL_REPORT:
            self._stage("Technical", "active", e.t,
                        f"report #{d['number']}, confidence {d['confidence']:.0%}")  # fmt: skip
            self._reach("Technical", e.t)
        elif kind == K.CYCLONE_MEETING:
            self._stage("Operational", "active", e.t, f"CyCLONe {d['level']} #{d['number']}")
        elif kind == K.AGENCY_CONTRIBUTION and d["by"] == "people":
            self.requests = [r for r in self.requests if r["state"] != d["state"]
                             or r["measure"] != "operational_assessment"]  # fmt: skip
        elif kind == K.OPERATIONAL_ASSESSMENT:
            self._stage("Operational", "done", e.t,
                        f"assessment #{d['number']}, impact {d['impact']:.0%}, "
                        f"confidence {d['confidence']:.0%}")  # fmt: skip
            self._reach("Operational", e.t)
        elif kind == K.IPCR:
            self.ipcr = d["mode"]
            shown = d["mode"].replace("_", "-")
            self._stage("Political", "blocked" if d["mode"] == "deactivated" else "active", e.t,
                        f"IPCR {shown}")  # fmt: skip
            if d["mode"] != "deactivated":
                self._reach("Political", e.t)
        elif kind == K.ISAA:
            self._stage("Political", "active", e.t,
                        f"IPCR {self.ipcr.replace('_', '-')}, ISAA #{d['number']} "
                        f"({d['confidence']:.0%})")  # fmt: skip
        elif kind == K.HANDOFF:
            self.handoffs.append(dict(product=d["product"], number=d["number"], to=d["to"],
                                      confidence=d["confidence"], t=e.t))  # fmt: skip
            if d["to"] == "psc":
                self._stage("Political", "done", e.t,
                            f"IPCR {self.ipcr.replace('_', '-')}, ISAA #{d['number']} at the PSC")  # fmt: skip
        elif kind == K.RESERVE_DEPLOYED:
            self.reserve.append(dict(state=d["state"], t=e.t))

    @property
    def proposal(self) -> dict[str, Any] | None:
        return self.proposals.get(self.current) if self.current else None
