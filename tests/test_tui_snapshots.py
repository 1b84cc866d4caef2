"""SVG snapshots of the console at fixed sizes and seed (pytest-textual-snapshot)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")

from tui.app import make_play_app  # noqa: E402


async def _advance(pilot) -> None:
    await pilot.pause()
    for _ in range(12):
        await pilot.press("full_stop")
    await pilot.pause()


def test_console_120x40(snap_compare):
    app = make_play_app("grid-wiper", seed=1, players=["DE"], record=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_advance)


def test_console_80x24(snap_compare):
    app = make_play_app("grid-wiper", seed=1, players=["DE"], record=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_advance)


def test_inject_form_80x24(snap_compare):
    app = make_play_app("grid-wiper", seed=1, record=False)
    assert snap_compare(app, terminal_size=(80, 24), press=["i"])


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
