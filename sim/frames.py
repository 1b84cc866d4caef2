"""One run's events as a pandas DataFrame (``cdtx[analysis]``): ``Exercise.events_frame()``.

Here rather than in sim/sweep/ (which re-exports it as ``sim.sweep.events_frame``) so that the
exercise can import it without importing the sweeps, which themselves run exercises.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .event_kinds import EVENT_KINDS
from .extras import need


def events_frame(events: Iterable[Any]):
    """One row per event: ``seq``, ``t`` (hours since the start), ``day`` (days), ``kind``,
    ``stage`` (the procedure stage its kind belongs to), ``source`` and ``data`` (the payload)."""
    pd = need("pandas", "analysis", "A DataFrame of events")
    rows = []
    for e in events:
        declared = EVENT_KINDS.get(e.kind)
        rows.append({"seq": e.seq, "t": e.t, "day": e.t / 24, "kind": str(e.kind),
                     "stage": declared.stage if declared else None, "source": e.source,
                     "data": e.data})  # fmt: skip
    columns = ["seq", "t", "day", "kind", "stage", "source", "data"]
    return pd.DataFrame.from_records(rows, columns=columns)
