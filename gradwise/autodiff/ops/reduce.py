"""Reductions over axes. Backward spreads the gradient back over the reduced axes.

max/min send the gradient to the extreme values, split equally among ties (as PyTorch's
amax/amin); argmax/argmin have no gradient.
"""

import math

import numpy as np

from ..function import Function, register
from ..tensor import Tensor
from ._common import expand_reduced, norm_axis, tensor


class _Reduce(Function):
    def forward(self, a, axes, keepdims):
        self.shape, self.size, self.axes, self.keepdims = a.shape, a.size, axes, keepdims
        return self.compute(a)

    def spread(self, g):
        """The upstream gradient with the reduced axes restored as size 1."""
        return expand_reduced(g, self.shape, self.axes, self.keepdims)

    def spread_to_input(self, g):
        """The upstream gradient repeated over the reduced axes: an array of the input's shape.

        A small one is filled (np.broadcast_to's Python wrapper costs more than filling a few
        thousand numbers); a large one stays a read-only broadcast view, which costs no memory.
        """
        if g.size == 1 and self.size <= 4096:
            out = np.empty(self.shape, g.dtype)
            out.fill(g.reshape(()) if g.ndim else g)
            return out
        return np.broadcast_to(self.spread(g), self.shape)


class Sum(_Reduce):
    def compute(self, a):
        return a.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):  # every summed element contributed with weight 1
        return (self.spread_to_input(g),)


class Mean(_Reduce):
    def compute(self, a):
        self.n = self.size if len(self.axes) == a.ndim else math.prod([self.shape[i] for i in self.axes])
        if a.dtype.kind != "f" or self.n == 0:
            return a.mean(axis=self.axes, keepdims=self.keepdims)
        # ndarray.mean's own steps (sum in the array's dtype, divide by a Python int, which
        # keeps that dtype) without its Python wrapper
        return np.add.reduce(a, axis=self.axes, keepdims=self.keepdims) / self.n

    def backward(self, g):  # each element has weight 1/n
        return (self.spread_to_input(g / self.n),)


class _Extreme(_Reduce):
    def compute(self, a):
        self.a = a
        self.out = self.reduce(a, axis=self.axes, keepdims=True)
        return self.out if self.keepdims else self.out.reshape(
            [n for i, n in enumerate(a.shape) if i not in self.axes]
        )

    def backward(self, g):
        hit = self.a == self.out
        return (self.spread(g) * hit / hit.sum(axis=self.axes, keepdims=True),)


class Max(_Extreme):
    reduce = staticmethod(np.max)


class Min(_Extreme):
    reduce = staticmethod(np.min)


class Prod(_Reduce):
    def compute(self, a):
        self.a = a
        return a.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        # d(prod)/d(x_i) = product of all the other elements, computed without dividing
        # (exact when some x are 0) from exclusive cumulative products from both sides.
        a, axes = self.a, self.axes
        rest = [i for i in range(a.ndim) if i not in axes]
        moved = np.transpose(a, rest + list(axes))
        flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
        ones = np.ones(flat.shape[:-1] + (1,), a.dtype)
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (left * right).reshape(moved.shape)
        others = np.transpose(others, np.argsort(rest + list(axes)))
        return (self.spread(g) * others,)


class Var(_Reduce):
    def forward(self, a, axes, keepdims, ddof):
        self.ddof = ddof
        return super().forward(a, axes, keepdims)

    def compute(self, a):
        self.n = int(np.prod([self.shape[i] for i in self.axes])) - self.ddof
        self.centered = a - a.mean(axis=self.axes, keepdims=True)
        return (self.centered**2).sum(axis=self.axes, keepdims=self.keepdims) / self.n

    def backward(self, g):  # d var = 2 (x - mean) / (n - ddof) dx
        return (self.spread(g) * (2.0 / self.n) * self.centered,)


class LogSumExp(_Reduce):
    def compute(self, a):
        m = np.max(a, axis=self.axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        s = np.exp(a - m).sum(axis=self.axes, keepdims=True)
        out = np.log(s) + m
        self.softmax = np.exp(a - out)
        return out if self.keepdims else out.reshape([n for i, n in enumerate(a.shape) if i not in self.axes])

    def backward(self, g):  # d logsumexp = softmax(x) dx
        return (self.spread(g) * self.softmax,)


def _reducer(cls, name, doc):
    def fn(x, axis=None, keepdims=False):
        x = tensor(x)
        return cls.apply(x, axes=norm_axis(axis, x.ndim), keepdims=bool(keepdims))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc + " Over `axis` (None: all axes); `keepdims` keeps reduced axes as size 1."
    return register(name)(fn)


sum = _reducer(Sum, "sum", "Sum of the elements.")  # noqa: A001
mean = _reducer(Mean, "mean", "Arithmetic mean.")
max = _reducer(Max, "max", "Largest element; the gradient is shared equally among ties.")  # noqa: A001
min = _reducer(Min, "min", "Smallest element; the gradient is shared equally among ties.")  # noqa: A001
prod = _reducer(Prod, "prod", "Product of the elements (exact gradient even with zeros).")
logsumexp = _reducer(LogSumExp, "logsumexp", "log(sum(exp(x))) computed stably (max subtracted first).")


@register()
def var(x, axis=None, keepdims=False, ddof=0):
    """Variance (population, ddof=0, as NumPy/TF/Keras; PyTorch's default is ddof=1)."""
    x = tensor(x)
    return Var.apply(x, axes=norm_axis(axis, x.ndim), keepdims=bool(keepdims), ddof=ddof)


@register()
def std(x, axis=None, keepdims=False, ddof=0):
    """Standard deviation, sqrt(var)."""
    from .math import sqrt

    return sqrt(var(x, axis, keepdims, ddof))


@register(differentiable=False)
def argmax(x, axis=None, keepdims=False):
    """Index of the largest element (along axis; of the flattened x for None); no gradient."""
    return Tensor._from_array(np.argmax(tensor(x).data, axis=axis, keepdims=bool(keepdims)), None)


@register(differentiable=False)
def argmin(x, axis=None, keepdims=False):
    """Index of the smallest element (along axis; of the flattened x for None); no gradient."""
    return Tensor._from_array(np.argmin(tensor(x).data, axis=axis, keepdims=bool(keepdims)), None)
