import os
import platform
import subprocess
import sys

import pytest

import gradwise as gw
from gradwise.errors import BackendError


def test_numpy_is_the_default():
    assert gw.get_backend() == "numpy"


def test_cupy_missing_gives_a_clear_error():
    pytest.importorskip  # noqa: B018
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed here; the missing-CuPy message cannot be shown")
    except ImportError:
        pass
    with pytest.raises(BackendError, match="pip install cupy"):
        gw.set_backend("cupy")
    assert gw.get_backend() == "numpy"


def test_unknown_backend():
    with pytest.raises(BackendError, match="numpy, cupy"):
        gw.set_backend("tpu")


def test_env_variable_selects_backend_at_import():
    proc = subprocess.run(
        [sys.executable, "-c", "import gradwise"], env={"GRADWISE_BACKEND": "cupy", "PATH": ""},
        capture_output=True, text=True,
    )
    assert proc.returncode != 0 and "pip install cupy" in proc.stderr


def test_clear_session_restarts_automatic_names():
    import gradwise as gw

    gw.layers.Dense(1), gw.optimizers.Adam()
    gw.backend.clear_session()
    assert gw.layers.Dense(1).name == "dense" and gw.layers.Dense(1).name == "dense_1"
    assert gw.optimizers.Adam().name == "adam"


def test_freed_memory_is_kept_on_linux_unless_turned_off():
    code = "import gradwise as gw; print(gw.backend.freed_memory_kept)"
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    env = dict(os.environ, GRADWISE_KEEP_FREED_MEMORY="0")
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.strip()
    assert off == "False"
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert on == "True"
