"""From national knowledge to shared situational awareness.

After detection a state shares over the CSIRTs Network and reports to EU INTCEN; its services
gather attribution evidence and it may attribute publicly. INTCEN/SIAC fuses the reports into an
EU assessment; the assessment becomes *shared* awareness when member states endorse it at the
next HWPCI or PSC.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from actors import national
from actors.institutions import assessment_confidence

from ..world import Assessment
from . import ProcessGenerator

if TYPE_CHECKING:
    from ..exercise import Exercise
    from ..world import IncidentState

ASSESSMENT_SIGMA = 0.4
UPDATE_FRACTION = 1 / 3  # an update takes a third of a first assessment
UPDATE_THRESHOLD = 0.05  # INTCEN reissues only when its confidence moves this much


def national_follow_up(ex: Exercise, incident: IncidentState, code: str) -> ProcessGenerator[None]:
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
            # Before the first share only the detecting states know; after it, every state does.
            newly = 0
            if ex.world.first_share is None:
                ex.world.first_share = ex.env.now
                newly = sum(c not in ex.world.detected for c in ex.roster.codes)
            ex.emit("shared", state=code, incident=incident.id, network="csirts", reached=newly)
        else:
            first = code not in ex.world.reported
            ex.world.reported.setdefault(code, ex.env.now)
            ex.emit("reported", state=code, incident=incident.id, to="intcen")
            if first:
                ex.notify("intcen")


def gather_evidence(ex: Exercise, code: str, actor_id: str) -> ProcessGenerator[None]:
    """Process: findings of ``code``'s services accumulate until it attributes (or time ends)."""
    if (code, actor_id) in ex.world.gathering:
        return
    ex.world.gathering.add((code, actor_id))
    actor = ex.scenario.actor(actor_id)
    rng = ex.rng("evidence", code, actor_id)
    state = ex.roster[code]
    while actor_id not in ex.world.attributed.get(code, {}):
        yield ex.env.timeout(
            national.finding_interval(
                rng, state, actor.sophistication, ex.timing.attribution_evidence
            )
        )
        change_confidence(ex, code, actor_id, national.finding_gain(rng), cause="finding")


def change_confidence(ex: Exercise, code: str, actor_id: str, delta: float, cause: str) -> None:
    """Add ``delta`` to a state's confidence in attributing to ``actor_id``; maybe attribute."""
    known = ex.world.confidence.setdefault(code, {})
    before = known.get(actor_id, 0.0)
    after = round(national.add_confidence(before, delta), 4)
    known[actor_id] = after
    ex.emit("evidence", state=code, actor=actor_id, confidence=after, cause=cause)
    if code in ex.world.reported:
        ex.notify("intcen")
    consider_attribution(ex, code, actor_id)


def consider_attribution(ex: Exercise, code: str, actor_id: str) -> None:
    if actor_id in ex.world.attributed.get(code, {}):
        return
    actor = ex.scenario.actor(actor_id)
    state = ex.roster[code]
    confidence = ex.world.confidence.get(code, {}).get(actor_id, 0.0)
    victim = code in ex.world.victims()
    if national.will_attribute(
        state, confidence, actor.sponsor, victim, ex.world.pressure.get(code, 0.0)
    ):
        attribute(ex, code, actor_id, source="decision")


def attribute(ex: Exercise, code: str, actor_id: str, source: str) -> None:
    """``code`` publicly attributes the activity to ``actor_id`` now."""
    if actor_id in ex.world.attributed.setdefault(code, {}):
        return
    ex.world.attributed[code][actor_id] = ex.env.now
    actor = ex.scenario.actor(actor_id)
    confidence = ex.world.confidence.get(code, {}).get(actor_id, 0.0)
    ex.emit(
        "attributed",
        state=code,
        actor=actor_id,
        sponsor=actor.sponsor,
        confidence=confidence,
        how=source,
    )
    ex.world_changed()


def intcen(ex: Exercise) -> ProcessGenerator[None]:
    """Process: INTCEN/SIAC's assessment, first after the first report, then on news."""
    yield ex.signal("intcen")
    rng = ex.rng("intcen")
    first = ex.timing.intcen_assessment * math.exp(rng.gauss(0.0, ASSESSMENT_SIGMA))
    yield ex.env.timeout(national.minutes(first))
    issue_assessment(ex)
    ex.env.process(endorse(ex))
    while True:
        yield ex.signal("intcen")
        yield ex.env.timeout(national.minutes(ex.timing.intcen_assessment * UPDATE_FRACTION))
        issue_assessment(ex, update=True)


def issue_assessment(ex: Exercise, update: bool = False) -> None:
    actor = ex.world.suspected_actor()
    if actor is None:
        return
    national_confidences = [
        ex.world.confidence.get(code, {}).get(actor.id, 0.0) for code in ex.world.reported
    ]
    confidence = assessment_confidence(national_confidences)
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


def endorse(ex: Exercise) -> ProcessGenerator[None]:
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
