"""The crisis track of a large-scale incident (issue 25; docs/model.md, *The crisis track*): the
Cyber Blueprint's technical, operational and political levels beside the Toolbox, their injects,
a delegation played at EU-CyCLONe, the report's section and the crisis metrics."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from functools import cache

import pytest

import scenarios
from scenarios.errors import CdtxError
from scenarios.vocabulary import CRISIS_METRICS
from sim import Exercise, InjectError
from sim import sweep as sw
from sim.metrics import rate
from sim.recording import Recorder
from sim.recording import open as open_recording
from sim.report import aar
from sim.seats import Disclosure, PageView, Seat, SeatView, shown_to
from sim.stages.blueprint import ISAA_FIRST_FULL, ISAA_FIRST_INFORMATION, QUESTION
from sim.sweep import spec_from_dict

SCENARIO = "baltic-blackout"
SEEDS = range(8)


@cache
def run(seed: int = 0) -> Exercise:
    return Exercise(SCENARIO, seed=seed).run()


def with_block(block: str, scenario_id: str = "grid-wiper") -> scenarios.Scenario:
    """A built-in with a ``large_scale_incident`` block put in before its MSEL."""
    text = scenarios.builtin_path(scenario_id).read_text(encoding="utf-8")
    return scenarios.load_text(text.replace("\nmsel:", f"\n{block}\nmsel:", 1))


def first(ex: Exercise, kind: str, **match) -> float | None:
    for e in ex.events:
        if e.kind == kind and all(e.data.get(k) == v for k, v in match.items()):
            return e.t
    return None


# -- the hand-offs between the levels ----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_each_level_works_from_what_the_level_before_handed_on(seed):
    ex = run(seed)
    steps = [
        first(ex, "detected"),
        first(ex, "technical_report"),
        first(ex, "handoff", to="operational"),
        first(ex, "cyclone_meeting"),
        first(ex, "operational_assessment"),
        first(ex, "handoff", to="political"),
        first(ex, "ipcr"),
        first(ex, "isaa"),
        first(ex, "handoff", to="psc"),
    ]
    reached = [t for t in steps if t is not None]
    assert len(reached) >= 6, steps  # at least up to the political level within the horizon
    assert steps[: len(reached)] == reached, "a later level acted before an earlier one"
    assert reached == sorted(reached), steps
    # The PSC has an ISAA report at one of its sittings.
    psc_isaa = steps[-1]
    if psc_isaa is not None:
        assert first(ex, "meeting", body="psc") <= psc_isaa
        assert any(e.kind == "meeting" and e.t == psc_isaa and e.data["body"] == "psc"
                   for e in ex.events)  # fmt: skip


def test_the_metrics_are_the_times_of_the_hand_offs():
    ex = run(0)
    m = ex.metrics
    assert m["t_first_technical_report"] == pytest.approx(first(ex, "technical_report"), abs=1e-3)
    assert m["t_cyclone_assessment"] == pytest.approx(first(ex, "operational_assessment"), abs=1e-3)
    assert m["t_ipcr_activation"] == pytest.approx(first(ex, "ipcr"), abs=1e-3)
    assert m["t_first_isaa"] == pytest.approx(first(ex, "isaa"), abs=1e-3)
    assert m["t_psc_isaa"] == pytest.approx(first(ex, "handoff", to="psc"), abs=1e-3)


def test_a_scenario_without_a_large_scale_incident_has_no_crisis_track():
    ex = Exercise("grid-wiper", seed=0).run()
    assert not any(e.kind.startswith(("large_scale", "technical_", "cyclone", "ipcr", "isaa",
                                      "handoff", "reserve_")) for e in ex.events)  # fmt: skip
    assert all(ex.metrics[m] is None for m in CRISIS_METRICS)
    assert not ex.picture.levels


# -- timings per IPCR mode ---------------------------------------------------------------------


def ipcr_run(mode: str, seed: int) -> Exercise:
    return Exercise(with_block(f"large_scale_incident: {{ipcr: {mode}}}"), seed=seed).run()


@pytest.mark.parametrize("seed", range(4))
def test_the_first_isaa_comes_at_the_pace_of_the_mode(seed):
    # The same run in information-sharing and in full mode draws the same factor for the first
    # report: the wait after activation is in the ratio of the modes' medians.
    waits = {}
    for mode in ("information_sharing", "full"):
        ex = ipcr_run(mode, seed)
        activated, isaa = first(ex, "ipcr"), first(ex, "isaa")
        assert activated is not None and isaa is not None, mode
        assert [e.data["mode"] for e in ex.events if e.kind == "ipcr"][0] == mode
        waits[mode] = isaa - activated
    ratio = ISAA_FIRST_INFORMATION / ISAA_FIRST_FULL
    assert waits["information_sharing"] == pytest.approx(ratio * waits["full"], abs=0.05)


def test_monitoring_mode_writes_no_isaa_report_and_none_activates_nothing():
    monitoring = ipcr_run("monitoring", 0)
    assert monitoring.metrics["t_ipcr_activation"] is not None
    assert monitoring.metrics["t_first_isaa"] is None and monitoring.metrics["t_psc_isaa"] is None
    none = ipcr_run("none", 0)
    assert none.metrics["t_cyclone_assessment"] is not None  # the other levels still work
    assert none.metrics["t_ipcr_activation"] is None


def test_full_mode_puts_the_first_isaa_before_an_extraordinary_psc():
    ex = ipcr_run("full", 1)
    isaa = first(ex, "isaa")
    asked = [e for e in ex.events if e.kind == "meeting_requested" and e.data["by"] == "ipcr"]
    assert asked and asked[0].t == isaa and asked[0].data["extraordinary"]


def test_auto_mode_goes_by_severity_and_rises_to_full_on_escalation_or_art_222():
    ex = ipcr_run("auto", 0)  # grid-wiper: a grave wiper, then the MSEL's escalation
    modes = [(e.data["previous"], e.data["mode"]) for e in ex.events if e.kind == "ipcr"]
    assert modes[0] == ("none", "information_sharing")
    assert ("information_sharing", "full") in modes
    # Art. 222 TFEU brings IPCR to full (Council Decision 2014/415/EU, Art. 5(2)).
    quiet = Exercise(with_block("large_scale_incident: {ipcr: monitoring}"), seed=0)
    quiet.run(until=first(ex, "ipcr") + 1)
    assert [e.data["mode"] for e in quiet.events if e.kind == "ipcr"] == ["monitoring"]
    quiet.submit({"type": "invoke", "params": {"article": "222", "by": "LT"}})
    quiet.run(until=quiet.now + 1)
    assert [e.data["mode"] for e in quiet.events if e.kind == "ipcr"][-1] == "full"


# -- injects at each level ---------------------------------------------------------------------


def test_injects_at_each_level_take_effect_at_once():
    ex = Exercise(SCENARIO, seed=0)
    ex.run(until="2h")
    expected = {
        "csirts_report": ({"confidence": 0.4}, "technical_report"),
        "cyclone": ({"level": "executives"}, "cyclone_meeting"),
        "ipcr": ({"mode": "full"}, "ipcr"),
        "reserve": ({"state": "LT", "action": "deploy"}, "reserve_deployed"),
    }
    for kind, (params, effect) in expected.items():
        before = len(ex.events)
        ex.submit({"type": kind, "params": params})
        kinds = [e.kind for e in ex.events[before:]]
        assert kinds[:3] == ["input", "inject_applied", effect] or effect in kinds, (kind, kinds)
    report = next(e for e in ex.events if e.kind == "technical_report")
    assert report.data["confidence"] == 0.4 and report.data["by"] == "inject"
    assert ex.crisis is not None and ex.crisis.mode == "full"
    ex.run()
    assert ex.metrics["t_reserve_deployed"] == pytest.approx(2.0)
    # The Presidency's own decision comes later and does not undo the inject's full mode.
    assert [e.data["mode"] for e in ex.events if e.kind == "ipcr"] == ["full"]


def test_an_inject_at_a_level_opens_the_track_in_a_scenario_without_one():
    ex = Exercise("grid-wiper", seed=0)
    ex.run(until="1d")
    ex.submit({"type": "cyclone", "params": {}})
    opened = next(e for e in ex.events if e.kind == "large_scale")
    assert opened.data["by"] == "inject"
    ex.run()
    assert ex.metrics["t_cyclone_assessment"] is not None


@pytest.mark.parametrize(
    ("inject", "field", "words"),
    [
        ({"type": "ipcr", "params": {"mode": "total"}}, "params.mode", "monitoring"),
        ({"type": "reserve", "params": {"state": "DE"}}, "params.state", "has not been hit"),
        ({"type": "agency", "params": {"state": "LV", "contribution": "some"}},
         "params.contribution", "full"),
        ({"type": "csirts_report", "params": {"confidence": 2}}, "params.confidence", "1"),
    ],
)  # fmt: skip
def test_bad_injects_at_a_level_name_the_field(inject, field, words):
    ex = Exercise(SCENARIO, seed=0)
    ex.run(until="1h")
    with pytest.raises(InjectError) as info:
        ex.submit(inject)
    assert info.value.field == field and words in info.value.message


def test_the_file_names_an_unknown_incident_of_the_block_with_its_line():
    text = scenarios.builtin_path(SCENARIO).read_text(encoding="utf-8")
    with pytest.raises(CdtxError) as info:
        scenarios.load_text(text.replace("incidents: [BLK-1]", "incidents: [BLK-9]"))
    shown = str(info.value)
    line = text.splitlines().index("  incidents: [BLK-1]") + 1
    assert f":{line}:" in shown and "unknown incident 'BLK-9'" in shown


def test_the_file_names_a_bad_inject_at_a_level_with_its_line():
    text = scenarios.builtin_path(SCENARIO).read_text(encoding="utf-8")
    bad = text.replace(
        "params: {state: LV, action: request}", "params: {state: DE, action: request}"
    )
    bad = bad.replace("message: Latvia asks for the EU", "message: Germany asks for the EU")
    with pytest.raises(CdtxError) as info:
        scenarios.load_text(bad)
    line = text.splitlines().index("    params: {state: LV, action: request}") + 1
    assert f":{line}:" in str(info.value) and "DE is not a target" in str(info.value)


# -- a delegation played at the operational level ----------------------------------------------


def run_answering(ex: Exercise, until: float | None = None, agency: str | None = None) -> None:
    """Run on, answering for Latvia's PSC delegation whenever it is asked, and for its agency
    at CyCLONe with ``agency`` (None: stop there)."""
    while True:
        ex.run(until)
        asked = [r for r in ex.pending if r.body != "cyclone" or agency is not None]
        if not asked:
            return
        for r in asked:
            ex.answer(r.state, "support" if r.body != "cyclone" else agency)


def test_a_played_agency_is_asked_at_cyclone_and_its_answer_counts():
    ex = Exercise(SCENARIO, seed=0, players=["LV"], interactive=True)
    run_answering(ex)
    assert not ex.finished, "CyCLONe never asked Latvia's agency"
    (request,) = [r for r in ex.pending if r.body == "cyclone"]
    assert request.state == "LV" and request.measure == "operational_assessment"
    shown = ex.picture.requests
    assert any(r["state"] == "LV" and r["measure"] == "operational_assessment" for r in shown)
    held = ex.now
    ex.run(until=ex.now + 48)
    assert ex.now == held, "the clock went on without Latvia's agency"
    ex.answer("LV", "oppose", "our picture stays national")  # the dialog's stances
    said = [e for e in ex.events if e.kind == "agency_contribution" and e.data["state"] == "LV"]
    assert said[-1].data == {"state": "LV", "meeting": 1, "contribution": "withheld",
                             "by": "people"}  # fmt: skip
    assert not [r for r in ex.pending if r.body == "cyclone"]
    assert not [r for r in ex.picture.requests if r["measure"] == "operational_assessment"]
    run_answering(ex, until=ex.now + 72, agency="oppose")
    assessment = next(e for e in ex.events if e.kind == "operational_assessment")
    assert assessment.data["contributions"]["LV"] == "withheld"
    # Withholding lowers what CyCLONe can stand by, against the same run headless.
    headless = next(e for e in run(0).events if e.kind == "operational_assessment")
    assert assessment.data["confidence"] < headless.data["confidence"]


def test_an_agency_inject_fixes_the_contribution_of_a_headless_run():
    ex = Exercise(SCENARIO, seed=0)
    ex.submit({"type": "agency", "params": {"state": "LV", "contribution": "partial"}})
    ex.run()
    said = [
        e.data for e in ex.events if e.kind == "agency_contribution" and e.data["state"] == "LV"
    ]
    assert said and all(d["contribution"] == "partial" and d["by"] == "inject" for d in said)


# -- the picture and the report ----------------------------------------------------------------


def test_the_picture_shows_the_three_levels_beside_the_procedure():
    ex = run(0)
    levels = ex.picture.levels
    assert list(levels) == ["Technical", "Operational", "Political"]
    m = ex.metrics
    assert levels["Technical"].reached == pytest.approx(m["t_first_technical_report"], abs=1e-3)
    assert levels["Operational"].reached == pytest.approx(m["t_cyclone_assessment"], abs=1e-3)
    assert levels["Political"].reached == pytest.approx(m["t_ipcr_activation"], abs=1e-3)
    assert "IPCR" in levels["Political"].detail


def test_the_report_has_a_section_per_level_and_the_hand_offs():
    ex = run(0)
    md = aar(ex.scenario, ex.events)
    section = md[md.index("## The crisis track") :]
    headings = ["### Hand-offs between the levels", "### Technical level", "### Operational level",
                "### Political level", "### Assistance"]  # fmt: skip
    assert [section.index(h) for h in headings] == sorted(section.index(h) for h in headings)
    steps = ["| first CSIRTs Network technical report |",
             "| the political level first has an operational assessment |",
             "| the PSC first has an ISAA report |"]  # fmt: skip
    assert [section.index(s) for s in steps] == sorted(section.index(s) for s in steps)
    assert "Reserve deployed to" in section or "never" in section
    html = aar(ex.scenario, ex.events, fmt="html")
    assert "<h2>The crisis track (Cyber Blueprint)</h2>" in html
    plain = Exercise("grid-wiper", seed=0).run()
    assert "crisis track" not in aar(plain.scenario, plain.events)


# -- the metrics in objectives and sweeps ------------------------------------------------------


def test_crisis_metrics_rate_objectives_like_the_others():
    values = dict(run(0).metrics)
    t = values["t_psc_isaa"]
    assert rate("t_psc_isaa", f"{int(t) + 1}h", values) == "P"
    assert rate("t_psc_isaa", f"{int(t / 1.5) + 1}h", values) == "S"
    assert rate("t_reserve_deployed", "1h", {"t_reserve_deployed": None}) == "U"
    objectives = run(0).metrics["objectives"]
    assert set(objectives) == {"BB-1", "BB-2", "BB-3", "BB-4", "BB-5"}


def test_crisis_metrics_in_a_sweep(tmp_path):
    s = sw.Sweep(spec_from_dict({"base": SCENARIO, "seed": 3, "seeds": 3,
                                 "vary": {"large_scale_incident.ipcr": ["monitoring", "full"]}}))  # fmt: skip
    sw.run_sweep(s, tmp_path / "r.csv", jobs=1)
    rows = list(sw.read_rows(tmp_path / "r.csv"))
    assert len(rows) == 6
    by_mode: dict[str, list[dict]] = {}
    for row in rows:
        assert set(CRISIS_METRICS) <= set(row)
        assert row["t_cyclone_assessment"] is not None
        by_mode.setdefault(row["large_scale_incident.ipcr"], []).append(row)
    assert all(r["t_first_isaa"] is None for r in by_mode["monitoring"])
    assert any(r["t_first_isaa"] is not None for r in by_mode["full"])
    # a sweep of a scenario without the track keeps them out by default
    plain = sw.Sweep(spec_from_dict({"base": "grid-wiper", "seed": 3, "seeds": 1}))
    assert not set(CRISIS_METRICS) & set(plain.metrics)


# -- determinism -------------------------------------------------------------------------------

PROGRAM = """
from sim import Exercise
print(Exercise("baltic-blackout", seed=7).run().digest)
"""


def test_the_crisis_track_is_the_same_under_any_hash_seed():
    digests = set()
    for hashseed in ("0", "12345"):  # and this process's own, below
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        done = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert digests == {Exercise(SCENARIO, seed=7).run().digest}


# -- the console: the played agency's dialog and the tracker -----------------------------------


def test_the_console_asks_the_played_agency_and_shows_the_levels():
    pytest.importorskip("textual")  # the console is an optional layer: its own imports
    from tui.app import make_play_app
    from tui.screens.decision import DecisionScreen
    from tui.widgets.status import ProcedureTracker

    async def scenario():
        app = make_play_app(SCENARIO, seed=0, record=False)  # Latvia is played
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            session = app.console_screen.session
            for _ in range(200):
                screen = app.screen
                if isinstance(screen, DecisionScreen) and screen.request.body == "cyclone":
                    break
                if isinstance(screen, DecisionScreen):  # Latvia's PSC delegation
                    await pilot.press("1", "ctrl+s")
                else:
                    await pilot.press("n")
                await pilot.pause()
            assert isinstance(app.screen, DecisionScreen) and app.screen.request.body == "cyclone"
            assert "EU-CyCLONe" in str(app.screen.briefing().renderables[0])
            await pilot.press("2", "ctrl+s")  # abstain: shares part of its picture
            await pilot.pause()
            said = [e.data for e in session.events if e.kind == "agency_contribution"
                    and e.data["state"] == "LV"]  # fmt: skip
            assert said[-1]["contribution"] == "partial" and said[-1]["by"] == "people"
            tracker = app.console_screen.query_one(ProcedureTracker)
            tracker.show(session.ex.picture)
            await pilot.pause()
            assert tracker.size.height == 10  # the procedure's seven rows and the three levels
            lines = app.export_screenshot()
            assert "Technical" in lines and "Political" in lines

    asyncio.run(scenario())


def test_a_delegation_seat_sees_the_levels_and_its_own_agency_only():
    ex = Exercise(SCENARIO, seed=0, players=["LV"], interactive=True)
    run_answering(ex)
    ex.answer("LV", "support")
    lv, ee = Seat("LV", "delegation", "LV"), Seat("EE", "delegation", "EE")
    shown = shown_to(lv, ex.events, ex.scenario)
    kinds = [e["kind"] for e in shown]
    assert "technical_report" in kinds and "cyclone_meeting" in kinds
    asked = [e for e in shown if e["kind"] == "decision_request"]
    assert asked and asked[-1]["data"]["body"] == "cyclone"
    own = [e["data"]["state"] for e in shown if e["kind"] == "agency_contribution"]
    assert own and set(own) == {"LV"}
    view = SeatView(lv)
    view.extend(shown)
    assert not [r for r in view.requests if r["measure"] == "operational_assessment"]
    assert not [e for e in shown_to(ee, ex.events, ex.scenario) if e["kind"] == "decision_request"]


def test_a_live_run_with_a_played_agency_records_and_verifies(tmp_path):
    path = tmp_path / "live.jsonl"
    ex = Exercise(SCENARIO, seed=2, players=["LV"], interactive=True)
    with Recorder(path, ex):
        ex.submit({"type": "ipcr", "at": "1d", "params": {"mode": "information_sharing"}})
        run_answering(ex, agency="abstain")
        assert ex.finished
    said = [e for e in ex.events if e.kind == "agency_contribution" and e.data["by"] == "people"]
    assert said and all(e.data["contribution"] == "partial" for e in said)
    recording = open_recording(path)
    assert recording.verify().ok
    assert recording.digest == ex.digest


def test_a_played_agencys_answer_is_its_delegations_own_and_clears_its_question_on_its_page():
    """LV's agency answers at EU-CyCLONe: LV's page no longer asks it (and would not answer the
    next question with it), EE and the wall are not told what LV's agency brought, and nobody
    has it as an inject to acknowledge."""
    scenario = scenarios.load("baltic-blackout")
    ex = Exercise(scenario, seed=1, interactive=True, players=["LV", "EE"])
    while not any(r.state == "LV" and r.measure == QUESTION for r in ex.pending):
        ex.step()
    answer = ex.answer("LV", "oppose", "Riga keeps its picture")
    entry = answer.data["inject"]["id"]
    assert entry not in ex.delivered

    def page(seat):
        disclosure, view = Disclosure(scenario), PageView(seat, scenario)
        for event in ex.events:
            disclosure.observe(event)
            data = disclosure.data_for(seat, event)
            if data is not None:
                view.apply(event.kind, event.t, event.seq, data)
        return view.summary({})

    lv, ee, wall = (page(Seat("LV", "delegation", "LV")), page(Seat("EE", "delegation", "EE")),
                    page(Seat("observer", "observer")))  # fmt: skip
    assert lv["request"] is None
    assert ee["request"] is not None and ee["request"]["body"] == "EU-CyCLONe"
    for view in (lv, ee, wall):
        assert "Riga keeps its picture" not in str(view)
    assert all(item["entry"] != entry for item in lv["inbox"] + ee["inbox"])
