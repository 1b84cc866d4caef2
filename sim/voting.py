"""Decision rules of the Council and the PSC, as pure functions (docs/model.md, *Decision rules*).

Positions are one of ``support``, ``abstain``, ``constructive_abstention``, ``oppose``.
Populations are in millions (Eurostat, 1 January 2024).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any

SUPPORT, ABSTAIN, CONSTRUCTIVE, OPPOSE = "support", "abstain", "constructive_abstention", "oppose"

#: Art. 16(4) TEU: 55% of the members, 65% of the population; a blocking minority needs 4.
QMV_STATES_SHARE = 0.55
QMV_POPULATION_SHARE = 0.65
QMV_BLOCKING_MINIMUM = 4


@dataclass(frozen=True)
class Outcome:
    """The result of one vote: whether it passed, why, and who stood in the way."""

    adopted: bool
    rule: str
    reason: str
    support: tuple[str, ...]
    abstain: tuple[str, ...]
    constructive: tuple[str, ...]
    oppose: tuple[str, ...]
    blockers: tuple[str, ...]

    @property
    def cohesion(self) -> float:
        total = len(self.support) + len(self.abstain) + len(self.constructive) + len(self.oppose)
        return len(self.support) / total if total else 0.0


def _split(positions: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {SUPPORT: [], ABSTAIN: [], CONSTRUCTIVE: [], OPPOSE: []}
    for code in sorted(positions):
        stance = positions[code]
        if stance not in groups:
            raise ValueError(f"unknown position {stance!r} for {code}")
        groups[stance].append(code)
    return {k: tuple(v) for k, v in groups.items()}


def unanimity(positions: Mapping[str, str], population: Mapping[str, float]) -> Outcome:
    """CFSP unanimity with constructive abstention (Art. 31(1) TEU).

    Any ``oppose`` is a veto. Abstentions do not block. Formal (constructive) abstainers are not
    bound, but the decision falls if they are at least one third of the member states AND
    represent at least one third of the Union's population.
    """
    g = _split(positions)
    base: dict[str, Any] = dict(rule="unanimity", support=g[SUPPORT], abstain=g[ABSTAIN],
                constructive=g[CONSTRUCTIVE], oppose=g[OPPOSE])  # fmt: skip
    if g[OPPOSE]:
        names = ", ".join(g[OPPOSE])
        return Outcome(False, reason=f"vetoed by {names}", blockers=g[OPPOSE], **base)
    n_states = len(population)
    total_pop = sum(population.values())
    abstainers = g[CONSTRUCTIVE]
    abstain_pop = sum(population[c] for c in abstainers)
    # Compare as integers where possible: "at least one third" must be exact at 9 of 27.
    if 3 * len(abstainers) >= n_states and 3 * abstain_pop >= total_pop:
        return Outcome(
            False,
            reason=(
                f"{len(abstainers)} formal abstentions ({abstain_pop / total_pop:.1%} of the "
                "population) reach one third of the states and of the population"
            ),
            blockers=abstainers,
            **base,
        )
    return Outcome(True, reason="no veto", blockers=(), **base)


def qmv(positions: Mapping[str, str], population: Mapping[str, float]) -> Outcome:
    """Qualified majority (Art. 16(4) TEU, Art. 238(3) TFEU), the what-if rule.

    Adopted with at least 55% of the member states in favour representing at least 65% of the
    population; a blocking minority must include at least four states, failing which the
    qualified majority is deemed attained. Abstentions count as not in favour.
    """
    g = _split(positions)
    base: dict[str, Any] = dict(rule="qmv", support=g[SUPPORT], abstain=g[ABSTAIN],
                constructive=g[CONSTRUCTIVE], oppose=g[OPPOSE])  # fmt: skip
    n_states = len(population)
    total_pop = sum(population.values())
    yes = g[SUPPORT]
    yes_pop = sum(population[c] for c in yes)
    not_in_favour = tuple(sorted(g[ABSTAIN] + g[CONSTRUCTIVE] + g[OPPOSE]))
    enough_states = len(yes) >= ceil(QMV_STATES_SHARE * n_states)
    enough_people = yes_pop >= QMV_POPULATION_SHARE * total_pop
    if enough_states and enough_people:
        return Outcome(True, reason="qualified majority", blockers=(), **base)
    if enough_states and len(not_in_favour) < QMV_BLOCKING_MINIMUM:
        return Outcome(
            True,
            reason=f"no blocking minority: only {len(not_in_favour)} states against (4 needed)",
            blockers=(),
            **base,
        )
    why = []
    if not enough_states:
        why.append(
            f"{len(yes)} of {n_states} states in favour (need {ceil(QMV_STATES_SHARE * n_states)})"
        )
    if not enough_people:
        why.append(f"{yes_pop / total_pop:.1%} of the population in favour (need 65%)")
    blockers = g[OPPOSE] or not_in_favour
    return Outcome(False, reason="; ".join(why), blockers=blockers, **base)


#: Each decision rule a scenario may name (scenarios.vocabulary.DECISION_RULES), by name.
RULES: dict[str, Callable[[Mapping[str, str], Mapping[str, float]], Outcome]] = {
    "unanimity": unanimity,
    "qmv": qmv,
}


def decide(rule: str, positions: Mapping[str, str], population: Mapping[str, float]) -> Outcome:
    """Apply the named decision rule."""
    return RULES[rule](positions, population)
