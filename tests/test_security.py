"""Hostile files, shared screens and full disks (issue 17): each refusal names the place, exits 1
and never hangs, exhausts memory or writes a partial file that claims success."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scenarios import ScenarioError, load_text
from scenarios.load import builtin_path, load_injects
from scenarios.safe_read import (
    MAX_DEPTH,
    MAX_VALUES,
    read_bytes,
    read_json,
    read_yaml,
)

ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
       f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
       f"*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
)  # fmt: skip


def problem_of(call) -> str:
    with pytest.raises(ScenarioError) as info:
        call()
    assert len(info.value.problems) == 1
    return str(info.value.problems[0])


# -- one bounded reader ------------------------------------------------------------------------


def test_reader_refuses_alias_bombs_deep_nesting_huge_ints_and_duplicate_keys(tmp_path):
    bomb = problem_of(lambda: read_yaml(ALIAS_BOMB, what="a keymap", shown="k.yaml"))
    assert bomb.startswith("k.yaml:") and f"more than {MAX_VALUES} values" in bomb
    assert len(bomb) < 300  # not a 522 MB message
    deep = "[" * 10_000 + "]" * 10_000
    assert f"nested more than {MAX_DEPTH} levels" in problem_of(
        lambda: read_yaml(deep, what="x", shown="d.yaml")
    )
    assert f"nested more than {MAX_DEPTH} levels" in problem_of(
        lambda: read_json(deep, what="x", shown="d.json")
    )
    huge = "n: " + "9" * 5000
    assert "d.yaml:1:4: invalid YAML: integer of 5000 characters" in problem_of(
        lambda: read_yaml(huge, what="x", shown="d.yaml")
    )
    assert "integer of 5000 characters" in problem_of(
        lambda: read_json('{"n": ' + "9" * 5000 + "}", what="x", shown="d.json")
    )
    assert "d.yaml:2:1: invalid YAML: duplicate key 'a'" in problem_of(
        lambda: read_yaml("a: 1\na: 2\n", what="x", shown="d.yaml")
    )
    assert "duplicate key 'a'" in problem_of(
        lambda: read_json('{"a": 1, "a": 2}', what="x", shown="d.json")
    )
    assert "NaN" in problem_of(lambda: read_json('{"a": NaN}', what="x", shown="d.json"))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_reader_refuses_devices_and_fifos_without_reading_or_blocking(tmp_path):
    assert "is not a regular file" in problem_of(
        lambda: read_bytes(Path("/dev/zero"), what="a scenario file")
    )
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # no writer: a plain open() would block forever
    assert "is not a regular file" in problem_of(lambda: read_bytes(fifo, what="a scenario file"))
    assert "is not a regular file" in problem_of(lambda: scenarios_load(fifo))
    assert "is not a regular file" in problem_of(lambda: load_injects(fifo))


def scenarios_load(path: Path):
    import scenarios

    return scenarios.load(path)


def test_reader_bounds_size_before_reading(tmp_path, monkeypatch):
    from scenarios import safe_read

    class Unreadable:
        """The opened file, whose content must not be read: its size already says too large."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.handle.close()

        def fileno(self):
            return self.handle.fileno()

        def read(self, size=-1):
            raise AssertionError("read a file whose size already refuses it")

    opened = safe_read.open_regular
    monkeypatch.setattr(safe_read, "open_regular", lambda *a, **kw: Unreadable(opened(*a, **kw)))
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024)
    assert "too large" in problem_of(lambda: read_yaml(big, what="a keymap", max_bytes=1024))


def test_scenarios_and_inject_files_refuse_deep_nesting_and_huge_integers(tmp_path):
    text = builtin_path("grid-wiper").read_text(encoding="utf-8")
    deep = text + "\nextra: " + "[" * 600 + "]" * 600 + "\n"
    assert "nested more than" in problem_of(lambda: load_text(deep, "s.yaml"))
    huge = re.sub(r"(?m)^seed: .*$", "seed: " + "9" * 4400, text, count=1)
    assert "integer of" in problem_of(lambda: load_text(huge, "s.yaml"))
    injects = tmp_path / "injects.yaml"
    injects.write_text("- type: media\n  params: " + "[" * 600 + "]" * 600 + "\n")
    assert "nested more than" in problem_of(lambda: load_injects(injects))


def test_keymap_goes_through_the_bounded_reader(tmp_path, monkeypatch):
    from tui.cli import UserError
    from tui.keymap import load_keymap

    keymap = tmp_path / "keymap.yaml"
    keymap.write_text(ALIAS_BOMB)
    with pytest.raises(UserError, match="more than .* values"):
        load_keymap(keymap)
    keymap.write_text("clock.step: s\nclock.step: t\n")
    with pytest.raises(UserError, match="duplicate key 'clock.step'"):
        load_keymap(keymap)
    keymap.write_text("# nothing remapped yet\n")
    assert load_keymap(keymap) == {}


# -- spreadsheets ------------------------------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2", "@SUM(A1)", "\tTab",
           "'=already quoted", "''@twice", "plain", "'not a formula"]  # fmt: skip


def _hostile_scenario():
    import scenarios

    original = scenarios.load("grid-wiper")
    entries = [
        entry.model_copy(update={"message": HOSTILE[i % len(HOSTILE)]})
        for i, entry in enumerate(original.msel)
    ]
    return original.model_copy(update={"msel": entries}), entries


def test_csv_export_neutralises_formulas_and_round_trips_exactly(tmp_path):
    import csv

    from scenarios import msel

    scenario, entries = _hostile_scenario()
    sheet = msel.export(scenario, tmp_path / "msel.csv")
    with sheet.open(encoding="utf-8", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert msel.read(sheet) == entries  # the quotes come off again on import


def test_xlsx_export_stores_text_as_text_and_import_refuses_formulas(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from scenarios import msel

    scenario, entries = _hostile_scenario()
    sheet = msel.export(scenario, tmp_path / "msel.xlsx")
    book = openpyxl.load_workbook(sheet)
    kinds = {cell.data_type for row in book.active.iter_rows() for cell in row}
    assert "f" not in kinds  # no live formula
    assert msel.read(sheet) == entries
    # A sheet edited in a spreadsheet program can hold a formula: refused, never dropped.
    book.active["G2"] = '=HYPERLINK("http://evil.example","click")'
    book.save(sheet)
    with pytest.raises(msel.MselError) as info:
        msel.read(sheet)
    assert "row 2, column G: holds the formula" in str(info.value)


def test_msel_rows_are_bounded_and_said_plainly(tmp_path):
    from scenarios import msel

    sheet = tmp_path / "long.csv"
    row = 'M-{},1h,note,,EE,,hello,,,,,"{{""text"": ""x""}}",planned\n'
    with sheet.open("w", encoding="utf-8") as handle:
        handle.write(",".join(msel.HEADERS) + "\n")
        handle.writelines(row.format(i) for i in range(msel.MAX_ROWS + 5))
    with pytest.raises(msel.MselError, match=f"more than {msel.MAX_ROWS} rows"):
        msel.read(sheet)
    empty = tmp_path / "empty-rows.csv"
    empty.write_text(",".join(msel.HEADERS) + "\n" + ",\n" * (msel.MAX_SCANNED_ROWS + 1))
    with pytest.raises(msel.MselError, match="empty ones included"):
        msel.read(empty)


def test_msel_params_go_through_the_bounded_reader(tmp_path):
    from scenarios import msel

    table = msel.rows(__import__("scenarios").load("grid-wiper"))
    table[1][11] = '{"pressure": ' + "9" * 5000 + "}"
    table[2][11] = "[" * 600 + "]" * 600
    table[3][11] = '{"a": 1, "a": 2}'
    with pytest.raises(msel.MselError) as info:
        msel.parse_rows(table, "m.csv")
    problems = info.value.problems
    assert any("row 2" in p and "integer of 5000 characters" in p for p in problems)
    assert any("row 3" in p and "nested more than" in p for p in problems)
    assert any("row 4" in p and "duplicate key 'a'" in p for p in problems)


# -- times and durations bounded to what the model represents -----------------------------------

HUGE_DAYS = "9" * 309 + "d"


@pytest.mark.parametrize(
    "at", [float("nan"), float("inf"), 10**400, 1e300, HUGE_DAYS, "T+99999999999:00:00"]
)
def test_submit_refuses_times_the_model_cannot_represent(at):
    import scenarios
    from sim import Exercise, InjectError

    ex = Exercise(scenarios.load("grid-wiper"), 1)
    with pytest.raises(InjectError, match="^at: "):
        ex.submit({"type": "note", "at": at, "params": {"text": "x"}})


def test_overflowing_durations_are_refused_where_they_are_written(tmp_path, capsys):
    from sim.clock import parse_offset
    from tui.cli import main

    text = builtin_path("grid-wiper").read_text(encoding="utf-8")
    huge = re.sub(r"(?m)^horizon: .*$", "horizon: " + HUGE_DAYS, text, count=1)
    assert "horizon: " in problem_of(lambda: load_text(huge, "s.yaml"))
    with pytest.raises(ValueError, match="longer than 100 years"):
        parse_offset("1000000w")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(huge)
    for args in (["run", str(scenario)], ["run", "--until", HUGE_DAYS]):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse's own errors exit 2
            code = exc.code
        err = capsys.readouterr().err
        assert code in (1, 2) and "Traceback" not in err and "OverflowError" not in err
    injects = tmp_path / "injects.yaml"
    injects.write_text(f"- type: note\n  at: {HUGE_DAYS}\n  params: {{text: x}}\n")
    assert "not a duration cdtx can represent" in problem_of(lambda: load_injects(injects))


# -- terminals and reports ---------------------------------------------------------------------

ESCAPES = "\\e]0;pwned\\a\\e[2J<script>alert(1)</script>"  # YAML double-quoted escapes


def _hostile_title_scenario(tmp_path: Path) -> Path:
    text = builtin_path("grid-wiper").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", lambda _: f'title: "Grid {ESCAPES}"', text, count=1)
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_run_replay_and_reports_never_print_control_characters_or_html(tmp_path, capsys):
    from tui.cli import main

    scenario = _hostile_title_scenario(tmp_path)
    assert "\x1b" in load_text(scenario.read_text(), "s").title  # the file really holds ESC
    recording = tmp_path / "run.jsonl"
    assert main(["run", str(scenario), "--until", "2d", "--record", str(recording)]) == 0
    out = capsys.readouterr().out
    assert "Grid \\x1b]0;pwned\\x07\\x1b[2J" in out and "\x1b" not in out and "\x07" not in out
    assert main(["replay", str(recording)]) == 0
    out = capsys.readouterr().out
    assert "Grid \\x1b]0;pwned" in out and "\x1b" not in out
    for fmt in ("md", "html"):
        report = tmp_path / f"report.{fmt}"
        assert main(["report", str(recording), "-o", str(report)]) == 0
        text = report.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x07" not in text
        assert "<script>" not in text and "&lt;script" in text
    assert main(["report", str(recording)]) == 0  # Markdown to the terminal
    out = capsys.readouterr().out
    assert "\x1b" not in out and "<script>" not in out


# -- replay is linear in the events ---------------------------------------------------------------


def test_text_replay_folds_once_and_checkpoints_share_notes(tmp_path):
    import io

    import scenarios
    from sim import Exercise, recording
    from sim.recording import Recorder
    from tui.cli.replay import print_replay

    path = tmp_path / "notes.jsonl"
    ex = Exercise(scenarios.load("grid-wiper"), 1)
    with Recorder(path, ex):
        ex.run("1d")
        for i in range(1200):  # more than two checkpoints' worth of notes
            ex.note(f"note {i}")
        ex.run("2d")
    rec = recording.open(path)
    out = io.StringIO()
    print_replay(rec, rec.scenario, None, out)
    assert rec._checkpoints is None  # one fold, not a deep copy of every note per checkpoint
    assert "note 1199" in out.getvalue()
    end = rec.end_time
    assert rec.fold_to(end).notes == rec.picture_at(end).notes
    first, last = rec._checkpoints[1], rec._checkpoints[-1]
    assert first.notes and first.notes[0] is last.notes[0]  # shared, never copied


# -- one output rule, one atomic writer -----------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KB tmpfs (root only): a real full disk. Skipped where it cannot be mounted."""
    import shutil
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_output_rule_refuses_links_directories_inputs_and_existing_files(tmp_path):
    from scenarios.safe_write import OutputError, check_output

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    for path, force, needle in [
        (link, True, "symbolic link"),
        (dangling, True, "symbolic link"),
        (tmp_path, True, "is a directory"),
        (victim, False, "already exists; give --force"),
        (tmp_path / "no-dir" / "x.md", False, "no such directory"),
    ]:
        with pytest.raises(OutputError, match=needle):
            check_output(path, force=force)
    with pytest.raises(OutputError, match="would overwrite the input"):
        check_output(link, inputs=[str(victim)], force=True)
    assert check_output(victim, force=True) == victim
    assert victim.read_text() == "precious"


def test_atomic_writer_never_overwrites_without_force_and_leaves_no_temp(tmp_path):
    from scenarios.safe_write import OutputError, write_atomic

    target = tmp_path / "out.md"
    write_atomic(target, "one")
    with pytest.raises(OutputError, match="already exists"):
        write_atomic(target, "two")
    write_atomic(target, "three", force=True)
    assert target.read_text() == "three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_disk_full_leaves_the_target_as_it_was(tmp_path, monkeypatch):
    import errno

    from scenarios import safe_write

    target = tmp_path / "scenario.yaml"
    target.write_text("the original\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_write.os, "fsync", full)
    with pytest.raises(safe_write.OutputError, match="no space left.*not written"):
        safe_write.write_atomic(target, "x" * 100_000, force=True)
    assert target.read_text() == "the original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_disk_full_on_a_real_tiny_disk(tiny_disk):
    from scenarios.safe_write import OutputError, write_atomic

    target = tiny_disk / "report.md"
    target.write_text("old report\n")
    with pytest.raises(OutputError, match="no space left"):
        write_atomic(target, "x" * 1_000_000, force=True)
    assert target.read_text() == "old report\n"
    assert [p.name for p in tiny_disk.iterdir()] == ["report.md"]


def test_recordings_are_created_exclusively_with_unique_names(tmp_path):
    from scenarios.safe_write import OutputError, create_exclusive, create_unique

    first = create_exclusive(tmp_path / "run.jsonl")
    first.write(b"line\n")
    first.close()
    with pytest.raises(OutputError, match="already exists"):
        create_exclusive(tmp_path / "run.jsonl")
    assert (tmp_path / "run.jsonl").read_bytes() == b"line\n"  # never truncated
    names = []
    for _ in range(5):  # five browser sessions starting in the same second
        path, handle = create_unique(tmp_path, "session", ".jsonl")
        handle.close()
        names.append(path.name)
    assert len(set(names)) == 5


# -- recordings: the header is covered, inputs bounded ------------------------------------------


@pytest.fixture
def recorded(tmp_path) -> Path:
    from tui.cli import main

    path = tmp_path / "run.jsonl"
    assert main(["run", "--until", "3d", "--record", str(path)]) == 0
    return path


def _edit_header(path: Path, out: Path, edit) -> Path:
    import orjson

    header, rest = path.read_bytes().split(b"\n", 1)
    data = orjson.loads(header)
    edit(data)
    out.write_bytes(orjson.dumps(data) + b"\n" + rest)
    return out


def test_verify_catches_an_edited_objective_target_in_the_header(recorded, tmp_path, capsys):
    import hashlib

    from sim import recording

    def retarget(header):
        text = header["scenario_text"]
        target = re.search(r"(?m)^(\s+target: )(\S+)$", text)
        header["scenario_text"] = text[: target.start(2)] + "999d" + text[target.end(2) :]

    edited = _edit_header(recorded, tmp_path / "edited.jsonl", retarget)
    result = recording.open(edited).verify()
    assert not result and "scenario_sha256 does not match" in result.message

    def retarget_and_rehash(header):
        retarget(header)
        header["scenario_sha256"] = hashlib.sha256(header["scenario_text"].encode()).hexdigest()

    rehashed = _edit_header(recorded, tmp_path / "rehashed.jsonl", retarget_and_rehash)
    result = recording.open(rehashed).verify()
    assert not result and "line 1" in result.message  # the started event commits to the text
    assert recording.open(recorded).verify()


def test_recordings_refuse_huge_embedded_scenarios_deep_data_and_devices(recorded, tmp_path):
    import json

    import orjson

    from sim import recording
    from sim.recording import RecordingError

    def inflate(header):
        header["scenario_text"] += "\n# " + "x" * (3 * 1024 * 1024)

    huge = _edit_header(recorded, tmp_path / "huge.jsonl", inflate)
    with pytest.raises(RecordingError, match="line 1: the embedded scenario is larger"):
        recording.open(huge)
    lines = recorded.read_bytes().splitlines(keepends=True)
    event = orjson.loads(lines[3])
    event["data"]["deep"] = json.loads("[" * 300 + "]" * 300)
    lines[3] = json.dumps(event).encode() + b"\n"  # orjson itself stops at 254 levels
    deep = tmp_path / "deep.jsonl"
    deep.write_bytes(b"".join(lines))
    with pytest.raises(RecordingError, match="line 4: nested more than"):
        recording.open(deep)
    with pytest.raises(RecordingError, match="not a regular file"):
        recording.open("/dev/zero")
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(RecordingError, match="not a regular file"):
        recording.open(fifo)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    from tui.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_every_output_refuses_existing_files_and_links_unless_forced(recorded, tmp_path, capsys):
    commands = {
        "run": lambda out: ["run", "--until", "1d", "--record", str(out)],
        "report": lambda out: ["report", str(recorded), "--format", "md", "-o", str(out)],
        "msel export": lambda out: ["msel", "export", "grid-wiper", "-o", str(out)],
        "msel import": lambda out: [
            "msel",
            "import",
            str(sheet),
            "--into",
            "grid-wiper",
            "-o",
            str(out),
        ],  # fmt: skip
    }
    sheet = tmp_path / "msel.csv"
    assert _run(capsys, "msel", "export", "grid-wiper", "-o", str(sheet))[0] == 0
    for name, args in commands.items():
        victim = tmp_path / f"{name}-victim.csv"
        victim.write_text("precious")
        link = tmp_path / f"{name}-link.csv"
        link.symlink_to(victim)
        code, _, err = _run(capsys, *args(victim))
        assert code == 1 and "already exists; give --force" in err, (name, err)
        for force in ([], ["--force"]):  # a link: never, even with --force
            code, _, err = _run(capsys, *args(link), *force)
            assert code == 1 and "symbolic link" in err and "Traceback" not in err, (name, err)
        assert victim.read_text() == "precious"
        assert _run(capsys, *args(victim), "--force")[0] == 0, name
        assert victim.read_text() != "precious"


def test_disk_full_is_one_message_and_exit_1_never_a_claim_of_success(recorded, tiny_disk, capsys):
    from sim import recording

    (tiny_disk / "filler").write_bytes(b"x" * 48 * 1024)  # 16 KB left: the header fits
    full = tiny_disk / "full.jsonl"
    code, out, err = _run(capsys, "run", "--record", str(full))
    assert code == 1 and "no space left" in err and "Traceback" not in err, err
    assert "digest" not in out  # no summary claiming a finished, recorded run
    with pytest.warns(UserWarning):  # what was written is a valid, truncated prefix
        assert recording.open(full).truncated
    full.unlink()
    (tiny_disk / "filler").write_bytes(b"x" * 60 * 1024)  # 4 KB left
    report = tiny_disk / "report.html"
    code, out, err = _run(capsys, "report", str(recorded), "-o", str(report))
    assert code == 1 and "no space left" in err and "Traceback" not in err, err
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]  # no partial report


# -- the browser console ---------------------------------------------------------------------------


def test_serve_checks_host_and_origin_against_the_served_address():
    from tui.cli.serve import refusal

    assert refusal("127.0.0.1:8000", None, "127.0.0.1", 8000) is None
    assert refusal("localhost:8000", "http://localhost:8000", "127.0.0.1", 8000) is None
    assert refusal("127.0.0.1:8000", "http://localhost:8000", "127.0.0.1", 8000) is None
    assert "another site" in refusal("127.0.0.1:8000", "https://evil.example", "127.0.0.1", 8000)
    assert "another site" in refusal("127.0.0.1:8000", "http://127.0.0.1:9", "127.0.0.1", 8000)
    assert "not a web page of this console" in refusal("127.0.0.1:8000", "null", "127.0.0.1", 8000)
    assert "not the address" in refusal(
        "evil.example:8000", "http://evil.example:8000", "127.0.0.1", 8000
    )
    assert "no Host header" in refusal(None, None, "127.0.0.1", 8000)
    assert refusal("[::1]:8000", "http://[::1]:8000", "::1", 8000) is None
    # any loopback address accepts itself, not only 127.0.0.1
    assert refusal("127.0.0.2:8000", "http://127.0.0.2:8000", "127.0.0.2", 8000) is None


def test_serve_on_a_wildcard_accepts_the_machines_names_and_refuses_a_rebound_one(monkeypatch):
    import tui.web_guard
    from tui.cli.serve import refusal

    monkeypatch.setattr(tui.web_guard, "machine_names", lambda: ("10.0.0.5", "box", "localhost"))
    for wildcard in ("0.0.0.0", "::"):
        assert refusal("10.0.0.5:8000", "http://10.0.0.5:8000", wildcard, 8000) is None
        assert refusal("box:8000", None, wildcard, 8000) is None
        assert "another site" in refusal("10.0.0.5:8000", "https://evil.example", wildcard, 8000)
        # a DNS-rebinding page: its own name in both Host and Origin
        assert "not the address" in refusal(
            "evil.example:8000", "http://evil.example:8000", wildcard, 8000
        )
        assert "not the address" in refusal("alias.lan:8000", None, wildcard, 8000)
        assert refusal("alias.lan:8000", None, wildcard, 8000, ("alias.lan",)) is None


def test_machine_names_include_loopback_and_this_hosts_name():
    import socket

    from tui.web_guard import machine_names

    names = machine_names()
    assert {"127.0.0.1", "localhost", "::1", socket.gethostname()} <= set(names)


def test_serve_takes_repeatable_allowed_host():
    from tui.cli import build_parser

    args = build_parser().parse_args(
        ["serve", "--allowed-host", "a.lan", "--allowed-host", "b.lan"]
    )
    assert args.allowed_host == ["a.lan", "b.lan"]


def test_serve_needs_allow_remote_for_other_machines_and_says_when_the_port_is_taken(capsys):
    import socket

    from scenarios.errors import UserError
    from tui.cli.serve import check_port_free

    for host in ("0.0.0.0", "192.0.2.1"):
        code, _, err = _run(capsys, "serve", "--host", host)
        assert code == 1 and "--allow-remote" in err and "Traceback" not in err
    busy = socket.create_server(("127.0.0.1", 0))
    try:
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=f"port {port} on 127.0.0.1 is already in use"):
            check_port_free("127.0.0.1", port)
    finally:
        busy.close()


def test_served_console_refuses_other_sites_and_rebound_names():
    pytest.importorskip("textual_serve")
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from tui.cli.serve import guarded_server_class

    async def statuses() -> list[int]:
        server = guarded_server_class("127.0.0.1", 8000)("true", host="127.0.0.1", port=8000)
        app = await server._make_app()
        app.on_startup.clear()  # textual-serve's banner
        async with TestClient(TestServer(app)) as client:
            cases = [
                {"Host": "127.0.0.1:8000"},
                {"Host": "127.0.0.1:8000", "Origin": "https://evil.example"},
                {"Host": "evil.example:8000"},
                {"Host": "127.0.0.1:8000", "Origin": "https://evil.example",
                 "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
            ]  # fmt: skip
            results = []
            for headers in cases:
                path = "/ws" if "Upgrade" in headers else "/"
                response = await client.get(path, headers=headers)
                results.append(response.status)
            return results

    assert asyncio.run(statuses()) == [200, 403, 403, 403]


def test_console_sessions_record_to_unique_files(tmp_path):
    import scenarios
    from sim import Exercise
    from sim.recording import Recorder

    paths = []
    for _ in range(3):  # three browser sessions in the same second: one default name
        recorder = Recorder(tmp_path / "grid-wiper-20260101-000000.jsonl",
                            Exercise(scenarios.load("grid-wiper"), 1), unique=True)  # fmt: skip
        recorder.close()
        paths.append(recorder.path)
    assert len(set(paths)) == 3 and all(p.stat().st_size > 0 for p in paths)


def _quick_run(scenario, seed):
    return f"{seed:x}", {}


def test_sweep_results_on_a_full_disk_are_one_clean_error(tiny_disk):
    from concurrent.futures import ThreadPoolExecutor

    from sim import sweep as sw

    spec = sw.spec_from_dict({"base": "grid-wiper", "seed": 7, "seeds": 400,
                              "vary": {"decision_rule": ["unanimity", "qmv"]}})  # fmt: skip
    (tiny_disk / "filler").write_bytes(b"x" * 60 * 1024)  # 4 KB left
    with pytest.raises(sw.SweepError, match="cannot write the results: no space left on the device"):
        sw.run_sweep(sw.Sweep(spec), tiny_disk / "r.csv", jobs=1, run_fn=_quick_run,
                     executor_factory=lambda: ThreadPoolExecutor(1))  # fmt: skip


# -- a signed trailer: what the unkeyed chain cannot prove -----------------------------------------


def test_a_signed_recording_detects_a_rewrite_that_recomputes_the_chain(tmp_path, capsys):
    import hashlib

    import orjson

    from sim.events import GENESIS, chain

    key = tmp_path / "director.key"
    key.write_text("0123456789abcdef0123456789abcdef\n")
    signed = tmp_path / "signed.jsonl"
    assert _run(capsys, "run", "--until", "3d", "--record", str(signed), "--key", str(key))[0] == 0
    code, out, _ = _run(capsys, "replay", str(signed), "--verify", "--key", str(key))
    assert code == 0 and "identical, signature checked" in out
    code, out, _ = _run(capsys, "replay", str(signed), "--verify")
    assert code == 0 and "signed: give --key" in out

    # The attack the chain alone cannot stop: change the header's scenario text, rehash it,
    # rewrite event 0 to match and recompute every link and the trailer's digest.
    lines = signed.read_bytes().splitlines()
    header = orjson.loads(lines[0])
    header["scenario_text"] = header["scenario_text"].replace("target: ", "target: 1", 1)
    sha = hashlib.sha256(header["scenario_text"].encode()).hexdigest()
    header["scenario_sha256"] = sha
    out_lines, head = [orjson.dumps(header)], GENESIS
    for line in lines[1:-1]:
        event = orjson.loads(line)
        event.pop("h")
        if event["seq"] == 0:
            event["data"]["scenario_sha256"] = sha
        raw = orjson.dumps(event, option=orjson.OPT_SORT_KEYS)
        head = chain(head, raw)
        out_lines.append(raw[:-1] + b',"h":"' + head.encode() + b'"}')
    trailer = orjson.loads(lines[-1])
    trailer["digest"] = head
    out_lines.append(orjson.dumps(trailer))
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(b"\n".join(out_lines) + b"\n")
    code, out, err = _run(capsys, "replay", str(forged), "--verify")
    assert code == 0, err  # the unkeyed chain is fooled, as docs/security.md says
    code, out, err = _run(capsys, "replay", str(forged), "--verify", "--key", str(key))
    assert code == 1 and "signature does not match" in err
    unsigned = tmp_path / "unsigned.jsonl"
    assert _run(capsys, "run", "--until", "1d", "--record", str(unsigned))[0] == 0
    code, _, err = _run(capsys, "replay", str(unsigned), "--verify", "--key", str(key))
    assert code == 1 and "not signed" in err
    short = tmp_path / "short.key"
    short.write_text("secret")
    code, _, err = _run(capsys, "run", "--record", str(tmp_path / "x.jsonl"), "--key", str(short))
    assert code == 1 and "at least 16 bytes" in err


def test_an_edited_trailer_of_any_type_is_a_signature_mismatch_not_a_crash():
    from sim.recording.signing import check, signature

    key, header = b"0123456789abcdef", "ab" * 32
    good = {"digest": "cd" * 32, "events": 3}
    good["hmac"] = signature(key, header, good["digest"], 3)
    assert check(key, good, header) is None
    for edit in (
        {"digest": "é"},
        {"hmac": "é" * 64},
        {"hmac": "AB" * 32},
        {"digest": None},
        {"digest": 7},
        {"events": "3"},
        {"events": True},
        {"events": [3]},
    ):
        why = check(key, {**good, **edit}, header)
        assert why is not None and "signature does not match" in why, edit


def test_record_with_force_never_overwrites_its_own_key_file(tmp_path, capsys):
    key = tmp_path / "director.key"
    key.write_text("0123456789abcdef0123456789abcdef\n")
    code, _, err = _run(
        capsys, "run", "--until", "1d", "--record", str(key), "--key", str(key), "--force"
    )
    assert code == 1 and "--record would overwrite the input" in err and "Traceback" not in err
    assert key.read_text() == "0123456789abcdef0123456789abcdef\n"


# -- characters YAML refuses: a located error on every path that reads YAML (issue 21) ----------

#: Characters YAML's reader refuses (C0 and C1 controls, DEL, non-characters, a lone surrogate).
UNPRINTABLE = ["\x1b", "\x01", "\x7f", "\ufffe", "\x00", "\x9b", "\uffff", "\x08", "\ud800"]


@pytest.fixture(scope="module")
def clean_recording(tmp_path_factory) -> Path:
    from tui.cli import main

    path = tmp_path_factory.mktemp("rec") / "run.jsonl"
    assert main(["run", "--until", "1d", "--record", str(path)]) == 0
    return path


def _one_located_error(capsys, args: list[str], path: Path, line: int, col: int) -> str:
    code, out, err = _run(capsys, *args)
    assert code == 1, (code, err)
    assert "Traceback" not in err and "Error:" not in err  # no exception class leaks out
    assert f"{path}:{line}:{col}: invalid YAML: character U+" in err, err
    return err


@pytest.mark.parametrize("char", UNPRINTABLE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_character_yaml_refuses_is_a_located_error_in_every_file(char, tmp_path, capsys):
    from tui.cli import main  # noqa: F401 - _run imports it

    bad = char if char != "\ud800" else "\ufffe"  # a lone surrogate cannot be written as UTF-8
    text = builtin_path("grid-wiper").read_text(encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text.replace("\ntitle: ", f"\ntitle: {bad}", 1), encoding="utf-8")
    line = text[: text.index("\ntitle: ")].count("\n") + 2
    if bad == "\x00":  # a NUL is refused before YAML sees the text, at its place too
        code, _, err = _run(capsys, "validate", str(scenario))
        assert code == 1 and f"{scenario}:{line}:8: binary file (a NUL byte)" in err, err
    else:
        _one_located_error(capsys, ["validate", str(scenario)], scenario, line, 8)

    injects = tmp_path / "injects.yaml"
    injects.write_text(f"- type: note\n  params: {{text: a{bad}b}}\n", encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"base: grid-wiper\nvary:\n  decision_rule: [qmv{bad}]\nseeds: 1\n",
                    encoding="utf-8")  # fmt: skip
    if bad != "\x00":
        _one_located_error(capsys, ["run", "--inject", str(injects)], injects, 2, 19)
        _one_located_error(capsys, ["sweep", str(spec)], spec, 3, 22)

    # What is not a file but text: an MSEL cell and a scenario embedded in a recording.
    assert f"Params:1:3: invalid YAML: character U+{ord(char):04X}" in problem_of(
        lambda: read_yaml(f"{{a{char}: 1}}", what="MSEL parameters", shown="Params")
    )
    assert f"e.yaml:2:3: invalid YAML: character U+{ord(char):04X}" in problem_of(
        lambda: load_text(f"id: x\nt {char}", "e.yaml")
    )


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\ufffe"], ids=lambda c: f"U+{ord(c):04X}")
def test_msel_cells_keymaps_and_embedded_scenarios_with_such_characters(
    char, tmp_path, capsys, clean_recording, monkeypatch
):
    import csv

    import orjson

    import scenarios
    from scenarios import msel
    from tui.cli import UserError
    from tui.keymap import load_keymap

    table = msel.rows(scenarios.load("grid-wiper"))
    table[2][11] = '{"text": x' + char + "}"  # Params of the second entry (row 3)
    sheet = tmp_path / "m.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    code, _, err = _run(capsys, "msel", "import", str(sheet), "--into", "grid-wiper")
    assert code == 1 and "Traceback" not in err
    assert f"{sheet}: row 3, column 'Params': neither JSON nor YAML" in err
    assert f"(line 1, character 11 of the cell: invalid YAML: character U+{ord(char):04X}" in err

    keymap = tmp_path / "keymap.yaml"
    keymap.write_text(f"clock.step: s\nclock.toggle: p{char}\n", encoding="utf-8")
    with pytest.raises(UserError, match=re.escape(f"{keymap}:2:16: ")):
        load_keymap(keymap)

    header, rest = clean_recording.read_bytes().split(b"\n", 1)
    data = orjson.loads(header)
    data["scenario_text"] = data["scenario_text"].replace("\ntitle: ", f"\ntitle: {char}", 1)
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(orjson.dumps(data) + b"\n" + rest)
    for command in (["replay", str(edited)], ["report", str(edited)]):
        code, _, err = _run(capsys, *command)
        assert code == 1 and "Traceback" not in err, err
        assert f"{edited} (embedded scenario):" in err and f"U+{ord(char):04X}" in err


# -- merge keys (<<): bounded by our loader, whatever PyYAML's version ----------------------------


def _pyyaml_6_0_flatten_mapping(self, node):
    """PyYAML 6.0's (and 6.0.1's) own ``flatten_mapping``, which copies every merged pair again at
    each level, with a tripwire where it would run away: the test's stand-in for an older PyYAML."""
    from yaml.nodes import MappingNode, SequenceNode

    merge = []
    index = 0
    while index < len(node.value):
        key_node, value_node = node.value[index]
        if key_node.tag == "tag:yaml.org,2002:merge":
            del node.value[index]
            subnodes = [value_node] if isinstance(value_node, MappingNode) else value_node.value
            assert isinstance(value_node, (MappingNode, SequenceNode))
            submerge = []
            for subnode in subnodes:
                self.flatten_mapping(subnode)
                submerge.append(subnode.value)
            submerge.reverse()
            for value in submerge:
                merge.extend(value)
            if len(merge) > 1_000_000:
                raise AssertionError("merge keys expanded without bound")
        else:
            index += 1
    if merge:
        node.value = merge + node.value


def _merge_bomb(levels: int) -> str:
    """Merge keys doubling at each level, nested in one value, so that resolving the merges of
    that one mapping expands them all before any value is counted."""
    node = "&l0 {a: 1, b: 2}"
    for i in range(1, levels + 1):
        node = f"&l{i} {{<<: [{node}, *l{i - 1}]}}"
    return f"x: {node}\n"


def test_merge_keys_are_bounded_even_on_a_pyyaml_that_does_not(monkeypatch):
    import yaml

    monkeypatch.setattr(yaml.constructor.SafeConstructor, "flatten_mapping",
                        _pyyaml_6_0_flatten_mapping)  # fmt: skip
    bomb = _merge_bomb(30)  # 2**31 pairs on PyYAML 6.0, from under a kilobyte
    data = read_yaml(bomb, what="a scenario file", shown="m.yaml")
    assert data["x"] == {"a": 1, "b": 2}  # each key merged once
    # A chain of merges that adds a key at each level copies n**2 / 2 pairs: refused, located.
    wide = ["w0: &w0 {" + ", ".join(f"k{j}: {j}" for j in range(2000)) + "}"]
    wide += [f"w{i}: &w{i} {{<<: *w{i - 1}, x{i}: {i}}}" for i in range(1, 200)]
    copied = problem_of(lambda: read_yaml("\n".join(wide), what="x", shown="w.yaml"))
    assert re.match(r"w\.yaml:\d+:\d+: invalid YAML: (merge keys \(<<\) copy )?more than", copied)


def test_merge_keys_keep_yaml_meaning_own_keys_win_and_earlier_merges_win():
    text = (
        "base: &base {a: 1, b: 2}\n"
        "more: &more {b: 20, c: 30}\n"
        "x: {<<: *base, b: 3}\n"
        "y: {<<: [*base, *more]}\n"
        "z: {<<: [*more, *base], a: 0}\n"
    )
    data = read_yaml(text, what="x", shown="m.yaml")
    assert data["x"] == {"a": 1, "b": 3}
    assert data["y"] == {"a": 1, "b": 2, "c": 30}
    assert data["z"] == {"b": 20, "c": 30, "a": 0}
    assert "m.yaml:1:23: invalid YAML: duplicate key 'a'" in problem_of(
        lambda: read_yaml("x: {<<: {a: 1}, a: 2, a: 3}\n", what="x", shown="m.yaml")
    )


# -- a full disk under a spreadsheet export: one message, no partial file (issue 21) --------------


class _FillingFile:
    """A file that takes ``room`` bytes, then fails every write as a full disk does."""

    def __init__(self, handle, room: int):
        self._handle, self._room = handle, room

    def write(self, data) -> int:
        import errno

        if len(data) > self._room:
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._handle.close()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("room", [0, 2000])
def test_disk_full_under_an_msel_export_is_one_message_and_no_file(
    tmp_path, monkeypatch, capsys, suffix, room
):
    import gc
    import sys

    pytest.importorskip("openpyxl")
    from scenarios import safe_write

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    fdopen = os.fdopen
    monkeypatch.setattr(safe_write.os, "fdopen",
                        lambda *a, **kw: _FillingFile(fdopen(*a, **kw), room))  # fmt: skip
    target = tmp_path / f"msel{suffix}"
    code, _, err = _run(capsys, "msel", "export", "grid-wiper", "-o", str(target))
    gc.collect()  # a writer left half-closed complains only when collected
    assert code == 1 and err.count("\n") == 1, err
    assert f"{target}: cannot write: no space left" in err and "Traceback" not in err
    assert not unraisable, [str(u.exc_value) for u in unraisable]  # no "Exception ignored"
    assert list(tmp_path.iterdir()) == []  # no partial file, no temporary file


@pytest.mark.parametrize(
    "value", ["!!timestamp x", "!!timestamp 2020-13-45", "!!bool maybe", "!!float x", "!!int x"]
)
def test_an_explicit_tag_on_a_value_it_does_not_fit_is_a_located_error(value):
    problem = problem_of(lambda: read_yaml(f"a: 1\nb: {value}\n", what="x", shown="t.yaml"))
    assert problem.startswith("t.yaml:2:4: invalid YAML: !!") and "is not a valid value" in problem


def test_a_file_of_too_many_values_is_refused_where_it_crosses_the_limit():
    # Refused while composing, at the value that crosses the limit: not after building a node for
    # every value of a 2 MB file first (684 MB), nor on the syntax error at its end.
    text = "[" + "a, " * (MAX_VALUES + 1000) + "a] ]"
    problem = problem_of(lambda: read_yaml(text, what="a scenario file", shown="v.yaml"))
    assert re.fullmatch(rf"v\.yaml:1:\d+: invalid YAML: more than {MAX_VALUES} values", problem)
    column = int(problem.split(":")[2])
    assert column == 2 + 3 * (MAX_VALUES - 1)  # the list and its first 199,999 items are the limit


def test_served_console_caps_its_sessions_and_says_so():
    """Each browser session of ``cdtx serve`` is a process: past --max-sessions a new one is
    refused (503) with the reason, on the page and on the WebSocket; a closed one frees a place."""
    pytest.importorskip("textual_serve")
    import asyncio

    import aiohttp
    from aiohttp.test_utils import TestClient, TestServer

    from tui.cli.serve import guarded_server_class

    headers = {"Host": "127.0.0.1:8000"}

    async def scenario():
        server = guarded_server_class("127.0.0.1", 8000, max_sessions=2)(
            "cat", host="127.0.0.1", port=8000
        )  # a process that stays until its session closes
        app = await server._make_app()
        app.on_startup.clear()  # textual-serve's banner
        async with TestClient(TestServer(app)) as client:
            first = await client.ws_connect("/ws", headers=headers)
            second = await client.ws_connect("/ws", headers=headers)
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect("/ws", headers=headers)
            page = await client.get("/", headers=headers)
            said = (refused.value.status, page.status, await page.text())
            await first.close()
            while server.sessions > 1:
                await asyncio.sleep(0.01)
            third = await client.ws_connect("/ws", headers=headers)
            for socket in (second, third):
                await socket.close()
            return said

    status, page_status, text = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert (status, page_status) == (503, 503)
    assert "2 session(s) are open already" in text and "--max-sessions" in text


# -- one printable filter for every terminal ---------------------------------------------------


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\x9d", "\u061c", "\u200e", "\u200f",
     "\u2028", "\u2029", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
     "\u2068", "\u2069", "\ud800", "\udfff", "\ufdd0", "\ufffe", "\uffff", "\U0001fffe",
     "\U0010ffff"],
)  # fmt: skip
def test_printable_escapes_every_character_a_terminal_would_act_on(char):
    from scenarios.safe_read import printable

    shown = printable(f"a{char}b")
    assert char not in shown and shown.isascii() and shown.startswith("a\\") and shown.endswith("b")


def test_printable_keeps_text_people_write():
    from scenarios.safe_read import printable

    text = "Zürich · 日本 · Ελλάδα · مرحبا · 😀\tcolumn\nnext line \\x1b stays"
    assert printable(text) == text


def test_replay_console_shows_a_hostile_scenario_title_escaped(tmp_path):
    """``cdtx replay`` in a terminal is the console: the scenario's title (ESC ] 0 ; ... BEL,
    a title-changing OSC sequence) shows escaped in its header."""
    import asyncio

    from sim import Exercise
    from sim.recording import Recorder
    from sim.recording import open as open_recording
    from tui.app import make_replay_app
    from tui.widgets.status import StatusHeader

    scenario = load_text(_hostile_title_scenario(tmp_path).read_text(), "hostile")
    path = tmp_path / "run.jsonl"
    ex = Exercise(scenario)
    recorder = Recorder(path, ex)
    ex.run(until=48)
    recorder.close()

    async def header() -> str:
        app = make_replay_app(open_recording(path))
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            return str(app.screen.query_one(StatusHeader).render())

    shown = asyncio.run(header())
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Grid \\x1b]0;pwned\\x07" in shown, shown


def test_sweep_summary_prints_a_hostile_spec_title_escaped(tmp_path, capsys):
    from tui.cli import main

    spec = tmp_path / "s.yaml"
    spec.write_text('title: "Sweep \\e]0;pwned\\a [bold]x[/bold] \\u202eCBA"\nbase: grid-wiper\n'
                    "vary:\n  decision_rule: [unanimity]\nseeds: 1\n")  # fmt: skip
    assert main(["sweep", str(spec), "-j", "1", "-o", str(tmp_path / "r.csv"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert "Sweep \\x1b]0;pwned\\x07 [bold]x[/bold] \\u202eCBA" in out, out


def test_msel_export_names_a_hostile_file_name_escaped(tmp_path, capsys):
    target = tmp_path / "m\x1b]0;pwned\x07.csv"
    code, _, err = _run(capsys, "msel", "export", "grid-wiper", "-o", str(target))
    assert code == 0 and target.exists()
    assert "\x1b" not in err and "\x07" not in err and "m\\x1b]0;pwned\\x07.csv: 8 MSEL" in err


def test_validate_names_a_hostile_file_name_escaped(tmp_path, capsys):
    """A file name is text from outside too (a glob over files received): cdtx validate prints
    it through printable(), for a good file and for a bad one."""
    import scenarios

    good = tmp_path / "a\x1b]0;pwned\x07.yaml"
    good.write_text(scenarios.builtin_path("grid-wiper").read_text(encoding="utf-8"))
    bad = tmp_path / "b\x1b]0;pwned\x07.yaml"
    bad.write_text("cdtx: 1\nid: [\n")
    code, out, err = _run(capsys, "validate", str(good), str(bad))
    assert code == 1
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "a\\x1b]0;pwned\\x07.yaml: ok" in out and "b\\x1b]0;pwned\\x07.yaml:" in err
