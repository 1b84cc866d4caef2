"""Credible politics (issue 13): delegations that differ per run, attribution first, wording as
the first compromise, negotiation that costs, the right instruments, who proposes, scoring that
does not hide a veto. docs/model.md states each rule; tests/test_calibration.py checks the
documented cases over 50 seeds."""

from __future__ import annotations

import dataclasses
import math
import random
import re

import pytest

import scenarios
from actors import negotiation
from actors.delegation import (
    COMMITTED_POSITION,
    COMMITTED_SALIENCE,
    VETO_SALIENCE,
    Instructions,
    Observation,
    draw_instructions,
    initial_stance,
    position,
    red_line,
    susceptibility_on,
    view_on,
)
from actors.institutions import after_veto, allowed_naming, drafting_compromise, initiator
from actors.roster import builtin_roster
from actors.threat import reaction
from scenarios.model import ThreatActor
from scenarios.vocabulary import NAMING_LEVELS
from sim import Exercise
from sim.metrics import rate

BASE = """
cdtx: 1
id: politics-test
title: Politics test
start: 2026-03-02T09:00:00+01:00
horizon: {horizon}
{extra}
threat_actors:
  - {{id: bear, name: BEAR, sponsor: RU, sophistication: 0.5, resolve: 0.6}}
incidents:
  - id: INC
    actor: bear
    targets: [{targets}]
    severity: {{scope: 3, scale: 3, duration: 2, intensity: 3, complexity: 2, sophistication: 2, impact: 3}}
procedure: {procedure}
msel: {msel}
"""


def scenario(
    horizon="60d",
    extra="",
    targets="{state: PL, sector: energy}",
    procedure="{mode: crisis}",
    msel="[]",
):
    text = BASE.format(
        horizon=horizon, extra=extra, targets=targets, procedure=procedure, msel=msel
    )
    return scenarios.load_text(text)


def kinds(ex, kind):
    return [e for e in ex.events if e.kind == kind]


# -- delegations that differ ------------------------------------------------------------------


def test_instructions_differ_between_runs_and_are_drawn_around_the_profile():
    hu = builtin_roster()["HU"]
    draws = [draw_instructions(random.Random(seed), hu, 0.15) for seed in range(200)]
    stances = [d.stance for d in draws]
    assert len(set(stances)) > 150
    assert abs(sum(stances) / len(stances) - hu.stance) < 0.05
    assert all(-1.0 <= s <= 1.0 for s in stances)
    assert all(0.0 <= d.tie("RU") <= 1.0 for d in draws)


def test_a_spread_of_zero_pins_the_instructions_to_the_profile():
    hu = builtin_roster()["HU"]
    pinned = draw_instructions(random.Random(1), hu, 0.0)
    assert pinned.stance == hu.stance and pinned.tie("RU") == hu.tie("RU")
    one = Exercise(scenario(procedure="{mode: crisis, instruction_spread: 0}"), seed=1).run()
    two = Exercise(scenario(procedure="{mode: crisis, instruction_spread: 0}"), seed=2).run()
    assert one.world.instructions["HU"] == two.world.instructions["HU"]
    spread = [Exercise(scenario(), seed=s).run().world.instructions["HU"] for s in (1, 2)]
    assert spread[0] != spread[1]


def test_a_red_line_is_a_reservation_point_held_with_salience():
    obs = Observation(severity=0.6, exposure=0.0, confidence=0.8, pressure=0.0, sponsor="RU")
    hostile_tied = Instructions(-1.0, (("RU", 1.0),))
    friendly_tied = Instructions(0.6, (("RU", 0.6),))
    assert red_line(hostile_tied, "hr_declaration", "state", obs)
    # a red line can hold through the redraft: "from the territory of" is still too much
    assert red_line(hostile_tied, "hr_declaration", "territory", obs)
    # the same ties with friendlier instructions: the line is on naming the state only
    assert red_line(Instructions(-0.3, (("RU", 1.0),)), "hr_declaration", "state", obs)
    assert not red_line(friendly_tied, "hr_declaration", "territory", obs)
    # no ties to the state named: hostile instructions alone do not make a red line here
    assert not red_line(
        hostile_tied, "hr_declaration", "state", dataclasses.replace(obs, sponsor="CN")
    )
    # evidence moves the position, not the salience: with none at all the line is crossed sooner
    weak, strong = (dataclasses.replace(obs, confidence=c) for c in (0.0, 0.95))
    assert red_line(Instructions(0.0, (("RU", 0.65),)), "hr_declaration", "state", weak)
    assert not red_line(Instructions(0.0, (("RU", 0.65),)), "hr_declaration", "state", strong)


def test_salience_damps_what_the_table_can_do():
    view = view_on("hr_declaration", "state", -0.3, 0.9, 0.5, 0.0, 0.8, 0.0)
    calm = view_on("hr_declaration", "state", 0.2, 0.0, 0.5, 0.0, 0.8, 0.0)
    assert view.salience > calm.salience
    assert susceptibility_on(0.5, view.salience) < susceptibility_on(0.5, calm.salience)
    assert susceptibility_on(0.5, 1.0) == 0.0 and susceptibility_on(0.5, 0.0) == 0.5


def test_a_capital_that_vetoed_the_same_wording_is_committed_to_it():
    fresh = view_on("listing", "none", 0.0, 0.3, 0.6, 0.0, 0.8, 0.0)
    committed = view_on("listing", "none", 0.0, 0.3, 0.6, 0.0, 0.8, 0.0, committed=True)
    assert committed.position == pytest.approx(fresh.position - COMMITTED_POSITION)
    assert committed.salience == pytest.approx(fresh.salience + COMMITTED_SALIENCE)


def test_a_narrower_package_touches_ties_less():
    full = view_on("listing", "none", -0.3, 0.9, 0.6, 0.0, 0.8, 0.0)
    narrow = view_on("listing", "none", -0.3, 0.9, 0.6, 0.0, 0.8, 0.0, narrowed=0.75)
    assert narrow.position > full.position and narrow.salience < full.salience


def test_weaker_wording_never_lowers_support():
    hu = builtin_roster()["HU"]
    obs = Observation(0.6, 0.0, 0.7, 0.0, "RU")
    stances = [initial_stance(hu, "hr_declaration", obs, naming=level) for level in NAMING_LEVELS]
    assert stances[0] >= stances[1] >= stances[2]


def test_formal_abstention_only_on_a_listing_and_rarely():
    assert position(-0.5, "listing") == "constructive_abstention"
    assert position(-0.5, "hr_declaration") == "oppose"
    # only the deeply reluctant (below CONSTRUCTIVE_AT) who care that much abstain formally
    assert position(-0.3, "listing") == "abstain"
    assert position(-0.5, "listing", salience=0.5) == "abstain"
    assert position(-0.3, "hr_declaration") == "abstain"


def test_below_its_reservation_point_a_delegation_vetoes_only_if_it_cares():
    assert position(-0.8, "listing", salience=VETO_SALIENCE) == "oppose"
    assert position(-0.8, "listing", salience=VETO_SALIENCE - 0.01) == "abstain"
    assert position(-0.5, "hr_declaration", salience=0.2) == "abstain"


def test_a_scripted_formal_abstention_on_a_declaration_counts_as_a_plain_one():
    ex = Exercise("grid-wiper")
    ex.run("1h")
    ex.submit({"type": "position", "params": {"state": "HU", "measure": "hr_declaration",
                                              "stance": "constructive_abstention"}})  # fmt: skip
    ex.run()
    decisions = [d for d in kinds(ex, "decision") if d.data["measure"] == "hr_declaration"]
    assert decisions  # else the loop below would check nothing
    for d in decisions:
        assert d.data["constructive_abstention"] == 0 and d.data["abstain"] >= 1
    hu = [p.data for p in kinds(ex, "position") if p.data["state"] == "HU"]
    assert hu and all(p["position"] == "abstain" and p["by"] == "fixed" for p in hu)


def test_vetoes_redrafts_arise_from_the_model_alone_in_some_runs_not_all():
    base = scenarios.load("election-leak").model_copy(update={"msel": []})
    redrafted = [bool(kinds(Exercise(base, seed=s).run(), "redrafted")) for s in range(30)]
    assert any(redrafted) and not all(redrafted)


# -- attribution first ------------------------------------------------------------------------


def test_the_union_names_no_one_before_a_capital_or_partner():
    assert allowed_naming(False, 0.9) == "none"
    assert allowed_naming(True, 0.9) == "state"
    assert allowed_naming(True, 0.5) == "territory"


def test_a_declaration_that_names_comes_with_coordinated_attributions():
    ex = Exercise("calib-viasat", seed=3).run()
    (adopted,) = [e for e in kinds(ex, "adopted") if e.data["measure"] == "hr_declaration"]
    assert adopted.data["naming"] != "none"
    joined = [e for e in kinds(ex, "attributed") if e.data["how"] == "coordinated"]
    assert joined and all(e.t == adopted.t and e.seq < adopted.seq for e in joined)


def test_a_capital_joins_a_coordinated_attribution_with_a_little_less_evidence():
    from actors import national

    ee = builtin_roster()["EE"]
    short = ee.attribution_threshold - national.COORDINATION_MARGIN / 2
    assert not national.will_attribute(ee, short, "RU", False, 0.0)
    assert national.will_attribute(ee, short, "RU", False, 0.0, coordinated=True)


def test_partners_attribute_in_scenarios_and_injects():
    extra = "partners:\n  - {id: US, name: United States, intel: 1.0, attribution_threshold: 0.3}"
    ex = Exercise(scenario(extra=extra), seed=0).run()
    assert any(e.data["partner"] == "US" for e in kinds(ex, "partner_attributed"))
    ex = Exercise(scenario(), seed=0)
    ex.run("1h")
    ex.submit({"type": "attribute", "params": {"partners": ["UK", "NATO"], "actor": "bear"}})
    partners = [e.data["partner"] for e in kinds(ex, "partner_attributed")]
    assert partners == ["UK", "NATO"]
    assert ex.metrics["t_first_partner_attribution"] == ex.now
    assert ex.metrics["t_first_attribution"] is None  # national attribution is another metric


def test_an_attribution_needs_someone_to_make_it():
    ex = Exercise(scenario())
    with pytest.raises(Exception, match="at least one of states or partners"):
        ex.submit({"type": "attribute", "params": {"actor": "bear"}})


def test_intcen_fuses_reports_of_states_that_were_not_hit():
    ex = Exercise("grid-wiper").run()
    victims = set(ex.world.victims())
    assert set(ex.world.reported) - victims, "a bystander with capable services reports too"


def test_a_propose_inject_may_ask_for_the_wording():
    msel = "[{id: M1, at: 1d, type: propose, params: {measure: hr_declaration, by: hr, naming: state}}]"
    ex = Exercise(scenario(msel=msel, procedure="{mode: crisis, initiation: 90d}"), seed=0).run()
    decisions = [e for e in kinds(ex, "decision") if e.data["measure"] == "hr_declaration"]
    assert decisions and decisions[0].data["naming"] == "state"


# -- negotiation that costs -------------------------------------------------------------------


def test_after_a_veto_the_wording_weakens_before_the_measure():
    assert after_veto("hr_declaration", "state", 0.9, 1, 1, []) == ("redraft", "territory")
    assert after_veto("council_conclusions", "territory", 0.9, 1, 1, []) == ("redraft", "none")
    assert after_veto("council_conclusions", "none", 0.9, 1, 1, []) == ("lower", "hr_declaration")
    assert after_veto("hr_declaration", "none", 0.9, 1, 1, []) == ("statement", "hr_statement")
    assert after_veto("hr_declaration", "none", 0.9, 1, 5, []) == ("withdraw", None)
    assert after_veto("listing", "none", 0.5, 0, 1, []) == ("defer", None)


def test_a_blocked_declaration_ends_as_an_hr_statement_after_its_last_veto():
    msel = ("[{id: M0, at: 0, type: position, params: {state: HU, measure: hr_declaration, "
            "stance: oppose}}]")  # fmt: skip
    ex = Exercise(scenario(msel=msel), seed=0).run()
    vetoes = [e for e in kinds(ex, "decision") if not e.data["adopted"]]
    assert [e.data["naming"] for e in vetoes][-1] == "none"
    assert len({e.t for e in vetoes}) == len(vetoes), "each attempt at its own sitting"
    (statement,) = [e for e in kinds(ex, "adopted") if e.data["measure"] == "hr_statement"]
    assert statement.data["rung"] == 2 and statement.data["body"] == "hr"
    # The HR speaks in her own name (no consensus needed) once the weakest wording is vetoed:
    # at that sitting, or the next working time if it ended out of hours (docs/model.md, after a
    # veto, step 4; a statement comes out on a working day like every act).
    assert statement.t == ex.calendar.working_time(vetoes[-1].t), (statement.t, vetoes[-1].t)
    # not lowered to cooperative measures (the model's own initiative may have taken some before
    # anyone named the actor: they need no attribution)
    assert not [e for e in kinds(ex, "proposal")
                if e.data["measure"] == "cooperative" and e.data["parent"]]  # fmt: skip
    assert kinds(ex, "withdrawn")
    metrics = ex.metrics
    assert metrics["highest_measure"] == "hr_statement"
    assert rate("highest_rung", 3, metrics) == "S"  # a stability objective is not P
    assert rate("cohesion", 0.8, metrics) != "P"  # the veto is not hidden


def test_the_drafters_meet_a_foreseeable_veto_with_weaker_wording():
    # (wording, a delegation would veto it, sittings it needs), from the draft down to none
    assert drafting_compromise([("state", True, 1), ("territory", False, 1), ("none", False, 1)]) == (
        "territory", 1)  # fmt: skip
    # a weaker word rather than another week of drafting (Ghostwriter 2021)
    assert drafting_compromise([("state", False, 2), ("territory", False, 1), ("none", False, 1)]) == (
        "territory", 1)  # fmt: skip
    # no gain in weakening: the draft stands
    assert drafting_compromise([("state", False, 2), ("territory", False, 2), ("none", False, 2)]) == (
        "state", 2)  # fmt: skip
    # a red line that holds down to no name: the draft goes to the PSC, where the chair meets it
    assert drafting_compromise([("state", True, 1), ("territory", True, 1), ("none", True, 1)]) == (
        "state", 1)  # fmt: skip


def test_own_attribution_backs_a_text_that_says_it():
    from actors.delegation import stance_on

    args = (0.0, 0.0, 0.5, 1.0, 0.8, 0.0)  # stance, tie, severity, exposure, confidence, pressure
    for measure, naming in (("hr_declaration", "territory"), ("listing", "none")):
        assert stance_on(measure, naming, *args, attributed=True) > stance_on(
            measure, naming, *args, attributed=False
        )
    # a text that names no one does not say what the capital said
    assert stance_on("hr_declaration", "none", *args, attributed=True) == stance_on(
        "hr_declaration", "none", *args, attributed=False
    )


def test_hwpci_needs_more_sittings_when_positions_are_far_apart():
    def positions(oppose):
        entries = [
            f"{{id: P{code}, at: 0, type: position, params: {{state: {code}, "
            f"measure: hr_declaration, stance: {'oppose' if code in oppose else 'support'}}}}}"
            for code in builtin_roster().codes
        ]
        # Poland names the actor early: the Union's text does not wait for the record's months
        # of attribution (this test is about the working party's sittings).
        entries.append("{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}")
        # Poland tables the declaration (an inject): the model's own initiative weighs options
        # (issue 22) and may ask for a listing instead; this test is about the sittings.
        entries.append("{id: D, at: 2d, type: propose, params: {measure: hr_declaration, by: PL}}")
        return "[" + ", ".join(entries) + "]"

    quiet = "{mode: calendar, initiation: 900d}"
    runs = [
        Exercise(scenario(procedure=quiet, msel=positions(oppose)), seed=4).run()
        for oppose in ((), ("HU",))
    ]
    near, far = (kinds(ex, "prepared")[0] for ex in runs)
    assert near.data["rounds"] == 1 and far.data["rounds"] == 2
    assert far.t > near.t  # the second round is a later sitting


# -- the right instruments --------------------------------------------------------------------


def test_the_adversary_reacts_to_costs_imposed_and_rarely_ceases():
    actor = ThreatActor(id="x", name="X", resolve=0.5)
    ceased = sum(reaction(random.Random(s), actor, 4) == "cease" for s in range(2000))
    assert ceased / 2000 < 0.1


def test_assistance_tabled_as_a_proposal_is_no_signal_to_the_adversary():
    msel = "[{id: M, at: 1d, type: propose, params: {measure: mutual_assistance, by: PL}}]"
    ex = Exercise(scenario(msel=msel, procedure="{mode: crisis, initiation: 90d}"), seed=0).run()
    assert [e for e in kinds(ex, "adopted") if e.data["measure"] == "mutual_assistance"]
    assert not [e for e in kinds(ex, "adversary") if e.data["cause"] == "mutual_assistance"]


def test_a_long_horizon_reviews_a_listing_every_year():
    msel = ("[{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}, "
            "{id: L, at: 2d, type: propose, params: {measure: listing, by: PL}}]")  # fmt: skip
    ex = Exercise(scenario(horizon="420d", msel=msel, procedure="{mode: crisis, initiation: 900d}"),
                  seed=0).run()  # fmt: skip
    assert [e for e in kinds(ex, "adopted") if e.data["measure"] == "listing"]
    (review,) = kinds(ex, "listing_review")
    assert review.data["review"] == 1 and "renewed" in review.data


def test_an_evidence_package_that_outlives_the_horizon_is_open_business():
    msel = ("[{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}, "
            "{id: L, at: 2d, type: propose, params: {measure: listing, by: PL}}]")  # fmt: skip
    ex = Exercise(scenario(horizon="20d", msel=msel, procedure="{mode: calendar}"), seed=0).run()
    (open_item,) = ex.metrics["open_business"]
    assert open_item["measure"] == "listing" and open_item["stage"] == "evidence package"


def test_a_text_agreed_but_not_yet_adopted_at_the_horizon_is_open_business_in_adoption():
    msel = "[{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}]"
    ex = Exercise(scenario(horizon="60d", msel=msel, procedure="{mode: crisis}"), seed=0).run()
    agreed = next(e for e in kinds(ex, "decision") if e.data["adopted"])
    adopted = next(e for e in kinds(ex, "adopted") if e.data["proposal"] == agreed.data["proposal"])
    assert agreed.t < adopted.t  # a silence procedure or Council adoption lies between
    cut = Exercise(scenario(horizon="60d", msel=msel, procedure="{mode: crisis}"), seed=0)
    cut.run(until=(agreed.t + adopted.t) / 2)
    (open_item,) = cut.metrics["open_business"]
    assert open_item["proposal"] == agreed.data["proposal"]
    assert open_item["stage"] == f"agreed at {agreed.data['body']}, in adoption"


# -- who proposes -----------------------------------------------------------------------------


def test_initiators_need_not_be_victims_and_coalitions_cosponsor():
    by, cosponsors = initiator([("PL", 1.0), ("EE", 1.6), ("LT", 1.3), ("HU", -0.2)])
    assert by == "EE" and cosponsors == ["LT"]
    assert initiator([("HU", 0.1)]) == ("hr", [])


def test_no_listing_before_a_national_attribution():
    # A grave incident, for which the model recommends a listing (rung 4): without a national
    # attribution it asks for a declaration instead.
    text = BASE.format(horizon="60d", extra="", targets="{state: PL, sector: energy}",
                       procedure="{mode: crisis, attribution_evidence: 900d}",
                       msel="[]")  # fmt: skip
    grave = ("{scope: 4, scale: 4, duration: 3, intensity: 4, complexity: 3, sophistication: 3, "
             "impact: 4}")  # fmt: skip
    text = re.sub(r"severity: \{[^}]*\}", "severity: " + grave, text)
    ex = Exercise(scenarios.load_text(text), seed=0).run()
    assert ex.metrics["recommended_rung"] == 4
    assert not [e for e in kinds(ex, "proposal") if e.data["measure"] == "listing"]
    assert [e for e in kinds(ex, "proposal") if e.data["measure"] == "hr_declaration"]


# -- victims outside the Union ----------------------------------------------------------------


def test_a_third_state_can_be_the_victim():
    targets = "{third_party: UA, sector: government}, {state: PL, sector: energy}"
    ex = Exercise(scenario(targets=targets), seed=0).run()
    (incident,) = kinds(ex, "incident")
    assert incident.data["third_parties"] == [{"third_party": "UA", "sector": "government"}]
    assert kinds(ex, "third_party_report")
    assert ex.world.victims() == ["PL"]


def test_a_target_is_a_member_state_or_a_third_party_not_both():
    with pytest.raises(scenarios.ScenarioError, match="either a state"):
        scenario(targets="{state: PL, third_party: UA, sector: energy}")
    with pytest.raises(scenarios.ScenarioError, match="member state"):
        scenario(targets="{third_party: PL, sector: energy}")


# == issue 22 (pcal): Brussels' calendar and a threat actor with its own tempo ================
from sim.clock import in_recess, is_working_day  # noqa: E402
from sim.narrative import describe  # noqa: E402
from sim.report.analysis import analyse  # noqa: E402

ENDS = {("adopted", None), ("silence_procedure", "ended"), ("written_procedure", "ended")}


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_nothing_is_adopted_or_ends_on_a_weekend_or_holiday_and_no_regular_sitting_in_recess(
    scenario_id,
):
    base = scenarios.load(scenario_id)
    for scenario in (base, base.model_copy(update={"msel": []})):
        for seed in range(4):
            ex = Exercise(scenario, seed=seed).run()
            for e in ex.events:
                day = ex.calendar.to_datetime(e.t).date()
                if (e.kind, e.data.get("phase")) in ENDS:
                    assert is_working_day(day), (e.kind, ex.calendar.format(e.t))
                if e.kind == "meeting" and not e.data["extraordinary"]:
                    assert is_working_day(day) and not in_recess(day), ex.calendar.format(e.t)


def test_a_listing_adopted_in_august_waits_for_september_in_calendar_mode():
    msel = ("[{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}, "
            "{id: L, at: 2d, type: propose, params: {measure: listing, by: PL}}]")  # fmt: skip
    text = BASE.format(horizon="120d", extra="", targets="{state: PL, sector: energy}",
                       procedure="{mode: calendar, initiation: 900d, hwpci_package: 60d}",
                       msel=msel).replace("2026-03-02", "2026-06-01")  # fmt: skip
    ex = Exercise(scenarios.load_text(text), seed=0).run()
    sittings = [ex.calendar.to_datetime(e.t) for e in kinds(ex, "meeting")]
    assert sittings and not [d for d in sittings if d.month == 8]


def test_the_reaction_delay_is_drawn_not_a_clock():
    msel = "[{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}]"
    delays = set()
    for seed in range(12):
        ex = Exercise(scenario(horizon="40d", msel=msel), seed=seed).run()
        adopted = {e.data["measure"]: e.t for e in kinds(ex, "adopted")}
        for e in kinds(ex, "adversary"):
            if e.data["cause"] in adopted:
                delays.add(round(e.t - adopted[e.data["cause"]], 2))
    assert len(delays) >= 5, delays
    assert min(delays) >= 12.0 and max(delays) <= 14 * 24.0


def test_the_actor_keeps_its_own_tempo_without_eu_measures():
    quiet = "{mode: calendar, initiation: 900d}"  # no one proposes anything
    moves = 0
    for seed in range(20):
        ex = Exercise(scenario(horizon="300d", procedure=quiet), seed=seed).run()
        assert not kinds(ex, "adopted")
        campaign = [e for e in kinds(ex, "adversary") if e.data["cause"] == "campaign"]
        moves += bool(campaign)
        waves = [e for e in kinds(ex, "incident") if e.data["wave"] > 1]
        assert len(waves) <= sum(e.data["action"] == "new_wave" for e in campaign)
    assert 0 < moves < 20, moves  # some campaigns move on their own within 300 days, not all
    timid = scenario(horizon="300d", procedure=quiet).model_copy(deep=True)
    still = timid.model_copy(update={"threat_actors": [timid.threat_actors[0].model_copy(
        update={"resolve": 0.0})]})  # fmt: skip
    for seed in range(5):
        assert not kinds(Exercise(still, seed=seed).run(), "adversary")


# The proposers attribute too: a listing's evidence package rests on the proposer's own
# services (issue 22), and a proposer with no evidence of its own sees its package fail.
LISTED = ("[{id: A, at: 1d, type: attribute, params: {states: [PL, EE], actor: bear}}, "
          "{id: L, at: 2d, type: propose, params: {measure: listing, by: EE}}]")  # fmt: skip


def test_the_state_behind_a_listed_actor_retaliates_as_an_action_of_its_own():
    seen = 0
    for seed in range(20):
        ex = Exercise(scenario(horizon="150d", msel=LISTED,
                               procedure="{mode: crisis, initiation: 900d}"), seed=seed).run()  # fmt: skip
        found = kinds(ex, "retaliation")
        listing = [e for e in kinds(ex, "adopted") if e.data["measure"] == "listing"]
        assert not found or listing, "no retaliation without a listing"
        metrics = ex.metrics
        assert metrics["retaliations"] == len(found)
        if found:
            seen += 1
            first = found[0]
            assert first.t > listing[0].t and first.data["sponsor"] == "RU"
            assert metrics["t_first_retaliation"] == round(first.t, 4)
            assert ex.picture.retaliations[0]["by"] == "RU"
            assert "RU retaliates" in describe(first)  # the timeline's line
            report = analyse(ex.scenario, ex.events)
            assert any(row["kind"] == "retaliation" for row in report["timeline"])
            if first.data["action"] == "expulsion":
                assert first.data["against"] == ["EE"]  # the capital that asked for it
        else:
            assert metrics["t_first_retaliation"] is None
    assert 0 < seen < 20, seen


def test_an_actor_with_no_state_behind_it_draws_no_retaliation():
    stateless = scenario(horizon="150d", msel=LISTED, procedure="{mode: crisis, initiation: 900d}")
    stateless = stateless.model_copy(update={"threat_actors": [
        stateless.threat_actors[0].model_copy(update={"sponsor": None, "resolve": 1.0})]})  # fmt: skip
    for seed in range(10):
        assert not kinds(Exercise(stateless, seed=seed).run(), "retaliation")


def test_all_listings_are_renewed_together_in_may():
    msel = ("[{id: A, at: 1d, type: attribute, params: {states: [PL, EE, LT], actor: bear}}, "
            "{id: L, at: 2d, type: propose, params: {measure: listing, by: EE}}, "
            "{id: L2, at: 20d, type: propose, params: {measure: listing, by: LT}}]")  # fmt: skip
    ex = Exercise(scenario(horizon="420d", msel=msel, procedure="{mode: crisis, initiation: 900d}"),
                  seed=0).run()  # fmt: skip
    listed = [e for e in kinds(ex, "adopted") if e.data["measure"] == "listing"]
    reviews = kinds(ex, "listing_review")
    assert len(listed) == 2 and len(reviews) == 2  # 2 Mar 2026 + 420 d: one May, both listings
    assert {e.data["proposal"] for e in reviews} == {e.data["proposal"] for e in listed}
    # the last working day before 18 May 2026: not the weekend, nor Ascension (14) and the
    # Friday after it (15)
    assert {ex.calendar.format(e.t) for e in reviews} == {"Wed 13 May 2026 10:00"}


def test_a_declaration_agreed_in_advance_comes_out_the_day_the_capitals_attribute():
    msel = ("[{id: D, at: 2d, type: propose, params: {measure: hr_declaration, by: hr, "
            "naming: territory}}, {id: A, at: 17d, type: attribute, params: {states: [PL], "
            "actor: bear}}]")  # fmt: skip
    ex = Exercise(scenario(horizon="40d", msel=msel,
                           procedure="{mode: calendar, initiation: 900d}"), seed=0).run()  # fmt: skip
    (held,) = kinds(ex, "declaration_held")
    (declaration,) = [e for e in kinds(ex, "adopted") if e.data["measure"] == "hr_declaration"]
    attribution = next(e for e in kinds(ex, "attributed") if e.data["how"] == "inject")
    assert held.t < attribution.t
    cut = Exercise(scenario(horizon="40d", msel=msel,
                            procedure="{mode: calendar, initiation: 900d}"), seed=0)  # fmt: skip
    cut.run(until=(held.t + attribution.t) / 2)
    assert "held" in cut.picture.stages["Council"].detail  # the table sees it waiting
    # Thursday 19 March 2026: issued with the capital's announcement, not a sitting later
    assert declaration.t == attribution.t == 17 * 24.0
    assert declaration.data["naming"] == "territory"


# -- Politics II (issue 22): attribution as in the record ------------------------------------
# Public attribution takes months and often never comes; partners' intelligence counts as far
# as it is released; the evidence package can fail; the table and the Union's text see public
# attributions before INTCEN assesses.

from actors import national  # noqa: E402
from actors.institutions import evidence_package  # noqa: E402
from sim.events import Event  # noqa: E402
from sim.stages import awareness, council, psc  # noqa: E402
from sim.world import Assessment, Proposal  # noqa: E402


def test_public_attribution_delays_follow_the_record():
    rng = random.Random(7)
    draws = [national.public_attribution_delay(rng) / 24 for _ in range(4000)]
    never = sum(d == float("inf") for d in draws) / len(draws)
    finite = sorted(d for d in draws if d != float("inf"))
    median = finite[len(finite) // 2]
    assert abs(never - national.NEVER_ATTRIBUTED) < 0.03
    # the record's fit (bench/attribution_fit.py, 235 d), within about four standard errors
    assert abs(median - national.PUBLIC_ATTRIBUTION_MEDIAN_DAYS) <= 0.1 * national.PUBLIC_ATTRIBUTION_MEDIAN_DAYS
    # the fastest documented cases (Albania 54 d, Viasat 75 d) are the lower tail, not the norm
    assert 0.03 <= sum(d <= 75 for d in finite) / len(finite) <= 0.2


def test_capitals_do_not_attribute_in_weeks_and_some_campaigns_never_within_a_year():
    sc = scenario(horizon="365d", procedure="{mode: calendar}",
                  targets="{state: PL, sector: energy}, {state: EE, sector: energy}")  # fmt: skip
    firsts = []
    for seed in range(40):
        ex = Exercise(sc, seed=seed).run()
        firsts.append(ex.metrics["t_first_attribution"])
    within = sorted(t / 24 for t in firsts if t is not None)
    assert within and within[len(within) // 2] >= 54, within  # no faster than the record's fastest
    assert sum(t < 30 for t in within) <= 2
    assert firsts.count(None) >= 0.25 * len(firsts)  # never within the year in a share of runs


def test_not_every_victim_attributes():
    # Italy, hit with Poland and Estonia, has no ties to speak of: it used to name the actor in
    # every run where the others did; a middling stance now keeps it silent in most. (Joining
    # the Union's own text that names the actor, any positive will does: a coordinated
    # attribution, docs/model.md section 3; that is not speaking on its own.)
    sc = scenario(horizon="365d", procedure="{mode: calendar}",
                  targets="{state: PL, sector: energy}, {state: IT, sector: energy}, "
                  "{state: EE, sector: energy}")  # fmt: skip
    spoke = silent = 0
    for seed in range(30):
        ex = Exercise(sc, seed=seed).run()
        named = {e.data["state"] for e in kinds(ex, "attributed") if e.data["how"] != "coordinated"}
        spoke += bool(named)
        silent += bool(named) and "IT" not in named
    assert spoke and silent >= spoke / 2, (silent, spoke)


def test_partners_intelligence_is_present_by_default_for_a_state_linked_actor():
    assert set(Exercise(scenario()).partners) == {"UK", "US", "NATO"}
    assert Exercise(scenario(extra="partners: []")).partners == {}
    text = BASE.format(horizon="60d", extra="", targets="{state: PL, sector: energy}",
                       procedure="{mode: crisis}", msel="[]")  # fmt: skip
    criminal = scenarios.load_text(text.replace(" sponsor: RU,", ""))
    assert criminal.threat_actors[0].sponsor is None
    assert Exercise(criminal).partners == {}


def test_what_a_partner_does_not_release_does_not_count():
    assert evidence_package(0.5, 0.6, [0.0]) == evidence_package(0.5, 0.6, [])
    assert evidence_package(0.5, 0.6, [0.4]) > evidence_package(0.5, 0.6, [])
    closed = "partners:\n  - {id: US, name: United States, intel: 1.0, releasable: 0.0}"
    ex = Exercise(scenario(extra=closed))
    ex.world.confidence["US"] = {"bear": 0.95}
    assert awareness.released(ex, "bear") == [0.0]
    open_ = Exercise(scenario(extra=closed.replace("releasable: 0.0", "releasable: 0.6")))
    open_.world.confidence["US"] = {"bear": 0.95}
    assert awareness.released(open_, "bear") == [0.57]


def test_an_evidence_package_depends_on_the_proposer_and_can_fail():
    # A listing tabled early by a capital of modest capability, with partners that release
    # nothing: the package does not hold and the text is withdrawn.
    msel = """
  - {id: A, at: 1d, type: attribute, params: {states: [LU], actor: bear}}
  - {id: P, at: 1d, type: propose, params: {measure: listing, by: LU}}"""
    extra = "partners: []"
    ex = Exercise(scenario(extra=extra, msel=msel, horizon="30d"), seed=0).run()
    package = [e for e in kinds(ex, "evidence_package") if e.data["phase"] != "started"]
    assert package[0].data["phase"] == "failed"
    assert package[0].data["strength"] < 0.7
    assert any(e.data["reason"] == "the evidence package does not hold"
               for e in kinds(ex, "withdrawn"))  # fmt: skip
    # the same capital with a capable partner that releases what it knows: the package holds
    helped = "partners:\n  - {id: US, name: United States, intel: 1.0, releasable: 0.9}"
    ex = Exercise(scenario(extra=helped, msel=msel, horizon="30d"), seed=0)
    ex.run("1d")
    ex.world.confidence["US"] = {"bear": 0.95}
    assert awareness.package_strength(ex, "LU") >= 0.7


def _attributed_before_intcen(extra: str = "") -> Exercise:
    ex = Exercise(scenario(extra=extra, procedure="{mode: calendar, instruction_spread: 0}"))
    ex.run("1h")
    assert ex.world.assessment is None
    ex.submit({"type": "attribute", "params": {"states": ["PL"], "actor": "bear"}})
    return ex


def test_coordinate_keeps_the_agreed_wording_when_capitals_named_before_intcen_assessed():
    ex = _attributed_before_intcen()
    agreed = Proposal("P-1", "hr_declaration", "hr", ex.now, ex.env.event(), naming="territory")
    assert council.coordinate(ex, agreed) == "territory"


def test_the_table_sees_a_public_attribution_before_intcen_assesses():
    # Hungary's red line on naming Russia holds as soon as a capital has named a Russian actor.
    ex = _attributed_before_intcen("member_states:\n  HU: {ties: {RU: 0.9}}")
    _, fixed, _ = psc.initial_views(ex, "hr_declaration", "state")
    assert fixed[list(ex.roster.codes).index("HU")]


def test_the_wording_is_not_capped_by_intcens_confidence_alone():
    ex = _attributed_before_intcen()
    ex.world.assessment = Assessment("bear", "RU", 0.3)  # a thin EU assessment
    ex.world.confidence["PL"]["bear"] = 0.9  # Poland's services are sure
    text = Proposal("P-1", "hr_declaration", "hr", ex.now, ex.env.event(), naming="state")
    assert psc.text_naming(ex, text) == "state"


def test_a_bystander_reporting_its_own_analysis_reads_plainly():
    event = Event(t=1.0, seq=1, kind="reported", data={"state": "DE", "incident": None,
                                                       "to": "intcen"})  # fmt: skip
    line = describe(event)
    assert "None" not in line and line.startswith("DE reports")


def test_a_capital_that_attributed_backs_the_unions_text_the_next_hours():
    # NL and FR name the actor (an inject), the HR tables a declaration an hour later, before
    # INTCEN has assessed: their delegations weigh it on the evidence they just spoke on (they
    # abstained in nearly every run when an inject left their confidence at 0).
    msel = """
  - {id: A, at: 2h, type: attribute, params: {states: [NL, FR], actor: bear}}
  - {id: B, at: 3h, type: propose, params: {measure: hr_declaration, by: hr}}"""
    extra = "member_states:\n  NL: {stance: 0.0}\n  FR: {stance: 0.0}"
    sc = scenario(extra=extra, msel=msel, horizon="10d",
                  procedure="{mode: crisis, coordinated_attribution: true}")  # fmt: skip
    for seed in range(10):
        ex = Exercise(sc, seed=seed).run()
        theirs = [e.data["position"] for e in kinds(ex, "position")
                  if e.data["state"] in ("NL", "FR")]  # fmt: skip
        assert theirs and set(theirs) == {"support"}, (seed, theirs)


# -- negotiation with memory (issue 22) --------------------------------------------------------

DECLARATION_AFTER_ATTRIBUTION = (
    "[{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}, "
    "{id: D, at: 2d, type: propose, params: {measure: hr_declaration, by: hr}}]"
)
LISTING_AFTER_ATTRIBUTION = (
    "[{id: A, at: 1d, type: attribute, params: {states: [PL], actor: bear}}, "
    "{id: L, at: 2d, type: propose, params: {measure: listing, by: PL}}]"
)


def hungary(stance, tie):
    return f"member_states:\n  HU: {{stance: {stance}, ties: {{RU: {tie}}}}}"


def test_a_red_line_holds_through_the_redraft_and_the_hr_speaks_in_her_own_name():
    sc = scenario(horizon="60d", extra=hungary(-1.0, 1.0), msel=DECLARATION_AFTER_ATTRIBUTION,
                  procedure="{mode: crisis, initiation: 900d}")  # fmt: skip
    statements = 0
    for seed in range(10):
        ex = Exercise(sc, seed=seed).run()
        vetoes = [e for e in kinds(ex, "decision") if not e.data["adopted"]]
        redrafts = kinds(ex, "redrafted")
        assert redrafts, "the chair weakens the wording first"
        # Hungary blocks the text before and after the redraft: the red line held.
        after = [e for e in vetoes if e.seq > redrafts[0].seq]
        assert after and all("HU" in e.data["blockers"] for e in after)
        if kinds(ex, "withdrawn") and any(
            e.data["measure"] == "hr_statement" for e in kinds(ex, "adopted")
        ):
            statements += 1
    assert statements >= 8, statements  # withdrawal and the HR's own statement arise


def test_friendlier_instructions_let_the_same_ties_pass_a_weaker_wording():
    sc = scenario(horizon="60d", extra=hungary(0.5, 1.0), msel=DECLARATION_AFTER_ATTRIBUTION,
                  procedure="{mode: crisis, initiation: 900d}")  # fmt: skip
    for seed in range(5):
        ex = Exercise(sc, seed=seed).run()
        adopted = [e for e in kinds(ex, "adopted") if e.data["measure"] == "hr_declaration"]
        assert adopted, seed
        # Hungary may still refuse to name the state (partners' released evidence lets the
        # first draft name it), but no red line: the weaker wording passes.
        blocked = [e for e in kinds(ex, "decision") if "HU" in e.data["blockers"]]
        assert all(e.data["naming"] == "state" for e in blocked), seed
        if blocked:
            assert adopted[0].data["naming"] in ("territory", "none"), seed
        assert not kinds(ex, "withdrawn"), seed  # nor withdrawn for the HR to speak alone


def _first_with(kind, extra, msel, seeds=range(40)):
    sc = scenario(horizon="200d", extra=extra, msel=msel,
                  procedure="{mode: crisis, initiation: 900d}")  # fmt: skip
    for seed in seeds:
        ex = Exercise(sc, seed=seed).run()
        if kinds(ex, kind):
            return ex
    raise AssertionError(f"no {kind} in {len(seeds)} runs")


def test_linkage_lifts_a_veto_after_its_delay():
    ex = _first_with("linkage", hungary(-1.0, 0.3), LISTING_AFTER_ATTRIBUTION)
    (link,) = kinds(ex, "linkage")
    assert link.data["state"] == "HU" and link.data["measure"] == "listing"
    vetoed = [e for e in kinds(ex, "decision") if not e.data["adopted"]]
    assert vetoed and vetoed[-1].t == link.t and "HU" in vetoed[-1].data["blockers"]
    later = [e for e in kinds(ex, "decision") if e.t > link.t]
    assert later, "the text comes back"
    assert later[0].t >= link.t + link.data["days"] * 24.0 - 0.1  # not before the delay
    hu = [e for e in kinds(ex, "position") if e.data["state"] == "HU" and e.t > link.t]
    assert hu and all(e.data["position"] == "abstain" for e in hu)  # the consent was traded
    assert [e for e in kinds(ex, "adopted") if e.data["measure"] == "listing"]


def test_a_vetoed_listing_is_brought_back_with_a_narrower_package():
    ex = _first_with("retabled", hungary(-0.6, 0.9), LISTING_AFTER_ATTRIBUTION)
    (back,) = kinds(ex, "retabled")
    assert back.data["package"] == negotiation.NARROWER_PACKAGE
    later = [e for e in kinds(ex, "decision") if e.t > back.t]
    assert later and later[0].t >= back.t + back.data["days"] * 24.0 - 0.1
    assert later[0].data["proposal"] == back.data["proposal"]


def test_linkage_and_re_tabling_rules():
    assert negotiation.linkage_chance("hr_declaration", 0.0, False) == 0.0  # Council decisions
    assert negotiation.linkage_chance("listing", 0.0, False) == negotiation.LINKAGE_CHANCE
    assert negotiation.linkage_chance("listing", 1.0, False) == 0.0  # a veto about the sponsor
    assert negotiation.linkage_chance("listing", 0.2, True) == 0.0  # a capital trades once
    assert negotiation.linkage_delay(0.0) == negotiation.LINKAGE_DAYS * 24.0
    assert negotiation.retable("listing", 0, 2.0) == negotiation.NARROWER_PACKAGE
    assert negotiation.retable("listing", 1, 2.0) is None  # once
    assert negotiation.retable("listing", 0, 0.5) is None  # a proposer without the will
    assert negotiation.retable("hr_declaration", 0, 2.0) is None


def test_formal_abstention_on_listings_is_rare():
    formal = 0
    sc = scenario(horizon="200d", msel=LISTING_AFTER_ATTRIBUTION,
                  procedure="{mode: crisis, initiation: 900d}")  # fmt: skip
    for seed in range(20):
        ex = Exercise(sc, seed=seed).run()
        formal += any(e.data["constructive_abstention"] for e in kinds(ex, "decision"))
    assert formal <= 4, formal


# -- options, not a ladder (issue 22) ----------------------------------------------------------


def test_options_are_chosen_on_the_case_not_on_the_rung():
    strong = dict(drive=2.2, severity=0.9, evidence=0.9, partners=False, visibility=0.9)
    ready = dict(spoken=True, prepared=True)
    assert negotiation.choose_option((0.0, 0.0, 0.0), named=True, **ready, **strong) == "listing"
    assert (
        negotiation.choose_option((0.0, 0.0, 0.0), named=False, **ready, **strong)
        == "hr_declaration"
    )
    quiet = dict(drive=1.5, severity=0.45, evidence=0.6, partners=False, visibility=0.5)
    assert negotiation.choose_option((0.999, 0.999, 0.999), named=True, **ready, **quiet) is None
    assert negotiation.option_probability(negotiation.option_will("listing", **quiet)) < 0.05
    assert negotiation.option_probability(negotiation.option_will("hr_declaration", **quiet)) > 0.5
    # a partner's attribution lends a declaration weight, not a listing
    with_partner = dict(quiet, partners=True)
    assert negotiation.option_will("hr_declaration", **with_partner) > negotiation.option_will(
        "hr_declaration", **quiet
    )
    assert negotiation.option_will("listing", **with_partner) == negotiation.option_will(
        "listing", **quiet
    )


def test_before_anyone_names_the_union_speaks_on_a_visible_attack_not_on_quiet_espionage():
    # SolarWinds, Exchange 2021, APT28 2024: no EU text before the day of the attribution;
    # WannaCry/NotPetya: conclusions without attribution. Visibility: actors.severity.overtness.
    keen = dict(drive=2.0, severity=0.65, evidence=0.9, partners=False, named=False, prepared=True)
    draws = (0.5, 0.5, 1.0)  # the declaration's draw at even odds; never a cooperative measure
    for espionage in (0.25, 0.375, 0.5):  # SolarWinds, APT28 2024, Exchange 2021
        assert negotiation.pressure_probability(espionage) < 0.05
        unnamed = negotiation.choose_option(draws, visibility=espionage, spoken=False, **keen)
        assert unnamed is None
        # once a capital or partner has named the actor the same proposer speaks
        named = negotiation.choose_option(draws, visibility=espionage, spoken=True, **keen)
        assert named == "hr_declaration"
    assert negotiation.pressure_probability(1.0) > 0.95  # NotPetya
    assert (
        negotiation.choose_option(draws, visibility=1.0, spoken=False, **keen) == "hr_declaration"
    )
    # nor does it take cooperative measures on its own (they need no attribution; the Union
    # waited for the capitals), unless the attack is visible
    quiet_only = (1.0, 1.0, 0.5)
    assert negotiation.choose_option(quiet_only, visibility=0.25, spoken=False, **keen) is None
    assert negotiation.choose_option(quiet_only, visibility=0.25, spoken=True,
                                     **keen) == "cooperative"  # fmt: skip
    assert negotiation.choose_option(quiet_only, visibility=1.0, spoken=False,
                                     **keen) == "cooperative"  # fmt: skip


def test_a_listing_needs_a_prepared_file_and_answers_harm_more_than_espionage():
    keen = dict(drive=2.2, severity=0.7, evidence=0.95, partners=True, named=True, spoken=True)
    draws = (0.0, 1.0, 1.0)  # take a listing if it is weighed, nothing else
    assert negotiation.choose_option(draws, visibility=1.0, prepared=True, **keen) == "listing"
    assert negotiation.choose_option(draws, visibility=1.0, prepared=False, **keen) is None
    # the same keen proposer on quiet espionage rarely wants a listing
    quiet = {k: v for k, v in keen.items() if k not in ("named", "spoken")}
    espionage = negotiation.option_will("listing", visibility=0.25, **quiet)
    disruptive = negotiation.option_will("listing", visibility=1.0, **quiet)
    assert negotiation.option_probability(espionage) < 0.05
    assert negotiation.option_probability(disruptive) > 0.5


def test_the_model_asks_for_no_listing_before_its_file_is_prepared():
    # A disruptive attack, attributed early; listing_preparation set to 20 days in crisis mode.
    msel = "[{id: A, at: 2d, type: attribute, params: {states: [PL], actor: bear}}]"
    sc = scenario(horizon="40d", msel=msel, procedure="{mode: crisis, listing_preparation: 20d}")
    listings = []
    for seed in range(20):
        ex = Exercise(sc, seed=seed).run()
        listings += [e.t for e in kinds(ex, "proposal") if e.data["measure"] == "listing"]
    assert listings, "a keen victim of a disruptive attack asks for a listing once ready"
    assert min(listings) >= 20 * 24.0, min(listings)


def test_a_scripted_coordinated_attribution_gives_the_day_nobody_names_the_actor_before_it():
    # With procedure coordinated_attribution, capitals and partners hold their attribution for
    # the agreed day; when the MSEL scripts their joint attribution, that is the day (APT28:
    # 3 May 2024), not the day the PSC's silence procedure on a text agreed in advance ends.
    msel = ("[{id: D, at: 28d, type: propose, params: {measure: hr_declaration, by: hr, "
            "naming: state}}, {id: A, at: 30d, type: attribute, "
            "params: {states: [PL], partners: [US], actor: bear}}]")  # fmt: skip
    crisis = "{mode: crisis, initiation: 900d, attribution_evidence: 2d, "
    agreed = scenario(horizon="40d", msel=msel, procedure=crisis + "coordinated_attribution: true}")
    alone = scenario(horizon="40d", msel=msel, procedure=crisis + "coordinated_attribution: false}")
    early = 0
    for seed in range(20):
        ex = Exercise(agreed, seed=seed).run()
        named = [e.t for e in ex.events if e.kind in ("attributed", "partner_attributed")]
        assert min(named) >= 30 * 24.0, min(named)
        (text,) = [e for e in kinds(ex, "adopted") if e.data["measure"] == "hr_declaration"]
        assert 30 * 24.0 <= text.t < 31 * 24.0, text.t  # out with the attribution, that day
        ex = Exercise(alone, seed=seed).run()
        early += any(e.t < 30 * 24.0 for e in ex.events
                     if e.kind in ("attributed", "partner_attributed"))  # fmt: skip
    assert early, "without the agreed day, capitals and partners attribute on their own earlier"


def test_quiet_espionage_mostly_stops_at_a_declaration_or_nothing():
    base = scenarios.load("supply-chain-espionage").model_copy(update={"msel": []})
    highest = [Exercise(base, seed=s).run().metrics["highest_measure"] for s in range(20)]
    assert highest.count("listing") <= 5, highest
    assert highest.count("hr_declaration") + highest.count("none") >= 14, highest


def test_the_model_does_not_propose_again_unless_the_case_changes():
    for seed in range(10):
        ex = Exercise(scenario(horizon="120d"), seed=seed).run()
        mine = [e for e in kinds(ex, "proposal") if e.data["origin"] == "initiative"]
        measures = [e.data["measure"] for e in mine]
        assert len(measures) == len(set(measures)), measures  # no measure twice
        # at most the first weighing and one after the first national attribution
        assert len(mine) <= 2, measures
        first = min((e.t for e in kinds(ex, "attributed")), default=None)
        if len(mine) == 2:
            assert first is not None and mine[0].t < first <= mine[1].t


def test_the_position_and_salience_formulas_exactly():
    # docs/model.md, *Positions*: a neighbour of the victim (exposure 0.5), stance -0.3, ties
    # 0.6, severity 0.5, confidence 0.8 (a surplus of 0.4 over a declaration's need, counted
    # half), on a declaration naming the state, having attributed itself.
    view = view_on("hr_declaration", "state", -0.3, 0.6, 0.5, 0.5, 0.8, 0.0, attributed=True)
    expected = (0.7 * -0.3 + 0.55 * 0.5 + 0.5 * 0.5 * 0.75 + 0.5 * 0.4 + 0.2
                - 1.2 * 0.6 * 1.0 * 1.0 - 0.15)  # fmt: skip
    assert view.position == pytest.approx(expected)
    assert view.salience == pytest.approx(0.1 + 0.4 * 0.5 * 0.5 + 0.8 * 0.6 + 0.3 * 0.3)
    assert view.reservation == -0.35
    # short of the need, evidence counts in full
    short = view_on("listing", "none", 0.0, 0.0, 0.0, 0.0, 0.5, 0.0)
    assert short.position == pytest.approx(1.0 * (0.5 - 0.7) - 0.35)
    assert short.reservation == -0.7


def test_the_option_will_formula_exactly():
    # docs/model.md, *Initiation*: drive + 2 (s - gravity) + (evidence - need) + 0.2 [partner,
    # not for a listing] - effort
    # not for a listing] - 3 (0.75 - visibility) [a listing, when less visible] - effort
    assert negotiation.option_will("listing", 2.0, 0.8, 0.9, True, 0.5) == pytest.approx(
        2.0 + 2.0 * 0.2 + 0.2 + 3.0 * (0.5 - 0.75) - 2.3
    )
    assert negotiation.option_will("listing", 2.0, 0.8, 0.9, True, 1.0) == pytest.approx(
        2.0 + 2.0 * 0.2 + 0.2 - 2.3
    )
    assert negotiation.option_will("hr_declaration", 1.0, 0.35, 0.4, True, 0.5) == pytest.approx(
        1.0 + 0.2 - 1.6
    )
    # before anyone names the actor, a declaration also needs public pressure (logistic)
    assert negotiation.pressure_probability(0.75) == 0.5
    assert negotiation.pressure_probability(0.8) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert negotiation.option_probability(0.0) == 0.5


# -- a played delegation's capital attributes only when its people decide (issue 23, item 6) ---


def test_the_model_never_attributes_for_a_delegation_played_at_a_live_exercise():
    """In a headless run the model speaks for every capital; at a live exercise a played
    delegation's capital attributes only when its people say so: it is told once that its
    services are ready, and their attribute inject is what makes it public."""
    msel = "[{id: A, at: 1d, type: intel, to: [PL], params: {actor: bear, confidence: 0.9}}]"
    sc = scenario(horizon="400d", msel=msel, procedure="{mode: crisis, initiation: 900d}")
    def pl_attributions(ex):
        return [e for e in kinds(ex, "attributed") if e.data["state"] == "PL"]

    runs = (Exercise(sc, seed=seed, players=["PL"]).run() for seed in range(30))
    headless = next(ex for ex in runs if pl_attributions(ex))
    (said,) = pl_attributions(headless)
    live = Exercise(sc, seed=headless.seed, players=["PL"], interactive=True)
    while not live.finished:
        live.run()
        for request in live.pending:  # answer for PL as the model would (not this test's point)
            live.answer(request.state, "support")
    assert not pl_attributions(live)
    (ready,) = kinds(live, "attribution_ready")
    assert ready.data["state"] == "PL" and ready.data["actor"] == "bear"
    assert ready.t <= said.t + 1e-9  # told when the model would have spoken for it
    # The delegation's own seat sees it; another delegation's does not.
    from sim.seats import DELEGATION, Seat, shown_to

    def told(code: str) -> list[dict]:
        shown = shown_to(Seat(code, DELEGATION, code), live.events, live.scenario)
        return [e for e in shown if e["kind"] == "attribution_ready"]

    assert len(told("PL")) == 1 and not told("DE")
    # Its people decide: an attribute inject makes it public.
    again = Exercise(sc, seed=headless.seed, players=["PL"], interactive=True)
    again.run(ready.t + 1)
    again.submit({"type": "attribute", "params": {"states": ["PL"], "actor": "bear"}})
    again.run(ready.t + 2)
    assert pl_attributions(again)
