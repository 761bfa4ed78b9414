"""Every activation of seed 004's table with its derivative, the derivative taken by autodiff.

    gw.viz.plot_activations(path="activations.png")
    curves = gw.viz.activation_curves()      # {"sigmoid": {"x", "y", "dy", ...}, ...}

Each curve is computed with gradwise's own ops on a float64 Variable, and `dy` is
`tape.gradient(f(x), x)`: since f acts element by element, the gradient of sum(f(x)) is
f'(x_i) at every point, so the dashed curve is what backpropagation would use.
"""

import numpy as np

from . import _mpl

PRELU_ALPHA = 0.25  # PReLU learns its slope; 0.25 is the usual starting value (He et al.)


def _prelu(gw):
    # PReLU(x) = x for x >= 0, alpha x otherwise, with alpha a trainable Variable:
    # relu(x) - alpha * relu(-x), so autodiff gives d/dx (and d/d alpha) with no new op
    alpha = gw.Variable(PRELU_ALPHA, dtype="float64", name="alpha")
    return lambda x: gw.relu(x) - alpha * gw.relu(-x)


def table(gw):
    """[(key, title, function of a Tensor, formula, derivative formula)] in seed 004's order."""
    act = gw.activations
    return [
        ("identity", "Identity", act.linear, "f(x) = x", "f'(x) = 1"),
        ("binary_step", "Binary step", act.binary_step, "f(x) = 0 (x < 0), 1 (x ≥ 0)", "f'(x) = 0 (x ≠ 0)"),
        ("sigmoid", "Logistic sigmoid", act.sigmoid, "f(x) = 1 / (1 + e^-x)", "f'(x) = f(x)(1 - f(x))"),
        ("tanh", "tanh", act.tanh, "f(x) = tanh(x)", "f'(x) = 1 - f(x)²"),
        ("arctan", "arctan", act.arctan, "f(x) = tan⁻¹(x)", "f'(x) = 1 / (x² + 1)"),
        ("softsign", "Softsign", act.softsign, "f(x) = x / (1 + |x|)", "f'(x) = 1 / (1 + |x|)²"),
        ("isru", "ISRU (α = 1)", act.isru, "f(x) = x / √(1 + αx²)", "f'(x) = (1 / √(1 + αx²))³"),
        ("relu", "ReLU", act.relu, "f(x) = max(0, x)", "f'(x) = 0 (x < 0), 1 (x > 0)"),
        ("leaky_relu", "Leaky ReLU (0.01)", lambda x: act.leaky_relu(x, 0.01),
         "f(x) = 0.01x (x < 0), x (x ≥ 0)", "f'(x) = 0.01 (x < 0), 1 (x > 0)"),
        ("prelu", f"PReLU (α = {PRELU_ALPHA}, learned)", _prelu(gw),
         "f(x) = αx (x < 0), x (x ≥ 0)", "f'(x) = α (x < 0), 1 (x > 0)"),
        ("elu", "ELU (α = 1)", act.elu, "f(x) = α(eˣ - 1) (x < 0), x (x ≥ 0)",
         "f'(x) = f(x) + α (x < 0), 1 (x > 0)"),
        ("selu", "SELU", act.selu, "f(x) = λ·elu(x, α), λ ≈ 1.0507, α ≈ 1.6733",
         "f'(x) = λαeˣ (x < 0), λ (x > 0)"),
        ("softplus", "Softplus", act.softplus, "f(x) = ln(1 + eˣ)", "f'(x) = 1 / (1 + e^-x)"),
    ]


NAMES = ("identity", "binary_step", "sigmoid", "tanh", "arctan", "softsign", "isru", "relu",
         "leaky_relu", "prelu", "elu", "selu", "softplus")


def activation_curves(names=None, x=None):
    """f(x) and f'(x) for each activation, f' from GradientTape.

    Args:
        names: which activations (keys of NAMES); default all thirteen.
        x: the points; default 400 points on [-4, 4] (none at exactly 0, where ReLU-like
            functions have a kink and the derivative is a convention).

    Returns:
        {name: {"title", "formula", "derivative", "x", "y", "dy"}} with float64 arrays.
    """
    import gradwise as gw

    rows = {row[0]: row for row in table(gw)}
    names = list(NAMES if names is None else names)
    unknown = [n for n in names if n not in rows]
    if unknown:
        raise ValueError(f"Unknown activation {unknown}; choose from {', '.join(NAMES)}.")
    xs = np.linspace(-4.0, 4.0, 400) if x is None else np.asarray(x, dtype=np.float64)
    curves = {}
    for name in names:
        _, title, fn, formula, derivative = rows[name]
        xv = gw.Variable(xs, dtype="float64", name="x")
        with gw.GradientTape() as tape:
            y = fn(xv)
        dy = tape.gradient(y, xv, unconnected_gradients="zero")
        curves[name] = {"title": title, "formula": formula, "derivative": derivative,
                        "x": xs.copy(), "y": np.asarray(y.numpy(), dtype=np.float64),
                        "dy": np.asarray(dy.numpy(), dtype=np.float64)}
    return curves


def plot_activations(names=None, ncols=4, path=None):
    """One panel per activation: f(x) solid, f'(x) (by autodiff) dashed, formulas in the title.

    Returns the Figure; `fig.gradwise_data` is `activation_curves(names)`.
    """
    _mpl.require()
    curves = activation_curves(names)
    n = len(curves)
    ncols = min(int(ncols), n)
    nrows = -(-n // ncols)
    fig = _mpl.figure(figsize=(3.6 * ncols, 3.0 * nrows))
    for i, c in enumerate(curves.values()):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.plot(c["x"], c["y"], label="f(x)")
        ax.plot(c["x"], c["dy"], "--", label="f'(x) (autodiff)")
        ax.set_title(f"{c['title']}\n{c['formula']}", fontsize=9)
        ax.set_xlabel(c["derivative"], fontsize=8)
        if i == 0:
            ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return _mpl.finish(fig, curves, path)
