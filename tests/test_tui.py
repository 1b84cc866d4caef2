"""The facilitator console, driven headless through Textual's Pilot."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys

import pytest

pytest.importorskip("textual")

import scenarios  # noqa: E402
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
            # As the timeline shows times (T+dd:hh:mm), then as a duration.
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
    await pilot.pause()
    assert form.kind == kind
    return form


def _set(form: InjectScreen, key: str, value: str) -> None:
    index = [f.key for f in form.fields].index(key)
    form.query_one(f"#f{form._generation}-{index}").value = value


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
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is form
            index = [f.key for f in form.fields].index("params.pressure")
            message = str(form.query_one(f"#e{form._generation}-{index}").render())
            assert message
            assert "less than or equal to 1" in message, message
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

    run(scenario())


def test_played_delegation_blocks_the_declaration():
    async def scenario():
        app = make_play_app("grid-wiper", players=["DE"], record=False)
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
            assert console(app).picture.stages["PSC"].status == "blocked"

    run(scenario())


def test_note_recorded():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("m")
            await pilot.press(*"Chair asks for calm", "enter")
            await pilot.pause()
            s = console(app).session
            notes = [e for e in s.events if e.kind == "input" and e.data.get("control") == "note"]
            assert notes and notes[0].data["text"] == "Chair asks for calm"
            assert console(app).picture.notes[-1]["text"] == "Chair asks for calm"

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
            # Under way, a delegation is handed to the table as a recorded input.
            await pilot.press("p")
            await pilot.pause()
            assert "AT" in s.ex.players and s.ex.steps > 0
            assert s.ex.events[-1].data == {
                "control": "players", "state": "AT", "played": True, "step": s.ex.steps
            }  # fmt: skip
            assert console(app).picture.states["AT"].played
            await open_and_dismiss(pilot, app, "question_mark", "HelpScreen", "escape")

    run(scenario())


def test_every_binding_has_id_and_description():
    for owner in (ConsoleScreen, CdtxApp, DecisionScreen, InjectScreen):
        for binding in owner.BINDINGS:
            assert binding.id and binding.description, binding


def test_quit_unrecorded_asks():
    async def scenario():
        app = make_play_app("grid-wiper", record=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("full_stop")
            await open_and_dismiss(pilot, app, "q", "ConfirmScreen", "n")

    run(scenario())


def test_monkey_keys():
    keys = [
        "space", "full_stop", "n", "plus", "minus", "g", "i", "e", "x", "p", "d", "m", "f",
        "left_square_bracket", "right_square_bracket", "b", "question_mark", "escape", "enter",
        "tab", "up", "down", "pageup", "pagedown", "home", "end", "1", "2", "3", "4", "a", "3",
        "backspace", "ctrl+s", "left", "right",
    ]  # fmt: skip
    rng = random.Random(7)

    async def scenario():
        app = make_play_app("grid-wiper", players=["DE", "LT"], record=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            # 2,000 keys in batches: the screen settles between batches, not after every key.
            for _ in range(100):
                await pilot.press(*(rng.choice(keys) for _ in range(20)))
            await pilot.pause()
            assert console(app).session.events

    run(scenario())


def test_core_does_not_import_textual():
    code = "import sim, sim.exercise; import sys; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_replay_picture_matches_live(tmp_path):
    from sim import recording as recording_mod
    from sim import replay

    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with recording_mod.Recorder(path, ex):
        ex.run("4d")
        live = ex.picture.copy()
        ex.run()
        while ex.pending:
            ex.answer(ex.pending[0].state, "support")
            ex.run()
    recording = replay.open(path)
    T = 96.0

    async def scenario():
        app = make_replay_app(recording, at=T)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            shown = console(app).picture
            assert shown.states == live.states
            assert shown.stages == live.stages
            await pilot.press("left_square_bracket", "right_square_bracket")
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
            assert inputs[-1].data == {"control": "skip", "msel": "M-02", "step": s.ex.steps}
            s.ex.run("1d")
            media = [e for e in s.events if e.kind == "pressure"]
            assert [e.data["pressure"] for e in media] == [0.9]

    run(scenario())
