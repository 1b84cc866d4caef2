"""SVG snapshots of the console at fixed sizes and seed (pytest-textual-snapshot)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")

from tui.app import make_play_app  # noqa: E402


async def _shown(pilot) -> None:
    """Let the console draw what its session holds (bounded): under load one pause may come
    before the change message of the last step has been shown."""
    screen = pilot.app.console_screen
    for _ in range(400):
        session = screen.session
        if screen.version == session.version and screen.shown[1] == len(session.events):
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def _advance(pilot) -> None:
    await pilot.pause()
    for _ in range(12):
        await pilot.press("full_stop")
    await _shown(pilot)


def test_console_120x40(snap_compare):
    app = make_play_app("grid-wiper", seed=1, players=["DE"], record=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_advance)


def test_console_80x24(snap_compare):
    app = make_play_app("grid-wiper", seed=1, players=["DE"], record=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_advance)


def test_inject_form_80x24(snap_compare):
    app = make_play_app("grid-wiper", seed=1, record=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open_inject_form)


async def _open_inject_form(pilot) -> None:
    """``i``, then wait (bounded) until the form's fields are mounted with their values."""
    from textual.widgets import Select

    from tui.screens.inject import InjectScreen

    await pilot.press("i")
    for _ in range(400):
        form = pilot.app.screen
        if isinstance(form, InjectScreen) and form.fields:
            ids = {f"f{form._generation}-{i}" for i in range(len(form.fields))}
            widgets = [w for w in form.query("#inject-fields > *") if w.id in ids]
            if len(widgets) == len(ids) and all(
                w.is_mounted and not (isinstance(w, Select) and w.value is Select.BLANK)
                for w in widgets
            ):
                break
        await pilot.pause(0.02)
    await pilot.pause()


async def _to_second_decision(pilot) -> None:
    """satcom-war (DE and PL played): DE opposes; PL's dialog shows DE's answer."""
    from tui.screens.decision import DecisionScreen

    app = pilot.app
    await pilot.pause()
    for _ in range(60):
        if isinstance(app.screen, DecisionScreen):
            break
        await pilot.press("n")
        for _ in range(400):
            if (
                isinstance(app.screen, DecisionScreen)
                or app.console_screen.session.mode == "paused"
            ):
                break
            await pilot.pause(0.02)
    await pilot.press("4", "ctrl+s")
    for _ in range(400):
        if isinstance(app.screen, DecisionScreen) and app.screen.request.state == "PL":
            break
        await pilot.pause(0.02)
    await pilot.pause()


def test_decision_dialog_80x24(snap_compare):
    # At 80x24 the briefing scrolls; the stance, the statement and the key hint stay visible.
    app = make_play_app("satcom-war", record=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_to_second_decision)
