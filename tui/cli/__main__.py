"""``python -m tui.cli``: the ``cdtx`` command."""

import sys

from tui.cli import main

sys.exit(main())
