"""User key bindings: a YAML file mapping binding ids to keys, applied with Textual's keymap.

The file is ``$CDTX_KEYMAP`` if set, else ``$XDG_CONFIG_HOME/cdtx/keymap.yaml`` (by default
``~/.config/cdtx/keymap.yaml``). Example::

    clock.toggle: p          # play/pause on p instead of space
    note.add: ctrl+n,m       # several keys, comma-separated
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from scenarios.errors import UserError

#: A keymap names a few dozen bindings; anything larger is not one.
KEYMAP_MAX_BYTES = 64 * 1024


def keymap_path() -> Path:
    explicit = os.environ.get("CDTX_KEYMAP")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "cdtx" / "keymap.yaml"


def binding_owners() -> tuple[type, ...]:
    """The app, screens and widgets whose key bindings the console defines (and a keymap file
    may change)."""
    from .app import CdtxApp
    from .screens.console import ConsoleScreen
    from .screens.decision import DecisionScreen, StanceSet
    from .screens.dialogs import ConfirmScreen, HelpScreen, PromptScreen
    from .screens.evaluation import EntryForm, EvaluationScreen
    from .screens.inject import InjectScreen
    from .widgets.timeline import Timeline

    return (CdtxApp, ConsoleScreen, DecisionScreen, InjectScreen, HelpScreen, PromptScreen,
            ConfirmScreen, Timeline, StanceSet, EvaluationScreen, EntryForm)  # fmt: skip


def binding_ids() -> dict[str, str]:
    """Every remappable binding id of the console, with its description."""
    ids: dict[str, str] = {}
    for owner in binding_owners():
        for binding in getattr(owner, "BINDINGS", []):
            if getattr(binding, "id", None):
                ids[binding.id] = binding.description
    return ids


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The user's keymap, checked: unknown ids and bad values are errors naming the file."""
    from scenarios.safe_read import ScenarioError, read_yaml

    path = path or keymap_path()
    if not path.exists():
        if os.environ.get("CDTX_KEYMAP"):
            raise UserError(f"{path}: no such keymap file (set by CDTX_KEYMAP)")
        return {}
    try:
        data = read_yaml(path, what="a keymap", max_bytes=KEYMAP_MAX_BYTES, expected="a mapping")
    except ScenarioError as exc:
        if "file is empty" in str(exc):
            return {}
        raise UserError(f"cannot read the keymap: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: a keymap maps binding ids to keys, e.g. 'clock.toggle: p'")
    known = binding_ids()
    keymap: dict[str, str] = {}
    for key, value in data.items():
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UserError(f"{path}: unknown binding id {key!r}{hint}; ids: {', '.join(known)}")
        if not isinstance(value, str) or not value.strip():
            raise UserError(f"{path}: {key}: keys are a string such as 'p' or 'ctrl+n,m'")
        keymap[key] = value.strip()
    return keymap
