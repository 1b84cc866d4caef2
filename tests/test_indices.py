"""Summaries and sensitivity indices that are fast and say when they cannot be trusted (issue 24):
the order-statistic bootstrap, degenerate designs, clipped intervals, convergence over N,
yes/no milestone outcomes and the plots drawn from them."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from sim.sweep.summary import bootstrap_median, bootstrap_medians


@pytest.mark.parametrize("values", [[1.0, 2.0, 3.0, 7.0, 20.0], [1.0, 2.0, 3.0, 7.0, 20.0, 21.0],
                                    [3.0, 5.0], [float(v) for v in range(9)]])  # fmt: skip
def test_order_statistic_draws_have_the_distribution_of_resampled_medians(values):
    """Drawing a resample's median as an order statistic is the same bootstrap as sorting n
    resampled values: every possible median comes up as often (to sampling error)."""
    draws = 40_000
    fast = Counter(bootstrap_medians(values, seed=1, resamples=draws).tolist())
    rng = np.random.default_rng(2)
    xs = np.array(values)
    slow = Counter(np.median(xs[rng.integers(0, len(xs), size=(draws, len(xs)))], axis=1).tolist())
    for value in set(fast) | set(slow):
        p = slow[value] / draws
        assert abs(fast[value] / draws - p) < 5 * (p * (1 - p) / draws) ** 0.5 + 1e-3, value


def test_bootstrap_interval_of_many_runs_is_narrow_and_brackets_the_median():
    values = [float(v % 97) for v in range(5_001)]  # a median of 48
    low, high = bootstrap_median(values, seed=3)
    assert 45 <= low <= 48 <= high <= 51
