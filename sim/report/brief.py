"""Handouts before an exercise (``cdtx brief``): a delegation's brief and the facilitator's.

A delegation's brief gives the situation as that delegation knows it at the start (the scenario's
summary, the incidents that hit its own country at T+0, the injects addressed to it at the
start), the rules of play and how its decisions are asked. The facilitator's brief gives the
MSEL with its times and expected actions, the objectives and the console's keys. Markdown, or one
printable A4 HTML page (render.page).
"""

from __future__ import annotations

from typing import Any

from scenarios.vocabulary import EU27

from ..clock import Calendar, format_offset
from ..narrative import actor_names, inject_summary, state_name
from .render import _h, _md_table, _table, md_safe, page

FACILITATOR = "facilitator"

RULES = {
    "unanimity": "unanimity: one delegation opposing blocks the decision; a constructive "
    "abstention (Art. 31(1) TEU) does not block it, and the abstaining state need not apply it",
    "qmv": "qualified majority: 55% of the member states representing 65% of the EU's "
    "population; a blocking minority needs at least four states",
}


def delegation(scenario, state: str) -> dict[str, Any]:
    """The brief of delegation ``state`` (an EU member state code)."""
    cal = Calendar(scenario.start)
    hit = [
        {"id": i.id, "sectors": ", ".join(t.sector for t in i.targets if t.state == state),
         "description": i.description}  # fmt: skip
        for i in scenario.incidents
        if i.at == 0 and any(t.state == state for t in i.targets)
    ]
    told = [
        {"offset": format_offset(m.at), "message": m.message or inject_summary(
            m.model_dump(mode="json", by_alias=True))}  # fmt: skip
        for m in scenario.msel
        if m.at == 0 and (not m.to or state in m.to) and m.type in ("note", "intel", "media")
    ]
    played = state in scenario.players
    return {
        "for": state,
        "title": f"Delegation brief: {state_name(state)}",
        "scenario": scenario.title,
        "start": cal.format(0.0),
        "summary": " ".join(scenario.summary.split()),
        "played": played,
        "hit": hit,
        "told": told,
        "rule": RULES.get(scenario.decision_rule, scenario.decision_rule),
    }


def facilitator(scenario, keys: list[tuple[str, str]]) -> dict[str, Any]:
    """The facilitator's brief; ``keys`` are the console's (key, what it does) pairs."""
    cal = Calendar(scenario.start)
    names = actor_names(scenario)
    msel = []
    for m in scenario.msel:
        data = m.model_dump(mode="json", by_alias=True)
        msel.append({
            "id": m.id, "offset": format_offset(m.at), "calendar": cal.format(m.at),
            "type": m.type, "to": ", ".join(m.to) or "all",
            "message": m.message or inject_summary(data),
            "expected": m.expected_action, "objectives": ", ".join(m.objectives),
        })  # fmt: skip
    return {
        "for": FACILITATOR,
        "title": "Facilitator brief",
        "scenario": scenario.title,
        "start": cal.format(0.0),
        "summary": " ".join(scenario.summary.split()),
        "players": list(scenario.players),
        "actors": [names.get(a.id, a.id) for a in scenario.threat_actors],
        "rule": RULES.get(scenario.decision_rule, scenario.decision_rule),
        "msel": msel,
        "objectives": [
            {"id": o.id, "text": o.text, "metric": o.metric, "target": str(o.target)}
            for o in scenario.objectives
        ],
        "keys": keys,
    }


def brief(scenario, who: str, keys: list[tuple[str, str]] = ()) -> dict[str, Any]:
    """``who``: a member state code or ``facilitator``; ValueError otherwise."""
    if who == FACILITATOR:
        return facilitator(scenario, list(keys))
    if who.upper() in EU27:
        return delegation(scenario, who.upper())
    raise ValueError(f"--for is a member state code (e.g. DE) or {FACILITATOR}, not {who!r}")


HOW_ASKED = (
    "When the Political and Security Committee or the Council needs your position, the clock "
    "stops and the facilitator shows you the proposal, the EU INTCEN assessment, what your own "
    "services know, and the positions already stated. You answer support, abstain, constructive "
    "abstention or oppose, and you may add a statement: it is recorded and quoted at the "
    "decision in the after-action report. Nothing is chosen for you."
)
PROCEDURE = (
    "The procedure follows the EU Cyber Diplomacy Toolbox: an incident is detected by national "
    "CSIRTs, shared, assessed by EU INTCEN; when the assessment is endorsed there is shared "
    "situational awareness; the Horizontal Working Party on Cyber Issues prepares a proposal; "
    "the PSC and, for stronger measures, the Council decide."
)


def markdown(b: dict[str, Any]) -> str:
    out = [f"# {b['title']}", "", f"**{b['scenario']}** · starts {b['start']} Brussels time", ""]
    out += ["## The situation", "", b["summary"], ""]
    if b["for"] != FACILITATOR:
        out += _md_delegation(b)
    else:
        out += _md_facilitator(b)
    return md_safe("\n".join(out).rstrip() + "\n")


def _md_delegation(b: dict[str, Any]) -> list[str]:
    out = []
    if b["hit"]:
        out += ["What your national CSIRT reports at the start:", ""]
        out += [f"- {i['id']}: {i['description'] or 'malicious cyber activity'} "
                f"({i['sectors']})" for i in b["hit"]] + [""]  # fmt: skip
    else:
        out += ["No incident has hit your country at the start.", ""]
    if b["told"]:
        out += ["Briefed at the start:", ""] + [f"- {t['message']}" for t in b["told"]] + [""]
    who = ("Your delegation is played at the table." if b["played"] else
           "The model plays your delegation unless the facilitator hands it to you.")  # fmt: skip
    out += ["## Rules of play", "", who, "", PROCEDURE, "", f"Decisions are taken by {b['rule']}.", ""]
    out += ["## How your decisions are asked", "", HOW_ASKED, ""]
    return out


def _md_facilitator(b: dict[str, Any]) -> list[str]:
    out = [f"Played delegations: {', '.join(b['players']) or 'none'} · threat actors: "
           f"{', '.join(b['actors']) or 'none'} · decisions by {b['rule']}.", ""]  # fmt: skip
    out += ["## MSEL", ""]
    out += _md_table(["No.", "T+", "Brussels", "Type", "To", "Message", "Expected action", "Obj."],
                     [[m["id"], m["offset"], m["calendar"], m["type"], m["to"], m["message"],
                       m["expected"], m["objectives"]] for m in b["msel"]])  # fmt: skip
    out += ["## Objectives", ""]
    out += _md_table(["Objective", "Text", "Metric", "Target"],
                     [[o["id"], o["text"], o["metric"], o["target"]] for o in b["objectives"]])  # fmt: skip
    out += ["## Console keys", ""]
    out += _md_table(["Key", "Action"], [list(k) for k in b["keys"]])
    return out


def html(b: dict[str, Any]) -> str:
    body = [f"<h1>{_h(b['title'])}</h1>",
            f"<p><strong>{_h(b['scenario'])}</strong> · starts {_h(b['start'])} Brussels time</p>",
            "<h2>The situation</h2>", f"<p>{_h(b['summary'])}</p>"]  # fmt: skip
    if b["for"] != FACILITATOR:
        if b["hit"]:
            body.append("<p>What your national CSIRT reports at the start:</p><ul>")
            body += [f"<li>{_h(i['id'])}: {_h(i['description'] or 'malicious cyber activity')} "
                     f"({_h(i['sectors'])})</li>" for i in b["hit"]]  # fmt: skip
            body.append("</ul>")
        else:
            body.append("<p>No incident has hit your country at the start.</p>")
        if b["told"]:
            body.append("<p>Briefed at the start:</p><ul>")
            body += [f"<li>{_h(t['message'])}</li>" for t in b["told"]]
            body.append("</ul>")
        who = ("Your delegation is played at the table." if b["played"] else
               "The model plays your delegation unless the facilitator hands it to you.")  # fmt: skip
        body += ["<h2>Rules of play</h2>", f"<p>{_h(who)}</p>", f"<p>{_h(PROCEDURE)}</p>",
                 f"<p>Decisions are taken by {_h(b['rule'])}.</p>",
                 "<h2>How your decisions are asked</h2>", f"<p>{_h(HOW_ASKED)}</p>"]  # fmt: skip
    else:
        body.append(f"<p>Played delegations: {_h(', '.join(b['players']) or 'none')} · threat "
                    f"actors: {_h(', '.join(b['actors']) or 'none')} · decisions by "
                    f"{_h(b['rule'])}.</p>")  # fmt: skip
        body.append("<h2>MSEL</h2>")
        body.append(_table(["No.", "T+", "Brussels", "Type", "To", "Message", "Expected action",
                            "Obj."],
                           [[m["id"], m["offset"], m["calendar"], m["type"], m["to"],
                             m["message"], m["expected"], m["objectives"]] for m in b["msel"]]))  # fmt: skip
        body.append("<h2>Objectives</h2>")
        body.append(_table(["Objective", "Text", "Metric", "Target"],
                           [[o["id"], o["text"], o["metric"], o["target"]]
                            for o in b["objectives"]]))  # fmt: skip
        body.append('<h2 class="pagebreak">Console keys</h2>')
        body.append(_table(["Key", "Action"], [list(k) for k in b["keys"]]))
    return page(f"{b['title']}: {b['scenario']}", "\n".join(body))
