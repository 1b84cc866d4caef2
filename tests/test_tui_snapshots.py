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
