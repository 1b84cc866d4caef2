"""The one error of sweeps: :class:`sim.errors.SweepError`, named here too so that every part
of the package raises it from its own errors module."""

from __future__ import annotations

from ..errors import SweepError

__all__ = ["SweepError"]
