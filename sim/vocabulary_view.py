"""How metrics are shown to people (labels, units), shared by the CLI, the console and reports."""

from __future__ import annotations

from typing import Any

from scenarios.measures import MEASURES_DECLARED

from .clock import format_offset

METRIC_LABELS = {
    "t_first_detection": "first detection",
    "t_shared_awareness": "shared situational awareness",
    "t_first_attribution": "first national attribution",
    "t_first_psc": "first PSC meeting",
    **{m.time_metric: f"{m.short_name} adopted" for m in MEASURES_DECLARED if m.time_metric},
    "highest_measure": "highest measure",
    "highest_rung": "highest rung reached",
    "recommended_rung": "proportionate rung",
    "proportionality_gap": "proportionality gap (rungs)",
    "psc_meetings": "PSC meetings",
    "extraordinary_meetings": "extraordinary meetings",
    "cohesion": "cohesion at the last decision",
}


def format_metric(key: str, value: Any) -> str:
    if key.startswith("t_"):
        return "never" if value is None else f"{format_offset(value)}  ({value / 24:.1f} days)"
    if key == "cohesion":
        return "no decision" if value is None else f"{value:.0%}"
    return str(value)
