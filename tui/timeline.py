"""Plain-text timeline and summary of a run, as ``cdtx run`` prints them."""

from __future__ import annotations

from typing import TextIO

from scenarios.safe_read import PrintableWriter
from scenarios.vocabulary import STANCES
from sim.narrative import actor_names, describe, measure, stage
from sim.pending import metric_text, objective_rating
from sim.vocabulary_view import METRIC_LABELS


def print_run(ex, show_positions: bool = False, out: TextIO | None = None) -> None:
    import sys

    # Titles, messages and notes come from files: never let them send escapes to the terminal.
    out = PrintableWriter(out or sys.stdout)
    s = ex.scenario
    cal = ex.calendar
    out.write(f"{s.title}\n")
    out.write(f"scenario {s.id} · seed {ex.seed} · {s.decision_rule} · {ex.timing.mode} timings · "
              f"start {cal.format(0)} Brussels\n\n")  # fmt: skip
    positions: dict[str, list[str]] = {}
    actors = actor_names(s)
    for event in ex.events:
        if event.kind == "position":
            positions.setdefault(event.data["position"], []).append(event.data["state"])
            if not show_positions:
                continue
        if event.kind == "decision" and positions:
            summary = "; ".join(
                f"{p.replace('_', ' ')}: {' '.join(positions[p])}"
                for p in STANCES
                if p in positions
            )
            out.write(f"{cal.label(event.t)}  {'psc':<11} Positions: {summary}\n")
            positions = {}
        text = describe(event, actors)
        if event.kind == "decision_request" and not getattr(ex, "interactive", True):
            # Nobody plays a headless run: the request is answered at once, by the model.
            d = event.data
            text = (f"{d['state']} is played at the table, but nobody plays this run: the model "
                    f"answers for it on {d['proposal']} ({d['advice']})")  # fmt: skip
        out.write(f"{cal.label(event.t)}  {stage(event):<11} {text}\n")
    m = ex.metrics
    # Stopped before the horizon (--until, replay --at): what has not happened yet is pending.
    ended = any(e.kind == "ended" for e in ex.events)
    out.write("\nSummary\n" if ended else "\nSummary so far (the run stopped before the horizon)\n")
    for key, label in METRIC_LABELS.items():
        out.write(f"  {label:<34} {metric_text(key, m[key], ended)}\n")
    if m["blocked"]:
        for block in m["blocked"]:
            out.write(
                f"  {'blocked':<34} {measure(block['measure'])} by {', '.join(block['by'])}\n"
            )
    if s.objectives:
        out.write("\nObjectives (P performed, S some challenges, M major challenges, U unable)\n")
        for objective in s.objectives:
            rating = objective_rating(objective.metric, m["objectives"][objective.id], m, ended)
            out.write(f"  {rating}  {objective.id}  {objective.text}\n")
    out.write(f"\n{len(ex.events)} events · digest {ex.digest}\n")
