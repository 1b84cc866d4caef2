"""The real ``cdtx`` command line (README, *Commands*): in this process through ``tui.cli.main``
(tests/inprocess.py), and in a process of its own where that is what a test checks."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from contracts import METRIC_KEYS
from inprocess import cdtx

from scenarios.vocabulary import METRICS

TIMELINE_LINE = re.compile(r"^\w{3} \d{2} \w{3} \d{4} \d{2}:\d{2}  T[+-]\d+d \d{2}:\d{2}  \S")


def cdtx_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m tui.cli ARGS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def assert_user_error(done: subprocess.CompletedProcess, *needles: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    for needle in needles:
        assert needle in done.stderr
    assert done.stdout == ""


def assert_one_message_exit_1(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_scenarios_lists_grid_wiper():
    done = cdtx("scenarios")
    assert done.returncode == 0, done.stderr
    ids = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert "grid-wiper" in ids
    assert done.stdout.splitlines()[0].split()[:2] == ["ID", "TITLE"]


def test_validate_a_good_file_exits_0():
    done = cdtx("validate", "scenarios/builtin/grid-wiper.yaml", cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    assert "grid-wiper.yaml: ok" in done.stdout


def test_validate_a_bad_file_exits_1_with_located_messages(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "cdtx: 1\nid: x\ntitle: t\nstart: 2026-01-01T00:00:00+01:00\nhorizon: 3q\n"
        "threat_actors:\n  - {id: a, name: A}\nincidents:\n  - id: I\n    actor: a\n"
        "    targets: [{state: XX, sector: energy}]\n"
        "    severity: {scope: 1, scale: 1, duration: 1, intensity: 1, complexity: 1,"
        " sophistication: 1, impact: 1}\n"
    )
    done = cdtx("validate", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any(line.startswith(f"{bad}:5:") and "horizon" in line for line in lines)
    assert any(line.startswith(f"{bad}:11:") and "XX" in line for line in lines)


def test_validate_reports_every_file_and_fails_if_any_fails(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cdtx: 1\nid: [\n")
    good = Path(__file__).parents[1] / "scenarios/builtin/grid-wiper.yaml"
    done = cdtx("validate", str(bad), str(good))
    assert done.returncode == 1
    assert "ok" in done.stdout
    assert re.match(rf"{re.escape(str(bad))}:\d+:\d+: ", done.stderr)
    assert "Traceback" not in done.stderr


def test_validate_a_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    done = cdtx("validate", str(missing))
    assert done.returncode == 1
    assert str(missing) in done.stderr and "Traceback" not in done.stderr


def test_schema_prints_valid_json_schema():
    import jsonschema

    done = cdtx("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {"threat_actors", "msel", "start", "horizon"} <= set(schema["properties"])


def test_run_json_has_every_key():
    done = cdtx("run", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"scenario", "seed", "digest", "events", "metrics"} <= set(result)
    assert result["scenario"] == "grid-wiper"
    assert result["seed"] == 20260306
    assert re.fullmatch(r"[0-9a-f]{64}", result["digest"])
    assert isinstance(result["event_count"], int) and result["event_count"] > 0
    assert result["events"] == result["event_count"]  # the first name of the count, kept
    assert set(result["metrics"]) >= METRIC_KEYS
    assert set(METRICS) <= set(result["metrics"])


def test_run_json_seed_and_until():
    a = json.loads(cdtx("run", "--json", "--seed", "5", "--until", "2d").stdout)
    # again in another process (another hash seed): the seed alone decides the run
    b = json.loads(cdtx_process("run", "--json", "--seed", "5", "--until", "2d").stdout)
    c = json.loads(cdtx("run", "--json", "--seed", "6", "--until", "2d").stdout)
    assert a["seed"] == 5
    assert a == b
    assert a["digest"] != c["digest"]
    full = json.loads(cdtx("run", "--json", "--seed", "5").stdout)
    assert full["events"] > a["events"]
    # As the timeline shows times, the same moment.
    shown = json.loads(cdtx("run", "--json", "--seed", "5", "--until", "T+02:00:00").stdout)
    assert shown == a


def test_run_until_json_rates_what_has_not_happened_yet_pending():
    # Issue 14: stopped before the horizon, an objective whose milestone is still to come is
    # "pending", not U; one reached is final; the JSON says the same as the text output.
    early = json.loads(cdtx("run", "--json", "--until", "2d").stdout)
    assert early["ended"] is False
    assert set(early["metrics"]["objectives"].values()) == {"pending"}
    later = json.loads(cdtx("run", "--json", "--until", "6d").stdout)
    assert later["metrics"]["objectives"]["OBJ-1"] == "P"  # awareness reached: final
    assert later["metrics"]["objectives"]["OBJ-3"] == "pending"
    text = cdtx("run", "--until", "6d").stdout
    shown = {
        obj: rating for rating, obj in re.findall(r"^  (P|S|M|U|pending)  (OBJ-\d)", text, re.M)
    }
    assert shown == later["metrics"]["objectives"]
    full = json.loads(cdtx("run", "--json").stdout)
    assert full["ended"] is True
    assert "pending" not in full["metrics"]["objectives"].values()


def test_run_text_has_calendar_and_offset_on_every_timeline_line():
    done = cdtx("run")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = lines.index("") + 1
    end = lines.index("Summary")
    timeline = [line for line in lines[start:end] if line.strip()]
    assert len(timeline) > 20
    for line in timeline:
        assert TIMELINE_LINE.match(line), line
    assert "Fri 06 Mar 2026 05:40  T+0d 00:00" in timeline[0]
    assert re.search(r"digest [0-9a-f]{64}", done.stdout)


def test_run_a_scenario_file_by_path(tmp_path):
    source = Path(__file__).parents[1] / "scenarios/builtin/grid-wiper.yaml"
    copy = tmp_path / "mine.yaml"
    copy.write_text(source.read_text())
    by_path = json.loads(cdtx("run", str(copy), "--json").stdout)
    by_id = json.loads(cdtx("run", "grid-wiper", "--json").stdout)
    assert by_path["digest"] == by_id["digest"]


def test_unknown_scenario_id():
    done = cdtx_process("run", "no-such-scenario")  # python -m tui.cli: exit status 1, one line
    assert_one_message_exit_1(done)
    assert "no-such-scenario" in done.stderr


def test_scenario_path_that_does_not_exist(tmp_path):
    missing = tmp_path / "missing.yaml"
    done = cdtx("run", str(missing))
    assert_one_message_exit_1(done)
    assert str(missing) in done.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--seed", "abc"), "seed"),
        (("--seed", "-1"), "seed"),
        (("--seed", str(2**63)), "seed"),
        (("--until", "3x"), "3x"),
    ],
)
def test_bad_run_options_exit_1_with_one_message(args, needle):
    # the first in a process of its own: the usage error's exit status through python -m tui.cli
    done = (cdtx_process if args == ("--seed", "abc") else cdtx)("run", *args)
    assert_user_error(done, needle)
    assert_one_message_exit_1(done)


LIGHT_COMMAND = """
import contextlib, io, json, sys
from tui import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = cli.main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
heavy = sorted(m for m in ('simpy', 'textual') if m in sys.modules)
loader = sorted(m for m in ('pydantic', 'yaml') if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy, "loader": loader, "out": out.getvalue()}))
"""


@pytest.mark.parametrize("args", [["--help"], ["schema"]])
def test_help_and_schema_do_not_import_simpy_or_textual(args):
    done = subprocess.run(
        [sys.executable, "-c", LIGHT_COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["code"] in (0, None), result["code"]
    assert result["heavy"] == []
    if args == ["--help"]:
        assert "usage: cdtx" in result["out"]
        # nor the scenario loader (pydantic, yaml: a fifth of a second): a command module that
        # imports scenarios.* at its top level makes every 'cdtx ... --help' pay for it
        assert result["loader"] == []
    else:
        assert "properties" in json.loads(result["out"])


def test_the_console_script_is_installed():
    cdtx_bin = Path(sys.executable).parent / "cdtx"
    if not cdtx_bin.exists():
        pytest.skip("cdtx entry point not installed next to this interpreter")
    done = subprocess.run([str(cdtx_bin), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    for command in ("scenarios", "validate", "schema", "run"):
        assert command in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--", "--players", "XX"], "unknown member state code(s): XX"),
        (["--", "no-such-scenario"], "no built-in scenario with this id"),
        (["--port", "0"], "port must be between 1 and 65535"),
    ],
)
def test_serve_checks_its_options_before_serving(args, message, no_serving):
    assert_error(cdtx("serve", *args), message)


# -- mistakes found by walking the command line as a user (each was a traceback, a silently
# -- wrong result or a destroyed input before) ------------------------------------------------


def assert_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """``result`` (of :func:`inprocess.cdtx`) is a user's error: exit 1, one message, no
    traceback, naming each of ``needles``."""
    code, err = result.returncode, result.stderr
    assert code == 1, err
    assert "Traceback" not in err
    assert err.startswith("cdtx"), err
    for needle in needles:
        assert needle in err, err


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "run.jsonl"
    done = cdtx("run", "--until", "5d", "--record", str(path))
    assert done.returncode == 0, done.stderr
    return path


MEDIA = "- type: media\n  params: {pressure: 0.5}\n"


def test_record_may_not_overwrite_the_scenario_or_inject_file(tmp_path):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(
        (Path(__file__).parents[1] / "scenarios/builtin/grid-wiper.yaml").read_text()
    )
    before = scenario.read_text()
    assert_error(cdtx("run", str(scenario), "--record", str(scenario)),
                 "--record would overwrite the input")  # fmt: skip
    assert scenario.read_text() == before
    injects = tmp_path / "injects.yaml"
    injects.write_text(MEDIA)
    assert_error(cdtx("run", "--inject", str(injects), "--record", str(injects)),
                 "--record would overwrite the input")  # fmt: skip
    assert injects.read_text() == MEDIA
    assert_error(cdtx("run", "--record", ""), "--record")


def test_a_refused_inject_leaves_no_recording_behind(tmp_path):
    injects = tmp_path / "injects.yaml"
    injects.write_text("- type: escalate\n  params: {incident: NOPE, severity: {impact: 1}}\n")
    new = tmp_path / "new.jsonl"
    assert_error(cdtx("run", "--inject", str(injects), "--record", str(new)),
                 f"{injects}:2:", "NOPE")  # fmt: skip
    assert not new.exists()
    old = tmp_path / "old.jsonl"
    old.write_text("precious\n")
    assert_error(cdtx("run", "--inject", str(injects), "--record", str(old)))
    assert old.read_text() == "precious\n"


def test_recording_with_injects_still_verifies(tmp_path, recording):
    injects = tmp_path / "injects.yaml"
    injects.write_text(MEDIA)
    out = tmp_path / "branch.jsonl"
    done = cdtx("run", "--from", str(recording), "--at", "2d",
                "--inject", str(injects), "--record", str(out), "--json")  # fmt: skip
    code, err = done.returncode, done.stderr
    assert code == 0, err
    from sim.recording import reader

    child = reader.open(out)
    assert child.header["parent"]["at"] == 48.0 and len(child.inputs) == 1
    assert child.verify().ok


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("- type: media\n  at: 100w\n  params: {pressure: 0.2}\n",
         [":2:7: inject 1: at: 100w is after the scenario's horizon (30d)"]),
        ("- id: M-01\n  " + MEDIA[2:], [":1:7: inject 1: id: 'M-01' is already used by the scenario's MSEL"]),
        ("- id: X\n  " + MEDIA[2:] + "- id: X\n  " + MEDIA[2:],
         [":4:7: inject 2: id: 'X' is already used by an earlier inject"]),
    ],
)  # fmt: skip
def test_inject_that_would_never_apply_or_clash_is_refused(tmp_path, text, needles):
    injects = tmp_path / "injects.yaml"
    injects.write_text(text)
    assert_error(cdtx("run", "--inject", str(injects)), *needles)


def test_branch_options_that_cannot_work(tmp_path, recording):
    assert_error(cdtx("run", "--from", str(recording), "--at", "4d", "--until", "2d"),
                 "--until 2d is before the branch point 4d")  # fmt: skip
    full = tmp_path / "full.jsonl"
    assert cdtx("run", "--record", str(full)).returncode == 0
    injects = tmp_path / "injects.yaml"
    injects.write_text(MEDIA)
    assert_error(cdtx("run", "--from", str(full), "--inject", str(injects)),
                 "has ended", "--at")  # fmt: skip


def _edited(recording: Path, tmp_path: Path, header=None, line=None) -> Path:
    lines = recording.read_text().splitlines()
    if header:
        raw = json.loads(lines[0])
        raw.update(header)
        lines[0] = json.dumps(raw)
    if line:
        raw = json.loads(lines[5])
        raw.update(line)
        lines[5] = json.dumps(raw)
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("header", "line", "needle"),
    [
        ({"scenario_text": 5}, None, "line 1: header field scenario_text"),
        ({"parent": "x"}, None, "line 1: header field parent"),
        ({"parent": {"path": 1}}, None, "line 1: header field parent.at"),
        (None, {"t": "soon"}, "line 6: event time t"),
        (None, {"t": 1e308}, "line 6: event time t"),
        (None, {"data": [1]}, "line 6: not an event"),
    ],
)
@pytest.mark.parametrize("command", [["replay"], ["report"], ["run", "--from"]])
def test_hand_edited_recordings_are_user_errors(
    tmp_path, recording, header, line, needle, command
):
    path = _edited(recording, tmp_path, header, line)
    done = cdtx(*command, str(path))
    assert_error(done, f"{path}: {needle}")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_replay_at_after_the_horizon_and_at_with_verify(recording):
    assert_error(cdtx("replay", str(recording), "--at", "100w"),
                 "--at 100w is after the horizon", "(30d)")  # fmt: skip
    assert_error(cdtx("replay", str(recording), "--verify", "--at", "1d"),
                 "--at does not apply to --verify")  # fmt: skip


SPEC = "base: grid-wiper\nvary:\n  decision_rule: [unanimity, qmv]\nseeds: 1\n"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("sweep")
    (where / "s.yaml").write_text(SPEC)
    out = where / "r.csv"
    done = cdtx("sweep", str(where / "s.yaml"), "-j", "1", "--quiet", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["-o", "{tmp}/afile/r.csv"], "{tmp}/afile/r.csv"),
        (["-o", "{tmp}"], "is a directory"),
        (["-o", ""], "-o: give a file name"),
        (["-o", "{tmp}/r.csv", "--plot", "{tmp}/p.txt"], ".png, .svg or .pdf"),
        (["-o", "{tmp}/r.csv", "--plot", "{tmp}/nodir/p.png"], "no such directory"),
        (["-o", "{tmp}/r.csv", "--plot", "{tmp}/r.csv"], "--plot would overwrite"),
    ],
)
def test_sweep_outputs_that_cannot_be_written(tmp_path, extra, needle):
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    (tmp_path / "afile").write_text("")
    extra = [e.format(tmp=tmp_path) for e in extra]
    assert_error(cdtx("sweep", str(spec), "-j", "1", "--quiet", *extra),
                 needle.format(tmp=tmp_path))  # fmt: skip
    assert not (tmp_path / "r.csv").exists()  # refused before running


def _bad_results(results: Path, tmp_path: Path, column: str) -> Path:
    import csv

    rows = list(csv.reader(results.open(newline="")))
    rows[1][rows[0].index(column)] = "abc"
    path = tmp_path / f"bad-{column}.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    # the record the results were started with, without which --resume refuses them anyway
    Path(f"{path}.spec.json").write_bytes(Path(f"{results}.spec.json").read_bytes())
    return path


@pytest.mark.parametrize("column", ["point", "highest_rung", "t_first_detection", "seed"])
def test_hand_edited_results_are_user_errors(tmp_path, results, column):
    bad = _bad_results(results, tmp_path, column)
    # one reader of results files (sim.sweep.read_rows): one message, naming row and column
    needle = f"{bad}: row 2, column {column!r}: expected a"
    assert_error(cdtx("sweep", "--summary", str(bad)), needle)
    assert_error(cdtx("report", str(bad)), needle)
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    assert_error(
        cdtx("sweep", str(spec), "-j", "1", "--quiet", "-o", str(bad), "--resume"),
        needle,
    )


def test_binary_results_and_bad_plot_path(tmp_path, results):
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert_error(cdtx("sweep", "--summary", str(binary)), "not UTF-8")
    assert_error(cdtx("report", str(binary)), "not UTF-8")
    assert_error(cdtx("sweep", "--summary", str(results), "--plot", str(tmp_path)),
                 "is a directory")  # fmt: skip


def test_sweep_summary_into_a_closed_pipe_exits_0(results):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "sweep", "--summary", str(results)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    proc.stdout.close()  # like `| head -0`: the reader is gone before anything is written
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err


def test_outputs_may_not_overwrite_inputs(tmp_path, recording):
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(recording.read_bytes())
    assert_error(cdtx("report", str(copy), "-o", str(copy), "--format", "md"),
                 "-o would overwrite the input")  # fmt: skip
    assert copy.read_bytes() == recording.read_bytes()
    sheet = tmp_path / "msel.csv"
    assert cdtx("msel", "export", "-o", str(sheet)).returncode == 0
    before = sheet.read_text()
    assert_error(cdtx("msel", "import", str(sheet), "--into", "grid-wiper",
                          "-o", str(sheet)), "-o would overwrite the input")  # fmt: skip
    assert sheet.read_text() == before
    assert_error(cdtx("report", str(recording), "-o", ""), "-o: give a file name")


def test_msel_import_of_a_directory_and_every_problem_line_prefixed(tmp_path):
    assert_error(cdtx("msel", "import", str(tmp_path), "--into", "grid-wiper"),
                 "is a directory")  # fmt: skip
    sheet = tmp_path / "msel.csv"
    assert cdtx("msel", "export", "-o", str(sheet)).returncode == 0
    lines = sheet.read_text().splitlines()
    sheet.write_text("\n".join([lines[0].replace("Scenario Time", "When"), *lines[1:]]) + "\n")
    done = cdtx("msel", "import", str(sheet), "--into", "grid-wiper")
    code, err = done.returncode, done.stderr
    assert code == 1 and len(err.splitlines()) == 2
    assert all(line.startswith(f"cdtx: {sheet}: row 1") for line in err.splitlines()), err


def test_empty_scenario_name():
    assert_error(cdtx("run", ""), "SCENARIO is empty")


def _options(parser: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    """The option strings of ``parser`` and of its own subcommands (cdtx msel export|import)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _options(sub)
        elif action.option_strings and "--help" not in action.option_strings:
            found.append(tuple(action.option_strings))
    return found


def test_every_option_of_every_command_is_in_the_readme_command_table():
    """The README's *Commands* table is where people look: an option added to a command and
    not to its row there is an option nobody finds."""
    from tui.cli import COMMANDS, build_parser

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    commands = next(a for a in build_parser()._actions
                    if isinstance(a, argparse._SubParsersAction)).choices  # fmt: skip
    missing = []
    for name in COMMANDS:
        rows = " ".join(line for line in readme.splitlines()
                        if re.match(rf"\| `cdtx(` / `cdtx)? {name}\b", line))  # fmt: skip
        assert rows, f"no row for cdtx {name} in README.md"
        for strings in _options(commands[name]):
            if not any(re.search(rf"`[^`]*{re.escape(s)}\b", rows) for s in strings):
                missing.append(f"cdtx {name} {'/'.join(strings)}")
    assert missing == []


@pytest.mark.parametrize("delay", ["0", "-1", "nan", "inf", "1e-300", "3601", "soon"])
def test_join_refuses_a_retry_delay_that_is_not_a_pause_of_sense(delay):
    done = cdtx("join", "ws://127.0.0.1:9", "--token", "t", "--print", "--retry-delay", delay)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "--retry-delay" in done.stderr and ("0.01 to 3600" in done.stderr or "seconds" in done.stderr)
