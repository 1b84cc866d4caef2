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
