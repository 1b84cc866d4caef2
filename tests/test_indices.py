"""Summaries and sensitivity indices that are fast and say when they cannot be trusted (issue 24):
the order-statistic bootstrap, degenerate designs, clipped intervals, convergence over N,
yes/no milestone outcomes and the plots drawn from them."""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sim import sweep as sw
from sim.sweep.summary import bootstrap_median, bootstrap_medians


@pytest.mark.parametrize("values", [[1.0, 2.0, 3.0, 7.0, 20.0], [1.0, 2.0, 3.0, 7.0, 20.0, 21.0],
                                    [3.0, 5.0], [float(v) for v in range(9)]])  # fmt: skip
def test_order_statistic_draws_have_the_distribution_of_resampled_medians(values):
    """Drawing a resample's median as an order statistic is the same bootstrap as sorting n
    resampled values: every possible median comes up as often (to sampling error)."""
    draws = 40_000
    fast = Counter(bootstrap_medians(values, seed=1, resamples=draws).tolist())
    rng = np.random.default_rng(2)
    xs = np.array(values)
    slow = Counter(np.median(xs[rng.integers(0, len(xs), size=(draws, len(xs)))], axis=1).tolist())
    for value in set(fast) | set(slow):
        p = slow[value] / draws
        assert abs(fast[value] / draws - p) < 5 * (p * (1 - p) / draws) ** 0.5 + 1e-3, value


def test_bootstrap_interval_of_many_runs_is_narrow_and_brackets_the_median():
    values = [float(v % 97) for v in range(5_001)]  # a median of 48
    low, high = bootstrap_median(values, seed=3)
    assert 45 <= low <= 48 <= high <= 51


# -- honest indices -------------------------------------------------------------------------------

HU, LT, CN = "member_states.HU.ties.RU", "member_states.LT.ties.RU", "member_states.HU.ties.CN"


def design(tmp_path, run_fn, paths=(HU, LT), sample=None, metrics=("cohesion",), name="r.csv"):
    spec = {"base": "grid-wiper", "seed": 7, "vary": {p: {"uniform": [0, 1]} for p in paths},
            "sample": sample or {"sobol": 32}, "metrics": list(metrics), "title": "Design"}  # fmt: skip
    out = tmp_path / name
    sw.run_sweep(sw.Sweep(sw.spec_from_dict(spec)), out, run_fn=run_fn,
                 executor_factory=lambda: ThreadPoolExecutor(1), chunk_size=64)  # fmt: skip
    return out


def ties(scenario):
    ms = scenario.member_states
    return ms["HU"].ties["RU"], ms["LT"].ties["RU"], ms["HU"].ties.get("CN", 0.0)


def rare_step(scenario, seed):
    """Cohesion drops only at the very top of Hungary's ties: a handful of pairs differ."""
    return "x", {"cohesion": 0.0 if ties(scenario)[0] > 0.97 else 1.0}


def ishigami(scenario, seed):
    x1, x2, x3 = (-math.pi + 2 * math.pi * v for v in ties(scenario))
    return "x", {"cohesion": math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


def curved(scenario, seed):
    """Hungary's ties act linearly, Lithuania's in a curve (module-level: a sweep pickles it)."""
    hu, lt, _ = ties(scenario)
    return "x", {"cohesion": 10 * hu + 5 * lt * lt}


def test_a_design_where_few_pairs_differ_is_flagged_degenerate(tmp_path):
    from sim import report

    out = design(tmp_path, rare_step)
    summary = sw.summarize(out)
    sens = summary["sensitivity"]
    differ = sum(sens["pairs"]["cohesion"].values())
    assert 0 < differ < 10 and sens["pairs_total"] == 64
    assert sens["status"]["cohesion"] == "degenerate"
    assert any("cohesion: indices degenerate" in n and "mean nothing" in n
               for n in summary["notes"])  # fmt: skip
    for fmt in ("md", "html"):  # the report says it under the indices too
        assert "status: degenerate" in report.sweep.report_file(out, fmt=fmt)


def test_indices_and_their_intervals_stay_in_the_unit_interval(tmp_path):
    """Ishigami's third input has S1 = 0: its raw estimate dips below 0 at small N; what is
    shown is clipped, and the interval brackets it."""
    sens = sw.summarize(design(tmp_path, ishigami, paths=(HU, LT, CN)))["sensitivity"]
    got = sens["metrics"]["cohesion"]
    assert any(v["S1_raw"] < 0 or v["ST_raw"] > 1 or v["S1_raw"] - v["S1_conf"] < 0
               for v in got.values())  # fmt: skip  # there was something to clip
    for v in got.values():
        for k in ("S1", "ST"):
            assert 0 <= v[f"{k}_low"] <= v[k] <= v[f"{k}_high"] <= 1


def test_the_convergence_table_recomputes_the_indices_at_quarter_and_half_n(tmp_path):
    sens = sw.summarize(design(tmp_path, ishigami, paths=(HU, LT, CN),
                               sample={"sobol": 128}))["sensitivity"]  # fmt: skip
    rows = sens["convergence"]["cohesion"]
    assert [r["n"] for r in rows] == [32, 64, 128]
    assert rows[-1][LT]["ST"] == sens["metrics"]["cohesion"][LT]["ST"]
    assert rows[0][LT]["ST"] != rows[-1][LT]["ST"]  # a smaller design, another estimate
    assert rows[-1][LT]["S1"] == pytest.approx(0.442, abs=0.15)  # Ishigami's analytic S1
    assert sens["status"]["cohesion"] in ("ok", "uncertain")


def listing_if_hungary_is_not_tied(scenario, seed):
    hu, lt, _ = ties(scenario)
    return "x", {"t_listing": 24.0 * (10 + lt) if hu < 0.5 else None, "cohesion": lt}


def test_a_milestone_some_points_never_reach_gets_indices_as_a_yes_no_outcome(tmp_path):
    out = design(tmp_path, listing_if_hungary_is_not_tied, metrics=("t_listing", "cohesion"))
    summary = sw.summarize(out)
    sens = summary["sensitivity"]
    assert "t_listing" not in sens["metrics"]  # its days exist only where it was reached
    assert any("t_listing (" in n and "reached:* share has indices" in n for n in summary["notes"])
    reached = sens["metrics"]["reached:t_listing"]
    assert reached[HU]["S1"] > 0.8 and reached[LT]["ST"] < 0.05  # Hungary alone decides it


def test_morris_is_drawn_as_mu_star_against_sigma(tmp_path):
    pytest.importorskip("matplotlib")
    out = design(tmp_path, curved, sample={"morris": 10})
    sens = sw.summarize(out)["sensitivity"]
    assert [r["n"] for r in sens["convergence"]["cohesion"]] == [2, 5, 10]
    (svg,) = sw.plot(out, tmp_path / "m.svg")
    text = svg.read_text()
    assert "mu* (mean |elementary effect|)" in text and ">sigma<" in text.replace("</", "<")
    assert f"M1 = {HU}" in text and f"M2 = {LT}" in text


def test_the_cli_prints_each_metrics_status_and_convergence(tmp_path, capsys):
    from tui.cli import main

    out = design(tmp_path, rare_step)
    assert main(["sweep", "--summary", str(out)]) == 0
    text = " ".join(capsys.readouterr().out.split())  # captions wrap
    assert "status: degenerate" in text and "of 64 pairs differ" in text
    assert "Convergence of cohesion" in text and "N = 8" in text and "N = 32" in text


# -- plots that say how often, and label points by their values ------------------------------------


def test_short_names_tell_parameters_apart_by_the_end_of_their_paths():
    from sim.sweep.plot import short_names

    assert short_names([HU, "member_states.SK.ties.RU", "decision_rule"]) == {
        HU: "HU.ties.RU",
        "member_states.SK.ties.RU": "SK.ties.RU",
        "decision_rule": "decision_rule",
    }
    # a name people read: whose ties to whom, not a bare country code
    assert short_names([HU, CN]) == {HU: "HU.ties.RU", CN: "HU.ties.CN"}
    assert short_names(["model.listing_veto_at", HU]) == {
        "model.listing_veto_at": "listing_veto_at", HU: "HU.ties.RU"}


def rarely_listed(scenario, seed):
    hu = scenario.member_states["HU"].ties["RU"]
    reached = hu < 0.5 or seed % 5 == 0  # every run at low ties, about one in five at high
    return "x", {"t_listing": 24.0 * (240 + seed % 7) if reached else None}


def test_a_grid_plot_says_how_often_a_milestone_was_reached_and_labels_points_by_value(tmp_path):
    pytest.importorskip("matplotlib")
    spec = {"base": "grid-wiper", "seed": 7, "seeds": 10, "metrics": ["t_listing"],
            "vary": {HU: [0.0, 1.0], "member_states.SK.ties.RU": [0.2, 0.9],
                     "decision_rule": ["unanimity"]}}  # fmt: skip
    out = tmp_path / "g.csv"
    sw.run_sweep(sw.Sweep(sw.spec_from_dict(spec)), out, run_fn=rarely_listed,
                 executor_factory=lambda: ThreadPoolExecutor(1))  # fmt: skip
    points = sw.summarize(out)["points"]
    shares = [p["metrics"]["t_listing"]["reached"]["share"] for p in points]
    assert shares[:2] == [1.0, 1.0] and 0 < shares[2] < 0.5  # the rare listing at high ties
    (svg,) = sw.plot(out, tmp_path / "g.svg")
    text = svg.read_text()
    assert f"reached in {shares[2]:.0%} of runs" in text and "reached in 100% of runs" in text
    assert "median of fewer than half the runs (hollow)" in text
    assert "HU.ties.RU = 1.0" in text and "SK.ties.RU = 0.9" in text
    assert "point 0" not in text and "point 3" not in text
    assert "HU.ties.RU: member_states.HU.ties.RU" in text  # the key to the short names
    assert "every point on this page: decision_rule = unanimity" in text


def test_the_cli_plot_after_its_summary_draws_every_point_or_the_indices(tmp_path, capsys):
    """cdtx sweep draws from the summary it printed where that holds what the figure needs:
    the indices of a design; a grid of more points than the tables show is summarised whole."""
    pytest.importorskip("matplotlib")
    from tui.cli import main

    out = design(tmp_path, rare_step)
    assert main(["sweep", "--summary", str(out), "--plot", str(tmp_path / "d.svg")]) == 0
    assert "[degenerate]" in (tmp_path / "d.svg").read_text()
    spec = {"base": "grid-wiper", "seed": 7, "metrics": ["cohesion"],
            "vary": {HU: [round(i / 44, 6) for i in range(45)]}}  # fmt: skip
    grid = tmp_path / "g.csv"
    sw.run_sweep(sw.Sweep(sw.spec_from_dict(spec)), grid, run_fn=rare_step,
                 executor_factory=lambda: ThreadPoolExecutor(1))  # fmt: skip
    assert main(["sweep", "--summary", str(grid), "--plot", str(tmp_path / "g.svg")]) == 0
    assert "5 points not shown (of 45)" in capsys.readouterr().out  # the tables show 40
    pages = [tmp_path / name for name in ("g.svg", "g-2.svg", "g-3.svg")]
    assert all(p.exists() for p in pages) and f"{HU} = 1.0" in pages[2].read_text()


def test_a_design_without_indices_is_no_figure_and_says_why(tmp_path):
    pytest.importorskip("matplotlib")
    import csv

    out = design(tmp_path, ishigami, paths=(HU, LT, CN), sample={"sobol": 8})
    with out.open() as f:
        rows = list(csv.reader(f))
    with out.open("w", newline="") as f:  # a sweep stopped before its last points
        csv.writer(f).writerows(rows[:-3])
    with pytest.raises(sw.SweepError, match=r"no figure: .* indices need every point of the "
                       r"design \(40\); 3 are missing"):  # fmt: skip
        sw.plot(out, tmp_path / "p.png")
    assert not (tmp_path / "p.png").exists()
