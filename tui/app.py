"""The facilitator console (``cdtx play``) and the replay console (``cdtx replay``).

The simulation core knows nothing of this module: the console drives a ``sim.Exercise`` from a
worker thread (see ``screens/session.py``) and reads the situation picture as a fold over events.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.keys import format_key

from scenarios.safe_read import printable

from .cli.common import default_record_path
from .screens.console import ConsoleScreen
from .screens.dialogs import ConfirmScreen, HelpScreen
from .screens.session import LiveSession, ReplaySession


def key_label(keys: str) -> str:
    """Keys as people read them: 'plus,equals_sign' -> '+ / =', 'question_mark,f1' -> '? / F1'."""
    labels = []
    for key in keys.split(","):
        *modifiers, name = key.strip().split("+")
        name = format_key(name)
        if len(name) > 1 and name[0] == "f" and name[1:].isdigit():
            name = name.upper()
        labels.append("+".join([*modifiers, name]))
    return " / ".join(labels)


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

    def notify(self, message: str, *, title: str = "", **kwargs):  # noqa: ANN201 - Textual's
        """Every toast through :func:`printable`: messages quote seats, files and errors."""
        return super().notify(printable(str(message)), title=printable(title), **kwargs)

    def on_mount(self) -> None:
        self.push_screen(ConsoleScreen(self.first_session))

    @property
    def console_screen(self) -> ConsoleScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ConsoleScreen):
                return screen
        return None

    # -- keys everywhere -------------------------------------------------------------------

    def bindings_map(self, node):
        """``node``'s bindings with the user's keymap applied (Textual applies it to copies)."""
        bindings = node._bindings.copy()
        if self._keymap:
            bindings.apply_keymap(self._keymap)
        return bindings

    def _bindings_of(self, screen) -> list[tuple[object, Binding, str]]:
        """(owner, binding, keys) of ``screen`` and the app, keys as the keymap made them."""
        rows = []
        # Widgets of ours with keys of their own (the timeline's up/down/end) are listed too;
        # Textual's widgets' built-in keys have no id and stay out of the way.
        widgets = [
            w
            for w in screen.query("*")
            if any(isinstance(b, Binding) and b.id for b in type(w).BINDINGS)
        ]
        for owner in (screen, *widgets, self):
            keys: dict[str, list[str]] = {}
            for key, bindings in self.bindings_map(owner).key_to_bindings.items():
                for bound in bindings:
                    keys.setdefault(bound.id or bound.action, []).append(key)
            for binding in type(owner).BINDINGS:
                if not isinstance(binding, Binding) or (owner in widgets and not binding.id):
                    continue
                if owner.check_action(binding.action, ()) is False:
                    continue
                shown = ",".join(keys.get(binding.id or binding.action, [])) or binding.key
                rows.append((owner, binding, key_label(shown)))
        return rows

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.console_screen or self.screen
        rows = [(keys, b.description, b.id or "") for _, b, keys in self._bindings_of(screen)]
        rows.append(("escape", "Close a dialog or the filter", "app.escape"))
        self.push_screen(HelpScreen(rows))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)  # its Quit is action_quit: it asks
        console = self.console_screen
        if console is None:
            return
        for owner, binding, keys in self._bindings_of(console):
            if binding.action in ("command_palette",):
                continue
            yield SystemCommand(
                binding.description,
                f"key {keys} · {binding.id}",
                partial(self._run_later, owner, binding.action),
            )

    def _run_later(self, owner, action: str) -> None:
        self.call_later(self.run_action, action, owner)

    def action_request_quit(self) -> None:
        if isinstance(self.screen, ConfirmScreen):  # already asking
            return
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

    async def action_quit(self) -> None:
        # Textual's ctrl+q (and its palette command) would quit without asking: same as q.
        self.action_request_quit()

    def _quit(self) -> None:
        saved = []
        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen) and screen.live:
                screen.workers.cancel_all()
                path = screen.session.record_path if screen.session.recorded else None
                screen.session.close()
                if path is not None:
                    saved.append(str(path))
        # Printed on the terminal once the console has closed.
        message = "".join(f"Recording saved to {path}\n" for path in saved) or None
        self.exit(message=message)


def players_note(scenario_players, players) -> str:
    """What the console says when ``--players`` replaced the scenario's played delegations
    (empty when it did not)."""
    if sorted(players) == sorted(scenario_players):
        return ""
    ours = ", ".join(players) or "none (the model plays every delegation)"
    theirs = ", ".join(scenario_players) or "none"
    return f"--players replaces the scenario's played delegations ({theirs}) with: {ours}"


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
    session.players_note = players_note(ex.scenario.players, ex.players)
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
    """Open the console read-only over ``recording`` (from ``sim.recording.open``) at sim time ``at``."""
    from .keymap import load_keymap

    make_replay_app(recording, at, keymap=load_keymap()).run()
    return 0
