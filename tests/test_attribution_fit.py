"""The attribution clock's fit to the record (bench/attribution_fit.py, docs/model.md)."""

from __future__ import annotations

import math

import numpy as np
from benchscripts import bench_script

from actors import national

FIT = bench_script("attribution_fit")


def test_docs_model_quotes_the_fit_the_script_prints():
    assert FIT.misquoted() is None, "docs/model.md: rerun python bench/attribution_fit.py"


def test_a_changed_figure_in_the_doc_is_caught():
    text = FIT.DOC.read_text(encoding="utf-8")
    figure = FIT.figures()["fit"]
    assert figure in " ".join(text.split())
    assert FIT.misquoted(text.replace(figure, figure.replace("σ 0.", "σ 1."))) is not None


def test_the_uncensored_fit_is_the_log_normal_maximum_likelihood():
    # With every day as it is, the maximum-likelihood log-normal has the logs' mean and their
    # standard deviation (over n): the grid must land on them to its step.
    logs = np.log(np.array(FIT.days(), dtype=float))
    fitted = FIT.fit(None)
    assert abs(fitted["median"] - math.exp(logs.mean())) <= 0.05
    assert abs(fitted["sigma"] - logs.std()) <= 0.0002
    assert fitted["low"] < fitted["median"] < fitted["high"]


def test_the_models_attribution_clock_is_the_records_fit():
    fitted = FIT.fit(None)
    assert round(fitted["median"]) == national.PUBLIC_ATTRIBUTION_MEDIAN_DAYS
    assert round(fitted["sigma"], 2) == national.PUBLIC_ATTRIBUTION_SIGMA
    assert FIT.fit(FIT.YEAR)["low"] <= national.PUBLIC_ATTRIBUTION_MEDIAN_DAYS


def test_the_record_is_measured_from_disclosure_to_attribution():
    assert all(d > 0 for d in FIT.days())
    assert len(set(case for case, *_ in FIT.RECORD)) == len(FIT.RECORD)
