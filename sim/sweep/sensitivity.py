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
from collections.abc import Mapping
from typing import Any

from .sample import MORRIS_LEVELS, design_seed, unit_design
from .spec import design_size, need

RESAMPLES = 1000


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
    if method == "sobol":
        analyze = need("SALib.analyze.sobol", "analysis", "Sobol' indices")
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
            r = analyze.analyze(problem, y, calc_second_order=False, num_resamples=RESAMPLES,
                                conf_level=0.95, seed=seed % 2**32)  # fmt: skip
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
