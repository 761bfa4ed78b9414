import ast
from pathlib import Path

import gradwise.datasets as ds


def test_public_names():
    for name in ("mnist", "fashion_mnist", "digits", "read_idx", "cache_dir"):
        assert name in ds.__all__ and hasattr(ds, name)
    assert callable(ds.mnist.load_data) and callable(ds.mnist.fetch)
    assert callable(ds.fashion_mnist.load_data) and callable(ds.digits.load_data)


def test_only_numpy_stdlib_and_gradwise_errors_are_imported():
    """The data sets stay independent of the rest of gradwise (and of anything but NumPy)."""
    import sys

    allowed_gradwise = {"gradwise.errors"}
    folder = Path(ds.__file__).parent
    found = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module)
    top = {name.split(".")[0] for name in found}
    third_party = top - set(sys.stdlib_module_names) - {"numpy", "gradwise"}
    assert third_party == set()
    assert {n for n in found if n.startswith("gradwise")} <= allowed_gradwise
    assert "gradwise.errors" in found  # the errors do derive from GradwiseError


def test_shipped_data_files_are_small():
    folder = Path(ds.__file__).parent
    assert (folder / "digits.npz").stat().st_size <= 200_000
    assert "CC BY 4.0" in (folder / "DIGITS_LICENSE.txt").read_text()
