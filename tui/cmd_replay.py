"""``cdtx replay`` and the recording options of ``cdtx run`` (--record, --from, --at, --inject).

See docs/recording-format.md. Errors people cause become one ``cdtx: ...`` line and exit 1;
a recording file is only ever read, never changed.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from argparse import Namespace
from contextlib import contextmanager

from .cli import UserError, _sim_time


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
    p.add_argument("--at", type=_sim_time, metavar="DUR",
                   help="show the run up to this sim time, e.g. 5d or T+05:00:00 (default: all of it)")  # fmt: skip
    p.set_defaults(func=cmd_replay)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The recording and branching options of ``cdtx run``."""
    parser.add_argument("--record", metavar="FILE", help="record the run to FILE (JSON Lines)")
    parser.add_argument("--from", dest="from_", metavar="FILE",
                        help="branch from a recording instead of starting a scenario")  # fmt: skip
    parser.add_argument("--at", dest="branch_at", type=_sim_time, metavar="DUR",
                        help="with --from: the sim time to branch at, e.g. 2d or T+02:00:00 (default: its end)")  # fmt: skip
    parser.add_argument("--inject", metavar="FILE",
                        help="a YAML list of MSEL-style injects to submit (at the branch point)")  # fmt: skip
    parser.set_defaults(func=cmd_run)


# -- cdtx run with recording ------------------------------------------------------------------


def cmd_run(args: Namespace) -> int:
    from . import commands

    record = getattr(args, "record", None)
    source = getattr(args, "from_", None)
    inject_file = getattr(args, "inject", None)
    if getattr(args, "branch_at", None) is not None and source is None:
        raise UserError("--at needs --from FILE (the recording to branch from)")
    if record is None and source is None and inject_file is None:
        return commands.cmd_run(args)
    if record is not None:
        _check_record_path(record, args, source, inject_file)
    from scenarios.load import load_injects
    from sim.recording import Recorder, RecordingError

    injects = load_injects(inject_file) if inject_file else None
    try:
        if source is not None:
            if args.scenario is not None:
                raise UserError("give either a SCENARIO or --from FILE, not both")
            if args.seed is not None:
                raise UserError("--seed does not apply to --from (the recording has its seed)")
            recording = open_recording(source)
            at = recording.end_time if args.branch_at is None else args.branch_at
            if args.until is not None and args.until < at:
                raise UserError(f"--until {_hours(args.until)} is before the branch point "
                                f"{_hours(at)} (--until counts from the scenario's start)")  # fmt: skip
            ex = recording.branch(at, [])
            parent = {"digest": recording.digest, "at": at, "path": str(recording.path)}
        else:
            ex = commands.load_exercise(args)
            parent = None
        if injects is not None:
            if ex.finished and source is not None:
                raise UserError(
                    f"{source}: the recorded run has ended at {_hours(ex.horizon)}: nothing can "
                    "be injected there; give --at DUR to branch before its end"
                )
            _submit_all(ex, injects)
        # The recorder starts once every inject is accepted (it writes the events so far first):
        # a refused inject leaves no half-made recording behind, nor overwrites an older one.
        recorder = Recorder(record, ex, parent=parent) if record is not None else None
    except RecordingError as exc:
        raise UserError(str(exc)) from None
    try:
        ex.run(args.until)
    finally:
        if recorder is not None:
            recorder.close()
    from .commands import print_result

    print_result(args, ex)
    return 0


def _hours(hours: float) -> str:
    from scenarios.vocabulary import format_duration

    return format_duration(hours)


def _check_record_path(record: str, args: Namespace, source, inject_file) -> None:
    """--record must name a new file, not one of the run's inputs."""
    from pathlib import Path

    from .commands import same_file

    if not record:
        raise UserError("--record: give a file name for the recording")
    inputs = [(source, "--from recording"), (inject_file, "--inject file")]
    scenario = getattr(args, "scenario", None)
    if scenario and Path(scenario).is_file():
        inputs.append((scenario, "scenario file"))
    for path, what in inputs:
        if path and same_file(record, path):
            raise UserError(f"{record}: --record would overwrite the {what}")


def _submit_all(ex, injects) -> None:
    """Submit an inject file's entries now (or at their ``at``); a refused one is reported at
    its place in the file."""
    from sim.exercise import InjectError

    for index, inject in enumerate(injects.entries):
        try:
            ex.submit(inject)
        except InjectError as exc:
            raise UserError(
                f"{injects.place(index, exc.field)}: inject {index + 1}: {exc}"
            ) from None


# -- cdtx replay ------------------------------------------------------------------------------


@contextmanager
def _warnings_to_stderr():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        print(f"cdtx: warning: {w.message}", file=sys.stderr)


def open_recording(path: str, warn: bool = True):
    """``sim.replay.open(path)`` with its warnings on stderr (unless ``warn`` is false: the
    caller says it its own way) and its errors as ``UserError``; the embedded scenario is
    checked too, so what it says is said once, here."""
    from sim import replay

    with _warnings_to_stderr() if warn else warnings.catch_warnings():
        if not warn:
            warnings.simplefilter("ignore")
        try:
            recording = replay.open(path)
            recording.scenario  # noqa: B018 - validates the scenario and the event times
        except replay.RecordingError as exc:
            raise UserError(str(exc)) from None
    return recording


def cmd_replay(args: Namespace) -> int:
    from sim import replay

    if args.verify and args.at is not None:
        raise UserError("--at does not apply to --verify (the whole recording is verified)")
    recording = open_recording(args.file)
    if args.verify:
        try:
            result = recording.verify()
        except replay.RecordingError as exc:
            raise UserError(str(exc)) from None
        if result.ok:
            part = " (truncated recording: verified as a prefix)" if result.truncated else ""
            print(f"{args.file}: identical: {result.events} events · digest {result.digest}{part}")
            return 0
        print(f"{args.file}: DIFFERS: {result.message}", file=sys.stderr)
        return 1
    scenario = recording.scenario  # checked by open_recording
    if args.at is not None and args.at > scenario.horizon:
        raise UserError(f"--at {_hours(args.at)} is after the horizon of {args.file} "
                        f"({_hours(scenario.horizon)})")  # fmt: skip
    if sys.stdout.isatty():
        from .app import run_replay

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
        self.digest = (
            recording.digest if len(events) == len(recording.events) else digest_of(events)
        )
        from sim.metrics import Metrics

        metrics = Metrics(scenario)
        metrics.catch_up(events)
        self.metrics = metrics.result()


def print_replay(recording, scenario, at: float | None, out=None) -> None:
    from scenarios.safe_read import PrintableWriter

    from .timeline import print_run

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
