"""Gradient descent on functions whose gradient we know (seeds 003 §4.1 and 004)."""

import warnings

import numpy as np


def gradient_descent(f_prime, x0, learning_rate=0.01, precision=1e-5, max_iter=100_000):
    """Minimise f from x0 by x_new = x_old - learning_rate * f'(x_old).

    Stops as soon as |x_new - x_old| <= precision (the seed's
    `while abs(x_new - x_old) > precision` loop) or after max_iter steps
    (with a RuntimeWarning). Works for a scalar or an array x (then the
    largest coordinate change is compared with precision).

    Seed 003: f(x) = x^4 - 3x^3 + 2, f'(x) = 4x^3 - 9x^2, x0 = 6, step 0.01,
    precision 1e-5 -> 2.249965 (the true minimum is 2.25).
    """
    x_new = np.asarray(x0, dtype=float)
    for _ in range(max_iter):
        x_old = x_new
        x_new = x_old - learning_rate * np.asarray(f_prime(x_old), dtype=float)
        if np.max(np.abs(x_new - x_old)) <= precision:
            break
    else:
        warnings.warn(
            f"gradient_descent: no step below precision={precision} in {max_iter} steps",
            RuntimeWarning,
            stacklevel=2,
        )
    return float(x_new) if x_new.ndim == 0 else x_new


def gradient_descent_2d(grad, p0, learning_rate, steps, momentum=0.0):
    """Run `steps` steps of (momentum) gradient descent; return the path.

    Plain step (momentum=0):  p_{i+1} = p_i - a * grad(p_i).
    Momentum (seed 004):      h_i = momentum * h_{i-1} + a * grad(p_i),
                              p_{i+1} = p_i - h_i      (momentum 0.9 is typical).
    Returns an array of shape (steps + 1, 2): p_0, p_1, ..., p_steps.
    For f(x, y) = (x^2 + y^2) / 2 the gradient is (x, y) and the plain path is
    p_i = (1 - a)^i p_0, which tends to the minimum (0, 0) when 0 < a < 2.
    """
    p = np.asarray(p0, dtype=float).copy()
    h = np.zeros_like(p)
    path = [p.copy()]
    for _ in range(steps):
        h = momentum * h + learning_rate * np.asarray(grad(p), dtype=float)
        p = p - h
        path.append(p.copy())
    return np.array(path)


def half_squared_norm(p):
    """Seed 004's bowl: f(x, y) = (x^2 + y^2) / 2, minimum 0 at (0, 0)."""
    p = np.asarray(p, dtype=float)
    return 0.5 * float(np.sum(p**2))


def half_squared_norm_grad(p):
    """Its gradient (df/dx, df/dy) = (x, y): at (1, 2) the steepest ascent is (1, 2)."""
    return np.asarray(p, dtype=float).copy()


def numerical_gradient(f, p, h=1e-6):
    """Central differences: df/dp_k ~ (f(p + h e_k) - f(p - h e_k)) / (2h).

    Use it to check a hand-derived gradient.
    """
    p = np.asarray(p, dtype=float)
    g = np.zeros_like(p)
    for k in range(p.size):
        e = np.zeros_like(p)
        e.flat[k] = h
        g.flat[k] = (f(p + e) - f(p - e)) / (2 * h)
    return g
