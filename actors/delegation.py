"""Delegations in the PSC and the Council: positions on a proposal and how they move.

A delegation's stance on a proposal is a number in [-1, 1] built from what it can observe.
Deliberation moves stances with a Friedkin-Johnsen update on the influence network,
x(k+1) = Λ W x(k) + (I - Λ) x(0), and a final stance maps to a position through thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul

from scenarios.measures import MEASURES_DECLARED

from .roster import MemberState

#: Confidence in attribution a delegation wants before it backs each measure.
EVIDENCE_NEEDED = {m.id: m.evidence_needed for m in MEASURES_DECLARED}
#: Political and economic cost of each measure to a delegation, before ties.
MEASURE_COST = {m.id: m.cost for m in MEASURES_DECLARED}
#: Weights of the initial stance (docs/model.md).
W_STANCE, W_SEVERITY, W_EXPOSURE, W_EVIDENCE, W_PRESSURE, W_TIES = 0.35, 0.9, 0.5, 0.6, 0.3, 1.0
#: How much ties to the suspected sponsor weigh on each measure (scenarios/measures.py).
TIES_FACTOR = {m.id: m.ties_factor for m in MEASURES_DECLARED}

#: Thresholds from final stance to position: support above, oppose below.
SUPPORT_AT = 0.1
ABSTAIN_AT = -0.15
CONSTRUCTIVE_AT = -0.35


@dataclass(frozen=True)
class Observation:
    """What a delegation knows when it forms its view on a proposal."""

    severity: float  # 0..1, the incident as the Union now sees it
    exposure: float  # 0..1: 1 if it was hit, 0.5 if a close partner was, else 0
    confidence: float  # 0..1, the shared assessment's confidence in attribution
    pressure: float  # 0..1, public pressure on this delegation
    sponsor: str | None  # the suspected sponsor, if the assessment names one


def initial_stance(state: MemberState, measure: str, obs: Observation) -> float:
    """Stance in [-1, 1] on ``measure`` before deliberation.

    Increasing in evidence, severity, exposure and pressure; decreasing in ties to the suspected
    sponsor and in the measure's cost.
    """
    ties = state.tie(obs.sponsor) * TIES_FACTOR[measure]
    x = (
        W_STANCE * state.stance
        + W_SEVERITY * obs.severity
        + W_EXPOSURE * obs.exposure
        + W_EVIDENCE * (obs.confidence - EVIDENCE_NEEDED[measure])
        + W_PRESSURE * obs.pressure
        - W_TIES * ties
        - MEASURE_COST[measure]
    )
    return max(-1.0, min(1.0, x))


def deliberate(
    x0: Sequence[float],
    weights: Sequence[Sequence[float]],
    susceptibility: Sequence[float],
    rounds: int,
    fixed: Sequence[bool] | None = None,
) -> list[float]:
    """Friedkin-Johnsen rounds. Delegations with ``fixed`` positions do not move (they still
    influence others)."""
    n = len(x0)
    x = list(x0)
    for _ in range(rounds):
        new = []
        for i in range(n):
            if fixed is not None and fixed[i]:
                new.append(x[i])
                continue
            peer = sum(map(mul, weights[i], x))
            lam = susceptibility[i]
            new.append(lam * peer + (1.0 - lam) * x0[i])
        x = new
    return x


def position(stance: float) -> str:
    """Map a final stance to a position."""
    if stance >= SUPPORT_AT:
        return "support"
    if stance >= ABSTAIN_AT:
        return "abstain"
    if stance >= CONSTRUCTIVE_AT:
        return "constructive_abstention"
    return "oppose"


#: Representative stance of each position, for delegations whose position is fixed by people.
STANCE_OF_POSITION = {
    "support": 0.6,
    "abstain": 0.0,
    "constructive_abstention": -0.25,
    "oppose": -0.7,
}
