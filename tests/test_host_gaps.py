"""The gaps issue 23 left in the hosted exercise (tui/host): what a page is told when the players
change, the new-token notice's link, a delegation handed back to the model, the brief's seed,
the host's modules below the console's screens, and the clock after ``--resume``. A real host
on loopback with real clients (tests/hostkit.py's raw seats)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

pytest.importorskip("websockets")

from hostkit import (  # noqa: E402
    LOOSE,
    SCENARIO,
    forge,
    forge_event,
    hosted,
    record,
    recorded_inputs,
    rewrite,
    run,
    seat,
    verify_forged,
)
from inprocess import cdtx  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from scenarios.errors import CdtxError  # noqa: E402
from sim import Exercise  # noqa: E402
from sim.events import Event  # noqa: E402
from sim.recording import Recorder, RecordingError  # noqa: E402
from sim.recording import open as open_recording  # noqa: E402
from sim.seats import seats_for  # noqa: E402
from tests.test_cli import assert_error  # noqa: E402
from tui.host.client import InputRefused, SeatClient  # noqa: E402
from tui.host.server import Host, new_tokens  # noqa: E402


def test_the_host_does_not_import_the_consoles_screens():
    # The host runs without a console (cdtx host --no-console, a server without Textual's
    # screens): the speeds it shares with the console live below both.
    code = (
        "import sys, tui.host.server, tui.cli.host; "
        "print(sorted(m for m in sys.modules if m.startswith(('tui.screens', 'textual'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.strip() == "[]", done.stdout


# -- a real host on loopback, raw seats ----------------------------------------------------


def test_a_new_tokens_notice_names_the_public_url_with_the_seats_web_link():
    public = "wss://table.example.org"

    async def scenario():
        async with hosted(public_url=public) as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            reply = await fac.ask({"action": "new_token", "seat": "DE"})
            while not fac.notices:  # the notice follows the ack
                message = orjson.loads(await fac.socket.recv())
                if message.get("type") == "notice":
                    fac.notices.append(message["message"])
            return reply, fac.notices, dict(host.tokens), host.port

    reply, notices, tokens, port = run(scenario())
    assert reply["type"] == "ack", reply
    new = tokens["DE"]
    # the line cdtx host printed for the seat at the start, at the address seats join
    assert notices[-1].endswith(f": seat DE (delegation of DE): https://table.example.org/#{new} "
                                f"· cdtx join {public} --token {new}"), notices  # fmt: skip
    assert f":{port}" not in notices[-1]


def test_a_delegation_handed_back_to_the_model_no_longer_messages_or_chats_from_its_seat():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            de = await seat(host, tokens["DE"])
            terminal = SeatClient(host.url, tokens["PL"])  # cdtx join's client, for PL
            await terminal.connect()
            assert (await fac.ask({"action": "allow_chat", "allowed": True}))["type"] == "ack"
            assert (await de.ask({"action": "chat", "to": "PL", "text": "still here"}))[
                "type"
            ] == "ack"
            for code in ("DE", "PL"):
                reply = await fac.ask({"action": "players", "state": code, "played": False})
                assert reply["type"] == "ack", reply
            before = len(recorded_inputs(ex))
            replies = [await de.ask({"action": "message", "text": "we are still here"}),
                       await de.ask({"action": "chat", "to": "PL", "text": "psst"})]  # fmt: skip
            refused = []
            for action, fields in (
                ("message", {"text": "hello?"}),
                ("chat", {"to": "DE", "text": "x"}),
            ):
                with pytest.raises(InputRefused) as caught:
                    await terminal.act(action, **fields)
                refused.append(str(caught.value))
            with pytest.raises(CdtxError, match="played by the model now") as api:
                host.apply(host.seats["DE"], {"action": "message", "text": "through the API"})
            after = len(recorded_inputs(ex))
            await terminal.close()
            return replies, refused, str(api.value), before, after

    replies, refused, api, before, after = run(scenario())
    for reply in replies:
        assert reply["type"] == "error", reply
        assert "DE is played by the model now" in reply["message"], reply
    for message in refused:
        assert "PL is played by the model now" in message, message
    assert "seat DE may no longer act" in api
    assert after == before  # nothing recorded


# -- replay re-checks what the seats entered -----------------------------------------------


#: What the seats enter in the recording the replay tests forge (hostkit.record).
INPUTS = [
    ("DE", {"action": "acknowledge", "entry": "S-01"}),
    ("facilitator", {"action": "allow_chat", "allowed": True}),
    ("DE", {"action": "chat", "to": "PL", "text": "a word"}),
    ("DE", {"action": "message", "text": "we need the assessment"}),
    ("evaluator", {"action": "observation", "objective": "SW-1", "rating": "S",
                   "text": "x" * 4000}),  # the longest a seat may enter
    ("facilitator", {"action": "advice", "state": "DE", "allowed": True}),
]  # fmt: skip


@pytest.mark.filterwarnings("ignore:.*no end line")  # the forgeries drop the trailer
def test_replay_refuses_a_recording_whose_seat_inputs_the_host_would_have_refused(tmp_path):
    path = tmp_path / "hosted.jsonl"
    run(record(path, INPUTS))
    assert open_recording(path).verify().ok, open_recording(path).verify().message
    forgeries = {
        "a text of 4,001 characters is too long": forge("observation", text="x" * 4001),
        "unknown objective 'SW-99'": forge("observation", objective="SW-99"),
        "rating is one of P, S, M, U": forge("observation", rating="A+"),
        "seat observer (observer) may not observation": forge("observation", seat="observer"),
        "seat DE (delegation) may not observation": forge("observation", seat="DE"),
        "no seat 'spectator'": forge("message", seat="spectator"),
        "EE is played by the model now": forge("message", seat="EE"),
        "seat evaluator (evaluator) may not chat": forge("chat", seat="evaluator"),
        "message: give text": forge("message", text=""),
        "seat DE acknowledges for DE only": forge("acknowledge", state="PL"),
        "advice: 'EE' is not a played delegation": forge("advice", state="EE"),
        # the host's own words for the same refusal (one rule, sim/seat_rules.py)
        "allow_chat: allowed is true or false, not 'yes'": forge("allow_chat", allowed="yes"),
        "advice: allowed is true or false, not 'no'": forge("advice", allowed="no"),
        # a digit that is not 0-9, a number field that is not one: one line, no traceback
        "no seat 'evaluator-²'": forge("message", seat="evaluator-²"),
        "no seat 'DE-²'": forge("message", seat="DE-²"),
        "no seat 'DE-1'": forge("message", seat="DE-1"),
        "malformed (ValueError": forge("observation", replaces="abc"),
    }
    failures = []
    for expected, change in forgeries.items():
        seq, message = verify_forged(path, tmp_path / "forged.jsonl", change)
        if not (message and f"line {seq + 2} (event {seq})" in message and expected in message):
            failures.append((expected, seq, message))
    assert not failures, failures
    # cdtx replay --verify says so in one line, exit 1, no traceback
    rewrite(path, tmp_path / "forged.jsonl", forge("message", seat="EE"))
    assert_error(cdtx("replay", str(tmp_path / "forged.jsonl"), "--verify"),
                 "EE is played by the model now")  # fmt: skip


@pytest.mark.filterwarnings("ignore:.*no end line", "ignore:.*comparing anyway")
def test_a_recording_of_cdtx_0_4_is_re_applied_as_that_host_took_its_inputs(tmp_path):
    # cdtx 0.4.0's host let a delegation handed back to the model go on messaging from its seat,
    # and its console took remarks of any length: its recordings still replay, verify and
    # resume; a recording of today with the same inputs is refused.
    path = tmp_path / "hosted.jsonl"
    run(record(path, INPUTS))

    def old_and_forged(version: str, change=None) -> Path:
        forged = tmp_path / f"forged-{version}.jsonl"
        rewrite(path, forged, change or forge("message", seat="EE", text="y" * 5000))
        lines = forged.read_bytes().split(b"\n", 1)
        header = orjson.loads(lines[0])
        forged.write_bytes(orjson.dumps({**header, "cdtx_version": version}) + b"\n" + lines[1])
        return forged

    old = old_and_forged("0.4.0")
    assert open_recording(old).verify().ok
    for today in ("0.5.0", "unknown", "0.4.0.1"):
        with pytest.raises(RecordingError, match="EE is played by the model now"):
            open_recording(old_and_forged(today)).verify()
    # Resumed (cdtx host --resume's resimulate + a new recorder) or branched, the continuation
    # says its inputs were taken by 0.4.0's rules, and verifies in its turn.
    recording = open_recording(old)
    ex = recording.resimulate()
    resumed = tmp_path / "resumed.jsonl"
    Recorder(resumed, ex).close()
    assert orjson.loads(resumed.read_bytes().split(b"\n", 1)[0])["seat_rules"] == "0.4.0"
    assert open_recording(resumed).verify().ok
    branched = tmp_path / "branched.jsonl"
    open_recording(old).branch(recording.end_time, record_to=branched).recorder.close()
    assert open_recording(branched).verify().ok
    # Only what 0.4.0's host took passes: an observer's observation it refused as today's does.
    with pytest.raises(RecordingError, match="seat observer .observer. may not observation"):
        open_recording(old_and_forged("0.4.0", forge("observation", seat="observer"))).verify()
    # A seat that is not a name is refused as the file is read (a report reads inputs too).
    with pytest.raises(RecordingError, match="an input's seat '123' is not a seat's name"):
        open_recording(old_and_forged("0.4.0", forge("message", seat=123)))


@pytest.mark.filterwarnings("ignore:.*no end line")
def test_a_report_of_a_recording_edited_to_another_rating_says_so_without_failing(tmp_path):
    # cdtx report reads the recorded events without re-simulating: a rating edited to one that
    # is not P/S/M/U is shown as it reads (replay --verify refuses the file), not a traceback.
    path = tmp_path / "hosted.jsonl"
    run(record(path, INPUTS))
    for rating in (5, "A+", ["S"]):
        forged = tmp_path / "forged.jsonl"
        rewrite(path, forged, forge("observation", rating=rating))
        done = cdtx("report", str(forged), "-o", str(tmp_path / "report.md"), "--force")
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert "not a rating" in (tmp_path / "report.md").read_text(encoding="utf-8")


@pytest.mark.filterwarnings("ignore:.*no end line")
def test_a_recording_edited_to_odd_marks_or_agendas_is_refused_naming_the_line(tmp_path):
    # a mark whose entry and state are lists, a meeting whose agenda is null: report and replay
    # refuse the file as it is read, one line naming where (no traceback from deeper down)
    path = tmp_path / "hosted.jsonl"
    run(record(path, INPUTS))
    forged = tmp_path / "forged.jsonl"
    def meeting_without_agenda(raw: dict) -> bool:
        if raw["kind"] != "note":
            return False
        raw["kind"], raw["data"] = "meeting", {"body": "psc", "extraordinary": False, "agenda": None}
        return True

    for change in (forge_event("input", {"control": "message"}, control="mark", msel=["S-01"],
                               state=["DE"], met=True), meeting_without_agenda):  # fmt: skip
        assert rewrite(path, forged, change) >= 0
        done = cdtx("report", str(forged), "-o", str(tmp_path / "report.md"), "--force")
        replayed = cdtx("replay", str(forged), "--verify")
        for result in (done, replayed):
            assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
            assert "forged.jsonl: line " in result.stderr and "not what cdtx writes" in result.stderr


def test_a_delegation_pages_brief_knows_what_this_run_made_known_at_the_start():
    # The brief's "known at the start" is this run's (its seed, its facilitator's T+0 inject),
    # not a fresh run of the scenario with the scenario's seed.
    async def scenario():
        ex = Exercise(SCENARIO, 7, interactive=True)
        seats = seats_for(ex.players)
        tokens = new_tokens(seats)
        async with Host(ex, seats, tokens, port=0, running=False, limits=LOOSE) as host:
            fac = await seat(host, tokens["facilitator"])
            reply = await fac.ask(
                {
                    "action": "inject",
                    "inject": {
                        "type": "note",
                        "to": ["DE"],
                        "params": {"text": "Berlin's CERT reports odd satellite traffic"},
                    },
                }
            )
            assert reply["type"] == "ack", reply
            with host._lock:
                ex.run(0.0)  # the inject is delivered at T+0
            async with connect(host.url, max_size=None, proxy=None) as page:
                await page.send(orjson.dumps({"hello": tokens["DE"], "view": True}))
                while (message := orjson.loads(await page.recv()))["type"] != "brief":
                    pass
        return message

    brief = run(scenario())
    start = next(s for s in brief["sections"] if s["title"] == "Your situation at the start")
    assert any("Berlin's CERT reports odd satellite traffic" in item for item in start["items"]), (
        start
    )


def test_a_pages_statements_are_the_narratives_lines_with_states_by_name():
    import scenarios
    from sim.narrative import actor_names, describe
    from sim.seats import DELEGATION, PageView, Seat, state_names

    scenario = scenarios.load(SCENARIO)
    actor = scenario.threat_actors[0]
    page = PageView(Seat("DE", DELEGATION, "DE"), scenario)
    events = [
        ("attributed", {"state": "PL", "actor": actor.id, "sponsor": "RU", "confidence": 0.8,
                        "how": "decision"}),
        ("position_fixed", {"state": "DE", "measure": "declaration", "position": "support",
                            "statement": "with our partners"}),
        ("invoked", {"by": "EE", "article": "42(7)", "measure": "assistance_42_7"}),
    ]  # fmt: skip
    for seq, (kind, data) in enumerate(events):
        page.apply(kind, 1.0, seq, data)
    shown = [item["text"] for item in page.summary({})["statements"][::-1]]
    said = [describe(Event(1.0, seq, kind, "model", data), actor_names(scenario),
                     names=state_names()) for seq, (kind, data) in enumerate(events)]  # fmt: skip
    assert shown == said
    assert shown[0].startswith(f"Poland publicly attributes the activity to {actor.name}")
    assert (
        shown[1].startswith("Germany states its position")
        and shown[2] == "Estonia invokes Art. 42(7)"
    )
    # the terminal's and the narrative's lines keep the codes
    assert describe(Event(1.0, 0, "invoked", "model", events[2][1])) == "EE invokes Art. 42(7)"


def test_the_walls_procedure_names_the_body_a_tabled_text_is_before():
    import scenarios
    from sim.seats import OBSERVER, PageView, Seat, shown_to

    scenario = scenarios.load(SCENARIO)
    ex = Exercise(scenario)
    while not any(e.kind == "proposal" for e in ex.events) and ex.step():
        pass
    wall = Seat("observer", OBSERVER)
    page = PageView(wall, scenario)
    for event in shown_to(wall, ex.events, scenario):
        page.apply(event["kind"], event["t"], event["seq"], event["data"])
    rows = page.summary({})["procedure"]
    # satcom-war's first: an HR declaration the High Representative tables, an EEAS text
    # before the PSC at once
    assert [(r["status"], r["by"], r["body"]) for r in rows] == [
        ("tabled", "the High Representative", "PSC")
    ], rows
    # a listing a member state tables: HWPCI prepares it first
    page.apply("proposal", 1.0, 10_000, {"proposal": "P-9", "measure": "listing", "by": "DE",
                                         "parent": None, "origin": "model"})  # fmt: skip
    assert page.summary({})["procedure"][-1]["body"] == "HWPCI"


async def _next_view(page, until) -> dict[str, Any]:
    """The first view message ``page`` is sent for which ``until(view)`` holds."""
    while True:
        message = orjson.loads(await page.recv())
        if message.get("type") == "view" and until(message):
            return message


def test_pages_are_told_the_players_now_when_the_facilitator_changes_them():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            async with connect(host.url, max_size=None, proxy=None) as de, \
                    connect(host.url, max_size=None, proxy=None) as wall:  # fmt: skip
                await de.send(orjson.dumps({"hello": tokens["DE"], "view": True}))
                await wall.send(orjson.dumps({"hello": tokens["observer"], "view": True}))
                await fac.ask({"action": "allow_chat", "allowed": True})
                first = await _next_view(de, lambda v: v["chat"] is not None)
                await fac.ask({"action": "players", "state": "EE", "played": True})
                joined = await _next_view(de, lambda v: len(v["players"]) == 3)
                on_wall = await _next_view(wall, lambda v: len(v["players"]) == 3)
                await fac.ask({"action": "players", "state": "DE", "played": False})
                handed_back = await _next_view(de, lambda v: len(v["players"]) == 2)
        return first, joined, on_wall, handed_back

    first, joined, on_wall, handed_back = run(scenario())
    assert [c["name"] for c in first["chat"]] == ["Poland"] and first["played"] is True
    assert [c["name"] for c in joined["chat"]] == ["Estonia", "Poland"]
    assert [p["code"] for p in joined["players"]] == ["DE", "EE", "PL"]
    assert on_wall["players"] == joined["players"]
    # handed back to the model: no chat, and the page says so (its inputs are refused)
    assert handed_back["played"] is False and handed_back["chat"] is None
    assert [p["name"] for p in handed_back["players"]] == ["Estonia", "Poland"]


# -- the clock after --resume ----------------------------------------------------------------


class WallClock:
    """The host's wall clock (``time.monotonic`` in tui/host/server.py), moved by the test; it
    counts how often it was read, so the test knows the host's clock has looked at it."""

    def __init__(self) -> None:
        self.now, self.reads = 1000.0, 0

    def monotonic(self) -> float:
        self.reads += 1
        return self.now


async def _until(condition, clock: WallClock | None = None) -> None:
    """Let the host's loop run until ``condition()`` holds (and, with ``clock``, until the
    host's clock task has read the wall clock twice more: a whole tick has passed)."""
    reads = clock.reads if clock is not None else 0
    for _ in range(10_000):
        if condition() and (clock is None or clock.reads >= reads + 2):
            return
        await asyncio.sleep(0.001)  # the host's loop runs; no timing is asserted
    raise AssertionError("the host's clock never got there")


def test_a_resumed_host_goes_on_from_where_it_stopped_not_by_the_wall_time_that_passed(
        tmp_path, monkeypatch):  # fmt: skip
    from argparse import Namespace
    from types import SimpleNamespace

    from tui.cli.host import _resume
    from tui.host import server
    from tui.host.server import save_tokens, tokens_path

    path = tmp_path / "ex.jsonl"
    ex = Exercise(SCENARIO, interactive=True, players=[])  # nobody to wait for
    seats = seats_for(ex.players)
    tokens = new_tokens(seats)
    recorder = Recorder(path, ex)
    save_tokens(tokens_path(path), seats, tokens)
    ex.run(until=10.0)
    ex.note("the host stops here")  # its last event: at T+10h
    recorder.close()

    wall = WallClock()
    monkeypatch.setattr(server, "time", SimpleNamespace(monotonic=wall.monotonic))
    resumed, seats, tokens, recorder, _ = _resume(Namespace(resume=str(path), scenario=None,
                                                            players=None, seed=None))  # fmt: skip

    async def scenario():
        async with Host(resumed, seats, tokens, port=0, running=False, speed=1.0,
                        recorder=recorder) as host:  # fmt: skip
            at_start = (host.clock, host.run()["state"])
            await _until(lambda: True, wall)  # the host's clock is going
            wall.now += 3 * 3600  # three hours of wall time while the host is paused
            host._changed.set()
            await _until(lambda: True, wall)
            paused = (host.clock, host.run()["t"], resumed.now)
            fac = await seat(host, tokens["facilitator"])
            assert (await fac.ask({"action": "clock", "run": True}))["type"] == "ack"
            await _until(lambda: True, wall)
            wall.now += 2.0  # two seconds of wall time running: two simulated hours
            await _until(lambda: host.clock > 10.0, wall)
            running = host.clock
            note = await fac.ask({"action": "note", "text": "back at the table"})
            return at_start, paused, running, note

    at_start, paused, running, note = run(scenario())
    recorder.close()
    assert at_start == (10.0, "paused")
    assert paused == (10.0, 10.0, 10.0)  # no jump by the hours the host was down or paused
    assert running == pytest.approx(12.0)
    recorded = open_recording(path).events
    assert next(e for e in recorded if e.seq == note["seq"]).t == pytest.approx(12.0)
