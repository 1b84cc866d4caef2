"""The one error of sweeps (its own module so that every part of the package can raise it)."""

from __future__ import annotations

from scenarios.errors import CdtxError


class SweepError(CdtxError, ValueError):
    """A mistake in a sweep spec or its options; the message says what and where."""
