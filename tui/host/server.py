"""The host of a shared exercise: one :class:`~sim.exercise.Exercise` and its recorder, seats
over WebSocket (the ``websockets`` library), each seat sent only what it may see.

Everything runs in one asyncio loop: the clock task steps the exercise; every event goes through
the log's listener, which folds it into the :class:`~sim.seats.Disclosure` and appends it, as each
seat may see it, to that seat's history (for rejoining) and to the queue of its connection. An
input from a seat is checked against what its role may do, applied through the Exercise's own
methods (validated as ``Exercise.submit`` validates) with ``exercise.seat`` set, so the recorded
input event names the seat.

Wire protocol (JSON, one object per WebSocket message; docs/hosting.md, *Protocol*):
client ``{"hello": TOKEN}`` first; host ``{"type": "welcome", "seat": {...}, ...}`` or
``{"type": "refused", "message": ...}`` and a close; then host ``{"type": "events", "events":
[...]}`` (the seat's history first, then live), client ``{"action": ..., "id": N, ...}``, host
``{"type": "ack", "id": N, "seq": ...}`` or ``{"type": "error", "id": N, "message": ...}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import secrets
import socket as net  # "socket" is each connection's name here
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from scenarios.errors import CdtxError, UserError
from scenarios.safe_read import read_json
from sim import evaluation, expectations
from sim.clock import SPEEDS
from sim.events import Event
from sim.seat_rules import check_advice, check_chat, check_flag, check_played, shown_value
from sim.seats import (
    ALL_STATES,
    DELEGATION,
    POSITIONS,
    Disclosure,
    PageView,
    Seat,
    msel_rows,
    run_state,
    state_names,
)

from .. import handouts
from ..web_guard import WILDCARDS, allowed_hosts, is_loopback, refusal
from . import CLOSE_FREED, CLOSE_HOST_STOPPED, CLOSE_REFUSED, CLOSE_THROTTLED, web
from .budget import MAX_MESSAGE, Limits, SeatBudget

#: Frames the WebSocket library keeps unread per connection (each at most MAX_MESSAGE bytes).
MAX_QUEUE = 8
FRAME_BYTES = 512 * 1024

#: Largest seats file read back by ``--resume`` (a few hundred bytes a seat).
MAX_SEATS_FILE = 1024 * 1024

#: Seats that may share one delegation's (``share``: DE-2 ... DE-9): each is a copy of the
#: delegation's history and a connection more, so their number is bounded.
MAX_SHARED = 8

#: Connections that may be waiting to say hello at once (each may wait 10 s): more are closed
#: at once (code 1013, try again later), so a flood of silent connections costs bounded memory.
MAX_GREETING = 1024  # above a Cyber Europe-sized table (300 seats) joining at once

#: Seconds between two notices to the facilitator about the same seat's throttling.
NOTICE_INTERVAL = 10.0

#: A page is sent at most one view per VIEW_INTERVAL seconds (what happened meanwhile is folded
#: into the next: a slow page gets the latest view, never a backlog), and one every
#: VIEW_REFRESH seconds at least, for the clock.
VIEW_INTERVAL, VIEW_REFRESH = 0.05, 0.5

log = logging.getLogger("cdtx.host")

#: Default speed of the clock, simulated hours per second of wall time.
DEFAULT_SPEED = 1.0


class SeatRefused(CdtxError):
    """A connection refused: wrong or reused token, or no hello."""

    code = CLOSE_REFUSED
    retry = False  # whether the seat may try again later (cdtx join does, by itself)


class SeatBarred(SeatRefused):
    """A seat disconnected for sending too much, trying to rejoin before its time."""

    code = CLOSE_THROTTLED
    retry = True


@dataclass
class _Connection:
    seat: Seat
    socket: ServerConnection
    start: int = 0  # the seat's history it was sent on joining; live items come after
    queue: list[bytes] = field(default_factory=list)
    notices: list[bytes] = field(default_factory=list)  # to a facilitator seat: a seat throttled
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    page: bool = False  # a browser page: sent views (PageView summaries), not events


def new_tokens(seats: list[Seat]) -> dict[str, str]:
    """One random token per seat (seat id -> token)."""
    return {seat.id: secrets.token_urlsafe(16) for seat in seats}


def tokens_path(recording: str | Path) -> Path:
    """Where the tokens of a recorded hosted exercise are kept (beside the recording, mode 600):
    ``--resume`` reads them so that seats rejoin with the tokens they were given."""
    path = Path(recording)
    return path.with_name(path.name + ".seats.json")


def save_tokens(path: Path, seats: list[Seat], tokens: dict[str, str]) -> None:
    """Write the seats and tokens to a new file, mode 600 (FileExistsError if there is one:
    another exercise's tokens are never replaced)."""
    data = {"seats": [{**seat.as_dict(), "token": tokens[seat.id]} for seat in seats]}
    fd = _open_private(path)
    with open(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)


def _open_private(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


def rewrite_tokens(path: Path, seats: list[Seat], tokens: dict[str, str]) -> None:
    """Replace the seats file at ``path`` (a token renewed, a seat shared): written beside it,
    mode 600, then moved over it, so a crash leaves the old file or the new one, whole."""
    new = path.with_name(path.name + ".new")
    new.unlink(missing_ok=True)
    save_tokens(new, seats, tokens)
    os.replace(new, path)


def load_tokens(path: Path) -> tuple[list[Seat], dict[str, str]]:
    """The seats and tokens saved by :func:`save_tokens`, read through the bounded reader (a
    FIFO, a device or a file of more than :data:`MAX_SEATS_FILE` bytes is refused without
    waiting or reading it all; deep nesting is refused); :class:`CdtxError` if unusable."""
    if not path.exists() and not path.is_symlink():
        raise UserError(f"{path}: no such file (the seats of the recording to resume)")
    data = read_json(path, what="a seats file written by cdtx host", max_bytes=MAX_SEATS_FILE)
    try:
        seats = [Seat(str(s["id"]), str(s["role"]), s.get("state")) for s in data["seats"]]
        tokens = {str(s["id"]): str(s["token"]) for s in data["seats"]}
    except (KeyError, TypeError, AttributeError):
        raise UserError(f"{path}: not a seats file written by cdtx host (a list of seats, each "
                        "with an id, a role and a token)") from None  # fmt: skip
    except ValueError as exc:
        raise UserError(f"{path}: {exc}") from None
    # what cdtx host writes: every seat once, each with a token of its own, a facilitator's
    # among them (an edited file would otherwise host a table no one runs, or a seat no token
    # reaches)
    ids = [seat.id for seat in seats]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise UserError(f"{path}: seat {twice[0]!r} is listed twice")
    if not any(seat.role == "facilitator" for seat in seats):
        raise UserError(f"{path}: no facilitator's seat (a seats file written by cdtx host has "
                        "one)")  # fmt: skip
    empty = [seat_id for seat_id, token in tokens.items() if not token.strip()]
    if empty:
        raise UserError(f"{path}: seat {empty[0]!r} has an empty token")
    if len(set(tokens.values())) != len(tokens):
        raise UserError(f"{path}: two seats share one token (each seat's token is its own)")
    return seats, tokens


class Host:
    """Host ``exercise`` for ``seats`` on ``address:port`` (0: any free port)."""

    def __init__(self, exercise, seats: list[Seat], tokens: dict[str, str], *,
                 address: str = "127.0.0.1", port: int = 8765,
                 ssl_context: ssl.SSLContext | None = None, speed: float = DEFAULT_SPEED,
                 rate: float | None = None, running: bool = True, advice: bool = False,
                 recorder=None, on_event: Callable[[Event], None] | None = None,
                 console=None, limits: Limits | None = None,
                 on_notice: Callable[[str], None] | None = None,
                 public_url: str | None = None) -> None:  # fmt: skip
        self.exercise = exercise
        self.seats = {seat.id: seat for seat in seats}
        self._by_token = {tokens[s.id]: s for s in seats}
        self.tokens = tokens
        self.address, self.port = address, port
        #: The address seats are told to join at (``cdtx host --public-url``): the seat lines
        #: printed at the start and a new token's notice name it (:func:`join_url`).
        self.public_url = public_url
        self._join_url: str | None = None  # join_url(self, public_url), once listening
        self.ssl_context = ssl_context
        self.speed = speed
        self.rate = rate  # events per second instead of a speed (benchmarks)
        #: Simulated time the wall clock has reached (hours); events up to it have happened.
        self.clock = exercise.now
        self.running = running
        self.recorder = recorder
        self.on_event = on_event
        #: Each seat's budget (tui/host/budget.py); the facilitator hears of a seat past it
        #: (``on_notice``, the console's warning, a notice to the facilitator seats).
        self.limits = limits or Limits()
        self.budgets = {seat.id: SeatBudget(seat.id, self.limits) for seat in seats}
        self.on_notice = on_notice
        self._noticed: dict[str, float] = {}
        #: Connections that closed before saying hello (counted, not logged one by one).
        self.dropped = 0
        #: Connections waiting to say hello now, and how many may (MAX_GREETING).
        self.greeting, self.max_greeting = 0, MAX_GREETING
        self.disclosure = Disclosure(exercise.scenario, advice=advice)
        #: Each seat's audience: seats of one audience are shown the same of every event.
        self._audience: dict[str, str] = {}
        self.history: dict[str, list[bytes]] = {seat.id: [] for seat in seats}
        #: The page view of each seat that has had a page (folded from its history when its
        #: first page joins, then live).
        self.views: dict[str, PageView] = {}
        self._frames: dict[str, tuple[bytes, bytes]] = {}  # the last view message, per view
        self._view_audience: dict[str, str] = {}  # view -> the audience whose data it folds
        self._lines: dict[int, dict[str, Any]] = {}  # timeline lines shared by those pages
        self._msel: tuple[tuple[int, ...], bytes] | None = None  # the MSEL rows, encoded
        self._pages: asyncio.Task | None = None
        self.connected: dict[str, _Connection] = {}
        self._joining: set[str] = set()  # seats welcomed, not yet connected
        self._server: Server | None = None
        self._clock: asyncio.Task | None = None
        self._changed = asyncio.Event()
        self.finished = asyncio.Event()
        #: The facilitator console sharing the exercise (tui/screens/session.LiveSession): its
        #: clock drives the exercise from its own thread, its lock guards the exercise, and the
        #: inputs it makes are the first facilitator seat's.
        self.console = console
        self._lock = console.lock if console is not None else contextlib.nullcontext()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        #: The seats file (``--resume`` reads it): rewritten when a token is renewed or a seat
        #: shared; ``on_seats`` is told then (cdtx host prints the join commands again).
        self.seats_file: Path | None = None
        self.on_seats: Callable[[], None] | None = None
        #: The seat the console acts as (the first facilitator's): nobody joins on it.
        self.console_seat: str | None = None
        if console is not None:
            exercise.seat = next(s.id for s in seats if s.role == "facilitator")
            self.console_seat = exercise.seat
        exercise.log.subscribe(self._listener, past=True)

    # -- events to seats -------------------------------------------------------------------

    def _listener(self, event: Event, raw: bytes, _head: str) -> None:
        self.disclosure.observe(event)
        # One bytes object per variant of the event: seats that see the same fields share it,
        # so a seat costs the host a reference per event, not a copy.
        variants: dict[tuple[str, ...], bytes] = {}
        pushes: list[tuple[str, int, bytes]] = []
        data_for = self.disclosure.data_for
        # Seats of one audience see the same data (every facilitator and evaluator; every
        # observer): asked once per audience, not once per seat (300 seats, 1,000 events/s).
        seen: dict[str, dict[str, Any] | None] = {}
        audience = self._audience
        for seat_id, seat in self.seats.items():
            key = audience.get(seat_id) or self._audience_of(seat)
            if key in seen:
                data = seen[key]
            else:
                data = seen[key] = data_for(seat, event)
            if data is None:
                continue
            if data is event.data:
                item = raw  # the recorded bytes themselves
            else:
                fields = tuple(data)
                known = variants.get(fields)
                if known is None:
                    view = {"seq": event.seq, "t": event.t, "kind": event.kind,
                            "source": event.source, "data": data}  # fmt: skip
                    known = variants[fields] = orjson.dumps(view, option=orjson.OPT_SORT_KEYS)
                item = known
            history = self.history[seat_id]
            history.append(item)
            pushes.append((seat_id, len(history) - 1, item))
        for key, page in self.views.items():  # one per delegation, one per other role
            data = seen.get(self._view_audience[key])
            if data is not None:
                page.apply(event.kind, event.t, event.seq, data)
        ended = event.kind == "ended"
        if self._loop is None or threading.get_ident() == self._loop_thread:
            self._push(pushes, ended)
        else:  # the console's clock thread: the connections belong to the host's loop
            self._loop.call_soon_threadsafe(self._push, pushes, ended)
        if self.on_event is not None:
            self.on_event(event)

    def _push(self, pushes: list[tuple[str, int, bytes]], ended: bool) -> None:
        """Queue each seat's item on its connection (in the host's loop), unless the connection
        already had it with the history it was given when it joined."""
        for seat_id, index, item in pushes:
            connection = self.connected.get(seat_id)
            if connection is not None and index >= connection.start:
                if not connection.page:
                    connection.queue.append(item)
                connection.ready.set()
        if ended:
            self.finished.set()

    # -- serving ---------------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "wss" if self.ssl_context is not None else "ws"

    @property
    def url(self) -> str:
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{address}:{self.port}"

    async def start(self) -> None:
        """Listen (the port is known afterwards) and start the clock."""
        self._server = await serve(self._handle, self.address, self.port, ssl=self.ssl_context,
                                   process_request=self._check_request, compression=None,
                                   max_size=MAX_MESSAGE, max_queue=MAX_QUEUE)  # fmt: skip
        if self.port == 0:
            self.port = self._server.sockets[0].getsockname()[1]
        self._allowed = allowed_hosts(self.address, self.port) | public_names(self.public_url)
        with self._lock:
            self._loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        # The scenario, the exercise and the log so far live as long as the host: keep them out
        # of the collector's full passes, whose pauses would otherwise delay every seat.
        gc.freeze()
        self._pages = asyncio.create_task(self._refresh_pages())
        if self.console is not None:
            return  # the console's clock drives the exercise
        self._clock = asyncio.create_task(self._run_clock())

    async def stop(self) -> None:
        for task in (self._clock, self._pages):
            if task is not None:
                task.cancel()
                # wait, not await: the task's cancellation is not raised here, and a
                # cancellation of stop() itself still is.
                await asyncio.wait([task])
        if self._server is not None:
            # All at once: each close may wait out the close timeout of a frozen device.
            await asyncio.gather(*(connection.socket.close(CLOSE_HOST_STOPPED,
                                                           "the host has stopped")
                                   for connection in list(self.connected.values())),
                                 return_exceptions=True)  # fmt: skip
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> Host:
        await self.start()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.stop()

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """The Host and Origin check of ``cdtx serve`` (tui/web_guard.py): no page of another
        site, and no DNS-rebound name, opens a seat through a participant's browser."""
        hosts, origins = request.headers.get_all("Host"), request.headers.get_all("Origin")
        if len(hosts) != 1 or len(origins) > 1:
            return connection.respond(400, "one Host header, at most one Origin\n")
        why = refusal(hosts[0], origins[0] if origins else None, self._allowed)
        if why is not None:
            return connection.respond(403, why + "\n")
        if web.is_page_request(request):
            return web.page_response(request, web.url_prefix(self.public_url))
        return None

    async def _handle(self, socket: ServerConnection) -> None:
        if self.greeting >= self.max_greeting:
            self.dropped += 1
            with contextlib.suppress(ConnectionClosed):
                await socket.close(1013, "too many connections waiting to say hello; try again")
            return
        self.greeting += 1
        try:
            try:
                seat, page = await self._greet(socket)
            finally:
                self.greeting -= 1
        except SeatRefused as exc:
            with contextlib.suppress(ConnectionClosed):
                await socket.send(orjson.dumps({"type": "refused", "message": str(exc),
                                                "retry": exc.retry}))  # fmt: skip
                await socket.close(exc.code, str(exc)[:120])
            return
        except ConnectionClosed:
            # Gone before its hello (a port scan, a closed tab, a flood of connections): one
            # debug line and a count, never a traceback per connection.
            self.dropped += 1
            log.debug("a connection closed before its hello (%d so far)", self.dropped)
            return
        connection = _Connection(seat, socket, page=page)
        # No await between these lines: the history and the live events meet without a gap
        # (and under the console's lock, no event is emitted meanwhile).
        with self._lock:
            history = self.history[seat.id]
            connection.start = len(history)
            if page:
                self._page_view(seat)
            else:
                connection.queue.extend(history)
            connection.ready.set()
            self.connected[seat.id] = connection
            self._joining.discard(seat.id)
            if seat.sees_all and not page:  # the terminal's MSEL: the planned entries (their
                connection.notices.append(self._msel_message)  # statuses follow from the events;
                # a facilitator's page is sent the rows with their statuses: msel_frame)
        self._seated_changed()
        sender = asyncio.create_task(self._send_views(connection) if page
                                     else self._send(connection))  # fmt: skip
        try:
            async for message in socket:
                await self._input(connection, message)
        except ConnectionClosed:
            pass
        finally:
            if self.connected.get(seat.id) is connection:
                del self.connected[seat.id]
                self._seated_changed()
            sender.cancel()

    @property
    def _msel_message(self) -> bytes:
        entries = [m.model_dump(mode="json", by_alias=True) for m in self.exercise.scenario.msel]
        return orjson.dumps({"type": "msel", "entries": entries})

    def _seated_changed(self) -> None:
        """Tell the console which delegations answer at their own seats now: it does not open
        its decision dialog for them (the facilitator still can, with ``d``)."""
        if self.console is None:
            return
        self.console.seated = frozenset(
            c.seat.state for c in self.connected.values() if c.seat.state is not None
        )
        self.console.changed()

    async def _greet(self, socket: ServerConnection) -> tuple[Seat, bool]:
        """The seat that said hello, and whether it is a browser page (``"view": true``)."""
        try:
            hello = orjson.loads(await asyncio.wait_for(socket.recv(), 10))
            token = hello["hello"]
            page = hello.get("view") is True
        except (TimeoutError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise SeatRefused("say hello with a token first") from exc
        seat = self._by_token.get(token) if isinstance(token, str) else None
        if seat is None:
            raise SeatRefused("unknown token: ask the facilitator for the command of your seat")
        barred = self.budgets[seat.id].barred()
        if barred:
            raise SeatBarred(f"seat {seat.id} was disconnected for sending too much; it may "
                             f"rejoin in {barred:.0f} s")  # fmt: skip
        if seat.id == self.console_seat:
            raise SeatRefused(f"seat {seat.id} is the host's console; another facilitator joins "
                              "on a seat of their own (cdtx host --facilitators 2)")  # fmt: skip
        if seat.id in self.connected or seat.id in self._joining:
            raise SeatRefused(f"the token of seat {seat.id} is in use by another connection")
        # Held from here (before the first await) until _handle registers the connection: a
        # second connection with the same token meanwhile is refused, not welcomed too.
        self._joining.add(seat.id)
        ex = self.exercise
        welcome = {
            "type": "welcome",
            "seat": seat.as_dict(),
            "scenario": {"id": ex.scenario.id, "title": ex.scenario.title,
                         "horizon": ex.horizon, "start": str(ex.scenario.start),
                         "objectives": [o.id for o in ex.scenario.objectives]},
            "players": list(ex.players),
            "actions": sorted(seat.actions),
            "history": len(self.history[seat.id]),
        }  # fmt: skip
        try:
            await socket.send(orjson.dumps(welcome))
        except BaseException:
            self._joining.discard(seat.id)
            raise
        return seat, page

    async def _send(self, connection: _Connection) -> None:
        """Send the connection's queue as frames of many events (one frame per event would cost
        the host more than the model at a thousand events a second)."""
        socket = connection.socket
        with contextlib.suppress(ConnectionClosed):
            while True:
                await connection.ready.wait()
                connection.ready.clear()
                queue, connection.queue = connection.queue, []
                notices, connection.notices = connection.notices, []
                for notice in notices:
                    await socket.send(notice)
                if self.recorder is not None:
                    self.recorder.flush()  # what a seat has seen is in the recording first
                start = 0
                while start < len(queue):
                    size, end = 0, start
                    while end < len(queue) and (size < FRAME_BYTES or end == start):
                        size += len(queue[end]) + 1
                        end += 1
                    await socket.send(b'{"type":"events","events":[' + b",".join(queue[start:end])
                                      + b"]}")  # fmt: skip
                    start = end

    # -- pages -----------------------------------------------------------------------------

    def _audience_of(self, seat: Seat) -> str:
        """The audience of ``seat`` (a seat added during the exercise is given one too)."""
        key = seat.id if seat.state is not None else "*" if seat.sees_all else seat.role
        self._audience[seat.id] = key
        return key

    @staticmethod
    def _view_key(seat: Seat) -> str:
        """A delegation's pages have a view of their own; the pages of one other role share
        one (every observer's wall shows the same), folded and encoded once for all of them."""
        return seat.id if seat.state is not None else seat.role

    def _page_view(self, seat: Seat) -> PageView:
        """The seat's page view, folded from its history the first time (under the lock)."""
        key = self._view_key(seat)
        view = self.views.get(key)
        if view is None:
            shown = seat if seat.state is not None else Seat(seat.role, seat.role)
            view = PageView(shown, self.exercise.scenario, self._lines, self.exercise.players)
            self.views[key] = view
            self._view_audience[key] = self._audience_of(seat)
            for raw in self.history[seat.id]:
                event = orjson.loads(raw)
                view.apply(event["kind"], event["t"], event["seq"], event["data"])
        return view

    def run(self) -> dict[str, Any]:
        """Where the exercise stands (clock, running, paused, waiting for whom), for pages; with
        ``running``, whether the clock is set to run (while a decision is awaited too), which
        the facilitator's Resume and Pause follow."""
        console = self.console
        if console is not None:
            speed, running = console.speed, console.mode != "paused"
            return {**run_state(self.exercise, console.now(), running,
                                None if speed is None else speed / 3600),
                    "running": running}  # fmt: skip
        return {**run_state(self.exercise, self.clock, self.running,
                            None if self.rate is not None else self.speed),
                "running": self.running}  # fmt: skip

    def msel_frame(self) -> bytes:
        """The facilitator pages' MSEL message: the rows with their status, encoded once per
        change (an MSEL of thousands of entries is sent when it changes, not with every view)."""
        ex = self.exercise
        key = (len(ex.applied), len(ex.skipped), len(ex.held), len(ex.scheduled),
               len(ex.scenario.msel))  # fmt: skip
        if self._msel is None or self._msel[0] != key:
            rows = msel_rows(ex)
            self._msel = (key, orjson.dumps({"type": "msel", "rows": rows}))
        return self._msel[1]

    def page_frame(self, seat: Seat) -> bytes:
        """The view message for ``seat``'s page now (its fold, the run state, the players now,
        and for a facilitator the seats)."""
        key = self._view_key(seat)
        with self._lock:
            page, run, players = self._page_view(seat), self.run(), self.exercise.players
            stamp = orjson.dumps([page.seq, run, players, sorted(self.connected), self.tokens
                                  if seat.role == "facilitator" else None])  # fmt: skip
            cached = self._frames.get(key)
            if cached is not None and cached[0] == stamp:
                return cached[1]  # another page of this view was just sent the same
            # The players now: a delegation's page does not see the facilitator's players input.
            view = page.summary(run, players)
            if seat.role == "facilitator":
                # With each seat's web link and join command, as cdtx host prints them: the
                # facilitator hands them out (not the console's own, which nobody joins on).
                view["seats"] = [
                    {"id": s.id, "role": s.role, "name": view_name(s),
                     "connected": s.id in self.connected, "console": s.id == self.console_seat,
                     **self._seat_links(s)}
                    for s in self.seats.values()
                ]  # fmt: skip
            view["actions"] = sorted(seat.actions)
            frame = orjson.dumps(view)
            self._frames[key] = (stamp, frame)
        return frame

    def _seat_links(self, seat: Seat) -> dict[str, str | None]:
        """The seat's token, web link and ``cdtx join`` command for the facilitator's page, at
        the address seats join (``--public-url``, else :func:`join_url`), never the page's own
        address, which may be the listening one behind a proxy (all None: the console's seat)."""
        token = None if seat.id == self.console_seat else self.tokens.get(seat.id)
        if token is None:
            return {"token": None, "link": None, "join": None}
        address = self.seats_address()
        return {"token": token, "link": web.web_link(address, token),
                "join": web.join_command(address, token)}

    def seats_address(self) -> str:
        """The address seats join (:func:`join_url`), looked up once: the machine's name may
        take a DNS lookup, which must not stall the event loop at every view or seat change."""
        if self._join_url is None:
            self._join_url = join_url(self, self.public_url)
        return self._join_url

    async def _send_views(self, connection: _Connection) -> None:
        """Send a page the latest view whenever it changed, at most one per VIEW_INTERVAL: what
        happens while a view is on its way is folded into the next one."""
        socket, seat = connection.socket, connection.seat
        last, last_msel = b"", b""
        with contextlib.suppress(ConnectionClosed):
            if seat.role == "delegation":
                await socket.send(orjson.dumps({"type": "brief", **self._brief(seat)}))
            while True:
                await connection.ready.wait()
                connection.ready.clear()
                notices, connection.notices = connection.notices, []
                for notice in notices:
                    await socket.send(notice)
                if self.recorder is not None:
                    self.recorder.flush()  # what a page shows is in the recording first
                if seat.role == "facilitator":
                    with self._lock:
                        msel = self.msel_frame()
                    if msel is not last_msel:
                        await socket.send(msel)
                        last_msel = msel
                started = time.monotonic()
                frame = self.page_frame(seat)
                if frame != last:
                    await socket.send(frame)
                    last = frame
                # At most one view per interval, counted from when this one was made: a send
                # that waited on a slow page is not followed by a full interval more.
                await asyncio.sleep(max(0.0, VIEW_INTERVAL - (time.monotonic() - started)))

    async def _refresh_pages(self) -> None:
        """Wake every page now and then: the clock moves, a pause changes no event."""
        while True:
            await asyncio.sleep(VIEW_REFRESH)
            for connection in list(self.connected.values()):
                if connection.page:
                    connection.ready.set()

    def _brief(self, seat: Seat) -> dict[str, Any]:
        """The delegation's brief (``cdtx brief --for STATE`` with this table's players), what it
        knows at the start taken from this run's own events (its seed, what was done at T+0)."""
        scenario = self.exercise.scenario.model_copy(update={"players": self.exercise.players})
        return {"title": handouts.title(scenario, str(seat.state)),
                "sections": handouts.delegation_brief(scenario, str(seat.state),
                                                      events=self.exercise.events)}  # fmt: skip

    # -- inputs ----------------------------------------------------------------------------

    async def _input(self, connection: _Connection, message: str | bytes) -> None:
        seat = connection.seat
        budget = self.budgets[seat.id]
        request_id = None
        over = budget.check(message)  # before parsing: a flood costs the host little
        try:
            request = orjson.loads(message)
            if not isinstance(request, dict):
                raise SeatRefused("an input is a JSON object")
            request_id = request.get("id")
            over = over or budget.check_fields(request)
            if over is None:
                record = self.apply(seat, request)
                if record is not None:  # the clock is not recorded: no share of the recording
                    budget.accepted(message)
                reply = {"type": "ack", "id": request_id,
                         "seq": None if record is None else record.seq}  # fmt: skip
        except orjson.JSONDecodeError:
            reply = {"type": "error", "id": request_id, "message": "an input is a JSON object"}
        except (CdtxError, ValueError, TypeError, KeyError) as exc:
            reply = {"type": "error", "id": request_id, "message": _message(exc)}
        except Exception:  # a fault of cdtx, not of the seat: logged once, the seat stays on
            log.exception("seat %s: an input could not be applied", seat.id)
            reply = {"type": "error", "id": request_id,
                     "message": "the host could not apply this input (a fault in cdtx, logged "
                                "on the host)"}  # fmt: skip
        if over is not None:
            reply = {"type": "error", "id": request_id, "message": over, "limit": True}
        await connection.socket.send(orjson.dumps(reply))
        if over is not None:
            await self._over_budget(connection, budget, over)

    async def _over_budget(self, connection: _Connection, budget: SeatBudget, why: str) -> None:
        """An input of ``connection``'s seat was refused for its budget: tell the facilitator
        (at most every NOTICE_INTERVAL seconds per seat), and disconnect a seat that keeps on."""
        seat_id = connection.seat.id
        if budget.strike():
            limits = self.limits
            reason = (f"seat {seat_id} disconnected: more than {limits.refusals} inputs over its "
                      f"budget within a minute; it may rejoin in {limits.cooldown:g} s")  # fmt: skip
            self.notice(reason, seat_id, force=True)
            await connection.socket.close(CLOSE_THROTTLED, reason[:120])
            return
        self.notice(f"seat {seat_id} throttled: {why.removeprefix(f'seat {seat_id}: ')} "
                    f"({budget.refused} inputs refused so far)", seat_id)  # fmt: skip

    def notice(self, text: str, seat_id: str | None = None, force: bool = False,
               secret: str = "") -> None:  # fmt: skip
        """Tell the facilitator ``text`` (not recorded: the recording holds what the seats did,
        and re-simulating it must give the same events): through ``on_notice``, the console's
        warning line and a ``notice`` message to each connected facilitator seat. ``secret`` (a
        new join command, token and all) goes to the facilitator seats only, never to the log
        or the console's status line, which a projector may show."""
        now = time.monotonic()
        last = self._noticed.get(seat_id) if seat_id is not None else None
        if not force and last is not None and now - last < NOTICE_INTERVAL:
            return
        if seat_id is not None:
            self._noticed[seat_id] = now
        log.info("%s", text)
        if self.on_notice is not None:
            self.on_notice(text)
        if self.console is not None:
            with self._lock:
                self.console.message = text
            self.console.changed()
        item = orjson.dumps({"type": "notice", "message": text + secret})
        for connection in self.connected.values():
            if connection.seat.role == "facilitator":
                connection.notices.append(item)
                connection.ready.set()

    def apply(self, seat: Seat, request: dict[str, Any]) -> Event | None:
        """Apply one input from ``seat`` (validated as the Exercise validates it); the recorded
        event, or None for what is not recorded (the clock). Raises on refusal."""
        action = request.get("action")
        if not isinstance(action, str) or not seat.may(action):
            raise SeatRefused(f"seat {seat.id} ({seat.role}) may not {action or 'do that'}"
                              + _may(seat))  # fmt: skip
        ex = self.exercise
        # A delegation handed back to the model acts no more from its seat (replay re-checks).
        check_played(ex, seat)
        if action == "clock":
            self._set_clock(request)
            return None
        if action == "free":
            self._free(seat, request)
            return None
        if action in ("new_token", "share"):
            self._manage_seat(seat, action, request)
            return None
        with self._lock:
            # The exercise's clock moves to the wall clock's time only now, right before the
            # input, as replay moves it (advance_clock then re-apply): moving it at every tick
            # would let the live run and its re-simulation count kernel steps differently.
            ex.advance_clock(self.console.now() if self.console is not None else self.clock)
            previous, ex.seat = ex.seat, seat.id
            try:
                record = self._apply(seat, action, request)
            finally:
                ex.seat = previous
        if self.console is not None:
            # Signalled, not only counted: a paused console (or one waiting for a decision) has
            # no frame coming that would show it (issue 23: seats' messages waited for a key).
            self.console.changed()
            self.console.wake.set()
        self._changed.set()
        return record

    def _apply(self, seat: Seat, action: str, request: dict[str, Any]) -> Event:
        ex = self.exercise
        if action == "inject":
            inject = request.get("inject")
            if not isinstance(inject, dict):
                raise SeatRefused("inject: give the inject as an object (type, params, ...)")
            return ex.submit(inject)
        if action == "skip":
            return ex.skip(_text(request, "msel"))
        if action == "release":  # a held MSEL entry takes effect, and the clock goes on
            entry = request.get("msel")
            if entry is not None and not isinstance(entry, str):
                raise SeatRefused(
                    f"release: msel is the id of a held entry, not {shown_value(entry)}"
                )
            return ex.release(entry or None)
        if action == "fire":  # a pending MSEL entry now (the console's e)
            return ex.fire(_text(request, "msel"))
        if action == "edit":  # the console's r: a new time and/or message
            changes = {k: request[k] for k in ("at", "message") if request.get(k) is not None}
            if not changes:
                raise SeatRefused("edit: give at (a time such as 36h) and/or message")
            if "message" in changes and not isinstance(changes["message"], str):
                raise SeatRefused("edit: message is a text")
            return ex.edit(_text(request, "msel"), changes)
        if action == "hotwash":  # the hot wash: a strength or an area for improvement
            about = request.get("about") or "improvement"
            return evaluation.record(ex, {"entry": "hotwash", "text": _text(request, "text"),
                                          "about": about})  # fmt: skip
        if action == "acknowledge":
            if seat.state is None:
                raise SeatRefused("acknowledge: a delegation's seat acknowledges its injects")
            return ex.acknowledge(_text(request, "entry"), seat.state)
        if action == "mark":  # an expectation met or not (sim/expectations.py)
            return expectations.mark(ex, _text(request, "msel"), _text(request, "state"),
                                     request.get("met"), request.get("text", ""))  # fmt: skip
        if action == "allow_chat":
            return ex.remark("allow_chat", allowed=_flag(request, "allowed"))
        if action == "chat":  # the rules replay re-checks too (sim/seat_rules.py)
            to = check_chat(ex, request.get("to"))
            return ex.remark("chat", _text(request, "text"), to=to)
        if action == "note":
            # The console's note: tagged to an objective and/or a delegation, editable (an
            # entry of the evaluation log, sim/evaluation.py).
            return evaluation.record(ex, {"entry": "note", "text": _text(request, "text"),
                                          "objective": _optional(request, "objective"),
                                          "state": _optional(request, "state")})  # fmt: skip
        if action == "players":
            return ex.set_played(_text(request, "state"), _flag(request, "played"))
        if action == "advice":  # the rules replay re-checks too (sim/seat_rules.py)
            return ex.remark("advice", **check_advice(ex, request.get("state", ALL_STATES),
                                                      request.get("allowed", True)))  # fmt: skip
        if action == "answer":
            state = request.get("state", seat.state)
            if seat.state is not None and state != seat.state:
                raise SeatRefused(f"seat {seat.id} answers for {seat.state} only, not {state}")
            if not isinstance(state, str):
                raise SeatRefused("answer: give state (the delegation answering, e.g. DE)")
            position = request.get("position")
            if position not in POSITIONS:
                raise SeatRefused(f"answer: position is one of {', '.join(POSITIONS)}")
            return ex.answer(str(state), position, _optional(request, "statement"))
        if action == "message":
            return ex.remark("message", _text(request, "text"))
        if action == "observation":  # the rules replay re-checks too (sim/evaluation.py)
            objective, rating = request.get("objective"), request.get("rating")
            evaluation.check_observation(ex.scenario, objective, rating)
            return ex.remark("observation", _optional(request, "text"), objective=objective,
                             rating=rating)  # fmt: skip
        raise SeatRefused(f"unknown action {action!r}")

    def _free(self, by: Seat, request: dict[str, Any]) -> None:
        """A facilitator frees a seat (a frozen laptop holds it until its connection times
        out): its connection is closed, so that its participant can take it again from another
        device with the same token. Not recorded: it changes who is connected, not the
        exercise."""
        seat_id = _seat_id(request, "free", self.seats)
        if seat_id == by.id:
            raise SeatRefused("free: a seat does not free itself (close the view instead)")
        connection = self.connected.get(seat_id)
        if connection is None:
            raise SeatRefused(f"free: seat {seat_id} is not connected")
        asyncio.get_running_loop().create_task(
            connection.socket.close(CLOSE_FREED, f"freed by {by.id}: take the seat again")
        )
        self.notice(f"seat {seat_id} freed by {by.id}", force=True)

    def _manage_seat(self, by: Seat, action: str, request: dict[str, Any]) -> None:
        """``new_token``: seat ``seat`` gets a new token (the old one stops working, and a
        connection on it is closed); ``share``: a second person takes a delegation's seat with
        a token of their own (``DE-2`` acts for ``DE``). Not recorded (it changes who may
        connect, not the exercise): the seats file is rewritten, and the facilitators are told
        the new seat's join command."""
        seat_id = _seat_id(request, action, self.seats)
        seat = self.seats[seat_id]
        if action == "new_token":
            if seat_id == self.console_seat:
                raise SeatRefused(f"new_token: seat {seat_id} is the host's console")
            if seat_id == by.id:  # it would close the very connection asking, token unseen
                raise SeatRefused(f"new_token: seat {seat_id} is your own seat; another "
                                  "facilitator (or the console) renews it")  # fmt: skip
            token = secrets.token_urlsafe(16)
            self._save_seats(action, list(self.seats.values()), {**self.tokens, seat_id: token})
            with self._lock:
                del self._by_token[self.tokens[seat_id]]
                self.tokens[seat_id], self._by_token[token] = token, seat
            connection = self.connected.get(seat_id)
            if connection is not None:
                asyncio.get_running_loop().create_task(connection.socket.close(
                    CLOSE_FREED, f"a new token was issued by {by.id}"))  # fmt: skip
            said = f"seat {seat_id} has a new token (the old one no longer works)"
        else:
            if seat.role != DELEGATION or seat.state is None:
                raise SeatRefused(f"share: seat {seat_id} is not a delegation's seat")
            number = 2
            while f"{seat.state}-{number}" in self.seats:
                number += 1
            if number > MAX_SHARED + 1:
                raise SeatRefused(f"share: {seat.state} already has {MAX_SHARED} shared seats "
                                  "(the most there may be); give one of them a new token "
                                  "(new_token) for another person instead")  # fmt: skip
            shared = Seat(f"{seat.state}-{number}", DELEGATION, seat.state)
            token = secrets.token_urlsafe(16)
            self._save_seats(action, [*self.seats.values(), shared],
                             {**self.tokens, shared.id: token})  # fmt: skip
            with self._lock:  # the console's clock thread walks the seats for every event
                self.history[shared.id] = list(self.history[seat_id])
                self.budgets[shared.id] = SeatBudget(shared.id, self.limits)
                self.tokens[shared.id], self._by_token[token] = token, shared
                self.seats = {**self.seats, shared.id: shared}
            said = f"seat {shared.id} shares {seat.state}'s seat"
            seat = shared
        if self.on_seats is not None:
            self.on_seats()
        # The seat's line as cdtx host printed it at the start: its web link and join command,
        # at the address seats join (--public-url), never the listening one behind it.
        line = web.seat_line(seat.id, web.seat_who(seat), self.seats_address(),
                             self.tokens[seat.id])  # fmt: skip
        self.notice(said, force=True, secret=f": {line}")

    def _save_seats(self, action: str, seats: list[Seat], tokens: dict[str, str]) -> None:
        """Write the seats file (what ``--resume`` reads) before the change is made, so that a
        file that cannot be written refuses the change rather than leaving the host and the
        file disagreeing about who may join."""
        if self.seats_file is None:
            return
        try:
            rewrite_tokens(self.seats_file, seats, tokens)
        except OSError as exc:
            raise SeatRefused(f"{action}: cannot write the seats file {self.seats_file} "
                              f"({exc.strerror or exc}); nothing was changed") from None  # fmt: skip

    def _set_clock(self, request: dict[str, Any]) -> None:
        # Both fields checked before either is applied: a refusal changes nothing.
        run = _flag(request, "run") if "run" in request else None
        if self.console is not None:  # the console's clock is the clock
            if "speed" in request:
                self.console.set_speed(_console_speed(request["speed"]))
            if run is not None:
                self.console.set_mode("run" if run else "paused")
            return None
        if "speed" in request:
            speed = request["speed"]
            if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not speed > 0:
                raise SeatRefused("clock: speed is a number of simulated hours per second > 0")
            self.speed = float(speed)
        if run is not None:
            self.running = run
        self._changed.set()
        return None

    # -- the clock -------------------------------------------------------------------------

    async def _run_clock(self, tick: float = 0.02, budget: float = 0.01) -> None:
        """Advance the exercise in real time: ``speed`` simulated hours per second (or ``rate``
        events per second). It stops by itself while a decision is awaited. A tick that has
        much to do lets the seats be sent what happened every ``budget`` seconds."""
        ex = self.exercise
        last = time.monotonic()
        while not ex.finished:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation
            # that comes as the change does (an input as the host stops), and stop() hung.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(tick):
                    await self._changed.wait()
            self._changed.clear()
            now = time.monotonic()
            elapsed, last = now - last, now
            if not self.running or ex.pending or ex.held:
                continue  # waiting for someone (an answer, a facilitator's release): no work
            goal = len(ex.events) + max(1, round((self.rate or 0) * elapsed))
            if self.rate is None:
                self.clock = min(max(self.clock, ex.now) + self.speed * elapsed, ex.horizon)
            started = time.monotonic()
            while (
                self.running and not ex.pending and not ex.held and not ex.finished
                and self._due(goal)
            ):  # fmt: skip
                if self.rate is not None:
                    ex.step()
                else:  # every kernel event of the next instant, and no move of the clock
                    ex.run(until=ex.next_event_time())
                if time.monotonic() - started > budget:
                    await asyncio.sleep(0)  # the senders run; inputs may arrive meanwhile
                    started = time.monotonic()
            if self.rate is not None:
                self.clock = ex.now
            elif self.clock >= ex.horizon and not ex.pending and not ex.held and not ex.finished:
                ex.run()  # nothing is due before the horizon: the end
            if self.recorder is not None:
                self.recorder.flush()
        if self.recorder is not None:
            self.recorder.flush()

    def _due(self, goal: int) -> bool:
        """Whether the clock has more to do in this tick (events to reach, or time)."""
        if self.rate is not None:
            return len(self.exercise.events) < goal
        return self.exercise.next_event_time() <= self.clock


def join_url(host: Host, public_url: str | None = None) -> str:
    """The address seats join: ``--public-url``, else the listening address, except that a
    wildcard one (0.0.0.0, ::) is no address to connect to: this machine's name instead."""
    if public_url:
        # under a path, the path's directory: what a page's link opens (web_link), and where a
        # proxy that forwards /x/ (not /x: nginx redirects that, which a join cannot follow)
        # meets a join
        path = urlsplit(public_url).path
        return public_url if not path or path.endswith("/") else public_url + "/"
    if host.address not in WILDCARDS:
        return host.url
    name = _this_machine()
    name = f"[{name}]" if ":" in name else name
    return f"{host.scheme}://{name}:{host.port}"


def public_names(public_url: str | None) -> frozenset[str]:
    """The ``Host``/``Origin`` names of the address seats join (``--public-url``), accepted
    beside the listening ones: a reverse proxy passes on its browsers' ``Origin`` (and often
    its own name as ``Host``). The operator named it, so a rebinding page cannot be it."""
    if not public_url:
        return frozenset()
    parts = urlsplit(public_url)
    if not parts.hostname:
        return frozenset()
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 443 if parts.scheme == "wss" else 80
    port = parts.port or default
    names = {f"{name}:{port}"}
    if port == default:  # browsers leave out the scheme's own port
        names.add(name)
    return frozenset(names)


def _this_machine() -> str:
    """A name or address other machines can reach this one by: its fully qualified name, or,
    when that is only ``localhost``, the address of the interface of its default route."""
    name = net.getfqdn()
    if not is_loopback(name) and name != "localhost.localdomain":
        return name
    try:
        with net.socket(net.AF_INET, net.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: no packet is sent
            return probe.getsockname()[0]
    except OSError:
        return name


def view_name(seat: Seat) -> str:
    """How a page names a seat: ``Delegation of Germany``, ``observer``, ``facilitator-2``."""
    return f"Delegation of {state_names()[seat.state]}" if seat.state else seat.id


def _console_speed(speed: Any) -> int:
    """The index among the console's speeds of ``speed`` (simulated hours per second)."""
    number = isinstance(speed, (int, float)) and not isinstance(speed, bool)
    for index, seconds in enumerate(SPEEDS):
        if number and seconds is not None and abs(seconds / 3600 - speed) < 1e-9 * max(1, speed):
            return index
    speeds = ", ".join(f"{s / 3600:.3g}" for s in SPEEDS if s is not None)
    raise SeatRefused(f"clock: the console runs at one of {speeds} simulated hours per second")


def _may(seat: Seat) -> str:
    actions = sorted(seat.actions)
    return f"; it may {', '.join(actions)}" if actions else "; it is read-only"


def _text(request: dict[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SeatRefused(f"{request.get('action')}: give {key}")
    return value


def _flag(request: dict[str, Any], key: str) -> bool:
    """``request[key]``, true when absent; refused unless it is true or false (the text
    ``"false"`` is not taken for true)."""
    return check_flag(str(request.get("action")), key, request.get(key, True))


def _optional(request: dict[str, Any], key: str) -> str:
    """``request[key]`` as text, empty when absent; refused when it is not text (a list or an
    object would otherwise be recorded as Python's rendering of it)."""
    value = request.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SeatRefused(f"{request.get('action')}: {key} is a text, not {shown_value(value)}")
    return value


def _seat_id(request: dict[str, Any], action: str, seats: dict[str, Seat]) -> str:
    """The seat a seat-management input names; refused, listing the seats, if it names none."""
    seat_id = request.get("seat")
    if not isinstance(seat_id, str) or seat_id not in seats:
        shown = repr(seat_id) if isinstance(seat_id, str) else shown_value(seat_id)
        raise SeatRefused(f"{action}: no seat {shown} (seats: {', '.join(seats)})")
    return seat_id




def _message(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


@contextlib.contextmanager
def in_thread(host: Host) -> Iterator[Host]:
    """``host`` started in a thread of its own (its own event loop) for the block, then stopped:
    for a caller whose own thread drives something else (a console, a browser, a screenshot)."""
    ready = threading.Event()
    running: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def serve_here() -> None:
        async def main() -> None:
            await host.start()
            stop = asyncio.Event()
            running.append((asyncio.get_running_loop(), stop))
            ready.set()
            await stop.wait()
            await host.stop()

        asyncio.run(main())

    thread = threading.Thread(target=serve_here, daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the host did not start within 10 s")
    try:
        yield host
    finally:
        loop, stop = running[0]
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
