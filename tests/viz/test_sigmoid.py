"""Seed 003 §2.3: the weight sets the sigmoid's slope, the bias moves where it switches on."""

import numpy as np
import pytest

import gradwise as gw


def test_weight_changes_the_slope_at_zero():
    data = gw.viz.sigmoid_curves(x=[-0.01, 0.0, 0.01])
    assert list(data["weight"]) == [0.5, 1.0, 2.0]
    slopes = {w: (y[2] - y[0]) / 0.02 for w, y in data["weight"].items()}
    for w, slope in slopes.items():  # σ'(0) = 1/4, times w
        assert slope == pytest.approx(w / 4, rel=1e-3)
        assert data["weight"][w][1] == pytest.approx(0.5)


def test_bias_shifts_the_switch_to_minus_b_over_w():
    data = gw.viz.sigmoid_curves()
    x = data["x"]
    assert x[0] == -8 and len(x) == 160  # the seed's np.arange(-8, 8, 0.1)
    for b, y in data["bias"].items():
        np.testing.assert_allclose(y, 1 / (1 + np.exp(-(5 * x + b))), rtol=1e-12)
        switch = x[np.argmin(abs(y - 0.5))]
        assert switch == pytest.approx(-b / 5, abs=0.051)


def test_plot_has_the_two_panels():
    pytest.importorskip("matplotlib")
    fig = gw.viz.plot_sigmoid()
    weight_ax, bias_ax = fig.axes
    assert [line.get_label() for line in weight_ax.get_lines()] == ["w = 0.5", "w = 1", "w = 2"]
    assert [line.get_label() for line in bias_ax.get_lines()] == ["b = -8", "b = 0", "b = 8"]
