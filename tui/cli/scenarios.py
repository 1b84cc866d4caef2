"""``cdtx scenarios``: the table of built-in scenarios."""

from __future__ import annotations

from argparse import Namespace


def register(sub) -> None:
    p = sub.add_parser("scenarios", help="list the built-in scenarios")
    p.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: Namespace) -> int:
    import scenarios
    from scenarios.vocabulary import format_duration

    rows = [("ID", "TITLE", "INCIDENTS", "HORIZON")]
    for scenario_id in scenarios.builtin_ids():
        s = scenarios.load(scenario_id)
        extra = sum(1 for m in s.msel if m.type == "incident")
        rows.append((s.id, s.title, str(len(s.incidents) + extra), format_duration(s.horizon)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0
