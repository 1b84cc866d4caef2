"""The ``cdtx`` command line.

Imports stay lazy: ``cdtx --help`` and ``cdtx schema`` must not pay for SimPy or Textual.
Errors people cause print one clear message and exit with status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130


class UserError(Exception):
    """A mistake in what the user asked for; printed as-is, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """Usage errors are errors people make: one line, exit status 1 (README, *Commands*)."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _scenario_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        default=None,
        metavar="SCENARIO",
        help="built-in scenario id or path to a YAML file (default: the built-in default scenario)",
    )


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, not {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"seed must be between 0 and 2**63-1, not {value}")
    return value


def _sim_time(text: str) -> float:
    """A sim time on the command line: a duration (10d) or T+dd:hh:mm as timelines show it."""
    from sim.clock import parse_offset

    try:
        return parse_offset(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    from . import commands

    parser = _Parser(
        prog="cdtx",
        description=(
            "Simulate and exercise the EU Cyber Diplomacy Toolbox: from detection of a malicious "
            "cyber campaign to shared awareness, PSC deliberation and Council measures."
        ),
        epilog="Run 'cdtx COMMAND --help' for the options of a command.",
    )
    from sim import cdtx_version  # the package alone: no engine, no simpy

    parser.add_argument("--version", action="version", version=f"cdtx {cdtx_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("scenarios", help="list the built-in scenarios")
    p.set_defaults(func=commands.cmd_scenarios)

    p = sub.add_parser("validate", help="check scenario files; report every problem with its place")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=commands.cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    p.set_defaults(func=commands.cmd_schema)

    p = sub.add_parser("run", help="simulate a scenario headless and print its timeline")
    _scenario_arg(p)
    p.add_argument("--seed", type=_seed, help="root seed (default: the scenario's seed)")
    p.add_argument("--until", type=_sim_time, metavar="DUR",
                   help="stop at this sim time, e.g. 10d or T+10:00:00")  # fmt: skip
    p.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the timeline"
    )
    p.add_argument(
        "--all", action="store_true", help="also list each delegation's position on its own line"
    )
    p.set_defaults(func=commands.cmd_run)
    commands.add_run_options(p)

    for register in _extensions():
        register(sub)
    return parser


def _extensions():
    """``register(subparsers)`` of each command module beyond the core ones, in help order."""
    import importlib

    found = []
    for name in ("play", "replay", "sweep", "report", "msel", "serve"):
        try:
            module = importlib.import_module(f"tui.cmd_{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tui.cmd_{name}":
                raise
            continue
        found.append(module.register)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cdtx`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()
            return EXIT_OK
        args = parser.parse_args(["play"])  # `cdtx` alone opens the console on the default scenario
    from scenarios import ScenarioError

    try:
        return args.func(args) or EXIT_OK
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    except UserError as exc:
        print(f"cdtx: {exc}", file=sys.stderr)
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


if __name__ == "__main__":
    # `python -m tui.cli`: run the package's own module, not this __main__ copy, so that the
    # UserError the commands raise (imported from tui.cli) is the class main() catches.
    from tui.cli import main as package_main

    sys.exit(package_main())
