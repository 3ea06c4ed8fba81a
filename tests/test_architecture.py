"""The package's layers (docs/architecture.md): imports only point down."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "iac_iam_checks"
LAYERS = {
    "cache_paths": 0,
    "collector": 0,
    "forked_slices": 0,
    "real_paths": 0,
    "model": 1,
    "iam": 2,
    "frontends": 3,
    "checks": 4,
    "gate": 5,
    "engine": 6,
    "report": 7,
    "integrations": 8,
    "cli": 9,
    "docs": 9,
    "__init__": 9,
}


def layer(module: list[str]) -> int:
    return LAYERS[module[0]] if module else LAYERS["__init__"]


def imports(path: Path, root: Path) -> list[tuple[int, list[str]]]:
    """(line, imported module as a path inside the package) for each relative import."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    package = parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = base + (node.module.split(".") if node.module else [])
            if not target:  # from .. import x: x is the module
                target = [node.names[0].name]
            found.append((node.lineno, target))
    return found


def test_every_module_belongs_to_a_layer():
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in PACKAGE.glob("*")}
    tops -= {"__pycache__"}
    assert tops <= set(LAYERS), tops - set(LAYERS)


def upward_imports(root: Path) -> list[str]:
    """Every relative import in the package at ``root`` that points to a higher layer."""
    upward = []
    for path in sorted(root.rglob("*.py")):
        here = list(path.relative_to(root).with_suffix("").parts)
        for line, target in imports(path, root):
            if target == ["__version__"] or target[:1] == ["__init__"]:
                continue
            if layer(target) > layer(here):
                upward.append(f"{'/'.join(here)}.py:{line} imports {'.'.join(target)}")
    return upward


def test_imports_only_point_down():
    assert upward_imports(PACKAGE) == []


def test_an_upward_import_is_caught(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "values.py").write_text("from ..engine import scan\nfrom . import x\n")
    assert upward_imports(tmp_path) == ["model/values.py:1 imports engine"]
