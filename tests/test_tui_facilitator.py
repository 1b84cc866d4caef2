"""The facilitator's day at the console (issue 14): no surprises in a live session."""

from __future__ import annotations

import asyncio
import re

import pytest

pytest.importorskip("textual")

from test_tui import (  # noqa: E402
    collect_notifications,
    console,
    run_to_decision,
    screen_text,
    wait_for,
)
from textual.widgets import Select  # noqa: E402

from sim.clock import format_offset  # noqa: E402
from sim.exercise import Exercise  # noqa: E402
from sim.picture import Picture  # noqa: E402
from tui.app import make_play_app  # noqa: E402
from tui.screens.console import ConsoleScreen  # noqa: E402
from tui.screens.decision import DecisionScreen  # noqa: E402
from tui.widgets.timeline import Timeline  # noqa: E402

SIZE = (120, 40)


def run(coro):
    return asyncio.run(coro)


def positions_given(session) -> list[tuple[str, str]]:
    return [
        (e.data["inject"]["params"]["state"], e.data["inject"]["params"]["stance"])
        for e in session.events
        if e.kind == "input" and e.data.get("inject", {}).get("type") == "position"
    ]


def test_the_decision_dialog_records_only_a_chosen_answer():
    async def scenario():
        app = make_play_app("satcom-war", record=False)  # DE and PL are played
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            dialog = await run_to_decision(pilot, app)
            assert "None chosen" in screen_text(app)  # said in words, not only by colour
            for keys in (("ctrl+s",), ("enter", "enter"), ("tab", "enter")):
                await pilot.press(*keys)
                await pilot.pause()
                assert app.screen is dialog, keys  # nothing chosen: nothing submitted
                assert positions_given(s) == []
                dialog.query_one("#stance").focus()
            assert "Choose a position first" in screen_text(app)
            await pilot.press("4")
            await pilot.pause()
            assert "Chosen: oppose" in screen_text(app)
            await pilot.press("enter")
            await pilot.pause()
            assert positions_given(s) == [("DE", "oppose")]

    run(scenario())


def test_the_tracker_shows_when_each_milestone_was_reached():
    ex = Exercise("grid-wiper", players=[])
    ex.run()
    picture = Picture(ex.scenario).catch_up(ex.events)
    first_detection = next(e.t for e in ex.events if e.kind == "detected")
    endorsed = next(e.t for e in ex.events if e.kind == "shared_awareness")
    detection, shared = picture.stages["Detection"], picture.stages["Shared awareness"]
    assert detection.reached == first_detection < detection.t  # later detections are updates
    assert shared.reached == endorsed
    assert shared.t > endorsed  # the assessment was updated after it was endorsed

    async def scenario():
        app = make_play_app(ex.scenario, record=False, players=[])
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            s = console(app).session
            s.ex.run()
            console(app).sync()
            await pilot.pause()
            lines = screen_text(app).splitlines()
            row = next(line for line in lines if "Detection" in line)
            assert format_offset(first_detection) in row
            assert f"({format_offset(detection.t)}" in row  # then when the row last changed
            row = next(line for line in lines if "Shared aw" in line)
            assert format_offset(endorsed) in row

    run(scenario())


def test_the_board_shows_a_played_delegations_answer_at_once():
    async def scenario():
        app = make_play_app("satcom-war", record=False)  # DE and PL are played
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            await run_to_decision(pilot, app)
            await pilot.press("4", "ctrl+s")  # DE opposes; PL still to answer
            assert await wait_for(
                pilot, lambda: isinstance(app.screen, DecisionScreen)
                and app.screen.request.state == "PL"
            )  # fmt: skip
            assert not any(e.kind == "decision" for e in console(app).session.events[-3:])
            assert console(app).picture.states["DE"].position == "oppose"
            board = console(app).query_one("#board")
            assert "oppose" in str(board.get_cell("DE", "position"))

    run(scenario())


def test_n_stops_at_each_msel_inject_too():
    async def scenario():
        app = make_play_app("grid-wiper", players=[], record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            msel = [m.at for m in s.scenario.msel]
            stops = []
            while s.now() < msel[3] and not s.ex.finished:
                await pilot.press("n")
                assert await wait_for(pilot, lambda: s.mode == "paused")
                stops.append(s.ex.now)
            for at in msel[:4]:
                assert any(abs(stop - at) < 1e-9 for stop in stops), (format_offset(at), stops)

    run(scenario())


def test_arrow_keys_scroll_the_timeline_from_the_start():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("full_stop", "full_stop", "full_stop")
            timeline = console(app).query_one(Timeline)
            assert app.focused is timeline
            await pilot.press("up")
            assert timeline.cursor is not None and not timeline.follow

    run(scenario())


def test_p_e_and_x_under_way_ask_first():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = console(app)
            s = screen.session
            await pilot.press("full_stop")
            screen.query_one("#board").move_cursor(row=0)  # AT
            before = len(s.events)
            for key in ("p", "e", "x"):
                await pilot.press(key)
                await pilot.pause()
                assert type(app.screen).__name__ == "ConfirmScreen", key
                await pilot.press("n")
                await pilot.pause()
                assert app.screen is screen and len(s.events) == before, key
            first = screen.query_one("#upcoming").selected_id
            await pilot.press("e", "y")
            await pilot.pause()
            assert s.events[-1].data.get("msel") == first
            assert s.events[-1].data.get("how") == "fired"
            await pilot.press("p", "y")
            await pilot.pause()
            assert "AT" in s.ex.players
            second = screen.query_one("#upcoming").selected_id
            await pilot.press("x", "y")
            await pilot.pause()
            assert second in s.ex.skipped

    run(scenario())


@pytest.mark.parametrize(
    ("players", "said"),
    [(None, False), (["DE", "PL"], False), (["LT"], True), ([], True)],
)
def test_players_replacing_the_scenarios_are_said_on_screen(players, said):
    async def scenario():
        app = make_play_app("satcom-war", players=players, record=False)  # DE, PL played
        shown = collect_notifications(app)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            notes = [m for m in shown if m.startswith("--players replaces")]
            assert bool(notes) == said, shown
            if said:
                assert "(DE, PL)" in notes[0]

    run(scenario())


def test_input_fields_have_visible_borders():
    async def scenario():
        app = make_play_app("satcom-war", record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("g")
            await pilot.pause()
            field = app.screen.query_one("#prompt-input")
            assert field.styles.border_top[0] and field.outer_size.height == 3
            await pilot.press("escape")
            await pilot.press("m")  # the note: a delegation field and a text area, both framed
            await pilot.pause()
            for name in ("#state", "#text"):
                field = app.screen.query_one(name)
                assert field.styles.border_top[0], name
                assert app.screen.region.contains_region(field.region), name  # fits at 80x24
            await pilot.press("escape")
            dialog = await run_to_decision(pilot, app)
            statement = dialog.query_one("#statement")
            assert statement.styles.border_top[0] and statement.outer_size.height == 3
            assert app.screen.region.contains_region(statement.region)  # still fits at 80x24

    run(scenario())


def test_every_panel_is_reachable_at_80x24():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            for _ in range(3):
                await pilot.press("n")
                await wait_for(pilot, lambda: screen.session.mode == "paused")
            reached = set()
            for _ in range(4):
                await pilot.press("tab")
                panel = app.focused
                await pilot.press("z")
                await pilot.pause()
                assert screen.maximized is panel and panel.region.width == 80, panel
                reached.add(panel.id)
                if panel.id == "tracker":
                    assert "state(s) detected" in screen_text(app)  # cut at 80x24 otherwise
                await pilot.press("z")
                await pilot.pause()
                assert screen.maximized is None
            assert reached == {"board", "tracker", "upcoming", "timeline"}
            assert isinstance(app.screen, ConsoleScreen)

    run(scenario())


def test_the_tracker_shows_marks_and_times_at_80x24():
    """Issue 14: on the 34-column side panel of an 80x24 terminal every tracker row keeps its
    status mark and its time; only the stage's name and the detail are shortened."""
    from tui.widgets.status import STATUS_MARKS

    async def scenario():
        app = make_play_app("grid-wiper", players=["DE", "PL"], record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            screen.session.ex.run(6 * 24.0)  # detection, awareness and the PSC reached
            screen.sync()
            await wait_for(pilot, lambda: screen.picture.seen == len(screen.session.events))
            await pilot.pause()
            tracker = screen.query_one("#tracker")
            assert screen.maximized is None and tracker.region.width < 40
            rows = screen_text(app).splitlines()[tracker.region.y : tracker.region.bottom]
            rows = [row[tracker.region.x : tracker.region.right] for row in rows]
            assert len(rows) == 7
            marks = [row.split()[0] for row in rows]
            assert all(mark in STATUS_MARKS.values() for mark in marks), rows
            assert marks[1] == marks[2] == STATUS_MARKS["done"]  # detection, awareness
            picture = screen.picture
            for row, name in zip(rows[1:3], ("Detection", "Shared awareness"), strict=True):
                assert format_offset(picture.stages[name].reached) in row, row

    run(scenario())


def test_the_facilitator_marks_an_msel_entry_hold_at_the_console_and_releases_it(tmp_path):
    """A built-in's entry held from the console: r (edit) sets "Hold", the clock stops at it
    until l releases it; recorded, so the recording verifies."""
    from test_tui import _set

    from sim.recording import open as open_recording
    from tui.screens.inject import InjectScreen

    path = tmp_path / "held.jsonl"

    async def scenario():
        app = make_play_app("grid-wiper", players=["DE", "PL"], record=path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            s = screen.session
            upcoming = screen.query_one("#upcoming")
            upcoming.highlighted = [e.id for e in s.upcoming()].index("M-04")
            await pilot.press("r")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, InjectScreen)
            hold = [f.key for f in form.fields].index("hold")
            assert form.query_one(f"#f{form._generation}-{hold}").value == "no"
            _set(form, "hold", "yes")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            s.set_mode("until_t", 100.0)  # past M-04 (3d): the hold stops the clock first
            assert await wait_for(pilot, lambda: bool(s.ex.held))
            await pilot.pause()
            assert s.ex.now == 72.0 and "holding at M-04-edited: l releases it" in screen_text(app)
            await pilot.press("l")
            await pilot.pause()
            assert not s.ex.held and "M-04-edited" in s.ex.applied
            s.close()

    run(scenario())
    assert open_recording(path).verify().ok


def test_a_played_delegations_answer_scrolls_into_view_on_a_small_board():
    """At 80x24 the board shows 11 of 27 rows: PL's answer scrolls PL's row into view (the
    cursor, which p acts on, stays where it was)."""

    async def scenario():
        app = make_play_app("satcom-war", record=False)  # DE and PL are played
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            s = screen.session
            board = screen.query_one("#board")
            assert "PL " not in screen_text(app)  # below the fold
            for _ in range(2):
                await run_to_decision(pilot, app)
                await pilot.press("1", "ctrl+s")
                await pilot.pause()
            await wait_for(pilot, lambda: s.ex.pending == [] or len(positions_given(s)) >= 2)
            await pilot.pause()
            row = next(line for line in screen_text(app).splitlines() if line.startswith(" PL "))
            assert "sup" in row
            assert board.cursor_coordinate.row == 0

    run(scenario())


def test_timeline_times_keep_their_column_past_ten_days():
    async def scenario():
        app = make_play_app("grid-wiper", players=[], record=False)
        async with app.run_test(size=(80, 50)) as pilot:
            await pilot.pause()
            screen = console(app)
            screen.session.ex.run(12 * 24.0 + 1)  # events from T+8d into T+12d on screen
            screen.sync()
            await wait_for(pilot, lambda: screen.picture.seen == len(screen.session.events))
            await pilot.pause()
            timeline = screen.query_one(Timeline)
            lines = [str(timeline.render_line(y).text) for y in range(timeline.size.height)]
            lines = [line for line in lines if "T+" in line]
            assert any("T+12d" in line for line in lines) and any(" T+8d" in line for line in lines)
            assert {line.index(":") for line in lines} == {8}, lines  # hh:mm in one column

    run(scenario())


# -- the evaluator --------------------------------------------------------------------------


def test_the_evaluator_observes_rates_edits_and_holds_a_hot_wash(tmp_path):
    from sim import evaluation
    from sim.recording import open as open_recording
    from tui.app import make_replay_app
    from tui.screens.evaluation import EntryForm, EvaluationScreen

    path = tmp_path / "run.jsonl"

    async def live():
        app = make_play_app("grid-wiper", players=[], record=path)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            s = console(app).session
            await pilot.press("g", *"2d", "enter")
            assert await wait_for(pilot, lambda: s.mode == "paused" and s.now() >= 48)
            await pilot.press("v")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, EvaluationScreen)
            # An observation on the highlighted objective, over two lines, tagged to PL.
            await pilot.press("o")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, EntryForm)
            assert form.query_one("#objective").value == "OBJ-1"
            form.query_one("#state").value = "pl"
            form.query_one("#text").text = "CSIRTs slow\nto share"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            # A wrong tag is refused with its reason, in the form.
            await pilot.press("h")
            await pilot.pause()
            app.screen.query_one("#text").text = "Quick PSC"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "strength or an improvement" in str(
                app.screen.query_one("#entry-error").render()
            )
            await pilot.press("escape")
            await pilot.pause()
            # Edit the observation: a new entry replaces it; the first version stays recorded.
            screen.query_one("#entries").focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen.query_one("#text").text == "CSIRTs slow\nto share"
            app.screen.query_one("#text").text = "CSIRTs slow to share with INTCEN"
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.press("escape")
            # After the end: the evaluator's rating (the automatic one only suggested) and the
            # hot wash.
            s.ex.run()
            console(app).sync()
            await pilot.pause()
            await pilot.press("v")
            await pilot.pause()
            screen = app.screen
            await pilot.press("r")
            await pilot.pause()
            automatic = s.ex.metrics["objectives"]["OBJ-1"]
            assert f"suggestion): {automatic}" in str(app.screen.query_one("#suggestion").render())
            assert app.screen.query_one("#rating").value is Select.NULL  # not preselected
            app.screen.query_one("#rating").value = "M"
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.press("h")
            await pilot.pause()
            app.screen.query_one("#who").value = "DE"
            app.screen.query_one("#about").value = "strength"
            app.screen.query_one("#text").text = "Quick PSC"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "M" in str(screen.query_one("#objectives").get_row("OBJ-1"))
            entries = evaluation.current(s.events)
            assert [(e.entry, e.text, e.state, e.edited) for e in entries] == [
                ("observation", "CSIRTs slow to share with INTCEN", "PL", True),
                ("rating", "", "", False),
                ("hotwash", "Quick PSC", "", False),
            ]
            assert entries[0].t == 48.0  # an edit keeps the observation's time
            inputs = [e for e in s.events if e.data.get("control") == "observation"]
            assert len(inputs) == 4  # both versions of the observation are in the record
            s.close()  # as quitting does: the recording gets its end line

    run(live())
    # The recording is the single source of truth: a replay re-applies the entries exactly.
    recording = open_recording(path)
    assert recording.verify().ok
    entries = evaluation.current(recording.events)
    assert [e.entry for e in entries] == ["observation", "rating", "hotwash"]

    async def replay():
        app = make_replay_app(recording)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            shown = collect_notifications(app)
            await pilot.press("v")
            await pilot.pause()
            assert "read-only" in screen_text(app) and "CSIRTs slow" in screen_text(app)
            await pilot.press("o")
            await pilot.pause()
            assert shown[-1] == "replay is read-only: b branches a live run"
            assert isinstance(app.screen, EvaluationScreen)

    run(replay())


def test_facilitator_notes_are_multi_line_tagged_and_edited_in_the_record(tmp_path):
    """Issue 14: ``m`` writes a note over several lines, tagged to an objective and a
    delegation; ``M`` edits the note highlighted in the timeline (else the latest); an edit is
    a new entry of the hash-chained recording (the first version stays); replay shows the
    edited text and the report the notes with their tags."""
    from sim import evaluation
    from sim.recording import open as open_recording
    from sim.report import aar
    from tui.app import make_replay_app
    from tui.screens.evaluation import EntryForm, EvaluationScreen

    path = tmp_path / "run.jsonl"

    async def live():
        app = make_play_app("grid-wiper", players=["DE", "PL"], record=path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            s = screen.session
            await pilot.press("g", *"1d", "enter")
            assert await wait_for(pilot, lambda: s.mode == "paused" and s.now() >= 24)
            await pilot.press("m")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, EntryForm) and form.kind == "note"
            await pilot.press(*"PL asks", "enter", *"for a map")  # enter: a new line
            form.query_one("#objective").value = "OBJ-2"
            form.query_one("#state").focus()
            await pilot.press("d", "e")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("m")
            await pilot.pause()
            app.screen.query_one("#text").text = "Second note, untagged"
            await pilot.press("ctrl+s")
            await pilot.pause()
            first, second = evaluation.notes(s.events)
            assert (first.text, first.objective, first.state) == ("PL asks\nfor a map", "OBJ-2",
                                                                  "DE")  # fmt: skip
            assert (second.objective, second.state) == ("", "")
            # The timeline shows the note with its tags; highlighted there, M edits that one.
            timeline = screen.query_one(Timeline)
            assert "Facilitator note [OBJ-2 DE]: PL asks for a map" in timeline.text_of(
                timeline.rows[-2]
            )
            await pilot.press("up")
            await pilot.pause()
            assert timeline.highlighted == len(s.events) - 2
            await pilot.press("M")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, EntryForm) and "edit" in screen_text(app)
            assert form.query_one("#text").text == "PL asks\nfor a map"
            assert form.query_one("#objective").value == "OBJ-2"
            form.query_one("#text").text = "PL asks for a map of the outages"
            form.query_one("#state").value = "PL"
            await pilot.press("ctrl+s")
            await pilot.pause()
            # Nothing highlighted: M edits the latest note; an empty text is refused.
            timeline.action_follow()
            await pilot.press("M")
            await pilot.pause()
            assert app.screen.query_one("#text").text == "Second note, untagged"
            app.screen.query_one("#text").text = "  "
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "a note needs some text" in str(app.screen.query_one("#entry-error").render())
            await pilot.press("escape")
            await pilot.pause()
            first, second = evaluation.notes(s.events)
            assert (first.text, first.state, first.edited) == (
                "PL asks for a map of the outages", "PL", True)  # fmt: skip
            assert first.t == 24.0  # an edit keeps the note's time
            assert not second.edited
            versions = [e for e in s.events if e.data.get("entry") == "note"]
            assert len(versions) == 3 and versions[-1].data["replaces"] == versions[0].seq
            # The evaluator's screen lists the notes too.
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, EvaluationScreen)
            assert "facilitator note [OBJ-2 PL] PL asks for a map" in screen_text(app)
            await pilot.press("escape")
            s.ex.run()
            s.close()

    run(live())
    recording = open_recording(path)
    assert recording.verify().ok  # the notes and the edit re-applied exactly
    notes = evaluation.notes(recording.events)
    assert [n.text for n in notes] == ["PL asks for a map of the outages", "Second note, untagged"]

    async def replay():
        app = make_replay_app(recording)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            screen.session.move(len(recording.events))
            await pilot.pause()
            timeline = screen.query_one(Timeline)
            lines = [timeline.text_of(row) for row in timeline.rows]
            assert any("Facilitator note (edit) [OBJ-2 PL]: PL asks for a map of the outages"
                       in line for line in lines)  # fmt: skip
            shown = collect_notifications(app)
            await pilot.press("M")
            await pilot.pause()
            assert shown[-1] == "replay is read-only: b branches a live run"

    run(replay())
    for fmt in ("md", "html"):
        text = aar(recording.scenario, recording.events, recording.header, fmt=fmt)
        assert "PL asks for a map of the outages" in text
        assert "OBJ-2" in text and "Second note, untagged" in text
        assert "PL asks\nfor a map" not in text and "(edited)" in text
    md = aar(recording.scenario, recording.events, recording.header)
    assert re.search(r"^- .*T\+1d 00:00 \[OBJ-2 · PL\] \(edited\): PL asks for a map", md, re.M)


def test_a_branch_from_replay_starts_after_the_event_shown(tmp_path):
    """Stepped back to the request for DE's position, before DE answered (at the same sim
    time): the branch is a live run in which DE has not answered yet (issue 14, item 1)."""
    from sim.recording import Recorder
    from sim.recording import open as open_recording
    from tui.app import make_replay_app

    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with Recorder(path, ex):
        ex.run()
        while ex.pending:
            ex.answer(ex.pending[0].state, "oppose", "Evidence too thin")
            ex.run()
    recording = open_recording(path)
    request = next(e for e in recording.events if e.kind == "decision_request")
    answer = next(e for e in recording.events if e.kind == "input" and e.seq > request.seq)
    assert answer.t == request.t  # the answer came at the same sim time

    async def scenario():
        app = make_replay_app(recording)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            s.move(request.seq + 1)  # the request is the last event shown
            await pilot.pause()
            app.record_default = True
            app.default_record_path = lambda scenario_id: tmp_path / "branch.jsonl"
            await pilot.press("b")
            await pilot.pause()
            branch = console(app).session
            assert branch.ex is not s and [r.state for r in branch.ex.pending] == ["DE"]
            assert len(branch.events) == request.seq + 1
            assert not [e for e in branch.events if e.kind == "input"]
            branch.close()

    run(scenario())
    header = open_recording(tmp_path / "branch.jsonl").header
    assert header["parent"]["after_event"] == request.seq


def test_after_a_veto_the_redrafted_text_is_put_to_the_table_again():
    """DE vetoes P-1; the chair redrafts with weaker wording and the dialog opens again for DE
    on P-1, showing no answer from the earlier round as given."""

    async def scenario():
        # Seed 5: the drafters leave the text naming someone, so the PSC redrafts after DE's
        # veto (test_engine's test_a_played_delegation_is_asked_again_after_a_redraft).
        ex = Exercise("grid-wiper", seed=5, players=["DE"], interactive=True)
        app = make_play_app(ex, record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            first = await run_to_decision(pilot, app)
            await pilot.press("4", "ctrl+s")  # DE opposes
            assert await wait_for(pilot, lambda: not isinstance(app.screen, DecisionScreen))
            again = await run_to_decision(pilot, app)
            s = console(app).session
            assert any(e.kind == "redrafted" for e in s.events)
            return first.request, again.request, again.given

    first, again, given = run(scenario())
    assert (again.state, again.proposal) == (first.state, first.proposal) == ("DE", "P-1")
    assert "DE" not in given
