"""``cdtx ARGS`` run in the test's own process, answered as ``subprocess.run`` answers.

A new Python for each command costs about half a second of CPU (the interpreter and the
imports); most tests of the command line check what it prints and its exit status, which
:func:`tui.cli.main` gives here the same way, and an exception it lets out fails the test as a
traceback would. A test keeps a process of its own where that is what it tests: the installed
console script, ``python -m tui.cli``'s exit status (one test per kind of error), a closed pipe, a
killed run, another ``PYTHONHASHSEED``, what a command does not import.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path
from unittest import mock

from tui.cli import main


def cdtx(
    *args: str, cwd: Path | str | None = None, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``cdtx ARGS`` in this process: its exit status, standard output and standard error.
    ``cwd``: the directory it runs in; ``environ``: variables set for it (e.g. ``COLUMNS``)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        if environ:
            stack.enter_context(mock.patch.dict("os.environ", environ))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, usage errors (already printed)
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            if isinstance(exc.code, str):  # as the interpreter does with sys.exit("...")
                print(exc.code, file=err)
    return subprocess.CompletedProcess(["cdtx", *args], code, out.getvalue(), err.getvalue())
