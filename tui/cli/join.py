"""``cdtx join URL --token T``: take a seat at a hosted exercise (``cdtx host``)."""

from __future__ import annotations

import argparse
import os
import sys

from ..host import JOIN_ATTEMPTS, REJOIN_ATTEMPTS, RETRY_DELAY
from . import argtypes


def register(sub) -> None:
    p = sub.add_parser("join", help="take a seat at an exercise hosted with 'cdtx host'")
    p.add_argument(
        "url",
        metavar="URL",
        type=argtypes.seat_link,
        help="the host's address, ws://... or wss://... (or the page's, http(s)://...), or the "
        "seat's web link (https://...#TOKEN: the token is taken from it)",
    )
    p.add_argument("--token", help="the seat's token (or set CDTX_TOKEN, kept out of 'ps')")
    p.add_argument(
        "--print",
        action="store_true",
        dest="print_only",
        help="no terminal view: print what the seat sees, one line per event",
    )
    p.add_argument("--cafile", help="certificate authority to trust for wss:// (PEM)")
    p.add_argument(
        "--retry-delay",
        type=argtypes.retry_delay,
        default=RETRY_DELAY,
        metavar="S",
        help=f"seconds between tries to join ({JOIN_ATTEMPTS}) or to rejoin after a drop "
        f"({REJOIN_ATTEMPTS}); default {RETRY_DELAY:g}",
    )
    p.set_defaults(func=cmd_join)


def cmd_join(args: argparse.Namespace) -> int:
    from scenarios.errors import UserError

    from .host import need_websockets

    need_websockets()
    url, token = args.url.url, seat_token(args.url, args.token)
    context = ssl_context(args.cafile) if url.startswith("wss://") else None
    if args.print_only:
        return _print_seat(url, token, context, args.retry_delay)
    from ..host.join_app import JoinApp

    app = JoinApp(url, token, ssl_context=context, retry_delay=args.retry_delay)
    app.run()
    if app.error:
        raise UserError(app.error)
    return 0


def seat_token(link: argtypes.SeatLink, token: str | None, option: str = "URL") -> str:
    """The seat's token: the link's (``#TOKEN``), ``--token``'s, else ``CDTX_TOKEN``'s; UserError
    when there is none, or when the link and ``--token`` give two different ones."""
    from scenarios.errors import UserError

    if link.token is not None and token is not None and token != link.token:
        raise UserError(f"{option} carries a seat's token (#...) and --token gives another: "
                        "give one of them")  # fmt: skip
    token = link.token or token or os.environ.get("CDTX_TOKEN")
    if not token:
        raise UserError(f"give the seat's token: --token T (or CDTX_TOKEN), or the seat's web "
                        f"link as {option} (it ends with #TOKEN)")  # fmt: skip
    return token


def ssl_context(cafile: str | None):
    """The TLS context a seat joins a wss:// host with, trusting ``cafile`` too (PEM);
    UserError naming the file if it cannot be used."""
    import ssl

    from scenarios.errors import UserError

    if cafile is None:
        return ssl.create_default_context()
    # Read through the bounded reader, then handed to ssl as data: ssl's own open of a FIFO
    # waits for a writer for ever, and it reads a file of any size.
    try:
        pem = read_pem(cafile, what="a certificate authority")
        return ssl.create_default_context(cadata=pem)
    except (OSError, ValueError, ssl.SSLError) as exc:
        raise UserError(f"{cafile}: cannot use this certificate authority ({exc})") from None


#: The largest PEM file cdtx reads (a certificate, a key, a bundle of authorities).
MAX_PEM_BYTES = 4 * 1024 * 1024


def read_pem(path: str, *, what: str) -> str:
    """The text of the PEM file ``path``, read within :data:`MAX_PEM_BYTES` from a regular
    file only (scenarios.safe_read); ValueError saying why not."""
    from scenarios.safe_read import ScenarioError, read_bytes

    try:
        raw = read_bytes(path, what=what, max_bytes=MAX_PEM_BYTES)
    except ScenarioError as exc:
        raise ValueError(exc.problems[0].message) from None
    return raw.decode("utf-8", "replace")


def print_line(event: dict, measures: dict[str, str] | None = None) -> str:
    """``T+1d 02:00  text``: one event as ``--print`` shows it (``measures``: proposal id ->
    measure id, the seat's fold's, so that a line naming a proposal says its measure)."""
    from sim.clock import format_offset
    from sim.seats import text_of

    return f"{format_offset(event['t'])}  {text_of(event, measures)}"


def _print_seat(url: str, token: str, context, delay: float) -> int:
    import asyncio

    from scenarios.safe_read import printable

    from ..host.client import SeatClient

    def say(text: str) -> None:
        print(f"cdtx: {printable(text)}", file=sys.stderr)

    clients: list[SeatClient] = []

    def show(batch: list[dict]) -> None:
        view = clients[0].view if clients else None  # the batch is folded in already
        measures = view.measures if view is not None else {}
        for event in batch:  # one line per event, no terminal escapes from the wire
            sys.stdout.write(printable(print_line(event, measures)).replace("\n", " ") + "\n")
        sys.stdout.flush()

    async def main() -> str:
        client = SeatClient(url, token, ssl_context=context, listener=show)
        clients.append(client)
        client.on_notice = lambda text: say(f"host: {text}")
        welcome = await client.join(status=say, delay=delay)
        seat = welcome["seat"]
        title = printable(str(welcome["scenario"]["title"]))
        print(f"cdtx: seat {printable(str(seat['id']))} ({printable(str(seat['role']))}) at "
              f"'{title}'", file=sys.stderr)  # fmt: skip
        await client.stay(status=say, until_host_stops=True, delay=delay)
        return client.close_reason

    try:
        reason = asyncio.run(main())
    except KeyboardInterrupt:
        return 0
    reason = printable(reason) if reason else ""
    print(f"cdtx: the host closed the seat{': ' + reason if reason else ''}", file=sys.stderr)
    return 0
