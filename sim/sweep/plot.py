"""Plots of a sweep's results (matplotlib, optional: ``cdtx[plot]``)."""

from __future__ import annotations

import math
import os
from pathlib import Path

from scenarios.vocabulary import TIME_METRICS

from .results import read_rows, run_ok
from .spec import SweepError, _need
from .summary import summarize

PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def check_plot_output(out: str | Path) -> Path:
    """``out`` as a path :func:`plot` can write: a .png, .svg or .pdf file in a directory that
    exists and is writable; raises :class:`SweepError` otherwise. Cheap: check before a sweep."""
    out = Path(out)
    if not str(out):
        raise SweepError("a plot needs a file name, e.g. sweep.png")
    if out.is_dir():
        raise SweepError(f"{out}: is a directory, not an image file")
    if out.suffix.lower() not in PLOT_SUFFIXES:
        raise SweepError(f"{out}: a plot is a .png, .svg or .pdf image")
    parent = out.parent
    if not parent.is_dir():
        raise SweepError(f"{out}: no such directory {parent}")
    if not os.access(parent, os.W_OK):
        raise SweepError(f"{out}: cannot write in {parent}")
    return out


def plot(results: str | Path, out: str | Path) -> Path:
    """Draw the distribution of each time metric (days) per point, and rung shares, to ``out``
    (.png, .svg or .pdf: :func:`check_plot_output`)."""
    out = check_plot_output(out)
    _need("matplotlib", "plot", "Plotting")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points: dict[int, dict[str, list[float]]] = {}
    labels: dict[int, str] = {}
    rows = list(read_rows(results))  # read the file once, for the summary and the boxes
    summary = summarize(rows)
    for s in summary:
        labels[s["point"]] = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in s["params"].items())
    for row in rows:
        if not run_ok(row):
            continue
        bucket = points.setdefault(row["point"], {})
        for m in TIME_METRICS:
            if row.get(m) is not None:
                bucket.setdefault(m, []).append(row[m] / 24)
    metrics = [m for m in TIME_METRICS if any(m in b for b in points.values())]
    order = sorted(points)
    if len(order) > 40:  # keep the figure readable
        order = order[:: math.ceil(len(order) / 40)]
    n = len(metrics) + 1
    fig, axes = plt.subplots(n, 1, figsize=(max(6, 0.5 * len(order) + 3), 2.6 * n), squeeze=False)
    for ax, m in zip(axes[:, 0], metrics, strict=False):
        data = [points[p].get(m, []) for p in order]
        ax.boxplot([d if d else [math.nan] for d in data], showfliers=False)
        ax.set_title(f"{m} (days; runs that reached it)")
        ax.set_xticks(range(1, len(order) + 1), [str(p) for p in order])
    ax = axes[-1, 0]
    by_point = {s["point"]: s for s in summary}
    for rung in range(1, 6):
        shares = [((by_point[p]["rungs"] or {}).get(rung, 0.0)) for p in order]
        ax.plot(range(1, len(order) + 1), shares, marker="o", label=f"rung >= {rung}")
    ax.set_title("share of runs reaching each rung")
    ax.set_xticks(range(1, len(order) + 1), [str(p) for p in order])
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize="small", ncol=5)
    ax.set_xlabel("point: " + "; ".join(f"{p}: {labels.get(p, '')}" for p in order[:6]))
    fig.tight_layout()
    try:
        fig.savefig(out, dpi=100)
    except OSError as exc:
        raise SweepError(f"{out}: cannot write the plot: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return out
