"""``cdtx serve``: the facilitator console in a web browser (textual-serve)."""

from __future__ import annotations

import argparse
import shlex
import sys

from . import argtypes


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

    from ..web_guard import WILDCARDS, is_loopback

    remote = args.host in WILDCARDS or not is_loopback(args.host)
    if remote and not args.allow_remote:
        raise UserError(
            f"--host {args.host or repr('')} can be reached from other machines and the console has "
            "no authentication: give --allow-remote to serve it there anyway (default: 127.0.0.1)"
        )
    extra = list(args.play_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]  # only the separator; a later "--" belongs to the play options
    _check_play_options(extra)
    try:
        server_class = guarded_server_class(args.host, args.port)
    except ImportError:
        raise UserError("'cdtx serve' needs textual-serve: pip install 'cdtx[serve]'") from None
    check_port_free(args.host, args.port)
    command = shlex.join([sys.executable, "-m", "tui.cli", "play", *extra])
    if remote:
        print(
            f"cdtx: WARNING: serving on {args.host}: there is no authentication; anyone who "
            "can reach this address can run the exercise.",
            file=sys.stderr,
        )
    print(f"cdtx: serving the console at http://{args.host}:{args.port}/", file=sys.stderr)
    try:
        server_class(command, host=args.host, port=args.port, title="cdtx").serve()
    except OSError as exc:  # the port was taken between the check and the start
        raise UserError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def check_port_free(host: str, port: int) -> None:
    """UserError naming the port if nothing can listen on ``host``:``port`` (in use, say)."""
    import errno
    import socket

    from scenarios.errors import UserError

    try:
        probe = socket.create_server((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(
                f"port {port} on {host} is already in use (another cdtx serve?): stop it or "
                "give --port N"
            ) from None
        raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    probe.close()


def guarded_server_class(host: str, port: int):
    """textual-serve's Server with every request checked by :func:`tui.web_guard.refusal`
    (Host against the served address, Origin against this console): 403 otherwise.
    ImportError without textual-serve."""
    from aiohttp import web
    from textual_serve.server import Server

    from ..web_guard import allowed_hosts, refusal

    allowed = allowed_hosts(host, port)

    @web.middleware
    async def guard(request, handler):
        why = refusal(request.headers.get("Host"), request.headers.get("Origin"), allowed)
        if why is not None:
            raise web.HTTPForbidden(text=f"cdtx: refused: {why}\n")
        return await handler(request)

    class GuardedServer(Server):
        async def _make_app(self):
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

    return GuardedServer
