"""Detection: each targeted state notices the activity after a delay (actors.national)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors import national
from actors.severity import overtness

from . import ProcessGenerator, awareness

if TYPE_CHECKING:
    from ..exercise import Exercise
    from ..world import IncidentState


def detect(ex: Exercise, incident: IncidentState, code: str) -> ProcessGenerator[None]:
    """Process: wait for ``code``'s CSIRT to detect ``incident``, then start its national follow-up."""
    state = ex.roster[code]
    delay = national.detection_delay(
        ex.rng("detection", incident.id, code),
        state,
        incident.actor.sophistication,
        overtness(incident.severity),
        ex.timing.detection_fast,
        ex.timing.detection_slow,
    )
    yield ex.env.timeout(delay)
    first = code not in ex.world.detected
    if first:
        ex.world.detected[code] = ex.env.now
    ex.emit("detected", state=code, incident=incident.id, delay=round(delay, 4))
    if first:
        ex.env.process(awareness.national_follow_up(ex, incident, code))
