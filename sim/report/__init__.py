"""Reports for trainers and analysts: the HSEEP after-action report of a run, a comparison of two
runs, and the report of a sweep's results (docs/reports.md).

Everything works on plain inputs (a scenario, a list of events, a header dict, result rows), so it
serves live runs, recordings and sweeps alike. Output is Markdown or one self-contained HTML file.
"""

from __future__ import annotations

from typing import Any

from scenarios.model import Scenario

from ..events import Event
from . import compare as _compare
from . import render, sweep
from .analysis import analyse

__all__ = ["aar", "analyse", "comparison", "render", "sweep", "sweep_report"]


def aar(
    scenario: Scenario,
    events: list[Event],
    header: dict | None = None,
    *,
    fmt: str = "md",
    truncated: bool = False,
    source: str = "",
) -> str:
    """The after-action report of one run as Markdown (``fmt="md"``) or HTML (``"html"``)."""
    data = analyse(scenario, events, header, truncated=truncated, source=source)
    if fmt == "html":
        return render.html(data, horizon_hours=scenario.horizon if not truncated else None)
    return render.markdown(data)


def comparison(
    run_a: tuple[Scenario, list[Event], dict, str],
    run_b: tuple[Scenario, list[Event], dict, str],
    *,
    fmt: str = "md",
) -> str:
    """Two runs side by side; each run is (scenario, events, header, name)."""
    data = _compare.compare(run_a, run_b)
    return _compare.html(data) if fmt == "html" else _compare.markdown(data)


def sweep_report(rows: list[dict[str, Any]], *, name: str = "", fmt: str = "md") -> str:
    """The report of a sweep's result rows."""
    data = sweep.summarise(rows, name=name)
    return sweep.html(data) if fmt == "html" else sweep.markdown(data)
