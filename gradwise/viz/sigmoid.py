"""A sigmoid neuron h(x) = σ(w·x + b): the weight sets the slope, the bias shifts it (seed 003 §2.3).

    gw.viz.plot_sigmoid(path="sigmoid.png")

The seed's two plots, computed with gw.sigmoid: w = 0.5, 1, 2 with no bias ("the effect of
the weight"), then w = 5 with b = -8, 0, 8 ("the effect of the bias": the neuron switches on
at x = -b / w).
"""

import numpy as np

from . import _mpl


def sigmoid_curves(weights=(0.5, 1.0, 2.0), biases=(-8.0, 0.0, 8.0), bias_weight=5.0, x=None):
    """{"x", "weight": {w: σ(w x)}, "bias": {b: σ(bias_weight x + b)}, "bias_weight"}.

    x defaults to the seed's np.arange(-8, 8, 0.1).
    """
    import gradwise as gw

    xs = np.arange(-8, 8, 0.1) if x is None else np.asarray(x, dtype=np.float64)
    xt = gw.constant(xs, dtype="float64")
    by_weight = {float(w): gw.sigmoid(xt * float(w)).numpy() for w in weights}
    by_bias = {float(b): gw.sigmoid(xt * float(bias_weight) + float(b)).numpy() for b in biases}
    return {"x": xs, "weight": by_weight, "bias": by_bias, "bias_weight": float(bias_weight)}


def plot_sigmoid(weights=(0.5, 1.0, 2.0), biases=(-8.0, 0.0, 8.0), bias_weight=5.0, path=None):
    """Two panels: σ(w x) for each weight, then σ(bias_weight · x + b) for each bias.

    Returns the Figure; `fig.gradwise_data` is `sigmoid_curves(...)` with the same arguments.
    """
    _mpl.require()
    data = sigmoid_curves(weights, biases, bias_weight)
    fig = _mpl.figure(figsize=(11, 4))
    ax = fig.add_subplot(1, 2, 1)
    for w, y in data["weight"].items():
        ax.plot(data["x"], y, label=f"w = {w:g}")
    ax.set(xlabel="x", ylabel="h_w(x)", title="The effect of the weight: σ(w·x)")
    ax.legend(loc=2)
    ax = fig.add_subplot(1, 2, 2)
    for b, y in data["bias"].items():
        ax.plot(data["x"], y, label=f"b = {b:g}")
    ax.set(xlabel="x", ylabel="h_wb(x)", title=f"The effect of the bias: σ({bias_weight:g}·x + b)")
    ax.legend(loc=2)
    return _mpl.finish(fig, data, path)
