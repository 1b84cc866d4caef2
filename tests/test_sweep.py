"""Sweeps: spec checks, sampling, determinism across executors, faults, resume, results files."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim import sweep as sw
from sim.sweep import SweepError, spec_from_dict

BASE = {"base": "grid-wiper", "seed": 7}


def make(**fields) -> sw.Sweep:
    return sw.Sweep(spec_from_dict({**BASE, **fields}))


def keys_of(path) -> list[tuple[int, int]]:
    return sorted((r["point"], r["replication"]) for r in sw.read_rows(path))


def digests(path) -> dict[tuple[int, int], tuple[int, str]]:
    return {(r["point"], r["replication"]): (r["seed"], r["digest"]) for r in sw.read_rows(path)}


# -- generation --------------------------------------------------------------------------------


def test_grid_is_the_product_of_the_lists():
    s = make(
        vary={"member_states.HU.ties.RU": [0.0, 0.5, 1.0], "decision_rule": ["unanimity", "qmv"]}
    )
    assert len(s.points) == 6
    assert {(p["member_states.HU.ties.RU"], p["decision_rule"]) for p in s.points} == {
        (t, r) for t in (0.0, 0.5, 1.0) for r in ("unanimity", "qmv")
    }


def test_random_draws_within_bounds_and_is_reproducible():
    fields = {"vary": {"member_states.HU.ties.RU": {"uniform": [0.2, 0.4]},
                       "decision_rule": {"choice": ["unanimity", "qmv"]}},
              "sample": {"random": 30}}  # fmt: skip
    a, b = make(**fields), make(**fields)
    assert a.points == b.points and len(a.points) == 30
    assert all(0.2 <= p["member_states.HU.ties.RU"] <= 0.4 for p in a.points)
    assert {p["decision_rule"] for p in a.points} == {"unanimity", "qmv"}


def test_lhs_hits_each_stratum_once_per_dimension():
    n = 20
    s = make(
        vary={"member_states.HU.ties.RU": {"uniform": [0, 1]},
              "member_states.LT.stance": {"uniform": [-1, 1]}},
        sample={"lhs": n},
    )  # fmt: skip
    ties = sorted(int(p["member_states.HU.ties.RU"] * n) for p in s.points)
    stance = sorted(int((p["member_states.LT.stance"] + 1) / 2 * n) for p in s.points)
    assert ties == list(range(n)) and stance == list(range(n))


def test_paths_create_missing_entries_and_address_list_items_by_id():
    s = make(vary={"member_states.HU.ties.CN": [0.3], "incidents.INC-1.severity.impact": [4],
                   "procedure.mode": ["crisis"]})  # fmt: skip
    scenario = sw.build_scenario(s.base_data, s.points[0])
    assert scenario.member_states["HU"].ties["CN"] == 0.3
    assert scenario.incidents[0].severity.impact == 4
    assert scenario.procedure.mode == "crisis"


def test_run_seeds_depend_only_on_root_and_key():
    assert sw.run_seed(1, 3, 2, common=False) == sw.run_seed(1, 3, 2, common=False)
    assert len({sw.run_seed(1, p, r, common=False) for p in range(10) for r in range(10)}) == 100
    assert all(0 <= sw.run_seed(5, p, 0, common=False) < 2**63 for p in range(50))
    with pytest.raises(TypeError):  # which seeding is meant is always said
        sw.run_seed(1, 3, 2)  # type: ignore[call-arg]
    s = make(vary={"member_states.HU.ties.RU": [0.1, 0.9]}, seeds=3)  # common by default
    assert s.spec.common
    assert [s.run_seed(1, r) for r in range(3)] == [s.run_seed(0, r) for r in range(3)]
    assert s.run_seed(1, 2) == sw.run_seed(s.root, 1, 2, common=True)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vary": {"member_states.HU.tie.RU": [0.5]}}, "tie"),
        ({"vary": {"incidents.INC-9.severity.impact": [1]}}, "no item 'INC-9'"),
        ({"vary": {"procedur.mode": ["crisis"]}}, "did you mean 'procedure'"),
        ({"vary": {"member_states.HU.ties.RU": [1.5]}}, "not a valid scenario"),
        (
            {"vary": {"member_states.HU.ties.RU": {"uniform": [1, 0]}}, "sample": {"random": 3}},
            "needs low < high",
        ),
        (
            {"vary": {"member_states.HU.ties.RU": {"normal": [0.5, 0]}}, "sample": {"random": 3}},
            "sigma > 0",
        ),
        ({"vary": {"member_states.HU.ties.RU": {"uniform": [0, 1]}}}, "needs sample"),
        ({"vary": {"decision_rule": []}}, "empty"),
        ({"metrics": ["t_listng"]}, "did you mean 't_listing'"),
        ({"seeds": 0}, "seeds must be a whole number >= 1"),
        ({"sample": {"sobel": 4}}, "unknown method"),
        (
            {"vary": {"member_states.HU.ties.RU": {"uniform": [0, 1]}}, "sample": {"sobol": 6}},
            "must be a power of 2",
        ),
        ({"seeds": {"n": 3, "commn": False}}, "unknown key .commn."),
        ({"base": "no-such-scenario"}, "base:"),
        ({"vary": {"decision_rule": ["unanimity"]}, "sedes": 3}, "did you mean 'seeds'"),
    ],
)
def test_bad_specs_fail_with_one_clear_message(fields, message):
    with pytest.raises(SweepError, match=message.replace("(", r"\(")):
        make(**fields)


def test_unreachable_dask_scheduler_is_a_clear_error(tmp_path):
    s = make(vary={"decision_rule": ["unanimity"]})
    with pytest.raises(SweepError, match="cannot reach the Dask scheduler"):
        sw.run_sweep(s, tmp_path / "r.csv", dask="tcp://127.0.0.1:1", dask_timeout=1)
    assert not (tmp_path / "r.csv").exists()


def test_bad_output_suffix(tmp_path):
    with pytest.raises(SweepError, match=r"\.csv or \.parquet"):
        sw.run_sweep(make(), tmp_path / "r.txt")


# -- determinism across executors --------------------------------------------------------------

SMALL = {"vary": {"member_states.HU.ties.RU": [0.2, 0.9]}, "seeds": 5}


def test_same_digests_with_one_two_workers_and_dask(tmp_path):
    s = make(**SMALL)
    one = sw.run_sweep(s, tmp_path / "j1.csv", jobs=1)
    assert one.done == 10 and one.failed == 0
    sw.run_sweep(s, tmp_path / "j2.csv", jobs=2, chunk_size=3)
    sw.run_sweep(s, tmp_path / "dask.parquet", jobs=2, dask="local")
    reference = digests(tmp_path / "j1.csv")
    assert len(reference) == 10
    assert digests(tmp_path / "j2.csv") == reference
    assert digests(tmp_path / "dask.parquet") == reference
    from importlib.metadata import version

    packages = _record(tmp_path / "dask.parquet")["provenance"]["packages"]
    assert packages["distributed"] == version("distributed")  # it ran on Dask: it says so
    assert "distributed" not in _record(tmp_path / "j2.csv")["provenance"]["packages"]
    # and the same as calling the Exercise directly
    from sim import Exercise

    scenario = sw.build_scenario(s.base_data, s.points[1])
    seed, digest = reference[(1, 3)]
    ex = Exercise(scenario, seed=seed)
    ex.run()
    assert ex.digest == digest


@pytest.mark.parametrize("on_dask", [False, True])
@pytest.mark.parametrize("todo, jobs", [(1000, 2), (1000, 1), (20_000, 4), (7, 2), (1, 2)])
def test_chunks_cover_every_run_and_shrink_towards_the_end(todo, jobs, on_dask):
    """Default chunks: every run once, none above the cap, and small at the end, so that no
    worker waits for another's last large chunk."""
    from sim.sweep.execute import chunk_sizes

    sizes = list(chunk_sizes(todo, jobs, on_dask=on_dask))
    assert sum(sizes) == todo and min(sizes) >= 1
    assert max(sizes) <= (128 if on_dask else 32)
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= (8 if on_dask else 2)


# -- faults ------------------------------------------------------------------------------------


def raise_on_high_ties(scenario, seed):
    if scenario.member_states["HU"].ties["RU"] > 0.5:
        raise RuntimeError("injected failure")
    return sw.default_run(scenario, seed)


def test_a_raising_run_becomes_a_failed_row(tmp_path):
    s = make(**SMALL)
    result = sw.run_sweep(s, tmp_path / "r.csv", jobs=2, run_fn=raise_on_high_ties)
    assert result.done == 10 and result.failed == 5
    rows = list(sw.read_rows(tmp_path / "r.csv"))
    failed = [r for r in rows if r["status"] == "failed"]
    assert {r["point"] for r in failed} == {1}
    assert all("injected failure" in r["error"] for r in failed)
    assert all(r["status"] == "ok" and r["digest"] for r in rows if r["point"] == 0)


def die_once(scenario, seed):
    marker = Path(os.environ["CDTX_SWEEP_MARKER"])
    if seed == int(os.environ["CDTX_SWEEP_VICTIM"]) and not marker.exists():
        marker.write_text("died")
        os._exit(3)
    return sw.default_run(scenario, seed)


def test_a_dead_worker_is_retried_and_every_run_counted_once(tmp_path, monkeypatch):
    s = make(**SMALL)
    monkeypatch.setenv("CDTX_SWEEP_MARKER", str(tmp_path / "marker"))
    monkeypatch.setenv("CDTX_SWEEP_VICTIM", str(s.run_seed(1, 2)))
    result = sw.run_sweep(s, tmp_path / "r.csv", jobs=2, chunk_size=2, run_fn=die_once)
    assert (tmp_path / "marker").exists()
    assert result.retried >= 1 and result.failed == 0
    assert keys_of(tmp_path / "r.csv") == sorted(s.run_keys())
    sw.run_sweep(s, tmp_path / "ref.csv", jobs=1)
    assert digests(tmp_path / "r.csv") == digests(tmp_path / "ref.csv")


class LosingExecutor:
    """An executor whose every task is lost (as when a cluster keeps losing its workers)."""

    def submit(self, fn, *args, **kwargs):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_exception(ConnectionError("worker vanished"))
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_a_chunk_lost_more_often_than_retried_becomes_failed_rows(tmp_path):
    s = make(**SMALL)
    result = sw.run_sweep(s, tmp_path / "r.csv", executor_factory=LosingExecutor, chunk_size=2)
    chunks = -(-s.total // 2)
    assert result.done == result.failed == s.total and result.retried == chunks * sw.RETRIES
    rows = list(sw.read_rows(tmp_path / "r.csv"))
    assert sorted((r["point"], r["replication"]) for r in rows) == sorted(s.run_keys())
    for r in rows:  # every run is named with its parameters and seed, and why it failed
        assert r["status"] == "failed" and r["seed"] == s.run_seed(r["point"], r["replication"])
        assert r["member_states.HU.ties.RU"] == s.points[r["point"]]["member_states.HU.ties.RU"]
        assert r["error"] == "worker lost 3 times: ConnectionError: worker vanished"


# -- resume and interruption -------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_resume_runs_only_the_missing_runs(tmp_path, suffix):
    s = make(**SMALL)
    full = tmp_path / f"full.{suffix}"
    sw.run_sweep(s, full, jobs=1)
    part = tmp_path / f"part.{suffix}"
    if suffix == "csv":
        lines = full.read_text().splitlines(keepends=True)
        part.write_text("".join(lines[:5]))  # header and 4 runs
    else:
        import pyarrow.parquet as pq

        pq.write_table(pq.read_table(full).slice(0, 4), part)
    shutil.copy(f"{full}.spec.json", f"{part}.spec.json")  # the record they were started with
    result = sw.run_sweep(s, part, jobs=2, resume=True)
    assert result.skipped == 4 and result.done == 6
    assert keys_of(part) == sorted(s.run_keys())
    assert digests(part) == digests(full)


def test_resume_after_a_join_cut_short_keeps_each_run_and_sample_once(tmp_path):
    # A sweep killed while joining its parts into the file, after the file was renamed into
    # place but before the parts were removed, leaves both: --resume must count each run (and
    # each run's series sample) once, while a fresh sweep's join keeps every row as written.
    pq = pytest.importorskip("pyarrow.parquet")
    s = make(**SMALL, series={"fields": ["meetings"], "every": "10d"})
    out = tmp_path / "r.parquet"
    sw.run_sweep(s, out, jobs=1)
    series = sw.outcomes.series_file(out)
    rows, samples = pq.read_table(out).num_rows, pq.read_table(series).num_rows
    assert rows == 10 and samples > rows
    for path in (out, series):  # the parts of the interrupted join, the same rows again
        parts = sw.results.partial_dir(path)
        parts.mkdir()
        shutil.copy(path, parts / "part-000000.parquet")
    result = sw.run_sweep(s, out, jobs=1, resume=True)
    assert result.done == 0 and result.skipped == 10
    assert keys_of(out) == sorted(s.run_keys())
    table = pq.read_table(series)
    assert table.num_rows == samples
    keys = list(zip(*(table.column(k).to_pylist() for k in ("point", "replication", "t")),
                    strict=True))  # fmt: skip
    assert len(set(keys)) == samples
    assert not sw.results.partial_dir(out).exists() and not sw.results.partial_dir(series).exists()


def record_of(path) -> dict:
    """The sweep's record a Parquet file holds, without when its sweep started."""
    import pyarrow.parquet as pq

    record = json.loads(pq.read_schema(path).metadata[b"cdtx.sweep"])
    record["provenance"].pop("started")
    return record


def test_a_sweep_written_in_many_parts_gives_the_file_one_part_gives(tmp_path, monkeypatch):
    # a short fresh sweep's one part is renamed into place; a longer one's parts are joined:
    # the same rows and series either way
    pq = pytest.importorskip("pyarrow.parquet")
    s = make(**SMALL, series={"fields": ["meetings"], "every": "10d"})
    one, many = tmp_path / "one.parquet", tmp_path / "many.parquet"
    sw.run_sweep(s, one, jobs=1)
    monkeypatch.setattr(sw.results._ParquetWriter, "GROUP", 3)
    monkeypatch.setattr(sw.results._ColumnsWriter, "GROUP", 20)
    sw.run_sweep(s, many, jobs=1, chunk_size=2)
    for a, b in ((one, many), (sw.outcomes.series_file(one), sw.outcomes.series_file(many))):
        assert pq.read_table(a).equals(pq.read_table(b))
        assert record_of(a) == record_of(b)
    assert pq.ParquetFile(many).num_row_groups > 1 and pq.ParquetFile(one).num_row_groups == 1
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no parts left


class Stop(KeyboardInterrupt):
    pass


def test_interrupt_keeps_finished_runs_and_resume_completes(tmp_path):
    s = make(**SMALL)
    out = tmp_path / "r.parquet"

    def stop_after_some(done, total, failed):
        if done >= 4:
            raise Stop

    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(s, out, jobs=1, chunk_size=2, progress=stop_after_some)
    kept = keys_of(out)  # a properly closed file
    assert 4 <= len(kept) < 10 and len(set(kept)) == len(kept)
    sw.run_sweep(s, out, jobs=1, resume=True)
    assert keys_of(out) == sorted(s.run_keys())


@pytest.mark.parametrize("cut", ["no final line break", "cut mid-line"])
def test_resume_after_a_last_line_without_its_line_break_keeps_every_run(tmp_path, cut):
    s = make(**SMALL)
    full = tmp_path / "full.csv"
    sw.run_sweep(s, full, jobs=1)
    lines = full.read_bytes().splitlines(keepends=True)
    last = lines[5].rstrip(b"\r\n") if cut == "no final line break" else lines[5][:40]
    part = tmp_path / "part.csv"
    part.write_bytes(b"".join(lines[:5]) + last)
    shutil.copy(f"{full}.spec.json", f"{part}.spec.json")
    sw.run_sweep(s, part, jobs=1, resume=True)
    assert keys_of(part) == sorted(s.run_keys())  # nothing lost, nothing twice
    assert digests(part) == digests(full)


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (
            {"vary": {"member_states.HU.ties.RU": [0.2, 0.7]}},
            r"vary\.member_states\.HU\.ties\.RU \[0\.2, 0\.9\] then, \[0\.2, 0\.7\] now",
        ),
        ({"seed": 99}, r"seed \(root\) 7 then, 99 now"),
        ({"seeds": 2}, "seeds 5 then, 2 now"),
    ],
)
def test_resume_refuses_a_file_run_with_other_values(tmp_path, changed, message):
    out = tmp_path / "r.csv"
    sw.run_sweep(make(**SMALL), out, jobs=1)
    with pytest.raises(SweepError, match=message):
        sw.run_sweep(make(**{**SMALL, **changed}), out, resume=True)


def test_resume_refuses_a_file_of_another_sweep(tmp_path):
    sw.run_sweep(make(**SMALL), tmp_path / "r.csv", jobs=1)
    other = make(vary={"decision_rule": ["qmv"]})
    with pytest.raises(SweepError, match="vary.decision_rule newly varied"):
        sw.run_sweep(other, tmp_path / "r.csv", resume=True)


# -- results files ------------------------------------------------------------------------------


def test_results_read_in_pandas_and_pyarrow(tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    s = make(vary={"decision_rule": ["unanimity", "qmv"]}, seeds=3,
             metrics=["t_first_psc", "highest_rung", "blocked", "objectives"])  # fmt: skip
    sw.run_sweep(s, tmp_path / "r.parquet", jobs=1)
    sw.run_sweep(s, tmp_path / "r.csv", jobs=1)
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.num_rows == 6
    frame = pd.read_csv(tmp_path / "r.csv")
    assert list(frame.columns) == table.schema.names
    assert {"decision_rule", "t_first_psc", "n_blocked", "objective.OBJ-1", "seed"} <= set(
        frame.columns
    )
    assert "t_listing" not in frame.columns
    assert (frame["status"] == "ok").all()
    # Rows are written as runs finish, so compare them by (point, replication).
    keys = ["point", "replication", "digest"]
    parquet = pd.read_parquet(tmp_path / "r.parquet")[keys].sort_values(keys[:2])
    csv = frame[keys].sort_values(keys[:2])
    assert parquet.values.tolist() == csv.values.tolist()


def test_summary_per_point(tmp_path):
    s = make(vary={"member_states.HU.ties.RU": [0.0, 1.0]}, seeds=6, title="Ties")
    sw.run_sweep(s, tmp_path / "r.csv", jobs=1)
    summary = sw.summarize(tmp_path / "r.csv")
    assert summary["title"] == "Ties"  # from the spec written beside the results
    points = summary["points"]
    assert [x["point"] for x in points] == [0, 1]
    assert all(x["n"] == 6 for x in points)
    assert points[0]["params"] == {"member_states.HU.ties.RU": 0.0}
    t = points[0]["metrics"]["t_first_detection"]
    assert t["p10"] <= t["median"] <= t["p90"]
    assert t["median_low"] <= t["median"] <= t["median_high"]
    assert 0 <= points[0]["rungs"][3]["low"] <= points[0]["rungs"][3]["share"] <= 1


# -- CLI and layering --------------------------------------------------------------------------


def test_cli_runs_a_shipped_spec_by_path_and_reports_errors(tmp_path, capsys):
    from tui.cli import main

    spec = tmp_path / "s.yaml"
    spec.write_text("base: grid-wiper\nvary:\n  decision_rule: [unanimity, qmv]\nseeds: 2\n")
    out = tmp_path / "r.csv"
    assert main(["sweep", str(spec), "-j", "1", "-o", str(out), "--quiet"]) == 0
    assert len(keys_of(out)) == 4
    assert main(["sweep", "--summary", str(out)]) == 0
    assert main(["sweep", str(spec), "-o", str(out)]) == 1  # exists without --resume
    spec.write_text("base: grid-wiper\nvary:\n  decision_rule: [unanimity]\nseeds: 0\n")
    assert main(["sweep", str(spec), "-o", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert "seeds must be a whole number" in err and "Traceback" not in err


def test_shipped_specs_load_and_check():
    names = sw.builtin_specs()
    assert {"hu-ties", "unanimity-vs-qmv", "crisis-vs-calendar"} <= set(names)
    for name in names:
        assert sw.Sweep(sw.load_spec(name)).total > 0


def test_sim_sweep_does_not_import_the_ui_or_heavy_deps():
    code = (
        "import sys, sim.sweep\n"
        "bad = [m for m in ('textual', 'rich', 'tui', 'dask', 'distributed', 'pyarrow', "
        "'matplotlib', 'pandas', 'SALib', 'scipy') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_csv_is_plain(tmp_path):
    sw.run_sweep(make(), tmp_path / "r.csv", jobs=1)
    with open(tmp_path / "r.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["status"] == "ok"


# -- files people hand to a sweep: every failure is a SweepError naming the file ----------------


def _results(tmp_path: Path, **edit: str) -> Path:
    """A one-point results file with cells of its first run replaced by ``edit``."""
    path = tmp_path / "r.csv"
    sw.run_sweep(make(seeds=2), path, jobs=1)
    rows = list(csv.reader(path.open(newline="")))
    for column, value in edit.items():
        rows[1][rows[0].index(column)] = value
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("point", "abc", "row 2, column 'point': expected a whole number, not 'abc'"),
        ("point", "", "row 2, column 'point': empty"),
        ("seed", "x1", "row 2, column 'seed': expected a whole number, not 'x1'"),
        ("highest_rung", "2.5", "row 2, column 'highest_rung': expected a whole number, not '2.5'"),
        (
            "t_first_detection",
            "soon",
            "row 2, column 't_first_detection': expected a number, not 'soon'",
        ),
        ("cohesion", "nan", "row 2, column 'cohesion': expected a number, not 'nan'"),
        (
            "t_first_detection",
            "inf",
            "row 2, column 't_first_detection': expected a number, not 'inf'",
        ),
    ],
)
def test_hand_edited_cells_name_row_and_column(tmp_path, column, value, message):
    path = _results(tmp_path, **{column: value})
    with pytest.raises(SweepError) as info:
        list(sw.read_rows(path))
    assert str(info.value) == f"{path}: {message}"
    with pytest.raises(SweepError, match="row 2"):
        sw.summarize(path)


def test_files_that_are_not_results(tmp_path):
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SweepError, match=r"b\.csv: not a results file \(not UTF-8 text\)"):
        sw.summarize(binary)
    other = tmp_path / "o.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(SweepError, match="missing column 'point'"):
        list(sw.read_rows(other))
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(SweepError, match=r"d\.csv: is a directory"):
        list(sw.read_rows(tmp_path / "d.csv"))
    with pytest.raises(SweepError, match="no such results file"):
        list(sw.read_rows(tmp_path / "none.csv"))


def test_results_that_cannot_be_written_or_resumed(tmp_path):
    (tmp_path / "afile").write_text("")
    with pytest.raises(SweepError, match="afile is not a directory"):
        sw.run_sweep(make(), tmp_path / "afile" / "r.csv", jobs=1)
    (tmp_path / "d.csv").mkdir()
    for resume in (False, True):
        with pytest.raises(SweepError, match=r"d\.csv: is a directory"):
            sw.run_sweep(make(), tmp_path / "d.csv", jobs=1, resume=resume)
    bad = _results(tmp_path, highest_rung="abc")
    with pytest.raises(SweepError, match="row 2, column 'highest_rung'"):
        sw.run_sweep(make(seeds=2), bad, jobs=1, resume=True)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_results_are_never_written_through_a_symbolic_link(tmp_path, suffix):
    victim = tmp_path / f"victim.{suffix}"
    dangling = tmp_path / f"dangling.{suffix}"
    dangling.symlink_to(victim)
    for resume in (False, True):
        with pytest.raises(SweepError, match="symbolic link"):
            sw.run_sweep(make(), dangling, jobs=1, run_fn=_quick, resume=resume)
    assert not victim.exists()
    victim.write_text("precious\n")
    live = tmp_path / f"live.{suffix}"
    live.symlink_to(victim)
    for resume in (False, True):
        with pytest.raises(SweepError, match="symbolic link"):
            sw.run_sweep(make(), live, jobs=1, run_fn=_quick, resume=resume)
    assert victim.read_text() == "precious\n"


def test_cli_sweep_output_that_is_a_dangling_link_is_refused(tmp_path, capsys):
    from tui.cli import main

    dangling = tmp_path / "r.csv"
    dangling.symlink_to(tmp_path / "victim.csv")
    for extra in ([], ["--resume"]):
        code = main(["sweep", "hu-ties", "-o", str(dangling), *extra])
        err = capsys.readouterr().err
        assert code == 1 and "symbolic link" in err and "Traceback" not in err
    assert not (tmp_path / "victim.csv").exists()


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_summary_of_a_fifo_is_refused_at_once(tmp_path, suffix):
    fifo = tmp_path / f"r.{suffix}"
    os.mkfifo(fifo)
    code = "import sys; from sim import sweep; sweep.summarize(sys.argv[1])"
    try:  # in a child process: a read that blocks on the FIFO is killed, not hung forever
        done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True,
                              text=True, timeout=60)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("sweep --summary of a FIFO blocked")
    assert done.returncode != 0 and "is not a regular file" in done.stderr


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_an_output_the_system_refuses_is_a_sweep_error():
    # the record beside the results is written first: it is the file named
    with pytest.raises(SweepError, match=r"/proc/r\.csv(\.spec\.json)?: cannot (write|create)"):
        sw.run_sweep(make(), "/proc/r.csv", jobs=1)


def test_spec_that_is_a_directory(tmp_path):
    with pytest.raises(SweepError, match="is a directory, not a sweep spec"):
        sw.load_spec(tmp_path)


def test_plot_output_is_checked(tmp_path):
    with pytest.raises(SweepError, match=r"\.png, \.svg or \.pdf"):
        sw.check_plot_output(tmp_path / "p.txt")
    with pytest.raises(SweepError, match="no such directory"):
        sw.check_plot_output(tmp_path / "nodir" / "p.png")
    with pytest.raises(SweepError, match="is a directory"):
        sw.check_plot_output(tmp_path)
    with pytest.raises(SweepError, match=r"\.png, \.svg or \.pdf"):
        sw.plot(tmp_path / "r.csv", tmp_path / "p.txt")  # before reading anything
    assert sw.check_plot_output(tmp_path / "p.SVG") == tmp_path / "p.SVG"


# -- memory stays flat: run keys are streamed, points are bounded -------------------------------


def test_many_seeds_do_not_list_the_runs(tmp_path):
    import tracemalloc
    from concurrent.futures import ThreadPoolExecutor

    s = make(seeds=1_000_000)  # listing a million run keys takes far more than 10 MB

    def stop(done, total, failed):
        assert total == 1_000_000
        if done >= 50:
            raise Stop

    tracemalloc.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sw.run_sweep(s, tmp_path / "r.csv", jobs=1, chunk_size=8, progress=stop,
                         executor_factory=lambda: ThreadPoolExecutor(1), run_fn=_quick)  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000
    assert 50 <= len(keys_of(tmp_path / "r.csv")) < 100


def _quick(scenario, seed):
    return f"{seed:x}", {}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vary": {"member_states.HU.ties.RU": {"uniform": [0, 1]}},
          "sample": {"lhs": 10**9}}, "sample.lhs: 1000000000 points is more than"),
        ({"vary": {"member_states.HU.ties.RU": {"uniform": [0, 1]}},
          "sample": {"random": sw.MAX_POINTS + 1}}, "sample.random"),
        ({"vary": {f"a{i}": list(range(10)) for i in range(6)}},
         "10 x 10 x 10 x 10 x 10 x 10 = 1,000,000 points"),
    ],
)  # fmt: skip
def test_points_are_bounded_when_the_spec_loads(fields, message):
    with pytest.raises(SweepError, match=message):
        spec_from_dict({**BASE, **fields})


@pytest.mark.parametrize("method", ["random", "lhs"])
def test_random_and_lhs_points_are_n_however_many_parameters(method):
    """{random: N} and {lhs: N} draw N points, not N per parameter: the bound is on N."""
    vary = {f"member_states.{s}.ties.RU": {"uniform": [0, 1]} for s in ("HU", "SK", "AT")}
    n = sw.MAX_POINTS // 2
    assert spec_from_dict({**BASE, "vary": vary, "sample": {method: n}}).n == n


def test_seeds_are_not_bounded():
    spec = spec_from_dict({**BASE, "seeds": 10**11})
    assert sw.Sweep(spec).total == 10**11


def test_a_point_whose_runs_all_failed_is_reported_not_a_crash(tmp_path, capsys):
    from sim import report

    out = tmp_path / "r.csv"
    sw.run_sweep(make(**SMALL), out, jobs=1, run_fn=raise_on_high_ties)
    rows = report.sweep.read_results(out)
    for fmt in ("md", "html"):
        text = report.sweep_report(rows, fmt=fmt)
        assert "0.9" in text
    data = report.sweep.summarise(rows)
    failed = next(p for p in data["points"] if p["params"]["member_states.HU.ties.RU"] == 0.9)
    assert failed["objectives"] == {}


def test_a_summary_of_a_file_without_rows_is_refused(tmp_path):
    empty = tmp_path / "r.csv"
    empty.write_text("")
    with pytest.raises(SweepError, match="no result rows"):
        sw.summarize(empty)
    assert sw.summarize([])["points"] == []  # rows given directly: nothing to say, nothing wrong


# -- where results came from, and resuming only what they came from ------------------------------


def in_threads():
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(1)


def _base_file(tmp_path: Path) -> Path:
    """The built-in grid-wiper scenario as a file of one's own (to edit between runs)."""
    import scenarios

    path = tmp_path / "base.yaml"
    path.write_text(scenarios.load("grid-wiper").source_text, encoding="utf-8")
    return path


def _record(results: Path) -> dict:
    import json

    return json.loads(Path(f"{results}.spec.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_results_say_where_they_came_from(tmp_path, suffix):
    import hashlib
    import json
    from datetime import UTC, datetime, timedelta
    from importlib.metadata import version

    from sim import cdtx_version

    base = _base_file(tmp_path)
    out = tmp_path / f"r.{suffix}"
    spec = {"base": str(base), "seed": 7, "vary": {"decision_rule": ["unanimity", "qmv"]},
            "seeds": 2, "metrics": ["t_first_psc", "blocked"]}  # fmt: skip
    before = datetime.now(UTC).replace(microsecond=0)
    sw.run_sweep(sw.Sweep(spec_from_dict(spec)), out, executor_factory=in_threads, run_fn=_quick)
    after = datetime.now(UTC)
    record = _record(out)
    assert record["base"] == str(base) and record["seeds"] == 2 and record["root"] == 7
    assert record["vary"] == {"decision_rule": {"kind": "grid", "args": ["unanimity", "qmv"]}}
    assert record["metrics"] == ["t_first_psc", "blocked"]
    made = record["provenance"]
    assert made["cdtx_version"] == cdtx_version()
    assert made["base_sha256"] == hashlib.sha256(base.read_bytes()).hexdigest()
    assert made["packages"]["simpy"] == version("simpy")
    assert made["packages"]["numpy"] == version("numpy")
    assert made["packages"]["pyarrow"] == version("pyarrow")
    assert made["packages"]["python"] == sys.version.split()[0]
    started = datetime.fromisoformat(made["started"])
    assert started.utcoffset() == timedelta(0) and before <= started <= after
    if suffix == "parquet":  # the file says it on its own too
        import pyarrow.parquet as pq

        assert json.loads(pq.read_schema(out).metadata[b"cdtx.sweep"]) == record
    frame = sw.frame(out)
    assert frame.attrs["spec"] == record and frame.attrs["provenance"] == made


def test_a_dataframe_of_sweep_run_carries_its_provenance():
    runs = sw.run({**BASE, "seeds": 2}, executor_factory=in_threads, run_fn=_quick)
    made = runs.attrs["provenance"]
    assert len(runs) == 2 and runs.attrs["spec"]["seeds"] == 2
    assert made["base_sha256"] == sw.Sweep(spec_from_dict({**BASE, "seeds": 2})).base_sha256
    assert {"cdtx_version", "packages", "started"} <= set(made)


def test_resume_refuses_an_edited_base_scenario_and_force_starts_over(tmp_path, capsys):
    import hashlib

    from tui.cli import main

    base = _base_file(tmp_path)
    spec = tmp_path / "s.yaml"
    spec.write_text("base: base.yaml\nseed: 7\nseeds: 3\nmetrics: [highest_rung]\n")
    out = tmp_path / "r.csv"
    run = ["sweep", str(spec), "-j", "1", "-o", str(out), "--quiet"]
    assert main(run) == 0
    kept, record = out.read_bytes(), Path(f"{out}.spec.json").read_bytes()
    # the base scenario edited, then more replications asked of the same results
    base.write_text(base.read_text().replace("decision_rule: unanimity", "decision_rule: qmv"))
    spec.write_text(spec.read_text().replace("seeds: 3", "seeds: 6"))
    capsys.readouterr()
    assert main([*run, "--resume"]) == 1
    err = capsys.readouterr().err
    assert err.count("cdtx:") == 1 and "Traceback" not in err
    assert "cannot resume" in err and "base scenario base.yaml changed" in err
    assert "--force to start over" in err
    assert out.read_bytes() == kept and Path(f"{out}.spec.json").read_bytes() == record
    assert main(run) == 1  # an existing file is never replaced unasked
    assert "--force to start over" in capsys.readouterr().err
    assert main([*run, "--force"]) == 0
    assert keys_of(out) == [(0, r) for r in range(6)]
    assert (
        _record(out)["provenance"]["base_sha256"] == hashlib.sha256(base.read_bytes()).hexdigest()
    )


def test_resume_refuses_results_of_another_cdtx_version(tmp_path):
    import json

    out = tmp_path / "r.csv"
    sw.run_sweep(make(seeds=2), out, executor_factory=in_threads, run_fn=_quick)
    record = _record(out)
    record["provenance"]["cdtx_version"] = "0.0.1"
    Path(f"{out}.spec.json").write_text(json.dumps(record))
    kept = out.read_bytes()
    with pytest.raises(SweepError, match=r"cannot resume: .*cdtx version 0\.0\.1 then, \S+ now"):
        sw.run_sweep(make(seeds=3), out, resume=True, executor_factory=in_threads, run_fn=_quick)
    assert out.read_bytes() == kept


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_resume_without_the_record_beside_the_results(tmp_path, suffix):
    out = tmp_path / f"r.{suffix}"
    sw.run_sweep(make(seeds=2), out, executor_factory=in_threads, run_fn=_quick)
    Path(f"{out}.spec.json").unlink()
    resume = dict(resume=True, executor_factory=in_threads, run_fn=_quick)
    if suffix == "csv":  # nothing says what the rows were run with
        with pytest.raises(SweepError, match=r"r\.csv\.spec\.json is missing"):
            sw.run_sweep(make(seeds=3), out, **resume)
    else:  # a Parquet file carries its record in its metadata
        assert sw.run_sweep(make(seeds=3), out, **resume).skipped == 2
        assert _record(out)["provenance"]["resumed"][0]["seeds"] == 3


def test_resume_may_add_replications_and_records_when(tmp_path):
    out = tmp_path / "r.csv"
    sw.run_sweep(make(seeds=2), out, executor_factory=in_threads, run_fn=_quick)
    started = _record(out)["provenance"]["started"]
    result = sw.run_sweep(make(seeds=4), out, resume=True, executor_factory=in_threads,
                          run_fn=_quick)  # fmt: skip
    assert (result.skipped, result.done) == (2, 2)
    record = _record(out)
    assert record["seeds"] == 4 and record["provenance"]["started"] == started
    (line,) = record["provenance"]["resumed"]
    assert line["seeds"] == 4 and line["at"] >= started


def test_text_a_spreadsheet_would_run_is_neutralised_in_the_csv(tmp_path):
    titles = ['=HYPERLINK("http://evil.example/","click")', "+1+cmd|' /C calc'!A0", "@SUM(A1)",
              "-2+3", "\tleading tab", "'=already quoted", "plain"]  # fmt: skip
    out = tmp_path / "r.csv"
    sw.run_sweep(make(vary={"title": titles}), out, executor_factory=in_threads, run_fn=_quick)
    with open(out, newline="", encoding="utf-8") as f:
        cells = [row["title"] for row in csv.DictReader(f)]
    assert len(cells) == len(titles)
    assert not any(c.startswith(("=", "+", "-", "@", "\t")) for c in cells)
    assert sorted(r["title"] for r in sw.read_rows(out)) == sorted(titles)  # read back as given
    assert sorted(sw.frame(out)["title"]) == sorted(titles)


def test_the_record_beside_the_results_is_never_written_through_a_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "r.csv"
    (tmp_path / ".r.csv.spec.json.partial").symlink_to(victim)  # where it was written before
    sw.run_sweep(make(), out, executor_factory=in_threads, run_fn=_quick)
    assert victim.read_text() == "precious\n"
    assert _record(out)["provenance"]["cdtx_version"]
    other = tmp_path / "s.csv"
    Path(f"{other}.spec.json").symlink_to(victim)  # the record's own name a link: refused
    for resume in (False, True):
        with pytest.raises(SweepError, match=r"s\.csv\.spec\.json: is a symbolic link"):
            sw.run_sweep(make(), other, resume=resume, executor_factory=in_threads, run_fn=_quick)
    assert victim.read_text() == "precious\n" and not other.exists()


def _disk_full(monkeypatch, path: Path, room: int) -> None:
    """Make ``path``'s disk full after ``room`` more bytes: ``os.write`` to it writes what still
    fits, then fails with ENOSPC (as a filling disk does). Other files are written as usual."""
    import errno

    real = os.write
    written = [0]

    def write(fd, data):
        try:
            mine, target = os.fstat(fd), os.stat(path)
        except OSError:
            return real(fd, data)
        if (mine.st_dev, mine.st_ino) != (target.st_dev, target.st_ino):
            return real(fd, data)
        fits = room - written[0]
        if fits <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real(fd, bytes(data)[:fits])
        written[0] += n
        return n

    monkeypatch.setattr(os, "write", write)


def test_a_full_disk_before_any_run_leaves_no_results_file(tmp_path, monkeypatch, capsys):
    from tui.cli import main

    spec = tmp_path / "s.yaml"
    spec.write_text("base: grid-wiper\nseed: 7\nseeds: 2\nmetrics: [highest_rung]\n")
    out = tmp_path / "r.csv"
    _disk_full(monkeypatch, out, room=10)  # the header does not fit
    assert main(["sweep", str(spec), "-j", "1", "-o", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "Exception ignored" not in err
    assert "r.csv: cannot write the results: no space left on the device" in err
    assert "nothing was kept" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]  # no file, no record


def test_a_full_disk_during_a_sweep_keeps_whole_rows_and_resume_completes(tmp_path, monkeypatch):
    s = make(**SMALL)
    run = dict(executor_factory=in_threads, run_fn=_quick, chunk_size=2)
    reference = tmp_path / "ref.csv"
    sw.run_sweep(s, reference, **run)
    lines = reference.read_bytes().splitlines(keepends=True)
    out = tmp_path / "r.csv"
    _disk_full(monkeypatch, out, room=len(b"".join(lines[:3])) + 10)  # 2 rows and a bit
    with pytest.raises(SweepError, match="no space left on the device.*finished before are kept"):
        sw.run_sweep(s, out, **run)
    assert out.read_bytes() == b"".join(lines[:3])  # the header and two whole rows, no more
    monkeypatch.undo()  # room again
    assert sw.run_sweep(s, out, resume=True, **run).skipped == 2
    assert digests(out) == digests(reference)


def test_a_full_disk_before_any_parquet_row_group_leaves_nothing(tmp_path, monkeypatch):
    import errno

    import pyarrow.parquet as pq

    def disk_full(table, where, *args, **kwargs):
        Path(where).write_bytes(b"PAR1 partial")  # what fitted
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(SweepError, match=r"r\.parquet: cannot write the results: no space .*"
                                         r"nothing was kept"):  # fmt: skip
        sw.run_sweep(make(seeds=3), tmp_path / "r.parquet", executor_factory=in_threads,
                     run_fn=_quick)  # fmt: skip
    assert list(tmp_path.iterdir()) == []  # no results, no parts, no record
