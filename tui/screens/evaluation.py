"""The evaluator's screen (HSEEP Exercise Evaluation Guides): per objective the automatic rating
as a suggestion, the evaluator's P/S/M/U and the observations; the hot wash after the exercise.
The facilitator's notes (the console's ``m``) are entries of the same log and use the same form.

Every entry is recorded as an input (``sim/evaluation.py``): the recording stays the single source
of truth, a replay shows the same entries, and the after-action report quotes them.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from scenarios.safe_read import printable
from sim import evaluation
from sim.clock import format_offset
from sim.metrics import Metrics

READ_ONLY = "replay is read-only: b branches a live run"
#: Looks (every 0.25 s) between redraws for the automatic ratings while the clock runs.
REFOLD_TICKS = 8


def automatic_ratings(scenario, events) -> dict[str, str]:
    """The automatic P/S/M/U per objective from the events so far (``sim.metrics``)."""
    metrics = Metrics(scenario)
    metrics.catch_up(list(events))
    return metrics.result()["objectives"]


def entry_line(entry: evaluation.Entry) -> Text:
    """One entry in the list: when, what, tags, the text's first line."""
    line = Text()
    line.append(f"{format_offset(entry.t)} ", "dim")
    if entry.entry == "hotwash":
        label = "strength" if entry.about == "strength" else "improve"
        line.append(f"hot wash {label} ", "bold")
        line.append(f"{entry.who or entry.state or '-'} ", "bold")
    else:
        line.append("facilitator note " if entry.entry == "note" else f"{entry.entry} ", "bold")
        if entry.entry == "rating" and entry.rating:
            line.append(f"{entry.rating} ", "bold")
        tags = " ".join(x for x in (entry.objective, entry.state) if x)
        if tags:
            line.append(f"[{tags}] ", "bold")
    first, *more = entry.text.splitlines() or [""]
    line.append(printable(first) + (" …" if more else ""))
    if entry.edited:
        line.append(" (edited)", "dim")
    return line


def _short(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis (a Select's line must fit 80x24)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def saver(session) -> Callable[[dict], str | None]:
    """``save(entry)`` for an ``EntryForm``: records the entry in ``session`` and returns the
    error to show (the field and what is wrong with it), or None."""

    def save(entry: dict) -> str | None:
        try:
            session.evaluate(entry)
        except ValueError as exc:  # InjectError
            return getattr(exc, "message", str(exc))
        return None

    return save


def edit_values(entry: evaluation.Entry) -> dict:
    """An entry's form values for editing it (the edit ``replaces`` its latest version)."""
    values = {
        k: getattr(entry, k)
        for k in ("text", "objective", "state", "rating", "about", "who")
        if getattr(entry, k)
    }
    values["replaces"] = entry.seq
    return values


class EntryForm(ModalScreen[dict | None]):
    """One evaluation entry: an observation, a rating, a hot wash entry or a facilitator's note
    (new or an edit).

    ``save(entry)`` records it and returns an error to show, or None; ctrl+s saves (enter is a
    new line in the text: observations may run over several lines).
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save the entry", id="evaluation.save"),
        Binding("escape", "cancel", "Cancel", id="evaluation.cancel"),
    ]

    def __init__(
        self,
        kind: str,
        objectives: list[tuple[str, str]],
        save: Callable[[dict], str | None],
        values: dict | None = None,
        suggestion: str = "",
    ):
        super().__init__()
        self.kind, self.objectives, self.save = kind, objectives, save
        self.values = dict(values or {})
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        v = self.values
        titles = {
            "note": "Facilitator note",
            "observation": "Observation",
            "rating": f"Rating of {v.get('objective', '')}",
            "hotwash": "Hot wash: a strength or an area for improvement",
        }
        edit = " (edit: the recording keeps the first version too)" if "replaces" in v else ""
        with Vertical(id="dialog", classes="evaluation"):
            yield Label(titles[self.kind] + edit, classes="title")
            if self.kind in ("observation", "note"):
                yield Label("Objective", classes="field-label")
                yield Select(
                    [(_short(f"{oid} {text}", 60), oid) for oid, text in self.objectives],
                    value=v.get("objective") or Select.NULL,
                    prompt="(none)",
                    id="objective",
                )
                yield Label("Delegation (e.g. DE; empty: none)", classes="field-label")
                yield Input(value=v.get("state", ""), placeholder="(none)", id="state")
            elif self.kind == "rating":
                hint = f"automatic rating (a suggestion): {self.suggestion}"
                yield Label(hint, classes="hint", id="suggestion")
                yield Select(
                    [(f"{r}  {evaluation.RATING_WORDS[r]}", r) for r in evaluation.RATINGS],
                    value=v.get("rating") or Select.NULL,
                    prompt="the evaluator's rating",
                    id="rating",
                )
            else:
                yield Label("Participant (a delegation or a role)", classes="field-label")
                yield Input(value=v.get("who", ""), placeholder="DE, Presidency, EEAS", id="who")
                yield Select(
                    [("strength", "strength"), ("area for improvement", "improvement")],
                    value=v.get("about") or Select.NULL,
                    prompt="strength or area for improvement",
                    id="about",
                )
            label = "Why (optional)" if self.kind == "rating" else "Text (several lines)"
            yield Label(label, classes="field-label")
            yield TextArea(v.get("text", ""), id="text", soft_wrap=True)
            yield Label("", id="entry-error", classes="error")
            yield Label("ctrl+s save · escape cancel · enter: new line", classes="hint")

    def on_mount(self) -> None:
        if self.kind == "note":  # a facilitator writes first and tags after, if at all
            self.query_one("#text", TextArea).focus()

    def entry(self) -> dict:
        """The form's entry, as ``sim.evaluation.record`` takes it."""
        out: dict = {"entry": self.kind, "text": self.query_one("#text", TextArea).text}
        for name in ("objective", "rating", "about"):
            for select in self.query(f"#{name}").results(Select):
                if select.value is not Select.NULL:
                    out[name] = select.value
        for name in ("state", "who"):
            for box in self.query(f"#{name}").results(Input):
                out[name] = box.value.strip()
        if self.kind == "rating":
            out["objective"] = self.values["objective"]
        if "replaces" in self.values:
            out["replaces"] = self.values["replaces"]
        return out

    def action_save(self) -> None:
        entry = self.entry()
        error = self.save(entry)
        if error:
            self.query_one("#entry-error", Label).update(error)
            return
        self.dismiss(entry)

    def action_cancel(self) -> None:
        self.dismiss(None)


class EvaluationScreen(Screen):
    """Objectives with the automatic and the evaluator's ratings; the entries under them."""

    BINDINGS = [
        Binding("o", "observe", "New observation", id="evaluation.observe"),
        Binding("r", "rate", "Rate the highlighted objective", id="evaluation.rate"),
        Binding("h", "hotwash", "Hot wash entry", id="evaluation.hotwash"),
        Binding("enter", "edit", "Edit the highlighted entry", id="evaluation.edit"),
        Binding("escape,v", "close", "Back to the console", id="evaluation.close"),
    ]
    WRITES = {"observe", "rate", "hotwash", "edit"}

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.live = not session.readonly
        self.scenario = session.scenario
        self._shown_count = 0  # events the screen was last drawn from
        self._stale_ticks = 0  # looks since then that found events but no new entry

    def compose(self) -> ComposeResult:
        where = "" if self.live else " (read-only replay)"
        yield Label(f"Evaluation: objectives and ratings{where}", classes="section")
        yield DataTable(id="objectives", cursor_type="row", zebra_stripes=True)
        yield Label("Observations and hot wash (enter edits)", classes="section")
        yield OptionList(id="entries")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#objectives", DataTable)
        for key, label in (("id", "Objective"), ("auto", "Automatic"), ("rated", "Evaluator"),
                           ("seen", "Obs."), ("text", "Text")):  # fmt: skip
            table.add_column(label, key=key)
        self.show()
        table.focus()
        if self.live:
            # Entries also come from the seats of cdtx host (an evaluator's observation, a
            # delegation's message): follow the log while the screen is open (issue 23).
            self.set_interval(0.25, self._follow)

    def _follow(self) -> None:
        # A new entry is shown at once; other events (the automatic ratings "so far") at most
        # every REFOLD_TICKS looks: the clock may be running, and refolding a long run four
        # times a second would slow the console.
        events = self.session.events
        if len(events) == self._shown_count:
            return
        self._stale_ticks += 1
        if self._stale_ticks >= REFOLD_TICKS or any(
            evaluation.is_entry(e) for e in events[self._shown_count :]
        ):
            self.show()

    def _events(self) -> list:
        s = self.session
        return list(s.events if self.live else s.events[: s.cursor])

    def show(self) -> None:
        """Draw the objectives and the entries from the events (after every change)."""
        events = self._events()
        self._shown_count, self._stale_ticks = len(events), 0
        entries = evaluation.current(events)
        self.entries = entries
        automatic = automatic_ratings(self.scenario, events)
        ended = any(e.kind == "ended" for e in events)
        self.automatic = automatic
        rated = evaluation.ratings(entries)
        table = self.query_one("#objectives", DataTable)
        row = table.cursor_row
        table.clear()
        for objective in self.scenario.objectives:
            auto = automatic.get(objective.id, "")
            seen = sum(1 for e in entries if e.entry == "observation" and
                       e.objective == objective.id)  # fmt: skip
            mine = rated.get(objective.id)
            table.add_row(
                objective.id,
                auto if ended else f"{auto} so far",
                Text(mine.rating, "bold") if mine else Text("-", "dim"),
                str(seen),
                printable(objective.text),
                key=objective.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        listing = self.query_one("#entries", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        for entry in entries:
            # A rating shows in the table; one with its reasons (as an evaluator seat of
            # cdtx host enters every observation: objective, rating, text) is listed too.
            if entry.entry != "rating" or entry.text:
                listing.add_option(Option(entry_line(entry), id=str(entry.first_seq)))
        if listing.option_count:
            listing.highlighted = min(highlighted or 0, listing.option_count - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITES and not self.live:
            return None  # shown disabled; the key says why (on_key)
        return True

    def on_key(self, event) -> None:
        if self.live:
            return
        for binding in self.app.bindings_map(self).key_to_bindings.get(event.key, ()):
            if binding.action in self.WRITES:
                event.stop()
                self.notify(READ_ONLY)
                return

    # -- entries -----------------------------------------------------------------------------

    def _open(self, kind: str, values: dict | None = None, suggestion: str = "") -> None:
        objectives = [(o.id, o.text) for o in self.scenario.objectives]

        def done(entry: dict | None) -> None:
            if entry:
                self.notify(f"{kind} recorded")
                self.show()

        form = EntryForm(kind, objectives, saver(self.session), values, suggestion)
        self.app.push_screen(form, done)

    def _highlighted_objective(self) -> str | None:
        table = self.query_one("#objectives", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_observe(self) -> None:
        values = {}
        if self.focused is self.query_one("#objectives"):
            values["objective"] = self._highlighted_objective() or ""
        self._open("observation", values)

    def action_rate(self) -> None:
        objective = self._highlighted_objective()
        if objective is None:
            self.notify("This scenario has no objectives to rate")
            return
        mine = evaluation.ratings(self.entries).get(objective)
        values = {"objective": objective}
        if mine is not None:
            values.update(rating=mine.rating, text=mine.text, replaces=mine.seq)
        self._open("rating", values, suggestion=self.automatic.get(objective, "-"))

    def action_hotwash(self) -> None:
        self._open("hotwash")

    def action_edit(self) -> None:
        if self.focused is self.query_one("#objectives"):
            self.action_rate()
            return
        listing = self.query_one("#entries", OptionList)
        if listing.highlighted is None or not listing.option_count:
            self.notify("Highlight an observation or a hot wash entry to edit it")
            return
        first = int(listing.get_option_at_index(listing.highlighted).id)
        entry = next(e for e in self.entries if e.first_seq == first)
        self._open(entry.entry, edit_values(entry))

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        self.action_edit()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        self.action_rate()

    def action_close(self) -> None:
        self.dismiss()
