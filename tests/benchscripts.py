"""A bench/ script loaded as a module, for the tests that check what it prints or computes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_script(name: str) -> ModuleType:
    """bench/NAME.py as a fresh module ``bench_NAME`` (bench/ is not a package).

    bench/ joins the end of the import path, so a script imports its siblings as it does when
    run (``from record import fig``) while the packages still come first (bench/tui.py is named
    like one). The module is registered in ``sys.modules``: its dataclasses look it up there.
    """
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
