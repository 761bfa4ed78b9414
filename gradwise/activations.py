"""Activation functions by name, as Keras's `keras.activations`.

`get("relu")` resolves a string (or returns a callable unchanged); `serialize` gives the
name back for configs. The functions themselves are ops in gradwise.autodiff.ops.activation.
"""

from .autodiff.ops.activation import (
    arctan, binary_step, elu, gelu, hard_sigmoid, isru, leaky_relu, linear, log_softmax, relu,
    selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh,
)
from .errors import UnknownNameError

_BY_NAME = {
    f.__name__: f
    for f in (arctan, binary_step, elu, gelu, hard_sigmoid, isru, leaky_relu, linear, log_softmax,
              relu, selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh)
}
_BY_NAME.update({"identity": linear, "step": binary_step, "logistic": sigmoid})


def get(identifier):
    """An activation function from a name, a callable, or None (meaning linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]
    raise UnknownNameError("activation", identifier, [k for k in _BY_NAME])


def serialize(fn):
    """The name of a built-in activation (for get_config), or the function's __name__."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", repr(fn))


__all__ = sorted(_BY_NAME) + ["get", "serialize"]
