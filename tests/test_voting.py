"""Decision rules of the Council and the PSC (sim/voting.py), against the law (docs/model.md, *Decision rules*)."""

from __future__ import annotations

import pytest

from actors.roster import builtin_roster
from sim import voting
from sim.voting import ABSTAIN, CONSTRUCTIVE, OPPOSE, SUPPORT

POPULATION = {s.code: s.population for s in builtin_roster()}
CODES = sorted(POPULATION)
BY_SIZE = sorted(CODES, key=lambda c: -POPULATION[c])  # DE, FR, IT, ES, PL, ...


def positions(default: str = SUPPORT, **overrides: str) -> dict[str, str]:
    result = dict.fromkeys(CODES, default)
    result.update(overrides)
    return result


def with_group(codes, stance: str, default: str = SUPPORT) -> dict[str, str]:
    return positions(default, **dict.fromkeys(codes, stance))


def test_roster_is_the_real_eu27():
    assert len(POPULATION) == 27
    assert sum(POPULATION.values()) == pytest.approx(449.13)
    assert BY_SIZE[:4] == ["DE", "FR", "IT", "ES"]


# -- unanimity ---------------------------------------------------------------------------


def test_all_support_is_adopted():
    outcome = voting.unanimity(positions(), POPULATION)
    assert outcome.adopted
    assert outcome.blockers == ()
    assert outcome.cohesion == 1.0


@pytest.mark.parametrize("vetoer", ["MT", "DE", "HU"])
def test_a_single_veto_blocks(vetoer):
    outcome = voting.unanimity(positions(**{vetoer: OPPOSE}), POPULATION)
    assert not outcome.adopted
    assert outcome.blockers == (vetoer,)
    assert vetoer in outcome.reason


def test_simple_abstentions_do_not_block_even_many():
    outcome = voting.unanimity(with_group(CODES[:26], ABSTAIN), POPULATION)
    assert outcome.adopted
    assert len(outcome.abstain) == 26


def test_veto_wins_over_any_number_of_supporters_and_abstainers():
    pos = with_group(CODES[:10], ABSTAIN)
    pos["SE"] = OPPOSE
    assert not voting.unanimity(pos, POPULATION).adopted


def test_eight_formal_abstainers_never_block_even_the_biggest():
    big8 = BY_SIZE[:8]
    assert sum(POPULATION[c] for c in big8) > 449.13 / 3  # well over a third of the people
    outcome = voting.unanimity(with_group(big8, CONSTRUCTIVE), POPULATION)
    assert outcome.adopted
    assert set(outcome.constructive) == set(big8)


# Nine formal abstainers (one third of the states) around one third of 449.13 M = 149.71 M.
UNDER_A_THIRD = ("CY", "EE", "LV", "SI", "SK", "AT", "BE", "ES", "FR")  # 149.70 M
OVER_A_THIRD = ("MT", "LU", "CY", "LV", "HU", "PT", "NL", "ES", "IT")  # 149.73 M


def test_the_edge_groups_are_what_they_claim():
    third = sum(POPULATION.values()) / 3
    under = sum(POPULATION[c] for c in UNDER_A_THIRD)
    over = sum(POPULATION[c] for c in OVER_A_THIRD)
    assert len(UNDER_A_THIRD) == len(OVER_A_THIRD) == 9
    assert third - 0.05 < under < third < over < third + 0.05


def test_nine_formal_abstainers_just_under_a_third_of_the_population_adopt():
    outcome = voting.unanimity(with_group(UNDER_A_THIRD, CONSTRUCTIVE), POPULATION)
    assert outcome.adopted


def test_nine_formal_abstainers_just_over_a_third_of_the_population_block():
    outcome = voting.unanimity(with_group(OVER_A_THIRD, CONSTRUCTIVE), POPULATION)
    assert not outcome.adopted
    assert set(outcome.blockers) == set(OVER_A_THIRD)


def test_many_small_formal_abstainers_do_not_block():
    smallest = BY_SIZE[-15:]  # 15 states, far under a third of the population
    assert voting.unanimity(with_group(smallest, CONSTRUCTIVE), POPULATION).adopted


def test_formal_abstention_is_not_a_simple_abstention():
    # The same nine states abstaining simply never block.
    assert voting.unanimity(with_group(OVER_A_THIRD, ABSTAIN), POPULATION).adopted


def test_unknown_position_is_rejected():
    with pytest.raises(ValueError, match="maybe"):
        voting.unanimity(positions(DE="maybe"), POPULATION)


# -- QMV ---------------------------------------------------------------------------------


def test_three_big_states_are_not_a_blocking_minority():
    outcome = voting.qmv(with_group(["DE", "FR", "IT"], OPPOSE), POPULATION)
    # 24 states in favour hold under 65% of the people, but 3 states cannot block.
    assert sum(POPULATION[c] for c in ("DE", "FR", "IT")) / 449.13 > 0.35
    assert outcome.adopted
    assert outcome.blockers == ()


def test_four_big_states_block():
    outcome = voting.qmv(with_group(["DE", "FR", "IT", "ES"], OPPOSE), POPULATION)
    assert not outcome.adopted
    assert set(outcome.blockers) == {"DE", "FR", "IT", "ES"}


def test_fifteen_states_with_65_percent_adopt_fourteen_do_not():
    yes15 = BY_SIZE[:15]
    assert sum(POPULATION[c] for c in yes15) >= 0.65 * 449.13
    outcome = voting.qmv(with_group(yes15, SUPPORT, default=OPPOSE), POPULATION)
    assert outcome.adopted
    yes14 = BY_SIZE[:14]
    assert sum(POPULATION[c] for c in yes14) >= 0.65 * 449.13  # people enough, states not
    outcome = voting.qmv(with_group(yes14, SUPPORT, default=OPPOSE), POPULATION)
    assert not outcome.adopted


def test_fifteen_small_states_without_65_percent_do_not_adopt():
    yes15 = BY_SIZE[-15:]
    outcome = voting.qmv(with_group(yes15, SUPPORT, default=OPPOSE), POPULATION)
    assert not outcome.adopted


@pytest.mark.parametrize("stance", [ABSTAIN, CONSTRUCTIVE])
def test_abstention_counts_as_not_in_favour_under_qmv(stance):
    # Four big states abstaining: same effect as four voting against.
    outcome = voting.qmv(with_group(["DE", "FR", "IT", "ES"], stance), POPULATION)
    assert not outcome.adopted
    # ...whereas under unanimity the same abstentions never block.
    assert voting.unanimity(with_group(["DE", "FR", "IT", "ES"], ABSTAIN), POPULATION).adopted


def test_abstainers_alone_with_15_supporters_short_of_65_percent_block():
    yes = BY_SIZE[4:19]  # 15 states without the big four
    outcome = voting.qmv(with_group(yes, SUPPORT, default=ABSTAIN), POPULATION)
    assert not outcome.adopted
    assert set(outcome.blockers) == set(CODES) - set(yes)


def test_decide_dispatches_on_the_rule():
    pos = with_group(["DE", "FR", "IT"], OPPOSE)
    assert not voting.decide("unanimity", pos, POPULATION).adopted
    assert voting.decide("qmv", pos, POPULATION).adopted
