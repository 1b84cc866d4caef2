"""Plots of a sweep's results (matplotlib, optional: ``cdtx[plot]``), drawn from the one summary
(:func:`sim.sweep.summarize`), so the figure says what the tables say.

A figure a reader can use without the spec at hand: the spec's title, every point labelled by
its parameters' values (:func:`point_labels`), every point (pages of at most
:data:`POINTS_PER_PAGE`), how often each milestone was reached beside its median, legends
outside the data, and a note in the panel of a metric no run reached. A Sobol' or Morris sweep
draws its sensitivity indices alone (bars with clipped intervals; Morris as mu* against sigma).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from scenarios.safe_write import OutputError, atomic_output, check_output
from scenarios.vocabulary import TIME_METRICS

from .spec import SweepError, need
from .summary import RUNGS, metric_label, read_spec_file, summarize

PLOT_SUFFIXES = (".png", ".svg", ".pdf")
POINTS_PER_PAGE = 20
PANEL_COLUMNS = 3


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


def point_label(params: dict[str, Any]) -> str:
    """A point as the figure names it: every parameter's full path and value, one per line."""
    return "\n".join(f"{k} = {v}" for k, v in params.items()) or "(base scenario)"


def short_names(paths: list[str]) -> dict[str, str]:
    """Each parameter path shortened to its last dotted parts that no other path ends with,
    dropping at most its first part (``member_states.HU.ties.RU``: ``HU.ties.RU``, never a bare
    ``RU`` that reads as Russia rather than Hungary's ties to it; ``model.listing_veto_at``:
    ``listing_veto_at``)."""
    out = {}
    for path in paths:
        parts = path.split(".")
        for k in range(max(1, len(parts) - 1), len(parts) + 1):
            end = ".".join(parts[-k:])
            if not any(o != path and (o == end or o.endswith("." + end)) for o in paths):
                break
        out[path] = end
    return out


def point_labels(params: list[str], points: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(a label per point, lines for under the figure). One parameter: its full path and value.
    More: the values of the parameters that differ between the points, one per line, each
    named by :func:`short_names`; the parameters that do not differ, and the full path of each
    short name, are said once under the figure."""
    if len(params) <= 1:
        return [point_label(p) for p in points], []
    varying = [k for k in params if len({repr(p.get(k)) for p in points}) > 1] or params
    short = short_names(varying)
    labels = ["\n".join(f"{short[k]} = {p.get(k)}" for k in varying) for p in points]
    key = [f"{v}: {k}" for k, v in short.items() if v != k]
    fixed = [f"{k} = {points[0].get(k)}" for k in params if k not in varying] if points else []
    if fixed:
        key.append("every point on this page: " + ", ".join(fixed))
    return labels, key


def plot(
    results: str | Path,
    out: str | Path,
    *,
    spec: dict | None = None,
    force: bool = True,
    summary: dict | None = None,
) -> list[Path]:
    """Draw the summary of ``results`` to ``out`` (.png, .svg or .pdf: :func:`check_plot_output`).

    Per point: the median of each metric with its 95 % interval and its p10-p90 range, the share
    of runs reaching each rung and the share with a blocked decision (with Wilson intervals),
    and each of the spec's own outcomes (a yes/no as a share, a number as a median).
    Sobol'/Morris sweeps first get a page of sensitivity indices. A PDF holds every page; PNG and
    SVG write page k to ``NAME-k.png`` from the second on. Every file is checked first by the
    output rule (scenarios.safe_write.check_output: never a link, a directory or ``results``;
    an existing file only with ``force``). Returns the files written.

    ``summary``: the summary of ``results`` already computed (as ``cdtx sweep`` has it after
    printing it), drawn as it is when it holds what the figure needs (a Sobol'/Morris sweep's
    indices, or every point of another), instead of summarising the file again.
    """
    out = check_plot_output(out)
    need("matplotlib", "plot", "Plotting")
    import matplotlib  # cdtx[plot], optional (need() above names the extra when it is missing)

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # SVG text stays text: searchable, editable
    import matplotlib.pyplot as plt  # after use("Agg"): no display needed

    if spec is None:
        spec = read_spec_file(results)
    sample = (spec or {}).get("sample")
    design = isinstance(sample, dict) and sample.get("method") in ("sobol", "morris")
    # A Sobol'/Morris design's figure is its indices: no per-point distributions to compute.
    if summary is None or not (design and summary.get("sensitivity") or not summary["omitted"]):
        summary = summarize(results, spec=spec, max_points=0 if design else None)
    if design and not summary["sensitivity"]:
        why = "; ".join(n for n in summary["notes"] if "indices" in n) or "no metric varies"
        raise SweepError(f"{results}: no figure: a Sobol'/Morris sweep is drawn as its "
                         f"indices, and it has none ({why})")  # fmt: skip
    title = summary["title"] or summary["name"] or "sweep"
    subtitle = f"{summary['runs']} runs at {summary['total_points']} point(s)"
    figures = []
    if summary["sensitivity"]:
        figures.append(_sensitivity_figure(plt, summary, title, subtitle))
    # A Sobol'/Morris design has hundreds of points that mean little one by one: its figure is
    # the indices (the per-point numbers are in the report and the results file).
    points = [] if summary["sensitivity"] else summary["points"]
    pages = [points[i : i + POINTS_PER_PAGE] for i in range(0, len(points), POINTS_PER_PAGE)]
    for number, page in enumerate(pages, start=1):
        suffix = f" (points page {number} of {len(pages)})" if len(pages) > 1 else ""
        figures.append(_points_figure(plt, summary, page, title, subtitle + suffix))
    pdf = out.suffix.lower() == ".pdf"
    paths = [out] if pdf else [
        out if k == 1 else out.with_name(f"{out.stem}-{k}{out.suffix}")
        for k in range(1, len(figures) + 1)
    ]  # fmt: skip
    try:
        for path in paths:
            try:
                check_output(path, inputs=[results], force=force, option="--plot")
            except OutputError as exc:
                raise SweepError(str(exc)) from None
    except BaseException:
        for fig in figures:
            plt.close(fig)
        raise
    try:
        return _save(figures, paths, pdf=pdf, force=force)
    finally:
        for fig in figures:
            plt.close(fig)


def _save(figures: list, paths: list[Path], *, pdf: bool, force: bool) -> list[Path]:
    """Write the figures to ``paths`` (all of them into the one PDF with ``pdf``), each file
    whole or not at all (scenarios.safe_write.atomic_output): a full disk leaves no partial
    image, and no page of this plot written before the one that failed. Returns the files."""
    written: list[Path] = []
    try:
        if pdf:
            from matplotlib.backends.backend_pdf import PdfPages  # cdtx[plot], optional

            with atomic_output(paths[0], force=force) as handle, PdfPages(handle) as pages:
                for fig in figures:
                    pages.savefig(fig, bbox_inches="tight")
            written.append(paths[0])
        else:
            for path, fig in zip(paths, figures, strict=True):
                with atomic_output(path, force=force) as handle:
                    fig.savefig(handle, format=path.suffix[1:].lower(), dpi=100,
                                bbox_inches="tight")  # fmt: skip
                written.append(path)
    except OutputError as exc:
        for path in written:
            with contextlib.suppress(OSError):
                os.remove(path)
        also = f" (nor the {len(written)} page(s) before it)" if written else ""
        raise SweepError(f"{exc}{also}") from None
    return written


def _grid(plt, panels: int, height_per_row: float, title: str, subtitle: str):
    cols = min(PANEL_COLUMNS, max(1, panels))
    rows = -(-panels // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, height_per_row * rows + 1.2),
                             squeeze=False)  # fmt: skip
    fig.suptitle(f"{title}\n{subtitle}", fontsize="large")
    flat = list(axes.flat)
    for ax in flat[panels:]:
        ax.set_visible(False)
    return fig, flat[:panels]


def _points_figure(plt, summary: dict, points: list[dict], title: str, subtitle: str):
    metrics = summary["metrics"]
    has_rungs = any(p["rungs"] for p in points)
    has_blocked = any(p["blocked"] is not None for p in points)
    outcomes = summary.get("outcomes") or {}  # the spec's own, after the built-in ones
    panels = len(metrics) + has_rungs + has_blocked + len(outcomes)
    # Each point is labelled by its values (a parameter by the shortest end of its path that
    # tells it from the others); parameters the same at every point go in a line under it.
    labels, key = point_labels(summary["params"], [p["params"] for p in points])
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    height = max(2.5, (0.3 + 0.12 * (lines - 1)) * len(points) + 1.0)
    fig, axes = _grid(plt, max(panels, 1), height, title, subtitle)
    ys = list(range(len(points)))[::-1]  # the first point on top
    handles = {}
    for ax, m in zip(axes, metrics, strict=False):
        ax.set_title(f"{m} ({'days' if m.startswith('t_') else '0-1'})", fontsize="medium")
        drawn = False
        for y, p in zip(ys, points, strict=True):
            d = p["metrics"][m]
            reached = d["reached"]
            if m in TIME_METRICS:  # how often the milestone came, beside every point
                ax.text(0.99, y + 0.1, f"reached in {reached['share']:.0%} of runs",
                        ha="right", va="bottom", transform=ax.get_yaxis_transform(),
                        fontsize="x-small", color="#a33" if reached["share"] < 0.5 else "#333",
                        bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none",
                              "pad": 0.5})  # fmt: skip
            if d["median"] is None:
                continue
            drawn = True
            spread = ax.hlines(y, d["p10"], d["p90"], color="#9bb7de", linewidth=6)
            ci = ax.hlines(y, d["median_low"], d["median_high"], color="#1f4e99", linewidth=2.5)
            if reached["share"] >= 0.5:
                handles["median"] = ax.plot([d["median"]], [y], "o", color="#0b2a5b",
                                            markersize=5)[0]  # fmt: skip
            else:  # a median of the few runs that got there is not what a run typically does
                handles["median of fewer than half the runs (hollow)"] = ax.plot(
                    [d["median"]], [y], "o", markerfacecolor="white", color="#a33",
                    markersize=6)[0]  # fmt: skip
            handles.update({"p10-p90 of runs that reached it": spread,
                            "95% CI of the median": ci})  # fmt: skip
        if not drawn:
            ax.text(0.5, 0.5, "no run reached it", transform=ax.transAxes, ha="center",
                    va="center", color="#a33", fontsize="large")  # fmt: skip
        _point_axis(ax, ys, labels, first=ax in axes[::PANEL_COLUMNS])
    rest = axes[len(metrics) :]
    if has_rungs:
        ax = rest.pop(0)
        ax.set_title("share of runs reaching rung >= r", fontsize="medium")
        for k, r in enumerate(RUNGS):
            offset = (k - 2) * 0.12
            shares = [(p["rungs"] or {}).get(r) for p in points]
            xs = [s["share"] if s else float("nan") for s in shares]
            err = [[max(0.0, s["share"] - s["low"]) if s else 0 for s in shares],
                   [max(0.0, s["high"] - s["share"]) if s else 0 for s in shares]]  # fmt: skip
            handles[f"rung >= {r} (95% CI)"] = ax.errorbar(
                xs, [y + offset for y in ys], xerr=err, fmt="o", markersize=4, capsize=2
            )
        ax.set_xlim(-0.05, 1.05)
        _point_axis(ax, ys, labels, first=ax in axes[::PANEL_COLUMNS])
    if has_blocked:
        ax = rest.pop(0)
        ax.set_title("share of runs with a blocked decision", fontsize="medium")
        bl = [p["blocked"] for p in points]
        xs = [b["share"] if b else float("nan") for b in bl]
        err = [[max(0.0, b["share"] - b["low"]) if b else 0 for b in bl],
               [max(0.0, b["high"] - b["share"]) if b else 0 for b in bl]]  # fmt: skip
        handles["blocked (95% CI)"] = ax.errorbar(xs, ys, xerr=err, fmt="s", color="#a33",
                                                  capsize=3)  # fmt: skip
        ax.set_xlim(-0.05, 1.05)
        _point_axis(ax, ys, labels, first=ax in axes[::PANEL_COLUMNS])
    for name, kind in outcomes.items():
        ax = rest.pop(0)
        values = [p["outcomes"].get(name) for p in points]
        if kind == "yes/no":
            ax.set_title(f"{name}: share of runs saying yes", fontsize="medium")
            xs = [v["share"] if v and v["n"] else float("nan") for v in values]
            err = [[max(0.0, v["share"] - v["low"]) if v else 0 for v in values],
                   [max(0.0, v["high"] - v["share"]) if v else 0 for v in values]]  # fmt: skip
            handles["outcome: share (95% CI)"] = ax.errorbar(xs, ys, xerr=err, fmt="D",
                                                             color="#2a7a3a", capsize=3)  # fmt: skip
            ax.set_xlim(-0.05, 1.05)
        else:
            ax.set_title(f"{name} (outcome)", fontsize="medium")
            for y, d in zip(ys, values, strict=True):
                if d is None or d["median"] is None:
                    continue
                handles["p10-p90 of runs that reached it"] = ax.hlines(
                    y, d["p10"], d["p90"], color="#9bb7de", linewidth=6)  # fmt: skip
                handles["95% CI of the median"] = ax.hlines(
                    y, d["median_low"], d["median_high"], color="#1f4e99", linewidth=2.5)  # fmt: skip
                handles["median"] = ax.plot([d["median"]], [y], "o", color="#0b2a5b",
                                            markersize=5)[0]  # fmt: skip
        _point_axis(ax, ys, labels, first=ax in axes[::PANEL_COLUMNS])
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    legend = fig.legend(list(handles.values()), list(handles), loc="upper center",
                        bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize="small", frameon=False)  # fmt: skip
    notes = [n for n in summary["notes"] if "no run reached" in n]
    _below(fig, legend, key + notes)
    return fig


def _below(fig, legend, lines: list[str]) -> None:
    """Text under the legend (outside the data): the point key and the notes."""
    if lines:
        fig.text(0.02, -0.06, "\n".join(lines), fontsize="x-small", va="top", ha="left",
                 transform=fig.transFigure)  # fmt: skip


def _point_axis(ax, ys: list[int], labels: list[str], first: bool) -> None:
    ax.set_yticks(ys, labels if first else [""] * len(ys), fontsize="x-small")
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.grid(axis="x", alpha=0.3)


def _sensitivity_figure(plt, summary: dict, title: str, subtitle: str):
    """Sobol': per metric, ``S1`` and ``ST`` of every input as bars with their 95 % intervals
    clipped to [0, 1]; Morris: the usual mu*-sigma plane (inputs far right matter, high up
    act non-linearly or together). Each panel's title carries the metric's status."""
    sens = summary["sensitivity"]
    metrics = list(sens["metrics"])
    names = list(next(iter(sens["metrics"].values()))) if metrics else []
    sobol = sens["method"] == "sobol"
    height = max(2.5, 0.45 * len(names) + 1.2) if sobol else 3.6
    fig, axes = _grid(plt, max(len(metrics), 1), height, title, f"{subtitle}; {sens['label']}")
    handles: dict[str, Any] = {}
    for ax, m in zip(axes, metrics, strict=False):
        status = (sens.get("status") or {}).get(m, "ok")
        ax.set_title(f"{metric_label(m)}\n[{status}]", fontsize="medium",
                     color="#a33" if status != "ok" else "black")  # fmt: skip
        if sobol:
            _sobol_panel(ax, sens["metrics"][m], names, handles, first=ax in axes[::PANEL_COLUMNS])
        else:
            _morris_panel(ax, sens["metrics"][m], handles)
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    legend = fig.legend(list(handles.values()), list(handles), loc="upper center",
                        bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize="small", frameon=False)  # fmt: skip
    notes = [n for n in summary["notes"] if "indices" in n]
    if not sobol:
        notes = [f"M{k + 1} = {name}" for k, name in enumerate(names)] + notes
    _below(fig, legend, notes)
    return fig


def _sobol_panel(ax, values: dict, names: list[str], handles: dict, first: bool) -> None:
    ys = list(range(len(names)))[::-1]
    for k, (key, label) in enumerate((("S1", "first order S1"), ("ST", "total order ST"))):
        offset = (k - 0.5) * 0.3
        xs = [values[n][key] for n in names]
        # the interval clipped to [0, 1] (an index is a share of variance), so asymmetric
        lows = [values[n].get(f"{key}_low", values[n][key] - abs(values[n][f"{key}_conf"]))
                for n in names]  # fmt: skip
        highs = [values[n].get(f"{key}_high", values[n][key] + abs(values[n][f"{key}_conf"]))
                 for n in names]  # fmt: skip
        err = [[max(0.0, x - lo) for x, lo in zip(xs, lows, strict=True)],
               [max(0.0, hi - x) for x, hi in zip(xs, highs, strict=True)]]  # fmt: skip
        handles[f"{label} (95% CI)"] = ax.barh([y + offset for y in ys], xs, height=0.28,
                                               xerr=err, capsize=2)  # fmt: skip
    ax.set_yticks(ys, names if first else [""] * len(ys), fontsize="x-small")
    ax.set_xlim(0, 1.05)
    ax.grid(axis="x", alpha=0.3)


def _morris_panel(ax, values: dict, handles: dict) -> None:
    for k, v in enumerate(values.values()):
        handles["mu* (95% CI) against sigma"] = ax.errorbar(
            [v["mu_star"]], [v["sigma"]], xerr=[[min(v["mu_star"], abs(v["mu_star_conf"]))],
                                                [abs(v["mu_star_conf"])]],
            fmt="o", color="#1f4e99", capsize=2)  # fmt: skip
        ax.annotate(f"M{k + 1}", (v["mu_star"], v["sigma"]), textcoords="offset points",
                    xytext=(4, 4), fontsize="x-small")  # fmt: skip
    top = max([max(v["mu_star"] + abs(v["mu_star_conf"]), v["sigma"]) for v in values.values()]
              + [1e-9])  # fmt: skip
    ax.plot([0, top], [0, top], color="#999", linewidth=0.8, linestyle="--")
    handles["sigma = mu* (above: non-linear or interacting)"] = ax.lines[-1]
    ax.set_xlim(0, top * 1.1)
    ax.set_ylim(0, top * 1.1)
    ax.set_xlabel("mu* (mean |elementary effect|)", fontsize="x-small")
    ax.set_ylabel("sigma", fontsize="x-small")
    ax.grid(alpha=0.3)
