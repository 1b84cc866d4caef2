"""Header line, procedure tracker and upcoming MSEL list."""

from __future__ import annotations

from functools import partial

from rich.style import Style
from rich.text import Text
from textual.reactive import var
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from scenarios.model import expected_text
from scenarios.safe_read import printable
from sim.clock import format_offset
from sim.narrative import inject_summary
from sim.picture import LEVELS, STAGES

#: A stage's mark; its colour is the component class ``tracker--<status>`` (cdtx.tcss).
STATUS_MARKS = {"pending": "·", "active": "▶", "done": "✓", "blocked": "✗"}
#: The run's states and their component classes in the header (cdtx.tcss colours them).
STATE_CLASSES = {
    "running": "header--running",
    "paused": "header--paused",
    "waiting for a delegation": "header--waiting",
    "ended": "header--ended",
    "replay": "header--replay",
}


class StatusHeader(Static):
    """Scenario title and facts about the run; the state, T+ time, speed and Brussels time.

    Parts come in priority order, so a narrow terminal cuts the least important ones: the
    facts (recording first) win over the title, the state over the calendar time. ``line``
    holds what to say; the header lays it out again whenever it or the width changes.
    """

    COMPONENT_CLASSES = {*STATE_CLASSES.values(), "header--title", "header--facts",
                         "header--speed", "header--calendar"}  # fmt: skip
    #: (title, sim time, speed, state, facts)
    line: var[tuple | None] = var(None)  # var: update() repaints, nothing else needs to

    def __init__(self, calendar, **kwargs):
        super().__init__(**kwargs)
        self.calendar = calendar

    def watch_line(self) -> None:
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        if self.line is None:
            return
        title, t, speed, state, facts = self.line
        width = max(self.content_region.width, 20) if self.size.width else 200
        top = Text(no_wrap=True, overflow="ellipsis")
        css = partial(self.get_component_rich_style, partial=True)
        extra = Text(" · ".join(facts), css("header--facts"))
        room = width - min(extra.cell_len, max(width - 14, 0))
        if extra.cell_len > width - 14:  # the facts keep their head, the title shrinks to 12
            extra.truncate(max(width - 14, 0), overflow="ellipsis")
        name = Text(printable(title).replace("\n", " "), css("header--title"))
        name.truncate(max(room - 2, 1), overflow="ellipsis")
        top.append_text(name)
        if facts:
            top.append(" " * max(width - name.cell_len - extra.cell_len, 2))
            top.append_text(extra)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {state} ", css(STATE_CLASSES.get(state, "header--title")))
        line.append(f"  {format_offset(t)}  ")
        line.append(f"speed {speed}  ", css("header--speed"))
        line.append(f"{self.calendar.format(t)} Brussels", css("header--calendar"))
        text = Text("\n").join([top, line])
        text.no_wrap, text.overflow = True, "ellipsis"
        self.update(text, layout=False)  # two lines, always: no layout of the screen


def milestone_time(stage) -> float | None:
    """The time a tracker row shows: when its milestone was reached, else since when the stage
    has been under way (the latest change goes with the row's detail)."""
    return stage.reached if stage.reached is not None else stage.since


class ProcedureTracker(Static):
    """Incident -> Detection -> Shared awareness -> HWPCI -> PSC -> Council -> Effect, and for a
    large-scale incident the crisis track's Technical, Operational and Political levels under them.

    Each row: the status mark, the stage, when the milestone was reached (the first detection,
    the endorsement, the adoption), then what the stage says now and, if later, when that
    changed. The columns are laid out for the width at hand, so on a narrow side panel (80x24)
    the mark and the time stay whole and only the stage's name and the detail are cut.
    Focusable, so that ``z`` can give it the whole screen on a small terminal.
    """

    can_focus = True
    COMPONENT_CLASSES = {f"tracker--{status}" for status in STATUS_MARKS}
    NAME_WIDTH = 16  # "Shared awareness"
    NARROW_NAME_WIDTH = 10  # "Shared aw…": the detail keeps some room on a 34-column panel

    _picture = None  # the picture shown, to lay out again at a new width
    _rows = len(STAGES)  # rows the height (cdtx.tcss: 7) was set for

    def show(self, picture) -> None:
        self._picture = picture
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        picture = self._picture
        if picture is None:
            return
        width = self.content_region.width or 80
        rows = []
        # A large-scale incident adds the crisis track's levels under the procedure's stages.
        named = [(name, picture.stages[name]) for name in STAGES]
        named += [(name, picture.levels[name]) for name in LEVELS if name in picture.levels]
        for name, stage in named:
            shown = milestone_time(stage)
            rows.append((stage, name, shown, format_offset(shown) if shown is not None else ""))
        name_width = self.NAME_WIDTH if width >= 48 else self.NARROW_NAME_WIDTH
        when_width = max(len(when) for *_, when in rows)
        lines = []
        for stage, name, shown, when in rows:
            style = self.get_component_rich_style(
                f"tracker--{stage.status}", partial=True, default=Style()
            )
            line = Text(no_wrap=True, overflow="ellipsis", end="")
            line.append(STATUS_MARKS.get(stage.status, "?"), style)
            label = Text(name, style)
            label.truncate(name_width, overflow="ellipsis", pad=True)
            line.append(" ")
            line.append_text(label)
            line.append(f" {when:<{when_width}} ", "dim")
            line.append(stage.detail)
            if stage.t is not None and shown is not None and stage.t > shown:
                line.append(f" ({format_offset(stage.t)})", "dim")
            line.truncate(width, overflow="ellipsis")
            lines.append(line)
        text = Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
        if len(lines) > len(STAGES) and self._rows != len(lines):
            self._rows = len(lines)
            self.styles.height = len(lines)  # the crisis track's rows: laid out once
        self.update(text, layout=False)  # seven rows, a fixed height: no layout of the screen


class UpcomingList(OptionList):
    """The MSEL entries still to come, with their expected actions. The console calls
    :meth:`show` only when their ids change (``ConsoleScreen.upcoming_ids``)."""

    #: How many of the entries still to come the list lays out: the next ones. Laying out a
    #: whole 5,000-entry MSEL each time an entry fired made the console's keys take seconds
    #: (issue 23's benchmark, bench/tui.py --msel); the later ones move up as these fire.
    WINDOW = 15

    def show(self, entries: list, total: int | None = None) -> None:
        """Lay out the next of ``entries`` (of ``total`` still to come: default, all of them)."""
        shown = entries[: self.WINDOW]
        total = len(entries) if total is None else total
        ids = [e.id for e in shown]
        # Keep the highlight on the same entry, not the same row: entries fire, and scheduled
        # injects sort in above it; e/x/r act on the highlighted one at once.
        selected = self.selected_id
        old_row = self.highlighted
        options = []
        for entry in shown:
            text = Text()
            text.append(f"{format_offset(entry.at)} ", "dim")
            text.append(f"{printable(entry.id)} ", "bold")
            text.append(f"{entry.type}", "magenta")
            text.append(f" to {', '.join(entry.to)}" if entry.to else " to all", "dim")
            # An inject entered at the console often has no message: say what it does instead.
            what = entry.message or inject_summary(entry.model_dump(mode="json", by_alias=True))
            if what:
                text.append(f"  {printable(what)}")
            if entry.expected_action:
                text.append(f"\n  expected: {printable(expected_text(entry.expected_action))}", "italic dim")
            options.append(Option(text, id=entry.id))
        if total > len(shown):
            options.append(Option(Text(f"... and {total - len(shown)} more to come",
                                       "dim italic"), disabled=True))  # fmt: skip
        self.clear_options()
        self.add_options(options)  # one layout for all (add_option lays out the list each time)
        if selected in ids:
            self.highlighted = ids.index(selected)
        elif shown:  # the highlighted entry has gone: the one that took its row, if any
            self.highlighted = min(old_row or 0, len(shown) - 1)

    @property
    def selected_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id
