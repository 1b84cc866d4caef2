"""A scenario's ``model:`` block (docs/scenario-format.md, *model*): model constants set for every
run of the scenario, checked where the file says them, overridden name by name by a run's own
(``Exercise(model=...)``, ``cdtx run --model``, a sweep's ``vary: {model.x}``), recorded so a
replay reproduces the run, and shown by the report, the facilitator's brief and a sweep's
summary."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import inprocess
import pytest

import scenarios
from scenarios.model import MAX_MODEL_ENTRIES, Scenario
from sim import constants
from sim import sweep as sw
from sim.exercise import Exercise, scenario_sha256
from sim.recording import reader
from sim.sweep import SweepError, spec_from_dict
from sim.sweep.spec import build_scenario
from tests.test_cli import assert_error
from tests.test_sweep_hostile import _tampered

CDTX = [str(Path(sys.executable).parent / "cdtx")]
GRID = scenarios.builtin_path("grid-wiper").read_text()
SUPPORT, VETO = "model.support_at", "model.listing_veto_at"
# support_at (the stance above which a delegation supports) moves grid-wiper's cohesion: 1.0 at
# its default (0.1 today), under one half at 0.9.
BLOCK = "model:\n  support_at: 0.9\n  listing_veto_at: -0.6\n"
# as messages show them, read from the registry (calibration may move a default)
VETO_AS, SUPPORT_AS = (
    f"range {c.range} (default {c.default:g})" for c in map(constants.get, (VETO, SUPPORT))
)


def scenario_file(tmp_path: Path, block: str = BLOCK, name: str = "gw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(GRID + block)
    return path


def cdtx_process(*args: str, **kw) -> subprocess.CompletedProcess:
    """The installed ``cdtx`` in a process of its own (where the process is what is tested);
    :func:`inprocess.cdtx` runs a command in this one."""
    return subprocess.run([*CDTX, *args], capture_output=True, text=True, **kw)


# -- a run under the block -----------------------------------------------------------------------


def test_the_block_changes_the_run_as_the_same_constants_given_to_the_run_would(tmp_path):
    plain = Exercise("grid-wiper").run()
    ex = Exercise(str(scenario_file(tmp_path))).run()
    values = {VETO: -0.6, SUPPORT: 0.9}
    assert ex.model == values and ex.events[0].data["model"] == values
    assert ex.metrics["cohesion"] < plain.metrics["cohesion"]
    assert ex.digest != plain.digest
    # the same constants given to the run: the same run (the digest differs by the scenario text)
    assert ex.metrics == Exercise("grid-wiper", model=values).run().metrics


def test_a_scenario_without_a_block_dumps_and_hashes_as_before():
    grid = scenarios.load("grid-wiper")
    assert grid.model == {} and "model" not in grid.model_dump(mode="json")
    assert "model" not in Exercise("grid-wiper").events[0].data
    built = Scenario.model_validate(grid.model_dump(mode="json"))  # in code: hashed by its JSON
    with_block = Scenario.model_validate(
        {**grid.model_dump(mode="json"), "model": {"support_at": 0.9}}
    )
    assert with_block.model_dump(mode="json")["model"] == {"support_at": 0.9}
    assert scenario_sha256(with_block) != scenario_sha256(built)  # the hash commits to the block


def test_an_empty_block_sets_nothing(tmp_path):
    for block in ("model:\n", "model: {}\n"):
        ex = Exercise(str(scenario_file(tmp_path, block)))
        assert ex.model == {} and "model" not in ex.events[0].data


# -- precedence ------------------------------------------------------------------------------------


def test_a_runs_own_constant_overrides_the_block_for_that_name_only(tmp_path):
    path = scenario_file(tmp_path)
    ex = Exercise(str(path), model={SUPPORT: 0.1}).run()
    assert ex.model == {VETO: -0.6, SUPPORT: 0.1}
    assert ex.metrics == Exercise("grid-wiper", model={VETO: -0.6, SUPPORT: 0.1}).run().metrics
    done = inprocess.cdtx("run", str(path), "--model", "support_at=0.1", "--json")
    code, out, err = done.returncode, done.stdout, done.stderr
    assert code == 0, err
    assert json.loads(out)["digest"] == ex.digest


def test_a_sweep_varies_a_constant_the_base_sets_and_keeps_the_rest(tmp_path):
    path = scenario_file(tmp_path)
    spec = {"name": "mb", "base": str(path), "vary": {SUPPORT: [0.1]}, "sample": "grid",
            "seeds": 1, "metrics": ["cohesion"]}  # fmt: skip
    sweep = sw.Sweep(spec_from_dict(spec))
    out = tmp_path / "r.csv"
    sw.run_sweep(sweep, out, jobs=1)
    [row] = list(sw.read_rows(out))
    point = build_scenario(sweep.base_data, {SUPPORT: 0.1})  # the point's scenario, as a run has it
    ex = Exercise(point, seed=sweep.run_seed(0, 0), model={SUPPORT: 0.1}).run()
    assert ex.model == {VETO: -0.6, SUPPORT: 0.1} == ex.events[0].data["model"]
    assert row["digest"] == ex.digest and row[SUPPORT] == 0.1
    record = json.loads((tmp_path / "r.csv.spec.json").read_text())
    assert record["provenance"]["base_model"] == {VETO: -0.6, SUPPORT: 0.9}
    notes = sw.summarize(out)["notes"]
    assert any(f"sets {VETO} = -0.6 in every run" in n and f"instead of its value: {SUPPORT}" in n
               for n in notes), notes  # fmt: skip


# -- recorded and replayed -------------------------------------------------------------------------


def test_replay_of_a_run_under_the_block_gives_the_same_digest(tmp_path):
    path, rec = scenario_file(tmp_path), tmp_path / "run.jsonl"
    done = inprocess.cdtx(
        "run", str(path), "--model", "support_at=0.5", "--record", str(rec), "--json"
    )
    assert done.returncode == 0, done.stderr
    recording = reader.open(rec)
    assert recording.events[0].data["model"] == {VETO: -0.6, SUPPORT: 0.5}
    assert recording.verify().ok
    assert recording.resimulate().digest == json.loads(done.stdout)["digest"]
    assert inprocess.cdtx("replay", str(rec), "--verify").returncode == 0
    # a value edited in (the hash chain recomputed) is refused as any run's constants are
    bad = _tampered(rec, tmp_path / "bad.jsonl", {VETO: -3, SUPPORT: 0.5})
    assert_error(inprocess.cdtx("replay", str(bad), "--verify"),
                 f"line 2 (the started event): model: {VETO}: {VETO} = -3 is outside")  # fmt: skip
    # dropping the block's constants from the record does not make the run a default one
    dropped = reader.open(_tampered(rec, tmp_path / "dropped.jsonl", {SUPPORT: 0.5}))
    assert not dropped.verify().ok


def test_determinism_under_another_hash_seed(tmp_path):
    path = scenario_file(tmp_path, "model:\n  w_ties: 1.5\n  support_at: 0.3\n  max_rounds: 2\n")
    digests = set()
    for seed in ("1", "2"):
        done = cdtx_process("run", str(path), "--json", env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        digests.add(json.loads(done.stdout)["digest"])
    assert len(digests) == 1


# -- wherever a scenario is read -------------------------------------------------------------------


def test_the_host_the_report_and_the_facilitators_brief_apply_and_show_the_block(tmp_path):
    from tui.cli.common import load_exercise
    from tui.handouts import facilitator_brief

    path = scenario_file(tmp_path)
    hosted = load_exercise(
        Namespace(scenario=str(path), seed=None, model=None), players=["LT"], interactive=True
    )  # fmt: skip  (as cdtx host does)
    assert hosted.model == {VETO: -0.6, SUPPORT: 0.9}
    line = "; ".join(f"{c.name} {v:g} (default {c.default:g})"
                     for c, v in ((constants.get(VETO), -0.6), (constants.get(SUPPORT), 0.9)))  # fmt: skip
    rows = facilitator_brief(scenarios.load_path(path))[0]["table"][1]
    assert ["Model constants", line] in rows
    rec, report = tmp_path / "r.jsonl", tmp_path / "r.md"
    assert inprocess.cdtx("run", str(path), "--record", str(rec)).returncode == 0
    assert inprocess.cdtx("report", str(rec), "-o", str(report)).returncode == 0
    assert f"| Model constants | {line} |" in report.read_text()
    plain = tmp_path / "plain.jsonl"
    assert inprocess.cdtx("run", "--record", str(plain)).returncode == 0
    assert inprocess.cdtx("report", str(plain), "-o", str(tmp_path / "p.md")).returncode == 0
    assert "Model constants" not in (tmp_path / "p.md").read_text()


# -- errors: each at its place in the file, exit 1, no traceback -----------------------------------

ERRORS = [
    # (block, the place (line:col from the block's first line, which is line 1), what it says)
    ("model: [listing_veto_at: -0.6]\n", "1:8",
     "model: a mapping of model constants to numbers, e.g. {listing_veto_at: -0.6}, not a list"),
    ("model: 3\n", "1:8", "model: a mapping of model constants to numbers"),
    ("model:\n  listing_veto_at: true\n", "2:20", "model.listing_veto_at: a model constant takes a number, not true"),
    ("model:\n  listing_veto_at: '-0.6'\n", "2:20", "takes a number, not '-0.6'"),
    ("model:\n  listing_veto_at: .nan\n", "2:20", "takes a finite number, not nan"),
    ("model:\n  listing_veto_at: -.inf\n", "2:20", "takes a finite number, not -inf"),
    ("model:\n  listing_veto_at: null\n", "2:20",
     "takes a number, not null (leave the line out for the model's default)"),
    ("model:\n  listing_veto_at: [1]\n", "2:20", "takes a number, not a list"),
    ("model:\n  max_rounds: 1e3\n", "2:15", "not '1e3' (YAML reads it as text: write the number out"),
    ("model:\n  listing_veto_at: -2\n", "2:20",
     f"model.listing_veto_at = -2 is outside its {VETO_AS}"),
    ("model:\n  listng_veto_at: -0.6\n", "2:3",
     "model.listng_veto_at: no such model constant (did you mean listing_veto_at"),
    ("model:\n  LISTING_VETO_AT: -0.6\n", "2:3", "(names are in lower case: 'listing_veto_at')"),
    ("model:\n  model.listing_veto_at: -0.6\n", "2:3",
     "write the constant's name without 'model.': 'listing_veto_at'"),
    ("model:\n  max_rounds: 2.5\n", "2:15", "model.max_rounds is a count and takes whole numbers, not 2.5"),
    ("model:\n  support_at: 0.2\n  support_at: 0.3\n", "3:3", "duplicate key 'support_at'"),
    ("model: {" + ", ".join(f"c{i}: 1" for i in range(MAX_MODEL_ENTRIES + 1)) + "}\n", "1:8",
     f"model: {MAX_MODEL_ENTRIES + 1} entries: the model has far fewer constants"),
]  # fmt: skip


@pytest.mark.parametrize(("block", "place", "says"), ERRORS, ids=range(len(ERRORS)))
def test_a_bad_block_is_refused_at_its_place_by_run_and_validate(
    tmp_path, block, place, says
):
    path = scenario_file(tmp_path, block)
    first = GRID.count("\n")  # the block's first line is the next one
    line, col = place.split(":")
    where = f"{path}:{first + int(line)}:{col}: "
    for command in ("run", "validate"):
        done = inprocess.cdtx(command, str(path))
        code, err = done.returncode, done.stderr
        assert code == 1 and "Traceback" not in err, err
        assert where in err and says in err, err
        assert len(err.strip().splitlines()) == 1, (
            err
        )  # one problem, one line (however long a block)


def test_every_bad_entry_is_named_at_once_and_a_sweep_names_its_base(tmp_path):
    path = scenario_file(tmp_path, "model:\n  support_at: 3\n  w_ties: 1\n  nope: 1\n")
    first = GRID.count("\n")
    assert_error(inprocess.cdtx("run", str(path)),
                 f"{path}:{first + 2}:15: model.support_at = 3 is outside its range [-1, 1]",
                 f"{path}:{first + 4}:3: model.nope: no such model constant")  # fmt: skip
    spec = {"base": str(path), "vary": {SUPPORT: [0.1]}, "seeds": 1}
    with pytest.raises(
        SweepError, match=re.escape(f"base: {path}:{first + 2}:15: model.support_at = 3")
    ):
        sw.Sweep(spec_from_dict(spec))
    with pytest.raises(constants.ScenarioModelError, match="model.nope: no such model constant"):
        Exercise(str(path), model={SUPPORT: 0.5})  # a run's own value does not hide a bad block


def test_a_scenario_built_in_code_is_refused_by_its_id():
    data = {**scenarios.load("grid-wiper").model_dump(mode="json"), "model": {"support_at": 7}}
    with pytest.raises(constants.ScenarioModelError) as caught:
        Exercise(Scenario.model_validate(data))
    assert caught.value.lines() == [
        f"scenario grid-wiper: model.support_at = 7 is outside its {SUPPORT_AS}"
    ]


def test_the_cap_on_entries_leaves_room_for_every_constant():
    assert len(constants.CONSTANTS) < MAX_MODEL_ENTRIES / 2


def test_the_example_in_docs_scenario_format_md_is_a_valid_block():
    doc = (Path(__file__).parent.parent / "docs" / "scenario-format.md").read_text()
    example = re.search(r"### model\n.*?```yaml\n(.*?)```", doc, re.S)
    assert example, "docs/scenario-format.md has no model: example"
    scenario = scenarios.load_text(GRID + example.group(1), "docs/scenario-format.md")
    assert constants.of_scenario(scenario) == {VETO: -0.6, "model.max_rounds": 3}


def test_a_sweep_may_not_vary_the_whole_block():
    spec = {"base": "grid-wiper", "seeds": 1, "vary": {"model": [{"support_at": 0.5}]}}
    with pytest.raises(SweepError, match=r"vary.model: vary a model constant as model.NAME"):
        sw.Sweep(spec_from_dict(spec))
