"""What an after-action report says about one run: a plain dict built from scenario + events.

Everything here is a fold over events (the same ones a live run, a replay or a recording holds),
so the report of a recording equals the report of the live run it came from.
"""

from __future__ import annotations

from typing import Any

from scenarios.measures import MEASURE, MEASURES_DECLARED
from scenarios.model import Scenario, expected_text
from scenarios.vocabulary import TIME_METRICS, format_duration

from .. import evaluation, expectations
from .. import event_kinds as K
from ..clock import Calendar, format_offset
from ..events import Event
from ..metrics import Metrics
from ..names import sector
from ..narrative import (
    BODY_NAMES,
    actor_names,
    describe,
    inject_summary,
    is_headless,
    measure,
    short,
    stage,
    state_name,
)
from ..vocabulary_view import (
    ALL_METRIC_LABELS,
    METRIC_LABELS,
    PENDING,
    format_metric,
    rating_so_far,
)
from .crisis import CRISIS_EVIDENCE, crisis_section
from .evaluator import evaluation_section

#: Kinds shown in the timeline of key events (positions are summarised at each decision).
KEY_KINDS = (
    K.INCIDENT, K.ESCALATION, K.DETECTED, K.SHARED_AWARENESS, K.ATTRIBUTED, K.ASSESSMENT,
    K.MEETING, K.PROPOSAL, K.INVOKED, K.PREPARED, K.DECISION, K.COMPROMISE, K.DEFERRED, K.DROPPED,
    K.ADOPTED, K.ADVERSARY, K.RETALIATION,
)  # fmt: skip
#: The HSEEP rating words (sim.evaluation.RATING_WORDS), as a report's heading shows them.
RATING_NAMES = {rating: words.capitalize() for rating, words in evaluation.RATING_WORDS.items()}
#: Which event marks each metric (evidence for the rating).
_EVIDENCE_KINDS: dict[str, tuple[str, ...]] = {
    "t_first_detection": (K.DETECTED,),
    "t_shared_awareness": (K.SHARED_AWARENESS,),
    "t_first_attribution": (K.ATTRIBUTED,),
    "t_first_psc": (K.MEETING,),
    **{m.time_metric: (K.ADOPTED,) for m in MEASURES_DECLARED if m.time_metric},
    "highest_measure": (K.ADOPTED, K.DECISION),
    "highest_rung": (K.ADOPTED, K.DECISION),
    "recommended_rung": (K.INCIDENT, K.ESCALATION),
    "proportionality_gap": (K.INCIDENT, K.ESCALATION, K.ADOPTED),
    "cohesion": (K.DECISION,),
    "psc_meetings": (K.MEETING,),
    "extraordinary_meetings": (K.MEETING,),
    **CRISIS_EVIDENCE,
}
#: Stages of the procedure, as (label, metric at its end) for "where was time lost".
_STAGE_MARKS = (
    ("incident to first detection", K.INCIDENT, K.DETECTED),
    ("detection to shared situational awareness", K.DETECTED, K.SHARED_AWARENESS),
    ("shared awareness to the first proposal", K.SHARED_AWARENESS, K.PROPOSAL),
    ("proposal to the first decision", K.PROPOSAL, K.DECISION),
    ("decision to adoption", K.DECISION, K.ADOPTED),
)


def _first(events: list[Event], kind: str, **match: Any) -> Event | None:
    for e in events:
        if e.kind == kind and all(e.data.get(k) == v for k, v in match.items()):
            return e
    return None


def players_of(events: list[Event], header: dict | None, scenario: Scenario) -> list[str]:
    if header and header.get("players") is not None:
        return list(header["players"])
    started = _first(events, K.STARTED)
    if started is not None and "players" in started.data:
        return list(started.data["players"])
    return list(scenario.players)


def period(hours: float) -> str:
    """A length of simulated time as the report writes it: ``6d 06h 37m``."""
    days, clock = format_offset(hours).removeprefix("T+").split(" ")
    hh, mm = clock.split(":")
    return f"{int(days[:-1]):02d}d {hh}h {mm}m"


def handovers_of(events: list[Event]) -> list[str]:
    """Delegations handed to the table or back to the model during the run, in order."""
    return [
        f"{state_name(e.data['state'])} to {'the table' if e.data['played'] else 'the model'} "
        f"at {format_offset(e.t)}"
        for e in events
        if e.kind == K.INPUT and e.data.get("control") == "players"
    ]


def _expectations(scenario, events: list[Event], at) -> dict[str, list[dict[str, Any]]]:
    """Per delegation: what the MSEL expected of it, delivered and acknowledged when, what it
    did, and the facilitator's or evaluator's mark (sim/expectations.py)."""

    def when(t: float | None) -> dict[str, Any] | None:
        return None if t is None else at(t)

    return {
        state: [
            {"entry": x.entry, "expected": x.expected, "message": x.message,
             "delivered": when(x.delivered), "acknowledged": when(x.acknowledged),
             "done": [{**at(t), "text": text} for t, text in x.done[:expectations.DONE_SHOWN]],
             "more_done": max(0, len(x.done) - expectations.DONE_SHOWN),
             "met": x.met, "mark": x.mark_text, "marked": when(x.marked),
             "marked_by": K.seat_name(x.marked_by) if x.marked_by else "", "status": x.status}
            for x in items
        ]  # fmt: skip
        for state, items in expectations.fold(scenario, events).items()
    }


def model_constants(started: Event | None) -> dict[str, Any]:
    """The model constants the run set (its ``started`` event's ``model``: the scenario's
    ``model:`` block and the run's own ``--model``); empty for a run under the defaults."""
    model = started.data.get("model") if started is not None else None
    return dict(model) if isinstance(model, dict) else {}


def analyse(
    scenario: Scenario,
    events: list[Event],
    header: dict | None = None,
    *,
    truncated: bool = False,
    source: str = "",
) -> dict[str, Any]:
    """The whole content of the after-action report, as plain data."""
    header = header or {}
    cal = Calendar(scenario.start)
    metrics = Metrics(scenario)
    metrics.catch_up(events)
    values = metrics.result()
    end_t = events[-1].t if events else 0.0
    ended = any(e.kind == K.ENDED for e in events)
    started = _first(events, K.STARTED)
    seed = header.get("seed", started.data.get("seed") if started else scenario.seed)
    mode = started.data.get("mode") if started else scenario.procedure.mode
    headless = is_headless(events, header)

    def at(t: float) -> dict[str, Any]:
        return {"t": t, "calendar": cal.format(t), "offset": format_offset(t)}

    overview = {
        "title": scenario.title,
        "id": scenario.id,
        "summary": scenario.summary.strip(),
        "start": cal.format(0.0),
        "end": cal.format(end_t),
        "period": period(end_t),
        "horizon": format_duration(scenario.horizon),
        "seed": seed,
        "model": model_constants(started),
        "decision_rule": header.get("decision_rule", scenario.decision_rule),
        "mode": mode,
        "players": [] if headless else players_of(events, header, scenario),
        "answered_by_model": players_of(events, header, scenario) if headless else [],
        "handovers": handovers_of(events),
        "created": header.get("created"),
        "parent": header.get("parent"),
        "source": source,
        "threat_actors": [
            {"name": a.name, "sponsor": a.sponsor or "unknown", "sophistication": a.sophistication}
            for a in scenario.threat_actors
        ],
        "incidents": [
            {
                "id": i.id,
                "at": format_offset(i.at),
                "actor": i.actor,
                "description": i.description,
                "targets": [f"{t.victim} ({sector(t.sector)})" for t in i.targets],
            }  # fmt: skip
            for i in scenario.incidents
        ],
        "objectives": [{"id": o.id, "text": o.text} for o in scenario.objectives],
        "ended": ended,
        "truncated": truncated,
        "events": len(events),
    }

    timeline = _timeline(events, at, actor_names(scenario))
    objectives = _objectives(scenario, events, values, at)
    if not ended:  # stopped before the horizon: what has not happened yet is pending
        for objective, o in zip(objectives, scenario.objectives, strict=True):
            shown = rating_so_far(o.metric, o.target, values, ended)
            if shown == PENDING:  # (the executive summary says that the run stopped early)
                objective["rating"] = shown
                objective["rating_name"] = "not final: the run stopped before the horizon"
                objective["value"] = format_metric(o.metric, values.get(o.metric), ended)
    blockers = _blockers(events)
    stages = _stages(events)
    strengths, improvements = _findings(scenario, values, objectives, blockers, stages)
    # The facilitator's notes as they stand (an edit shows its text; the note keeps its time),
    # with their tags (sim/evaluation.py: notes are entries of the evaluation log).
    notes = [
        {**at(n.t), "text": n.text, "objective": n.objective, "state": n.state,
         "edited": n.edited}
        for n in evaluation.notes(events)
    ]  # fmt: skip
    # What the seats of a hosted exercise wrote to the facilitator (control ``message``).
    messages = []
    for e in events:
        control = e.data.get("control") if e.kind == K.INPUT else None
        if control in ("message", "chat"):  # chat between delegations says to whom
            who = K.seat_name(e.data.get("seat"))
            if control == "chat":
                who += f" to {K.seat_name(e.data.get('to'))}"
            messages.append({**at(e.t), "from": who, "text": e.data.get("text", "")})
    evaluator = evaluation_section(events, at)  # the evaluator's entries, if any
    for objective in objectives:
        objective["evaluator"] = evaluator["objectives"].get(objective["id"], {"observations": []})
    msel = _msel(scenario, events, at, end_t, ended)
    summary = _executive_summary(scenario, values, objectives, blockers, stages, truncated, ended,
                                 end_t)  # fmt: skip
    plan = [
        {
            "objective": item.get("objective", ""),
            "issue": item["text"],
            "action": item.get("action", ""),
            "organisation": item.get("organisation", ""),
            "due": "",
        }  # fmt: skip
        for item in improvements
    ] + [
        {
            "objective": "",
            "issue": f"{item['who']}: {item['text']}",
            "action": "",
            "organisation": item["who"],
            "due": "",
        }
        for item in evaluator["hotwash"]["improvements"]  # what the hot wash raised
    ]
    return {
        "overview": overview,
        "summary": summary,
        "timeline": timeline,
        "objectives": objectives,
        "metrics": values,
        "metric_lines": [
            {"key": k, "label": METRIC_LABELS.get(k, k), "value": format_metric(k, values[k])}
            for k in METRIC_LABELS
        ],
        "blockers": blockers,
        "stages": stages,
        "strengths": strengths,
        "improvements": improvements,
        "notes": notes,
        "messages": messages,
        "expectations": _expectations(scenario, events, at),
        # Proposals still under way when the record ends (an evidence package that outlives the
        # horizon, a text in adoption): business the next session inherits.
        "open_business": [
            {"offset": format_offset(b["since"]), "calendar": cal.format(b["since"]),
             "proposal": b["proposal"], "measure": short(b["measure"]), "stage": b["stage"]}
            for b in values.get("open_business") or []
        ],  # fmt: skip
        "evaluation": evaluator,
        # The crisis track of a large-scale incident, level by level (None without one).
        "crisis": crisis_section(events, at, actor_names(scenario)),
        "msel": msel,
        "plan": plan,
    }


def _timeline(events: list[Event], at, actors: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    detected: set[str] = set()
    positions: dict[str, dict[str, list[str]]] = {}
    # A delegation's stated reason (the message of its answer or position inject), quoted at
    # the decision it was given for: by (state, measure) until the positions are taken, then
    # by proposal until the decision.
    stated: dict[tuple[str, str], str] = {}
    quoted: dict[str, list[str]] = {}
    for e in events:
        if e.kind == K.POSITION_FIXED:
            if e.data.get("statement"):
                stated[(e.data["state"], e.data["measure"])] = e.data["statement"]
            continue
        if e.kind == K.POSITION:
            positions.setdefault(e.data["proposal"], {}).setdefault(e.data["position"], []).append(
                e.data["state"]
            )
            statement = stated.pop((e.data["state"], e.data["measure"]), None)
            if statement:
                quoted.setdefault(e.data["proposal"], []).append(
                    f'{e.data["state"]} ({e.data["position"].replace("_", " ")}): "{statement}"'
                )
            continue
        if e.kind not in KEY_KINDS:
            continue
        if e.kind == K.DETECTED:
            if e.data["state"] in detected:
                continue
            detected.add(e.data["state"])
        if e.kind == K.ASSESSMENT and e.data.get("update"):
            continue
        row = {
            **at(e.t),
            "seq": e.seq,
            "kind": e.kind,
            "stage": stage(e),
            "text": describe(e, actors),
        }
        if e.kind == K.DECISION:
            seen = positions.pop(e.data["proposal"], {})
            parts = []
            for pos in ("oppose", "constructive_abstention", "abstain"):
                if seen.get(pos):
                    parts.append(f"{pos.replace('_', ' ')}: {' '.join(sorted(set(seen[pos])))}")
            row["positions"] = "; ".join(parts) if parts else "all delegations support"
            row["statements"] = quoted.pop(e.data["proposal"], [])
        out.append(row)
    return out


def _metric_value(metric: str, values: dict[str, Any]) -> Any:
    return values["highest_rung"] if metric == "highest_measure" else values.get(metric)


def _objectives(scenario, events, values, at) -> list[dict[str, Any]]:
    actors = actor_names(scenario)
    out = []
    for o in scenario.objectives:
        rating = values["objectives"][o.id]
        value = values.get(o.metric)
        evidence: list[str] = []
        kinds = _EVIDENCE_KINDS.get(o.metric, ())
        if o.metric in TIME_METRICS:
            if value is None:
                evidence.append(
                    f"{ALL_METRIC_LABELS[o.metric]}: not reached in the simulated period"
                )
            else:
                for e in events:
                    if abs(e.t - value) < 1e-3 and e.kind in kinds and _marks(o.metric, e):
                        evidence.append(
                            f"{at(e.t)['calendar']} {at(e.t)['offset']}: {describe(e, actors)}"
                        )
                        break
        elif o.metric == "cohesion":
            # Rated on the lowest cohesion of any decision (sim/metrics.py): show that one, and
            # the value it gave, not only the last decision's (a 96% shown beside an S).
            decisions = [e for e in events if e.kind == K.DECISION]
            if decisions:
                lowest = min(decisions, key=lambda e: e.data["cohesion"])
                value = values.get("cohesion_min", value)
                evidence.append(f"lowest, what the rating uses: {at(lowest.t)['calendar']} "
                                f"{at(lowest.t)['offset']}: {describe(lowest, actors)}")  # fmt: skip
                if lowest is not decisions[-1]:
                    e = decisions[-1]
                    evidence.append(
                        f"last: {at(e.t)['calendar']} {at(e.t)['offset']}: {describe(e, actors)}"
                    )
            else:
                evidence.append("no decision was taken in the simulated period")
        elif o.metric in ("psc_meetings", "extraordinary_meetings"):
            for e in events:
                if e.kind == K.MEETING and (
                    e.data["body"] == "psc"
                    if o.metric == "psc_meetings"
                    else e.data["extraordinary"]
                ):
                    evidence.append(
                        f"{at(e.t)['calendar']} {at(e.t)['offset']}: {describe(e, actors)}"
                    )
        else:
            for e in events:
                if e.kind in kinds and (e.kind != K.DECISION or not e.data["adopted"]):
                    if e.kind in (K.INCIDENT, K.ESCALATION) and o.metric in ("highest_rung",
                                                                             "highest_measure"):  # fmt: skip
                        continue
                    evidence.append(
                        f"{at(e.t)['calendar']} {at(e.t)['offset']}: {describe(e, actors)}"
                    )
            if not evidence:
                evidence.append("no measure was adopted in the simulated period")
        target = o.target
        out.append(
            {
                "id": o.id,
                "text": o.text,
                "metric": o.metric,
                "metric_label": "lowest cohesion of any decision"
                if o.metric == "cohesion"
                else ALL_METRIC_LABELS.get(o.metric, o.metric),
                "target": str(target),
                "value": format_metric(o.metric, value),
                "raw": _metric_value(o.metric, values),
                "rating": rating,
                "rating_name": RATING_NAMES[rating],
                "evidence": evidence,
            }
        )
    return out


def _marks(metric: str, e: Event) -> bool:
    """Whether ``e`` is the event that sets time metric ``metric``."""
    if metric == "t_first_psc":
        return e.data.get("body") == "psc"
    if metric == "t_psc_isaa":
        return e.data.get("to") == "psc"
    if e.kind == K.ADOPTED:
        return metric == f"t_{e.data['measure']}"
    return True


def _blockers(events: list[Event]) -> list[dict[str, Any]]:
    """Each failed decision: who blocked what, where and when (a blocker's own statement is
    its reason, quoted)."""
    out = []
    said: dict[tuple[str, str], str] = {}
    for e in events:
        if e.kind == K.POSITION_FIXED and e.data.get("statement"):
            said[(e.data["measure"], e.data["state"])] = e.data["statement"]
        if e.kind == K.DECISION and not e.data["adopted"]:
            quoted = [
                f'{state}: "{said[(e.data["measure"], state)]}"'
                for state in e.data["blockers"]
                if (e.data["measure"], state) in said
            ]
            out.append(
                {
                    "t": e.t,
                    "offset": format_offset(e.t),
                    "proposal": e.data["proposal"],
                    "measure": e.data["measure"],
                    "body": BODY_NAMES.get(e.data["body"], e.data["body"]),
                    "by": list(e.data["blockers"]),
                    "reason": "; ".join([e.data["reason"], *quoted])
                    if quoted
                    else e.data["reason"],
                }  # fmt: skip
            )
    return out


def _stages(events: list[Event]) -> list[dict[str, Any]]:
    """How long each stage of the procedure took (first event to first event)."""
    first: dict[str, float] = {}
    for e in events:
        first.setdefault(e.kind, e.t)
    out = []
    for label, start, end in _STAGE_MARKS:
        if start in first and end in first and first[end] >= first[start]:
            hours = first[end] - first[start]
            out.append({"stage": label, "hours": hours, "duration": _days(hours), "done": True})
        elif start in first:
            out.append({"stage": label, "hours": None, "duration": "not completed", "done": False})
    return out


def _days(hours: float) -> str:
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _findings(scenario, values, objectives, blockers, stages):
    strengths: list[dict[str, str]] = []
    improvements: list[dict[str, str]] = []
    for o in objectives:
        if o["rating"] == "P":
            strengths.append({"objective": o["id"], "text": f"{o['id']} met: {o['metric_label']} "
                              f"{o['value']} (target {o['target']})."})  # fmt: skip
        else:
            improvements.append({
                "objective": o["id"],
                "text": f"{o['id']} rated {o['rating']} ({o['rating_name'].lower()}): "
                        f"{o['metric_label']} {o['value']} against a target of {o['target']}.",
                "action": "",
                "organisation": "",
            })  # fmt: skip
    timed = [s for s in stages if s["done"]]
    if timed:
        slow = max(timed, key=lambda s: s["hours"])
        if slow["hours"] > 0:
            improvements.append({
                "objective": "",
                "text": f"Most time was lost from {slow['stage']} ({slow['duration']}).",
                "action": "Review the procedure and hand-offs of this stage; consider "
                          "extraordinary meetings or crisis timings.",
                "organisation": _stage_owner(slow["stage"]),
            })  # fmt: skip
        fast = min(timed, key=lambda s: s["hours"])
        strengths.append({"objective": "", "text": f"Fastest stage: {fast['stage']} "
                          f"({fast['duration']})."})  # fmt: skip
    unfinished = [s for s in stages if not s["done"]]
    for s in unfinished:
        improvements.append({"objective": "", "text": f"The stage from {s['stage']} was not "
                             "completed in the simulated period.", "action": "",
                             "organisation": _stage_owner(s["stage"])})  # fmt: skip
    by_state: dict[str, list[str]] = {}
    for b in blockers:
        for state in b["by"]:
            by_state.setdefault(state, []).append(f"{measure(b['measure'])} ({b['proposal']}, "
                                                  f"{b['body']} {b['offset']})")  # fmt: skip
    for state, what in by_state.items():
        improvements.append({
            "objective": "",
            "text": f"{state} blocked {len(what)} decision(s): {'; '.join(what)}.",
            "action": f"Early bilateral outreach to {state}; prepare a compromise text or "
                      "constructive abstention.",
            "organisation": "EEAS / PSC chair",
        })  # fmt: skip
    gap = values["proportionality_gap"]
    if gap > 0:
        improvements.append({
            "objective": "",
            "text": f"The response stayed {gap} rung(s) below the proportionate rung "
                    f"{values['recommended_rung']} (highest measure: {measure(values['highest_measure'])}).",
            "action": "", "organisation": "",
        })  # fmt: skip
    elif values["highest_rung"]:
        strengths.append({"objective": "", "text": "The response reached the proportionate "
                          f"rung ({values['highest_rung']})."})  # fmt: skip
    if not blockers and values["cohesion"] is not None:
        strengths.append({"objective": "", "text": "No decision was blocked; cohesion at the last "
                          f"decision {values['cohesion']:.0%}."})  # fmt: skip
    return strengths, improvements


def _stage_owner(label: str) -> str:
    if "detection" in label and "awareness" not in label:
        return "National CSIRTs"
    if "awareness" in label and "proposal" not in label:
        return "EU INTCEN / HWPCI"
    if "proposal" in label:
        return "Member states / HR / HWPCI"
    return "PSC / Council"


def _msel(scenario, events, at, end_t, ended) -> list[dict[str, Any]]:
    """Planned and delivered: every MSEL entry and every inject the facilitator added, with when
    it was applied (not when it was entered) and what became of skipped or replaced entries."""
    applied: dict[str, Event] = {}
    skipped: dict[str, Event] = {}
    added: list[Event] = []
    for e in events:
        if e.kind == K.INJECT_APPLIED:
            applied.setdefault(e.data["inject"], e)
        elif e.kind == K.INPUT and e.data.get("control") == "skip":
            skipped.setdefault(e.data.get("msel"), e)
        elif e.kind == K.INPUT and "inject" in e.data:
            added.append(e)
    replaces = {
        e.data["replaced_by"]: e.data["msel"] for e in skipped.values() if e.data.get("replaced_by")
    }

    def status(entry_id: str, planned: float | None) -> tuple[dict | None, str]:
        hit = applied.get(entry_id)
        if hit is not None:
            if planned is None or abs(hit.t - planned) < 1e-6:
                return at(hit.t), "delivered"
            late = hit.t - planned
            return at(hit.t), f"delivered {_days(abs(late))} {'late' if late > 0 else 'early'}"
        skip = skipped.get(entry_id)
        if skip is not None:
            when = format_offset(skip.t)
            instead = skip.data.get("replaced_by")
            if instead is not None:
                how = "fired early" if skip.data.get("how") == "fired" else "replaced"
                return None, f"{how} by the facilitator at {when}, as {instead}"
            return None, f"skipped by the facilitator at {when}"
        if planned is not None and (planned > end_t or not ended):
            return None, "not reached"
        return None, "not delivered"

    out = []
    for entry in scenario.msel:
        delivered, state = status(entry.id, entry.at)
        out.append({"id": entry.id, "type": entry.type, "planned": at(entry.at),
                    "message": entry.message, "expected_action": expected_text(entry.expected_action),
                    "delivered": delivered, "status": state})  # fmt: skip
    for e in added:
        inj = e.data["inject"]
        entry_id = inj.get("id", "?")
        planned = inj.get("at")
        planned = planned if isinstance(planned, (int, float)) and planned > e.t + 1e-9 else None
        delivered, state = status(entry_id, planned)
        origin = replaces.get(entry_id)
        label = f"in place of {origin}" if origin else "added by the facilitator"
        if not origin and inj.get("type") == "position":  # an answer given at the table
            label = f"position of {inj.get('params', {}).get('state', '?')} given at the table"
        out.append({"id": entry_id, "type": inj.get("type", "?"),
                    "planned": at(planned) if planned is not None else None,
                    "message": inj.get("message") or inject_summary(inj), "expected_action":
                    expected_text(inj.get("expected_action")), "delivered": delivered,
                    "status": f"{label}; {state}"})  # fmt: skip
    return out


def _executive_summary(scenario, values, objectives, blockers, stages, truncated, ended, end_t):
    lines = []
    if truncated:
        lines.append(f"The recording is truncated: this report covers only its first "
                     f"{period(end_t)} (up to {format_offset(end_t)}).")  # fmt: skip
    elif not ended:
        lines.append(f"The run stopped before the end of the simulated period, at "
                     f"{format_offset(end_t)}.")  # fmt: skip
    highest = values["highest_measure"]
    if highest != "none":
        tkey = MEASURE[highest].time_metric
        when = f" at {format_offset(values[tkey])}" if tkey and values[tkey] is not None else ""
        lines.append(f"The EU adopted {measure(highest)} (rung {MEASURE[highest].rung}){when}; "
                     f"the proportionate rung was {values['recommended_rung']}.")  # fmt: skip
    else:
        lines.append(f"The EU adopted no measure; the proportionate rung was "
                     f"{values['recommended_rung']}.")  # fmt: skip
    if values["t_shared_awareness"] is not None:
        lines.append(f"Shared situational awareness was reached at "
                     f"{format_offset(values['t_shared_awareness'])}.")  # fmt: skip
    else:
        lines.append("Shared situational awareness was not reached.")
    if blockers:
        who = sorted({s for b in blockers for s in b["by"]})
        lines.append(f"{len(blockers)} decision(s) were blocked, by {', '.join(who)}.")
    counts = {r: sum(o["rating"] == r for o in objectives) for r in ("P", "S", "M", "U", PENDING)}
    if objectives:
        lines.append("Objectives: " + ", ".join(f"{n} rated {r}" for r, n in counts.items() if n)
                     + ".")  # fmt: skip
    timed = [s for s in stages if s["done"]]
    if timed:
        slow = max(timed, key=lambda s: s["hours"])
        lines.append(f"The longest stage was {slow['stage']} ({slow['duration']}).")
    return lines
