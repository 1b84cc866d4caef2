"""``cdtx report``: the after-action report of a recording, a comparison of two recordings, or
the report of a sweep's results (docs/reports.md)."""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from . import argtypes
from .common import output_format, write_output

SWEEP_SUFFIXES = (".csv", ".parquet", ".pq")


def register(sub) -> None:
    p = sub.add_parser(
        "report",
        help="write the after-action report of a recording (or compare two, or report a sweep)",
        description=(
            "FILE.jsonl: HSEEP after-action report / improvement plan of a recorded run. "
            "A.jsonl B.jsonl: the two runs side by side (first divergence, metrics, ratings). "
            "results.csv|results.parquet: the report of a sweep."
        ),
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="one or two recordings, or sweep results"
    )
    p.add_argument("-o", "--output", metavar="FILE",
                   help="report.md or report.html (default: Markdown on standard output)")  # fmt: skip
    p.add_argument("--format", choices=("md", "html"), help="output format (default: from -o)")
    argtypes.add_force_argument(p, "-o FILE")
    p.set_defaults(func=cmd_report)


def load_recording(path: str):
    """(scenario, events, header, truncated) of a recording; its truncation is said here, in
    the report's terms."""
    from .common import open_recording

    rec = open_recording(path, warn=False)
    if rec.truncated:
        print(f"cdtx: {path}: truncated recording; reporting on its first {len(rec.events)} "
              "events", file=sys.stderr)  # fmt: skip
    return rec.scenario, rec.events, rec.header, rec.truncated


def cmd_report(args: Namespace) -> int:
    from scenarios.errors import UserError
    from scenarios.safe_write import check_output
    from sim import report

    fmt = output_format(args, "report")
    files = args.files
    if len(files) > 2:
        raise UserError("give one recording, two recordings to compare, or one results file")
    if args.output is not None:
        check_output(args.output, inputs=files, force=args.force)
    if len(files) == 1 and Path(files[0]).suffix.lower() in SWEEP_SUFFIXES:
        text = report.sweep.report_file(files[0], fmt=fmt)  # streamed, its points capped
    elif len(files) == 1:
        scenario, events, header, truncated = load_recording(files[0])
        text = report.aar(scenario, events, header, fmt=fmt, truncated=truncated,
                          source=Path(files[0]).name)  # fmt: skip
    else:
        if any(Path(f).suffix.lower() in SWEEP_SUFFIXES for f in files):
            raise UserError("comparison needs two recordings, not sweep results")
        runs = []
        for f in files:
            scenario, events, header, _ = load_recording(f)
            runs.append((scenario, events, header, Path(f).name))
        text = report.comparison(runs[0], runs[1], fmt=fmt)
    write_output(args.output, text, "report written", force=args.force)
    return 0
