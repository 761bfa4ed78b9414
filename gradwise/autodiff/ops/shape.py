"""Movement ops: each backward is the inverse movement (reshape back, transpose by the
inverse permutation, slice what pad added, scatter what indexing picked)."""

import numpy as np

from ...errors import ShapeError
from ..function import Function, register
from ..tensor import Tensor
from ._common import norm_axis, tensor


class Reshape(Function):
    def forward(self, a, shape):
        self.in_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape {tuple(a.shape)} ({a.size} values) into {tuple(shape)}."
            ) from None

    def backward(self, g):
        return (g.reshape(self.in_shape),)


class Transpose(Function):
    def forward(self, a, axes):
        self.axes = axes
        return np.transpose(a, axes)

    def backward(self, g):  # undo with the inverse permutation
        return (np.transpose(g, None if self.axes is None else np.argsort(self.axes)),)


class GetItem(Function):
    def forward(self, a, key):
        self.shape, self.dtype, self.key = a.shape, a.dtype, key
        return a[key]

    def backward(self, g):
        out = np.zeros(self.shape, self.dtype)
        if _is_basic(self.key):
            out[self.key] = g  # a basic slice never repeats an element
        else:
            np.add.at(out, self.key, g)  # repeated indices accumulate
        return (out,)


def _is_basic(key):
    keys = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice)) for k in keys)


class Concatenate(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        self.splits = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        try:
            return np.concatenate(arrays, axis=axis)
        except ValueError:
            shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
            raise ShapeError(f"concatenate along axis {axis}: shapes {shapes} differ off that axis.") from None

    def backward(self, g):  # each input gets its slab of the gradient
        return tuple(np.split(g, self.splits, axis=self.axis))


class Stack(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        try:
            return np.stack(arrays, axis=axis)
        except ValueError:
            shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
            raise ShapeError(f"stack: all shapes must be equal, got {shapes}.") from None

    def backward(self, g):
        return tuple(np.moveaxis(g, self.axis, 0))


class Pad(Function):
    def forward(self, a, pad_width, value):
        self.slices = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, a.shape))
        return np.pad(a, pad_width, mode="constant", constant_values=value)

    def backward(self, g):  # the padding was constant: only the original window has a gradient
        return (g[self.slices],)


class Squeeze(Reshape):
    pass


class ExpandDims(Reshape):
    pass


# --- public functions -----------------------------------------------------------------
@register()
def reshape(x, shape):
    """The same values in a new shape (one dimension may be -1)."""
    x = tensor(x)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return Reshape.apply(x, shape=shape)


@register()
def transpose(x, axes=None):
    """Permute the axes (reverse them when axes is None)."""
    x = tensor(x)
    if axes is not None:
        axes = tuple(int(a) % x.ndim for a in axes)
        if sorted(axes) != list(range(x.ndim)):
            raise ShapeError(f"transpose: axes {axes} are not a permutation of range({x.ndim}).")
    return Transpose.apply(x, axes=axes)


@register()
def expand_dims(x, axis):
    """Insert a length-1 axis at `axis`."""
    x = tensor(x)
    return ExpandDims.apply(x, shape=np.expand_dims(np.empty(x.shape, bool), axis).shape)


@register()
def squeeze(x, axis=None):
    """Remove length-1 axes (all of them, or those in `axis`)."""
    x = tensor(x)
    if axis is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        axes = norm_axis(axis, x.ndim)
        bad = [a for a in axes if x.shape[a] != 1]
        if bad:
            raise ShapeError(f"squeeze: axis {bad[0]} of shape {x.shape} has size {x.shape[bad[0]]}, not 1.")
        shape = tuple(n for i, n in enumerate(x.shape) if i not in axes)
    return Squeeze.apply(x, shape=shape)


@register()
def flatten(x):
    """All values as a 1-D tensor (as NumPy's ravel)."""
    return reshape(x, (-1,))


@register()
def concatenate(xs, axis=0):
    """Join tensors along an existing axis."""
    xs = [tensor(x) for x in xs]
    if not xs:
        raise ShapeError("concatenate needs at least one tensor.")
    return Concatenate.apply(*xs, axis=int(axis) % max(xs[0].ndim, 1))


@register()
def stack(xs, axis=0):
    """Join equally shaped tensors along a new axis."""
    xs = [tensor(x) for x in xs]
    if not xs:
        raise ShapeError("stack needs at least one tensor.")
    return Stack.apply(*xs, axis=int(axis) % (xs[0].ndim + 1))


@register()
def pad(x, pad_width, constant_values=0):
    """Pad with a constant; pad_width is ((before, after),) per axis, or one pair for all."""
    x = tensor(x)
    pw = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    if (pw < 0).any():
        raise ShapeError(f"pad: pad widths must be >= 0, got {pad_width!r}.")
    return Pad.apply(x, pad_width=tuple(map(tuple, pw.tolist())), value=constant_values)


@register()
def getitem(x, key):
    """x[key] with gradient: basic slices, integer arrays and boolean masks."""
    x = tensor(x)
    if isinstance(key, Tensor):
        key = key.data
    elif isinstance(key, tuple):
        key = tuple(k.data if isinstance(k, Tensor) else k for k in key)
    elif isinstance(key, list):
        key = np.asarray(key)
    try:
        return GetItem.apply(x, key=key)
    except IndexError as exc:
        raise IndexError(f"getitem: {exc} (tensor shape {x.shape}).") from None
