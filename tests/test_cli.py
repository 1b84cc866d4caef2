"""The real ``cdtx`` command line, run in subprocesses (DESIGN.md section 4)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from contracts import METRIC_KEYS

from scenarios.vocabulary import METRICS

TIMELINE_LINE = re.compile(r"^\w{3} \d{2} \w{3} \d{4} \d{2}:\d{2}  T[+-]\d{2}:\d{2}:\d{2}  \S")


def cdtx(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
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
    assert isinstance(result["events"], int) and result["events"] > 0
    assert set(result["metrics"]) >= METRIC_KEYS
    assert set(METRICS) <= set(result["metrics"])


def test_run_json_seed_and_until():
    a = json.loads(cdtx("run", "--json", "--seed", "5", "--until", "2d").stdout)
    b = json.loads(cdtx("run", "--json", "--seed", "5", "--until", "2d").stdout)
    c = json.loads(cdtx("run", "--json", "--seed", "6", "--until", "2d").stdout)
    assert a["seed"] == 5
    assert a == b
    assert a["digest"] != c["digest"]
    full = json.loads(cdtx("run", "--json", "--seed", "5").stdout)
    assert full["events"] > a["events"]


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
    assert "Fri 06 Mar 2026 05:40  T+00:00:00" in timeline[0]
    assert re.search(r"digest [0-9a-f]{64}", done.stdout)


def test_run_a_scenario_file_by_path(tmp_path):
    source = Path(__file__).parents[1] / "scenarios/builtin/grid-wiper.yaml"
    copy = tmp_path / "mine.yaml"
    copy.write_text(source.read_text())
    by_path = json.loads(cdtx("run", str(copy), "--json").stdout)
    by_id = json.loads(cdtx("run", "grid-wiper", "--json").stdout)
    assert by_path["digest"] == by_id["digest"]


def test_unknown_scenario_id():
    done = cdtx("run", "no-such-scenario")
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
    done = cdtx("run", *args)
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
print(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()}))
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
def test_serve_checks_its_options_before_serving(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "serve", *args], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
