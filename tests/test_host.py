"""cdtx host / cdtx join: a real host on loopback, seats over WebSocket, what each seat receives,
inputs stamped with their seat, refusals, rejoining, and a host killed and resumed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

pytest.importorskip("websockets")

from inprocess import cdtx  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

import scenarios  # noqa: E402
from sim import Exercise  # noqa: E402
from sim import seats as seat_rules  # noqa: E402
from sim.clock import SPEEDS  # noqa: E402
from sim.event_kinds import EVENT_KINDS  # noqa: E402
from sim.events import Event  # noqa: E402
from sim.recording import Recorder, RecordingWarning  # noqa: E402
from sim.recording import open as open_recording  # noqa: E402
from sim.seats import PUBLIC, Disclosure, Seat, SeatView, seats_for  # noqa: E402
from tests.test_cli import assert_error  # noqa: E402
from tui.host.client import InputRefused, JoinError, SeatClient  # noqa: E402
from tui.host.server import Host, in_thread, new_tokens  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "satcom-war"  # played delegations DE and PL, decisions at the PSC and the Council

#: What a delegation may never receive about another state, by kind.
OTHERS_PRIVATE = ("detected", "reported", "evidence", "position", "position_fixed",
                  "decision_request")  # fmt: skip


@contextlib.contextmanager
def console_host(ex: Exercise, **options):
    """cdtx host with its console, as tui/cli/host.py runs it: the play app over ``ex`` and a
    Host sharing the app's session, the host's event loop in a thread of its own. Yields the
    app, the host and the seats' tokens; stops the host on the way out."""
    from tui.app import make_play_app

    seats = seats_for(ex.players)
    tokens = new_tokens(seats)
    app = make_play_app(ex, record=False)
    host = Host(ex, seats, tokens, port=0, console=app.first_session, **options)
    with in_thread(host):
        yield app, host, tokens


async def until(pilot, condition, rounds: int = 500) -> bool:
    """Let the app run until ``condition()`` holds (bounded; no timing assertion)."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


async def seated_and_asked(pilot, app, host, token: str) -> SeatClient:
    """Seat a delegation with ``token`` at the console's host, run the clock as fast as it goes
    and wait until a decision is asked of a played delegation; returns the connected seat."""
    session = app.first_session
    seat = SeatClient(host.url, token)
    await seat.connect()
    assert await until(pilot, lambda: seat.seat.state in session.seated)
    session.set_speed(len(SPEEDS) - 1)
    session.set_mode("run")
    assert await until(pilot, lambda: bool(session.ex.pending))
    return seat


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


async def answer_requests(client: SeatClient, position: str = "support") -> None:
    """Answer each decision request the seat gets until the exercise ends."""
    while True:
        await client.wait_for(lambda c: c.view.ended or c.view.requests, 30)
        if client.view.ended:
            return
        request = client.view.requests[0]
        await client.act("answer", position=position, statement=f"{client.seat.id} agrees")
        await client.wait_for(lambda c, r=request: r not in c.view.requests, 30)


def allowed_for_delegation(state: str, event: dict, full: Event, context: dict) -> bool:
    """The rules of docs/hosting.md, written out again here, for one received event."""
    kind, d = event["kind"], event["data"]
    if kind in OTHERS_PRIVATE:
        return d["state"] == state
    if kind == "input":
        return d.get("seat") == state
    if kind in ("incident", "escalation"):
        return state in context["hit"].get(d["incident"], ())
    if kind == "assessment":
        return context["shared_awareness"]
    if kind == "note":
        return not d["to"] or state in d["to"]
    if kind == "inject_applied":
        to, position_of = context["injects"][d["inject"]]
        return position_of == state if position_of else (not to or state in to)
    return kind in PUBLIC


def test_a_hosted_exercise_with_every_kind_of_seat(tmp_path):
    """Facilitators, DE, PL, an evaluator and an observer drive an exercise to its end; each
    delegation receives only what it may see and everything public; inputs name their seat."""
    path = tmp_path / "hosted.jsonl"

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players, facilitators=2)
        tokens = new_tokens(seats)
        recorder = Recorder(path, ex)
        async with Host(ex, seats, tokens, port=0, speed=400, running=False,
                        recorder=recorder) as host:  # fmt: skip
            clients = {s.id: SeatClient(host.url, tokens[s.id]) for s in seats}
            for client in clients.values():
                await client.connect()
            fac, fac2 = clients["facilitator"], clients["facilitator-2"]
            de, pl, evaluator = clients["DE"], clients["PL"], clients["evaluator"]

            # Refusals: a wrong token, a token already in use, a delegation doing a
            # facilitator's work or answering for another state, an observer doing anything.
            with pytest.raises(JoinError, match="unknown token"):
                await SeatClient(host.url, "not-a-token").connect()
            with pytest.raises(JoinError, match="in use by another connection"):
                await SeatClient(host.url, tokens["DE"]).connect()
            with pytest.raises(InputRefused, match=r"seat DE \(delegation\) may not inject"):
                await de.act("inject", inject={"type": "note", "params": {"text": "x"}})
            with pytest.raises(InputRefused, match="answers for DE only, not PL"):
                await de.act("answer", state="PL", position="oppose")
            with pytest.raises(InputRefused, match="read-only"):
                await clients["observer"].act("message", text="hi")
            with pytest.raises(InputRefused, match="unknown objective 'x'"):
                await evaluator.act("observation", objective="x", rating="S")
            with pytest.raises(InputRefused, match="rating is one of"):
                await evaluator.act("observation", objective="SW-1", rating="Z")

            # Co-facilitation: both facilitators' inputs are applied and both see them.
            await fac.act("note", text="first from facilitator")
            await fac2.act("note", text="second from facilitator-2")
            # A facilitator seat's note is tagged as the console's (an evaluation entry).
            tagged = ex.scenario.objectives[0].id
            await fac.act("note", text="Berlin hesitates", objective=tagged, state="DE")
            with pytest.raises(InputRefused, match="unknown objective 'nope'"):
                await fac.act("note", text="x", objective="nope")
            await fac.act("inject", inject={"type": "note", "to": ["PL"],
                                            "params": {"text": "for Poland only"}})  # fmt: skip
            await fac2.act("clock", run=True)
            await de.act("message", text="DE asks for the evidence")
            for f in (fac, fac2):
                await f.wait_for(lambda c: len(c.view.messages) == 1)

            # A dropped seat rejoins with its token and gets its view back.
            await pl.wait_for(lambda c: c.view.count >= 20)
            await pl.close()
            seen = list(pl.events)
            pl = clients["PL"] = SeatClient(host.url, tokens["PL"])
            await pl.connect()
            await pl.wait_for(lambda c: c.count >= len(seen))
            assert pl.events[: len(seen)] == seen

            await asyncio.gather(answer_requests(de), answer_requests(pl))
            objective = ex.scenario.objectives[0].id
            await evaluator.act("observation", objective=objective, rating="S", text="timely")
            for client in clients.values():
                await client.wait_for(lambda c: c.view.ended)
            await fac.wait_for(lambda c: c.view.observations)
            received = {seat_id: list(c.events) for seat_id, c in clients.items()}
            log = list(ex.events)
            msel = [m.model_dump(mode="json", by_alias=True) for m in ex.scenario.msel]
            for client in clients.values():
                await client.close()
        recorder.close()
        return log, received, msel

    log, received, msel = run(scenario())

    # Facilitators and the evaluator receive every event, exactly as recorded.
    for seat_id in ("facilitator", "facilitator-2", "evaluator"):
        assert received[seat_id] == [e.as_dict() for e in log]

    # Each delegation: nothing it may not see, and everything public.
    public = set(PUBLIC)
    for state in ("DE", "PL"):
        context = {"hit": {}, "shared_awareness": False, "injects": {}}
        for entry in msel:
            position_of = entry["params"].get("state") if entry["type"] == "position" else None
            context["injects"][entry["id"]] = (entry["to"], position_of)
        got = {e["seq"]: e for e in received[state]}
        for full in log:
            inject = full.get("inject") if full.kind == "input" else None
            if inject is not None:
                position_of = (
                    inject["params"].get("state") if inject["type"] == "position" else None
                )
                context["injects"][inject["id"]] = (inject["to"], position_of)
            if full.kind == "incident":
                context["hit"][full.data["incident"]] = [t["state"] for t in full.data["targets"]]
            event = got.get(full.seq)
            if event is None:
                assert full.kind not in public, f"{state} missed public event {full.seq}"
                continue
            assert allowed_for_delegation(state, event, full, context), (state, event)
            if full.kind == "shared_awareness":
                context["shared_awareness"] = True
            assert "others" not in event["data"] and "advice" not in event["data"]
            assert "expected_action" not in event["data"]
            assert "recommended_rung" not in event["data"]
            if full.kind in ("attributed", "partner_attributed") and full.get("state") != state:
                assert "confidence" not in event["data"], (state, event)
        own_requests = [e for e in log if e.kind == "decision_request" and e.get("state") == state]
        assert own_requests and all(e.seq in got for e in own_requests)
    from sim import evaluation

    notes = [(n.text, n.objective, n.state) for n in evaluation.current(log) if n.entry == "note"]
    assert notes[-1] == ("Berlin hesitates", "SW-1", "DE"), notes
    texts = [e["data"].get("text") for e in received["DE"] if e["kind"] == "note"]
    assert "for Poland only" not in texts
    assert "for Poland only" in [e["data"].get("text") for e in received["PL"]]
    # The observer sees the wall: no inputs, no requests, no national detections.
    kinds = {e["kind"] for e in received["observer"]}
    assert kinds.isdisjoint({"input", "decision_request", "detected", "evidence", "position"})
    assert {"meeting", "decision", "ended"} <= kinds

    # The recording is the truth: every input names its seat, and it re-simulates exactly.
    recording = open_recording(path)
    seats = [e.data.get("seat") for e in recording.inputs]
    assert {"facilitator", "facilitator-2", "DE", "PL", "evaluator"} <= set(seats)
    assert None not in seats
    result = recording.verify()
    assert result.ok, result.message


def test_every_declared_event_kind_is_classified_for_the_seats_once():
    """A kind added to sim/event_kinds.py and not to sim/seats.py would silently never reach
    a delegation or the wall: each kind is public, own-state, conditional or facilitator-only."""
    groups = {"PUBLIC": set(PUBLIC), "OWN_STATE": set(seat_rules.OWN_STATE),
              "CONDITIONAL": set(seat_rules.CONDITIONAL),
              "FACILITATOR_ONLY": set(seat_rules.FACILITATOR_ONLY)}  # fmt: skip
    for kind in EVENT_KINDS:
        places = [name for name, kinds in groups.items() if kind in kinds]
        assert len(places) == 1, f"event kind {kind!r} is classified in {places or 'nothing'}"
    for name, kinds in groups.items():
        assert kinds <= set(EVENT_KINDS), (
            f"{name} names undeclared kinds {kinds - set(EVENT_KINDS)}"
        )


def test_public_politics_reach_delegations_and_the_wall():
    ex = Exercise(SCENARIO, interactive=True)
    disclosure = Disclosure(ex.scenario)
    de, wall = Seat("DE", "delegation", "DE"), Seat("observer", "observer")
    events = [
        Event(1.0, 1, "withdrawn", data={"proposal": "P-1", "measure": "m", "reason": "veto"}),
        Event(
            1.0,
            2,
            "redrafted",
            data={"proposal": "P-1", "measure": "m", "naming": "a", "previous": "b"},
        ),  # fmt: skip
        Event(1.0, 3, "listing_review", data={"proposal": "P-1", "review": 1, "renewed": True}),
        Event(
            1.0,
            4,
            "assistance",
            data={"article": "42(7)", "measure": "m", "by": "PL", "track": "aid"},
        ),  # fmt: skip
    ]
    for event in events:
        for seat in (de, wall):
            assert disclosure.view_of(seat, event) == event.as_dict(), (seat.id, event.kind)


def test_a_delegation_sees_the_confidence_of_its_own_attribution_only():
    ex = Exercise(SCENARIO, interactive=True)
    disclosure = Disclosure(ex.scenario)
    de, dk, wall = (Seat("DE", "delegation", "DE"), Seat("DK", "delegation", "DK"),
                    Seat("observer", "observer"))  # fmt: skip
    by_dk = Event(2.0, 7, "attributed", data={"state": "DK", "actor": "APT-X", "sponsor": None,
                                              "confidence": 0.83, "how": "decision"})  # fmt: skip
    assert disclosure.view_of(dk, by_dk)["data"]["confidence"] == 0.83
    for seat in (de, wall):
        seen = disclosure.view_of(seat, by_dk)["data"]
        assert "confidence" not in seen and seen["state"] == "DK"
    by_partner = Event(2.0, 8, "partner_attributed", data={
        "partner": "UK", "actor": "APT-X", "sponsor": None, "how": "decision",
        "confidence": 0.7})  # fmt: skip
    assert "confidence" not in disclosure.view_of(de, by_partner)["data"]


def test_advice_reaches_a_delegation_only_when_the_facilitator_allows_it():
    ex = Exercise(SCENARIO, interactive=True)
    de = Seat("DE", "delegation", "DE")
    disclosure = Disclosure(ex.scenario)
    request = Event(1.0, 5, "decision_request", data={"state": "DE", "proposal": "P-1",
                    "measure": "listing", "body": "psc", "advice": "oppose",
                    "others": {"PL": "support"}})  # fmt: skip
    assert disclosure.view_of(de, request)["data"].keys() == {"state", "proposal", "measure",
                                                               "body"}  # fmt: skip
    allow = Event(1.0, 6, "input", "facilitator",
                  {"control": "advice", "state": "DE", "allowed": True})  # fmt: skip
    disclosure.observe(allow)
    assert disclosure.view_of(de, request)["data"]["advice"] == "oppose"
    assert "others" not in disclosure.view_of(de, request)["data"]
    assert disclosure.view_of(Seat("PL", "delegation", "PL"), request) is None
    view = SeatView(de)
    view.apply(disclosure.view_of(de, request))
    assert view.requests and "oppose" in view.lines[-1][1]


def test_a_browser_page_of_another_site_cannot_open_a_seat():
    async def scenario():
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            with pytest.raises(InvalidStatus) as refused:
                await connect(host.url, origin="http://evil.example", proxy=None)
            # A page whose own name was rebound to 127.0.0.1 sends that name as Host.
            reader, writer = await asyncio.open_connection("127.0.0.1", host.port)
            writer.write(f"GET / HTTP/1.1\r\nHost: rebind.example:{host.port}\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n".encode())  # fmt: skip
            status = (await reader.readline()).split()[1]
            writer.close()
            async with SeatClient(host.url, tokens["DE"]):  # cdtx join sends no Origin
                pass
            return refused.value.response.status_code, int(status)

    assert run(scenario()) == (403, 403)


def _start_host(*args: str, port: int = 0) -> tuple[subprocess.Popen, dict[str, tuple[str, str]]]:
    """``cdtx host ... --no-console --port PORT`` in a subprocess; its seats' (URL, token)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", "host", *args, "--no-console",
                                "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, text=True)  # fmt: skip
    seats = {}
    while "observer" not in seats:  # one line per seat; the observer's comes last
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"cdtx host ended: {process.stderr.read()}")
        words = line.split()
        seats[words[1]] = (words[words.index("join") + 1], words[words.index("--token") + 1])
    return process, seats


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_host_killed_is_resumed_from_its_recording_and_the_seats_rejoin(tmp_path):
    """kill -9 of the host: its recording holds everything a seat saw; --resume brings the
    exercise back on the same port, a seat that stayed rejoins by itself without duplicates,
    and a seat joining afresh gets the same history."""
    path, port = tmp_path / "killed.jsonl", _free_port()
    processes = []

    async def scenario():
        host, seats = _start_host(SCENARIO, "--record", str(path), "--speed", "200", port=port)
        processes.append(host)
        de = SeatClient(*seats["DE"])
        await de.connect()
        await de.act("message", text="before the crash")
        await de.wait_for(lambda c: c.view.requests)  # the clock waits for DE's answer
        await de.act("answer", position="support")
        await de.wait_for(lambda c: not c.view.requests)  # its answer came back
        seen = de.events
        host.send_signal(signal.SIGKILL)
        host.wait(10)
        with pytest.warns(RecordingWarning, match="cut short"):
            recorded = open_recording(path).events
        rejoined = asyncio.Event()
        staying = asyncio.create_task(
            de.stay(delay=0.1, status=lambda text: text == "rejoined" and rejoined.set())
        )
        resumed, seats_again = _start_host("--resume", str(path), "--speed", "200", port=port)
        processes.append(resumed)
        assert {k: token for k, (_, token) in seats_again.items()} == {
            k: token for k, (_, token) in seats.items()
        }
        await asyncio.wait_for(rejoined.wait(), 20)
        await de.act("message", text="after the crash")
        await de.wait_for(lambda c: c.count == len(seen) + 1)
        stayed = de.events
        await de.close()
        await staying
        fresh = SeatClient(*seats_again["DE"])
        await fresh.connect()
        await fresh.wait_for(lambda c: c.count >= len(stayed))
        again = fresh.events
        await fresh.close()
        resumed.send_signal(signal.SIGTERM)
        resumed.wait(10)
        return seen, recorded, stayed, again

    try:
        seen, recorded, stayed, again = run(scenario())
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    assert len(recorded) >= max(e["seq"] for e in seen) + 1  # what a seat saw was on disk
    assert stayed[: len(seen)] == seen and stayed[-1]["data"]["text"] == "after the crash"
    assert again == stayed
    after = open_recording(path)
    assert [e.as_dict() for e in after.events[: len(recorded)]] == [e.as_dict() for e in recorded]
    texts = [e.data.get("text") for e in after.inputs if e.data.get("seat") == "DE"]
    assert "before the crash" in texts and "after the crash" in texts
    assert after.trailer is not None and after.verify().ok


def test_join_refuses_a_wrong_token_in_one_line(caplog):
    ex = Exercise(SCENARIO, interactive=True)
    seats = seats_for(ex.players)
    host = Host(ex, seats, new_tokens(seats), port=0, running=False)
    # cdtx join in this process, the host in a thread of its own
    with in_thread(host), caplog.at_level(logging.WARNING):
        result = cdtx("join", host.url, "--token", "nope", "--print")
    assert_error(result, "unknown token")
    assert caplog.records == []  # nothing logged (a task's traceback would be)


def test_a_delegation_answers_from_its_terminal_view():
    """cdtx join's view: the request shows, the typed answer reaches the host as DE's input."""
    from tui.host.join_app import JoinApp, parse_command

    assert parse_command("delegation", "answer oppose Not without evidence") == (
        "answer",
        {"position": "oppose", "statement": "Not without evidence"},
    )
    assert parse_command("facilitator", "advice de on") == (
        "advice",
        {"state": "DE", "allowed": True},
    )
    assert parse_command("facilitator", "note objective=SW-1 state=DE Berlin hesitates") == (
        "note",
        {"text": "Berlin hesitates", "objective": "SW-1", "state": "DE"},
    )
    assert parse_command("facilitator", "note state means little") == (
        "note",
        {"text": "state means little"},
    )
    with pytest.raises(ValueError, match="not a command of the observer seat"):
        parse_command("observer", "run")
    with pytest.raises(ValueError, match="unknown command"):
        parse_command("delegation", "vote yes")

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, speed=400) as host:
            app = JoinApp(host.url, tokens["DE"])
            async with app.run_test(size=(120, 40)) as pilot:
                await app.client.wait_for(lambda c: c.view.requests)
                await pilot.pause()
                status = str(app.query_one("#status").render())
                app.query_one("Input").value = "answer support We back the declaration"
                await pilot.press("enter")
                await app.client.wait_for(lambda c: not c.view.requests)
        return status, [e for e in ex.events if e.kind == "input"]

    status, inputs = run(scenario())
    assert "YOUR DECISION IS NEEDED" in status
    assert inputs[-1].data["seat"] == "DE"
    assert inputs[-1].data["inject"]["message"] == "We back the declaration"


def test_host_refuses_a_network_address_without_allow_remote(no_serving):
    result = cdtx("host", SCENARIO, "--host", "0.0.0.0", "--no-record", "--no-console")
    assert_error(result, "--host 0.0.0.0: not this machine only; add --allow-remote")


def test_host_refuses_a_negative_number_of_seats_in_one_line(capsys):
    from tui.cli import main

    with pytest.raises(SystemExit) as done:
        main(["host", SCENARIO, "--observers", "-1", "--no-record", "--no-console"])
    assert done.value.code == 1
    assert "argument --observers: must be at least 0, not -1" in capsys.readouterr().err


def test_the_facilitator_console_shares_the_exercise_with_the_seats(tmp_path):
    """cdtx host's console (cdtx play's): its clock drives the exercise the seats see; the
    delegations answer from their seats; the console's own inputs are the facilitator's."""
    ex = Exercise(SCENARIO, interactive=True)
    path = tmp_path / "console.jsonl"
    recorder = Recorder(path, ex)

    async def scenario(app, host, tokens):
        session = app.first_session
        session.recorder, session.record_path, session.record_off = recorder, path, False
        async with app.run_test(size=(140, 45)) as pilot:
            de, pl = SeatClient(host.url, tokens["DE"]), SeatClient(host.url, tokens["PL"])
            for client in (de, pl):
                await client.connect()
            session.submit({"type": "note", "params": {"text": "from the console"}})
            session.set_speed(len(SPEEDS) - 1)  # as fast as it goes
            session.set_mode("run")
            await asyncio.gather(answer_requests(de), answer_requests(pl))
            await pilot.pause()
            for client in (de, pl):
                await client.close()

    try:
        with console_host(ex, recorder=recorder) as (app, host, tokens):
            run(scenario(app, host, tokens))
    finally:
        recorder.close()
    recording = open_recording(path)
    seats_of = {e.data.get("seat") for e in recording.inputs}
    assert ex.finished and seats_of == {"facilitator", "DE", "PL"}
    assert recording.verify().ok


def test_serve_join_refuses_play_options_and_a_missing_token(monkeypatch, no_serving):
    monkeypatch.setenv("CDTX_TOKEN", "")  # undone after the test, unlike a delenv of nothing
    base = ("serve", "--join", "ws://127.0.0.1:1")
    assert_error(cdtx(*base, "--token", "T", "--", "grid-wiper"), "takes no play options")
    assert_error(cdtx(*base), "give the seat's token: --token T (or CDTX_TOKEN), or the seat's "
                 "web link as --join (it ends with #TOKEN)")  # fmt: skip


def test_serve_join_passes_joins_cafile_and_retry_delay_on(tmp_path, monkeypatch):
    """The seat served in the browser joins as 'cdtx join' would with the same options: the
    certificate authority (as an absolute path: the page's process may start elsewhere) and the
    delay between tries; a CA file that cannot be used is said once, when serve starts."""
    import shutil
    import ssl

    from scenarios.errors import UserError
    from tui.cli import build_parser
    from tui.cli.serve import _join_command

    bundle = ssl.get_default_verify_paths().cafile
    if not bundle or not Path(bundle).is_file():
        pytest.skip("no system certificate bundle to stand in for a CA file")
    shutil.copy(bundle, tmp_path / "ca.pem")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CDTX_TOKEN", "")  # undone after the test, unlike a delenv of nothing
    parser = build_parser()
    args = parser.parse_args(["serve", "--join", "wss://exercise.example:8765", "--token", "T",
                              "--cafile", "ca.pem", "--retry-delay", "0.5"])  # fmt: skip
    command = _join_command(args, [])
    assert os.environ["CDTX_TOKEN"] == "T" and "T" not in command
    join = parser.parse_args(command)
    assert join.command == "join" and join.url.url == "wss://exercise.example:8765"
    assert join.cafile == str(tmp_path / "ca.pem") and join.retry_delay == 0.5
    # Not given: join's own defaults.
    plain = _join_command(parser.parse_args(["serve", "--join", "ws://127.0.0.1:1", "--token",
                                             "T"]), [])  # fmt: skip
    assert plain == ["join", "ws://127.0.0.1:1"]
    (tmp_path / "bad.pem").write_text("not a certificate")
    bad = parser.parse_args(["serve", "--join", "wss://exercise.example:8765", "--token", "T",
                             "--cafile", "bad.pem"])  # fmt: skip
    with pytest.raises(UserError, match="bad.pem: cannot use this certificate authority"):
        _join_command(bad, [])
    assert_error(cdtx("serve", "--retry-delay", "1", "--port", "1"),
                 "option of the seat served with --join")  # fmt: skip


def test_serve_join_takes_a_seats_web_link_and_keeps_its_token_off_the_command_line(monkeypatch):
    """``cdtx serve --join https://...#TOKEN``: the page's ``cdtx join`` goes to the same place
    over wss, the token through CDTX_TOKEN (never in the command ``ps`` shows)."""
    from scenarios.errors import UserError
    from tui.cli import build_parser
    from tui.cli.serve import _join_command

    monkeypatch.setenv("CDTX_TOKEN", "")  # undone after the test, unlike a delenv of nothing
    parser = build_parser()
    command = _join_command(parser.parse_args(["serve", "--join", "https://example.org/x/#TOK"]), [])
    assert command == ["join", "wss://example.org/x/"]
    assert os.environ["CDTX_TOKEN"] == "TOK"
    clash = parser.parse_args(["serve", "--join", "https://example.org/x/#TOK", "--token", "T2"])
    with pytest.raises(UserError, match="--join carries a seat's token"):
        _join_command(clash, [])


def test_two_connections_with_one_token_take_one_seat(monkeypatch):
    """On a slow link the welcome takes time to send; a second connection with the same token
    meanwhile is refused, not welcomed to the same seat."""
    from websockets.asyncio.server import ServerConnection

    send = ServerConnection.send

    async def slow_send(self, message, *args, **kwargs):
        await asyncio.sleep(0.05)
        return await send(self, message, *args, **kwargs)

    monkeypatch.setattr(ServerConnection, "send", slow_send)

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            clients = [SeatClient(host.url, tokens["DE"]) for _ in range(2)]
            results = await asyncio.gather(*(c.connect() for c in clients),
                                           return_exceptions=True)  # fmt: skip
            for client, result in zip(clients, results, strict=True):
                if not isinstance(result, BaseException):
                    await client.close()
            return results

    results = run(scenario())
    refused = [r for r in results if isinstance(r, JoinError)]
    assert len(refused) == 1 and "in use by another connection" in str(refused[0]), results


def test_host_on_a_taken_port_says_so_and_leaves_no_files(tmp_path, no_serving):
    """127.0.0.2 is loopback too (no --allow-remote); a taken port is a one-line error, and no
    recording or seats file is left that a retry would be told to resume."""
    import socket

    with socket.create_server(("127.0.0.2", 0)) as taken:
        port = taken.getsockname()[1]
        path = tmp_path / "x.jsonl"
        result = cdtx("host", SCENARIO, "--host", "127.0.0.2", "--port", str(port),
                      "--record", str(path), "--no-console")  # fmt: skip
    assert_error(result, "already in use")
    assert list(tmp_path.iterdir()) == []


def test_host_never_replaces_a_seats_file_it_did_not_write(tmp_path, no_serving):
    path = tmp_path / "y.jsonl"
    seats_file = tmp_path / "y.jsonl.seats.json"
    seats_file.write_text("another exercise's tokens")
    result = cdtx("host", SCENARIO, "--port", str(_free_port()), "--record", str(path),
                  "--no-console")  # fmt: skip
    assert_error(result, "already exists")
    assert seats_file.read_text() == "another exercise's tokens"
    assert not path.exists()


@pytest.mark.parametrize("url", ["ws://[::1", "ws://127.0.0.1:99999", "ws://:8765"])
def test_join_refuses_a_malformed_address_in_one_line(url, no_serving):
    import argparse

    from tui.cli.argtypes import ws_url

    with pytest.raises(argparse.ArgumentTypeError, match="address"):
        ws_url(url)
    if url == "ws://[::1":  # the command line too, for cdtx join and cdtx serve --join
        for args in (("join", url, "--token", "t"), ("serve", "--join", url, "--token", "t")):
            result = cdtx(*args)  # in this process: a traceback would fail the test
            assert result.returncode != 0 and url in result.stderr, result.stderr


def test_join_print_shows_no_terminal_escapes_from_the_wire():
    """The title a seat is welcomed with (from the scenario file) reaches its terminal escaped."""

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        object.__setattr__(ex.scenario, "title", "Sat\x1b]0;pwned\x07com")
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tui.cli", "join", host.url, "--print",
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(ROOT), "CDTX_TOKEN": tokens["DE"]},
            )  # fmt: skip
            welcomed = (await process.stderr.readline()).decode()
        out, err = await process.communicate()
        return welcomed + out.decode() + err.decode()

    out = run(scenario())
    assert "\x1b" not in out and "\x07" not in out
    assert "Sat\\x1b]0;pwned\\x07com" in out, out


def test_the_join_view_shows_a_hostile_title_as_text():
    """cdtx join's Textual view: a scenario title with a terminal escape and markup brackets
    shows as text (escaped), and the view keeps running."""
    from tui.host.join_app import JoinApp

    title = "Sat[/]com [b]x\x1b]0;pwned\x07"

    async def scenario():
        scenario = scenarios.load(SCENARIO)
        object.__setattr__(scenario, "title", title)
        ex = Exercise(scenario, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            app = JoinApp(host.url, tokens["DE"])
            async with app.run_test(size=(120, 40)) as pilot:
                await app.client.wait_for(lambda c: c.view is not None)
                await pilot.pause()
                return app.sub_title, str(app.query_one("#status").render()), app.is_running

    sub_title, status, running = run(scenario())
    assert running
    assert "\x1b" not in sub_title and "\\x1b]0;pwned\\x07" in sub_title
    assert "Sat[/]com [b]x\\x1b]0;pwned\\x07" in status, status


def test_join_commands_name_a_reachable_address_when_listening_on_every_interface():
    from types import SimpleNamespace

    from tui.host.server import join_url

    host = SimpleNamespace(address="0.0.0.0", port=8765, scheme="wss",
                           url="wss://0.0.0.0:8765")  # fmt: skip
    assert "0.0.0.0" not in join_url(host) and join_url(host).endswith(":8765")
    assert join_url(host, "wss://exercise.example:443") == "wss://exercise.example:443"
    loopback = SimpleNamespace(address="127.0.0.1", port=1, scheme="ws", url="ws://127.0.0.1:1")
    assert join_url(loopback) == "ws://127.0.0.1:1"


def test_speed_with_the_console_is_one_of_its_speeds_or_refused():
    from scenarios.errors import UserError
    from tui.cli.host import _console_speed

    assert SPEEDS[_console_speed(1)] == 3600
    assert SPEEDS[_console_speed(10)] == 36000
    with pytest.raises(UserError, match="--speed 2: the console runs at one of"):
        _console_speed(2)


# -- a seat cannot take the host down (issue 21) ---------------------------------------------


def _seat_budget(**changes):
    """Limits for a test: no refill in the time a test takes, so what is refused depends only
    on what the seat sent, never on the machine's speed."""
    from tui.host.budget import Limits

    return Limits(**{"per_second": 1e-6, "refusals": 3, **changes})


def test_a_flooding_seat_is_refused_then_disconnected_and_the_facilitator_is_told(tmp_path):
    """DE floods: past its budget each input is refused with the reason, the facilitator seat
    is told, DE is disconnected when it keeps on and may not rejoin at once; what it added to
    the recording is what was accepted."""
    from tui.host import CLOSE_THROTTLED

    path = tmp_path / "flood.jsonl"

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        recorder = Recorder(path, ex)
        notices = []
        async with Host(ex, seats, tokens, port=0, running=False, recorder=recorder,
                        limits=_seat_budget(burst=3), on_notice=notices.append) as host:  # fmt: skip
            fac, de = (
                SeatClient(host.url, tokens["facilitator"]),
                SeatClient(host.url, tokens["DE"]),
            )
            await fac.connect()
            await de.connect()
            for i in range(3):
                await de.act("message", text=f"DE message {i}")
            refusals = []
            for _ in range(3):  # the 3 refusals tolerated within a minute
                with pytest.raises(InputRefused) as refused:
                    await de.act("message", text="one more")
                refusals.append(str(refused.value))
            # The fourth refusal disconnects the seat.
            with pytest.raises(InputRefused):
                await de.act("message", text="and another")
            await de.closed.wait()
            with pytest.raises(JoinError, match="disconnected for sending too much"):
                await SeatClient(host.url, tokens["DE"]).connect()
            await fac.wait_for(lambda c: len(c.view.messages) == 3)
            await fac.wait_for(lambda c: any("disconnected" in n for n in c.notices))
            state = (refusals, de.close_code, list(fac.notices), notices, host.budgets["DE"])
        recorder.close()
        return state

    refusals, close_code, seen_by_facilitator, notices, budget = run(scenario())
    assert all("too many inputs (at most 1e-06 a second)" in r for r in refusals), refusals
    assert close_code == CLOSE_THROTTLED
    assert seen_by_facilitator[0].startswith("seat DE throttled: too many inputs")
    assert "seat DE disconnected" in seen_by_facilitator[-1]
    assert notices == seen_by_facilitator
    assert budget.refused == 4 and budget.disconnected == 1
    messages = [e for e in open_recording(path).inputs if e.data.get("seat") == "DE"]
    assert len(messages) == 3


def test_a_seat_is_refused_large_inputs_long_fields_and_past_its_share_of_the_recording():
    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        limits = _seat_budget(per_second=1e6, burst=1000, refusals=1000, recorded=5000,
                              per_minute=10**9)  # fmt: skip
        async with Host(ex, seats, tokens, port=0, running=False, limits=limits) as host:
            de = SeatClient(host.url, tokens["DE"])
            await de.connect()
            said = []
            for text in ("x" * 60_000, "x" * 4001):
                with pytest.raises(InputRefused) as refused:
                    await de.act("message", text=text)
                said.append(str(refused.value))
            for _ in range(2):  # within every bound: about 4 KB of the 5,000 bytes recorded
                await de.act("message", text="x" * 2000)
            with pytest.raises(InputRefused) as refused:  # 2 KB more is past 5,000 bytes
                await de.act("message", text="x" * 2000)
            said.append(str(refused.value))
            await de.close()
            return said

    large, field, recorded = run(scenario())
    assert large == "seat DE: an input of 58.6 KB is too large (at most 16 KB)", large
    assert field == "text: a text of 4,001 characters is too long (at most 4,000)", field
    assert "has sent its 4.88 KB of inputs for this exercise" in recorded, recorded


def test_a_seat_is_refused_past_its_bytes_a_minute():
    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        limits = _seat_budget(per_second=1e6, burst=1000, per_minute=3000)
        async with Host(ex, seats, tokens, port=0, running=False, limits=limits) as host:
            de = SeatClient(host.url, tokens["DE"])
            await de.connect()
            await de.act("message", text="x" * 2000)
            with pytest.raises(InputRefused, match=r"too much text \(at most 2.93 KB of "
                                                   r"inputs a minute\)"):  # fmt: skip
                await de.act("message", text="x" * 2000)
            await de.close()

    run(scenario())


def test_the_websocket_library_refuses_a_message_larger_than_the_bound():
    """A message over the library's bound closes that connection (1009) before the host reads
    it; the host goes on serving."""
    from websockets.asyncio.client import connect

    from tui.host.budget import MAX_MESSAGE

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            async with connect(host.url, proxy=None, max_size=None) as socket:
                await socket.send(orjson.dumps({"hello": tokens["DE"]}))
                await socket.recv()  # the welcome
                await socket.send(b"x" * (MAX_MESSAGE + 1))
                with contextlib.suppress(ConnectionClosed):
                    while True:
                        await socket.recv()
                code = socket.close_code
            async with SeatClient(host.url, tokens["DE"]) as de:
                await de.act("message", text="still here")
            return code

    assert run(scenario()) == 1009


def test_connections_dropping_before_their_hello_log_no_tracebacks(caplog):
    """200 connections closing at once before their hello (half of them before the WebSocket
    handshake): counted, with no traceback in the log (the library's own debug lines, shown
    only when asked for, may keep theirs)."""
    import logging

    from websockets.asyncio.client import connect

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:

            async def raw() -> None:
                _, writer = await asyncio.open_connection("127.0.0.1", host.port)
                writer.close()

            async def before_hello() -> None:
                socket = await connect(host.url, proxy=None)
                await socket.close()

            await asyncio.gather(*(raw() for _ in range(100)),
                                 *(before_hello() for _ in range(100)))  # fmt: skip
            while host.dropped < 100:  # each handler has run by the time the count is whole
                await asyncio.sleep(0.01)
            async with SeatClient(host.url, tokens["DE"]):  # and the host goes on
                pass
            return host.dropped

    with caplog.at_level(logging.INFO):
        dropped = run(scenario())
    assert dropped == 100
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert tracebacks == [], [r.getMessage() for r in tracebacks[:3]]


@pytest.mark.parametrize("kind", ["fifo", "device", "deep", "shape"])
def test_the_seats_file_goes_through_the_bounded_reader(tmp_path, kind):
    """--resume reads the seats file: a FIFO must not hang, /dev/zero must not be read without
    end, deep JSON must not recurse; each is one message and exit 1 (a child process with a
    memory bound, so that a regression fails instead of eating the machine)."""
    seats_file = tmp_path / "x.jsonl.seats.json"
    if kind == "fifo":
        os.mkfifo(seats_file)
    elif kind == "device":
        seats_file.symlink_to("/dev/zero")
    elif kind == "deep":
        seats_file.write_text("[" * 100_000 + "]" * 100_000)
    else:
        seats_file.write_text('{"seats": [{"id": "DE"}]}')
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
            "from pathlib import Path\n"
            "from scenarios.errors import CdtxError\n"
            "from tui.host.server import load_tokens\n"
            "try:\n"
            "    load_tokens(Path(sys.argv[1]))\n"
            "except CdtxError as exc:\n"
            "    print(exc, file=sys.stderr)\n"
            "    sys.exit(1)\n")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code, str(seats_file)], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith(str(seats_file))
    expected = {"fifo": "not a regular file", "device": "not a regular file",
                "deep": "nested more than", "shape": "each with an id, a role and a token"}  # fmt: skip
    assert expected[kind] in result.stderr, result.stderr


def _join_print(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CDTX_TOKEN": "t"}
    # tries a few hundredths of a second apart: the count of tries is what is tested
    return subprocess.run([sys.executable, "-m", "tui.cli", "join", url, "--print",
                           "--retry-delay", "0.05"],
                          capture_output=True, text=True, timeout=120, env=env)  # fmt: skip


@pytest.mark.parametrize("other", ["closes", "http"])
def test_join_gives_up_on_a_host_that_is_not_a_cdtx_host(other):
    """A plain TCP listener that closes every connection, or a web server: a clear message
    after a bounded number of tries, exit 1, no traceback."""
    import http.server
    import socket
    import threading

    if other == "closes":
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]

        def serve() -> None:
            with contextlib.suppress(OSError):
                while True:
                    connection, _ = listener.accept()
                    connection.close()

        stop = listener.close
    else:
        server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
        port = server.server_address[1]
        serve, stop = server.serve_forever, server.shutdown
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        result = _join_print(f"ws://127.0.0.1:{port}")
    finally:
        stop()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "never retrieved" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "not a cdtx host" in last and "(gave up after 3 tries)" in last, result.stderr


def test_a_seat_stops_rejoining_a_host_that_stays_gone():
    """The host is gone for good: the seat tries to rejoin a bounded number of times, then
    says so, instead of trying for ever."""

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        host = Host(ex, seats, tokens, port=0, running=False)
        await host.start()
        de = SeatClient(host.url, tokens["DE"])
        await de.connect()
        said = []
        staying = asyncio.create_task(de.stay(delay=0.01, attempts=2, status=said.append))
        await host.stop()  # closes with "host stopped", which a seat without
        with pytest.raises(JoinError, match=r"cannot reach the host .* \(gave up after 2 tries\)"):
            await staying  # until_host_stops takes for a lost connection
        return said

    said = run(scenario())
    assert said[0].startswith("connection lost (the host has stopped)")


def test_a_seats_hostile_message_reaches_the_console_escaped_and_a_throttled_seat_is_shown():
    """A DE message carrying an OSC title sequence and a right-to-left override reaches the
    facilitator console (cdtx host's) escaped; DE past its budget shows as a warning there."""
    from tui.widgets.timeline import Timeline

    hostile = "Berlin\x1b]0;pwned\x07 agrees \u202eCBA"

    def shown(app, timeline) -> bool:
        return any("throttled" in n.message for n in app._notifications) and any(
            "pwned" in timeline.text_of(i) for i in range(len(timeline.events))
        )

    async def scenario(app, host, tokens):
        async with app.run_test(size=(160, 45)) as pilot:
            async with SeatClient(host.url, tokens["DE"]) as de:
                await de.act("message", text=hostile)
                with pytest.raises(InputRefused, match="too many inputs"):
                    await de.act("message", text="again")
            timeline = app.screen.query_one(Timeline)
            assert await until(pilot, lambda: shown(app, timeline))
            lines = [timeline.render_line(y).text for y in range(timeline.size.height)]
            return lines, [n.message for n in app._notifications]

    ex = Exercise(SCENARIO, interactive=True)
    with console_host(ex, limits=_seat_budget(burst=1)) as (app, host, tokens):
        lines, notes = run(scenario(app, host, tokens))
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "Berlin\\x1b]0;pwned\\x07 agrees \\u202eCBA" in text, text
    assert any(n.startswith("seat DE throttled: too many inputs") for n in notes), notes


def test_the_host_banner_shows_a_hostile_scenario_title_escaped(tmp_path):
    """cdtx host prints the scenario's title on the facilitator's terminal: an OSC sequence and
    a right-to-left override in it arrive escaped."""
    text = scenarios.builtin_path(SCENARIO).read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text.replace('title: "Dark Sky', 'title: "\\e]0;pwned\\a\\u202eDark Sky', 1),
                       encoding="utf-8")  # fmt: skip
    process, _ = _start_host(str(hostile), "--no-record")
    try:
        banner = process.stderr.readline()
    finally:
        process.terminate()
        process.communicate(timeout=60)
    assert "\x1b" not in banner and "\u202e" not in banner
    assert "hosting '\\x1b]0;pwned\\x07\\u202eDark Sky" in banner, banner


def test_the_join_view_focuses_its_command_line_and_stops_when_the_host_stops():
    """Issue 23, item 7: a participant types at once (the command line has the focus), and a
    host that stops on purpose closes the seat for good, saying so, instead of being retried."""
    from textual.widgets import Input

    from tui.host.join_app import JoinApp

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        host = Host(ex, seats, tokens, port=0, running=False)
        await host.start()
        app = JoinApp(host.url, tokens["DE"])
        async with app.run_test(size=(120, 40)) as pilot:
            await app.client.wait_for(lambda c: c.view is not None)
            for _ in range(200):
                if isinstance(app.focused, Input):
                    break
                await pilot.pause(0.02)
            focused = app.focused
            await host.stop()
            await asyncio.wait_for(app.client.closed.wait(), 20)
            for _ in range(400):
                status = str(app.query_one("#status").render())
                if "stopped the exercise" in status:
                    break
                await pilot.pause(0.02)
            workers = [w for w in app.workers if not w.is_finished]
            return focused, status, app.client.close_code, workers

    focused, status, code, workers = run(scenario())

    from tui.host import CLOSE_HOST_STOPPED

    assert isinstance(focused, Input) and focused.id == "command"
    assert code == CLOSE_HOST_STOPPED
    assert "The host has stopped the exercise" in status, status
    assert not workers  # nothing left trying to rejoin


def test_a_seats_message_is_drawn_on_a_paused_console_without_a_key():
    """Issue 23, item 1: while the console is paused, a delegation's message from its seat is
    recorded and drawn at once (it waited for a key press: Host.apply counted the change
    without signalling it)."""
    from tui.widgets.timeline import Timeline

    def on_screen(timeline) -> bool:
        shown = [timeline.render_line(y).text for y in range(timeline.size.height)]
        return any("extraordinary PSC" in line for line in shown)

    async def scenario(app, host, tokens):
        async with app.run_test(size=(160, 45)) as pilot:
            assert app.first_session.mode == "paused"
            timeline = app.screen.query_one(Timeline)
            async with SeatClient(host.url, tokens["DE"]) as de:
                await de.act("message", text="Berlin asks for an extraordinary PSC")
            return await until(pilot, lambda: on_screen(timeline))  # no key meanwhile

    with console_host(Exercise(SCENARIO, interactive=True)) as (app, host, tokens):
        drawn = run(scenario(app, host, tokens))
        toasts = [n.message for n in app._notifications]
    assert drawn, "the seat's message was not drawn on the paused console"
    # Item 5: a line among many was easy to miss; it is a toast too, naming who sent it.
    assert any("Message from DE: Berlin asks for an extraordinary PSC" in t for t in toasts)



def test_an_evaluator_seats_observation_shows_on_the_open_evaluation_screen():
    """Issue 23, item 9: the console's evaluation screen, open, shows an observation an
    evaluator enters at its seat (it was drawn only from what the screen saw when opened)."""
    from textual.widgets import OptionList

    from tui.screens.evaluation import EvaluationScreen

    ex = Exercise(SCENARIO, interactive=True)
    objective = ex.scenario.objectives[0].id

    def listed(entries) -> bool:
        shown = [str(entries.get_option_at_index(i).prompt) for i in range(entries.option_count)]
        return any("chaired the call well" in line for line in shown)

    async def scenario(app, host, tokens):
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.press("v")
            assert await until(pilot, lambda: isinstance(app.screen, EvaluationScreen))
            entries = app.screen.query_one("#entries", OptionList)
            async with SeatClient(host.url, tokens["evaluator"]) as evaluator:
                await evaluator.act("observation", text="PL chaired the call well",
                                    objective=objective, rating="S")  # fmt: skip
            return await until(pilot, lambda: listed(entries))  # no key meanwhile

    with console_host(ex) as (app, host, tokens):
        shown = run(scenario(app, host, tokens))
    assert shown, "the evaluator's observation did not reach the open evaluation screen"



def test_the_console_clock_goes_on_from_where_it_waited_when_a_seat_answers(monkeypatch):
    """Issue 23, item 3: at 1 h/s, a decision answered from a seat after a long wait let the
    console's clock jump ahead by the wall time spent waiting (T+25d to T+27d 20:23 within a
    second). The wall clock is the test's: no sleep, no timing."""
    from tui.screens import session as session_module
    from tui.screens.session import SPEEDS, LiveSession

    wall = [1000.0]
    monkeypatch.setattr(session_module.time, "perf_counter", lambda: wall[0])
    ex = Exercise(SCENARIO, interactive=True)
    live = LiveSession(ex)
    live.set_speed(SPEEDS.index(3600))  # one hour of exercise a second
    live.set_mode("run")
    for _ in range(100_000):
        if ex.pending:
            break
        wall[0] += 0.5
        live.advance()
    waited_at = live.now()
    for _ in range(3):  # the table talks for an hour of wall time; the worker keeps looking
        wall[0] += 1200
        assert not live.advance()
    with live.lock:  # as cdtx host applies seats' answers (Host.apply, under the console lock)
        for state in [r.state for r in ex.pending]:
            ex.answer(state, "support")
    live.changed()
    wall[0] += 1.0
    live.advance()
    assert live.now() - waited_at <= 1.5, (waited_at, live.now())  # about one hour, not 3,600


def test_the_console_leaves_a_seated_delegation_to_its_seat_and_closes_a_dialog_answered_there():
    """Issue 23, item 2: with DE at its own seat the console opens no dialog for DE's request
    (``d`` still answers for it); a dialog the facilitator opened closes when DE answers at its
    seat, and its late answer is not entered for the next request."""
    from tui.screens.console import ConsoleScreen
    from tui.screens.decision import DecisionScreen

    ex = Exercise(SCENARIO, interactive=True, players=["DE"])

    def notes(app) -> list[str]:  # a toast is posted, then shown: wait for it
        return [n.message for n in app._notifications]

    async def scenario(app, host, tokens):
        session = app.first_session
        async with app.run_test(size=(140, 45)) as pilot:
            de = await seated_and_asked(pilot, app, host, tokens["DE"])
            await until(pilot, lambda: app.console_screen.awaiting is not None)
            await pilot.pause()
            no_dialog = isinstance(app.screen, ConsoleScreen)
            await pilot.press("d")  # the facilitator opens it anyway
            assert await until(pilot, lambda: isinstance(app.screen, DecisionScreen))
            request = app.screen.request
            session.set_mode("paused")  # nothing further is asked while the test looks
            await de.act("answer", position="oppose", statement="from Berlin")
            closed = await until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
            await until(pilot, lambda: any("answered at its seat" in n for n in notes(app)))
            answers = [e for e in ex.events if e.kind == "input"
                       and e.data.get("inject", {}).get("type") == "position"]  # fmt: skip
            await de.close()  # DE unseated: the console may ask for DE itself; decide later
            if await until(pilot, lambda: isinstance(app.screen, DecisionScreen), 50):
                await pilot.press("escape")
                await until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
            return no_dialog, request, closed, notes(app), answers

    with console_host(ex) as (app, host, tokens):
        no_dialog, request, closed, shown, answers = run(scenario(app, host, tokens))
    assert no_dialog, "a dialog opened for a delegation that answers at its seat"
    assert request.state == "DE"
    assert closed and any("DE answered at its seat" in n for n in shown), shown
    assert [a.data.get("seat") for a in answers] == ["DE"]  # the seat's answer, and only it



def test_a_seated_delegation_does_not_hold_back_the_dialog_of_one_without_a_seat():
    """DE (at its seat) and PL (answered at the console) are asked on the same text: PL's
    dialog opens by itself though DE's request comes first; and when DE's seat leaves, the
    console opens DE's dialog then."""
    from tui.screens.decision import DecisionScreen

    ex = Exercise(SCENARIO, interactive=True)  # DE and PL played

    def dialog_for(app, state: str) -> bool:
        return isinstance(app.screen, DecisionScreen) and app.screen.request.state == state

    async def scenario(app, host, tokens):
        session = app.first_session
        async with app.run_test(size=(140, 45)) as pilot:
            de = SeatClient(host.url, tokens["DE"])
            await de.connect()
            assert await until(pilot, lambda: session.seated == {"DE"})
            session.set_speed(len(SPEEDS) - 1)
            session.set_mode("run")
            assert await until(pilot, lambda: {r.state for r in ex.pending} == {"DE", "PL"})
            first = ex.pending[0].state
            for_pl = await until(pilot, lambda: dialog_for(app, "PL"))
            await pilot.press("1", "ctrl+s")  # PL supports, at the console
            assert await until(pilot, lambda: [r.state for r in ex.pending] == ["DE"])
            await de.close()  # DE's seat leaves: the console asks for DE's position itself
            reopened = await until(pilot, lambda: dialog_for(app, "DE"))
            await pilot.press("escape")  # decide later: the app closes with no dialog mounting
            await until(pilot, lambda: not isinstance(app.screen, DecisionScreen))
            return first, for_pl, reopened

    with console_host(ex) as (app, host, tokens):
        first, for_pl, reopened = run(scenario(app, host, tokens))
    assert first == "DE"  # DE's request came first...
    assert for_pl, "PL's dialog did not open while DE, at its seat, was asked first"
    assert reopened, "DE's dialog did not open when its seat left"



def test_a_dialog_answered_at_the_seat_under_another_screen_closes_itself_not_that_screen():
    """The facilitator opened DE's dialog, then another screen over it (help, the quit
    question); DE answers at its seat: the screen on top stays, the stale dialog closes as soon
    as it is on top again (dismiss() pops whatever is on top)."""
    from textual.screen import ModalScreen

    from tui.screens.console import ConsoleScreen
    from tui.screens.decision import DecisionScreen

    ex = Exercise(SCENARIO, interactive=True, players=["DE"])

    async def scenario(app, host, tokens):
        session = app.first_session
        async with app.run_test(size=(140, 45)) as pilot:
            de = await seated_and_asked(pilot, app, host, tokens["DE"])
            await pilot.press("d")
            assert await until(pilot, lambda: isinstance(app.screen, DecisionScreen))
            dialog = app.screen
            over = ModalScreen()
            await app.push_screen(over)
            await de.act("answer", position="support")
            # The console has taken the seat's answer (at full speed the next request may be
            # DE's again, so not "nothing pending for DE"); then what it set off has run.
            assert await until(pilot, lambda: dialog.stale)
            await pilot.pause()
            still_on_top = app.screen is over
            app.pop_screen()
            back = await until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
            session.set_mode("paused")
            await de.close()  # DE unseated: the console may ask for DE itself; decide later
            if await until(pilot, lambda: isinstance(app.screen, DecisionScreen), 50):
                await pilot.press("escape")
                await until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
            return still_on_top, back

    with console_host(ex) as (app, host, tokens):
        still_on_top, back = run(scenario(app, host, tokens))
    assert still_on_top, "the screen above the dialog was popped"
    assert back, "the stale dialog did not close once on top again"


def test_a_facilitator_seat_releases_a_held_entry_and_the_host_does_not_spin_meanwhile():
    """Issue 23, item 4: with --no-console a held MSEL entry could not be released from a
    facilitator seat, and the host's clock spun (half a core) while it waited."""
    import yaml

    data = yaml.safe_load(scenarios.builtin_path("grid-wiper").read_text(encoding="utf-8"))
    data["msel"][3]["hold"] = True  # M-04, the extraordinary PSC at 3d
    ex = Exercise(scenarios.load_text(yaml.safe_dump(data)), interactive=True, players=[])
    seats = seats_for(ex.players)
    tokens = new_tokens(seats)
    runs = []
    original = ex.run

    def counted(*args, **kwargs):
        runs.append(ex.now)
        return original(*args, **kwargs)

    ex.run = counted

    async def scenario():
        async with Host(ex, seats, tokens, port=0, speed=1000.0) as host:
            fac = SeatClient(host.url, tokens["facilitator"])
            await fac.connect()
            await fac.wait_for(lambda c: any(e["kind"] == "held" for e in c.events))
            assert ex.held == ["M-04"]
            before = len(runs)
            for _ in range(5):  # several ticks of the host's clock go by while it waits
                host._changed.set()
                await asyncio.sleep(0.05)
            spun = len(runs) - before
            await fac.act("release")
            await fac.wait_for(lambda c: any(e["kind"] == "released" for e in c.events))
            released = [e for e in ex.events if e.kind == "released"]
            await fac.close()
            return spun, released

    spun, released = run(scenario())
    assert spun == 0, f"the clock ran {spun} times while the entry was held"
    assert [e.data["inject"] for e in released] == ["M-04"]
    inputs = [e for e in ex.events if e.kind == "input" and e.data.get("control") == "release"]
    assert [e.data.get("seat") for e in inputs] == ["facilitator"]


def test_a_facilitator_frees_a_seat_held_by_a_frozen_device():
    """Issue 23, item 7: a frozen laptop held DE's seat for 44 s and no facilitator action
    freed it. ``free DE`` closes that connection (the old device does not take the seat back);
    DE's people join again from another device with the same token."""
    from tui.host import CLOSE_FREED

    async def scenario():
        ex = Exercise(SCENARIO, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False) as host:
            frozen, fac = SeatClient(host.url, tokens["DE"]), SeatClient(host.url, tokens["facilitator"])
            await frozen.connect()
            await fac.connect()
            second = SeatClient(host.url, tokens["DE"])
            with pytest.raises(JoinError):
                await second.connect()  # the seat is taken
            with pytest.raises(InputRefused, match="no seat 'XX'"):
                await fac.act("free", seat="XX")
            await fac.act("free", seat="DE")
            await asyncio.wait_for(frozen.closed.wait(), 10)
            stays = await asyncio.wait_for(frozen.stay(delay=0.01), 10)  # returns: no rejoin
            again = SeatClient(host.url, tokens["DE"])
            welcome = await again.connect()
            await fac.wait_for(lambda c: any("freed" in n for n in c.notices))
            result = frozen.close_code, stays, welcome["seat"]["id"], list(fac.notices)
            for client in (again, fac):
                await client.close()
            return result

    code, stays, seat, notices = run(scenario())
    assert code == CLOSE_FREED and stays is None
    assert seat == "DE"
    assert any("seat DE freed by facilitator" in n for n in notices), notices


def test_the_consoles_own_seat_is_not_joined_and_its_line_says_so():
    """Issue 23, item 7: cdtx join accepted the console's own facilitator token while the
    console used it (two people acting as one seat). It is refused, naming the way to another
    facilitator seat, and its line in the join commands names the console."""
    from tui.cli.host import join_lines

    ex = Exercise(SCENARIO, interactive=True)

    async def scenario(host, tokens):
        with pytest.raises(JoinError, match="is the host's console"):
            await SeatClient(host.url, tokens["facilitator"]).connect()
        async with SeatClient(host.url, tokens["DE"]) as de:  # the others join as before
            return de.seat.id

    with console_host(ex) as (app, host, tokens):
        joined = run(scenario(host, tokens))
        lines = join_lines(host, list(host.seats.values()), tokens)
    assert joined == "DE"
    assert "seat facilitator (facilitator): this host's console" in lines
    assert tokens["facilitator"] not in "\n".join(lines)
    assert any(line.startswith("seat DE (delegation of DE): http://127.0.0.1:") and " · cdtx join ws:" in line for line in lines)


def test_the_console_shows_the_seats_join_commands_again():
    """Issue 23, item 7: the join commands vanished when the console opened; J shows them."""
    from tui.cli.host import join_lines
    from tui.screens.dialogs import SeatsScreen

    ex = Exercise(SCENARIO, interactive=True)

    async def scenario(app, lines):
        app.first_session.join_lines = lines
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.press("J")
            assert await until(pilot, lambda: isinstance(app.screen, SeatsScreen))
            return str(app.screen.query_one("#seat-lines").render())

    with console_host(ex) as (app, host, tokens):
        lines = join_lines(host, list(host.seats.values()), tokens)
        shown = run(scenario(app, lines))
    assert f"--token {tokens['DE']}" in shown and "this host's console" in shown
