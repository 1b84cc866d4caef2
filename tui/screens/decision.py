"""The decision of a delegation played by people: the clock waits for it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from sim.narrative import body, measure

from ..widgets.board import POSITION_STYLES

STANCES = ("support", "abstain", "constructive_abstention", "oppose")


class DecisionScreen(ModalScreen[tuple[str, str] | None]):
    """Shows the proposal, the evidence and the other positions; returns (position, statement)."""

    BINDINGS = [
        Binding("1", "choose(0)", "Support", id="decision.support", show=False),
        Binding("2", "choose(1)", "Abstain", id="decision.abstain", show=False),
        Binding(
            "3", "choose(2)", "Constructive abstention", id="decision.constructive", show=False
        ),
        Binding("4", "choose(3)", "Oppose", id="decision.oppose", show=False),
        Binding("ctrl+s", "submit", "Submit the position", id="decision.submit"),
        Binding("escape", "later", "Decide later (clock stays stopped)", id="decision.later"),
    ]

    def __init__(self, request, picture):
        super().__init__()
        self.request, self.picture = request, picture

    def compose(self) -> ComposeResult:
        r, p = self.request, self.picture
        row = p.states[r.state]
        info = Text()
        info.append(f"{row.name} ({r.state})", "bold magenta")
        info.append(f" must take a position at the {body(r.body)} on {r.proposal}:\n")
        info.append(f"{measure(r.measure)}\n\n", "bold")
        if p.assessment:
            info.append(
                f"INTCEN assessment: {p.assessment['actor']}, confidence "
                f"{p.assessment['confidence']:.0%}"
                f"{' (endorsed)' if p.assessment.get('shared') else ''}\n"
            )
        else:
            info.append("No INTCEN assessment yet\n")
        info.append(f"Own services' attribution confidence: {row.confidence:.0%}\n\n")
        stated = {code: other.position for code, other in p.states.items() if other.position}
        for request in p.requests:
            if request["state"] == r.state and request["proposal"] == r.proposal:
                stated = {**request.get("others", {}), **stated}
                if request.get("advice"):
                    label, style = POSITION_STYLES[request["advice"]]
                    info.append("The model would advise: ")
                    info.append(f"{label}\n\n", style)
        positions = Text("Other delegations: ")
        counted = 0
        for code in sorted(stated):
            if code != r.state:
                label, style = POSITION_STYLES[stated[code]]
                positions.append(f"{code} ", "bold")
                positions.append(f"{label}  ", style)
                counted += 1
        if not counted:
            positions.append("none stated yet", "dim")
        with Vertical(id="dialog"):
            yield Label("Decision needed from a played delegation", classes="title")
            with VerticalScroll():
                yield Static(info)
                yield Static(positions)
            with RadioSet(id="stance"):
                for i, stance in enumerate(STANCES):
                    yield RadioButton(f"{i + 1} {stance.replace('_', ' ')}", value=i == 0)
            yield Input(placeholder="statement (optional)", id="statement")
            yield Label("1-4 choose · enter/ctrl+s submit · escape later", classes="hint")

    def action_choose(self, index: int) -> None:
        buttons = list(self.query(RadioButton))
        buttons[index].value = True

    def _stance(self) -> str:
        radio = self.query_one(RadioSet)
        index = radio.pressed_index if radio.pressed_index >= 0 else 0
        return STANCES[index]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self.dismiss((self._stance(), self.query_one("#statement", Input).value))

    def action_later(self) -> None:
        self.dismiss(None)
