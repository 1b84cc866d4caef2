"""Injects: what the MSEL and the facilitator put into the exercise, and its effect.

Each inject type declared in scenarios/model.py registers here, once, its effect on the exercise
and the few words that say what it does (:func:`sim.narrative.inject_summary`, for lists and
reports where an inject has no message of its own). tests/test_declarations.py checks that every
declared type is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scenarios.vocabulary import ANSWER_INJECTS, ARTICLES

from .. import event_kinds as K
from ..names import body, sector, short
from . import ProcessGenerator, awareness, crisis, incident, reaction
from .blueprint import QUESTION

if TYPE_CHECKING:
    from scenarios.model import InjectBase

    from ..engine import Engine

#: ``effect(ex, inject, params)``: what the inject does to the exercise, now.
Effect = Callable[["Engine", "InjectBase", Any], None]
#: ``summary(params, to)``: what it does in a few words, from MSEL-entry-shaped params.
Summary = Callable[[Mapping[str, Any], str], str]


@dataclass(frozen=True)
class InjectEngine:
    """The engine's half of an inject type's declaration."""

    effect: Effect
    summary: Summary


#: Inject type -> its effect and summary, filled by :func:`registers`.
ENGINE: dict[str, InjectEngine] = {}


def registers(kind: str, summary: Summary) -> Callable[[Effect], Effect]:
    """Decorator: the function is the effect of inject type ``kind``; ``summary`` its words."""

    def register(effect: Effect) -> Effect:
        if kind in ENGINE:
            raise ValueError(f"inject type {kind!r} is registered twice")
        ENGINE[kind] = InjectEngine(effect, summary)
        return effect

    return register


def scheduled(ex: Engine, inject: InjectBase, source: str) -> ProcessGenerator[None]:
    """Process: wait until the inject's time, then apply it."""
    yield ex.until(inject.at)
    if inject.hold and inject.id not in ex.skipped:
        # The clock waits here until the facilitator releases the entry (docs/console.md);
        # nobody can in a headless run, so it is released at once and the record says so.
        ex.emit(K.HELD, source, inject=inject.id)
        if ex.interactive:
            yield ex.await_release(inject.id)
        else:
            ex.emit(K.RELEASED, source, inject=inject.id, by="model")
    ex.scheduled.pop(inject.id, None)
    if inject.id in ex.skipped:
        return
    apply(ex, inject, source)


def apply(ex: Engine, inject: InjectBase, source: str) -> None:
    """The effect of one inject, now (docs/scenario-format.md, *Inject types*)."""
    ex.applied.add(inject.id)
    if inject.type not in ANSWER_INJECTS:  # a delegation's own answer is delivered to nobody
        ex.delivered[inject.id] = tuple(inject.to)
    ex.emit(K.INJECT_APPLIED, source, inject=inject.id, type=inject.type, message=inject.message,
            expected_action=inject.expected_action, to=list(inject.to))  # fmt: skip
    ENGINE[inject.type].effect(ex, inject, inject.params)


# -- the built-in inject types, in the order of their declarations --------------------------------


def _targets(p: Mapping[str, Any]) -> str:
    return ", ".join(f"{t.get('state')} ({sector(str(t.get('sector')))})" for t in p.get("targets", []))


@registers("incident", lambda p, to: f"{p.get('id')}: {p.get('actor')} hits {_targets(p)}")
def _incident(ex: Engine, inject: InjectBase, p: Any) -> None:
    incident.open_incident(ex, p)


def _change(p: Mapping[str, Any]) -> str:
    return ", ".join(f"{c} {d:+d}" for c, d in (p.get("severity") or {}).items() if d)


@registers("escalate", lambda p, to: f"{p.get('incident')} escalates ({_change(p)})")
def _escalate(ex: Engine, inject: InjectBase, p: Any) -> None:
    incident.escalate(ex, p.incident, {k: v for k, v in p.severity.model_dump().items() if v})


@registers(
    "intel",
    lambda p, to: (
        f"intelligence to {to}: confidence {p.get('confidence', 0):+.0%} on {p.get('actor')}"
    ),
)
def _intel(ex: Engine, inject: InjectBase, p: Any) -> None:
    for code in inject.to:
        awareness.change_confidence(ex, code, p.actor, p.confidence, cause="intel")
        ex.env.process(awareness.gather_evidence(ex, code, p.actor))


@registers(
    "attribute",
    lambda p, to: (
        f"{', '.join([*p.get('states', []), *p.get('partners', [])])} attribute to {p.get('actor')}"
    ),
)
def _attribute(ex: Engine, inject: InjectBase, p: Any) -> None:
    for code in p.states:
        awareness.attribute(ex, code, p.actor, source="inject")
    for code in p.partners:
        awareness.attribute_partner(ex, code, p.actor, source="inject")


@registers(
    "media",
    lambda p, to: f"media pressure {p.get('pressure', 0):.0%}" + (f" on {to}" if to else ""),
)
def _media(ex: Engine, inject: InjectBase, p: Any) -> None:
    for code in inject.to or list(ex.roster.codes):
        before = ex.world.pressure.get(code, 0.0)
        ex.world.pressure[code] = round(before + p.pressure * (1.0 - before), 4)
    ex.emit(K.PRESSURE, states=list(inject.to), pressure=p.pressure)
    ex.world_changed()


@registers(
    "position",
    lambda p, to: (
        f"{p.get('state')}: {str(p.get('stance', '')).replace('_', ' ')} "
        f"on {short(str(p.get('measure')))}"
    ),
)
def _position(ex: Engine, inject: InjectBase, p: Any) -> None:
    ex.emit(K.POSITION_FIXED, state=p.state, measure=p.measure, position=p.stance,
            statement=inject.message)  # fmt: skip
    # Awaited, it is the answer to the text on the table (a redraft or a later vote asks
    # again); given beforehand, it holds for the measure until the end.
    if not ex.position_answered(p.state, p.measure, p.stance):
        ex.world.fixed_positions[(p.state, p.measure)] = p.stance


@registers(
    "meeting",
    lambda p, to: (
        f"{'extraordinary ' if p.get('extraordinary') else ''}{body(str(p.get('body')))} meeting"
    ),
)
def _meeting(ex: Engine, inject: InjectBase, p: Any) -> None:
    ex.bodies[p.body].request(p.extraordinary, by="inject")


@registers("propose", lambda p, to: f"{p.get('by')} proposes {short(str(p.get('measure')))}")
def _propose(ex: Engine, inject: InjectBase, p: Any) -> None:
    ex.propose(p.measure, p.by, source="inject", naming=p.naming)


@registers("invoke", lambda p, to: f"{p.get('by')} invokes Art. {p.get('article')}")
def _invoke(ex: Engine, inject: InjectBase, p: Any) -> None:
    # Art. 42(7) TEU / Art. 222 TFEU leave the response ladder: the state attacked invokes them
    # and they open an assistance track (aid, the crisis arrangements), not a sanction.
    measure = ARTICLES[p.article]
    ex.emit(K.INVOKED, article=p.article, measure=measure, by=p.by)
    ex.emit(K.ASSISTANCE, article=p.article, measure=measure, by=p.by,
            track="aid from member states; IPCR crisis arrangements")  # fmt: skip
    ex.world_changed()


@registers("adversary", lambda p, to: f"threat actor: {str(p.get('action', '')).replace('_', ' ')}")
def _adversary(ex: Engine, inject: InjectBase, p: Any) -> None:
    for actor in ex.scenario.threat_actors:
        if any(i.actor.id == actor.id for i in ex.world.incidents.values()):
            reaction.set_behaviour(ex, actor.id, p.action, cause="inject")


@registers("note", lambda p, to: str(p.get("text", "")))
def _note(ex: Engine, inject: InjectBase, p: Any) -> None:
    ex.emit(K.NOTE, text=p.text, to=list(inject.to))


# -- the crisis track of a large-scale incident (sim/stages/crisis.py) ---------------------------


@registers("csirts_report", lambda p, to: "CSIRTs Network technical report")
def _csirts_report(ex: Engine, inject: InjectBase, p: Any) -> None:
    crisis.technical_report(ex, p.confidence)


@registers("cyclone", lambda p, to: f"EU-CyCLONe {p.get('level', 'officers')} meeting called")
def _cyclone(ex: Engine, inject: InjectBase, p: Any) -> None:
    crisis.call_cyclone(ex, p.level)


@registers("ipcr", lambda p, to: f"IPCR: {str(p.get('mode', '')).replace('_', '-')}")
def _ipcr(ex: Engine, inject: InjectBase, p: Any) -> None:
    crisis.ipcr(ex, p.mode)


@registers(
    "reserve",
    lambda p, to: (
        f"EU Cybersecurity Reserve "
        f"{'requested by' if p.get('action') == 'request' else 'deployed to'} {p.get('state')}"
    ),
)
def _reserve(ex: Engine, inject: InjectBase, p: Any) -> None:
    crisis.reserve_inject(ex, p.state, p.action)


@registers("agency", lambda p, to: f"{p.get('state')} agency at CyCLONe: {p.get('contribution')}")
def _agency(ex: Engine, inject: InjectBase, p: Any) -> None:
    # Awaited, it is the played agency's answer at this meeting; given beforehand, it holds for
    # every meeting to come.
    answering = ex.position_answered(p.state, QUESTION, p.contribution)
    crisis.agency(ex, p.state, p.contribution, answering)
