"""Inputs nobody listed: seeded mutations of the built-in files, each answered by cdtx with exit
status 0, or 1 and messages that name the place, never a traceback (README, *Commands*).

Every fuzz test here is bounded: a fixed seed, a few hundred cases, a few seconds. A case that
fails is written out in the assertion so that it can be replayed by hand.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.inprocess import cdtx

BUILTIN = Path(__file__).resolve().parent.parent / "scenarios" / "builtin"

#: Values a person could write in any place of a file, whatever the place expects.
HOSTILE: tuple[Any, ...] = (
    None, 0, -1, 2**80, -(2**80), 1e309, float("nan"), float("-inf"), 0.5, -0.5, True, "",
    "x", "é漢字🙂", "a" * 5000, [], [None], {}, {"a": 1}, {"x": [1, {"y": None}]}, "-3d", "1e309d",
    "99999999999999999999d", "3x", "T+2d 12:00", "2026-13-45", "\t", [[[[[]]]]], {"": None},
    "PL", "hr", "listing",
)  # fmt: skip


def _walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))


def _parent(root: Any, path: tuple) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


def mutate(rng: random.Random, doc: Any, values: tuple[Any, ...] = HOSTILE) -> Any:
    """``doc`` with one to three places changed: a value replaced by one of ``values`` (of any
    type), a key removed, a key added, a list item repeated."""
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        path, node = rng.choice(list(_walk(doc)))
        roll = rng.random()
        if roll < 0.15 and path:
            parent = _parent(doc, path)
            del parent[path[-1]]
        elif roll < 0.25 and isinstance(node, dict):
            node[rng.choice(["zzz", "id", "at", "type", "params", "to"])] = rng.choice(values)
        elif roll < 0.35 and isinstance(node, list) and node:
            node.append(copy.deepcopy(rng.choice(node)))
        elif path:
            _parent(doc, path)[path[-1]] = copy.deepcopy(rng.choice(values))
        else:
            doc = copy.deepcopy(rng.choice(values))
    return doc


def assert_refused_or_ok(result, shown: str, case: str) -> None:
    """Exit 0, or exit 1 with every line of standard error naming ``shown`` (a file) first."""
    assert result.returncode in (0, 1), case + result.stderr
    if result.returncode == 1:
        lines = result.stderr.splitlines()
        assert lines, case
        assert all(line.startswith((f"{shown}:", f"cdtx: {shown}:")) for line in lines), (
            case + result.stderr
        )


# -- scenario files ----------------------------------------------------------------------------


def _builtins() -> list[Any]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(BUILTIN.glob("*.yaml"))]


def test_validate_answers_every_mutated_builtin_with_a_place_or_ok(tmp_path):
    rng = random.Random(20261207)
    docs = _builtins()
    target = tmp_path / "case.yaml"
    for _ in range(150):
        text = yaml.safe_dump(mutate(rng, rng.choice(docs)), allow_unicode=True, sort_keys=False)
        target.write_text(text, encoding="utf-8")
        assert_refused_or_ok(cdtx("validate", str(target)), str(target), text)


def _one_entry(field: str, value: str) -> str:
    """grid-wiper's text with ``field`` of its first MSEL entry (which has params) set."""
    doc = yaml.safe_load((BUILTIN / "grid-wiper.yaml").read_text(encoding="utf-8"))
    doc["msel"][0][field] = yaml.safe_load(value)
    return yaml.safe_dump(doc, sort_keys=False)


def test_an_inject_type_that_is_a_mapping_or_a_list_is_named(tmp_path):
    for value in ("{incident: 1}", "[note]"):
        target = tmp_path / "s.yaml"
        target.write_text(_one_entry("type", value), encoding="utf-8")
        result = cdtx("validate", str(target))
        assert result.returncode == 1, result.stderr
        assert "msel[0].type: unknown inject type" in result.stderr


def test_incident_targets_that_are_a_number_are_named(tmp_path):
    doc = yaml.safe_load((BUILTIN / "grid-wiper.yaml").read_text(encoding="utf-8"))
    doc["incidents"][0]["targets"] = 3
    target = tmp_path / "s.yaml"
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = cdtx("validate", str(target))
    assert result.returncode == 1
    assert "incidents[0].targets: Input should be a valid list" in result.stderr


# -- a sweep's record beside its results (RESULTS.spec.json) ----------------------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    """A small sweep's results and record: 2 points of 1 run."""
    where = tmp_path_factory.mktemp("sweep")
    spec = where / "spec.yaml"
    spec.write_text("base: grid-wiper\nvary: {member_states.HU.ties.RU: [0.0, 1.0]}\nseeds: 1\n")
    out = where / "res.csv"
    assert cdtx("sweep", str(spec), "-o", str(out), "-j", "1", "--quiet").returncode == 0
    return out


def _edit_record(results: Path, tmp_path: Path, edit) -> Path:
    copy_ = tmp_path / results.name
    shutil.copy(results, copy_)
    record = json.loads(Path(f"{results}.spec.json").read_text(encoding="utf-8"))
    edit(record)
    Path(f"{copy_}.spec.json").write_text(json.dumps(record), encoding="utf-8")
    return copy_


@pytest.mark.parametrize("title", [["a list"], 7, {"a": 1}])
def test_a_record_whose_title_is_not_text_is_reported_without_it(results, tmp_path, title):
    edited = _edit_record(results, tmp_path, lambda r: r.update(title=title, name=[1]))
    for command in (("report", str(edited)), ("sweep", "--summary", str(edited))):
        result = cdtx(*command)
        assert result.returncode == 0, result.stderr
        assert "a list" not in result.stdout


def test_resuming_results_whose_record_lists_its_resumptions_wrongly(results, tmp_path):
    edited = _edit_record(results, tmp_path, lambda r: r["provenance"].update(resumed=0.5))
    spec = results.parent / "spec.yaml"
    result = cdtx("sweep", str(spec), "-o", str(edited), "--resume", "-j", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    record = json.loads(Path(f"{edited}.spec.json").read_text(encoding="utf-8"))
    assert [set(line) for line in record["provenance"]["resumed"]] == [{"at"}]


@pytest.fixture(scope="module")
def sobol_results(tmp_path_factory) -> Path:
    """A Sobol' sweep's results and record: N = 2 base samples of one parameter (6 runs)."""
    where = tmp_path_factory.mktemp("sobol")
    spec = where / "spec.yaml"
    spec.write_text("base: grid-wiper\nvary: {member_states.HU.ties.RU: {uniform: [0, 1]}}\n"
                    "sample: {sobol: 2}\nseeds: 1\n")  # fmt: skip
    out = where / "res.csv"
    assert cdtx("sweep", str(spec), "-o", str(out), "-j", "1", "--quiet").returncode == 0
    return out


@pytest.mark.parametrize(
    "edit",
    [
        lambda r: r["sample"].pop("n"),
        lambda r: r["sample"].update(n="sobol"),
        lambda r: r["sample"].update(n=[2]),
        lambda r: r["sample"].update(n=2**62),  # a design of more points than any sweep
        lambda r: r.update(sample=0.5),
        lambda r: r.update(root="abc"),
    ],
)
def test_a_record_whose_design_was_edited_is_summarised_without_indices(
    sobol_results, tmp_path, edit
):
    edited = _edit_record(sobol_results, tmp_path, edit)
    for command in (("report", str(edited)), ("sweep", "--summary", str(edited))):
        result = cdtx(*command)
        assert result.returncode == 0, result.stderr
        said = " ".join(result.stdout.split())
        assert "its sampling design (sample, vary, root) is not what cdtx writes" in said


# -- command-line values -------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--facilitators", "--evaluators", "--observers"])
def test_a_host_of_more_seats_of_a_kind_than_a_room_holds_is_refused_at_once(option, no_serving):
    for value in ("257", str(2**80)):
        result = cdtx("host", option, value, "--no-record", "--no-console")
        assert result.returncode == 1
        assert f"argument {option}: at most 256, not {value}" in result.stderr


def test_seat_counts_within_the_bound_are_taken():
    from tui.cli import argtypes

    assert argtypes.seats("0") == 0 and argtypes.seats("256") == 256
    assert argtypes.facilitator_seats("1") == 1
    with pytest.raises(argparse.ArgumentTypeError, match="at least 1"):
        argtypes.facilitator_seats("0")


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_a_duration_that_is_not_a_number_is_not_given_a_unit_to_add(tmp_path, value):
    doc = (BUILTIN / "grid-wiper.yaml").read_text(encoding="utf-8")
    target = tmp_path / "s.yaml"
    target.write_text(doc.replace("horizon: 30d", f"horizon: {value}"), encoding="utf-8")
    result = cdtx("validate", str(target))
    assert result.returncode == 1
    assert "horizon: expected a duration such as '90m', '36h', '3d' or '2w', got" in result.stderr
    assert "h' (got" not in result.stderr  # not "e.g. 'infh'"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_for_a_tls_file_is_refused_without_waiting_for_a_writer(tmp_path, no_serving):
    fifo = tmp_path / "pem"
    os.mkfifo(fifo)
    joined = cdtx("join", "wss://127.0.0.1:1", "--token", "T", "--cafile", str(fifo), "--print")
    assert joined.returncode == 1
    assert f"{fifo}: cannot use this certificate authority (is not a regular file" in joined.stderr
    cert = tmp_path / "cert.pem"
    cert.write_text("not a certificate")
    for certfile, keyfile in ((fifo, cert), (cert, fifo)):
        hosted = cdtx("host", "--certfile", str(certfile), "--keyfile", str(keyfile),
                      "--no-record", "--no-console")  # fmt: skip
        assert hosted.returncode == 1
        assert f"{fifo}: cannot use this file (is not a regular file" in hosted.stderr


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                                   "1899-12-31T23:00:00Z", "2900-01-01T00:00:00Z"])  # fmt: skip
def test_a_start_whose_calendar_python_cannot_keep_is_refused_where_it_is_written(tmp_path, start):
    doc = (BUILTIN / "grid-wiper.yaml").read_text(encoding="utf-8")
    target = tmp_path / "s.yaml"
    target.write_text(doc.replace("start: 2026-03-06T05:40:00+01:00", f"start: {start}"))
    for command in (("validate", str(target)), ("run", str(target))):
        result = cdtx(*command)
        assert result.returncode == 1
        assert ":11:8: start: " in result.stderr and "from 1900 to 2899" in result.stderr


# -- model constants at the ends of their ranges ---------------------------------------------


@pytest.mark.parametrize(
    ("constant", "refused"),
    [("model.partner_product", "0"), ("model.renewed_severity", "0")],
)
def test_a_constant_that_would_never_let_a_run_end_is_out_of_range(constant, refused):
    """A partner's product of no findings let the evidence loop spin at one sim time for ever;
    a renewed initiative at no change of severity tabled proposals until memory ran out."""
    result = cdtx("run", "grid-wiper", "--model", f"{constant}={refused}", "--json")
    assert result.returncode == 1
    assert f"{constant} = 0 is outside its range" in result.stderr


def test_every_constant_at_either_end_of_its_range_lets_a_run_end():
    from sim import Exercise
    from sim.constants import CONSTANTS

    for name, constant in CONSTANTS.items():
        for value in (constant.low, constant.high):
            value = int(value) if constant.whole else value
            ex = Exercise("grid-wiper", seed=1, model={name: value})
            ex.run()
            assert ex.finished, (name, value)
