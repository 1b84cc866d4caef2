"""Cross-reference checks that a per-field schema cannot express.

They run on the raw parsed data (not the typed model) so that they still report what they can
when other parts of the file are wrong: a user sees every problem in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .model import INJECT_TYPE, InjectType, references
from .vocabulary import COUNT_METRICS, MEASURES, TIME_METRICS, parse_duration

Path = tuple


def who_acts(inject_type: Any) -> str:
    """Why an inject's state must have been hit: who may act under the act it applies."""
    if inject_type == "reserve":  # Regulation (EU) 2025/38, Art. 14(3)-(4), Art. 15
        return "the Reserve supports a state whose entities the incident hits"
    return "the state attacked invokes it"  # Art. 42(7) TEU, Art. 222 TFEU


def _items(data: Any, key: str) -> list[tuple[int, dict]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _duplicates(entries: list[tuple[int, dict]], section: str) -> Iterator[tuple[Path, str]]:
    seen: dict[Any, int] = {}
    for i, entry in entries:
        ident = entry.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            yield (section, i, "id"), f"duplicate id {ident!r} (also {section}[{seen[ident]}])"
        else:
            seen[ident] = i


def _hours(value: Any) -> float | None:
    try:
        return parse_duration(value)
    except ValueError:
        return None


def check(data: Any) -> Iterator[tuple[Path, str]]:
    """Yield (path, message) for every dangling or inconsistent reference in a scenario."""
    if not isinstance(data, dict):
        return
    actors = _items(data, "threat_actors")
    incidents = _items(data, "incidents")
    objectives = _items(data, "objectives")
    msel = _items(data, "msel")
    yield from _duplicates(actors, "threat_actors")
    yield from _duplicates(incidents, "incidents")
    yield from _duplicates(objectives, "objectives")
    yield from _duplicates(msel, "msel")

    actor_ids = [a["id"] for _, a in actors if isinstance(a.get("id"), str)]
    objective_ids = [o["id"] for _, o in objectives if isinstance(o.get("id"), str)]
    incident_ids = [x["id"] for _, x in incidents if isinstance(x.get("id"), str)]
    for _, entry in msel:
        params = entry.get("params")
        if (
            _opens_incident(entry)
            and isinstance(params, dict)
            and isinstance(params.get("id"), str)
        ):
            incident_ids.append(params["id"])

    # Art. 42(7) TEU and Art. 222 TFEU are invoked by the state attacked: a target of an incident.
    targeted: set[str] = set()
    incident_specs = [x for _, x in incidents] + [
        e["params"] for _, e in msel if _opens_incident(e) and isinstance(e.get("params"), dict)
    ]
    for spec in incident_specs:
        targets = spec.get("targets")
        for target in targets if isinstance(targets, list) else []:
            if isinstance(target, dict) and isinstance(target.get("state"), str):
                targeted.add(target["state"])

    horizon = _hours(data.get("horizon"))

    def actor_ref(path: Path, value: Any) -> Iterator[tuple[Path, str]]:
        if isinstance(value, str) and actor_ids and value not in actor_ids:
            yield path, f"unknown threat actor {value!r} (threat_actors: {', '.join(actor_ids)})"

    def within_horizon(path: Path, value: Any) -> Iterator[tuple[Path, str]]:
        at = _hours(value)
        if horizon is not None and at is not None and at > horizon:
            yield path, f"{value} is after the scenario horizon ({data.get('horizon')})"

    for i, incident in incidents:
        yield from actor_ref(("incidents", i, "actor"), incident.get("actor"))
        yield from within_horizon(("incidents", i, "at"), incident.get("at", 0))

    # The large-scale incident names incidents of the scenario (docs/scenario-format.md).
    crisis = data.get("large_scale_incident")
    if isinstance(crisis, dict) and isinstance(crisis.get("incidents"), list):
        for i, ref in enumerate(crisis["incidents"]):
            if isinstance(ref, str) and ref not in incident_ids:
                known = ", ".join(incident_ids) or "none"
                yield (
                    ("large_scale_incident", "incidents", i),
                    (f"unknown incident {ref!r} (incidents: {known})"),
                )
            elif isinstance(ref, str) and ref in crisis["incidents"][:i]:
                yield (("large_scale_incident", "incidents", i), f"incident {ref!r} is named twice")

    players = data.get("players")
    if isinstance(players, list):
        seen: set[str] = set()
        for i, code in enumerate(players):
            if not isinstance(code, str):
                continue
            if code in seen:
                yield ("players", i), f"{code} is listed twice"
            seen.add(code)

    for i, objective in objectives:
        yield from _check_target(("objectives", i, "target"), objective)

    for i, entry in msel:
        yield from within_horizon(("msel", i, "at"), entry.get("at"))
        refs = entry.get("objectives")
        if isinstance(refs, list):
            for j, ref in enumerate(refs):
                if isinstance(ref, str) and ref not in objective_ids:
                    known = ", ".join(objective_ids) or "none are defined"
                    yield ("msel", i, "objectives", j), f"unknown objective {ref!r} ({known})"
        params = entry.get("params")
        if not isinstance(params, dict):
            continue
        declared = _declared(entry)
        if declared is None:
            continue
        base = ("msel", i, "params")
        # The fields each inject type marks with Ref (scenarios/model.py); a new incident's id
        # is checked for duplicates with the other ids above.
        for name, kind in references(declared.params):
            value = params.get(name)
            if not isinstance(value, str):
                continue
            if kind == "actor":
                yield from actor_ref(base + (name,), value)
            elif kind == "victim" and value not in targeted:
                hit = ", ".join(sorted(targeted)) or "no incident has targets"
                yield (
                    base + (name,),
                    f"{value} is not a target of any incident ({hit}): {who_acts(entry.get('type'))}",
                )
            elif kind == "incident" and value not in incident_ids:
                yield base + (name,), f"unknown incident {value!r} ({', '.join(incident_ids)})"


def _declared(entry: dict) -> InjectType | None:
    """The declared inject type an MSEL entry names; None when its ``type`` names none (the
    schema reports that), a list or a mapping included: they cannot be looked up."""
    name = entry.get("type")
    return INJECT_TYPE.get(name) if isinstance(name, str) else None


def _opens_incident(entry: dict) -> bool:
    """Whether an MSEL entry starts an incident (its type marks a ``new_incident`` id)."""
    declared = _declared(entry)
    return declared is not None and any(k == "new_incident" for _, k in references(declared.params))


def _check_target(path: Path, objective: dict) -> Iterator[tuple[Path, str]]:
    metric, target = objective.get("metric"), objective.get("target")
    if target is None or not isinstance(metric, str):
        return
    if metric in TIME_METRICS:
        if _hours(target) is None:
            yield (
                path,
                f"the target of {metric} is a duration such as '72h' or '3d', not {target!r}",
            )
    elif metric == "highest_measure":
        if target not in MEASURES:
            yield path, f"the target of highest_measure is a measure id ({', '.join(MEASURES)})"
    elif isinstance(target, bool) or not isinstance(target, (int, float)):
        yield path, f"the target of {metric} is a number, not {target!r}"
    elif metric in ("highest_rung", "recommended_rung") and not 0 <= target <= 5:
        yield path, "a rung is between 0 and 5"
    elif metric == "cohesion" and not 0 <= target <= 1:
        yield path, "cohesion is a share between 0 and 1"
    elif metric in COUNT_METRICS and target < 0:
        yield path, "a count cannot be negative"
