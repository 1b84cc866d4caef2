"""Loading the packaged data files of ``actors`` (internal).

The roster and the networks both need the groupings in ``networks.yaml`` (a state's regions are
derived from them), so the loading lives here, below both modules, to avoid an import cycle.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from scenarios.errors import CdtxError
from scenarios.vocabulary import EU27


class DataError(CdtxError, ValueError):
    """A packaged data file of ``actors`` is malformed (a packaging bug, not a user error)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys.

    Plain ``yaml.safe_load`` silently keeps the last of two equal keys, which would let a
    copy-paste slip in eu27.yaml replace a state's attributes without anyone noticing.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise DataError(
                    f"{mark.name}:{mark.line + 1}:{mark.column + 1}: duplicate key {key!r}"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(name: str) -> Any:
    """Parse the packaged file ``actors/<name>`` (safe loader, duplicate keys rejected)."""
    text = resources.files("actors").joinpath(name).read_text(encoding="utf-8")
    # SafeLoader subclass: same safety as yaml.safe_load, plus the duplicate-key check.
    loader = _UniqueKeyLoader(text)
    loader.name = f"actors/{name}"
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@dataclass(frozen=True, slots=True)
class Grouping:
    """A group of member states that consult each other closely (a region or a format).

    ``weight`` is added to the influence (and CSIRTs) edge between any two members.
    ``members`` are in EU27 order, whatever order the data file lists them in.
    """

    id: str
    name: str
    weight: float
    members: tuple[str, ...]


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(f"{where}: expected a number, got {value!r}")
    if not low <= value <= high:
        raise DataError(f"{where}: {value} is outside {low}..{high}")
    return float(value)


@functools.cache
def network_data() -> dict[str, Any]:
    """The parsed ``networks.yaml`` (cached; callers must not mutate it)."""
    data = load_yaml("networks.yaml")
    if not isinstance(data, dict):
        raise DataError("actors/networks.yaml: expected a mapping at the top level")
    for section in ("groupings", "influence", "csirts", "intcen"):
        if section not in data:
            raise DataError(f"actors/networks.yaml: missing section {section!r}")
    return data


@functools.cache
def groupings() -> tuple[Grouping, ...]:
    """The built-in groupings, in the order ``networks.yaml`` lists them (validated)."""
    result: list[Grouping] = []
    ids: list[str] = []
    for i, raw in enumerate(network_data()["groupings"]):
        where = f"actors/networks.yaml: groupings[{i}]"
        if not isinstance(raw, dict) or set(raw) != {"id", "name", "weight", "members"}:
            raise DataError(f"{where}: expected exactly the keys id, name, weight, members")
        gid = str(raw["id"])
        if gid in ids:
            raise DataError(f"{where}: duplicate grouping id {gid!r}")
        ids.append(gid)
        members = list(raw["members"])
        unknown = [m for m in members if m not in EU27]
        if unknown:
            raise DataError(f"{where} ({gid}): unknown state codes {unknown}")
        if len(set(members)) != len(members) or len(members) < 2:
            raise DataError(f"{where} ({gid}): members must be at least two distinct states")
        result.append(
            Grouping(
                id=gid,
                name=str(raw["name"]),
                weight=_number(raw["weight"], f"{where}.weight", 0.0, 10.0),
                members=tuple(code for code in EU27 if code in members),
            )
        )
    return tuple(result)


def regions_of(code: str) -> tuple[str, ...]:
    """Ids of the built-in groupings ``code`` belongs to, in ``networks.yaml`` order."""
    return tuple(g.id for g in groupings() if code in g.members)
