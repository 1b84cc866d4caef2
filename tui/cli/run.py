"""``cdtx run``: simulate a scenario headless and print its timeline and summary; with
``--record`` write a recording, with ``--from`` branch "what if" from one, with ``--inject``
submit a YAML list of injects first (docs/recording-format.md)."""

from __future__ import annotations

from argparse import Namespace

from . import argtypes
from .common import hours, load_exercise, open_recording, print_result


def register(sub) -> None:
    p = sub.add_parser("run", help="simulate a scenario headless and print its timeline")
    argtypes.add_scenario_argument(p)
    p.add_argument("--seed", type=argtypes.seed, help="root seed (default: the scenario's seed)")
    p.add_argument("--until", type=argtypes.sim_time, metavar="DUR",
                   help="stop at this sim time, e.g. 10d or T+10d 00:00")  # fmt: skip
    p.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the timeline"
    )
    p.add_argument(
        "--all", action="store_true", help="also list each delegation's position on its own line"
    )
    p.add_argument("--model", action="append", type=argtypes.model_constant, metavar="NAME=VALUE",
                   help="set a model constant for this run (repeatable; cdtx model lists them), "
                   "e.g. --model model.listing_veto_at=-0.5; recorded, so a replay sets it "
                   "again")  # fmt: skip
    p.add_argument("--record", metavar="FILE", help="record the run to FILE (JSON Lines)")
    argtypes.add_force_argument(p, "--record FILE")
    p.add_argument("--key", metavar="KEYFILE",
                   help="with --record: sign the recording with the secret in KEYFILE "
                        "(check with cdtx replay FILE --verify --key KEYFILE)")  # fmt: skip
    p.add_argument("--from", dest="from_", metavar="FILE",
                        help="branch from a recording instead of starting a scenario")  # fmt: skip
    p.add_argument("--at", dest="branch_at", type=argtypes.sim_time, metavar="DUR",
                        help="with --from: the sim time to branch at, e.g. 2d or T+2d 00:00 (default: its end)")  # fmt: skip
    p.add_argument("--inject", metavar="FILE",
                        help="a YAML list of MSEL-style injects to submit (at the branch point)")  # fmt: skip
    p.set_defaults(func=cmd_run)


def cmd_run(args: Namespace) -> int:
    from scenarios.errors import UserError

    record = getattr(args, "record", None)
    source = getattr(args, "from_", None)
    inject_file = getattr(args, "inject", None)
    if getattr(args, "branch_at", None) is not None and source is None:
        raise UserError("--at needs --from FILE (the recording to branch from)")
    if record is None and source is None and inject_file is None:
        ex = load_exercise(args)
        ex.run(args.until)
        print_result(args, ex)
        return 0
    key = getattr(args, "key", None)
    if key is not None and record is None:
        raise UserError("--key signs a recording: give --record FILE too")
    if record is not None:
        _check_record_path(record, args, source, inject_file)
    from scenarios.load import load_injects
    from sim.recording import Recorder, RecordingError
    from sim.recording.signing import read_key

    secret = read_key(key) if key is not None else None

    injects = load_injects(inject_file) if inject_file else None
    try:
        if source is not None:
            if args.scenario is not None:
                raise UserError("give either a SCENARIO or --from FILE, not both")
            if args.seed is not None:
                raise UserError("--seed does not apply to --from (the recording has its seed)")
            if args.model:
                raise UserError("--model does not apply to --from (the recording has its model "
                                "constants)")  # fmt: skip
            recording = open_recording(source)
            at = recording.end_time if args.branch_at is None else args.branch_at
            if args.until is not None and args.until < at:
                raise UserError(f"--until {hours(args.until)} is before the branch point "
                                f"{hours(at)} (--until counts from the scenario's start)")  # fmt: skip
            ex = recording.branch(at, [])
            parent = {"digest": recording.digest, "at": at, "path": str(recording.path)}
        else:
            ex = load_exercise(args)
            parent = None
        if injects is not None:
            if ex.finished and source is not None:
                raise UserError(
                    f"{source}: the recorded run has ended at {hours(ex.horizon)}: nothing can "
                    "be injected there; give --at DUR to branch before its end"
                )
            _submit_all(ex, injects)
        # The recorder starts once every inject is accepted (it writes the events so far first):
        # a refused inject leaves no half-made recording behind, nor overwrites an older one.
        recorder = (
            Recorder(record, ex, parent=parent, force=args.force, key=secret)
            if record is not None
            else None
        )
    except RecordingError as exc:
        raise UserError(str(exc)) from None
    try:
        ex.run(args.until)
    finally:
        if recorder is not None:
            recorder.close()
    if recorder is not None:
        recorder.check()  # a full disk: say so and exit 1, printing no result as if all went well
    print_result(args, ex)
    return 0


def _check_record_path(record: str, args: Namespace, source, inject_file) -> None:
    """--record must name a new file (or an existing one with --force), never a link or one of
    the run's inputs: the recording it continues, the inject file, the scenario file and the
    --key file (scenarios.safe_write.check_output)."""
    from pathlib import Path

    from scenarios.errors import UserError
    from scenarios.safe_write import check_output

    if not record:
        raise UserError("--record: give a file name for the recording")
    inputs = [source, inject_file, getattr(args, "key", None)]
    scenario = getattr(args, "scenario", None)
    if scenario and Path(scenario).is_file():
        inputs.append(scenario)
    check_output(record, inputs=inputs, force=args.force, option="--record")


def _submit_all(ex, injects) -> None:
    """Submit an inject file's entries now (or at their ``at``); a refused one is reported at
    its place in the file."""
    from scenarios.errors import UserError
    from sim.exercise import InjectError

    for index, inject in enumerate(injects.entries):
        try:
            ex.submit(inject)
        except InjectError as exc:
            raise UserError(
                f"{injects.place(index, exc.field)}: inject {index + 1}: {exc}"
            ) from None
