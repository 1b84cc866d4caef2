"""``cdtx play``: the facilitator console for a live exercise."""

from __future__ import annotations

import argparse

from . import argtypes


def register(sub) -> None:
    p = sub.add_parser("play", help="run a live exercise in the facilitator console")
    argtypes.add_scenario_argument(p)
    p.add_argument("--seed", type=argtypes.seed, help="root seed (default: the scenario's seed)")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--record",
        metavar="FILE",
        help="record to FILE (default: cdtx-runs/<scenario>-<time>.jsonl)",
    )
    group.add_argument("--no-record", action="store_true", help="do not record this run")
    p.add_argument(
        "--players",
        type=argtypes.players,
        metavar="EE,LV",
        help="delegations played by people (default: the scenario's players)",
    )
    p.set_defaults(func=cmd_play)


def cmd_play(args: argparse.Namespace) -> int:
    from .common import load_exercise

    ex = load_exercise(args, players=args.players, interactive=True)
    if args.record:
        from scenarios.safe_write import check_output

        check_output(args.record, option="--record")  # never over an existing file or a link
    record = False if args.no_record else (args.record or True)
    from ..app import make_play_app
    from ..keymap import load_keymap

    make_play_app(ex, record=record, keymap=load_keymap()).run()
    return 0
