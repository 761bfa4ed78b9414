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
