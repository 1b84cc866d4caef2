"""The report of a sweep: per point the distribution of each metric, rung probabilities, blockers.

Rows are dicts with ``point``, ``replication``, ``seed``, ``digest``, the varied parameters, metric
columns (``t_*``, ``cohesion``, ``highest_rung``, ``blocked`` as ``measure:CODE,CODE;...`` ...),
``objective.<id>`` ratings and optionally ``status`` / ``error``. Files are read by
:func:`sim.sweep.read_rows`, the one reader of results files; pyarrow (``cdtx[parquet]``) is
imported only to read ``.parquet`` files.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from scenarios.errors import CdtxError
from scenarios.vocabulary import TIME_METRICS

from ..sweep import SweepError, read_rows, summarize
from ..sweep.summary import (
    RUNGS,
    digits_of,
    metric_label,
    read_spec_file,
    show_entry,
    show_median,
    show_rate,
    show_status,
)
from .render import _md_table, _table, md_safe, page

#: Points a sweep report shows (the first by point number); the others are counted, and the
#: report says where they are. A report of every point of a 100,000-point sweep took 44 s,
#: 3.1 GB and made a 444 MB page nobody can read.
REPORT_POINTS = 100


class ReportError(CdtxError, ValueError):
    """A results file that cannot be reported on; the message names the file and the problem."""


class Results(list):
    """The rows of a results file, and the spec written beside it (``spec``; None if absent)."""

    spec: dict[str, Any] | None = None


def read_results(path: str | Path) -> Results:
    """Rows of a sweep results file (``.csv`` or ``.parquet``), read and checked by
    :func:`sim.sweep.read_rows`, with the spec beside it (its title and sampling design); a file
    that cannot be reported on raises :class:`ReportError`."""
    try:
        rows = Results(read_rows(path))
        rows.spec = read_spec_file(path)
    except SweepError as exc:
        raise ReportError(str(exc)) from None
    if not rows:
        raise ReportError(f"{path}: no result rows")
    return rows


def summarise(rows: list[dict[str, Any]], *, name: str = "", spec: dict | None = None) -> dict:
    """The summary of ``rows``: :func:`sim.sweep.summarize`, the one summary the CLI and the
    plot show too, of at most :data:`REPORT_POINTS` points."""
    s = summarize(rows, spec=spec if spec is not None else getattr(rows, "spec", None),
                  max_points=REPORT_POINTS)  # fmt: skip
    if name:
        s["name"] = s["source"] = name
    return s


def report_file(path: str | Path, *, fmt: str = "md") -> str:
    """The report of the results file ``path`` (Markdown, or HTML with ``fmt="html"``), its
    rows streamed into :func:`sim.sweep.summarize` (never all held at once) and at most
    :data:`REPORT_POINTS` points shown: time and memory stay bounded however large the sweep.
    A file that cannot be reported on raises :class:`ReportError`."""
    try:
        s = summarize(path, max_points=REPORT_POINTS)
    except SweepError as exc:
        raise ReportError(str(exc)) from None
    s["source"] = Path(path).name
    return html(s) if fmt == "html" else markdown(s)


def _left_out(s: dict[str, Any]) -> str:
    """How many points the report leaves out, and how to see them."""
    source = s.get("source") or "the results file"
    return (f"The first {len(s['points']):,} of {s['total_points']:,} points are shown; "
            f"{s['omitted']:,} more are left out to keep the report readable. Every run is a "
            f"row of {source}: sim.sweep.summarize(\"{source}\") in Python summarises every "
            f"point, sim.sweep.frame(\"{source}\") gives every run as a DataFrame.")  # fmt: skip


def _params_text(p: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in p.items()) or "-"


def _heading(s: dict[str, Any]) -> str:
    title = s.get("title") or s.get("name") or ""
    return f"Sweep report{': ' + title if title else ''}"


def _intro(s: dict[str, Any]) -> str:
    return (f"{s['runs']} runs at {s['total_points']} point(s). Shares are given with their 95 % "
            "Wilson interval, medians with their 95 % bootstrap interval (in brackets).")  # fmt: skip


def _metric_rows(s: dict[str, Any], m: str) -> list[list[Any]]:
    k = digits_of(m)
    return [[p["point"], show_median(p["metrics"][m], k), _number(p["metrics"][m]["p10"], k),
             _number(p["metrics"][m]["p90"], k), show_rate(p["metrics"][m]["reached"])]
            for p in s["points"]]  # fmt: skip


def _number(x: float | None, digits: int) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


_METRIC_HEAD = ["Point", "Median (95% CI)", "p10", "p90", "Reached (95% CI)"]
_RUNG_HEAD = ["Point"] + [f"rung >= {r}" for r in RUNGS]


def _rung_rows(s: dict[str, Any]) -> list[list[Any]]:
    return [[p["point"]] + [show_rate(p["rungs"][r]) for r in RUNGS]
            for p in s["points"] if p["rungs"]]  # fmt: skip


def _blocker_rows(s: dict[str, Any]) -> list[list[Any]]:
    return [[p["point"], show_rate(p["blocked"]),
             ", ".join(f"{k} {show_rate(v)}" for k, v in p["blockers"].items()) or "none"]
            for p in s["points"]]  # fmt: skip


_BLOCKER_HEAD = ["Point", "Any decision blocked", "Blocked by (share of runs)"]
_OUTCOMES_TITLE = ("Outcomes of the spec (yes/no: share of runs saying yes; numbers: median, "
                   "with the share of runs that have one)")  # fmt: skip


def _outcome_table(s: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The spec's own outcomes per point: a column per outcome, named as the spec names it."""
    defined = s.get("outcomes") or {}
    names = list(dict.fromkeys([*defined, *(n for p in s["points"] for n in p.get("outcomes", {}))]))
    rows = [[p["point"]] + [_outcome_cell(p.get("outcomes", {}).get(name)) for name in names]
            for p in s["points"]]  # fmt: skip
    return ["Point"] + [f"{name} ({defined[name]})" if name in defined else name
                        for name in names], rows  # fmt: skip


def _outcome_cell(r: dict[str, Any] | None) -> str:
    if r is None:
        return "-"
    if "share" in r:
        return show_rate(r)
    return f"{show_median(r, 2)}; {show_rate(r['reached'])} of runs"


def _index_rows(s: dict[str, Any], m: str) -> tuple[list[str], list[list[Any]]]:
    sens = s["sensitivity"]
    result = sens["metrics"][m]
    if sens["method"] == "sobol":
        head = ["Parameter", "S1 (95% CI)", "ST (95% CI)"]
        rows = [[name, show_entry(v, "S1"), show_entry(v, "ST")] for name, v in result.items()]
    else:
        head = ["Parameter", "mu* (95% CI)", "sigma"]
        rows = [[name, show_entry(v, "mu_star"), f"{v['sigma']:.2f}"]
                for name, v in result.items()]  # fmt: skip
    return head, rows


def markdown(s: dict[str, Any]) -> str:
    out = [f"# {_heading(s)}", "", _intro(s), ""]
    if s["sensitivity"]:  # the answer of a Sobol'/Morris sweep comes first
        out += [f"## Sensitivity ({s['sensitivity']['label']})", ""]
        for m in s["sensitivity"]["metrics"]:
            head, rows = _index_rows(s, m)
            out += [f"### {metric_label(m)}", ""] + _md_table(head, rows)
            out += [show_status(s["sensitivity"], m), ""]
    out += ["## Points", ""]
    out += _md_table(["Point", "Parameters", "Runs", "Failed"],
                     [[p["point"], _params_text(p["params"]), p["n"], p["failed"]]
                      for p in s["points"]])  # fmt: skip
    if s["omitted"]:
        out += [_left_out(s), ""]
    out += ["## Distributions (median, p10-p90; share of runs in which it happened)", ""]
    for m in s["metrics"]:
        out += [f"### {metric_label(m)}", ""]
        out += _md_table(_METRIC_HEAD, _metric_rows(s, m))
    if any(p["rungs"] for p in s["points"]):
        out += ["## Highest rung reached (share of runs reaching at least rung r)", ""]
        out += _md_table(_RUNG_HEAD, _rung_rows(s))
    out += ["## Blockers (share of runs in which a delegation blocked a decision)", ""]
    out += _md_table(_BLOCKER_HEAD, _blocker_rows(s))
    head, rows = _outcome_table(s)
    if len(head) > 1:
        out += [f"## {_OUTCOMES_TITLE}", ""] + _md_table(head, rows)
    if any(p["objectives"] for p in s["points"]):
        out += ["## Objective ratings (share P / S / M / U)", ""]
        objs = _objective_ids(s)
        out += _md_table(["Point"] + objs,
                         [[p["point"]] + [_shares(p, o) for o in objs]
                          for p in s["points"]])  # fmt: skip
    if s["notes"]:
        out += ["## Notes", ""] + [f"- {n}" for n in s["notes"]] + [""]
    return md_safe("\n".join(out).rstrip() + "\n")


def _objective_ids(s: dict[str, Any]) -> list[str]:
    """Every objective rated at some point (a point whose runs all failed rates none)."""
    return list(dict.fromkeys(o for p in s["points"] for o in p["objectives"]))


def _shares(point: dict[str, Any], objective: str) -> str:
    shares = point["objectives"].get(objective)
    return "-" if shares is None else " / ".join(show_rate(v, False) for v in shares.values())


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
    b = [f"<h1>{escape(_heading(s))}</h1>", f"<p>{escape(_intro(s))}</p>"]
    if s["sensitivity"]:  # the answer of a Sobol'/Morris sweep comes first
        sens = s["sensitivity"]
        b.append(f"<h2>Sensitivity ({escape(sens['label'])})</h2>")
        key, conf = ("ST", "ST_conf") if sens["method"] == "sobol" else ("mu_star", "mu_star_conf")
        for m in sens["metrics"]:
            b.append(f"<h3>{escape(metric_label(m))}</h3>")
            values = sens["metrics"][m]
            bars = [(name, max(v[key], 0.0), v.get(f"{key}_low", max(v[key] - v[conf], 0.0)),
                     v.get(f"{key}_high", v[key] + v[conf])) for name, v in values.items()]  # fmt: skip
            b.append(bar_chart(f"{key} (whiskers: 95% CI)", bars))
            head, rows = _index_rows(s, m)
            b.append(_table(head, rows))
            b.append(f"<p>{escape(show_status(sens, m))}</p>")
    b += ["<h2>Points</h2>",
          _table(["Point", "Parameters", "Runs", "Failed"],
                 [[p["point"], _params_text(p["params"]), p["n"], p["failed"]]
                  for p in s["points"]])]  # fmt: skip
    if s["omitted"]:
        b.append(f"<p>{escape(_left_out(s))}</p>")
    b.append("<h2>Distributions</h2><p>Bars show the median, whiskers p10 to p90.</p>")
    for m in s["metrics"]:
        b.append(f"<h3>{escape(metric_label(m))}</h3>")  # every table keeps its heading
        bars = []
        for p in s["points"]:
            d = p["metrics"][m]
            if d["median"] is not None:
                bars.append((f"point {p['point']}", d["median"], d["p10"], d["p90"]))
        if bars:
            unit = " d" if m in TIME_METRICS else ""
            b.append(bar_chart(metric_label(m), bars, unit))
        else:
            b.append("<p>No run reached it.</p>")
        b.append(_table(_METRIC_HEAD, _metric_rows(s, m)))
    if any(p["rungs"] for p in s["points"]):
        b.append("<h2>Highest rung reached (share of runs reaching at least rung r)</h2>")
        for p in s["points"]:
            if p["rungs"]:
                b.append(bar_chart(f"point {p['point']}: highest rung at least",
                                   [(f"rung >= {r}", 100 * v["share"], 100 * v["low"],
                                     100 * v["high"]) for r, v in p["rungs"].items()],
                                   "%"))  # fmt: skip
        b.append(_table(_RUNG_HEAD, _rung_rows(s)))
    b.append("<h2>Blockers</h2>")
    b.append(_table(_BLOCKER_HEAD, _blocker_rows(s)))
    head, rows = _outcome_table(s)
    if len(head) > 1:
        b.append(f"<h2>{escape(_OUTCOMES_TITLE)}</h2>")
        b.append(_table(head, rows))
    if any(p["objectives"] for p in s["points"]):
        objs = _objective_ids(s)
        b.append("<h2>Objective ratings (share P / S / M / U)</h2>")
        b.append(_table(["Point"] + objs,
                        [[p["point"]] + [_shares(p, o) for o in objs]
                         for p in s["points"]]))  # fmt: skip
    if s["notes"]:
        b.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in s["notes"])
                 + "</ul>")  # fmt: skip
    return page(f"Sweep report {s['name']}", "\n".join(b))
