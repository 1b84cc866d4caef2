"""The built-in scenario library: every exercise loads, validates and runs; the calibration
scenarios reproduce the documented cases (docs/calibration.md)."""

from __future__ import annotations

import statistics
from functools import cache
from pathlib import Path

import pytest

import scenarios
import sim
from scenarios.load import builtin_ids, builtin_path
from scenarios.model import INJECT_TYPES
from scenarios.vocabulary import METRICS

DAY = 24.0
CALIBRATION_SEEDS = range(60)  # >= 50 seeds; about 5 ms a run

#: The exercises the library must offer (docs/scenarios.md).
EXERCISES = (
    "grid-wiper",
    "grid-wiper-crisis",
    "hospital-ransomware",
    "election-leak",
    "satcom-war",
    "supply-chain-espionage",
    "eu-institution-intrusion",
    "baltic-blackout",
)
#: The documented cases (docs/calibration.md); tests/test_calibration.py checks each over 50 seeds.
CALIBRATIONS = (
    "calib-bundestag",
    "calib-viasat",
    "calib-wannacry-notpetya",
    "calib-first-listings",
    "calib-solarwinds",
    "calib-exchange-apt31",
    "calib-ghostwriter",
    "calib-apt28-2024",
)


@cache
def load(scenario_id: str):
    return scenarios.load(scenario_id)


def test_library_holds_the_exercises_and_calibrations():
    ids = builtin_ids()
    for scenario_id in EXERCISES + CALIBRATIONS:
        assert scenario_id in ids
    assert len([i for i in ids if not i.startswith("calib-")]) >= 6


@pytest.mark.parametrize("scenario_id", [i for i in builtin_ids() if i.startswith("calib-")])
def test_every_calibration_case_is_documented_and_checked(scenario_id):
    # A calibration case is a claim about the record: it says where its band is checked, and
    # docs/calibration.md and docs/scenarios.md show it.
    assert scenario_id in CALIBRATIONS
    docs = Path(__file__).parent.parent / "docs"
    assert f"`{scenario_id}`" in (docs / "calibration.md").read_text(encoding="utf-8")
    assert f"`{scenario_id}`" in (docs / "scenarios.md").read_text(encoding="utf-8")
    assert "tests/test_" in load(scenario_id).summary, "the summary says which test checks it"


@pytest.mark.parametrize("scenario_id", builtin_ids())
def test_builtin_validates_with_its_file_name_as_id(scenario_id):
    path = builtin_path(scenario_id)
    scenario = scenarios.load_path(path)
    assert scenario.id == scenario_id == path.stem
    assert scenario.title.strip()
    assert scenario.summary.strip(), "a built-in needs a narrative summary"


@pytest.mark.parametrize("scenario_id", builtin_ids())
def test_builtin_objectives_use_real_metrics(scenario_id):
    scenario = load(scenario_id)
    assert scenario.objectives, "a built-in states its learning objectives"
    for objective in scenario.objectives:
        assert objective.metric in METRICS
        assert objective.text.strip()


@pytest.mark.parametrize("scenario_id", builtin_ids())
def test_builtin_msel_size_and_content(scenario_id):
    scenario = load(scenario_id)
    if scenario_id.startswith("calib-"):
        assert 1 <= len(scenario.msel) <= 20
        return
    assert 8 <= len(scenario.msel) <= 20
    types = {entry.type for entry in scenario.msel}
    assert types <= set(INJECT_TYPES)
    assert len(types) >= 6, f"{scenario_id}: vary the inject types (only {sorted(types)})"
    for entry in scenario.msel:
        assert entry.message.strip(), f"{scenario_id} {entry.id}: no message"
        assert entry.expected_action.strip(), f"{scenario_id} {entry.id}: no expected action"
    assert [e.at for e in scenario.msel] == sorted(e.at for e in scenario.msel)


@pytest.mark.parametrize("scenario_id", builtin_ids())
def test_builtin_runs_for_three_seeds(scenario_id):
    scenario = load(scenario_id)
    objective_ids = {o.id for o in scenario.objectives}
    for seed in (0, 1, 2):
        ex = sim.Exercise(scenario, seed=seed).run()
        assert ex.finished
        assert ex.events[-1].kind == "ended"
        metrics = ex.metrics
        assert set(metrics["objectives"]) == objective_ids
        assert set(metrics["objectives"].values()) <= {"P", "S", "M", "U"}


def test_crisis_variant_of_the_default():
    default, crisis = load("grid-wiper"), load("grid-wiper-crisis")
    assert crisis.procedure.mode == "crisis"
    assert DAY <= crisis.horizon <= 3 * DAY
    assert [i.actor for i in crisis.incidents] == [i.actor for i in default.incidents]
    assert [t.state for t in crisis.incidents[0].targets] == [
        t.state for t in default.incidents[0].targets
    ]
    meetings = [e for e in crisis.msel if e.type == "meeting"]
    assert meetings and all(e.params.extraordinary for e in meetings)
    ex = sim.Exercise(crisis, seed=0).run()
    kinds = [e.kind for e in ex.events]
    assert "written_procedure" in kinds
    assert any(e.kind == "meeting" and e.data["extraordinary"] for e in ex.events)


def test_eu_institution_scenario_targets_the_host_state():
    scenario = load("eu-institution-intrusion")
    targets = [t for i in scenario.incidents for t in i.targets]
    assert ("BE", "eu_institution") in [(t.state, t.sector) for t in targets]
    assert len({t.state for t in targets}) >= 2


def test_supply_chain_scenario_is_stealthy():
    scenario = load("supply-chain-espionage")
    incident = scenario.incidents[0]
    assert incident.severity.intensity <= 1 and incident.severity.impact <= 1
    assert incident.severity.sophistication >= 3
    assert scenario.threat_actors[0].sophistication >= 0.9
    assert scenario.horizon >= 180 * DAY


# -- calibration -----------------------------------------------------------------------------


def _first(events, kind, **match):
    for e in events:
        if e.kind == kind and all(e.data.get(k) == v for k, v in match.items()):
            return e
    return None


@cache
def bundestag_runs():
    scenario = load("calib-bundestag")
    runs = []
    for seed in CALIBRATION_SEEDS:
        events = sim.Exercise(scenario, seed=seed).run().events
        request = _first(events, "proposal", measure="listing", origin="inject")
        assert request is not None
        pid = request.data["proposal"]
        runs.append(
            {
                "request": request.t,
                "hwpci": _first(events, "prepared", body="hwpci", proposal=pid),
                "relex": _first(events, "relex", proposal=pid, phase="ended"),
                "coreper": _first(events, "coreper", proposal=pid),
                "adopted": _first(events, "adopted", proposal=pid, measure="listing"),
            }
        )
    return runs


def test_calib_bundestag_request_to_listing_within_25_percent_of_147_days():
    runs = bundestag_runs()
    adopted = [r for r in runs if r["adopted"] is not None]
    assert len(adopted) >= 0.9 * len(runs), "the listing must be adopted in (almost) every run"
    median = statistics.median(
        (r["adopted"].t - r["request"]) / DAY if r["adopted"] else float("inf") for r in runs
    )
    assert 0.75 * 147 <= median <= 1.25 * 147, f"median request -> listing {median:.1f} d"


def test_calib_bundestag_stages_in_documented_order():
    for r in bundestag_runs():
        if r["adopted"] is None:
            continue
        assert r["hwpci"] and r["relex"] and r["coreper"]
        assert r["request"] < r["hwpci"].t <= r["relex"].t <= r["coreper"].t <= r["adopted"].t
        assert r["adopted"].data["body"] == "council"


def test_calib_bundestag_hwpci_package_near_106_days():
    runs = bundestag_runs()
    median = statistics.median((r["hwpci"].t - r["request"]) / DAY for r in runs if r["hwpci"])
    assert 0.75 * 106 <= median <= 1.25 * 106, f"median request -> HWPCI {median:.1f} d"


def test_calib_viasat_declaration_with_the_coordinated_attributions():
    # The full calibration (same day in >= 80% of seeds) is in tests/test_calibration.py.
    scenario = load("calib-viasat")
    assert scenario.procedure.coordinated_attribution
    events = sim.Exercise(scenario, seed=0).run().events
    declaration = _first(events, "adopted", measure="hr_declaration")
    assert declaration is not None
    coordinated = [e for e in events if e.kind == "attributed" and e.data["how"] == "coordinated"]
    assert coordinated and all(e.t == declaration.t for e in coordinated)
