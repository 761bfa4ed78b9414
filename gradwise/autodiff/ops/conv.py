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


def _padded_input(x, x4, kernel, kernel_channels, kernel_hw, window, strides, padding, dilation, op):
    """Check channels, pad the NHWC input x4 and size the output: (padded x4, pads, oh, ow).
    `window` is the kernel's spatial shape as the user gave it (for the error message)."""
    n, h, w, c = x4.shape
    if kernel_channels != c:
        raise ShapeError(
            f"{op}: input has {c} channels (shape {tuple(x.shape)}) but the kernel "
            f"{tuple(kernel.shape)} expects {kernel_channels}."
        )
    (kh, kw), (sh, sw), (dh, dw) = kernel_hw, strides, dilation
    pads = pads_for(padding, (h, w), kernel_hw, strides, dilation)
    xp = pad_nhwc(x4, pads)
    hp, wp = xp.shape[1:3]
    oh, ow = (hp - (kh - 1) * dh - 1) // sh + 1, (wp - (kw - 1) * dw - 1) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ShapeError(
            f"{op}: the (dilated) kernel {window} does not fit the padded input "
            f"{(hp, wp)} of input shape {tuple(x.shape)} (padding {padding!r})."
        )
    return xp, pads, oh, ow


class Conv2D(Function):
    """Cross-correlation of NHWC x with a (kh, kw, C, F) kernel, plus an optional bias (F,).

    1-D inputs (N, steps, C) with kernels (k, C, F) run through the same code as H = 1.
    """

    def forward(self, x, kernel, *bias, strides, padding, dilation, op):
        x4 = _as_nhwc(x, op)
        k4 = kernel[None] if kernel.ndim == 3 else kernel
        n, h, w, c = x4.shape
        kh, kw, kc, f = k4.shape
        (sh, sw), (dh, dw) = strides, dilation
        xp, pads, oh, ow = _padded_input(x, x4, kernel, kc, (kh, kw), kernel.shape[:-2], strides, padding,
                                          dilation, op)
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


# --- transposed convolution ----------------------------------------------------------------
# conv2d_transpose is the input-gradient of conv2d run forwards: every input pixel scatters
# kernel-weighted copies of itself onto a (stride-spaced) grid,
#
#     full[n, i·sh + u·dh, j·sw + v·dw, f] += x[n, i, j, c] · kernel[u, v, f, c]
#
# over a "full" canvas of (H - 1)·sh + (kh - 1)·dh + 1 rows, which is then cropped (padding)
# or extended with zeros (output_padding) to Keras's output size. The kernel is Keras's
# (kh, kw, F_out, C_in): the kernel of the conv2d (F_out -> C_in) whose gradient this is.
#
# Forward is conv2d's col2im loop (one matmul per kernel offset, added onto a strided slice).
# Backward is conv2d's forward on the gradient: im2col of the (uncropped) gradient canvas
# gives `cols` (N·H·W, kh·kw·F), and then
#     dx      = cols @ kernel.reshape(kh·kw·F, C)       (conv2d of the gradient)
#     dkernel = colsᵀ x                                 (conv2d's kernel-gradient formula)


def norm_output_padding(value, n, op):
    """None, or an int / n ints >= 0 as a tuple."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            out = ()
        if len(out) != n:
            raise ValueError(f"{op}: output_padding must be None, an int or a tuple of {n} ints, got {value!r}.")
    if any(v < 0 for v in out):
        raise ValueError(f"{op}: output_padding must be >= 0, got {value!r}.")
    return out


def transpose_geometry(size, k, s, d, padding, output_padding=None):
    """(crop, out_len, full_len) along one axis, exactly as Keras (deconv_output_length).

    Keras (JAX backend) dilates the input by s, pads it (left, right) and correlates with the
    flipped kernel; left/right below are its rule. Output pixel o is canvas pixel o + crop,
    crop = k_eff - 1 - left. "valid": out = (size - 1)·s + max(k_eff, s) (+ output_padding
    instead of the max); "same": out = size·s, or (size - 1)·s + k_eff % 2 + output_padding.
    """
    k_eff = (k - 1) * d + 1
    if padding == "valid":
        extra = max(k_eff, s) - k_eff if output_padding is None else output_padding
        left, right = k_eff - 1, k_eff - 1 + extra
    else:
        total = s + k_eff - 2 if output_padding is None else k_eff + k_eff % 2 - 2 + output_padding
        left = min(total // 2 + total % 2, k_eff - 1)
        right = total - left
    full = (size - 1) * s + k_eff
    return k_eff - 1 - left, (size - 1) * s + left + right - k_eff + 2, full


class Conv2DTranspose(Function):
    """Transposed convolution of NHWC x with a (kh, kw, F, C) kernel, plus an optional bias (F,)."""

    def forward(self, x, kernel, *bias, strides, padding, output_padding, dilation, op):
        n, h, w, c = x.shape
        kh, kw, f, kc = kernel.shape
        if kc != c:
            raise ShapeError(
                f"{op}: input has {c} channels (shape {tuple(x.shape)}) but the kernel "
                f"{tuple(kernel.shape)} expects {kc} (layout (kh, kw, out, in))."
            )
        (sh, sw), (dh, dw) = strides, dilation
        op_h, op_w = output_padding or (None, None)
        (ct, oh, fh), (cl, ow, fw) = (transpose_geometry(h, kh, sh, dh, padding, op_h),
                                      transpose_geometry(w, kw, sw, dw, padding, op_w))
        if oh <= 0 or ow <= 0:
            raise ShapeError(f"{op}: the output would be {(oh, ow)} for input shape {tuple(x.shape)}.")
        dtype = np.result_type(x, kernel)
        canvas = np.zeros((n, max(fh, ct + oh), max(fw, cl + ow), f), dtype=dtype)
        x2 = x.reshape(-1, c)
        block = np.empty((x2.shape[0], f), dtype=dtype)
        for w_uv, (rows, cols) in zip(kernel.reshape(kh * kw, f, c), window_offsets(kh, kw, sh, sw, dh, dw, h, w)):
            np.matmul(x2, w_uv.T, out=block)  # (N·H·W, F): what every pixel sends to offset (u, v)
            canvas[:, rows, cols] += block.reshape(n, h, w, f)
        out = np.ascontiguousarray(canvas[:, ct:ct + oh, cl:cl + ow])
        if bias:
            out += bias[0]
        self.x2 = x2 if self.needs_input_grad[1] else None
        self.kernel = kernel if self.needs_input_grad[0] else None
        self.geometry = (x.shape, kernel.shape, strides, dilation, (ct, cl), (fh, fw))
        return out

    def backward(self, g):
        (n, h, w, c), (kh, kw, f, _), strides, dilation, (ct, cl), (fh, fw) = self.geometry
        needs = self.needs_input_grad
        # the gradient on the full canvas: cropped rows get nothing, padded-on rows are dropped
        oh, ow = min(g.shape[1], fh - ct), min(g.shape[2], fw - cl)
        if (ct, cl, oh, ow) == (0, 0, fh, fw):
            g_full = g
        else:
            g_full = np.zeros((n, fh, fw, f), dtype=g.dtype)
            g_full[:, ct:ct + oh, cl:cl + ow] = g[:, :oh, :ow]
        cols = _im2col(g_full, kh, kw, strides, dilation, h, w, False)  # (N·H·W, kh·kw·F)
        dx = dk = db = None
        if needs[0]:
            dx = (cols @ self.kernel.reshape(kh * kw * f, c)).reshape(n, h, w, c)
        if needs[1]:
            dk = (cols.T @ self.x2 if cols.shape[1] >= c else (self.x2.T @ cols).T).reshape(kh, kw, f, c)
        if len(needs) > 2 and needs[2]:
            db = np.ones(g.shape[0] * g.shape[1] * g.shape[2], dtype=g.dtype) @ g.reshape(-1, f)
        return (dx, dk, db)[: len(needs)]


@register()
def conv2d_transpose(x, kernel, strides=(1, 1), padding="valid", output_padding=None, dilation_rate=(1, 1),
                     bias=None):
    """2-D transposed convolution, NHWC, as keras.ops.conv_transpose (+ an optional bias).

        full[n, i·sh + u·dh, j·sw + v·dw, f] += x[n, i, j, c] · kernel[u, v, f, c]; out = crop(full) + bias[f]

    It is the gradient of conv2d with respect to its input (the kernel is that conv2d's,
    (kh, kw, F, C)), so it maps conv2d's output size back to its input size ("deconvolution").

    Args:
        x: (N, H, W, C).  kernel: (kh, kw, F, C) (Keras's transposed layout).  bias: None or (F,).
        strides, dilation_rate: int or (rows, cols).
        padding: "valid" -> OH = (H - 1)·sh + max(kh_eff, sh); "same" -> OH = H·sh.
        output_padding: None, or int / (rows, cols): OH = (H - 1)·sh + kh_eff - 2·pad + output_padding,
            pad = 0 ("valid") or kh_eff // 2 ("same"), the extra rows at the bottom/right (Keras).

    Example: conv2d_transpose(zeros((8, 7, 7, 16)), zeros((3, 3, 1, 16)), 2, "same").shape == (8, 14, 14, 1).
    """
    op = "conv2d_transpose"
    x, kernel = tensor(x), tensor(kernel)
    if x.ndim != 4:
        raise ShapeError(f"{op}: input must be (batch, height, width, channels), got shape {x.shape}.")
    if kernel.ndim != 4:
        raise ShapeError(f"{op}: kernel must have rank 4 (kh, kw, out, in), got shape {kernel.shape}.")
    padding = norm_padding(padding, op)
    strides, dilation = as_tuple(strides, 2, "strides", op), as_tuple(dilation_rate, 2, "dilation_rate", op)
    output_padding = norm_output_padding(output_padding, 2, op)
    inputs = (x, kernel) if bias is None else (x, kernel, tensor(bias))
    if bias is not None and inputs[2].shape != (kernel.shape[2],):
        raise ShapeError(f"{op}: bias must have shape ({kernel.shape[2]},), got {inputs[2].shape}.")
    return Conv2DTranspose.apply(*inputs, strides=strides, padding=padding, output_padding=output_padding,
                                 dilation=dilation, op=op)


# --- depthwise convolution -----------------------------------------------------------------
# Each input channel c is convolved with its own dm filters, nothing is summed across channels:
#
#     out[n, i, j, c·dm + m] = Σ_{u, v} x_pad[n, i·sh + u·dh, j·sw + v·dw, c] · kernel[u, v, c, m]
#
# (TensorFlow's channel-major order). One loop over the kh·kw kernel offsets, each step a
# broadcast multiply of one strided slice of the whole batch. Backward, per offset:
#     dkernel[u, v] = Σ_{n, i, j} slice ⊗ G         dx_pad[slice] += Σ_m G · kernel[u, v]


class DepthwiseConv2D(Function):
    """Depthwise convolution of NHWC x with a (kh, kw, C, dm) kernel, plus an optional bias (C·dm,)."""

    def forward(self, x, kernel, *bias, strides, padding, dilation, op):
        n, h, w, c = x.shape
        kh, kw, kc, dm = kernel.shape
        (sh, sw), (dh, dw) = strides, dilation
        xp, pads, oh, ow = _padded_input(x, x, kernel, kc, (kh, kw), kernel.shape[:2], strides, padding,
                                          dilation, op)
        offsets = window_offsets(kh, kw, sh, sw, dh, dw, oh, ow)
        k_offsets = kernel.reshape(kh * kw, c, dm)
        out = np.zeros((n, oh, ow, c, dm), dtype=np.result_type(x, kernel))
        for k_uv, (rows, cols) in zip(k_offsets, offsets):
            out += xp[:, rows, cols, :, None] * k_uv
        out = out.reshape(n, oh, ow, c * dm)
        if bias:
            out += bias[0]
        self.xp, self.k_offsets, self.offsets = xp, k_offsets, offsets
        self.shapes = (x.shape, kernel.shape, pads)
        return out

    def backward(self, g):
        (n, h, w, c), k_shape, ((pt, _), (pl, _)) = self.shapes
        needs = self.needs_input_grad
        dm = k_shape[-1]
        g5 = g.reshape(g.shape[:3] + (c, dm))
        dx = dk = db = None
        if needs[0]:
            dxp = np.zeros(self.xp.shape, dtype=np.result_type(g, self.k_offsets))
            for k_uv, (rows, cols) in zip(self.k_offsets, self.offsets):
                dxp[:, rows, cols] += (g5[..., 0] * k_uv[:, 0] if dm == 1
                                       else np.einsum("nijcm,cm->nijc", g5, k_uv))
            dx = dxp[:, pt:pt + h, pl:pl + w]
        if needs[1]:
            dk = np.stack([np.einsum("nijc,nijcm->cm", self.xp[:, rows, cols], g5) for rows, cols in self.offsets])
            dk = dk.reshape(k_shape)
        if len(needs) > 2 and needs[2]:
            db = np.ones(g5.shape[0] * g5.shape[1] * g5.shape[2], dtype=g.dtype) @ g.reshape(-1, c * dm)
        return (dx, dk, db)[: len(needs)]


@register()
def depthwise_conv2d(x, kernel, strides=(1, 1), padding="valid", dilation_rate=(1, 1), bias=None):
    """Depthwise 2-D convolution, NHWC, as tf.nn.depthwise_conv2d / keras.ops.depthwise_conv.

        out[n, i, j, c·dm + m] = Σ_{u, v} x_pad[n, i·sh + u·dh, j·sw + v·dw, c] · kernel[u, v, c, m] + bias[c·dm + m]

    Args:
        x: (N, H, W, C).  kernel: (kh, kw, C, dm), dm the depth multiplier.  bias: None or (C·dm,).
        strides, dilation_rate, padding: as conv2d (TensorFlow's "same").

    Returns (N, OH, OW, C·dm), the dm outputs of input channel c side by side.
    """
    op = "depthwise_conv2d"
    x, kernel = tensor(x), tensor(kernel)
    if x.ndim != 4:
        raise ShapeError(f"{op}: input must be (batch, height, width, channels), got shape {x.shape}.")
    if kernel.ndim != 4:
        raise ShapeError(f"{op}: kernel must have rank 4 (kh, kw, in, depth_multiplier), got shape {kernel.shape}.")
    padding = norm_padding(padding, op)
    strides, dilation = as_tuple(strides, 2, "strides", op), as_tuple(dilation_rate, 2, "dilation_rate", op)
    inputs = (x, kernel) if bias is None else (x, kernel, tensor(bias))
    units = kernel.shape[2] * kernel.shape[3]
    if bias is not None and inputs[2].shape != (units,):
        raise ShapeError(f"{op}: bias must have shape ({units},), got {inputs[2].shape}.")
    return DepthwiseConv2D.apply(*inputs, strides=strides, padding=padding, dilation=dilation, op=op)
