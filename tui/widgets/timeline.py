"""The event timeline: a Line API view that renders only the visible lines of a long list."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sim.clock import format_offset
from sim.narrative import STAGE_OF, describe, stage

STAGE_STYLES = {
    "exercise": "bold",
    "facilitator": "bold magenta",
    "inject": "magenta",
    "incident": "bold red",
    "detection": "yellow",
    "awareness": "cyan",
    "initiation": "blue",
    "hwpci": "blue",
    "meeting": "bright_blue",
    "psc": "green",
    "council": "bold green",
    "reaction": "red",
    "other": "dim",
}
KNOWN_FILTERS = set(STAGE_OF) | set(STAGE_OF.values()) | {"other"}


class Timeline(ScrollView, can_focus=True):
    """Narrative lines of events; holds a reference to the event list, renders lazily."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; }
    """

    def __init__(self, calendar, **kwargs):
        super().__init__(**kwargs)
        self.calendar = calendar
        self.events: list = []
        self.count = 0  # events of ``events`` taken in
        self.rows: list[int] = []  # indices of the shown (filtered) events
        self.tokens: frozenset[str] = frozenset()
        self.follow = True
        self._cache: dict[int, str] = {}
        self._styles = {k: Style.parse(v) for k, v in STAGE_STYLES.items()}
        self._dim = Style.parse("dim")

    # -- data ------------------------------------------------------------------------------

    def _match(self, event) -> bool:
        return not self.tokens or event.kind in self.tokens or stage(event) in self.tokens

    def take(self, events: list, count: int) -> None:
        """Take in ``events[:count]`` (the list may be longer; other threads append to it)."""
        if events is not self.events or count < self.count:
            self.events, self.count, self.rows = events, 0, []
            self._cache.clear()
        if count == self.count:
            return
        if self.tokens:
            match = self._match
            self.rows.extend(i for i in range(self.count, count) if match(events[i]))
        else:
            self.rows.extend(range(self.count, count))
        self.count = count
        self._resize()

    def set_filter(self, text: str) -> list[str]:
        """Filter by stage or kind names (comma or space separated); returns unknown names."""
        tokens = [t.strip().lower() for t in text.replace(",", " ").split() if t.strip()]
        unknown = [t for t in tokens if t not in KNOWN_FILTERS]
        self.tokens = frozenset(t for t in tokens if t in KNOWN_FILTERS)
        events, count = self.events, self.count
        self.count, self.rows = 0, []
        self.take(events, count)
        self._resize()
        return unknown

    def _resize(self) -> None:
        width = max(self.size.width, 40)
        self.virtual_size = Size(width, len(self.rows))
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def on_resize(self) -> None:
        self._resize()

    # -- rendering -------------------------------------------------------------------------

    def text_of(self, index: int) -> str:
        text = self._cache.get(index)
        if text is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            text = self._cache[index] = describe(self.events[index])
        return text

    def _when(self, t: float, width: int) -> str:
        return self.calendar.label(t) if width >= 110 else format_offset(t)

    def render_line(self, y: int) -> Strip:
        row = y + int(self.scroll_offset.y)
        width = self.size.width
        if row >= len(self.rows):
            return Strip.blank(width)
        index = self.rows[row]
        event = self.events[index]
        kind = stage(event)
        segments = [
            Segment(self._when(event.t, width) + " ", self._dim),
            Segment(f"{kind:<11} ", self._styles.get(kind)),
            Segment(self.text_of(index)),
        ]
        return Strip(segments).crop(0, width).extend_cell_length(width)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.follow = new >= self.max_scroll_y - 0.5
