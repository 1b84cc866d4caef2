"""Plain-text timeline and summary of a run, as ``cdtx run`` prints them."""

from __future__ import annotations

from typing import TextIO

from scenarios.safe_read import PrintableWriter
from scenarios.vocabulary import STANCES
from sim.narrative import actor_names, describe, is_headless, measure, stage
from sim.vocabulary_view import (
    CRISIS_METRIC_LABELS,
    METRIC_LABELS,
    format_metric,
    rating_so_far,
)


def print_run(ex, show_positions: bool = False, out: TextIO | None = None) -> None:
    import sys

    # Titles, messages and notes come from files: never let them send escapes to the terminal.
    out = PrintableWriter(out or sys.stdout)
    s = ex.scenario
    cal = ex.calendar
    out.write(f"{s.title}\n")
    out.write(f"scenario {s.id} · seed {ex.seed} · {s.decision_rule} · {ex.timing.mode} timings · "
              f"start {cal.format(0)} Brussels\n")  # fmt: skip
    positions: dict[str, list[str]] = {}
    actors = actor_names(s)
    headless = is_headless(ex.events)
    players = getattr(ex, "players", None) or s.players
    if headless and players:
        out.write(f"Nobody plays at the table in this run: the model answers for "
                  f"{', '.join(players)} (cdtx play to play them).\n")  # fmt: skip
    out.write("\n")
    # Stated reasons (a position's or an answer's message), quoted again at the decision.
    stated: dict[tuple[str, str], str] = {}
    quoted: list[str] = []
    for event in ex.events:
        if event.kind == "position_fixed" and event.data.get("statement"):
            stated[(event.data["state"], event.data["measure"])] = event.data["statement"]
        if event.kind == "position":
            positions.setdefault(event.data["position"], []).append(event.data["state"])
            statement = stated.pop((event.data["state"], event.data["measure"]), None)
            if statement:
                quoted.append(f'{event.data["state"]}: "{statement}"')
            if not show_positions:
                continue
        if event.kind == "decision" and positions:
            summary = "; ".join(
                f"{p.replace('_', ' ')}: {' '.join(positions[p])}"
                for p in STANCES
                if p in positions
            )
            out.write(f"{cal.label(event.t)}  {'psc':<11} Positions: {summary}\n")
            if quoted:
                out.write(f"{cal.label(event.t)}  {'psc':<11} Stated: {'; '.join(quoted)}\n")
            positions, quoted = {}, []
        line = describe(event, actors, headless=headless)
        out.write(f"{cal.label(event.t)}  {stage(event):<11} {line}\n")
    m = ex.metrics
    # Before the horizon what has not happened yet is pending (cdtx run --until, replay --at).
    ended = any(event.kind == "ended" for event in ex.events[-1:])
    out.write("\nSummary" + ("" if ended else f" so far (at {ex.calendar.label(_now(ex))})") + "\n")
    labels = dict(METRIC_LABELS)
    if s.large_scale_incident is not None:  # the crisis track's milestones (docs/model.md)
        labels.update(CRISIS_METRIC_LABELS)
    for key, label in labels.items():
        out.write(f"  {label:<34} {format_metric(key, m[key], ended)}\n")
    if m["blocked"]:
        for block in m["blocked"]:
            out.write(
                f"  {'blocked':<34} {measure(block['measure'])} by {', '.join(block['by'])}\n"
            )
    if s.objectives:
        legend = "P performed, S some challenges, M major challenges, U unable"
        if not ended:
            legend += "; pending: still open before the horizon"
        out.write(f"\nObjectives ({legend})\n")
        for objective in s.objectives:
            rating = rating_so_far(objective.metric, objective.target, m, ended)
            out.write(f"  {rating}  {objective.id}  {objective.text}\n")
    out.write(f"\n{len(ex.events)} events · digest {ex.digest}\n")


def _now(ex) -> float:
    """The sim time a run or a recording's view has reached."""
    now = getattr(ex, "now", None)
    if now is not None:
        return now
    return ex.events[-1].t if ex.events else 0.0
