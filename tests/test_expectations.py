"""Expectations (issue 23): an MSEL entry's expected action per addressee, a delegation's
acknowledgement, the facilitator's or evaluator's mark; folded from the recording, replayed
exactly, in the report; over a real host on loopback with real seats."""

from __future__ import annotations

import asyncio

import pytest
import yaml

import scenarios
from scenarios.model import expected_text, parse_expected
from sim import Exercise, expectations
from sim.exercise import InjectError
from sim.recording import Recorder
from sim.recording import open as open_recording
from sim.report import aar

SCENARIO = "satcom-war"  # played DE and PL


def _scenario():
    """satcom-war with S-02 (to DE, FR, IT, PL) expecting one thing of DE and another of PL."""
    data = yaml.safe_load(scenarios.builtin_path(SCENARIO).read_text(encoding="utf-8"))
    s02 = next(m for m in data["msel"] if m["id"] == "S-02")
    s02["expected_action"] = {"DE": "BSI confirms the attack", "PL": "CERT Polska shares IoCs"}
    return scenarios.load_text(yaml.safe_dump(data))


def _run_to(ex: Exercise, entry: str) -> None:
    while entry not in ex.applied and ex.step():
        pass


def test_an_expected_action_is_one_text_or_a_mapping_to_addressees():
    scenario = _scenario()
    s02 = next(m for m in scenario.msel if m.id == "S-02")
    assert s02.expected_of("PL") == "CERT Polska shares IoCs"
    assert s02.expected_of("FR") == ""
    s01 = next(m for m in scenario.msel if m.id == "S-01")
    assert s01.expected_of("DE") == s01.expected_action  # one text for every addressee
    data = yaml.safe_load(scenarios.builtin_path(SCENARIO).read_text(encoding="utf-8"))
    data["msel"][1]["expected_action"] = {"EE": "x"}  # S-02 is not addressed to EE
    with pytest.raises(scenarios.ScenarioError, match="EE not among the addressees"):
        scenarios.load_text(yaml.safe_dump(data))
    # The form field and the workbook cell: one line, read back as it was.
    assert parse_expected(expected_text(s02.expected_action)) == s02.expected_action
    assert parse_expected("Share: with INTCEN") == "Share: with INTCEN"


def test_acknowledgements_and_marks_are_folded_replayed_and_reported(tmp_path):
    path = tmp_path / "run.jsonl"
    ex = Exercise(_scenario(), interactive=True)
    recorder = Recorder(path, ex)
    with pytest.raises(InjectError, match="has not been delivered"):
        ex.acknowledge("S-02", "DE")
    _run_to(ex, "S-02")
    t_delivered = next(e.t for e in ex.events if e.kind == "inject_applied"
                       and e.data["inject"] == "S-02")  # fmt: skip
    ex.seat = "DE"
    ex.acknowledge("S-02", "DE")
    ex.remark("message", "BSI confirms: a wiper on the modems")
    ex.seat = None
    with pytest.raises(InjectError, match="already acknowledged"):
        ex.acknowledge("S-02", "DE")
    with pytest.raises(InjectError, match="not addressed to EE"):
        ex.acknowledge("S-02", "EE")
    with pytest.raises(InjectError, match="expects nothing of PL"):
        expectations.mark(ex, "S-99", "PL", True)  # no such entry
    with pytest.raises(InjectError, match="met is true or false"):
        expectations.mark(ex, "S-02", "DE", "yes")
    ex.seat = "evaluator"
    expectations.mark(ex, "S-02", "DE", True, "within the hour")
    expectations.mark(ex, "S-02", "PL", False, "no indicators shared")
    ex.seat = None
    recorder.close()

    folded = expectations.fold(ex.scenario, ex.events)
    assert set(folded) == {"DE", "PL"}  # played delegations only (FR, IT are the model's)
    de = next(x for x in folded["DE"] if x.entry == "S-02")
    assert de.expected == "BSI confirms the attack"
    assert de.delivered == t_delivered and de.acknowledged is not None
    assert [text for _, text in de.done] == ["message: BSI confirms: a wiper on the modems"]
    assert (de.met, de.mark_text, de.marked_by, de.status) == (True, "within the hour",
                                                               "evaluator", "met")  # fmt: skip
    pl = next(x for x in folded["PL"] if x.entry == "S-02")
    assert (pl.acknowledged, pl.met, pl.status) == (None, False, "not met")
    later = [x for x in folded["DE"] if x.delivered is None]
    assert later and all(x.status == "planned" for x in later)

    # The recording holds them all and a re-simulation gives the same events.
    recording = open_recording(path)
    assert [e.kind for e in recording.events if e.kind == "acknowledged"] == ["acknowledged"]
    again = recording.resimulate()
    assert again.digest == recording.digest

    report = aar(recording.scenario, recording.events, fmt="md")
    section = report.split("## Expectations per delegation", 1)[1].split("\n## ", 1)[0]
    assert "### DE" in section and "### PL" in section
    assert "BSI confirms the attack" in section and "met (Evaluator" in section
    assert "not met (Evaluator" in section and "no indicators shared" in section
    html = aar(recording.scenario, recording.events, fmt="html")
    assert "Expectations per delegation" in html and "CERT Polska shares IoCs" in html


def test_a_headless_run_expects_nothing_of_anyone():
    ex = Exercise(SCENARIO)
    ex.run()
    assert expectations.fold(ex.scenario, ex.events) == {}
    assert "Expectations per delegation" not in aar(ex.scenario, ex.events, fmt="md")


def test_a_fired_entry_keeps_its_expectation():
    ex = Exercise(_scenario(), interactive=True)
    ex.fire("S-02")
    ex.acknowledge("S-02-early", "DE")
    de = next(x for x in expectations.fold(ex.scenario, ex.events)["DE"] if x.entry == "S-02")
    assert de.delivered == 0.0 and de.acknowledged == 0.0


def test_seats_acknowledge_and_mark_over_a_real_host(tmp_path):
    """DE acknowledges S-02 at its seat, the evaluator marks it; the facilitator's fold and
    DE's unread list agree; refusals are clear."""
    pytest.importorskip("websockets")
    from sim.seats import seats_for
    from tui.host.client import InputRefused, SeatClient
    from tui.host.server import Host, new_tokens

    async def scenario():
        ex = Exercise(_scenario(), interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            de, pl, ev = (SeatClient(host.url, tokens[s]) for s in ("DE", "PL", "evaluator"))
            for client in (de, pl, ev):
                await client.connect()
            with pytest.raises(InputRefused, match="has not been delivered"):
                await de.act("acknowledge", entry="S-02")
            _run_to(ex, "S-02")
            host._changed.set()
            await de.wait_for(lambda c: "S-02" in c.view.unread)
            await de.act("acknowledge", entry="S-02")
            await de.wait_for(lambda c: "S-02" not in c.view.unread)
            with pytest.raises(InputRefused, match="may not mark"):
                await de.act("mark", msel="S-02", state="DE", met=True)
            await ev.act("mark", msel="S-02", state="DE", met=True, text="fast")
            with pytest.raises(InputRefused, match="expects nothing of EE"):
                await ev.act("mark", msel="S-02", state="EE", met=True)
            acks_seen_by_pl = [e for e in pl.events if e["kind"] == "acknowledged"]
            for client in (de, pl, ev):
                await client.close()
            return ex, acks_seen_by_pl

    ex, pl_saw = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert pl_saw == []  # DE's acknowledgement is DE's
    de = next(x for x in expectations.fold(ex.scenario, ex.events)["DE"] if x.entry == "S-02")
    assert de.acknowledged is not None and de.met is True and de.marked_by == "evaluator"
    acks = [e for e in ex.events if e.kind == "input" and e.data.get("control") == "acknowledge"]
    assert [e.data["seat"] for e in acks] == ["DE"]


def test_the_console_shows_a_seats_acknowledgement_and_marks_it_met():
    """cdtx host's console: DE acknowledges S-02 at its seat; E shows it acknowledged; y and a
    reason mark it met, recorded as the console's facilitator seat's mark."""
    pytest.importorskip("websockets")
    from tests.test_host import console_host, until
    from tui.host.client import SeatClient
    from tui.screens.expectations import ExpectationsScreen

    ex = Exercise(_scenario(), interactive=True)
    _run_to(ex, "S-02")

    async def scenario(app, host, tokens):
        async with app.run_test(size=(160, 45)) as pilot:
            de = SeatClient(host.url, tokens["DE"])
            await de.connect()
            await de.act("acknowledge", entry="S-02")
            await pilot.press("E")
            assert await until(pilot, lambda: isinstance(app.screen, ExpectationsScreen))
            screen = app.screen
            assert await until(pilot, lambda: any(
                x.entry == "S-02" and x.state == "DE" and x.acknowledged is not None
                for x in screen.rows))  # fmt: skip
            row = next(i for i, x in enumerate(screen.rows) if (x.entry, x.state) == ("S-02", "DE"))
            screen.query_one("DataTable").move_cursor(row=row)
            await pilot.press("y")
            await pilot.pause()
            await pilot.press(*"quick", "enter")
            assert await until(pilot, lambda: screen.rows[row].met is True)
            await de.close()
            return screen.rows[row]

    with console_host(ex) as (app, host, tokens):
        shown = asyncio.run(asyncio.wait_for(scenario(app, host, tokens), 60))
    assert (shown.met, shown.mark_text, shown.marked_by) == (True, "quick", "facilitator")


def test_terminal_seats_ack_and_the_facilitators_view_shows_expectations():
    """cdtx join: DE types ``ack`` (its oldest unread inject); the facilitator's view tallies
    each delegation's expectations and ``expect DE`` lists DE's, acknowledged."""
    pytest.importorskip("websockets")
    from sim.seats import seats_for
    from tests.test_host import until
    from tui.host.join_app import JoinApp
    from tui.host.server import Host, new_tokens

    async def scenario():
        ex = Exercise(_scenario(), interactive=True)
        _run_to(ex, "S-02")
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            de, fac = JoinApp(host.url, tokens["DE"]), JoinApp(host.url, tokens["facilitator"])
            async with de.run_test(size=(120, 40)) as pilot:
                await de.client.wait_for(lambda c: c.view.unread)
                first = de.client.view.unread[0]
                de.query_one("Input").value = "ack"
                await pilot.press("enter")
                await de.client.wait_for(lambda c: first not in c.view.unread)
            async with fac.run_test(size=(160, 50)) as pilot:
                await fac.client.wait_for(lambda c: bool(c.msel) and c.view.count > 0)

                def summary() -> str:
                    return str(fac.query_one("#summary").render())

                await until(pilot, lambda: "acknowledged" in summary())  # refolded at most 1/s
                shown = summary()
                fac.query_one("Input").value = "expect de"
                await pilot.press("enter")
                await pilot.pause()
                logged = "\n".join(str(line.text) for line in fac.query_one("RichLog").lines)
        return first, shown, logged

    first, summary, logged = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert first == "S-01"  # the first inject delivered to DE
    assert "DE: 2 delivered, 1 acknowledged, 0 met" in summary
    assert "DE S-02: BSI confirms the attack | delivered" in logged
    assert "DE S-01:" in logged and "acknowledged T+" in logged


def test_an_expected_action_per_addressee_survives_the_msel_workbook(tmp_path):
    from scenarios import msel

    original = _scenario()
    sheet = msel.export(original, tmp_path / "msel.csv")
    again = msel.read(sheet)
    s02 = next(m for m in again if m.id == "S-02")
    assert s02.expected_action == {"DE": "BSI confirms the attack", "PL": "CERT Polska shares IoCs"}
    assert again == list(original.msel)


def test_a_delegations_own_answer_is_not_an_inject_to_acknowledge():
    from sim.seats import Seat, SeatView, shown_to

    ex = Exercise(_scenario(), interactive=True)
    while not ex.pending and ex.step():
        pass
    request = ex.pending[0]
    record = ex.answer(request.state, "support", "agreed")
    answer_id = record.data["inject"]["id"]
    with pytest.raises(InjectError, match="has not been delivered"):
        ex.acknowledge(answer_id, request.state)
    view = SeatView(Seat(request.state, "delegation", request.state))
    view.extend(shown_to(view.seat, ex.events, ex.scenario))
    assert answer_id not in view.unread and view.unread  # the injects it received are
