"""The ``cdtx`` command line: one module per command, each with ``register(subparsers)``.

Imports stay lazy: ``cdtx --help`` and ``cdtx schema`` must not pay for SimPy or Textual.
Every error a person can cause is a :class:`scenarios.errors.CdtxError`; ``main`` catches them in
one place and prints each line after ``cdtx:``, exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["COMMANDS", "EXIT_ERROR", "EXIT_OK", "UserError", "build_parser", "main"]

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130

#: The command modules of this package, in the order ``cdtx --help`` lists them.
COMMANDS: tuple[str, ...] = (
    "scenarios", "validate", "schema", "run", "play", "replay", "sweep", "report", "msel", "serve",
    "host", "join", "brief", "model",
)  # fmt: skip


class Parser(argparse.ArgumentParser):
    """Usage errors are errors people make: one line, exit status 1 (README, *Commands*)."""

    def error(self, message: str):
        from scenarios.safe_read import printable  # the message quotes what was typed

        self.exit(EXIT_ERROR, f"{self.prog}: error: {printable(message)}\n")


class _Version(argparse.Action):
    """``--version``: the installed version, through the printable filter (it is read from the
    package's metadata, which a broken install could fill with anything)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show program's version number and exit"):  # fmt: skip
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from scenarios.safe_read import printable
        from sim import cdtx_version  # the package alone: no engine, no simpy

        parser._print_message(f"cdtx {printable(cdtx_version())}\n", sys.stdout)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The whole ``cdtx`` parser, every command registered by its own module."""
    parser = Parser(
        prog="cdtx",
        description=(
            "Simulate and exercise the EU Cyber Diplomacy Toolbox: from detection of a malicious "
            "cyber campaign to shared awareness, PSC deliberation and Council measures."
        ),
        epilog="Run 'cdtx COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def __getattr__(name: str) -> Any:
    if name == "UserError":  # ``from tui.cli import UserError``, without loading it for --help
        from scenarios.errors import UserError

        return UserError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cdtx`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()
            return EXIT_OK
        args = parser.parse_args(["play"])  # `cdtx` alone opens the console on the default scenario
    from scenarios.errors import CdtxError  # here, not at the top: `cdtx --help` stays light

    try:
        return args.func(args) or EXIT_OK
    except CdtxError as exc:
        from scenarios.safe_read import printable  # messages quote files: no terminal escapes

        for line in exc.lines():
            print(f"cdtx: {printable(line)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("cdtx: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `cdtx run | head`
        _discard_stdout()
        sys.stderr.close()
        return EXIT_OK


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit fails no more."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (e.g. redirected in tests)
        pass
