"""Every input a person (or a hostile seat, page or file) can reach on ``cdtx host``: wrong types
in the fields of the seats' actions, seat management, hellos, the page routes over HTTP, a
recording tampered after it was written, hostile text in the report. Each is refused with one
message naming the place, the seat stays connected, nothing is recorded; a real host on
loopback, raw WebSocket clients sending exactly what a hostile client would."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import orjson
import pytest

pytest.importorskip("websockets")

import hostkit  # noqa: E402
from hostkit import (  # noqa: E402
    DROP,
    forge,
    forge_event,
    recorded_inputs,
    rewrite,
    run,
    seat,
    verify_forged,
)
from inprocess import cdtx  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from sim import Exercise  # noqa: E402
from sim import report as reports  # noqa: E402
from sim.recording import open as open_recording  # noqa: E402
from tests.test_cli import assert_error  # noqa: E402
from tui.host import server  # noqa: E402
from tui.host.budget import Limits  # noqa: E402


def hosted(recording: Path | None = None, **options):
    """The hosted exercise (tests/hostkit.py) with a second facilitator's seat."""
    return hostkit.hosted(recording, facilitators=2, **options)


# -- the seats' actions --------------------------------------------------------------------


def test_seat_management_naming_no_seat_as_text_is_refused_naming_the_action():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            before = dict(tokens)
            fac = await seat(host, tokens["facilitator"])
            for action in ("free", "new_token", "share"):
                for value in (["DE"], {"DE": 1}, 5, None, "XX"):
                    message = await fac.refused(
                        {"action": action, "seat": value},
                        rf"^{action}: no seat .*\(seats: facilitator, ",
                    )
                    assert "unhashable" not in message
            assert (await fac.ask({"action": "note", "text": "still seated"}))["type"] == "ack"
            return host.tokens == before, len(host.seats)

    assert run(scenario()) == (True, 6)


def test_a_facilitator_does_not_renew_its_own_token_and_stays_seated():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            before = tokens["facilitator"]
            await fac.refused(
                {"action": "new_token", "seat": "facilitator"},
                "new_token: seat facilitator is your own seat",
            )
            assert (await fac.ask({"action": "note", "text": "still here"}))["type"] == "ack"
            return host.tokens["facilitator"] == before

    assert run(scenario())


def test_sharing_a_delegations_seat_is_bounded_and_a_share_of_a_share_acts_for_the_same_state():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            assert (await fac.ask({"action": "share", "seat": "DE"}))["type"] == "ack"
            assert (await fac.ask({"action": "share", "seat": "DE-2"}))["type"] == "ack"
            for _ in range(server.MAX_SHARED - 2):
                assert (await fac.ask({"action": "share", "seat": "DE"}))["type"] == "ack"
            await fac.refused(
                {"action": "share", "seat": "DE"},
                f"share: DE already has {server.MAX_SHARED} shared seats",
            )
            await fac.refused(
                {"action": "share", "seat": "facilitator-2"}, "not a delegation's seat"
            )
            shared = [s for s in host.seats.values() if s.state == "DE"]
            de3 = await seat(host, host.tokens["DE-3"])
            await de3.refused(
                {"action": "answer", "state": "PL", "position": "oppose"}, "answers for DE only"
            )
            await de3.refused(
                {"action": "mark", "msel": "S-01", "state": "DE", "met": True},
                r"seat DE-3 \(delegation\) may not mark",
            )
            return [s.id for s in shared], de3.welcome["seat"]

    ids, welcomed = run(scenario())
    assert ids == ["DE", *(f"DE-{n}" for n in range(2, server.MAX_SHARED + 2))]
    assert welcomed == {"id": "DE-3", "role": "delegation", "state": "DE"}


def test_flags_that_are_not_true_or_false_are_refused_not_taken_for_true():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            await fac.refused(
                {"action": "players", "state": "EE", "played": "false"},
                "players: played is true or false, not 'false'",
            )
            await fac.refused(
                {"action": "advice", "state": "DE", "allowed": "no"},
                "advice: allowed is true or false, not 'no'",
            )
            await fac.refused(
                {"action": "clock", "run": "false"}, "clock: run is true or false, not 'false'"
            )
            await fac.refused(
                {"action": "allow_chat", "allowed": [True]},
                "allow_chat: allowed is true or false, not a list",
            )
            return ex.players, host.running, recorded_inputs(ex)

    players, running, inputs = run(scenario())
    assert (players, running, inputs) == (("DE", "PL"), False, [])


def test_texts_that_are_not_text_are_refused_not_recorded_as_python_reprs():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac, de = await seat(host, tokens["facilitator"]), await seat(host, tokens["DE"])
            evaluator = await seat(host, tokens["evaluator"])
            await de.refused({"action": "answer", "position": "support",
                              "statement": {"a": 1}}, "answer: statement is a text")  # fmt: skip
            await evaluator.refused({"action": "observation", "objective": "SW-1",
                                     "rating": "S", "text": ["x"]},
                                    "observation: text is a text, not a list")  # fmt: skip
            await fac.refused(
                {"action": "note", "text": "x", "objective": {"a": 1}},
                "note: objective is a text, not a JSON object",
            )
            await fac.refused(
                {"action": "note", "text": "x", "state": ["DE"]},
                "note: state is a text, not a list",
            )
            await evaluator.refused({"action": "mark", "msel": "S-01", "state": "DE",
                                     "met": True, "text": ["a"]}, "the mark's text is a string")  # fmt: skip
            await fac.refused(
                {"action": "edit", "msel": "S-05", "message": 5}, "edit: message is a text"
            )
            await fac.refused({"action": "edit", "msel": "S-05", "at": [1]}, "^at: ")
            await fac.refused({"action": "edit", "msel": "S-05", "at": -5}, "negative time")
            await fac.refused({"action": "edit", "msel": "S-05", "at": 1e300}, "100 years")
            await fac.refused(
                {"action": "hotwash", "text": "x", "about": {"a": 1}}, "strength or an improvement"
            )
            await de.refused({"action": "acknowledge", "entry": ["S-01"]}, "give entry")
            await de.refused(
                {"action": "acknowledge", "entry": "S-99"}, "'S-99' has not been delivered"
            )
            await fac.refused(
                {"action": "mark", "msel": "S-01", "state": "EE", "met": True},
                "expects nothing of EE",
            )
            await fac.refused({"action": ["fire"]}, "may not")
            return recorded_inputs(ex)

    assert run(scenario()) == []


def test_a_fault_applying_an_input_is_one_error_and_the_seat_stays_connected(monkeypatch,
                                                                              caplog):  # fmt: skip
    def broken(self, entry_id):
        raise RuntimeError("a fault inside cdtx")

    monkeypatch.setattr(Exercise, "fire", broken)

    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            await fac.refused(
                {"action": "fire", "msel": "S-02"},
                "could not apply this input .*logged on the host",
            )
            return (await fac.ask({"action": "note", "text": "still seated"}))["type"]

    with caplog.at_level(logging.ERROR, "cdtx.host"):
        assert run(scenario()) == "ack"
    assert [r.exc_info is not None for r in caplog.records] == [True]


def test_the_budget_covers_the_new_actions():
    async def scenario():
        limits = Limits(per_second=0.01, burst=3, refusals=100)
        async with hosted(limits=limits) as (ex, host, tokens):
            de = await seat(host, tokens["DE"])
            replies = [await de.ask({"action": "acknowledge", "entry": "S-01"})
                       for _ in range(5)]  # fmt: skip
            return [r.get("limit", False) for r in replies], replies[-1]["message"]

    limited, message = run(scenario())
    assert limited == [False, False, False, True, True]
    assert "seat DE: too many inputs" in message


# -- hellos --------------------------------------------------------------------------------


@pytest.mark.parametrize("hello", [b"[1]", b'"hello"', b"5", b"{}", b'{"hello": ["x"]}',
                                   b'{"hello": {"token": 1}}', b"not json", b"\xff\xfe"])  # fmt: skip
def test_a_hello_that_is_not_a_token_is_refused_in_one_message(hello):
    async def scenario():
        async with hosted() as (ex, host, tokens):
            async with connect(host.url, proxy=None) as socket:
                await socket.send(hello)
                refused = orjson.loads(await socket.recv())
                with pytest.raises(Exception):  # noqa: B017,PT011 - the host closes it
                    await socket.recv()
                code = socket.close_code
            still = await seat(host, tokens["DE"])  # the host goes on
            return refused, code, still.welcome["type"]

    refused, code, welcome = run(scenario())
    assert refused["type"] == "refused" and refused["retry"] is False
    assert refused["message"] in ("say hello with a token first",
                                  "unknown token: ask the facilitator for the command of your seat")  # fmt: skip
    assert (code, welcome) == (server.CLOSE_REFUSED, "welcome")


def test_the_token_of_a_renewed_seat_is_refused_and_a_freed_seat_is_taken_again():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            de = await seat(host, tokens["DE"])
            await fac.ask({"action": "free", "seat": "DE"})
            await de.socket.wait_closed()
            again = await seat(host, tokens["DE"])  # freed: the same token takes it again
            old = tokens["PL"]
            await fac.ask({"action": "new_token", "seat": "PL"})
            async with connect(host.url, proxy=None) as socket:
                await socket.send(orjson.dumps({"hello": old}))
                refused = orjson.loads(await socket.recv())
            return de.socket.close_code, again.welcome["seat"]["id"], refused["message"]

    code, again, refused = run(scenario())
    assert (code, again) == (server.CLOSE_FREED, "DE")
    assert refused.startswith("unknown token")


# -- the page routes over HTTP -------------------------------------------------------------


async def _http(port: int, head: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status_line, _, rest = data.partition(b"\r\n")
    headers_raw, _, body = rest.partition(b"\r\n\r\n")
    headers = {}
    for line in headers_raw.split(b"\r\n"):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def _get(port: int, path: str, method: str = "GET", host: str | None = None,
         extra: str = "") -> bytes:  # fmt: skip
    return (f"{method} {path} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n{extra}"
            "\r\n").encode()  # fmt: skip


@pytest.mark.parametrize("path", [
    "/static/../server.py", "/static/%2e%2e/server.py", "/static/%2E%2E%2Fserver.py",
    "/static/..%2f..%2fbudget.py", "//etc/passwd", "/static//etc/passwd", "/etc/passwd",
    "/static/", "/static/.", "/static/seat.html/..", "/../../../../etc/passwd", "/static",
    "/%2e%2e/server.py", "/static/\\..\\server.py",
])  # fmt: skip
def test_no_path_reaches_a_file_that_is_not_shipped(path):
    async def scenario():
        async with hosted() as (ex, host, tokens):
            return await _http(host.port, _get(host.port, path))

    status, _headers, body = run(scenario())
    assert status == 404 and body == b"not found\n"


def test_the_page_routes_check_host_origin_and_method_and_never_take_a_token_from_the_url():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            port = host.port
            page = await _http(port, _get(port, f"/?token={tokens['DE']}"))
            rebound = await _http(port, _get(port, "/", host=f"rebind.example:{port}"))
            foreign = await _http(port, _get(port, "/", extra="Origin: http://evil.example\r\n"))
            posted = await _http(port, _get(port, "/", method="POST",
                                            extra="Content-Length: 0\r\n"))  # fmt: skip
            two_hosts = await _http(port, _get(port, "/", extra=f"Host: 127.0.0.1:{port}\r\n"))
            long_line = await _http(port, _get(port, "/" + "a" * 20_000))
            many = await _http(port, _get(port, "/", extra="X-A: b\r\n" * 300))
            still = await seat(host, tokens["DE"])
            return page, rebound, foreign, posted, two_hosts, long_line, many, still, tokens

    page, rebound, foreign, posted, two_hosts, long_line, many, still, tokens = run(scenario())
    status, headers, body = page
    assert status == 200 and tokens["DE"].encode() not in body  # the query is never read
    assert headers["cache-control"] == "no-cache" and headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert (rebound[0], foreign[0], posted[0], two_hosts[0]) == (403, 403, 405, 400)
    assert long_line[0] in (0, 400, 414) or not long_line[2]
    assert many[0] in (0, 400, 431) or not many[2]
    assert still.welcome["type"] == "welcome"


# -- a recording with the new inputs -------------------------------------------------------

HOSTILE = "<script>alert(1)</script> | **x** [a](javascript:alert(1)) \x1b[31m"


#: The seats' inputs of the recording the forgery and report tests read (hostkit.record): an
#: acknowledgement (and one again, refused), chat, a message, a hot wash, marks and an
#: observation in hostile text, an inject fired and its edit refused.
NEW_INPUTS = [
    ("DE", {"action": "acknowledge", "entry": "S-01"}),
    ("DE", {"action": "acknowledge", "entry": "S-01"}, "already acknowledged"),
    ("PL", {"action": "acknowledge", "entry": "S-01"}),
    ("facilitator", {"action": "allow_chat", "allowed": True}),
    ("DE", {"action": "chat", "to": "PL", "text": HOSTILE}),
    ("DE", {"action": "message", "text": HOSTILE}),
    ("facilitator", {"action": "hotwash", "text": HOSTILE, "about": "strength"}),
    *((who, {"action": "mark", "msel": "S-01", "state": "DE", "met": True, "text": HOSTILE})
      for who in ("facilitator", "evaluator")),
    ("evaluator", {"action": "observation", "objective": "SW-1", "rating": "S",
                   "text": HOSTILE}),
    ("facilitator", {"action": "fire", "msel": "S-02"}),
    ("facilitator", {"action": "edit", "msel": "S-02", "at": "9h"}, "already been skipped"),
]  # fmt: skip


@pytest.mark.filterwarnings("ignore:.*no end line")  # the forgeries drop the trailer
def test_a_recording_with_the_new_inputs_verifies_and_a_forged_mark_or_acknowledgement_fails(
        tmp_path):  # fmt: skip
    path = tmp_path / "hosted.jsonl"
    run(hostkit.record(path, NEW_INPUTS, facilitators=2))
    assert open_recording(path).verify().ok

    forgeries = [  # (the forgery, what verifying says of it)
        (forge("chat", to="EE"), "'EE' is not a played delegation"),  # to a state nobody plays
        (forge("mark", state="EE"), "'S-01' expects nothing of EE"),  # of nothing expected
        (forge_event("acknowledged", {"state": "DE"}, state="PL"), "diverges at event"),
        (forge("acknowledge", entry=["S-01"]), "entry: the id of an inject, not ['S-01']"),
        (forge("acknowledge", entry=DROP), "recorded input is malformed (KeyError: 'entry')"),
    ]  # fmt: skip
    failures = []
    for change, says in forgeries:
        seq, message = verify_forged(path, tmp_path / "forged.jsonl", change)
        if not (message and f"line {seq + 2}" in message and says in message):
            failures.append((change.__name__, seq, message))
    assert not failures, failures
    # cdtx replay --verify says so in one line, exit 1, no traceback
    forged = tmp_path / "forged.jsonl"
    rewrite(path, forged, forge("acknowledge", entry=["S-01"]))
    assert_error(cdtx("replay", str(forged), "--verify"), "recorded input")


def test_the_report_of_a_recording_with_hostile_text_escapes_it(tmp_path):
    path = tmp_path / "hosted.jsonl"
    run(hostkit.record(path, NEW_INPUTS, facilitators=2))
    recording = open_recording(path)
    scenario, events, header = recording.scenario, recording.events, recording.header
    html = reports.aar(scenario, events, header, fmt="html")
    markdown = reports.aar(scenario, events, header, fmt="md")
    for text in (html, markdown):
        assert "<script>" not in text and "\x1b" not in text
    assert "](javascript:" not in markdown and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the hostile texts are in the report, shown as text (chat, hot wash, marks)
    assert markdown.count("alert(1)") >= 3


def test_the_host_stops_when_asked_right_after_an_input():
    """The clock task ends when cancelled even as an input wakes it (asyncio.wait_for of Python
    3.11 swallowed that cancellation: the host's stop then hung until its caller gave up)."""

    async def scenario():
        async with hosted() as (ex, host, tokens):
            clock = host._clock
            assert clock is not None
            await asyncio.sleep(0)  # the clock task waits for a change
            host._changed.set()  # an input came in ...
            clock.cancel()  # ... as the host is stopped
            done, _pending = await asyncio.wait([clock], timeout=30)
            return clock in done

    assert run(scenario())


def test_a_refused_clock_input_changes_nothing_and_release_and_answer_name_their_fields():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            fac = await seat(host, tokens["facilitator"])
            await fac.refused({"action": "clock", "run": True, "speed": -1}, "speed is a number")
            await fac.refused(
                {"action": "clock", "run": "yes", "speed": 50}, "run is true or false"
            )
            await fac.refused({"action": "release", "msel": 0}, "release: msel is the id")
            await fac.refused({"action": "release", "msel": ["S-01"]}, "release: msel is the id")
            await fac.refused({"action": "answer", "position": "support"}, "answer: give state")
            return host.running, host.speed, recorded_inputs(ex)

    assert run(scenario()) == (False, server.DEFAULT_SPEED, [])


def test_a_seats_file_that_cannot_be_written_refuses_the_change_and_changes_nothing(tmp_path):
    async def scenario():
        async with hosted() as (ex, host, tokens):
            before = dict(tokens)
            host.seats_file = tmp_path / "gone" / "run.jsonl.seats.json"  # its folder removed
            fac = await seat(host, tokens["facilitator"])
            de = await seat(host, tokens["DE"])
            for action in ("new_token", "share"):
                await fac.refused(
                    {"action": action, "seat": "DE"},
                    rf"^{action}: cannot write the seats file .*nothing was changed",
                )
            still = await de.ask({"action": "message", "text": "still seated"})
            return host.tokens == before, sorted(host.seats), still["type"]

    same, seats, still = run(scenario())
    assert same and "DE-2" not in seats and still == "ack"


def test_connections_that_never_say_hello_are_bounded():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            host.max_greeting = 3
            silent = [await connect(host.url, proxy=None) for _ in range(3)]
            while host.greeting < 3:  # each is waiting for its hello
                await asyncio.sleep(0.01)
            extra = await connect(host.url, proxy=None)  # one too many: closed at once
            await extra.wait_closed()
            code = extra.close_code
            for socket in silent:
                await socket.close()
            while host.greeting:  # the host sees them go
                await asyncio.sleep(0.01)
            joined = await seat(host, tokens["DE"])
            return code, joined.welcome["type"], host.greeting

    assert run(scenario()) == (1013, "welcome", 0)


def test_a_token_in_the_websocket_url_opens_no_seat():
    async def scenario():
        async with hosted() as (ex, host, tokens):
            async with connect(f"{host.url}/?token={tokens['DE']}&hello={tokens['DE']}",
                               proxy=None) as socket:  # fmt: skip
                await socket.send(b"{}")
                refused = orjson.loads(await socket.recv())
            return refused, sorted(host.connected)

    refused, connected = run(scenario())
    assert refused == {"type": "refused", "message": "say hello with a token first", "retry": False}
    assert connected == []
