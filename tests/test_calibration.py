"""Calibration against the documented record (docs/calibration.md), 50 seeds a case.

Each test runs a documented case (a built-in calibration scenario or a small scenario written
here after the record) over 50 seeds and checks the model reproduces what happened, within the
stated tolerance. A 50-seed run of a scenario takes about a tenth of a second.
"""

from __future__ import annotations

import statistics
from functools import cache

import pytest

import scenarios
from sim import Exercise
from sim.sweep import Sweep, build_scenario, load_spec

SEEDS = range(50)
DAY = 24.0


def runs(scenario, seeds=SEEDS):
    return [Exercise(scenario, seed=seed).run() for seed in seeds]


def adopted(ex, measure):
    return [e for e in ex.events if e.kind == "adopted" and e.data["measure"] == measure]


def attributions(ex):
    return [e for e in ex.events if e.kind in ("attributed", "partner_attributed")]


# -- Viasat, 10 May 2022: the declaration on the day of the coordinated attributions ----------


def test_viasat_declaration_comes_the_day_of_the_coordinated_attributions():
    same_day = 0
    for ex in runs(scenarios.load("calib-viasat")):
        (declaration,) = adopted(ex, "hr_declaration")
        coordinated = [e for e in attributions(ex) if e.data["how"] == "coordinated"]
        # the declaration answers the day's attributions: none of them comes after it that day
        day = int(declaration.t // DAY)
        later = [e.t for e in attributions(ex) if int(e.t // DAY) == day and e.t > declaration.t]
        assert not later, f"attributions after the declaration on its day: {later}"
        if any(int(e.t // DAY) == int(declaration.t // DAY) for e in coordinated):
            same_day += 1
        assert declaration.data["naming"] in ("territory", "state")  # it names the actor
    assert same_day >= 0.8 * len(SEEDS), f"same day in {same_day} of {len(SEEDS)} runs"


def test_viasat_partners_join_the_coordinated_attribution():
    ex = Exercise("calib-viasat", seed=0).run()
    partners = {e.data["partner"] for e in ex.events if e.kind == "partner_attributed"}
    assert partners == {"UK", "US"}
    assert ex.metrics["t_first_partner_attribution"] == ex.metrics["t_hr_declaration"]


def test_viasat_declaration_near_day_75():
    times = [ex.metrics["t_hr_declaration"] / DAY for ex in runs(scenarios.load("calib-viasat"))]
    assert 75 * 0.95 <= statistics.median(times) <= 75 * 1.05


# -- Ghostwriter, 2021: Germany attributes; Poland asks; the HR declaration 18 days later ------

GHOSTWRITER = """
cdtx: 1
id: calib-ghostwriter
title: Ghostwriter (2021)
start: 2021-07-01T09:00:00+02:00
horizon: 120d
threat_actors:
  - {id: ghostwriter, name: GHOSTWRITER, sponsor: RU, sophistication: 0.6, resolve: 0.7}
incidents:
  - id: GW
    actor: ghostwriter
    targets: [{state: DE, sector: elections}, {state: PL, sector: government},
              {state: LT, sector: media}, {state: LV, sector: media}]
    severity: {scope: 2, scale: 2, duration: 3, intensity: 2, complexity: 2, sophistication: 2, impact: 2}
procedure: {mode: calendar, initiation: 200d}
msel:
  - {id: G-1, at: 67d, type: attribute, params: {states: [DE], actor: ghostwriter}}
  - {id: G-2, at: 67d, type: propose, params: {measure: hr_declaration, by: PL}}
"""


def test_ghostwriter_declaration_about_18_days_after_germany():
    scenario = scenarios.load_text(GHOSTWRITER)
    lags = []
    for ex in runs(scenario):
        # Germany's public attribution is the scripted one (the model may have had other
        # capitals, or Germany, speak earlier on their own evidence).
        german = next(
            e for e in ex.events if e.kind == "inject_applied" and e.data["inject"] == "G-1"
        )
        found = adopted(ex, "hr_declaration")
        lags.append((found[0].t - german.t) / DAY if found else float("inf"))
        assert all(e.t >= german.t for e in found)  # the EU speaks after the capital
    median = statistics.median(lags)
    assert 18 * 0.5 <= median <= 18 * 1.5, f"median DE attribution -> declaration {median:.1f} d"


# -- 30 July 2020: the first listings (WannaCry, NotPetya, Cloud Hopper, OPCW) were adopted -----

FIRST_LISTINGS = """
cdtx: 1
id: calib-july-2020
title: The first cyber listings (30 July 2020)
start: 2019-09-02T09:00:00+02:00
horizon: 400d
threat_actors:
  - {id: lazarus, name: LAZARUS, sponsor: KP, sophistication: 0.8, resolve: 0.8}
  - {id: sandworm, name: SANDWORM, sponsor: RU, sophistication: 0.9, resolve: 0.9}
incidents:
  - id: WANNACRY
    actor: lazarus
    targets: [{state: DE, sector: health}, {state: FR, sector: industry}, {state: ES, sector: telecommunications}]
    severity: {scope: 4, scale: 4, duration: 2, intensity: 3, complexity: 2, sophistication: 3, impact: 3}
procedure: {mode: calendar, initiation: 500d}
msel:
  - {id: L-1, at: 10d, type: attribute, params: {states: [NL, EE], partners: [UK, US], actor: lazarus}}
  - {id: L-2, at: 20d, type: propose, params: {measure: listing, by: EE}}
"""


def test_listings_brought_to_the_council_are_adopted():
    scenario = scenarios.load_text(FIRST_LISTINGS)
    done = sum(bool(adopted(ex, "listing")) for ex in runs(scenario))
    assert done >= 0.9 * len(SEEDS), f"listing adopted in {done} of {len(SEEDS)} runs"


def test_initiators_need_not_be_victims():
    ex = Exercise(scenarios.load_text(FIRST_LISTINGS), seed=0).run()
    proposal = next(e for e in ex.events if e.kind == "proposal" and e.data["measure"] == "listing")
    assert proposal.data["by"] == "EE" and "EE" not in ex.world.victims()
    # The model's own initiative too (the proposal above is scripted): with reluctant victims
    # and no scripted proposal, a keen capital that was not hit tables the measure.
    keen = FIRST_LISTINGS.replace(
        "procedure: {mode: calendar, initiation: 500d}\n",
        "member_states: {DE: {stance: -1.0}, FR: {stance: -1.0}, ES: {stance: -1.0}, "
        "EE: {stance: 1.0}}\nprocedure: {mode: calendar}\n",
    ).replace("  - {id: L-2, at: 20d, type: propose, params: {measure: listing, by: EE}}\n", "")
    ex = Exercise(scenarios.load_text(keen), seed=0).run()
    first = next(e for e in ex.events if e.kind == "proposal")
    assert first.data["origin"] == "initiative" and first.data["by"] not in ex.world.victims()
    assert first.data.get("cosponsors"), "keen capitals co-sponsor it (a push coalition)"


# -- July 2021: "from the territory of China" while the UK and US named the MSS ---------------

WORDING_2021 = """
cdtx: 1
id: calib-exchange-2021
title: Microsoft Exchange / APT31 (19 July 2021)
start: 2021-03-02T09:00:00+01:00
horizon: 200d
member_states:
  HU: {ties: {CN: 0.9}}
partners:
  - {id: UK, name: United Kingdom}
  - {id: US, name: United States}
threat_actors:
  - {id: apt31, name: APT31, sponsor: CN, sophistication: 0.8, resolve: 0.8}
incidents:
  - id: EXCH
    actor: apt31
    targets: [{state: FI, sector: government}, {state: DE, sector: industry}, {state: BE, sector: government}]
    severity: {scope: 3, scale: 3, duration: 2, intensity: 2, complexity: 3, sophistication: 3, impact: 2}
procedure: {mode: calendar, initiation: 300d}
msel:
  - {id: X-1, at: 30d, type: intel, to: [FI, DE, BE, FR, NL], params: {actor: apt31, confidence: 0.5}}
  - {id: X-2, at: 139d, type: attribute, params: {states: [FI], partners: [UK, US], actor: apt31}}
  - {id: X-3, at: 139d, type: propose, params: {measure: hr_declaration, by: hr}}
"""


def test_the_2021_wording_compromise_is_reproduced():
    scenario = scenarios.load_text(WORDING_2021)
    namings = []
    for ex in runs(scenario):
        found = adopted(ex, "hr_declaration")
        namings.append(found[0].data["naming"] if found else None)
        vetoed = [e for e in ex.events if e.kind == "decision" and not e.data["adopted"]]
        if found and found[0].data["naming"] == "territory" and vetoed:
            # the compromise came through a redraft of the wording, not a lower measure
            assert any(e.kind == "redrafted" for e in ex.events)
    territory = namings.count("territory")
    assert territory >= 0.7 * len(SEEDS), f"'from the territory of' in {territory} runs"
    assert namings.count(None) <= 0.1 * len(SEEDS)


# -- attribution first: the targets of issue 13 -----------------------------------------------


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_without_the_msel_no_declaration_names_an_actor_before_a_capital(scenario_id):
    scenario = scenarios.load(scenario_id).model_copy(update={"msel": []})
    early = 0
    for ex in runs(scenario):
        first = min((e.t for e in attributions(ex)), default=None)
        for e in ex.events:
            if e.kind == "adopted" and e.data.get("naming", "none") != "none":
                early += first is None or e.t < first
    assert early <= 0.05 * len(SEEDS)


# -- sweeps show curves -----------------------------------------------------------------------

SWEEP_MEASURE = {
    "hu-ties": "listing",
    "unanimity-vs-qmv": "listing",
    "crisis-vs-calendar": "listing",
    "listing-drivers": "listing",
}


def point_rates(name: str):
    """Adoption rate of the sweep's measure at each point, point by point, with the seeds
    ``cdtx sweep`` gives the runs (the sweep's own seeding: common random numbers by default)."""
    sweep = Sweep(load_spec(name))
    measure = SWEEP_MEASURE[name]
    for point, params in enumerate(sweep.points):
        scenario = build_scenario(sweep.base_data, params)
        hits = sum(
            bool(adopted(Exercise(scenario, seed=sweep.run_seed(point, rep)).run(), measure))
            for rep in range(sweep.spec.seeds)
        )
        yield hits / sweep.spec.seeds


@cache
def sweep_rates(name: str) -> list[float]:
    return list(point_rates(name))


@pytest.mark.parametrize("name", sorted(SWEEP_MEASURE))
def test_every_shipped_sweep_has_a_point_between_10_and_90_percent(name):
    # Stops at the first such point: a Sobol' design has hundreds.
    assert any(0.1 < r < 0.9 for r in point_rates(name)), name


def test_the_shipped_sweeps_are_all_checked():
    from sim.sweep import builtin_specs

    assert sorted(builtin_specs()) == sorted(SWEEP_MEASURE)


def test_unanimity_and_qmv_give_different_results():
    sweep = Sweep(load_spec("unanimity-vs-qmv"))
    rates = sweep_rates("unanimity-vs-qmv")
    by_rule: dict[str, list[float]] = {}
    for params, rate in zip(sweep.points, rates, strict=True):
        by_rule.setdefault(params["decision_rule"], []).append(rate)
    # Not "QMV adopts more": abstentions count against a qualified majority, so a listing with
    # many formal abstainers can pass by unanimity and fail by QMV (docs/scenarios.md).
    assert by_rule["unanimity"] != by_rule["qmv"], by_rule
    # and it is the documented difference: Hungary's red line vetoes the listing under unanimity
    # only (strong ties: the second point of each rule)
    assert by_rule["unanimity"][1] < by_rule["qmv"][1], by_rule


# -- scenarios that test people ---------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_every_built_in_has_an_objective_that_is_not_settled_in_advance(scenario_id):
    scenario = scenarios.load(scenario_id)
    ratings = [ex.metrics["objectives"] for ex in runs(scenario)]
    shares = {o.id: sum(r[o.id] == "P" for r in ratings) / len(SEEDS) for o in scenario.objectives}
    assert any(0.2 <= share <= 0.8 for share in shares.values()), shares
