"""Optimizer paths made by gradwise's own optimizers, and the three learning rates."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.viz.optimizers import bowl, elongated_bowl


@pytest.fixture(scope="module")
def paths():
    return gw.viz.optimizer_paths()


def test_seven_optimizers_start_at_the_start_and_go_downhill(paths):
    assert list(paths) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "AdaDelta", "Adam"]
    start_loss = elongated_bowl(-7.0, 2.0)
    for name, p in paths.items():
        assert p.shape == (41, 2), name
        assert p[0].tolist() == [-7.0, 2.0], name
        assert elongated_bowl(*p[-1]) < 0.02 * start_loss, name


def test_first_sgd_step_is_minus_lr_times_the_gradient(paths):
    # grad of x²/20 + y² at (-7, 2) is (-0.7, 4); lr 0.9
    np.testing.assert_allclose(paths["SGD"][1], [-7 + 0.9 * 0.7, 2 - 0.9 * 4])


def test_momentum_builds_up_speed(paths):
    steps = np.linalg.norm(np.diff(paths["Momentum"][:6], axis=0), axis=1)
    assert np.all(np.diff(steps[:3]) > 0)


def test_learning_rates_too_small_good_too_large():
    runs = gw.viz.learning_rate_paths()
    assert list(runs) == ["too small", "good", "too large"]
    for run in runs.values():
        assert run["path"][0].tolist() == [-4.0, 3.0]
    start = bowl(-4.0, 3.0)
    assert np.linalg.norm(runs["good"]["path"][-1]) < 1e-3
    assert 0.2 * start < bowl(*runs["too small"]["path"][-1]) < start
    assert bowl(*runs["too large"]["path"][-1]) > 10 * start


def test_custom_optimizers_and_surface():
    paths = gw.viz.optimizer_paths({"mine": gw.optimizers.SGD(0.1)}, loss=bowl, start=(1.0, 1.0), steps=3)
    np.testing.assert_allclose(paths["mine"][:, 0], 0.9 ** np.arange(4))  # x_i = (1 - a)^i x_0 (seed 004)


def test_plots_keep_the_paths():
    pytest.importorskip("matplotlib")
    fig = gw.viz.plot_optimizers(steps=5)
    assert len(fig.axes) == 7 and fig.gradwise_data["Adam"].shape == (6, 2)
    line = fig.axes[0].get_lines()[-1]
    np.testing.assert_allclose(line.get_xdata(), fig.gradwise_data["SGD"][:, 0])
    fig = gw.viz.plot_learning_rates(steps=5)
    assert [ax.get_title().split(":")[0] for ax in fig.axes] == ["too small", "good", "too large"]
