"""Seed 004's activation table: the derivative curve, taken by GradientTape, equals the
derivative written on paper (an independent NumPy formula for each)."""

import numpy as np
import pytest

import gradwise as gw

SELU_L, SELU_A = 1.0507009873554805, 1.6732632423543772


def sig(x):
    return 1 / (1 + np.exp(-x))


# name: (f, f') written from the seed's table, not from gradwise
EXACT = {
    "identity": (lambda x: x, lambda x: np.ones_like(x)),
    "binary_step": (lambda x: (x >= 0).astype(float), lambda x: np.zeros_like(x)),
    "sigmoid": (sig, lambda x: sig(x) * (1 - sig(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "arctan": (np.arctan, lambda x: 1 / (x**2 + 1)),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    "isru": (lambda x: x / np.sqrt(1 + x**2), lambda x: (1 / np.sqrt(1 + x**2)) ** 3),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (lambda x: np.where(x < 0, 0.01 * x, x), lambda x: np.where(x < 0, 0.01, 1.0)),
    "prelu": (lambda x: np.where(x < 0, 0.25 * x, x), lambda x: np.where(x < 0, 0.25, 1.0)),
    "elu": (lambda x: np.where(x < 0, np.exp(x) - 1, x), lambda x: np.where(x < 0, (np.exp(x) - 1) + 1, 1.0)),
    "selu": (lambda x: SELU_L * np.where(x < 0, SELU_A * (np.exp(x) - 1), x),
             lambda x: SELU_L * np.where(x < 0, SELU_A * np.exp(x), 1.0)),
    "softplus": (lambda x: np.log1p(np.exp(x)), sig),
}


@pytest.fixture(scope="module")
def curves():
    return gw.viz.activation_curves()


def test_all_thirteen_of_the_table(curves):
    assert list(curves) == list(EXACT)


@pytest.mark.parametrize("name", list(EXACT))
def test_autodiff_derivative_equals_the_formula(curves, name):
    c = curves[name]
    f, df = EXACT[name]
    assert c["x"].min() == -4 and c["x"].max() == 4 and not np.any(c["x"] == 0)
    np.testing.assert_allclose(c["y"], f(c["x"]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c["dy"], df(c["x"]), rtol=1e-12, atol=1e-12)


def test_custom_points_and_unknown_names():
    c = gw.viz.activation_curves(["sigmoid"], x=[0.0])["sigmoid"]
    assert c["y"].tolist() == [0.5] and c["dy"].tolist() == [0.25]
    with pytest.raises(ValueError, match="Unknown activation"):
        gw.viz.activation_curves(["swishy"])


def test_plot_draws_function_and_derivative():
    pytest.importorskip("matplotlib")
    fig = gw.viz.plot_activations(["tanh", "relu"])
    assert len(fig.axes) == 2
    f_line, df_line = fig.axes[0].get_lines()[-2:]
    np.testing.assert_allclose(df_line.get_ydata(), fig.gradwise_data["tanh"]["dy"])
    assert "tanh" in fig.axes[0].get_title()
