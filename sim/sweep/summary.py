"""The one summary of a sweep's results, used by ``cdtx sweep --summary``, the sweep report and
the plot, so the three never disagree.

Counting rules (docs/sweeps.md, "Summary"):

- **Rungs** are cumulative: the share of runs whose highest rung is *at least* r (r = 1..5).
- **Blockers** are counted per run: the share of runs in which a delegation blocked at least one
  decision (a delegation blocking three decisions in one run counts once).
- **Time metrics** are in days, over the runs that reached the milestone; ``reached`` is the
  share of runs that did.

Every rate carries a 95 % Wilson score interval; every median a 95 % percentile-bootstrap
interval (1,000 resamples from a stream seeded by the point and the metric, so a summary is the
same every time it is computed; drawn as order statistics with numpy, so a summary of thousands
of points takes a fraction of a second: :func:`bootstrap_medians`).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scenarios.safe_read import ScenarioError, read_json
from scenarios.vocabulary import TIME_METRICS

from ..streams import derive_seed
from .outcomes import PREFIX as OUTCOME
from .provenance import base_model_note
from .results import (
    RECORD_BYTES,
    blocking_states,
    is_parameter,
    parquet_record,
    read_rows,
    run_ok,
    spec_file,
)
from .sensitivity import indices
from .sensitivity import metric_label as metric_label  # the label headings use, shown here too
from .spec import MAX_POINTS, SweepError, design_size
from .yes_no import yes_or_no

#: Metrics summarised as distributions (median with interval, p10, p90, share reached).
DISTRIBUTED = TIME_METRICS + ("cohesion",)
#: Numeric metrics whose per-point mean feeds sensitivity indices.
SENSITIVITY_METRICS = DISTRIBUTED + ("highest_rung", "n_blocked")
RUNGS = (1, 2, 3, 4, 5)
Z95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 1000


# -- statistics --------------------------------------------------------------------------------


def quantile(values: Iterable[float], q: float) -> float:
    """Linear-interpolated quantile (numpy's default) of ``values``."""
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a rate ``count / n`` (95 % by default); (0, 1) for n = 0.

    Unlike the normal approximation it stays inside [0, 1] and is not empty at 0 or n."""
    if n <= 0:
        return 0.0, 1.0
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # exact ends at 0 and n (rounding would put them a hair inside, or outside, the share)
    low = 0.0 if count == 0 else min(p, max(0.0, centre - half))
    high = 1.0 if count == n else max(p, min(1.0, centre + half))
    return low, high


def rate(count: int, n: int) -> dict[str, float | int]:
    """A share with its Wilson interval: ``{count, n, share, low, high}``."""
    low, high = wilson(count, n)
    return {"count": count, "n": n, "share": count / n if n else 0.0, "low": low, "high": high}


def bootstrap_medians(values: list[float], seed: int, resamples: int = BOOTSTRAP_RESAMPLES):
    """``resamples`` medians of bootstrap resamples of ``values`` (a numpy array), drawn as
    order statistics rather than by resampling: sampling n values with replacement is
    ``xs[floor(n U)]`` for n uniforms U, so a resample's k-th smallest value is
    ``xs[floor(n U_(k))]`` with ``U_(k) ~ Beta(k, n + 1 - k)``, and the next one above it
    ``U_(k+1) = U_(k) + (1 - U_(k)) Beta(1, n - k)``. One or two Beta draws per resample,
    whatever n: the same distribution as sorting n resampled values, at a thousandth of the cost
    for large n and without a Python loop for any n."""
    import numpy as np  # start-up: numpy (~0.1 s) only once an interval is computed

    xs = np.sort(np.asarray(values, dtype=float))
    n = len(xs)
    rng = np.random.default_rng(seed)
    k = (n + 1) // 2  # the (lower) median's rank, 1-based
    u = rng.beta(k, n + 1 - k, size=resamples)
    lower = xs[np.minimum((u * n).astype(np.int64), n - 1)]
    if n % 2:
        return lower
    u2 = u + (1 - u) * rng.beta(1, n - k, size=resamples)
    return (lower + xs[np.minimum((u2 * n).astype(np.int64), n - 1)]) / 2


def bootstrap_median(values: list[float], seed: int) -> tuple[float, float]:
    """The 95 % percentile-bootstrap interval of the median of ``values`` (seeded; 1,000
    resamples: :func:`bootstrap_medians`); the same for the same values in any order (rows come
    in completion order with -j > 1 or Dask)."""
    if len(values) < 2:
        return (values[0], values[0]) if values else (math.nan, math.nan)
    import numpy as np  # start-up: as above

    low, high = np.quantile(bootstrap_medians(values, seed), [0.025, 0.975])
    return float(low), float(high)


def distribution(values: list[float], runs: int, seed: int = 0) -> dict[str, Any]:
    """Median (with its bootstrap interval), p10 and p90 of ``values`` (a metric where it
    happened) and the share of ``runs`` it happened in (a :func:`rate`)."""
    out: dict[str, Any] = {"reached": rate(len(values), runs), "median": None,
                           "median_low": None, "median_high": None, "p10": None, "p90": None}  # fmt: skip
    if values:
        low, high = bootstrap_median(values, seed)
        out.update(median=quantile(values, 0.5), median_low=low, median_high=high,
                   p10=quantile(values, 0.1), p90=quantile(values, 0.9))  # fmt: skip
    return out


# -- formats shared by the CLI and the report --------------------------------------------------


def show_rate(r: Mapping[str, Any] | None, interval: bool = True) -> str:
    """``40% (22-61)``: a share and its 95 % interval, in percent."""
    if r is None:
        return "-"
    text = f"{r['share']:.0%}"
    return f"{text} ({r['low'] * 100:.0f}-{r['high'] * 100:.0f})" if interval else text


def show_median(d: Mapping[str, Any], digits: int = 1) -> str:
    """``5.5 (3.0-8.0)``: a median and its 95 % interval (``digits`` decimals: 2 for shares
    such as cohesion, 1 for days)."""
    if d.get("median") is None:
        return "-"
    return f"{d['median']:.{digits}f} ({d['median_low']:.{digits}f}-{d['median_high']:.{digits}f})"


def digits_of(metric: str) -> int:
    """Decimals a metric is shown with: days to one decimal, 0-1 quantities (cohesion) to two."""
    return 1 if metric in TIME_METRICS else 2


def show_index(value: float | None, conf: float | None, low: float | None = None,
               high: float | None = None) -> str:  # fmt: skip
    """``0.31 [0.24, 0.38]``: a sensitivity index and its 95 % interval: ``low``-``high`` when
    given (a Sobol' index's interval clipped to [0, 1]), else value +- conf."""
    if value is None or not math.isfinite(value):
        return "-"
    if low is not None and high is not None:
        return f"{value:.2f} [{low:.2f}, {high:.2f}]"
    if conf is None or not math.isfinite(conf):
        return f"{value:.2f}"
    return f"{value:.2f} [{value - conf:.2f}, {value + conf:.2f}]"


def show_entry(v: Mapping[str, Any], key: str) -> str:
    """:func:`show_index` of index ``key`` (``S1``, ``ST``, ``mu_star``) of a parameter's
    entry in a summary's sensitivity (its clipped interval where it has one)."""
    return show_index(v[key], v.get(f"{key}_conf"), v.get(f"{key}_low"), v.get(f"{key}_high"))


#: What a metric's sensitivity status tells a reader (sim.sweep.sensitivity.indices).
STATUS_TEXT = {
    "ok": "ok: narrow intervals, converged from N/2 to N",
    "uncertain": "uncertain: wide intervals or not converged from N/2 to N; run more to rank "
    "the inputs",
    "degenerate": "degenerate: too few one-input pairs of the design give different outputs; "
    "these indices mean nothing",
}


def show_status(sens: Mapping[str, Any], metric: str) -> str:
    """``status: uncertain (...)``: how far the indices of ``metric`` can be trusted, with the
    count of pairs that differ."""
    status = (sens.get("status") or {}).get(metric)
    if status is None:
        return ""
    differ = sum((sens.get("pairs") or {}).get(metric, {}).values())
    return f"status: {STATUS_TEXT[status]} ({differ:,} of {sens['pairs_total']:,} pairs differ)"


# -- the spec beside a results file -------------------------------------------------------------


def read_spec_file(results: str | Path) -> dict[str, Any] | None:
    """The record of ``results`` (its spec: title, sampling design; and where the results came
    from: :mod:`sim.sweep.provenance`): the file beside them, else a Parquet file's schema
    metadata. None if there is none or it cannot be read (the summary then goes without a
    title and indices). Read within bounds (scenarios.safe_read), never through a link."""
    path = spec_file(results)
    data: Any = None
    try:
        if not path.is_symlink() and path.exists():
            data = read_json(path, what="a sweep's record", max_bytes=RECORD_BYTES)
        elif Path(results).suffix.lower() in (".parquet", ".pq") and Path(results).is_file():
            data = parquet_record(Path(results))
    except (ScenarioError, SweepError):
        return None
    if not isinstance(data, dict):
        return None
    # The texts for people head every summary, plot and report: an edited record's list or
    # number there is left out (as a record without one), not concatenated into a heading.
    record = {k: v for k, v in data.items() if k not in TEXT_FIELDS or isinstance(v, str)}
    if "sample" in record and not _design_ok(record):
        # the indices are computed from it: an edited design is left out, and the summary says so
        record.pop("sample")
        record[LEFT_OUT] = "its sampling design (sample, vary, root) is not what cdtx writes"
    return record


#: The fields of a sweep's record that are texts for people (the spec's name, title, description).
TEXT_FIELDS = ("name", "title", "description")
#: The key of a record read back under which :func:`read_spec_file` says what it left out.
LEFT_OUT = "left_out"


def _design_ok(record: Mapping[str, Any]) -> bool:
    """Whether a record's sampling design is one a sweep could have had: a method and a whole
    N of at least 1, varied parameters as a mapping, a whole root seed, and no more points
    than a sweep takes (the indices list every point of the design)."""
    sample, vary, root = record.get("sample"), record.get("vary", {}), record.get("root")
    if not isinstance(sample, dict) or not isinstance(vary, dict):
        return False
    method, n = sample.get("method"), sample.get("n")
    if not isinstance(method, str) or isinstance(n, bool) or not isinstance(n, int) or n < 0:
        return False
    if root is not None and (isinstance(root, bool) or not isinstance(root, int)):
        return False
    return design_size(method, n, len(vary)) <= MAX_POINTS


# -- the summary -------------------------------------------------------------------------------


class _Point:
    """What the summary gathers of a point's runs. A point that will not be shown (beyond
    ``max_points``) keeps only its counts and sums (``full`` False): a summary of 100,000 points
    holds the values of the points it shows, not of every run."""

    __slots__ = ("params", "n", "failed", "values", "rungs", "blocked", "blockers", "objectives",
                 "sums", "full")  # fmt: skip

    def __init__(self, params: dict[str, Any], full: bool = True):
        self.full = full
        self.params = params if full else {}
        self.n = self.failed = self.blocked = 0
        self.values: dict[str, list[float]] = {}
        self.rungs: dict[int, int] = {}
        self.blockers: dict[str, int] = {}
        self.objectives: dict[str, Counter] = {}
        self.sums: dict[str, list[float]] = {}  # metric -> [sum, count] for sensitivity

    def drop(self) -> None:
        """Keep only the counts and sums (the point will not be shown)."""
        self.full = False
        self.params, self.values, self.rungs, self.blockers, self.objectives = {}, {}, {}, {}, {}


def summarize(
    rows: Iterable[Mapping[str, Any]] | str | Path,
    *,
    spec: Mapping[str, Any] | None = None,
    max_points: int | None = None,
) -> dict[str, Any]:
    """The summary of a sweep's results (rows, or a results file read with :func:`read_rows`).

    Returns ``{"name", "title", "runs", "failed", "params", "metrics", "outcomes", "points",
    "omitted", "total_points", "sensitivity", "notes"}``; ``outcomes`` names the spec's own
    outcomes (columns ``outcome.NAME``) by NAME, each ``"yes/no"`` or ``"number"``; ``points``
    holds one entry per point (at most ``max_points`` of them, the first by point number;
    ``omitted`` says how many were left out), each with ``params``, ``n``, ``failed``,
    ``metrics`` (:func:`distribution` per metric), ``rungs`` (cumulative :func:`rate` per rung,
    or None), ``blocked`` (a rate, or None), ``blockers`` (a rate per delegation, most frequent
    first), ``objectives`` (a rate per rating) and ``outcomes`` (per outcome NAME: a yes/no as
    a :func:`rate` of the runs saying yes, a number as a :func:`distribution`; a Sobol'/Morris
    sweep also gets their sensitivity indices, as ``outcome.NAME``). ``spec`` is the sweep's
    spec as :func:`read_spec_file` gives it (read from beside a results file when not given):
    its title, and its design for sensitivity indices.
    """
    path = Path(rows) if isinstance(rows, (str, Path)) else None
    records: Iterable[Mapping[str, Any]]
    if path is not None:
        if spec is None:
            spec = read_spec_file(path)
        records = read_rows(path)
    else:
        records = rows  # type: ignore[assignment]  # not a str or Path: rows
    acc: dict[int, _Point] = {}
    columns: list[str] = []
    params: list[str] = []
    numeric: list[tuple[str, bool, bool]] = []  # (metric, in days, distributed)
    objectives: list[str] = []
    shown: list[int] = []  # a max-heap (negated) of the points kept whole: the lowest numbers
    outcomes: list[str] = []  # the spec's own outcomes: outcome.NAME columns
    yes_no: dict[str, bool] = {}  # outcome column -> every value seen so far was yes/no
    for row in records:
        if not columns:  # the columns, sorted out once (a summary may read 100k rows)
            columns = list(row)
            params = [c for c in columns if is_parameter(c)]
            numeric = [(m, m in TIME_METRICS, m in DISTRIBUTED) for m in SENSITIVITY_METRICS
                       if m in row]  # fmt: skip
            objectives = [c for c in columns if c.startswith("objective.")]
            outcomes = [c for c in columns if c.startswith(OUTCOME)]
        p = row["point"]
        a = acc.get(p)
        if a is None:
            full = max_points is None or len(shown) < max_points
            if (
                not full and shown and p < -shown[0]
            ):  # p is shown instead of the highest point so far
                acc[-heapq.heappushpop(shown, -p)].drop()
                full = True
            elif full:
                heapq.heappush(shown, -p)
            a = acc[p] = _Point({k: row.get(k) for k in params}, full)
        a.n += 1
        if not run_ok(row):
            a.failed += 1
            continue
        for m, in_days, distributed in numeric:
            value = row.get(m)
            if value is None:
                continue
            if in_days:
                value = value / 24  # days for people
            if distributed and a.full:
                a.values.setdefault(m, []).append(value)
            total = a.sums.setdefault(m, [0.0, 0])
            total[0] += value
            total[1] += 1
        for c in outcomes:  # as the metrics: kept whole where shown, summed for the indices
            value = row.get(c)
            if value is None:
                continue
            if isinstance(value, str):  # a CSV written elsewhere: true/false, yes/no, 1/0
                said = yes_or_no(value)
                value = value if said is None else said
            if isinstance(value, bool):
                yes_no.setdefault(c, True)
            elif isinstance(value, (int, float)):
                yes_no[c] = False
            else:
                raise SweepError(f"{path or 'results'}: point {p}: column {c} holds "
                                 f"{value!r}, not yes/no or a number")  # fmt: skip
            if a.full:
                a.values.setdefault(c, []).append(float(value))
            total = a.sums.setdefault(c, [0.0, 0])
            total[0] += value
            total[1] += 1
        if not a.full:
            continue
        if row.get("highest_rung") is not None:
            rung = int(row["highest_rung"])
            a.rungs[rung] = a.rungs.get(rung, 0) + 1
        if row.get("n_blocked"):
            a.blocked += 1
            for code in dict.fromkeys(blocking_states(row.get("blocked"))):
                a.blockers[code] = a.blockers.get(code, 0) + 1
        for column in objectives:
            counts = a.objectives.setdefault(column[len("objective.") :], Counter())
            counts[row.get(column) or "-"] += 1
    if path is not None and not acc:
        raise SweepError(f"{path}: no result rows")
    metrics = [m for m in DISTRIBUTED if m in columns]
    order = sorted(acc)
    shown = order if max_points is None else order[:max_points]
    out_points = [_point_summary(p, acc[p], metrics, columns, outcomes, yes_no) for p in shown]
    spec = dict(spec or {})
    sample = spec.get("sample")
    method = sample.get("method") if isinstance(sample, dict) else None
    name = spec.get("name") or (path.stem if path is not None else "")
    notes: list[str] = []
    summary: dict[str, Any] = {
        "name": name,
        "sample": method,
        "title": spec.get("title") or "",
        "runs": sum(a.n for a in acc.values()),
        "failed": sum(a.failed for a in acc.values()),
        "params": params,
        "metrics": metrics,
        "outcomes": {
            c[len(OUTCOME) :]: "yes/no" if yes_no.get(c, True) else "number" for c in outcomes
        },
        "points": out_points,
        "total_points": len(order),
        "omitted": len(order) - len(shown),
        "sensitivity": None,
        "notes": notes,
    }
    if method in ("sobol", "morris"):
        # the spec's own outcomes first: they are the question the sweep was run to answer
        summary["sensitivity"], index_notes = indices(spec, {p: acc[p] for p in order}, columns,
                                                      (*outcomes, *SENSITIVITY_METRICS))  # fmt: skip
        notes += index_notes
    for m in metrics:
        if all(not acc[p].sums.get(m, (0, 0))[1] for p in order):
            notes.append(f"{m}: no run reached it")
    if spec.get(LEFT_OUT):
        notes.append(f"the record beside the results: {spec[LEFT_OUT]}; left out")
    base_model = base_model_note(spec)
    if base_model is not None:
        notes.append(base_model)
    return summary


def _point_summary(point: int, a: _Point, metrics: list[str], columns: list[str],
                   outcomes: list[str], yes_no: Mapping[str, bool]) -> dict:  # fmt: skip
    ok = a.n - a.failed
    rungs = None
    if "highest_rung" in columns:
        rungs = {r: rate(sum(c for k, c in a.rungs.items() if k >= r), ok) for r in RUNGS}
    return {
        "point": point,
        "params": a.params,
        "n": a.n,
        "failed": a.failed,
        "metrics": {
            m: distribution(a.values.get(m, []), ok, derive_seed(0, "bootstrap", point, m))
            for m in metrics
        },
        "rungs": rungs,
        "blocked": rate(a.blocked, ok) if "n_blocked" in columns else None,
        "blockers": {code: rate(k, ok) for code, k in Counter(a.blockers).most_common()},
        "objectives": {
            o: {r: rate(counts.get(r, 0), ok) for r in "PSMU"} for o, counts in a.objectives.items()
        },
        "outcomes": {
            c[len(OUTCOME) :]: _outcome(point, a, c, ok, yes_no.get(c, True)) for c in outcomes
        },
    }


def _outcome(point: int, a: _Point, column: str, ok: int, yes_no: bool) -> dict[str, Any]:
    """A spec's outcome at a point: a yes/no outcome as the share of the runs that have a value
    saying yes (a :func:`rate`), a number as a :func:`distribution` over the runs that have one
    (its ``reached``: the share of runs with a value)."""
    values = a.values.get(column, [])
    if yes_no:
        return rate(int(sum(values)), len(values))
    return distribution(values, ok, derive_seed(0, "outcome", point, column))
