"""The networks between delegations: who listens to whom, and who shares with whom.

Two graphs, both built from the groupings in the packaged ``networks.yaml``:

* the **influence graph** (directed) weighs how much one delegation's view counts in another's
  deliberation; its row-normalised matrix drives the Friedkin–Johnsen update
  ``x(k+1) = Λ W x(k) + (I − Λ) x(0)`` in the PSC stage;
* the **sharing graph** (undirected) is the CSIRTs Network among the states plus the link from
  each state to EU INTCEN; its weights set how readily information flows.

Everything is ordered by roster order (never by iterating a set) so results are deterministic.
docs/roster.md documents the formulas and defaults.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the run path uses only influence_matrix: networkx is for the graph views
    import networkx as nx

from actors._data import Grouping, groupings, network_data
from actors.roster import Roster

__all__ = [
    "Grouping",
    "INTCEN",
    "csirts_weight",
    "groupings",
    "influence_graph",
    "influence_matrix",
    "influence_weight",
    "sharing_graph",
]

#: Node id of the EU INTCEN hub in the sharing graph.
INTCEN: str = str(network_data()["intcen"]["id"])


@functools.cache
def _grouping_weights() -> dict[str, float]:
    return {g.id: g.weight for g in groupings()}


def _shared_weight(regions_u: tuple[str, ...], regions_v: tuple[str, ...]) -> float:
    """Sum of the weights of the groupings two states share (in regions_u order)."""
    weights = _grouping_weights()
    total = 0.0
    for gid in regions_u:
        if gid in regions_v:
            try:
                total += weights[gid]
            except KeyError:
                raise KeyError(f"unknown grouping id {gid!r} (not in networks.yaml)") from None
    return total


def _shared_ids(regions_u: tuple[str, ...], regions_v: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(gid for gid in regions_u if gid in regions_v)


def influence_weight(
    regions_u: tuple[str, ...], regions_v: tuple[str, ...], population_share_v: float
) -> float:
    """Raw (un-normalised) weight of v's view in u's deliberation.

    ``baseline + sum(shared grouping weights) + numbers * population_share_v``: everyone sits at
    the same table (baseline), neighbours and formats consult each other (groupings), and large
    states are listened to by everyone (weight of numbers, since they also weigh most under QMV
    and in the constructive-abstention population test).
    """
    params = network_data()["influence"]
    return (
        float(params["baseline"])
        + _shared_weight(regions_u, regions_v)
        + float(params["numbers"]) * population_share_v
    )


def csirts_weight(regions_u: tuple[str, ...], regions_v: tuple[str, ...]) -> float:
    """Weight (0..1) of the CSIRTs Network edge between two states.

    ``min(cap, base + per_weight * sum(shared grouping weights))``: every pair of national
    CSIRTs is connected through the network, and neighbours that already work together closely
    share more readily.
    """
    params = network_data()["csirts"]
    raw = float(params["base"]) + float(params["per_weight"]) * _shared_weight(regions_u, regions_v)
    return min(float(params["cap"]), raw)


def influence_graph(roster: Roster) -> nx.DiGraph:
    """Directed influence graph over the roster's states (no self loops).

    Node attributes: ``name``, ``population``. Edge u -> v attributes: ``weight`` (how much v's
    view weighs in u's deliberation, see :func:`influence_weight`) and ``groupings`` (ids of the
    groupings u and v share, for explanations in reports and the console).
    """
    import networkx as nx  # start-up: only the graph views need it, never a run

    graph = nx.DiGraph()
    total = roster.population_total
    for state in roster:
        graph.add_node(state.code, name=state.name, population=state.population)
    for u in roster:
        for v in roster:
            if u.code == v.code:
                continue
            graph.add_edge(
                u.code,
                v.code,
                weight=influence_weight(u.regions, v.regions, v.population / total),
                groupings=_shared_ids(u.regions, v.regions),
            )
    return graph


@functools.lru_cache(maxsize=256)
def _matrix(
    codes: tuple[str, ...],
    populations: tuple[float, ...],
    regions: tuple[tuple[str, ...], ...],
) -> tuple[tuple[float, ...], ...]:
    total = math.fsum(populations)
    n = len(codes)
    rows = []
    for i in range(n):
        raw = [
            0.0 if i == j else influence_weight(regions[i], regions[j], populations[j] / total)
            for j in range(n)
        ]
        row_sum = math.fsum(raw)
        # A one-state roster has nothing to listen to; its row stays all zero.
        rows.append(tuple(w / row_sum for w in raw) if row_sum > 0 else tuple(raw))
    return tuple(rows)


def influence_matrix(
    roster: Roster,
) -> tuple[tuple[str, ...], tuple[tuple[float, ...], ...]]:
    """Row-normalised influence matrix W in roster order, as ``(codes, rows)``.

    ``rows[i][j]`` is the share of state i's attention given to state j; every row sums to 1
    and the diagonal is 0. Pure Python floats. Cached on the roster's codes, populations and
    regions (overrides of dispositions do not change it), so sweeps can call it once per run
    for free.
    """
    codes = roster.codes
    populations = tuple(s.population for s in roster)
    regions = tuple(s.regions for s in roster)
    return codes, _matrix(codes, populations, regions)


def sharing_graph(roster: Roster) -> nx.Graph:
    """Undirected information-sharing graph: the CSIRTs Network plus links to EU INTCEN.

    Nodes: the roster's state codes (attributes ``name``, ``population``, ``sharing``, ``kind``
    = "state") and :data:`INTCEN` (``kind`` = "hub"). Edges: every pair of states, ``kind`` =
    "csirts", ``weight`` from :func:`csirts_weight`; every state to INTCEN, ``kind`` = "intcen",
    ``weight`` = the state's sharing propensity. All weights are in 0..1.
    """
    import networkx as nx  # start-up: as above

    graph = nx.Graph()
    for state in roster:
        graph.add_node(
            state.code,
            name=state.name,
            population=state.population,
            sharing=state.sharing,
            kind="state",
        )
    graph.add_node(INTCEN, name=str(network_data()["intcen"]["name"]), kind="hub")
    states = roster.states
    for i, u in enumerate(states):
        for v in states[i + 1 :]:
            graph.add_edge(
                u.code, v.code, weight=csirts_weight(u.regions, v.regions), kind="csirts"
            )
    for state in states:
        graph.add_edge(state.code, INTCEN, weight=state.sharing, kind="intcen")
    return graph
