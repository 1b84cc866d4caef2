"""The facilitator console (``cdtx play``) and the replay console (``cdtx replay``).

The simulation core knows nothing of this module: the console drives a ``sim.Exercise`` from a
worker thread (see ``screens/session.py``) and reads the situation picture as a fold over events.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding

from .screens.console import ConsoleScreen
from .screens.dialogs import ConfirmScreen, HelpScreen
from .screens.session import LiveSession, ReplaySession

RUNS_DIR = Path("cdtx-runs")


def default_record_path(scenario_id: str, directory: Path = RUNS_DIR) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return directory / f"{scenario_id}-{stamp}.jsonl"


class CdtxApp(App):
    """One console; its first screen is a live run or a replay."""

    CSS_PATH = "cdtx.tcss"
    TITLE = "cdtx"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "request_quit", "Quit", id="app.quit"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.commands", show=False),
    ]

    def __init__(self, session, record_default: bool = True, keymap: dict[str, str] | None = None):
        super().__init__()
        self.first_session = session
        self.record_default = record_default
        if keymap:
            self.set_keymap(keymap)  # the user's keys, by binding id (tui/keymap.py)

    default_record_path = staticmethod(default_record_path)

    def on_mount(self) -> None:
        self.push_screen(ConsoleScreen(self.first_session))

    @property
    def console_screen(self) -> ConsoleScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ConsoleScreen):
                return screen
        return None

    # -- keys everywhere -------------------------------------------------------------------

    def _bindings_of(self, screen) -> list[tuple[str, Binding]]:
        rows = []
        for owner in (screen, self):
            for binding in type(owner).BINDINGS:
                if owner.check_action(binding.action, ()) is False:
                    continue
                rows.append((owner, binding))
        return rows

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.console_screen or self.screen
        rows = [
            (b.key.replace("_", " "), b.description, b.id or "")
            for _, b in self._bindings_of(screen)
        ]
        rows.append(("escape", "Close a dialog or the filter", "app.escape"))
        self.push_screen(HelpScreen(rows))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        console = self.console_screen
        if console is None:
            return
        for owner, binding in self._bindings_of(console):
            if binding.action in ("command_palette",):
                continue
            yield SystemCommand(
                binding.description,
                f"key {binding.key.replace('_', ' ')} · {binding.id}",
                partial(self._run_later, owner, binding.action),
            )

    def _run_later(self, owner, action: str) -> None:
        self.call_later(self.run_action, action, owner)

    def action_request_quit(self) -> None:
        unsaved = []
        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen) and screen.live:
                s = screen.session
                if not s.recorded and len(s.events) > 1:
                    unsaved.append(s)
        if not unsaved:
            self._quit()
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._quit()

        self.push_screen(ConfirmScreen("This run is not recorded. Quit and lose it?"), done)

    def _quit(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen) and screen.live:
                screen.workers.cancel_all()
                screen.session.close()
        self.exit()


def make_play_app(
    scenario=None,
    seed: int | None = None,
    players=None,
    record: str | Path | None | bool = True,
    keymap: dict[str, str] | None = None,
) -> CdtxApp:
    """A live console. ``record``: True (default path), a path, or False/None (no recording)."""
    from sim.exercise import Exercise

    ex = scenario if hasattr(scenario, "submit") else None
    if ex is None:
        ex = Exercise(scenario or "grid-wiper", seed, players=players, interactive=True)
    if record is True:
        record = default_record_path(ex.scenario.id)
    session = LiveSession(ex, record=record or None)
    if record is None or record is False:
        session.record_off = True
    return CdtxApp(session, record_default=bool(record), keymap=keymap)


def make_replay_app(recording, at: float | None = None, keymap=None) -> CdtxApp:
    session = ReplaySession(recording)
    if at is None:
        session.move(len(session.events))
    else:
        session.seek_time(at)
    return CdtxApp(session, keymap=keymap)


def run_replay(recording, at: float | None = None) -> int:
    """Open the console read-only over ``recording`` (from ``sim.replay.open``) at sim time ``at``."""
    from .keymap import load_keymap

    make_replay_app(recording, at, keymap=load_keymap()).run()
    return 0
