"""The seat's side of a hosted exercise: connect with a token, receive the events the seat may
see, fold them into its :class:`~sim.seats.SeatView`, send inputs. Used by ``cdtx join`` (its
terminal view and ``--print``), the tests and the benchmark."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import ssl
from collections.abc import Callable
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from scenarios.errors import CdtxError
from scenarios.safe_read import printable
from sim.seats import Seat, SeatView

from . import (
    CLOSE_FREED,
    CLOSE_HOST_STOPPED,
    CLOSE_REFUSED,
    JOIN_ATTEMPTS,
    REJOIN_ATTEMPTS,
    RETRY_DELAY,
)

Listener = Callable[[list[dict[str, Any]]], None]

#: Seconds the host has to welcome a seat once the connection is open.
WELCOME_TIMEOUT = 10.0


class JoinError(CdtxError):
    """The host cannot be reached, or refused the seat; the message says why. ``retry`` is true
    when trying again later may work (the host is down or restarting), false when refused."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


class InputRefused(CdtxError):
    """The host refused an input (the message is the host's)."""


class SeatClient:
    """One seat connected to ``url`` with ``token``; ``listener(events)`` is called with each
    batch of events after they are folded into :attr:`view`."""

    def __init__(self, url: str, token: str, *, ssl_context: ssl.SSLContext | None = None,
                 listener: Listener | None = None) -> None:  # fmt: skip
        self.url, self.token = url, token
        self.ssl_context = ssl_context
        self.listener = listener
        #: Notices from the host to a facilitator seat (a seat throttled, say), newest last.
        self.notices: list[str] = []
        self.on_notice: Callable[[str], None] | None = None
        self.welcome: dict[str, Any] = {}
        #: A facilitator seat's MSEL (the scenario's planned entries, as the host sent them).
        self.msel: list[dict[str, Any]] = []
        self.seat: Seat | None = None
        self.view: SeatView | None = None
        self.closed = asyncio.Event()
        self.close_reason = ""
        self.close_code: int | None = None
        self._closing = False
        self._skip = 0
        self._socket: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future] = {}
        self._arrived = asyncio.Event()

    async def connect(self) -> dict[str, Any]:
        """Open the seat; returns the host's welcome. Raises :class:`JoinError` if refused."""
        ssl = self.ssl_context if self.url.startswith("wss:") else None
        try:
            self._socket = await connect(self.url, compression=None, max_size=None,
                                         proxy=None, ssl=ssl)  # fmt: skip
        except (InvalidURI, ValueError, OverflowError) as exc:  # a bad host or port, too
            raise JoinError(f"{self.url}: not a valid ws:// or wss:// address ({exc})") from None
        except InvalidStatus as exc:  # an HTTP answer, not a WebSocket: cdtx's 403, or a web server
            status = exc.response.status_code
            body = printable(exc.response.body.decode("utf-8", "replace").strip()[:200])
            raise JoinError(f"{self.url}: the host refused the connection (HTTP {status}"
                            f"{': ' + body if body else ''}); is this a cdtx host?",
                            retry=status >= 500) from None  # fmt: skip
        except InvalidHandshake as exc:  # closed, or answered something other than HTTP
            raise JoinError(f"{self.url}: not a cdtx host, or it closed the connection ({exc})",
                            retry=True) from None  # fmt: skip
        except (OSError, TimeoutError, EOFError) as exc:
            raise JoinError(f"{self.url}: cannot reach the host ({exc})", retry=True) from None
        try:
            await self._socket.send(orjson.dumps({"hello": self.token}))
            reply = orjson.loads(await asyncio.wait_for(self._socket.recv(), WELCOME_TIMEOUT))
            if not isinstance(reply, dict):
                raise orjson.JSONDecodeError("not an object", "", 0)
        except ConnectionClosed:
            raise JoinError(f"{self.url}: the host closed the connection", retry=True) from None
        except (TimeoutError, orjson.JSONDecodeError):
            await self._socket.close()
            raise JoinError(f"{self.url}: not a cdtx host (no welcome within "
                            f"{WELCOME_TIMEOUT:g} s)", retry=True) from None  # fmt: skip
        if reply.get("type") != "welcome":
            await self._socket.close()
            message = printable(str(reply.get("message"))[:300])
            raise JoinError(f"{self.url}: the host refused the seat: {message}",
                            retry=bool(reply.get("retry")))  # fmt: skip
        self.welcome = reply
        # What is loaded by now (modules, the libraries' tables) lives as long as the process:
        # keep it out of the collector's full passes, which would otherwise pause the seat.
        gc.freeze()
        seat = reply["seat"]
        self.seat = Seat(seat["id"], seat["role"], seat.get("state"))
        if self.view is not None and self.view.seat == self.seat:
            # Rejoining: the host sends the seat's events from the start; keep those we have.
            self._skip = self.view.count
        else:
            self.view, self._skip = SeatView(self.seat), 0
        self.closed = asyncio.Event()
        self.close_code, self._closing = None, False
        self._reader = asyncio.create_task(self._read())
        return reply

    async def join(self, *, attempts: int = JOIN_ATTEMPTS, delay: float = RETRY_DELAY,
                   status: Callable[[str], None] | None = None) -> dict[str, Any]:  # fmt: skip
        """:meth:`connect`, tried ``attempts`` times ``delay`` seconds apart while the failure
        may pass (the host unreachable or restarting); the last :class:`JoinError` says that
        it gave up. A refusal (a wrong token) is raised at once."""
        for attempt in range(1, attempts + 1):
            try:
                return await self.connect()
            except JoinError as exc:
                if not exc.retry:
                    raise
                if attempt == attempts:
                    raise JoinError(f"{exc} (gave up after {attempts} tries)") from None
                if status is not None:
                    status(f"{exc}; trying again in {delay:g} s ({attempt}/{attempts})")
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    @property
    def closed_here(self) -> bool:
        """Whether this side closed the seat (:meth:`close`), not the host or the network."""
        return self._closing

    async def stay(self, *, delay: float = RETRY_DELAY, attempts: int = REJOIN_ATTEMPTS,
                   status: Callable[[str], None] | None = None,
                   until_host_stops: bool = False) -> None:  # fmt: skip
        """Keep the seat: whenever the connection drops (the host died and was resumed, the
        network went away), join again with the same token and go on where the view was.
        Returns when the seat was closed here, refused, or (``until_host_stops``) the host
        stopped on purpose; raises :class:`JoinError` when ``attempts`` tries to rejoin, each
        ``delay`` seconds apart, all failed."""
        while True:
            await self.closed.wait()
            # Freed by a facilitator: the seat is for another device now; not taken back.
            if self._closing or self.close_code in (CLOSE_REFUSED, CLOSE_FREED):
                return
            if until_host_stops and self.close_code == CLOSE_HOST_STOPPED:
                return
            if status is not None:
                status(f"connection lost ({printable(self.close_reason) or 'no reason given'}); "
                       f"rejoining every {delay:g} s")  # fmt: skip
            await asyncio.sleep(delay)
            await self.join(attempts=attempts, delay=delay, status=status)
            if status is not None:
                status("rejoined")

    async def _read(self) -> None:
        socket, view = self._socket, self.view
        assert socket is not None and view is not None, "read after connect() only"
        try:
            async for message in socket:
                reply = orjson.loads(message)
                kind = reply.get("type")
                if kind == "events":
                    batch = reply["events"]
                    if self._skip:
                        kept = batch[self._skip :]
                        self._skip -= len(batch) - len(kept)
                        batch = kept
                        if not batch:
                            continue
                    view.extend(batch)
                    self._arrived.set()
                    if self.listener is not None:
                        self.listener(batch)
                elif kind == "notice":
                    self.notices.append(str(reply.get("message")))
                    if self.on_notice is not None:
                        self.on_notice(self.notices[-1])
                elif kind == "msel":
                    self.msel = list(reply.get("entries") or [])
                    self._arrived.set()
                    if self.listener is not None:
                        self.listener([])
                elif kind in ("ack", "error"):
                    future = self._replies.pop(reply.get("id"), None)
                    if future is not None and not future.done():
                        future.set_result(reply)
        except ConnectionClosed:
            pass
        finally:
            self.close_reason = socket.close_reason or ""
            self.close_code = socket.close_code
            self.closed.set()
            self._arrived.set()
            for future in self._replies.values():
                if not future.done():
                    future.set_exception(InputRefused("the connection to the host was closed"))

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event the seat received, as it came over the wire (decoded on each call)."""
        return self.view.events if self.view is not None else []

    @property
    def count(self) -> int:
        """How many events the seat has received."""
        return self.view.count if self.view is not None else 0

    async def act(self, action: str, **fields: Any) -> dict[str, Any]:
        """Send one input; returns the host's ack, raises :class:`InputRefused` with its
        message when refused."""
        if self._socket is None or self.closed.is_set():
            raise InputRefused("not connected to the host")
        request_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        await self._socket.send(orjson.dumps({"action": action, "id": request_id, **fields}))
        reply = await future
        if reply["type"] == "error":
            raise InputRefused(reply["message"])
        return reply

    async def wait_for(self, predicate: Callable[[SeatClient], bool],
                       timeout: float = 10.0) -> None:  # fmt: skip
        """Wait until ``predicate(self)`` holds (checked as events arrive)."""

        async def waiting() -> None:
            while not predicate(self):
                if self.closed.is_set():
                    raise JoinError(f"the host closed the connection ({self.close_reason})")
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(waiting(), timeout)

    async def close(self) -> None:
        self._closing = True
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def __aenter__(self) -> SeatClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()
