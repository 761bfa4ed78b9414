"""conv2d / conv1d and the pooling ops: gradients against finite differences, forward values
against independent references (the classic loop, an explicit-window einsum, hand cases,
PyTorch when installed), TensorFlow's "same" sizes and the max-pool tie rule."""

import math
import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.autodiff import check_gradients
from gradwise.autodiff.ops.conv import conv1d, conv2d, same_pads
from gradwise.autodiff.ops.pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, min_pool2d
from gradwise.classic.convolution import convolve2d
from gradwise.errors import ShapeError

rng = np.random.default_rng(2024)


def r(*shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def distinct(*shape):
    """Values far apart (no ties within eps), shuffled: keeps max/min away from their kinks."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.37 - n * 0.1).reshape(shape)


def f64(a):
    return gw.Tensor(a, dtype="float64")


# --- an independent forward reference: every window written out, then one einsum -------
def reference_conv2d(x, k, strides=(1, 1), padding="valid", dilation=(1, 1)):
    n, h, w, c = x.shape
    kh, kw = k.shape[:2]
    (sh, sw), (dh, dw) = strides, dilation
    if padding == "same":
        th = max((math.ceil(h / sh) - 1) * sh + (kh - 1) * dh + 1 - h, 0)
        tw = max((math.ceil(w / sw) - 1) * sw + (kw - 1) * dw + 1 - w, 0)
        x = np.pad(x, ((0, 0), (th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)))
    oh = (x.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (x.shape[2] - (kw - 1) * dw - 1) // sw + 1
    windows = np.empty((n, oh, ow, kh, kw, c))
    for i in range(oh):
        for j in range(ow):
            for u in range(kh):
                for v in range(kw):
                    windows[:, i, j, u, v] = x[:, i * sh + u * dh, j * sw + v * dw]
    return np.einsum("nijuvc,uvcf->nijf", windows, k)


CONV_CASES = [  # x shape, kernel shape, strides, padding, dilation
    ((2, 5, 6, 3), (3, 3, 3, 4), (1, 1), "valid", (1, 1)),
    ((2, 5, 6, 3), (3, 3, 3, 4), (1, 1), "same", (1, 1)),
    ((2, 7, 6, 2), (3, 2, 2, 3), (2, 2), "valid", (1, 1)),
    ((2, 7, 6, 2), (3, 2, 2, 3), (2, 2), "same", (1, 1)),
    ((1, 6, 7, 2), (2, 2, 2, 3), (1, 1), "same", (1, 1)),  # even kernel: extra pad bottom/right
    ((1, 6, 7, 2), (4, 2, 2, 2), (2, 1), "same", (1, 1)),
    ((2, 7, 7, 2), (3, 3, 2, 2), (1, 1), "valid", (2, 2)),
    ((2, 6, 5, 2), (2, 3, 2, 2), (1, 1), "same", (2, 2)),
    ((1, 5, 8, 1), (1, 3, 1, 2), (1, 3), "valid", (1, 1)),
    # more than SMALL_C channels: the other im2col layout and a separate bias add
    ((2, 5, 6, 5), (3, 3, 5, 2), (1, 1), "same", (1, 1)),
    ((1, 7, 6, 4), (2, 3, 4, 3), (2, 2), "valid", (1, 1)),
    ((1, 7, 7, 4), (3, 2, 4, 2), (1, 1), "same", (2, 1)),
]
IDS = [f"{p}-s{s[0]}{s[1]}-d{d[0]}-k{k[0]}x{k[1]}-c{x[-1]}" for x, k, s, p, d in CONV_CASES]


@pytest.mark.parametrize("xs,ks,strides,padding,dilation", CONV_CASES, ids=IDS)
def test_conv2d_gradients_match_finite_differences(xs, ks, strides, padding, dilation):
    x, k, b = r(*xs), r(*ks), r(ks[-1])
    assert check_gradients(lambda x, k, b: conv2d(x, k, strides, padding, dilation, bias=b), [x, k, b])


@pytest.mark.parametrize("xs,ks,strides,padding,dilation", CONV_CASES, ids=IDS)
def test_conv2d_forward_equals_explicit_windows(xs, ks, strides, padding, dilation):
    x, k = r(*xs), r(*ks)
    out = conv2d(f64(x), f64(k), strides, padding, dilation).numpy()
    np.testing.assert_allclose(out, reference_conv2d(x, k, strides, padding, dilation), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 0), (1, 1), (2, 2), (3, 1)])
def test_conv2d_equals_the_classic_loop(stride, padding):
    image, kernel = r(9, 8), r(3, 2)
    expected = convolve2d(image, kernel, stride, padding)
    x = np.pad(image, padding)[None, :, :, None]
    out = conv2d(f64(x), f64(kernel[:, :, None, None]), strides=stride).numpy()[0, :, :, 0]
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("channels", [1, 6])
def test_gradient_of_one_input_alone(channels):
    """Only x (a constant kernel and bias), or only the bias: the other paths of backward."""
    x, k, b = r(2, 5, 5, channels), r(3, 3, channels, 2), r(2)
    assert check_gradients(lambda x: conv2d(x, f64(k), bias=f64(b)), [x])
    assert check_gradients(lambda b: conv2d(f64(x), f64(k), padding="same", bias=b), [b])


def test_float32_stays_float32_and_bias_is_added():
    for channels in (3, 4):  # both im2col layouts
        x, k = r(2, 4, 4, channels).astype(np.float32), r(2, 2, channels, 5).astype(np.float32)
        b = np.arange(5, dtype=np.float32)
        out = conv2d(x, k, bias=b)
        assert out.dtype == np.float32 and out.shape == (2, 3, 3, 5)
        np.testing.assert_allclose(out.numpy(), reference_conv2d(x, k) + b, rtol=1e-5, atol=1e-5)


# --- TensorFlow's "same" padding --------------------------------------------------------
def test_same_padding_rule_and_extra_pixel_at_bottom_right():
    assert same_pads(5, 3, 1) == (1, 1)
    assert same_pads(6, 2, 1) == (0, 1)  # even kernel: the odd pixel after
    assert same_pads(7, 3, 2) == (1, 1)  # out 4: (4-1)*2 + 3 - 7 = 2
    assert same_pads(6, 3, 2) == (0, 1)  # out 3: (3-1)*2 + 3 - 6 = 1, after
    assert same_pads(5, 1, 2) == (0, 0)
    assert same_pads(5, 3, 1, 2) == (2, 2)
    # hand case: 2x2 kernel of ones over a 3x3 image with "same": each output is the sum of
    # its pixel, the one right, below and below-right, i.e. zeros padded bottom/right only
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    out = conv2d(f64(x), f64(np.ones((2, 2, 1, 1))), padding="same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, [[12, 16, 9], [24, 28, 15], [15, 17, 9]])


@pytest.mark.parametrize("size,k,s", [(28, 3, 1), (28, 3, 2), (7, 2, 3), (5, 4, 2), (1, 3, 1)])
def test_same_output_size_is_ceil_in_over_stride(size, k, s):
    x = np.zeros((1, size, size + 1, 1))
    assert conv2d(x, np.zeros((k, k, 1, 2)), strides=s, padding="same").shape == (
        1, math.ceil(size / s), math.ceil((size + 1) / s), 2)
    assert max_pool2d(x, k, s, padding="same").shape == (1, math.ceil(size / s), math.ceil((size + 1) / s), 1)


def test_conv_errors_name_op_and_shapes():
    with pytest.raises(ShapeError, match=r"conv2d: input has 3 channels.*expects 2"):
        conv2d(np.zeros((1, 4, 4, 3)), np.zeros((2, 2, 2, 1)))
    with pytest.raises(ShapeError, match=r"conv2d: input must be \(batch, height, width, channels\).*\(4, 4\)"):
        conv2d(np.zeros((4, 4)), np.zeros((2, 2, 1, 1)))
    with pytest.raises(ShapeError, match="does not fit"):
        conv2d(np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="padding must be one of 'valid', 'same', got 'full'"):
        conv2d(np.zeros((1, 4, 4, 1)), np.zeros((2, 2, 1, 1)), padding="full")
    with pytest.raises(ValueError, match=r"strides must be positive, got \(1, 0\)"):
        conv2d(np.zeros((1, 4, 4, 1)), np.zeros((2, 2, 1, 1)), strides=(1, 0))


# --- conv1d -------------------------------------------------------------------------------
@pytest.mark.parametrize("padding,stride,dilation", [("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2)])
def test_conv1d_gradients_and_forward(padding, stride, dilation):
    x, k, b = r(2, 7, 3), r(3, 3, 2), r(2)
    assert check_gradients(lambda x, k, b: conv1d(x, k, stride, padding, dilation, bias=b), [x, k, b])
    if padding == "causal":  # zeros on the left only: same as valid on a left-padded input
        xp = np.pad(x, ((0, 0), (2 * dilation, 0), (0, 0)))
        expected = reference_conv2d(xp[:, None], k[None], (1, 1), "valid", (1, dilation))[:, 0]
    else:
        expected = reference_conv2d(x[:, None], k[None], (1, stride), padding, (1, dilation))[:, 0]
    np.testing.assert_allclose(conv1d(f64(x), f64(k), stride, padding, dilation).numpy(), expected, atol=1e-12)


# --- pooling ------------------------------------------------------------------------------
POOL_CASES = [  # pool, strides, padding: tiling, tiling with a dropped edge, overlapping, same
    ((2, 2), None, "valid"),
    ((2, 3), None, "valid"),
    ((3, 3), (2, 2), "valid"),
    ((3, 2), (1, 2), "same"),
    ((2, 2), None, "same"),
    ((3, 3), (2, 1), "same"),
]


@pytest.mark.parametrize("op", [max_pool2d, min_pool2d, avg_pool2d], ids=lambda f: f.__name__)
@pytest.mark.parametrize("pool,strides,padding", POOL_CASES)
def test_pool_gradients_match_finite_differences(op, pool, strides, padding):
    x = distinct(2, 5, 7, 3)
    assert check_gradients(lambda x: op(x, pool, strides, padding), [x])


def reference_pool(x, pool, strides, padding, mode):
    """Window by window with NumPy: max/min ignore padding, the mean counts real pixels."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides or pool
    if padding == "same":
        (pt, _), (pl, _) = same_pads(h, ph, sh), same_pads(w, pw, sw)
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
    else:
        pt = pl = 0
        oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    out = np.empty((n, oh, ow, c))
    reduce = {"max": np.max, "min": np.min, "avg": np.mean}[mode]
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - pt, j * sw - pl
            window = x[:, max(r0, 0):r0 + ph, max(c0, 0):c0 + pw]
            out[:, i, j] = reduce(window, axis=(1, 2))
    return out


@pytest.mark.parametrize("pool,strides,padding", POOL_CASES)
def test_pool_forward_equals_window_reference(pool, strides, padding):
    x = r(2, 5, 7, 3)
    for op, mode in ((max_pool2d, "max"), (min_pool2d, "min"), (avg_pool2d, "avg")):
        np.testing.assert_allclose(op(f64(x), pool, strides, padding).numpy(),
                                   reference_pool(x, pool, strides, padding, mode), rtol=1e-12)


def test_avg_pool_same_divides_by_real_pixels():
    out = avg_pool2d(np.ones((1, 3, 3, 1)), 2, padding="same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, np.ones((2, 2)))  # zero padding would give 0.5, 0.25
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    out = avg_pool2d(f64(x), 2, padding="same").numpy()[0, :, :, 0]
    np.testing.assert_allclose(out, [[(0 + 1 + 3 + 4) / 4, (2 + 5) / 2], [(6 + 7) / 2, 8]])


def test_max_pool_same_pads_with_minus_infinity():
    x = -np.ones((1, 3, 3, 1)) * np.arange(1, 10).reshape(1, 3, 3, 1)
    out = max_pool2d(f64(x), 2, padding="same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, [[-1, -3], [-7, -9]])  # never the 0 a zero padding would give


def _grad(op, x, *args):
    v = gw.Variable(x, dtype="float64")
    with gw.GradientTape() as tape:
        y = gw.reduce_sum(op(v, *args))
    return tape.gradient(y, v).numpy()


def test_max_pool_tie_gives_gradient_to_first_in_row_major_order():
    x = np.array([[1.0, 3.0, 3.0], [3.0, 0.0, 2.0], [1.0, 1.0, 1.0]])[None, :, :, None]
    # windows 2x2, stride 1: top-left {1,3,3,0} -> the 3 at (0,1); top-right {3,3,0,2} -> (0,1)
    # bottom-left {3,0,1,1} -> (1,0); bottom-right {0,2,1,1} -> (1,2)
    np.testing.assert_array_equal(_grad(max_pool2d, x, 2, 1)[0, :, :, 0], [[0, 2, 0], [1, 0, 1], [0, 0, 0]])
    ones = np.ones((1, 2, 2, 2))  # all equal: only the top-left element of each channel
    np.testing.assert_array_equal(_grad(max_pool2d, ones, 2)[0, :, :, 0], [[1, 0], [0, 0]])
    np.testing.assert_array_equal(_grad(min_pool2d, ones, 2)[0, :, :, 1], [[1, 0], [0, 0]])
    tie_row = np.array([[5.0, 1.0], [5.0, 5.0]])[None, :, :, None]  # first in the top row wins
    np.testing.assert_array_equal(_grad(max_pool2d, tie_row, 2)[0, :, :, 0], [[1, 0], [0, 0]])


def test_pool1d_gradients_and_shapes():
    x = distinct(2, 7, 3)
    assert check_gradients(lambda x: max_pool1d(x, 3, 2, "same"), [x])
    assert check_gradients(lambda x: avg_pool1d(x, 2), [x])
    assert max_pool1d(x, 2).shape == (2, 3, 3) and avg_pool1d(x, 3, 2, "same").shape == (2, 4, 3)
    np.testing.assert_allclose(max_pool1d(f64(x), 2).numpy(), reference_pool(x[:, None], (1, 2), None, "valid",
                                                                              "max")[:, 0])


def test_pool_errors():
    with pytest.raises(ShapeError, match=r"max_pool2d: input must be \(batch, height, width, channels\)"):
        max_pool2d(np.zeros((4, 4, 1)))
    with pytest.raises(ShapeError, match="larger than the input"):
        avg_pool2d(np.zeros((1, 2, 2, 1)), 3)
    with pytest.raises(ValueError, match="pool_size must be an int or a tuple of 2 ints, got 'big'"):
        max_pool2d(np.zeros((1, 4, 4, 1)), "big")


def test_global_pooling_composes_from_reductions():
    x = r(2, 3, 4, 5)
    np.testing.assert_allclose(gw.reduce_mean(f64(x), axis=(1, 2)).numpy(), x.mean(axis=(1, 2)))
    assert check_gradients(lambda x: gw.reduce_mean(x, axis=(1, 2)), [x])


# --- PyTorch as an oracle (skipped when torch is not installed) -------------------------
def _torch_nchw(a):
    torch = pytest.importorskip("torch")
    return torch.tensor(a.transpose(0, 3, 1, 2).copy(), dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("xs,ks,strides,padding,dilation", CONV_CASES[:4] + CONV_CASES[6:7] + CONV_CASES[-3:],
                         ids=IDS[:4] + IDS[6:7] + IDS[-3:])
def test_conv2d_forward_and_gradients_match_torch(xs, ks, strides, padding, dilation):
    torch = pytest.importorskip("torch")
    x, k, b = r(*xs), r(*ks), r(ks[-1])
    pads = [same_pads(n, kk, s, d) if padding == "same" else (0, 0)
            for n, kk, s, d in zip(xs[1:3], ks[:2], strides, dilation)]
    xt = _torch_nchw(x)
    kt = torch.tensor(k.transpose(3, 2, 0, 1).copy(), requires_grad=True)  # (out, in, kh, kw)
    bt = torch.tensor(b, requires_grad=True)
    xpad = torch.nn.functional.pad(xt, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    yt = torch.nn.functional.conv2d(xpad, kt, bt, stride=strides, dilation=dilation)
    g = rng.uniform(0.5, 1.5, size=tuple(yt.shape))
    yt.backward(torch.tensor(g))

    xv, kv, bv = gw.Variable(x, dtype="float64"), gw.Variable(k, dtype="float64"), gw.Variable(b, dtype="float64")
    with gw.GradientTape() as tape:
        y = conv2d(xv, kv, strides, padding, dilation, bias=bv)
        loss = gw.reduce_sum(y * gw.Tensor(g.transpose(0, 2, 3, 1), dtype="float64"))
    dx, dk, db = tape.gradient(loss, [xv, kv, bv])
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx.numpy(), xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dk.numpy(), kt.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db.numpy(), bt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("pool,strides", [((2, 2), None), ((3, 3), (2, 2)), ((2, 3), (1, 2))])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pools_match_torch_with_ties(pool, strides, kind):
    torch = pytest.importorskip("torch")
    x = rng.integers(0, 3, size=(2, 6, 7, 3)).astype(np.float64)  # many ties
    xt = _torch_nchw(x)
    fn = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d
    yt = fn(xt, pool, strides or pool)
    g = rng.uniform(0.5, 1.5, size=tuple(yt.shape))
    yt.backward(torch.tensor(g))
    op = max_pool2d if kind == "max" else avg_pool2d
    xv = gw.Variable(x, dtype="float64")
    with gw.GradientTape() as tape:
        y = op(xv, pool, strides)
        loss = gw.reduce_sum(y * gw.Tensor(g.transpose(0, 2, 3, 1), dtype="float64"))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12)
    np.testing.assert_allclose(tape.gradient(loss, xv).numpy(), xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-12)


# --- conv2d_transpose ---------------------------------------------------------------------
from gradwise.autodiff.ops.conv import conv2d_transpose, depthwise_conv2d  # noqa: E402


def deconv_output_length(size, k, s, d, padding, output_padding=None):
    """Keras's formula (keras/src/utils/conv_utils.py), written out independently of the op."""
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return size * s + max(k - s, 0) if padding == "valid" else size * s
    pad = 0 if padding == "valid" else k // 2
    return (size - 1) * s + k - 2 * pad + output_padding


def reference_conv2d_transpose_valid(x, k, strides, output_padding=None, dilation=(1, 1)):
    """'valid' transposed conv as the textbook scatter-add loop: nothing is cropped, the
    canvas is extended with zeros at the bottom/right to Keras's output size."""
    n, h, w, c = x.shape
    kh, kw, f, _ = k.shape
    (sh, sw), (dh, dw) = strides, dilation
    op = output_padding or (None, None)
    oh = deconv_output_length(h, kh, sh, dh, "valid", op[0])
    ow = deconv_output_length(w, kw, sw, dw, "valid", op[1])
    out = np.zeros((n, max(oh, (h - 1) * sh + (kh - 1) * dh + 1), max(ow, (w - 1) * sw + (kw - 1) * dw + 1), f))
    for i in range(h):
        for j in range(w):
            for u in range(kh):
                for v in range(kw):
                    out[:, i * sh + u * dh, j * sw + v * dw] += x[:, i, j] @ k[u, v].T
    return out[:, :oh, :ow]


TRANSPOSE_CASES = [  # x shape, kernel (kh, kw, out, in), strides, padding, output_padding, dilation
    ((2, 3, 4, 3), (3, 3, 2, 3), (1, 1), "valid", None, (1, 1)),
    ((2, 3, 4, 2), (3, 2, 3, 2), (2, 2), "valid", None, (1, 1)),
    ((1, 3, 3, 2), (2, 2, 2, 2), (3, 3), "valid", None, (1, 1)),  # stride > kernel: gaps of zeros
    ((2, 3, 4, 2), (3, 3, 2, 2), (2, 2), "valid", (1, 1), (1, 1)),
    ((1, 3, 3, 2), (2, 3, 2, 2), (3, 2), "valid", (2, 1), (1, 1)),  # output_padding past the canvas
    ((2, 3, 4, 2), (3, 3, 2, 2), (2, 2), "same", None, (1, 1)),
    ((2, 3, 3, 2), (4, 4, 2, 2), (2, 2), "same", None, (1, 1)),  # even kernel: crop 1 top/left
    ((1, 3, 4, 2), (3, 2, 3, 2), (1, 1), "same", None, (1, 1)),
    ((1, 3, 3, 2), (4, 3, 2, 2), (3, 2), "same", (1, 0), (1, 1)),
    ((1, 3, 4, 2), (3, 2, 2, 2), (1, 1), "same", None, (2, 2)),
    ((1, 3, 4, 5), (2, 3, 4, 5), (1, 1), "valid", None, (2, 1)),
]
T_IDS = [f"{p}-s{s[0]}{s[1]}-op{o}-d{d[0]}{d[1]}-k{k[0]}x{k[1]}" for x, k, s, p, o, d in TRANSPOSE_CASES]


@pytest.mark.parametrize("xs,ks,strides,padding,outpad,dilation", TRANSPOSE_CASES, ids=T_IDS)
def test_conv2d_transpose_gradients_match_finite_differences(xs, ks, strides, padding, outpad, dilation):
    fn = lambda x, k, b: conv2d_transpose(x, k, strides, padding, outpad, dilation, bias=b)  # noqa: E731
    assert check_gradients(fn, [r(*xs), r(*ks), r(ks[2])])


@pytest.mark.parametrize("xs,ks,strides,padding,outpad,dilation", TRANSPOSE_CASES, ids=T_IDS)
def test_conv2d_transpose_output_size_is_keras_deconv_output_length(xs, ks, strides, padding, outpad, dilation):
    out = conv2d_transpose(np.zeros(xs), np.zeros(ks), strides, padding, outpad, dilation)
    op = outpad or (None, None)
    expected = tuple(deconv_output_length(n, k, s, d, padding, p)
                     for n, k, s, d, p in zip(xs[1:3], ks[:2], strides, dilation, op))
    assert out.shape == (xs[0],) + expected + (ks[2],)


@pytest.mark.parametrize("xs,ks,strides,padding,outpad,dilation",
                         [c for c in TRANSPOSE_CASES if c[3] == "valid"],
                         ids=[i for i, c in zip(T_IDS, TRANSPOSE_CASES) if c[3] == "valid"])
def test_conv2d_transpose_valid_equals_scatter_add_loop(xs, ks, strides, padding, outpad, dilation):
    x, k = r(*xs), r(*ks)
    got = conv2d_transpose(f64(x), f64(k), strides, "valid", outpad, dilation).numpy()
    np.testing.assert_allclose(got, reference_conv2d_transpose_valid(x, k, strides, outpad, dilation), atol=1e-12)


@pytest.mark.parametrize("xs,ks,strides,padding,outpad,dilation",
                         [c for c in TRANSPOSE_CASES if c[4] is None],
                         ids=[i for i, c in zip(T_IDS, TRANSPOSE_CASES) if c[4] is None])
def test_conv2d_transpose_is_the_adjoint_of_conv2d(xs, ks, strides, padding, outpad, dilation):
    """<conv2d(y, K), x> == <y, conv2d_transpose(x, K)>: the defining property, and it pins
    down where "same" crops (TensorFlow's conv2d puts the odd padding pixel after)."""
    x, k = r(*xs), r(*ks)
    t = conv2d_transpose(f64(x), f64(k), strides, padding, None, dilation).numpy()
    y = r(*t.shape)
    c = conv2d(f64(y), f64(k), strides=strides, padding=padding, dilation_rate=dilation).numpy()
    assert c.shape == x.shape
    np.testing.assert_allclose(np.sum(c * x), np.sum(y * t), rtol=1e-12)


def test_conv2d_transpose_hand_case_and_float32():
    # one pixel of value 2 and a 2x2 kernel [[1, 2], [3, 4]]: stride 2 places copies of the kernel
    x = np.zeros((1, 2, 2, 1), np.float32)
    x[0, 0, 0, 0], x[0, 1, 1, 0] = 2.0, 1.0
    k = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32).reshape(2, 2, 1, 1)
    out = conv2d_transpose(x, k, 2, bias=np.array([0.5], np.float32))
    assert out.dtype == np.float32 and out.shape == (1, 4, 4, 1)
    np.testing.assert_array_equal(out.numpy()[0, :, :, 0], [[2.5, 4.5, 0.5, 0.5], [6.5, 8.5, 0.5, 0.5],
                                                            [0.5, 0.5, 1.5, 2.5], [0.5, 0.5, 3.5, 4.5]])


def test_conv2d_transpose_errors():
    with pytest.raises(ShapeError, match=r"conv2d_transpose: input has 3 channels.*expects 2.*\(kh, kw, out, in\)"):
        conv2d_transpose(np.zeros((1, 4, 4, 3)), np.zeros((2, 2, 5, 2)))
    with pytest.raises(ShapeError, match=r"bias must have shape \(5,\)"):
        conv2d_transpose(np.zeros((1, 4, 4, 2)), np.zeros((2, 2, 5, 2)), bias=np.zeros(2))
    with pytest.raises(ValueError, match=r"output_padding must be >= 0, got -1"):
        conv2d_transpose(np.zeros((1, 4, 4, 2)), np.zeros((2, 2, 5, 2)), output_padding=-1)


# --- depthwise_conv2d ---------------------------------------------------------------------
def reference_depthwise(x, k, strides, padding, dilation):
    """Each input channel alone through the window reference; outputs channel-major (c·dm + m)."""
    parts = [reference_conv2d(x[..., c:c + 1], k[:, :, c:c + 1], strides, padding, dilation)
             for c in range(x.shape[-1])]
    return np.concatenate(parts, axis=-1)


DEPTHWISE_CASES = [  # x shape, kernel (kh, kw, in, dm), strides, padding, dilation
    ((2, 5, 6, 3), (3, 3, 3, 1), (1, 1), "valid", (1, 1)),
    ((2, 5, 6, 3), (3, 2, 3, 2), (2, 2), "same", (1, 1)),
    ((1, 6, 5, 2), (2, 2, 2, 3), (1, 1), "same", (1, 1)),
    ((1, 7, 6, 2), (3, 2, 2, 2), (1, 1), "valid", (2, 2)),
    ((2, 6, 7, 4), (3, 3, 4, 1), (2, 1), "same", (1, 1)),
]
D_IDS = [f"{p}-s{s[0]}{s[1]}-d{d[0]}-k{k[0]}x{k[1]}-dm{k[3]}" for x, k, s, p, d in DEPTHWISE_CASES]


@pytest.mark.parametrize("xs,ks,strides,padding,dilation", DEPTHWISE_CASES, ids=D_IDS)
def test_depthwise_conv2d_gradients_match_finite_differences(xs, ks, strides, padding, dilation):
    fn = lambda x, k, b: depthwise_conv2d(x, k, strides, padding, dilation, bias=b)  # noqa: E731
    assert check_gradients(fn, [r(*xs), r(*ks), r(ks[2] * ks[3])])


@pytest.mark.parametrize("xs,ks,strides,padding,dilation", DEPTHWISE_CASES, ids=D_IDS)
def test_depthwise_conv2d_equals_per_channel_reference(xs, ks, strides, padding, dilation):
    x, k = r(*xs), r(*ks)
    got = depthwise_conv2d(f64(x), f64(k), strides, padding, dilation).numpy()
    np.testing.assert_allclose(got, reference_depthwise(x, k, strides, padding, dilation), atol=1e-12)


def test_depthwise_conv2d_errors():
    with pytest.raises(ShapeError, match=r"depthwise_conv2d: input has 3 channels.*expects 2"):
        depthwise_conv2d(np.zeros((1, 4, 4, 3)), np.zeros((2, 2, 2, 1)))
    with pytest.raises(ShapeError, match="does not fit"):
        depthwise_conv2d(np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 1)))
    with pytest.raises(ShapeError, match=r"bias must have shape \(6,\)"):
        depthwise_conv2d(np.zeros((1, 4, 4, 3)), np.zeros((2, 2, 3, 2)), bias=np.zeros(3))


# --- Keras 3 as the oracle (opt-in: GRADWISE_KERAS_ORACLE=1) ---------------------------------
KERAS = pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")


@KERAS
@pytest.mark.parametrize("xs,ks,strides,padding,outpad,dilation", TRANSPOSE_CASES, ids=T_IDS)
def test_conv2d_transpose_matches_keras_ops(xs, ks, strides, padding, outpad, dilation):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    x, k = r(*xs).astype(np.float32), r(*ks).astype(np.float32)
    want = np.asarray(keras.ops.conv_transpose(x, k, strides, padding, output_padding=outpad,
                                               dilation_rate=dilation))
    got = conv2d_transpose(x, k, strides, padding, outpad, dilation).numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@KERAS
@pytest.mark.parametrize("xs,ks,strides,padding,dilation", DEPTHWISE_CASES, ids=D_IDS)
def test_depthwise_conv2d_matches_keras_ops(xs, ks, strides, padding, dilation):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    x, k = r(*xs).astype(np.float32), r(*ks).astype(np.float32)
    want = np.asarray(keras.ops.depthwise_conv(x, k, strides, padding, dilation_rate=dilation))
    np.testing.assert_allclose(depthwise_conv2d(x, k, strides, padding, dilation).numpy(), want, rtol=1e-4, atol=1e-5)
