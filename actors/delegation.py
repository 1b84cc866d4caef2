"""Delegations in the PSC and the Council: positions on a proposal and how they move.

A delegation's stance on a proposal is a number in [-1, 1] built from what it can observe.
Deliberation moves stances with a Friedkin-Johnsen update on the influence network,
x(k+1) = Λ W x(k) + (I - Λ) x(0), and a final stance maps to a position through thresholds.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul

from scenarios.measures import MEASURES_DECLARED
from scenarios.vocabulary import NAMING_LEVELS

from .roster import MemberState

#: Confidence in attribution a delegation wants before it backs each measure.
EVIDENCE_NEEDED = {m.id: m.evidence_needed for m in MEASURES_DECLARED}
#: Political and economic cost of each measure to a delegation, before ties.
MEASURE_COST = {m.id: m.cost for m in MEASURES_DECLARED}
#: Weights of the initial stance (docs/model.md). Evidence weighs more than severity since the
#: politics issue (13): a grave incident with a weak assessment no longer carries a declaration.
W_STANCE, W_SEVERITY, W_EXPOSURE, W_EVIDENCE, W_PRESSURE, W_TIES = 0.35, 0.55, 0.5, 1.0, 0.3, 1.0
#: How much ties to the suspected sponsor weigh on each measure (scenarios/measures.py).
TIES_FACTOR = {m.id: m.ties_factor for m in MEASURES_DECLARED}

#: How a text names the perpetrator, weakest first: no name, "from the territory of X", the
#: state (or its service). July 2021: the EU said "from the territory of China" while the UK
#: and US named the Ministry of State Security (docs/model.md, *Wording*).
NAMING: tuple[str, ...] = NAMING_LEVELS
#: Measures whose text names (or not) the perpetrator.
WORDED = tuple(m.id for m in MEASURES_DECLARED if m.worded)
#: How much of a delegation's ties weigh on a worded text at each naming level.
NAMING_WEIGHT = {"none": 0.25, "territory": 0.6, "state": 1.0}
#: Art. 31(1) TEU: formal (constructive) abstention exists for CFSP decisions, here a listing;
#: declarations and conclusions are agreed by consensus (an abstention there is a plain one).
ART31_MEASURES = ("listing",)

#: Per-run instructions: each delegation's stance and ties are drawn around its profile with a
#: normal spread of this size (clipped to the attribute's range); a scenario pins them with
#: ``procedure.instruction_spread: 0``.
INSTRUCTION_SPREAD = 0.15
#: A delegation whose drawn ties to the sponsor reach this level has a red line: it opposes
#: naming the sponsor state, whatever its peers say; a listing of the sponsor's people is a red
#: line only from :data:`LISTING_RED_LINE_TIE` (every cyber listing brought to the Council since
#: 2019 was adopted: the long preparation brings reluctant capitals along).
RED_LINE_TIE = 0.7
LISTING_RED_LINE_TIE = 0.9
#: On a listing a reluctant capital has Art. 31(1)'s way out, a formal abstention; it vetoes only
#: with a stance below this (or a red line).
LISTING_VETO_AT = -0.6

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


@dataclass(frozen=True)
class Instructions:
    """What a capital tells its delegation for this run, drawn around the state's profile."""

    stance: float
    ties: tuple[tuple[str, float], ...]

    def tie(self, sponsor: str | None) -> float:
        for code, weight in self.ties:
            if code == sponsor:
                return weight
        return 0.0


def draw_instructions(
    rng: random.Random, state: MemberState, spread: float, sponsors: Sequence[str] | None = None
) -> Instructions:
    """This run's instructions for ``state``: stance ~ N(profile, spread) clipped to [-1, 1];
    each non-zero tie ~ N(profile, spread) clipped to [0, 1] (a state with no ties gets none).
    ``sponsors`` (default: all) limits the draws to the ties that can matter in this run."""
    if spread <= 0.0:
        return Instructions(state.stance, state.ties)
    gauss = rng.gauss
    stance = max(-1.0, min(1.0, state.stance + gauss(0.0, spread)))
    ties = state.ties
    if ties:
        drawn = []
        for code, w in ties:
            if w > 0 and (sponsors is None or code in sponsors):
                w = round(max(0.0, min(1.0, w + gauss(0.0, spread))), 4)
            drawn.append((code, w))
        ties = tuple(drawn)
    return Instructions(round(stance, 4), ties)


def red_line(instructions: Instructions, measure: str, naming: str, sponsor: str | None) -> bool:
    """True when the capital forbids its delegation to accept this text: naming the sponsor
    state in a declaration or conclusions, or listing its people, with strong ties to it."""
    if sponsor is None:
        return False
    return instructions.tie(sponsor) >= red_line_tie(measure, naming)


def red_line_tie(measure: str, naming: str) -> float:
    """The tie to the sponsor from which a capital forbids this text (infinite: no red line)."""
    if measure == "listing":
        return LISTING_RED_LINE_TIE
    return RED_LINE_TIE if measure in WORDED and naming == "state" else math.inf


def initial_stance(
    state: MemberState,
    measure: str,
    obs: Observation,
    instructions: Instructions | None = None,
    naming: str = "state",
) -> float:
    """Stance in [-1, 1] on ``measure`` before deliberation.

    Increasing in evidence, severity, exposure and pressure; decreasing in ties to the suspected
    sponsor (weighed by how the text names it) and in the measure's cost. ``instructions``
    (default: the state's profile) give the run's stance and ties.
    """
    if instructions is None:
        instructions = Instructions(state.stance, state.ties)
    return stance_on(
        measure, naming, instructions.stance, instructions.tie(obs.sponsor), obs.severity,
        obs.exposure, obs.confidence, obs.pressure,
    )  # fmt: skip


def stance_on(
    measure: str,
    naming: str,
    stance: float,
    tie: float,
    severity: float,
    exposure: float,
    confidence: float,
    pressure: float,
) -> float:
    """:func:`initial_stance` from its parts: the instructions' stance and tie to the sponsor,
    and the four observed quantities (the form the PSC stage calls for every delegation)."""
    factor = TIES_FACTOR[measure] * (NAMING_WEIGHT[naming] if measure in WORDED else 1.0)
    x = (
        W_STANCE * stance
        + W_SEVERITY * severity
        + W_EXPOSURE * exposure
        + W_EVIDENCE * (confidence - EVIDENCE_NEEDED[measure])
        + W_PRESSURE * pressure
        - W_TIES * (tie * factor)
        - MEASURE_COST[measure]
    )
    return -1.0 if x < -1.0 else (1.0 if x > 1.0 else x)


def deliberate(
    x0: Sequence[float],
    weights: Sequence[Sequence[float]],
    susceptibility: Sequence[float],
    rounds: int,
    fixed: Sequence[bool] | None = None,
) -> list[float]:
    """Friedkin-Johnsen rounds. Delegations with ``fixed`` positions do not move (they still
    influence others)."""
    x = list(x0)
    # Who moves, with what it needs: its row of W, its susceptibility and its anchor.
    movers = [
        (i, weights[i], susceptibility[i], (1.0 - susceptibility[i]) * x0[i])
        for i in range(len(x0))
        if fixed is None or not fixed[i]
    ]
    for _ in range(rounds):
        new = x.copy()  # the fixed keep their stance
        for i, row, lam, anchor in movers:
            new[i] = lam * sum(map(mul, row, x)) + anchor
        x = new
    return x


def position(stance: float, measure: str = "listing") -> str:
    """Map a final stance to a position (a formal abstention only where Art. 31(1) applies)."""
    if stance >= SUPPORT_AT:
        return "support"
    if stance >= ABSTAIN_AT:
        return "abstain"
    if measure in ART31_MEASURES:
        return "constructive_abstention" if stance >= LISTING_VETO_AT else "oppose"
    if stance >= CONSTRUCTIVE_AT:
        return "abstain"  # no formal abstention outside Art. 31(1): a plain one
    return "oppose"


def spread(stances: Sequence[float]) -> float:
    """Distance between the extreme positions around the table (0..2): what a chair must bridge."""
    return max(stances) - min(stances) if stances else 0.0


#: Representative stance of each position, for delegations whose position is fixed by people.
STANCE_OF_POSITION = {
    "support": 0.6,
    "abstain": 0.0,
    "constructive_abstention": -0.25,
    "oppose": -0.7,
}
