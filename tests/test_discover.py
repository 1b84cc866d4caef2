"""Scenario discovery (issue 24): boxes of inputs that lead to an outcome, with coverage and
density, from a results file, in Python and on the command line."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from sim import sweep as sw
from sim.sweep.discover import show_box

pytest.importorskip("sklearn")

HU, SK = "member_states.HU.ties.RU", "member_states.SK.ties.RU"


def blocked_when_tied_under_unanimity(scenario, seed):
    """Hungary blocks when its ties pass 0.8 and the rule is unanimity; Slovakia is noise."""
    hu = scenario.member_states["HU"].ties["RU"]
    blocks = hu > 0.8 and scenario.decision_rule == "unanimity"
    return "x", {"blocked": [{"measure": "listing", "by": ["HU"]}] if blocks else [],
                 "t_listing": None if blocks else 24.0 * 30}  # fmt: skip


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    spec = {"base": "grid-wiper", "seed": 5, "sample": {"random": 400}, "seeds": 1,
            "vary": {HU: {"uniform": [0, 1]}, SK: {"uniform": [0, 1]},
                     "decision_rule": ["unanimity", "qmv"]},
            "metrics": ["t_listing", "blocked"]}  # fmt: skip
    out = tmp_path_factory.mktemp("discover") / "r.csv"
    sw.run_sweep(sw.Sweep(sw.spec_from_dict(spec)), out, run_fn=blocked_when_tied_under_unanimity,
                 executor_factory=lambda: ThreadPoolExecutor(1), chunk_size=100)  # fmt: skip
    return out


def test_discovery_finds_the_box_that_leads_to_the_outcome(results):
    found = sw.discover(results, "blocked")
    assert found["runs"] == 400 and 0.05 < found["base_rate"] < 0.2
    best = found["boxes"][0]
    assert best["limits"]["decision_rule"] == {"values": ["unanimity"]}
    assert best["limits"][HU]["low"] == pytest.approx(0.8, abs=0.05)
    assert best["limits"][HU]["high"] is None and SK not in best["limits"]
    assert best["density"] == 1.0 and best["coverage"] == 1.0
    assert best["hits"] == found["hits"]
    assert show_box(best).startswith("member_states.HU.ties.RU > 0.")


def test_outcomes_by_name_by_delegation_and_as_a_function_agree(results):
    by_name = sw.discover(results, "never:t_listing")
    by_code = sw.discover(results, "blocked:HU")
    by_function = sw.discover(results, lambda row: row["t_listing"] is None)
    assert by_name["hits"] == by_code["hits"] == by_function["hits"] > 0
    assert by_name["boxes"] == by_function["boxes"]
    reached = sw.discover(results, "reached:t_listing")
    assert reached["hits"] == reached["runs"] - by_name["hits"]


def test_discovery_by_chosen_inputs_only(results):
    found = sw.discover(results, "blocked", inputs=[HU])
    assert found["inputs"] == [HU]
    assert all(set(b["limits"]) <= {HU} for b in found["boxes"])
    assert found["boxes"][0]["density"] < 1  # without the rule, QMV runs fall in the box too


@pytest.mark.parametrize("outcome, inputs, message", [
    ("bogus", None, r"outcome 'bogus': not one these results can say; give reached:t_x"),
    ("reached:t_first_psc", None, r"the results have no t_first_psc column"),
    ("blocked:SK", None, r"holds in no run \(of 400\): no input makes a difference"),
    ("blocked", ["member_states.CY.stance"], r"inputs member_states.CY.stance: not parameters"),
])  # fmt: skip
def test_what_cannot_be_discovered_is_said(results, outcome, inputs, message):
    with pytest.raises(sw.SweepError, match=message):
        sw.discover(results, outcome, inputs)


def test_the_cli_prints_boxes_with_coverage_and_density(results, capsys):
    from tui.cli import main

    assert main(["sweep", "--discover", "blocked", str(results)]) == 0
    text = capsys.readouterr().out
    assert "blocked: " in text and "of 400 runs" in text
    assert "box 1: member_states.HU.ties.RU > 0." in text and "decision_rule in {unanimity}" in text
    assert "coverage 100%" in text and "density 100%" in text


def test_the_cli_without_scikit_learn_says_which_extra(results, capsys, monkeypatch):
    from tui.cli import main

    monkeypatch.setitem(sys.modules, "sklearn.tree", None)  # as if not installed
    assert main(["sweep", "--discover", "blocked", str(results)]) == 1
    err = capsys.readouterr().err
    assert "Scenario discovery needs an extra: pip install 'cdtx[discover]'" in err
    assert "Traceback" not in err


def test_the_cli_refuses_a_file_that_is_not_results(tmp_path, capsys):
    from tui.cli import main

    assert main(["sweep", "--discover", "blocked", "hu-ties"]) == 1
    assert "--discover: hu-ties is not a results file" in capsys.readouterr().err


def test_a_dataframe_of_runs_gives_the_same_boxes(results):
    pytest.importorskip("pandas")
    runs = sw.frame(results)  # missing milestones are NaN there
    assert sw.discover(runs, "never:t_listing") == sw.discover(results, "never:t_listing")


def test_a_yes_no_column_is_an_outcome_and_not_an_input(tmp_path):
    """A spec's own outcome (column outcome.NAME, true/false) names it by NAME."""
    path = tmp_path / "own.csv"
    lines = ["point,replication,member_states.HU.ties.RU,outcome.adopted,status"]
    lines += [f"{p},0,{p / 99:.4f},{'false' if p > 70 else 'true'},ok" for p in range(100)]
    path.write_text("\n".join(lines) + "\n")
    found = sw.discover(path, "adopted")
    assert found["inputs"] == [HU] and found["hits"] == 71
    (box,) = found["boxes"]
    assert box["limits"][HU]["high"] == pytest.approx(0.712, abs=0.01)
    assert box["coverage"] == box["density"] == 1


# -- PRIM (EMA Workbench, cdtx[prim]) --------------------------------------------------------------


def own_outcome_csv(tmp_path, grid: bool = False):
    """100 runs whose outcome ``adopted`` holds exactly where Hungary's ties are at most 0.71,
    with a second input that does not matter (and, with ``grid``, a listed one that does not)."""
    path = tmp_path / "own.csv"
    head = f"point,replication,{HU},member_states.LT.ties.RU,outcome.adopted,status"
    lines = [head + (",decision_rule" if grid else "")]
    for p in range(100):
        row = f"{p},0,{p / 99:.4f},{(p * 37 % 100) / 99:.4f},{'false' if p > 70 else 'true'},ok"
        lines.append(row + ("," + ("qmv", "unanimity")[p % 2] if grid else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("grid", [False, True])
def test_prim_finds_the_box_that_leads_to_the_outcome(tmp_path, grid):
    pytest.importorskip("ema_workbench")
    found = sw.discover(own_outcome_csv(tmp_path, grid), "adopted", method="prim")
    assert found["method"].startswith("PRIM (EMA Workbench)") and found["hits"] == 71
    box = found["boxes"][0]
    assert list(box["limits"]) == [HU]  # neither the other tie nor the rule matters
    assert box["limits"][HU]["low"] is None
    # PRIM peels 5 % of the runs at a time: its edge lands inside the region, never beyond it
    assert 0.6 < box["limits"][HU]["high"] <= 0.71
    assert box["density"] == 1 and box["coverage"] > 0.9 and box["closed"]
    assert sum(b["coverage"] for b in found["boxes"]) <= 1  # each box on the runs left
    assert all(b["density"] > found["base_rate"] for b in found["boxes"])


def test_the_cli_offers_prim_beside_the_tree(tmp_path, capsys, monkeypatch):
    from tui.cli import main

    path = own_outcome_csv(tmp_path)
    assert main(["sweep", "--summary", str(path), "--method", "prim"]) == 1
    assert "--method goes with --discover" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)  # as if not installed
    assert main(["sweep", "--discover", "adopted", str(path), "--method", "prim"]) == 1
    err = capsys.readouterr().err
    assert "PRIM scenario discovery needs an extra: pip install 'cdtx[prim]'" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    pytest.importorskip("ema_workbench")
    assert main(["sweep", "--discover", "adopted", str(path), "--method", "prim"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("adopted: 71 of 100 runs (71%); PRIM (EMA Workbench)")
    assert f"box 1: {HU} <= 0.6" in out and "density 100%" in out


def test_an_unknown_method_is_refused():
    with pytest.raises(sw.SweepError, match="method 'cart': scenario discovery is by tree or prim"):
        sw.discover([{"point": 0, HU: 0.1, "outcome.a": True}], "a", method="cart")
