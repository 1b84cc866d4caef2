"""Delegations in the PSC and the Council: positions on a proposal and how they move.

A delegation's view of a text is the compromise model's three quantities (Thomson et al., *The
European Union Decides*, 2006): a position in [-1, 1] built from its instructions and what it
observes, a salience (how much the text matters to it) and a reservation point (the least it
accepts). Deliberation moves positions with a Friedkin-Johnsen update on the influence network,
x(k+1) = Λ W x(k) + (I - Λ) x(0), Λ each delegation's susceptibility damped by its salience; a
red line (below the reservation point, high salience) does not move. A final position maps to
support, abstention or veto through thresholds and the salience.
"""

from __future__ import annotations

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
#: Weights of the position (docs/model.md, *Positions*). The capital's instructed stance weighs
#: as much as the evidence since issue 22 (0.35 before: a hostile capital still backed a listing
#: once its peers had spoken, and stance moved no outcome). Severity counts twice: what the Union
#: suffers (``W_SEVERITY``) and what the capital itself suffers (``W_EXPOSURE`` x its exposure).
W_STANCE, W_SEVERITY, W_EXPOSURE, W_EVIDENCE, W_PRESSURE, W_TIES = 0.7, 0.55, 0.5, 1.0, 0.3, 1.2
#: Evidence beyond what a measure needs counts for this share of its weight: evidence short of
#: the need is a reason to refuse, a surplus convinces less (a capital convinced is convinced).
EVIDENCE_SURPLUS = 0.5
#: A capital that has named the actor itself backs a text that says what it said: a listing, or
#: a declaration or conclusions that name the actor (not one that names no one).
W_OWN_ATTRIBUTION = 0.2
#: Memory: a capital that has vetoed a text once has said so in the room; backing down costs
#: it face (audience costs), so if the same wording comes back its position is this much lower
#: and the text matters this much more to it (a weaker wording is a new text: no such cost).
COMMITTED_POSITION, COMMITTED_SALIENCE = 0.15, 0.15
#: How much ties to the suspected sponsor weigh on each measure (scenarios/measures.py).
TIES_FACTOR = {m.id: m.ties_factor for m in MEASURES_DECLARED}

#: How a text names the perpetrator, weakest first: no name, "from the territory of X", the
#: state (or its service). July 2021: the EU said "from the territory of China" while the UK
#: and US named the Ministry of State Security (docs/model.md, *Wording*).
NAMING: tuple[str, ...] = NAMING_LEVELS
#: Measures whose text names (or not) the perpetrator.
WORDED = tuple(m.id for m in MEASURES_DECLARED if m.worded)
#: How much of a delegation's ties weigh on a worded text at each naming level.
NAMING_WEIGHT = {"none": 0.4, "territory": 0.65, "state": 1.0}
#: Art. 31(1) TEU: formal (constructive) abstention exists for CFSP decisions, here a listing;
#: declarations and conclusions are agreed by consensus (an abstention there is a plain one).
ART31_MEASURES = ("listing",)

#: Per-run instructions: each delegation's stance and ties are drawn around its profile with a
#: normal spread of this size (clipped to the attribute's range); a scenario pins them with
#: ``procedure.instruction_spread: 0``.
INSTRUCTION_SPREAD = 0.15
#: Salience: how much a text matters to a capital, 0..1 (Thomson et al. 2006: each actor has a
#: position, a salience and a capability; under unanimity every delegation's capability is a
#: veto). A base, what the incident does to the capital itself, its ties to the sponsor as the
#: text weighs them (a text naming the state touches them most), and how firmly it is instructed
#: either way. Evidence does not enter: it moves the position, not how much the text matters.
SALIENCE_BASE = 0.1
SALIENCE_EXPOSURE = 0.4  # x exposure x severity: the victim cares about the answer
SALIENCE_TIES = 0.8  # x tie x ties factor x naming weight: the tied capital cares about the name
SALIENCE_STANCE = 0.3  # x |stance|: a capital with firm instructions either way
#: A capital whose position falls below its reservation point vetoes only if the text matters
#: this much to it: a veto alone against the table has a price (cheaper to abstain).
VETO_SALIENCE = 0.35
#: A red line is a reservation point held with this much salience: the delegation does not move
#: in deliberation, and holds the line at every redraft that leaves the text below its
#: reservation point (docs/model.md, *Red lines*).
RED_LINE_SALIENCE = 0.6
#: A formal (constructive) abstention on a listing puts on record that the capital is not bound:
#: only one that cares this much takes the step; others abstain plainly. Rare, as in the record
#: (no formal abstention on a cyber listing since 2019).
CONSTRUCTIVE_SALIENCE = 0.95
#: On a listing a reluctant capital has Art. 31(1)'s way out, a formal abstention; it vetoes only
#: with a stance below this (its reservation point on a listing).
LISTING_VETO_AT = -0.7

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


@dataclass(frozen=True)
class View:
    """A delegation's view of one text (the compromise model's three quantities): where it
    stands (``position``, -1..1), how much the text matters to it (``salience``, 0..1), and the
    least it can accept (``reservation``: below it the delegation vetoes, if it cares enough)."""

    position: float
    salience: float
    reservation: float

    @property
    def red_line(self) -> bool:
        """Below its reservation point and held with high salience: the delegation opposes
        whatever its peers say (it does not move in deliberation)."""
        return self.salience >= RED_LINE_SALIENCE and self.position < self.reservation


def reservation_point(measure: str) -> float:
    """The lowest stance at which a delegation still lets ``measure`` pass (abstains): below it
    it vetoes, if the text matters enough to it (:data:`VETO_SALIENCE`)."""
    return LISTING_VETO_AT if measure in ART31_MEASURES else CONSTRUCTIVE_AT


def salience(
    measure: str, naming: str, stance: float, tie: float, severity: float, exposure: float
) -> float:
    """How much the text matters to the capital, 0..1: never lower for stronger ties, a text that
    names more, a graver incident for the capital hit, or firmer instructions
    (:func:`views_on` holds the formula)."""
    return views_on(measure, naming, severity, [(stance, tie, exposure, 0.0, 0.0, False, 1.0, False)])[0][1]


def ties_factor(measure: str, naming: str) -> float:
    """How much of a capital's ties to the sponsor bear on ``measure`` worded ``naming``."""
    return TIES_FACTOR[measure] * (NAMING_WEIGHT[naming] if measure in WORDED else 1.0)


def red_line(instructions: Instructions, measure: str, naming: str, obs: Observation) -> bool:
    """True when the capital forbids its delegation to accept this text (:attr:`View.red_line`)."""
    return view_of(instructions, measure, naming, obs).red_line


def view_of(
    instructions: Instructions,
    measure: str,
    naming: str,
    obs: Observation,
    attributed: bool = False,
    narrowed: float = 1.0,
    committed: bool = False,
) -> View:
    """The delegation's :class:`View` of ``measure`` worded ``naming``, from its instructions
    and what it observes (``attributed``: its capital has named the actor itself; ``narrowed``:
    the share of the ties term a re-tabled, narrower listing package still touches;
    ``committed``: it vetoed an earlier version of this text)."""
    tie = instructions.tie(obs.sponsor)
    return view_on(
        measure, naming, instructions.stance, tie, obs.severity, obs.exposure, obs.confidence,
        obs.pressure, attributed, narrowed, committed,
    )  # fmt: skip


def view_on(
    measure: str,
    naming: str,
    stance: float,
    tie: float,
    severity: float,
    exposure: float,
    confidence: float,
    pressure: float,
    attributed: bool = False,
    narrowed: float = 1.0,
    committed: bool = False,
) -> View:
    """:func:`view_of` from its parts; ``committed``: it vetoed an earlier version of this text
    (:data:`COMMITTED_POSITION`). One delegation's row of :func:`views_on`."""
    row = (stance, tie, exposure, confidence, pressure, attributed, narrowed, committed)
    x, s, _ = views_on(measure, naming, severity, [row])[0]
    return View(x, s, reservation_point(measure))


#: One delegation's inputs to :func:`views_on`: stance and tie (its instructions), exposure,
#: evidence confidence, pressure, whether its capital named the actor, the share of the ties
#: a narrower package still touches, whether it vetoed an earlier version of the text.
ViewRow = tuple[float, float, float, float, float, bool, float, bool]


def views_on(
    measure: str, naming: str, severity: float, rows: Sequence[ViewRow]
) -> list[tuple[float, float, bool]]:
    """(position, salience, red line) of each row's delegation on ``measure`` worded
    ``naming``: the compromise model's formulas (docs/model.md, *Positions*), written once and
    for the whole table at a time (the PSC asks it for 27 delegations at every reading).

    position = W_STANCE*stance + W_SEVERITY*severity + W_EXPOSURE*exposure*(0.5 + 0.5*severity)
    + W_EVIDENCE*evidence margin (EVIDENCE_SURPLUS of a surplus) + W_PRESSURE*pressure
    + W_OWN_ATTRIBUTION [its capital named the actor and the text says who] - W_TIES*tie*factor
    - the measure's cost, clamped to [-1, 1]; salience = SALIENCE_BASE + SALIENCE_EXPOSURE*
    exposure*severity + SALIENCE_TIES*tie*factor + SALIENCE_STANCE*|stance|, at most 1."""
    factor = ties_factor(measure, naming)
    needed, cost = EVIDENCE_NEEDED[measure], MEASURE_COST[measure]
    says = says_it(measure, naming)
    reservation = reservation_point(measure)
    out = []
    for stance, tie, exposure, confidence, pressure, attributed, narrowed, committed in rows:
        tie = tie * narrowed
        margin = confidence - needed
        x = (
            W_STANCE * stance
            + W_SEVERITY * severity
            + W_EXPOSURE * exposure * (0.5 + 0.5 * severity)
            + W_EVIDENCE * (margin if margin < 0.0 else EVIDENCE_SURPLUS * margin)
            + W_PRESSURE * pressure
            + (W_OWN_ATTRIBUTION if attributed and says else 0.0)
            - W_TIES * (tie * factor)
            - cost
        )
        x = -1.0 if x < -1.0 else (1.0 if x > 1.0 else x)
        s = (
            SALIENCE_BASE
            + SALIENCE_EXPOSURE * exposure * severity
            + SALIENCE_TIES * tie * factor
            + SALIENCE_STANCE * abs(stance)
        )
        s = 1.0 if s > 1.0 else s
        if committed:
            x, s = max(-1.0, x - COMMITTED_POSITION), min(1.0, s + COMMITTED_SALIENCE)
        out.append((x, s, s >= RED_LINE_SALIENCE and x < reservation))
    return out


def initial_stance(
    state: MemberState,
    measure: str,
    obs: Observation,
    instructions: Instructions | None = None,
    naming: str = "state",
    attributed: bool = False,
) -> float:
    """Stance in [-1, 1] on ``measure`` before deliberation.

    Increasing in evidence, severity, exposure, pressure and the capital's own attribution;
    decreasing in ties to the suspected sponsor (weighed by how the text names it) and in the
    measure's cost. ``instructions`` (default: the state's profile) give the run's stance and
    ties.
    """
    if instructions is None:
        instructions = Instructions(state.stance, state.ties)
    return stance_on(
        measure, naming, instructions.stance, instructions.tie(obs.sponsor), obs.severity,
        obs.exposure, obs.confidence, obs.pressure, attributed,
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
    attributed: bool = False,
) -> float:
    """:func:`initial_stance` from its parts: the instructions' stance and tie to the sponsor,
    and the observed quantities (:func:`views_on` holds the formula)."""
    row = (stance, tie, exposure, confidence, pressure, attributed, 1.0, False)
    return views_on(measure, naming, severity, [row])[0][0]


def says_it(measure: str, naming: str) -> bool:
    """Whether ``measure`` worded ``naming`` says who did it (a listing always does)."""
    return naming != NAMING[0] or measure not in WORDED


def susceptibility_on(susceptibility: float, salience: float) -> float:
    """How far peers move a delegation on this text: its general susceptibility, less the more
    the text matters to it (the table presses hardest on those who care least)."""
    return susceptibility * (1.0 - salience)


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


def position(stance: float, measure: str = "listing", salience: float = 1.0) -> str:
    """Map a final stance to a position. Below the reservation point a delegation vetoes only if
    the text matters to it (:data:`VETO_SALIENCE`); a formal abstention exists only where
    Art. 31(1) applies, and only a deeply reluctant capital (below :data:`CONSTRUCTIVE_AT`) that
    cares (:data:`CONSTRUCTIVE_SALIENCE`) takes it."""
    if stance >= SUPPORT_AT:
        return "support"
    if stance >= ABSTAIN_AT:
        return "abstain"
    if stance < reservation_point(measure) and salience >= VETO_SALIENCE:
        return "oppose"
    if measure in ART31_MEASURES and stance < CONSTRUCTIVE_AT and salience >= CONSTRUCTIVE_SALIENCE:
        return "constructive_abstention"  # deeply reluctant, short of a veto, and on record
    return "abstain"  # a plain one: outside Art. 31(1), or it does not care enough


def answer(view: View, measure: str, stance: float | None = None) -> str:
    """A delegation's position on ``measure`` from its view: ``oppose`` at a red line, else
    :func:`position` of ``stance`` (after deliberation; default: its view's own position)."""
    if view.red_line:
        return "oppose"
    return position(view.position if stance is None else stance, measure, view.salience)


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
