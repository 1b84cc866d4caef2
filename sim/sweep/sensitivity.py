"""Sensitivity indices of a Sobol' or Morris sweep, through SALib (``cdtx[analysis]``).

The output of a point is the mean of a metric over its runs (time metrics in days, over the
runs that reached the milestone); the design is rebuilt from the spec written beside the results
(:func:`sim.sweep.sample.unit_design`), so only the rows and that spec are needed.

Designs, indices and their intervals come from SALib: the Sobol' design from
``SALib.sample.sobol`` (Saltelli's scheme on scipy's scrambled Sobol' sequence), the indices from
``SALib.analyze.sobol`` (first order: Saltelli et al. 2010; total order: Jansen 1999) with its
bootstrap intervals, Morris designs and elementary effects from ``SALib.sample.morris`` and
``SALib.analyze.morris``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from scenarios.vocabulary import TIME_METRICS

from .outcomes import PREFIX as OUTCOME
from .sample import MORRIS_LEVELS, design_seed, unit_design
from .spec import design_size, need

RESAMPLES = 1000
#: Resamples of the smaller designs of the convergence table (their point estimates are what
#: it shows; their intervals only say whether they overlap).
CONVERGENCE_RESAMPLES = 200
#: A design is degenerate for a metric when fewer of its pairs (points differing in one input
#: only) give different outputs than this share of its pairs, or than :data:`DEGENERATE_PAIRS`:
#: the indices then rest on a handful of differences and mean nothing.
DEGENERATE_SHARE = 0.01
DEGENERATE_PAIRS = 10
#: Indices are ``uncertain`` when an interval (clipped to [0, 1]) is wider than this, or when an
#: index moves by more than :data:`UNSTABLE` between N/2 and N (the convergence table).
UNCERTAIN_WIDTH = 0.3
UNSTABLE = 0.1
#: Yes/no outcomes derived from the time metrics: the share of a point's runs that reached the
#: milestone (``reached:t_listing``), so a milestone some points never reach still gets indices.
REACHED = "reached:"


def metric_label(metric: str) -> str:
    """A metric as headings name it: time metrics with their unit (``t_listing (days)``), a
    milestone's share of runs (``reached:t_listing``: ``t_listing reached (share of runs)``) and
    a spec's own outcome by the name the spec gives it (``outcome.listing_adopted``:
    ``listing_adopted (outcome)``)."""
    if metric in TIME_METRICS:
        return f"{metric} (days)"
    if metric.startswith(REACHED):
        return f"{metric[len(REACHED) :]} reached (share of runs)"
    if metric.startswith(OUTCOME):
        return f"{metric[len(OUTCOME) :]} (outcome)"
    return metric


def outputs(points: Mapping[int, Any], expected: int, metric: str) -> list[float]:
    """The output of every point of a design for ``metric``: the mean over the point's runs
    (time metrics in days, over the runs that reached them), or for ``reached:t_x`` the share of
    its runs that reached ``t_x``; nan where there is none."""
    ys = []
    for p in range(expected):
        a = points[p]
        if metric.startswith(REACHED):
            ok = a.n - a.failed
            ys.append(a.sums.get(metric[len(REACHED) :], (0.0, 0))[1] / ok if ok else math.nan)
        else:
            total, count = a.sums.get(metric, (0.0, 0))
            ys.append(total / count if count else math.nan)
    return ys


def _pairs(method: str, y, dims: int, design=None) -> list[int]:
    """Per input, how many of the design's pairs that differ in that input alone give different
    outputs (Sobol': A and AB_i of each base sample; Morris: the steps of a trajectory, each
    moving one input: which one, the ``design`` says)."""
    if method == "sobol":
        block = y.reshape(-1, dims + 2)
        return [int((block[:, 1 + i] != block[:, 0]).sum()) for i in range(dims)]
    counts = [0] * dims
    steps = y.reshape(-1, dims + 1)
    grid = design.reshape(-1, dims + 1, dims)
    for t in range(steps.shape[0]):
        for s in range(dims):
            moved = int(abs(grid[t, s + 1] - grid[t, s]).argmax())
            counts[moved] += int(steps[t, s + 1] != steps[t, s])
    return counts


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _sobol(analyze, problem, y, seed: int, resamples: int) -> dict[str, dict[str, float]]:
    np = need("numpy", "analysis", "Sensitivity indices")
    # SALib warns of constant outputs in its resamples; the status says what that means
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        r = analyze.analyze(problem, y, calc_second_order=False, num_resamples=resamples,
                            conf_level=0.95, seed=seed % 2**32)  # fmt: skip
    out = {}
    for i, name in enumerate(problem["names"]):
        v: dict[str, float] = {}
        for k in ("S1", "ST"):
            value, conf = float(r[k][i]), abs(float(r[f"{k}_conf"][i]))
            # An index is a share of variance: outside [0, 1] is sampling error, and so is an
            # interval end beyond it; the raw estimate stays in ``{k}_raw``.
            v.update({k: _clip(value), f"{k}_raw": value, f"{k}_conf": conf,
                      f"{k}_low": _clip(value - conf), f"{k}_high": _clip(value + conf)})  # fmt: skip
        out[name] = v
    return out


def _morris(analyze, problem, design, y, seed: int, resamples: int) -> dict[str, dict[str, float]]:
    r = analyze.analyze(problem, design, y, num_resamples=resamples, conf_level=0.95,
                        num_levels=MORRIS_LEVELS, seed=seed % 2**32)  # fmt: skip
    return {name: {"mu_star": float(r["mu_star"][i]), "mu_star_conf": float(r["mu_star_conf"][i]),
                   "sigma": float(r["sigma"][i])}
            for i, name in enumerate(problem["names"])}  # fmt: skip


def indices(
    spec: Mapping[str, Any], points: Mapping[int, Any], columns: list[str], numeric: Sequence[str]
) -> tuple[dict[str, Any] | None, list[str]]:
    """(``{"method", "label", "n", "metrics", "status", "pairs", "convergence"}``, notes) for
    the per-point accumulators ``points`` of a Sobol' or Morris sweep.

    ``metrics[metric][parameter]``: Sobol' ``S1`` and ``ST`` clipped to [0, 1] (the estimate as
    SALib gives it in ``S1_raw``), their 95 % half-widths ``S1_conf``, ``ST_conf`` and interval
    ends clipped to [0, 1] ``S1_low``, ``S1_high``, ``ST_low``, ``ST_high``; Morris ``mu_star``,
    ``mu_star_conf`` and ``sigma``. ``status[metric]`` says whether to trust them: ``degenerate``
    (too few of the design's one-input pairs give different outputs), ``uncertain`` (an interval
    wider than :data:`UNCERTAIN_WIDTH`, or an index that moved more than :data:`UNSTABLE` from
    N/2 to N), else ``ok``. ``pairs[metric]``: per parameter, the pairs that differ, of
    ``pairs_total``. ``convergence[metric]``: rows ``{"n", parameter: {index: value}}`` for N/4,
    N/2 and N (values None where the output did not vary on the smaller design). Metrics: those
    of ``numeric`` among ``columns`` (a spec's own outcomes ``outcome.NAME`` among them: a
    yes/no outcome's output is the share of a point's runs that say yes), and ``reached:t_x`` (the share of a point's runs that
    reached ``t_x``) for each time metric. A metric that some point has no value of, or that is
    the same at every point, gets a note instead of indices."""
    method = spec["sample"]["method"]
    n = int(spec["sample"]["n"])
    names = list(spec.get("vary") or {})
    dims = len(names)
    expected = design_size(method, n, dims)
    notes: list[str] = []
    if sorted(points) != list(range(expected)):
        missing = expected - sum(1 for p in points if 0 <= p < expected)
        notes.append(
            f"sensitivity indices need every point of the design ({expected:,}); "
            f"{missing:,} are missing (resume the sweep to complete it)"
        )
        return None, notes
    problem = {"num_vars": dims, "names": names, "bounds": [[0.0, 1.0]] * dims}
    seed = design_seed(int(spec.get("root") or 0), method)
    design: Any = None  # Morris only: the unit design the elementary effects are taken on
    if method == "sobol":
        analyze = need("SALib.analyze.sobol", "analysis", "Sobol' indices")
        label = f"Sobol' indices, N = {n} base samples, {expected:,} points"
        block = dims + 2
    else:
        analyze = need("SALib.analyze.morris", "analysis", "Morris screening")
        design = unit_design("morris", n, dims, seed)
        label = f"Morris screening, {n} trajectories, {expected:,} points"
        block = dims + 1
    np = need("numpy", "analysis", "Sensitivity indices")
    metrics = [m for m in numeric if m in columns]
    metrics += [REACHED + m for m in TIME_METRICS if m in columns]
    out: dict[str, Any] = {}
    status: dict[str, str] = {}
    pairs: dict[str, dict[str, int]] = {}
    convergence: dict[str, list[dict[str, Any]]] = {}
    constant: list[str] = []
    unreached: list[str] = []
    valueless: list[str] = []
    pairs_total = n * dims
    for m in metrics:
        ys = outputs(points, expected, m)
        gaps = sum(1 for y in ys if math.isnan(y))
        if gaps:
            if m in TIME_METRICS:
                unreached.append(f"{m} ({gaps:,})")
            else:
                valueless.append(f"{metric_label(m)} ({gaps:,})")
            continue
        if max(ys) - min(ys) < 1e-12:
            if not m.startswith(REACHED):  # every run reached it, or none: nothing to say
                constant.append(m if m in TIME_METRICS else metric_label(m))
            continue
        y = np.array(ys, dtype=float)

        def run(size: int, resamples: int, y=y):
            rows = size * block
            if method == "sobol":
                return _sobol(analyze, problem, y[:rows], seed, resamples)
            return _morris(analyze, problem, design[:rows], y[:rows], seed, resamples)

        out[m] = run(n, RESAMPLES)
        counts = _pairs(method, y, dims, design)
        pairs[m] = dict(zip(names, counts, strict=True))
        keys = ("S1", "ST") if method == "sobol" else ("mu_star",)
        rows = []
        for size in sorted({n // 4, n // 2}):
            if size < 2 or size == n:
                continue
            if len(set(ys[: size * block])) > 1:
                got = run(size, CONVERGENCE_RESAMPLES)
                rows.append({"n": size, **{p: {k: got[p][k] for k in keys} for p in names}})
            else:  # the output does not vary yet on the smaller design: no indices there
                rows.append({"n": size, **{p: {k: None for k in keys} for p in names}})
        rows.append({"n": n, **{p: {k: out[m][p][k] for k in keys} for p in names}})
        convergence[m] = rows
        status[m] = _status(method, out[m], counts, pairs_total, rows, keys)
    if constant:
        notes.append("no indices for metrics the same at every point: " + ", ".join(constant))
    if unreached:
        notes.append("no indices for metrics some points never reached (points): "
                     + ", ".join(unreached) + f"; their {REACHED}* share has indices")  # fmt: skip
    if valueless:  # e.g. a Python outcome that gave no number in any run of some points
        notes.append("no indices for outputs some points have no value of (points): "
                     + ", ".join(valueless))  # fmt: skip
    for m, s in status.items():
        if s == "degenerate":
            differ = sum(pairs[m].values())
            notes.append(f"{metric_label(m)}: indices degenerate: only {differ} of {pairs_total} one-input "
                         "pairs give different outputs; they mean nothing (vary wider ranges, "
                         "or run more base samples and seeds)")  # fmt: skip
        elif s == "uncertain":
            notes.append(f"{metric_label(m)}: indices uncertain: wide intervals or not converged from N/2 "
                         "to N; run more base samples to rank the inputs")  # fmt: skip
    result = {"method": method, "label": label, "n": n, "metrics": out, "status": status,
              "pairs": pairs, "pairs_total": pairs_total, "convergence": convergence}  # fmt: skip
    return (result if out else None), notes


def _status(method: str, values: dict, counts: list[int], total: int, rows: list[dict],
            keys: tuple[str, ...]) -> str:  # fmt: skip
    """``degenerate``, ``uncertain`` or ``ok`` (see :func:`indices`)."""
    if sum(counts) < max(DEGENERATE_PAIRS, DEGENERATE_SHARE * total):
        return "degenerate"
    if method == "sobol":
        wide = max(v[f"{k}_high"] - v[f"{k}_low"] for v in values.values() for k in keys)
        scale = 1.0
    else:
        scale = max(v["mu_star"] for v in values.values()) or 1.0
        wide = max(2 * v["mu_star_conf"] for v in values.values()) / scale
    moved = 0.0
    if len(rows) >= 2:
        half, full = rows[-2], rows[-1]
        if any(half[p][k] is None for p in values for k in keys):
            return "uncertain"  # nothing varied at N/2
        moved = max(abs(full[p][k] - half[p][k]) for p in values for k in keys) / scale
    return "uncertain" if wide > UNCERTAIN_WIDTH or moved > UNSTABLE else "ok"
