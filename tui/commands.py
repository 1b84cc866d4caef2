"""The work behind each ``cdtx`` command (the parser lives in cli.py)."""

from __future__ import annotations

import sys
from argparse import Namespace

from .cli import UserError


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


def cmd_validate(args: Namespace) -> int:
    import scenarios

    status = 0
    for path in args.files:
        try:
            scenario = scenarios.load_path(path)
        except scenarios.ScenarioError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            status = 1
        else:
            print(f"{path}: ok ({scenario.id}: {len(scenario.incidents)} incident(s), "
                  f"{len(scenario.msel)} MSEL entries)")  # fmt: skip
    return status


def cmd_schema(args: Namespace) -> int:
    import json

    import scenarios

    print(json.dumps(scenarios.json_schema(), indent=2))
    return 0


def load_scenario(name: str | None):
    """``scenarios.load(name)``; an empty name (``cdtx run ""``) is refused as such."""
    import scenarios

    if name is not None and not name.strip():
        raise UserError("SCENARIO is empty: give a built-in id (cdtx scenarios) or a YAML file")
    return scenarios.load(name)


def load_exercise(args: Namespace, **options):
    from sim.exercise import Exercise, InjectError

    scenario = load_scenario(args.scenario)
    try:
        return Exercise(scenario, seed=getattr(args, "seed", None), **options)
    except (InjectError, ValueError) as exc:
        raise UserError(str(exc)) from None


def add_run_options(parser) -> None:
    """Extra options of ``cdtx run`` contributed by other features (recording, branching)."""
    try:
        from . import cmd_replay
    except ImportError:
        return
    cmd_replay.add_run_options(parser)


def cmd_run(args: Namespace) -> int:
    ex = load_exercise(args)
    ex.run(args.until)
    print_result(args, ex)
    return 0


def print_result(args: Namespace, ex) -> None:
    """The output of ``cdtx run``: the timeline and summary, or one JSON object with --json."""
    import orjson

    if args.json:
        result = {
            "scenario": ex.scenario.id,
            "seed": ex.seed,
            "digest": ex.digest,
            "events": len(ex.events),
            "metrics": ex.metrics,
        }
        sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    from .timeline import print_run

    print_run(ex, show_positions=args.all)


def write_output(path: str | None, text: str, what: str) -> None:
    """Write ``text`` to ``path`` (saying so on stderr), or to stdout when there is no path."""
    from pathlib import Path

    if not path:
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror or exc}") from None
    print(f"{path}: {what}", file=sys.stderr)


def check_output(path: str, inputs, option: str = "-o") -> None:
    """Refuse an output file (``-o``) that is empty, a directory or one of the inputs."""
    import os

    if not path:
        raise UserError(f"{option}: give a file name")
    if os.path.isdir(path):
        raise UserError(f"{path}: is a directory; {option} names a file")
    for source in inputs:
        if source and same_file(path, source):
            raise UserError(f"{path}: {option} would overwrite the input {source}")


def same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` name the same file (also through links)."""
    import os
    from pathlib import Path

    try:
        if os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b):
            return True
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
