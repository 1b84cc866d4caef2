"""The printable handouts' content (``cdtx brief`` and a delegation's page, which shows its brief):
a delegation's brief holds what that delegation would know at the start (as a hosted seat of it
would see it: sim/seats.py decides), the rules of play and how its decisions are asked; the
facilitator's brief holds the MSEL with expected actions and times, the objectives, the
incidents and the console's keys (by binding id, as a keymap file names them). Everything that
comes from the scenario is escaped (HTML) or made inert (Markdown).

Imports of the engine stay inside the functions: ``cdtx --help`` must not load it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.events import Event

FACILITATOR = "facilitator"

#: What each position means to a delegation, in the words the decision dialog uses.
POSITION_TEXT = {
    "support": "you agree to the measure",
    "abstain": "you neither support nor block; under unanimity an abstention does not block",
    "constructive_abstention": (
        "you do not block and need not apply the measure yourself (Art. 31(1) TEU)"
    ),
    "oppose": "you object; under unanimity one objection blocks the measure",
}


def title(scenario, audience: str) -> str:
    from sim.names import state_name

    who = "Facilitator" if audience == FACILITATOR else f"Delegation of {state_name(audience)}"
    return f"{who} brief: {scenario.title}"


# -- content -------------------------------------------------------------------------------------

Section = dict[str, Any]  # title, and any of: paragraphs, items, table (head, rows)


def _overview(scenario) -> list[list[str]]:
    from scenarios.vocabulary import format_duration
    from sim.clock import Calendar
    from sim.names import state_name

    players = ", ".join(state_name(code) for code in scenario.players) or "none (the model plays)"
    return [
        ["Scenario", f"{scenario.id}: {scenario.title}"],
        ["Start", brussels_time(Calendar(scenario.start), 0.0)],
        ["Horizon", format_duration(scenario.horizon)],
        ["Decision rule", scenario.decision_rule],
        ["Delegations played at the table", players],
    ]


def _model_row(scenario) -> list[list[str]]:
    """The model constants the scenario's ``model:`` block sets, with their defaults (the
    facilitator's brief: the assumptions every run of it makes); none for a block-less one."""
    if not scenario.model:
        return []
    from sim import constants

    return [["Model constants", constants.described(constants.of_scenario(scenario))]]


def brussels_time(calendar, t: float) -> str:
    """``Fri 06 Mar 2026 05:40 CET (Brussels)``: a handout is read away from the console, so its
    times say their time zone (CET or CEST, as on that day)."""
    return f"{calendar.format(t)} {calendar.to_datetime(t).strftime('%Z')} (Brussels)"


def delegation_brief(scenario, state: str, *, seed: int | None = None,
                     events: Iterable[Event] | None = None) -> list[Section]:  # fmt: skip
    """The brief of the delegation of ``state``: only what it would know at the start of the
    run with ``seed`` (default: the scenario's), or of the run whose ``events`` are given (a
    hosted exercise's own: its seed, its model constants, what its facilitator did at T+0)."""
    from sim.clock import Calendar, format_offset
    from sim.names import state_name

    known = _known_at_start(scenario, state, seed=seed, events=events)
    played = state in scenario.players
    rule = (
        "Unanimity: every delegation's support is needed, one objection blocks, and an "
        "abstention does not."
        if scenario.decision_rule == "unanimity"
        else "Qualified majority: 55% of the member states representing 65% of the population."
    )
    calendar = Calendar(scenario.start)
    sections: list[Section] = [
        {"title": "The exercise", "table": (["", ""], _overview(scenario))},
        {
            # Not the scenario's summary: it is the facilitator's and may name the threat actor,
            # which a delegation learns only as reports reach it.
            "title": "Background",
            "paragraphs": [
                "The EU answers malicious cyber activity with the Cyber Diplomacy Toolbox "
                "(Council Conclusions of 19 June 2017, implementing guidelines revised in 2023). "
                "Its measures are options, not steps: preventive and cooperative measures "
                "(awareness, dialogue, démarches), stability measures (a declaration by the "
                "High Representative on behalf of the EU, Council conclusions) and restrictive "
                "measures (travel bans and asset freezes on those responsible, under Council "
                "Decision (CFSP) 2019/797). A response should be proportionate to the activity, "
                "rest on situational awareness shared among the member states, and not every "
                "measure needs attribution; attribution is each capital's sovereign decision.",
                "Reports from national teams reach EU INTCEN, whose assessment the member states "
                "endorse in the Horizontal Working Party on Cyber Issues or the Political and "
                "Security Committee (PSC). A member state or the High Representative proposes "
                "a response; the working party prepares it; the PSC agrees declarations and "
                "prepares the Council's decisions; listings also pass RELEX and COREPER.",
                "The facilitator sets the scene when the exercise begins.",
            ],
        },
        {
            "title": "Your situation at the start",
            "paragraphs": [
                f"What the delegation of {state_name(state)} knows when the exercise begins; "
                "everything else reaches you as the exercise goes on: reports, briefings, "
                "meetings and requests for your position."
            ],
            "items": [
                f"{format_offset(t)} ({brussels_time(calendar, t)})  {line}" for t, line in known
            ]
            or ["Nothing has been reported to you yet."],
        },
        {
            "title": "Rules of play",
            "items": [
                "The clock is the exercise's: the facilitator runs, pauses and steps it; every "
                "time is given as T+ time since the start (T+2d 12:00 is two and a half days "
                "in) and as Brussels time (CET, or CEST in summer).",
                "You act as your government's delegation in the EU's bodies (HWP Cyber, PSC, "
                "COREPER, Council) under the EU Cyber Diplomacy Toolbox: each measure of the "
                "Toolbox is proposed, prepared, and decided by the member states.",
                f"Decisions: {rule}",
                "What other delegations answer is not shown to you before the decision.",
                "Everything you answer is recorded, with the reason you give, and quoted in the "
                "after-action report.",
            ],
        },
        {
            "title": "How your decisions are asked",
            "paragraphs": [
                (
                    f"{state_name(state)} is played at the table in this scenario: "
                    if played
                    else f"{state_name(state)} is not among this scenario's players (the "
                    "facilitator can hand it to the table): when it is played, "
                )
                + "whenever a body decides on a measure, the clock stops and you are asked "
                "for your position on it (at the facilitator's console, or on your own seat "
                "with cdtx join). You choose one position and may state your reason; the "
                "exercise goes on once you have answered. No position is chosen for you.",
            ],
            "table": (
                ["Position", "What it means"],
                [[p.replace("_", " "), text] for p, text in POSITION_TEXT.items()],
            ),
        },
        {
            "title": "Taking your seat and answering",
            "items": [
                "The facilitator gives your delegation its own seat: a join command with a "
                "token (or a link). Keep the token to yourself: whoever holds it speaks for "
                f"{state_name(state)}.",
                "In a terminal: cdtx join URL --token TOKEN. Type a command in the box at the "
                "bottom and press Enter.",
                "To answer a request: answer support (or abstain, constructive_abstention, "
                "oppose), then your reason, e.g. 'answer oppose we need more evidence'. "
                "Formal (constructive) abstention counts only where Art. 31(1) TEU applies: a "
                "Council decision such as a listing, not a declaration or conclusions.",
                "To write to the facilitator: msg TEXT.",
                "Acknowledge each inject you receive once you have read it: ack (the oldest "
                "unread) or ack ID. The facilitator sees who has read what.",
                "When the facilitator opens chat between delegations: chat STATE TEXT (e.g. "
                "'chat PL shall we table a joint statement?').",
                "If your connection drops, run the same command again: your seat and what it "
                "has seen come back.",
            ],
        },
    ]
    return sections


def _known_at_start(scenario, state: str, *, seed: int | None = None,
                    events: Iterable[Event] | None = None) -> list[tuple[float, str]]:  # fmt: skip
    """The timeline lines a hosted seat of ``state``'s delegation sees at T+0: of the run whose
    ``events`` are given, else of a run of ``scenario`` with ``seed``, simulated to T+0."""
    from sim.exercise import Exercise
    from sim.seats import DELEGATION, Seat, SeatView, shown_to

    if events is None:
        ex = Exercise(scenario, seed)
        ex.run(0.0)
        events = ex.events
    start = list(itertools.takewhile(lambda e: e.t <= 0.0, events))
    seat = Seat(state, DELEGATION, state)
    view = SeatView(seat)
    view.extend(e for e in shown_to(seat, start, scenario) if e["kind"] != "started")
    return view.lines


def facilitator_brief(scenario) -> list[Section]:
    """The facilitator's brief: overview, objectives, incidents, the MSEL and the keys."""
    from scenarios.model import expected_text
    from sim.clock import Calendar, format_offset
    from sim.names import sector, state_name

    calendar = Calendar(scenario.start)
    actors = {a.id: a.name for a in scenario.threat_actors}
    sections: list[Section] = [
        {
            "title": "The exercise",
            "table": (["", ""], _overview(scenario) + _model_row(scenario)),
            "paragraphs": [scenario.summary.strip()] if scenario.summary.strip() else [],
        },
        {
            "title": "Objectives",
            "table": (
                ["Id", "Objective", "Metric", "Target"],
                [[o.id, o.text, o.metric, str(o.target)] for o in scenario.objectives],
            ),
        },
        {
            "title": "Incidents",
            "table": (
                ["Id", "When", "Threat actor", "Targets", "Description"],
                [
                    [
                        i.id,
                        format_offset(i.at),
                        actors.get(i.actor, i.actor),
                        ", ".join(f"{t.state} ({sector(t.sector)})" for t in i.targets),
                        i.description,
                    ]
                    for i in scenario.incidents
                ],
            ),
        },
        {
            "title": "MSEL: injects, expected actions and times",
            "table": (
                ["Id", "When", "Type", "To", "Message", "Expected action", "Objectives"],
                [
                    [
                        m.id,
                        f"{format_offset(m.at)} ({calendar.format(m.at)})",
                        m.type,
                        ", ".join(m.to) or "all",
                        m.message,
                        expected_text(m.expected_action),
                        ", ".join(m.objectives),
                    ]
                    for m in sorted(scenario.msel, key=lambda m: m.at)
                ],
            ),
        },
        {
            "title": "Played delegations",
            "items": [
                f"{state_name(code)}: cdtx brief {scenario.id} --for {code}"
                for code in scenario.players
            ]
            or ["None: the model plays every delegation."],
        },
        {
            "title": "Console keys",
            "paragraphs": [
                "The binding id names a key in a keymap file (~/.config/cdtx/keymap.yaml or "
                "CDTX_KEYMAP), e.g. 'clock.toggle: p'; ? lists them in the console."
            ],
            "table": (["Key", "Binding id", "What it does"], console_keys()),
        },
    ]
    return sections


def console_keys() -> list[list[str]]:
    """(keys, binding id, description) of every remappable console binding, with the user's
    keymap applied."""
    from textual.keys import format_key

    from .keymap import binding_owners, load_keymap

    keymap = load_keymap()
    rows = []
    for owner in binding_owners():
        for binding in getattr(owner, "BINDINGS", []):
            if not getattr(binding, "id", None):
                continue
            keys = keymap.get(binding.id, binding.key)
            shown = ", ".join(format_key(k.strip()) for k in keys.split(","))
            rows.append([shown, binding.id, binding.description])
    return rows


# -- rendering -----------------------------------------------------------------------------------


def markdown(title: str, sections: list[Section]) -> str:
    """The brief as Markdown (text from the scenario made inert: no HTML, no escapes)."""
    from sim.report.render import _md_table, md_item, md_line, md_safe

    out = [f"# {md_line(title)}", ""]
    for section in sections:
        out += [f"## {md_line(section['title'])}", ""]
        for paragraph in section.get("paragraphs", []):
            out += [md_line(paragraph), ""]
        if "table" in section:
            head, rows = section["table"]
            if rows:
                out += _md_table(head, rows)
            else:
                out += ["None.", ""]
        if section.get("items"):
            out += [md_item(item) for item in section["items"]] + [""]
    return md_safe("\n".join(out).rstrip() + "\n")


def html(title: str, sections: list[Section]) -> str:
    """The brief as one self-contained A4 HTML page (the reports' stylesheet: @page A4)."""
    from sim.report.render import _h, _table, page

    body = [f"<h1>{_h(title)}</h1>"]
    for section in sections:
        body.append(f"<h2>{_h(section['title'])}</h2>")
        body += [f"<p>{_h(p)}</p>" for p in section.get("paragraphs", [])]
        if "table" in section:
            head, rows = section["table"]
            body.append(_table(head, rows) if rows else "<p>None.</p>")
        if section.get("items"):
            body.append("<ul>" + "".join(f"<li>{_h(i)}</li>" for i in section["items"]) + "</ul>")
    return page(title, "\n".join(body))
