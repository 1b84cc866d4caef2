"""``cdtx msel export|import``: the MSEL as an HSEEP spreadsheet (CSV or XLSX)."""

from __future__ import annotations

import sys
from argparse import Namespace

from . import argtypes
from .common import load_scenario, write_output


def register(sub) -> None:
    p = sub.add_parser("msel", help="export the MSEL to a spreadsheet or import it from one")
    msel_sub = p.add_subparsers(dest="msel_command", metavar="ACTION", required=True)

    e = msel_sub.add_parser("export", help="write a scenario's MSEL as HSEEP columns (.csv/.xlsx)")
    e.add_argument("scenario", nargs="?", default=None, metavar="SCENARIO",
                   help="built-in scenario id or YAML path (default: the default scenario)")  # fmt: skip
    e.add_argument("-o", "--output", required=True, metavar="FILE", help="msel.csv or msel.xlsx")
    argtypes.add_force_argument(e, "-o FILE")
    e.set_defaults(func=cmd_export)

    i = msel_sub.add_parser("import", help="read an MSEL spreadsheet into a scenario file")
    i.add_argument("file", metavar="FILE", help="msel.csv or msel.xlsx")
    i.add_argument("--into", required=True, metavar="SCENARIO",
                   help="scenario (built-in id or YAML path) whose MSEL is replaced")  # fmt: skip
    i.add_argument("-o", "--output", metavar="FILE", help="new scenario YAML (default: stdout)")
    argtypes.add_force_argument(i, "-o FILE")
    i.set_defaults(func=cmd_import)


def cmd_export(args: Namespace) -> int:
    from scenarios import msel
    from scenarios.errors import UserError
    from scenarios.safe_read import printable  # a file name can hold an escape sequence too
    from scenarios.safe_write import check_output

    if not args.output:
        raise UserError("-o: give a file name, e.g. msel.csv or msel.xlsx")
    check_output(args.output, inputs=[args.scenario], force=args.force)
    scenario = load_scenario(args.scenario)
    path = msel.export(scenario, args.output, force=args.force)
    print(printable(f"{path}: {len(scenario.msel)} MSEL entries of {scenario.id}"), file=sys.stderr)
    return 0


def cmd_import(args: Namespace) -> int:
    from scenarios import msel
    from scenarios.safe_write import check_output
    from scenarios.schema import portable_yaml

    if args.output is not None:
        # --into may be the output (a scenario updated in place): the write is atomic.
        check_output(args.output, inputs=[args.file], force=args.force)
    scenario = load_scenario(args.into)
    text = portable_yaml(msel.import_into(scenario, args.file, args.output or "<output>"))
    write_output(args.output, text, f"{scenario.id} with the MSEL of {args.file}",
                 force=args.force)  # fmt: skip
    return 0
