"""This run's instructions of every delegation: drawn once, on first use, from the run's
``instructions`` stream around each state's profile (docs/model.md, *Delegations that differ*).

Their own module: the capitals' attribution (awareness) and the table (psc, initiation,
proposal) both read them, and neither should import the other for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actors.delegation import Instructions, draw_instructions

if TYPE_CHECKING:
    from actors.roster import MemberState

    from ..engine import Engine


def instructions(ex: Engine, state: MemberState) -> Instructions:
    """This run's instructions for ``state`` (:func:`all_instructions`)."""
    return all_instructions(ex)[state.code]


def all_instructions(ex: Engine) -> dict[str, Instructions]:
    """This run's instructions, by state code: drawn for every delegation at once, on first
    use, in roster order, from the run's ``instructions`` stream."""
    drawn = ex.world.instructions
    if not drawn:
        rng = ex.rng("instructions")
        spread = ex.timing.instruction_spread
        # Ties are drawn towards the scenario's possible sponsors only (the others never matter).
        sponsors = tuple(sorted({a.sponsor for a in ex.scenario.threat_actors if a.sponsor}))
        for s in ex.roster:
            drawn[s.code] = draw_instructions(rng, s, spread, sponsors)
    return drawn
