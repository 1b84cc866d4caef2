"""The console's expectations screen (``E``): per played delegation, what each MSEL entry
expected of it, when it was delivered and acknowledged, what it did, and the mark; ``y`` / ``n``
mark the highlighted expectation met or not met (with a text), as a facilitator seat's ``mark``
does (sim/expectations.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from scenarios.safe_read import printable
from sim import expectations
from sim.clock import format_offset

from .dialogs import PromptScreen


def _when(t: float | None) -> str:
    return "-" if t is None else format_offset(t)


class ExpectationsScreen(Screen[None]):
    """Expectations per delegation, followed while open (seats acknowledge and act)."""

    BINDINGS = [
        Binding("y", "mark(True)", "Mark met", id="expectations.met"),
        Binding("n", "mark(False)", "Mark not met", id="expectations.not_met"),
        Binding("escape,E", "close", "Back to the console", id="expectations.close"),
    ]

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.live = not session.readonly
        self._shown = -1
        self.rows: list[expectations.Expectation] = []

    def compose(self) -> ComposeResult:
        where = "" if self.live else " (read-only replay)"
        yield Label(f"Expectations per delegation{where}", classes="section")
        yield DataTable(id="expectations", cursor_type="row", zebra_stripes=True)
        yield Label("", id="expectations-empty", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (("state", "Del."), ("entry", "Entry"), ("expected", "Expected"),
                           ("delivered", "Delivered"), ("ack", "Ack."), ("done", "Done"),
                           ("mark", "Mark")):  # fmt: skip
            table.add_column(label, key=key)
        self.show()
        table.focus()
        if self.live:
            self.set_interval(0.5, self._follow)

    def _events(self) -> list:
        s = self.session
        return list(s.events if self.live else s.events[: s.cursor])

    def _follow(self) -> None:
        if len(self.session.events) != self._shown:
            self.show()

    def show(self) -> None:
        events = self._events()
        self._shown = len(self.session.events)
        folded = expectations.fold(self.session.scenario, events)
        self.rows = [item for items in folded.values() for item in items]
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for x in self.rows:
            done = "; ".join(text for _, text in x.done[-2:]) or "-"
            mark = "-" if x.met is None else ("met" if x.met else "not met")
            if x.mark_text:
                mark += f": {x.mark_text}"
            table.add_row(*(printable(v) for v in (x.state, x.entry, x.expected,
                                                    _when(x.delivered), _when(x.acknowledged),
                                                    done, mark)))  # fmt: skip
        if self.rows:
            table.move_cursor(row=min(row, len(self.rows) - 1))
        empty = "" if self.rows else "No expectations: the MSEL expects nothing of a played delegation."
        self.query_one("#expectations-empty", Label).update(empty)

    def action_mark(self, met: bool) -> None:
        if not self.live or not self.rows:
            self.notify("Nothing to mark" if self.live else "A replay is read-only")
            return
        x = self.rows[self.query_one(DataTable).cursor_row]

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                self.session.mark(x.entry, x.state, met, text)
            except ValueError as exc:  # InjectError
                self.notify(getattr(exc, "message", str(exc)), severity="error")
                return
            self.show()
            self.notify(f"{x.entry} marked {'met' if met else 'not met'} for {x.state}")

        verdict = "met" if met else "not met"
        self.app.push_screen(PromptScreen(f"{x.entry} {verdict} for {x.state}: why (optional)"), done)

    def action_close(self) -> None:
        self.app.pop_screen()
