"""The built-in EU-27 roster and scenario overrides (actors/roster.py, actors/eu27.yaml)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from actors.roster import (
    ATTRIBUTES,
    MemberState,
    Roster,
    RosterError,
    apply_overrides,
    builtin_roster,
    roster_for,
)
from scenarios.model import Scenario, StateOverride
from scenarios.vocabulary import EU27

# Eurostat, 1 January 2024, millions, written out here independently of actors/eu27.yaml.
DOMAIN_POPULATIONS = {
    "DE": 83.4, "FR": 68.4, "IT": 59.0, "ES": 48.6, "PL": 36.6, "RO": 19.1, "NL": 17.9,
    "BE": 11.8, "CZ": 10.9, "SE": 10.6, "PT": 10.6, "GR": 10.4, "HU": 9.6, "AT": 9.2,
    "BG": 6.4, "DK": 6.0, "FI": 5.6, "SK": 5.4, "IE": 5.3, "HR": 3.9, "LT": 2.9, "SI": 2.1,
    "LV": 1.9, "EE": 1.4, "CY": 0.9, "LU": 0.67, "MT": 0.56,
}  # fmt: skip


@pytest.fixture(scope="module")
def roster() -> Roster:
    return builtin_roster()


def test_27_states_in_eu27_order(roster: Roster) -> None:
    assert len(roster) == 27
    assert roster.codes == EU27
    assert [s.code for s in roster] == list(EU27)
    assert roster["GR"].name == "Greece"
    assert "GR" in roster and "EL" not in roster and "UK" not in roster


def test_populations_match_domain(roster: Roster) -> None:
    assert {s.code: s.population for s in roster} == DOMAIN_POPULATIONS
    assert roster.population_total == pytest.approx(449.1, abs=0.05)


def test_every_attribute_in_range(roster: Roster) -> None:
    for state in roster:
        for name, (low, high) in ATTRIBUTES.items():
            value = getattr(state, name)
            assert isinstance(value, float), (state.code, name)
            assert low <= value <= high, (state.code, name, value)
        assert 0.6 <= state.attribution_threshold <= 0.85, state.code
        assert [sponsor for sponsor, _ in state.ties] == sorted(s for s, _ in state.ties)
        for sponsor, weight in state.ties:
            assert sponsor in ("RU", "CN", "BY", "IR", "KP")
            assert 0.0 <= weight <= 1.0
        assert state.regions == tuple(state.regions)  # a tuple, hashable


def test_documented_dispositions(roster: Roster) -> None:
    # The push coalition of October 2018 is firmer than the states with strong sponsor ties.
    push = ("EE", "LT", "NL", "RO", "FI")
    reluctant = ("HU", "SK", "CY", "MT", "AT", "IE")
    assert min(roster[c].stance for c in push) > max(roster[c].stance for c in reluctant)
    # Hungary: notable ties to RU and CN, and the most stubborn delegation.
    assert roster["HU"].tie("RU") == pytest.approx(0.6)
    assert roster["HU"].tie("CN") == pytest.approx(0.5)
    assert roster["HU"].susceptibility == min(s.susceptibility for s in roster)
    assert roster["SK"].tie("RU") == pytest.approx(0.4)


def test_tie_lookup(roster: Roster) -> None:
    hu = roster["HU"]
    assert hu.tie(None) == 0.0
    assert hu.tie("KP") == 0.0
    assert roster["EE"].ties == ()
    assert roster["EE"].tie("RU") == 0.0


def test_index_and_unknown_code(roster: Roster) -> None:
    assert roster.index("AT") == 0
    assert roster.index("SK") == 26
    with pytest.raises(KeyError, match="XX"):
        roster["XX"]


def test_roster_is_immutable_and_hashable(roster: Roster) -> None:
    assert hash(roster) == hash(builtin_roster())
    assert builtin_roster() is roster  # cached
    with pytest.raises(dataclasses.FrozenInstanceError):
        roster["HU"].stance = 1.0  # type: ignore[misc]


def test_duplicate_codes_rejected(roster: Roster) -> None:
    with pytest.raises(RosterError, match="twice"):
        Roster((roster["AT"], roster["AT"]))


def test_overrides_merge(roster: Roster) -> None:
    before_hu = roster["HU"]
    changed = apply_overrides(
        roster,
        {
            "HU": StateOverride(ties={"RU": 0.9, "BY": 0.3}, stance=-0.5),
            "EE": StateOverride(csirt=0.5),
        },
    )
    hu = changed["HU"]
    # Ties merge key by key: RU replaced, BY added, CN kept.
    assert hu.ties == (("BY", 0.3), ("CN", 0.5), ("RU", 0.9))
    assert hu.stance == -0.5
    # Unspecified fields are kept.
    assert hu.csirt == before_hu.csirt
    assert hu.susceptibility == before_hu.susceptibility
    assert hu.attribution_threshold == before_hu.attribution_threshold
    assert hu.population == before_hu.population and hu.regions == before_hu.regions
    assert changed["EE"].csirt == 0.5 and changed["EE"].intel == roster["EE"].intel
    # States not overridden are the very same objects; order is unchanged.
    assert changed["FR"] is roster["FR"]
    assert changed.codes == EU27
    # The original roster (and the cached built-in) is untouched.
    assert roster["HU"] is before_hu
    assert builtin_roster()["HU"].tie("RU") == pytest.approx(0.6)
    assert builtin_roster()["EE"].csirt != 0.5


def test_empty_override_keeps_roster(roster: Roster) -> None:
    assert apply_overrides(roster, {}) is roster
    same = apply_overrides(roster, {"AT": StateOverride()})
    assert same == roster


def test_override_unknown_state_rejected(roster: Roster) -> None:
    with pytest.raises(KeyError, match="XX"):
        apply_overrides(roster, {"XX": StateOverride(stance=0.1)})


def test_override_out_of_range_rejected(roster: Roster) -> None:
    with pytest.raises(RosterError, match="stance"):
        apply_overrides(roster, {"AT": {"stance": 2.0}})


def _scenario(**extra: object) -> Scenario:
    return Scenario(
        cdtx=1,
        id="roster-test",
        title="Roster test",
        start=datetime(2026, 3, 6, 9, tzinfo=UTC),
        horizon="7d",
        threat_actors=[{"id": "apt", "name": "APT", "sponsor": "RU"}],
        **extra,
    )


def test_roster_for_scenario() -> None:
    plain = roster_for(_scenario())
    assert plain == builtin_roster()
    tuned = roster_for(
        _scenario(
            member_states={"SK": {"stance": 0.7, "ties": {"RU": 0.0}}, "IE": {"sharing": 0.9}}
        )
    )
    assert tuned["SK"].stance == 0.7
    assert tuned["SK"].tie("RU") == 0.0
    assert tuned["SK"].tie("CN") == builtin_roster()["SK"].tie("CN")
    assert tuned["IE"].sharing == 0.9
    assert tuned["DE"] == builtin_roster()["DE"]
    assert builtin_roster()["SK"].stance != 0.7


def test_member_state_tie_is_sorted_tuple() -> None:
    state = MemberState(
        code="AT", name="Austria", population=9.2, regions=(), csirt=0.5, intel=0.5,
        sharing=0.5, stance=0.0, susceptibility=0.5, attribution_threshold=0.7,
        ties=(("CN", 0.2), ("RU", 0.4)),
    )  # fmt: skip
    assert state.tie("RU") == 0.4
    assert state.ties_dict == {"CN": 0.2, "RU": 0.4}
    hash(state)


def test_builtin_validates_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    import actors.roster as roster_module

    good = roster_module.load_yaml("eu27.yaml")
    wrong = {("EL" if code == "GR" else code): value for code, value in good.items()}
    monkeypatch.setattr(roster_module, "load_yaml", lambda name: wrong)
    with pytest.raises(RosterError, match=r"missing \['GR'\], unknown \['EL'\]"):
        builtin_roster.__wrapped__()
    shuffled = dict(reversed(list(good.items())))
    monkeypatch.setattr(roster_module, "load_yaml", lambda name: shuffled)
    with pytest.raises(RosterError, match="wrong order"):
        builtin_roster.__wrapped__()
    bad = dict(good, AT=dict(good["AT"], csirt=1.5))
    monkeypatch.setattr(roster_module, "load_yaml", lambda name: bad)
    with pytest.raises(RosterError, match="AT.csirt"):
        builtin_roster.__wrapped__()


def test_data_loader_rejects_duplicate_keys() -> None:
    import yaml

    from actors._data import DataError, _UniqueKeyLoader

    with pytest.raises(DataError, match="duplicate key 'AT'"):
        yaml.load("AT: {}\nBE: {}\nAT: {}\n", Loader=_UniqueKeyLoader)  # noqa: S506
