"""``cdtx serve``: the facilitator console in a web browser (textual-serve)."""

from __future__ import annotations

import argparse
import shlex
import sys

from . import argtypes

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve the facilitator console to a web browser")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=argtypes.port, default=8000, help="port (default: 8000)")
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

    extra = list(args.play_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]  # only the separator; a later "--" belongs to the play options
    _check_play_options(extra)
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("'cdtx serve' needs textual-serve: pip install 'cdtx[serve]'") from None
    command = shlex.join([sys.executable, "-m", "tui.cli", "play", *extra])
    if args.host not in LOOPBACK:
        print(
            f"cdtx: WARNING: serving on {args.host}: there is no authentication; anyone who "
            "can reach this address can run the exercise.",
            file=sys.stderr,
        )
    print(f"cdtx: serving the console at http://{args.host}:{args.port}/", file=sys.stderr)
    Server(command, host=args.host, port=args.port, title="cdtx").serve()
    return 0
