"""One line of plain language per event, for the timeline of ``cdtx run``, the console and reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .event_kinds import EVENT_KINDS
from .events import Event
from .names import (  # noqa: F401  (re-exported: the names are part of this module's API)
    BODY_NAMES,
    MEASURE_NAMES,
    PROPOSER_NAMES,
    SHORT_MEASURE_NAMES,
    body,
    measure,
    pct,
    short,
    state_name,
)
from .stages.injects import ENGINE

#: Which stage of the procedure each kind of event belongs to (for filters and colours).
STAGE_OF: dict[str, str] = {name: kind.stage for name, kind in EVENT_KINDS.items()}
_TEXT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    name: kind.text for name, kind in EVENT_KINDS.items()
}


#: Events whose ``actor`` is a threat actor's id, shown by name when the names are given.
_NAMES_AN_ACTOR = frozenset(name for name, kind in EVENT_KINDS.items() if kind.names_actor)
#: Events whose fields name member states by code (said by name when names are given).
_NAMES_STATES = {name: kind.names_states for name, kind in EVENT_KINDS.items() if kind.names_states}


def actor_names(scenario) -> dict[str, str]:
    """Threat actor id -> name, for :func:`describe`."""
    return {actor.id: actor.name for actor in scenario.threat_actors}


def describe(
    event: Event,
    actors: Mapping[str, str] | None = None,
    *,
    headless: bool = False,
    names: Mapping[str, str] | None = None,
) -> str:
    """Plain-language line for an event; ``actors`` (:func:`actor_names`) names threat actors
    as the scenario does instead of by id; ``names`` (member state code -> name, as the pages
    say them) names the states a kind declares (``EventKind.names_states``) instead of by code.
    ``headless``: a run nobody played (not interactive), where a played delegation's decision
    request is answered by the model at once."""
    d = event.data
    if headless and event.kind == "decision_request":
        return (
            f"Nobody plays {d['state']} in this run: the model answers for the table on "
            f"{d['proposal']} ({d['advice']})"
        )
    if actors and event.kind in _NAMES_AN_ACTOR and d.get("actor") in actors:
        d = {**d, "actor": actors[d["actor"]]}
    fields = _NAMES_STATES.get(event.kind, ()) if names else ()
    if names and fields:
        d = {**d, **{f: names[d[f]] for f in fields if d.get(f) in names}}
    text = _TEXT.get(event.kind)
    return text(d) if text else f"{event.kind}: {d}"


def is_headless(events, header: Mapping | None = None) -> bool:
    """Whether a run was played by nobody: its ``started`` event (or recording header) says
    ``interactive: false``. Runs recorded before the field existed count as played."""
    if header and header.get("interactive") is not None:
        return not header["interactive"]
    for event in events[:1]:
        if event.kind == "started" and event.data.get("interactive") is not None:
            return not event.data["interactive"]
    return False


def stage(event: Event) -> str:
    return STAGE_OF.get(event.kind, "other")


def inject_summary(inject: Mapping) -> str:
    """What an inject does, in a few words, from its params (MSEL entry shape): for lists and
    tables where an inject has no message of its own. Each inject type registers its words
    with its effect (sim/stages/injects.py)."""
    engine = ENGINE.get(str(inject.get("type")))
    if engine is None:
        return ""
    return engine.summary(inject.get("params") or {}, ", ".join(inject.get("to") or []))
