import numpy as np
import pytest

from gradwise.classic import LinearRegression, add_ones_column, mae, mse, mse_gradient, normal_equation


@pytest.fixture(scope="module")
def line():
    """y = 3x + 2 + noise."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 200)
    y = 3 * x + 2 + rng.normal(0, 0.5, 200)
    return x, y


@pytest.fixture(scope="module")
def exact(line):
    x, y = line
    return LinearRegression(method="normal").fit(x, y)


def test_mse_mae_by_hand():
    y, y_hat = [1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 1.0, 4.0]
    assert mse(y, y_hat) == pytest.approx((1 + 0 + 4 + 0) / 4)
    assert mae(y, y_hat) == pytest.approx((1 + 0 + 2 + 0) / 4)


def test_normal_equation_exact_on_noiseless_data():
    X = add_ones_column(np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 5.0]]))
    w_true = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(normal_equation(X, X @ w_true), w_true, atol=1e-12)


def test_normal_equation_matches_textbook_formula(line, exact):
    x, y = line
    X = add_ones_column(x)
    w_formula = np.linalg.solve(X.T @ X, X.T @ y)  # (X^T X)^-1 X^T y
    np.testing.assert_allclose(exact.w_, w_formula, rtol=1e-10)
    assert exact.intercept_ == pytest.approx(2, abs=0.1)
    assert exact.coef_[0] == pytest.approx(3, abs=0.1)
    assert exact.converged_ and exact.n_iter_ == 0


def test_mse_gradient_against_finite_differences(line):
    x, y = line
    X = add_ones_column(x)
    w = np.array([0.3, -0.7])
    h = 1e-6
    num = [(mse(y, X @ (w + e)) - mse(y, X @ (w - e))) / (2 * h) for e in np.eye(2) * h]
    np.testing.assert_allclose(mse_gradient(X, y, w), num, rtol=1e-6)
    # at the least-squares solution the gradient vanishes
    np.testing.assert_allclose(mse_gradient(X, y, normal_equation(X, y)), 0, atol=1e-10)


def test_batch_gd_agrees_with_normal_equation(line, exact):
    x, y = line
    m = LinearRegression("batch", learning_rate=0.1, epsilon=1e-8).fit(x, y)
    assert m.converged_ and m.n_iter_ < 1000
    np.testing.assert_allclose(m.w_, exact.w_, atol=1e-6)
    assert np.all(np.diff(m.loss_history_) <= 1e-12)  # batch GD: loss never rises here
    assert mse(y, m.predict(x)) == pytest.approx(mse(y, exact.predict(x)), rel=1e-8)


def test_stochastic_gd_close_to_normal_equation(line, exact):
    x, y = line
    m = LinearRegression(
        "stochastic", learning_rate=0.05, decay=0.05, epsilon=1e-5, random_state=0
    ).fit(x, y)
    assert m.converged_
    np.testing.assert_allclose(m.w_, exact.w_, atol=0.05)


def test_minibatch_gd_close_to_normal_equation(line, exact):
    x, y = line
    m = LinearRegression(
        "minibatch", learning_rate=0.1, batch_size=20, decay=0.01, epsilon=1e-4, random_state=0
    ).fit(x, y)
    assert m.converged_
    np.testing.assert_allclose(m.w_, exact.w_, atol=0.02)
    assert m.score(x, y) == pytest.approx(exact.score(x, y), abs=1e-3)


def test_too_large_learning_rate_diverges(line):
    x, y = line
    with pytest.warns(RuntimeWarning):
        m = LinearRegression("batch", learning_rate=1.0, max_iter=40).fit(x, y)
    assert not m.converged_
    assert m.loss_history_[-1] > 100 * m.loss_history_[0]


def test_unknown_method_rejected():
    with pytest.raises(ValueError):
        LinearRegression(method="newton")
