"""gw.ops: keras.ops's names, signatures and values, with gradients that flow.

One table, CASES, drives three tests. Each case calls a function through a module `o`
(gw.ops, or keras.ops in the oracle test) on small float64 inputs:

    (a) test_value: the result against a NumPy reference written here (values, shape, dtype);
    (b) test_gradient: the gradient through gw.GradientTape against central differences
        (gw.autodiff.check_gradients, float64), for every case with a derivative;
    (d) test_matches_keras: the same call through keras.ops (opt-in: GRADWISE_KERAS_ORACLE=1,
        JAX backend, float32 inputs on both sides), values and dtypes.

(c) test_every_export_is_a_keras_ops_name checks gw.ops's public names against KERAS_OPS_NAMES,
the public functions of keras.ops in Keras 3.15 (copied from the library, so Keras need not
be installed), and test_signatures_are_keras_signatures their argument lists.
"""

import inspect
import math
import os

import numpy as np
import pytest

import gradwise as gw
from gradwise import ops as gw_ops
from gradwise.autodiff import check_gradients

# keras.ops's public functions, Keras 3.15 (its submodules image, linalg, nn, numpy left out).
KERAS_OPS_NAMES = frozenset("""
    abs absolute adaptive_average_pool adaptive_max_pool add all allclose amax amin angle any append
    arange arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax argmin argpartition argsort
    array array_split associative_scan average average_pool bartlett batch_normalization
    binary_crossentropy bincount bitwise_and bitwise_invert bitwise_left_shift bitwise_not
    bitwise_or bitwise_right_shift bitwise_xor blackman broadcast_to cast categorical_crossentropy
    cbrt cdist ceil celu cholesky cholesky_inverse clip concatenate cond conj conjugate conv
    conv_transpose convert_to_numpy convert_to_tensor copy corrcoef correlate cos cosh count_nonzero
    cross ctc_decode ctc_loss cumprod cumsum custom_gradient deg2rad depth_to_space depthwise_conv
    det diag diagflat diagonal diff digitize divide divide_no_nan dot dot_product_attention dsplit
    dstack dtype eig eigh einsum elu empty empty_like equal erf erfc erfinv exp exp2 expand_dims
    expm1 extract_sequences eye fabs fft fft2 flip fliplr flipud floor floor_divide fmax fmin fmod
    fold fori_loop full full_like gcd gelu geomspace get_item glu greater greater_equal hamming
    hanning hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh heaviside histogram hsplit
    hstack hypot i0 identity ifft2 imag in_top_k inner inv irfft is_tensor isclose isfinite isin
    isinf isnan isneginf isposinf isreal istft jvp kaiser kron layer_normalization lcm ldexp
    leaky_relu left_shift less less_equal linspace log log10 log1p log2 log_sigmoid log_softmax
    logaddexp logaddexp2 logdet logical_and logical_not logical_or logical_xor logspace logsumexp
    lstsq lu_factor map matmul matrix_rank max max_pool maximum mean median meshgrid min minimum mod
    moments moveaxis multi_hot multiply nan_to_num nanargmax nanargmin nancumprod nancumsum nanmax
    nanmean nanmedian nanmin nanpercentile nanprod nanquantile nanstd nansum nanvar ndim negative
    nextafter nonzero norm normalize not_equal one_hot ones ones_like outer pad percentile pinv
    polar power prod psnr ptp qr quantile rad2deg ravel real rearrange reciprocal relu relu6 repeat
    reshape rfft right_shift rms_normalization roll rot90 round rsqrt saturate_cast scan scatter
    scatter_update searchsorted segment_max segment_min segment_prod segment_sum select selu
    separable_conv shape sigmoid sign signbit silu sin sinc sinh size slice slice_update slogdet
    soft_shrink softmax softplus softsign solve solve_triangular sort space_to_depth
    sparse_categorical_crossentropy sparse_plus sparse_sigmoid sparsemax split sqrt square
    squareplus squeeze stack std stft stop_gradient subtract sum svd swapaxes swish switch take
    take_along_axis tan tanh tanh_shrink tensordot threshold tile top_k trace transpose trapezoid
    tri tril triu true_divide trunc unfold unique unravel_index unstack vander var vdot vectorize
    vectorized_map view view_as_complex view_as_real vsplit vstack where while_loop zeros zeros_like""".split())

# inspect.signature of keras.ops.NAME (Keras 3.15) for every name gw.ops exports.
KERAS_SIGNATURES = {
    "abs": "(x)",
    "absolute": "(x)",
    "add": "(x1, x2)",
    "all": "(x, axis=None, keepdims=False)",
    "amax": "(x, axis=None, keepdims=False)",
    "amin": "(x, axis=None, keepdims=False)",
    "any": "(x, axis=None, keepdims=False)",
    "arange": "(start, stop=None, step=None, dtype=None)",
    "arctan": "(x)",
    "argmax": "(x, axis=None, keepdims=False)",
    "argmin": "(x, axis=None, keepdims=False)",
    "argsort": "(x, axis=-1)",
    "average": "(x, axis=None, weights=None)",
    "average_pool": "(inputs, pool_size, strides=None, padding='valid', data_format=None)",
    "batch_normalization": "(x, mean, variance, axis, offset=None, scale=None, epsilon=0.001)",
    "binary_crossentropy": "(target, output, from_logits=False)",
    "broadcast_to": "(x, shape)",
    "cast": "(x, dtype)",
    "categorical_crossentropy": "(target, output, from_logits=False, axis=-1)",
    "ceil": "(x)",
    "celu": "(x, alpha=1.0)",
    "clip": "(x, x_min, x_max)",
    "concatenate": "(xs, axis=0)",
    "cond": "(pred, true_fn, false_fn)",
    "conv": "(inputs, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1)",
    "convert_to_numpy": "(x)",
    "convert_to_tensor": "(x, dtype=None, sparse=None, ragged=None)",
    "count_nonzero": "(x, axis=None)",
    "cumprod": "(x, axis=None, dtype=None)",
    "cumsum": "(x, axis=None, dtype=None)",
    "divide": "(x1, x2)",
    "divide_no_nan": "(x1, x2)",
    "dot": "(x1, x2)",
    "dtype": "(x)",
    "elu": "(x, alpha=1.0)",
    "equal": "(x1, x2)",
    "exp": "(x)",
    "expand_dims": "(x, axis)",
    "expm1": "(x)",
    "eye": "(N, M=None, k=0, dtype=None)",
    "flip": "(x, axis=None)",
    "floor": "(x)",
    "fori_loop": "(lower, upper, body_fun, init_val)",
    "full": "(shape, fill_value, dtype=None)",
    "full_like": "(x, fill_value, dtype=None)",
    "gelu": "(x, approximate=True)",
    "get_item": "(x, key)",
    "glu": "(x, axis=-1)",
    "greater": "(x1, x2)",
    "greater_equal": "(x1, x2)",
    "hard_sigmoid": "(x)",
    "hard_silu": "(x)",
    "hard_swish": "(x)",
    "hard_tanh": "(x)",
    "hstack": "(xs)",
    "identity": "(n, dtype=None)",
    "is_tensor": "(x)",
    "isfinite": "(x)",
    "isinf": "(x)",
    "isnan": "(x)",
    "leaky_relu": "(x, negative_slope=0.2)",
    "less": "(x1, x2)",
    "less_equal": "(x1, x2)",
    "linspace": "(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0)",
    "log": "(x)",
    "log10": "(x)",
    "log1p": "(x)",
    "log2": "(x)",
    "log_sigmoid": "(x)",
    "log_softmax": "(x, axis=-1)",
    "logaddexp": "(x1, x2)",
    "logical_and": "(x1, x2)",
    "logical_not": "(x)",
    "logical_or": "(x1, x2)",
    "logical_xor": "(x1, x2)",
    "logsumexp": "(x, axis=None, keepdims=False)",
    "matmul": "(x1, x2)",
    "max": "(x, axis=None, keepdims=False, initial=None)",
    "max_pool": "(inputs, pool_size, strides=None, padding='valid', data_format=None)",
    "maximum": "(x1, x2)",
    "mean": "(x, axis=None, keepdims=False)",
    "min": "(x, axis=None, keepdims=False, initial=None)",
    "minimum": "(x1, x2)",
    "moments": "(x, axes, keepdims=False, synchronized=False)",
    "moveaxis": "(x, source, destination)",
    "multiply": "(x1, x2)",
    "ndim": "(x)",
    "negative": "(x)",
    "norm": "(x, ord=None, axis=None, keepdims=False)",
    "not_equal": "(x1, x2)",
    "one_hot": "(x, num_classes, axis=-1, dtype=None, sparse=False)",
    "ones": "(shape, dtype=None)",
    "ones_like": "(x, dtype=None)",
    "outer": "(x1, x2)",
    "pad": "(x, pad_width, mode='constant', constant_values=None)",
    "power": "(x1, x2)",
    "prod": "(x, axis=None, keepdims=False, dtype=None)",
    "ravel": "(x)",
    "reciprocal": "(x)",
    "relu": "(x)",
    "relu6": "(x)",
    "repeat": "(x, repeats, axis=None)",
    "reshape": "(x, newshape)",
    "roll": "(x, shift, axis=None)",
    "round": "(x, decimals=0)",
    "rsqrt": "(x)",
    "selu": "(x)",
    "shape": "(x)",
    "sigmoid": "(x)",
    "sign": "(x)",
    "silu": "(x)",
    "size": "(x)",
    "softmax": "(x, axis=-1)",
    "softplus": "(x)",
    "softsign": "(x)",
    "sort": "(x, axis=-1)",
    "sparse_categorical_crossentropy": "(target, output, from_logits=False, axis=-1)",
    "split": "(x, indices_or_sections, axis=0)",
    "sqrt": "(x)",
    "square": "(x)",
    "squeeze": "(x, axis=None)",
    "stack": "(x, axis=0)",
    "std": "(x, axis=None, keepdims=False)",
    "stop_gradient": "(variable)",
    "subtract": "(x1, x2)",
    "sum": "(x, axis=None, keepdims=False)",
    "swapaxes": "(x, axis1, axis2)",
    "swish": "(x)",
    "switch": "(index, branches, *operands)",
    "take": "(x, indices, axis=None)",
    "take_along_axis": "(x, indices, axis=None)",
    "tanh": "(x)",
    "tensordot": "(x1, x2, axes=2)",
    "tile": "(x, repeats)",
    "transpose": "(x, axes=None)",
    "tri": "(N, M=None, k=0, dtype=None)",
    "tril": "(x, k=0)",
    "triu": "(x, k=0)",
    "true_divide": "(x1, x2)",
    "unstack": "(x, num=None, axis=0)",
    "var": "(x, axis=None, keepdims=False)",
    "vstack": "(xs)",
    "where": "(condition, x1=None, x2=None)",
    "while_loop": "(cond, body, loop_vars, maximum_iterations=None)",
    "zeros": "(shape, dtype=None)",
    "zeros_like": "(x, dtype=None)",
}

rng = np.random.default_rng(20240611)


def r(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def pos(*shape, lo=0.5, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def away(*shape):
    """|x| in [0.3, 2]: keeps finite differences off kinks at 0."""
    return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def distinct(*shape):
    """Values at least 0.37 apart: no ties for max, min, sort."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.37 - n * 0.15).reshape(shape)


def probs(*shape):
    p = pos(*shape, lo=0.1, hi=1.0)
    return p / p.sum(axis=-1, keepdims=True)


class Case:
    """fn(o, *inputs) with o = gw.ops (or keras.ops); ref(*inputs) the NumPy answer.

    dtype: the result's dtype when it is not the float64 or bool that ref gives.
    grad: True (check fn), False (no derivative), or a function of (o, *inputs) giving one Tensor.
    tol / gtol: keyword arguments for np.testing.assert_allclose / check_gradients.
    keras_fn: the call the oracle makes through keras.ops, when it must differ from fn.
    keras_dtype: False where Keras on JAX cannot give the dtype (float64 without x64).
    """

    def __init__(self, name, fn, inputs, ref, dtype=None, grad=True, tol=None, gtol=None, keras_fn=None,
                 keras_dtype=True):
        self.name, self.fn, self.inputs, self.ref = name, fn, inputs, ref
        self.keras_fn = keras_fn or fn
        self.dtype, self.grad, self.keras_dtype = dtype, grad, keras_dtype
        self.tol = tol or dict(rtol=1e-10, atol=1e-12)
        self.gtol = gtol or {}


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
EPS = 1e-7
erf = np.vectorize(math.erf)
I32 = "int32"


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def log_probs(p, axis=-1):
    return np.log(np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS))


def tf_pads(n, k, s, d, padding):
    if padding == "valid":
        return 0, 0
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def np_conv(x, k, s=1, padding="valid", d=1):
    """Channels-last cross-correlation written out window by window (1-D as height 1)."""
    one_d = x.ndim == 3
    if one_d:
        x, k = x[:, None], k[None]
    (kh, kw), (h, w) = k.shape[:2], x.shape[1:3]
    pads = ((0, 0), tf_pads(h, kh, s, d, padding), tf_pads(w, kw, s, d, padding), (0, 0))
    xp = np.pad(x, pads)
    oh, ow = (xp.shape[1] - (kh - 1) * d - 1) // s + 1, (xp.shape[2] - (kw - 1) * d - 1) // s + 1
    out = np.zeros((x.shape[0], oh, ow, k.shape[-1]))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * s:i * s + (kh - 1) * d + 1:d, j * s:j * s + (kw - 1) * d + 1:d]
            out[:, i, j] = np.einsum("nuvc,uvcf->nf", patch, k)
    return out[:, 0] if one_d else out


def np_pool(x, p, s=None, padding="valid", kind="max"):
    """Max or average pooling written out; "same" pads as TensorFlow and averages real pixels only."""
    one_d = x.ndim == 3
    if one_d:
        x = x[:, None]
    p = (p, p) if isinstance(p, int) else tuple(p)
    s = p if s is None else (s, s) if isinstance(s, int) else tuple(s)
    if one_d:
        p, s = (1, p[1]), (1, s[1])
    (ph, pw), (sh, sw), (h, w) = p, s, x.shape[1:3]
    pads = ((0, 0), tf_pads(h, ph, sh, 1, padding), tf_pads(w, pw, sw, 1, padding), (0, 0))
    xp = np.pad(x, pads, constant_values=np.nan)
    oh, ow = (xp.shape[1] - ph) // sh + 1, (xp.shape[2] - pw) // sw + 1
    reduce = np.nanmax if kind == "max" else np.nanmean
    out = np.stack([np.stack([reduce(xp[:, i * sh:i * sh + ph, j * sw:j * sw + pw], axis=(1, 2))
                              for j in range(ow)], 1) for i in range(oh)], 1)
    return out[:, 0] if one_d else out


def chw(f):
    """A channels-last reference made channels-first (inputs and result)."""
    return lambda x, *rest: np.moveaxis(f(np.moveaxis(x, 1, -1), *rest), -1, 1)


def while_ref(x):
    while x.sum() < 20.0:
        x = x * 1.5
    return x


X34, X234 = r(3, 4), r(2, 3, 4)
LABELS = np.array([2, 0, 1, 1], dtype=np.int32)
MASK = np.array([[True, False, True, False], [False, True, True, False], [True, True, False, True]])
SPECIAL = np.array([1.0, np.nan, np.inf, -np.inf, 0.0])

CASES = [
    # --- element-wise maths ---------------------------------------------------------------
    Case("add", lambda o, a, b: o.add(a, b), [r(3, 4), r(4)], np.add),
    Case("add", lambda o, a: o.add(a, 2.5), [r(3)], lambda a: a + 2.5),
    Case("subtract", lambda o, a, b: o.subtract(a, b), [r(2, 1, 3), r(4, 1)], np.subtract),
    Case("multiply", lambda o, a, b: o.multiply(a, b), [r(3, 4), r(3, 1)], np.multiply),
    Case("divide", lambda o, a, b: o.divide(a, b), [r(3, 4), pos(4)], np.divide),
    Case("divide", lambda o: o.divide(np.arange(1, 4, dtype=np.int32), 2), [], lambda: np.arange(1, 4) / 2,
         dtype="float32", grad=False),
    Case("divide", lambda o: o.divide(np.arange(3, dtype=np.int32), 2.0), [], lambda: np.arange(3) / 2,
         dtype="float32", grad=False),
    Case("multiply", lambda o: o.multiply(np.arange(3, dtype=np.int32), 0.5), [], lambda: np.arange(3) * 0.5,
         dtype="float32", grad=False),
    Case("add", lambda o: o.add(np.arange(3, dtype=np.int32), 2), [], lambda: np.arange(3) + 2, dtype=I32, grad=False),
    Case("true_divide", lambda o, a, b: o.true_divide(a, b), [r(2, 3), pos(2, 3)], np.true_divide),
    Case("divide_no_nan", lambda o, a, b: o.divide_no_nan(a, o.multiply(b, np.array([1.0, 0.0, 1.0]))),
         [r(2, 3), pos(3)], lambda a, b: np.where(b * [1, 0, 1] == 0, 0, a / np.where(b * [1, 0, 1] == 0, 1, b))),
    Case("negative", lambda o, a: o.negative(a), [r(3)], np.negative),
    Case("power", lambda o, a, b: o.power(a, b), [pos(3, 2), r(2)], np.power),
    Case("power", lambda o, a: o.power(a, 3), [r(4)], lambda a: a**3),
    Case("square", lambda o, a: o.square(a), [r(2, 3)], np.square),
    Case("sqrt", lambda o, a: o.sqrt(a), [pos(2, 3)], np.sqrt),
    Case("sqrt", lambda o: o.sqrt(np.array([1, 4, 9], dtype=np.int32)), [], lambda: np.array([1.0, 2, 3]),
         dtype="float32", grad=False),
    Case("rsqrt", lambda o, a: o.rsqrt(a), [pos(5)], lambda a: 1 / np.sqrt(a), tol=dict(rtol=1e-7)),
    Case("reciprocal", lambda o, a: o.reciprocal(a), [away(5)], np.reciprocal),
    Case("exp", lambda o, a: o.exp(a), [r(2, 3)], np.exp),
    Case("expm1", lambda o, a: o.expm1(a), [np.array([-3.0, -0.7, -1e-9, 0.0, 1e-8, 0.3, 0.99, 1.5, 4.0])], np.expm1,
         tol=dict(rtol=1e-13, atol=0)),
    Case("log", lambda o, a: o.log(a), [pos(2, 3)], np.log),
    Case("log1p", lambda o, a: o.log1p(a), [pos(4, lo=-0.5, hi=2.0)], np.log1p),
    Case("log2", lambda o, a: o.log2(a), [pos(4)], np.log2),
    Case("log10", lambda o, a: o.log10(a), [pos(4)], np.log10),
    Case("logaddexp", lambda o, a, b: o.logaddexp(a, b), [r(3, 2, hi=30.0), r(2)], np.logaddexp),
    Case("abs", lambda o, a: o.abs(a), [away(2, 3)], np.abs),
    Case("absolute", lambda o, a: o.absolute(a), [away(4)], np.abs),
    Case("sign", lambda o, a: o.sign(a), [away(2, 3)], np.sign),
    Case("maximum", lambda o, a, b: o.maximum(a, b), [distinct(3, 4), distinct(4)], np.maximum),
    Case("minimum", lambda o, a, b: o.minimum(a, b), [distinct(3, 4), distinct(4)], np.minimum),
    Case("clip", lambda o, a: o.clip(a, -1.0, 0.5),
         [np.array([-1.7, -0.6, 0.2, 0.45, 1.6])], lambda a: np.clip(a, -1, 0.5)),
    Case("where", lambda o, a, b: o.where(MASK, a, b), [r(3, 4), r(4)], lambda a, b: np.where(MASK, a, b)),
    Case("where", lambda o: o.where(MASK), [], lambda: np.nonzero(MASK), dtype=I32, grad=False),
    Case("arctan", lambda o, a: o.arctan(a), [r(5)], np.arctan),
    Case("floor", lambda o, a: o.floor(a), [r(5) * 3], np.floor, grad=False),
    Case("ceil", lambda o, a: o.ceil(a), [r(5) * 3], np.ceil, grad=False),
    Case("round", lambda o, a: o.round(a), [np.array([0.5, 1.5, -2.5, 0.2, 2.7])], np.round, grad=False),
    Case("round", lambda o, a: o.round(a, 1), [np.array([0.123, 1.37, -2.251])], lambda a: np.round(a, 1), grad=False),
    # --- comparisons and logic ----------------------------------------------------------------
    Case("equal", lambda o, a: o.equal(a, np.array([1.0, 0.0, 3.0])), [np.array([1.0, 2.0, 3.0])],
         lambda a: a == [1, 0, 3], grad=False),
    Case("not_equal", lambda o, a: o.not_equal(a, 2.0), [np.array([1.0, 2.0, 3.0])], lambda a: a != 2, grad=False),
    Case("greater", lambda o, a, b: o.greater(a, b), [r(3, 4), r(4)], np.greater, grad=False),
    Case("greater_equal", lambda o, a: o.greater_equal(a, 2.0),
         [np.array([1.0, 2.0, 3.0])], lambda a: a >= 2, grad=False),
    Case("less", lambda o, a, b: o.less(a, b), [r(3, 4), r(4)], np.less, grad=False),
    Case("less_equal", lambda o, a: o.less_equal(a, 2.0), [np.array([1.0, 2.0, 3.0])], lambda a: a <= 2, grad=False),
    Case("logical_and", lambda o, a: o.logical_and(o.greater(a, 0), o.less(a, 1)), [r(6)],
         lambda a: (a > 0) & (a < 1), grad=False),
    Case("logical_or", lambda o, a: o.logical_or(o.greater(a, 1), o.less(a, -1)), [r(6)],
         lambda a: (a > 1) | (a < -1), grad=False),
    Case("logical_xor", lambda o, a: o.logical_xor(o.greater(a, 0), MASK),
         [r(3, 4)], lambda a: (a > 0) ^ MASK, grad=False),
    Case("logical_not", lambda o: o.logical_not(MASK), [], lambda: ~MASK, grad=False),
    Case("isnan", lambda o: o.isnan(SPECIAL), [], lambda: np.isnan(SPECIAL), grad=False),
    Case("isinf", lambda o: o.isinf(SPECIAL), [], lambda: np.isinf(SPECIAL), grad=False),
    Case("isfinite", lambda o: o.isfinite(SPECIAL), [], lambda: np.isfinite(SPECIAL), grad=False),
    # --- reductions --------------------------------------------------------------------------
    Case("sum", lambda o, a: o.sum(a), [r(3, 4)], np.sum),
    Case("sum", lambda o, a: o.sum(a, axis=1), [r(2, 3, 4)], lambda a: a.sum(axis=1)),
    Case("sum", lambda o, a: o.sum(a, axis=(0, 2), keepdims=True),
         [r(2, 3, 4)], lambda a: a.sum(axis=(0, 2), keepdims=True)),
    Case("sum", lambda o: o.sum(MASK), [], lambda: MASK.sum(), dtype=I32, grad=False),
    Case("mean", lambda o, a: o.mean(a, axis=-1), [r(3, 4)], lambda a: a.mean(axis=-1)),
    Case("mean", lambda o, a: o.mean(a, axis=(0, 2), keepdims=True),
         [r(2, 3, 4)], lambda a: a.mean(axis=(0, 2), keepdims=True)),
    Case("mean", lambda o: o.mean(np.array([1, 2, 4], dtype=np.int32)), [], lambda: np.array(7 / 3), dtype="float32",
         grad=False, tol=dict(rtol=1e-6)),
    Case("max", lambda o, a: o.max(a, axis=1), [distinct(3, 4)], lambda a: a.max(axis=1)),
    Case("max", lambda o, a: o.max(a, axis=0, keepdims=True, initial=0.1), [distinct(3, 4)],
         lambda a: np.max(a, axis=0, keepdims=True, initial=0.1)),
    Case("max", lambda o, a: o.max(a), [distinct(3, 4)], np.max),
    Case("min", lambda o, a: o.min(a, axis=-1, initial=-0.1),
         [distinct(3, 4)], lambda a: np.min(a, axis=-1, initial=-0.1)),
    Case("min", lambda o, a: o.min(a), [distinct(3, 4)], np.min),
    Case("amax", lambda o, a: o.amax(a, axis=0), [distinct(3, 4)], lambda a: a.max(axis=0)),
    Case("amin", lambda o, a: o.amin(a, axis=1, keepdims=True),
         [distinct(3, 4)], lambda a: a.min(axis=1, keepdims=True)),
    Case("prod", lambda o, a: o.prod(a, axis=0), [away(3, 4)], lambda a: a.prod(axis=0)),
    Case("prod", lambda o, a: o.prod(a), [away(2, 3)], np.prod),
    Case("var", lambda o, a: o.var(a, axis=1), [r(3, 4)], lambda a: a.var(axis=1)),
    Case("var", lambda o, a: o.var(a), [r(3, 4)], np.var),
    Case("std", lambda o, a: o.std(a, axis=0, keepdims=True), [r(3, 4)], lambda a: a.std(axis=0, keepdims=True)),
    Case("std", lambda o: o.std(np.array([1, 2, 4], dtype=np.int32)), [], lambda: np.std([1.0, 2, 4]), dtype="float32",
         grad=False, tol=dict(rtol=1e-6)),
    Case("logsumexp", lambda o, a: o.logsumexp(a, axis=-1),
         [r(3, 4, hi=40.0)], lambda a: np.log(np.exp(a).sum(axis=-1))),
    Case("logsumexp", lambda o, a: o.logsumexp(a), [r(3, 4)], lambda a: np.log(np.exp(a).sum())),
    Case("average", lambda o, a: o.average(a, axis=1), [r(3, 4)], lambda a: a.mean(axis=1)),
    Case("average", lambda o, a, w: o.average(a, axis=1, weights=w), [r(3, 4), pos(4)],
         lambda a, w: np.average(a, axis=1, weights=w)),
    Case("average", lambda o, a, w: o.average(a, weights=w), [r(3, 4), pos(3, 4)],
         lambda a, w: np.average(a, weights=w)),
    Case("argmax", lambda o, a: o.argmax(a, axis=1),
         [distinct(3, 4)], lambda a: a.argmax(axis=1), dtype=I32, grad=False),
    Case("argmax", lambda o, a: o.argmax(a), [distinct(3, 4)], np.argmax, dtype=I32, grad=False),
    Case("argmax", lambda o, a: o.argmax(a, axis=0, keepdims=True), [distinct(3, 4)],
         lambda a: a.argmax(axis=0, keepdims=True), dtype=I32, grad=False),
    Case("argmin", lambda o, a: o.argmin(a, axis=-1),
         [distinct(3, 4)], lambda a: a.argmin(axis=-1), dtype=I32, grad=False),
    Case("any", lambda o, a: o.any(o.greater(a, 1.0), axis=0), [r(3, 4)], lambda a: (a > 1).any(axis=0), grad=False),
    Case("any", lambda o: o.any(MASK, axis=1, keepdims=True), [], lambda: MASK.any(axis=1, keepdims=True), grad=False),
    Case("all", lambda o: o.all(MASK, axis=0), [], lambda: MASK.all(axis=0), grad=False),
    Case("all", lambda o, a: o.all(a), [away(4)], lambda a: np.all(a), grad=False),
    Case("count_nonzero", lambda o: o.count_nonzero(MASK, axis=1), [], lambda: MASK.sum(axis=1), dtype=I32, grad=False),
    Case("count_nonzero", lambda o, a: o.count_nonzero(o.maximum(a, 0.0)), [away(3, 4)], lambda a: (a > 0).sum(),
         dtype=I32, grad=False),
    Case("cumsum", lambda o, a: o.cumsum(a, axis=1), [r(2, 7)], lambda a: a.cumsum(axis=1)),
    Case("cumsum", lambda o, a: o.cumsum(a), [r(2, 3)], np.cumsum),
    Case("cumsum", lambda o, a: o.cumsum(a, axis=0), [r(9, 2)], lambda a: a.cumsum(axis=0)),
    Case("cumprod", lambda o, a: o.cumprod(a, axis=-1), [away(2, 5)], lambda a: a.cumprod(axis=-1)),
    Case("cumprod", lambda o, a: o.cumprod(a), [away(2, 3)], np.cumprod),
    Case("norm", lambda o, a: o.norm(a), [r(2, 3, 4)], lambda a: np.sqrt((a**2).sum())),
    Case("norm", lambda o, a: o.norm(a, axis=-1, keepdims=True),
         [r(3, 4)], lambda a: np.linalg.norm(a, axis=-1, keepdims=True)),
    Case("norm", lambda o, a: o.norm(a, ord=1, axis=1), [away(3, 4)], lambda a: np.linalg.norm(a, ord=1, axis=1)),
    Case("norm", lambda o, a: o.norm(a, ord=3, axis=0), [away(3, 4)], lambda a: np.linalg.norm(a, ord=3, axis=0)),
    Case("norm", lambda o, a: o.norm(a, ord=np.inf, axis=1),
         [distinct(3, 4)], lambda a: np.linalg.norm(a, ord=np.inf, axis=1)),
    Case("norm", lambda o, a: o.norm(a, ord=-np.inf), [distinct(5)], lambda a: np.linalg.norm(a, ord=-np.inf)),
    Case("norm", lambda o, a: o.norm(o.maximum(a, 0.0), ord=0),
         [away(6)], lambda a: np.linalg.norm(np.maximum(a, 0), ord=0),
         grad=False),
    Case("norm", lambda o, a: o.norm(a, ord=1), [distinct(3, 4)], lambda a: np.linalg.norm(a, ord=1)),
    Case("norm", lambda o, a: o.norm(a, ord=-np.inf, axis=(2, 0)), [distinct(3, 2, 4)],
         lambda a: np.linalg.norm(a, ord=-np.inf, axis=(2, 0))),
    Case("norm", lambda o, a: o.norm(a, ord="fro", axis=(0, 1)), [r(3, 4)], lambda a: np.linalg.norm(a, ord="fro")),
    Case("moments", lambda o, a: o.moments(a, axes=[0]), [r(5, 3)], lambda a: (a.mean(axis=0), a.var(axis=0)),
         grad=lambda o, a: o.add(*o.moments(a, axes=[0]))),
    Case("moments", lambda o, a: o.moments(a, axes=[0, 2], keepdims=True), [r(2, 3, 4)],
         lambda a: (a.mean(axis=(0, 2), keepdims=True), a.var(axis=(0, 2), keepdims=True)),
         grad=lambda o, a: o.multiply(*o.moments(a, axes=[0, 2], keepdims=True))),
    # --- products ---------------------------------------------------------------------------
    Case("matmul", lambda o, a, b: o.matmul(a, b), [r(2, 3, 4), r(4, 5)], np.matmul),
    Case("matmul", lambda o, a, b: o.matmul(a, b), [r(4), r(4, 2)], np.matmul),
    Case("dot", lambda o, a, b: o.dot(a, b), [r(3, 4), r(4)], np.dot),
    Case("dot", lambda o, a, b: o.dot(a, b), [r(2, 3, 4), r(4, 2)], np.dot),
    Case("tensordot", lambda o, a, b: o.tensordot(a, b), [r(2, 3, 4), r(3, 4, 2)], np.tensordot),
    Case("tensordot", lambda o, a, b: o.tensordot(a, b, axes=([0, 2], [2, 0])), [r(2, 3, 4), r(4, 5, 2)],
         lambda a, b: np.tensordot(a, b, axes=([0, 2], [2, 0]))),
    Case("tensordot", lambda o, a, b: o.tensordot(a, b, axes=1), [r(2, 3), r(3, 4)],
         lambda a, b: np.tensordot(a, b, 1)),
    Case("outer", lambda o, a, b: o.outer(a, b), [r(3), r(2, 2)], np.outer),
    # --- shape and movement -----------------------------------------------------------------
    Case("reshape", lambda o, a: o.reshape(a, (4, -1)), [r(2, 3, 2)], lambda a: a.reshape(4, -1)),
    Case("transpose", lambda o, a: o.transpose(a), [r(2, 3, 4)], np.transpose),
    Case("transpose", lambda o, a: o.transpose(a, (1, 0, 2)), [r(2, 3, 4)], lambda a: a.transpose(1, 0, 2)),
    Case("moveaxis", lambda o, a: o.moveaxis(a, 0, -1), [r(2, 3, 4)], lambda a: np.moveaxis(a, 0, -1)),
    Case("moveaxis", lambda o, a: o.moveaxis(a, [0, 1], [2, 0]),
         [r(2, 3, 4)], lambda a: np.moveaxis(a, [0, 1], [2, 0])),
    Case("swapaxes", lambda o, a: o.swapaxes(a, 0, -1), [r(2, 3, 4)], lambda a: np.swapaxes(a, 0, -1)),
    Case("expand_dims", lambda o, a: o.expand_dims(a, 1), [r(2, 3)], lambda a: np.expand_dims(a, 1)),
    Case("expand_dims", lambda o, a: o.expand_dims(a, -1), [r(2, 3)], lambda a: np.expand_dims(a, -1)),
    Case("squeeze", lambda o, a: o.squeeze(a), [r(3, 1, 2, 1)], np.squeeze),
    Case("squeeze", lambda o, a: o.squeeze(a, axis=1), [r(3, 1, 2, 1)], lambda a: np.squeeze(a, axis=1)),
    Case("ravel", lambda o, a: o.ravel(a), [r(2, 3)], np.ravel),
    Case("broadcast_to", lambda o, a: o.broadcast_to(a, (2, 3, 4)), [r(3, 1)], lambda a: np.broadcast_to(a, (2, 3, 4))),
    Case("concatenate", lambda o, a, b: o.concatenate([a, b], axis=1), [r(2, 3), r(2, 2)],
         lambda a, b: np.concatenate([a, b], 1)),
    Case("concatenate", lambda o, a, b: o.concatenate((a, b)), [r(2, 3), r(1, 3)], lambda a, b: np.concatenate([a, b])),
    Case("stack", lambda o, a, b: o.stack([a, b], axis=-1), [r(2, 3), r(2, 3)], lambda a, b: np.stack([a, b], -1)),
    Case("stack", lambda o, a, b: o.stack([a, b]), [r(3), r(3)], lambda a, b: np.stack([a, b])),
    Case("hstack", lambda o, a, b: o.hstack([a, b]), [r(3), r(2)], lambda a, b: np.hstack([a, b])),
    Case("hstack", lambda o, a, b: o.hstack([a, b]), [r(2, 3), r(2, 1)], lambda a, b: np.hstack([a, b])),
    Case("vstack", lambda o, a, b: o.vstack([a, b]), [r(3), r(2, 3)], lambda a, b: np.vstack([a, b])),
    Case("split", lambda o, a: o.split(a, 2, axis=1), [r(3, 4)], lambda a: np.split(a, 2, axis=1),
         grad=lambda o, a: o.multiply(*o.split(a, 2, axis=1))),
    Case("split", lambda o, a: o.split(a, [1, 3]), [r(5, 2)], lambda a: np.split(a, [1, 3]),
         grad=lambda o, a: o.concatenate([o.square(p) for p in o.split(a, [1, 3])])),
    Case("unstack", lambda o, a: o.unstack(a, axis=1), [r(2, 3)], lambda a: list(np.moveaxis(a, 1, 0)),
         grad=lambda o, a: o.stack([o.square(p) for p in o.unstack(a, axis=1)])),
    Case("tile", lambda o, a: o.tile(a, (2, 1, 3)), [r(2, 3)], lambda a: np.tile(a, (2, 1, 3))),
    Case("tile", lambda o, a: o.tile(a, 2), [r(2, 3)], lambda a: np.tile(a, 2)),
    Case("repeat", lambda o, a: o.repeat(a, 2), [r(2, 3)], lambda a: np.repeat(a, 2)),
    Case("repeat", lambda o, a: o.repeat(a, np.array([1, 0, 2], dtype=np.int32), axis=1), [r(2, 3)],
         lambda a: np.repeat(a, [1, 0, 2], axis=1)),
    Case("repeat", lambda o, a: o.repeat(a, 3, axis=0), [r(2, 3)], lambda a: np.repeat(a, 3, axis=0)),
    Case("flip", lambda o, a: o.flip(a), [r(2, 3)], np.flip),
    Case("flip", lambda o, a: o.flip(a, axis=1), [r(2, 3, 2)], lambda a: np.flip(a, 1)),
    Case("roll", lambda o, a: o.roll(a, 2), [r(2, 3)], lambda a: np.roll(a, 2)),
    Case("roll", lambda o, a: o.roll(a, -1, axis=1), [r(2, 3)], lambda a: np.roll(a, -1, axis=1)),
    Case("roll", lambda o, a: o.roll(a, (1, 2), axis=(0, 1)), [r(2, 3)], lambda a: np.roll(a, (1, 2), axis=(0, 1))),
    Case("pad", lambda o, a: o.pad(a, ((1, 0), (2, 1))), [r(2, 3)], lambda a: np.pad(a, ((1, 0), (2, 1)))),
    Case("pad", lambda o, a: o.pad(a, 1, constant_values=1.5), [r(2, 3)], lambda a: np.pad(a, 1, constant_values=1.5)),
    Case("pad", lambda o, a: o.pad(a, ((1, 2), (2, 1)), mode="reflect"), [r(4, 3)],
         lambda a: np.pad(a, ((1, 2), (2, 1)), mode="reflect")),
    Case("pad", lambda o, a: o.pad(a, ((0, 2), (3, 1)), mode="symmetric"), [r(3, 3)],
         lambda a: np.pad(a, ((0, 2), (3, 1)), mode="symmetric")),
    Case("pad", lambda o, a: o.pad(a, ((1, 1), (0, 2)), mode="edge"),
         [r(2, 3)], lambda a: np.pad(a, ((1, 1), (0, 2)), mode="edge")),
    Case("pad", lambda o, a: o.pad(a, ((2, 1), (1, 1)), mode="wrap"),
         [r(2, 3)], lambda a: np.pad(a, ((2, 1), (1, 1)), mode="wrap")),
    Case("get_item", lambda o, a: o.get_item(a, (slice(None), 1)), [r(3, 4)], lambda a: a[:, 1]),
    Case("get_item", lambda o, a: o.get_item(a, np.array([2, 0, 2], dtype=np.int32)),
         [r(3, 4)], lambda a: a[[2, 0, 2]]),
    Case("take", lambda o, a: o.take(a, np.array([0, -1, 2, 2], dtype=np.int32)),
         [r(3, 4)], lambda a: np.take(a, [0, -1, 2, 2])),
    Case("take", lambda o, a: o.take(a, np.array([[0, 2], [1, 1]], dtype=np.int32), axis=1), [r(3, 4)],
         lambda a: np.take(a, [[0, 2], [1, 1]], axis=1)),
    Case("take", lambda o, a: o.take(a, LABELS, axis=0), [r(3, 2)], lambda a: a[LABELS]),
    Case("take_along_axis",
         lambda o, a: o.take_along_axis(a, np.array([[0, 2], [1, 1], [3, 3]], dtype=np.int32), axis=1),
         [r(3, 4)], lambda a: np.take_along_axis(a, np.array([[0, 2], [1, 1], [3, 3]]), axis=1)),
    Case("take_along_axis", lambda o, a: o.take_along_axis(a, np.array([[2, 0, 1, 1]], dtype=np.int32), axis=0),
         [r(3, 4)], lambda a: np.take_along_axis(a, np.array([[2, 0, 1, 1]]), axis=0)),
    Case("take_along_axis", lambda o, a: o.take_along_axis(a, np.array([5, 0, 5], dtype=np.int32), axis=None),
         [r(2, 3)], lambda a: np.take_along_axis(a, np.array([5, 0, 5]), axis=None)),
    Case("sort", lambda o, a: o.sort(a), [distinct(3, 4)], np.sort),
    Case("sort", lambda o, a: o.sort(a, axis=0), [distinct(3, 4)], lambda a: np.sort(a, axis=0)),
    Case("argsort", lambda o, a: o.argsort(a), [distinct(3, 4)], np.argsort, dtype=I32, grad=False),
    Case("argsort", lambda o, a: o.argsort(a, axis=0),
         [distinct(3, 4)], lambda a: np.argsort(a, axis=0), dtype=I32, grad=False),
    Case("tril", lambda o, a: o.tril(a), [r(3, 4)], np.tril),
    Case("tril", lambda o, a: o.tril(a, -1), [r(2, 3, 3)], lambda a: np.tril(a, -1)),
    Case("triu", lambda o, a: o.triu(a, 1), [r(2, 3, 4)], lambda a: np.triu(a, 1)),
    Case("triu", lambda o, a: o.triu(a), [r(4, 3)], np.triu),
    # --- creation -----------------------------------------------------------------------------
    Case("zeros", lambda o: o.zeros((2, 3)), [], lambda: np.zeros((2, 3)), dtype="float32", grad=False),
    Case("zeros", lambda o: o.zeros(3, dtype="int32"), [], lambda: np.zeros(3), dtype=I32, grad=False),
    Case("ones", lambda o: o.ones((2, 1)), [], lambda: np.ones((2, 1)), dtype="float32", grad=False),
    Case("zeros_like", lambda o, a: o.zeros_like(a), [r(2, 3)], np.zeros_like, grad=False),
    Case("zeros_like", lambda o: o.zeros_like(LABELS), [], lambda: np.zeros(4), dtype=I32, grad=False),
    Case("ones_like", lambda o, a: o.ones_like(a, dtype="int32"), [r(2, 3)], np.ones_like, dtype=I32, grad=False),
    Case("full", lambda o: o.full((2, 2), 3), [], lambda: np.full((2, 2), 3.0), dtype="float32", grad=False),
    Case("full", lambda o: o.full(3, 1.5, dtype="float64"), [], lambda: np.full(3, 1.5), grad=False, keras_dtype=False),
    Case("full_like", lambda o, a: o.full_like(a, 2.5), [r(2, 3)], lambda a: np.full_like(a, 2.5), grad=False),
    Case("full_like", lambda o: o.full_like(LABELS, 2.5), [], lambda: np.full(4, 2), dtype=I32, grad=False),
    Case("eye", lambda o: o.eye(3), [], lambda: np.eye(3), dtype="float32", grad=False),
    Case("eye", lambda o: o.eye(2, 4, k=1), [], lambda: np.eye(2, 4, k=1), dtype="float32", grad=False),
    Case("identity", lambda o: o.identity(3), [], lambda: np.identity(3), dtype="float32", grad=False),
    Case("tri", lambda o: o.tri(3, 4, k=-1), [], lambda: np.tri(3, 4, k=-1), dtype="float32", grad=False),
    Case("arange", lambda o: o.arange(5), [], lambda: np.arange(5), dtype=I32, grad=False),
    Case("arange", lambda o: o.arange(1.0, 2.0, 0.25),
         [], lambda: np.arange(1.0, 2.0, 0.25), dtype="float32", grad=False),
    Case("arange", lambda o: o.arange(2, 11, 3, dtype="float32"),
         [], lambda: np.arange(2.0, 11, 3), dtype="float32", grad=False),
    Case("linspace", lambda o: o.linspace(0, 1, 5), [], lambda: np.linspace(0, 1, 5), dtype="float32", grad=False),
    Case("linspace", lambda o: o.linspace(0.0, 2.0, 4, endpoint=False),
         [], lambda: np.linspace(0, 2, 4, endpoint=False),
         dtype="float32", grad=False),
    Case("linspace", lambda o: o.linspace(1.0, 3.0, 5, retstep=True),
         [], lambda: (np.linspace(1.0, 3.0, 5), np.array(0.5)),
         dtype="float32", grad=False),
    Case("one_hot", lambda o: o.one_hot(np.array([0, 2, -1, 3], dtype=np.int32), 3),
         [], lambda: np.array([[1.0, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]), dtype="float32", grad=False),
    Case("one_hot", lambda o: o.one_hot(LABELS, 3, axis=0, dtype="int32"), [], lambda: np.eye(3)[LABELS].T, dtype=I32,
         grad=False),
    # --- conversion and introspection -----------------------------------------------------------
    Case("convert_to_tensor", lambda o, a: o.convert_to_tensor(a), [r(2, 3)], lambda a: a),
    Case("convert_to_tensor", lambda o, a: o.convert_to_tensor(a, dtype="float32"), [r(2, 3)], lambda a: a,
         dtype="float32", grad=False, tol=dict(rtol=1e-7)),
    Case("convert_to_tensor", lambda o: o.convert_to_tensor(np.array([0.5, 1.5])), [], lambda: np.array([0.5, 1.5]),
         dtype="float32", grad=False),
    Case("convert_to_numpy", lambda o, a: o.convert_to_numpy(a), [r(2, 3)], lambda a: a, grad=False),
    Case("cast", lambda o, a: o.cast(a, "int32"), [r(2, 3) * 3], lambda a: a.astype(np.int32), dtype=I32, grad=False),
    Case("cast", lambda o, a: o.cast(o.cast(a, "float32"), "float64"), [r(3)], lambda a: a.astype(np.float32),
         dtype="float64", grad=False, tol=dict(rtol=0), keras_dtype=False),
    Case("stop_gradient", lambda o, a: o.stop_gradient(a), [r(2, 3)], lambda a: a, grad=False),
    Case("shape", lambda o, a: o.shape(a), [r(2, 3)], lambda a: (2, 3), grad=False),
    Case("ndim", lambda o, a: o.ndim(a), [r(2, 3)], lambda a: 2, grad=False),
    Case("size", lambda o, a: o.size(a), [r(2, 3)], lambda a: 6, grad=False),
    Case("dtype", lambda o: o.dtype(np.float32(1.0)), [], lambda: "float32", grad=False),
    Case("dtype", lambda o: o.dtype(LABELS), [], lambda: "int32", grad=False),
    Case("is_tensor", lambda o, a: o.is_tensor(a), [r(2)], lambda a: True, grad=False),
    Case("is_tensor", lambda o: o.is_tensor(np.ones(2)), [], lambda: False, grad=False),
    # --- control flow ------------------------------------------------------------------------------
    Case("cond", lambda o, a: o.cond(o.greater(o.sum(a), -100.0), lambda: o.multiply(a, 2.0), lambda: o.negative(a)),
         [r(3)], lambda a: a * 2),
    Case("switch", lambda o, a: o.switch(1, [o.exp, o.square], a), [r(3)], np.square),
    Case("fori_loop", lambda o, a: o.fori_loop(0, 3, lambda i, v: o.add(v, o.multiply(v, 0.5)), a), [r(3)],
         lambda a: a * 1.5**3),
    Case("while_loop", lambda o, a: o.while_loop(lambda v: o.less(o.sum(v), 20.0), lambda v: o.multiply(v, 1.5), a),
         [pos(3, lo=1.0, hi=1.1)], while_ref),
    Case("while_loop", lambda o, a, b: o.while_loop(lambda u, v: True, lambda u, v: (o.add(u, v), v), (a, b),
                                                     maximum_iterations=3), [r(2), r(2)], lambda a, b: (a + 3 * b, b),
         grad=lambda o, a, b: o.multiply(*o.while_loop(lambda u, v: True, lambda u, v: (o.add(u, v), v), [a, b],
                                                       maximum_iterations=3))),
    # --- activations ---------------------------------------------------------------------------------
    Case("relu", lambda o, a: o.relu(a), [away(2, 3)], lambda a: np.maximum(a, 0)),
    Case("relu6", lambda o, a: o.relu6(a), [np.array([-1.0, 0.5, 3.0, 5.5, 7.0])], lambda a: np.clip(a, 0, 6)),
    Case("sigmoid", lambda o, a: o.sigmoid(a), [r(2, 3)], sigmoid),
    Case("tanh", lambda o, a: o.tanh(a), [r(2, 3)], np.tanh),
    Case("softmax", lambda o, a: o.softmax(a), [r(3, 4)], softmax),
    Case("softmax", lambda o, a: o.softmax(a, axis=0), [r(3, 4)], lambda a: softmax(a, 0)),
    Case("log_softmax", lambda o, a: o.log_softmax(a), [r(3, 4)], lambda a: np.log(softmax(a))),
    Case("log_softmax", lambda o, a: o.log_softmax(a, axis=1), [r(2, 3, 4)], lambda a: np.log(softmax(a, 1))),
    Case("softplus", lambda o, a: o.softplus(a), [r(2, 3)], lambda a: np.log1p(np.exp(a))),
    Case("softsign", lambda o, a: o.softsign(a), [away(2, 3)], lambda a: a / (1 + np.abs(a))),
    Case("silu", lambda o, a: o.silu(a), [r(2, 3)], lambda a: a * sigmoid(a)),
    Case("swish", lambda o, a: o.swish(a), [r(2, 3)], lambda a: a * sigmoid(a)),
    Case("gelu", lambda o, a: o.gelu(a), [r(2, 3)],
         lambda a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3)))),
    Case("gelu", lambda o, a: o.gelu(a, approximate=False), [r(2, 3)], lambda a: 0.5 * a * (1 + erf(a / np.sqrt(2)))),
    Case("elu", lambda o, a: o.elu(a), [away(2, 3)], lambda a: np.where(a > 0, a, np.expm1(a))),
    Case("elu", lambda o, a: o.elu(a, alpha=0.5), [away(2, 3)], lambda a: np.where(a > 0, a, 0.5 * np.expm1(a))),
    Case("selu", lambda o, a: o.selu(a),
         [away(2, 3)], lambda a: SELU_SCALE * np.where(a > 0, a, SELU_ALPHA * np.expm1(a))),
    Case("celu", lambda o, a: o.celu(a, alpha=2.0), [away(2, 3)], lambda a: np.where(a > 0, a, 2 * np.expm1(a / 2))),
    Case("leaky_relu", lambda o, a: o.leaky_relu(a), [away(2, 3)], lambda a: np.where(a > 0, a, 0.2 * a)),
    Case("leaky_relu", lambda o, a: o.leaky_relu(a, negative_slope=0.05),
         [away(6)], lambda a: np.where(a > 0, a, 0.05 * a)),
    Case("hard_sigmoid", lambda o, a: o.hard_sigmoid(a), [np.array([-4.0, -2.0, 0.5, 2.9, 3.5])],
         lambda a: np.clip(a / 6 + 0.5, 0, 1)),
    Case("hard_silu", lambda o, a: o.hard_silu(a), [np.array([-4.0, -2.0, 0.5, 2.9, 3.5])],
         lambda a: a * np.clip(a / 6 + 0.5, 0, 1)),
    Case("hard_swish", lambda o, a: o.hard_swish(a),
         [np.array([-3.5, -1.0, 1.2, 4.0])], lambda a: a * np.clip(a / 6 + 0.5, 0, 1)),
    Case("hard_tanh", lambda o, a: o.hard_tanh(a), [np.array([-1.5, -0.5, 0.3, 1.2])], lambda a: np.clip(a, -1, 1)),
    Case("log_sigmoid", lambda o, a: o.log_sigmoid(a), [r(2, 3, hi=40.0)], lambda a: -np.logaddexp(0, -a)),
    Case("glu", lambda o, a: o.glu(a), [r(2, 4)], lambda a: a[:, :2] * sigmoid(a[:, 2:])),
    Case("glu", lambda o, a: o.glu(a, axis=0), [r(2, 3)], lambda a: a[:1] * sigmoid(a[1:])),
    # --- normalisation and losses ---------------------------------------------------------------------
    Case("batch_normalization", lambda o, a, m, v, b, s: o.batch_normalization(a, m, v, axis=-1, offset=b, scale=s),
         [r(4, 3), r(3), pos(3), r(3), r(3)], lambda a, m, v, b, s: (a - m) / np.sqrt(v + 1e-3) * s + b),
    Case("batch_normalization", lambda o, a, m, v: o.batch_normalization(a, m, v, axis=1, epsilon=0.1),
         [r(2, 3, 2), r(3), pos(3)], lambda a, m, v: (a - m[:, None]) / np.sqrt(v[:, None] + 0.1)),
    Case("binary_crossentropy", lambda o, t, p: o.binary_crossentropy(t, p),
         [pos(2, 3, lo=0, hi=1), pos(2, 3, lo=0.05, hi=0.95)],
         lambda t, p: -(t * np.log(p) + (1 - t) * np.log(1 - p))),
    Case("binary_crossentropy", lambda o, t, x: o.binary_crossentropy(t, x, from_logits=True),
         [pos(2, 3, lo=0, hi=1), r(2, 3)],
         lambda t, x: -(t * np.log(sigmoid(x)) + (1 - t) * np.log(1 - sigmoid(x)))),
    Case("categorical_crossentropy", lambda o, t, p: o.categorical_crossentropy(t, p), [probs(2, 3), pos(2, 3)],
         lambda t, p: -(t * log_probs(p)).sum(-1)),
    Case("categorical_crossentropy", lambda o, t, x: o.categorical_crossentropy(t, x, from_logits=True),
         [probs(2, 3), r(2, 3)],
         lambda t, x: -(t * np.log(softmax(x))).sum(-1)),
    Case("categorical_crossentropy", lambda o, t, x: o.categorical_crossentropy(t, x, from_logits=True, axis=0),
         [probs(3, 2), r(3, 2)], lambda t, x: -(t * np.log(softmax(x, 0))).sum(0)),
    Case("categorical_crossentropy", lambda o, t, p: o.categorical_crossentropy(t, p, axis=0), [probs(3, 2), pos(3, 2)],
         lambda t, p: -(t * log_probs(p, 0)).sum(0)),
    Case("sparse_categorical_crossentropy", lambda o, p: o.sparse_categorical_crossentropy(LABELS, p), [pos(4, 3)],
         lambda p: -log_probs(p)[np.arange(4), LABELS]),
    Case("sparse_categorical_crossentropy",
         lambda o, x: o.sparse_categorical_crossentropy(LABELS[:, None], x, from_logits=True),
         [r(4, 3)], lambda x: -np.log(softmax(x))[np.arange(4), LABELS]),
    # --- convolution and pooling -------------------------------------------------------------------------
    Case("conv", lambda o, x, k: o.conv(x, k), [r(2, 5, 5, 3), r(3, 3, 3, 2)], np_conv),
    Case("conv", lambda o, x, k: o.conv(x, k, strides=2, padding="same"), [r(2, 6, 5, 2), r(3, 2, 2, 3)],
         lambda x, k: np_conv(x, k, 2, "same")),
    Case("conv", lambda o, x, k: o.conv(x, k, padding="same", dilation_rate=2), [r(1, 5, 6, 2), r(2, 3, 2, 2)],
         lambda x, k: np_conv(x, k, 1, "same", 2)),
    Case("conv", lambda o, x, k: o.conv(x, k, strides=2), [r(2, 7, 3), r(3, 3, 2)], lambda x, k: np_conv(x, k, 2)),
    Case("conv", lambda o, x, k: o.conv(x, k, padding="same", data_format="channels_first"),
         [r(2, 3, 4, 5), r(3, 3, 3, 2)],
         chw(lambda x, k: np_conv(x, k, 1, "same"))),
    # Keras 3.15 on JAX fails when a pool's strides are None (it turns pool_size into strides twice),
    # so the oracle calls those with the default written out: strides = pool_size.
    Case("max_pool", lambda o, x: o.max_pool(x, 2), [distinct(2, 4, 5, 3)], lambda x: np_pool(x, 2),
         keras_fn=lambda o, x: o.max_pool(x, 2, strides=2)),
    Case("max_pool", lambda o, x: o.max_pool(x, 3, strides=2, padding="same"), [distinct(1, 5, 6, 2)],
         lambda x: np_pool(x, 3, 2, "same")),
    Case("max_pool", lambda o, x: o.max_pool(x, 2, data_format="channels_first"), [distinct(2, 3, 4, 5)],
         chw(lambda x: np_pool(x, 2)), keras_fn=lambda o, x: o.max_pool(x, 2, 2, data_format="channels_first")),
    Case("max_pool", lambda o, x: o.max_pool(x, 2, strides=1), [distinct(2, 6, 3)], lambda x: np_pool(x, 2, 1)),
    Case("average_pool", lambda o, x: o.average_pool(x, 2), [r(2, 4, 5, 3)], lambda x: np_pool(x, 2, kind="avg"),
         keras_fn=lambda o, x: o.average_pool(x, 2, strides=2)),
    Case("average_pool", lambda o, x: o.average_pool(x, 3, strides=2, padding="same"), [r(1, 5, 6, 2)],
         lambda x: np_pool(x, 3, 2, "same", "avg")),
    Case("average_pool", lambda o, x: o.average_pool(x, (2, 3), padding="same"), [r(1, 3, 4, 2)],
         lambda x: np_pool(x, (2, 3), None, "same", "avg"),
         keras_fn=lambda o, x: o.average_pool(x, (2, 3), strides=(2, 3), padding="same")),
    Case("average_pool", lambda o, x: o.average_pool(x, 3, padding="same"), [r(2, 7, 2)],
         lambda x: np_pool(x, 3, 3, "same", "avg"), keras_fn=lambda o, x: o.average_pool(x, 3, 3, padding="same")),
]


def case_id(case):
    return case.name


def as_tensors(arrays, dtype="float64"):
    return [gw.Tensor(a, dtype=dtype) for a in arrays]


def assert_same(out, expected, case):
    """out (from gw.ops) against expected (from NumPy): structure, values, shape and dtype."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(out, (tuple, list)), f"{case.name}: got {type(out).__name__}"
        assert len(out) == len(expected)
        for o, e in zip(out, expected):
            assert_same(o, e, case)
        return
    if type(expected) in (bool, int, str, float):  # Python values (np.float64 is an array scalar here)
        if type(expected) is float:
            assert out == pytest.approx(expected), case.name
        else:
            assert out == expected and type(out) is type(expected), f"{case.name}: {out!r} != {expected!r}"
        return
    expected = np.asarray(expected)
    if case.name == "convert_to_numpy":
        assert isinstance(out, np.ndarray), f"convert_to_numpy returned {type(out).__name__}"
        values = out
    else:
        assert isinstance(out, gw.Tensor), f"{case.name} returned {type(out).__name__}, not a gw.Tensor"
        values = out.numpy()
    assert values.shape == expected.shape, f"{case.name}: shape {values.shape} != {expected.shape}"
    want = case.dtype or (expected.dtype.name if expected.dtype.name in ("float64", "bool") else None)
    assert want is not None, f"{case.name}: say which integer dtype the result has"
    assert values.dtype.name == want, f"{case.name}: dtype {values.dtype} != {want}"
    if values.dtype.kind == "f":
        np.testing.assert_allclose(values, expected, err_msg=case.name, **case.tol)
    else:
        np.testing.assert_array_equal(values, expected, err_msg=case.name)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_value(case):
    out = case.fn(gw_ops, *as_tensors(case.inputs))
    assert_same(out, case.ref(*[a.copy() for a in case.inputs]), case)


GRAD_CASES = [c for c in CASES if c.grad is not False and c.inputs]


@pytest.mark.parametrize("case", GRAD_CASES, ids=case_id)
def test_gradient(case):
    fn = case.fn if case.grad is True else case.grad
    assert check_gradients(lambda *xs: fn(gw_ops, *xs), case.inputs, **case.gtol)


def test_every_export_has_a_value_case_and_a_gradient_case_when_it_has_a_derivative():
    assert {c.name for c in CASES} == set(gw_ops.__all__)
    no_derivative = {
        "all", "any", "arange", "argmax", "argmin", "argsort", "ceil", "convert_to_numpy", "count_nonzero", "dtype",
        "equal", "eye", "floor", "full", "full_like", "greater", "greater_equal", "identity", "is_tensor", "isfinite",
        "isinf", "isnan", "less", "less_equal", "linspace", "logical_and", "logical_not", "logical_or", "logical_xor",
        "ndim", "not_equal", "one_hot", "ones", "ones_like", "round", "shape", "size", "stop_gradient", "tri",
        "zeros", "zeros_like", "cast",
    }
    assert {c.name for c in GRAD_CASES} == set(gw_ops.__all__) - no_derivative


# --- (c) names and signatures ------------------------------------------------------------------
def public_names(module):
    return {n for n in dir(module) if not n.startswith("_")}


def test_every_export_is_a_keras_ops_name():
    assert set(gw_ops.__all__) == public_names(gw_ops)
    extra = public_names(gw_ops) - KERAS_OPS_NAMES
    assert not extra, f"gw.ops exports names keras.ops does not have: {sorted(extra)}"


def test_the_required_names_are_there():
    required = """abs absolute add subtract multiply divide true_divide negative power square sqrt exp log log1p
        expm1 sign maximum minimum clip where matmul dot tensordot transpose reshape expand_dims squeeze
        concatenate stack split tile repeat broadcast_to flip sum mean max min prod var std argmax argmin
        logsumexp cumsum sort argsort any all equal not_equal greater greater_equal less less_equal cast
        convert_to_tensor convert_to_numpy shape ndim size zeros ones zeros_like ones_like full full_like eye
        arange linspace one_hot take take_along_axis relu relu6 sigmoid tanh softmax log_softmax softplus
        softsign silu swish gelu elu selu leaky_relu hard_sigmoid binary_crossentropy categorical_crossentropy
        sparse_categorical_crossentropy conv max_pool average_pool stop_gradient norm moments""".split()
    assert set(required) <= set(gw_ops.__all__)


def test_signatures_are_keras_signatures():
    assert set(KERAS_SIGNATURES) == set(gw_ops.__all__)
    wrong = {n: str(inspect.signature(getattr(gw_ops, n))) for n in gw_ops.__all__
             if str(inspect.signature(getattr(gw_ops, n))) != KERAS_SIGNATURES[n]}
    assert not wrong, f"signatures differing from keras.ops: {wrong}"


def test_module_docstring_says_what_it_is_for():
    doc = gw_ops.__doc__
    assert "Keras 3" in doc and "keras.ops" in doc and "import" in doc
    assert gw.ops is gw_ops


# --- behaviour the table does not show -------------------------------------------------------------
def test_float64_numpy_input_becomes_float32_and_tensors_keep_their_dtype():
    assert gw_ops.sum(np.ones(3)).dtype == np.float32
    assert gw_ops.sum(gw.Tensor(np.ones(3), dtype="float64")).dtype == np.float64


def test_stop_gradient_cuts_the_graph():
    x = gw.Variable(np.array([1.0, 2.0]), dtype="float64")
    with gw.GradientTape() as tape:
        y = gw_ops.sum(gw_ops.add(gw_ops.square(x), gw_ops.stop_gradient(gw_ops.square(x))))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 4.0])


def test_sort_sends_each_gradient_to_the_original_place():
    x = gw.Variable(np.array([3.0, 1.0, 2.0]), dtype="float64")
    with gw.GradientTape() as tape:
        y = gw_ops.sum(gw_ops.multiply(gw_ops.sort(x), np.array([1.0, 10.0, 100.0])))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [100.0, 1.0, 10.0])


def test_expm1_is_exact_near_zero_where_exp_minus_one_is_not():
    x = gw.Tensor([1e-12, -3e-10], dtype="float64")
    np.testing.assert_allclose(gw_ops.expm1(x).numpy(), np.expm1(x.numpy()), rtol=1e-15)


def test_cumsum_of_a_long_axis():
    x = rng.uniform(size=(3, 1000))
    out = gw_ops.cumsum(gw.Tensor(x, dtype="float64"), axis=1)
    np.testing.assert_allclose(out.numpy(), x.cumsum(axis=1), rtol=1e-12)


def test_divide_no_nan_has_no_nan_gradient():
    x = gw.Variable(np.array([1.0, 2.0]), dtype="float64")
    y = gw.Variable(np.array([0.0, 4.0]), dtype="float64")
    with gw.GradientTape() as tape:
        z = gw_ops.sum(gw_ops.divide_no_nan(x, y))
    gx, gy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(gx.numpy(), [0.0, 0.25])
    np.testing.assert_allclose(gy.numpy(), [0.0, -2.0 / 16])


@pytest.mark.parametrize("call, match", [
    (lambda: gw_ops.split(np.ones((5, 2)), 2), "equal pieces"),
    (lambda: gw_ops.broadcast_to(np.ones((3, 2)), (3, 3)), "cannot be broadcast"),
    (lambda: gw_ops.where(np.ones(2), np.ones(2)), "both"),
    (lambda: gw_ops.norm(np.ones((2, 2)), ord=2), "SVD"),
    (lambda: gw_ops.norm(np.ones(3), ord="fro", axis=0), "matrix norm"),
    (lambda: gw_ops.pad(np.ones(3), 1, mode="mean"), "mode"),
    (lambda: gw_ops.one_hot([1], 3, sparse=True), "sparse"),
    (lambda: gw_ops.convert_to_tensor([1.0], sparse=True), "sparse"),
    (lambda: gw_ops.binary_crossentropy(np.ones(3), np.ones((3, 1)) / 2), "same shape"),
    (lambda: gw_ops.sparse_categorical_crossentropy(np.array([0, 3]), np.ones((2, 3))), r"\[0, 3\)"),
    (lambda: gw_ops.conv(np.ones((1, 4, 4, 4, 1)), np.ones((2, 2, 2, 1, 1))), "1-D inputs"),
    (lambda: gw_ops.conv(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)), data_format="NHWC"), "data_format"),
    (lambda: gw_ops.unstack(np.ones((2, 3)), num=3), "num=3"),
])
def test_errors_say_what_is_wrong(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- (d) Keras as the oracle (opt-in) -----------------------------------------------------------------
def to_numpy_tree(value):
    if isinstance(value, (tuple, list)):
        return [to_numpy_tree(v) for v in value]
    if isinstance(value, (bool, int, float, str)):
        return value
    return np.asarray(value)


def assert_tree_close(mine, theirs, case, check_dtype):
    if isinstance(theirs, list):
        assert isinstance(mine, list) and len(mine) == len(theirs), case.name
        for m, t in zip(mine, theirs):
            assert_tree_close(m, t, case, check_dtype)
        return
    if isinstance(theirs, (bool, int, str)):
        assert mine == theirs, f"{case.name}: {mine!r} != keras {theirs!r}"
        return
    if isinstance(theirs, float):
        assert mine == pytest.approx(theirs, rel=1e-5), case.name
        return
    assert mine.shape == theirs.shape, f"{case.name}: shape {mine.shape} != keras {theirs.shape}"
    if check_dtype:
        assert mine.dtype == theirs.dtype, f"{case.name}: dtype {mine.dtype} != keras {theirs.dtype}"
    np.testing.assert_allclose(mine.astype(np.float64), theirs.astype(np.float64), rtol=2e-5, atol=2e-6,
                               err_msg=case.name)


@pytest.fixture(scope="module")
def keras_ops():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    return keras.ops


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_keras(case, keras_ops):
    inputs = [a.astype(np.float32) for a in case.inputs]
    mine = to_numpy_tree(case.fn(gw_ops, *as_tensors(inputs, "float32")))
    theirs = to_numpy_tree(case.keras_fn(keras_ops, *[keras_ops.convert_to_tensor(a) for a in inputs]))
    assert_tree_close(mine, theirs, case, case.keras_dtype)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_names_and_signatures_match_the_installed_keras(keras_ops):
    installed = {n for n in dir(keras_ops) if not n.startswith("_") and callable(getattr(keras_ops, n))
                 and not inspect.ismodule(getattr(keras_ops, n))}
    assert public_names(gw_ops) <= installed
    for name in gw_ops.__all__:
        assert str(inspect.signature(getattr(gw_ops, name))) == str(inspect.signature(getattr(keras_ops, name))), name
