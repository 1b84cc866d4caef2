"""Seats of a hosted exercise (``cdtx host``): who may see which event, and each seat's view.

A seat's view is a fold over the events it may see (DESIGN.md section 6). This module is pure:
no network, no clock. The host keeps one :class:`Disclosure` (what has been made known so far:
which injects go to whom, who was hit, whether the EU assessment has been shared, whose
delegation may see the model's advice), asks it :meth:`Disclosure.view_of` for every seat and
every event, and sends each seat only what comes back. A :class:`SeatView` folds those event
dicts into what a seat shows: clock, procedure tracker, statements, its requests.

Rules (docs/hosting.md, *What each seat sees*):

- facilitator and evaluator: every event as recorded;
- delegation of state S: public events (meetings, proposals, decisions after the vote, adopted
  measures, public attributions without the attributing capital's confidence, media pressure,
  shared indicators); injects and notes addressed
  to S or to all (without the MSEL's expected action); the incidents that hit S (without the
  model's severity score and proportionate rung); S's own detections, reports, attribution
  confidence and positions; the EU assessment once it has been shared at the PSC; S's own
  decision requests (without the other delegations' positions, and without the model's advice
  unless the facilitator allows it); the inputs S itself entered. Nothing else: every kind of
  ``sim.event_kinds`` is classified below (PUBLIC, OWN_STATE, CONDITIONAL or FACILITATOR_ONLY;
  tests/test_host.py checks it), and a kind classified nowhere is kept from delegations;
- observer (the projector): the public events, the injects addressed to all, and the EU
  assessment (every update of it) once it has been shared at the PSC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import orjson

from actors.delegation import ART31_MEASURES
from actors.roster import builtin_roster
from scenarios.vocabulary import ANSWER_INJECTS, EU27, STANCES

from . import evaluation, expectations
from .clock import Calendar, format_offset
from .event_kinds import seat_name
from .events import Event
from .expectations import state_of_seat
from .names import PROPOSER_NAMES, body, sector
from .narrative import actor_names, describe, measure, short
from .picture import CRISIS_KINDS, LEVEL_BODIES, Picture
from .seat_rules import ALL_STATES, DELEGATION, EVALUATOR, FACILITATOR, OBSERVER, Seat
from .stages.blueprint import QUESTION
from .stages.proposal import tabled_at

#: Ratings an evaluator gives an objective (as the report's objectives: DESIGN.md section 4).
RATINGS = evaluation.RATINGS

#: Positions a delegation answers a decision request with.
POSITIONS = STANCES

#: Events every seat sees, with the fields kept from delegations and observers. A public
#: attribution's ``confidence`` is the attributing capital's (or partner's) intelligence: only
#: that state's own delegation sees it (:data:`OWN_FIELDS`).
PUBLIC: dict[str, tuple[str, ...]] = {
    "started": (), "ended": (), "pressure": (), "shared": (), "attributed": ("confidence",),
    "partner_attributed": ("confidence",),
    "shared_awareness": (), "proposal": (), "proposal_joined": (), "invoked": (), "assistance": (),
    "evidence_package": ("expected", "strength"), "prepared": (), "meeting": (), "meeting_requested": (),
    "decision": (), "redrafted": (), "withdrawn": (), "deferred": (), "compromise": (),
    "linkage": (), "retabled": (),
    "dropped": (), "silence_procedure": (), "relex": (), "coreper": (), "written_procedure": (),
    "adopted": (), "listing_review": (), "adversary": (), "declaration_held": (),
    "retaliation": (),
    # the crisis track of a large-scale incident: what the levels share with every member state
    # (which agency brought what to CyCLONe stays with each agency's own delegation)
    "large_scale": (), "technical_report": (), "cyclone_meeting": (),
    "operational_assessment": ("contributions",), "ipcr": (), "isaa": (), "handoff": (),
    "reserve_request": (), "reserve_deployed": (),
}  # fmt: skip

#: Public kinds whose hidden fields the delegation of the state they name (``data["state"]``)
#: does see: its own capital's attribution confidence.
OWN_FIELDS = ("attributed",)

#: Events a delegation sees when they are about its own state (``data["state"]``).
OWN_STATE = ("detected", "reported", "evidence", "attribution_ready", "position",
             "position_fixed", "agency_contribution", "acknowledged")  # fmt: skip

#: Events whose delegation view depends on more than their kind (rules in :meth:`data_for`).
CONDITIONAL = ("input", "inject_applied", "note", "incident", "escalation", "assessment",
               "decision_request")  # fmt: skip

#: Events only the facilitators and evaluators see: the model's reasoning (an escalation it
#: judged not worth a rung), intelligence that goes to INTCEN, not to the capitals (a
#: partner's confidence, a report from outside the Union), and the MSEL's mechanics (an entry
#: held, then released: the delegations see the inject itself when it is applied).
FACILITATOR_ONLY = ("escalation_ignored", "partner_evidence", "third_party_report", "held",
                    "released")  # fmt: skip

#: Fields of an incident (and escalation) that are the model's judgement, not what a victim sees.
MODEL_JUDGEMENT = ("actor", "actor_name", "score", "recommended_rung", "previous_rung")

def seats_for(players: Iterable[str], *, facilitators: int = 1, evaluators: int = 1,
              observers: int = 1) -> list[Seat]:  # fmt: skip
    """The seats of an exercise: facilitator(s), one delegation per played state, evaluator(s)
    and observer(s); the second of a role is ``facilitator-2`` and so on."""

    def numbered(role: str, count: int) -> list[Seat]:
        return [Seat(role if i == 1 else f"{role}-{i}", role) for i in range(1, count + 1)]

    return [
        *numbered(FACILITATOR, facilitators),
        *(Seat(code, DELEGATION, code) for code in players),
        *numbered(EVALUATOR, evaluators),
        *numbered(OBSERVER, observers),
    ]


@dataclass
class _Inject:
    type: str
    to: tuple[str, ...]
    state: str | None  # an answer inject's state (ANSWER_INJECTS): that delegation's answer


class Disclosure:
    """What has been made known so far in an exercise, folded over its events.

    Call :meth:`observe` with every event in order, then :meth:`view_of` for each seat.
    """

    def __init__(self, scenario=None, *, advice: bool = False) -> None:
        self.injects: dict[str, _Inject] = {}
        self.hit: dict[str, tuple[str, ...]] = {}  # incident -> states it targets
        self.awareness_shared = False
        self.advice: dict[str, bool] = {ALL_STATES: advice}
        #: Whether the facilitator lets delegations chat with each other (``allow_chat``).
        self.chat_allowed = False
        for entry in getattr(scenario, "msel", ()) if scenario is not None else ():
            state = getattr(entry.params, "state", None) if entry.type in ANSWER_INJECTS else None
            self.injects[entry.id] = _Inject(entry.type, tuple(entry.to or ()), state)

    def observe(self, event: Event) -> None:
        kind, d = event.kind, event.data
        if kind == "input":
            inject = d.get("inject")
            if inject is not None:
                params = inject.get("params") or {}
                state = params.get("state") if inject.get("type") in ANSWER_INJECTS else None
                self.injects[inject["id"]] = _Inject(inject["type"], tuple(inject.get("to") or ()),
                                                     state)  # fmt: skip
            elif d.get("control") == "allow_chat":
                self.chat_allowed = bool(d.get("allowed"))
            elif d.get("control") == "advice":
                state = d.get("state", ALL_STATES)
                if state == ALL_STATES:
                    self.advice = {ALL_STATES: bool(d.get("allowed"))}
                else:
                    self.advice[state] = bool(d.get("allowed"))
        elif kind == "incident":
            self.hit[d["incident"]] = tuple(t["state"] for t in d.get("targets", ()))
        elif kind == "shared_awareness":
            self.awareness_shared = True

    def advice_allowed(self, state: str) -> bool:
        return self.advice.get(state, self.advice[ALL_STATES])

    def view_of(self, seat: Seat, event: Event) -> dict[str, Any] | None:
        """``event`` as ``seat`` may see it (a dict as :meth:`Event.as_dict`, with fields
        removed where the seat may not see them), or None when the seat may not see it."""
        data = self.data_for(seat, event)
        if data is None:
            return None
        if data is event.data:
            return event.as_dict()
        return {"seq": event.seq, "t": event.t, "kind": event.kind, "source": event.source,
                "data": data}  # fmt: skip

    def data_for(self, seat: Seat, event: Event) -> dict[str, Any] | None:
        """The data of ``event`` that ``seat`` may see: ``event.data`` itself when it may see
        all of it (never modify it), a smaller copy, or None when it may not see the event."""
        if seat.sees_all:
            return event.data
        kind, d = event.kind, event.data
        hidden = PUBLIC.get(kind)
        if hidden is not None:
            if kind in OWN_FIELDS and seat.state is not None and d.get("state") == seat.state:
                return d
            return _without(d, hidden) if hidden else d
        if kind in ("inject_applied", "note"):
            return self._addressed(seat, event)
        if kind == "assessment":  # every update once shared at the PSC, the wall's included
            return d if self.awareness_shared else None
        state = seat.state
        if state is None:  # the observer: public events and what is addressed to all only
            return None
        if kind == "input":
            # Its own inputs (a shared seat DE-2's too: it acts for DE), and chat sent to it.
            if d.get("seat") == seat.id or state_of_seat(d.get("seat")) == state:
                return d
            if d.get("control") == "allow_chat":  # whether chat is open is for every delegation
                return d
            return d if d.get("control") == "chat" and d.get("to") == state else None
        if kind in OWN_STATE:
            return d if d.get("state") == state else None
        if kind in ("incident", "escalation"):
            return (
                _without(d, MODEL_JUDGEMENT) if state in self.hit.get(d["incident"], ()) else None
            )
        if kind == "decision_request":
            if d.get("state") != state:
                return None
            return _without(d, ("others",) if self.advice_allowed(state) else ("others", "advice"))
        return None

    def _addressed(self, seat: Seat, event: Event) -> dict[str, Any] | None:
        d = event.data
        if event.kind == "note":
            to = tuple(d.get("to") or ())
            return d if not to or seat.state in to else None
        inject = self.injects.get(str(d.get("inject")))
        if inject is None:
            return None  # not knowing whom it addresses, keep it
        if inject.type in ANSWER_INJECTS:  # a delegation's answer: its own only
            return _without(d, ("expected_action",)) if inject.state == seat.state else None
        if inject.to and seat.state not in inject.to:
            return None
        return _without(d, ("expected_action",))


def shown_to(seat: Seat, events: Iterable[Event], scenario=None) -> list[dict[str, Any]]:
    """What ``seat`` is shown of ``events`` (in order), as the host of a live exercise sends it:
    a fresh :class:`Disclosure` folded over them (a brief, a test, a report of one seat)."""
    disclosure = Disclosure(scenario)
    shown = []
    for event in events:
        disclosure.observe(event)
        view = disclosure.view_of(seat, event)
        if view is not None:
            shown.append(view)
    return shown


def _without(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``data`` without ``keys`` (``data`` itself when it has none of them)."""
    if not any(k in data for k in keys):
        return data
    return {k: v for k, v in data.items() if k not in keys}


_PROPOSAL_ID = re.compile(r"\bP-\d+\b")


def named_proposals(line: str, d: Mapping[str, Any], measures: Mapping[str, str]) -> str:
    """``line`` with a proposal id that its measure's name is not beside said with it
    (``Silence procedure for HR declaration P-1 started``): the measure is the event's own
    (``d``) or the one ``measures`` (proposal id -> measure id, as tabled) names."""
    done: set[str] = set()

    def name(match: re.Match[str]) -> str:
        pid = match.group(0)
        m = (d.get("measure") if d.get("proposal") == pid else None) or measures.get(pid)
        if not m or pid in done or short(str(m)) in line or measure(str(m)) in line:
            return pid
        done.add(pid)
        return f"{short(str(m))} {pid}"

    return _PROPOSAL_ID.sub(name, line)


def text_of(event: Mapping[str, Any], measures: Mapping[str, str] | None = None) -> str:
    """One line of plain language for an event as a seat received it (fields may be missing):
    measures by name, never by id; a proposal id with its measure's name, from the event or
    from ``measures`` (proposal id -> measure id: :attr:`SeatView.measures`)."""
    kind, d = event["kind"], event.get("data", {})
    return named_proposals(_text_of(kind, event, d), d, measures or {})


def _text_of(kind: str, event: Mapping[str, Any], d: Mapping[str, Any]) -> str:
    if kind == "input":
        who = d.get("seat") or "facilitator"
        if "inject" in d and d["inject"].get("type") == "position":
            p = d["inject"].get("params", {})
            return f"{who} answers: {str(p.get('stance', '')).replace('_', ' ')} on {short(p.get('measure', ''))}"
    if kind == "incident" and "score" not in d:
        hit = ", ".join(f"{t['state']} ({sector(t['sector'])})" for t in d.get("targets", ()))
        return f"{d['incident']}: malicious cyber activity hits {hit}"
    if kind == "escalation" and "score" not in d:
        return f"{d['incident']} escalates"
    if kind == "decision_request":
        advice = f" (model advises {str(d['advice']).replace('_', ' ')})" if "advice" in d else ""
        return (f"Your position is needed on {d['proposal']}: {measure(d['measure'])} at "
                f"{body(str(d['body']))}{advice}")  # fmt: skip
    try:
        return describe(Event.from_dict({**event, "data": dict(d)}))
    except (KeyError, TypeError, ValueError, AttributeError):
        return f"{kind}"


@dataclass
class SeatView:
    """What a seat shows, folded from the event dicts it received (the client's view model)."""

    seat: Seat
    t: float = 0.0
    count: int = 0
    ended: bool = False
    title: str = ""
    #: Every event received, as compact JSON bytes: a long exercise keeps tens of thousands,
    #: and bytes cost the garbage collector nothing (dicts would make its full passes pause
    #: the seat for a tenth of a second).
    timeline: list[bytes] = field(default_factory=list)
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    statements: list[tuple[float, str]] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    detections: dict[str, float] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    assessment: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    injects: list[tuple[float, str]] = field(default_factory=list)
    messages: list[tuple[float, str, str]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    #: Injects delivered to this seat (ids, in order) and those its delegation acknowledged.
    delivered: list[str] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    chat_allowed: bool = False

    @property
    def unread(self) -> list[str]:
        """Injects delivered and not acknowledged yet (oldest first)."""
        return [entry for entry in self.delivered if entry not in self.acknowledged]

    def apply(self, event: Mapping[str, Any]) -> None:
        """Fold one received event into the view."""
        kind, d, t = event["kind"], event.get("data", {}), event["t"]
        self.t = max(self.t, t)
        self.count += 1
        self.timeline.append(orjson.dumps(event))
        if kind == "started":
            self.title = d.get("title", "")
        elif kind == "ended":
            self.ended = True
        elif kind == "proposal":
            self.proposals[d["proposal"]] = {"measure": d["measure"], "status": "tabled"}
        elif kind in ("prepared", "decision", "dropped", "deferred", "compromise", "adopted",
                      "silence_procedure", "written_procedure", "coreper", "relex"):  # fmt: skip
            row = self.proposals.setdefault(d.get("proposal", "?"), {"measure": d.get("measure")})
            if kind == "decision":
                row["status"] = "agreed" if d.get("adopted") else "no agreement"
            else:
                row["status"] = kind.replace("_", " ")
            if kind == "adopted":
                self.adopted.append(d["measure"])
                self.statements.append((t, f"ADOPTED: {measure(d['measure'])}"))
        elif kind in ("attributed", "position_fixed"):
            self.statements.append((t, text_of(event, self.measures)))
            if kind == "position_fixed":
                self._answered(d)
        elif kind == "detected":
            self.detections.setdefault(d["incident"], t)
        elif kind == "evidence":
            self.confidence[d["actor"]] = d["confidence"]
        elif kind in ("shared_awareness", "assessment"):
            self.assessment = {k: d.get(k) for k in ("actor", "sponsor", "confidence")}
        elif kind == "decision_request":
            self.requests.append(dict(d))
        elif kind == "position":
            self._answered(d)
        elif kind == "agency_contribution" and d.get("by") == "people":
            # a played cyber crisis agency answered at EU-CyCLONe (sim/stages/operational.py)
            self._answered({"state": d["state"], "measure": "operational_assessment"})
        elif kind == "inject_applied":
            self.injects.append((t, d.get("message") or d.get("type", "")))
            if d.get("type") not in ANSWER_INJECTS:  # its own answer: nothing to acknowledge
                self.delivered.append(d.get("inject", "?"))
        elif kind == "acknowledged":
            if self.seat.state is None or d.get("state") == self.seat.state:
                self.acknowledged.add(d.get("entry", ""))
        elif kind == "note":
            self.injects.append((t, d.get("text", "")))
        elif kind == "input" and d.get("control") in ("message", "chat"):
            self.messages.append((t, d.get("seat") or "?", d.get("text", "")))
        elif kind == "input" and d.get("control") == "allow_chat":
            self.chat_allowed = bool(d.get("allowed"))
        elif kind == "input" and d.get("control") == "observation":
            self.observations.append({**d, "t": t})

    @property
    def lines(self) -> list[tuple[float, str]]:
        """The timeline in plain language (made when shown: most lines are never read)."""
        measures = self.measures
        return [(event["t"], text_of(event, measures)) for event in self.events]

    @property
    def measures(self) -> dict[str, str]:
        """Proposal id -> measure id, of the proposals this seat has seen (:func:`text_of`)."""
        return {pid: str(p["measure"]) for pid, p in self.proposals.items() if p.get("measure")}

    @property
    def events(self) -> list[dict[str, Any]]:
        """The events received, in order (decoded anew on each call)."""
        return [orjson.loads(raw) for raw in self.timeline]

    def _answered(self, d: Mapping[str, Any]) -> None:
        self.requests = [
            r
            for r in self.requests
            if not (r["state"] == d["state"] and r["measure"] == d["measure"])
        ]

    def extend(self, events: Iterable[Mapping[str, Any]]) -> None:
        for event in events:
            self.apply(event)


# -- The page's view (cdtx host's browser seats; docs/hosting.md, *Pages*) ------------------------
#
# A browser seat is sent one summary of its view, folded here on the host from the events the
# seat may see (Disclosure decides which), never the events themselves: the page renders what it
# is given. Everything in a summary names things as people say them (member states, measures,
# bodies, threat actors by their names); MSEL ids appear only on the facilitator's and
# evaluator's pages, whose work is the MSEL.

#: Items a page keeps of each list (the newest): a page shows a table, not an archive.
PAGE_INBOX, PAGE_CARDS, PAGE_TIMELINE, PAGE_MESSAGES = 60, 30, 120, 60

#: Kinds whose line a delegation or the wall shows among the public statements.
_STATEMENT_KINDS = ("attributed", "partner_attributed", "position_fixed", "invoked", "decision")

#: The kinds the expectations' fold reads (:func:`sim.expectations.fold`): the run's players,
#: inputs (marks, skips, what the delegations did), deliveries and acknowledgements.
_EXPECTATION_KINDS = frozenset({"started", "input", "inject_applied", "acknowledged"})

#: Every kind :meth:`PageView.apply` folds for a page other than a facilitator's or an
#: evaluator's (theirs have a timeline of every event).
_PAGE_KINDS = frozenset({
    "inject_applied", "note", "acknowledged", "decision_request", "position", "position_fixed",
    "agency_contribution",
    "proposal", "prepared", "decision", "dropped", "deferred", "compromise", "adopted",
    "silence_procedure", "written_procedure", "coreper", "relex", "withdrawn", "redrafted",
    "retabled", "shared_awareness", "assessment", "evidence", "incident", "ended", "input",
    *_STATEMENT_KINDS,
})  # fmt: skip


def state_names() -> dict[str, str]:
    """Member state code -> name as people say it (``DE`` -> ``Germany``)."""
    roster = builtin_roster()
    return {code: roster[code].name for code in EU27}


def positions_for(measure_id: str) -> tuple[str, ...]:
    """The positions a delegation may take on ``measure_id``: a formal (constructive) abstention
    only where Art. 31(1) TEU allows it (a CFSP decision; a declaration or conclusions are agreed
    by consensus, where it counts as a plain abstention)."""
    if measure_id in ART31_MEASURES:
        return POSITIONS
    return tuple(p for p in POSITIONS if p != "constructive_abstention")


POSITION_LABELS = {"support": "Support", "abstain": "Abstain",
                   "constructive_abstention": "Formal abstention (Art. 31(1) TEU)",
                   "oppose": "Oppose"}  # fmt: skip


_ROLE_LABELS = {FACILITATOR: "Facilitator", EVALUATOR: "Evaluator", OBSERVER: "The wall",
                DELEGATION: "Delegation"}  # fmt: skip


def _pct(x: Any) -> str:
    return f"{x:.0%}" if isinstance(x, (int, float)) else "unknown"


class PageView:
    """What a browser seat shows, folded from the events it may see: call :meth:`apply` with each
    (kind, t, seq and the data :meth:`Disclosure.data_for` gave the seat), then :meth:`summary`.

    Lists keep their newest items only (``PAGE_*``); the fold costs a dict lookup for the many
    events that change nothing a page shows."""

    def __init__(self, seat: Seat, scenario, lines: dict[int, dict[str, Any]] | None = None,
                 players: Iterable[str] | None = None) -> None:  # fmt: skip
        self.seat = seat
        #: The delegations played at this table (``cdtx host --players``; the scenario's).
        self.players = tuple(scenario.players if players is None else players)
        self.chat_allowed = False
        #: Timeline items by event seq, shared by the pages of one exercise that see every event
        #: (facilitators, evaluators): each line is written once, not once per page.
        self.lines = {} if lines is None else lines
        self.full = seat.sees_all
        self.states = state_names()
        self.actors = actor_names(scenario)
        self.calendar = Calendar(scenario.start)
        self.title = str(scenario.title)
        self.scenario = scenario
        self.objectives = [{"id": o.id, "text": o.text} for o in scenario.objectives]
        self.seq = -1
        self.t = 0.0
        self._when: tuple[float, str] = (-1.0, "")
        self.ended = False
        self.inbox: list[dict[str, Any]] = []
        self.acknowledged: dict[str, list[str]] = {}  # MSEL entry -> states that acknowledged it
        self.requests: list[dict[str, Any]] = []
        self.proposals: dict[str, dict[str, Any]] = {}
        #: Proposal id -> measure id, as tabled: a line naming a proposal says its measure.
        self.measures: dict[str, str] = {}
        self.statements: list[dict[str, Any]] = []
        self.adopted: list[dict[str, Any]] = []
        self.assessment: dict[str, Any] | None = None
        self.confidence: dict[str, float] = {}  # this delegation's own, by threat actor
        self.hit_by: list[str] = []  # incidents that hit this delegation, as lines
        self.messages: list[dict[str, Any]] = []
        self.observations: list[dict[str, Any]] = []
        self.timeline: list[dict[str, Any]] = []
        self.inbox_kept = seat.role == DELEGATION
        #: The crisis track's levels, folded by the picture's own fold (sim/picture.py) from the
        #: crisis events this seat sees; None without a large-scale incident.
        self.crisis: Picture | None = None
        #: The events the expectations' fold reads (sim/expectations.py), kept by the pages
        #: that see every event, and its cards as last made (with how many events they read).
        self._expecting: list[Event] = []
        self._cards: tuple[int, list[dict[str, Any]]] = (0, [])
        self._submitted: set[str] = set()  # the injects entered during the run (copies too)
        #: The scenario as the fold reads it: only the MSEL entries that expect something (an
        #: MSEL of thousands of notes is not walked at every fold).
        self._expects = SimpleNamespace(players=tuple(scenario.players),
                                        msel=[m for m in scenario.msel if m.expected_action])  # fmt: skip

    # -- names -------------------------------------------------------------------------------

    def state(self, code: Any) -> str:
        return self.states.get(str(code), str(code))

    def actor(self, actor_id: Any) -> str:
        return self.actors.get(str(actor_id), str(actor_id))

    def when(self, t: float) -> str:
        """``Thu 25 Feb 2027 08:00 (T+1d 04:00)``; the last one is kept, as events come in
        bursts at one instant."""
        if t != self._when[0]:
            self._when = (t, f"{self.calendar.format(t)} ({format_offset(t)})")
        return self._when[1]

    def _seat_name(self, seat_id: Any) -> str:
        seat_id = str(seat_id or "facilitator")
        return self.states.get(seat_id, seat_id)

    # -- the fold ------------------------------------------------------------------------------

    def apply(self, kind: str, t: float, seq: int, d: Mapping[str, Any]) -> None:
        """Fold one event (as this seat may see it) into the view."""
        self.seq, self.t = seq, max(self.t, t)
        if kind in CRISIS_KINDS:
            if self.crisis is None:
                self.crisis = Picture(self.scenario)
            self.crisis.apply(Event(t, seq, kind, "model", dict(d)))
        if kind not in _PAGE_KINDS and not self.full:
            return  # most events change nothing a delegation's page or the wall shows
        if self.full and kind in _EXPECTATION_KINDS and self._bears_on_expectations(kind, d):
            self._expecting.append(Event(t, seq, kind, "model", dict(d)))
        if self.full:
            item = self.lines.get(seq)
            if item is None:
                item = self.lines[seq] = {"t": t, "seq": seq, "when": self.when(t),
                                          "text": self._line(kind, d)}  # fmt: skip
                if len(self.lines) > 4 * PAGE_TIMELINE:  # the oldest half goes
                    for old in sorted(self.lines)[: 2 * PAGE_TIMELINE]:
                        del self.lines[old]
            self._push(self.timeline, item, PAGE_TIMELINE)
        if kind in ("inject_applied", "note") and not self.inbox_kept:
            pass  # only a delegation's page has an inbox
        elif kind == "inject_applied" and d.get("type") in ANSWER_INJECTS:
            pass  # its own answer: not news to it, nothing to acknowledge
        elif kind == "inject_applied":
            text = d.get("message") or ""
            item = {"entry": d.get("inject"), "t": t, "when": self.when(t), "kind": "inject",
                    "text": text}  # fmt: skip
            self._push(self.inbox, item, PAGE_INBOX)
        elif kind == "note":
            last = self.inbox[-1] if self.inbox else None
            if last is not None and last["t"] == t and last["kind"] == "inject":
                last["detail"] = d.get("text", "")  # the note's text under its inject
            else:
                self._push(self.inbox, {"entry": None, "t": t, "when": self.when(t), "kind": "news",
                                        "text": d.get("text", "")}, PAGE_INBOX)  # fmt: skip
        elif kind == "acknowledged":
            states = self.acknowledged.setdefault(str(d.get("entry")), [])
            if str(d.get("state")) not in states:
                states.append(str(d.get("state")))
        elif kind == "decision_request":
            self.requests.append(dict(d))
            self._push(self.inbox, {"entry": None, "t": t, "when": self.when(t), "kind": "request",
                                    "text": f"Your position is needed: {self._measure(d)} at "
                                            f"the {self._body(d)}"}, PAGE_INBOX)  # fmt: skip
        elif kind in ("position", "position_fixed") or (kind == "agency_contribution"
                                                         and d.get("by") == "people"):  # fmt: skip
            # an agency's answer at EU-CyCLONe (sim/stages/operational.py) answers its question
            answered = d.get("measure", QUESTION) if kind != "agency_contribution" else QUESTION
            self.requests = [r for r in self.requests
                             if not (r["state"] == d.get("state") and r["measure"] == answered)]  # fmt: skip
        elif kind == "proposal":
            # the body it is before, as the procedure sends it (sim/stages/proposal.py)
            at = tabled_at(str(d.get("measure")), str(d.get("by")), d.get("parent"))
            self.measures[d["proposal"]] = str(d.get("measure"))
            self.proposals[d["proposal"]] = {"measure": self._measure(d), "status": "tabled",
                                             "by": self._by(d.get("by")), "body": body(at)}  # fmt: skip
        elif kind in ("prepared", "decision", "dropped", "deferred", "compromise", "adopted",
                      "silence_procedure", "written_procedure", "coreper", "relex", "withdrawn",
                      "redrafted", "retabled"):  # fmt: skip
            row = self.proposals.setdefault(str(d.get("proposal", "?")),
                                            {"measure": self._measure(d), "by": "", "body": ""})  # fmt: skip
            if kind == "decision":
                row["status"] = "agreed" if d.get("adopted") else "no agreement"
            else:
                row["status"] = kind.replace("_", " ")
            if d.get("body"):
                row["body"] = self._body(d)
            if kind == "adopted":
                self._push(self.adopted, {"t": t, "when": self.when(t), "measure": self._measure(d),
                                          "body": self._body(d), "how": d.get("how", "")},
                           PAGE_CARDS)  # fmt: skip
        elif kind in ("shared_awareness", "assessment"):
            if d.get("confidence") is not None:
                self.assessment = {"actor": self.actor(d.get("actor")), "sponsor": d.get("sponsor"),
                                   "confidence": _pct(d.get("confidence")), "t": t,
                                   "when": self.when(t)}  # fmt: skip
        elif kind == "evidence" and self.seat.state is not None:
            self.confidence[self.actor(d.get("actor"))] = float(d.get("confidence", 0.0))
        elif kind == "incident" and self.seat.state is not None:
            hit = [self.state(x["state"]) + f" ({sector(x['sector'])})" for x in d.get("targets", ())]
            self.hit_by.append(f"Malicious cyber activity hits {', '.join(hit)}")
        elif kind == "ended":
            self.ended = True
        elif kind == "input" and d.get("control") == "allow_chat":
            self.chat_allowed = bool(d.get("allowed"))
        elif kind == "input" and d.get("control") in ("message", "chat"):
            self._push(self.messages, {"t": t, "from": self._seat_name(d.get("seat")),
                                       "to": self._seat_name(d.get("to")) if d.get("to") else "",
                                       "text": d.get("text", "")}, PAGE_MESSAGES)  # fmt: skip
        elif kind == "input" and d.get("control") == "observation":
            self.observations.append({"t": t, "objective": d.get("objective"),
                                      "rating": d.get("rating"), "text": d.get("text", ""),
                                      "seat": d.get("seat")})  # fmt: skip
        if kind in _STATEMENT_KINDS:
            self._push(self.statements, {"t": t, "when": self.when(t), "text": self._line(kind, d)},
                       PAGE_CARDS)  # fmt: skip

    @staticmethod
    def _push(items: list[dict[str, Any]], item: dict[str, Any], keep: int) -> None:
        items.append(item)
        if len(items) > keep:
            del items[: len(items) - keep]

    def _measure(self, d: Mapping[str, Any]) -> str:
        return measure(str(d.get("measure", "")))

    def _body(self, d: Mapping[str, Any]) -> str:
        return body(str(d.get("body", "")))

    def _by(self, code: Any) -> str:
        return PROPOSER_NAMES.get(str(code), self.state(code)) if code else ""

    def _line(self, kind: str, d: Mapping[str, Any]) -> str:
        """One line about an event: the narrative's, with threat actors and member states by
        their names (ids included on the facilitator's timeline: the MSEL is their work)."""
        try:
            line = describe(Event(0.0, 0, kind, "model", dict(d)), self.actors,
                            names=self.states)  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            return kind.replace("_", " ")
        return named_proposals(line, d, self.measures)

    def _bears_on_expectations(self, kind: str, d: Mapping[str, Any]) -> bool:
        """Whether an event can change an expectation's card (the fold is made again when one
        comes): the run's start, a mark, a skip (an entry fired early or edited), the players,
        an acknowledgement, the delivery of an inject that expects something or was entered
        during the run (an edit may take its entry's expectation away). What a delegation did
        (answers, messages) is not on the cards, and the thousands of injects that expect
        nothing would make each fold cost milliseconds."""
        if kind == "input":
            inject = d.get("inject")
            if isinstance(inject, Mapping):
                if inject.get("type") not in ANSWER_INJECTS:
                    self._submitted.add(str(inject.get("id")))
                return False
            return d.get("control") in (expectations.MARK, "skip", "players")
        if kind == "inject_applied":
            return bool(d.get("expected_action")) or str(d.get("inject")) in self._submitted
        return True

    # -- the summary -----------------------------------------------------------------------

    def summary(self, run: Mapping[str, Any], players: Iterable[str] | None = None) -> dict[str, Any]:
        """The page's view now: this seat's fold, the run state (:func:`run_state`) and the
        delegations played at the table now (``players``, the exercise's as the host makes the
        view: a state handed to the table or back to the model mid-exercise; default: those
        the view was made with)."""
        seat = self.seat
        players = self.players if players is None else tuple(players)
        view: dict[str, Any] = {
            "type": "view", "seq": self.seq, "title": self.title, "run": dict(run),
            "seat": {"id": seat.id, "role": seat.role, "name": self._own_name()},
            "players": [{"code": c, "name": self.state(c)} for c in players],
            "procedure": [{"measure": p["measure"], "status": p["status"], "body": p["body"],
                           "by": p["by"]} for p in self.proposals.values()],
            "statements": self.statements[::-1], "adopted": self.adopted[::-1],
            "assessment": self.assessment, "levels": self._levels(),
        }  # fmt: skip
        if seat.role == DELEGATION:
            acked = {e for e, states in self.acknowledged.items() if seat.state in states}
            view["inbox"] = [{**item, "read": item["entry"] is None or item["entry"] in acked}
                             for item in self.inbox[::-1]]  # fmt: skip
            view["unread"] = sum(1 for item in view["inbox"] if not item["read"])
            view["request"] = self._request()
            view["messages"] = self.messages[::-1]
            # Whether people play this delegation still (one handed back to the model acts no
            # more: the host refuses its inputs), and chat with the other played delegations
            # while the facilitator allows it.
            view["played"] = seat.state in players
            view["chat"] = [{"code": c, "name": self.state(c)} for c in players
                            if c != seat.state] if self.chat_allowed and view["played"] else None  # fmt: skip
        elif self.full:
            view["timeline"] = self.timeline[::-1]
            view["messages"] = self.messages[::-1]
            view["expectations"] = self._expectations()
            view["objectives"] = self.objectives
            view["observations"] = self.observations[::-1]
            view["chat_allowed"] = self.chat_allowed
        return view

    def _expectations(self) -> list[dict[str, Any]]:
        """The expectations delivered so far, one card per MSEL entry (in the order they were
        delivered), folded by the console's fold (:func:`sim.expectations.fold`): what the entry
        expected of each delegation played, when that delegation acknowledged it, and its mark
        as it stands (met or not, the text, when and by whom: the latest mark stands)."""
        if self._cards[0] == len(self._expecting):
            return self._cards[1]
        folded = expectations.fold(self._expects, self._expecting)
        cards: dict[str, dict[str, Any]] = {}
        for code, items in folded.items():
            for x in items:
                if x.delivered is None:
                    continue
                card = cards.setdefault(x.entry, {"entry": x.entry, "t": x.delivered,
                                                  "when": self.when(x.delivered), "states": []})  # fmt: skip
                mark = None if x.met is None else {
                    "met": x.met, "text": x.mark_text, "by": seat_name(x.marked_by),
                    "when": self.when(x.marked) if x.marked is not None else ""}  # fmt: skip
                card["states"].append({
                    "code": code, "name": self.state(code), "expected": x.expected,
                    "acknowledged": self.when(x.acknowledged) if x.acknowledged is not None else None,
                    "mark": mark})  # fmt: skip
        for card in cards.values():  # one text expected of all: said once, on the card
            texts = {s["expected"] for s in card["states"]}
            card["expected"] = texts.pop() if len(texts) == 1 else ""
        shown = sorted(cards.values(), key=lambda c: (c["t"], c["entry"]))
        self._cards = (len(self._expecting), shown)
        return shown

    def _levels(self) -> list[dict[str, Any]]:
        """The crisis track's three levels as the tracker shows them (empty without a
        large-scale incident): level, status, what it says and since when."""
        crisis = self.crisis
        if crisis is None or not crisis.levels:
            return []
        rows = []
        for name, stage in crisis.levels.items():
            rows.append({"level": name, "body": LEVEL_BODIES[name], "status": stage.status,
                         "detail": stage.detail or "not yet",
                         "when": self.when(stage.t) if stage.t is not None else ""})  # fmt: skip
        if crisis.reserve:
            deployed = ", ".join(self.state(r["state"]) for r in crisis.reserve)
            rows.append({"level": "Assistance", "body": "EU Cybersecurity Reserve",
                         "status": "done", "detail": f"deployed for {deployed}",
                         "when": self.when(crisis.reserve[-1]["t"])})  # fmt: skip
        return rows

    def _own_name(self) -> str:
        """``Germany``, ``Facilitator``, ``The wall (observer-2)``: the page's own seat."""
        seat = self.seat
        if seat.state is not None:
            return self.state(seat.state)
        label = _ROLE_LABELS[seat.role]
        return label if seat.id == seat.role else f"{label} ({seat.id})"

    def _request(self) -> dict[str, Any] | None:
        """The decision asked of this delegation now, with what it knows at this moment."""
        if not self.requests:
            return None
        r = self.requests[0]
        knows = []
        if self.assessment is not None:
            a = self.assessment
            knows.append(f"EU INTCEN assessment shared with the Union: {a['actor']}, "
                         f"{a['confidence']} confidence")  # fmt: skip
        for actor, confidence in self.confidence.items():
            knows.append(f"Your own services: {actor}, {confidence:.0%} confidence")
        knows.extend(self.hit_by[-3:])
        if r.get("advice"):
            knows.append(f"The model's advice: {POSITION_LABELS.get(r['advice'], r['advice'])}")
        return {"measure": self._measure(r), "body": self._body(r),
                "question": f"What is your position on {self._measure(r)} at the {self._body(r)}?",
                "positions": [{"value": p, "label": POSITION_LABELS[p]}
                              for p in positions_for(str(r.get("measure")))],
                "knows": knows}  # fmt: skip


def run_state(ex, clock: float, running: bool, speed: float | None = None) -> dict[str, Any]:
    """Where the exercise stands, for every page: the clock and whether it runs, is paused, or
    waits (for whose decision, at which body; for the facilitator's release of an MSEL entry)."""
    names = state_names()
    calendar = Calendar(ex.scenario.start)
    clock = min(max(clock, ex.now), ex.horizon)
    waiting = ""
    if ex.finished:
        state, label = "ended", "The exercise has ended"
    elif ex.pending:
        by_body: dict[str, list[str]] = {}
        for request in ex.pending:
            by_body.setdefault(request.body, []).append(names.get(request.state, request.state))
        waiting = "; ".join(f"{body(b)}: awaiting {', '.join(who)}" for b, who in by_body.items())
        state, label = "waiting", f"Waiting for a decision ({waiting})"
    elif ex.held:
        state, label = "holding", "Waiting for the facilitator"
        waiting = "the facilitator"
    elif running:
        state, label = "running", "Running"
    else:
        state, label = "paused", "Paused"
    return {"state": state, "label": label, "waiting": waiting, "t": clock,
            "clock": calendar.format(clock), "offset": format_offset(clock),
            "zone": calendar.to_datetime(clock).strftime("%Z"), "speed": speed,
            "held": list(ex.held)}  # fmt: skip


def msel_rows(ex) -> list[dict[str, Any]]:
    """The MSEL and the facilitator's scheduled injects with their status now (the facilitator's
    page): to come, held, delivered or skipped."""
    names = state_names()
    held, skipped = set(ex.held), set(ex.skipped)
    rows = []
    for entry in [*ex.scenario.msel, *ex.scheduled.values()]:
        status = ("held" if entry.id in held else "delivered" if entry.id in ex.applied
                  else _replaced(ex, entry.id) if entry.id in skipped else "to come")  # fmt: skip
        at = float(getattr(entry, "at", 0.0) or 0.0)
        rows.append({"id": entry.id, "at": format_offset(at), "type": entry.type,
                     "to": [names.get(c, c) for c in entry.to or ()], "to_codes": list(entry.to or ()),
                     "message": entry.message or "", "expected": _expected(entry.expected_action, names),
                     "status": status})  # fmt: skip
    return rows


def _replaced(ex, entry_id: str) -> str:
    """A skipped entry's status: fired early or edited (its copy, ``ID-early`` or
    ``ID-edited``, takes its place), else skipped."""
    if f"{entry_id}-early" in ex.applied:
        return "fired"
    edited = f"{entry_id}-edited"
    if edited in ex.applied or edited in ex.scheduled:
        return "edited"
    return "skipped"


def _expected(expected: Any, names: Mapping[str, str]) -> str:
    """An MSEL entry's expected action as one line: one text, or one per addressee."""
    if isinstance(expected, Mapping):
        return "; ".join(f"{names.get(code, code)}: {text}" for code, text in expected.items())
    return str(expected or "")
