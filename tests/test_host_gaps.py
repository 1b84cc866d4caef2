"""The gaps issue 23 left in the hosted exercise (tui/host): what a page is told when the players
change, the new-token notice's link, a delegation handed back to the model, the brief's seed,
the host's modules below the console's screens, and the clock after ``--resume``. A real host
on loopback with real clients (tests/test_host_hostile.py's raw seats)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("websockets")


def test_the_host_does_not_import_the_consoles_screens():
    # The host runs without a console (cdtx host --no-console, a server without Textual's
    # screens): the speeds it shares with the console live below both.
    code = ("import sys, tui.host.server, tui.cli.host; "
            "print(sorted(m for m in sys.modules if m.startswith(('tui.screens', 'textual'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.strip() == "[]", done.stdout
