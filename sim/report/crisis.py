"""The after-action report's section on the crisis track of a large-scale incident: what each
level of the Cyber Blueprint did (technical, operational, political, and the assistance beside
them) and the hand-offs between them, first to last (sim/stages/crisis.py). A fold over events,
like the rest of the report; a run without a large-scale incident has no section. render.py lays
it out (``crisis`` in the report's data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import event_kinds as K
from ..events import Event
from ..narrative import describe
from ..vocabulary_view import CRISIS_METRIC_LABELS, format_metric

#: Which event marks each crisis metric (evidence for an objective's rating).
CRISIS_EVIDENCE: dict[str, tuple[str, ...]] = {
    "t_first_technical_report": (K.TECHNICAL_REPORT,),
    "t_cyclone_assessment": (K.OPERATIONAL_ASSESSMENT,),
    "t_ipcr_activation": (K.IPCR,),
    "t_first_isaa": (K.ISAA,),
    "t_psc_isaa": (K.HANDOFF,),
    "t_reserve_deployed": (K.RESERVE_DEPLOYED,),
}
#: The levels, each with the kinds of event that are its own.
LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Technical level: the CSIRTs Network", (K.TECHNICAL_REPORT,)),
    ("Operational level: EU-CyCLONe",
     (K.CYCLONE_MEETING, K.AGENCY_CONTRIBUTION, K.OPERATIONAL_ASSESSMENT)),
    ("Political level: the Presidency (IPCR), the Commission and the EEAS (ISAA)",
     (K.IPCR, K.ISAA)),
    ("Assistance: the EU Cybersecurity Reserve, Art. 42(7) TEU and Art. 222 TFEU",
     (K.RESERVE_REQUEST, K.RESERVE_DEPLOYED, K.ASSISTANCE)),
)  # fmt: skip
#: The hand-offs, in the order of the Blueprint: (label, kind, what the event must hold).
HANDOFFS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("first detection", K.DETECTED, {}),
    ("first CSIRTs Network technical report", K.TECHNICAL_REPORT, {}),
    ("EU-CyCLONe first has a technical report", K.HANDOFF, {"to": "operational"}),
    ("first EU-CyCLONe meeting", K.CYCLONE_MEETING, {}),
    ("first operational assessment", K.OPERATIONAL_ASSESSMENT, {}),
    ("the political level first has an operational assessment", K.HANDOFF, {"to": "political"}),
    ("IPCR activated", K.IPCR, {}),
    ("first ISAA report", K.ISAA, {}),
    ("the PSC first has an ISAA report", K.HANDOFF, {"to": "psc"}),
    ("shared situational awareness endorsed (the Toolbox's procedure)", K.SHARED_AWARENESS, {}),
)


def crisis_section(
    events: list[Event], at: Callable[[float], dict[str, Any]], actors: dict[str, str]
) -> dict[str, Any] | None:
    """The section's content, or None when the run has no crisis track."""
    if not any(e.kind == K.LARGE_SCALE for e in events):
        return None
    levels = [
        {"level": name,
         "events": [{**at(e.t), "text": describe(e, actors)} for e in events if e.kind in kinds]}
        for name, kinds in LEVELS
    ]  # fmt: skip
    handoffs = []
    previous: float | None = None
    for label, kind, match in HANDOFFS:
        first = next((e for e in events if e.kind == kind
                      and all(e.data.get(k) == v for k, v in match.items())), None)  # fmt: skip
        if first is None:
            handoffs.append({"step": label, "offset": "never", "calendar": "", "after": ""})
            continue
        # The Toolbox's own milestone is shown beside the track, not as a step of it.
        after = "" if previous is None or first.t < previous else _span(first.t - previous)
        handoffs.append({"step": label, **at(first.t), "after": after})
        if kind != K.SHARED_AWARENESS:
            previous = first.t
    return {"levels": levels, "handoffs": handoffs}


def _span(hours: float) -> str:
    minutes = round(hours * 60)
    return f"{minutes // 1440}d {minutes % 1440 // 60:02d}h {minutes % 60:02d}m"


def milestones(values: dict[str, Any]) -> list[list[Any]]:
    """(label, value shown) of each crisis metric, for the section's table."""
    return [[label, format_metric(key, values.get(key))]
            for key, label in CRISIS_METRIC_LABELS.items()]  # fmt: skip
