"""The member-states board: one row per EU member state."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

POSITION_STYLES = {
    "support": ("support", "bold green"),
    "abstain": ("abstain", "yellow"),
    "constructive_abstention": ("constr. abst.", "cyan"),
    "oppose": ("oppose", "bold red"),
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


def short_time(t: float | None) -> str:
    if t is None:
        return ""
    minutes = int(round(t * 60))
    return f"{minutes // 1440}d{minutes // 60 % 24:02d}h"


def cells(row) -> tuple:
    label, style = POSITION_STYLES.get(row.position or "", ("", ""))
    return (
        row.code,
        row.name,
        Text("◆", "bold magenta") if row.played else "",
        Text("●", "red") if row.affected else "",
        short_time(row.detected),
        short_time(row.shared),
        f"{row.confidence:.0%}" if row.confidence else "",
        Text(label, style),
    )


class StatesBoard(DataTable):
    """27 rows; only changed rows are redrawn."""

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._shown: dict[str, tuple] = {}

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(self, picture) -> None:
        for code, row in picture.states.items():
            values = cells(row)
            old = self._shown.get(code)
            if old is None:
                self.add_row(*values, key=code)
            elif old != values:
                for (key, _), new, was in zip(COLUMNS, values, old, strict=True):
                    if new != was:
                        self.update_cell(code, key, new)
            self._shown[code] = values

    @property
    def selected_state(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None
