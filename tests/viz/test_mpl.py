"""matplotlib is optional: without it every plotting function says how to install it, and
the data functions still work."""

import sys

import pytest

import gradwise as gw
from gradwise.viz import _mpl

PLOTTERS = [
    lambda: gw.viz.plot_history({"loss": [1.0, 0.5]}),
    lambda: gw.viz.plot_images([[0, 1], [1, 0]], [3]),
    lambda: gw.viz.plot_activations(["relu"]),
    lambda: gw.viz.plot_sigmoid(),
    lambda: gw.viz.plot_optimizers(steps=2),
    lambda: gw.viz.plot_learning_rates(steps=2),
    lambda: gw.viz.plot_geometry(),
    lambda: gw.viz.draw_graph("digraph { a -> b; }"),
    lambda: gw.viz.render_graph("digraph { a -> b; }", "never.png", method="matplotlib"),
]


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make `import matplotlib` fail, as on a machine without it."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)


@pytest.mark.parametrize("plot", PLOTTERS)
def test_plotting_without_matplotlib_names_the_extra(no_matplotlib, plot):
    with pytest.raises(ImportError, match=r'pip install "gradwise\[plot\]"'):
        plot()


def test_the_error_is_a_gradwise_error_and_an_import_error(no_matplotlib):
    with pytest.raises(gw.viz.MatplotlibMissingError) as info:
        _mpl.require()
    assert isinstance(info.value, ImportError) and isinstance(info.value, gw.errors.GradwiseError)


def test_data_functions_need_no_matplotlib(no_matplotlib):
    assert set(gw.viz.activation_curves(["relu"])) == {"relu"}
    assert gw.viz.optimizer_paths(steps=1)["SGD"].shape == (2, 2)
    assert "affine" in gw.viz.transform_points()["points"]
    tape, loss, names = gw.viz.chain_rule_example()
    assert "grad 2" in gw.viz.graph(tape, names=names)
