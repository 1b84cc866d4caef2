"""The procedure end to end: small scenarios through sim.Exercise (docs/model.md)."""

from __future__ import annotations

import json

import pytest
from contracts import METRIC_KEYS

import scenarios
import sim.picture as picture_module
from scenarios.vocabulary import EU27, METRICS
from sim import Exercise, InjectError, event_kinds
from sim.events import Event
from sim.names import NAMING_TEXT
from sim.picture import FOLDED, Picture

# Friday 6 March 2026, 19:00 Brussels time.
BASE = """
cdtx: 1
id: t-engine
title: Engine test
start: 2026-03-06T19:00:00+01:00
horizon: {horizon}
seed: 7
member_states: {member_states}
players: {players}
threat_actors:
  - {{id: apt, name: APT, sponsor: RU, sophistication: 0.5, resolve: 0.5}}
incidents: {incidents}
procedure: {procedure}
msel: {msel}
"""

INCIDENT = """
  - id: INC-1
    at: {at}
    actor: apt
    targets: [{{state: PL, sector: energy}}, {{state: LT, sector: energy}}]
    severity: {{scope: 4, scale: 4, duration: 4, intensity: 4, complexity: 4,
                sophistication: 4, impact: 4}}"""

FRIDAY_19 = 0.0
TUESDAY_10 = 3 * 24 + 15.0


def scenario(
    *,
    horizon: str = "60d",
    member_states: dict | None = None,
    players: list[str] | None = None,
    incident_at: str | None = "0h",
    procedure: dict | None = None,
    msel: list[dict] | None = None,
) -> scenarios.Scenario:
    text = BASE.format(
        horizon=horizon,
        member_states=json.dumps(member_states or {}),
        players=json.dumps(players or []),
        incidents=INCIDENT.format(at=incident_at) if incident_at else "[]",
        procedure=json.dumps(procedure or {"mode": "calendar"}),
        msel=json.dumps(msel or []),
    )
    return scenarios.load_text(text, "<test>")


def propose(measure: str, at: str = "1h", by: str = "PL") -> dict:
    return {
        "id": f"P-{measure}",
        "at": at,
        "type": "propose",
        "params": {"measure": measure, "by": by},
    }


def evidence(at: str = "30m", by: str = "PL") -> dict:
    """Intelligence that lets the proposer's evidence package for a listing hold (a listing
    without it is withdrawn: docs/model.md, *Evidence package*)."""
    return {
        "id": f"EVIDENCE-{by}",
        "at": at,
        "type": "intel",
        "to": [by],
        "params": {"actor": "apt", "confidence": 0.95},
    }


def fix_all(measure: str, stance: str = "support", at: str = "30m", but=()) -> list[dict]:
    return [
        {
            "id": f"POS-{code}-{measure}",
            "at": at,
            "type": "position",
            "params": {"state": code, "measure": measure, "stance": stance},
        }
        for code in EU27
        if code not in but
    ]


def kinds(ex, *wanted: str):
    return [e for e in ex.events if e.kind in wanted]


def index_of(events, predicate) -> int:
    for i, e in enumerate(events):
        if predicate(e):
            return i
    raise AssertionError("no such event")


# -- the listing path --------------------------------------------------------------------


def listing_run() -> Exercise:
    s = scenario(
        procedure={
            "mode": "calendar",
            "hwpci_package": "1d",
            "relex_drafting": "5d",
            "coreper_preparation": "2d",
        },
        msel=fix_all("listing") + [evidence(), propose("listing")],
    )
    return Exercise(s).run()


def test_listing_goes_through_hwpci_psc_relex_coreper_council_in_order():
    ex = listing_run()
    ev = ex.events
    prop = next(e for e in ev if e.kind == "proposal" and e.data["measure"] == "listing")
    pid = prop.data["proposal"]

    def mine(kind, **match):
        return lambda e: (
            e.kind == kind
            and e.data.get("proposal") == pid
            and all(e.data.get(k) == v for k, v in match.items())
        )

    steps = [
        index_of(ev, mine("prepared", body="hwpci")),
        index_of(ev, mine("decision", body="psc", adopted=True)),
        index_of(ev, mine("relex", phase="started")),
        index_of(ev, mine("relex", phase="ended")),
        index_of(ev, mine("coreper")),
        index_of(ev, mine("decision", body="council", adopted=True)),
        index_of(ev, mine("adopted", measure="listing", body="council")),
    ]
    assert steps == sorted(steps)
    times = [ev[i].t for i in steps]
    assert times == sorted(times)
    # RELEX drafting takes the scenario's five days; COREPER takes the acts at its first weekly
    # sitting after the scenario's two days of preparation.
    assert times[3] - times[2] == pytest.approx(5 * 24)
    assert 2 * 24 <= times[4] - times[3] <= 2 * 24 + 7 * 24
    assert ex.calendar.to_datetime(times[4]).weekday() == 2  # COREPER II sits on Wednesdays
    assert ex.metrics["t_listing"] == pytest.approx(times[-1])
    assert ex.metrics["highest_measure"] == "listing"
    assert ex.metrics["highest_rung"] == 4


def test_hr_declaration_is_adopted_by_silence_procedure_at_psc_without_council():
    s = scenario(msel=fix_all("hr_declaration") + [propose("hr_declaration")])
    ex = Exercise(s).run()
    adopted = [
        e for e in ex.events if e.kind == "adopted" and e.data["measure"] == "hr_declaration"
    ]
    assert adopted and adopted[0].data["body"] == "psc"
    decision = next(
        e for e in ex.events if e.kind == "decision" and e.data["measure"] == "hr_declaration"
    )
    # silence procedure, 1.5 d, ending on a working day (Council Rules of Procedure, Art. 12)
    assert adopted[0].t == pytest.approx(ex.calendar.deadline(decision.t, 36.0))
    assert adopted[0].t - decision.t >= 36.0
    assert not any(e.kind == "coreper" for e in ex.events)


# -- the calendar --------------------------------------------------------------------------


def meeting_request(extraordinary: bool) -> Exercise:
    s = scenario(
        horizon="10d",
        incident_at=None,  # nothing else asks for a meeting
        msel=[
            {
                "id": "M1",
                "at": "0h",
                "type": "meeting",
                "params": {"body": "psc", "extraordinary": extraordinary},
            }
        ],
    )
    return Exercise(s).run()


def test_a_friday_evening_request_is_discussed_at_psc_on_tuesday():
    ex = meeting_request(extraordinary=False)
    meetings = [e for e in ex.events if e.kind == "meeting" and e.data["body"] == "psc"]
    assert meetings, "the requested PSC never met"
    first = meetings[0]
    assert first.t == pytest.approx(TUESDAY_10)
    assert ex.calendar.format(first.t) == "Tue 10 Mar 2026 10:00"
    assert first.data["extraordinary"] is False
    assert ex.metrics["t_first_psc"] == pytest.approx(TUESDAY_10)


def test_an_extraordinary_request_on_friday_evening_meets_earlier_in_working_hours():
    ex = meeting_request(extraordinary=True)
    first = next(e for e in ex.events if e.kind == "meeting" and e.data["body"] == "psc")
    assert first.data["extraordinary"] is True
    assert first.t < TUESDAY_10
    when = ex.calendar.to_datetime(first.t)
    assert when.weekday() < 5 and 9 <= when.hour < 18
    assert ex.metrics["extraordinary_meetings"] >= 1


def decision_time(mode: str) -> tuple[Exercise, float]:
    s = scenario(
        procedure={"mode": mode},
        msel=fix_all("hr_declaration") + [propose("hr_declaration")],
    )
    ex = Exercise(s).run()
    decision = next(e for e in ex.events if e.kind == "decision" and e.data["body"] == "psc")
    return ex, decision.t


def test_crisis_mode_gives_extraordinary_meetings_and_is_faster():
    crisis, t_crisis = decision_time("crisis")
    calendar, t_calendar = decision_time("calendar")
    assert crisis.metrics["extraordinary_meetings"] > 0
    assert calendar.metrics["extraordinary_meetings"] == 0
    psc = [e for e in crisis.events if e.kind == "meeting" and e.data["body"] == "psc"]
    assert any(e.data["extraordinary"] for e in psc)
    assert t_crisis < t_calendar
    # The first PSC is not the regular Tuesday sitting.
    assert psc[0].t < TUESDAY_10


def test_a_deferred_proposal_waits_for_a_later_sitting():
    s = scenario(
        # Pinned instructions: HU's ties stay at 1.0, its red line (the package now rests on
        # real evidence, and a merely reluctant HU abstains formally instead).
        procedure={"mode": "calendar", "hwpci_package": "1d", "instruction_spread": 0},
        member_states={"HU": {"ties": {"RU": 1.0}, "stance": -1.0}},
        msel=[evidence(), propose("listing")],
    )
    ex = Exercise(s).run()
    deferred = kinds(ex, "deferred")
    assert deferred, "expected HU to block the listing and the chair to defer"
    pid = deferred[0].data["proposal"]
    decisions = [e for e in ex.events if e.kind == "decision" and e.data["proposal"] == pid]
    assert len(decisions) >= 2
    assert decisions[1].t > decisions[0].t
    meetings = [(e.t, e.data["body"]) for e in ex.events if e.kind == "meeting"]
    assert len(meetings) == len(set(meetings)), "the same body met twice at the same time"


# -- vetoes and compromise -----------------------------------------------------------------


def test_a_delegation_tied_to_the_sponsor_vetoes_and_the_chair_falls_back_to_a_declaration():
    s = scenario(
        member_states={"HU": {"ties": {"RU": 1.0}, "stance": -1.0}},
        # pinned: HU's ties stay at 1.0, its red line (see the test above)
        procedure={"mode": "calendar", "hwpci_package": "1d", "instruction_spread": 0},
        # Everyone else backs the listing; HU is left to the model. On a declaration HU
        # says it will not stand in the way.
        msel=fix_all("listing", but=("HU",))
        + [
            {
                "id": "HU-DECL",
                "at": "30m",
                "type": "position",
                "params": {"state": "HU", "measure": "hr_declaration", "stance": "abstain"},
            }
        ]
        + fix_all("hr_declaration", but=("HU",))
        + [evidence(), propose("listing")],
    )
    ex = Exercise(s).run()
    listing_decisions = [
        e for e in ex.events if e.kind == "decision" and e.data["measure"] == "listing"
    ]
    assert listing_decisions
    assert all(not d.data["adopted"] for d in listing_decisions)
    assert listing_decisions[-1].data["blockers"] == ["HU"]
    hu = [
        e
        for e in ex.events
        if e.kind == "position" and e.data["state"] == "HU" and e.data["measure"] == "listing"
    ]
    assert hu and all(e.data["position"] == "oppose" and e.data["by"] == "model" for e in hu)
    compromise = kinds(ex, "compromise")
    assert compromise and compromise[0].data["instead"] == "hr_declaration"
    adopted = [e.data["measure"] for e in kinds(ex, "adopted")]
    assert "hr_declaration" in adopted and "listing" not in adopted
    i_comp = ex.events.index(compromise[0])
    i_adopt = index_of(
        ex.events, lambda e: e.kind == "adopted" and e.data["measure"] == "hr_declaration"
    )
    assert i_comp < i_adopt
    assert {"measure": "listing", "by": ["HU"]} in ex.metrics["blocked"]
    assert ex.metrics["highest_measure"] == "hr_declaration"


def test_without_ties_the_same_delegation_does_not_veto():
    s = scenario(
        member_states={"HU": {"ties": {"RU": 0.0, "CN": 0.0}, "stance": 1.0}},
        procedure={"mode": "calendar", "hwpci_package": "1d", "relex_drafting": "5d"},
        msel=fix_all("listing", but=("HU",)) + [evidence(), propose("listing")],
    )
    ex = Exercise(s).run()
    hu = [
        e
        for e in ex.events
        if e.kind == "position" and e.data["state"] == "HU" and e.data["measure"] == "listing"
    ]
    assert hu and hu[0].data["position"] != "oppose"


# -- played delegations -------------------------------------------------------------------


def played(interactive: bool = True) -> Exercise:
    s = scenario(
        players=["LT"], msel=fix_all("hr_declaration", but=("LT",)) + [propose("hr_declaration")]
    )
    return Exercise(s, interactive=interactive)


def test_a_played_delegation_stops_the_clock_until_it_answers():
    ex = played()
    ex.run()
    assert ex.pending, "the exercise should wait for LT"
    request = ex.pending[0]
    assert (request.state, request.measure, request.body) == ("LT", "hr_declaration", "psc")
    assert ex.now < ex.horizon and not ex.finished
    stopped_at, n_events = ex.now, len(ex.events)
    ex.run()  # still waiting: nothing moves
    ex.run("40d")
    assert ex.now == stopped_at and len(ex.events) == n_events
    assert not kinds(ex, "decision")
    ex.answer("LT", "support", "Lithuania backs the declaration.")
    assert not ex.pending
    ex.run()
    assert ex.finished
    decision = next(e for e in ex.events if e.kind == "decision")
    assert decision.data["adopted"]
    lt = next(e for e in ex.events if e.kind == "position" and e.data["state"] == "LT")
    assert lt.data["by"] == "player" and lt.data["position"] == "support"


def test_an_oppose_answer_from_a_played_delegation_blocks():
    ex = played()
    ex.run()
    assert ex.pending
    ex.answer("LT", "oppose")
    ex.run()
    decision = next(e for e in ex.events if e.kind == "decision")
    assert not decision.data["adopted"]
    assert decision.data["blockers"] == ["LT"]
    assert "hr_declaration" not in [e.data["measure"] for e in kinds(ex, "adopted")]


def test_answer_from_a_delegation_not_asked_is_refused():
    ex = played()
    ex.run()
    with pytest.raises(InjectError) as info:
        ex.answer("EE", "support")
    assert info.value.field == "state"


def test_headless_run_answers_for_played_delegations():
    ex = played(interactive=False)
    ex.run()
    assert ex.finished and not ex.pending
    assert kinds(ex, "decision_request") and kinds(ex, "decision")


def test_a_delegation_handed_to_people_mid_run_is_asked_at_the_next_decision():
    s = scenario(msel=fix_all("hr_declaration", but=("EE",)) + [propose("hr_declaration")])
    ex = Exercise(s, interactive=True)
    ex.run("20m")  # under way, before the positions are fixed and the proposal is tabled
    record = ex.set_played("EE", True)
    assert record.data == {"control": "players", "state": "EE", "played": True, "step": ex.steps}
    assert ex.players == ("EE",) and ex.picture.states["EE"].played
    ex.run()
    assert [r.state for r in ex.pending] == ["EE"]
    with pytest.raises(InjectError, match="answer first"):
        ex.set_played("EE", False)
    ex.answer("EE", "support")
    ex.run()
    ee = next(e for e in ex.events if e.kind == "position" and e.data["state"] == "EE")
    assert ee.data["by"] == "player"


def test_at_a_live_table_the_model_does_not_propose_for_a_played_victim():
    # grid-wiper without its scripted proposals: headless, the model's policy proposes for a
    # victim; played, it does not.
    grid = scenarios.load("grid-wiper")
    base = grid.model_copy(update={"msel": [m for m in grid.msel if m.type != "propose"]})
    headless = Exercise(base).run()
    mine = [e.data["by"] for e in kinds(headless, "proposal") if e.data["origin"] == "initiative"]
    assert mine and mine[0] in headless.world.victims()
    victim = mine[0]
    live = Exercise(base, players=[victim], interactive=True)
    live.run()
    while live.pending:
        for request in list(live.pending):
            live.answer(request.state, "support")
        live.run()
    proposers = [e.data["by"] for e in kinds(live, "proposal") if e.data["origin"] == "initiative"]
    assert proposers and victim not in proposers


def test_a_delegation_handed_back_to_the_model_is_not_asked():
    ex = played()
    ex.run("20m")
    ex.set_played("LT", False)
    assert ex.players == () and not ex.picture.states["LT"].played
    ex.run()
    assert ex.finished and not ex.pending and not kinds(ex, "decision_request")


def test_handing_over_is_refused_for_an_unknown_state_and_after_the_end():
    ex = played(interactive=False)
    with pytest.raises(InjectError) as info:
        ex.set_played("XX", True)
    assert info.value.field == "state"
    ex.run()
    with pytest.raises(InjectError, match="ended"):
        ex.set_played("EE", True)


# -- metrics --------------------------------------------------------------------------------


def test_metrics_have_every_key_of_the_design():
    assert set(METRICS) <= METRIC_KEYS
    ex = Exercise("grid-wiper").run()
    metrics = ex.metrics
    assert set(metrics) >= METRIC_KEYS
    assert set(metrics["objectives"]) == {o.id for o in ex.scenario.objectives}
    assert all(v in ("P", "S", "M", "U") for v in metrics["objectives"].values())
    assert metrics["proportionality_gap"] == metrics["recommended_rung"] - metrics["highest_rung"]
    assert metrics["psc_meetings"] == len(
        [e for e in ex.events if e.kind == "meeting" and e.data["body"] == "psc"]
    )


def test_metrics_of_an_empty_run_are_null_and_zero():
    ex = Exercise(scenario(horizon="1d", incident_at=None)).run()
    m = ex.metrics
    assert m["t_first_detection"] is None and m["t_listing"] is None
    assert m["highest_measure"] == "none" and m["highest_rung"] == 0
    assert m["blocked"] == [] and m["psc_meetings"] == 0 and m["cohesion"] is None


# -- the situation picture ------------------------------------------------------------------


def test_the_tracker_follows_adoption_wherever_it_happens_and_keeps_shared_awareness():
    # a run with an HR declaration by silence procedure, then assessment updates
    ex = next(
        ex
        for ex in (Exercise("grid-wiper", seed=seed).run() for seed in range(20))
        if any(e.kind == "adopted" for e in ex.events)
    )
    stages = ex.picture.stages
    adopted = next(e for e in ex.events if e.kind == "adopted")
    assert adopted.data["body"] == "psc"
    assert stages["Council"].status == "done" and stages["Council"].t == adopted.t
    naming = NAMING_TEXT[adopted.data["naming"]]
    assert stages["Council"].detail == f"HR declaration adopted (silence procedure; {naming})"
    endorsed = next(e for e in ex.events if e.kind == "shared_awareness")
    later = [e for e in ex.events if e.kind == "assessment" and e.t > endorsed.t]
    assert later, "the scenario should update the assessment after it is endorsed"
    assert stages["Shared awareness"].status == "done" and ex.picture.assessment["shared"]
    # A row's time is that of what it says now, not of when the stage began.
    blocked_or_agreed = [e for e in ex.events if e.kind == "decision" and e.data["body"] == "psc"]
    assert stages["PSC"].t == blocked_or_agreed[-1].t


def test_logged_events_are_whole_frozen_events():
    """The log builds events through the slots' setters (the hot path): they must be the same
    events the constructor makes, and as frozen."""
    import dataclasses

    from sim.events import MODEL, Event, EventLog

    log = EventLog()
    event = log.append(3, "detected", MODEL, state="DE")
    assert event == Event(3.0, 0, "detected", MODEL, {"state": "DE"})
    assert repr(event) == repr(Event(3.0, 0, "detected", MODEL, {"state": "DE"}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.t = 4.0  # type: ignore[misc]


def test_a_played_delegation_is_asked_again_after_a_redraft():
    """An answer is to the text put at that sitting: after DE's veto the chair redrafts with
    weaker wording, and DE's people are asked again (their oppose is not carried over). (A seed
    where the drafters leave the text naming someone: where they weaken it to no name at the
    working party, a veto at the PSC leads to the HR's statement, not to a redraft.)"""
    ex = Exercise(scenarios.load("grid-wiper"), seed=5, players=["DE"], interactive=True)
    ex.run()
    (request,) = ex.pending
    ex.submit({"type": "position",
               "params": {"state": "DE", "measure": request.measure, "stance": "oppose"}})  # fmt: skip
    ex.run()
    kinds = [
        e.kind
        for e in ex.events
        if e.kind == "decision_request"
        or (e.kind == "redrafted" and e.data.get("body") != "hwpci")  # the PSC's, after a veto
    ]
    assert kinds == ["decision_request", "redrafted", "decision_request"]
    (again,) = ex.pending
    assert (again.state, again.proposal) == ("DE", request.proposal)
    assert ("DE", request.measure) not in ex.world.fixed_positions


def test_runs_in_threads_share_setups_safely():
    """Sweeps on Dask run exercises in threads: the per-scenario setup cache must give each
    scenario its own setup and never fail (many scenarios evict each other)."""
    import sys
    import threading

    from actors.roster import roster_for
    from sim.engine import _setup_of

    base = scenarios.load("grid-wiper")
    many = [base.model_copy(update={"seed": i}) for i in range(400)]
    errors: list[BaseException] = []

    def work():
        try:
            for scenario in many:
                # Its own setup (another thread may evict it at once: equal, not identical).
                assert _setup_of(scenario).roster == roster_for(scenario)
        except BaseException as exc:  # noqa: BLE001 - any failure fails the test
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


def test_the_pictures_fold_is_one_declaration_per_kind():
    # Picture.apply looks each event's kind up in one table (the hot path of replay, the
    # console and a sweep's series); FOLDED is that table's keys, every one a declared kind
    assert len(FOLDED) > 40 and set(event_kinds.EVENT_KINDS) >= FOLDED, sorted(
        FOLDED - set(event_kinds.EVENT_KINDS)
    )
    # a second fold for a kind is refused as the class is defined, not silently replaced
    with pytest.raises(ValueError, match="folds 'position' twice"):
        picture_module._folds(event_kinds.POSITION)(lambda picture, e: None)
    # a crisis kind before the track opened (a recording cut before it) changes nothing
    quiet = Picture(scenarios.load("grid-wiper"), ())
    before = repr(quiet)
    quiet.apply(Event(0.0, 0, "technical_report", "model", {"number": 1, "confidence": 0.5}))
    assert repr(quiet) == before
    # ... and one that is not folded moves the clock only
    folded = Picture(scenarios.load("grid-wiper"), ())
    start, before = folded.t, repr(folded)
    folded.apply(Event(5.0, 0, "inject_applied", "facilitator", {"inject": "X"}))
    assert folded.t == 5.0
    folded.t = start
    assert repr(folded) == before


def test_metrics_follow_the_run_as_it_goes_and_a_callers_edit_stays_its_own():
    # ex.metrics is computed once per state of the run (a sweep's row and each outcome of
    # one's own read it in turn), yet always as of the events so far
    ex = Exercise(scenarios.load("grid-wiper"), seed=3)
    ex.run(until=1.0)
    early = ex.metrics
    assert early["t_first_psc"] is None and ex.metrics == early
    early["t_first_psc"] = -1.0  # the caller's copy, not the run's
    assert ex.metrics["t_first_psc"] is None
    ex.run()
    done = ex.metrics
    assert done["t_first_psc"] is not None and done["psc_meetings"] >= 1
    assert done["decisions"] and done["objectives"]
    # down to the containers inside and their entries
    done["decisions"][0]["adopted"] = "edited"
    done["decisions"].append("edited")
    done["objectives"].clear()
    done["open_business"].append("edited")
    done["withdrawn"].append("edited")
    done["assistance"].append("edited")
    done["blocked"].append("edited")
    again = ex.metrics
    assert "edited" not in again["decisions"] and again["decisions"][0]["adopted"] != "edited"
    assert again["objectives"] and "edited" not in again["open_business"]
    assert "edited" not in again["withdrawn"] + again["assistance"] + again["blocked"]
