"""``cdtx brief SCENARIO --for DE|facilitator``: printable handouts (A4 HTML or Markdown); their
content is tui/handouts.py (a delegation's page shows the same brief).

A delegation's brief holds what that delegation would know at the start (as a hosted seat of it
would see it: sim/seats.py decides), the rules of play and how its decisions are asked. The
facilitator's brief holds the MSEL with expected actions and times, the objectives, the
incidents and the console's keys (by binding id, as a keymap file names them). Everything that
comes from the scenario is escaped (HTML) or made inert (Markdown).
"""

from __future__ import annotations

from argparse import Namespace

from ..handouts import FACILITATOR, delegation_brief, facilitator_brief, html, markdown, title
from . import argtypes


def register(sub) -> None:
    p = sub.add_parser(
        "brief",
        help="write a printable handout for a delegation or for the facilitator",
        description=(
            "--for DE: the brief of the delegation of DE (what it knows at the start, the rules "
            "of play, how its decisions are asked). --for facilitator: the MSEL with expected "
            "actions and times, the objectives and the console's keys. A4 HTML (-o FILE.html) "
            "or Markdown (-o FILE.md; without -o, Markdown on standard output)."
        ),
    )
    argtypes.add_scenario_argument(p)
    p.add_argument("--for", dest="audience", required=True, metavar="DE|facilitator",
                   help="a member state code (its delegation) or 'facilitator'")  # fmt: skip
    p.add_argument("--players", type=argtypes.players, metavar="DE,PL",
                   help="the delegations played at the table, as given to cdtx host or cdtx play "
                        "(default: the scenario's)")  # fmt: skip
    p.add_argument("--seed", type=argtypes.seed,
                   help="the run's root seed, as given to cdtx host or cdtx play (default: the "
                        "scenario's): what a delegation knows at the start is that run's")  # fmt: skip
    p.add_argument("-o", "--output", metavar="FILE", help="brief.html or brief.md")
    p.add_argument("--format", choices=("md", "html"), help="output format (default: from -o)")
    argtypes.add_force_argument(p, "-o FILE")
    p.set_defaults(func=cmd_brief)


def cmd_brief(args: Namespace) -> int:
    from scenarios.safe_write import check_output

    from .common import load_scenario, output_format, write_output

    audience = _audience(args.audience)
    fmt = output_format(args, "brief")
    if args.output is not None:
        check_output(args.output, inputs=[args.scenario], force=args.force)
    scenario = load_scenario(args.scenario)
    if args.players is not None:  # the table's players, as cdtx host --players gives them
        scenario = scenario.model_copy(update={"players": tuple(args.players)})
    sections = facilitator_brief(scenario) if audience == FACILITATOR \
        else delegation_brief(scenario, audience, seed=args.seed)  # fmt: skip
    heading = title(scenario, audience)
    text = html(heading, sections) if fmt == "html" else markdown(heading, sections)
    write_output(args.output, text, f"brief for {audience} of {scenario.id}", force=args.force)
    return 0


def _audience(value: str) -> str:
    from scenarios.errors import UserError
    from scenarios.vocabulary import EU27

    if value.strip().lower() == FACILITATOR:
        return FACILITATOR
    code = value.strip().upper()
    if code not in EU27:
        raise UserError(f"--for {value}: give 'facilitator' or a member state code "
                        f"({', '.join(EU27)})")  # fmt: skip
    return code


