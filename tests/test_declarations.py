"""Each measure, event kind and inject type is declared once; every layer derives from it."""

from __future__ import annotations

import pytest
import yaml

import scenarios
from actors.delegation import EVIDENCE_NEEDED, MEASURE_COST, TIES_FACTOR
from actors.institutions import COMPROMISE
from actors.severity import MEASURE_FOR_RUNG
from scenarios.measures import MEASURE, MEASURES_DECLARED
from scenarios.model import INJECT_TYPE, INJECT_TYPES
from scenarios.vocabulary import ARTICLES, DECISION_RULES, LADDER, TIME_METRICS
from sim import Exercise, api_docs
from sim.event_kinds import EVENT_KINDS, declared
from sim.exercise import InjectError
from sim.narrative import MEASURE_NAMES, SHORT_MEASURE_NAMES, STAGE_OF, describe, inject_summary
from sim.report import aar
from sim.stages.injects import ENGINE
from sim.vocabulary_view import METRIC_LABELS
from sim.voting import RULES
from tui.screens.inject import (
    build_inject,
    fields_for,
    form_values,
    initial_values,
    param_shapes,
)

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


# -- inject types: every declared one through file, engine, console form, narrative, report ----

BASE = """\
cdtx: 1
id: walk
title: Every inject type
start: 2026-03-02T09:00:00+01:00
horizon: 30d
threat_actors:
  - {id: apt-x, name: APT X, sponsor: RU}
incidents:
  - id: INC-1
    actor: apt-x
    targets: [{state: EE, sector: energy}]
    severity: {scope: 2, scale: 2, duration: 2, intensity: 2, complexity: 2, sophistication: 2, impact: 2}
"""
#: What a person types into a blank field the form cannot fill by itself, by the field's shape
#: (partners are outside the Union: a third state).
TYPED = {"codes": "EE", "code": "EE", "targets": "EE:energy", "text": "typed text"}
TYPED_PARTNERS = "UK"


def _from_the_form(kind: str, incidents: tuple[str, ...] = ("INC-1",)) -> dict:
    """An inject of ``kind`` as the console's form builds it: its defaults, blanks filled in
    (an optional free-text field stays blank: the model decides, as when a person skips it)."""
    fields = fields_for(kind, ("apt-x",), incidents)
    values = initial_values(fields, {})
    shapes = {f"params.{name}": shape for name, (shape, _) in param_shapes(kind).items()}
    optional = {
        f"params.{n}" for n, (_, info) in param_shapes(kind).items() if not info.is_required()
    }
    shapes["to"] = "codes"
    for field in fields:
        if values[field.key] or field.key not in shapes:
            continue
        if field.key in optional and shapes[field.key] == "text":
            continue
        typed = TYPED_PARTNERS if field.key == "params.partners" else TYPED.get(shapes[field.key])
        values[field.key] = typed or ""
    return build_inject(kind, values)


@pytest.mark.parametrize("kind", INJECT_TYPES)
def test_every_inject_type_goes_through_every_layer(kind):
    declared = INJECT_TYPE[kind]
    assert declared.doc and kind in ENGINE, f"{kind}: register its effect in sim/stages/injects.py"
    inject = _from_the_form(kind)

    # file: the inject as an MSEL entry of a scenario file passes every check of the format
    entry = {"id": "M-1", "at": "1d", **inject}
    text = BASE + "msel: " + yaml.safe_dump([entry], default_flow_style=True, width=10_000)
    scenario = scenarios.load_text(text)
    (loaded,) = scenario.msel
    assert loaded.type == kind

    # console form: the entry shown in the form and read back is the same inject
    data = loaded.model_dump(mode="json", by_alias=True)
    fields = fields_for(kind, ("apt-x",), ("INC-1",))
    again = build_inject(kind, initial_values(fields, form_values(data)))
    assert again["params"] == inject["params"]

    # engine: the MSEL entry is applied on time, and a facilitator can submit it too
    ex = Exercise(scenario, seed=1)
    ex.run(until="2d")
    applied = [e for e in ex.events if e.kind == "inject_applied" and e.data["inject"] == "M-1"]
    assert applied and applied[0].t == 24.0
    effect = ex.events[applied[0].seq + 1]  # every built-in effect says what it did, at once
    assert effect.t == 24.0 and effect.kind != "inject_applied", effect
    record = ex.submit(dict(_from_the_form(kind, tuple(ex.world.incidents)), id="F-X"))
    ex.run()
    assert any(e.kind == "inject_applied" and e.data["inject"] == "F-X" for e in ex.events)
    _check_payloads(ex.events)

    # narrative and report: the type has its words, and the report lists what was delivered
    summary = inject_summary(record.data["inject"])
    assert summary
    report = aar(scenario, ex.events)
    assert "F-X" in report and summary in report
    assert "M-1" in report


def test_every_inject_type_has_an_engine_and_nothing_else_does():
    assert sorted(ENGINE) == sorted(INJECT_TYPES)


def test_references_are_checked_in_the_file_and_by_the_engine():
    # One declaration (Ref on a params field) gives both checks.
    bad = (
        BASE
        + "msel:\n  - {id: M-1, at: 1d, type: intel, to: [EE], params: {actor: nope, confidence: 0.2}}\n"
    )
    with pytest.raises(scenarios.ScenarioError, match="unknown threat actor 'nope'"):
        scenarios.load_text(bad)
    ex = Exercise(scenarios.load_text(BASE))
    with pytest.raises(InjectError, match="unknown threat actor 'nope'") as info:
        ex.submit({"type": "intel", "to": ["EE"], "params": {"actor": "nope", "confidence": 0.2}})
    assert info.value.field == "params.actor"
    with pytest.raises(InjectError, match="goes to one or more states"):
        ex.submit({"type": "intel", "params": {"actor": "apt-x", "confidence": 0.2}})


# -- decision rules and the generated docs ---------------------------------------------------


def test_every_decision_rule_a_file_may_name_has_a_function():
    assert list(RULES) == list(DECISION_RULES)


def test_engine_api_doc_tables_are_generated_from_the_declarations():
    text = api_docs.DOC.read_text(encoding="utf-8")
    for name in api_docs.TABLES:
        assert f"<!-- generated: {name} -->" in text, name
    assert api_docs.refresh(text) == text, "run: python -m sim.api_docs"


def test_the_form_writes_partners_and_the_wording_of_a_proposal():
    """A partner's attribution and a proposal's wording can be entered at the console, not only
    in scenario files; a blank wording is left to the model."""
    attribute = _from_the_form("attribute")
    assert attribute["params"]["partners"] == ["UK"]
    fields = {f.key for f in fields_for("propose", ("apt-x",), ("INC-1",))}
    assert "params.naming" in fields
    values = initial_values(fields_for("propose", ("apt-x",), ("INC-1",)), {})
    assert "naming" not in build_inject("propose", values)["params"]
    values["params.naming"] = "territory"
    assert build_inject("propose", values)["params"]["naming"] == "territory"
