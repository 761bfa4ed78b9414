"""SPEC §2: gradients and optimization (seed 000 §2.4, seed 002, seed 003 §4, seed 004)."""

import numpy as np

import gradwise as gw
from gradwise import classic

from ..registry import claim, near


def _df(x):
    """f(x) = x^4 - 3x^3 + 2  ->  f'(x) = 4x^3 - 9x^2 (seed 003 §4.1)."""
    return 4 * x**3 - 9 * x**2


@claim("gd-1d", "003 §4.1", "minimise x^4 - 3x^3 + 2 from x = 6, step 0.01, precision 1e-5 (hand-written f')",
       expected=2.249965, tolerance=5e-7)
def _(c):
    x = classic.gradient_descent(_df, 6.0, learning_rate=0.01, precision=1e-5)
    return round(x, 6), near(x, c.expected, c.tolerance)


@claim("gd-1d-tape", "003 §4.1", "the same descent with f'(x) from a GradientTape instead of the formula",
       expected=2.249965, tolerance=5e-7)
def _(c):
    def df(x):
        x = gw.Variable(x, dtype="float64")
        with gw.GradientTape() as tape:
            y = x**4 - 3 * x**3 + 2
        return float(tape.gradient(y, x))

    x = classic.gradient_descent(df, 6.0, learning_rate=0.01, precision=1e-5)
    return round(x, 6), near(x, c.expected, c.tolerance)


@claim("bowl-gradient", "004",
       "f(x, y) = (x^2 + y^2) / 2: gradient at (1, 2) by GradientTape and by central differences",
       expected=[1.0, 2.0], tolerance=1e-6, expected_text="(1, 2)")
def _(c):
    p = gw.Variable([1.0, 2.0], dtype="float64")
    with gw.GradientTape() as tape:
        f = gw.sum(p**2) / 2
    tape_grad = tape.gradient(f, p).numpy()
    numeric = classic.numerical_gradient(classic.half_squared_norm, [1.0, 2.0])
    return tape_grad, near(tape_grad, c.expected, c.tolerance) and near(numeric, c.expected, c.tolerance)


@claim("bowl-descent", "004", "gradient descent on (x^2 + y^2) / 2 from (1, 2), a = 0.1: p_i = (1 - a)^i p_0",
       expected_text="p_20 = 0.9^20 (1, 2) = [0.121577,0.243153]", tolerance=1e-12)
def _(c):
    a, steps = 0.1, 20
    path = classic.gradient_descent_2d(classic.half_squared_norm_grad, [1.0, 2.0], a, steps)
    formula = np.array([(1 - a) ** i * np.array([1.0, 2.0]) for i in range(steps + 1)])
    return path[-1], near(path, formula, c.tolerance)


@claim("learning-rate", "004",
       "on the bowl: a = 2.5 diverges, a = 0.001 crawls, a = 0.5 converges (|p| after 50 steps)",
       expected_text="|p_50|: > |p_0|, > 0.9 |p_0|, < 1e-10", tolerance_text="as stated")
def _(c):
    def size_after(a, steps=50):
        path = classic.gradient_descent_2d(classic.half_squared_norm_grad, [1.0, 2.0], a, steps)
        return float(np.linalg.norm(path[-1]))

    start = np.hypot(1.0, 2.0)
    big, small, good = size_after(2.5), size_after(0.001), size_after(0.5)
    return f"{big:.3g}, {small:.3g}, {good:.3g}", big > start and small > 0.9 * start and good < 1e-10


def _two_scales(n=200):
    """A regression whose two features have very different scales (mean 5 sd 1, mean 50 sd 10)."""
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(5, 1, n), rng.normal(50, 10, n)])
    y = 3 + 2 * X[:, 0] - 0.5 * X[:, 1] + rng.normal(0, 0.1, n)
    return X, y


def _best_step(X):
    """1 / L, L the largest curvature of the MSE: the largest safe constant step."""
    Xb = classic.add_ones_column(X)
    return 1.0 / np.linalg.eigvalsh(2.0 / len(X) * Xb.T @ Xb).max()


@claim("normalization", "004",
       "batch GD to ||w_t - w_t-1|| < 1e-8, each with its best step: raw vs standardised features",
       expected_text="standardised needs far fewer steps", tolerance_text="ratio >= 100x")
def _(c):
    X, y = _two_scales()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)  # subtract the mean, divide by the std
    cap = 20_000
    raw = classic.LinearRegression("batch", learning_rate=_best_step(X), epsilon=1e-8, max_iter=cap).fit(X, y)
    std = classic.LinearRegression("batch", learning_rate=_best_step(Xs), epsilon=1e-8, max_iter=cap).fit(Xs, y)
    raw_text = f"{raw.n_iter_}" if raw.converged_ else f"> {cap} (not converged)"
    return f"raw {raw_text} steps, standardised {std.n_iter_}", std.converged_ and raw.n_iter_ >= 100 * std.n_iter_


@claim("normal-equation-vs-gd", "004", "linear regression: w = (X^T X)^-1 X^T y vs batch gradient descent on the MSE",
       expected_text="the same w", tolerance=1e-4)
def _(c):
    X, y = _two_scales()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    exact = classic.LinearRegression("normal").fit(Xs, y).w_
    gd = classic.LinearRegression("batch", learning_rate=0.1, epsilon=1e-9, max_iter=20_000).fit(Xs, y)
    gap = float(np.max(np.abs(gd.w_ - exact)))
    return f"w = {np.round(exact, 4).tolist()}, max gap {gap:.1e}", gd.converged_ and gap <= c.tolerance


@claim("sgd-variants", "004, 002",
       "mini-batch (32) and one-sample SGD with a decaying step end near the normal equation",
       expected_text="near the exact w", tolerance=0.05)
def _(c):
    X, y = _two_scales()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    exact = classic.LinearRegression("normal").fit(Xs, y).w_
    gaps = {}
    for method in ("minibatch", "stochastic"):
        model = classic.LinearRegression(method, learning_rate=0.05, batch_size=32, decay=0.01, epsilon=1e-7,
                                         max_iter=5_000, random_state=0).fit(Xs, y)
        gaps[method] = float(np.max(np.abs(model.w_ - exact)))
    return ", ".join(f"{k} gap {v:.1e}" for k, v in gaps.items()), all(v <= c.tolerance for v in gaps.values())


# --- the optimizers of seed 004, written from its slides and compared with gradwise's ----------

_A = np.diag([1.0, 10.0])  # an elongated bowl L(w) = w^T A w / 2, gradient A w
_W0, _ETA, _ALPHA, _STEPS = np.array([1.0, 1.0]), 0.05, 0.9, 30


def _seed_path(rule):
    """The seed's update rules in plain NumPy; returns w after each step (for Nesterov, the
    look-ahead point w - alpha h, which is what Keras-style Nesterov stores)."""
    w, h, G, out = _W0.copy(), np.zeros(2), np.zeros(2), []
    eps = 1e-12
    for t in range(1, _STEPS + 1):
        if rule == "sgd":
            w = w - _ETA * (_A @ w)
        elif rule == "momentum":  # h_t = a h_t-1 + eta g_t ; w_t = w_t-1 - h_t
            h = _ALPHA * h + _ETA * (_A @ w)
            w = w - h
        elif rule == "nesterov":  # the gradient at the look-ahead point w - a h
            h = _ALPHA * h + _ETA * (_A @ (w - _ALPHA * h))
            w = w - h
        elif rule == "adagrad":  # G_t = G_t-1 + g^2 ; w -= eta / sqrt(G + eps) g
            g = _A @ w
            G = G + g**2
            w = w - _ETA / np.sqrt(G + eps) * g
        elif rule == "rmsprop":  # G_t = a G_t-1 + (1 - a) g^2
            g = _A @ w
            G = _ALPHA * G + (1 - _ALPHA) * g**2
            w = w - _ETA / np.sqrt(G + eps) * g
        elif rule == "adam":  # first and second moments, with the bias correction of Kingma & Ba
            g = _A @ w
            h = 0.9 * h + 0.1 * g
            G = 0.999 * G + 0.001 * g**2
            w = w - _ETA / (np.sqrt(G / (1 - 0.999**t)) + eps) * (h / (1 - 0.9**t))
        out.append(w - _ALPHA * h if rule == "nesterov" else w)
    return np.array(out)


def _gradwise_path(optimizer):
    w = gw.Variable(_W0, dtype="float64")
    out = []
    for _ in range(_STEPS):
        optimizer.apply_gradients([(gw.constant(_A @ w.numpy(), "float64"), w)])
        out.append(w.numpy().copy())
    return np.array(out)


_OPTIMIZERS = {
    "sgd": ("w_t = w_t-1 - eta g_t", lambda: gw.optimizers.SGD(_ETA)),
    "momentum": ("h_t = a h_t-1 + eta g_t; w_t = w_t-1 - h_t", lambda: gw.optimizers.SGD(_ETA, momentum=_ALPHA)),
    "nesterov": ("h_t = a h_t-1 + eta g(w - a h_t-1)",
                 lambda: gw.optimizers.SGD(_ETA, momentum=_ALPHA, nesterov=True)),
    "adagrad": ("G += g^2; w -= eta g / sqrt(G + eps)",
                lambda: gw.optimizers.Adagrad(_ETA, initial_accumulator_value=0.0, epsilon=1e-12)),
    "rmsprop": ("G = a G + (1 - a) g^2; w -= eta g / sqrt(G + eps)",
                lambda: gw.optimizers.RMSprop(_ETA, rho=_ALPHA, epsilon=1e-12)),
    "adam": ("h, G moments (+ bias correction, not on the slide)", lambda: gw.optimizers.Adam(_ETA, epsilon=1e-12)),
}


def _optimizer_claim(rule, formula, make):
    @claim(f"optimizer-{rule}", "004",
           f"gw's {rule} on an elongated bowl, 30 steps, vs the seed's update rule in NumPy",
           expected_text=formula, tolerance=1e-9)
    def _(c):
        gap = float(np.max(np.abs(_gradwise_path(make()) - _seed_path(rule))))
        return f"max gap {gap:.1e}", gap <= c.tolerance


for _rule, (_formula, _make) in _OPTIMIZERS.items():
    _optimizer_claim(_rule, _formula, _make)


@claim("momentum-naive-loop", "000 §2.4.3",
       "the seed's naive momentum loop (momentum 0.1) on the bowl, until loss <= 0.01, "
       "vs gw SGD(momentum=0.1, nesterov=True)", expected_text="the same path; loss <= 0.01 reached", tolerance=1e-12)
def _(c):
    learning_rate, momentum = 0.1, 0.1
    w, past_velocity, path = np.array([1.0, 2.0]), 0.0, []
    loss = classic.half_squared_norm(w)
    while loss > 0.01:  # the seed's loop, word for word apart from the names of the helpers
        gradient = classic.half_squared_norm_grad(w)
        velocity = past_velocity * momentum - learning_rate * gradient
        w = w + momentum * velocity - learning_rate * gradient
        past_velocity = velocity
        loss = classic.half_squared_norm(w)
        path.append(w)
    v = gw.Variable([1.0, 2.0], dtype="float64")
    optimizer = gw.optimizers.SGD(learning_rate, momentum=momentum, nesterov=True)
    gw_path = []
    for _ in path:
        optimizer.apply_gradients([(gw.constant(v.numpy(), "float64"), v)])  # the bowl's gradient is w itself
        gw_path.append(v.numpy().copy())
    gap = float(np.max(np.abs(np.array(gw_path) - np.array(path))))
    return f"{len(path)} steps, loss {loss:.4f}, max gap {gap:.1e}", loss <= 0.01 and gap <= c.tolerance


@claim("momentum-local-minimum", "000 §2.4.3",
       "f(x) = x^4 - 4x^2 + x from x = 2.5, step 0.01, 500 steps: plain GD vs momentum 0.9",
       expected=(1.347, -1.473), tolerance=5e-4,  # the roots of f'(x) = 4x^3 - 8x + 1
       expected_text="GD stuck at the local min 1.347; momentum reaches -1.473")
def _(c):
    def descend(momentum):
        x = gw.Variable(2.5, dtype="float64")
        optimizer = gw.optimizers.SGD(0.01, momentum=momentum)
        for _ in range(500):
            with gw.GradientTape() as tape:
                y = x**4 - 4 * x**2 + x
            optimizer.apply_gradients([(tape.gradient(y, x), x)])
        return float(x.numpy())

    got = (round(descend(0.0), 4), round(descend(0.9), 4))
    return got, near(got, c.expected, c.tolerance)
