"""The EU-27 member states and their attributes: the built-in roster and scenario overrides.

The numbers come from the packaged ``eu27.yaml`` (illustrative defaults, populations from
Eurostat 1 January 2024) and a scenario may override any attribute per state under
``member_states``. Everything here is immutable so rosters can be shared between runs and used
as cache keys. docs/roster.md documents each attribute.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from actors._data import DataError, load_yaml, regions_of
from scenarios.vocabulary import EU27

if TYPE_CHECKING:
    from scenarios.model import Scenario, StateOverride

__all__ = [
    "ATTRIBUTES",
    "MemberState",
    "Roster",
    "RosterError",
    "apply_overrides",
    "builtin_roster",
    "roster_for",
]


class RosterError(DataError):
    """The roster data (or an override applied to it) is inconsistent."""


#: The tunable numeric attributes of a member state and their allowed range.
ATTRIBUTES: dict[str, tuple[float, float]] = {
    "csirt": (0.0, 1.0),
    "intel": (0.0, 1.0),
    "sharing": (0.0, 1.0),
    "stance": (-1.0, 1.0),
    "susceptibility": (0.0, 1.0),
    "attribution_threshold": (0.0, 1.0),
}


@dataclass(frozen=True, slots=True)
class MemberState:
    """One delegation: who it is and the dispositions the decision logic reads.

    ``ties`` is a tuple of ``(sponsor, weight)`` pairs sorted by sponsor code rather than a
    dict so the whole state (and so the roster) is hashable; use :meth:`tie` to read it.
    """

    code: str
    name: str
    population: float  # millions, Eurostat 1 January 2024
    regions: tuple[str, ...]  # ids of the groupings in networks.yaml it belongs to
    csirt: float
    intel: float
    sharing: float
    stance: float
    susceptibility: float
    attribution_threshold: float
    ties: tuple[tuple[str, float], ...] = ()

    def tie(self, sponsor: str | None) -> float:
        """Strength (0..1) of this state's ties to ``sponsor``; 0.0 if None or unknown."""
        if sponsor is None:
            return 0.0
        for code, weight in self.ties:
            if code == sponsor:
                return weight
        return 0.0

    @property
    def ties_dict(self) -> dict[str, float]:
        """The ties as a fresh ``{sponsor: weight}`` dict (sorted by sponsor)."""
        return dict(self.ties)


@dataclass(frozen=True)
class Roster:
    """The member states of a run, in EU27 order; indexable by state code."""

    states: tuple[MemberState, ...]
    # Lookup table built once; excluded from equality and hashing (it is derived from states).
    _index: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)
    _codes: tuple[str, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, int] = {}
        for i, state in enumerate(self.states):
            if state.code in index:
                raise RosterError(f"member state {state.code!r} appears twice in the roster")
            index[state.code] = i
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_codes", tuple(index))

    @property
    def codes(self) -> tuple[str, ...]:
        """State codes in roster order."""
        return self._codes

    @property
    def population_total(self) -> float:
        """Total population of the roster, in millions."""
        return math.fsum(s.population for s in self.states)

    def index(self, code: str) -> int:
        """Position of ``code`` in the roster (raises KeyError for an unknown code)."""
        try:
            return self._index[code]
        except KeyError:
            raise KeyError(f"unknown member state code {code!r}") from None

    def __getitem__(self, code: str) -> MemberState:
        return self.states[self.index(code)]

    def __iter__(self) -> Iterator[MemberState]:
        return iter(self.states)

    def __len__(self) -> int:
        return len(self.states)

    def __contains__(self, code: object) -> bool:
        return code in self._index


def _check_number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RosterError(f"{where}: expected a number, got {value!r}")
    if not low <= value <= high:
        raise RosterError(f"{where}: {value} is outside {low:g}..{high:g}")
    return float(value)


def _check_ties(raw: Any, where: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, Mapping):
        raise RosterError(f"{where}: expected a mapping of sponsor code -> 0..1, got {raw!r}")
    pairs = []
    for sponsor, weight in raw.items():
        if not (isinstance(sponsor, str) and len(sponsor) == 2 and sponsor.isupper()):
            raise RosterError(f"{where}: bad sponsor code {sponsor!r} (two capital letters)")
        pairs.append((sponsor, _check_number(weight, f"{where}.{sponsor}", 0.0, 1.0)))
    return tuple(sorted(pairs))


_FIELDS = ("name", "population", *ATTRIBUTES, "ties")


def _parse_state(code: str, raw: Any) -> MemberState:
    where = f"actors/eu27.yaml: {code}"
    if not isinstance(raw, Mapping):
        raise RosterError(f"{where}: expected a mapping of attributes")
    missing = [k for k in _FIELDS if k not in raw]
    extra = [k for k in raw if k not in _FIELDS]
    if missing or extra:
        raise RosterError(f"{where}: missing fields {missing}, unknown fields {extra}")
    values = {
        name: _check_number(raw[name], f"{where}.{name}", low, high)
        for name, (low, high) in ATTRIBUTES.items()
    }
    return MemberState(
        code=code,
        name=str(raw["name"]),
        population=_check_number(raw["population"], f"{where}.population", 0.0, 1000.0),
        regions=regions_of(code),
        ties=_check_ties(raw["ties"], f"{where}.ties"),
        **values,
    )


@functools.cache
def builtin_roster() -> Roster:
    """The built-in EU-27 roster from the packaged ``eu27.yaml`` (parsed once, then cached).

    Raises RosterError if the file's state codes are not exactly EU27 in EU27 order.
    """
    data = load_yaml("eu27.yaml")
    if not isinstance(data, Mapping):
        raise RosterError("actors/eu27.yaml: expected a mapping of state code -> attributes")
    codes = tuple(data)
    if codes != EU27:
        missing = [c for c in EU27 if c not in data]
        unknown = [c for c in codes if c not in EU27]
        detail = f"missing {missing}, unknown {unknown}" if missing or unknown else "wrong order"
        raise RosterError(
            f"actors/eu27.yaml: state codes must be exactly scenarios.vocabulary.EU27 in that "
            f"order ({detail})"
        )
    return Roster(tuple(_parse_state(code, data[code]) for code in EU27))


def _override_value(override: Any, name: str) -> Any:
    # Accept a StateOverride (attribute access) or a plain mapping (handy in tools and tests).
    if isinstance(override, Mapping):
        return override.get(name)
    return getattr(override, name, None)


def apply_overrides(roster: Roster, overrides: Mapping[str, StateOverride]) -> Roster:
    """A new roster with per-state overrides applied; ``roster`` itself is never changed.

    ``overrides`` maps a state code to a ``scenarios.model.StateOverride`` (or a mapping with
    the same keys). A field that is None keeps the roster's value. ``ties`` merge key by key:
    sponsors named in the override get the new weight (added if new), the others are kept.
    Raises KeyError for a code not in the roster and RosterError for an out-of-range value.
    """
    if not overrides:
        return roster
    for code in overrides:
        if code not in roster:
            raise KeyError(f"override for unknown member state code {code!r}")
    states = []
    # Iterate in roster order, not the override mapping's order, so the result is canonical.
    for state in roster:
        override = overrides.get(state.code)
        if override is None:
            states.append(state)
            continue
        changes: dict[str, Any] = {}
        for name, (low, high) in ATTRIBUTES.items():
            value = _override_value(override, name)
            if value is not None:
                changes[name] = _check_number(
                    value, f"member_states.{state.code}.{name}", low, high
                )
        new_ties = _override_value(override, "ties")
        if new_ties is not None:
            merged = dict(state.ties)
            merged.update(new_ties)
            changes["ties"] = _check_ties(merged, f"member_states.{state.code}.ties")
        states.append(replace(state, **changes) if changes else state)
    return Roster(tuple(states))


def roster_for(scenario: Scenario) -> Roster:
    """The roster a scenario runs with: the built-in roster plus its ``member_states``."""
    return apply_overrides(builtin_roster(), scenario.member_states)
