"""Effect: the threat actor reacts to what the Union adopted (stops, continues or escalates,
after a delay of its own), keeps its own campaign tempo with or without measures, and the state
behind a listed actor retaliates (docs/model.md, *9. Effect*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors import threat
from actors.severity import rung_of
from scenarios.model import Incident, ThreatActor

from . import ProcessGenerator
from . import incident as incident_stage

if TYPE_CHECKING:
    from ..engine import Engine
    from ..world import Proposal

ESCALATION = {"intensity": 1, "impact": 1}
MAX_WAVES = 3


def react(ex: Engine, measure: str) -> None:
    """``measure`` was adopted: each active actor answers it, each after a delay of its own
    (actors.threat.reaction_delay), unless it has ceased meanwhile."""
    for actor in _active_actors(ex):
        ex.env.process(_answer(ex, actor, measure))


def _answer(ex: Engine, actor: ThreatActor, measure: str) -> ProcessGenerator[None]:
    yield ex.env.timeout(threat.reaction_delay(ex.rng("reaction-delay", actor.id)))
    if actor.id in ex.world.ceased:
        return
    choice = threat.reaction(ex.rng("reaction", actor.id, measure), actor, rung_of(measure))
    set_behaviour(ex, actor.id, choice, cause=measure)


def campaign(ex: Engine, actor: ThreatActor) -> ProcessGenerator[None]:
    """Process: the actor's own tempo, from its first incident: new waves and escalations with
    or without measures (actors.threat.campaign_gap), none while it has ceased."""
    rng = ex.rng("campaign", actor.id)
    while True:
        gap = threat.campaign_gap(rng, actor)
        if ex.env.now + gap > ex.horizon:
            return  # beyond the end of the run: nothing to schedule
        yield ex.env.timeout(gap)
        move = threat.campaign_move(rng)
        if actor.id not in ex.world.ceased:
            set_behaviour(ex, actor.id, move, cause="campaign")


def start_retaliation(ex: Engine, proposal: Proposal) -> None:
    """A listing was adopted: the state behind the actor it targets may retaliate, as an action
    of its own (actors.threat.retaliation), recorded as a ``retaliation`` event."""
    actor_id = ex.world.subject_actor()
    actor = ex.scenario.actor(actor_id) if actor_id is not None else None
    if actor is None or not actor.sponsor:
        return
    answer = threat.retaliation(ex.rng("retaliation", actor.id, proposal.id), actor)
    if answer is not None:
        ex.env.process(_retaliate(ex, actor, proposal, *answer))


def _retaliate(ex: Engine, actor: ThreatActor, proposal: Proposal, action: str,
               delay: float) -> ProcessGenerator[None]:  # fmt: skip
    yield ex.env.timeout(delay)
    if action == "expulsion":
        # Diplomats of the capitals that asked for the listing, or else of the victims.
        against = [proposal.by] if proposal.by in ex.roster.codes else ex.world.victims()[:1]
    else:
        against = list(threat.COUNTER_SANCTIONED)
    ex.emit("retaliation", actor=actor.id, sponsor=actor.sponsor, action=action,
            against=against, proposal=proposal.id, measure=proposal.measure)  # fmt: skip
    ex.world_changed()


def set_behaviour(ex: Engine, actor_id: str, action: str, cause: str) -> None:
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


def new_wave(ex: Engine, actor_id: str) -> None:
    """A new incident by ``actor_id`` on the targets of its last one (at most :data:`MAX_WAVES`)."""
    waves = [i for i in ex.world.incidents.values() if i.actor.id == actor_id]
    if not waves or len(waves) >= MAX_WAVES + 1:
        return
    last = waves[-1]
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


def _active_actors(ex: Engine):
    seen = []
    for incident in ex.world.incidents.values():
        if incident.actor.id not in ex.world.ceased and incident.actor not in seen:
            seen.append(incident.actor)
    return seen
