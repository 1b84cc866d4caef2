"""Injects: what the MSEL and the facilitator put into the exercise, and its effect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scenarios.vocabulary import ARTICLES

from . import awareness, incident, reaction

if TYPE_CHECKING:
    from scenarios.model import InjectBase

    from ..exercise import Exercise


def scheduled(ex: Exercise, inject: InjectBase, source: str):
    """Process: wait until the inject's time, then apply it."""
    yield ex.until(inject.at)
    ex.scheduled.pop(inject.id, None)
    if inject.id in ex.skipped:
        return
    apply(ex, inject, source)


def apply(ex: Exercise, inject: InjectBase, source: str) -> None:
    """The effect of one inject, now (docs/scenario-format.md, *Inject types*)."""
    p = inject.params
    kind = inject.type
    ex.applied.add(inject.id)
    ex.emit("inject_applied", source, inject=inject.id, type=kind, message=inject.message,
            expected_action=inject.expected_action)  # fmt: skip
    if kind == "incident":
        incident.open_incident(ex, p)
    elif kind == "escalate":
        incident.escalate(ex, p.incident, {k: v for k, v in p.severity.model_dump().items() if v})
    elif kind == "intel":
        for code in inject.to:
            awareness.change_confidence(ex, code, p.actor, p.confidence, cause="intel")
            ex.env.process(awareness.gather_evidence(ex, code, p.actor))
    elif kind == "attribute":
        for code in p.states:
            awareness.attribute(ex, code, p.actor, source="inject")
        for code in p.partners:
            awareness.attribute_partner(ex, code, p.actor, source="inject")
    elif kind == "media":
        for code in inject.to or list(ex.roster.codes):
            before = ex.world.pressure.get(code, 0.0)
            ex.world.pressure[code] = round(before + p.pressure * (1.0 - before), 4)
        ex.emit("pressure", states=list(inject.to), pressure=p.pressure)
        ex.world_changed()
    elif kind == "position":
        ex.world.fixed_positions[(p.state, p.measure)] = p.stance
        ex.emit("position_fixed", state=p.state, measure=p.measure, position=p.stance,
                statement=inject.message)  # fmt: skip
        ex.position_answered(p.state, p.measure)
    elif kind == "meeting":
        body = ex.bodies[p.body]
        body.request(p.extraordinary, by="inject")
    elif kind == "propose":
        ex.propose(p.measure, p.by, source="inject", naming=p.naming)
    elif kind == "invoke":
        # Art. 42(7) TEU / Art. 222 TFEU leave the response ladder: the state attacked invokes
        # them and they open an assistance track (aid, the crisis arrangements), not a sanction.
        measure = ARTICLES[p.article]
        ex.emit("invoked", article=p.article, measure=measure, by=p.by)
        ex.emit("assistance", article=p.article, measure=measure, by=p.by,
                track="aid from member states; IPCR crisis arrangements")  # fmt: skip
        ex.world_changed()
    elif kind == "adversary":
        for actor in ex.scenario.threat_actors:
            if any(i.actor.id == actor.id for i in ex.world.incidents.values()):
                reaction.set_behaviour(ex, actor.id, p.action, cause="inject")
    elif kind == "note":
        ex.emit("note", text=p.text, to=list(inject.to))
