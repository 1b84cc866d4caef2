"""Each measure, event kind and inject type is declared once; every layer derives from it."""

from __future__ import annotations

import pytest

import scenarios
from actors.delegation import EVIDENCE_NEEDED, MEASURE_COST, TIES_FACTOR
from actors.institutions import COMPROMISE
from actors.severity import MEASURE_FOR_RUNG
from scenarios.measures import MEASURE, MEASURES_DECLARED
from scenarios.vocabulary import ARTICLES, LADDER, TIME_METRICS
from sim import Exercise
from sim.event_kinds import EVENT_KINDS, declared
from sim.narrative import MEASURE_NAMES, SHORT_MEASURE_NAMES, STAGE_OF, describe
from sim.vocabulary_view import METRIC_LABELS

# -- measures -------------------------------------------------------------------------------


def test_every_measure_is_known_to_every_layer():
    for m in MEASURES_DECLARED:
        assert LADDER[m.id] == (m.rung, m.category)
        assert (EVIDENCE_NEEDED[m.id], MEASURE_COST[m.id], TIES_FACTOR[m.id]) == (
            m.evidence_needed,
            m.cost,
            m.ties_factor,
        )
        assert MEASURE_NAMES[m.id] == m.name and SHORT_MEASURE_NAMES[m.id] == m.short_name
        if m.time_metric:
            assert m.time_metric in TIME_METRICS and m.time_metric in METRIC_LABELS
        if m.article:
            assert ARTICLES[m.article] == m.id


def test_measure_declarations_are_consistent():
    ids = [m.id for m in MEASURES_DECLARED]
    assert len(ids) == len(set(ids))
    assert [m.rung for m in MEASURES_DECLARED] == sorted(m.rung for m in MEASURES_DECLARED)
    # The chair's compromise is a declared measure lower on the ladder (at most the same rung,
    # earlier in it), so a chain of compromises ends.
    for measure, weaker in COMPROMISE.items():
        assert MEASURE[weaker].rung <= MEASURE[measure].rung
        assert ids.index(weaker) < ids.index(measure)
    # The model proposes exactly one measure for each rung it can recommend (1 to 4).
    assert sorted(MEASURE_FOR_RUNG) == [1, 2, 3, 4]
    for m in MEASURES_DECLARED:
        assert 0 <= m.evidence_needed <= 1 and 0 <= m.cost <= 1 and 0 <= m.ties_factor <= 1
        assert (m.adoption == "invoked") == (m.article is not None)
        assert m.legal_basis


# -- event kinds ----------------------------------------------------------------------------


def _check_payloads(events) -> set[str]:
    """Every event is of a declared kind with its declared payload keys; returns the kinds."""
    for event in events:
        problem = declared(event.kind).check(event.data)
        assert problem is None, f"event {event.seq} at t={event.t}: {problem}"
        assert describe(event)  # the declared text reads the declared keys
    return {e.kind for e in events}


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_every_event_of_every_builtin_run_is_declared(scenario_id):
    scenario = scenarios.load(scenario_id)
    for seed in (0, 1, 2026):
        _check_payloads(Exercise(scenario, seed=seed).run().events)


def test_an_undeclared_event_kind_is_refused():
    ex = Exercise("grid-wiper")
    with pytest.raises(ValueError, match="declare it in sim/event_kinds.py"):
        ex.emit("cyber_dialogue_opened", state="EE")


def test_event_kind_declarations_feed_the_narrative_and_the_filters():
    for name, kind in EVENT_KINDS.items():
        assert name == kind and STAGE_OF[name] == kind.stage and kind.doc
        assert not set(kind.fields) & set(kind.optional)
