"""The clock and the procedure: SimPy processes, events, picture, metrics, recording, sweeps.

``sim.Exercise`` is imported lazily so that light modules (``sim.clock``, ``sim.events``) do not
pull in SimPy.
"""

from functools import cache
from typing import Any

__all__ = ["Exercise", "InjectError", "cdtx_version"]


@cache
def cdtx_version() -> str:
    """The installed cdtx's version (written in recording headers, shown by ``--version``)."""
    try:
        from importlib.metadata import version  # start-up: only when a version is shown

        return version("cdtx")
    except Exception:  # running from a checkout that is not installed
        return "unknown"


def __getattr__(name: str) -> Any:
    if name in ("Exercise", "InjectError"):
        from . import exercise  # start-up: SimPy and the engine only for who asks (above)

        return getattr(exercise, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
