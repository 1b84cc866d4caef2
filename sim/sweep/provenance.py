"""Where a sweep's results came from, and whether a resumed sweep is still the same sweep.

A sweep's record (:func:`record`) is its spec as :meth:`Sweep.design` gives it (the metric list
resolved) with a ``provenance`` entry: the cdtx version, the SHA-256 of the base scenario's
YAML source (the ``scenario_sha256`` a recording of the same scenario carries), the versions of
Python and of the packages a run's numbers depend on, and when the results were started (UTC,
ISO 8601), with a line for every later ``--resume``. It is written beside the results
(``RESULTS.spec.json``), in a Parquet file's schema metadata (key :data:`METADATA_KEY`) and in
the ``attrs`` of the DataFrames :func:`sim.sweep.frame` and :func:`sim.sweep.run` return
(docs/sweeps.md, "Where results came from").

:func:`changes` compares the record results were started with against the sweep about to
resume them: a changed base scenario, spec or cdtx version is named, and resuming is refused
(rows of two settings must never be mixed under one point).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from scenarios.errors import cut_short

#: Packages a run's numbers (or the file's bytes) depend on, recorded when installed.
PACKAGES = ("simpy", "networkx", "pydantic", "numpy", "scipy", "SALib", "pandas", "pyarrow")
#: Recorded too when the sweep ran on Dask.
DASK_PACKAGES = ("dask", "distributed")
#: The key of the record in a Parquet file's schema metadata.
METADATA_KEY = b"cdtx.sweep"
#: The spec's fields that decide what a run computes: a change refuses ``--resume``. The
#: name, title and description are for people and may change; ``seeds`` may grow (the runs
#: already made are still runs of the larger sweep) but not shrink.
COMPARED = ("base", "sample", "vary", "common", "root", "metrics", "outcomes", "series")
_SHOWN = {"root": "seed (root)"}


def package_versions(*, dask: bool = False) -> dict[str, str]:
    """The versions of Python and of the installed :data:`PACKAGES` (and :data:`DASK_PACKAGES`
    with ``dask``), read from their metadata without importing them."""
    found = {"python": platform.python_version()}
    for name in PACKAGES + (DASK_PACKAGES if dask else ()):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def utc_now() -> str:
    """The current time, UTC, ISO 8601 to the second (``2026-12-07T04:20:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(
    design: Mapping[str, Any],
    *,
    cdtx_version: str,
    base_sha256: str,
    dask: bool = False,
    base_model: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The record of results started now: ``design`` (the spec as :meth:`Sweep.design` gives
    it) and its ``provenance``. As plain JSON data (what a file gives back). ``base_model``:
    the model constants the base scenario's ``model:`` block sets (recorded as ``base_model``
    when there are some; a varied constant overrides the block's value in every run)."""
    spec = json.loads(json.dumps(dict(design), default=str))
    spec["provenance"] = {
        "cdtx_version": cdtx_version,
        "base_sha256": base_sha256,
        **({"base_model": dict(base_model)} if base_model else {}),
        "packages": package_versions(dask=dask),
        "started": utc_now(),
        "resumed": [],
    }
    return spec


def base_model_note(record: Mapping[str, Any] | None) -> str | None:
    """What a summary says of the model constants the base scenario sets (its ``model:``
    block, from the record's provenance), naming those the sweep varies instead; None when
    it sets none."""
    then = (record or {}).get("provenance")
    block = then.get("base_model") if isinstance(then, Mapping) else None
    if not isinstance(block, Mapping) or not block:
        return None
    vary = record.get("vary") if isinstance(record, Mapping) else None
    varied = set(vary) if isinstance(vary, Mapping) else set()
    kept = [f"{name} = {value}" for name, value in block.items() if name not in varied]
    over = [name for name in block if name in varied]
    text = "the base scenario's model: block sets " + (", ".join(kept) if kept else "nothing else")
    if kept:
        text += " in every run"
    if over:
        text += f"; varied here instead of its value: {', '.join(over)}"
    return _show(text, 400)


def resumed(stored: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The record of resumed results: the ``current`` spec (its seeds may have grown, its title
    changed), the provenance they were started with, and a line for this resumption (when, and
    the package versions if they changed)."""
    then = stored["provenance"]
    now = current["provenance"]
    line: dict[str, Any] = {"at": now["started"]}
    if now["packages"] != then.get("packages"):
        line["packages"] = now["packages"]
    if current.get("seeds") != stored.get("seeds"):
        line["seeds"] = current.get("seeds")
    history = then.get("resumed")  # a list of mappings, unless the record was edited
    history = [r for r in history if isinstance(r, Mapping)] if isinstance(history, list) else []
    return {**current, "provenance": {**then, "resumed": [*history, line]}}


def changes(stored: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[str]:
    """What differs between the record results were started with (``stored``) and the sweep
    about to resume them (``current``), one phrase each, for people; empty if they may be
    resumed. A record without provenance (written by an older cdtx, or none at all) is itself
    the difference: nothing says what the rows were run with."""
    if not isinstance(stored, Mapping) or not isinstance(stored.get("provenance"), Mapping):
        return ["nothing records the scenario, spec and cdtx version they were started with"]
    then = stored["provenance"]
    now = current["provenance"]
    found = []
    if then.get("cdtx_version") != now["cdtx_version"]:
        found.append(f"cdtx version {_show(then.get('cdtx_version'))} then, "
                     f"{_show(now['cdtx_version'])} now")  # fmt: skip
    if then.get("base_sha256") != now["base_sha256"]:
        found.append(f"base scenario {_show(current.get('base'))} changed (sha256 "
                     f"{_show(then.get('base_sha256'))[:12]} then, {now['base_sha256'][:12]} now)")  # fmt: skip
    for key in COMPARED:
        if key == "vary":
            found += _vary_changes(stored.get("vary"), current.get("vary"))
        elif stored.get(key) != current.get(key):
            found.append(f"{_SHOWN.get(key, key)} {_show(stored.get(key))} then, "
                         f"{_show(current.get(key))} now")  # fmt: skip
    seeds_then, seeds_now = stored.get("seeds"), current.get("seeds")
    grew = isinstance(seeds_then, int) and isinstance(seeds_now, int) and seeds_now > seeds_then
    if seeds_then != seeds_now and not grew:
        found.append(f"seeds {_show(seeds_then)} then, {_show(seeds_now)} now")
    return found


def _vary_changes(then: Any, now: Any) -> list[str]:
    if not isinstance(then, Mapping) or not isinstance(now, Mapping):
        return [] if then == now else [f"vary {_show(then)} then, {_show(now)} now"]
    found = []
    for path in dict.fromkeys([*then, *now]):
        if path not in now:
            found.append(f"vary.{path} no longer varied")
        elif path not in then:
            found.append(f"vary.{path} newly varied")
        elif then[path] != now[path]:
            found.append(f"vary.{path} {_dimension(then[path])} then, {_dimension(now[path])} now")
    if not found and list(then) != list(now):
        found.append(f"vary: the order of the parameters {_show(list(then))} then, "
                     f"{_show(list(now))} now")  # fmt: skip
    return found


def _dimension(value: Any) -> str:
    """A varied parameter as the spec writes it: its grid's list, or ``{uniform: [0, 1]}``."""
    if isinstance(value, Mapping) and set(value) == {"kind", "args"}:
        args = _show(value["args"])
        return args if value["kind"] == "grid" else f"{{{value['kind']}: {args}}}"
    return _show(value)


def _show(value: Any, limit: int = 80) -> str:
    """A value as a message shows it: compact JSON, cut to ``limit`` characters."""
    return cut_short(value if isinstance(value, str) else json.dumps(value, separators=(", ", ": ")),
                     limit)  # fmt: skip
