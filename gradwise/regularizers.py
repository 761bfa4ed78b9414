"""Weight penalties added to the loss (Keras's names and math).

L1(l1) adds l1·Σ|w|, L2(l2) adds l2·Σw², L1L2 both. Attach them to layers with
kernel_regularizer= / bias_regularizer= / activity_regularizer=; fit and evaluate report
the loss with the penalties included (see Model.losses).
"""

from .autodiff.ops import abs as gw_abs
from .autodiff.ops import add, multiply, reduce_sum, square
from .errors import UnknownNameError


class Regularizer:
    """Base class: a callable mapping a weight tensor to a scalar penalty."""

    def __call__(self, x):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1(Regularizer):
    """penalty = l1 · Σ|w|  (default l1 = 0.01)."""

    def __init__(self, l1=0.01):
        self.l1 = _check("l1", l1)

    def __call__(self, x):
        return multiply(self.l1, reduce_sum(gw_abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """penalty = l2 · Σw²  (default l2 = 0.01; L2(0.5) on weights [2, 1] adds 2.5)."""

    def __init__(self, l2=0.01):
        self.l2 = _check("l2", l2)

    def __call__(self, x):
        return multiply(self.l2, reduce_sum(square(x)))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """penalty = l1 · Σ|w| + l2 · Σw²  (defaults 0.0 and 0.0, as Keras)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _check("l1", l1), _check("l2", l2)

    def __call__(self, x):
        return add(multiply(self.l1, reduce_sum(gw_abs(x))), multiply(self.l2, reduce_sum(square(x))))

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def _check(name, value):
    value = float(value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}.")
    return value


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME = {"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2}


def get(identifier):
    """A regularizer from a name ("l2"), an instance, a callable or a config dict."""
    if identifier is None or isinstance(identifier, Regularizer) or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        cls = _BY_NAME.get(identifier.get("class_name", "").lower())
        if cls is None:
            raise UnknownNameError("regularizer", identifier.get("class_name"), _BY_NAME)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise UnknownNameError("regularizer", identifier, _BY_NAME)


def serialize(reg):
    if reg is None:
        return None
    return {"class_name": type(reg).__name__, "config": reg.get_config()}
