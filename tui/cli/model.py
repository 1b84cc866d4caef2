"""``cdtx model``: the model's constants (sim/constants.py), each with its default, valid range,
meaning and source: what a sweep spec may vary as ``model.NAME`` (docs/sweeps.md)."""

from __future__ import annotations

import json
import textwrap
from argparse import Namespace


def register(sub) -> None:
    p = sub.add_parser("model", help="list the model's constants (a sweep may vary them)",
                       description="The model's constants: name, default, valid range, "
                       "meaning and source. A sweep varies one as vary: {model.NAME: ...}; "
                       "cdtx run --model NAME=VALUE sets one for a run; a scenario's model: "
                       "block sets some for all its runs.")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON list, a mapping per constant")
    p.set_defaults(func=cmd_model)


def cmd_model(args: Namespace) -> int:
    print_constants(as_json=args.json)
    return 0


def print_constants(as_json: bool = False) -> None:
    """Print the registry: a table for people (name, default, range; the meaning and source
    indented under each), or JSON."""
    from sim import constants

    rows = constants.rows()
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    shown = [(r["name"], _num(r["default"]), f"[{_num(r['low'])}, {_num(r['high'])}]")
             for r in rows]  # fmt: skip
    widths = [max(len(cells[i]) for cells in shown) for i in range(3)]
    header = ("NAME", "DEFAULT", "RANGE")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for r, cells in zip(rows, shown, strict=True):
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        about = f"{r['meaning']} ({r['where']}; {r['source']})"
        for line in textwrap.wrap(about, 94):
            print("    " + line)
    print(f"\n{len(rows)} constants; a sweep varies one as vary: {{model.NAME: [values]}} or a "
          "distribution (docs/sweeps.md, Model constants); a scenario's model: block sets some for "
          "all its runs, e.g. model: {listing_veto_at: -0.6} (docs/scenario-format.md, model)")  # fmt: skip


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)
