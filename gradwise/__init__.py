"""gradwise: a deep-learning library on NumPy with Keras's API and a GradientTape autodiff.

    import gradwise as gw
    model = gw.Sequential([gw.layers.Dense(512, activation="relu"),
                           gw.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=128)
"""

__version__ = "0.1.0"

from . import activations, autodiff, backend, errors, random  # noqa: E402
from .autodiff import *  # noqa: E402,F401,F403  (Tensor, Variable, GradientTape, the ops)
from .autodiff import check_gradients  # noqa: E402,F401
from . import ops  # noqa: E402,F401  (keras.ops's names: gw.ops.mean, gw.ops.conv, ...)
from .backend import get_backend, set_backend  # noqa: E402,F401
from .torch_names import *  # noqa: E402,F401,F403  (torch.tensor, manual_seed, randn, cat, dtypes)
from . import initializers, regularizers, constraints, losses, metrics, optimizers  # noqa: E402,F401
from . import layers, callbacks, models, saving, utils, datasets  # noqa: E402,F401
from .layers import Input  # noqa: E402,F401
from .models import Model, Sequential  # noqa: E402,F401


def __getattr__(name):
    """`gw.classic` and `gw.viz` load on first use: they are leaves built on the public API,
    so the library itself never imports them (see DESIGN.md, imports run one way)."""
    if name in ("classic", "viz"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gradwise' has no attribute {name!r}")
