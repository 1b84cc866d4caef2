"""A real ``cdtx host`` on loopback and raw seats for the tests that drive one
(tests/test_host_hostile.py, tests/test_host_gaps.py): a seat's WebSocket sends exactly what a
hostile client would; a hosted run recorded from the seats' inputs, and forgeries of that
recording as an editor without the key would write them. Import it after
``pytest.importorskip("websockets")``."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from sim import Exercise
from sim.events import GENESIS, Event, canonical, chain
from sim.recording import Recorder, RecordingError
from sim.recording import open as open_recording
from sim.seats import seats_for
from tui.host.budget import Limits
from tui.host.server import Host, new_tokens

SCENARIO = "satcom-war"  # played DE and PL; objectives SW-1 ...; S-01 at 1h (to all) ... S-12
#: Budgets loose enough that a battery of refusals is not itself throttled.
LOOSE = Limits(per_second=1000, burst=1000, refusals=10_000)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


class Raw:
    """A seat's WebSocket sending whatever it is given (no client-side checks)."""

    def __init__(self, socket: ClientConnection, welcome: dict[str, Any]) -> None:
        self.socket, self.welcome = socket, welcome
        self.next_id = 0
        self.notices: list[str] = []

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one input; the host's ack or error for it (other messages are set aside)."""
        self.next_id += 1
        await self.socket.send(orjson.dumps({"id": self.next_id, **request}))
        while True:
            message = orjson.loads(await self.socket.recv())
            if message.get("type") == "notice":
                self.notices.append(message["message"])
            if message.get("type") in ("ack", "error") and message.get("id") == self.next_id:
                return message

    async def refused(self, request: dict[str, Any], pattern: str) -> str:
        reply = await self.ask(request)
        assert reply["type"] == "error", (request, reply)
        assert re.search(pattern, reply["message"]), (request, reply["message"])
        return reply["message"]


async def seat(host: Host, token: str) -> Raw:
    # max_queue None: a test reads replies only, so the events it is sent must not back up
    # and stall the close handshake when the host stops.
    socket = await connect(host.url, max_size=None, max_queue=None, proxy=None)
    await socket.send(orjson.dumps({"hello": token}))
    welcome = orjson.loads(await socket.recv())
    assert welcome["type"] == "welcome", welcome
    return Raw(socket, welcome)


@contextlib.asynccontextmanager
async def hosted(recording: Path | None = None, *, facilitators: int = 1,
                 **options) -> AsyncIterator[tuple]:  # fmt: skip
    """``(exercise, host, tokens)``: :data:`SCENARIO` hosted on port 0, paused, recorded to
    ``recording`` if given; ``options`` go to :class:`Host` (budgets :data:`LOOSE` unless given)."""
    ex = Exercise(SCENARIO, interactive=True)
    seats = seats_for(ex.players, facilitators=facilitators)
    tokens = new_tokens(seats)
    recorder = Recorder(recording, ex) if recording is not None else None
    options.setdefault("limits", LOOSE)
    async with Host(ex, seats, tokens, port=0, running=False, recorder=recorder,
                    **options) as host:  # fmt: skip
        yield ex, host, tokens
    if recorder is not None:
        recorder.close()


def recorded_inputs(ex: Exercise) -> list[dict[str, Any]]:
    """The inputs recorded so far (their data)."""
    return [e.data for e in ex.events if e.kind == "input"]


def rewrite(path: Path, out: Path, change) -> int:
    """Copy the recording at ``path`` to ``out`` with ``change(event dict)`` applied to each
    event and the chain recomputed (as a forger without the key would), trailer dropped; the
    seq of the first event changed (-1: none), which is on line seq + 2 (the header is line 1)."""
    lines = path.read_bytes().splitlines()
    head, changed, first = GENESIS, [lines[0]], -1
    for line in lines[1:]:
        raw = orjson.loads(line)
        if "h" not in raw:
            break  # the trailer
        raw.pop("h")
        if change(raw) and first < 0:
            first = raw["seq"]
        event = Event.from_dict(raw)
        head = chain(head, canonical(event))
        changed.append(orjson.dumps({**orjson.loads(canonical(event)), "h": head}))
    out.write_bytes(b"\n".join(changed) + b"\n")
    return first


#: A step of :func:`record`: ``(seat, request)``, acknowledged, or ``(seat, request, pattern)``,
#: refused with a message matching ``pattern``.
Step = tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], str]


async def record(path: Path, steps: Iterable[Step], **options) -> None:
    """:data:`SCENARIO` hosted and recorded to ``path``: the steps' seats join, S-01 (to all, at
    1h) is delivered, then each step's seat sends its request; ``options`` go to :func:`hosted`."""
    steps = list(steps)
    async with hosted(recording=path, **options) as (ex, host, tokens):
        seated = {}
        for name, *_ in steps:
            if name not in seated:
                seated[name] = await seat(host, tokens[name])
        with host._lock:
            ex.run(until=1.5)
        for name, request, *refusal in steps:
            if refusal:
                await seated[name].refused(request, refusal[0])
            else:
                reply = await seated[name].ask(request)
                assert reply["type"] == "ack", (name, request, reply)


#: A field's value in :func:`forge`: the field is taken out.
DROP = object()

Change = Callable[[dict[str, Any]], bool]


def forge_event(kind: str, where: dict[str, Any], **changes: Any) -> Change:
    """A change for :func:`rewrite`: in every recorded event of ``kind`` whose data has the
    values ``where`` gives, the data's fields set to ``changes`` (:data:`DROP`: removed)."""

    def change(raw: dict[str, Any]) -> bool:
        data = raw["data"]
        if raw["kind"] != kind or any(data.get(k) != v for k, v in where.items()):
            return False
        for name, value in changes.items():
            if value is DROP:
                data.pop(name, None)
            else:
                data[name] = value
        return True

    said = {k: "dropped" if v is DROP else v for k, v in changes.items()}
    change.__name__ = f"{kind} {where}: {said}"[:100]  # said by a failing assertion
    return change


def forge(control: str, **changes: Any) -> Change:
    """:func:`forge_event` for the recorded inputs of ``control`` (``message``, ``mark``...)."""
    return forge_event("input", {"control": control}, **changes)


def verify_forged(path: Path, out: Path, change: Change) -> tuple[int, str | None]:
    """The recording at ``path`` forged by ``change`` into ``out`` (:func:`rewrite`) and
    verified: the seq of the first changed event (on line seq + 2) and why verifying refuses
    the file (``None``: it verifies). Anything but the recording's own one-line error (a
    traceback) fails the test."""
    seq = rewrite(path, out, change)
    assert seq >= 0, f"{change.__name__} changed no event"
    try:
        result = open_recording(out).verify()
    except RecordingError as exc:
        return seq, str(exc)
    return seq, None if result.ok else result.message
