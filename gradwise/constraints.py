"""Weight constraints (Keras's names and math): projections optimizers apply after each update.

    MaxNorm(max_value=2, axis=0)      w · clip(‖w‖, 0, max) / (ε + ‖w‖)      (the Dropout paper's max-norm)
    MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0)
                                      w · (rate · clip(‖w‖, min, max) + (1 - rate) · ‖w‖) / (ε + ‖w‖)
    UnitNorm(axis=0)                  w / (ε + ‖w‖)
    NonNeg()                          w · (w ≥ 0)

‖w‖ is the L2 norm along `axis` (0: each column of a Dense kernel, i.e. each unit's incoming
weights; [0, 1, 2] for each filter of a Conv2D kernel), ε = 1e-7. Attach them with
kernel_constraint= / bias_constraint= (and the like) on layers; the optimizer projects the
weight after every step (optimizer.apply), as Keras does.
"""

import numpy as np

from .errors import UnknownNameError

EPSILON = 1e-7  # keras.backend.epsilon()


def _array(w):
    return np.asarray(getattr(w, "data", w))


def _norms(w, axis):
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: a callable mapping a weight to its projection (same shape and dtype)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Rescale each slice along `axis` whose L2 norm exceeds max_value down to max_value."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's L2 norm into [min_value, max_value], a `rate` of the way (1: all of it)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


class UnitNorm(Constraint):
    """Scale each slice along `axis` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        return (w / (EPSILON + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        w = _array(w)
        return w * (w >= 0).astype(w.dtype)


max_norm, min_max_norm, unit_norm, non_neg = MaxNorm, MinMaxNorm, UnitNorm, NonNeg
_BY_NAME = {"max_norm": MaxNorm, "maxnorm": MaxNorm, "min_max_norm": MinMaxNorm, "minmaxnorm": MinMaxNorm,
            "unit_norm": UnitNorm, "unitnorm": UnitNorm, "non_neg": NonNeg, "nonneg": NonNeg}


def get(identifier):
    """A constraint from a name ("max_norm"), an instance, a callable or a config dict."""
    if identifier is None or isinstance(identifier, Constraint) or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        cls = _BY_NAME.get(str(identifier.get("class_name", "")).lower())
        if cls is None:
            raise UnknownNameError("constraint", identifier.get("class_name"), _BY_NAME)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise UnknownNameError("constraint", identifier, _BY_NAME)


def serialize(constraint):
    """{"class_name", "config"} for a Constraint; None for None. A plain function is returned
    as it is: layers copied in memory keep it, but it cannot be written to a model file
    (subclass Constraint, with get_config, for that)."""
    if constraint is None or not isinstance(constraint, Constraint):
        return constraint
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


deserialize = get
