"""The errors of ``sim`` that several of its modules raise: here, below the engine and its
folds, so that any of them can import one at the top without importing the engine.

Each is a :class:`scenarios.errors.CdtxError`: a mistake a person can make and fix, printed by
the command line as one message naming the place, with exit status 1.
"""

from __future__ import annotations

from scenarios.errors import CdtxError


class InjectError(CdtxError, ValueError):
    """An inject that cannot be applied; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class SweepError(CdtxError, ValueError):
    """A mistake in a sweep spec or its options; the message says what and where. (Raised too
    when an optional library is missing: :func:`sim.extras.need`.)"""


class RecordingError(CdtxError):
    """A recording that cannot be used or written; the message names the file (and line)."""
