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
- observer (the projector): the public events and the injects addressed to all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from scenarios.vocabulary import EU27, STANCES

from . import evaluation
from .events import Event
from .expectations import state_of_seat
from .narrative import describe, measure, short

FACILITATOR, DELEGATION, EVALUATOR, OBSERVER = "facilitator", "delegation", "evaluator", "observer"
ROLES = (FACILITATOR, DELEGATION, EVALUATOR, OBSERVER)

#: What each role may do on the host (the host checks every input against this).
ACTIONS: dict[str, frozenset[str]] = {
    FACILITATOR: frozenset(
        {"inject", "skip", "release", "note", "players", "advice", "clock", "answer", "free",
         "fire", "edit", "hotwash", "mark", "allow_chat", "new_token", "share"}
    ),
    DELEGATION: frozenset({"answer", "message", "acknowledge", "chat"}),
    EVALUATOR: frozenset({"observation", "mark"}),
    OBSERVER: frozenset(),
}

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
}  # fmt: skip

#: Public kinds whose hidden fields the delegation of the state they name (``data["state"]``)
#: does see: its own capital's attribution confidence.
OWN_FIELDS = ("attributed",)

#: Events a delegation sees when they are about its own state (``data["state"]``).
OWN_STATE = ("detected", "reported", "evidence", "attribution_ready", "position",
             "position_fixed", "acknowledged")  # fmt: skip

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

#: Advice setting meaning "every delegation".
ALL_STATES = "*"


@dataclass(frozen=True)
class Seat:
    """One seat at the exercise: ``id`` is what people read (``DE``, ``facilitator-2``)."""

    id: str
    role: str
    state: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(
                f"seat {self.id}: role is one of {', '.join(ROLES)}, not {self.role!r}"
            )
        if (self.role == DELEGATION) != (self.state is not None):
            raise ValueError(f"seat {self.id}: a delegation seat, and only one, names its state")
        if self.state is not None and self.state not in EU27:
            raise ValueError(f"seat {self.id}: unknown member state code {self.state!r}")

    @property
    def actions(self) -> frozenset[str]:
        """What this seat may do on the host."""
        return ACTIONS[self.role]

    def may(self, action: str) -> bool:
        return action in self.actions

    @property
    def sees_all(self) -> bool:
        return self.role in (FACILITATOR, EVALUATOR)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "state": self.state}


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
    state: str | None  # a position inject's state: that delegation's position


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
            state = getattr(entry.params, "state", None) if entry.type == "position" else None
            self.injects[entry.id] = _Inject(entry.type, tuple(entry.to or ()), state)

    def observe(self, event: Event) -> None:
        kind, d = event.kind, event.data
        if kind == "input":
            inject = d.get("inject")
            if inject is not None:
                params = inject.get("params") or {}
                state = params.get("state") if inject.get("type") == "position" else None
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
        if kind == "assessment":
            return d if self.awareness_shared else None
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
        if inject.type == "position":  # a delegation's position: its own only
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


def text_of(event: Mapping[str, Any]) -> str:
    """One line of plain language for an event as a seat received it (fields may be missing)."""
    kind, d = event["kind"], event.get("data", {})
    if kind == "input":
        who = d.get("seat") or "facilitator"
        if "inject" in d and d["inject"].get("type") == "position":
            p = d["inject"].get("params", {})
            return f"{who} answers: {str(p.get('stance', '')).replace('_', ' ')} on {short(p.get('measure', ''))}"
    if kind == "incident" and "score" not in d:
        hit = ", ".join(f"{t['state']} ({t['sector']})" for t in d.get("targets", ()))
        return f"{d['incident']}: malicious cyber activity hits {hit}"
    if kind == "escalation" and "score" not in d:
        return f"{d['incident']} escalates"
    if kind == "decision_request":
        advice = f" (model advises {d['advice']})" if "advice" in d else ""
        return (f"Your position is needed on {d['proposal']}: {measure(d['measure'])} at "
                f"{d['body'].upper()}{advice}")  # fmt: skip
    try:
        return describe(Event.from_dict(dict(event)))
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
            self.statements.append((t, text_of(event)))
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
        elif kind == "inject_applied":
            self.injects.append((t, d.get("message") or d.get("type", "")))
            if d.get("type") != "position":  # its own answer: nothing to acknowledge
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
        return [(event["t"], text_of(event)) for event in self.events]

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
