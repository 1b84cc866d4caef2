"""How metrics are shown to people (labels, units), shared by the CLI, the console and reports."""

from __future__ import annotations

from typing import Any

from scenarios.measures import MEASURES_DECLARED
from scenarios.vocabulary import TIME_METRICS

from .clock import format_offset
from .metrics import rate

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

#: The crisis track's milestones (sim/stages/crisis.py): shown in the report's section on the
#: track and for objectives, not in the metric lists of every run (they are null without one).
CRISIS_METRIC_LABELS = {
    "t_first_technical_report": "first CSIRTs Network report",
    "t_cyclone_assessment": "first CyCLONe assessment",
    "t_ipcr_activation": "IPCR activated",
    "t_first_isaa": "first ISAA report",
    "t_psc_isaa": "the PSC first has an ISAA report",
    "t_reserve_deployed": "Cybersecurity Reserve deployed",
}
#: Every metric an objective can name, with its label.
ALL_METRIC_LABELS = {**METRIC_LABELS, **CRISIS_METRIC_LABELS}


#: What a rating or a milestone is before the horizon while it may still change.
PENDING = "pending"


def format_metric(key: str, value: Any, ended: bool = True) -> str:
    """A metric as people read it; before the end (``ended`` false) a milestone not reached
    yet is "pending", not "never"."""
    if key.startswith("t_"):
        if value is None:
            return "never" if ended else PENDING
        return f"{format_offset(value)}  ({value / 24:.1f} days)"
    if key == "cohesion":
        return "no decision" if value is None else f"{value:.0%}"
    return str(value)


def rating_so_far(metric: str, target: Any, values: dict[str, Any], ended: bool) -> str:
    """An objective's rating as shown part-way through a run: its P/S/M/U (sim.metrics.rate, the
    rule itself) once nothing still to come can change it, else "pending". After the end
    (``ended``) always the rating. Before it, a milestone reached is final; a rung or a meeting
    count only grows, so P is final there; everything else (a milestone not reached yet, the
    gap, the cohesion of a last decision still to come) is pending."""
    rating = rate(metric, target, values)
    if ended:
        return rating
    if metric in TIME_METRICS:
        return rating if values.get(metric) is not None else PENDING
    if metric in ("highest_rung", "highest_measure", "psc_meetings", "extraordinary_meetings"):
        return rating if rating == "P" else PENDING
    return PENDING
