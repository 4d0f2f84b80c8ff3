"""The dependency order of DESIGN.md, enforced: each package imports only packages below it.

Order, top to bottom (a package may import any package on a lower line, and its own modules):

    cli > watch > jobs > export > duplicates > review > library > sources > pipeline
        > {capture, metadata, media} > db > {enums, errors, settings, display}

``worker/`` is a front end (it may import anything in ``photoimport``); ``photoimport`` never
imports ``worker``, ``widgets`` or ``pages``. Within ``photoimport`` and ``worker`` there is no
import cycle between modules, including ones hidden inside functions.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS: list[set[str]] = [
    {"__main__"},  # python -m photoimport: the command line
    {"cli"},
    {"watch"},
    {"jobs"},
    {"export"},
    {"duplicates"},
    {"review"},
    {"library"},
    {"sources"},
    {"pipeline"},
    {"capture", "metadata", "media"},
    {"db"},
    {"enums", "errors", "settings", "display", "__init__"},
]
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}
SAME_LAYER_ORDER = {"capture": 2, "metadata": 1, "media": 0}  # capture > metadata > media


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules() -> dict[str, Path]:
    paths = [*ROOT.joinpath("photoimport").rglob("*.py"), *ROOT.joinpath("worker").rglob("*.py")]
    return {_module_name(p): p for p in paths if "migrations" not in p.parts}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_top_level_piece_of_photoimport_has_a_layer() -> None:
    pieces = {p.stem for p in ROOT.joinpath("photoimport").iterdir() if p.suffix == ".py"}
    pieces |= {
        p.name for p in ROOT.joinpath("photoimport").iterdir() if (p / "__init__.py").exists()
    }
    assert pieces <= set(RANK), f"give these a layer in this test and DESIGN: {pieces - set(RANK)}"
    plain = [p for p in ROOT.joinpath("photoimport").iterdir() if p.suffix == ".py"]
    assert len(plain) <= 10 + 2, "at most 10 plain modules (besides __init__/__main__) at the top"


def test_packages_import_only_packages_below_them() -> None:
    modules = _modules()
    wrong: list[str] = []
    for name, path in modules.items():
        if not name.startswith("photoimport"):
            continue
        mine = _package(name)
        for target in _imports(path):
            if target.split(".")[0] in {"worker", "widgets", "pages", "dashboard"}:
                wrong.append(f"{name} imports the front end {target}")
            if not target.startswith("photoimport.") or target not in modules:
                continue
            theirs = _package(target)
            if theirs == mine or theirs == "__init__":
                continue
            if RANK[theirs] < RANK[mine] or (
                RANK[theirs] == RANK[mine]
                and SAME_LAYER_ORDER.get(theirs, 0) > SAME_LAYER_ORDER.get(mine, 0)
            ):
                wrong.append(f"{name} ({mine}) imports {target} ({theirs}), which is above it")
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in _imports(path):
            if target in modules and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(modules):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_pages_hold_only_pages() -> None:
    """Every file in pages/ is a page of the navigation (shared pieces live in widgets/)."""
    dashboard = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    registered = {
        node.args[0].value
        for node in ast.walk(ast.parse(dashboard))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "Page"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    files = {f"pages/{p.name}" for p in ROOT.joinpath("pages").glob("*.py")}
    assert files == registered
    dashboard = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    assert ".exists()" not in dashboard, "dashboard.py registers pages without probing files"
