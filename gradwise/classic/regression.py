"""Linear regression, the model a neuron without activation computes (seed 004).

Model y = X w with a leading column of ones in X (w_0 is the intercept).
Fitted either in closed form (normal equation) or by gradient descent on the
MSE, in its batch, stochastic and mini-batch forms.
"""

import warnings

import numpy as np


def mse(y_true, y_pred):
    """Mean squared error: (1/n) sum (y_i - y_hat_i)^2."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    return float(np.mean((y_true - y_pred) ** 2))


def mae(y_true, y_pred):
    """Mean absolute error: (1/n) sum |y_i - y_hat_i| (less sensitive to outliers)."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    return float(np.mean(np.abs(y_true - y_pred)))


def add_ones_column(X):
    """Prepend the constant feature 1: rows (x_1..x_k) become (1, x_1..x_k)."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    return np.hstack([np.ones((X.shape[0], 1)), X])


def normal_equation(X, y):
    """w = (X^T X)^-1 X^T y, the exact least-squares minimiser of the MSE.

    Solved with `np.linalg.lstsq` rather than by inverting X^T X, which is
    slower and loses precision when the columns are nearly dependent.
    """
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    return w


def mse_gradient(X, y, w):
    """Gradient of L(w) = (1/n) sum (y_i - x_i . w)^2: -2/n sum (y_i - x_i . w) x_i."""
    residual = y - X @ w
    return -2.0 / len(y) * (X.T @ residual)


class LinearRegression:
    """Least-squares linear regression y_hat = w_0 + x . w.

    method:
      "normal"     -- normal equation (`normal_equation`);
      "batch"      -- gradient descent on all n samples per step;
      "stochastic" -- one random sample per step;
      "minibatch"  -- `batch_size` random samples (without replacement) per step.
    Gradient steps: w_t = w_{t-1} - eta_t g_t with eta_t = learning_rate / (1 + decay t)
    ("large at first, smaller later"; decay=0 keeps it constant). Stop when
    ||w_t - w_{t-1}|| < epsilon (seed 004) or after max_iter steps
    (`converged_` says which). Noisy stochastic steps rarely become that small
    without a decay. After fit: `coef_`, `intercept_`, `w_` (= [intercept, coef]),
    `n_iter_`, `converged_`, `loss_history_` (training MSE every step, GD only).
    """

    METHODS = ("normal", "batch", "stochastic", "minibatch")

    def __init__(
        self,
        method="normal",
        learning_rate=0.01,
        epsilon=1e-6,
        max_iter=100_000,
        batch_size=32,
        decay=0.0,
        random_state=None,
    ):
        if method not in self.METHODS:
            raise ValueError(f"method must be one of {self.METHODS}, got {method!r}")
        self.method = method
        self.learning_rate = learning_rate
        self.epsilon = epsilon
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.decay = decay
        self.random_state = random_state

    def fit(self, X, y):
        Xb = add_ones_column(X)
        y = np.asarray(y, dtype=float).ravel()
        if self.method == "normal":
            w = normal_equation(Xb, y)
            self.n_iter_, self.converged_, self.loss_history_ = 0, True, []
        else:
            w = self._descend(Xb, y)
        self.w_ = w
        self.intercept_ = float(w[0])
        self.coef_ = w[1:]
        return self

    def _batch_indices(self, n, rng):
        if self.method == "batch":
            return slice(None)
        m = 1 if self.method == "stochastic" else min(self.batch_size, n)
        return rng.choice(n, size=m, replace=False)

    def _descend(self, X, y):
        rng = np.random.default_rng(self.random_state)
        w = np.zeros(X.shape[1])
        self.loss_history_ = []
        self.converged_ = False
        for t in range(1, self.max_iter + 1):
            idx = self._batch_indices(len(y), rng)
            g = mse_gradient(X[idx], y[idx], w)
            eta = self.learning_rate / (1.0 + self.decay * t)
            w_new = w - eta * g
            step = np.linalg.norm(w_new - w)
            w = w_new
            self.loss_history_.append(mse(y, X @ w))
            if not np.isfinite(step):
                break  # diverged: learning rate too large
            if step < self.epsilon:
                self.converged_ = True
                break
        self.n_iter_ = t
        if not self.converged_:
            warnings.warn(
                f"LinearRegression({self.method!r}) stopped after {t} steps without "
                f"||w_t - w_(t-1)|| < {self.epsilon}",
                RuntimeWarning,
                stacklevel=3,
            )
        return w

    def predict(self, X):
        """y_hat = X w + w_0."""
        return add_ones_column(X) @ self.w_

    def score(self, X, y):
        """Coefficient of determination R^2 = 1 - SSE / SST."""
        y = np.asarray(y, float).ravel()
        sse = np.sum((y - self.predict(X)) ** 2)
        sst = np.sum((y - y.mean()) ** 2)
        return float(1 - sse / sst)
