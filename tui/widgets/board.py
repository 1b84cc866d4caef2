"""The member-states board: one row per EU member state."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

POSITION_LABELS = {
    "support": "support",
    "abstain": "abstain",
    "constructive_abstention": "constr. abst.",
    "oppose": "oppose",
}
#: A position's colour: component class ``position--<stance>``, styled in cdtx.tcss (the board
#: and the decision dialog use the same classes).
POSITION_CLASSES = {f"position--{stance}" for stance in POSITION_LABELS}


def position_style(widget, position: str):
    """The stylesheet's style for ``position`` on ``widget`` (which lists POSITION_CLASSES)."""
    return widget.get_component_rich_style(f"position--{position}", partial=True)


# Short labels for a narrow board: the colour says the rest.
SHORT_POSITIONS = {
    "support": "supp",
    "abstain": "abst",
    "constructive_abstention": "c.abs",
    "oppose": "opp",
}
COLUMNS = (
    ("code", "MS"),
    ("name", "Name"),
    ("played", "Pl"),
    ("affected", "Hit"),
    ("detected", "Detect"),
    ("shared", "Shared"),
    ("confidence", "Conf"),
    ("position", "Position"),
)
# Below this width the board drops the names (the codes say it) and shortens positions, so that
# every column stays readable instead of the last ones being cut to one character.
COMPACT_BELOW = 64
COMPACT_COLUMNS = tuple((k, "Pos" if k == "position" else v) for k, v in COLUMNS if k != "name")


def short_time(t: float | None) -> str:
    if t is None:
        return ""
    minutes = int(round(t * 60))
    return f"{minutes // 1440}d{minutes // 60 % 24:02d}h"


def cells(row, board, compact: bool = False) -> tuple:
    """The board's cells for ``row``; colours from ``board``'s component classes."""
    position = row.position or ""
    label = (SHORT_POSITIONS if compact else POSITION_LABELS).get(position, "")
    style = position_style(board, position) if position else ""
    values = (
        row.code,
        row.name,
        Text("◆", board.get_component_rich_style("board--played", partial=True))
        if row.played
        else "",
        Text("●", board.get_component_rich_style("board--hit", partial=True))
        if row.affected
        else "",
        short_time(row.detected),
        short_time(row.shared),
        f"{row.confidence:.0%}" if row.confidence else "",
        Text(label, style),
    )
    return values[:1] + values[2:] if compact else values


class StatesBoard(DataTable):
    """27 rows; only changed rows are redrawn. Narrow, it turns compact (``COMPACT_BELOW``)."""

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | POSITION_CLASSES | {
        "board--played", "board--hit",
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._shown: dict[str, tuple] = {}
        self._picture = None
        self.compact: bool | None = None  # decided at the first resize

    @property
    def columns_shown(self) -> tuple[tuple[str, str], ...]:
        return COMPACT_COLUMNS if self.compact else COLUMNS

    def on_resize(self) -> None:
        compact = self.size.width < COMPACT_BELOW
        if compact == self.compact:
            return
        self.compact = compact
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self._shown.clear()
        for key, label in self.columns_shown:
            self.add_column(label, key=key)
        if self._picture is not None:
            self.show(self._picture)
            self.move_cursor(row=cursor.row)

    def show(self, picture) -> None:
        self._picture = picture
        if self.compact is None:  # no size yet: the first resize builds the columns and rows
            return
        columns = self.columns_shown
        answered = None  # a played delegation whose answer has just come in
        for code, row in picture.states.items():
            values = cells(row, self, self.compact)
            old = self._shown.get(code)
            if old is None:
                self.add_row(*values, key=code)
            elif old != values:
                if row.played and row.position and old[-1] != values[-1]:
                    answered = code
                for (key, _), new, was in zip(columns, values, old, strict=True):
                    if new != was:
                        self.update_cell(code, key, new)
            self._shown[code] = values
        if answered is not None:
            self._bring_into_view(answered)

    def _bring_into_view(self, code: str) -> None:
        """Scroll (without moving the cursor) so that ``code``'s row shows: on a small
        terminal only a third of the 27 rows fit, and the table's answers must be seen."""
        index = self.get_row_index(code)
        height = max(self.scrollable_content_region.height - self.header_height, 1)
        top = round(self.scroll_y)
        if not top <= index < top + height:
            self.scroll_to(y=max(0, index - height + 1), animate=False)

    @property
    def selected_state(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None
