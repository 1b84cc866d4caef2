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


def test_reader_bounds_size_before_reading(tmp_path):
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
