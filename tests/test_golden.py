"""Golden digests: every built-in scenario, three seeds, pinned.

A refactoring must leave every digest as it is. A deliberate change of the model updates
``tests/golden/digests.json`` in the same commit and says why in the commit message:

    python -m tests.test_golden --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import scenarios
from sim import Exercise

GOLDEN = Path(__file__).with_name("golden") / "digests.json"
SEEDS = (0, 1, 2026)


def current() -> dict[str, dict[str, str]]:
    """Digest of a headless run to the horizon, per built-in scenario and seed."""
    table: dict[str, dict[str, str]] = {}
    for scenario_id in scenarios.builtin_ids():
        scenario = scenarios.load(scenario_id)
        table[scenario_id] = {str(seed): Exercise(scenario, seed=seed).run().digest for seed in SEEDS}
    return table


def pinned() -> dict[str, dict[str, str]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_every_builtin_is_pinned():
    assert sorted(pinned()) == sorted(scenarios.builtin_ids())


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_golden_digests_are_unchanged(scenario_id):
    scenario = scenarios.load(scenario_id)
    expected = pinned()[scenario_id]
    got = {str(seed): Exercise(scenario, seed=seed).run().digest for seed in SEEDS}
    assert got == expected, (
        f"{scenario_id}: the event stream changed. If the model changed on purpose, run "
        "`python -m tests.test_golden --update` and say why in the commit."
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        GOLDEN.write_text(json.dumps(current(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN}")
    else:
        print(json.dumps(current(), indent=2, sort_keys=True))
