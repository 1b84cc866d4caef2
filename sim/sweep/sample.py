"""Points of a sweep: a grid, independent random draws or a Latin hypercube."""

from __future__ import annotations

import itertools
import random
from typing import Any

from ..streams import derive_seed
from .spec import Dimension, need


def _grid_points(dims: list[Dimension]) -> list[dict[str, Any]]:
    combos = itertools.product(*(d.args for d in dims))
    return [dict(zip([d.path for d in dims], combo, strict=True)) for combo in combos]


def _random_points(dims: list[Dimension], n: int, rng: random.Random) -> list[dict[str, Any]]:
    return [{d.path: d.draw(rng.random()) for d in dims} for _ in range(n)]


def _lhs_points(dims: list[Dimension], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Latin hypercube: each dimension's N strata are each hit exactly once."""
    columns = []
    for d in dims:
        strata = list(range(n))
        rng.shuffle(strata)
        columns.append([d.draw((s + rng.random()) / n) for s in strata])
    return [{d.path: columns[j][i] for j, d in enumerate(dims)} for i in range(n)]


def design_seed(root: int, method: str) -> int:
    """The seed of a Sobol' or Morris design of a sweep with root seed ``root``: the sweep draws
    its points with it, and the summary rebuilds the same design with it."""
    return derive_seed(root, "sweep-sample", method)


def unit_design(method: str, n: int, dims: int, seed: int):
    """The SALib design of a Sobol' (Saltelli's scheme, first and total order: N x (D + 2)
    rows) or Morris (N trajectories of D + 1 rows, 4 levels) sweep, in the unit hypercube.

    Values are quantiles: each dimension maps them to its distribution (:meth:`Dimension.draw`),
    which leaves the indices unchanged. The same (method, n, dims, seed) always gives the same
    design, so a summary can rebuild it from the spec written beside the results."""
    problem = {"num_vars": dims, "names": [f"x{i}" for i in range(dims)],
               "bounds": [[0.0, 1.0]] * dims}  # fmt: skip
    if method == "sobol":
        sobol = need("SALib.sample.sobol", "analysis", "A Sobol' sweep")
        return sobol.sample(problem, n, calc_second_order=False, scramble=True,
                            seed=seed % 2**32)  # fmt: skip
    morris = need("SALib.sample.morris", "analysis", "A Morris sweep")
    return morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed % 2**32)


MORRIS_LEVELS = 4


def _design_points(dims: list[Dimension], method: str, n: int, seed: int) -> list[dict[str, Any]]:
    # SALib reaches 1.0 exactly (Morris levels, Sobol' edges): keep quantiles inside [0, 1)
    # so that a list's last value is not drawn twice as often.
    design = unit_design(method, n, len(dims), seed)
    return [{d.path: d.draw(min(float(u), 1 - 1e-12)) for d, u in zip(dims, row, strict=True)}
            for row in design]  # fmt: skip
