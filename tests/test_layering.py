"""Imports run one way (DESIGN.md): autodiff knows nothing of layers or models, and nothing
in the library imports classic, viz or cli; only backend.py names cupy."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "gradwise"
LEAVES = ("classic", "viz", "cli")
UPPER = ("layers", "models", "losses", "metrics", "optimizers", "callbacks", "datasets", "initializers",
         "regularizers", "schedules", "saving")


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            yield base, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, []


def resolve(path, base, names):
    """Absolute gradwise module names an import refers to."""
    if not base.startswith("."):
        return [base]
    level = len(base) - len(base.lstrip("."))
    pkg = list(path.relative_to(PKG.parent).with_suffix("").parts)[:-1] if path.name != "__init__.py" else \
        list(path.relative_to(PKG.parent).parts[:-1])
    pkg = pkg[: len(pkg) - (level - 1)]
    rest = base.lstrip(".")
    mod = ".".join(pkg + ([rest] if rest else []))
    return [mod] + [f"{mod}.{n}" for n in names]


def library_files():
    return [p for p in PKG.rglob("*.py") if p.relative_to(PKG).parts[0].removesuffix(".py") not in LEAVES]


def test_nothing_in_the_library_imports_the_leaves():
    for path in library_files():
        for base, names in imported_modules(path):
            for mod in resolve(path, base, names):
                assert not any(mod == f"gradwise.{leaf}" or mod.startswith(f"gradwise.{leaf}.") for leaf in LEAVES), \
                    f"{path.relative_to(PKG)} imports {mod}"


def test_autodiff_does_not_import_upper_floors():
    for path in (PKG / "autodiff").rglob("*.py"):
        for base, names in imported_modules(path):
            for mod in resolve(path, base, names):
                assert not any(mod.startswith(f"gradwise.{up}") for up in UPPER), f"{path} imports {mod}"


def test_only_backend_names_cupy():
    for path in PKG.rglob("*.py"):
        if path.name == "backend.py":
            continue
        assert "import cupy" not in path.read_text(), path


@pytest.mark.parametrize("module", ["gradwise.backend", "gradwise.autodiff", "gradwise.random", "gradwise.activations"])
def test_each_module_imports_alone(module):
    proc = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
