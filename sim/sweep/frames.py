"""pandas DataFrames for analysis in Python (``cdtx[analysis]``): a sweep's runs, a run's events.

``sim.sweep.run(spec)`` runs a sweep and returns its rows; ``sim.sweep.frame(path)`` reads a
results file; ``Exercise.events_frame()`` gives one run's events (docs/analysis.md; its
function, :func:`events_frame`, lives in sim/frames.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..frames import events_frame as events_frame  # one run's events: sim/frames.py
from .execute import Sweep, run_sweep
from .outcomes import series_file
from .results import read_rows
from .spec import SweepError, SweepSpec, load_spec, need, spec_from_dict
from .summary import read_spec_file


def frame(results: str | Path):
    """The rows of a results file as a DataFrame, one row per run in (point, replication)
    order, read and checked by :func:`sim.sweep.read_rows`. ``attrs["spec"]`` holds the
    sweep's record written beside the file (or in a Parquet file's metadata; None if there is
    none): its spec and metrics, and ``attrs["provenance"]`` where the rows came from (cdtx
    version, the base scenario's sha256, package versions, when they were started and resumed;
    :mod:`sim.sweep.provenance`)."""
    pd = need("pandas", "analysis", "A DataFrame")
    df = pd.DataFrame.from_records(list(read_rows(results)))
    if len(df):
        df = df.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
    record = read_spec_file(results)
    df.attrs["spec"] = record
    df.attrs["provenance"] = record.get("provenance") if record else None
    return df


def series_frame(results: str | Path):
    """The series of a sweep (``series:`` in its spec) as a DataFrame: one row per run and
    time, ``point``, ``replication``, ``seed``, ``t`` (hours) and a column per picture field,
    read from ``RESULTS.series.parquet`` beside ``results``."""
    pd = need("pandas", "analysis", "A DataFrame")
    need("pyarrow.parquet", "parquet", "Reading a sweep's series")
    path = series_file(results)
    if not path.is_file():
        raise SweepError(f"{path}: no series beside {results} (the spec takes none?)")
    df = pd.read_parquet(path)
    return df.sort_values(["point", "replication", "t"], kind="stable").reset_index(drop=True)


def run(
    spec: SweepSpec | Mapping[str, Any] | str | Path,
    *,
    workers: int | None = None,
    output: str | Path | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    **options: Any,
):
    """Run a sweep and return its runs as a pandas DataFrame (one row per run, the columns of
    the results file, in (point, replication) order), with the sweep's spec and provenance in
    its ``attrs`` (as :func:`frame` gives them).

    ``spec`` is a :class:`SweepSpec`, the spec as a mapping (the YAML form), a spec file or a
    shipped spec's name. ``workers`` is the number of worker processes (default: every core).
    ``output`` keeps the results file (.csv or .parquet; default: a temporary file, removed).
    Other ``options`` go to :func:`sim.sweep.run_sweep` (``dask=``, ``run_fn=``, ...)."""
    need("pandas", "analysis", "sim.sweep.run")
    if isinstance(spec, Mapping):
        spec = spec_from_dict(spec)
    elif isinstance(spec, (str, Path)):
        spec = load_spec(spec)
    elif not isinstance(spec, SweepSpec):
        raise SweepError(f"a sweep spec is a SweepSpec, a mapping or a file, not {type(spec)}")
    sweep = Sweep(spec)
    if output is not None:
        run_sweep(sweep, output, jobs=workers, progress=progress, **options)
        return frame(output)
    with tempfile.TemporaryDirectory(prefix="cdtx-sweep-") as tmp:
        path = Path(tmp) / f"{spec.name}.csv"
        run_sweep(sweep, path, jobs=workers, progress=progress, **options)
        return frame(path)
