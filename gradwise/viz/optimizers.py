"""Optimizer paths on a 2-D loss surface, and what the learning rate does (seeds 000, 002, 004).

    gw.viz.plot_optimizers(path="optimizers.png")        # SGD, momentum, Nesterov, AdaGrad, ...
    gw.viz.plot_learning_rates(path="learning-rates.png")  # too small, good, too large

Every path is made by gradwise's own optimizers: two scalar `gw.Variable`s (x, y), the loss
computed under a GradientTape, `optimizer.apply_gradients` once per step, the position
recorded after each step.
"""

import numpy as np

from . import _mpl


def elongated_bowl(x, y):
    """x²/20 + y²: a valley twenty times flatter along x than along y; minimum 0 at (0, 0).

    Plain gradient descent zigzags across it; momentum and the adaptive methods do better.
    Works on gradwise tensors and on NumPy arrays alike.
    """
    return x * x / 20 + y * y


def bowl(x, y):
    """(x² + 2y²) / 2: a mildly elongated bowl, minimum 0 at (0, 0).

    Gradient descent on it is stable for learning rates below 1 (the y direction has
    curvature 2, so a step of lr > 1 overshoots by more than it corrects).
    """
    return (x * x + 2 * y * y) / 2


def default_optimizers():
    """{label: optimizer} with learning rates that suit `elongated_bowl` from (-7, 2)."""
    import gradwise as gw

    opt = gw.optimizers
    return {
        "SGD": opt.SGD(learning_rate=0.9),
        "Momentum": opt.SGD(learning_rate=0.08, momentum=0.9),
        "Nesterov": opt.SGD(learning_rate=0.08, momentum=0.9, nesterov=True),
        "AdaGrad": opt.Adagrad(learning_rate=1.5),
        "RMSprop": opt.RMSprop(learning_rate=0.25),
        "AdaDelta": opt.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-2),
        "Adam": opt.Adam(learning_rate=0.3),
    }


def descend(optimizer, loss=elongated_bowl, start=(-7.0, 2.0), steps=40):
    """Run `steps` updates of `optimizer` on loss(x, y) from `start`; return the (steps+1, 2) path."""
    import gradwise as gw

    x = gw.Variable(float(start[0]), dtype="float64", name="x")
    y = gw.Variable(float(start[1]), dtype="float64", name="y")
    path = [(float(x), float(y))]
    for _ in range(int(steps)):
        with gw.GradientTape() as tape:
            value = loss(x, y)
        grads = tape.gradient(value, [x, y])
        optimizer.apply_gradients(zip(grads, [x, y]))
        path.append((float(x), float(y)))
    return np.array(path)


def optimizer_paths(optimizers=None, loss=elongated_bowl, start=(-7.0, 2.0), steps=40):
    """{label: (steps+1, 2) array of positions} for each optimizer (default: default_optimizers())."""
    optimizers = default_optimizers() if optimizers is None else optimizers
    return {name: descend(opt, loss, start, steps) for name, opt in optimizers.items()}


DEFAULT_RATES = {"too small": 0.02, "good": 0.4, "too large": 1.05}


def learning_rate_paths(rates=None, loss=bowl, start=(-4.0, 3.0), steps=20):
    """{label: {"learning_rate", "path"}} for plain SGD with each learning rate.

    The defaults on `bowl`: 0.02 crawls (after 20 steps it is still far from the minimum),
    0.4 reaches the minimum, 1.05 overshoots further at every step and diverges.
    """
    import gradwise as gw

    rates = DEFAULT_RATES if rates is None else rates
    return {label: {"learning_rate": float(lr),
                    "path": descend(gw.optimizers.SGD(learning_rate=float(lr)), loss, start, steps)}
            for label, lr in rates.items()}


def _contours(ax, loss, paths, pad=1.0, limits=None):
    pts = np.concatenate([p for p in paths])
    if limits is None:
        lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
    else:
        lo, hi = np.array(limits[0], float), np.array(limits[1], float)
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    ax.contour(gx, gy, loss(gx, gy), levels=20, colors="0.75", linewidths=0.7)
    ax.plot(0, 0, "k+", ms=12, mew=2)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def plot_optimizers(optimizers=None, loss=elongated_bowl, start=(-7.0, 2.0), steps=40, path=None):
    """One panel per optimizer: its path over the contours of `loss` (minimum marked +).

    Returns the Figure; `fig.gradwise_data` is `optimizer_paths(...)`.
    """
    _mpl.require()
    paths = optimizer_paths(optimizers, loss, start, steps)
    ncols = min(4, len(paths))
    nrows = -(-len(paths) // ncols)
    fig = _mpl.figure(figsize=(4.2 * ncols, 3.2 * nrows))
    limits = ((-8, -3), (8, 3)) if loss is elongated_bowl else None
    for i, (name, p) in enumerate(paths.items()):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        _contours(ax, loss, [p], limits=limits)
        ax.plot(p[:, 0], p[:, 1], "o-", ms=3, color="tab:red")
        ax.set_title(f"{name}: loss {float(loss(*p[-1])):.2g} after {len(p) - 1} steps", fontsize=9)
    fig.tight_layout()
    return _mpl.finish(fig, paths, path)


def plot_learning_rates(rates=None, loss=bowl, start=(-4.0, 3.0), steps=20, path=None):
    """Plain SGD with a too small, a good and a too large learning rate, side by side.

    Returns the Figure; `fig.gradwise_data` is `learning_rate_paths(...)`.
    """
    _mpl.require()
    runs = learning_rate_paths(rates, loss, start, steps)
    fig = _mpl.figure(figsize=(4.5 * len(runs), 4))
    reach = np.abs(np.array(start, float)).max() + 1
    for i, (label, run) in enumerate(runs.items()):
        ax = fig.add_subplot(1, len(runs), i + 1)
        p = run["path"]
        _contours(ax, loss, [p], limits=((-reach, -reach), (reach, reach)))
        ax.plot(p[:, 0], p[:, 1], "o-", ms=3, color="tab:red")
        ax.set_title(f"{label}: lr = {run['learning_rate']:g}\nloss {float(loss(*p[0])):.3g} → "
                     f"{float(loss(*p[-1])):.3g} in {len(p) - 1} steps", fontsize=9)
    fig.tight_layout()
    return _mpl.finish(fig, runs, path)
