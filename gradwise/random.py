"""Randomness owned by gradwise: one Generator, seeded by `gw.random.seed(n)`.

Everything random in gradwise (weight initialisation, shuffling in fit, dropout,
augmentation) draws from this generator, never from NumPy's global state, so one call
makes a whole program reproducible.
"""

from . import backend
from .autodiff.tensor import FLOATX, Tensor, as_dtype

_state = {"generator": backend.new_generator(), "seed": None}


def seed(n):
    """Seed everything random in gradwise (one call; Keras users need several)."""
    if n is not None and (not isinstance(n, int) or n < 0):
        raise ValueError(f"seed must be a non-negative int or None, got {n!r}.")
    _state["generator"] = backend.new_generator(n)
    _state["seed"] = n


set_seed = seed  # tf.random.set_seed / keras.utils.set_random_seed spelling


def generator():
    """The Generator gradwise draws from (for library code; users call the functions below)."""
    return _state["generator"]


def get_state():
    """The generator's state (a dict of plain values), to save with a checkpoint."""
    return _state["generator"].bit_generator.state


def set_state(state):
    """Restore a state returned by get_state() (resuming continues the same random stream)."""
    _state["generator"].bit_generator.state = state


def _dtype(dtype):
    return FLOATX if dtype is None else as_dtype(dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None):
    """Samples from N(mean, stddev²)."""
    return Tensor._from_array(generator().normal(mean, stddev, size=shape).astype(_dtype(dtype)), None)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None):
    """Samples from U[minval, maxval)."""
    return Tensor._from_array(generator().uniform(minval, maxval, size=shape).astype(_dtype(dtype)), None)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None):
    """N(mean, stddev²) with samples beyond two standard deviations drawn again (as Keras)."""
    rng = generator()
    out = rng.standard_normal(size=shape)
    bad = abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(size=int(bad.sum()))
        bad = abs(out) > 2
    return Tensor._from_array((mean + stddev * out).astype(_dtype(dtype)), None)


def shuffle(x):
    """A copy of x with its first axis randomly permuted."""
    data = x.data if isinstance(x, Tensor) else backend.xp.asarray(x)
    return Tensor._from_array(data[generator().permutation(len(data))], None)


def permutation(n):
    """A random permutation of range(n) as a NumPy/backend int array."""
    return generator().permutation(n)
