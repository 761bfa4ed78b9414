"""Products: matmul (NumPy's rules, batched), tensordot (seed 000's shape rules) and dot."""

import numpy as np

from ...errors import ShapeError
from ..function import Function, register, unbroadcast
from ._common import operands


def _reshaped(array, shape):
    """array in `shape`, itself when it has it already (a fresh array stays a base, not a view)."""
    return array if array.shape == shape else array.reshape(shape)


def _transposed(array):
    """The last two axes swapped (a view; .T for the common 2-D case skips np.swapaxes' wrapper)."""
    return array.T if array.ndim == 2 else np.swapaxes(array, -1, -2)


class MatMul(Function):
    """a @ b with NumPy's rules: 1-D operands are promoted to a row / column and squeezed back."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError("matmul: operands must be at least 1-D; use multiply for scalars.")
        ka = a.shape[-1]
        kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if ka != kb:
            raise ShapeError(
                f"matmul: {tuple(a.shape)} @ {tuple(b.shape)}: inner dimensions {ka} and {kb} differ."
            )
        self.a, self.b = a, b
        try:
            return a @ b
        except ValueError:
            raise ShapeError(
                f"matmul: batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast."
            ) from None

    def backward(self, g):
        # For 2-D: dA = G Bᵀ, dB = Aᵀ G. 1-D operands become (1, n) / (n, 1) first;
        # batch axes that broadcasting added are summed away by unbroadcast.
        a, b = self.a, self.b
        na, nb = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, without the reshaping below
            return (g @ b.T if na else None), (a.T @ g if nb else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            g = g[..., None]
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        ga = gb = None
        if na:
            ga = g @ _transposed(b2)
            ga = _reshaped(unbroadcast(ga, a2.shape), a.shape)
        if nb:
            gb = _transposed(a2) @ g
            gb = _reshaped(unbroadcast(gb, b2.shape), b.shape)
        return ga, gb


class TensorDot(Function):
    """Sum of products over axes_a of a and axes_b of b (free axes of a, then of b)."""

    def forward(self, a, b, axes_a, axes_b):
        for i, j in zip(axes_a, axes_b):
            if a.shape[i] != b.shape[j]:
                raise ShapeError(
                    f"tensordot: {tuple(a.shape)} • {tuple(b.shape)}: axis {i} of a has size "
                    f"{a.shape[i]} but axis {j} of b has size {b.shape[j]}."
                )
        self.a, self.b, self.axes_a, self.axes_b = a, b, axes_a, axes_b
        return np.tensordot(a, b, axes=(axes_a, axes_b))

    def backward(self, g):
        a, b, ca, cb = self.a, self.b, self.axes_a, self.axes_b
        fa = [i for i in range(a.ndim) if i not in ca]
        fb = [i for i in range(b.ndim) if i not in cb]
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            # contract g's b-part with b's free axes: left are a's free axes, then b's
            # contracted axes in increasing order, each standing for its partner axis of a
            ga = np.tensordot(g, b, axes=(list(range(len(fa), g.ndim)), fb))
            partner = [ca[cb.index(j)] for j in sorted(cb)]
            ga = np.transpose(ga, np.argsort(fa + partner))
        if nb:  # the mirror image: a's contracted axes (sorted) stand for their partners in b
            gb = np.tensordot(a, g, axes=(fa, list(range(len(fa)))))
            partner = [cb[ca.index(i)] for i in sorted(ca)]
            gb = np.transpose(gb, np.argsort(partner + fb))
        return ga, gb


def _axes_pair(axes, a_ndim):
    if isinstance(axes, (int, np.integer)):
        if axes < 0:
            raise ShapeError(f"tensordot: axes must be >= 0, got {axes}.")
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    try:
        axes_a, axes_b = axes
    except (TypeError, ValueError):
        raise ShapeError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}.") from None
    axes_a = [axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
    axes_b = [axes_b] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    if len(axes_a) != len(axes_b):
        raise ShapeError(f"tensordot: {len(axes_a)} axes of a paired with {len(axes_b)} of b.")
    return axes_a, axes_b


@register()
def matmul(x, y):
    """Matrix product x @ y with NumPy's rules (1-D, 2-D and batched, broadcasting batch axes).

    Example: (32, 784) @ (784, 10) -> (32, 10); (5, 2, 3) @ (3, 4) -> (5, 2, 4).
    """
    return MatMul.apply(*operands(x, y))


@register()
def tensordot(x, y, axes=2):
    """Tensor contraction over `axes` (an int N: last N of x with first N of y; or two lists).

    Seed 000's rules: (a, b, c, d) • (d,) -> (a, b, c) and (a, b, c, d) • (d, e) -> (a, b, c, e)
    are tensordot(x, y, axes=1).
    """
    x, y = operands(x, y)
    axes_a, axes_b = _axes_pair(axes, x.ndim)
    axes_a = [i % x.ndim for i in axes_a]
    axes_b = [i % y.ndim for i in axes_b]
    return TensorDot.apply(x, y, axes_a=tuple(axes_a), axes_b=tuple(axes_b))


@register()
def dot(x, y):
    """NumPy's dot: sums over the last axis of x and the second-to-last of y (last if 1-D).

    (a, b, c, d) • (d,) -> (a, b, c);  (a, b, c, d) • (d, e) -> (a, b, c, e).
    A 0-d operand multiplies element-wise.
    """
    x, y = operands(x, y)
    if x.ndim == 0 or y.ndim == 0:
        from .math import multiply

        return multiply(x, y)
    return tensordot(x, y, axes=([x.ndim - 1], [max(y.ndim - 2, 0)]))


class Affine(Function):
    """x @ W + b in one node: the bias is added in place into the product (one pass fewer)."""

    def forward(self, x, w, b):
        if x.shape[-1] != w.shape[0]:
            raise ShapeError(
                f"affine: {tuple(x.shape)} @ {tuple(w.shape)}: inner dimensions {x.shape[-1]} and {w.shape[0]} differ."
            )
        self.x, self.w = x, w
        out = x @ w
        out += b
        return out

    def backward(self, g):  # dx = G Wᵀ, dW = xᵀ G, db = Σ_rows G
        nx, nw, nb = self.needs_input_grad
        x2 = self.x.reshape(-1, self.x.shape[-1])
        g2 = g.reshape(-1, g.shape[-1])
        return (
            (g @ self.w.T) if nx else None,
            (x2.T @ g2) if nw else None,
            g2.sum(axis=0) if nb else None,
        )


@register()
def affine(x, kernel, bias):
    """x @ kernel + bias for x of shape (..., in), kernel (in, out), bias (out,): a Dense layer's maths."""
    from ._common import tensor

    x, kernel, bias = tensor(x), tensor(kernel), tensor(bias)
    if x.dtype != kernel.dtype and x.dtype.kind != "f":
        x = tensor(x.data.astype(kernel.dtype))
    return Affine.apply(x, kernel, bias)
