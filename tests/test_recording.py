"""Recording runs as JSON Lines: header, event lines with chain links, trailer, crash safety."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from inprocess import cdtx

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
    assert trailer == {"end": True, "events": len(ex.events), "digest": ex.digest, "ended": True}
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
    # in this process (tests/inprocess.py): the output is what is compared
    plain = cdtx("run")
    recorded = cdtx("run", "--record", str(tmp_path / "r.jsonl"))
    assert plain.returncode == recorded.returncode == 0, plain.stderr + recorded.stderr
    assert recorded.stdout == plain.stdout
    as_json = cdtx("run", "--json", "--record", str(tmp_path / "j.jsonl"))
    assert as_json.returncode == 0, as_json.stderr
    assert orjson.loads(as_json.stdout)["digest"] == open_recording(tmp_path / "j.jsonl").digest
    check = cdtx("replay", str(tmp_path / "r.jsonl"), "--verify")
    assert check.returncode == 0, check.stderr
    assert "identical" in check.stdout


#: A child that records a run, stops at a sim time the test chooses, reports how many event
#: lines it had flushed to disk by then, runs on without flushing (events held in the
#: recorder's buffer are lost with the process, as after a real crash), and then blocks until
#: it is killed. The kill lands at a point the test controls, however fast or loaded the
#: machine is.
KILLED_CHILD = """
import sys
from sim.exercise import Exercise
from sim.recording import Recorder
import scenarios

scenario_path, out, flushed_at, stop_at = sys.argv[1:5]
ex = Exercise(scenarios.load(scenario_path))
recorder = Recorder(out, ex)
ex.run(until=flushed_at)
recorder.flush()
flushed = recorder.count
ex.run(until=stop_at)  # more events: some held in the recorder's buffer, not flushed
print(flushed, len(ex.events), flush=True)
sys.stdin.read()  # blocks: the parent kills us here
"""


@pytest.mark.parametrize(
    ("flushed_at", "stop_at"), [("10d", "10d"), ("200d", "900d"), ("1500d", "3000d")]
)
def test_killed_run_leaves_a_verifiable_prefix(tmp_path, flushed_at, stop_at):
    scenario = tmp_path / "long.yaml"
    scenario.write_text(synthetic(incidents=300, notes=100, days=3650))
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, str(scenario), str(path), flushed_at, stop_at],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = proc.stdout.readline()  # the child is now blocked, mid-run
        assert line, proc.stderr.read().decode()
        flushed, written = map(int, line.split())
        assert flushed < written or flushed_at == stop_at
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()
    with pytest.warns(UserWarning):
        rec = open_recording(path)
    assert rec.truncated
    # Everything flushed before the kill is there; what sat in the buffer may be lost.
    assert flushed <= len(rec.events) <= written
    result = rec.verify()
    assert result.ok, result.message
    assert result.truncated


def test_canonical_bytes_match_file(tmp_path):
    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(path, ex):
        ex.run()
    rec = open_recording(path)
    first = path.read_bytes().splitlines()[1]
    assert first.startswith(canonical(rec.events[0])[:-1])


# -- cdtx host --resume goes on only with a recording that verifies --------------------------------


def _hosted(path: Path) -> Path:
    """A recording as ``cdtx host`` leaves it when killed (no trailer), with its seats file;
    a delegation's message (an input) at 1d."""
    pytest.importorskip("websockets")
    from sim.seats import seats_for
    from tui.host.server import new_tokens, save_tokens, tokens_path

    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    seats = seats_for(ex.players)
    save_tokens(tokens_path(path), seats, new_tokens(seats))
    recorder = Recorder(path, ex)
    ex.run("1d")
    ex.remark("message", "we need the outage map")
    ex.run("3d")
    recorder.flush()
    lines = path.read_bytes().splitlines(keepends=True)
    recorder.close()
    path.write_bytes(b"".join(lines))  # as killed: no trailer
    return path


def _resume(path: Path):
    from argparse import Namespace

    from tui.cli.host import _resume as resume_as_the_cli_does

    return resume_as_the_cli_does(Namespace(resume=str(path), scenario=None, players=None,
                                            seed=None))  # fmt: skip


def test_resume_refuses_an_edited_recording_naming_the_line(tmp_path):
    """Resuming re-simulates the recorded inputs and writes the file anew: without checking the
    chain first, an edited input re-chained into a file that verifies (the edit laundered)."""
    from scenarios.errors import UserError

    path = _hosted(tmp_path / "hosted.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines, 1) if b"outage map" in line)
    lines[at - 1] = lines[at - 1].replace(b"the outage map", b"nothing at all")
    path.write_bytes(b"".join(lines))
    edited = path.read_bytes()
    with pytest.raises(
        UserError, match=rf"^{path}: line {at}: chain hash does not match.*--resume"
    ):
        _resume(path)
    assert path.read_bytes() == edited  # nothing rewritten
    assert not path.with_name(path.name + ".resuming").exists()


def test_resume_goes_on_with_a_recording_that_verifies(tmp_path):
    path = _hosted(tmp_path / "hosted.jsonl")
    events = len(path.read_bytes().splitlines()) - 1
    ex, _, _, recorder, resumed = _resume(path)
    try:
        assert resumed == path and len(ex.events) == events
    finally:
        recorder.close()
    assert open_recording(path).verify().ok


# -- every reader bounded, every writer whole ------------------------------------------------------


def test_a_huge_line_is_refused_after_reading_a_bounded_part_of_it(tmp_path):
    """A 64 MB header line (a sparse file: no disk used) is refused having read 16 MB of it:
    reading a line whole cost twice its size (a 600 MB line, 1.2 GB)."""
    import tracemalloc

    from sim.recording import RecordingError, reader

    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.write(b'{"cdtx_recording":1,"scenario_text":"')
        f.truncate(64 * 2**20)
    tracemalloc.start()
    try:
        with pytest.raises(RecordingError, match=rf"^{path}: line 1: longer than 16 MB"):
            reader.open(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20


def test_an_event_line_over_the_limit_is_refused_with_its_line(tmp_path, monkeypatch):
    from sim.recording import RecordingError, reader

    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(path, ex):
        ex.run("1d")
        ex.note("x" * 100_000)
    # the header fits, the note does not
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 64 * 1024, raising=False)
    at = next(i for i, line in enumerate(path.read_bytes().splitlines(), 1) if b"xxxx" in line)
    with pytest.raises(RecordingError, match=rf"^{path}: line {at}: longer than"):
        reader.open(path)


def _run_on_a_small_disk(path: Path, limit: int) -> subprocess.CompletedProcess:
    """``cdtx run --record PATH`` in a process whose files may not grow past ``limit`` bytes
    (RLIMIT_FSIZE: its writes fail part-way, as on a full disk; Python ignores SIGXFSZ)."""
    pytest.importorskip("resource")
    small_disk = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
        "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
    )
    return subprocess.run([sys.executable, "-c", small_disk, *CDTX, "run", "--record", str(path)],
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_a_full_disk_while_the_header_is_written_leaves_no_file(tmp_path):
    path = tmp_path / "run.jsonl"
    done = _run_on_a_small_disk(path, 4096)  # the header of grid-wiper is about 5 KB
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"cdtx: {path}: cannot write the recording: ")
    assert done.stderr.count("\n") == 1, done.stderr  # one message
    assert done.stdout == ""
    assert not path.exists()  # no partial header that no reader can open


def test_a_full_disk_mid_run_says_how_many_events_the_file_holds(tmp_path):
    path = tmp_path / "run.jsonl"
    done = _run_on_a_small_disk(path, 12_000)  # the header and a few events fit
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "digest" not in done.stdout  # no summary of a run that was not recorded whole
    with pytest.warns(UserWarning, match="no end line"):
        rec = open_recording(path)
    assert rec.events and path.read_bytes().endswith(b"\n")  # whole lines only
    assert f"the recording stopped after {len(rec.events)} events:" in done.stderr
    assert rec.verify().ok


def test_a_recorder_never_closed_still_writes_what_it_was_given(tmp_path, monkeypatch):
    """Dropped without close() (an exception on the way out), the recorder writes its pending
    lines when it is collected, as a buffered file would: a truncated recording of them all."""
    import gc

    from sim.recording import writer

    monkeypatch.setattr(writer, "FLUSH_INTERVAL", float("inf"))  # nothing written before
    path = tmp_path / "dropped.jsonl"
    ex = Exercise("grid-wiper")
    Recorder(path, ex)
    ex.run("5d")
    events = len(ex.events)
    assert path.read_bytes().count(b"\n") < events + 1  # still pending
    del ex  # its log holds the recorder's listener
    gc.collect()
    with pytest.warns(UserWarning, match="no end line"):
        rec = open_recording(path)
    assert len(rec.events) == events
    assert rec.verify().ok


def test_a_flush_from_another_thread_loses_no_event(tmp_path):
    """cdtx host flushes the recording in its network thread (before a seat is sent what it may
    see) while the console's worker runs the exercise in another: no event may be lost or torn
    (the recorder's buffer was unguarded: events vanished from the file, or the engine stopped
    on a BufferError)."""
    import threading

    for trial in range(6):
        path = tmp_path / f"race-{trial}.jsonl"
        ex = Exercise("grid-wiper", seed=trial)
        recorder = Recorder(path, ex)
        done = threading.Event()

        def flusher(recorder=recorder, done=done) -> None:
            while not done.is_set():
                recorder.flush()

        thread = threading.Thread(target=flusher)
        thread.start()
        try:
            while not ex.finished:
                ex.run_steps(ex.steps + 1)
        finally:
            done.set()
            thread.join()
        recorder.close()
        rec = open_recording(path)
        assert len(rec.events) == len(ex.events)
        result = rec.verify()
        assert result.ok, result.message
