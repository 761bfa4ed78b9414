"""Helpers shared by the op modules: turning operands into tensors, normalising axes."""

import numbers

import numpy as np

from ...errors import ShapeError
from ..tensor import Tensor, convert_to_tensor, to_array


def tensor(x):
    """x as a Tensor (float64 input becomes float32, as everywhere)."""
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _like(value, ref):
    """A non-Tensor operand converted to match a Tensor operand's floating dtype."""
    if type(value) is np.ndarray and value.dtype == ref.data.dtype:  # the common case, first
        return Tensor._from_array(value, None)
    if ref.data.dtype.kind == "f" and (
        isinstance(value, numbers.Number) or getattr(value, "dtype", np.dtype("O")).kind in "biuf"
    ):
        return Tensor._from_array(np.asarray(value, dtype=ref.data.dtype), None)
    return Tensor._from_array(to_array(value), None)


def operands(x, y):
    """Two operands of a binary op as Tensors; plain numbers take the tensor's dtype."""
    if isinstance(x, Tensor):
        return (x, y) if isinstance(y, Tensor) else (x, _like(y, x))
    if isinstance(y, Tensor):
        return _like(x, y), y
    return convert_to_tensor(x), convert_to_tensor(y)


def broadcast_error(op, a, b):
    return ShapeError(
        f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together "
        "(trailing dimensions must be equal or 1)."
    )


def norm_axis(axis, ndim):
    """axis (None, int or sequence, negatives allowed) as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ShapeError(f"axis {a} is out of range for a tensor of rank {ndim}.")
        out.append(int(a) % max(ndim, 1))
    return tuple(sorted(out))


def expand_reduced(grad, shape, axes, keepdims):
    """Give a reduced gradient back the reduced axes (as size 1) so it broadcasts to `shape`."""
    if keepdims or not axes:
        return grad
    return grad.reshape([1 if i in axes else n for i, n in enumerate(shape)])
