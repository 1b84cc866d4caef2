"""Layering inside ``sim`` (README.md, *Layout*; docs/engine-api.md, *Layers*), read from the
source with ``ast``: nothing is imported to find out.

- The engine (sim/engine.py and every sim module it imports, the stages above all) never
  imports what is read from its events: the picture, the metrics, the frames, sweeps, reports,
  recordings, nor the :class:`sim.exercise.Exercise` that adds the folds to it. At any level:
  at the top, inside a function, or for type checking only.
- No import inside a function in scenarios/, actors/, sim/ or tui/host/ names a module of
  cdtx's own packages (scenarios, actors, sim, tui): such an import is there to dodge a cycle,
  and the cure is to move the shared thing down a layer. The exceptions are listed below, each
  with its reason. (The rest of tui/ defers its imports on purpose: each command loads what it
  needs, and tests/test_cli.py checks the light ones stay light.)
- Every import that does stay inside a function there (an optional heavy library, or one kept
  off the start-up path) says why in a comment on its line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = ("scenarios", "actors", "sim", "tui")
#: Where no import hides inside a function unless it says why.
CHECKED = ("scenarios", "actors", "sim", "tui/host")

#: What the engine must not import (a module, or any module inside a package).
FOLDS = ("sim.picture", "sim.metrics", "sim.frames", "sim.sweep", "sim.report", "sim.recording",
         "sim.exercise", "sim.seats", "sim.narrative")  # fmt: skip
#: The engine's modules, checked even if the engine stopped importing one of them.
ENGINE = ("sim.engine", "sim.world", "sim.clock", "sim.timing", "sim.streams", "sim.events",
          "sim.event_kinds", "sim.constants", "sim.voting", "sim.errors")  # fmt: skip

#: Imports inside a function of cdtx's own modules that stay, and why: (module, imported).
ALLOWED_INSIDE = {
    # ``sim.Exercise`` is looked up lazily, so that light modules (sim.clock, sim.events) and
    # the command line's light commands do not load SimPy and the engine (tests/test_cli.py).
    ("sim", "sim.exercise"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def path_of(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The modules ``node`` imports, absolute: ``from . import x`` names ``pkg.x`` when x is a
    module, else ``pkg``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    names = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        names.append(sub if path_of(sub) is not None else base)
    return names


Found = Iterator[tuple[ast.Import | ast.ImportFrom, str, bool]]


def imports(path: Path) -> Found:
    """Every import in ``path``: (node, the module it imports, inside a function)."""
    text = path.read_text(encoding="utf-8")
    return imports_in(text, module_name(path), path.name == "__init__.py")


def imports_in(text: str, module: str, is_package: bool) -> Found:
    """Every import in the source ``text`` of ``module``."""

    def walk(node: ast.AST, inside: bool) -> Found:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for name in imported(child, module, is_package):
                    yield child, name, inside
            funcs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            yield from walk(child, inside or isinstance(child, funcs))

    yield from walk(ast.parse(text), False)


def is_in(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def engine_closure() -> dict[str, str]:
    """The sim modules the engine imports, directly or through one another (module -> the
    module that first imports it)."""
    seen = {m: "(an engine module)" for m in ENGINE}
    todo = list(ENGINE)
    while todo:
        current = todo.pop()
        path = path_of(current)
        assert path is not None, f"{current}: no such module (update ENGINE in this test)"
        for _, name, _ in imports(path):
            if is_in(name, ("sim",)) and name not in seen and not is_in(name, FOLDS):
                seen[name] = current
                todo.append(name)
            elif is_in(name, ("sim",)) and name not in seen:
                seen[name] = current  # a fold: reported by the test, not followed
    return seen


def test_the_engine_imports_none_of_its_folds():
    found = [f"{by} imports {name}" for name, by in engine_closure().items() if is_in(name, FOLDS)]
    assert found == [], "the engine must not import its folds, frames or reports: " + "; ".join(
        found
    )


def test_the_stages_are_engine_modules():
    # Every stage is reached from the engine, so the check above covers it.
    closure = engine_closure()
    stages = {module_name(p) for p in (ROOT / "sim" / "stages").glob("*.py")}
    assert stages <= set(closure), sorted(stages - set(closure))


def checked_files() -> list[Path]:
    return sorted(p for folder in CHECKED for p in (ROOT / folder).rglob("*.py"))


def test_no_import_inside_a_function_names_a_module_of_cdtx():
    found = []
    for path in checked_files():
        module = module_name(path)
        for node, name, inside in imports(path):
            if inside and is_in(name, OWN) and (module, name) not in ALLOWED_INSIDE:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert found == [], "move the import to the top (fix the cycle): " + "; ".join(found)


def test_every_import_kept_inside_a_function_says_why():
    found = []
    for path in checked_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, _, inside in imports(path):
            if inside and "#" not in lines[node.lineno - 1]:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "say why in a comment on the line: " + "; ".join(found)


def test_the_walk_finds_what_the_checks_look_for():
    # The engine of before imported the picture inside a property and InjectError's users
    # imported the engine inside a function; type-only imports count too.
    before = (
        "from typing import TYPE_CHECKING\n"
        "from . import event_kinds as K\n"
        "if TYPE_CHECKING:\n    from .metrics import Metrics\n"
        "class Exercise:\n"
        "    @property\n    def picture(self):\n        from .picture import Picture\n"
        "        return Picture\n"
    )
    found = [(name, inside) for _, name, inside in imports_in(before, "sim.engine", False)]
    assert found == [("typing", False), ("sim.event_kinds", False), ("sim.metrics", False),
                     ("sim.picture", True)]  # fmt: skip
    found = [name for _, name, _ in imports_in("from ..exercise import X\n", "sim.stages.x", False)]
    assert found == ["sim.exercise"]
    assert any(name == "sim.stages.injects" for _, name, _ in imports(ROOT / "sim" / "engine.py"))
