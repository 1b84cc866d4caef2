"""The Exercise: one run of a scenario, driven step by step or to the end, with what people
read from it.

:class:`Exercise` is the engine (sim/engine.py: the clock, the procedure, inputs, the event
log) with the folds over its events: the situation picture (sim/picture.py), the metrics
(sim/metrics.py) and the events as a DataFrame (sim/frames.py). The engine imports none of
them, so the procedure cannot come to depend on what is shown of it; this module is where the
two meet, and the public interface (``Exercise(...)``, ``.run()``, ``.step()``,
``.submit()``, ``.events``, ``.picture``, ``.metrics``, ``.digest``) is the one it always was.
"""

from __future__ import annotations

from typing import Any

from .engine import MAX_TEXT, REMARKS, DecisionRequest, Engine, scenario_sha256
from .errors import InjectError
from .frames import events_frame
from .metrics import Metrics
from .picture import Picture

__all__ = [
    "MAX_TEXT",
    "REMARKS",
    "DecisionRequest",
    "Engine",
    "Exercise",
    "InjectError",
    "scenario_sha256",
]


class Exercise(Engine):
    """A run of a scenario, as :class:`sim.engine.Engine` takes it (its seed, players,
    interactive mode and model constants), with the folds read from its events: the situation
    picture, the metrics and the events as a DataFrame."""

    # The folds are made on first use and caught up with the log on every read.
    _picture: Picture | None = None
    _metrics: Metrics | None = None

    @property
    def picture(self) -> Picture:
        """The situation picture: a fold over the events so far."""
        if self._picture is None:
            self._picture = Picture(self.scenario, self.players)
        self._picture.catch_up(self.log.events)
        return self._picture

    @property
    def metrics(self) -> dict[str, Any]:
        """The metrics of docs/model.md, from the events so far."""
        if self._metrics is None:
            self._metrics = Metrics(self.scenario)
        self._metrics.catch_up(self.log.events)
        return self._metrics.result()

    def events_frame(self):
        """The events so far as a pandas DataFrame (``cdtx[analysis]``), one row per event:
        seq, t (hours), day, kind, stage, source, data."""
        return events_frame(self.log.events)
