"""Influence and sharing networks between delegations (actors/networks.py, networks.yaml)."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest

from actors import networks
from actors.networks import (
    INTCEN,
    groupings,
    influence_graph,
    influence_matrix,
    sharing_graph,
)
from actors.roster import Roster, apply_overrides, builtin_roster
from scenarios.model import StateOverride
from scenarios.vocabulary import EU27


@pytest.fixture(scope="module")
def roster() -> Roster:
    return builtin_roster()


def _weight_of(gid: str) -> float:
    return next(g.weight for g in groupings() if g.id == gid)


def _params(section: str) -> dict:
    return networks.network_data()[section]


def test_groupings_valid_and_agree_with_regions(roster: Roster) -> None:
    ids = [g.id for g in groupings()]
    assert len(ids) == len(set(ids))
    for expected in ("nordic_baltic", "visegrad", "benelux", "franco_german", "med", "central"):
        assert expected in ids
    by_id = {g.id: g for g in groupings()}
    assert by_id["nordic_baltic"].members == ("DK", "EE", "FI", "LT", "LV", "SE")
    assert by_id["visegrad"].members == ("CZ", "HU", "PL", "SK")
    assert by_id["benelux"].members == ("BE", "LU", "NL")
    assert by_id["franco_german"].members == ("DE", "FR")
    for g in groupings():
        assert g.weight > 0
        assert list(g.members) == [c for c in EU27 if c in g.members]  # roster order
    # A state's regions are exactly the groupings that list it, in networks.yaml order.
    for state in roster:
        assert state.regions == tuple(g.id for g in groupings() if state.code in g.members)
    assert roster["EE"].regions[:2] == ("nordic_baltic", "baltic")


def test_influence_graph_nodes_and_no_self_loops(roster: Roster) -> None:
    graph = influence_graph(roster)
    assert list(graph.nodes) == list(EU27)
    assert graph.nodes["DE"]["population"] == 83.4
    assert graph.nodes["GR"]["name"] == "Greece"
    assert nx.number_of_selfloops(graph) == 0
    assert all(u != v for u, v in graph.edges)
    assert graph.number_of_edges() == 27 * 26


def test_influence_weights_for_named_pairs(roster: Roster) -> None:
    graph = influence_graph(roster)
    base = _params("influence")["baseline"]
    numbers = _params("influence")["numbers"]
    total = roster.population_total

    def numbers_term(code: str) -> float:
        return numbers * roster[code].population / total

    ee_lv = graph["EE"]["LV"]
    assert "nordic_baltic" in ee_lv["groupings"]
    assert ee_lv["weight"] == pytest.approx(
        base
        + _weight_of("nordic_baltic")
        + _weight_of("baltic")
        + _weight_of("bucharest_nine")
        + numbers_term("LV")
    )
    assert ee_lv["weight"] >= _weight_of("nordic_baltic")
    # Ireland shares no grouping with Germany: only the baseline and the weight of numbers.
    assert graph["IE"]["DE"]["groupings"] == ()
    assert graph["IE"]["DE"]["weight"] == pytest.approx(base + numbers_term("DE"))
    # Weight of numbers: with no shared grouping, a big state is heard more than a small one.
    assert graph["IE"]["DE"]["weight"] > graph["IE"]["LV"]["weight"]
    # Directed: DE->FR and FR->DE share the same groupings but differ by the other's size.
    assert graph["DE"]["FR"]["weight"] - graph["FR"]["DE"]["weight"] == pytest.approx(
        numbers_term("FR") - numbers_term("DE")
    )
    # Neighbours in a format weigh more than strangers of the same size.
    assert graph["CZ"]["SK"]["weight"] > graph["IE"]["SK"]["weight"]


def test_matrix_rows_sum_to_one(roster: Roster) -> None:
    codes, rows = influence_matrix(roster)
    assert codes == EU27
    assert len(rows) == 27 and all(len(r) == 27 for r in rows)
    for i, row in enumerate(rows):
        assert math.fsum(row) == pytest.approx(1.0, abs=1e-12)
        assert row[i] == 0.0
        assert all(type(x) is float and x >= 0.0 for x in row)
        assert all(x > 0.0 for j, x in enumerate(row) if j != i)


def test_matrix_matches_graph(roster: Roster) -> None:
    codes, rows = influence_matrix(roster)
    graph = influence_graph(roster)
    for i, u in enumerate(codes):
        out = math.fsum(graph[u][v]["weight"] for v in graph.successors(u))
        for j, v in enumerate(codes):
            if i != j:
                assert rows[i][j] == pytest.approx(graph[u][v]["weight"] / out)


def test_matrix_cached_and_independent_of_dispositions(roster: Roster) -> None:
    first = influence_matrix(roster)
    assert influence_matrix(roster)[1] is first[1]
    tuned = apply_overrides(roster, {"HU": StateOverride(stance=0.9, ties={"RU": 0.0})})
    assert influence_matrix(tuned)[1] is first[1]


def test_matrix_is_deterministic_across_calls() -> None:
    networks._matrix.cache_clear()
    a = influence_matrix(builtin_roster())
    networks._matrix.cache_clear()
    b = influence_matrix(builtin_roster())
    assert a == b and a[1] is not b[1]


def test_sharing_graph_intcen(roster: Roster) -> None:
    graph = sharing_graph(roster)
    assert set(graph.nodes) == set(EU27) | {INTCEN}
    assert graph.degree(INTCEN) == 27
    for state in roster:
        edge = graph[state.code][INTCEN]
        assert edge["kind"] == "intcen"
        assert edge["weight"] == state.sharing
    # The INTCEN link follows the (possibly overridden) sharing propensity.
    tuned = apply_overrides(roster, {"HU": StateOverride(sharing=0.95)})
    assert sharing_graph(tuned)["HU"][INTCEN]["weight"] == 0.95


def test_sharing_graph_csirts(roster: Roster) -> None:
    graph = sharing_graph(roster)
    csirts = [(u, v, d) for u, v, d in graph.edges(data=True) if d["kind"] == "csirts"]
    assert len(csirts) == 27 * 26 // 2  # every pair of national CSIRTs
    for _, _, data in graph.edges(data=True):
        assert 0.0 <= data["weight"] <= 1.0
        assert data["kind"] in ("csirts", "intcen")
    base = _params("csirts")["base"]
    by_region = {s.code: s.regions for s in roster}
    for u, v in itertools.combinations(EU27, 2):
        shared = set(by_region[u]) & set(by_region[v])
        weight = graph[u][v]["weight"]
        if shared:
            assert weight > base, (u, v)
        else:
            assert weight == pytest.approx(base), (u, v)
    # Within a grouping weighs more than across.
    assert graph["EE"]["LV"]["weight"] > graph["EE"]["PT"]["weight"]
    assert graph["BE"]["NL"]["weight"] > graph["BE"]["PL"]["weight"]


def test_subset_roster(roster: Roster) -> None:
    small = Roster(tuple(roster[c] for c in ("DE", "FR", "PL")))
    codes, rows = influence_matrix(small)
    assert codes == ("DE", "FR", "PL")
    assert all(math.fsum(r) == pytest.approx(1.0) for r in rows)
    assert sharing_graph(small).degree(INTCEN) == 3
