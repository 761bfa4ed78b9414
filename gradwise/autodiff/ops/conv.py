"""Convolution, channels-last (NHWC), by im2col and one matrix product.

Shapes: x (N, H, W, C); kernel in Keras's layout (kh, kw, C, F); output (N, OH, OW, F).

    out[n, i, j, f] = Σ_{u, v, c} x_pad[n, i·sh + u·dh, j·sw + v·dw, c] · kernel[u, v, c, f]  (+ bias[f])

im2col: every output pixel's receptive field (kh, kw, C) is a window of the padded input.
A strided *view* lists all windows as an array (N, OH, OW, kh, kw, C) without copying;
one copy makes it the matrix `cols` (N·OH·OW, kh·kw·C), and the convolution is the single
matrix product cols @ kernel.reshape(kh·kw·C, F) — a Dense layer applied to every window.

Backward, from G = dL/dout reshaped to (N·OH·OW, F):
    dkernel = colsᵀ G            (the same cols, kept from forward: no second im2col)
    dbias   = Σ_rows G           (onesᵀ G, a matrix-vector product)
    dcols   = G kernelᵀ          and col2im: each window's gradient is added back onto the
              pixels it came from. The loop runs over the kh·kw kernel offsets only: the
              columns of dcols for offset (u, v) are G W[u, v]ᵀ (N·OH·OW, C), and the pixels
              they belong to form one strided slice of the padded input, so each step is one
              matmul into a reused buffer and one vectorised `+=` (measured faster than
              forming the whole dcols first: the adds then read contiguous rows).

Padding follows TensorFlow: "valid" is none; "same" pads a total of
max((ceil(in / s) - 1)·s + (k - 1)·d + 1 - in, 0) along each axis, half before and the
rest (the extra pixel when odd) after, i.e. at the bottom/right. Then OH = ceil(H / sh).
"""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...errors import ShapeError
from ..function import Function, register
from ._common import tensor


# --- argument helpers (shared with pool.py) --------------------------------------------
def as_tuple(value, n, name, op):
    """An int or a sequence of n ints as a tuple of n positive ints (Keras's convention)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}.") from None
        if len(out) != n or any(o != v for o, v in zip(out, value)):
            raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}.")
    if any(v <= 0 for v in out):
        raise ValueError(f"{op}: {name} must be positive, got {value!r}.")
    return out


def norm_padding(padding, op, allowed=("valid", "same")):
    """'valid' / 'same' (case-insensitive) checked and lower-cased."""
    p = padding.lower() if isinstance(padding, str) else padding
    if p not in allowed:
        raise ValueError(f"{op}: padding must be one of {', '.join(map(repr, allowed))}, got {padding!r}.")
    return p


def same_pads(size, k, s, d=1):
    """TensorFlow's "same" padding along one axis: (before, after), the extra pixel after."""
    total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def pads_for(padding, sizes, ks, ss, ds):
    """((before, after), ...) per spatial axis for 'valid', 'same' or 'causal' (1-D, left only)."""
    if padding == "valid":
        return tuple((0, 0) for _ in sizes)
    if padding == "causal":
        return tuple(((k - 1) * d, 0) for k, d in zip(ks, ds))
    return tuple(same_pads(n, k, s, d) for n, k, s, d in zip(sizes, ks, ss, ds))


def output_size(size, k, s, d, padding):
    """Output length along one axis (None stays None): TF's ceil(in/s) for 'same'."""
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / s)
    if padding == "causal":
        size += (k - 1) * d
    return (size - (k - 1) * d - 1) // s + 1


def pad_nhwc(x, pads, value=0.0):
    """x (N, H, W, C) padded on H and W by pads ((top, bottom), (left, right)) with `value`."""
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w] = x
    return out


def window_offsets(kh, kw, sh, sw, dh, dw, oh, ow):
    """For each kernel offset (u, v), row-major: the (H, W) slices of the padded input it touches."""
    return [
        (slice(u * dh, u * dh + sh * (oh - 1) + 1, sh), slice(v * dw, v * dw + sw * (ow - 1) + 1, sw))
        for u in range(kh) for v in range(kw)
    ]


def _as_nhwc(x, op):
    """4-D input as is; 3-D (N, steps, C) as (N, 1, steps, C), for the 1-D ops."""
    if x.ndim == 3:
        return x[:, None]
    if x.ndim != 4:
        raise ShapeError(f"{op}: input must be (batch, height, width, channels), got shape {tuple(x.shape)}.")
    return x


# --- the op ------------------------------------------------------------------------------
SMALL_C = 3  # up to this many input channels, im2col is built kernel-offset-major (see _im2col)


def _im2col(xp, kh, kw, strides, dilation, oh, ow, with_ones):
    """The (N·OH·OW, kh·kw·C) matrix of all windows of xp (N, Hp, Wp, C), copied once.

    Many channels: a strided view (N, OH, OW, kh, kw, C) of xp copied in one go; each window
    is then a contiguous row. Few channels (C <= SMALL_C, e.g. a grey image): rows of C values
    are too short to copy fast, so the matrix is built transposed, (kh·kw·C, N·OH·OW), one
    kernel offset at a time (each a strided slice of the image planes), and returned as its
    transpose (a Fortran-ordered view that matmul takes as it is). Then a row of ones can be
    appended cheaply (with_ones): the bias rides in the same matmul and its gradient comes out
    of the same dW product (Σ_rows G = onesᵀ G).
    """
    n, _, _, c = xp.shape
    (sh, sw), (dh, dw) = strides, dilation
    m = n * oh * ow
    if c <= SMALL_C:
        planes = np.moveaxis(xp, 3, 0)  # (C, N, Hp, Wp): a free view, contiguous when C == 1
        cols_t = np.empty((kh * kw * c + with_ones, n, oh, ow), dtype=xp.dtype)
        for i, (rows, cols) in enumerate(window_offsets(kh, kw, sh, sw, dh, dw, oh, ow)):
            cols_t[i * c:(i + 1) * c] = planes[:, :, rows, cols]
        if with_ones:
            cols_t[-1] = 1
        return cols_t.reshape(-1, m).T
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, (n, oh, ow, kh, kw, c), (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3), writeable=False)
    cols = np.empty((n, oh, ow, kh, kw, c), dtype=xp.dtype)
    np.copyto(cols, view)
    return cols.reshape(m, kh * kw * c)


class Conv2D(Function):
    """Cross-correlation of NHWC x with a (kh, kw, C, F) kernel, plus an optional bias (F,).

    1-D inputs (N, steps, C) with kernels (k, C, F) run through the same code as H = 1.
    """

    def forward(self, x, kernel, *bias, strides, padding, dilation, op):
        x4 = _as_nhwc(x, op)
        k4 = kernel[None] if kernel.ndim == 3 else kernel
        n, h, w, c = x4.shape
        kh, kw, kc, f = k4.shape
        if kc != c:
            raise ShapeError(
                f"{op}: input has {c} channels (shape {tuple(x.shape)}) but the kernel "
                f"{tuple(kernel.shape)} expects {kc}."
            )
        (sh, sw), (dh, dw) = strides, dilation
        pads = pads_for(padding, (h, w), (kh, kw), strides, dilation)
        xp = pad_nhwc(x4, pads)
        hp, wp = xp.shape[1:3]
        oh, ow = (hp - (kh - 1) * dh - 1) // sh + 1, (wp - (kw - 1) * dw - 1) // sw + 1
        if oh <= 0 or ow <= 0:
            raise ShapeError(
                f"{op}: the (dilated) kernel {kernel.shape[:-2]} does not fit the padded input "
                f"{(hp, wp)} of input shape {tuple(x.shape)} (padding {padding!r})."
            )
        # bias inside the matmul (a ones column) only where that is cheap: few channels
        self.fused_bias = fused = bool(bias) and c <= SMALL_C
        cols = _im2col(xp, kh, kw, strides, dilation, oh, ow, fused)
        k2 = k4.reshape(kh * kw * c, f)
        if fused:
            out = cols @ np.concatenate([k2, bias[0][None].astype(k2.dtype, copy=False)])
        else:
            out = cols @ k2
            if bias:
                out += bias[0]
        needs_x, needs_k = self.needs_input_grad[:2]
        if needs_k or fused:
            self.cols = cols
        if needs_x:
            self.k_offsets = k4.reshape(kh * kw, c, f)  # W[u, v] (C, F) for each kernel offset
            self.geometry = (xp.shape, pads, (h, w), (oh, ow), window_offsets(kh, kw, sh, sw, dh, dw, oh, ow))
        self.x_shape, self.k_shape = x.shape, kernel.shape
        out = out.reshape(n, oh, ow, f)
        return out[:, 0] if x.ndim == 3 else out

    def backward(self, g):
        f = g.shape[-1]
        g2 = g.reshape(-1, f)
        needs = self.needs_input_grad
        dx = dk = db = None
        has_bias = len(needs) > 2
        if needs[1] or self.fused_bias:  # dW = colsᵀ G  (its last row is db when the bias is fused)
            # the same product either way; OpenBLAS is far faster (and does not stall when the
            # cores are shared) when the longer of the two output sides is the row axis
            k = self.cols.shape[1]
            dw = self.cols.T @ g2 if k >= f else (g2.T @ self.cols).T
            dk = dw[:-1].reshape(self.k_shape) if self.fused_bias else dw.reshape(self.k_shape)
            db = dw[-1] if self.fused_bias else None
        if has_bias and needs[2] and db is None:  # db = Σ over all output pixels (a gemv)
            db = np.ones(g2.shape[0], dtype=g2.dtype) @ g2
        if needs[0]:
            # dcols = G Wᵀ, one kernel offset (a block of C columns) at a time, each block
            # added straight onto the pixels its windows read (col2im): dcols is never whole.
            padded_shape, ((pt, _), (pl, _)), (h, w), (oh, ow), offsets = self.geometry
            n, c = padded_shape[0], padded_shape[-1]
            dxp = np.zeros(padded_shape, dtype=np.result_type(g2, self.k_offsets))
            block = np.empty((g2.shape[0], c), dtype=dxp.dtype)
            for w_uv, (rows, cols) in zip(self.k_offsets, offsets):
                np.matmul(g2, w_uv.T, out=block)
                dxp[:, rows, cols] += block.reshape(n, oh, ow, c)
            dx = dxp[:, pt:pt + h, pl:pl + w].reshape(self.x_shape)
        return (dx, dk if needs[1] else None, db)[: len(needs)]


def _conv(x, kernel, bias, strides, padding, dilation_rate, rank, op):
    x, kernel = tensor(x), tensor(kernel)
    if kernel.ndim != rank + 2:
        raise ShapeError(f"{op}: kernel must have rank {rank + 2} (spatial sizes, in, out), got shape {kernel.shape}.")
    if x.ndim != rank + 2:
        what = "(batch, steps, channels)" if rank == 1 else "(batch, height, width, channels)"
        raise ShapeError(f"{op}: input must be {what}, got shape {x.shape}.")
    allowed = ("valid", "same", "causal") if rank == 1 else ("valid", "same")
    padding = norm_padding(padding, op, allowed)
    strides = (1,) * (2 - rank) + as_tuple(strides, rank, "strides", op)
    dilation = (1,) * (2 - rank) + as_tuple(dilation_rate, rank, "dilation_rate", op)
    inputs = (x, kernel) if bias is None else (x, kernel, tensor(bias))
    if bias is not None and inputs[2].shape != (kernel.shape[-1],):
        raise ShapeError(f"{op}: bias must have shape ({kernel.shape[-1]},), got {inputs[2].shape}.")
    return Conv2D.apply(*inputs, strides=strides, padding=padding, dilation=dilation, op=op)


@register()
def conv2d(x, kernel, strides=(1, 1), padding="valid", dilation_rate=(1, 1), bias=None):
    """2-D cross-correlation, NHWC, as tf.nn.conv2d / keras.ops.conv (+ an optional fused bias).

        out[n, i, j, f] = Σ_{u, v, c} x_pad[n, i·sh + u·dh, j·sw + v·dw, c] · kernel[u, v, c, f] + bias[f]

    Args:
        x: (N, H, W, C).  kernel: (kh, kw, C, F).  bias: None or (F,).
        strides, dilation_rate: int or (rows, cols).
        padding: "valid" (none) or "same" (TensorFlow's: OH = ceil(H / sh), the odd pixel of
            padding at the bottom/right).

    Returns (N, OH, OW, F), OH = (H + pad - (kh - 1)·dh - 1) // sh + 1.

    Example: conv2d(zeros((8, 28, 28, 1)), zeros((3, 3, 1, 32))).shape == (8, 26, 26, 32).
    """
    return _conv(x, kernel, bias, strides, padding, dilation_rate, 2, "conv2d")


@register()
def conv1d(x, kernel, strides=1, padding="valid", dilation_rate=1, bias=None):
    """1-D cross-correlation of x (N, steps, C) with a kernel (k, C, F): conv2d with H = 1.

    padding: "valid", "same" (TensorFlow's) or "causal" ((k - 1)·d zeros on the left only,
    so out[t] sees no input after t). Returns (N, steps_out, F).
    """
    return _conv(x, kernel, bias, strides, padding, dilation_rate, 1, "conv1d")
