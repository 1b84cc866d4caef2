"""Detection: each targeted state notices the activity after a delay (actors.national)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors import national
from actors.roster import MemberState
from actors.severity import overtness

from . import ProcessGenerator, awareness

if TYPE_CHECKING:
    from ..engine import Engine
    from ..world import IncidentState


def detection_delay(ex: Engine, incident: IncidentState, code: str, state: MemberState) -> float:
    """Hours until ``code`` (a member state, or an outsider modelled as ``state``) detects
    ``incident``, from its own named stream."""
    return national.detection_delay(
        ex.rng("detection", incident.id, code),
        state,
        incident.actor.sophistication,
        overtness(incident.severity),
        ex.timing.detection_fast,
        ex.timing.detection_slow,
    )


def detect(ex: Engine, incident: IncidentState, code: str) -> ProcessGenerator[None]:
    """Process: wait for ``code``'s CSIRT to detect ``incident``, then start its national follow-up."""
    delay = detection_delay(ex, incident, code, ex.roster[code])
    yield ex.env.timeout(delay)
    first = code not in ex.world.detected
    if first:
        ex.world.detected[code] = ex.env.now
    ex.emit("detected", state=code, incident=incident.id, delay=round(delay, 4))
    awareness.start_attribution_clock(ex, incident.actor.id)
    if first:
        ex.env.process(awareness.national_follow_up(ex, incident, code))


#: How a victim outside the Union is modelled when it notices and tells the Union: a capable
#: but not top-tier CSIRT, willing to share (docs/model.md, *Victims outside the Union*).
OUTSIDER = MemberState("", "third party", 0.0, (), 0.6, 0.5, 0.7, 0.5, 0.5, 0.7)


def outsider_report(ex: Engine, incident: IncidentState, code: str):
    """Process: a third state or organisation hit detects the activity and tells the Union
    (INTCEN and the member states' CSIRTs), which then works on it as on a shared report."""
    delay = detection_delay(ex, incident, code, OUTSIDER)
    yield ex.env.timeout(delay)
    report = national.sharing_delay(ex.rng("report", incident.id, code), OUTSIDER,
                                    ex.timing.intcen_report)  # fmt: skip
    yield ex.env.timeout(report)
    ex.emit("third_party_report", party=code, incident=incident.id, to="intcen")
    awareness.start_attribution_clock(ex, incident.actor.id)
    if ex.world.first_share is None:
        ex.world.first_share = ex.env.now
    awareness.spread_share(ex, incident, None)
    ex.notify("intcen")
