"""``cdtx scenarios``: the table of built-in scenarios; ``--show ID`` prints one's YAML."""

from __future__ import annotations

from argparse import Namespace


def register(sub) -> None:
    p = sub.add_parser("scenarios", help="list the built-in scenarios (or print one's YAML)")
    p.add_argument("--show", metavar="ID",
                   help="print built-in scenario ID as YAML, to start a scenario of your own "
                        "from (cdtx scenarios --show grid-wiper > mine.yaml)")  # fmt: skip
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
    """Print the built-in scenario's YAML as shipped (comments included)."""
    import difflib

    import scenarios
    from scenarios.errors import UserError
    from scenarios.load import builtin_path

    ids = scenarios.builtin_ids()
    if scenario_id not in ids:
        close = difflib.get_close_matches(scenario_id, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (one of {', '.join(ids)})"
        raise UserError(f"scenarios --show: no built-in scenario {scenario_id!r}{hint}")
    import sys

    text = builtin_path(scenario_id).read_text(encoding="utf-8")
    # The shipped file points its editor at the schema in the source tree, which an installed
    # cdtx does not have: point at a schema file next to the copy, and say how to write it.
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith("# yaml-language-server: $schema="):
        lines[0] = ("# yaml-language-server: $schema=cdtx-scenario.schema.json\n"
                    "# (write the schema next to this file: cdtx schema > cdtx-scenario.schema.json)\n")  # fmt: skip
    sys.stdout.write("".join(lines))
    return 0
