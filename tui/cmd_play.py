"""``cdtx play``: the facilitator console for a live exercise."""

from __future__ import annotations

import argparse


def _players(text: str) -> list[str]:
    from scenarios.vocabulary import EU27

    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in EU27]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown member state code(s): {', '.join(unknown)}")
    return codes


def register(sub) -> None:
    from .cli import _scenario_arg, _seed

    p = sub.add_parser("play", help="run a live exercise in the facilitator console")
    _scenario_arg(p)
    p.add_argument("--seed", type=_seed, help="root seed (default: the scenario's seed)")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--record",
        metavar="FILE",
        help="record to FILE (default: cdtx-runs/<scenario>-<time>.jsonl)",
    )
    group.add_argument("--no-record", action="store_true", help="do not record this run")
    p.add_argument(
        "--players",
        type=_players,
        metavar="EE,LV",
        help="delegations played by people (default: the scenario's players)",
    )
    p.set_defaults(func=cmd_play)


def cmd_play(args: argparse.Namespace) -> int:
    from .commands import load_exercise

    ex = load_exercise(args, players=args.players, interactive=True)
    record = False if args.no_record else (args.record or True)
    from .app import make_play_app
    from .keymap import load_keymap

    make_play_app(ex, record=record, keymap=load_keymap()).run()
    return 0
