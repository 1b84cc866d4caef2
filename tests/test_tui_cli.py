"""Command-line items of the facilitator's and the evaluator's day (issue 14)."""

from __future__ import annotations

import subprocess
import sys

from sim import report
from sim.exercise import Exercise


def cdtx(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True,
                          text=True, timeout=120, check=False, cwd=cwd)  # fmt: skip


def test_a_headless_run_says_the_model_answered_for_the_table():
    done = cdtx("run", "satcom-war")  # DE and PL are the scenario's players; nobody plays here
    assert done.returncode == 0, done.stderr
    assert "Decision needed from played delegation" not in done.stdout
    assert "DE is played at the table, but nobody plays this run: the model answers" in done.stdout
    ex = Exercise("satcom-war")
    ex.run()
    text = report.aar(ex.scenario, ex.events, {"interactive": False, "players": ["DE", "PL"]})
    assert "DE, PL in the scenario, but nobody played this run" in text
    played = report.aar(ex.scenario, ex.events, {"interactive": True, "players": ["DE", "PL"]})
    assert "| Played delegations | DE, PL |" in played


def test_scenarios_show_prints_a_builtins_yaml_to_start_from(tmp_path):
    import scenarios

    done = cdtx("scenarios", "--show", "grid-wiper")
    assert done.returncode == 0, done.stderr
    assert "../../docs" not in done.stdout  # no path an installed cdtx does not have
    copy = tmp_path / "mine.yaml"
    copy.write_text(done.stdout, encoding="utf-8")
    ours, shipped = scenarios.load(copy), scenarios.load("grid-wiper")
    assert ours.model_dump() == shipped.model_dump()  # the same scenario
    wrong = cdtx("scenarios", "--show", "grid-wipr")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "cdtx: scenarios --show: no built-in scenario 'grid-wipr'" in wrong.stderr
    assert "did you mean 'grid-wiper'" in wrong.stderr


def test_before_the_horizon_what_has_not_happened_is_pending(tmp_path):
    early = cdtx("run", "grid-wiper", "--until", "2d")
    assert early.returncode == 0, early.stderr
    assert "shared situational awareness       pending (not reached yet)" in early.stdout
    assert "never" not in early.stdout.split("Summary")[1]
    assert "  pending  OBJ-1" in early.stdout and "  U  " not in early.stdout
    done = cdtx("run", "grid-wiper")
    assert "pending" not in done.stdout.split("Summary")[1]  # at the horizon: final ratings
    ex = Exercise("grid-wiper", players=[])
    ex.run("2d")
    text = report.aar(ex.scenario, ex.events)
    row = next(line for line in text.splitlines() if line.startswith("| OBJ-1"))
    assert "| pending |" in row and "never" not in row
    path = tmp_path / "run.jsonl"
    from sim.recording import Recorder

    ex = Exercise("grid-wiper", players=[])
    with Recorder(path, ex):
        ex.run()
    replayed = cdtx("replay", str(path), "--at", "2d")
    assert replayed.returncode == 0, replayed.stderr
    assert "  pending  OBJ-1" in replayed.stdout


def test_brief_for_a_delegation_and_for_the_facilitator(tmp_path):
    done = cdtx("brief", "grid-wiper", "--for", "PL")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("# Delegation brief: Poland (PL)")
    assert "INC-1" in text  # Poland is hit at the start: its CSIRT reports it
    assert "## Rules of play" in text and "## How your decisions are asked" in text
    assert "unanimity" in text
    assert "INC-1" not in cdtx("brief", "grid-wiper", "--for", "DE").stdout  # DE is not hit
    out = tmp_path / "facilitator.html"
    done = cdtx("brief", "grid-wiper", "--for", "facilitator", "-o", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "size: A4" in html and "<script" not in html  # one printable page, nothing else
    assert "M-04" in html and "Expected action" in html and "OBJ-1" in html
    assert "Evaluation: observations, ratings, hot wash" in html  # the console's keys
    wrong = cdtx("brief", "grid-wiper", "--for", "XX")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "--for is a member state code (e.g. DE) or facilitator, not 'XX'" in wrong.stderr
    refused = cdtx("brief", "grid-wiper", "--for", "DE", "-o", str(tmp_path / "brief.pdf"))
    assert refused.returncode == 1 and "write a .md or .html brief" in refused.stderr
