"""Stable forms: finite values and gradients at ±1000 in float32 and float64, no warnings."""

import warnings

import numpy as np
import pytest

import gradwise as gw

EXTREMES = [-1000.0, -50.0, 0.0, 50.0, 1000.0]
FUNCS = {
    "sigmoid": (gw.sigmoid, lambda x: np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))),
    "tanh": (gw.tanh, np.tanh),
    "softplus": (gw.softplus, lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))),
    "softmax": (gw.softmax, None),
    "log_softmax": (gw.log_softmax, None),
    "logsumexp": (gw.logsumexp, None),
    "elu": (gw.elu, None),
    "selu": (gw.selu, None),
    "swish": (gw.swish, None),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_finite_values_and_gradients_at_extremes(name, dtype):
    fn, reference = FUNCS[name]
    x = gw.Variable(np.array(EXTREMES), dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow/invalid warning fails the test
        with gw.GradientTape() as tape:
            y = fn(x)
            total = gw.reduce_sum(y * np.arange(1.0, 6.0))
        g = tape.gradient(total, x)
    assert y.dtype == np.dtype(dtype) and g.dtype == np.dtype(dtype)
    assert np.isfinite(y.numpy()).all() and np.isfinite(g.numpy()).all()
    if reference is not None:
        np.testing.assert_allclose(y.numpy(), reference(np.array(EXTREMES)), rtol=1e-6)


def test_exact_values_at_extremes():
    x = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(gw.sigmoid(x).numpy(), [0.0, 1.0])
    np.testing.assert_allclose(gw.softplus(x).numpy(), [0.0, 1000.0])
    np.testing.assert_allclose(gw.log_softmax(x).numpy(), [-2000.0, 0.0])
    np.testing.assert_allclose(gw.logsumexp(x).numpy(), 1000.0)
    np.testing.assert_allclose(gw.softmax(x).numpy(), [0.0, 1.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_on_mixed_signs_equals_the_branching_formula_exactly(dtype):
    # the two stable branches are joined by masks, not np.where: the join must be exact
    x = np.random.default_rng(0).normal(scale=20, size=(64, 33)).astype(dtype)
    e = np.exp(-np.abs(x))
    branching = np.where(x >= 0, 1 / (1 + e), e * (1 / (1 + e)))
    np.testing.assert_array_equal(gw.sigmoid(gw.constant(x, dtype=dtype)).numpy(), branching)


def test_sigmoid_keeps_nan_and_infinities():
    y = gw.sigmoid(np.array([np.nan, np.inf, -np.inf], np.float32)).numpy()
    assert np.isnan(y[0]) and y[1] == 1.0 and y[2] == 0.0


@pytest.mark.parametrize("make", [
    lambda a: a,                      # C-contiguous: compared against a cached zero array
    lambda a: a[:, ::2],              # strided view: compared against a scalar zero
    lambda a: a.T,                    # Fortran order
])
def test_relu_matches_max_zero_on_any_layout_and_leaves_its_zero_buffer_untouched(make):
    rng = np.random.default_rng(1)
    for shape in [(5, 8), (300, 40), (7, 2)]:  # growing, then a smaller view of the same buffer
        a = make(rng.normal(size=shape).astype("float32"))
        a[0, 0] = np.nan
        out = gw.relu(a).numpy()
        expected = np.maximum(a, 0)
        np.testing.assert_array_equal(out, expected)
        assert out.dtype == a.dtype
    big = gw.relu(-np.ones((50, 50), "float32")).numpy()
    big[...] = 5.0  # writing into a result must not reach any shared zeros
    assert not gw.relu(-np.ones((50, 50), "float32")).numpy().any()
