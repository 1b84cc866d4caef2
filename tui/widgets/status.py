"""Header line, procedure tracker and upcoming MSEL list."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sim.clock import format_offset
from sim.narrative import inject_summary
from sim.picture import STAGES

STATUS_MARKS = {
    "pending": ("·", "dim"),
    "active": ("▶", "bold yellow"),
    "done": ("✓", "bold green"),
    "blocked": ("✗", "bold red"),
}
STATE_STYLES = {
    "running": "bold green",
    "paused": "bold yellow",
    "waiting for a delegation": "bold magenta reverse",
    "ended": "bold red",
    "replay": "bold cyan",
}


class StatusHeader(Static):
    """Scenario title and facts about the run; the state, T+ time, speed and Brussels time.

    Parts come in priority order, so a narrow terminal cuts the least important ones: the
    facts (recording first) win over the title, the state over the calendar time.
    """

    def show(
        self, title: str, calendar, t: float, speed: str, state: str, facts: list[str] = ()
    ) -> None:
        width = max(self.content_region.width, 20) if self.size.width else 200
        top = Text(no_wrap=True, overflow="ellipsis")
        extra = Text(" · ".join(facts), "dim")
        room = width - min(extra.cell_len, max(width - 14, 0))
        if extra.cell_len > width - 14:  # the facts keep their head, the title shrinks to 12
            extra.truncate(max(width - 14, 0), overflow="ellipsis")
        name = Text(title, "bold")
        name.truncate(max(room - 2, 1), overflow="ellipsis")
        top.append_text(name)
        if facts:
            top.append(" " * max(width - name.cell_len - extra.cell_len, 2))
            top.append_text(extra)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {state} ", STATE_STYLES.get(state, "bold"))
        line.append(f"  {format_offset(t)}  ")
        line.append(f"speed {speed}  ", "cyan")
        line.append(f"{calendar.format(t)} Brussels", "bold")
        text = Text("\n").join([top, line])
        text.no_wrap, text.overflow = True, "ellipsis"
        self.update(text)


def milestone_time(stage) -> float | None:
    """The time a tracker row shows: when its milestone was reached, else since when the stage
    has been under way (the latest change goes with the row's detail)."""
    return stage.reached if stage.reached is not None else stage.since


class ProcedureTracker(Static):
    """Incident -> Detection -> Shared awareness -> HWPCI -> PSC -> Council -> Effect.

    Each row: when the milestone was reached (the first detection, the endorsement, the
    adoption), then what the stage says now and, if later, when that changed.
    Focusable, so that ``z`` can give it the whole screen on a small terminal.
    """

    can_focus = True

    def show(self, picture, calendar) -> None:
        table = Table.grid(padding=(0, 1))
        table.add_column(width=1)
        table.add_column(no_wrap=True, min_width=10, max_width=16, overflow="ellipsis")
        table.add_column(no_wrap=True, style="dim", min_width=10)
        table.add_column(no_wrap=True, overflow="ellipsis")
        for name in STAGES:
            stage = picture.stages[name]
            mark, style = STATUS_MARKS.get(stage.status, ("?", ""))
            shown = milestone_time(stage)
            when = format_offset(shown) if shown is not None else ""
            detail = Text(stage.detail)
            if stage.t is not None and shown is not None and stage.t > shown:
                detail.append(f" ({format_offset(stage.t)})", "dim")
            table.add_row(Text(mark, style), Text(name, style), when, detail)
        self.update(table)


class UpcomingList(OptionList):
    """The MSEL entries still to come, with their expected actions."""

    _ids: list[str] | None = None  # the ids shown, to skip rebuilding an unchanged list

    def show(self, entries: list) -> None:
        ids = [e.id for e in entries]
        if ids == self._ids:
            return
        # Keep the highlight on the same entry, not the same row: entries fire, and scheduled
        # injects sort in above it; e/x/r act on the highlighted one at once.
        selected = self.selected_id
        old_row = self.highlighted
        self._ids = ids
        self.clear_options()
        for entry in entries:
            text = Text()
            text.append(f"{format_offset(entry.at)} ", "dim")
            text.append(f"{entry.id} ", "bold")
            text.append(f"{entry.type}", "magenta")
            text.append(f" to {', '.join(entry.to)}" if entry.to else " to all", "dim")
            # An inject entered at the console often has no message: say what it does instead.
            what = entry.message or inject_summary(entry.model_dump(mode="json", by_alias=True))
            if what:
                text.append(f"  {what}")
            if entry.expected_action:
                text.append(f"\n  expected: {entry.expected_action}", "italic dim")
            self.add_option(Option(text, id=entry.id))
        if selected in ids:
            self.highlighted = ids.index(selected)
        elif entries:  # the highlighted entry has gone: the one that took its row, if any
            self.highlighted = min(old_row or 0, len(entries) - 1)

    @property
    def selected_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id
