"""Small modal screens: help, a one-line prompt, a yes/no confirmation."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from scenarios.safe_read import printable


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below and of the application."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, bindings: list[tuple[str, str, str]]):
        super().__init__()
        self.rows = bindings

    def compose(self) -> ComposeResult:
        table = Table("Key", "Action", "Id", expand=True, box=None, header_style="bold")
        for key, description, ident in self.rows:
            table.add_row(key, description, ident)
        with Vertical(id="dialog"):
            yield Label("Keys (ctrl+p: command palette)", classes="title")
            with VerticalScroll():
                yield Static(table)
            yield Label("escape closes", classes="hint")


class SeatsScreen(ModalScreen[None]):
    """The join command of every seat of ``cdtx host`` (printed when it started; the console
    covers the terminal, so they are shown again here), selectable to copy."""

    BINDINGS = [Binding("escape,q,J", "dismiss", "Close", id="seats.close")]

    def __init__(self, lines: list[str]):
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Seats: one command each (give each person their own line)", classes="title")
            with VerticalScroll():
                yield Static("\n".join(printable(line) for line in self.lines), markup=False,
                             id="seat-lines")  # fmt: skip
            yield Label("escape closes", classes="hint")


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; ``check`` returns an error message or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        placeholder: str = "",
        check: Callable[[str], str | None] | None = None,
        value: str = "",
    ):
        super().__init__()
        self.title_text, self.placeholder, self.check, self.value = title, placeholder, check, value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small"):
            yield Label(self.title_text, classes="title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("", id="prompt-error", classes="error")
            yield Label("enter: ok · escape: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.check(event.value) if self.check else None
        if error:
            self.query_one("#prompt-error", Label).update(error)
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small"):
            yield Label(self.question, classes="title")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
