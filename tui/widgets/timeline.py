"""The event timeline: a Line API view that renders only the visible lines of a long list, and
the detail strip under it that shows the highlighted (or newest) line in full, wrapped."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from scenarios.safe_read import printable
from sim.clock import format_offset
from sim.narrative import STAGE_OF, describe, stage

#: The stages a timeline line can name; each has a component class ``timeline--<stage>`` whose
#: colour the stylesheet (cdtx.tcss) gives.
STAGES_SHOWN = (
    "exercise", "facilitator", "inject", "incident", "detection", "awareness", "initiation",
    "hwpci", "meeting", "psc", "council", "reaction", "crisis", "other",
)  # fmt: skip
KNOWN_FILTERS = set(STAGE_OF) | set(STAGE_OF.values()) | {"other"}
TITLE = "Timeline"


class Timeline(ScrollView, can_focus=True):
    """Narrative lines of events; holds a reference to the event list, renders lazily.

    It follows the newest event until someone moves the cursor (up, page up, home, a click) or
    scrolls away; ``end`` follows again. The highlighted line (the cursor, or the newest line
    while following) is announced with ``Timeline.Selected`` for the detail strip.
    """

    DEFAULT_CSS = """
    Timeline { height: 1fr; overflow-x: hidden; }
    Timeline > .timeline--cursor { background: $accent 40%; }
    """
    # The colours of the time and of each stage live in cdtx.tcss (Toolong's way for a Line
    # API view): a theme or a user stylesheet can change them.
    COMPONENT_CLASSES = {"timeline--cursor", "timeline--time"} | {
        f"timeline--{name}" for name in STAGES_SHOWN
    }
    # Our own line keys: they move the highlighted line, not only the view (with ids, so the
    # keymap file can change them).
    BINDINGS = [
        Binding("up", "cursor(-1)", "Timeline: previous line", id="timeline.up", show=False),
        Binding("down", "cursor(1)", "Timeline: next line", id="timeline.down", show=False),
        Binding("pageup", "page(-1)", "Timeline: page up", id="timeline.page_up", show=False),
        Binding(
            "pagedown", "page(1)", "Timeline: page down", id="timeline.page_down", show=False
        ),  # fmt: skip
        Binding("home", "first", "Timeline: first event", id="timeline.first", show=False),
        Binding(
            "end", "follow", "Timeline: follow the newest event", id="timeline.follow", show=False
        ),  # fmt: skip
    ]

    class Selected(Message):
        """The highlighted line changed: ``event`` (None when the timeline is empty)."""

        def __init__(self, timeline: Timeline, event, text: str):
            super().__init__()
            self.timeline, self.event, self.text = timeline, event, text

    def __init__(self, calendar, actors: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.calendar = calendar
        self.actors = actors or {}
        self.events: list = []
        self.count = 0  # events of ``events`` taken in
        self.rows: list[int] = []  # indices of the shown (filtered) events
        self.tokens: frozenset[str] = frozenset()
        self.follow = True
        self.cursor: int | None = None  # row of the highlighted line; None: the newest
        self._announced: tuple[list, int | None] | None = None
        self._cache: dict[int, str] = {}
        self.border_title = TITLE

    # -- data ------------------------------------------------------------------------------

    def _match(self, event) -> bool:
        return not self.tokens or event.kind in self.tokens or stage(event) in self.tokens

    def take(self, events: list, count: int) -> None:
        """Take in ``events[:count]`` (the list may be longer; other threads append to it)."""
        reset = events is not self.events or count < self.count
        if reset:
            self.events, self.count, self.rows = events, 0, []
            self._cache.clear()
            self.cursor, self.follow = None, True
        # A reset to fewer (even zero) events must still redraw: the old lines are stale.
        if count == self.count and not reset:
            return
        if self.tokens:
            match = self._match
            self.rows.extend(i for i in range(self.count, count) if match(events[i]))
        else:
            self.rows.extend(range(self.count, count))
        self.count = count
        self._resize()
        self._announce()

    def set_filter(self, text: str) -> list[str]:
        """Filter by stage or kind names (comma or space separated); returns unknown names."""
        tokens = [t.strip().lower() for t in text.replace(",", " ").split() if t.strip()]
        unknown = [t for t in tokens if t not in KNOWN_FILTERS]
        self.tokens = frozenset(t for t in tokens if t in KNOWN_FILTERS)
        # Say in the title that lines are hidden: a filtered timeline looks like a quiet one.
        shown = " ".join(t for t in tokens if t in KNOWN_FILTERS)
        self.border_title = f"{TITLE} · filter: {shown} (f to change)" if shown else TITLE
        events, count = self.events, self.count
        self.count, self.rows = 0, []
        self.cursor, self.follow = None, True
        self.take(events, count)
        self._resize()
        self._announce()
        return unknown

    def _resize(self) -> None:
        # As wide as the visible area: lines are cropped, there is nothing to scroll sideways to.
        width = max(self.scrollable_content_region.width, 1)
        self.virtual_size = Size(width, len(self.rows))
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
            # The scrollbar may only appear (and the end move) at the next layout: once more.
            self.call_after_refresh(self._keep_following)
        self.refresh()

    def _keep_following(self) -> None:
        if self.follow and self.scroll_y < self.max_scroll_y:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def on_resize(self) -> None:
        self._resize()

    # -- the highlighted line --------------------------------------------------------------

    @property
    def highlighted(self) -> int | None:
        """Index (into ``events``) of the highlighted line: the cursor's, else the newest."""
        return self.rows[self._current_row()] if self.rows else None

    def _announce(self) -> None:
        index = self.highlighted
        if self._announced is not None:
            events, announced = self._announced
            if events is self.events and announced == index:
                return
        self._announced = (self.events, index)
        if index is None:
            self.post_message(self.Selected(self, None, ""))
        else:
            self.post_message(self.Selected(self, self.events[index], self.text_of(index)))

    def _set_cursor(self, row: int) -> None:
        last = len(self.rows) - 1
        if row >= last:
            self.action_follow()
            return
        self.cursor, self.follow = max(0, row), False
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()
        self._announce()

    def _current_row(self) -> int:
        return self.cursor if self.cursor is not None else len(self.rows) - 1

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self._set_cursor(self._current_row() + delta)

    def action_page(self, delta: int) -> None:
        if self.rows:
            step = max(1, self.scrollable_content_region.height - 1)
            self._set_cursor(self._current_row() + delta * step)

    def action_first(self) -> None:
        if self.rows:
            self._set_cursor(0)

    def action_follow(self) -> None:
        self.cursor, self.follow = None, True
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()
        self._announce()

    def on_click(self, event) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and self.rows:
            self._set_cursor(min(offset.y + int(self.scroll_y), len(self.rows) - 1))

    # -- rendering -------------------------------------------------------------------------

    def text_of(self, index: int) -> str:
        text = self._cache.get(index)
        if text is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            text = describe(self.events[index], self.actors)
            if self.events[index].kind == "decision":
                text += self._statements_at(index)
            # Seats' messages and statements, scenario texts: no terminal escapes, no bidi
            # overrides (one line per event, so line breaks are escaped too).
            text = self._cache[index] = printable(text).replace("\n", "\\n")
        return text

    def _statements_at(self, index: int, reach: int = 5000) -> str:
        """What the delegations said on the decision's measure, quoted at the decision (their
        statements come with their answers, before the vote)."""
        measure_id = self.events[index].data.get("measure")
        said: dict[str, str] = {}
        for event in reversed(self.events[max(0, index - reach) : index]):
            d = event.data
            if event.kind == "decision" and d.get("measure") == measure_id:
                break  # an earlier vote on the same measure: its statements were quoted there
            fixed = event.kind == "position_fixed" and d.get("measure") == measure_id
            if fixed and d.get("statement") and d["state"] not in said:
                said[d["state"]] = d["statement"]
        return "".join(f' · {state}: "{text}"' for state, text in sorted(said.items()))

    def style_of(self, name: str) -> Style:
        """The stylesheet's style for a stage (or ``time``); Textual caches it."""
        component = f"timeline--{name}"
        if component not in self.COMPONENT_CLASSES:
            component = "timeline--other"
        return self.get_component_rich_style(component, partial=True)

    def _when(self, t: float, width: int) -> str:
        return self.calendar.label(t) if width >= 110 else format_offset(t)

    def render_line(self, y: int) -> Strip:
        row = y + int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        if row >= len(self.rows):
            return Strip.blank(width)
        index = self.rows[row]
        event = self.events[index]
        kind = stage(event)
        # Times right-aligned to the widest shown (the last: events come in time order), so
        # that T+8d and T+12d lines keep their columns.
        widest = len(self._when(self.events[self.rows[-1]].t, width))
        when = self._when(event.t, width).rjust(widest)
        segments = [
            Segment(when + " ", self.style_of("time")),
            Segment(f"{kind:<11} ", self.style_of(kind)),
            Segment(self.text_of(index)),
        ]
        strip = Strip(segments).crop(0, width).extend_cell_length(width)
        if row == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("timeline--cursor"))
        return strip

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Scrolled to the bottom, the view follows new events again, unless a line is
        # highlighted: following would carry that line out of view.
        self.follow = self.cursor is None and new >= self.max_scroll_y - 0.5


class TimelineDetail(Static):
    """The highlighted timeline line in full: timeline lines are cut at the screen's edge."""

    def show(self, event, text: str, style_of=None) -> None:
        """``event``'s line in full; ``style_of(name)`` gives the timeline's colours."""
        if event is None:
            self.update("")
            return
        kind = stage(event)
        line = Text()
        line.append(f"{format_offset(event.t)} ", style_of("time") if style_of else "dim")
        line.append(f"{kind} ", style_of(kind) if style_of else "")
        line.append(text)
        self.update(line)
