"""gradwise: a deep-learning library on NumPy with Keras's API and a GradientTape autodiff.

    import gradwise as gw
    w = gw.Variable([[1.0, 2.0]])
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(w * w)
    tape.gradient(loss, w)          # -> [[2., 4.]]
"""

__version__ = "0.1.0"

from . import activations, autodiff, backend, errors, random  # noqa: E402
from .autodiff import *  # noqa: E402,F401,F403  (Tensor, Variable, GradientTape, the ops)
from .autodiff import check_gradients  # noqa: E402,F401
from .backend import get_backend, set_backend  # noqa: E402,F401


def __getattr__(name):
    """`gw.classic` and `gw.viz` load on first use: they are leaves built on the public API,
    so the library itself never imports them (see DESIGN.md, imports run one way)."""
    if name in ("classic", "viz"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gradwise' has no attribute {name!r}")
