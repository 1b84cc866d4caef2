"""Every kind of event the engine emits, declared once (docs/engine-api.md, *Event kinds*).

A declaration says what the kind means, which stage of the procedure it belongs to (for the
console's filters and colours), the keys of its payload, and its line of plain language. The
narrative, the timeline filters and the docs table derive from :data:`EVENT_KINDS`;
``Exercise.emit`` refuses a kind that is not declared, and tests/test_declarations.py checks the
payload of every event of every built-in run against its declaration.

Each kind is also a module constant (``INCIDENT``, ``ADOPTED``, ...): a :class:`EventKind` is a
``str``, so readers compare ``event.kind == ADOPTED`` and a typo fails at import, not silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .evaluation import describe as describe_entry
from .names import (
    PROPOSER_NAMES,
    body,
    measure,
    naming,
    pct,
    sector,
    short,
    split_seat,
    state_name,
    with_measures_named,
)

Text = Callable[[Mapping[str, Any]], str]

#: The stages events are grouped by, in the order of the procedure.
STAGES: tuple[str, ...] = (
    "exercise", "facilitator", "inject", "incident", "detection", "awareness", "initiation",
    "hwpci", "meeting", "psc", "council", "reaction", "assistance", "crisis",
)  # fmt: skip


class EventKind(str):
    """An event kind: its name (the string itself) and its declaration."""

    stage: str
    fields: tuple[str, ...]
    optional: tuple[str, ...]
    text: Text
    doc: str
    names_actor: bool
    names_states: tuple[str, ...]

    def __new__(
        cls,
        name: str,
        stage: str,
        fields: str,
        text: Text,
        doc: str,
        optional: str = "",
        names_actor: bool = False,
        names_states: str = "",
    ) -> EventKind:
        if stage not in STAGES:
            raise ValueError(f"event kind {name!r}: unknown stage {stage!r}")
        kind = super().__new__(cls, name)
        kind.stage = stage
        kind.fields = tuple(fields.split())
        kind.optional = tuple(optional.split())
        kind.text = text
        kind.doc = doc
        kind.names_actor = names_actor
        #: Fields holding a member state's code, said by its name where names are given
        #: (``describe(..., names=...)``: the pages).
        kind.names_states = tuple(names_states.split())
        return kind

    def __reduce__(self) -> tuple[Any, ...]:
        # Copies and pickles of a declared kind are the declaration itself.
        return (declared, (str(self),))

    def check(self, data: Mapping[str, Any]) -> str | None:
        """What is wrong with ``data`` as this kind's payload, or None."""
        missing = [f for f in self.fields if f not in data]
        extra = [k for k in data if k not in self.fields and k not in self.optional]
        if missing or extra:
            return f"{self}: missing {missing}, undeclared {extra}"
        return None


def seat_name(seat: str | None) -> str:
    """Who entered an input, as people say it: ``Facilitator`` (the console, or a facilitator
    seat of ``cdtx host``), ``Germany (DE)`` for a delegation's seat (``Germany (DE), seat
    DE-2`` for a second person sharing it), ``Evaluator``, else the seat's id."""
    if not seat or seat == "facilitator":
        return "Facilitator"
    if not isinstance(seat, str):  # an edited recording: say what it holds, do not fail
        return repr(seat)[:40]
    if seat.startswith("facilitator-"):
        return f"Facilitator {seat.removeprefix('facilitator-')}"
    if len(seat) == 2 and seat.isupper():
        return state_name(seat)
    parts = split_seat(seat)
    if parts is not None and parts[1] is not None and len(parts[0]) == 2 and parts[0].isupper():
        return f"{state_name(parts[0])}, seat {seat}"  # a shared seat
    if seat.startswith("evaluator"):
        return f"Evaluator {seat.removeprefix('evaluator-')}".rstrip() if "-" in seat else "Evaluator"
    return seat


def _input_text(d: Mapping[str, Any]) -> str:
    if "inject" in d:
        inject = d["inject"]
        params = inject.get("params") or {}
        if inject["type"] == "position" and params.get("stance"):  # a delegation's answer
            who = d.get("seat") or ""
            said = f": {inject['message']}" if inject.get("message") else ""
            whose = state_name(params.get("state", "?"))
            stance = str(params["stance"]).replace("_", " ")
            on = short(params.get("measure", "?"))
            if who.partition("-")[0] == params.get("state"):  # at the delegation's own seat
                return f"{whose} answers {stance} on {on}{said}"
            return f"{seat_name(who)} for {whose}: {stance} on {on}{said}"
        return f"{seat_name(d.get('seat'))} submits {inject['type']} inject {inject['id']}"
    control = d.get("control")
    if control == "note":
        return f"Facilitator note: {d.get('text', '')}"
    if control == "players":
        who = "people at the table" if d.get("played") else "the model"
        return f"Facilitator: {state_name(d.get('state', '?'))} is played by {who} from now on"
    if control == "release":
        return f"Facilitator releases {d.get('msel')}"
    if control == "skip":
        instead = d.get("replaced_by")
        if instead and d.get("how") == "fired":
            return f"Facilitator fires {d.get('msel')} now (as {instead})"
        if instead:
            return f"Facilitator replaces {d.get('msel')} by its edit {instead}"
        return f"Facilitator skips {d.get('msel')}"
    who = d.get("seat") or "facilitator"
    if control == "message":  # the seat's id as the timeline shows it (``Message from DE``)
        return f"Message from {who}: {d.get('text', '')}"
    if control == "observation":  # an evaluation entry or a note (sim/evaluation.py), from the
        return describe_entry(d)  # console or a seat of ``cdtx host`` (``seat``)
    if control == "acknowledge":
        return f"{state_name(d.get('state', '?'))} acknowledges {d.get('entry')}"
    if control == "mark":
        verdict = "met" if d.get("met") else "not met"
        text = f": {d['text']}" if d.get("text") else ""
        return (f"{seat_name(d.get('seat'))} marks {d.get('msel')} {verdict} for "
                f"{d.get('state')}{text}")  # fmt: skip
    if control == "chat":
        return f"Chat from {who} to {d.get('to')}: {d.get('text', '')}"
    if control == "allow_chat":
        return f"Chat between delegations {'allowed' if d.get('allowed') else 'closed'}"
    if control == "advice":
        whom = "every delegation" if d.get("state") == "*" else d.get("state")
        return f"Model advice {'shown to' if d.get('allowed') else 'hidden from'} {whom}"
    return f"Facilitator: {control} {d.get('msel', '')}".rstrip()


# -- the exercise and its inputs -----------------------------------------------------------------

STARTED = EventKind(
    "started",
    "exercise",
    "scenario title seed rule mode horizon players scenario_sha256 interactive",
    lambda d: (
        f"Exercise '{d['title']}' begins (seed {d['seed']}, {d['rule']}, {d['mode']} timings)"
    ),
    "The run begins: scenario, seed, decision rule, timing mode and played delegations; the "
    "SHA-256 of the scenario text and the interactive flag, so the digest covers the setup; "
    "``model``, the model constants the run sets, the scenario's ``model:`` block and the "
    "run's own merged (only when it sets some: sim/constants.py).",
    optional="model",
)
ENDED = EventKind(
    "ended",
    "exercise",
    "reason",
    lambda d: "End of the simulated period",
    "The clock reached the scenario's horizon.",
)
INPUT = EventKind(
    "input",
    "facilitator",
    "step",
    _input_text,
    "What a person did, at kernel step ``step``: an inject, or a control (note, skip, players; "
    "and with ``cdtx host`` message, observation, advice, acknowledge (``entry``, ``state``), "
    "mark (an expectation ``met`` or not: ``msel``, ``state``, ``text``), chat (``to`` a "
    "delegation), allow_chat (``allowed``)), with the ``seat`` that entered it. "
    "An observation is the evaluator's (sim/evaluation.py): observation, rating or hot wash entry, "
    "or (``entry: note``) a facilitator's note tagged to an objective and/or a delegation.",
    optional="inject control text msel replaced_by how state played seat objective rating allowed"
    " about who replaces entry to met",
)


def _addressed(d: Mapping[str, Any]) -> str:
    """`` to PL, LT`` for an inject addressed to states; nothing when it goes to all (or was
    recorded before injects said to whom)."""
    return f" to {', '.join(d['to'])}" if d.get("to") else ""


INJECT_APPLIED = EventKind(
    "inject_applied",
    "inject",
    "inject type message expected_action to",
    lambda d: (
        f"Inject {d['inject']} ({d['type']}){_addressed(d)}: {d['message']}"
        if d["message"]
        else f"Inject {d['inject']} ({d['type']}){_addressed(d)}"
    ),
    "An MSEL entry or facilitator inject takes effect (its effect follows as its own events); "
    "``to``: the states it is addressed to (empty: all).",
)
HELD = EventKind(
    "held",
    "inject",
    "inject",
    lambda d: f"{d['inject']} is due: the clock waits until the facilitator releases it",
    "An MSEL entry marked ``hold`` is due: the clock stops there until it is released.",
)
RELEASED = EventKind(
    "released",
    "inject",
    "inject by",
    lambda d: (
        f"{d['inject']} released by the facilitator"
        if d["by"] == "facilitator"
        else f"{d['inject']} released at once: nobody plays this run (headless)"
    ),
    "A held MSEL entry is released (``by``: the facilitator, or the model in a headless run) "
    "and takes effect.",
)
ACKNOWLEDGED = EventKind(
    "acknowledged",
    "inject",
    "entry state",
    lambda d: f"{state_name(d['state'])} acknowledges inject {d['entry']}",
    "A delegation acknowledges an inject delivered to it (its seat of ``cdtx host``: the "
    "``acknowledge`` action, recorded as an input first); sim/expectations.py reads it back.",
)
NOTE = EventKind(
    "note",
    "inject",
    "text to",
    lambda d: f"Note: {d['text']}",
    "A note inject: text for the players, no effect on the model.",
)
PRESSURE = EventKind(
    "pressure",
    "inject",
    "states pressure",
    lambda d: f"Public pressure rises ({d['pressure']:.0%})",
    "Media pressure on some states (all when ``states`` is empty).",
)
POSITION_FIXED = EventKind(
    "position_fixed",
    "inject",
    "state measure position statement",
    lambda d: (
        f"{d['state']} states its position on {short(d['measure'])}: "
        f"{d['position'].replace('_', ' ')}"
        + (f' - "{d["statement"]}"' if d.get("statement") else "")
    ),
    "A delegation's position on a measure is fixed by people (a position inject or an answer).",
    names_states="state",
)

# -- the incident ------------------------------------------------------------------------------

INCIDENT = EventKind(
    "incident",
    "incident",
    "incident actor actor_name targets severity score recommended_rung wave description",
    lambda d: (
        f"{d['incident']}: {d['actor_name']} hits "
        + ", ".join(f"{t['state']} ({sector(t['sector'])})" for t in d["targets"])
        + "".join(
            f", {t['third_party']} ({sector(t['sector'])}, outside the Union)"
            for t in d.get("third_parties", [])
        )
        + f"; severity {d['score']:.0%}, proportionate rung {d['recommended_rung']}"
    ),
    "A malicious cyber activity starts (or a new wave of it). ``third_parties``: victims "
    "outside the Union (third states, international organisations).",
    optional="third_parties",
)
ESCALATION = EventKind(
    "escalation",
    "incident",
    "incident severity score previous_rung recommended_rung",
    lambda d: (
        f"{d['incident']} escalates: severity {d['score']:.0%}, proportionate rung "
        + (
            f"{d['previous_rung']} -> {d['recommended_rung']}"
            if d["previous_rung"] != d["recommended_rung"]
            else f"still {d['recommended_rung']}"
        )
    ),
    "An incident's severity changes.",
)
ESCALATION_IGNORED = EventKind(
    "escalation_ignored",
    "incident",
    "incident reason",
    lambda d: f"Escalation of {d['incident']} ignored: {d['reason']}",
    "An escalation that cannot apply (its incident has not started).",
)

# -- detection and shared awareness -------------------------------------------------------------

DETECTED = EventKind(
    "detected",
    "detection",
    "state incident delay",
    lambda d: f"{d['state']} CSIRT detects {d['incident']}",
    "A member state's CSIRT detects an incident.",
)
SHARED = EventKind(
    "shared",
    "awareness",
    "state incident network reached",
    lambda d: f"{d['state']} shares indicators of {d['incident']} over the CSIRTs Network",
    "A state shares indicators over the CSIRTs Network.",
)
REPORTED = EventKind(
    "reported",
    "awareness",
    "state incident to",
    lambda d: (
        f"{d['state']} reports {d['incident']} to EU INTCEN"
        if d.get("incident")
        else f"{d['state']} reports its analysis of the indicators shared over the CSIRTs "
        "Network to EU INTCEN"
    ),
    "A state reports an incident to EU INTCEN (``incident`` null: a state not hit reports its "
    "analysis of the indicators shared over the CSIRTs Network).",
)
ATTRIBUTION_READY = EventKind(
    "attribution_ready",
    "awareness",
    "state actor confidence",
    lambda d: (
        f"{d['state']} services could support a public attribution to {d['actor']} "
        f"({pct(d['confidence'])}): the delegation decides whether its capital attributes"
    ),
    "A delegation played at a live exercise is told, once, that its capital is ready to "
    "attribute the activity publicly; the model never attributes for it (issue 23).",
    names_actor=True,
)
EVIDENCE = EventKind(
    "evidence",
    "awareness",
    "state actor confidence cause",
    lambda d: (
        f"{d['state']} services: attribution confidence {pct(d['confidence'])} ({d['cause']})"
    ),
    "A state's confidence in attributing the activity to a threat actor changes.",
)
ATTRIBUTED = EventKind(
    "attributed",
    "awareness",
    "state actor sponsor confidence how",
    lambda d: (
        f"{d['state']} publicly attributes the activity to {d['actor']}"
        + (f" (sponsor {d['sponsor']})" if d.get("sponsor") else "")
    ),
    "A state attributes the activity publicly (a sovereign decision). ``how``: ``decision`` "
    "(its own, on its evidence and will), ``coordinated`` (with others, the day the Union's "
    "text comes) or ``inject``.",
    names_actor=True,
    names_states="state",
)
PARTNER_EVIDENCE = EventKind(
    "partner_evidence",
    "awareness",
    "partner actor confidence cause",
    lambda d: f"Partner {d['partner']} services: attribution confidence {pct(d['confidence'])}",
    "A partner's (UK, US, NATO...) confidence in attributing the activity changes.",
)
PARTNER_ATTRIBUTED = EventKind(
    "partner_attributed",
    "awareness",
    "partner actor sponsor how confidence",
    lambda d: (
        f"Partner {d['partner']} publicly attributes the activity to {d['actor']}"
        + (f" (sponsor {d['sponsor']})" if d.get("sponsor") else "")
        + f", {d['how']}"
    ),
    "A partner of the Union attributes the activity publicly (own decision, coordinated or "
    "inject).",
    names_actor=True,
)
THIRD_PARTY_REPORT = EventKind(
    "third_party_report",
    "awareness",
    "party incident to",
    lambda d: (
        f"{d['party']} (outside the Union) reports {d['incident']} to EU INTCEN and the CSIRTs"
    ),
    "A victim outside the Union tells INTCEN and the member states' CSIRTs.",
)
ASSESSMENT = EventKind(
    "assessment",
    "awareness",
    "actor sponsor confidence reports update",
    lambda d: (
        f"INTCEN/SIAC {'updates its' if d['update'] else 'issues an'} assessment: {d['actor']}, "
        f"confidence {pct(d['confidence'])}, {d['reports']} national report(s)"
    ),
    "INTCEN/SIAC issues or updates its all-source assessment.",
    names_actor=True,
)
SHARED_AWARENESS = EventKind(
    "shared_awareness",
    "awareness",
    "body actor sponsor confidence",
    lambda d: (
        f"Shared situational awareness: member states endorse the assessment at {body(d['body'])}"
    ),
    "Member states endorse the assessment: the shared situational awareness the Toolbox needs.",
)

# -- initiation and preparation -----------------------------------------------------------------

PROPOSAL = EventKind(
    "proposal",
    "initiation",
    "proposal measure by parent origin",
    lambda d: (
        f"{d['proposal']}: {PROPOSER_NAMES.get(d['by'], d['by'])} proposes {measure(d['measure'])}"
        + (f" (with {', '.join(d['cosponsors'])})" if d.get("cosponsors") else "")
    ),
    "A measure is proposed (by a state, the High Representative or the chair's compromise); "
    "``cosponsors``: the capitals of a push coalition.",
    optional="cosponsors",
)
PROPOSAL_JOINED = EventKind(
    "proposal_joined",
    "initiation",
    "proposal measure by",
    lambda d: f"{d['by']} joins {d['proposal']} ({measure(d['measure'])})",
    "A proposer joins a pending proposal for the same measure.",
)
INVOKED = EventKind(
    "invoked",
    "initiation",
    "article measure by",
    lambda d: f"{d['by']} invokes Art. {d['article']}",
    "A victim invokes Art. 42(7) TEU or Art. 222 TFEU.",
    names_states="by",
)
ASSISTANCE = EventKind(
    "assistance",
    "assistance",
    "article measure by track",
    lambda d: (
        f"Assistance track opened: {d['by']} invokes Art. {d['article']} ({d['track']}); "
        "not a measure against the attacker"
    ),
    "Art. 42(7) / 222 open an assistance track, off the response ladder (aid, IPCR).",
)
EVIDENCE_PACKAGE = EventKind(
    "evidence_package",
    "hwpci",
    "proposal measure phase",
    lambda d: f"HWPCI evidence package for {d['proposal']}: {d['phase']}",
    "The evidence package a listing needs is started (with its ``expected`` duration), ready or "
    "failed (with its ``strength``: it does not hold when below what a listing needs).",
    optional="expected strength",
)
PREPARED = EventKind(
    "prepared",
    "hwpci",
    "body proposal measure",
    lambda d: (
        f"HWPCI prepares {d['proposal']} ({measure(d['measure'])}) for the PSC"
        + (f" in {d['rounds']} sittings" if d.get("rounds", 1) > 1 else "")
    ),
    "HWPCI has prepared a proposal for the PSC; ``rounds``: sittings it took (more when the "
    "delegations start far apart); ``naming``: the wording of a declaration or conclusions as "
    "the drafters table it (weakened where a delegation would veto or a sitting is saved).",
    optional="rounds naming",
)

# -- meetings and decisions ---------------------------------------------------------------------

MEETING = EventKind(
    "meeting",
    "meeting",
    "body extraordinary agenda",
    lambda d: (
        f"{body(d['body'])} meets{' in extraordinary session' if d['extraordinary'] else ''}: "
        + "; ".join(with_measures_named(str(item)) for item in d.get("agenda") or ())
    ),
    "A body sits (HWPCI, PSC, COREPER II, the Council).",
)
MEETING_REQUESTED = EventKind(
    "meeting_requested",
    "meeting",
    "body extraordinary by",
    lambda d: (
        f"{'Extraordinary ' if d['extraordinary'] else ''}{body(d['body'])} meeting requested"
    ),
    "A meeting is asked for (by the model or an inject).",
)
DECISION_REQUEST = EventKind(
    "decision_request",
    "psc",
    "state proposal measure body advice others",
    lambda d: (
        f"Decision needed from played delegation {d['state']} on {d['proposal']} "
        f"(model advises {d['advice']})"
    ),
    "A played delegation's position is needed: the clock stops until it answers.",
)
POSITION = EventKind(
    "position",
    "psc",
    "state proposal measure body position stance by",
    lambda d: f"{d['state']}: {d['position'].replace('_', ' ')} on {d['proposal']} ({d['by']})",
    "A delegation's position in a decision, from the model or fixed by people.",
)
DECISION = EventKind(
    "decision",
    "psc",
    "proposal measure body rule adopted reason support abstain constructive_abstention "
    "oppose blockers cohesion",
    lambda d: (
        f"{body(d['body'])} {'agrees' if d['adopted'] else 'cannot agree'} on {d['proposal']} "
        f"({short(d['measure'])}{', ' + naming(d.get('naming')) if d.get('naming') else ''}), "
        f"{d['reason']}: {d['support']} support, {d['abstain']} abstain, "
        f"{d['constructive_abstention']} formal abstention, {d['oppose']} oppose"
    ),
    "The PSC or the Council decides on a proposal under the decision rule; ``naming`` (for "
    "declarations and conclusions): how the text names the perpetrator.",
    optional="naming",
)
REDRAFTED = EventKind(
    "redrafted",
    "psc",
    "proposal measure naming previous",
    lambda d: (
        f"{d['proposal']} redrafted with weaker wording: {naming(d['previous'])} -> "
        f"{naming(d['naming'])}"
    ),
    "After a veto the text is redrafted with weaker wording (for the next sitting); with "
    "``body`` hwpci, the drafters weakened it at the working party's first reading (a veto "
    "foreseen, or a sitting saved).",
    optional="body",
)
WITHDRAWN = EventKind(
    "withdrawn",
    "psc",
    "proposal measure reason",
    lambda d: f"{d['proposal']} ({measure(d['measure'])}) withdrawn: {d['reason']}",
    "After a veto the text is withdrawn (the HR may speak in her own name instead).",
)
DEFERRED = EventKind(
    "deferred",
    "psc",
    "proposal measure reason",
    lambda d: f"PSC defers {d['proposal']}: {d['reason']}",
    "The chair defers a blocked proposal in the hope of more evidence.",
)
COMPROMISE = EventKind(
    "compromise",
    "psc",
    "proposal measure instead",
    lambda d: (
        f"The chair tables a compromise: {measure(d['instead'])} instead of {measure(d['measure'])}"
    ),
    "The chair tables a weaker measure in place of a blocked one.",
)
LINKAGE = EventKind(
    "linkage",
    "psc",
    "proposal measure state days",
    lambda d: (
        f"{state_name(d['state'])} trades its consent to {d['proposal']} ({short(d['measure'])}) "
        f"for something in another file: its veto is lifted in {d['days']:g} days"
    ),
    "Linkage: a capital that vetoed a Council decision trades its consent for something in "
    "another file and lifts its veto after a delay (``days``); the text comes back then.",
)
RETABLED = EventKind(
    "retabled",
    "psc",
    "proposal measure package days",
    lambda d: (
        f"{d['proposal']} ({short(d['measure'])}) vetoed: its proposer brings it back with a "
        f"narrower package in {d['days']:g} days"
    ),
    "A vetoed listing is brought back to a later Council with a narrower package (``package``: "
    "the share of the first package's weight on capitals tied to the sponsor).",
)
DROPPED = EventKind(
    "dropped",
    "psc",
    "proposal measure",
    lambda d: f"{d['proposal']} ({measure(d['measure'])}) is dropped",
    "A proposal is given up.",
)

# -- adoption ------------------------------------------------------------------------------------

SILENCE_PROCEDURE = EventKind(
    "silence_procedure",
    "council",
    "proposal phase",
    lambda d: f"Silence procedure for {d['proposal']} {d['phase']}",
    "The silence procedure for an HR declaration starts or ends.",
)
RELEX = EventKind(
    "relex",
    "council",
    "proposal phase",
    lambda d: f"RELEX drafting of the legal acts for {d['proposal']} {d['phase']}",
    "RELEX drafting of legal acts starts or ends.",
)
COREPER = EventKind(
    "coreper",
    "council",
    "proposal measure",
    lambda d: f"COREPER II prepares {d['proposal']} ({measure(d['measure'])}) for the Council",
    "COREPER II readies a proposal for the Council.",
)
WRITTEN_PROCEDURE = EventKind(
    "written_procedure",
    "council",
    "proposal phase",
    lambda d: f"Council written procedure for {d['proposal']} {d['phase']}",
    "A Council written procedure starts or ends.",
)
ADOPTED = EventKind(
    "adopted",
    "council",
    "proposal measure rung body how",
    lambda d: (
        f"ADOPTED: {measure(d['measure'])} (rung {d['rung']}, {d['how']})"
        + (f"; wording: {naming(d['naming'])}" if d.get("naming") else "")
    ),
    "A measure is adopted; ``naming`` (declarations, conclusions, HR statements): how the "
    "text names the perpetrator.",
    optional="naming",
)
DECLARATION_HELD = EventKind(
    "declaration_held",
    "council",
    "proposal measure actor until",
    lambda d: (
        f"{d['proposal']} agreed in advance: the declaration waits for the capitals to attribute "
        "the activity publicly"
    ),
    "A declaration agreed in advance that names the actor is held until a capital or partner "
    "attributes publicly (coordinated attribution: SolarWinds 2021, APT28 2024); ``until``: the "
    "latest it waits (``attribution_wait``).",
    names_actor=True,
)
LISTING_REVIEW = EventKind(
    "listing_review",
    "council",
    "proposal review renewed",
    lambda d: (
        f"Annual review of the listing {d['proposal']} (#{d['review']}): "
        + ("renewed" if d["renewed"] else "NOT renewed, the listing lapses")
    ),
    "The yearly review of a listing, a unanimity point (Decision (CFSP) 2019/797): every "
    "listing with the framework, each May.",
)

# -- the threat actor ----------------------------------------------------------------------------

ADVERSARY = EventKind(
    "adversary",
    "reaction",
    "actor action cause",
    lambda d: (f"Threat actor {d['actor']}: {d['action'].replace('_', ' ')} "
               f"(after {short(str(d['cause']))})"),  # fmt: skip
    "A threat actor ceases, continues, escalates or starts a new wave; ``cause``: the measure "
    "it answers, ``campaign`` (its own tempo) or ``inject``.",
    names_actor=True,
)


def _against(d: Mapping[str, Any]) -> str:
    if d["action"] == "expulsion":
        return "expels diplomats of " + ", ".join(state_name(c) for c in d["against"])
    return "counter-sanctions " + ", ".join(d["against"])


RETALIATION = EventKind(
    "retaliation",
    "reaction",
    "actor sponsor action against proposal measure",
    lambda d: f"{d['sponsor']} retaliates for {short(d['measure'])} {d['proposal']}: {_against(d)}",
    "The state behind a listed actor retaliates, an action of its own: ``counter_sanctions`` on "
    "EU officials and bodies (China, 22 March 2021: MEPs and the PSC; Russia, 30 April 2021) or "
    "the ``expulsion`` of diplomats (``against``: those hit).",
    names_actor=True,
)

# -- the crisis track of a large-scale incident (sim/stages/crisis.py) ---------------------------

#: How the crisis track names its levels and products in lines and reports.
LEVEL_NAMES = {"technical": "technical level (CSIRTs Network)",
               "operational": "operational level (EU-CyCLONe)",
               "political": "political level (Presidency, IPCR)", "psc": "PSC"}  # fmt: skip
PRODUCT_NAMES = {"technical_report": "CSIRTs Network technical report",
                 "operational_assessment": "EU-CyCLONe operational assessment",
                 "isaa": "ISAA report"}  # fmt: skip
CONTRIBUTION_TEXT = {"full": "shares its national picture", "partial": "shares part of its picture",
                     "withheld": "withholds its national picture"}  # fmt: skip


def _held_by(d: Mapping[str, Any]) -> str:
    return f" ({d['presidency']})" if d.get("presidency") else ""


def _mode(mode: str) -> str:
    return mode.replace("_", "-") + (" mode" if mode != "deactivated" else "")


LARGE_SCALE = EventKind(
    "large_scale",
    "crisis",
    "incidents ipcr by",
    lambda d: (
        f"Large-scale incident ({', '.join(d['incidents']) or 'every incident'}): the Cyber "
        "Blueprint's technical, operational and political levels run beside the Toolbox"
    ),
    "The crisis track opens (``by``: the scenario's ``large_scale_incident``, or an inject at "
    "one of its levels); ``ipcr``: the mode the Presidency is set to activate.",
)
TECHNICAL_REPORT = EventKind(
    "technical_report",
    "crisis",
    "number states confidence by",
    lambda d: (
        f"CSIRTs Network technical report #{d['number']}: "
        f"{', '.join(d['states']) or 'no state'} affected, confidence {pct(d['confidence'])}"
    ),
    "The technical level: the CSIRTs Network (NIS2 Art. 15) shares a technical report on the "
    "incident (``states``: the victims that have detected it).",
)
CYCLONE_MEETING = EventKind(
    "cyclone_meeting",
    "crisis",
    "number level by",
    lambda d: (
        f"EU-CyCLONe {d['level'].capitalize()} meet (#{d['number']}"
        + {"escalation": ", on the escalation", "inject": ", called by the facilitator"}.get(
            d["by"], ""
        )
        + ")"
    ),
    "The operational level: EU-CyCLONe (NIS2 Art. 16), the national cyber crisis agencies, "
    "meets (``level``: officers or executives; ``by``: model, escalation or inject).",
)
AGENCY_CONTRIBUTION = EventKind(
    "agency_contribution",
    "crisis",
    "state meeting contribution by",
    lambda d: (
        f"{state_name(d['state'])}'s cyber crisis agency at EU-CyCLONe "
        f"{CONTRIBUTION_TEXT[d['contribution']]}"
    ),
    "What a victim's national cyber crisis agency brings to CyCLONe's operational assessment "
    "(``by``: the model, people at the table, or an inject).",
)
OPERATIONAL_ASSESSMENT = EventKind(
    "operational_assessment",
    "crisis",
    "number confidence impact contributions",
    lambda d: (
        f"EU-CyCLONe operational assessment #{d['number']}: impact {pct(d['impact'])}, "
        f"confidence {pct(d['confidence'])}"
    ),
    "EU-CyCLONe assesses the consequences and impact of the incident (NIS2 Art. 16(3)(c)); "
    "``contributions``: what each victim's agency brought.",
)
IPCR = EventKind(
    "ipcr",
    "crisis",
    "mode previous by reason",
    lambda d: (
        (
            f"The Presidency{_held_by(d)} activates IPCR in {_mode(d['mode'])}"
            if d["previous"] == "none"
            else f"IPCR: {_mode(d['previous'])} -> {_mode(d['mode'])}"
        )
        + f" ({d['reason']})"
    ),
    "The political level: the Presidency activates the Integrated Political Crisis Response "
    "(Council Implementing Decision (EU) 2018/1993) or changes its mode (``by``: presidency or "
    "inject); ``presidency``: the state holding it, when the scenario names it.",
    optional="presidency",
)
ISAA = EventKind(
    "isaa",
    "crisis",
    "number mode confidence",
    lambda d: (
        f"Commission and EEAS issue ISAA report #{d['number']} ({_mode(d['mode'])}, "
        f"confidence {pct(d['confidence'])})"
    ),
    "An Integrated Situational Awareness and Analysis report of the Commission and the EEAS "
    "under IPCR.",
)
HANDOFF = EventKind(
    "handoff",
    "crisis",
    "product number origin to confidence delay",
    lambda d: (
        f"{PRODUCT_NAMES[d['product']]} #{d['number']} reaches the {LEVEL_NAMES[d['to']]}"
        f" (confidence {pct(d['confidence'])})"
    ),
    "A level's product reaches the next (``to``: operational, political or the PSC, whose "
    "shared situational awareness it feeds), ``delay`` hours after it was issued.",
)
RESERVE_REQUEST = EventKind(
    "reserve_request",
    "assistance",
    "state by",
    lambda d: f"{state_name(d['state'])} asks for the EU Cybersecurity Reserve",
    "A victim asks for support from the EU Cybersecurity Reserve under the Cyber Emergency "
    "Mechanism (Regulation (EU) 2025/38).",
)
RESERVE_DEPLOYED = EventKind(
    "reserve_deployed",
    "assistance",
    "state by delay",
    lambda d: f"EU Cybersecurity Reserve deployed to {state_name(d['state'])}",
    "The Commission grants a request and the Reserve's trusted providers deploy (``delay``: "
    "hours since the request).",
)

#: Every declared kind by name, in the order above.
EVENT_KINDS: dict[str, EventKind] = {
    str(value): value for value in list(globals().values()) if isinstance(value, EventKind)
}
#: Each declared kind's name as a plain string (what events hold), for ``Exercise.emit``'s one
#: dictionary look-up on the hot path.
PLAIN_NAMES: dict[str, str] = {name: name for name in EVENT_KINDS}


def declared(kind: str) -> EventKind:
    """The declaration of ``kind``; raises ValueError naming where to declare it."""
    try:
        return EVENT_KINDS[kind]
    except KeyError:
        raise ValueError(
            f"undeclared event kind {kind!r}: declare it in sim/event_kinds.py"
        ) from None
