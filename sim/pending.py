"""What has not happened yet, before the horizon, is *pending*: not "U", not "never".

A run stopped early (``cdtx run --until``, ``cdtx replay --at``, a truncated recording) has the
metrics of what happened so far; ``sim.metrics`` rates them as if the run were over. These
helpers of the display layer say "pending" for a milestone not reached yet and for an objective
whose metric is such a milestone, and "so far" for a rating that may still change.
"""

from __future__ import annotations

from typing import Any

from scenarios.vocabulary import TIME_METRICS

from .vocabulary_view import format_metric

PENDING = "pending"


def metric_text(key: str, value: Any, ended: bool) -> str:
    """``format_metric``, with "pending" for a milestone the run has not reached yet."""
    if not ended and value is None and key in TIME_METRICS:
        return f"{PENDING} (not reached yet)"
    return format_metric(key, value)


def objective_rating(metric: str, rating: str, values: dict[str, Any], ended: bool) -> str:
    """The objective's rating to show: as rated after the end; before it, "pending" while its
    milestone has not been reached, and the rating "so far" otherwise (unless performed)."""
    if ended:
        return rating
    if metric in TIME_METRICS and values.get(metric) is None:
        return PENDING
    return rating if rating == "P" else f"{rating} so far"
