"""Calibration against the documented record (docs/calibration.md), 50 seeds a case.

Each test runs a documented case (a built-in calibration scenario or a small scenario written
here after the record) over 50 seeds and checks the model reproduces what happened, within the
stated tolerance. A 50-seed run of a scenario takes about a tenth of a second. The same runs
give docs/calibration.md's tables "model now" (bench/calibration.py), checked here against the
doc.
"""

from __future__ import annotations

import re
import statistics
from datetime import date, timedelta
from functools import cache

import pytest
from benchscripts import bench_script

import scenarios
from sim import Exercise
from sim.sweep import Sweep, build_scenario, load_spec

SEEDS = range(50)
DAY = 24.0


def runs(scenario, seeds=SEEDS):
    return [Exercise(scenario, seed=seed).run() for seed in seeds]


FIGURES = bench_script("calibration")
MODEL = bench_script("model_figures")

# What a run says, read as bench/calibration.py reads it for the doc's tables.
adopted, attributions, scripted = FIGURES.adopted, FIGURES.attributions, FIGURES.scripted
calendar_day, proposed_by_inject = FIGURES.calendar_day, FIGURES.proposed_by_inject
#: Whether a count of runs (or a median) is in a band the script declares (BANDS), the band
#: docs/calibration.md's table says.
band = FIGURES.band


@cache
def case_runs(scenario_id: str) -> list[Exercise]:
    """The 50 runs of a built-in calibration case (shared by the tests of that case and by the
    doc's tables, which bench/calibration.py computes from the same runs)."""
    return FIGURES.runs(scenario_id, SEEDS)


def edited(scenario_id: str, *replacements: tuple[str, str]):
    """A built-in's text with each ``(old, new)`` replaced (each ``old`` must be there)."""
    text = scenarios.builtin_path(scenario_id).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return scenarios.load_text(text)


# -- the record's dates ------------------------------------------------------------------------

#: (scenario, MSEL entry) -> the documented date the entry stands for (docs/calibration.md).
RECORD_DATES = {
    ("calib-wannacry-notpetya", "W-01"): date(2017, 12, 19),  # UK/US name North Korea
    ("calib-wannacry-notpetya", "W-02"): date(2018, 2, 15),  # UK/US/DK/LT name Russia
    ("calib-solarwinds", "S-02"): date(2021, 4, 15),  # US attribution and HR declaration
    ("calib-exchange-apt31", "X-03"): date(2021, 7, 19),  # UK/US attribution and EU declaration
    ("calib-ghostwriter", "G-1"): date(2021, 9, 6),  # Germany's attribution
    ("calib-apt28-2024", "A-02"): date(2024, 5, 3),  # DE and CZ attribution, HR declaration
    ("calib-bundestag", "B-03"): date(2020, 5, 28),  # Germany asks for sanctions
}


@pytest.mark.parametrize(("scenario_id", "entry_id"), sorted(RECORD_DATES))
def test_scripted_events_fall_on_the_dates_of_the_record(scenario_id, entry_id):
    scenario = scenarios.load(scenario_id)
    entry = next(e for e in scenario.msel if e.id == entry_id)
    assert (scenario.start + timedelta(hours=entry.at)).date() == RECORD_DATES[
        scenario_id, entry_id
    ]


def test_record_deadlines_fall_on_the_dates_of_the_record():
    # The bands' dates: the Foreign Affairs Council of 16 April 2018 (T+339d) and the first
    # listings of 30 July 2020 (T+440d).
    wannacry, listings = (
        scenarios.load("calib-wannacry-notpetya"),
        scenarios.load("calib-first-listings"),
    )
    assert (wannacry.start + timedelta(days=339)).date() == date(2018, 4, 16)
    assert (listings.start + timedelta(days=440)).date() == date(2020, 7, 30)


# -- Viasat, 10 May 2022: the declaration on the day of the coordinated attributions ----------


def test_viasat_declaration_comes_the_day_of_the_coordinated_attributions():
    same_day = 0
    for ex in case_runs("calib-viasat"):
        (declaration,) = adopted(ex, "hr_declaration")
        coordinated = [e for e in attributions(ex) if e.data["how"] == "coordinated"]
        # the declaration answers the day's attributions: none of them comes after it that day
        day = int(declaration.t // DAY)
        later = [e.t for e in attributions(ex) if int(e.t // DAY) == day and e.t > declaration.t]
        assert not later, f"attributions after the declaration on its day: {later}"
        if any(int(e.t // DAY) == int(declaration.t // DAY) for e in coordinated):
            same_day += 1
        assert declaration.data["naming"] in ("territory", "state")  # it names the actor
    assert band(FIGURES.SAME_DAY, same_day, len(SEEDS)), f"same day in {same_day} of {len(SEEDS)} runs"


def test_viasat_partners_join_the_coordinated_attribution():
    ex = Exercise("calib-viasat", seed=0).run()
    partners = {e.data["partner"] for e in ex.events if e.kind == "partner_attributed"}
    assert partners == {"UK", "US"}
    assert ex.metrics["t_first_partner_attribution"] == ex.metrics["t_hr_declaration"]


def test_viasat_declaration_near_day_75():
    times = [ex.metrics["t_hr_declaration"] / DAY for ex in case_runs("calib-viasat")]
    assert band("viasat: adoption", statistics.median(times))


# -- Ghostwriter, 2021: Germany attributes; Poland asks; the HR declaration 18 days later ------


def test_ghostwriter_declaration_about_18_days_after_germany():
    lags = []
    for ex in case_runs("calib-ghostwriter"):
        # Germany's public attribution is the scripted one (the model may have had other
        # capitals, or Germany, speak earlier on their own evidence).
        german = scripted(ex, "G-1")
        found = adopted(ex, "hr_declaration")
        lags.append((found[0].t - german.t) / DAY if found else float("inf"))
        assert all(e.t >= german.t for e in found)  # the EU speaks after the capital
    median = statistics.median(lags)
    assert band(FIGURES.LAG, median), f"median DE attribution -> declaration {median:.1f} d"


def test_ghostwriter_wording_is_weakened_by_the_drafters_not_by_a_veto():
    # "some Member States have observed": the 2021 wording was a drafting compromise. The
    # working party meets a foreseeable veto with weaker wording at its first reading, so the
    # PSC does not spend a sitting on a veto and a redraft (docs/model.md, *HWPCI*).
    ran = case_runs("calib-ghostwriter")
    vetoed = sum(any(e.kind == "decision" and e.data["blockers"] for e in ex.events) for ex in ran)
    drafted = sum(
        any(e.kind == "redrafted" and e.data.get("body") == "hwpci" for e in ex.events)
        for ex in ran
    )
    assert band(FIGURES.VETO, vetoed, len(ran)), f"a veto at the PSC in {vetoed} runs"
    assert band(FIGURES.DRAFTED, drafted, len(ran)), f"the drafters weakened the wording in {drafted} runs"


# -- 30 July 2020: the first listings (WannaCry, NotPetya, Cloud Hopper, OPCW) were adopted -----


def test_listings_brought_to_the_council_are_adopted():
    # The record: every cyber listing brought to the Council since May 2019 was adopted, the
    # first on 30 July 2020 (T+440d), despite delegations with ties to Russia at the table.
    ran = case_runs("calib-first-listings")
    by_july_2020 = sum(any(e.t <= 440 * DAY for e in adopted(ex, "listing")) for ex in ran)
    assert band("first listings: adopted by T+440 d", by_july_2020, len(ran)), f"listing adopted by T+440d in {by_july_2020} runs"


def test_initiators_need_not_be_victims():
    ex = case_runs("calib-first-listings")[0]
    proposal = next(e for e in ex.events if e.kind == "proposal" and e.data["measure"] == "listing")
    assert proposal.data["by"] == "NL" and "NL" not in ex.world.victims()
    # The model's own initiative too (the proposal above is scripted): with reluctant victims
    # and no scripted proposal, a keen capital that was not hit tables the measure.
    keen = edited(
        "calib-first-listings",
        ("  initiation: 500d\n", ""),
        (
            "\nthreat_actors:",
            "\nmember_states: {DK: {stance: -1.0}, FR: {stance: -1.0}, "
            "EE: {stance: 1.0}}\nthreat_actors:",
        ),
    ).model_copy(update={"msel": []})
    ex = Exercise(keen, seed=0).run()
    first = next(e for e in ex.events if e.kind == "proposal")
    assert first.data["origin"] == "initiative" and first.data["by"] not in ex.world.victims()
    assert first.data.get("cosponsors"), "keen capitals co-sponsor it (a push coalition)"


# -- April 2018: conclusions on WannaCry and NotPetya, attributed by partners, not by the EU ---


def test_wannacry_notpetya_conclusions_at_the_april_2018_council_without_attribution():
    ran = case_runs("calib-wannacry-notpetya")
    texts = [found[0] for ex in ran if (found := adopted(ex, "council_conclusions"))]
    assert band("wannacry: conclusions adopted", len(texts), len(ran)), f"conclusions adopted in {len(texts)} runs"
    # When the Presidency tabled its draft is not public (W-03 is placed the day after the
    # NotPetya attribution): the record fixes the order and the Foreign Affairs Council of 16 April.
    in_time = sum(
        scripted(ex, "W-02").t < found[0].t <= 339 * 1.1 * DAY
        for ex in ran
        if (found := adopted(ex, "council_conclusions"))
    )
    assert band("wannacry: after W-02 and by T+373 d", in_time, len(ran)), f"after the attributions and by T+373d in {in_time} runs"
    # The UK, the US, Denmark and Lithuania had named North Korea and Russia; the Union did not.
    unnamed = sum(e.data["naming"] == "none" for e in texts)
    assert band("wannacry: the conclusions name no one", unnamed, len(ran)), f"conclusions without attribution in {unnamed} runs"


def test_conclusions_on_one_campaign_may_name_it():
    # The 2018 conclusions named no one because they answered a campaign (NotPetya) that the
    # Union's shared assessment (of WannaCry) did not cover; without the NotPetya attribution
    # the same text answers one campaign, which partners have named, and may name it.
    scenario = scenarios.load("calib-wannacry-notpetya")
    one = scenario.model_copy(update={"msel": [e for e in scenario.msel if e.id != "W-02"]})
    said = [
        found[0].data["naming"]
        for ex in runs(one, range(10))
        if (found := adopted(ex, "council_conclusions"))
    ]
    assert said and any(n != "none" for n in said), said


def test_wannacry_notpetya_nobody_attributes_in_the_first_months():
    # The record (domain.md, *Observed timings*): 168-233 days from incident to the first public
    # national attribution in the 2017-18 cases; here the first came on 19 December 2017 (T+221d).
    firsts = [
        min((e.t for e in attributions(ex)), default=float("inf")) / DAY
        for ex in case_runs("calib-wannacry-notpetya")
    ]
    median = statistics.median(firsts)
    assert band("wannacry: first public attribution", median), f"median first public attribution T+{median:.1f}d"


# -- 2021-2024: declarations the day partners or capitals attribute, and no ratchet -----------

#: Cases that stopped at a declaration issued the day of a scripted attribution (the script's
#: declaration, whose table of docs/calibration.md shows these checks).
DECLARATION_DAY = FIGURES.DECLARATION_DAY


@pytest.mark.parametrize("scenario_id", sorted(DECLARATION_DAY))
def test_the_declaration_agreed_in_advance_comes_out_the_day_of_the_attribution(scenario_id):
    inject, _, _ = DECLARATION_DAY[scenario_id]
    on_the_day = 0
    for ex in case_runs(scenario_id):
        text = proposed_by_inject(ex, "hr_declaration")
        day = calendar_day(ex, scripted(ex, inject).t)
        on_the_day += text is not None and calendar_day(ex, text.t) == day
    assert band(FIGURES.ON_THE_DAY, on_the_day, len(SEEDS)), (
        f"{scenario_id}: the declaration on the day of {inject} in {on_the_day} runs"
    )


@pytest.mark.parametrize("scenario_id", sorted(DECLARATION_DAY))
def test_the_union_says_nothing_before_the_attribution(scenario_id):
    # The record has no EU text on these campaigns before the day of the attribution; the
    # model's own initiative is on (an EU text of its own, named or not, would come earlier).
    inject, _, _ = DECLARATION_DAY[scenario_id]
    early = 0
    for ex in case_runs(scenario_id):
        day = calendar_day(ex, scripted(ex, inject).t)
        early += any(
            calendar_day(ex, e.t) < day
            for e in ex.events
            if e.kind == "adopted"
            and e.data["measure"] in ("hr_declaration", "council_conclusions")
        )
    assert band(FIGURES.EARLY, early, len(SEEDS)), f"{scenario_id}: an EU text before {inject} in {early} runs"


@pytest.mark.parametrize(
    "scenario_id", sorted(s for s, (_, naming, _) in DECLARATION_DAY.items() if naming)
)
def test_the_declaration_has_the_wording_of_the_record(scenario_id):
    _, naming, share = DECLARATION_DAY[scenario_id]
    # The wording of the declaration the record's Union agreed (the scripted proposal): how the
    # table weakens the draft through its red lines and redrafts.
    texts = [proposed_by_inject(ex, "hr_declaration") for ex in case_runs(scenario_id)]
    said = [text.data["naming"] if text is not None else None for text in texts]
    assert said.count(naming) >= share * len(SEEDS), f"{scenario_id}: {said}"


@pytest.mark.parametrize("scenario_id", sorted(DECLARATION_DAY))
def test_a_case_that_stopped_at_a_declaration_mostly_stops_there(scenario_id):
    # The Toolbox's measures are options, not a ladder: SolarWinds, Exchange and APT28 2024
    # ended with a declaration; the model's own initiative is on in these scenarios.
    listed = sum(bool(adopted(ex, "listing")) for ex in case_runs(scenario_id))
    assert band(FIGURES.LISTED, listed, len(SEEDS)), f"{scenario_id}: a listing in {listed} of {len(SEEDS)} runs"


# -- the doc shows the model's figures now --------------------------------------------------------


def test_every_calibration_case_has_a_table_in_the_doc():
    doc = FIGURES.shown(FIGURES.DOC.read_text(encoding="utf-8"))
    assert sorted(doc) == sorted(FIGURES.CASES)
    calib = [i for i in scenarios.builtin_ids() if i.startswith("calib-")]
    assert set(calib) <= {sid for ids, _, _ in FIGURES.CASES.values() for sid in ids}
    assert FIGURES.SEEDS == SEEDS


@pytest.mark.parametrize("name", sorted(FIGURES.CASES))
def test_calibration_doc_shows_the_figures_the_script_prints(name):
    # docs/calibration.md's table "model now" of each case is what bench/calibration.py prints
    # from these runs (the ones the bands above were checked on; the two-year runs are the
    # script's own, a second of runs): a model change that moves a figure fails here until
    # `python bench/calibration.py --write` is rerun.
    ids, horizon, _ = FIGURES.CASES[name]
    if horizon is None:
        ran = {sid: case_runs(sid) for sid in ids}
    else:
        ran = {sid: FIGURES.runs(sid, SEEDS, horizon=horizon) for sid in ids}
    doc = FIGURES.shown(FIGURES.DOC.read_text(encoding="utf-8"))
    assert doc[name] == FIGURES.markdown(FIGURES.rows(name, ran)), (
        f"docs/calibration.md's table {name} is not what bench/calibration.py prints; rerun it "
        "with --write"
    )


# -- attribution first: the targets of issue 13 -----------------------------------------------


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_without_the_msel_no_declaration_names_an_actor_before_a_capital(scenario_id):
    ran = MODEL.alone_runs(scenario_id, SEEDS)
    early = 0
    for ex in ran:
        first = min((e.t for e in attributions(ex)), default=None)
        for e in ex.events:
            if e.kind == "adopted" and e.data.get("naming", "none") != "none":
                early += first is None or e.t < first
    assert early <= 0.05 * len(SEEDS)
    # docs/model.md's table "What the model makes on its own" has this built-in's row as
    # bench/model_figures.py prints it from these runs (rerun it with --write when this fails).
    shown = MODEL.shown_alone(MODEL.DOC.read_text(encoding="utf-8")).splitlines()
    assert MODEL.alone_row(scenario_id, ran) in shown, f"docs/model.md: row of {scenario_id}"


def test_model_doc_table_of_the_model_alone_has_a_row_per_built_in():
    shown = MODEL.shown_alone(MODEL.DOC.read_text(encoding="utf-8"))
    names = re.findall(r"^\| `([\w-]+)` \|", shown, flags=re.M)
    assert shown.startswith(MODEL.ALONE_HEAD) and names == scenarios.builtin_ids()


def test_every_model_figure_docs_model_quotes_is_the_scripts():
    # docs/model.md quotes the figures bench/model_figures.py stores in docs/model-figures.txt
    # (text only: the curves, attribution and calendar figures take thousands of runs, which
    # `python bench/model_figures.py --check` makes); the crisis track's and the figures of the
    # model's distributions (from its constants) are recomputed here.
    stored = MODEL.read_stored()
    assert set(stored) >= {n for q in MODEL.QUOTES for n in re.findall(r"{(\w+)}", q)}
    assert MODEL.misquoted(stored) == []
    fresh = MODEL.cheap()
    assert fresh == {k: stored[k] for k in fresh}, "rerun python bench/model_figures.py --write"


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
    ran = case_runs(scenario_id) if scenario_id.startswith("calib-") else runs(scenario)
    ratings = [ex.metrics["objectives"] for ex in ran]
    shares = {o.id: sum(r[o.id] == "P" for r in ratings) / len(SEEDS) for o in scenario.objectives}
    assert any(0.2 <= share <= 0.8 for share in shares.values()), shares
    # An objective the model alone meets in 98% of runs or more, or never, says why (issue 22):
    # what the MSEL scripts, and what the people at the table can still change.
    unexplained = [o.id for o in scenario.objectives
                   if (shares[o.id] >= 0.98 or shares[o.id] == 0.0) and not o.settled.strip()]  # fmt: skip
    assert not unexplained, f"{scenario_id}: settled without a reason: {unexplained} ({shares})"
