"""Every registered op's gradient against central finite differences (float64).

CASES maps op name -> list of (function of tensors, input arrays). A test enumerates the
op registry: an op added without a case here fails the suite.
"""

import numpy as np
import pytest

import gradwise as gw
from gradwise.autodiff import OPS, check_gradients

rng = np.random.default_rng(1234)


def r(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def pos(*shape):
    return rng.uniform(0.5, 2.0, size=shape)


def away_from_zero(*shape):
    """Values with |x| in [0.3, 2]: keeps finite differences off kinks at 0."""
    return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def distinct(*shape):
    """Values far apart from each other (no ties within eps) for max/min/sort-like ops."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.37 - n * 0.1).reshape(shape)


def r_(*shape, _rng=np.random.default_rng(4321)):
    return _rng.uniform(-2.0, 2.0, size=shape)


BROADCAST_PAIRS = [((4, 3), (3,)), ((2, 1, 3), (4, 1)), ((3,), (2, 3)), ((), (2, 2))]

CASES = {
    "add": [(gw.add, [r(*a), r(*b)]) for a, b in BROADCAST_PAIRS],
    "subtract": [(gw.subtract, [r(*a), r(*b)]) for a, b in BROADCAST_PAIRS],
    "multiply": [(gw.multiply, [r(*a), r(*b)]) for a, b in BROADCAST_PAIRS],
    "divide": [(gw.divide, [r(*a), pos(*b)]) for a, b in BROADCAST_PAIRS],
    "power": [
        (gw.power, [pos(4, 3), r(3)]),
        (lambda x: gw.power(x, 3), [r(2, 3)]),
        (lambda x: gw.power(x, 2), [r(2, 3)]),
        (lambda x: gw.power(x, -0.5), [pos(5)]),
        (lambda x: x ** 1.5, [pos(3, 2)]),
    ],
    "maximum": [(gw.maximum, [distinct(4, 3), distinct(3)]), (gw.maximum, [distinct(2, 1, 3), distinct(4, 1)])],
    "minimum": [(gw.minimum, [distinct(4, 3), distinct(3)]), (gw.minimum, [distinct(2, 1, 3), distinct(4, 1)])],
    "negative": [(gw.negative, [r(3, 2)]), (lambda x: -x, [r(4)])],
    "square": [(gw.square, [r(3, 4)])],
    "sqrt": [(gw.sqrt, [pos(3, 4)])],
    "exp": [(gw.exp, [r(3, 4)])],
    "log": [(gw.log, [pos(3, 4)])],
    "log1p": [(gw.log1p, [pos(3, 4)])],
    "abs": [(gw.abs, [away_from_zero(3, 4)])],
    "sign": [(gw.sign, [away_from_zero(3, 4)])],
    "clip": [(lambda x: gw.clip(x, -1.0, 1.0), [np.array([-1.7, -0.5, 0.2, 0.9, 1.6])])],
    "where": [(lambda x, y: gw.where(np.array([[True, False, True]]), x, y), [r(2, 3), r(3)])],
    # through float32 and back: a coarser step, since float32 rounding is ~1e-7
    "cast": [(lambda x: gw.cast(gw.cast(x, "float32"), "float64") * 2, [r(3)], {"eps": 1e-2, "rtol": 1e-4})],
    "matmul": [
        (gw.matmul, [r(4, 3), r(3, 5)]),
        (gw.matmul, [r(2, 4, 3), r(3, 5)]),
        (gw.matmul, [r(2, 1, 4, 3), r(3, 3, 2)]),
        (gw.matmul, [r(3), r(3, 2)]),
        (gw.matmul, [r(2, 3), r(3)]),
        (gw.matmul, [r(3), r(3)]),
        (gw.matmul, [r(2, 4, 3), r(3)]),
    ],
    "affine": [(gw.affine, [r(4, 3), r(3, 5), r(5)]), (gw.affine, [r(2, 4, 3), r(3, 2), r(2)])],
    "batch_norm_train": [
        (lambda x, g, b: gw.layers.normalization.batch_norm_train(x, g, b), [r(6, 3), pos(3), r(3)]),
        (lambda x, g, b: gw.layers.normalization.batch_norm_train(x, g, b, axis=1), [r(2, 3, 2, 2), pos(3), r(3)]),
    ],
    "dot": [
        (gw.dot, [r(2, 3, 2, 4), r(4)]),
        (gw.dot, [r(2, 3, 2, 4), r(4, 3)]),
        (gw.dot, [r(3), r(3)]),
        (gw.dot, [r(2, 3), r(2, 3, 2)]),
    ],
    "tensordot": [
        (lambda a, b: gw.tensordot(a, b, axes=1), [r(2, 3, 2, 4), r(4)]),
        (lambda a, b: gw.tensordot(a, b, axes=1), [r(2, 3, 2, 4), r(4, 3)]),
        (lambda a, b: gw.tensordot(a, b, axes=([1, 3], [2, 0])), [r(2, 3, 2, 4), r(4, 5, 3)]),
        (lambda a, b: gw.tensordot(a, b, axes=0), [r(2), r(3)]),
    ],
    "reshape": [(lambda x: gw.reshape(x, (3, -1)) * np.arange(4.0), [r(2, 6)])],
    "transpose": [
        (lambda x: gw.transpose(x) * np.arange(3.0)[:, None], [r(3, 4).T]),
        (lambda x: gw.transpose(x, (2, 0, 1)) * np.arange(4.0)[:, None, None], [r(2, 3, 4)]),
    ],
    "expand_dims": [(lambda x: gw.expand_dims(x, 1) * np.arange(2.0)[None, :, None], [r(3, 4)])],
    "squeeze": [(lambda x: gw.squeeze(x, 1) * np.arange(4.0), [r(3, 1, 4)]), (gw.squeeze, [r(1, 3, 1)])],
    "flatten": [(lambda x: gw.flatten(x) * np.arange(6.0), [r(2, 3)])],
    "concatenate": [(lambda a, b: gw.concatenate([a, b, a], axis=1), [r(2, 3), r(2, 1)])],
    "stack": [(lambda a, b: gw.stack([a, b], axis=1) * np.arange(2.0)[:, None], [r(3, 2), r(3, 2)])],
    "pad": [(lambda x: gw.pad(x, ((1, 0), (2, 1))) * np.arange(15.0).reshape(3, 5), [r(2, 2)])],
    "getitem": [
        (lambda x: x[1:, ::2], [r(4, 5)]),
        (lambda x: x[..., 1], [r(2, 3, 4)]),
        (lambda x: x[np.array([0, 2, 0, 0])], [r(3, 2)]),
        (lambda x: x[np.array([[True, False], [False, True], [True, True]])], [r(3, 2)]),
        (lambda x: x[[1, 1], :, None], [r(3, 2)]),
    ],
    "sum": [(gw.sum, [r(3, 4)]), (lambda x: gw.sum(x, axis=(0, 2), keepdims=True), [r(2, 3, 4)]),
            (lambda x: gw.reduce_sum(x, axis=-1), [r(2, 3)])],
    "mean": [(gw.mean, [r(3, 4)]), (lambda x: gw.mean(x, axis=1), [r(2, 3, 4)])],
    "max": [(gw.max, [distinct(3, 4)]), (lambda x: gw.max(x, axis=1, keepdims=True), [distinct(2, 3, 4)])],
    "min": [(gw.min, [distinct(3, 4)]), (lambda x: gw.reduce_min(x, axis=(0, 2)), [distinct(2, 3, 4)])],
    "prod": [(gw.prod, [pos(2, 3)]), (lambda x: gw.prod(x, axis=0), [r(3, 4)]),
             (lambda x: gw.prod(x, axis=1), [np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5], [1.0, 2.0, 0.5]])])],
    "var": [(gw.var, [r(3, 4)]), (lambda x: gw.var(x, axis=0, ddof=1), [r(4, 3)])],
    "std": [(lambda x: gw.std(x, axis=1), [r(3, 4)])],
    "logsumexp": [(gw.logsumexp, [r(3, 4)]), (lambda x: gw.logsumexp(x, axis=-1, keepdims=True), [r(2, 5)])],
    "sigmoid": [(gw.sigmoid, [r(3, 4, lo=-6, hi=6)])],
    "tanh": [(gw.tanh, [r(3, 4)])],
    "relu": [(gw.relu, [away_from_zero(3, 4)]),
             (lambda x: gw.relu(x, negative_slope=0.1, max_value=1.5, threshold=0.2),
              [np.array([-1.0, 0.0, 0.5, 1.0, 1.9])])],
    "leaky_relu": [(gw.leaky_relu, [away_from_zero(3, 4)]), (lambda x: gw.leaky_relu(x, alpha=0.01), [away_from_zero(5)])],
    "elu": [(gw.elu, [away_from_zero(3, 4)]), (lambda x: gw.elu(x, alpha=0.5), [away_from_zero(5)])],
    "selu": [(gw.selu, [away_from_zero(3, 4)])],
    "gelu": [(gw.gelu, [r(3, 4)]), (lambda x: gw.gelu(x, approximate=True), [r(3, 4)])],
    "softplus": [(gw.softplus, [r(3, 4)])],
    "softsign": [(gw.softsign, [away_from_zero(3, 4)])],
    "arctan": [(gw.arctan, [r(3, 4)])],
    "isru": [(gw.isru, [r(3, 4)]), (lambda x: gw.isru(x, alpha=0.3), [r(5)])],
    "swish": [(gw.swish, [r(3, 4)])],
    "silu": [(gw.silu, [r(3, 4)])],
    "hard_sigmoid": [(gw.hard_sigmoid, [np.array([-4.0, -2.0, 0.5, 2.9, 3.5])])],
    "linear": [(lambda x: gw.linear(x) * 3, [r(3)])],
    "binary_step": [(gw.binary_step, [away_from_zero(4)])],
    "softmax": [(gw.softmax, [r(3, 4)]), (lambda x: gw.softmax(x, axis=0), [r(3, 4)])],
    "log_softmax": [(gw.log_softmax, [r(3, 4)]), (lambda x: gw.log_softmax(x, axis=1), [r(2, 3, 4)])],
    "sparse_softmax_cross_entropy_with_logits": [
        (lambda z: gw.sparse_softmax_cross_entropy_with_logits(np.array([0, 3, 1]), z), [r(3, 4)])],
    "softmax_cross_entropy_with_logits": [
        (gw.softmax_cross_entropy_with_logits, [rng.dirichlet(np.ones(4), size=3), r(3, 4)])],
    "sigmoid_cross_entropy_with_logits": [
        (gw.sigmoid_cross_entropy_with_logits, [rng.uniform(0, 1, (3, 4)), r(3, 4, lo=-5, hi=5)])],
    "conv2d": [(lambda x, k, b: gw.conv2d(x, k, strides=(2, 1), padding="same", bias=b), [r(2, 5, 4, 3), r(3, 2, 3, 2), r(2)]),
               (lambda x, k: gw.conv2d(x, k, dilation_rate=2), [r(1, 6, 5, 2), r(2, 2, 2, 3)])],
    "conv1d": [(lambda x, k, b: gw.conv1d(x, k, strides=2, padding="same", bias=b), [r(2, 7, 3), r(3, 3, 2), r(2)]),
               (lambda x, k: gw.conv1d(x, k, padding="causal", dilation_rate=2), [r(1, 6, 2), r(2, 2, 2)])],
    "max_pool2d": [(lambda x: gw.max_pool2d(x, 2), [distinct(2, 4, 5, 3)]),
                   (lambda x: gw.max_pool2d(x, 3, 2, "same"), [distinct(1, 5, 5, 2)])],
    "min_pool2d": [(lambda x: gw.min_pool2d(x, 2, 1), [distinct(1, 4, 4, 2)])],
    "avg_pool2d": [(lambda x: gw.avg_pool2d(x, 2), [r(2, 4, 5, 3)]),
                   (lambda x: gw.avg_pool2d(x, 3, 2, "same"), [r(1, 5, 4, 2)])],
    "max_pool1d": [(lambda x: gw.max_pool1d(x, 3, 2, "same"), [distinct(2, 7, 2)])],
    "avg_pool1d": [(lambda x: gw.avg_pool1d(x, 2), [r(2, 6, 3)])],
    # their own generator (r_), so the draws of the cases above and of the tests below stay as they were
    "conv2d_transpose": [
        (lambda x, k, b: gw.conv2d_transpose(x, k, strides=2, padding="same", bias=b),
         [r_(2, 3, 4, 3), r_(3, 2, 2, 3), r_(2)]),
        (lambda x, k: gw.conv2d_transpose(x, k, strides=(3, 2), output_padding=(2, 1)),
         [r_(1, 3, 3, 2), r_(2, 3, 3, 2)])],
    "depthwise_conv2d": [
        (lambda x, k, b: gw.depthwise_conv2d(x, k, strides=2, padding="same", bias=b),
         [r_(2, 5, 4, 3), r_(3, 2, 3, 2), r_(6)]),
        (lambda x, k: gw.depthwise_conv2d(x, k, dilation_rate=2), [r_(1, 6, 5, 2), r_(2, 2, 2, 1)])],
}

NO_GRADIENT = {"argmax", "argmin"}


def test_every_registered_op_has_a_gradient_case():
    missing = sorted(set(OPS) - set(CASES) - NO_GRADIENT)
    assert not missing, f"ops without a gradient test: {missing}"


@pytest.mark.parametrize(
    "name,fn,inputs",
    [(name, case[0], case[1:]) for name, cases in CASES.items() for case in cases],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_gradient_matches_finite_differences(name, fn, inputs):
    inputs, options = inputs[0], (inputs[1] if len(inputs) > 1 else {})
    assert check_gradients(fn, inputs, **options) is True


@pytest.mark.parametrize("name", sorted(NO_GRADIENT))
def test_index_ops_have_no_gradient(name):
    x = gw.Variable([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    out = OPS[name](x, axis=1)
    assert not out.requires_grad and out.dtype.kind == "i"
    expected = np.argmax(x.numpy(), 1) if name == "argmax" else np.argmin(x.numpy(), 1)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_forward_values_match_numpy():
    a, b = r(2, 3, 4), r(4, 5)
    np.testing.assert_allclose(gw.dot(a, b).numpy(), np.dot(a.astype(np.float32), b.astype(np.float32)), rtol=1e-5)
    np.testing.assert_allclose(gw.tensordot(a, b, axes=1).numpy(), np.tensordot(a, b, 1), rtol=1e-5)
    np.testing.assert_allclose(gw.prod(np.array([[0.0, 2.0], [3.0, 4.0]]), axis=0).numpy(), [0.0, 8.0])
    np.testing.assert_allclose(gw.std(a, axis=1).numpy(), a.std(axis=1), rtol=1e-5)
    assert gw.dot(r(2, 3, 2, 4), r(4)).shape == (2, 3, 2)
    assert gw.dot(r(2, 3, 2, 4), r(4, 7)).shape == (2, 3, 2, 7)


def test_tie_conventions_follow_pytorch():
    """relu'(0) = 0, abs'(0) = 0, maximum splits ties, max shares among ties, clip passes at bounds."""
    x = gw.Variable([0.0, 1.0, 1.0, -2.0])
    with gw.GradientTape(persistent=True) as tape:
        relu = gw.reduce_sum(gw.relu(x))
        absx = gw.reduce_sum(gw.abs(x))
        maxi = gw.reduce_sum(gw.maximum(x, gw.constant([0.0, 2.0, 1.0, -3.0])))
        top = gw.reduce_max(x)
        clipped = gw.reduce_sum(gw.clip(x, -2.0, 1.0))
    np.testing.assert_array_equal(tape.gradient(relu, x).numpy(), [0, 1, 1, 0])
    np.testing.assert_array_equal(tape.gradient(absx, x).numpy(), [0, 1, 1, -1])
    np.testing.assert_array_equal(tape.gradient(maxi, x).numpy(), [0.5, 0, 0.5, 1])
    np.testing.assert_array_equal(tape.gradient(top, x).numpy(), [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(tape.gradient(clipped, x).numpy(), [1, 1, 1, 1])


def test_fused_sparse_cross_entropy_equals_its_formula():
    z = r(5, 4)
    y = np.array([0, 3, 1, 1, 2])
    loss = gw.sparse_softmax_cross_entropy_with_logits(y, z).numpy()
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(loss, -np.log(p[np.arange(5), y]), rtol=1e-5)
    logits = gw.Variable(z)
    with gw.GradientTape() as tape:
        total = gw.reduce_sum(gw.sparse_softmax_cross_entropy_with_logits(y, logits))
    np.testing.assert_allclose(tape.gradient(total, logits).numpy(), p - np.eye(4)[y], atol=1e-6)


def test_confident_wrong_prediction_gives_large_finite_loss():
    z = np.array([[1000.0, -1000.0]], dtype=np.float32)
    sparse = gw.sparse_softmax_cross_entropy_with_logits(np.array([1]), z).numpy()
    binary = gw.sigmoid_cross_entropy_with_logits(np.array([[0.0, 1.0]]), z).numpy()
    assert np.isfinite(sparse).all() and sparse[0] == pytest.approx(2000.0)
    assert np.isfinite(binary).all() and binary[0, 0] == pytest.approx(1000.0)
