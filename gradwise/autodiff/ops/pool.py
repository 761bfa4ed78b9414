"""Pooling, channels-last (NHWC), with TensorFlow's padding: max, min and average.

Each output pixel summarises one (ph, pw) window of its channel:

    max:  out[n, i, j, c] = max_{u, v} x_pad[n, i·sh + u, j·sw + v, c]      (x_pad padded with -inf)
    min:  the same with min (padded with +inf)
    avg:  out[n, i, j, c] = Σ_{u, v} x_pad[...] / count[i, j]               (padded with 0)

where count[i, j] is the number of *real* (not padding) pixels in the window: TensorFlow's
"same" average pooling ignores the padding. "valid" pads nothing (rows/columns a window
never reaches get no gradient); "same" pads as conv2d does (OH = ceil(H / sh)).

Computation: a loop over the ph·pw window offsets, each one vectorised over the whole batch.
For offset (u, v) the pixels the windows read form one strided slice of the padded input
(x_pad[:, u::sh, v::sw] cut to OH × OW), so the forward is ph·pw calls of np.maximum / add
and the backward ph·pw strided writes — nothing loops over samples or pixels. When the
windows tile the input (stride == pool, no padding) the slices are disjoint and together
form a reshape of the input (N, OH, ph, OW, pw, C): the backward then writes each slice once
(`=`, or ufunc `out=`) instead of accumulating (`+=`).

Gradient of max/min: each window passes its gradient to ONE input, the FIRST arg-max
(arg-min) in row-major window order (rows top to bottom, then columns left to right). With
ties nothing is shared. This is PyTorch's rule (its CPU kernel takes a new maximum only when
`val > maxval`, so the first of equal values wins). It differs from gw.reduce_max, which
shares the gradient among ties, as TensorFlow's reduce_max does.
"""

import numpy as np

from ...errors import ShapeError
from ..function import Function, register
from ._common import tensor
from .conv import _as_nhwc, as_tuple, norm_padding, pad_nhwc, pads_for, window_offsets


def _geometry(x, pool, strides, padding, op):
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    pads = pads_for(padding, (h, w), pool, strides, (1, 1))
    hp, wp = h + sum(pads[0]), w + sum(pads[1])
    oh, ow = (hp - ph) // sh + 1, (wp - pw) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ShapeError(f"{op}: pool_size {pool} is larger than the input {(h, w)} (padding {padding!r}).")
    offsets = window_offsets(ph, pw, sh, sw, 1, 1, oh, ow)
    tiles = pool == strides and not any(pads[0] + pads[1])
    return pads, (oh, ow), offsets, tiles


class _Pool(Function):
    """Shared set-up: the input as NHWC, pads, output size and the window offsets."""

    def _setup(self, x, pool, strides, padding, op):
        self.x_shape, self.pool = x.shape, pool
        x4 = _as_nhwc(x, op)
        self.nhwc = x4.shape
        self.pads, self.out_hw, self.offsets, self.tiles = _geometry(x4, pool, strides, padding, op)
        return x4

    def _unpad(self, dxp):
        (pt, _), (pl, _) = self.pads
        _, h, w, _ = self.nhwc
        return dxp[:, pt:pt + h, pl:pl + w].reshape(self.x_shape)


class ExtremumPool(_Pool):
    """Max pooling (mode "max") or min pooling (mode "min"); gradient to the first extremum."""

    def forward(self, x, pool, strides, padding, mode, op):
        x4 = self._setup(x, pool, strides, padding, op)
        fill = -np.inf if mode == "max" else np.inf
        xp = pad_nhwc(x4, self.pads, fill)
        pick = np.maximum if mode == "max" else np.minimum
        rows, cols = self.offsets[0]
        out = xp[:, rows, cols].copy()
        for rows, cols in self.offsets[1:]:
            pick(out, xp[:, rows, cols], out=out)
        if self.needs_input_grad[0]:
            self.xp, self.out = xp, out
        return out[:, 0] if x.ndim == 3 else out

    def backward(self, g):
        g = g.reshape(self.out.shape)
        xp, out = self.xp, self.out
        dxp = np.zeros(xp.shape, dtype=g.dtype)
        hit = np.empty(out.shape, dtype=bool)
        free = None  # windows whose gradient is not yet placed (all of them before offset 0)
        last = len(self.offsets) - 1
        for k, (rows, cols) in enumerate(self.offsets):  # row-major: the first extremum wins
            np.equal(xp[:, rows, cols], out, out=hit)
            if free is None:
                free = ~hit
            else:
                hit &= free
                if k < last:
                    free ^= hit
            if self.tiles:
                np.multiply(g, hit, out=dxp[:, rows, cols])
            else:
                dxp[:, rows, cols] += g * hit
        return (self._unpad(dxp),)


class AvgPool(_Pool):
    """Average pooling; windows divide by their count of real (non-padding) pixels."""

    def forward(self, x, pool, strides, padding, op):
        x4 = self._setup(x, pool, strides, padding, op)
        xp = pad_nhwc(x4, self.pads)
        rows, cols = self.offsets[0]
        out = xp[:, rows, cols].copy()
        for rows, cols in self.offsets[1:]:
            out += xp[:, rows, cols]
        self.scale = self._inverse_counts(x4.shape[1:3], pool, strides, out.dtype)
        out *= self.scale
        self.padded_shape = xp.shape
        return out[:, 0] if x.ndim == 3 else out

    def _inverse_counts(self, hw, pool, strides, dtype):
        """1 / (real pixels per window), shape (OH, OW, 1), or a scalar without padding."""
        if not any(sum(p) for p in self.pads):
            return dtype.type(1.0 / (pool[0] * pool[1]))
        per_axis = []
        for size, k, s, (before, _), o in zip(hw, pool, strides, self.pads, self.out_hw):
            start = np.arange(o) * s - before  # window start in unpadded coordinates
            per_axis.append(np.minimum(start + k, size) - np.maximum(start, 0))
        return (1.0 / np.multiply.outer(*per_axis))[:, :, None].astype(dtype)

    def backward(self, g):
        n, _, _, c = self.nhwc
        oh, ow = self.out_hw
        gs = g.reshape(n, oh, ow, c) * self.scale
        dxp = np.zeros(self.padded_shape, dtype=gs.dtype)
        for rows, cols in self.offsets:  # every pixel of a window gets the same share
            if self.tiles:
                dxp[:, rows, cols] = gs
            else:
                dxp[:, rows, cols] += gs
        return (self._unpad(dxp),)


def _pool_args(x, pool_size, strides, padding, rank, op):
    x = tensor(x)
    if x.ndim != rank + 2:
        what = "(batch, steps, channels)" if rank == 1 else "(batch, height, width, channels)"
        raise ShapeError(f"{op}: input must be {what}, got shape {x.shape}.")
    pool = as_tuple(pool_size, rank, "pool_size", op)
    strides = pool if strides is None else as_tuple(strides, rank, "strides", op)
    pad1 = (1,) * (2 - rank)
    return x, dict(pool=pad1 + pool, strides=pad1 + strides, padding=norm_padding(padding, op), op=op)


@register()
def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    """Max over each (ph, pw) window of NHWC x, as tf.nn.max_pool2d / keras MaxPooling2D.

    Args:
        x: (N, H, W, C).  pool_size, strides: int or (rows, cols); strides None = pool_size.
        padding: "valid" or "same" (TensorFlow's; padding never wins, it is -inf).

    Gradient: to the first maximum of each window in row-major order (PyTorch's tie rule).
    Example: max_pool2d(x of shape (8, 26, 26, 32)).shape == (8, 13, 13, 32).
    """
    x, args = _pool_args(x, pool_size, strides, padding, 2, "max_pool2d")
    return ExtremumPool.apply(x, mode="max", **args)


@register()
def min_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    """Min over each window (seed 001's min pooling); as max_pool2d with min, padding +inf.

    Gradient: to the first minimum of each window in row-major order.
    """
    x, args = _pool_args(x, pool_size, strides, padding, 2, "min_pool2d")
    return ExtremumPool.apply(x, mode="min", **args)


@register()
def avg_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    """Mean over each window, as tf.nn.avg_pool2d: with "same" only real pixels are counted.

    Example: avg_pool2d(ones((1, 3, 3, 1)), 2, padding="same") is all ones (corners average
    one, two or four real pixels, never the zero padding).
    """
    x, args = _pool_args(x, pool_size, strides, padding, 2, "avg_pool2d")
    return AvgPool.apply(x, **args)


@register()
def max_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """Max over windows of x (N, steps, C) along the steps axis; gradient to the first maximum."""
    x, args = _pool_args(x, pool_size, strides, padding, 1, "max_pool1d")
    return ExtremumPool.apply(x, mode="max", **args)


@register()
def avg_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """Mean over windows of x (N, steps, C) along the steps axis (TF's "same": real pixels only)."""
    x, args = _pool_args(x, pool_size, strides, padding, 1, "avg_pool1d")
    return AvgPool.apply(x, **args)
