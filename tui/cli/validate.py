"""``cdtx validate FILE...``: check scenario files, every problem with its place."""

from __future__ import annotations

import sys
from argparse import Namespace


def register(sub) -> None:
    p = sub.add_parser("validate", help="check scenario files; report every problem with its place")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: Namespace) -> int:
    """Every file is checked (one bad file does not hide the next); exit 1 if any is invalid.
    A ``model:`` block is checked against the model's constants too (names and ranges)."""
    import scenarios
    from scenarios.safe_read import printable

    status = 0
    for path in args.files:
        try:
            scenario = scenarios.load_path(path)
            if scenario.model:  # names and ranges are the registry's (the engine: only then)
                from sim.constants import of_scenario

                of_scenario(scenario)
        except scenarios.ScenarioError as exc:
            # path:line:col: message, unprefixed: the form editors and CI annotators parse.
            for line in exc.lines():
                print(printable(line), file=sys.stderr)
            status = 1
        else:
            print(printable(f"{path}: ok ({scenario.id}: {len(scenario.incidents)} incident(s), "
                            f"{len(scenario.msel)} MSEL entries)"))  # fmt: skip
    return status
