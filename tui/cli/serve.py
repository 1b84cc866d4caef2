"""``cdtx serve``: the facilitator console in a web browser (textual-serve)."""

from __future__ import annotations

import argparse
import shlex
import sys

from ..host import JOIN_ATTEMPTS, REJOIN_ATTEMPTS
from ..web_guard import is_loopback
from . import argtypes

#: Browser sessions served at once by default: each runs a cdtx process of its own (about 60 MB).
DEFAULT_SESSIONS = 8


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve the facilitator console to a web browser")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=argtypes.port, default=8000, help="port (default: 8000)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (there is no authentication: anyone who "
        "reaches the address runs the exercise)",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also accept requests naming NAME in their Host header (repeatable): a name of this "
        "machine it does not know itself, e.g. a DNS alias; all others are refused",
    )
    p.add_argument(
        "--join",
        metavar="URL",
        type=argtypes.seat_link,
        help="serve a seat of a hosted exercise (cdtx host) instead of a console: the seat's "
        "view of 'cdtx join URL' in the browser; its token from the seat's web link (#TOKEN), "
        "--token or CDTX_TOKEN",
    )
    p.add_argument("--token", help="with --join: the seat's token")
    # The options of 'cdtx join' that the served seat's join needs too (--print has no view).
    p.add_argument(
        "--cafile",
        metavar="PEM",
        help="with --join: certificate authority to trust for a wss:// host (as 'cdtx join "
        "--cafile'; checked here, once)",
    )
    p.add_argument(
        "--retry-delay",
        type=argtypes.retry_delay,
        metavar="S",
        help=f"with --join: seconds between the seat's tries to join ({JOIN_ATTEMPTS}) or to "
        f"rejoin after a drop ({REJOIN_ATTEMPTS}), as 'cdtx join --retry-delay' (default: join's)",
    )
    p.add_argument(
        "--max-sessions",
        type=argtypes.positive_int,
        default=DEFAULT_SESSIONS,
        metavar="N",
        help=f"browser sessions at once, each a process of its own; more are refused "
        f"(default: {DEFAULT_SESSIONS})",
    )
    p.add_argument(
        "play_args",
        nargs=argparse.REMAINDER,
        metavar="-- PLAY OPTIONS",
        help="options passed to 'cdtx play' (e.g. -- grid-wiper --players DE)",
    )
    p.set_defaults(func=cmd_serve)


def _check_play_options(extra: list[str]) -> None:
    """Parse the play options now, so a mistake is reported here, not in every browser tab."""
    from . import build_parser

    parsed = build_parser().parse_args(["play", *extra])  # usage errors exit 1 with one message
    from .common import load_exercise

    load_exercise(parsed, players=parsed.players, interactive=True)  # unknown scenario, bad seed


def cmd_serve(args) -> int:
    from scenarios.errors import UserError

    remote = not is_loopback(args.host)
    if remote and not args.allow_remote:
        raise UserError(
            f"--host {args.host or repr('')} can be reached from other machines and the console has "
            "no authentication: give --allow-remote to serve it there anyway (default: 127.0.0.1)"
        )
    extra = list(args.play_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]  # only the separator; a later "--" belongs to the play options
    if args.join:
        command_args = _join_command(args, extra)
    else:
        for option, value in (("--cafile", args.cafile), ("--retry-delay", args.retry_delay)):
            if value is not None:
                raise UserError(f"{option} is an option of the seat served with --join")
        _check_play_options(extra)
        command_args = ["play", *extra]
    try:
        server_class = guarded_server_class(args.host, args.port, tuple(args.allowed_host),
                                           max_sessions=args.max_sessions)  # fmt: skip
    except ImportError:
        raise UserError("'cdtx serve' needs textual-serve: pip install 'cdtx[serve]'") from None
    check_port_free(args.host, args.port)
    command = shlex.join([sys.executable, "-m", "tui.cli", *command_args])
    if remote:
        print(
            f"cdtx: WARNING: serving on {args.host}: there is no authentication; anyone who "
            "can reach this address can run the exercise.",
            file=sys.stderr,
        )
    what = f"the seat of {args.join.url}" if args.join else "the console"
    print(f"cdtx: serving {what} at http://{args.host}:{args.port}/", file=sys.stderr)
    try:
        server_class(command, host=args.host, port=args.port, title="cdtx").serve()
    except OSError as exc:  # the port was taken between the check and the start
        raise UserError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def _join_command(args, extra: list[str]) -> list[str]:
    """``cdtx join URL`` for the served page, with join's ``--cafile`` (made absolute, and
    checked now rather than in every tab) and ``--retry-delay`` when given; the token goes to it
    through the environment (CDTX_TOKEN), never on a command line that ``ps`` shows."""
    import os

    from scenarios.errors import UserError

    from .join import seat_token, ssl_context

    if extra:
        raise UserError("--join serves a seat: it takes no play options")
    token = seat_token(args.join, args.token, option="--join")
    command = ["join", args.join.url]  # the token apart: a link's #TOKEN would show in 'ps'
    if args.cafile is not None:
        if args.join.url.startswith("wss://"):
            ssl_context(args.cafile)  # a bad file: one message here, not one per browser tab
        command += ["--cafile", os.path.abspath(args.cafile)]
    if args.retry_delay is not None:
        command += ["--retry-delay", repr(args.retry_delay)]
    os.environ["CDTX_TOKEN"] = token  # inherited by each page's process
    return command


def check_port_free(host: str, port: int) -> None:
    """UserError naming the port if nothing can listen on ``host``:``port`` (in use, say)."""
    import errno
    import socket

    from scenarios.errors import UserError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # ::1, :: as well
    try:
        probe = socket.create_server((host.strip("[]"), port), family=family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(
                f"port {port} on {host} is already in use (another cdtx serve or host?): stop it or "
                "give --port N"
            ) from None
        raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    probe.close()


def refusal(
    host_header: str | None, origin: str | None, host: str, port: int, extra: tuple[str, ...] = ()
) -> str | None:
    """Why a request to the console served on ``host``:``port`` must be refused (None: serve
    it): its ``Host`` must name the served address (DNS rebinding) and a browser's ``Origin``
    this console (cross-site WebSocket hijacking). One check for ``cdtx serve`` and
    ``cdtx host``: :func:`tui.web_guard.refusal`. ``extra``: the ``--allowed-host`` names."""
    from ..web_guard import allowed_hosts
    from ..web_guard import refusal as why_refused

    return why_refused(host_header, origin, allowed_hosts(host, port, extra))


def guarded_server_class(host: str, port: int, extra: tuple[str, ...] = (),
                         max_sessions: int = DEFAULT_SESSIONS):  # fmt: skip
    """textual-serve's Server with every request checked by :func:`refusal` (Host against the
    served address, Origin against this console): 403 otherwise; and at most ``max_sessions``
    sessions (each a process) at once: 503 with the reason past that. ImportError without
    textual-serve."""
    full = (f"cdtx: refused: {max_sessions} session(s) are open already, the most this "
            "'cdtx serve' runs at once (--max-sessions); close one and reload\n")  # fmt: skip
    from aiohttp import web
    from textual_serve.server import Server

    @web.middleware
    async def guard(request, handler):
        headers = request.headers
        why = refusal(headers.get("Host"), headers.get("Origin"), host, port, extra)
        if why is not None:
            raise web.HTTPForbidden(text=f"cdtx: refused: {why}\n")
        return await handler(request)

    class GuardedServer(Server):
        sessions = 0  # WebSocket sessions open, each with its process

        async def _make_app(self):
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def handle_index(self, request):
            if self.sessions >= max_sessions:  # say it on the page, not as a dead terminal
                raise web.HTTPServiceUnavailable(text=full)
            return await super().handle_index(request)

        async def handle_websocket(self, request):
            if self.sessions >= max_sessions:
                raise web.HTTPServiceUnavailable(text=full)
            self.sessions += 1
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

    return GuardedServer
