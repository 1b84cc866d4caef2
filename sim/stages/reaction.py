"""Effect: the threat actor reacts to what the Union adopted: stops, continues or escalates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors import threat
from actors.severity import rung_of

from . import ProcessGenerator
from . import incident as incident_stage

if TYPE_CHECKING:
    from ..exercise import Exercise

REACTION_DELAY = 72.0  # hours for the actor to read the signal
ESCALATION = {"intensity": 1, "impact": 1}
MAX_WAVES = 3


def react(ex: Exercise, measure: str) -> ProcessGenerator[None]:
    """Process: after ``measure`` is adopted, each active actor chooses how to respond."""
    yield ex.env.timeout(REACTION_DELAY)
    for actor in _active_actors(ex):
        choice = threat.reaction(ex.rng("reaction", actor.id, measure), actor, rung_of(measure))
        set_behaviour(ex, actor.id, choice, cause=measure)


def set_behaviour(ex: Exercise, actor_id: str, action: str, cause: str) -> None:
    """Apply an actor's choice: cease, continue, escalate, or a new wave of attacks."""
    if action != "cease" and actor_id in ex.world.ceased:
        ex.world.ceased.remove(actor_id)
    ex.emit("adversary", actor=actor_id, action=action, cause=cause)
    if action == "cease" and actor_id not in ex.world.ceased:
        ex.world.ceased.append(actor_id)
    elif action == "escalate":
        for incident in list(ex.world.incidents.values()):
            if incident.actor.id == actor_id:
                incident_stage.escalate(ex, incident.id, ESCALATION)
    elif action == "new_wave":
        new_wave(ex, actor_id)
    ex.world_changed()


def new_wave(ex: Exercise, actor_id: str) -> None:
    waves = [i for i in ex.world.incidents.values() if i.actor.id == actor_id]
    if not waves or len(waves) >= MAX_WAVES + 1:
        return
    last = waves[-1]
    from scenarios.model import Incident  # local: only needed on this path

    spec = Incident(
        id=f"{waves[0].id}-W{len(waves) + 1}",
        at=0,
        actor=actor_id,
        targets=[{"state": s, "sector": sector} for s, sector in last.targets]
        + [{"third_party": c, "sector": sector} for c, sector in last.outsiders],
        severity=last.severity,
        description=f"New wave of attacks by {last.actor.name}.",
    )
    incident_stage.open_incident(ex, spec, wave=len(waves) + 1)


def _active_actors(ex: Exercise):
    seen = []
    for incident in ex.world.incidents.values():
        if incident.actor.id not in ex.world.ceased and incident.actor not in seen:
            seen.append(incident.actor)
    return seen
