"""Model constants as a registry (sim/constants.py): declared, applied for one run, restored,
refused, recorded and replayed; listed by ``cdtx model``; varied by sweeps (pool and Dask)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from inprocess import cdtx

from actors import delegation, national
from sim import constants, timing
from sim import sweep as sw
from sim.exercise import Exercise
from sim.recording import Recorder, reader
from sim.sweep import SweepError, spec_from_dict

ROOT = Path(__file__).parent.parent
VETO = "model.listing_veto_at"


# -- declared ----------------------------------------------------------------------------------


def test_every_constant_is_declared_with_a_default_in_range_a_source_and_a_meaning():
    assert len(constants.CONSTANTS) >= 40
    for name, c in constants.CONSTANTS.items():
        assert name == "model." + c.attribute.lower()
        assert getattr(c.module, c.attribute) == c.default  # nothing applied now
        assert c.low <= c.default <= c.high
        assert c.source.startswith("docs/model.md") and c.meaning
    # the constants the analysis issue names, under the names the model gives them
    for name in ("model.coordination_margin", "model.instruction_spread", VETO,
                 "model.red_line_salience", "model.public_attribution_median_days"):  # fmt: skip
        assert name in constants.CONSTANTS


def test_docs_model_md_holds_the_registry_table():
    text = (ROOT / "docs" / "model.md").read_text()
    assert constants.markdown() in text, "run: python -m sim.constants, paste into docs/model.md"


# -- applied and restored ------------------------------------------------------------------------


def test_applied_sets_the_module_and_every_copy_and_restores_them():
    with constants.applied({"model.instruction_spread": 0.4, VETO: -0.5}):
        assert delegation.INSTRUCTION_SPREAD == 0.4 and delegation.LISTING_VETO_AT == -0.5
        assert timing.INSTRUCTION_SPREAD == 0.4  # imported by name: the copy is set too
    assert delegation.INSTRUCTION_SPREAD == 0.15 and timing.INSTRUCTION_SPREAD == 0.15
    assert delegation.LISTING_VETO_AT == -0.7
    with pytest.raises(RuntimeError), constants.applied({"model.coordination_margin": 0.3}):
        raise RuntimeError
    assert national.COORDINATION_MARGIN == 0.1  # restored after an error too


def test_an_overridden_run_differs_and_leaves_the_next_default_run_unchanged():
    before = Exercise("grid-wiper", seed=3).run().digest
    changed = Exercise("grid-wiper", seed=3, model={"model.instruction_spread": 0.6}).run()
    assert changed.digest != before
    assert Exercise("grid-wiper", seed=3).run().digest == before  # no leak into the next run
    assert Exercise("grid-wiper", seed=3, model={"model.instruction_spread": 0.15}).run().model


def test_values_hold_while_the_exercise_runs_and_not_between_its_calls(monkeypatch):
    seen = []
    emit = Exercise.emit

    def spy(self, kind, *args, **data):
        seen.append(delegation.LISTING_VETO_AT)
        return emit(self, kind, *args, **data)

    monkeypatch.setattr(Exercise, "emit", spy)
    ex = Exercise("grid-wiper", seed=1, model={VETO: -0.4})
    seen.clear()
    ex.run("20d")
    assert delegation.LISTING_VETO_AT == -0.7  # between calls: the default
    ex.submit({"type": "media", "params": {"pressure": 0.5}})
    ex.run()
    assert len(seen) > 10 and set(seen) == {-0.4}  # while the model ran: the run's value


# -- refused -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"model.nope": 1}, "no model constant 'model.nope'"),
        ({VETO: 0.5}, r"model.listing_veto_at = 0.5 is outside its range \[-1, 0\]"),
        ({"model.max_rounds": 2.5}, "takes whole numbers"),
        ({VETO: "low"}, "takes a number"),
    ],
)
def test_unknown_names_and_values_out_of_range_are_refused(values, says):
    with pytest.raises(constants.ConstantError, match=says):
        Exercise("grid-wiper", model=values)


def test_a_bare_name_is_the_constant_of_that_name_as_the_cli_and_scenarios_take_it():
    bare = Exercise("grid-wiper", seed=3, model={"listing_veto_at": -0.6}).run()
    prefixed = Exercise("grid-wiper", seed=3, model={VETO: -0.6}).run()
    assert bare.digest == prefixed.digest
    assert bare.events[0].data["model"] == {VETO: -0.6}
    with pytest.raises(constants.ConstantError, match="given twice"):
        Exercise("grid-wiper", model={"listing_veto_at": -0.6, VETO: -0.5})


@pytest.mark.parametrize(
    ("vary", "says"),
    [
        ({"model.listing_veto_atx": [-0.5]}, r"vary.model.listing_veto_atx: no model constant .*"
                                            r"did you mean model.listing_veto_at"),
        ({VETO: [-0.5, 0.2]}, r"vary.model.listing_veto_at: .*0.2 is outside its range"),
        ({VETO: {"uniform": [-1.5, -0.5]}}, "outside its range"),
        ({"model.max_rounds": {"uniform": [1, 3]}}, "takes whole numbers"),
    ],
)
def test_a_spec_with_a_bad_constant_is_refused_where_it_is_named(vary, says):
    sample = {"random": 4} if any(isinstance(v, dict) for v in vary.values()) else "grid"
    with pytest.raises(SweepError, match=says):
        spec_from_dict({"base": "grid-wiper", "vary": vary, "sample": sample})


def test_a_normal_draw_outside_the_range_is_refused_naming_the_point():
    spec = spec_from_dict({"base": "grid-wiper", "vary": {VETO: {"normal": [-0.5, 1.0]}},
                           "sample": {"random": 40}})  # fmt: skip
    with pytest.raises(SweepError, match=r"point \d+ \(model.listing_veto_at=.*outside its range"):
        sw.Sweep(spec)


def test_the_cli_refuses_a_bad_constant_with_one_located_line(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("base: grid-wiper\nvary:\n  model.listing_veto_at: [0.4]\n")
    out = cdtx("sweep", str(spec), "-o", str(tmp_path / "r.csv"), "--quiet")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert re.search(r"s\.yaml: vary.model.listing_veto_at: .*outside its range", out.stderr)


# -- recorded and replayed ---------------------------------------------------------------------


def test_the_started_event_records_the_constants_only_when_some_are_set():
    assert "model" not in Exercise("grid-wiper").events[0].data
    ex = Exercise("grid-wiper", model={VETO: -0.4, "model.max_rounds": 2})
    assert ex.events[0].data["model"] == {VETO: -0.4, "model.max_rounds": 2}


def test_replay_reproduces_an_overridden_run(tmp_path):
    path = tmp_path / "run.jsonl"
    values = {"model.instruction_spread": 0.5, "model.coordination_margin": 0.3}
    ex = Exercise("grid-wiper", seed=5, model=values)
    with Recorder(path, ex):
        ex.run("20d")
        ex.submit({"type": "media", "params": {"pressure": 0.6}})
        ex.run()
    assert ex.digest != Exercise("grid-wiper", seed=5).run().digest
    rec = reader.open(path)
    result = rec.verify()
    assert result.ok, result
    assert rec.resimulate().digest == ex.digest
    out = cdtx("replay", str(path), "--verify")
    assert out.returncode == 0, out.stdout + out.stderr


# -- cdtx model ----------------------------------------------------------------------------------


def test_cdtx_model_lists_every_constant_with_default_range_and_source():
    out = cdtx("model", environ={"COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    for c in constants.CONSTANTS.values():
        assert c.name in out.stdout
    line = next(x for x in out.stdout.splitlines() if VETO in x)
    assert "-0.7" in line and "[-1, 0]" in line
    rows = json.loads(cdtx("model", "--json").stdout)
    assert {r["name"] for r in rows} == set(constants.CONSTANTS)
    parameters = cdtx("sweep", "--parameters", environ={"COLUMNS": "200"})
    assert parameters.returncode == 0 and parameters.stdout == out.stdout


# -- sweeps of constants -------------------------------------------------------------------------

SPEC = {"base": "grid-wiper", "seeds": 3,
        "vary": {"model.instruction_spread": [0.0, 0.6], "member_states.HU.ties.RU": [0.2, 0.9]}}  # fmt: skip


def _rows(path):
    return sorted(sw.read_rows(path), key=lambda r: (r["point"], r["replication"]))


def test_a_sweep_of_constants_runs_each_point_with_its_values(tmp_path):
    s = sw.Sweep(spec_from_dict(SPEC))
    sw.run_sweep(s, tmp_path / "r.csv", jobs=2)
    rows = _rows(tmp_path / "r.csv")
    assert len(rows) == 12 and all(r["status"] == "ok" for r in rows)
    for r in rows:  # each row re-runs alone to its digest with its point's values
        scenario = sw.build_scenario(s.base_data, s.points[r["point"]])
        model = {"model.instruction_spread": r["model.instruction_spread"]}
        assert Exercise(scenario, seed=r["seed"], model=model).run().digest == r["digest"]
    by_spread = {r["model.instruction_spread"] for r in rows}
    assert by_spread == {0.0, 0.6}
    # the spread changes the runs (instructions differ), common numbers keep the seeds
    a = [r["digest"] for r in rows if r["point"] == 0]
    b = [r["digest"] for r in rows if r["point"] == 2]
    assert a != b


def test_one_worker_process_running_points_in_turn_leaks_nothing(tmp_path):
    """-j 1: one worker runs every point in turn; each row equals its run alone."""
    s = sw.Sweep(spec_from_dict(SPEC))
    sw.run_sweep(s, tmp_path / "one.csv", jobs=1, chunk_size=12)
    sw.run_sweep(s, tmp_path / "two.csv", jobs=2, chunk_size=1)
    assert _rows(tmp_path / "one.csv") == _rows(tmp_path / "two.csv")


def test_determinism_under_another_hash_seed(tmp_path):
    code = (
        "import sys; from sim import sweep as sw\n"
        f"s = sw.Sweep(sw.spec_from_dict({SPEC!r}))\n"
        "sw.run_sweep(s, sys.argv[1], jobs=1)\n"
    )
    # one run here, one in a process under a hash seed other than this process's
    sw.run_sweep(sw.Sweep(spec_from_dict(SPEC)), tmp_path / "here.csv", jobs=1)
    env = {**os.environ, "PYTHONHASHSEED": "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "other.csv")], env=env,
                   check=True)  # fmt: skip
    assert _rows(tmp_path / "here.csv") == _rows(tmp_path / "other.csv")


def test_a_sweep_of_constants_on_dask_worker_processes_matches_the_pool(tmp_path, dask_cluster):
    s = sw.Sweep(spec_from_dict(SPEC))
    sw.run_sweep(s, tmp_path / "pool.csv", jobs=2)
    result = sw.run_sweep(s, tmp_path / "dask.csv", dask=dask_cluster, jobs=2, chunk_size=2)
    assert result.done == 12 and result.failed == 0
    assert _rows(tmp_path / "dask.csv") == _rows(tmp_path / "pool.csv")


def test_runs_in_threads_with_and_without_constants_do_not_see_each_others():
    import sys
    from concurrent.futures import ThreadPoolExecutor

    jobs = [({}, 1), ({"model.instruction_spread": 0.6}, 1), ({}, 2), ({VETO: -0.3,
            "model.instruction_spread": 0.0}, 2)] * 3  # fmt: skip

    def digest(job):
        model, seed = job
        ex = Exercise("grid-wiper", seed=seed, model=model)
        while ex.step():  # many short calls into the model, interleaved between the threads
            pass
        return ex.digest

    alone = [digest(job) for job in jobs[:4]] * 3
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        with ThreadPoolExecutor(4) as pool:
            together = list(pool.map(digest, jobs))
    finally:
        sys.setswitchinterval(interval)
    assert together == alone
    assert len(set(alone[:4])) == 4


def test_cdtx_run_sets_constants_for_its_run_and_replay_verifies_it(tmp_path):
    path = tmp_path / "m.jsonl"
    out = cdtx("run", "grid-wiper", "--seed", "4", "--model", "listing_veto_at=-0.4", "--model",
              "model.max_rounds=2", "--record", str(path), "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    expected = Exercise("grid-wiper", seed=4, model={VETO: -0.4, "model.max_rounds": 2}).run()
    assert json.loads(out.stdout)["digest"] == expected.digest
    assert reader.open(path).events[0].data["model"] == {VETO: -0.4, "model.max_rounds": 2}
    assert cdtx("replay", str(path), "--verify").returncode == 0
    bad = cdtx("run", "--model", "listing_veto_at=3")
    assert bad.returncode == 1 and "outside its range [-1, 0]" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_a_hostile_name_or_value_is_cut_to_the_limit_and_marked_in_every_message():
    """One way of cutting a value short for a message (scenarios.errors.cut_short): the model
    constants, a scenario's model: block, the replay's and the host's refusals all use it."""
    from scenarios.errors import cut_short

    for limit in (40, 60, 300):
        assert cut_short("x" * 5000, limit) == "x" * (limit - 3) + "..."
        assert cut_short("x" * limit, limit) == "x" * limit  # at the limit: whole
    assert constants.shown("y" * 5000) == "y" * 57 + "..."
    with pytest.raises(constants.ConstantError) as info:
        constants.get("model." + "z" * 100_000)
    assert len(str(info.value)) < 200 and "z..." in str(info.value)
