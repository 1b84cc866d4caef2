"""One line of plain language per event, for the timeline of ``cdtx run``, the console and reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .events import Event

MEASURE_NAMES = {
    "preventive": "preventive measures",
    "cooperative": "cooperative measures (dialogue, démarche)",
    "hr_declaration": "a declaration by the High Representative on behalf of the EU",
    "hr_statement": "a statement by the High Representative in her own name",
    "council_conclusions": "Council conclusions",
    "listing": "restrictive measures (listing: travel ban and asset freeze)",
    "mutual_assistance": "mutual assistance (Art. 42(7) TEU)",
    "solidarity_clause": "the solidarity clause (Art. 222 TFEU)",
}
BODY_NAMES = {
    "hwpci": "HWPCI",
    "psc": "PSC",
    "coreper": "COREPER II",
    "council": "Council",
    "eeas": "EEAS",
}
#: Short names for lines that must fit a console row: the decision comes first, then the detail.
SHORT_MEASURE_NAMES = {
    "preventive": "preventive measures",
    "cooperative": "cooperative measures",
    "hr_declaration": "HR declaration",
    "hr_statement": "HR statement",
    "council_conclusions": "Council conclusions",
    "listing": "listing",
    "mutual_assistance": "mutual assistance",
    "solidarity_clause": "solidarity clause",
}
PROPOSER_NAMES = {"hr": "the High Representative", "chair": "the PSC chair"}

#: Which stage of the procedure each kind of event belongs to (for filters and colours).
STAGE_OF = {
    "started": "exercise", "ended": "exercise", "input": "facilitator", "inject_applied": "inject",
    "note": "inject", "pressure": "inject", "position_fixed": "inject",
    "incident": "incident", "escalation": "incident", "escalation_ignored": "incident",
    "detected": "detection", "shared": "awareness", "reported": "awareness",
    "evidence": "awareness", "attributed": "awareness", "assessment": "awareness",
    "shared_awareness": "awareness", "proposal": "initiation", "proposal_joined": "initiation",
    "invoked": "initiation", "evidence_package": "hwpci", "prepared": "hwpci",
    "meeting": "meeting", "meeting_requested": "meeting", "decision_request": "psc",
    "position": "psc", "decision": "psc", "deferred": "psc", "compromise": "psc",
    "dropped": "psc", "silence_procedure": "council", "relex": "council", "coreper": "council",
    "written_procedure": "council", "adopted": "council", "adversary": "reaction",
    "partner_attributed": "awareness", "redrafted": "psc", "withdrawn": "psc",
    "assistance": "assistance", "listing_review": "council", "third_party_report": "awareness",
    "partner_evidence": "awareness",
}  # fmt: skip

#: How a declaration or conclusions name the perpetrator, for people.
NAMING_TEXT = {
    "none": "names no one",
    "territory": "activity 'from the territory of' the sponsor",
    "state": "names the state",
}


def wording(d: Mapping) -> str:
    """`` (names the state)`` for an event that carries a naming level, else ``""``."""
    level = d.get("naming")
    return f" ({NAMING_TEXT.get(level, level)})" if level else ""


def measure(m: str) -> str:
    return MEASURE_NAMES.get(m, m)


def short(m: str) -> str:
    return SHORT_MEASURE_NAMES.get(m, m)


def state_name(code: str) -> str:
    """``Croatia (HR)``: two letters alone read as the High Representative or a party."""
    from actors.roster import builtin_roster

    roster = builtin_roster()
    return f"{roster[code].name} ({code})" if code in roster else code


def body(b: str) -> str:
    return BODY_NAMES.get(b, b.upper())


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


_TEXT: dict[str, Callable[[dict], str]] = {
    "started": lambda d: f"Exercise '{d['title']}' begins (seed {d['seed']}, {d['rule']}, {d['mode']} timings)",
    "ended": lambda d: "End of the simulated period",
    "incident": lambda d: (
        f"{d['incident']}: {d['actor_name']} hits "
        + ", ".join(f"{t['state']} ({t['sector']})" for t in d["targets"])
        + "".join(f", {t['third_party']} ({t['sector']}, outside the Union)"
                  for t in d.get("third_parties", []))
        + f"; severity {d['score']:.0%}, proportionate rung {d['recommended_rung']}"
    ),
    "escalation": lambda d: (
        f"{d['incident']} escalates: severity {d['score']:.0%}, proportionate rung "
        + (f"{d['previous_rung']} -> {d['recommended_rung']}"
           if d["previous_rung"] != d["recommended_rung"] else f"still {d['recommended_rung']}")
    ),
    "escalation_ignored": lambda d: f"Escalation of {d['incident']} ignored: {d['reason']}",
    "detected": lambda d: f"{d['state']} CSIRT detects {d['incident']}",
    "shared": lambda d: f"{d['state']} shares indicators of {d['incident']} over the CSIRTs Network",
    "reported": lambda d: f"{d['state']} reports {d['incident']} to EU INTCEN",
    "evidence": lambda d: f"{d['state']} services: attribution confidence {_pct(d['confidence'])} ({d['cause']})",
    "attributed": lambda d: (
        f"{d['state']} publicly attributes the activity to {d['actor']}"
        + (f" (sponsor {d['sponsor']})" if d.get("sponsor") else "")
    ),
    "assessment": lambda d: (
        f"INTCEN/SIAC {'updates its' if d['update'] else 'issues an'} assessment: {d['actor']}, "
        f"confidence {_pct(d['confidence'])}, {d['reports']} national report(s)"
    ),
    "shared_awareness": lambda d: (
        f"Shared situational awareness: member states endorse the assessment at {body(d['body'])}"
    ),
    "proposal": lambda d: (
        f"{d['proposal']}: {PROPOSER_NAMES.get(d['by'], d['by'])} proposes {measure(d['measure'])}"
    ),
    "proposal_joined": lambda d: f"{d['by']} joins {d['proposal']} ({measure(d['measure'])})",
    "invoked": lambda d: f"{d['by']} invokes Art. {d['article']}",
    "evidence_package": lambda d: f"HWPCI evidence package for {d['proposal']}: {d['phase']}",
    "prepared": lambda d: f"HWPCI prepares {d['proposal']} ({measure(d['measure'])}) for the PSC",
    "meeting": lambda d: (
        f"{body(d['body'])} meets{' in extraordinary session' if d['extraordinary'] else ''}: "
        + "; ".join(d["agenda"])
    ),
    "meeting_requested": lambda d: (
        f"{'Extraordinary ' if d['extraordinary'] else ''}{body(d['body'])} meeting requested"
    ),
    "decision_request": lambda d: (
        f"Decision needed from played delegation {d['state']} on {d['proposal']} (model advises {d['advice']})"
    ),
    "position": lambda d: f"{d['state']}: {d['position'].replace('_', ' ')} on {d['proposal']} ({d['by']})",
    "position_fixed": lambda d: (
        f"{d['state']} states its position on {short(d['measure'])}: {d['position'].replace('_', ' ')}"
        + (f' - "{d["statement"]}"' if d.get("statement") else "")
    ),
    "decision": lambda d: (
        f"{body(d['body'])} {'agrees' if d['adopted'] else 'cannot agree'} on {d['proposal']} "
        f"({short(d['measure'])}{wording(d).replace(' (', ', ', 1).rstrip(')')}), {d['reason']}: {d['support']} support, {d['abstain']} abstain, "
        f"{d['constructive_abstention']} formal abstention, {d['oppose']} oppose"
    ),
    "deferred": lambda d: f"PSC defers {d['proposal']}: {d['reason']}",
    "compromise": lambda d: f"The chair tables a compromise: {measure(d['instead'])} instead of {measure(d['measure'])}",
    "dropped": lambda d: f"{d['proposal']} ({measure(d['measure'])}) is dropped",
    "silence_procedure": lambda d: f"Silence procedure for {d['proposal']} {d['phase']}",
    "relex": lambda d: f"RELEX drafting of the legal acts for {d['proposal']} {d['phase']}",
    "coreper": lambda d: f"COREPER II prepares {d['proposal']} ({measure(d['measure'])}) for the Council",
    "written_procedure": lambda d: f"Council written procedure for {d['proposal']} {d['phase']}",
    "adopted": lambda d: (
        f"ADOPTED: {measure(d['measure'])} (rung {d['rung']}, {d['how']})"
        + (f"; wording: {NAMING_TEXT.get(d['naming'], d['naming'])}" if d.get("naming") else "")
    ),
    "partner_attributed": lambda d: (
        f"Partner {d['partner']} publicly attributes the activity to {d['actor']}"
        + (f" (sponsor {d['sponsor']})" if d.get("sponsor") else "") + f", {d['how']}"
    ),
    "redrafted": lambda d: (
        f"{d['proposal']} redrafted with weaker wording: {NAMING_TEXT.get(d['previous'], d['previous'])}"
        f" -> {NAMING_TEXT.get(d['naming'], d['naming'])}"
    ),
    "partner_evidence": lambda d: (
        f"Partner {d['partner']} services: attribution confidence {_pct(d['confidence'])}"
    ),
    "third_party_report": lambda d: (
        f"{d['party']} (outside the Union) reports {d['incident']} to EU INTCEN and the CSIRTs"
    ),
    "withdrawn": lambda d: f"{d['proposal']} ({measure(d['measure'])}) withdrawn: {d['reason']}",
    "assistance": lambda d: (
        f"Assistance track opened: {d['by']} invokes Art. {d['article']} ({d['track']}); "
        "not a measure against the attacker"
    ),
    "listing_review": lambda d: (
        f"Annual review of the listing {d['proposal']} (#{d['review']}): "
        + ("renewed" if d["renewed"] else "NOT renewed, the listing lapses")
    ),
    "adversary": lambda d: f"Threat actor {d['actor']}: {d['action'].replace('_', ' ')} (after {d['cause']})",
    "pressure": lambda d: f"Public pressure rises ({d['pressure']:.0%})",
    "note": lambda d: f"Note: {d['text']}",
    "inject_applied": lambda d: f"Inject {d['inject']} ({d['type']}): {d['message']}" if d["message"] else f"Inject {d['inject']} ({d['type']})",
}  # fmt: skip


#: Events whose ``actor`` is a threat actor's id, shown by name when the names are given.
_NAMES_AN_ACTOR = frozenset({"attributed", "assessment", "adversary", "partner_attributed"})


def actor_names(scenario) -> dict[str, str]:
    """Threat actor id -> name, for :func:`describe`."""
    return {actor.id: actor.name for actor in scenario.threat_actors}


def describe(event: Event, actors: Mapping[str, str] | None = None) -> str:
    """Plain-language line for an event; ``actors`` (:func:`actor_names`) names threat actors
    as the scenario does instead of by id."""
    d = event.data
    if actors and event.kind in _NAMES_AN_ACTOR and d.get("actor") in actors:
        d = {**d, "actor": actors[d["actor"]]}
    if event.kind == "input":
        if "inject" in d:
            inject = d["inject"]
            return f"Facilitator submits {inject['type']} inject {inject['id']}"
        if d.get("control") == "note":
            return f"Facilitator note: {d.get('text', '')}"
        if d.get("control") == "players":
            who = "people at the table" if d.get("played") else "the model"
            return f"Facilitator: {state_name(d.get('state', '?'))} is played by {who} from now on"
        if d.get("control") == "skip":
            instead = d.get("replaced_by")
            if instead and d.get("how") == "fired":
                return f"Facilitator fires {d.get('msel')} now (as {instead})"
            if instead:
                return f"Facilitator replaces {d.get('msel')} by its edit {instead}"
            return f"Facilitator skips {d.get('msel')}"
        return f"Facilitator: {d.get('control')} {d.get('msel', '')}".rstrip()
    text = _TEXT.get(event.kind)
    return text(d) if text else f"{event.kind}: {d}"


def stage(event: Event) -> str:
    return STAGE_OF.get(event.kind, "other")


def inject_summary(inject: Mapping) -> str:
    """What an inject does, in a few words, from its params (MSEL entry shape): for lists and
    tables where an inject has no message of its own."""
    kind, p = inject.get("type"), inject.get("params") or {}
    to = ", ".join(inject.get("to") or [])
    if kind == "incident":
        targets = ", ".join(f"{t.get('state')} ({t.get('sector')})" for t in p.get("targets", []))
        return f"{p.get('id')}: {p.get('actor')} hits {targets}"
    if kind == "escalate":
        change = ", ".join(f"{c} {d:+d}" for c, d in (p.get("severity") or {}).items() if d)
        return f"{p.get('incident')} escalates ({change})"
    if kind == "intel":
        return f"intelligence to {to}: confidence {p.get('confidence', 0):+.0%} on {p.get('actor')}"
    if kind == "attribute":
        return f"{', '.join(p.get('states', []))} attribute to {p.get('actor')}"
    if kind == "media":
        return f"media pressure {p.get('pressure', 0):.0%}" + (f" on {to}" if to else "")
    if kind == "position":
        stance = str(p.get("stance", "")).replace("_", " ")
        return f"{p.get('state')}: {stance} on {short(str(p.get('measure')))}"
    if kind == "meeting":
        extra = "extraordinary " if p.get("extraordinary") else ""
        return f"{extra}{body(str(p.get('body')))} meeting"
    if kind == "propose":
        return f"{p.get('by')} proposes {short(str(p.get('measure')))}"
    if kind == "invoke":
        return f"{p.get('by')} invokes Art. {p.get('article')}"
    if kind == "adversary":
        return f"threat actor: {str(p.get('action', '')).replace('_', ' ')}"
    if kind == "note":
        return str(p.get("text", ""))
    return ""
