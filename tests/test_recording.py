"""Recording runs as JSON Lines: header, event lines with chain links, trailer, crash safety."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

import scenarios
from sim.events import GENESIS, canonical, chain
from sim.exercise import Exercise
from sim.recording import Recorder
from sim.recording import open as open_recording

CDTX = [str(Path(sys.executable).parent / "cdtx")]


def synthetic(incidents: int = 40, notes: int = 300, days: int = 3650, seed: int = 1) -> str:
    """A long scenario: many incidents and MSEL notes over years (keeps a run busy)."""
    from scenarios.vocabulary import EU27

    r = random.Random(seed)
    lines = [
        "cdtx: 1",
        "id: synthetic-long",
        "title: Synthetic long campaign",
        "start: 2026-01-05T09:00:00+01:00",
        f"horizon: {days}d",
        f"seed: {seed}",
        "players: [LT]",
        "threat_actors:",
        "  - {id: apt-x, name: APT X, sponsor: RU, sophistication: 0.4, resolve: 0.9}",
        "procedure: {mode: crisis}",
        "incidents:",
    ]
    criteria = ("scope", "scale", "duration", "intensity", "complexity", "sophistication", "impact")
    for i in range(incidents):
        at = r.uniform(0, days * 24 * 0.95)
        targets = ", ".join(f"{{state: {c}, sector: energy}}" for c in r.sample(list(EU27), 3))
        severity = ", ".join(f"{k}: {r.randint(1, 4)}" for k in criteria)
        lines += [f"  - id: INC-{i}", f"    at: {at:.2f}h", "    actor: apt-x",
                  f"    targets: [{targets}]", f"    severity: {{{severity}}}"]  # fmt: skip
    lines.append("msel:" if notes else "msel: []")
    for i in range(notes):
        at = (i + 1) * days * 24 / (notes + 1)
        lines.append(f"  - {{id: N-{i}, at: {at:.2f}h, type: note, params: {{text: note {i}}}}}")
    return "\n".join(lines) + "\n"


def read_lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
@pytest.mark.parametrize("seed", [1, 2, 20260306])
def test_record_and_verify_builtin(tmp_path, scenario_id, seed):
    path = tmp_path / "run.jsonl"
    ex = Exercise(scenario_id, seed)
    with Recorder(path, ex):
        ex.run()
    lines = read_lines(path)
    header, trailer = lines[0], lines[-1]
    assert header["cdtx_recording"] == 1
    assert header["scenario_id"] == scenario_id
    assert header["seed"] == seed
    assert header["scenario_text"] == ex.scenario.source_text
    assert header["parent"] is None
    assert header["created"].endswith("Z")
    assert trailer == {"end": True, "events": len(ex.events), "digest": ex.digest}
    head = GENESIS
    for raw, event in zip(lines[1:-1], ex.events, strict=True):
        h = raw.pop("h")
        assert raw["seq"] == event.seq
        head = chain(head, orjson.dumps(raw, option=orjson.OPT_SORT_KEYS))
        assert h == head
    assert head == ex.digest

    rec = open_recording(path)
    assert not rec.truncated and rec.warnings == []
    assert rec.digest == ex.digest
    result = rec.verify()
    assert result.ok, result.message
    assert result.events == len(ex.events)
    assert result.digest == ex.digest


def test_events_before_attach_are_written(tmp_path):
    ex = Exercise("grid-wiper")
    ex.run("3d")
    before = len(ex.events)
    path = tmp_path / "late.jsonl"
    with Recorder(path, ex):
        ex.run()
    rec = open_recording(path)
    assert len(rec.events) == len(ex.events) > before
    assert rec.verify().ok


def test_input_is_flushed_at_once(tmp_path):
    path = tmp_path / "live.jsonl"
    ex = Exercise("grid-wiper")
    recorder = Recorder(path, ex)
    ex.run("1d")
    ex.note("the table asks for a map of the outages")
    last = path.read_bytes().splitlines()[-1]
    assert orjson.loads(last)["kind"] == "input"
    recorder.close()
    recorder.close()  # idempotent
    assert read_lines(path)[-1]["end"] is True


def test_edited_line_reported_with_its_line_number(tmp_path):
    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(path, ex):
        ex.run()
    lines = path.read_bytes().splitlines(keepends=True)
    target = 11  # 1-based line number: event seq 9
    raw = orjson.loads(lines[target - 1])
    raw["t"] = raw["t"] + 1.0
    lines[target - 1] = orjson.dumps(raw) + b"\n"
    path.write_bytes(b"".join(lines))
    before = path.read_bytes()
    result = open_recording(path).verify()
    assert not result.ok
    assert result.difference.line == target
    assert f"line {target}" in result.message
    assert path.read_bytes() == before


def test_run_record_output_identical(tmp_path):
    plain = subprocess.run([*CDTX, "run"], capture_output=True, text=True, check=True)
    recorded = subprocess.run(
        [*CDTX, "run", "--record", str(tmp_path / "r.jsonl")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert recorded.stdout == plain.stdout
    as_json = subprocess.run(
        [*CDTX, "run", "--json", "--record", str(tmp_path / "j.jsonl")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert orjson.loads(as_json.stdout)["digest"] == open_recording(tmp_path / "j.jsonl").digest
    check = subprocess.run(
        [*CDTX, "replay", str(tmp_path / "r.jsonl"), "--verify"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    assert "identical" in check.stdout


def test_killed_run_leaves_a_verifiable_prefix(tmp_path):
    scenario = tmp_path / "long.yaml"
    # Seconds of run: long enough that a kill soon after the first flush lands mid-run (800
    # incidents since issue 22: the model's initiative no longer spins, and runs got faster).
    scenario.write_text(synthetic(incidents=800, notes=100, days=3650))
    rng = random.Random(7)
    lengths = []
    for trial in range(3):
        path = tmp_path / f"killed-{trial}.jsonl"
        proc = subprocess.Popen(
            [*CDTX, "run", str(scenario), "--record", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill once the first flush of events is on disk (header + at least two event lines),
        # so that the kill lands mid-run however loaded the machine is.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            not path.exists() or path.read_bytes().count(b"\n") < 3
        ):
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.3))
        assert proc.poll() is None, "the run ended before the kill: make the scenario longer"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with pytest.warns(UserWarning):
            rec = open_recording(path)
        assert rec.truncated
        result = rec.verify()
        assert result.ok, result.message
        assert result.truncated
        lengths.append(len(rec.events))
    assert max(lengths) > 1  # at least one trial was killed mid-run with events written


def test_canonical_bytes_match_file(tmp_path):
    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(path, ex):
        ex.run()
    rec = open_recording(path)
    first = path.read_bytes().splitlines()[1]
    assert first.startswith(canonical(rec.events[0])[:-1])
