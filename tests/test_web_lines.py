"""Every line a seat shows reads as plain language: built-in scenarios played through every
seat's page view (sim.seats.PageView, what the browser pages render) and the terminal seat's
lines (sim.seats.text_of over the terminal seat's fold, what ``cdtx join`` prints), with no measure or sector said by its
snake_case id and no proposal id without its measure's name beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from sim import Exercise
from sim.names import MEASURE_NAMES, SHORT_MEASURE_NAMES
from sim.report import aar
from sim.seats import Disclosure, PageView, SeatView, run_state, seats_for, text_of
from tui import handouts

#: Played: every page has decisions, answers and requests to show (baltic-blackout: the crisis
#: track's levels; hospital-ransomware and eu-institution-intrusion: sectors in snake_case;
#: calib-wannacry-notpetya: a victim outside the Union).
SCENARIOS = ["satcom-war", "baltic-blackout", "hospital-ransomware", "eu-institution-intrusion",
             "calib-wannacry-notpetya"]  # fmt: skip

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
PROPOSAL = re.compile(r"\bP-\d+\b")
#: Fields of a page view that are identifiers the page sends back or keys its styles on (a
#: position's value, a row's status), not text people read.
IDENTIFIERS = {"code", "value", "kind", "role", "id", "entry", "status", "level", "state"}


def _answering(scenario: str) -> Exercise:
    """The scenario played to its end, every request answered (support) as a delegation would."""
    ex = Exercise(scenario, interactive=True)
    for _ in range(500):
        ex.run()
        if not ex.pending:
            break
        for request in list(ex.pending):
            ex.seat = request.state
            ex.answer(request.state, "support")
            ex.seat = None
    assert ex.finished
    return ex


def _texts(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v, key)
    elif isinstance(value, str) and key not in IDENTIFIERS:
        yield value


def _names(measure: str) -> tuple[str, ...]:
    return tuple(n for n in (SHORT_MEASURE_NAMES.get(measure), MEASURE_NAMES.get(measure)) if n)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_line_a_seat_shows_says_measures_and_sectors_by_name(scenario):
    ex = _answering(scenario)
    measures = {e.data["proposal"]: e.data["measure"] for e in ex.events if e.kind == "proposal"}
    lines: dict[str, set[str]] = {}
    for seat in seats_for(ex.players):
        disclosure, view = Disclosure(ex.scenario), PageView(seat, ex.scenario)
        terminal = SeatView(seat)  # cdtx join's fold: the proposals it has seen name measures
        for event in ex.events:
            disclosure.observe(event)
            data = disclosure.data_for(seat, event)
            if data is None:
                continue
            view.apply(event.kind, event.t, event.seq, data)
            shown = {"kind": event.kind, "t": event.t, "seq": event.seq, "data": data}
            terminal.apply(shown)
            lines.setdefault(f"cdtx join {seat.id} ({event.kind})", set()).add(
                text_of(shown, terminal.measures))
            # the page's view as it stood then: a request is only shown while it is open
            if event.kind == "decision_request" and seat.role == "delegation":
                lines.setdefault(f"page {seat.id} (request)", set()).update(
                    _texts(view.summary(run_state(ex, event.t, False))["request"]))
        summary = view.summary(run_state(ex, ex.now, False))
        lines.setdefault(f"page {seat.id}", set()).update(_texts(summary))
    assert sum(len(v) for v in lines.values()) > 100
    wrong = []
    for where, texts in lines.items():
        for text in texts:
            if SNAKE.search(text):
                wrong.append(f"{where}: {text}")
            for pid in PROPOSAL.findall(text):
                if pid in measures and not any(n in text for n in _names(measures[pid])):
                    wrong.append(f"{where}: {text}")
    assert not wrong, "\n".join(sorted(set(wrong))[:40])


def test_the_facilitators_brief_and_the_after_action_report_say_sectors_as_people_do():
    # the same words as the pages: a brief and a report quote the incidents' targets too
    ex = Exercise("eu-institution-intrusion").run()
    brief = handouts.markdown("brief", handouts.facilitator_brief(ex.scenario))
    report = aar(ex.scenario, ex.events)
    for text in (brief, report):
        assert "eu institution" in text and "eu_institution" not in text
