"""The clock and the procedure: SimPy processes, events, picture, metrics, recording, sweeps.

``sim.Exercise`` is imported lazily so that light modules (``sim.clock``, ``sim.events``) do not
pull in SimPy.
"""

from typing import Any

__all__ = ["Exercise", "InjectError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import exercise

        return getattr(exercise, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
