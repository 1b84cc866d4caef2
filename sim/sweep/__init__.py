"""Sweeps: many seeded variations of one scenario, run on local cores or a Dask cluster.

A sweep spec names a ``base`` scenario, the parameters to ``vary`` (dotted paths into the
scenario's JSON form), how to ``sample`` them, how many ``seeds`` (replications) per point and
which ``metrics`` to keep (docs/sweeps.md). The package is split by concern:

- :mod:`.spec`: the spec, its checks (:class:`SweepError`) and paths into a scenario;
- :mod:`.sample`: the points (grid, random, Latin hypercube, Sobol', Morris);
- :mod:`.discover`: scenario discovery (boxes of inputs that lead to an outcome);
- :mod:`.execute`: run seeds, executors (process pool, Dask), retries, resume;
- :mod:`.results`: results files (CSV, Parquet), written as runs finish and read back checked;
- :mod:`.summary`: the one summary (with intervals and sensitivity indices) that the CLI, the
  report and the plot all show;
- :mod:`.plot`: the figures;
- :mod:`.frames`: pandas DataFrames (``run(spec)``, ``frame(path)``, ``series_frame(path)``,
  ``events_frame``);
- :mod:`.outcomes`: outcomes of one's own and series of picture fields (``outcomes:``,
  ``series:`` in a spec).

Each run's seed is derived from the sweep's root seed and its key alone, so results do not
depend on the number of workers or the order in which runs finish. Nothing here imports
``rich``, ``textual`` or the CLI; heavy dependencies (dask, pyarrow, matplotlib, SALib, pandas,
scikit-learn)
are imported lazily.
"""

from __future__ import annotations

from .discover import discover
from .execute import (
    RETRIES,
    Sweep,
    SweepResult,
    dask_like,
    default_run,
    run_chunk,
    run_seed,
    run_sweep,
)
from .frames import events_frame, frame, run, series_frame
from .plot import PLOT_SUFFIXES, check_plot_output, plot
from .results import (
    STATUS_FAILED,
    STATUS_OK,
    blocking_states,
    check_results_output,
    has_results,
    is_parameter,
    read_rows,
    run_ok,
)
from .spec import (
    KEEPABLE,
    MAX_POINTS,
    SEED_LIMIT,
    Dimension,
    SweepError,
    SweepSpec,
    build_scenario,
    builtin_specs,
    load_spec,
    spec_from_dict,
)
from .summary import distribution, quantile, summarize

__all__ = [
    "KEEPABLE",
    "MAX_POINTS",
    "PLOT_SUFFIXES",
    "RETRIES",
    "SEED_LIMIT",
    "STATUS_FAILED",
    "STATUS_OK",
    "Dimension",
    "Sweep",
    "SweepError",
    "SweepResult",
    "SweepSpec",
    "blocking_states",
    "build_scenario",
    "builtin_specs",
    "check_plot_output",
    "dask_like",
    "discover",
    "events_frame",
    "check_results_output",
    "has_results",
    "frame",
    "run",
    "default_run",
    "distribution",
    "is_parameter",
    "load_spec",
    "plot",
    "quantile",
    "read_rows",
    "run_chunk",
    "run_ok",
    "run_seed",
    "run_sweep",
    "series_frame",
    "spec_from_dict",
    "summarize",
]
