"""The decision of a delegation played by people: the clock waits for it."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from scenarios.safe_read import printable
from scenarios.vocabulary import STANCES
from sim.narrative import actor_names, body, measure

from ..widgets.board import POSITION_CLASSES, POSITION_LABELS, position_style


def answers_given(events, measure_id: str, players) -> dict[str, tuple[str, str, bool]]:
    """Positions already fixed on ``measure_id``: code -> (position, statement, at the table).

    The ``decision_request`` events name only the model's delegations in ``others``: what an
    earlier played delegation answered (even a veto) is in the ``position_fixed`` events. A
    decision on the measure closes the round: a redraft or a later vote asks everyone again.
    """
    given: dict[str, tuple[str, str, bool]] = {}
    for event in events:
        if event.kind == "decision" and event.data.get("measure") == measure_id:
            given.clear()
        elif event.kind == "position_fixed" and event.data.get("measure") == measure_id:
            d = event.data
            given[d["state"]] = (d["position"], d.get("statement") or "", d["state"] in players)
    return given


#: The dialog's hint while no position is chosen (none is, until a person chooses one).
NOTHING_CHOSEN = "None chosen: 1-4 choose · tab statement · enter/ctrl+s submit · escape later"


class StanceSet(RadioSet, inherit_bindings=False):
    """The four positions. Space chooses the highlighted one; enter is the dialog's submit,
    so pressing enter twice cannot choose a position and submit it in one go."""

    BINDINGS = [
        Binding("down,right", "next_button", "Next position", id="stance.next", show=False),
        Binding(
            "space",
            "toggle_button",
            "Choose the highlighted position",
            id="stance.choose",
            show=False,
        ),
        Binding(
            "up,left", "previous_button", "Previous position", id="stance.previous", show=False
        ),
        Binding("enter", "screen.submit", "Submit the position", id="stance.submit", show=False),
    ]


class DecisionScreen(ModalScreen[tuple[str, str] | None]):
    """Shows the proposal, the evidence and the other positions; returns (position, statement).

    The briefing scrolls; the stance, the statement and the key hint stay on screen at any size.
    """

    BINDINGS = [
        Binding("1", "choose(0)", "Support", id="decision.support", show=False),
        Binding("2", "choose(1)", "Abstain", id="decision.abstain", show=False),
        Binding(
            "3", "choose(2)", "Constructive abstention", id="decision.constructive", show=False
        ),
        Binding("4", "choose(3)", "Oppose", id="decision.oppose", show=False),
        Binding("ctrl+s", "submit", "Submit the position", id="decision.submit"),
        Binding("escape", "later", "Decide later (clock stays stopped)", id="decision.later"),
        Binding(
            "pageup",
            "scroll_briefing(-1)",
            "Scroll the briefing up",
            id="decision.scroll_up",
            show=False,
        ),
        Binding(
            "pagedown",
            "scroll_briefing(1)",
            "Scroll the briefing down",
            id="decision.scroll_down",
            show=False,
        ),
    ]
    AUTO_FOCUS = "#stance"

    #: The request was answered elsewhere (at the delegation's seat): close when on top.
    stale = False

    def answered_elsewhere(self) -> None:
        """The request was answered at the delegation's seat: close now if this dialog is on
        top, else as soon as it is (never popping a screen above it)."""
        self.stale = True
        if self.app.screen is self:  # not is_current: a modal above shows this one beneath it
            self._dismissed = True
            self.dismiss(None)

    _dismissed = False

    def on_screen_resume(self) -> None:
        if self.stale and not self._dismissed:
            self._dismissed = True
            self.dismiss(None)
    COMPONENT_CLASSES = POSITION_CLASSES  # the positions' colours, from cdtx.tcss

    def __init__(self, request, picture, given=None, waiting=()):
        super().__init__()
        self.request, self.picture = request, picture
        self.given: dict[str, tuple[str, str, bool]] = dict(given or {})
        self.waiting = tuple(c for c in waiting if c != request.state and c not in self.given)

    def briefing(self) -> Group:
        r, p = self.request, self.picture
        row = p.states[r.state]
        info = Text()
        info.append(f"{row.name} ({r.state})", "bold magenta")
        info.append(f" must take a position at the {body(r.body)} on {r.proposal}:\n")
        info.append(f"{measure(r.measure)}\n\n", "bold")
        if p.assessment:
            actor = actor_names(p.scenario).get(p.assessment["actor"], p.assessment["actor"])
            actor = printable(actor)  # the scenario file names its actors
            info.append(
                f"INTCEN assessment: {actor}, confidence "
                f"{p.assessment['confidence']:.0%}"
                f"{' (endorsed)' if p.assessment.get('shared') else ''}\n"
            )
        else:
            info.append("No INTCEN assessment yet\n")
        info.append(f"Own services' attribution confidence: {row.confidence:.0%}\n")
        stated = {code: other.position for code, other in p.states.items() if other.position}
        for request in p.requests:
            if request["state"] == r.state and request["proposal"] == r.proposal:
                stated = {**request.get("others", {}), **stated}
                if request.get("advice"):
                    advice = request["advice"]
                    info.append("The model would advise: ")
                    info.append(f"{POSITION_LABELS[advice]}\n", position_style(self, advice))
        info.append("\n")
        # First what people said at the table (or an inject fixed), then who still has to.
        table = Text()
        for code in sorted(self.given):
            if code == r.state:
                continue
            position, statement, at_table = self.given[code]
            table.append(f"{code} ", "bold")
            table.append(POSITION_LABELS[position], position_style(self, position))
            table.append(" (given)" if at_table else " (fixed by an inject)", "dim")
            if statement:
                table.append(f' "{statement}"', "italic")
            table.append(" · ")
        for code in self.waiting:
            table.append(f"{code} ", "bold")
            table.append("to answer", "magenta")
            table.append(" · ")
        if table:
            table.right_crop(3)
            info.append("At the table: ", "bold")
            info.append_text(table)
            info.append("\n")
        # The model's delegations, grouped by position: 27 codes fit in a few lines.
        groups: dict[str, list[str]] = {}
        for code in sorted(stated):
            if code != r.state and code not in self.given and code not in self.waiting:
                groups.setdefault(stated[code], []).append(code)
        info.append("Other delegations (the model's):", "bold")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, width=13)
        grid.add_column()
        if not groups:
            grid.add_row(Text("none stated yet", "dim"), "")
        for stance in STANCES:
            if stance in groups:
                label = Text(POSITION_LABELS[stance], position_style(self, stance))
                grid.add_row(label, " ".join(groups[stance]))
        return Group(info, grid)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="decision"):
            yield Label("Decision needed from a played delegation", classes="title")
            # Not focusable: the first Tab goes to the statement, not to an invisible container
            # (page up / page down scroll it).
            with VerticalScroll(id="briefing", can_focus=False):
                yield Static(id="briefing-text")  # filled once the stylesheet applies
            with StanceSet(id="stance", compact=True):
                for i, stance in enumerate(STANCES):
                    yield RadioButton(
                        f"{i + 1} {stance.replace('_', ' ')}", compact=True
                    )  # none chosen: the answer is the person's, never a default
            yield Input(placeholder="statement (optional)", id="statement")
            yield Label(NOTHING_CHOSEN, classes="hint", id="decision-hint")

    def on_mount(self) -> None:
        # Nothing to fill when answered at its seat before this dialog was drawn, or when the
        # console is closing as it opens (its children are gone: a seat that left at Quit).
        for text in [] if self.stale else self.query("#briefing-text").results(Static):
            text.update(self.briefing())

    def on_resize(self) -> None:
        if self.stale or not self.query("#briefing"):  # answered elsewhere, or closing as it opens
            return
        # The briefing takes what the stance, statement and hint leave: they stay visible.
        dialog = self.query_one("#dialog")
        fixed = sum(
            child.outer_size.height or 1 for child in dialog.children if child.id != "briefing"
        )
        room = self.size.height - fixed - dialog.styles.gutter.height
        self.query_one("#briefing").styles.max_height = max(room, 2)

    def action_scroll_briefing(self, direction: int) -> None:
        briefing = self.query_one("#briefing", VerticalScroll)
        if direction < 0:
            briefing.scroll_page_up(animate=False)
        else:
            briefing.scroll_page_down(animate=False)

    def action_choose(self, index: int) -> None:
        buttons = list(self.query(RadioButton))
        buttons[index].value = True

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        # Said in words, not only by the button's colour: which position will be recorded.
        stance = self._stance()
        if stance is not None:
            hint = self.query_one("#decision-hint", Label)
            hint.update(f"Chosen: {stance.replace('_', ' ')} · enter/ctrl+s submit · escape later")
            hint.remove_class("error")

    def _stance(self) -> str | None:
        """The position chosen, or None while nobody has chosen one."""
        radio = self.query_one(RadioSet)
        return STANCES[radio.pressed_index] if radio.pressed_index >= 0 else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        stance = self._stance()
        if stance is None:  # submitting without a choice records nothing, and says why
            hint = self.query_one("#decision-hint", Label)
            hint.update("Choose a position first: 1 support · 2 abstain · 3 constr. · 4 oppose")
            hint.add_class("error")
            return
        self.dismiss((stance, self.query_one("#statement", Input).value))

    def action_later(self) -> None:
        self.dismiss(None)
