"""The one place that names the array module gradwise computes with.

NumPy by default. `set_backend("cupy")` (or the environment variable
GRADWISE_BACKEND=cupy) switches array *creation* to CuPy; the ops are written
against NumPy's API, which CuPy arrays implement through NumPy's dispatch
protocols (__array_ufunc__ / __array_function__). Nothing else in gradwise
imports cupy or touches NumPy's global random state.
"""

import os

import numpy

from .errors import BackendError

_KNOWN = ("numpy", "cupy")
xp = numpy  # the active array module; read it as `backend.xp` at call time
name = "numpy"


def set_backend(backend_name):
    """Select the array module: "numpy" (default) or "cupy" (needs an NVIDIA GPU)."""
    global xp, name
    backend_name = str(backend_name).lower()
    if backend_name not in _KNOWN:
        raise BackendError(
            f"Unknown backend {backend_name!r}; choose one of {', '.join(_KNOWN)}."
        )
    if backend_name == "cupy":
        try:
            import cupy  # noqa: F401  (the only import of cupy in gradwise)
        except ImportError as exc:
            raise BackendError(
                "The 'cupy' backend needs CuPy, which is not installed. Install the build "
                "for your CUDA version, e.g. `pip install cupy-cuda12x`, or keep the default "
                "with gw.set_backend('numpy') / unset GRADWISE_BACKEND."
            ) from exc
        xp = cupy
    else:
        xp = numpy
    name = backend_name


def get_backend():
    """Name of the active backend ("numpy" or "cupy")."""
    return name


def to_numpy(array):
    """Copy an array of the active backend to a NumPy array on the host."""
    if xp is numpy:
        return numpy.asarray(array)
    return xp.asnumpy(array)


_session_resets = []  # functions that forget global state; modules above add theirs


def clear_session():
    """Forget global state as keras.backend.clear_session: automatic layer and optimizer
    names start again (dense, dense_1, ...). Weights and the random generator are kept."""
    for reset in _session_resets:
        reset()


def new_generator(seed=None):
    """A fresh random Generator of the active backend (used only by gradwise.random)."""
    return xp.random.default_rng(seed)


def keep_freed_memory():
    """Ask glibc (Linux) to reuse freed memory for large arrays; True if it was applied.

    By default glibc gives every array over 128 KB its own fresh mapping and returns it to
    the system when freed, so each training step's large temporaries (im2col columns,
    activations, gradients) fault their pages in again: measured 10-30 % of a small CNN's
    step here. This serves blocks up to 32 MB from the heap and trims the heap only past
    1 GB of free memory. Cost: the process keeps up to its peak memory. gradwise applies it
    on import; set GRADWISE_KEEP_FREED_MEMORY=0 to leave malloc alone.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 32 * 2**20)) and bool(mallopt(m_trim_threshold, 2**30))


#: whether keep_freed_memory() was applied when gradwise was imported
freed_memory_kept = os.environ.get("GRADWISE_KEEP_FREED_MEMORY", "1") != "0" and keep_freed_memory()

if os.environ.get("GRADWISE_BACKEND"):
    set_backend(os.environ["GRADWISE_BACKEND"])
