"""The after-action report as Markdown or as one self-contained HTML file (inline CSS and SVG)."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from scenarios.safe_read import printable

from .. import constants
from ..narrative import BODY_NAMES
from .crisis import milestones

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt;
       color: #1b1b1b; max-width: 190mm; margin: 0 auto; line-height: 1.4; }
h1 { font-size: 18pt; border-bottom: 3px solid #003399; padding-bottom: 4px; }
h2 { font-size: 13.5pt; color: #003399; margin-top: 1.6em; page-break-after: avoid; }
h3 { font-size: 11.5pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; font-size: 9.5pt; }
th, td { border: 1px solid #b9c2d0; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #e8edf6; }
tr { page-break-inside: avoid; }
.rating { font-weight: bold; text-align: center; width: 2.2em; }
.P { background: #cdebd0; } .S { background: #fff1b8; } .M { background: #ffd4a8; }
.U { background: #f6c0c0; }
.note { background: #fff7d6; border-left: 4px solid #e0b400; padding: 4px 8px; }
.muted { color: #5b6470; }
svg { max-width: 100%; height: auto; }
@media print { body { max-width: none; } h2 { page-break-before: auto; }
  .pagebreak { page-break-before: always; } a { color: inherit; text-decoration: none; } }
"""

STAGE_COLOURS = {
    "incident": "#c62828", "detection": "#ef6c00", "awareness": "#f9a825", "initiation": "#2e7d32",
    "hwpci": "#00838f", "meeting": "#1565c0", "psc": "#3949ab", "council": "#6a1b9a",
    "reaction": "#4e342e", "inject": "#757575", "facilitator": "#9e9e9e", "exercise": "#212121",
}  # fmt: skip


def played_line(overview: dict[str, Any]) -> str:
    """Who played at the table, and whom the model answered for in a run nobody played."""
    if overview["players"]:
        return ", ".join(overview["players"])
    model = overview.get("answered_by_model") or []
    if model:
        return (f"none: nobody played this run, the model answered for the table "
                f"({', '.join(model)})")  # fmt: skip
    return "none (all delegations simulated)"


# -- Markdown: text from files stays text ----------------------------------------------------
#
# Scenario titles, messages, names, notes and run names come from files and people. Put into
# Markdown as they are, a line break followed by "# ", "- " or "| a | b |" would forge a heading,
# a list item or a table row, and "[x](javascript:...)" or "![x](http://...)" would become a live
# link or a remote image. Each such string goes in through the function for its context (a
# line: md_line; a table cell: md_cell; lines of a note: md_lines), and md_safe then makes the
# whole document inert (no HTML, no inline links or images, no terminal escapes).

#: What CommonMark counts as the end of a line.
_MD_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
#: What opens a block when it starts a line: a heading, quote, list item, thematic break or
#: setext underline, table row or delimiter row (``:--``), code fence, link reference definition
#: or ordered list item.
_MD_BLOCK_START = re.compile(r"[#>+*=_|:`~\[-]|\d{1,9}[.)]")


def model_line(overview: dict[str, Any]) -> str:
    """The model constants the run set, each with its default (:func:`sim.constants.described`:
    the scenario's ``model:`` block and the run's own ``--model``)."""
    return constants.described(overview["model"])


def md_line(text: Any) -> str:
    """``text`` (from a file) as Markdown that is one line of plain text wherever it is put:
    line breaks become spaces, and a leading character that would open a block is escaped."""
    line = " ".join(_MD_LINE_BREAK.split(str(text if text is not None else ""))).strip()
    start = _MD_BLOCK_START.match(line)
    if start:
        cut = start.end() - 1  # before the character that opens the block ("#", or "." of "1.")
        line = line[:cut] + "\\" + line[cut:]
    return line


def md_cell(text: Any) -> str:
    """``text`` (from a file) as the content of one Markdown table cell: one line, its pipes
    and backslashes escaped (so that no pipe it holds can end the cell early)."""
    cell = str(text if text is not None else "").replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(_MD_LINE_BREAK.split(cell)).strip()  # not at a line start: nothing opens


def md_item(text: Any) -> str:
    """``text`` (from a file, or holding some) as one Markdown list item."""
    return "- " + md_line(text)


def md_lines(text: Any, indent: str = "") -> list[str]:
    """``text`` (from a file) as Markdown lines of plain text, each made safe as by
    :func:`md_line` and indented by ``indent`` (to stay inside a list item)."""
    lines = _MD_LINE_BREAK.split(str(text if text is not None else ""))
    return [indent + md_line(line) for line in lines if line.strip()]


EXPECTATION_HEAD = ["Entry", "Expected", "Delivered", "Acknowledged", "Done", "Mark"]


def _expectation_row(x: dict[str, Any]) -> list[str]:
    done = "; ".join(f"{d['offset']} {d['text']}" for d in x["done"]) or "-"
    if x.get("more_done"):
        done += f" (and {x['more_done']} more)"
    if x["met"] is None:
        mark = "not marked"
    else:
        mark = f"{'met' if x['met'] else 'not met'} ({x['marked_by']}, {x['marked']['offset']})"
        if x["mark"]:
            mark += f": {x['mark']}"
    return [x["entry"], x["expected"], x["delivered"]["offset"] if x["delivered"] else "-",
            x["acknowledged"]["offset"] if x["acknowledged"] else "-", done, mark]  # fmt: skip


def _md_expectations(expectations: dict[str, list[dict[str, Any]]] | None) -> list[str]:
    """The report's expectations section (only when the MSEL expects something)."""
    if not expectations:
        return []
    out = ["", "## Expectations per delegation", ""]
    for state, items in expectations.items():
        out += [f"### {md_line(state)}", ""]
        out += _md_table(EXPECTATION_HEAD, [_expectation_row(x) for x in items])
    return out


def _html_expectations(expectations: dict[str, list[dict[str, Any]]] | None) -> list[str]:
    if not expectations:
        return []
    out = ["<h2>Expectations per delegation</h2>"]
    for state, items in expectations.items():
        out.append(f"<h3>{_h(state)}</h3>")
        out.append(_table(EXPECTATION_HEAD, [_expectation_row(x) for x in items]))
    return out


def _md_table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def markdown(r: dict[str, Any]) -> str:
    """The report as Markdown."""
    o = r["overview"]
    out = [f"# After-Action Report / Improvement Plan: {md_line(o['title'])}", ""]
    if o["truncated"]:
        out += [f"> **Truncated recording.** This report covers only the recorded prefix "
                f"(up to {o['end']}, {o['events']} events).", ""]  # fmt: skip
    out += ["## Exercise overview", ""]
    rows = [
        ["Exercise name", o["title"]],
        ["Scenario", o["id"]],
        ["Dates (Brussels time)", f"{o['start']} to {o['end']}"],
        ["Simulated period", f"{o['period']} (horizon {o['horizon']})"],
        ["Timings", o["mode"]],
        ["Decision rule", o["decision_rule"]],
        ["Seed", o["seed"]],
        ["Played delegations", played_line(o)],
        ["Threat", "; ".join(f"{a['name']} (sponsor {a['sponsor']})" for a in o["threat_actors"])],
    ]
    if o.get("model"):
        rows.insert(7, ["Model constants", model_line(o)])
    if o["handovers"]:
        rows.insert(-1, ["Handed over during the run", "; ".join(o["handovers"])])
    if o["created"]:
        rows.append(["Recorded", o["created"]])
    if o["parent"]:
        rows.append(["Branched from", o["parent"]])
    if o["source"]:
        rows.append(["Source", o["source"]])
    out += _md_table(["", ""], rows)
    if o["summary"]:
        out += ["**Scenario.** " + md_line(o["summary"]), ""]
    if o["objectives"]:
        out += (
            ["**Objectives.**", ""]
            + [md_item(f"{x['id']}: {x['text']}") for x in o["objectives"]]
            + [""]
        )
    out += ["## Executive summary", ""] + [md_line(" ".join(r["summary"])), ""]
    out += ["## Timeline of key events", ""]
    out += _md_table(
        ["Brussels time", "T+", "Stage", "Event"],
        [[e["calendar"], e["offset"], e["stage"],
          e["text"] + (f" (positions: {e['positions']})" if e.get("positions") else "")
          + "".join(f"; {q}" for q in e.get("statements", []))]
         for e in r["timeline"]],
    )  # fmt: skip
    out += ["## Analysis of objectives", ""]
    out += _md_table(
        ["Objective", "Metric", "Target", "Result", "Rating", "Evaluator"],
        [[f"{x['id']}: {x['text']}", x["metric_label"], x["target"], x["value"], x["rating"],
          _evaluator(x).get("rating", "-")]
         for x in r["objectives"]],
    )  # fmt: skip
    for x in r["objectives"]:
        out += ["### " + md_line(f"{x['id']}: {x['rating']} ({x['rating_name']})"), "",
                md_line(x["text"]), "", "Evidence:", ""]  # fmt: skip
        out += [md_item(ev) for ev in x["evidence"]] + [""]
        out += _md_evaluator(_evaluator(x))
    out += ["### Metrics of the run", ""]
    out += _md_table(["Metric", "Value"], [[m["label"], m["value"]] for m in r["metric_lines"]])
    out += ["### Time per stage", ""]
    out += _md_table(["Stage", "Duration"], [[s["stage"], s["duration"]] for s in r["stages"]])
    out += ["## Strengths", ""] + [md_item(s["text"]) for s in r["strengths"]] + [""]
    out += ["## Areas for improvement", ""]
    out += [md_item(s["text"]) for s in r["improvements"]] or ["- None identified."]
    out += [""]
    if r["blockers"]:
        out += ["### Blocked decisions", ""]
        out += _md_table(
            ["T+", "Body", "Proposal", "Measure", "Blocked by", "Reason"],
            [[b["offset"], b["body"], b["proposal"], b["measure"], " ".join(b["by"]), b["reason"]]
             for b in r["blockers"]],
        )  # fmt: skip
    out += _md_crisis(r.get("crisis"), r["metrics"])
    out += _md_hotwash(r.get("evaluation"))
    out += ["## Open business at the end", ""]
    out += [md_item(f"{b['proposal']} {b['measure']}: {b['stage']} (since {b['offset']})")
            for b in r.get("open_business", [])] or ["- None: nothing was still under way."]  # fmt: skip
    out += ["", "## Facilitator notes", ""]
    out += [_md_note(n) for n in r["notes"]] or ["- None."]
    out += ["", "## Messages from the seats", ""]
    out += _md_table(["Time", "T+", "From", "Message"],
                     [[m["calendar"], m["offset"], m["from"], m["text"]]
                      for m in r.get("messages", [])]) if r.get("messages") else ["- None."]  # fmt: skip
    out += _md_expectations(r.get("expectations"))
    out += ["", "## MSEL: planned and delivered", ""]
    out += _md_table(
        ["Event No.", "Type", "Planned", "Delivered", "Status", "Message"],
        [[m["id"], m["type"], m["planned"]["offset"] if m["planned"] else "-",
          m["delivered"]["offset"] if m["delivered"] else "-", m["status"], m["message"]]
         for m in r["msel"]],
    )  # fmt: skip
    out += ["## Improvement plan", ""]
    out += _md_table(
        ["Issue / area for improvement", "Objective", "Corrective action",
         "Responsible organisation", "Due date"],
        [[p["issue"], p["objective"], p["action"], p["organisation"], p["due"]]
         for p in r["plan"]] or [["", "", "", "", ""]],
    )  # fmt: skip
    return md_safe("\n".join(out).rstrip() + "\n")


def _md_crisis(section: dict[str, Any] | None, values: dict[str, Any]) -> list[str]:
    """The crisis track's section (sim/report/crisis.py), none without a large-scale incident."""
    if section is None:
        return []
    out = ["## The crisis track (Cyber Blueprint)", "", "### Hand-offs between the levels", ""]
    out += _md_table(["Step", "Brussels time", "T+", "After the step before"],
                     [[h["step"], h["calendar"], h["offset"], h["after"]]
                      for h in section["handoffs"]])  # fmt: skip
    out += _md_table(["Milestone", "Value"], milestones(values))
    for level in section["levels"]:
        out += [f"### {md_line(level['level'])}", ""]
        rows = [[e["calendar"], e["offset"], e["text"]] for e in level["events"]]
        out += _md_table(["Brussels time", "T+", "Event"], rows) if rows else [
            "- Nothing at this level in the simulated period.", ""]  # fmt: skip
    return out


def _html_crisis(section: dict[str, Any] | None, values: dict[str, Any]) -> list[str]:
    """The crisis track's section as HTML blocks."""
    if section is None:
        return []
    b = ["<h2>The crisis track (Cyber Blueprint)</h2>", "<h3>Hand-offs between the levels</h3>"]
    b.append(_table(["Step", "Brussels time", "T+", "After the step before"],
                    [[h["step"], h["calendar"], h["offset"], h["after"]]
                     for h in section["handoffs"]]))  # fmt: skip
    b.append(_table(["Milestone", "Value"], milestones(values)))
    for level in section["levels"]:
        b.append(f"<h3>{_h(level['level'])}</h3>")
        rows = [[e["calendar"], e["offset"], e["text"]] for e in level["events"]]
        b.append(_table(["Brussels time", "T+", "Event"], rows) if rows
                 else "<p>Nothing at this level in the simulated period.</p>")  # fmt: skip
    return b


def _evaluator(objective: dict[str, Any]) -> dict[str, Any]:
    """The evaluator's rating and observations of an objective (empty without entries)."""
    return objective.get("evaluator") or {}


def _oneline(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def _observation(o: dict[str, Any]) -> str:
    """An evaluator's observation on one line: when, the delegation it is about (if any), the
    text, and whether it was edited; the same in Markdown and HTML, tagged or not."""
    state = f" {o['state']}" if o["state"] else ""
    edited = " (edited)" if o["edited"] else ""
    return f"{o['calendar']} {o['offset']}{state}: {_oneline(o['text'])}{edited}"


def _md_evaluator(ev: dict[str, Any]) -> list[str]:
    out = []
    if ev.get("rating"):
        why = f": {md_line(ev['why'])}" if ev.get("why") else ""
        out += [f"Evaluator's rating: **{md_line(ev['rating'])}** ({ev['rating_name']}){why}", ""]
    if ev.get("observations"):
        out += ["Evaluator's observations:", ""]
        out += [md_item(_observation(o)) for o in ev["observations"]] + [""]
    return out


def _md_hotwash(ev: dict[str, Any] | None) -> list[str]:
    if not ev:
        return []
    out = []
    if ev["observations"]:
        out += ["## Evaluator's observations (no objective)", ""]
        out += [md_item(_observation(o)) for o in ev["observations"]] + [""]
    hotwash = ev["hotwash"]
    if hotwash["strengths"] or hotwash["improvements"]:
        out += ["## Hot wash", ""]
        for key, title in (("strengths", "Strengths"), ("improvements", "Areas for improvement")):
            out += [f"### {title}", ""]
            out += [md_item(f"{h['who']}: {_oneline(h['text'])}") for h in hotwash[key]] or [
                "- None."
            ]
            out += [""]
    return out


def md_safe(text: str) -> str:
    """Markdown whose text from files can neither inject HTML (``<script>``: Markdown renderers
    pass raw HTML through), nor open an inline link or image (``[x](javascript:...)``,
    ``![x](http://...)``), nor carry terminal escapes. cdtx's own Markdown never uses ``<`` or
    ``](``, so escaping them everywhere changes only what came from files: without ``<`` no tag
    or autolink can open, without ``](`` no link or image (and :func:`md_line` keeps a link
    reference definition from starting a line)."""
    return printable(text).replace("<", "&lt;").replace("](", "]\\(")


# -- HTML ------------------------------------------------------------------------------------


def _note_tags(note: dict[str, Any]) -> str:
    """`` [OBJ-1 · DE] (edited)``: what a facilitator's note is tagged to, and if it was edited."""
    tags = " · ".join(x for x in (note.get("objective"), note.get("state")) if x)
    return (f" [{tags}]" if tags else "") + (" (edited)" if note.get("edited") else "")


def _md_note(note: dict[str, Any]) -> str:
    """A note as a Markdown list item; its further lines stay inside the item."""
    first, *more = md_lines(note["text"]) or [""]
    head = md_item(f"{note['calendar']} {note['offset']}{_note_tags(note)}: {first}")
    return "\n".join([head, *(f"  {line}" for line in more)])


def _h(text: Any) -> str:
    return escape(printable(str(text if text is not None else "")))


def _table(head: list[str], rows: list[list[Any]], classes: dict[int, str] | None = None) -> str:
    classes = classes or {}
    parts = ["<table><thead><tr>"] + [f"<th>{_h(h)}</th>" for h in head] + ["</tr></thead><tbody>"]
    for row in rows:
        parts.append("<tr>")
        for i, cell in enumerate(row):
            cls = classes.get(i)
            cls_attr = f' class="{cls} {_h(cell)}"' if cls else ""
            parts.append(f"<td{cls_attr}>{_h(cell)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_h(title)}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def timeline_svg(events: list[dict[str, Any]], horizon: float, width: int = 720) -> str:
    """Key events on one time axis, coloured by stage; one lane per stage."""
    lanes = []
    for e in events:
        if e["stage"] not in lanes:
            lanes.append(e["stage"])
    left, right, lane_h, top = 90, 20, 18, 10
    span = max(horizon, max((e["t"] for e in events), default=0.0), 1.0)
    height = top + lane_h * max(len(lanes), 1) + 30
    x = lambda t: left + (width - left - right) * t / span  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="Timeline of key events">']  # fmt: skip
    for i, lane in enumerate(lanes):
        y = top + i * lane_h + lane_h / 2
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                   f"{_h(lane)}</text>")  # fmt: skip
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                   'stroke="#e0e4ea"/>')  # fmt: skip
    axis_y = top + lane_h * max(len(lanes), 1) + 4
    out.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#333"/>'
    )
    days = span / 24
    step = 1 if days <= 10 else 5 if days <= 60 else 30
    d = 0
    while d * 24 <= span + 1e-9:
        xx = x(d * 24)
        out.append(
            f'<line x1="{xx:.1f}" y1="{axis_y}" x2="{xx:.1f}" y2="{axis_y + 4}" stroke="#333"/>'
        )
        out.append(f'<text x="{xx:.1f}" y="{axis_y + 15}" font-size="9" text-anchor="middle">'
                   f"D{d}</text>")  # fmt: skip
        d += step
    for e in events:
        y = top + lanes.index(e["stage"]) * lane_h + lane_h / 2
        colour = STAGE_COLOURS.get(e["stage"], "#555")
        out.append(f'<circle cx="{x(e["t"]):.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                   f"<title>{_h(e['offset'] + ' ' + e['text'])}</title></circle>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def html(r: dict[str, Any], horizon_hours: float | None = None) -> str:
    """The report as one self-contained HTML page."""
    o = r["overview"]
    b: list[str] = [f"<h1>After-Action Report / Improvement Plan<br>{_h(o['title'])}</h1>"]
    if o["truncated"]:
        b.append(f'<p class="note"><strong>Truncated recording.</strong> This report covers only '
                 f"the recorded prefix (up to {_h(o['end'])}, {o['events']} events).</p>")  # fmt: skip
    b.append("<h2>Exercise overview</h2>")
    rows = [
        ["Exercise name", o["title"]], ["Scenario", o["id"]],
        ["Dates (Brussels time)", f"{o['start']} to {o['end']}"],
        ["Simulated period", f"{o['period']} (horizon {o['horizon']})"],
        ["Timings", o["mode"]], ["Decision rule", o["decision_rule"]], ["Seed", o["seed"]],
        ["Played delegations", played_line(o)],
        ["Threat", "; ".join(f"{a['name']} (sponsor {a['sponsor']})" for a in o["threat_actors"])],
    ]  # fmt: skip
    if o.get("model"):
        rows.insert(7, ["Model constants", model_line(o)])
    if o["handovers"]:
        rows.insert(-1, ["Handed over during the run", "; ".join(o["handovers"])])
    for key, label in (("created", "Recorded"), ("parent", "Branched from"), ("source", "Source")):
        if o[key]:
            rows.append([label, o[key]])
    b.append(_table(["Item", "Detail"], rows))
    if o["summary"]:
        b.append(f"<p><strong>Scenario.</strong> {_h(o['summary'])}</p>")
    if o["objectives"]:
        b.append("<p><strong>Objectives.</strong></p><ul>")
        b += [f"<li>{_h(x['id'])}: {_h(x['text'])}</li>" for x in o["objectives"]]
        b.append("</ul>")
    b.append("<h2>Executive summary</h2>")
    b.append(f"<p>{_h(' '.join(r['summary']))}</p>")
    b.append("<h2>Timeline of key events</h2>")
    horizon = (
        horizon_hours
        if horizon_hours is not None
        else r["timeline"][-1]["t"]
        if r["timeline"]
        else 0
    )
    b.append(timeline_svg(r["timeline"], horizon))
    b.append(_table(
        ["Brussels time", "T+", "Stage", "Event"],
        [[e["calendar"], e["offset"], e["stage"],
          e["text"] + (f" (positions: {e['positions']})" if e.get("positions") else "")
          + "".join(f"; {q}" for q in e.get("statements", []))]
         for e in r["timeline"]],
    ))  # fmt: skip
    b.append("<h2>Analysis of objectives</h2>")
    b.append(_table(
        ["Objective", "Metric", "Target", "Result", "Rating", "Evaluator"],
        [[f"{x['id']}: {x['text']}", x["metric_label"], x["target"], x["value"], x["rating"],
          _evaluator(x).get("rating", "-")]
         for x in r["objectives"]],
        {4: "rating", 5: "rating"},
    ))  # fmt: skip
    for x in r["objectives"]:
        b.append(f"<h3>{_h(x['id'])}: {_h(x['rating'])} ({_h(x['rating_name'])})</h3>")
        b.append(f"<p>{_h(x['text'])}</p><p>Evidence:</p><ul>")
        b += [f"<li>{_h(ev)}</li>" for ev in x["evidence"]]
        b.append("</ul>")
        ev = _evaluator(x)
        if ev.get("rating"):
            why = f": {_h(_oneline(ev['why']))}" if ev.get("why") else ""
            b.append(f"<p>Evaluator's rating: <strong>{_h(ev['rating'])}</strong> "
                     f"({_h(ev['rating_name'])}){why}</p>")  # fmt: skip
        if ev.get("observations"):
            b.append("<p>Evaluator's observations:</p><ul>")
            b += [f"<li>{_h(_observation(o))}</li>" for o in ev["observations"]]
            b.append("</ul>")
    b.append("<h3>Metrics of the run</h3>")
    b.append(_table(["Metric", "Value"], [[m["label"], m["value"]] for m in r["metric_lines"]]))
    b.append("<h3>Time per stage</h3>")
    b.append(_table(["Stage", "Duration"], [[s["stage"], s["duration"]] for s in r["stages"]]))
    b.append("<h2>Strengths</h2><ul>")
    b += [f"<li>{_h(s['text'])}</li>" for s in r["strengths"]] or ["<li>None identified.</li>"]
    b.append("</ul><h2>Areas for improvement</h2><ul>")
    b += [f"<li>{_h(s['text'])}</li>" for s in r["improvements"]] or ["<li>None identified.</li>"]
    b.append("</ul>")
    if r["blockers"]:
        b.append("<h3>Blocked decisions</h3>")
        b.append(_table(
            ["T+", "Body", "Proposal", "Measure", "Blocked by", "Reason"],
            [[x["offset"], x["body"], x["proposal"], x["measure"], " ".join(x["by"]), x["reason"]]
             for x in r["blockers"]],
        ))  # fmt: skip
    b += _html_crisis(r.get("crisis"), r["metrics"])
    hotwash = (r.get("evaluation") or {}).get("hotwash")
    if hotwash and (hotwash["strengths"] or hotwash["improvements"]):
        b.append("<h2>Hot wash</h2>")
        for key, title in (("strengths", "Strengths"), ("improvements", "Areas for improvement")):
            b.append(f"<h3>{title}</h3><ul>")
            b += [f"<li>{_h(h['who'])}: {_h(_oneline(h['text']))}</li>" for h in hotwash[key]]
            b.append("</ul>" if hotwash[key] else "<li>None.</li></ul>")
    loose = (r.get("evaluation") or {}).get("observations")
    if loose:
        b.append("<h2>Evaluator's observations (no objective)</h2><ul>")
        b += [f"<li>{_h(_observation(o))}</li>" for o in loose]
        b.append("</ul>")
    b.append("<h2>Open business at the end</h2><ul>")
    b += [f"<li>{_h(o['proposal'])} {_h(o['measure'])}: {_h(o['stage'])} (since {_h(o['offset'])})"
          "</li>" for o in r.get("open_business", [])]  # fmt: skip
    if not r.get("open_business"):
        b.append("<li>None: nothing was still under way.</li>")
    b.append("</ul>")
    b.append("<h2>Facilitator notes</h2><ul>")
    b += [
        f"<li>{_h(n['calendar'])} {_h(n['offset'])}{_h(_note_tags(n))}: "
        + "<br>".join(_h(line) for line in n["text"].splitlines())
        + "</li>"
        for n in r["notes"]
    ]
    if not r["notes"]:
        b.append("<li>None.</li>")
    b.append("</ul><h2>Messages from the seats</h2>")
    if r.get("messages"):
        b.append(_table(["Time", "T+", "From", "Message"],
                        [[m["calendar"], m["offset"], m["from"], m["text"]]
                         for m in r["messages"]]))  # fmt: skip
    else:
        b.append("<ul><li>None.</li></ul>")
    b += _html_expectations(r.get("expectations"))
    b.append("<h2>MSEL: planned and delivered</h2>")
    b.append(_table(
        ["Event No.", "Type", "Planned", "Delivered", "Status", "Message"],
        [[m["id"], m["type"], m["planned"]["offset"] if m["planned"] else "-",
          m["delivered"]["offset"] if m["delivered"] else "-", m["status"], m["message"]]
         for m in r["msel"]],
    ))  # fmt: skip
    b.append('<h2 class="pagebreak">Improvement plan</h2>')
    b.append(_table(
        ["Issue / area for improvement", "Objective", "Corrective action",
         "Responsible organisation", "Due date"],
        [[p["issue"], p["objective"], p["action"], p["organisation"], p["due"]]
         for p in r["plan"]] or [["", "", "", "", ""]],
    ))  # fmt: skip
    return page(f"AAR/IP: {o['title']}", "\n".join(b))


__all__ = ["BODY_NAMES", "html", "markdown", "page", "timeline_svg"]
