"""PSC (and Council votes): delegations form positions, deliberate, and the rule decides.

Each delegation's initial stance comes from what it observes (actors.delegation); stances move
by Friedkin-Johnsen rounds on the influence network; positions fixed by people (``position``
injects, played delegations) override the model. The scenario's decision rule then applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.delegation import (
    ART31_MEASURES,
    NAMING,
    STANCE_OF_POSITION,
    VETO_SALIENCE,
    WORDED,
    ViewRow,
    deliberate,
    position,
    reservation_point,
    spread,
    susceptibility_on,
    views_on,
)
from actors.institutions import allowed_naming
from actors.networks import influence_matrix

from .. import voting
from ..world import Status
from . import ProcessGenerator
from .awareness import named_or_ready, naming_confidence
from .instructions import all_instructions

if TYPE_CHECKING:

    from ..engine import Engine
    from ..world import Proposal


def decide(
    ex: Engine, proposal: Proposal, body: str = "psc", wait: bool = True
) -> ProcessGenerator[voting.Outcome]:
    """Process step: take ``proposal`` at the next sitting of ``body`` and vote; returns the Outcome."""
    if wait:
        yield ex.bodies[body].sitting(f"{proposal.id}: decide on {proposal.measure}")
    proposal.status = Status.DELIBERATING
    naming = text_naming(ex, proposal)
    positions = yield from delegation_positions(ex, proposal, body, naming)
    population = {s.code: s.population for s in ex.roster}
    outcome = voting.decide(ex.scenario.decision_rule, positions, population)
    extra = {"naming": naming} if proposal.measure in WORDED else {}
    ex.emit(
        "decision",
        body=body,
        proposal=proposal.id,
        measure=proposal.measure,
        **extra,
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
    if outcome.adopted and proposal.measure in WORDED:
        proposal.naming = naming  # the text as agreed
    return outcome


def text_naming(ex: Engine, proposal: Proposal) -> str:
    """How the text names the perpetrator: the weaker of the draft (lowered by redrafts) and
    what the record allows (no name before a national or partner attribution, or one ready to
    be made the same day; the state only on a firm assessment)."""
    if proposal.measure not in WORDED:
        return "none"
    if proposal.forced:
        return proposal.naming

    if other_campaigns_named(ex):
        # The text answers campaigns the shared assessment does not cover: the Union condemns
        # them, it does not attribute them in its own name (16 April 2018: WannaCry and
        # NotPetya condemned, neither attributed, though partners had named both sponsors).
        return "none"
    allowed = allowed_naming(named_or_ready(ex), naming_confidence(ex))
    return min(allowed, proposal.naming, key=NAMING_ORDER.__getitem__)


def other_campaigns_named(ex: Engine) -> bool:
    """Whether a capital or partner has publicly attributed a campaign to an actor other than
    the one the table talks about (INTCEN's suspect, or before it assesses, the first actor
    named): a campaign the Union's shared assessment does not cover (docs/model.md, *Wording*)."""
    world = ex.world
    actor_id = world.named_actor()
    return any(
        named != actor_id
        for table in (world.attributed, world.partners_attributed)
        for actors in table.values()
        for named in actors
    )


NAMING_ORDER = {level: rank for rank, level in enumerate(NAMING)}


def initial_views(
    ex: Engine, measure: str, naming: str, proposal: Proposal | None = None
) -> tuple[list[float], list[bool], list[float]]:
    """Every delegation's position before deliberation (roster order), whether it is fixed (by
    people, by a red line, or by a veto traded away on ``proposal``) and its salience."""
    victims = set(ex.world.victims())
    victim_regions = {r for c in victims for r in ex.roster[c].regions}
    severity = ex.world.severity()
    assessment = ex.world.assessment
    sponsor: str | None
    actor_id: str | None
    if assessment is not None:
        sponsor, actor_id = assessment.sponsor, assessment.actor
    else:
        # Before INTCEN assesses, a public attribution already tells the table who is meant.
        actor_id = ex.world.named_actor()
        sponsor = ex.scenario.actor(actor_id).sponsor if actor_id is not None else None
    # A declaration or conclusions answer every campaign a capital or partner has named (the
    # conclusions of 16 April 2018 answered WannaCry and NotPetya, North Korea and Russia): a
    # capital weighs its ties to each sponsor the text touches, the strongest counting.
    others = text_sponsors(ex, sponsor) if measure in WORDED else ()
    fixed_positions = ex.world.fixed_positions
    drawn = all_instructions(ex)
    # What every delegation sees alike (the fields of actors.delegation.Observation, spelled out
    # for the hot path).
    shared = assessment.confidence if assessment and ex.world.awareness is not None else 0.0
    confidence, pressure, attributed = ex.world.confidence, ex.world.pressure, ex.world.attributed
    package = proposal.package if proposal is not None else 1.0
    linked = proposal.linked if proposal is not None else ()
    committed = [c for c, said in proposal.red_lines if said == naming] if proposal else ()
    oppose, abstain = STANCE_OF_POSITION["oppose"], STANCE_OF_POSITION["abstain"]
    worded = measure in WORDED
    rows: list[ViewRow] = []
    for s in ex.roster:
        code = s.code
        mine = drawn[code]
        tie = mine.tie(sponsor)
        for other in others:
            tie = max(tie, mine.tie(other))
        if code in victims:
            exposure = 1.0
        elif not victim_regions.isdisjoint(s.regions):
            exposure = 0.5
        else:
            exposure = 0.0
        own = confidence.get(code, {}).get(actor_id, 0.0) if actor_id else 0.0
        if worded:
            said = bool(attributed.get(code))  # it has named a campaign the text answers
        else:
            said = actor_id is not None and actor_id in attributed.get(code, ())
        rows.append((mine.stance, tie, exposure, max(shared, own), pressure.get(code, 0.0), said,
                     package, code in committed))  # fmt: skip
    x0, fixed, salience = [], [], []
    for s, (stands, cares, red_line) in zip(ex.roster, views_on(measure, naming, severity, rows),
                                              strict=True):  # fmt: skip
        code = s.code
        f = fixed_positions.get((code, measure))
        if f:
            x0.append(STANCE_OF_POSITION[f])
        elif code in linked:
            f = "abstain"  # its consent was traded for something else (linkage)
            x0.append(abstain)
        elif red_line:
            f = "oppose"
            x0.append(oppose)
        else:
            x0.append(stands)
        fixed.append(f is not None)
        salience.append(cares)
    return x0, fixed, salience


def text_sponsors(ex: Engine, sponsor: str | None) -> tuple[str, ...]:
    """The sponsors, other than ``sponsor``, of the actors a capital or partner has publicly
    attributed: a text of the Union on the campaigns answers them too (sorted, each once)."""
    world = ex.world
    named: set[str] = set()
    for table in (world.attributed, world.partners_attributed):
        for actors in table.values():
            named.update(actors)
    found = {ex.scenario.actor(a).sponsor for a in named}
    return tuple(sorted(s for s in found if s and s != sponsor))


def table_spread(ex: Engine, measure: str, naming: str = "state") -> float:
    """How far apart the delegations start on ``measure`` (sets the drafting rounds a text
    needs). Delegations held at a red line are left out: drafting does not bridge a red line,
    the chair meets it at the PSC (a redraft, linkage, a narrower package)."""
    return table_reading(ex, measure, naming)[0]


def table_reading(ex: Engine, measure: str, naming: str) -> tuple[float, bool]:
    """What the working party reads at the table on ``measure`` worded ``naming``: the spread of
    the initial positions (:func:`table_spread`) and whether a delegation would veto it (a red
    line, or a position below its reservation point on a text that matters enough to it,
    actors.delegation.position)."""
    x0, fixed, salience = initial_views(ex, measure, naming)
    by_people = ex.world.fixed_positions
    reservation = reservation_point(measure)
    movable = []
    blocked = False
    for x, held, sal, code in zip(x0, fixed, salience, ex.roster.codes, strict=True):
        if not held or (code, measure) in by_people:
            movable.append(x)
        if x < reservation and (held or sal >= VETO_SALIENCE):
            blocked = True
    return spread(movable), blocked


def delegation_positions(
    ex: Engine, proposal: Proposal, body: str, naming: str = "none"
) -> ProcessGenerator[dict[str, str]]:
    """Process step: every delegation's position on ``proposal``; may wait for played delegations."""
    measure = proposal.measure
    codes, weights = influence_matrix(ex.roster)
    states = list(ex.roster)  # in roster order, as ``codes``
    fixed = [ex.world.fixed_positions.get((c, measure)) for c in codes]
    x0, held, salience = initial_views(ex, measure, naming, proposal)
    # A wider table takes more rounds to bring together (Häge): one more per 0.5 of spread.
    rounds = ex.timing.deliberation_rounds + int(spread(x0) / 0.5)
    # The table presses hardest on those who care least (salience damps susceptibility).
    lam = [
        susceptibility_on(s.susceptibility, sal) for s, sal in zip(states, salience, strict=True)
    ]
    stances = deliberate(x0, weights, lam, rounds, held)
    positions: dict[str, str] = {}
    for i, code in enumerate(codes):
        by_people = fixed[i]
        if by_people is not None:
            positions[code] = by_people
        elif held[i]:
            # A red line (oppose) or a veto traded away (abstain): the stance it was fixed at.
            positions[code] = "abstain" if code in proposal.linked else "oppose"
            if positions[code] == "oppose" and (code, naming) not in proposal.red_lines:
                proposal.red_lines.append((code, naming))
        else:
            positions[code] = position(stances[i], measure, salience[i])
    if measure not in ART31_MEASURES:
        # Art. 31(1) TEU concerns CFSP decisions; a declaration or conclusions are agreed by
        # consensus, where a formal abstention does not exist: it counts as a plain abstention.
        positions = {c: ("abstain" if p == "constructive_abstention" else p)
                     for c, p in positions.items()}  # fmt: skip
    by = {c: ("fixed" if f else "model") for c, f in zip(codes, fixed, strict=True)}

    asked = [c for c in ex.players if by[c] == "model"]
    if asked:
        # What the other delegations are about to say, so the people at the table can weigh it.
        others = {c: positions[c] for c in codes if c not in asked}
        for code in asked:
            ex.emit("decision_request", state=code, proposal=proposal.id, measure=measure, body=body,
                    advice=positions[code], others=others)  # fmt: skip
        if ex.interactive:
            # An answer is to this text at this sitting: a redraft, a new round after a
            # deferral, the Council's vote or a yearly review asks the people again (a
            # ``position`` inject given beforehand holds for the measure).
            answers = yield ex.await_positions(asked, proposal, body)
            for code in asked:
                positions[code] = answers[code]
                by[code] = "player"
    for i, code in enumerate(codes):
        ex.emit("position", state=code, proposal=proposal.id, measure=measure, body=body,
                position=positions[code], stance=round(stances[i], 4), by=by[code])  # fmt: skip
    return positions
