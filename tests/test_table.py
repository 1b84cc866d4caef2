"""The table's day outside the console screens (issue 14): branching from replay, comparisons,
statements, pending ratings, headless runs of played scenarios, addressed and held injects."""

from __future__ import annotations

import asyncio

import pytest

from sim.exercise import Exercise
from sim.recording import Recorder, reader

STATEMENT = "We veto: the evidence package is too thin."


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """grid-wiper with DE played at the table: DE vetoes the first measure asked, then supports."""
    path = tmp_path_factory.mktemp("played") / "played.jsonl"
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with Recorder(path, ex):
        ex.run()
        answers = 0
        while ex.pending:
            ex.answer(ex.pending[0].state, "oppose" if answers == 0 else "support", STATEMENT)
            answers += 1
            ex.run()
    return path


def _first_request(recording):
    return next(e for e in recording.events if e.kind == "decision_request")


def _answers(events):
    return [
        e
        for e in events
        if e.kind == "input" and e.data.get("inject", {}).get("type") == "position"
    ]


# -- 3. branching from replay takes no later inputs ---------------------------------------------


def test_a_branch_after_a_decision_request_does_not_hold_the_answer_given_later(played, tmp_path):
    recording = reader.open(played)
    request = _first_request(recording)
    answer = _answers(recording.events)[0]
    assert answer.t == request.t and answer.seq > request.seq  # same sim time, later event
    branch_path = tmp_path / "branch.jsonl"
    ex = recording.branch(after_event=request.seq, record_to=branch_path)
    try:
        assert _answers(ex.events) == []
        assert [r.state for r in ex.pending] == ["DE"]  # the table is asked again
        assert ex.now == request.t
    finally:
        ex.recorder.close()
    child = reader.open(branch_path)
    assert child.header["parent"]["after_event"] == request.seq
    assert child.verify().ok
    # By time alone the answer (made at the same sim time) would come along: the old behaviour.
    assert len(_answers(recording.branch(request.t).events)) == 1


def test_branching_after_an_event_that_does_not_exist_is_refused(played):
    from sim.recording.reader import RecordingError

    recording = reader.open(played)
    with pytest.raises(RecordingError, match="no event 99999 to branch after"):
        recording.branch(after_event=99999)


def test_console_b_branches_after_the_replay_cursor_event(played, tmp_path):
    pytest.importorskip("textual")
    from tui.app import make_replay_app

    recording = reader.open(played)
    request = _first_request(recording)

    async def scenario():
        app = make_replay_app(recording, at=request.t)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.console_screen
            assert screen.session.cursor > request.seq + 1  # the answer is shown at that time
            while screen.session.cursor > request.seq + 1:  # step back to the request
                await pilot.press("left_square_bracket")
            app.record_default = True
            app.default_record_path = lambda scenario_id: tmp_path / "branch.jsonl"
            await pilot.press("b")
            await pilot.pause()
            branch = app.console_screen
            assert branch.live
            assert _answers(branch.session.ex.events) == []
            assert [r.state for r in branch.session.ex.pending] == ["DE"]
            branch.session.close()

    asyncio.run(scenario())


# -- 4. a comparison's first divergence shows both sides --------------------------------------


def _record_played(path, first_answer: str, statement: str = STATEMENT):
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with Recorder(path, ex):
        ex.run()
        answers = 0
        while ex.pending:
            stance = first_answer if answers == 0 else "support"
            ex.answer(ex.pending[0].state, stance, statement)
            answers += 1
            ex.run()
    return path


def test_first_divergence_shows_what_differs_on_each_side(played, tmp_path, capsys):
    from tui.cli import main

    supported = _record_played(tmp_path / "supported.jsonl", "support")
    assert main(["report", str(played), str(supported)]) == 0
    text = capsys.readouterr().out
    section = text.split("## First divergence")[1].split("##")[0]
    line_a = next(line for line in section.splitlines() if line.startswith("- A:"))
    line_b = next(line for line in section.splitlines() if line.startswith("- B:"))
    assert line_a[4:] != line_b[4:]  # not the same line twice
    assert line_a.endswith("(inject.params.stance: oppose)")
    assert line_b.endswith("(inject.params.stance: support)")


# -- 2. handouts: cdtx brief -------------------------------------------------------------------


def test_delegation_brief_is_an_a4_page_of_what_it_knows_at_the_start(tmp_path, capsys):
    from tui.cli import main

    out = tmp_path / "lt.html"
    assert main(["brief", "grid-wiper", "--for", "LT", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "@page { size: A4" in text
    assert "Delegation of Lithuania (LT) brief" in text
    assert "INC-1: malicious cyber activity hits PL (energy), LT (energy)" in text  # it was hit
    assert "IRON LANTERN" not in text  # the sponsor is not known to it at the start
    assert "Expected action" not in text and "M-03" not in text  # nor the MSEL to come
    assert "How your decisions are asked" in text and "constructive abstention" in text
    # A delegation not hit knows of no incident; an existing file is kept without --force.
    assert main(["brief", "grid-wiper", "--for", "ee", "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["brief", "grid-wiper", "--for", "ee", "-o", str(out), "--force"]) == 0
    assert "Nothing has been reported to you yet." in out.read_text(encoding="utf-8")


def test_facilitator_brief_has_the_msel_objectives_and_keys(capsys):
    from tui.cli import main

    assert main(["brief", "grid-wiper", "--for", "facilitator"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Facilitator brief: Blackout Friday")
    assert "| OBJ-1 | Reach EU shared situational awareness" in text
    m03 = next(line for line in text.splitlines() if line.startswith("| M-03 |"))
    assert "| intel | PL, LT, DE, FR |" in m03 and "Services reassess attribution" in m03
    assert "| space | clock.toggle | Play/pause |" in text
    assert "| b | replay.branch |" in text


def test_brief_escapes_what_comes_from_the_scenario(tmp_path, capsys):
    import yaml

    from tui.cli import main

    data = yaml.safe_load(scenarios_text("grid-wiper"))
    data["title"] = "<script>alert(1)</script> " + data["title"]
    data["msel"][0]["expected_action"] = "<img src=x onerror=alert(2)>"
    path = tmp_path / "evil.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    for who in ("facilitator", "LT"):
        out = tmp_path / f"{who}.html"
        assert main(["brief", str(path), "--for", who, "-o", str(out)]) == 0, capsys.readouterr()
        text = out.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "&lt;script&gt;" in text
        assert "<img" not in text
    assert main(["brief", str(path), "--for", "facilitator"]) == 0
    assert "<script>" not in capsys.readouterr().out


def test_brief_for_the_tables_players_says_how_to_take_the_seat_and_when(capsys):
    """Issue 23: briefs for a hosted table (host --players DE,PL,EE) say that DE is played, give
    the background, how to join and answer, and times with their time zone."""
    from tui.cli import main

    assert main(["brief", "grid-wiper", "--for", "DE", "--players", "de,PL,EE"]) == 0
    text = capsys.readouterr().out
    assert "not among this scenario's players" not in text
    assert "Germany (DE) is played at the table in this scenario" in text
    assert "| Delegations played at the table | Germany (DE), Poland (PL), Estonia (EE) |" in text
    assert "## Background" in text and "Cyber Diplomacy Toolbox" in text
    assert "IRON LANTERN" not in text  # the scenario's summary is the facilitator's
    assert "## Taking your seat and answering" in text and "cdtx join URL --token" in text
    assert "answer oppose" in text
    assert "| Start | Fri 06 Mar 2026 05:40 CET (Brussels) |" in text
    assert main(["brief", "grid-wiper", "--for", "DE"]) == 0  # the scenario's players: LT only
    assert "not among this scenario's players" in capsys.readouterr().out
    assert main(["brief", "grid-wiper", "--for", "facilitator", "--players", "DE,PL"]) == 0
    text = capsys.readouterr().out
    assert "cdtx brief grid-wiper --for DE" in text and "--for LT" not in text
    with pytest.raises(SystemExit) as refused:
        main(["brief", "grid-wiper", "--for", "DE", "--players", "DE,XX"])
    assert refused.value.code == 1
    assert "unknown member state code(s): XX" in capsys.readouterr().err


def test_brief_times_say_summer_time_in_summer(tmp_path, capsys):
    import yaml

    from tui.cli import main

    data = yaml.safe_load(scenarios_text("grid-wiper"))
    data["start"] = "2026-07-06T09:00:00+02:00"
    path = tmp_path / "summer.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["brief", str(path), "--for", "LT"]) == 0
    assert "| Start | Mon 06 Jul 2026 09:00 CEST (Brussels) |" in capsys.readouterr().out


def test_brief_for_someone_unknown_is_refused(capsys):
    from tui.cli import main

    assert main(["brief", "grid-wiper", "--for", "XX"]) == 1
    assert "--for XX: give 'facilitator' or a member state code" in capsys.readouterr().err


def scenarios_text(scenario_id: str) -> str:
    import scenarios

    return scenarios.builtin_path(scenario_id).read_text(encoding="utf-8")


# -- 7. a headless run of a scenario with players ---------------------------------------------


def test_a_headless_run_says_the_model_answered_for_the_table(tmp_path, capsys):
    from tui.cli import main

    path = tmp_path / "headless.jsonl"
    assert main(["run", "grid-wiper", "--record", str(path)]) == 0  # grid-wiper: players [LT]
    out = capsys.readouterr().out
    assert "Decision needed from played delegation" not in out
    assert "the model answers for LT" in out
    assert "Nobody plays LT in this run: the model answers for the table on P-" in out
    assert main(["report", str(path)]) == 0
    report_text = capsys.readouterr().out
    played_row = next(line for line in report_text.splitlines() if "Played delegations" in line)
    assert "none: nobody played this run, the model answered for the table (LT)" in played_row


def test_a_played_run_still_says_who_played(played, capsys):
    from tui.cli import main

    assert main(["report", str(played)]) == 0
    played_row = next(line for line in capsys.readouterr().out.splitlines()
                      if "Played delegations" in line)  # fmt: skip
    assert played_row.split("|")[2].strip() == "DE"


# -- 6. before the horizon, what has not happened yet is pending -------------------------------


def _summary(out: str) -> dict[str, str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Summary"))
    rows = {}
    for line in lines[start + 1 :]:
        if line.startswith("Objectives"):
            break
        if line.strip():
            rows[line[2:36].strip()] = line[36:].strip()
    return rows


def _ratings(out: str) -> dict[str, str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Objectives ("))
    ratings = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rating, objective = line.split()[:2]
        ratings[objective] = rating
    return ratings


def test_run_until_shows_what_has_not_happened_yet_as_pending(capsys):
    from tui.cli import main

    assert main(["run", "grid-wiper", "--until", "2d"]) == 0
    out = capsys.readouterr().out
    assert "Summary so far (at Sun 08 Mar 2026 05:40" in out
    summary = _summary(out)
    assert summary["shared situational awareness"] == "pending"  # not "never"
    assert summary["first detection"].startswith("T+")
    assert set(_ratings(out).values()) == {"pending"}  # not U
    assert main(["run", "grid-wiper"]) == 0  # at the horizon: the ratings, and "never"
    out = capsys.readouterr().out
    assert "pending" not in out and "Summary\n" in out
    assert "pending" not in _ratings(out).values()


def test_replay_at_rates_what_is_decided_and_leaves_the_rest_pending(tmp_path, capsys):
    from tui.cli import main

    path = tmp_path / "run.jsonl"
    assert main(["run", "grid-wiper", "--record", str(path)]) == 0
    capsys.readouterr()
    assert main(["replay", str(path), "--at", "5d"]) == 0
    out = capsys.readouterr().out
    ratings = _ratings(out)
    # OBJ-1 (shared awareness within 5 days) was reached at T+4d: decided; OBJ-3 (a stability
    # measure) and OBJ-4 (cohesion of the last decision) are still open.
    assert ratings["OBJ-1"] == "P"
    assert ratings["OBJ-3"] == ratings["OBJ-4"] == "pending"
    assert _summary(out)["listing adopted"] == "pending"
    assert "Summary so far (at Wed 11 Mar 2026 05:40  T+5d 00:00)" in out


# -- 5. player statements are quoted at the decision -------------------------------------------


def test_a_delegations_stated_reason_is_quoted_at_the_decision(played, capsys):
    from tui.cli import main

    assert main(["report", str(played)]) == 0
    text = capsys.readouterr().out
    veto = next(line for line in text.splitlines() if "vetoed by DE" in line)
    assert f'DE (oppose): "{STATEMENT}"' in veto
    msel_row = next(line for line in text.splitlines() if line.startswith("| F-001 |"))
    assert "position of DE given at the table" in msel_row
    assert main(["replay", str(played)]) == 0
    lines = capsys.readouterr().out.splitlines()
    decision = next(i for i, line in enumerate(lines) if "vetoed by DE" in line)
    assert lines[decision - 1].endswith(f'Stated: DE: "{STATEMENT}"')
    assert "Positions:" in lines[decision - 2]


def test_statements_in_the_html_report_are_escaped(tmp_path, capsys):
    from tui.cli import main

    path = _record_played(tmp_path / "evil.jsonl", "oppose", "<script>alert(1)</script>")
    out = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# -- 8. every inject can be addressed, and says to whom ----------------------------------------


def test_every_inject_type_can_be_addressed_and_the_timeline_says_to_whom(capsys):
    from scenarios.model import INJECT_TYPES_DECLARED
    from tui.screens.inject import TO, fields_for

    assert all(t.recipients in ("optional", "required") for t in INJECT_TYPES_DECLARED)
    assert fields_for("meeting", (), ())[0] is TO  # the form asks whom, for every type
    ex = Exercise("grid-wiper")
    ex.submit({"type": "meeting", "to": ["EE", "LV"], "message": "Call the PSC",
               "params": {"body": "psc", "extraordinary": True}})  # fmt: skip
    applied = [e for e in ex.events if e.kind == "inject_applied"]
    assert applied[-1].data["to"] == ["EE", "LV"]
    from sim.narrative import describe

    assert describe(applied[-1]).startswith("Inject F-001 (meeting) to EE, LV: Call the PSC")
    from tui.cli import main

    assert main(["run", "grid-wiper", "--until", "3d"]) == 0
    out = capsys.readouterr().out
    assert "Inject M-01 (note) to PL, LT: Grid operators" in out
    assert "Inject M-02 (media): International media" in out  # to all: nothing added


def test_a_delegation_seat_sees_only_the_injects_addressed_to_it():
    from sim.seats import DELEGATION, Disclosure, Seat

    ex = Exercise("grid-wiper")
    ex.submit({"type": "meeting", "to": ["EE"], "params": {"body": "psc"}})
    disclosure = Disclosure(ex.scenario)
    seen = {"EE": [], "LV": []}
    for event in ex.events:
        disclosure.observe(event)
        for code in seen:
            shown = disclosure.view_of(Seat(code, DELEGATION, code), event)
            if shown is not None and event.kind == "inject_applied":
                seen[code].append(shown["data"]["inject"])
    assert seen == {"EE": ["F-001"], "LV": []}


def test_the_msel_panel_says_to_whom(tmp_path):
    pytest.importorskip("textual")
    from tui.app import make_play_app
    from tui.widgets.status import UpcomingList

    async def scenario():
        app = make_play_app("grid-wiper", seed=1, record=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            panel = app.console_screen.query_one(UpcomingList)
            texts = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
            m01 = next(t for t in texts if "M-01" in t)
            m02 = next(t for t in texts if "M-02" in t)
            assert "note to PL, LT" in m01 and "media to all" in m02

    asyncio.run(scenario())


# -- 9. an MSEL entry marked hold: the clock waits until the facilitator releases it -----------


def _held_scenario():
    import yaml

    import scenarios

    data = yaml.safe_load(scenarios_text("grid-wiper"))
    data["msel"][3]["hold"] = True  # M-04, the extraordinary PSC at 3d
    return scenarios.load_text(yaml.safe_dump(data))


def test_a_held_entry_stops_the_clock_until_released_and_replays(tmp_path):
    from sim.exercise import InjectError

    scenario = _held_scenario()
    path = tmp_path / "held.jsonl"
    ex = Exercise(scenario, interactive=True)
    with Recorder(path, ex):
        ex.run()
        assert ex.held == ["M-04"] and ex.now == 72.0 and not ex.finished
        ex.run()  # still waiting: nothing moves
        assert ex.now == 72.0 and "M-04" not in ex.applied
        ex.release()
        with pytest.raises(InjectError, match="no MSEL entry is held"):
            ex.release()
        ex.run()
        assert "M-04" in ex.applied and ex.now > 72.0
        while ex.pending:
            ex.answer(ex.pending[0].state, "support")
            ex.run()
    recording = reader.open(path)
    released = [e for e in recording.events if e.kind == "released"]
    assert [e.data for e in released] == [{"inject": "M-04", "by": "facilitator"}]
    assert any(e.kind == "input" and e.data.get("control") == "release" for e in recording.events)
    assert recording.verify().ok


def test_a_headless_run_releases_a_held_entry_at_once_and_says_so(tmp_path, capsys):
    import yaml

    from tui.cli import main

    path = tmp_path / "held.yaml"
    path.write_text(yaml.safe_dump(_held_scenario().model_dump(mode="json", by_alias=True)))
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "M-04 is due: the clock waits until the facilitator releases it" in out
    assert "M-04 released at once: nobody plays this run (headless)" in out
    assert "Inject M-04 (meeting)" in out


def test_console_l_releases_the_held_entry(tmp_path):
    pytest.importorskip("textual")
    from tui.app import make_play_app

    async def scenario():
        app = make_play_app(_held_scenario(), record=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            session = app.console_screen.session
            session.set_mode("until_t", 100.0)  # past M-04 (3d): the hold stops the clock first
            for _ in range(400):
                if session.ex.held or session.ex.pending:
                    break
                await pilot.pause(0.02)
            assert session.ex.held == ["M-04"]
            assert session.state() == "holding at M-04: l releases it"
            await pilot.press("l")
            await pilot.pause()
            assert session.ex.held == []
            assert any(e.kind == "released" for e in session.ex.events)
            session.close()

    asyncio.run(scenario())


def test_a_held_entry_survives_the_msel_spreadsheet(tmp_path, capsys):
    import yaml

    from tui.cli import main

    path = tmp_path / "held.yaml"
    path.write_text(yaml.safe_dump(_held_scenario().model_dump(mode="json", by_alias=True)))
    sheet, out = tmp_path / "msel.csv", tmp_path / "new.yaml"
    assert main(["msel", "export", str(path), "-o", str(sheet)]) == 0
    m04 = next(line for line in sheet.read_text().splitlines() if line.startswith("M-04,"))
    assert m04.endswith(",hold")  # its Status
    assert main(["msel", "import", str(sheet), "--into", str(path), "-o", str(out)]) == 0
    import scenarios

    held = [m.id for m in scenarios.load(str(out)).msel if m.hold]
    assert held == ["M-04"]
