"""Outcome functions a sweep spec names as ``python: tests.outcome_functions:NAME`` (tests of
sim/sweep/outcomes.py); importable by pool and Dask workers alike."""

from __future__ import annotations


def days_to_listing(ex):
    """Days from the start to the listing's adoption; None when there was none."""
    t = ex.metrics["t_listing"]
    return None if t is None else t / 24


def hungary_opposed(ex):
    """Whether Hungary's delegation ever took the position ``oppose``."""
    return any(e.kind == "position" and e.data["state"] == "HU" and e.data["position"] == "oppose"
               for e in ex.events)  # fmt: skip


def broken(ex):
    raise RuntimeError("this outcome always fails")


NOT_A_FUNCTION = 3


def enormous(ex):
    """An int too large for a float (a hostile or careless outcome)."""
    return 10**400


def takes_nothing():
    """A function that cannot take the exercise: refused when the spec loads."""
    return 1
