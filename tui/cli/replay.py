"""``cdtx replay``: show a recorded run (in the console on a terminal) or verify it.

See docs/recording-format.md. Errors people cause become one ``cdtx: ...`` line and exit 1;
a recording file is only ever read, never changed.
"""

from __future__ import annotations

import sys
from argparse import Namespace

from . import argtypes
from .common import hours, open_recording


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "replay",
        help="show or verify a recorded run (cdtx run --record FILE)",
        description="Show a recorded run's timeline and situation picture, or re-simulate it "
        "from the embedded scenario and check that every event is identical (--verify).",
    )
    p.add_argument("file", metavar="FILE", help="a recording (.jsonl) written by --record")
    p.add_argument("--verify", action="store_true",
                   help="re-simulate and compare event by event; exit 1 on the first difference")  # fmt: skip
    p.add_argument("--key", metavar="KEYFILE",
                   help="with --verify: also check the recording's signature (run --record --key)")  # fmt: skip
    p.add_argument("--at", type=argtypes.sim_time, metavar="DUR",
                   help="show the run up to this sim time, e.g. 5d or T+5d 00:00 (default: all of it)")  # fmt: skip
    p.set_defaults(func=cmd_replay)


def cmd_replay(args: Namespace) -> int:
    from scenarios.errors import UserError

    if args.verify and args.at is not None:
        raise UserError("--at does not apply to --verify (the whole recording is verified)")
    if args.key is not None and not args.verify:
        raise UserError("--key checks a signature: give --verify too")
    key = None
    if args.key is not None:
        from sim.recording.signing import read_key

        key = read_key(args.key)
    recording = open_recording(args.file)
    if args.verify:
        from sim.clock import format_offset

        result = recording.verify(key=key)
        if result.ok:
            stopped = "" if result.ended else (
                f"the run stopped at {format_offset(result.end_time)}, before its horizon "
                f"({hours(result.horizon)})"
            )  # fmt: skip
            if result.truncated:
                part = " (truncated recording: verified as a prefix" + (
                    f": {stopped})" if stopped else ")"
                )
            else:
                part = f" ({stopped})" if stopped else ""
            signed = (recording.trailer or {}).get("hmac") and key is None
            part += " (signed: give --key KEYFILE to check the signature)" if signed else ""
            print(f"{args.file}: {result.message}: {result.events} events · digest "
                  f"{result.digest}{part}")  # fmt: skip
            return 0
        message = result.message.removeprefix(f"{recording.path}: ")  # said once, in front
        print(f"{args.file}: DIFFERS: {message}", file=sys.stderr)
        from sim import cdtx_version

        made_with, ours = recording.header.get("cdtx_version"), cdtx_version()
        if made_with != ours:
            print(f"{args.file}: recorded with cdtx {made_with}, this is cdtx {ours}: a version "
                  "that changed the model re-simulates differently (CHANGELOG.md)",
                  file=sys.stderr)  # fmt: skip
        return 1
    scenario = recording.scenario  # checked by open_recording
    if args.at is not None and args.at > scenario.horizon:
        raise UserError(f"--at {hours(args.at)} is after the horizon of {args.file} "
                        f"({hours(scenario.horizon)})")  # fmt: skip
    if sys.stdout.isatty():
        from ..app import run_replay

        return run_replay(recording, args.at) or 0
    print_replay(recording, scenario, args.at)
    return 0


class _View:
    """What tui.timeline.print_run reads from an Exercise, for a recording up to a time."""

    def __init__(self, recording, scenario, at: float | None):
        from sim.clock import Calendar
        from sim.events import digest_of
        from sim.timing import timing_for

        events = recording.events
        if at is not None:
            events = [e for e in events if e.t <= at]
        self.scenario = scenario
        self.seed = recording.header["seed"]
        self.calendar = Calendar(scenario.start)
        self.timing = timing_for(scenario.procedure)
        self.events = events
        self.now = at if at is not None else (events[-1].t if events else 0.0)
        self.digest = (
            recording.digest if len(events) == len(recording.events) else digest_of(events)
        )
        from sim.metrics import Metrics

        metrics = Metrics(scenario)
        metrics.catch_up(events)
        self.metrics = metrics.result()


def print_replay(recording, scenario, at: float | None, out=None) -> None:
    from scenarios.safe_read import PrintableWriter

    from ..timeline import print_run

    out = PrintableWriter(out or sys.stdout)  # the header and events come from a file
    view = _View(recording, scenario, at)
    h = recording.header
    out.write(f"recording {recording.path} · cdtx {h.get('cdtx_version')} · created "
              f"{h.get('created')}" + (" · truncated" if recording.truncated else "") + "\n")  # fmt: skip
    if recording.parent:
        p = recording.parent
        out.write(f"branched from {p.get('path')} at {p.get('at'):g}h (digest {p.get('digest')})\n")
    out.write("\n")
    print_run(view, out=out)
    shown_at = at if at is not None else recording.end_time
    picture = recording.fold_to(shown_at)  # one look: no scrubbing checkpoints
    out.write(f"\nSituation picture at {view.calendar.label(shown_at)}\n")
    for name, stage in picture.stages.items():
        detail = f"  {stage.detail}" if stage.detail else ""
        out.write(f"  {name:<17} {stage.status:<8}{detail}".rstrip() + "\n")
    out.write(f"  incidents {len(picture.incidents)} · adopted "
              f"{', '.join(a['measure'] for a in picture.adopted) or 'nothing'}\n")  # fmt: skip
