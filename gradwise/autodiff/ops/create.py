"""Tensor creation (no gradient): zeros, ones, eye, arange and friends."""

from ... import backend
from ..tensor import FLOATX, Tensor, as_dtype


def _new(array):
    return Tensor._from_array(array, None)


def _dtype(dtype):
    return FLOATX if dtype is None else as_dtype(dtype)


def zeros(shape, dtype=None, *, requires_grad=False):
    """A tensor of zeros (float32 by default); requires_grad=True makes a leaf as torch.zeros."""
    return _new(backend.xp.zeros(shape, _dtype(dtype))).requires_grad_(requires_grad)


def ones(shape, dtype=None, *, requires_grad=False):
    """A tensor of ones (float32 by default); requires_grad=True makes a leaf as torch.ones."""
    return _new(backend.xp.ones(shape, _dtype(dtype))).requires_grad_(requires_grad)


def fill(shape, value, dtype=None):
    """A tensor of `shape` filled with `value`."""
    return _new(backend.xp.full(shape, value, _dtype(dtype)))


def zeros_like(x, dtype=None):
    """Zeros with x's shape (and dtype unless given)."""
    x = x.data if isinstance(x, Tensor) else backend.xp.asarray(x)
    return _new(backend.xp.zeros(x.shape, x.dtype if dtype is None else as_dtype(dtype)))


def ones_like(x, dtype=None):
    """Ones with x's shape (and dtype unless given)."""
    x = x.data if isinstance(x, Tensor) else backend.xp.asarray(x)
    return _new(backend.xp.ones(x.shape, x.dtype if dtype is None else as_dtype(dtype)))


def eye(n, m=None, dtype=None):
    """The n×m identity matrix (n×n when m is None)."""
    return _new(backend.xp.eye(n, m, dtype=_dtype(dtype)))


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop), as NumPy (int32 for ints, float32 for floats)."""
    if stop is None:
        start, stop = 0, start
    arr = backend.xp.arange(start, stop, step)
    if dtype is not None:
        return _new(arr.astype(as_dtype(dtype)))
    return _new(arr.astype("int32" if arr.dtype.kind == "i" else FLOATX))
