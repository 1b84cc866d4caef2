"""Points of a sweep: a grid, independent random draws or a Latin hypercube."""

from __future__ import annotations

import itertools
import random
from typing import Any

from .spec import Dimension


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
