import numpy as np
import pytest

from gradwise.classic import (
    gradient_descent,
    gradient_descent_2d,
    half_squared_norm,
    half_squared_norm_grad,
    numerical_gradient,
)


def df(x):
    return 4 * x**3 - 9 * x**2  # f(x) = x^4 - 3x^3 + 2


def test_seed003_local_minimum_digits():
    x = gradient_descent(df, 6, learning_rate=0.01, precision=0.00001, max_iter=10_000)
    assert "%f" % x == "2.249965"  # the seed prints "... 2.249965"
    assert abs(x - 2.25) < 1e-4  # true minimum f'(x) = 0 at x = 9/4


def test_seed003_loop_reproduced_step_by_step():
    # the seed's exact program
    x_old, x_new, gamma, precision = 0, 6, 0.01, 0.00001
    while abs(x_new - x_old) > precision:
        x_old = x_new
        x_new += -gamma * df(x_old)
    assert gradient_descent(df, 6, 0.01, 0.00001, 10_000) == x_new


def test_gradient_descent_warns_at_max_iter():
    with pytest.warns(RuntimeWarning):
        x = gradient_descent(df, 6, 0.01, 1e-12, max_iter=5)
    # 5 steps from 6: first step 6 - 0.01 * 540 = 0.6
    assert x != 6 and x < 1


def test_gradient_at_1_2_is_1_2():
    np.testing.assert_array_equal(half_squared_norm_grad([1.0, 2.0]), [1.0, 2.0])
    np.testing.assert_allclose(numerical_gradient(half_squared_norm, [1.0, 2.0]), [1.0, 2.0], atol=1e-8)
    assert half_squared_norm([1.0, 2.0]) == 2.5


@pytest.mark.parametrize("a", [0.1, 0.5, 0.9])
def test_path_is_geometric(a):
    p0 = np.array([3.0, -4.0])
    path = gradient_descent_2d(half_squared_norm_grad, p0, learning_rate=a, steps=30)
    assert path.shape == (31, 2)
    expected = np.array([(1 - a) ** i * p0 for i in range(31)])
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-300)
    assert np.linalg.norm(path[-1]) < np.linalg.norm(p0)


def test_learning_rate_above_two_diverges():
    path = gradient_descent_2d(half_squared_norm_grad, [1.0, 1.0], learning_rate=2.5, steps=10)
    np.testing.assert_allclose(path[-1], (1 - 2.5) ** 10 * np.ones(2))  # |1 - a| > 1
    assert np.linalg.norm(path[-1]) > 50


def test_momentum_update_rule():
    # h_1 = lr * g(p0);  p1 = p0 - h_1;  h_2 = m h_1 + lr * g(p1);  p2 = p1 - h_2
    lr, m = 0.1, 0.9
    p0 = np.array([1.0, 2.0])
    h1 = lr * p0
    p1 = p0 - h1
    h2 = m * h1 + lr * p1
    p2 = p1 - h2
    path = gradient_descent_2d(half_squared_norm_grad, p0, lr, steps=2, momentum=m)
    np.testing.assert_allclose(path, [p0, p1, p2], rtol=1e-14)
    assert not np.allclose(path, gradient_descent_2d(half_squared_norm_grad, p0, lr, 2))


def test_numerical_gradient_checks_a_hand_derivative():
    f = lambda p: p[0] ** 2 * p[1] + np.sin(p[1])  # noqa: E731
    p = np.array([1.5, -0.3])
    analytic = np.array([2 * p[0] * p[1], p[0] ** 2 + np.cos(p[1])])
    np.testing.assert_allclose(numerical_gradient(f, p), analytic, rtol=1e-7)
