"""Sensitivity indices of a Sobol' or Morris sweep (``cdtx[analysis]``).

The output of a point is the mean of a metric over its runs (time metrics in days, over the
runs that reached the milestone); the design is rebuilt from the spec written beside the results
(:func:`sim.sweep.sample.unit_design`), so only the rows and that spec are needed.

Morris designs and elementary effects come from SALib; the Sobol' design is SALib's, built from
scipy's scrambled Sobol' sequence (:func:`sim.sweep.sample.unit_design`). Sobol' indices use SALib's
estimators (first order: Saltelli et al. 2010; total order: Jansen 1999) and its bootstrap of
the intervals, with the same resamples, computed by :func:`sobol_indices` with each metric's
resamples drawn once for all its parameters rather than once per parameter and index as
``SALib.analyze.sobol.analyze`` does: the same numbers (a test compares them with SALib's)
in a fraction of the time, and without importing SALib's analysis (scipy.stats, pandas), which
took longer than a small sweep.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..streams import derive_seed
from .sample import MORRIS_LEVELS, unit_design
from .spec import need

RESAMPLES = 1000
Z95 = 1.959963984540054  # the normal quantile of a 95 % interval


def indices(
    spec: Mapping[str, Any], points: Mapping[int, Any], columns: list[str]
) -> tuple[dict[str, Any] | None, list[str]]:
    """(``{"method", "label", "metrics": {metric: {parameter: indices}}}``, notes) for the
    per-point accumulators ``points`` of a Sobol' or Morris sweep. Sobol' indices are ``S1``,
    ``ST`` with their 95 % half-widths ``S1_conf``, ``ST_conf``; Morris gives ``mu_star``,
    ``mu_star_conf`` and ``sigma``. A metric that no run of some point reached, or that is the
    same at every point, gets a note instead of indices."""
    from .summary import SENSITIVITY_METRICS

    method = spec["sample"]["method"]
    n = int(spec["sample"]["n"])
    names = list(spec.get("vary") or {})
    dims = len(names)
    expected = n * (dims + 2) if method == "sobol" else n * (dims + 1)
    notes: list[str] = []
    if sorted(points) != list(range(expected)):
        missing = expected - sum(1 for p in points if 0 <= p < expected)
        notes.append(
            f"sensitivity indices need every point of the design ({expected:,}); "
            f"{missing:,} are missing (resume the sweep to complete it)"
        )
        return None, notes
    problem = {"num_vars": dims, "names": names, "bounds": [[0.0, 1.0]] * dims}
    seed = derive_seed(int(spec.get("root") or 0), "sweep-sample", method)
    if method == "sobol":
        label = f"Sobol' indices, N = {n} base samples, {expected:,} points"
    else:
        analyze = need("SALib.analyze.morris", "analysis", "Morris screening")
        design = unit_design("morris", n, dims, seed)
        label = f"Morris screening, {n} trajectories, {expected:,} points"
    np = need("numpy", "analysis", "Sensitivity indices")
    out: dict[str, Any] = {}
    constant, unreached = [], []
    for m in SENSITIVITY_METRICS:
        if m not in columns:
            continue
        ys = []
        for p in range(expected):
            total, count = points[p].sums.get(m, (0.0, 0))
            ys.append(total / count if count else math.nan)
        gaps = sum(1 for y in ys if math.isnan(y))
        if gaps:
            unreached.append(f"{m} ({gaps:,})")
            continue
        if max(ys) - min(ys) < 1e-12:
            constant.append(m)
            continue
        y = np.array(ys, dtype=float)
        if method == "sobol":
            r = sobol_indices(y, dims, RESAMPLES, seed % 2**32)
            keys: tuple[str, ...] = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            r = analyze.analyze(problem, design, y, num_resamples=RESAMPLES, conf_level=0.95,
                                num_levels=MORRIS_LEVELS, seed=seed % 2**32)  # fmt: skip
            keys = ("mu_star", "mu_star_conf", "sigma")
        out[m] = {name: {k: float(r[k][i]) for k in keys} for i, name in enumerate(names)}
    if constant:
        notes.append("no indices for metrics the same at every point: " + ", ".join(constant))
    if unreached:
        notes.append("no indices for metrics some points never reached (points): "
                     + ", ".join(unreached))  # fmt: skip
    return ({"method": method, "label": label, "metrics": out} if out else None), notes


def sobol_indices(y: Any, dims: int, resamples: int, seed: int) -> dict[str, Any]:
    """First- and total-order Sobol' indices of the outputs ``y`` of a Saltelli design without
    second order (N blocks of D + 2 rows: A, A with column j from B for each j, B), with 95 %
    bootstrap half-widths: ``{"S1", "S1_conf", "ST", "ST_conf"}``, arrays of ``dims``.

    The numbers of ``SALib.analyze.sobol.analyze(problem, y, calc_second_order=False,
    num_resamples=resamples, conf_level=0.95, seed=seed)`` (same estimators, same resamples);
    what SALib recomputes for every parameter and index (the resampled A and B and their
    variance) is computed once."""
    np = need("numpy", "analysis", "Sensitivity indices")
    y = np.asarray(y, dtype=float)
    step = dims + 2
    n = y.size // step
    if n * step != y.size:
        raise ValueError(f"{y.size} outputs are not N blocks of {step} (a Sobol' design)")
    eps = np.finfo(float).eps
    y = (y - y.mean()) / y.std()
    blocks = y.reshape(n, step)
    a, b, ab = blocks[:, 0], blocks[:, -1], blocks[:, 1:-1]
    draw = np.random.default_rng(seed).integers(n, size=(n, resamples))
    a_r, b_r = a[draw], b[draw]
    both_r = np.concatenate((a_r, b_r))
    spread_r = np.ptp(both_r)  # 0: every resample constant (SALib: intervals 0)
    var = np.var(np.concatenate((a, b)))
    var_r = np.var(both_r, axis=0)
    constant = np.ptp(np.concatenate((a, b))) <= eps

    def ratio(num: Any, den: Any) -> Any:
        return np.divide(num, den, out=np.zeros_like(den, dtype=float), where=den > eps)

    out = {k: np.zeros(dims) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    for j in range(dims):
        ab_j, ab_r = ab[:, j], ab[draw, j]
        if not constant:
            out["S1"][j] = ratio(np.mean(b * (ab_j - a), axis=0), var)
            out["ST"][j] = ratio(0.5 * np.mean((a - ab_j) ** 2, axis=0), var)
        if spread_r > eps:
            s1_r = ratio(np.mean(b_r * (ab_r - a_r), axis=0), var_r)
            st_r = ratio(0.5 * np.mean((a_r - ab_r) ** 2, axis=0), var_r)
        else:
            s1_r = st_r = np.zeros(resamples)
        if spread_r != 0.0:
            out["S1_conf"][j] = Z95 * s1_r.std(ddof=1)
            out["ST_conf"][j] = Z95 * st_r.std(ddof=1)
    return out
