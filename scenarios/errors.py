"""One base for every error a person can cause: a bad file, value, state code, recording or option.

It lives at the bottom of the package stack so that every layer (scenarios, actors, sim, tui) can
raise its own kind of it, and the command line catches them all in one place (``tui.cli.main``),
printing each line of :meth:`CdtxError.lines` after ``cdtx:`` and exiting with status 1. A
traceback means a bug in cdtx, never a mistake of the user's.
"""

from __future__ import annotations


class CdtxError(Exception):
    """A mistake a person can make and fix; its message names the place (file, line, field)."""

    def lines(self) -> list[str]:
        """The message as the lines to print, one problem each."""
        return str(self).splitlines() or [type(self).__name__]


class UserError(CdtxError):
    """A mistake in what was asked for on the command line or in the console."""


def cut_short(text: object, limit: int) -> str:
    """``text`` as a message shows it: at most ``limit`` characters, its end cut and marked
    ``...`` when longer, so a hostile or mistaken value of any length stays one readable line."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown_value(value: object, *, mapping: str = "a mapping") -> str:
    """How a message names a value of the wrong type, as a file or message holding it writes
    it (``null``, ``true``, ``'abc'``): a list or a mapping (``mapping``: its name, e.g. ``a
    JSON object``) by its kind, anything else cut short, whatever its size."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return mapping
    return cut_short(repr(value), 40)

