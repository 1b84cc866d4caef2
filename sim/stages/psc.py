"""PSC (and Council votes): delegations form positions, deliberate, and the rule decides.

Each delegation's initial stance comes from what it observes (actors.delegation); stances move
by Friedkin-Johnsen rounds on the influence network; positions fixed by people (``position``
injects, played delegations) override the model. The scenario's decision rule then applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.delegation import STANCE_OF_POSITION, Observation, deliberate, initial_stance, position
from actors.networks import influence_matrix

from .. import voting
from ..world import Status
from . import ProcessGenerator

if TYPE_CHECKING:
    from actors.roster import MemberState

    from ..exercise import Exercise
    from ..world import Proposal


def decide(
    ex: Exercise, proposal: Proposal, body: str = "psc", wait: bool = True
) -> ProcessGenerator[voting.Outcome]:
    """Process step: take ``proposal`` at the next sitting of ``body`` and vote; returns the Outcome."""
    if wait:
        yield ex.bodies[body].sitting(f"{proposal.id}: decide on {proposal.measure}")
    proposal.status = Status.DELIBERATING
    positions = yield from delegation_positions(ex, proposal, body)
    population = {s.code: s.population for s in ex.roster}
    outcome = voting.decide(ex.scenario.decision_rule, positions, population)
    ex.emit(
        "decision",
        body=body,
        proposal=proposal.id,
        measure=proposal.measure,
        adopted=outcome.adopted,
        rule=outcome.rule,
        reason=outcome.reason,
        support=len(outcome.support),
        abstain=len(outcome.abstain),
        constructive_abstention=len(outcome.constructive),
        oppose=len(outcome.oppose),
        blockers=list(outcome.blockers),
        cohesion=round(outcome.cohesion, 4),
    )
    return outcome


def observation(
    ex: Exercise, state: MemberState, victim_regions: set[str], victims: list[str], severity: float
) -> Observation:
    """What delegation ``state`` sees of the crisis when it forms its initial stance."""
    assessment = ex.world.assessment
    shared = ex.world.assessed_confidence() if ex.world.awareness is not None else 0.0
    actor_id = assessment.actor if assessment is not None else None
    own = ex.world.confidence.get(state.code, {}).get(actor_id, 0.0) if actor_id else 0.0
    if state.code in victims:
        exposure = 1.0
    elif any(region in victim_regions for region in state.regions):
        exposure = 0.5
    else:
        exposure = 0.0
    return Observation(
        severity=severity,
        exposure=exposure,
        confidence=max(shared, own),
        pressure=ex.world.pressure.get(state.code, 0.0),
        sponsor=assessment.sponsor if assessment is not None else None,
    )


def delegation_positions(ex: Exercise, proposal: Proposal, body: str):
    """Process step: every delegation's position on ``proposal``; may wait for played delegations."""
    measure = proposal.measure
    codes, weights = influence_matrix(ex.roster)
    states = list(ex.roster)  # in roster order, as ``codes``
    victims = ex.world.victims()
    victim_regions = {r for c in victims for r in ex.roster[c].regions}
    severity = ex.world.severity()
    fixed = [ex.world.fixed_positions.get((c, measure)) for c in codes]
    x0 = [
        STANCE_OF_POSITION[f]
        if f
        else initial_stance(s, measure, observation(ex, s, victim_regions, victims, severity))
        for s, f in zip(states, fixed, strict=True)
    ]
    stances = deliberate(
        x0,
        weights,
        [s.susceptibility for s in states],
        ex.timing.deliberation_rounds,
        [f is not None for f in fixed],
    )
    positions = {c: (f or position(x)) for c, f, x in zip(codes, fixed, stances, strict=True)}
    by = {c: ("fixed" if f else "model") for c, f in zip(codes, fixed, strict=True)}

    asked = [c for c in ex.players if by[c] == "model"]
    if asked:
        # What the other delegations are about to say, so the people at the table can weigh it.
        others = {c: positions[c] for c in codes if c not in asked}
        for code in asked:
            ex.emit("decision_request", state=code, proposal=proposal.id, measure=measure, body=body,
                    advice=positions[code], others=others)  # fmt: skip
        if ex.interactive:
            yield ex.await_positions(asked, proposal, body)
            for code in asked:
                positions[code] = ex.world.fixed_positions[(code, measure)]
                by[code] = "player"
    for i, code in enumerate(codes):
        ex.emit("position", state=code, proposal=proposal.id, measure=measure, body=body,
                position=positions[code], stance=round(stances[i], 4), by=by[code])  # fmt: skip
    return positions
