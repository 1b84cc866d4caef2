"""Opening, verifying, scrubbing and branching recordings; the replay command's errors."""

from __future__ import annotations

import re
import subprocess
import warnings
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inprocess import cdtx

from sim.clock import format_offset
from sim.events import GENESIS, canonical, chain
from sim.exercise import Exercise
from sim.recording import Recorder, RecordingError, RecordingWarning, reader


def record(path: Path, scenario="grid-wiper", seed=None, until=None, **options) -> Exercise:
    ex = Exercise(scenario, seed, **options)
    with Recorder(path, ex):
        ex.run(until)
    return ex


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, bytes]:
    path = tmp_path_factory.mktemp("small") / "small.jsonl"
    record(path, until="6d")
    return path, path.read_bytes()


def cli(*args: str) -> subprocess.CompletedProcess:
    """``cdtx ARGS`` in this process (tests/inprocess.py; test_cli.py runs the program itself)."""
    return cdtx(*args)


# -- opening -----------------------------------------------------------------------------------


def test_open_reads_header_events_inputs(tmp_path):
    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(path, ex):
        ex.run("2d")
        ex.note("first note")
        ex.submit({"type": "media", "params": {"pressure": 0.5}})
        ex.run()
    rec = reader.open(path)
    assert rec.header["scenario_id"] == "grid-wiper"
    assert [e.kind for e in rec.inputs] == ["input", "input"]
    assert rec.events[0].kind == "started"
    assert [canonical(e) for e in rec.events] == [canonical(e) for e in ex.events[:1]] + [
        canonical(e) for e in rec.events[1:]
    ]
    assert rec.digest == ex.digest
    assert rec.verify().ok


@pytest.mark.parametrize(
    ("header", "event", "says"),
    [
        ({"scenario_text": 5}, None, "line 1: header field scenario_text"),
        ({"seed": True}, None, "line 1: header field seed"),
        ({"players": "DE"}, None, "line 1: header field players"),
        ({"players": ["XX"]}, None, "line 1: header field players"),
        ({"cdtx_recording": True}, None, "line 1: unknown recording format version True"),
        ({"parent": {"path": "x"}}, None, "line 1: header field parent.at"),
        (None, {"data": [1]}, "line 4: not an event"),
        (None, {"t": "soon"}, "line 4: event time t 'soon'"),
        (None, {"t": -1.0}, "line 4: event time t"),
    ],
)
def test_hand_edited_fields_are_refused_with_their_line(small, tmp_path, header, event, says):
    lines = small[1].decode().splitlines()
    for index, change in ((0, header), (3, event)):
        if change:
            raw = orjson.loads(lines[index])
            raw.update(change)
            lines[index] = orjson.dumps(raw).decode()
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match=re.escape(says)), warnings.catch_warnings():
        warnings.simplefilter("ignore", RecordingWarning)
        reader.open(path)


def test_an_event_after_the_horizon_is_refused_when_the_scenario_is_read(small, tmp_path):
    lines = small[1].decode().splitlines()
    raw = orjson.loads(lines[3])
    raw["t"] = 1e308
    lines[3] = orjson.dumps(raw).decode()
    path = tmp_path / "late.jsonl"
    path.write_text("\n".join(lines) + "\n")
    rec = reader.open(path)
    with pytest.raises(
        RecordingError, match="line 4: event time t 1e.308 is after the scenario's horizon"
    ):
        rec.scenario  # noqa: B018 - reading it checks the event times against the horizon


def test_a_delegation_handed_over_mid_run_replays_and_shows_in_the_picture(tmp_path):
    path = tmp_path / "run.jsonl"
    ex = Exercise("grid-wiper", players=["DE"])
    with Recorder(path, ex):
        ex.run("1d")
        ex.set_played("EE", True)
        ex.set_played("DE", False)
        ex.run()
    assert ex.players == ("EE",)
    rec = reader.open(path)
    assert rec.verify().ok
    assert [e.data["control"] for e in rec.inputs] == ["players", "players"]
    before, after = rec.picture_at("23h"), rec.picture_at("2d")
    assert before.states["DE"].played and not before.states["EE"].played
    assert after.states["EE"].played and not after.states["DE"].played
    branch = rec.branch("3d")
    assert branch.players == ("EE",)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.floats(0, 1))
def test_truncated_at_any_offset_opens_and_verifies_as_prefix(small, tmp_path, cut):
    path, data = small
    offset = int(cut * len(data))
    cut_path = tmp_path / "cut.jsonl"
    cut_path.write_bytes(data[:offset])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RecordingWarning)
        try:
            rec = reader.open(cut_path)
        except RecordingError as exc:  # no complete header line
            assert offset <= data.index(b"\n")
            assert str(cut_path) in str(exc)
            return
    assert cut_path.read_bytes() == data[:offset]
    if offset < len(data):
        assert rec.truncated
    result = rec.verify()
    assert result.ok, result.message


def test_every_line_boundary_is_a_valid_prefix(small, tmp_path):
    path, data = small
    ends = [i + 1 for i, b in enumerate(data) if b == 10]
    for offset in ends[1:12] + ends[-3:]:
        cut_path = tmp_path / f"cut-{offset}.jsonl"
        cut_path.write_bytes(data[:offset])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RecordingWarning)
            rec = reader.open(cut_path)
        assert rec.verify().ok


def test_truncation_warns(small, tmp_path):
    path, data = small
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.warns(RecordingWarning, match="incomplete|no end line"):
        rec = reader.open(cut)
    assert rec.truncated and rec.warnings


# -- picture -----------------------------------------------------------------------------------


def test_picture_at_matches_a_fold(tmp_path):
    from sim.picture import Picture

    path = tmp_path / "run.jsonl"
    ex = record(path, seed=3)
    import sim.recording.reader as module

    old = module.CHECKPOINT_EVERY
    module.CHECKPOINT_EVERY = 8
    try:
        rec = reader.open(path)
        for t in (0, 1.5, 24, 100, 333.3, 719, ex.horizon):
            expected = Picture(rec.scenario, ex.players)
            count = 0
            for event in rec.events:
                if event.t <= t:
                    expected.apply(event)
                    count += 1
            got = rec.picture_at(t)
            assert got.seen == count
            assert got.stages == expected.stages
            assert got.states == expected.states
            assert got.adopted == expected.adopted
            assert got.proposals == expected.proposals
        assert rec.picture_at("5d").seen == rec.picture_at(120).seen
    finally:
        module.CHECKPOINT_EVERY = old


# -- branching and inputs ----------------------------------------------------------------------


def test_branch_equals_parent_up_to_t_then_differs(tmp_path):
    parent_path = tmp_path / "parent.jsonl"
    parent = record(parent_path)
    rec = reader.open(parent_path)
    at = 100.0
    child_path = tmp_path / "child.jsonl"
    inject = {"type": "media", "message": "leak", "params": {"pressure": 1.0}}
    ex = rec.branch(at, [inject], record_to=child_path)
    ex.run()
    ex.recorder.close()
    before = [canonical(e) for e in rec.events if e.t <= at]
    child = reader.open(child_path)
    assert [canonical(e) for e in child.events[: len(before)]] == before
    assert child.events[len(before)].kind == "input"
    assert child.digest != parent.digest
    assert child.header["parent"] == {"digest": rec.digest, "at": at, "path": str(parent_path)}
    assert child.verify().ok


def test_interactive_answers_reverify(tmp_path):
    path = tmp_path / "play.jsonl"
    ex = Exercise("grid-wiper", interactive=True)
    answers = 0
    with Recorder(path, ex):
        if ex.scenario.msel:
            ex.skip(ex.scenario.msel[-1].id)
        ex.run()
        while ex.pending and answers < 20:
            request = ex.pending[0]
            ex.answer(request.state, "oppose" if answers % 2 else "support", "instructions")
            answers += 1
            ex.run()
    assert answers > 0
    rec = reader.open(path)
    assert rec.header["interactive"] is True
    assert len(rec.inputs) >= answers
    result = rec.verify()
    assert result.ok, result.message
    assert result.digest == ex.digest


def rechained(lines: list[bytes], edit=lambda index, raw: None) -> bytes:
    """A recording (its lines, without line breaks) with each event passed to ``edit`` and the
    chain and trailer recomputed: self-consistent, as one edited by someone who knows the
    format (only the re-simulation, or a signature, can tell)."""
    head = GENESIS
    out = [lines[0]]
    for index, line in enumerate(lines[1:-1], 1):
        raw = orjson.loads(line)
        raw.pop("h")
        edit(index, raw)
        body = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
        head = chain(head, body)
        out.append(body[:-1] + b',"h":"' + head.encode() + b'"}')
    trailer = orjson.loads(lines[-1])
    trailer["digest"] = head
    out.append(orjson.dumps(trailer))
    return b"\n".join(out) + b"\n"


def test_divergence_names_first_differing_event(tmp_path):
    path = tmp_path / "run.jsonl"
    record(path)
    lines = path.read_bytes().splitlines()

    def forge(index: int, raw: dict) -> None:
        if index == 6:
            raw["data"]["forged"] = True

    path.write_bytes(rechained(lines, forge))
    result = reader.open(path).verify()
    assert not result.ok
    assert result.difference.seq == 5
    assert result.difference.line == 7
    proc = cli("replay", str(path), "--verify")
    assert proc.returncode == 1
    assert "event 5" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- --verify proves what it says: each recording below is edited in one way --------------------


@pytest.fixture(scope="module")
def with_note(tmp_path_factory) -> tuple[Path, list[bytes]]:
    """A recording run to its horizon, with a facilitator's note (an input) at 2d."""
    path = tmp_path_factory.mktemp("noted") / "noted.jsonl"
    ex = Exercise("grid-wiper")
    with Recorder(path, ex):
        ex.run("2d")
        ex.note("the table asks for a map of the outages")
        ex.run()
    return path, path.read_bytes().splitlines(keepends=True)


def _write(tmp_path: Path, name: str, lines: list[bytes]) -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return path


def _line_of(lines: list[bytes], needle: bytes) -> int:
    """The 1-based number of the first line holding ``needle``."""
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _verify_fails(path: Path, *needles: str) -> str:
    proc = cli("replay", str(path), "--verify")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "identical" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr
    return proc.stderr


def test_verify_fails_on_a_zeroed_chain_hash(with_note, tmp_path):
    _, lines = with_note
    raw = orjson.loads(lines[5])
    raw["h"] = "0" * 64
    lines = [*lines[:5], orjson.dumps(raw) + b"\n", *lines[6:]]
    path = _write(tmp_path, "zeroed.jsonl", lines)
    _verify_fails(path, f"{path}: DIFFERS: line 6: chain hash does not match")


def test_verify_fails_on_a_trailer_whose_event_count_is_wrong(with_note, tmp_path):
    _, lines = with_note
    trailer = orjson.loads(lines[-1])
    trailer["events"] += 3
    path = _write(tmp_path, "count.jsonl", [*lines[:-1], orjson.dumps(trailer) + b"\n"])
    n = len(lines) - 2
    with pytest.warns(RecordingWarning, match="end line says"):
        result = reader.open(path).verify()
    assert not result.ok
    _verify_fails(path, f"{path}: DIFFERS: line {len(lines)}: the end line says {n + 3} events, the file "
                        f"holds {n}")  # fmt: skip


def test_verify_fails_on_an_input_edited_in_place_without_a_trailer(with_note, tmp_path):
    """The re-simulation replays the edited note as recorded, so only the chain can tell."""
    _, lines = with_note
    at = _line_of(lines, b"map of the outages")
    edited = lines[at - 1].replace(b"map of the outages", b"map of the ceasefire")
    path = _write(tmp_path, "input.jsonl", [*lines[: at - 1], edited, *lines[at:-1]])
    _verify_fails(path, f"{path}: DIFFERS: line {at}: chain hash does not match")


def test_a_bare_end_line_is_one_clear_message(with_note, tmp_path):
    _, lines = with_note
    path = _write(tmp_path, "bare-end.jsonl", [*lines[:-1], b'{"end": true}\n'])
    for extra in ([], ["--verify"]):
        proc = cli("replay", str(path), *extra)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"cdtx: {path}: line {len(lines)}: the end line's events "
                                      "is missing")  # fmt: skip


@pytest.mark.parametrize("what", ["not an event", "no chain hash"])
def test_lines_after_the_header_that_are_not_chained_events_are_refused(with_note, tmp_path, what):
    _, lines = with_note
    if what == "not an event":
        rest = [b'{"hello": "world"}\n']
    else:  # events without their "h": nothing chains them
        rest = []
        for line in lines[1:-1]:
            raw = orjson.loads(line)
            del raw["h"]
            rest.append(orjson.dumps(raw) + b"\n")
    path = _write(tmp_path, "unchained.jsonl", [lines[0], *rest])
    proc = cli("replay", str(path), "--verify")
    assert proc.returncode == 1, proc.stdout
    assert proc.stderr.startswith(f"cdtx: {path}: line 2: not an event"), proc.stderr
    assert "identical" not in proc.stdout


def _cut_back(lines: list[bytes], drop: int, **trailer_fields) -> list[bytes]:
    """The recording without its last ``drop`` events, closed by a trailer consistent with the
    events that stay (their count, the last one's chain hash), plus ``trailer_fields``."""
    kept = lines[: len(lines) - 1 - drop]
    trailer = orjson.loads(lines[-1])
    trailer.pop("ended", None)
    trailer.update(events=len(kept) - 1, digest=orjson.loads(kept[-1])["h"], **trailer_fields)
    return [*kept, orjson.dumps(trailer) + b"\n"]


def test_a_recording_that_stops_early_but_claims_its_end_is_refused(with_note, tmp_path):
    _, lines = with_note
    assert orjson.loads(lines[-1])["ended"] is True  # run to its horizon
    path = _write(tmp_path, "early.jsonl", _cut_back(lines, 5, ended=True))
    _verify_fails(path, f"{path}: DIFFERS: line {len(lines) - 5}: the end line says the run reached its "
                        "horizon (30d)", "the recording stopped early")  # fmt: skip


def test_verify_says_where_a_run_stopped_before_its_horizon(with_note, tmp_path):
    """Old trailers have no "ended": the recording verifies, and says the run stopped early."""
    _, lines = with_note
    old = _write(tmp_path, "old-whole.jsonl", _cut_back(lines, 0))
    proc = cli("replay", str(old), "--verify")
    assert proc.returncode == 0, proc.stderr
    assert "identical" in proc.stdout and "stopped" not in proc.stdout
    cut = _cut_back(lines, 5)
    stop = format_offset(orjson.loads(cut[-2])["t"])
    proc = cli("replay", str(_write(tmp_path, "old-early.jsonl", cut)), "--verify")
    assert proc.returncode == 0, proc.stderr
    assert f"identical: {len(lines) - 7} events" in proc.stdout
    assert f"(the run stopped at {stop}, before its horizon (30d))" in proc.stdout
    proc = cli("replay", str(_write(tmp_path, "killed.jsonl", cut[:-1])), "--verify")
    assert proc.returncode == 0, proc.stderr
    assert f"verified as a prefix: the run stopped at {stop}, before its horizon" in proc.stdout


# -- errors ------------------------------------------------------------------------------------


def _bad_files(tmp_path: Path, small: tuple[Path, bytes]) -> dict[str, Path]:
    _, data = small
    header, rest = data.split(b"\n", 1)
    files = {}
    files["missing"] = tmp_path / "nope.jsonl"
    files["directory"] = tmp_path / "dir.jsonl"
    files["directory"].mkdir()
    files["empty"] = tmp_path / "empty.jsonl"
    files["empty"].write_bytes(b"")
    files["not a recording"] = tmp_path / "scenario.jsonl"
    files["not a recording"].write_text("cdtx: 1\nid: x\n")
    files["not json lines"] = tmp_path / "other.jsonl"
    files["not json lines"].write_bytes(b'{"hello": "world"}\n')
    raw = orjson.loads(header)
    raw["cdtx_recording"] = 99
    files["version"] = tmp_path / "v99.jsonl"
    files["version"].write_bytes(orjson.dumps(raw) + b"\n" + rest)
    raw = orjson.loads(header)
    raw["scenario_text"] = raw["scenario_text"].replace("horizon: 30d", "horizon: 30 days")
    files["invalid scenario"] = tmp_path / "invalid.jsonl"
    files["invalid scenario"].write_bytes(orjson.dumps(raw) + b"\n" + rest)
    lines = data.splitlines(keepends=True)
    lines[4] = b"{not json\n"
    files["bad line"] = tmp_path / "bad-line.jsonl"
    files["bad line"].write_bytes(b"".join(lines))
    return files


def test_bad_inputs_raise_recording_error(tmp_path, small):
    files = _bad_files(tmp_path, small)
    for name, path in files.items():
        before = path.read_bytes() if path.is_file() else None
        with pytest.raises(RecordingError) as info:
            rec = reader.open(path)
            rec.verify()
        assert str(path) in str(info.value), name
        if name == "version":
            assert "version 99" in str(info.value)
        if name == "bad line":
            assert "line 5" in str(info.value)
        if before is not None:
            assert path.read_bytes() == before


def test_bad_inputs_exit_1_without_traceback(tmp_path, small):
    files = _bad_files(tmp_path, small)
    for name, path in files.items():
        for extra in ([], ["--verify"]):
            proc = cli("replay", str(path), *extra)
            assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
            assert proc.stderr.startswith("cdtx: "), (name, proc.stderr)
            assert "Traceback" not in proc.stderr
            assert str(path) in proc.stderr


def test_other_cdtx_version_warns_and_compares(tmp_path, small):
    _, data = small
    header, rest = data.split(b"\n", 1)
    raw = orjson.loads(header)
    raw["cdtx_version"] = "0.0.1-old"
    path = tmp_path / "old.jsonl"
    path.write_bytes(orjson.dumps(raw) + b"\n" + rest)
    with pytest.warns(RecordingWarning, match="0.0.1-old"):
        rec = reader.open(path)
    assert rec.verify().ok
    proc = cli("replay", str(path), "--verify")
    assert proc.returncode == 0
    assert "0.0.1-old" in proc.stderr


def test_replay_prints_timeline_and_picture(small):
    path, data = small
    proc = cli("replay", str(path), "--at", "3d")
    assert proc.returncode == 0, proc.stderr
    # Labelled with the time asked for, not that of the last event before it.
    assert "Situation picture at Mon 09 Mar 2026 05:40  T+3d 00:00" in proc.stdout
    assert "digest" in proc.stdout
    assert path.read_bytes() == data


def test_run_from_recording_with_injects(tmp_path, small):
    path, data = small
    injects = tmp_path / "injects.yaml"
    injects.write_text(
        "- type: media\n  message: leak\n  params: {pressure: 0.9}\n"
        "- type: note\n  at: 4d\n  params: {text: later}\n"
    )
    out = tmp_path / "branch.jsonl"
    proc = cli("run", "--from", str(path), "--at", "2d", "--inject", str(injects),
               "--record", str(out), "--until", "10d")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    child = reader.open(out)
    assert child.header["parent"]["at"] == 48.0
    assert len(child.inputs) == 2
    assert child.verify().ok
    assert path.read_bytes() == data


def test_bad_inject_file(tmp_path, small):
    path, _ = small
    injects = tmp_path / "bad.yaml"
    injects.write_text("- type: media\n  params: {pressure: 7}\n")
    proc = cli("run", "--from", str(path), "--at", "2d", "--inject", str(injects))
    assert proc.returncode == 1
    assert f"{injects}:2:" in proc.stderr
    assert "Traceback" not in proc.stderr
    # Refused only when applied (before the branch point, unknown actor): still located.
    injects.write_text(
        "- type: media\n  params: {pressure: 0.5}\n"
        "- type: intel\n  to: [PL]\n  at: 1d\n  params: {actor: iron-lantern, confidence: 0.2}\n"
    )
    proc = cli("run", "--from", str(path), "--at", "2d", "--inject", str(injects))
    assert proc.returncode == 1
    assert f"{injects}:5:7: inject 2: at:" in proc.stderr and "in the past" in proc.stderr
    injects.write_text("type: media\n")
    proc = cli("run", "--inject", str(injects))
    assert proc.returncode == 1 and "list of injects" in proc.stderr
    proc = cli("run", "--at", "2d")
    assert proc.returncode == 1 and proc.stderr.startswith("cdtx: ")


def test_record_may_not_overwrite_its_source(small):
    path, data = small
    proc = cli("run", "--from", str(path), "--record", str(path))
    assert proc.returncode == 1 and "overwrite" in proc.stderr
    assert path.read_bytes() == data


def test_record_to_unwritable_path(tmp_path):
    proc = cli("run", "--record", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr.startswith("cdtx: ") and "Traceback" not in proc.stderr


def test_a_live_run_moved_on_in_small_slices_verifies(tmp_path):
    """Moving the clock to the end of each slice (``run(until)``) must not change the kernel step
    counts that the inputs record: replay moves the clock only before each input. With SimPy's
    ``run(until)`` the spent stop event stayed queued and every slice counted one step more."""
    path = tmp_path / "sliced.jsonl"
    ex = Exercise("grid-wiper", players=["DE"], interactive=True)
    with Recorder(path, ex):
        while not ex.finished:
            ex.run(until=min(ex.now + 0.37, ex.horizon))
            while ex.pending:
                ex.answer(ex.pending[0].state, "support")
    assert any(e.is_input for e in ex.events)  # the answers are there to be placed again
    result = reader.open(path).verify()
    assert result.ok, result.message


def test_a_recording_of_another_version_that_differs_says_why_it_may(tmp_path, small):
    """A recording made before a model change (CHANGELOG.md) re-simulates differently: --verify
    says where, and that the recording was made with another cdtx."""
    _, data = small
    lines = data.splitlines()
    header = orjson.loads(lines[0])
    header["cdtx_version"] = "0.1.0"
    lines[0] = orjson.dumps(header)
    # What an older model recorded (a valid chain over other events): another confidence.
    at = next(i for i, line in enumerate(lines) if b'"kind":"evidence"' in line)

    def older(index: int, event: dict) -> None:
        if index == at:
            event["data"]["confidence"] = 0.5 if event["data"]["confidence"] != 0.5 else 0.6

    path = tmp_path / "older.jsonl"
    path.write_bytes(rechained(lines, older))
    proc = cli("replay", str(path), "--verify")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"DIFFERS: diverges at event {at - 1} (line {at + 1})" in proc.stderr
    assert "recorded with cdtx 0.1.0, this is cdtx" in proc.stderr
    assert "CHANGELOG.md" in proc.stderr


def test_run_from_a_live_session_says_where_it_waits_for_people(tmp_path):
    """A recording of a live session continues with its played delegations: `cdtx run --from`
    stops where their people must answer and says so (it does not end as if at the horizon)."""
    path = tmp_path / "live.jsonl"
    ex = record(path, seed=1, players=["DE"], interactive=True)
    assert ex.pending  # the recording stops at DE's first decision
    proc = cli("run", "--from", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "waiting for the people of a played delegation (DE on P-1" in proc.stderr
    result = orjson.loads(proc.stdout)
    assert result["ended"] is False
    assert result["awaiting"] == [{"state": "DE", "proposal": "P-1", "measure": "hr_declaration"}]


def test_chat_is_open_as_the_latest_allow_chat_left_it_live_replayed_branched_and_resumed(tmp_path):
    """Exercise.chat_allowed follows the facilitator's allow_chat remarks as they are applied,
    so a replay, a branch and a resume (a re-simulation) find chat open or closed as it was;
    the seat rule (seat_rules.check_chat) reads it."""
    from sim.exercise import InjectError
    from sim.recording import open as open_recording
    from sim.seat_rules import check_chat

    path = tmp_path / "chat.jsonl"
    ex = Exercise("satcom-war", interactive=True)  # DE and PL played

    def chat(exercise: Exercise, text: str):
        exercise.seat = "DE"
        try:
            return exercise.remark("chat", text, to=check_chat(exercise, "PL"))
        finally:
            exercise.seat = None

    with Recorder(path, ex):
        ex.run("2h")
        assert not ex.chat_allowed
        with pytest.raises(InjectError, match="has not opened chat"):
            chat(ex, "before")
        opened = ex.remark("allow_chat", allowed=True)
        assert ex.chat_allowed
        chat(ex, "shall we abstain?")
        closed = ex.remark("allow_chat", allowed=False)
        assert not ex.chat_allowed
        with pytest.raises(InjectError, match="has not opened chat"):
            chat(ex, "after")
        reopened = ex.remark("allow_chat", allowed=True)
    recording = open_recording(path)
    assert recording.verify().ok, recording.verify().message
    resumed = recording.resimulate()  # what cdtx host --resume and cdtx replay re-simulate
    assert resumed.digest == ex.digest and resumed.chat_allowed
    assert chat(resumed, "after the resume").data["to"] == "PL"
    for after, allowed in ((opened, True), (closed, False), (reopened, True)):
        branched = recording.branch(after_event=after.seq)
        assert branched.chat_allowed is allowed, after.seq
    assert recording.branch(after_event=opened.seq - 1).chat_allowed is False
