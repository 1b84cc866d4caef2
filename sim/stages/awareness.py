"""From national knowledge to shared situational awareness.

After detection a state shares over the CSIRTs Network and reports to EU INTCEN; its services
gather attribution evidence and it may attribute publicly. INTCEN/SIAC fuses the reports into an
EU assessment; the assessment becomes *shared* awareness when member states endorse it at the
next HWPCI or PSC.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

from actors import national
from actors.institutions import HR_CAPABILITY, assessment_confidence, evidence_package
from actors.networks import csirts_weight

from ..timing import CALENDAR
from ..world import Assessment
from . import ProcessGenerator
from .instructions import instructions

if TYPE_CHECKING:
    from ..engine import Engine
    from ..world import IncidentState

#: The CSIRTs Network edge weights, cached: they depend only on the two states' groupings.
_csirts_weight = functools.lru_cache(maxsize=4096)(csirts_weight)

ASSESSMENT_SIGMA = 0.4
UPDATE_FRACTION = 1 / 3  # an update takes a third of a first assessment
UPDATE_THRESHOLD = 0.05  # INTCEN reissues only when its confidence moves this much
#: A state the CSIRTs share reaches starts its own attribution work if its services are at
#: least this capable; it works from shared indicators, so more slowly than a victim.
GATHER_INTEL = 0.7
NON_VICTIM_SLOWDOWN = 1.5
NON_VICTIM_FINDINGS = 4  # findings a bystander's services make from shared indicators
#: A partner shares finished intelligence products with the Union, each the work of this many
#: findings of its services (docs/model.md, *Partners' intelligence is there by default*).
PARTNER_PRODUCT = 3


def national_follow_up(ex: Engine, incident: IncidentState, code: str) -> ProcessGenerator[None]:
    """Process: share, report, and start gathering evidence after ``code`` detects."""
    ex.env.process(gather_evidence(ex, code, incident.actor.id))
    state = ex.roster[code]
    share = national.sharing_delay(
        ex.rng("share", incident.id, code), state, ex.timing.csirts_share
    )
    report = national.sharing_delay(
        ex.rng("report", incident.id, code), state, ex.timing.intcen_report
    )
    detected = ex.world.detected[code]
    for delay, kind in sorted([(share, "shared"), (report, "reported")]):
        yield ex.until(detected + delay)
        if kind == "shared":
            # The share travels the CSIRTs Network: each state hears it after a delay set by
            # the edge between it and the sharer; capable services then start their own work.
            if ex.world.first_share is None:
                ex.world.first_share = ex.env.now
            newly = spread_share(ex, incident, code)
            ex.emit("shared", state=code, incident=incident.id, network="csirts", reached=newly)
        else:
            first = code not in ex.world.reported
            ex.world.reported.setdefault(code, ex.env.now)
            ex.emit("reported", state=code, incident=incident.id, to="intcen")
            if first:
                ex.notify("intcen")


def spread_share(ex: Engine, incident: IncidentState, code: str | None) -> int:
    """Schedule when ``code``'s share reaches each state not yet informed; returns how many.
    ``code`` None: a report from outside the Union, passed on to every CSIRT alike."""
    sharer_regions = ex.roster[code].regions if code else ()
    rng = ex.rng("reach", incident.id, code or "outside")
    newly = 0
    informed, detected = ex.world.informed, ex.world.detected
    for state in ex.roster:
        if state.code in detected or state.code == code or state.code in informed:
            continue  # it knows, or an earlier share is on its way (the first sets the pace)
        weight = _csirts_weight(sharer_regions, state.regions)
        delay = national.minutes(rng.expovariate(1.0) * ex.timing.csirts_share / max(0.1, weight))
        at = ex.env.now + delay
        newly += 1
        ex.world.informed[state.code] = at
        if state.intel >= GATHER_INTEL:
            ex.env.process(informed_work(ex, state.code, incident.actor.id, at))
    return newly


def informed_work(ex: Engine, code: str, actor_id: str, at: float) -> ProcessGenerator[None]:
    """Process: a state reached by the share (at ``at``) works on the indicators and reports its
    finding to INTCEN. Its services make one assessment, the sum of :data:`NON_VICTIM_FINDINGS`
    findings drawn at once (a bystander does not keep digging as a victim does), taking
    :data:`NON_VICTIM_SLOWDOWN` times as long as a victim's."""
    state = ex.roster[code]
    actor = ex.scenario.actor(actor_id)
    rng = ex.rng("evidence", code, actor_id)
    work = sum(
        national.finding_interval(rng, state, actor.sophistication, ex.timing.attribution_evidence)
        for _ in range(NON_VICTIM_FINDINGS)
    )
    gain = sum(national.finding_gain(rng) for _ in range(NON_VICTIM_FINDINGS))
    yield ex.until(at + national.minutes(NON_VICTIM_SLOWDOWN * work))
    if code in ex.world.detected:
        return  # it detected the activity itself meanwhile and works on it as a victim
    if code not in ex.world.reported:
        ex.world.reported[code] = ex.env.now
        ex.emit("reported", state=code, incident=None, to="intcen")
    change_confidence(ex, code, actor_id, gain, cause="finding")
    ex.notify("intcen")


def actor_of(ex: Engine, code: str):
    """The member state or partner ``code`` (partners are scenario-defined attributors)."""
    partner = ex.partners.get(code)
    return partner if partner is not None else ex.roster[code]


def start_partners(ex: Engine, actor_id: str) -> None:
    """Partners exchange with the Union from the first national report to INTCEN and work on
    attribution with their own services, at their own will."""
    for code in ex.partners:
        ex.env.process(gather_evidence(ex, code, actor_id))


def gather_evidence(
    ex: Engine, code: str, actor_id: str, slowdown: float = 1.0
) -> ProcessGenerator[None]:
    """Process: findings of ``code``'s services accumulate until it attributes (or time ends)."""
    if (code, actor_id) in ex.world.gathering:
        return
    ex.world.gathering.add((code, actor_id))
    actor = ex.scenario.actor(actor_id)
    rng = ex.rng("evidence", code, actor_id)
    state = actor_of(ex, code)
    table = ex.world.partners_attributed if code in ex.partners else ex.world.attributed
    known = ex.world.confidence.setdefault(code, {})
    # A partner passes on finished products, each the work of several findings.
    per_step = PARTNER_PRODUCT if code in ex.partners else 1
    evidence_time = ex.timing.attribution_evidence
    # Until it attributes, or until its services have all they will get (the confidence cap).
    while (
        actor_id not in table.get(code, {}) and known.get(actor_id, 0.0) < national.CONFIDENCE_CAP
    ):
        work = gain = 0.0
        for _ in range(per_step):
            work += national.finding_interval(rng, state, actor.sophistication, evidence_time)
            gain += national.finding_gain(rng)
        yield ex.env.timeout(slowdown * work)
        change_confidence(ex, code, actor_id, gain, cause="finding")


def change_confidence(ex: Engine, code: str, actor_id: str, delta: float, cause: str) -> None:
    """Add ``delta`` to a state's confidence in attributing to ``actor_id``; maybe attribute."""
    known = ex.world.confidence.setdefault(code, {})
    before = known.get(actor_id, 0.0)
    after = round(national.add_confidence(before, delta), 4)
    known[actor_id] = after
    if code in ex.partners:
        ex.emit("partner_evidence", partner=code, actor=actor_id, confidence=after, cause=cause)
    else:
        ex.emit("evidence", state=code, actor=actor_id, confidence=after, cause=cause)
    if code in ex.world.reported or code in ex.partners:
        ex.notify("intcen")
    consider_attribution(ex, code, actor_id)


def _willing(ex: Engine, code: str, actor_id: str, coordinated: bool) -> bool:
    confidence = ex.world.confidence.get(code, {}).get(actor_id, 0.0)
    if confidence < actor_of(ex, code).attribution_threshold - national.COORDINATION_MARGIN:
        return False  # not even enough to join others: no need to weigh the politics
    actor = ex.scenario.actor(actor_id)
    if code in ex.partners:
        return national.will_attribute(ex.partners[code], confidence, actor.sponsor, False, 0.0,
                                       coordinated=coordinated)  # fmt: skip
    state = ex.roster[code]
    return national.will_attribute(
        state,
        confidence,
        actor.sponsor,
        code in ex.world.victims(),
        ex.world.pressure.get(code, 0.0),
        instructions(ex, state),
        coordinated,
    )


def _attributed(ex: Engine, code: str) -> dict[str, float]:
    table = ex.world.partners_attributed if code in ex.partners else ex.world.attributed
    return table.setdefault(code, {})


def decided_by_people(ex: Engine, code: str) -> bool:
    """Whether ``code``'s public attribution is for its players to decide: a delegation played
    at a live exercise. Attribution is a capital's sovereign decision, so the model never makes
    it for them; its people attribute with an ``attribute`` inject when they choose. In a
    headless run the model answers for played delegations, as it does for their positions."""
    return ex.interactive and code in ex.players


def consider_attribution(ex: Engine, code: str, actor_id: str) -> None:
    """``code`` attributes ``actor_id`` now if it may go public (:func:`may_go_public`) and is
    willing on its own evidence; a delegation played at a live exercise is told that its
    capital could, once, and decides itself (:func:`decided_by_people`)."""
    if actor_id in _attributed(ex, code) or ex.timing.coordinated_attribution:
        return  # coordinated: the capitals hold their attribution for the agreed day
    if may_go_public(ex, actor_id) and _willing(ex, code, actor_id, coordinated=False):
        if decided_by_people(ex, code):
            if (code, actor_id) not in ex.world.ready_told:
                ex.world.ready_told.add((code, actor_id))
                ex.emit("attribution_ready", state=code, actor=actor_id,
                        confidence=ex.world.confidence.get(code, {}).get(actor_id, 0.0))  # fmt: skip
            return
        attribute(ex, code, actor_id, source="decision")


def start_attribution_clock(ex: Engine, actor_id: str) -> None:
    """At a campaign's first detection, draw when capitals and partners may first name it
    publicly (actors.national.public_attribution_delay, compressed with the mode's evidence
    time), and wake them then."""
    if actor_id in ex.world.public_from:
        return
    scale = ex.timing.attribution_evidence / CALENDAR.attribution_evidence
    delay = national.public_attribution_delay(ex.rng("public-attribution", actor_id), scale)
    ex.world.public_from[actor_id] = ex.env.now + delay
    if delay != math.inf:
        ex.env.process(_clock_runs_out(ex, actor_id))


def scripted_attribution(ex: Engine, actor_id: str) -> float | None:
    """When the scenario's MSEL has capitals or partners first name ``actor_id`` publicly (an
    ``attribute`` entry not skipped), or None."""
    return min(
        (
            entry.at
            for entry in ex.scenario.msel
            if entry.type == "attribute"
            and entry.params.actor == actor_id
            and entry.id not in ex.skipped
        ),
        default=None,
    )


def _clock_runs_out(ex: Engine, actor_id: str) -> ProcessGenerator[None]:
    yield ex.until(ex.world.public_from[actor_id])
    join_in(ex, actor_id)


def may_go_public(ex: Engine, actor_id: str) -> bool:
    """Whether capitals and partners may attribute ``actor_id`` publicly now: its attribution
    clock has run, or someone has already named it (:func:`opened_by`: others then follow, as
    after the UK's and the US's attributions of NotPetya)."""
    return ex.env.now >= ex.world.public_from.get(actor_id, math.inf)


def opened_by(ex: Engine, actor_id: str) -> bool:
    """Record a public attribution of ``actor_id``: True if it is the first, which opens the way
    for the others now (the attribution clock, if still running, is cut short)."""
    first = not ex.world.any_attribution(actor_id)
    if first:
        ex.world.public_from[actor_id] = min(
            ex.env.now, ex.world.public_from.get(actor_id, math.inf)
        )
    return first


def join_in(ex: Engine, actor_id: str) -> None:
    """Every capital and partner with evidence on ``actor_id`` considers attributing it now
    (roster order, then partners)."""
    for code in (*ex.roster.codes, *ex.partners):
        if actor_id in ex.world.confidence.get(code, {}):
            consider_attribution(ex, code, actor_id)


def ready_to_attribute(ex: Engine, actor_id: str) -> list[str]:
    """Capitals and partners that would join a coordinated attribution of ``actor_id`` today:
    with procedure ``coordinated_attribution`` the agreed day is their political decision (the
    day the MSEL scripts their joint attribution, :func:`agreed_day_to_come`, or else the day
    the Union's text is adopted), otherwise the attribution clock must have run
    (:func:`may_go_public`)."""
    if ex.timing.coordinated_attribution:
        if agreed_day_to_come(ex, actor_id):
            return []
    elif not may_go_public(ex, actor_id):
        return []
    return [
        code
        for code in (*ex.roster.codes, *ex.partners)
        if code in ex.world.confidence
        and actor_id not in _attributed(ex, code)
        and not decided_by_people(ex, code)
        and _willing(ex, code, actor_id, coordinated=True)
    ]


def agreed_day_to_come(ex: Engine, actor_id: str) -> bool:
    """Whether capitals and partners attributing ``actor_id`` together wait for a day the MSEL
    gives (:func:`scripted_attribution`) that has not come: APT28, 3 May 2024, when Berlin's
    investigation concluded, with Prague, NATO, the UK, the US and the Union's declaration."""
    day = scripted_attribution(ex, actor_id)
    return day is not None and ex.env.now < day and not ex.world.any_attribution(actor_id)


def named_or_ready(ex: Engine) -> bool:
    """Whether a text may name the assessed actor: a capital or partner has attributed it (any
    actor, before there is an assessment), or one is ready to join a coordinated attribution of
    it the same day (Viasat, 10 May 2022)."""
    assessment = ex.world.assessment
    actor = assessment.actor if assessment is not None else None
    return ex.world.any_attribution(actor) or (
        actor is not None and bool(ready_to_attribute(ex, actor))
    )


def released(ex: Engine, actor_id: str) -> list[float]:
    """What each partner has released for the Union's use on ``actor_id``: its confidence times
    its releasability (partners in declaration order)."""
    confidence = ex.world.confidence
    return [
        round(ex.releasable[code] * confidence[code][actor_id], 4)
        for code in ex.partners
        if actor_id in confidence.get(code, {})
    ]


def naming_confidence(ex: Engine) -> float:
    """The evidence a Union text that names the actor can rest on: INTCEN's assessment, the
    confidence of a capital that has named the actor publicly (or is ready to the same day), or
    what such a partner has released, whichever is firmest (the wording is a political
    compromise, not capped by INTCEN's confidence alone)."""
    actor_id = ex.world.named_actor()
    best = ex.world.assessed_confidence()
    if actor_id is None:
        return best
    speakers = [code for code, actors in ex.world.attributed.items() if actor_id in actors]
    speakers += [code for code, actors in ex.world.partners_attributed.items()
                 if actor_id in actors and code in ex.partners]  # fmt: skip
    if not speakers:
        speakers = ready_to_attribute(ex, actor_id)
    confidence = ex.world.confidence
    for code in speakers:
        own = confidence.get(code, {}).get(actor_id, 0.0)
        best = max(best, ex.releasable[code] * own if code in ex.partners else own)
    return best


def package_strength(ex: Engine, proposer: str) -> float:
    """The strength of a listing's evidence package ``proposer`` (a capital or ``hr``) can put
    together now (actors.institutions.evidence_package), on the actor named or suspected."""
    suspect = ex.world.suspected_actor()
    actor_id = ex.world.named_actor() or (suspect.id if suspect is not None else None)
    if actor_id is None:
        return 0.0
    if proposer in ex.roster.codes:
        capability = ex.roster[proposer].intel
        own = ex.world.confidence.get(proposer, {}).get(actor_id, 0.0)
        return evidence_package(capability, own, released(ex, actor_id))
    # The High Representative builds on INTCEN's assessment, which has fused what partners
    # released already.
    return evidence_package(HR_CAPABILITY, ex.world.assessed_confidence(), [])


def attribute(ex: Engine, code: str, actor_id: str, source: str) -> None:
    """``code`` (a member state or a partner) publicly attributes the activity to ``actor_id``."""
    if code in ex.partners or code not in ex.roster.codes:
        return attribute_partner(ex, code, actor_id, source)
    if actor_id in ex.world.attributed.setdefault(code, {}):
        return
    first = opened_by(ex, actor_id)
    ex.world.attributed[code][actor_id] = ex.env.now
    actor = ex.scenario.actor(actor_id)
    confidence = _owned(ex, code, actor_id)
    ex.emit(
        "attributed",
        state=code,
        actor=actor_id,
        sponsor=actor.sponsor,
        confidence=confidence,
        how=source,
    )
    ex.world_changed()
    if first:
        join_in(ex, actor_id)


def _owned(ex: Engine, code: str, actor_id: str) -> float:
    """The confidence of ``code`` once it has attributed ``actor_id`` publicly: a capital (or
    partner) that names an actor holds, by its own lights, the confidence its threshold asks
    (an ``attribute`` inject speaks for services the model did not see at work)."""
    known = ex.world.confidence.setdefault(code, {})
    before = known.get(actor_id, 0.0)
    needed = actor_of(ex, code).attribution_threshold
    if before < needed:
        known[actor_id] = needed
        kind, who = (
            ("partner_evidence", "partner") if code in ex.partners else ("evidence", "state")
        )
        ex.emit(kind, **{who: code}, actor=actor_id, confidence=needed, cause="attribution")
        if code in ex.world.reported or code in ex.partners:
            ex.notify("intcen")
    return known[actor_id]


def attribute_partner(ex: Engine, code: str, actor_id: str, source: str) -> None:
    """A partner of the Union (the UK, the US, NATO...) publicly attributes the activity."""
    done = ex.world.partners_attributed.setdefault(code, {})
    if actor_id in done:
        return
    first = opened_by(ex, actor_id)
    done[actor_id] = ex.env.now
    actor = ex.scenario.actor(actor_id)
    confidence = _owned(ex, code, actor_id) if code in ex.partners else None
    ex.emit("partner_attributed", partner=code, actor=actor_id, sponsor=actor.sponsor, how=source,
            confidence=confidence)  # fmt: skip
    ex.world_changed()
    if first:
        join_in(ex, actor_id)


def intcen(ex: Engine) -> ProcessGenerator[None]:
    """Process: INTCEN/SIAC's assessment, first after the first report, then on news."""
    yield ex.signal("intcen")
    actor = ex.world.suspected_actor()
    if actor is not None and ex.partners:
        start_partners(ex, actor.id)
    rng = ex.rng("intcen")
    first = ex.timing.intcen_assessment * math.exp(rng.gauss(0.0, ASSESSMENT_SIGMA))
    yield ex.env.timeout(national.minutes(first))
    issue_assessment(ex)
    ex.env.process(endorse(ex))
    while True:
        yield ex.signal("intcen")
        yield ex.env.timeout(national.minutes(ex.timing.intcen_assessment * UPDATE_FRACTION))
        issue_assessment(ex, update=True)


def issue_assessment(ex: Engine, update: bool = False) -> None:
    actor = ex.world.suspected_actor()
    if actor is None:
        return
    national_confidences = [
        ex.world.confidence.get(code, {}).get(actor.id, 0.0) for code in ex.world.reported
    ]
    # Partners' intelligence counts as far as its originator releases it.
    confidence = assessment_confidence(national_confidences + released(ex, actor.id))
    previous = ex.world.assessment
    if update and previous and abs(previous.confidence - confidence) < UPDATE_THRESHOLD:
        return
    ex.world.assessment = Assessment(actor.id, actor.sponsor, confidence)
    ex.emit(
        "assessment",
        actor=actor.id,
        sponsor=actor.sponsor,
        confidence=confidence,
        reports=len(ex.world.reported),
        update=update,
    )
    ex.world_changed()


def endorse(ex: Engine) -> ProcessGenerator[None]:
    """Process: member states endorse the assessment at the first HWPCI or PSC sitting."""
    hwpci = ex.bodies["hwpci"].sitting("endorse the INTCEN assessment")
    psc = ex.bodies["psc"].sitting("endorse the INTCEN assessment")
    fired = yield hwpci | psc
    body = "hwpci" if hwpci in fired else "psc"
    ex.bodies["psc" if body == "hwpci" else "hwpci"].withdraw(psc if body == "hwpci" else hwpci)
    ex.world.awareness = ex.env.now
    assessment = ex.world.assessment
    ex.emit(
        "shared_awareness",
        body=body,
        actor=assessment.actor if assessment else None,
        sponsor=assessment.sponsor if assessment else None,
        confidence=assessment.confidence if assessment else None,
    )
    ex.notify("awareness")
    ex.world_changed()
