"""Incidents: a threat actor hits member states; severity scored, proportionate rung set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..world import IncidentState
from . import ProcessGenerator, detection, reaction

if TYPE_CHECKING:
    from scenarios.model import Incident

    from ..engine import Engine


def start(ex: Engine, spec: Incident, wave: int = 1) -> ProcessGenerator[None]:
    """Process: wait until the incident's time, then open it and start detection at each target."""
    yield ex.until(spec.at)
    open_incident(ex, spec, wave)


def open_incident(ex: Engine, spec: Incident, wave: int = 1) -> IncidentState:
    incident = IncidentState(
        id=spec.id,
        actor=ex.scenario.actor(spec.actor),
        targets=[(t.state, t.sector) for t in spec.targets if t.state],
        outsiders=[(t.third_party, t.sector) for t in spec.targets if t.third_party],
        severity=spec.severity.model_dump(),
        started=ex.env.now,
        description=spec.description,
        wave=wave,
    )
    first = not any(i.actor.id == incident.actor.id for i in ex.world.incidents.values())
    ex.world.incidents[incident.id] = incident
    if first:  # the actor's campaign keeps its own tempo from its first incident on
        ex.env.process(reaction.campaign(ex, incident.actor))
    extra: dict[str, Any] = {}
    if incident.outsiders:
        extra["third_parties"] = [
            {"third_party": c, "sector": sec} for c, sec in incident.outsiders
        ]
    ex.emit(
        "incident",
        incident=incident.id,
        actor=incident.actor.id,
        actor_name=incident.actor.name,
        targets=[{"state": s, "sector": sector} for s, sector in incident.targets],
        **extra,
        severity=dict(incident.severity),
        score=round(incident.score, 4),
        recommended_rung=incident.rung,
        wave=wave,
        description=incident.description,
    )
    ex.world_changed()
    for code in incident.victims:
        ex.env.process(detection.detect(ex, incident, code))
    for code, _ in incident.outsiders:
        ex.env.process(detection.outsider_report(ex, incident, code))
    return incident


def escalate(ex: Engine, incident_id: str, changes: dict[str, int]) -> None:
    """Change a running incident's severity (an ``escalate`` inject or the actor's escalation)."""
    incident = ex.world.incidents.get(incident_id)
    if incident is None:
        ex.emit("escalation_ignored", incident=incident_id, reason="the incident has not started")
        return
    before = incident.rung
    for criterion, delta in changes.items():
        incident.adjust_severity(criterion, delta)
    ex.emit(
        "escalation",
        incident=incident.id,
        severity=dict(incident.severity),
        score=round(incident.score, 4),
        recommended_rung=incident.rung,
        previous_rung=before,
    )
    ex.world_changed()
