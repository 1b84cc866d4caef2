"""Golden digests: every built-in scenario, three seeds, pinned.

A refactoring must leave every digest as it is. A deliberate change of the model updates
``tests/golden/digests.json`` in the same commit and says why in the commit message. The
situation picture is pinned the same way (``tests/golden/pictures.json``: the picture folded
from each built-in's run, taken every few events): a change of the fold updates it, and says
why.

    python -m tests.test_golden --update
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import pytest

import scenarios
from sim import Exercise
from sim.picture import Picture

GOLDEN = Path(__file__).with_name("golden") / "digests.json"
PICTURES = Path(__file__).with_name("golden") / "pictures.json"
SEEDS = (0, 1, 2026)
#: The picture is taken after every this many events of a run, and at its end.
PICTURE_EVERY = 7


def current() -> dict[str, dict[str, str]]:
    """Digest of a headless run to the horizon, per built-in scenario and seed."""
    table: dict[str, dict[str, str]] = {}
    for scenario_id in scenarios.builtin_ids():
        scenario = scenarios.load(scenario_id)
        table[scenario_id] = {str(seed): Exercise(scenario, seed=seed).run().digest for seed in SEEDS}
    return table


def pinned() -> dict[str, dict[str, str]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _shown(value):
    """A picture's part as JSON takes it (its rows and stages are dataclasses)."""
    if dataclasses.is_dataclass(value):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(type(value))


def picture_digest(scenario_id: str, seed: int = 1) -> str:
    """SHA-256 of the picture folded from a headless run of ``scenario_id``, taken every
    :data:`PICTURE_EVERY` events and at the end (every field but the scenario it was made from)."""
    ex = Exercise(scenarios.load(scenario_id), seed=seed).run()
    picture = Picture(ex.scenario, ex.players)
    digest = hashlib.sha256()
    for i, event in enumerate(ex.events, 1):
        picture.apply(event)
        if i % PICTURE_EVERY == 0 or i == len(ex.events):
            taken = {f.name: getattr(picture, f.name) for f in dataclasses.fields(picture)
                     if f.name != "scenario"}  # fmt: skip
            digest.update(json.dumps(taken, sort_keys=True, default=_shown).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("scenario_id", scenarios.builtin_ids())
def test_the_picture_folded_from_each_builtin_is_unchanged(scenario_id):
    expected = json.loads(PICTURES.read_text(encoding="utf-8")).get(scenario_id)
    assert picture_digest(scenario_id) == expected, (
        f"{scenario_id}: the situation picture folded from its run changed. If the fold "
        "changed on purpose, run `python -m tests.test_golden --update` and say why."
    )


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
        pictures = {scenario_id: picture_digest(scenario_id) for scenario_id in scenarios.builtin_ids()}
        PICTURES.write_text(json.dumps(pictures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN} and {PICTURES}")
    else:
        print(json.dumps(current(), indent=2, sort_keys=True))
