"""Tensor creation (no gradient): zeros, ones, eye, arange and friends."""

from ... import backend
from ..tensor import FLOATX, Tensor, as_dtype


def _new(array):
    return Tensor._from_array(array, None)


def _dtype(dtype):
    return FLOATX if dtype is None else as_dtype(dtype)


def _shape_and_dtype(shape, more, dtype):
    """Keras's (shape, dtype) or torch's (*sizes, dtype=...) as one (shape, dtype) pair.

    zeros((2, 3), "float64") and zeros(2, 3) both work: an int after the first argument is
    a further size (no dtype is an int), anything else the dtype.
    """
    if more and all(isinstance(n, int) and not isinstance(n, bool) for n in more):
        return (shape, *more), dtype
    if len(more) == 1 and dtype is None:
        return shape, more[0]
    if more:
        raise TypeError(f"expected (shape, dtype) or sizes as ints, got {(shape, *more)!r}.")
    return shape, dtype


def zeros(shape, *more, dtype=None, requires_grad=False):
    """A tensor of zeros (float32 by default): zeros((2, 3)) as Keras or zeros(2, 3) as torch;
    requires_grad=True makes a leaf as torch.zeros."""
    shape, dtype = _shape_and_dtype(shape, more, dtype)
    return _new(backend.xp.zeros(shape, _dtype(dtype))).requires_grad_(requires_grad)


def ones(shape, *more, dtype=None, requires_grad=False):
    """A tensor of ones (float32 by default): ones((2, 3)) as Keras or ones(2, 3) as torch;
    requires_grad=True makes a leaf as torch.ones."""
    shape, dtype = _shape_and_dtype(shape, more, dtype)
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
