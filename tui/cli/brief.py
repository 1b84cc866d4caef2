"""``cdtx brief``: handouts before an exercise, a delegation's brief or the facilitator's, as
printable A4 HTML or Markdown (sim/report/brief.py)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from . import argtypes
from .common import check_output, write_output

FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def register(sub) -> None:
    p = sub.add_parser(
        "brief",
        help="write a delegation's or the facilitator's brief (printable A4 HTML or Markdown)",
        description=(
            "--for DE: the situation as that delegation knows it at the start, the rules of play "
            "and how its decisions are asked. --for facilitator: the MSEL with expected actions "
            "and times, the objectives and the console's keys."
        ),
    )
    argtypes.add_scenario_argument(p)
    p.add_argument("--for", dest="who", required=True, metavar="STATE|facilitator",
                   help="a member state code (e.g. DE) or 'facilitator'")  # fmt: skip
    p.add_argument("-o", "--output", metavar="FILE",
                   help="brief.html (printable A4) or brief.md (default: Markdown on standard "
                        "output)")  # fmt: skip
    argtypes.add_force_argument(p, "-o FILE")
    p.set_defaults(func=cmd_brief)


def console_keys() -> list[tuple[str, str]]:
    """The live console's keys and what they do (its own bindings and the application's)."""
    from textual.binding import Binding

    from ..app import CdtxApp, key_label
    from ..screens.console import REPLAY_ONLY, ConsoleScreen

    rows = []
    for owner in (ConsoleScreen, CdtxApp):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in REPLAY_ONLY:
                rows.append((key_label(binding.key), binding.description))
    return rows


def cmd_brief(args: Namespace) -> int:
    from scenarios.errors import UserError
    from sim.report import brief

    from .common import load_scenario

    fmt = "md"
    if args.output:
        suffix = Path(args.output).suffix.lower()
        if suffix not in FORMATS:
            raise UserError(f"{args.output}: write a .md or .html brief")
        fmt = FORMATS[suffix]
        check_output(args.output, [], force=args.force)
    scenario = load_scenario(args.scenario)
    keys = console_keys() if args.who == brief.FACILITATOR else []
    try:
        data = brief.brief(scenario, args.who, keys)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    text = brief.html(data) if fmt == "html" else brief.markdown(data)
    write_output(args.output, text, "brief written", force=args.force)
    return 0
