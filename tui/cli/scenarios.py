"""``cdtx scenarios``: the table of built-in scenarios, or one built-in's YAML (``--show ID``)."""

from __future__ import annotations

import sys
from argparse import Namespace


def register(sub) -> None:
    p = sub.add_parser("scenarios", help="list the built-in scenarios, or print one to start from")
    p.add_argument("--show", metavar="ID", default=None,
                   help="print the YAML of built-in ID, to copy into a scenario of your own "
                        "(e.g. cdtx scenarios --show grid-wiper > my-exercise.yaml)")  # fmt: skip
    p.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: Namespace) -> int:
    import scenarios
    from scenarios.vocabulary import format_duration

    if args.show is not None:
        return show(args.show)
    rows = [("ID", "TITLE", "INCIDENTS", "HORIZON")]
    for scenario_id in scenarios.builtin_ids():
        s = scenarios.load(scenario_id)
        extra = sum(1 for m in s.msel if m.type == "incident")
        rows.append((s.id, s.title, str(len(s.incidents) + extra), format_duration(s.horizon)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def show(scenario_id: str) -> int:
    """Print built-in ``scenario_id`` as written, its schema line pointing next to the copy."""
    import difflib

    import scenarios
    from scenarios.errors import UserError
    from scenarios.load import builtin_path
    from scenarios.schema import portable_yaml

    ids = scenarios.builtin_ids()
    if scenario_id not in ids:
        close = difflib.get_close_matches(scenario_id, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UserError(f"--show {scenario_id}: no built-in scenario with this id{hint}; "
                        f"built-ins: {', '.join(ids)}")  # fmt: skip
    text = builtin_path(scenario_id).read_text(encoding="utf-8")
    sys.stdout.write(portable_yaml(text))
    return 0
