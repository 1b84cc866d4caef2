"""The evaluator's entries in the after-action report (sim/evaluation.py records them).

Per objective: the evaluator's rating next to the automatic one, and the observations; for the
exercise: the hot wash, per participant, which also feeds the improvement plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import evaluation
from ..events import Event


def evaluation_section(events: list[Event], at: Callable[[float], dict[str, Any]]) -> dict:
    """``{"objectives": {id: {"rating", "rating_name", "why", "observations"}}, "hotwash":
    {"strengths": [...], "improvements": [...]}, "observations": [...]}`` (observations without
    an objective are listed for the whole exercise)."""
    entries = evaluation.current(events)
    rated = evaluation.ratings(entries)
    objectives: dict[str, dict[str, Any]] = {}
    loose = []
    for entry in entries:
        if entry.entry != "observation":
            continue
        item = {**at(entry.t), "state": entry.state, "text": entry.text, "edited": entry.edited}
        if entry.objective:
            objectives.setdefault(entry.objective, {"observations": []})
            objectives[entry.objective]["observations"].append(item)
        else:
            loose.append(item)
    for objective, entry in rated.items():
        mine = objectives.setdefault(objective, {"observations": []})
        # a recording edited to another rating is reported as it reads (replay refuses it)
        rating = entry.rating if isinstance(entry.rating, str) else str(entry.rating)[:40]
        name = evaluation.RATING_WORDS.get(rating, f"not a rating ({rating!r})")
        mine.update(rating=rating, rating_name=name, why=entry.text)
    hotwash: dict[str, list[dict[str, Any]]] = {"strengths": [], "improvements": []}
    for entry in entries:
        if entry.entry == "hotwash":
            key = "strengths" if entry.about == "strength" else "improvements"
            who = entry.who or entry.state or "participant"
            hotwash[key].append({**at(entry.t), "who": who, "text": entry.text})
    return {"objectives": objectives, "observations": loose, "hotwash": hotwash}
