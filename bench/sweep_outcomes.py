"""An outcome function for bench/sweep.py's outcomes part (``python: bench.sweep_outcomes:...``)."""

from __future__ import annotations


def declaration_day(ex):
    """Day of the HR declaration (None when there was none)."""
    t = ex.metrics["t_hr_declaration"]
    return None if t is None else t / 24
