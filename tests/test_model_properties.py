"""Properties of the decision model that matter (docs/model.md, *Positions*)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from actors.delegation import Observation, answer, deliberate, initial_stance, position, view_on
from actors.negotiation import OPTIONS, option_probability, option_will, pressure_probability
from actors.networks import influence_matrix
from actors.roster import builtin_roster
from actors.severity import recommended_rung, severity_score
from scenarios.vocabulary import CRITERIA, MEASURES

ROSTER = builtin_roster()
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
signed = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
states = st.sampled_from(ROSTER.states)
measures = st.sampled_from(MEASURES)
sponsors = st.sampled_from(["RU", "CN", None])
POSITION_ORDER = {"oppose": 0, "constructive_abstention": 1, "abstain": 2, "support": 3}


@st.composite
def observations(draw):
    return Observation(
        severity=draw(unit),
        exposure=draw(st.sampled_from([0.0, 0.5, 1.0])),
        confidence=draw(unit),
        pressure=draw(unit),
        sponsor=draw(sponsors),
    )


@pytest.mark.parametrize("field", ["confidence", "severity"])
@settings(max_examples=300)
@given(states, measures, observations(), unit, unit)
def test_more_evidence_or_severity_never_lowers_the_stance(field, state, measure, obs, v1, v2):
    low, high = sorted((v1, v2))
    a = initial_stance(state, measure, dataclasses.replace(obs, **{field: low}))
    b = initial_stance(state, measure, dataclasses.replace(obs, **{field: high}))
    assert b >= a
    assert -1.0 <= a <= 1.0 and -1.0 <= b <= 1.0


@settings(max_examples=300)
@given(states, measures, observations(), st.sampled_from(["RU", "CN"]), unit, unit)
def test_stronger_ties_never_raise_the_stance(state, measure, obs, sponsor, t1, t2):
    weak, strong = sorted((t1, t2))
    obs = dataclasses.replace(obs, sponsor=sponsor)
    ties = dict(state.ties)
    a = initial_stance(
        dataclasses.replace(state, ties=tuple(sorted({**ties, sponsor: weak}.items()))),
        measure,
        obs,
    )
    b = initial_stance(
        dataclasses.replace(state, ties=tuple(sorted({**ties, sponsor: strong}.items()))),
        measure,
        obs,
    )
    assert b <= a


def test_strong_ties_do_lower_the_stance():
    hu = ROSTER["HU"]
    obs = Observation(severity=0.5, exposure=0.0, confidence=0.5, pressure=0.0, sponsor="RU")
    free = dataclasses.replace(hu, ties=())
    assert initial_stance(hu, "listing", obs) < initial_stance(free, "listing", obs)


criteria = st.fixed_dictionaries({c: st.integers(0, 4) for c in CRITERIA})


@settings(max_examples=300)
@given(criteria, st.sampled_from(CRITERIA), st.integers(1, 4))
def test_higher_severity_never_lowers_the_recommended_rung(severity, criterion, bump):
    higher = dict(severity)
    higher[criterion] = min(4, severity[criterion] + bump)
    assert severity_score(higher) >= severity_score(severity)
    assert recommended_rung(severity_score(higher)) >= recommended_rung(severity_score(severity))


@given(unit, unit)
def test_recommended_rung_is_monotone_in_the_score(a, b):
    low, high = sorted((a, b))
    assert recommended_rung(low) <= recommended_rung(high)
    assert 1 <= recommended_rung(low) <= 4


def test_recommended_rung_spans_the_ladder():
    assert recommended_rung(severity_score(dict.fromkeys(CRITERIA, 0))) == 1
    assert recommended_rung(severity_score(dict.fromkeys(CRITERIA, 4))) == 4


@given(signed, signed)
def test_position_is_monotone_in_the_stance(a, b):
    low, high = sorted((a, b))
    assert POSITION_ORDER[position(low)] <= POSITION_ORDER[position(high)]


def test_position_covers_all_four():
    assert {position(x) for x in (-1.0, -0.5, 0.0, 1.0)} == set(POSITION_ORDER)


CODES, WEIGHTS = influence_matrix(ROSTER)
N = len(CODES)


@settings(max_examples=100)
@given(
    st.lists(signed, min_size=N, max_size=N),
    st.lists(unit, min_size=N, max_size=N),
    st.integers(0, 10),
    st.lists(st.booleans(), min_size=N, max_size=N),
)
def test_deliberation_stays_in_range_and_fixed_delegations_do_not_move(x0, lam, rounds, fixed):
    x = deliberate(x0, WEIGHTS, lam, rounds, fixed)
    assert len(x) == N
    assert all(-1.0 - 1e-9 <= v <= 1.0 + 1e-9 for v in x)
    for i in range(N):
        if fixed[i]:
            assert x[i] == x0[i]


@given(st.lists(signed, min_size=N, max_size=N), st.integers(0, 10))
def test_deliberation_with_no_susceptibility_changes_nothing(x0, rounds):
    assert deliberate(x0, WEIGHTS, [0.0] * N, rounds) == x0


@given(signed, st.integers(1, 10))
def test_consensus_is_a_fixed_point(value, rounds):
    x = deliberate([value] * N, WEIGHTS, [0.7] * N, rounds)
    assert all(abs(v - value) < 1e-9 for v in x)


@given(st.lists(signed, min_size=N, max_size=N), st.integers(1, 5))
def test_a_susceptible_delegation_moves_toward_its_peers(x0, rounds):
    assume(max(x0) - min(x0) > 0.1)
    lam = [0.0] * N
    i = CODES.index("HU")
    lam[i] = 1.0
    x = deliberate(x0, WEIGHTS, lam, rounds)
    # The others never move and W has a zero diagonal, so HU lands on its peers' weighted mean.
    assert abs(x[i] - sum(w * v for w, v in zip(WEIGHTS[i], x0, strict=True))) < 1e-9
    assert all(x[j] == x0[j] for j in range(N) if j != i)


def test_influence_weights_are_row_stochastic():
    assert len(WEIGHTS) == N
    for i, row in enumerate(WEIGHTS):
        assert row[i] == 0.0
        assert len(row) == N
        assert all(w >= 0 for w in row)
        assert abs(sum(row) - 1.0) < 1e-9


# -- issue 22: the compromise model's view and the options ------------------------------------

ANSWER_ORDER = POSITION_ORDER
namings = st.sampled_from(["none", "territory", "state"])


def _answer(measure, naming, stance, tie, severity, exposure, confidence, committed=False):
    view = view_on(measure, naming, stance, tie, severity, exposure, confidence, 0.0,
                   committed=committed)  # fmt: skip
    return ANSWER_ORDER[answer(view, measure)]


@settings(max_examples=400)
@given(measures, namings, signed, unit, unit, st.sampled_from([0.0, 0.5, 1.0]), unit, unit)
def test_more_evidence_never_lowers_support(measure, naming, stance, tie, sev, exp, c1, c2):
    low, high = sorted((c1, c2))
    assert _answer(measure, naming, stance, tie, sev, exp, high) >= _answer(
        measure, naming, stance, tie, sev, exp, low
    )


@settings(max_examples=400)
@given(measures, namings, signed, unit, unit, st.sampled_from([0.0, 0.5, 1.0]), unit, unit)
def test_stronger_ties_never_raise_support(measure, naming, stance, conf, sev, exp, t1, t2):
    weak, strong = sorted((t1, t2))
    assert _answer(measure, naming, stance, strong, sev, exp, conf) <= _answer(
        measure, naming, stance, weak, sev, exp, conf
    )


@settings(max_examples=300)
@given(measures, unit, unit, unit, st.sampled_from([0.0, 0.5, 1.0]), unit)
def test_weaker_wording_never_lowers_support(measure, stance01, tie, sev, exp, conf):
    stance = 2 * stance01 - 1
    levels = [
        _answer(measure, n, stance, tie, sev, exp, conf) for n in ("state", "territory", "none")
    ]
    assert levels == sorted(levels)


@settings(max_examples=300)
@given(measures, namings, signed, unit, unit, st.sampled_from([0.0, 0.5, 1.0]), unit)
def test_having_vetoed_the_same_text_never_raises_support(
    measure, naming, stance, tie, sev, exp, c
):
    assert _answer(measure, naming, stance, tie, sev, exp, c, committed=True) <= _answer(
        measure, naming, stance, tie, sev, exp, c
    )


@settings(max_examples=300)
@given(st.sampled_from(OPTIONS), st.floats(-1, 3), unit, unit, st.booleans(), unit, unit, unit)
def test_a_proposer_never_wants_an_option_less_for_a_graver_or_better_evidenced_case(
    measure, drive, severity, evidence, partners, seen, d1, d2
):
    low, high = sorted((d1, d2))
    up = high - low
    base = option_will(measure, drive, severity, evidence, partners, seen) - 1e-12  # rounding
    assert option_will(measure, drive + up, severity, evidence, partners, seen) >= base
    assert option_will(measure, drive, min(1.0, severity + up), evidence, partners, seen) >= base
    assert option_will(measure, drive, severity, min(1.0, evidence + up), partners, seen) >= base
    assert option_will(measure, drive, severity, evidence, partners, min(1.0, seen + up)) >= base
    assert 0.0 <= option_probability(base) <= 1.0


@settings(max_examples=200)
@given(unit, unit)
def test_public_pressure_never_falls_for_a_more_visible_campaign(v1, v2):
    low, high = sorted((v1, v2))
    assert 0.0 <= pressure_probability(low) <= pressure_probability(high) <= 1.0
