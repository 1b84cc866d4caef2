"""The one summary of a sweep's results, used by ``cdtx sweep --summary``, the sweep report and
the plot."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scenarios.vocabulary import TIME_METRICS

from .results import blocking_states, is_parameter, read_rows, run_ok
from .spec import SweepError

# -- reading results -------------------------------------------------------------------------


def quantile(values: Iterable[float], q: float) -> float:
    """Linear-interpolated quantile (numpy's default) of ``values``."""
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def distribution(values: list[float], runs: int) -> dict[str, float | None]:
    """Median, p10 and p90 of ``values`` (a metric where it happened) and the share of
    ``runs`` it happened in."""
    return {
        "reached": len(values) / runs if runs else 0.0,
        "median": quantile(values, 0.5) if values else None,
        "p10": quantile(values, 0.1) if values else None,
        "p90": quantile(values, 0.9) if values else None,
    }


def summarize(rows: Iterable[Mapping[str, Any]] | str | Path) -> list[dict[str, Any]]:
    """One summary per point: n, failures, time metrics in days (median, p10, p90, share
    reached), share of runs reaching each rung, share blocked and the most frequent blockers."""
    path = rows if isinstance(rows, (str, Path)) else None
    if path is not None:
        rows = read_rows(path)
    acc: dict[int, dict[str, Any]] = {}
    for row in rows:
        p = row["point"]
        a = acc.get(p)
        if a is None:
            params = {k: v for k, v in row.items() if is_parameter(k)}
            a = acc[p] = {"params": params, "n": 0, "failed": 0, "times": {}, "rungs": Counter(),
                          "blocked": 0, "blockers": Counter(), "has_blocked": "n_blocked" in row,
                          "has_rung": "highest_rung" in row}  # fmt: skip
        a["n"] += 1
        if not run_ok(row):
            a["failed"] += 1
            continue
        for m in TIME_METRICS:
            if m in row:
                a["times"].setdefault(m, []).append(row[m])
        if row.get("highest_rung") is not None:
            a["rungs"][int(row["highest_rung"])] += 1
        if row.get("n_blocked"):
            a["blocked"] += 1
            a["blockers"].update(blocking_states(row.get("blocked")))
    if path is not None and not acc:
        raise SweepError(f"{path}: no result rows")
    out = []
    for p in sorted(acc):
        a = acc[p]
        ok = a["n"] - a["failed"]
        times = {
            m: distribution([v / 24 for v in values if v is not None], ok)
            for m, values in a["times"].items()
        }
        rungs = None
        if a["has_rung"]:
            rungs = {
                r: (sum(c for k, c in a["rungs"].items() if k >= r) / ok if ok else 0.0)
                for r in range(1, 6)
            }
        out.append({
            "point": p, "params": a["params"], "n": a["n"], "failed": a["failed"],
            "times": times, "rungs": rungs,
            "blocked": (a["blocked"] / ok if ok else 0.0) if a["has_blocked"] else None,
            "blockers": a["blockers"].most_common(3),
        })  # fmt: skip
    return out
