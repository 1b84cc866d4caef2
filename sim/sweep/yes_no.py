"""Yes or no as a results file writes it: one reading for the sweep summary (an outcome column
is yes/no or a number) and for scenario discovery (every run labelled yes or no)."""

from __future__ import annotations

from typing import Any

#: The texts read as yes and as no, in any case, spaces aside (a CSV written by another tool:
#: ``TRUE``, ``yes``, ``1``).
YES = ("true", "yes", "1")
NO = ("false", "no", "0")


def yes_or_no(value: Any) -> bool | None:
    """``value`` read as yes (True) or no (False): a bool, or one of :data:`YES` and :data:`NO`
    as text; None for anything else (a number stays a number: the caller decides)."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return True if text in YES else False if text in NO else None
