"""The report of a sweep: per point the distribution of each metric, rung probabilities, blockers.

Rows are dicts with ``point``, ``replication``, ``seed``, ``digest``, the varied parameters, metric
columns (``t_*``, ``cohesion``, ``highest_rung``, ``blocked`` as ``measure:CODE,CODE;...`` ...),
``objective.<id>`` ratings and optionally ``status`` / ``error``. Files are read by
:func:`sim.sweep.read_rows`, the one reader of results files; pyarrow (``cdtx[parquet]``) is
imported only to read ``.parquet`` files.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from scenarios.errors import CdtxError
from scenarios.vocabulary import TIME_METRICS

from ..sweep import SweepError, blocking_states, distribution, is_parameter, read_rows, run_ok
from .render import _md_table, _table, page

_DIST = TIME_METRICS + ("cohesion",)


class ReportError(CdtxError, ValueError):
    """A results file that cannot be reported on; the message names the file and the problem."""


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a sweep results file (``.csv`` or ``.parquet``), read and checked by
    :func:`sim.sweep.read_rows`; a file that cannot be reported on raises :class:`ReportError`."""
    try:
        rows = list(read_rows(path))
    except SweepError as exc:
        raise ReportError(str(exc)) from None
    if not rows:
        raise ReportError(f"{path}: no result rows")
    return rows


def summarise(rows: list[dict[str, Any]], *, name: str = "") -> dict[str, Any]:
    columns = list(rows[0])
    metric_cols = [c for c in columns if c in _DIST]
    params = [c for c in columns if is_parameter(c)]
    objectives = [c for c in columns if c.startswith("objective.")]
    by_point: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_point.setdefault(row["point"], []).append(row)
    points = []
    for point in sorted(by_point, key=lambda p: (p is None, p)):
        group = by_point[point]
        good = [r for r in group if run_ok(r)]
        entry: dict[str, Any] = {
            "point": point,
            "params": {p: group[0].get(p) for p in params},
            "runs": len(group),
            "failed": len(group) - len(good),
            "metrics": {},
            "rungs": {},
            "blockers": {},
            "objectives": {},
        }
        for m in metric_cols:
            vals = [float(r[m]) for r in good if r.get(m) is not None]
            if m in TIME_METRICS:
                vals = [v / 24 for v in vals]  # days for people
            entry["metrics"][m] = distribution(vals, len(good))
        if "highest_rung" in columns and good:
            counts = Counter(int(r["highest_rung"] or 0) for r in good)
            entry["rungs"] = {rung: counts.get(rung, 0) / len(good) for rung in range(6)}
        if "blocked" in columns and good:
            states: Counter = Counter()
            for r in good:
                states.update(set(blocking_states(str(r.get("blocked") or ""))))
            entry["blockers"] = {s: n / len(good) for s, n in states.most_common()}
        for o in objectives if good else ():  # a point whose runs all failed has no ratings
            counts = Counter(r.get(o) or "-" for r in good)
            entry["objectives"][o.split(".", 1)[1]] = {k: counts.get(k, 0) / len(good)
                                                      for k in "PSMU"}  # fmt: skip
        points.append(entry)
    return {"name": name, "rows": len(rows), "params": params, "metrics": metric_cols,
            "points": points}  # fmt: skip


def one_decimal(x: float | None, unit: str = "") -> str:
    """A number as reports and summaries show it (one decimal; "-" for none)."""
    return "-" if x is None else f"{x:.1f}{unit}"


def _params_text(p: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in p.items()) or "-"


def _label(m: str) -> str:
    return f"{m} (days)" if m in TIME_METRICS else m


def markdown(s: dict[str, Any]) -> str:
    out = [f"# Sweep report{': ' + s['name'] if s['name'] else ''}", "",
           f"{s['rows']} runs at {len(s['points'])} point(s).", ""]  # fmt: skip
    out += ["## Points", ""]
    out += _md_table(["Point", "Parameters", "Runs", "Failed"],
                     [[p["point"], _params_text(p["params"]), p["runs"], p["failed"]]
                      for p in s["points"]])  # fmt: skip
    out += ["## Distributions (median, p10-p90; share of runs in which it happened)", ""]
    for m in s["metrics"]:
        out += [f"### {_label(m)}", ""]
        out += _md_table(["Point", "Median", "p10", "p90", "Reached"],
                         [[p["point"], one_decimal(p["metrics"][m]["median"]), one_decimal(p["metrics"][m]["p10"]),
                           one_decimal(p["metrics"][m]["p90"]), f"{p['metrics'][m]['reached']:.0%}"]
                          for p in s["points"]])  # fmt: skip
    if any(p["rungs"] for p in s["points"]):
        out += ["## Highest rung reached (probability)", ""]
        out += _md_table(["Point"] + [f"rung {r}" for r in range(6)],
                         [[p["point"]] + [f"{p['rungs'].get(r, 0):.0%}" for r in range(6)]
                          for p in s["points"]])  # fmt: skip
    out += ["## Blockers (share of runs in which a state blocked a decision)", ""]
    out += _md_table(["Point", "Blockers"],
                     [[p["point"], ", ".join(f"{k} {v:.0%}" for k, v in p["blockers"].items())
                       or "none"] for p in s["points"]])  # fmt: skip
    if any(p["objectives"] for p in s["points"]):
        out += ["## Objective ratings (share P / S / M / U)", ""]
        objs = _objective_ids(s)
        out += _md_table(["Point"] + objs,
                         [[p["point"]] + [_shares(p, o) for o in objs]
                          for p in s["points"]])  # fmt: skip
    return "\n".join(out).rstrip() + "\n"


def _objective_ids(s: dict[str, Any]) -> list[str]:
    """Every objective rated at some point (a point whose runs all failed rates none)."""
    return list(dict.fromkeys(o for p in s["points"] for o in p["objectives"]))


def _shares(point: dict[str, Any], objective: str) -> str:
    shares = point["objectives"].get(objective)
    return "-" if shares is None else " / ".join(f"{v:.0%}" for v in shares.values())


def bar_chart(
    title: str,
    bars: list[tuple[str, float, float | None, float | None]],
    unit: str = "",
    width: int = 640,
) -> str:
    """Horizontal bars (label, value, low, high) with an optional p10-p90 whisker; inline SVG."""
    row_h, left, right, top = 18, 150, 60, 22
    height = top + row_h * max(len(bars), 1) + 8
    top_value = max([b[1] for b in bars] + [b[3] or 0 for b in bars] + [1e-9])
    scale = (width - left - right) / top_value
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
           f'<text x="4" y="14" font-size="11" font-weight="bold">{escape(title)}</text>']  # fmt: skip
    for i, (label, value, lo, hi) in enumerate(bars):
        y = top + i * row_h
        out.append(f'<text x="{left - 6}" y="{y + 12}" font-size="10" text-anchor="end">'
                   f"{escape(label)}</text>")  # fmt: skip
        out.append(f'<rect x="{left}" y="{y + 3}" width="{value * scale:.1f}" height="11" '
                   'fill="#3f6fb5"/>')  # fmt: skip
        if lo is not None and hi is not None:
            out.append(f'<line x1="{left + lo * scale:.1f}" y1="{y + 8.5}" x2="{left + hi * scale:.1f}" '
                       f'y2="{y + 8.5}" stroke="#1b1b1b" stroke-width="1.5"/>')  # fmt: skip
        out.append(f'<text x="{left + max(value, hi or 0) * scale + 4:.1f}" y="{y + 12}" '
                   f'font-size="10">{value:.1f}{escape(unit)}</text>')  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def html(s: dict[str, Any]) -> str:
    b = [f"<h1>Sweep report{': ' + escape(s['name']) if s['name'] else ''}</h1>",
         f"<p>{s['rows']} runs at {len(s['points'])} point(s).</p>", "<h2>Points</h2>",
         _table(["Point", "Parameters", "Runs", "Failed"],
                [[p["point"], _params_text(p["params"]), p["runs"], p["failed"]]
                 for p in s["points"]]),
         "<h2>Distributions</h2><p>Bars show the median, whiskers p10 to p90.</p>"]  # fmt: skip
    for m in s["metrics"]:
        bars = []
        for p in s["points"]:
            d = p["metrics"][m]
            if d["median"] is not None:
                bars.append((f"point {p['point']}", d["median"], d["p10"], d["p90"]))
        if bars:
            unit = " d" if m in TIME_METRICS else ""
            b.append(bar_chart(_label(m), bars, unit))
        b.append(_table(["Point", "Median", "p10", "p90", "Reached"],
                        [[p["point"], one_decimal(p["metrics"][m]["median"]), one_decimal(p["metrics"][m]["p10"]),
                          one_decimal(p["metrics"][m]["p90"]), f"{p['metrics'][m]['reached']:.0%}"]
                         for p in s["points"]]))  # fmt: skip
    if any(p["rungs"] for p in s["points"]):
        b.append("<h2>Highest rung reached (probability)</h2>")
        for p in s["points"]:
            b.append(bar_chart(f"point {p['point']}: highest rung",
                               [(f"rung {r}", 100 * v, None, None) for r, v in p["rungs"].items()],
                               "%"))  # fmt: skip
        b.append(_table(["Point"] + [f"rung {r}" for r in range(6)],
                        [[p["point"]] + [f"{p['rungs'].get(r, 0):.0%}" for r in range(6)]
                         for p in s["points"]]))  # fmt: skip
    b.append("<h2>Blockers</h2>")
    b.append(_table(["Point", "Blockers (share of runs)"],
                    [[p["point"], ", ".join(f"{k} {v:.0%}" for k, v in p["blockers"].items())
                      or "none"] for p in s["points"]]))  # fmt: skip
    if any(p["objectives"] for p in s["points"]):
        objs = _objective_ids(s)
        b.append("<h2>Objective ratings (share P / S / M / U)</h2>")
        b.append(_table(["Point"] + objs,
                        [[p["point"]] + [_shares(p, o) for o in objs]
                         for p in s["points"]]))  # fmt: skip
    return page(f"Sweep report {s['name']}", "\n".join(b))
