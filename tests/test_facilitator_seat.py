"""A facilitator's seat can do what the console does (issue 23): fire, edit, skip, release,
the clock and its speed, notes and the hot wash, chat between delegations when allowed, and
seat management (free, a new token, a shared seat); a real host on loopback, real seats."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("websockets")

from scenarios.errors import UserError  # noqa: E402
from sim import Exercise, evaluation  # noqa: E402
from sim.expectations import msel_status  # noqa: E402
from sim.seats import seats_for  # noqa: E402
from tui.host.client import InputRefused, JoinError, SeatClient  # noqa: E402
from tui.host.join_app import parse_command  # noqa: E402
from tui.host.server import Host, load_tokens, new_tokens, save_tokens, tokens_path  # noqa: E402

SCENARIO = "satcom-war"  # played DE and PL; S-01 at 1h, S-02 at 3h, ... S-12


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def _inputs(ex: Exercise, control: str) -> list[dict]:
    return [e.data for e in ex.events if e.kind == "input" and e.data.get("control") == control]


def test_a_facilitator_seat_fires_edits_and_writes_the_hot_wash():
    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players, facilitators=2)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            fac, de = SeatClient(host.url, tokens["facilitator"]), SeatClient(host.url, tokens["DE"])
            await fac.connect()
            await de.connect()
            await fac.wait_for(lambda c: bool(c.msel))  # the MSEL comes with the seat
            await fac.act("fire", msel="S-02")
            with pytest.raises(InputRefused, match="S-02 has already been skipped"):
                await fac.act("fire", msel="S-02")
            with pytest.raises(InputRefused, match="no MSEL entry or scheduled inject 'S-99'"):
                await fac.act("fire", msel="S-99")
            await fac.act("edit", msel="S-03", at="10h", message="The PSC meets later")
            with pytest.raises(InputRefused, match="give at"):
                await fac.act("edit", msel="S-04")
            with pytest.raises(InputRefused, match=r"seat DE \(delegation\) may not fire"):
                await de.act("fire", msel="S-04")
            await fac.act("hotwash", text="Indicators were shared late", about="improvement")
            await fac.act("hotwash", text="The PSC met within hours")
            await fac.wait_for(lambda c: len([e for e in c.events if e["kind"] == "input"]) >= 6)
            rows = {r["id"]: r["status"] for r in msel_status(fac.msel, fac.view.events)}
            saw_fire = [e for e in de.events if e["kind"] == "inject_applied"]
            for client in (fac, de):
                await client.close()
            return ex, rows, saw_fire

    ex, rows, de_saw = run(scenario())
    skips = _inputs(ex, "skip")
    assert [(s["msel"], s["how"], s["seat"]) for s in skips] == [
        ("S-02", "fired", "facilitator"), ("S-03", "edited", "facilitator")]  # fmt: skip
    edited = ex.scheduled["S-03-edited"]
    assert (edited.at, edited.message) == (10.0, "The PSC meets later")
    assert rows["S-02"] == "fired as S-02-early" and rows["S-03"] == "edited as S-03-edited"
    assert rows["S-03-edited"] == "planned" and rows["S-04"] == "planned"
    assert [e["data"]["inject"] for e in de_saw] == ["S-02-early"]  # addressed to DE too
    hotwash = evaluation.current(ex.events)
    assert [(h.entry, h.about) for h in hotwash] == [("hotwash", "improvement"),
                                                      ("hotwash", "improvement")]  # fmt: skip


def test_chat_between_delegations_only_when_the_facilitator_allows_it():
    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            fac, de, pl, obs = (SeatClient(host.url, tokens[s])
                                for s in ("facilitator", "DE", "PL", "observer"))  # fmt: skip
            for client in (fac, de, pl, obs):
                await client.connect()
            with pytest.raises(InputRefused, match="has not opened chat"):
                await de.act("chat", to="PL", text="shall we abstain?")
            await fac.act("allow_chat", allowed=True)
            await de.wait_for(lambda c: c.view.chat_allowed)
            with pytest.raises(InputRefused, match="'EE' is not a played delegation"):
                await de.act("chat", to="EE", text="hello")
            with pytest.raises(InputRefused, match="not your own"):
                await de.act("chat", to="DE", text="hello")
            await de.act("chat", to="PL", text="shall we abstain?")
            await pl.wait_for(lambda c: c.view.messages)
            await fac.wait_for(lambda c: c.view.messages)
            await fac.act("allow_chat", allowed=False)
            await de.wait_for(lambda c: not c.view.chat_allowed)
            with pytest.raises(InputRefused, match="has not opened chat"):
                await pl.act("chat", to="DE", text="yes")
            result = pl.view.messages, fac.view.messages, obs.view.messages
            for client in (fac, de, pl, obs):
                await client.close()
            return result

    pl_saw, fac_saw, obs_saw = run(scenario())
    assert [m[1:] for m in pl_saw] == [("DE", "shall we abstain?")]
    assert [m[1:] for m in fac_saw] == [("DE", "shall we abstain?")]
    assert obs_saw == []


def test_a_new_token_replaces_the_old_one_and_a_shared_seat_acts_for_its_delegation(tmp_path):
    seats_file = tokens_path(tmp_path / "run.jsonl")

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        save_tokens(seats_file, seats, tokens)
        old_de = tokens["DE"]
        announced = []
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            host.seats_file = seats_file
            host.on_seats = lambda: announced.append(dict(host.tokens))
            fac, de = SeatClient(host.url, tokens["facilitator"]), SeatClient(host.url, old_de)
            await fac.connect()
            await de.connect()
            await fac.act("new_token", seat="DE")
            await asyncio.wait_for(de.closed.wait(), 10)
            with pytest.raises(JoinError, match="unknown token"):
                await SeatClient(host.url, old_de).connect()
            await fac.wait_for(lambda c: any("new token" in n for n in c.notices))
            new_de = host.tokens["DE"]
            assert new_de != old_de and any(new_de in n for n in fac.notices)
            de = SeatClient(host.url, new_de)
            await de.connect()

            with pytest.raises(InputRefused, match="not a delegation's seat"):
                await fac.act("share", seat="observer")
            await fac.act("share", seat="DE")
            await fac.wait_for(lambda c: any("DE-2" in n for n in c.notices))
            de2 = SeatClient(host.url, host.tokens["DE-2"])
            welcome = await de2.connect()
            await de2.act("message", text="second Berlin desk here")
            await de.wait_for(lambda c: c.view.messages)  # DE sees what its second seat did
            with pytest.raises(InputRefused, match="answers for DE only"):
                await de2.act("answer", state="PL", position="oppose")
            result = welcome["seat"], de.view.messages, len(announced)
            for client in (fac, de, de2):
                await client.close()
            return result, ex

    (seat, de_saw, announcements), ex = run(scenario())
    assert seat == {"id": "DE-2", "role": "delegation", "state": "DE"}
    assert [m[1:] for m in de_saw] == [("DE-2", "second Berlin desk here")]
    assert announcements == 2
    saved, tokens = load_tokens(seats_file)  # what --resume reads: the new token, the new seat
    assert "DE-2" in tokens and [s.id for s in saved].count("DE-2") == 1
    assert oct(seats_file.stat().st_mode & 0o777) == "0o600"
    assert json.loads(seats_file.read_text())["seats"][-1]["state"] == "DE"


def test_the_clock_and_its_speed_from_a_facilitator_seat_without_the_console():
    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            fac = SeatClient(host.url, tokens["facilitator"])
            await fac.connect()
            await fac.act("clock", speed=36.0, run=True)
            with pytest.raises(InputRefused, match="speed is a number"):
                await fac.act("clock", speed=-1)
            result = host.speed, host.running
            await fac.close()
            return result

    assert run(scenario()) == (36.0, True)


def test_the_terminal_seat_parses_the_new_commands():
    assert parse_command("delegation", "ack S-02") == ("acknowledge", {"entry": "S-02"})
    assert parse_command("delegation", "chat pl shall we?") == ("chat", {"to": "PL",
                                                                         "text": "shall we?"})  # fmt: skip
    assert parse_command("facilitator", "chat on") == ("allow_chat", {"allowed": True})
    assert parse_command("facilitator", "edit S-03 at=10h Later") == (
        "edit", {"msel": "S-03", "at": "10h", "message": "Later"})  # fmt: skip
    assert parse_command("evaluator", "mark S-02 de not too slow") == (
        "mark", {"msel": "S-02", "state": "DE", "met": False, "text": "too slow"})  # fmt: skip
    assert parse_command("facilitator", "share DE") == ("share", {"seat": "DE"})
    assert parse_command("facilitator", "token PL") == ("new_token", {"seat": "PL"})
    with pytest.raises(ValueError, match="not a command of the delegation seat"):
        parse_command("delegation", "fire S-02")


def test_a_facilitator_seat_sets_the_consoles_speed_to_one_of_its_speeds():
    from sim.seats import Seat
    from tests.test_host import console_host
    from tui.host.server import SeatRefused
    from tui.screens.session import SPEEDS

    ex = Exercise(SCENARIO, interactive=True)
    other = Seat("facilitator-2", "facilitator")  # a second facilitator, at a seat of their own
    with console_host(ex) as (app, host, _tokens):
        host.apply(other, {"action": "clock", "speed": 10})  # 36,000 simulated seconds a second
        assert app.first_session.speed_index == SPEEDS.index(36000)
        with pytest.raises(SeatRefused, match="one of .* simulated hours per second"):
            host.apply(other, {"action": "clock", "speed": 7})
        host.apply(other, {"action": "clock", "run": False})
        assert app.first_session.mode == "paused"


def test_an_answer_reads_as_the_delegations_in_every_timeline():
    """Issue 23, item 5: one answer read 'Facilitator submits position inject F-006' even when
    DE sent it; it now says whose answer it is and who entered it."""
    from sim.event_kinds import INPUT

    answer = {"type": "position", "id": "F-006", "message": "Not without evidence",
              "params": {"state": "DE", "measure": "hr_declaration", "stance": "oppose"}}  # fmt: skip
    assert INPUT.text({"seat": "DE", "inject": answer, "step": 1}) == (
        "Germany (DE) answers oppose on HR declaration: Not without evidence")
    assert INPUT.text({"seat": "DE-2", "inject": answer, "step": 1}).startswith("Germany (DE) answers")
    assert INPUT.text({"inject": answer, "step": 1}).startswith("Facilitator for Germany (DE): oppose")


@pytest.mark.parametrize(("edit", "says"), [
    (lambda seats: seats + [dict(seats[1])], "is listed twice"),
    (lambda seats: [s for s in seats if s["role"] != "facilitator"], "no facilitator's seat"),
    (lambda seats: [], "no facilitator's seat"),
    (lambda seats: [dict(seats[0], token=" ")] + seats[1:], "has an empty token"),
    (lambda seats: [seats[0], dict(seats[1], token=seats[0]["token"])] + seats[2:],
     "two seats share one token"),
])  # fmt: skip
def test_a_seats_file_edited_out_of_shape_is_refused_for_resume(tmp_path, edit, says):
    # --resume reads the seats file: every seat once, a token of its own, a facilitator among
    # them, or one message naming the file (it would host a table no one runs, or a seat no
    # token reaches)
    ex = Exercise("satcom-war")
    seats = seats_for(ex.players)
    path = tmp_path / "seats.json"
    save_tokens(path, seats, new_tokens(seats))
    saved = json.loads(path.read_text())
    saved["seats"] = edit(saved["seats"])
    path.write_text(json.dumps(saved))
    with pytest.raises(UserError, match=says) as refused:
        load_tokens(path)
    assert str(path) in str(refused.value)
