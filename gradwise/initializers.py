"""Weight initializers with Keras 3's names, defaults and formulas.

An initializer is a callable `init(shape, dtype=None)` returning a NumPy array (float32
unless a dtype is given):

    init = gw.initializers.get("he_normal")     # or gw.initializers.HeNormal(seed=1)
    w = init((784, 512))

Seeding follows Keras 3: an initializer returns the *same* values on every call with the
same shape, whether its seed is an int or None. With seed=None the seed is drawn once, when
the initializer is created, from gradwise's generator, so `gw.random.seed(n)` makes it
reproducible. Each layer should therefore get its own instance (`get("glorot_uniform")`
always makes a new one). For fresh values on every call, pass a `numpy.random.Generator` as
the seed: it is drawn from at each call (Keras's SeedGenerator plays this role).

The variance-scaling family (Glorot, He, LeCun) reads fan_in and fan_out from the shape:
(n,) -> n, n; (in, out) -> in, out; a convolution kernel (k1, ..., kd, in, out) multiplies
both by the receptive field k1 * ... * kd.
"""

import inspect
import math
import numbers

import numpy as np

from . import random as gw_random
from .autodiff.tensor import FLOATX, Tensor
from .errors import DTypeError, ShapeError, UnknownNameError

# standard deviation of N(0, 1) truncated to [-2, 2]: the truncated draws are divided by it
TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape, as Keras computes them.

    (), scalar -> (1, 1); (n,) -> (n, n); (in, out) -> (in, out);
    (k1, ..., kd, in, out) -> (in * k1 * ... * kd, out * k1 * ... * kd).
    With input_axes and output_axes given, the fans are the products of those axes.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return int(math.prod(shape[a] for a in input_axes)), \
            int(math.prod(shape[a] for a in output_axes))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


def _shape(shape):
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _dtype(dtype, owner, floating=True):
    dt = FLOATX if dtype is None else np.dtype(dtype)
    if floating and dt.kind != "f":
        raise DTypeError(f"{owner} draws random floats; dtype must be a floating type such as "
                         f"'float32', received dtype={dtype!r}.")
    return dt


class Initializer:
    """Base class: `__call__(shape, dtype=None)` returns an array; `get_config()` returns the
    constructor arguments, so `cls.from_config(init.get_config())` rebuilds it."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype).")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# --- constants ------------------------------------------------------------------------------
class Zeros(Initializer):
    """All zeros (any dtype). Example: `Zeros()((2, 3))`."""

    def __call__(self, shape, dtype=None):
        return np.zeros(_shape(shape), dtype=_dtype(dtype, "Zeros", floating=False))


class Ones(Initializer):
    """All ones (any dtype). Example: `Ones()((2, 3))`."""

    def __call__(self, shape, dtype=None):
        return np.ones(_shape(shape), dtype=_dtype(dtype, "Ones", floating=False))


class Constant(Initializer):
    """Every element equal to `value` (default 0.0). Example: `Constant(0.1)((3,))`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "Constant", floating=False)
        return np.broadcast_to(np.asarray(self.value, dtype=dt), _shape(shape)).copy()

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """gain times the identity matrix (2-D shapes only; rectangular allowed)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ShapeError(f"Identity initializer needs a 2-D shape; received shape={shape}.")
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype, "Identity", floating=False))

    def get_config(self):
        return {"gain": self.gain}


# --- random ---------------------------------------------------------------------------------
class RandomInitializer(Initializer):
    """Base of the random initializers: owns the seed (int, None or a numpy Generator)."""

    def __init__(self, seed=None):
        if isinstance(seed, bool) or not (seed is None or isinstance(seed, numbers.Integral)
                                          or isinstance(seed, np.random.Generator)):
            raise ValueError(f"{type(self).__name__}: `seed` must be an int, None or a "
                             f"numpy.random.Generator; received seed={seed!r}.")
        self._init_seed = seed
        if seed is None:  # drawn once, so the instance repeats its values (as Keras 3)
            seed = int(gw_random.generator().integers(1, 10**9))
        self.seed = seed

    def _rng(self):
        if isinstance(self.seed, np.random.Generator):
            return self.seed
        return np.random.default_rng(int(self.seed) % 2**64)

    def get_config(self):
        seed = self._init_seed
        return {"seed": None if isinstance(seed, np.random.Generator) else seed}


def _normal(rng, shape, mean, stddev, dtype):
    return _scaled(rng.standard_normal(size=shape), mean, stddev, dtype)


def _truncated_normal(rng, shape, mean, stddev, dtype):
    """N(mean, stddev^2) restricted to mean +- 2 stddev (draws outside are drawn again)."""
    out = rng.standard_normal(size=shape)
    bad = np.abs(out) > 2.0
    n_bad = int(bad.sum())
    while n_bad:
        out[bad] = rng.standard_normal(size=n_bad)
        bad = np.abs(out) > 2.0
        n_bad = int(bad.sum())
    return _scaled(out, mean, stddev, dtype)


def _scaled(out, mean, stddev, dtype):
    """mean + stddev * out (out: float64 standard draws, changed in place), cast to dtype."""
    if stddev != 1.0:
        out *= stddev
    if mean != 0.0:
        out += mean
    return out.astype(dtype, copy=False)


def _uniform(rng, shape, minval, maxval, dtype):
    out = rng.random(size=shape)
    out *= maxval - minval
    out += minval
    return out.astype(dtype, copy=False)


class RandomNormal(RandomInitializer):
    """Samples of N(mean, stddev^2). Defaults mean=0.0, stddev=0.05.

    Example: `RandomNormal(stddev=0.01, seed=0)((784, 10))`.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "RandomNormal")
        return _normal(self._rng(), _shape(shape), self.mean, self.stddev, dt)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """N(mean, stddev^2) with samples beyond two stddev from the mean drawn again.
    Defaults mean=0.0, stddev=0.05 (the result's own std is 0.8796 * stddev).
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "TruncatedNormal")
        return _truncated_normal(self._rng(), _shape(shape), self.mean, self.stddev, dt)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples of U[minval, maxval). Defaults minval=-0.05, maxval=0.05."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "RandomUniform")
        return _uniform(self._rng(), _shape(shape), self.minval, self.maxval, dt)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Random weights whose variance is scale / n, n chosen from the fans of the shape.

        n = fan_in (mode="fan_in"), fan_out ("fan_out") or (fan_in + fan_out) / 2 ("fan_avg"),
            each at least 1
        "truncated_normal" (or "normal"): truncated N(0, s^2), s = sqrt(scale / n) / 0.8796...
            (so that the std after truncation is sqrt(scale / n))
        "untruncated_normal":             N(0, scale / n)
        "uniform":                        U[-limit, limit], limit = sqrt(3 * scale / n)

    Args:
        scale: positive float. Default 1.0.
        mode: "fan_in" (default), "fan_out" or "fan_avg".
        distribution: "truncated_normal" (default), "untruncated_normal" or "uniform".
        seed: int, None or numpy Generator (see the module docstring).
        input_axes, output_axes: optional lists of axes whose sizes multiply to the fans.

    Example: `VarianceScaling(2.0, "fan_in", "truncated_normal")` is He normal.
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        name = type(self).__name__
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale > 0:
            raise ValueError(f"{name}: `scale` must be a positive float; received scale={scale!r}.")
        if mode not in self._MODES:
            raise ValueError(f"{name}: invalid `mode` {mode!r}; use one of {', '.join(self._MODES)}.")
        dist = str(distribution).lower()
        dist = "truncated_normal" if dist == "normal" else dist
        if dist not in self._DISTRIBUTIONS:
            raise ValueError(f"{name}: invalid `distribution` {distribution!r}; use one of "
                             f"{', '.join(self._DISTRIBUTIONS)}.")
        self.scale, self.mode, self.distribution = scale, mode, dist
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dt = _shape(shape), _dtype(dtype, type(self).__name__)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            return _truncated_normal(rng, shape, 0.0, math.sqrt(variance) / TRUNCATED_STDDEV, dt)
        if self.distribution == "untruncated_normal":
            return _normal(rng, shape, 0.0, math.sqrt(variance), dt)
        limit = math.sqrt(3.0 * variance)
        return _uniform(rng, shape, -limit, limit, dt)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _NamedVarianceScaling(VarianceScaling):
    """A fixed (scale, mode, distribution); only the seed and axes are arguments."""

    _preset = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._preset
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        seed = self._init_seed
        return {"seed": None if isinstance(seed, np.random.Generator) else seed,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_NamedVarianceScaling):
    """Glorot (Xavier) uniform: U[-limit, limit], limit = sqrt(6 / (fan_in + fan_out)).
    Keras's default kernel initializer. Example: `GlorotUniform(seed=0)((784, 512))`.
    """

    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_NamedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with std sqrt(2 / (fan_in + fan_out))."""

    _preset = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_NamedVarianceScaling):
    """He normal: truncated normal with std sqrt(2 / fan_in) (for ReLU layers)."""

    _preset = (2.0, "fan_in", "truncated_normal")


class HeUniform(_NamedVarianceScaling):
    """He uniform: U[-limit, limit], limit = sqrt(6 / fan_in)."""

    _preset = (2.0, "fan_in", "uniform")


class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal with std sqrt(1 / fan_in) (for SELU networks)."""

    _preset = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: U[-limit, limit], limit = sqrt(3 / fan_in)."""

    _preset = (1.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times `gain` (Saxe et al., 2014).

    The shape is flattened to (prod(shape[:-1]), shape[-1]); Q of the QR decomposition of a
    normal matrix (signs fixed by diag(R)) gives orthonormal columns, or rows when there
    are fewer rows than columns. Needs at least 2-D shapes. Default gain 1.0.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dt = _shape(shape), _dtype(dtype, "Orthogonal")
        if len(shape) < 2:
            raise ShapeError(f"Orthogonal initializer needs a shape of rank >= 2; received "
                             f"shape={shape} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().standard_normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dt)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


# --- lookup ---------------------------------------------------------------------------------
_CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal,
            LecunUniform, Orthogonal)


def _snake(name):
    out = ""
    for i, ch in enumerate(name):
        out += ("_" if i and ch.isupper() and not name[i - 1].isupper() else "") + ch.lower()
    return out


_SNAKE = {_snake(c.__name__): c for c in _CLASSES}
_SNAKE.update({"normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros})
_BY_NAME = {**{c.__name__: c for c in _CLASSES}, **_SNAKE,
            "OrthogonalInitializer": Orthogonal, "IdentityInitializer": Identity}


def serialize(initializer):
    """{"module", "class_name", "config", "registered_name"} for an Initializer (as Keras);
    a plain function gives its name."""
    if isinstance(initializer, Initializer):
        return {"module": "gradwise.initializers", "class_name": type(initializer).__name__,
                "config": initializer.get_config(), "registered_name": None}
    return getattr(initializer, "__name__", repr(initializer))


def deserialize(config, custom_objects=None):
    """An initializer from a `serialize()` dict or name; `custom_objects` adds your classes."""
    known = {**_BY_NAME, **(custom_objects or {})}
    if isinstance(config, str):
        name, args = config, {}
    elif isinstance(config, dict) and "class_name" in config:
        name, args = config["class_name"], config.get("config") or {}
    else:
        raise ValueError("An initializer config must be a name or a dict with 'class_name' and "
                         f"'config' keys; received {config!r}.")
    if name not in known:
        raise UnknownNameError("initializer", name, _SNAKE if not custom_objects
                               else list(_SNAKE) + list(custom_objects))
    cls = known[name]
    return cls.from_config(args) if hasattr(cls, "from_config") else cls(**args)


def get(identifier):
    """An initializer from a name ("glorot_uniform" or "GlorotUniform"; names are
    case-sensitive, as in Keras), a config dict, a class (instantiated), an array (used as the
    value, its shape checked), or a callable (returned unchanged). None gives None.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, (np.ndarray, np.generic, Tensor)):
        value = identifier.data if isinstance(identifier, Tensor) else np.asarray(identifier)

        def initialize_fn(shape, dtype=None):
            if _shape(shape) != value.shape:
                raise ShapeError(f"Expected shape {value.shape} for an array used as "
                                 f"initializer; received shape={_shape(shape)}.")
            return np.array(value, dtype=_dtype(dtype, "initializer", floating=False))

        return initialize_fn
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}.")


# Keras's snake_case function-style aliases (keras.initializers.glorot_uniform, ...)
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
zeros, ones, constant = Zeros, Ones, Constant

__all__ = [c.__name__ for c in _CLASSES] + ["Initializer", "compute_fans", "get", "serialize",
                                           "deserialize", "TRUNCATED_STDDEV"]
