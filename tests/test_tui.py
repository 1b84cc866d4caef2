"""The facilitator console, driven headless through Textual's Pilot."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

pytest.importorskip("textual")

from textual.widgets import Select  # noqa: E402

import scenarios  # noqa: E402
from sim import evaluation  # noqa: E402
from sim.exercise import Exercise  # noqa: E402
from sim.narrative import stage  # noqa: E402
from tui.app import CdtxApp, make_play_app, make_replay_app  # noqa: E402
from tui.screens.console import ConsoleScreen  # noqa: E402
from tui.screens.decision import DecisionScreen  # noqa: E402
from tui.screens.inject import (  # noqa: E402
    InjectScreen,
    build_inject,
    fields_for,
    form_values,
    initial_values,
)
from tui.screens.session import SPEEDS, LiveSession  # noqa: E402
from tui.widgets.status import StatusHeader  # noqa: E402
from tui.widgets.timeline import Timeline  # noqa: E402

SIZE = (120, 40)


def run(coro):
    return asyncio.run(coro)


async def wait_for(pilot, condition, rounds: int = 400):
    """Let the app run until ``condition()`` holds (bounded; no timing assertion)."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


def console(app: CdtxApp) -> ConsoleScreen:
    screen = app.console_screen
    assert screen is not None
    return screen


async def open_and_dismiss(pilot, app: CdtxApp, key: str, screen: str, dismiss: str) -> None:
    """``key`` opens the modal screen named ``screen``; ``dismiss`` returns to the console."""
    await pilot.press(key)
    await pilot.pause()
    assert type(app.screen).__name__ == screen
    await pilot.press(dismiss)
    await pilot.pause()
    assert isinstance(app.screen, ConsoleScreen)


def test_start_pause_step_speed():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            assert s.state() == "paused"
            assert len(s.events) == 1
            await pilot.press("full_stop")
            assert len(s.events) > 1
            assert console(app).query_one(Timeline).count == len(s.events)
            before = s.speed_index
            await pilot.press("plus")
            assert s.speed_index == before + 1
            await pilot.press("minus", "minus")
            assert s.speed_index == before - 1
            for _ in range(len(SPEEDS)):
                await pilot.press("plus")
            assert s.speed is None  # max
            await pilot.press("space")
            assert s.state() in ("running", "waiting for a delegation", "ended")
            assert await wait_for(pilot, lambda: s.ex.now > 1.0)
            await pilot.press("space")
            await pilot.pause()
            if isinstance(app.screen, DecisionScreen):
                await pilot.press("escape")
            if s.state() == "running":
                await pilot.press("space")
            assert s.state() in ("paused", "waiting for a delegation", "ended")
            header = str(console(app).query_one("#status").render())
            assert "Brussels" in header and "T+" in header

    run(scenario())


def test_go_to_time_and_next():
    async def scenario():
        app = make_play_app("grid-wiper", players=[], record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            # As the timeline showed times (T+dd:hh:mm, still read), then as a duration.
            await pilot.press("g")
            await pilot.press(*"T+01:12:00", "enter")
            assert await wait_for(pilot, lambda: s.mode == "paused" and s.now() >= 36)
            assert s.ex.now <= 36
            await pilot.press("g")
            await pilot.press(*"3d", "enter")
            assert await wait_for(pilot, lambda: s.mode == "paused" and s.now() >= 72)
            assert s.ex.now <= 72
            await pilot.press("n")
            assert await wait_for(pilot, lambda: s.mode == "paused")
            assert any(e.kind in ("meeting", "decision") for e in s.events)

    run(scenario())


async def _open_inject(pilot, app, kind: str) -> InjectScreen:
    await pilot.press("i")
    await pilot.pause()
    form = app.screen
    assert isinstance(form, InjectScreen)
    form.query_one("#inject-type").value = kind
    # Under load the new fields may not be mounted after one pause (a Select shows its value
    # once mounted): wait until every field of this form is there and has its initial value.
    assert await wait_for(pilot, lambda: form.kind == kind and _fields_ready(form))
    return form


def _fields_ready(form: InjectScreen) -> bool:
    ids = [f"f{form._generation}-{i}" for i in range(len(form.fields))]
    widgets = [w for w in form.query("#inject-fields > *") if w.id in ids]
    return len(widgets) == len(ids) and all(
        w.is_mounted and not (isinstance(w, Select) and w.value is Select.BLANK) for w in widgets
    )


def _set(form: InjectScreen, key: str, value: str) -> None:
    index = [f.key for f in form.fields].index(key)
    form.query_one(f"#f{form._generation}-{index}").value = value


async def _refused_at(pilot, app, form: InjectScreen, key: str) -> str:
    """Submit ``form``; it must stay open with a message next to field ``key``: returned."""
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.screen is form
    index = [f.key for f in form.fields].index(key)
    return str(form.query_one(f"#e{form._generation}-{index}").render())


def test_injects_through_the_form():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            # a note
            form = await _open_inject(pilot, app, "note")
            _set(form, "params.text", "Ministers are briefed")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)
            # media with a pressure
            form = await _open_inject(pilot, app, "media")
            _set(form, "to", "EE, LV")
            _set(form, "params.pressure", "0.7")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)
            # a meeting later
            form = await _open_inject(pilot, app, "meeting")
            _set(form, "at", "2d")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)
            kinds = [e.data["inject"]["type"] for e in s.events if e.kind == "input"]
            assert kinds == ["note", "media", "meeting"]
            # invalid: pressure out of range, rejected with its message next to the field
            form = await _open_inject(pilot, app, "media")
            _set(form, "params.pressure", "3")
            message = await _refused_at(pilot, app, form, "params.pressure")
            assert message == "at most 1", message  # plain words, not pydantic's
            # intel: the actor field offers only the scenario's threat actors, so it is valid
            form.query_one("#inject-type").value = "intel"
            await pilot.pause()
            _set(form, "to", "EE")
            _set(form, "params.confidence", "0.2")
            actor = form.fields[[f.key for f in form.fields].index("params.actor")]
            assert actor.choices == tuple(a.id for a in s.ex.scenario.threat_actors)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)  # valid with the scenario's actor
            form = await _open_inject(pilot, app, "attribute")
            _set(form, "params.states", "XX")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is form
            assert str(form.query_one("#inject-error").render())
            await pilot.press("escape")
            assert len([e for e in s.events if e.kind == "input"]) == 4
            # hold on an inject applied now: refused next to the Hold field, nothing recorded
            form = await _open_inject(pilot, app, "note")
            _set(form, "params.text", "Hold here")
            _set(form, "hold", "yes")
            message = await _refused_at(pilot, app, form, "hold")
            assert "later time" in message, message
            await pilot.press("escape")
            assert len([e for e in s.events if e.kind == "input"]) == 4

    run(scenario())


def test_played_delegation_blocks_the_declaration():
    # Seed 5: the drafters leave the text naming someone, so DE's veto at the PSC leads to a
    # redraft (where they weaken it to no name at the working party, to the HR's statement).
    async def scenario():
        app = make_play_app("grid-wiper", seed=5, players=["DE"], record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            for _ in range(len(SPEEDS)):
                await pilot.press("plus")
            await pilot.press("space")
            assert await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen), 2000)
            assert s.state() == "waiting for a delegation"
            assert app.screen.request.state == "DE"
            assert app.screen.request.measure == "hr_declaration"
            await pilot.press("4")
            app.screen.query_one("#statement").value = "Evidence too thin"
            await pilot.press("ctrl+s")
            assert await wait_for(pilot, lambda: any(e.kind == "decision" for e in s.events), 2000)
            decision = next(e for e in s.events if e.kind == "decision")
            assert decision.data["measure"] == "hr_declaration"
            assert not decision.data["adopted"]
            assert "DE" in decision.data["blockers"]
            # The veto blocks this text: the chair redrafts it with weaker wording and puts it
            # to DE's people again.
            assert await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen), 2000)
            assert any(e.kind == "redrafted" for e in s.events)
            assert app.screen.request.state == "DE"

    run(scenario())


def test_note_recorded():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("m")  # the note's text has the focus: type at once
            await pilot.press(*"Chair asks", "enter", *"for calm", "ctrl+s")
            await pilot.pause()
            s = console(app).session
            assert [n.text for n in evaluation.notes(s.events)] == ["Chair asks\nfor calm"]
            assert "Facilitator note: Chair asks for calm" in console(app).query_one(
                Timeline
            ).text_of(console(app).query_one(Timeline).rows[-1])

    run(scenario())


def test_toggle_player_before_start_and_under_way_and_filter_and_help():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            board = console(app).query_one("#board")
            board.move_cursor(row=0)  # AT
            await pilot.press("p")
            assert "AT" in s.ex.players
            await pilot.press("p")
            assert "AT" not in s.ex.players
            await pilot.press("full_stop", "full_stop", "full_stop")
            await pilot.press("f")
            await pilot.press(*"incident", "enter")
            timeline = console(app).query_one(Timeline)
            assert timeline.rows and all(
                stage(timeline.events[i]) == "incident" for i in timeline.rows
            )
            assert len(timeline.rows) < timeline.count  # the other events are hidden
            # Under way, a delegation is handed to the table as a recorded input, once confirmed.
            await pilot.press("p")
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmScreen" and "AT" not in s.ex.players
            await pilot.press("y")
            await pilot.pause()
            assert "AT" in s.ex.players and s.ex.steps > 0
            assert s.ex.events[-1].data == {
                "control": "players", "state": "AT", "played": True, "step": s.ex.steps
            }  # fmt: skip
            assert console(app).picture.states["AT"].played
            await open_and_dismiss(pilot, app, "question_mark", "HelpScreen", "escape")

    run(scenario())


def test_every_binding_has_id_and_description():
    from tui.keymap import binding_ids, binding_owners

    for owner in binding_owners():
        for binding in owner.BINDINGS:
            assert binding.id and binding.description, binding
    assert "timeline.follow" in binding_ids()  # a keymap file may remap the timeline's keys


def test_quit_unrecorded_asks():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("full_stop")
            await open_and_dismiss(pilot, app, "q", "ConfirmScreen", "n")

    run(scenario())


async def press_at_once(pilot, *keys: str) -> None:
    """Keys as ``pilot.press`` sends them, each handled before the next, without its two
    waits for an idle CPU per key (a key costs the work it causes, not 40 ms of sleep).

    The app forwards a key to the focused widget's queue, which may post a message to its
    parents' queues, and so on: rounds of "every queue has processed what it held" until every
    queue is empty.
    """
    from textual import events

    app = pilot.app

    def busy() -> bool:
        pumps = [app, *app.screen.walk_children(with_self=True)]
        return any(not pump._message_queue.empty() for pump in pumps)

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)
        for _ in range(20):
            await pilot._wait_for_screen()
            if not busy():
                break


#: What a person might press inside any dialog: move, type, delete, submit, submit again.
MASH_IN_DIALOG = ("tab", "4", "a", "backspace", "enter", "ctrl+s", "enter")
#: The console's panels, reached with tab: every key that moves in one of them.
MASH_IN_PANEL = ("down", "pagedown", "end", "up", "home", "right", "enter")
#: Keys that open a dialog from the console, and the dialog they open.
OPENERS = {
    "g": "PromptScreen", "i": "InjectScreen", "m": "EntryForm", "question_mark": "HelpScreen",
}  # fmt: skip


def test_monkey_keys():
    """Every state of the console a key can reach, with the keys that could break it there.

    Instead of 2,000 random keys: each panel with every key that moves in it, each dialog
    opened and mashed, the console's own keys (including the replay's, refused in a live
    run), and the decision dialog of two played delegations reached and mashed in turn.
    """

    async def scenario():
        app = make_play_app("grid-wiper", players=["DE", "LT"], record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            s = screen.session
            for _ in range(3):  # board, MSEL list, timeline
                await press_at_once(pilot, "tab", *MASH_IN_PANEL)
                assert app.screen is screen
            await press_at_once(pilot, "full_stop", "plus", "minus", "e", "x", "r", "escape")
            await press_at_once(pilot, "left_square_bracket", "right_square_bracket", "b")
            await press_at_once(pilot, "left_curly_bracket", "right_curly_bracket", "d")
            assert app.screen is screen
            for key, kind in OPENERS.items():
                await press_at_once(pilot, key)
                assert type(app.screen).__name__ == kind, key
                await press_at_once(pilot, *MASH_IN_DIALOG, "escape", "escape")
                assert app.screen is screen, key
            await press_at_once(pilot, "f", "a", "backspace", "escape", "f", *"psc", "enter")
            assert "filter: psc" in screen.query_one(Timeline).border_title
            await press_at_once(pilot, "f", *["backspace"] * 3, "enter")  # all events again
            assert "filter" not in screen.query_one(Timeline).border_title
            # Both played delegations' dialogs, mashed, until the exercise has ended.
            asked = set()
            for _ in range(40):
                if s.ex.finished:
                    break
                if isinstance(app.screen, DecisionScreen):
                    asked.add(app.screen.request.state)
                    await press_at_once(pilot, "pagedown", "pageup", "escape", "d")
                    await press_at_once(pilot, *MASH_IN_DIALOG)
                    if isinstance(app.screen, DecisionScreen):
                        await press_at_once(pilot, "escape", "d", "2", "ctrl+s")
                    continue
                await press_at_once(pilot, "n")
                await wait_for(pilot, lambda: s.mode == "paused" or s.ex.pending)
                await pilot.pause()
            answered = {
                e.data["inject"]["params"]["state"] for e in s.events
                if e.kind == "input" and e.data.get("inject", {}).get("type") == "position"
            }  # fmt: skip
            assert asked and {"DE", "LT"} <= answered and s.ex.finished
            assert isinstance(app.screen, ConsoleScreen)  # the console survived

    run(scenario())


def test_core_does_not_import_textual():
    code = "import sim, sim.exercise; import sys; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_replay_picture_matches_live(tmp_path):
    from sim import recording as recording_mod
    from sim.recording import reader

    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with recording_mod.Recorder(path, ex):
        ex.run("4d")
        live = ex.picture.copy()
        ex.run()
        while ex.pending:
            ex.answer(ex.pending[0].state, "support")
            ex.run()
    recording = reader.open(path)
    T = 96.0

    async def scenario():
        app = make_replay_app(recording, at=T)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            shown = console(app).picture
            assert shown.states == live.states
            assert shown.stages == live.stages
            cursor = console(app).session.cursor
            await pilot.press("left_square_bracket")
            assert console(app).session.cursor == cursor - 1
            await pilot.press("right_square_bracket")
            assert console(app).session.cursor == cursor
            assert console(app).picture.states == live.states
            assert recording.picture_at(T).states == live.states
            # branch here into a new live run (recorded under tmp_path)
            app.record_default = True
            app.default_record_path = lambda scenario_id: tmp_path / "branch.jsonl"
            await pilot.press("b")
            await pilot.pause()
            branch = console(app)
            assert branch.live and branch.session.ex.now <= T
            assert branch.session.recorded
            assert branch.session.record_path == tmp_path / "branch.jsonl"  # said in the header
            branch.session.close()

    run(scenario())


def test_a_keymap_file_remaps_a_binding_by_id(tmp_path, monkeypatch):
    from tui.cli import UserError
    from tui.keymap import binding_ids, load_keymap

    assert {"clock.toggle", "clock.step", "inject.new", "note.add", "app.help"} <= set(
        binding_ids()
    )
    keymap_file = tmp_path / "keymap.yaml"
    keymap_file.write_text("clock.step: s\n")
    monkeypatch.setenv("CDTX_KEYMAP", str(keymap_file))
    keymap = load_keymap()
    assert keymap == {"clock.step": "s"}

    async def scenario():
        app = make_play_app("grid-wiper", record=False, keymap=keymap)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            before = len(console(app).session.events)
            await pilot.press("s")
            await pilot.pause()
            assert len(console(app).session.events) > before

    run(scenario())
    keymap_file.write_text("clock.stepp: s\n")
    with pytest.raises(UserError, match="did you mean 'clock.step'"):
        load_keymap()
    keymap_file.write_text("- not a mapping\n")
    with pytest.raises(UserError, match="maps binding ids"):
        load_keymap()


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_the_edit_form_changes_nothing_it_is_not_told_to(scenario_id):
    # Every MSEL entry opened in the edit form and applied untouched is the same entry again:
    # mixed severities, objectives, HSEEP columns and params the form has no field for survive.
    scenario = scenarios.load(scenario_id)
    for entry in scenario.msel:
        session = LiveSession(Exercise(scenario, players=[]))
        data = entry.model_dump(mode="json", by_alias=True)
        fields = fields_for(entry.type, tuple(a.id for a in scenario.threat_actors), ())
        inject = build_inject(entry.type, initial_values(fields, form_values(data)))
        record = session.edit(entry.id, inject)
        edited = record.data["inject"]
        assert edited.pop("id") == f"{entry.id}-edited"
        assert edited.pop("at") == entry.at
        expected = entry.model_dump(mode="json", by_alias=True, exclude={"id", "at"})
        assert edited == expected, entry.id


def test_an_msel_entry_is_edited_before_it_fires():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = console(app)
            s = screen.session
            upcoming = screen.query_one("#upcoming")
            upcoming.highlighted = next(
                i for i in range(upcoming.option_count)
                if upcoming.get_option_at_index(i).id == "M-02"
            )  # fmt: skip
            await pilot.press("r")
            form = app.screen
            assert isinstance(form, InjectScreen) and form.kind == "media"
            values = form.values()
            assert values["params.pressure"] == "0.4"  # the entry's own value, prefilled
            pressure = form.query_one(f"#f{form._generation}-1")
            pressure.value = "0.9"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert not isinstance(app.screen, InjectScreen)
            inputs = [e for e in s.events if e.kind == "input"]
            assert inputs[-2].data["inject"]["id"] == "M-02-edited"
            assert inputs[-2].data["inject"]["params"] == {"pressure": 0.9}
            assert inputs[-1].data == {"control": "skip", "msel": "M-02", "step": s.ex.steps,
                                       "replaced_by": "M-02-edited", "how": "edited"}  # fmt: skip
            s.ex.run("1d")
            media = [e for e in s.events if e.kind == "pressure"]
            assert [e.data["pressure"] for e in media] == [0.9]

    run(scenario())


# -- the exploratory test's findings ---------------------------------------------------------


def screen_text(app: CdtxApp) -> str:
    """The characters on screen, line by line (what a person at the console sees)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def collect_notifications(app: CdtxApp) -> list[str]:
    """Every toast the app shows from now on."""
    shown: list[str] = []
    notify = app.notify

    def record(message, *args, **kwargs):
        shown.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = record
    return shown


async def run_to_decision(pilot, app: CdtxApp, rounds: int = 60) -> DecisionScreen:
    """Press ``n`` until a played delegation's decision dialog opens."""
    for _ in range(rounds):
        if isinstance(app.screen, DecisionScreen):
            break
        await pilot.press("n")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, DecisionScreen) or console(app).session.mode == "paused",
        )
    assert isinstance(app.screen, DecisionScreen)
    await pilot.pause()
    return app.screen


def test_second_played_delegation_sees_the_first_answer():
    async def scenario():
        app = make_play_app("satcom-war", record=False)  # DE and PL are played
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            first = await run_to_decision(pilot, app)
            assert first.request.state == "DE"
            assert "PL to answer" in screen_text(app)
            await pilot.press("4", "ctrl+s")  # DE opposes
            assert await wait_for(
                pilot, lambda: isinstance(app.screen, DecisionScreen) and app.screen is not first
            )
            await pilot.pause()
            assert app.screen.request.state == "PL"
            text = screen_text(app)
            assert "DE oppose (given)" in text, text
            assert "PL to answer" not in text

    run(scenario())


def test_80x24_keeps_the_essentials_and_160x48_the_full_board():
    async def scenario():
        app = make_play_app("satcom-war", record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("full_stop", "full_stop")
            await pilot.pause()
            text = screen_text(app)
            assert "NOT recorded" in text.splitlines()[0]  # the header keeps the recording state
            board = console(app).query_one("#board")
            # Every column readable: none cut to a character at the board's right edge.
            labels = [str(column.label) for column in board.columns.values()]
            assert labels == ["MS", "Pl", "Hit", "Detect", "Shared", "Conf", "Pos"]
            header = text.splitlines()[2]
            assert "Conf" in header and "Pos" in header
            assert board.content_region.height >= 12  # header + 11 states at least
            dialog = await run_to_decision(pilot, app)
            screen_region = app.screen.region
            for selector in ("#statement", ".hint", "#stance"):
                region = dialog.query_one(selector).region
                assert region.height and screen_region.contains_region(region), selector
            assert "statement (optional)" in screen_text(app)
            assert "escape later" in screen_text(app)
            # The briefing scrolls when it does not fit (page down reaches its end).
            await pilot.press("escape")
            await pilot.resize_terminal(160, 48)
            await pilot.pause()
            labels = [str(column.label) for column in board.columns.values()]
            assert "Name" in labels and "Position" in labels
            assert board.content_region.height >= 28  # header + 27 states

    run(scenario())


def test_the_highlighted_timeline_line_is_shown_in_full():
    long_note = "The Presidency asks every delegation " + "to report in full " * 8 + "- END"

    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("full_stop")
            console(app).session.note(long_note)
            console(app).sync()
            await pilot.pause()
            detail = console(app).query_one("#timeline-detail")
            shown = " ".join(str(detail.render()).split())
            assert long_note in shown  # the timeline line itself is cut at 80 columns
            assert "- END" not in str(console(app).query_one(Timeline).render_line(0).text)
            # The cursor moves up: the detail shows that line; end follows the newest again.
            timeline = console(app).query_one(Timeline)
            timeline.focus()
            await pilot.press("up")
            await pilot.pause()
            assert timeline.cursor == len(timeline.rows) - 2 and not timeline.follow
            previous = timeline.text_of(timeline.rows[-2])
            assert previous in " ".join(str(detail.render()).split())
            await pilot.press("end")
            await pilot.pause()
            assert timeline.cursor is None and timeline.follow
            assert long_note in " ".join(str(detail.render()).split())

    run(scenario())


def test_first_tab_lands_on_a_field_not_a_container():
    async def scenario():
        app = make_play_app("grid-wiper", players=["DE"], record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            form = await _open_inject(pilot, app, "note")
            form.query_one("#inject-type").focus()
            await pilot.press("tab", *"abc")
            await pilot.pause()
            assert form.values()["to"] == "abc"  # every inject type asks to whom first
            await pilot.press("escape")
            for _ in range(len(SPEEDS)):
                await pilot.press("plus")
            await pilot.press("space")
            assert await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen), 2000)
            await pilot.press("tab", *"abc")
            await pilot.pause()
            assert app.screen.query_one("#statement").value == "abc"

    run(scenario())


def test_go_to_and_step_while_waiting_refuse_at_once_and_n_follows_the_newest_again():
    async def scenario():
        app = make_play_app("satcom-war", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = console(app)
            await run_to_decision(pilot, app)
            await pilot.press("escape")  # decide later
            await pilot.pause()
            shown = collect_notifications(app)
            for key in ("g", "full_stop"):
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen, f"{key} opened something while DE owes an answer"
            assert shown == ["DE must answer first (d)"] * 2
            # A highlighted line is left behind when the clock is moved on.
            timeline = screen.query_one(Timeline)
            timeline.action_cursor(-3)
            assert not timeline.follow
            await pilot.press("d", "1", "ctrl+s")
            await pilot.pause()
            if isinstance(app.screen, DecisionScreen):  # PL's turn
                await pilot.press("1", "ctrl+s")
                await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
            assert timeline.follow and timeline.cursor is None

    run(scenario())


def test_the_header_lays_itself_out_again_after_a_resize_while_paused():
    async def scenario():
        app = make_play_app("satcom-war", record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            header = console(app).query_one(StatusHeader)
            title = "Dark Sky: attack on satellite communications at the start of a war"
            assert title not in str(header.render())  # shortened at 80 columns
            await pilot.resize_terminal(160, 48)
            assert await wait_for(pilot, lambda: title in str(header.render()))
            assert console(app).session.mode == "paused"  # nothing else moved it

    run(scenario())


def test_space_while_waiting_for_a_delegation_changes_nothing():
    async def scenario():
        app = make_play_app("satcom-war", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            await run_to_decision(pilot, app)
            await pilot.press("escape")  # decide later
            await pilot.pause()
            s.set_mode("paused")  # as after a stop at the meeting itself
            shown = collect_notifications(app)
            await pilot.press("space")
            await pilot.pause()
            assert s.mode == "paused"
            assert "DE must answer first (d)" in shown
            await pilot.press("d", "1", "ctrl+s")
            await pilot.pause()
            assert s.mode == "paused"  # the clock does not start on its own after the answer
            # Nor when the clock was running into the decision: space changes nothing then.
            assert await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen))
            await pilot.press("escape")
            await pilot.pause()
            s.set_mode("run")
            shown.clear()
            await pilot.press("space")
            await pilot.pause()
            assert s.mode == "run" and shown == ["PL must answer first (d)"]

    run(scenario())


def _record_run(path, players=("DE",)):
    from sim import recording as recording_mod
    from sim.recording import reader

    ex = Exercise("grid-wiper", players=list(players), interactive=True)
    with recording_mod.Recorder(path, ex):
        ex.run()
        while ex.pending:
            ex.answer(ex.pending[0].state, "support")
            ex.run()
    return reader.open(path)


def test_replay_scrubbed_to_nothing_shows_no_stale_lines(tmp_path):
    recording = _record_run(tmp_path / "run.jsonl")

    async def scenario():
        app = make_replay_app(recording)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            timeline = console(app).query_one(Timeline)
            for _ in range(200):
                if s.cursor == 0:
                    break
                await pilot.press("left_curly_bracket")
            await pilot.pause()
            assert s.cursor == 0
            assert timeline.virtual_size.height == 0
            assert "Exercise" not in screen_text(app)
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert "Exercise" in screen_text(app)
            await pilot.press("left_square_bracket")
            await pilot.pause()
            assert timeline.virtual_size.height == 0
            assert "Exercise" not in screen_text(app)

    run(scenario())


def _at_end(timeline: Timeline) -> bool:
    return timeline.max_scroll_y > 0 and timeline.scroll_y == timeline.max_scroll_y


def test_timeline_keeps_following_the_newest_event(tmp_path):
    async def live():
        app = make_play_app("satcom-war", players=[], record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            s = console(app).session
            timeline = console(app).query_one(Timeline)
            for _ in range(4):
                await pilot.press("n")
                await wait_for(pilot, lambda: s.mode == "paused")
                # The scroll follows at the next frame: wait for it (bounded), do not guess.
                assert await wait_for(pilot, lambda: _at_end(timeline)), (
                    timeline.scroll_y, timeline.max_scroll_y)  # fmt: skip
            await pilot.resize_terminal(160, 48)
            assert await wait_for(pilot, lambda: _at_end(timeline)), (
                timeline.scroll_y, timeline.max_scroll_y)  # fmt: skip
            assert timeline.text_of(len(s.events) - 1)[:40] in screen_text(app)

    run(live())
    recording = _record_run(tmp_path / "run.jsonl")

    async def replay():
        app = make_replay_app(recording)
        async with app.run_test(size=SIZE) as pilot:
            timeline = console(app).query_one(Timeline)
            assert await wait_for(pilot, lambda: _at_end(timeline)), (
                timeline.scroll_y, timeline.max_scroll_y)  # fmt: skip
            lines = screen_text(app).splitlines()
            last = timeline.text_of(len(recording.events) - 1)[:40]
            assert any(last in line for line in lines[-6:-2]), lines[-6:]

    run(replay())


def test_inject_errors_in_plain_words():
    from tui.screens.inject import plain_error

    assert plain_error("params.states", "List should have at least 1 item after validation, "
                       "not 0") == "give at least one state code, e.g. EE, LT"  # fmt: skip
    message = plain_error("params.severity.foo", "Extra inputs are not permitted")
    assert message.startswith("unknown criterion 'foo' (one of ") and "impact" in message
    assert (
        plain_error("params.severity.impact", "Input should be less than or equal to 4")
        == "impact: at most 4"
    )
    assert plain_error("params.targets.0.state", "unknown member state code '' (expected one of "
                       "AT, BE)") == "target 1: a member state code is missing (e.g. DE)"  # fmt: skip

    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("full_stop")
            form = await _open_inject(pilot, app, "escalate")
            _set(form, "params.severity", "foo=1")
            await pilot.press("ctrl+s")
            await pilot.pause()
            general = form.query_one("#inject-error")
            index = [f.key for f in form.fields].index("params.severity")
            message = str(form.query_one(f"#e{form._generation}-{index}").render())
            assert message.startswith("unknown criterion 'foo' (one of "), message
            assert str(general.render()) == "Check the field: Severity change"
            # A long message wraps inside the dialog instead of running off its edge.
            form.query_one("#inject-type").value = "attribute"
            await pilot.pause()
            _set(form, "at", "zz")
            await pilot.press("ctrl+s")
            await pilot.pause()
            index = [f.key for f in form.fields].index("at")
            label = form.query_one(f"#e{form._generation}-{index}")
            assert "(T+5d 03:00)" in " ".join(str(label.render()).split())
            assert label.size.height >= 2
            assert label.size.width <= form.query_one("#dialog").content_region.width
            assert str(general.render()) == "Check the field: At (empty: now; or T+ like 3d, 36h)"
            assert form.query_one("#dialog").region.contains_region(general.region)

    run(scenario())


def test_ctrl_q_asks_like_q_when_the_run_is_not_recorded():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("full_stop")
            await pilot.press("ctrl+c", "ctrl+q")
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmScreen"
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)

    run(scenario())


def test_replay_says_it_is_read_only_and_filter_shows_in_title(tmp_path):
    recording = _record_run(tmp_path / "run.jsonl")

    async def scenario():
        app = make_replay_app(recording)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            shown = collect_notifications(app)
            for key in ("e", "i", "m", "d", "space"):
                shown.clear()
                await pilot.press(key)
                await pilot.pause()
                assert shown == ["replay is read-only: b branches a live run"], key
                assert isinstance(app.screen, ConsoleScreen)
            assert "read-only" in str(console(app).query_one("#msel-title").render())
            await pilot.press("f", *"psc", "enter")
            await pilot.pause()
            assert "filter: psc" in console(app).query_one(Timeline).border_title

    run(scenario())


def test_keys_in_help_are_written_as_people_read_them():
    async def scenario():
        app = make_play_app("grid-wiper", record=False, keymap={"note.add": "ctrl+n,m"})
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("f1")
            await pilot.pause()
            keys = {ident: key for key, _, ident in app.screen.rows}
            assert keys["clock.faster"] == "+ / ="
            assert keys["clock.step"] == "."
            assert keys["app.help"] == "? / F1"
            assert keys["note.add"] == "ctrl+n / m"  # the keymap's keys, not the defaults
            assert keys["timeline.follow"] == "end"  # the timeline's own keys are listed too

    run(scenario())


def test_small_feedback_toasts_and_ids(tmp_path):
    path = tmp_path / "live.jsonl"

    async def scenario():
        app = make_play_app("grid-wiper", record=path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            s = console(app).session
            assert f"will record to {path}" in screen_text(app)  # before the clock starts
            shown = collect_notifications(app)
            while s.speed_index < len(SPEEDS) - 1:
                await pilot.press("plus")
            await pilot.press("plus")
            assert shown[-1] == "Already at the fastest speed (max)"
            while s.speed_index > 0:
                await pilot.press("minus")
            await pilot.press("minus")
            assert shown[-1] == "Already at the slowest speed (x1)"
            form = await _open_inject(pilot, app, "meeting")
            _set(form, "at", "2d")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert shown[-1] == "meeting inject scheduled for T+2d 00:00"
            assert f"recording to {path}" in screen_text(app)
            offered = []
            for _ in range(2):  # the second incident is offered the next free id
                form = await _open_inject(pilot, app, "incident")
                offered.append(form.values()["params.id"])
                actor = form.query_one(f"#f{form._generation}-2", Select)  # after "to"
                assert actor.value == "iron-lantern" and "IRON LANTERN" in str(actor._options)
                _set(form, "params.targets", "EE:energy")
                await pilot.press("ctrl+s")
                await pilot.pause()
                assert isinstance(app.screen, ConsoleScreen), screen_text(app)
            incidents = [
                e.data["inject"]["params"]["id"]
                for e in s.events
                if e.kind == "input" and e.data.get("inject", {}).get("type") == "incident"
            ]
            assert offered == incidents == ["INC-F1", "INC-F2"]
            exits = []
            app.exit = lambda *args, **kwargs: exits.append(kwargs.get("message"))
            await pilot.press("q")
            await pilot.pause()
            assert exits == [f"Recording saved to {path}\n"]

    run(scenario())


def test_keys_typed_right_after_f_land_in_the_filter_box():
    """Issue 14: a fast typist's keys right after ``f`` are the filter, not console keys (no
    pause between them: all queued before the first is handled)."""
    from textual import events

    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = console(app)
            s = screen.session
            players = s.players
            # "psc council" and enter, all posted at once: p (hand a delegation to the table),
            # space (play), n (next stop), i (new inject), l (release) must not reach the console.
            for key in ("f", *"psc", "space", *"council", "enter"):
                char = " " if key == "space" else key if len(key) == 1 else None
                event = events.Key(key, char)
                event.set_sender(app)
                app._driver.send_message(event)
            await wait_for(pilot, lambda: "filter" in screen.query_one(Timeline).border_title)
            await pilot.pause()
            assert "filter: psc council" in screen.query_one(Timeline).border_title
            assert s.mode == "paused" and len(s.events) == 1  # neither space nor n ran the clock
            assert isinstance(app.screen, ConsoleScreen) and s.players == players  # no i, no p
            assert screen.focused is screen.query_one(Timeline)  # enter closed the box

    run(scenario())
