"""The first artificial neurons (seed 001): McCulloch–Pitts units and the perceptron."""

import itertools
import warnings

import numpy as np


def _binary(values):
    values = [int(v) for v in values]
    assert all(v in (0, 1) for v in values), "McCulloch–Pitts inputs are binary (0 or 1)"
    return values


class McCullochPittsUnit:
    """A McCulloch–Pitts neuron: binary inputs, binary output, a threshold.

    Output = 1 if no inhibitory input is active and
    sum(active excitatory inputs) >= threshold, else 0.
    `excitatory` gives, for each excitatory input, how many connections it has
    (an input wired twice counts twice, as in the usual "identity" and "OR"
    diagrams where every unit needs two active connections). `inhibitory`
    inputs have absolute veto: one active inhibitory input silences the unit.
    Call the unit with the excitatory inputs first, then the inhibitory ones.
    """

    def __init__(self, threshold, excitatory=(1,), inhibitory=0):
        self.threshold = int(threshold)
        self.excitatory = tuple(int(c) for c in excitatory)
        self.n_inhibitory = int(inhibitory)

    @property
    def n_inputs(self):
        return len(self.excitatory) + self.n_inhibitory

    def __call__(self, *inputs):
        inputs = _binary(inputs)
        assert len(inputs) == self.n_inputs, f"expected {self.n_inputs} inputs, got {len(inputs)}"
        n_exc = len(self.excitatory)
        if any(inputs[n_exc:]):  # inhibition vetoes
            return 0
        active = sum(c * x for c, x in zip(self.excitatory, inputs[:n_exc]))
        return int(active >= self.threshold)


# Small networks. Every unit below has threshold 2 ("fires when at least two
# of its connections are active"), except NOT, which fires on no input.

_IDENTITY = McCullochPittsUnit(2, excitatory=(2,))  # A wired twice
_AND = McCullochPittsUnit(2, excitatory=(1, 1))
_OR = McCullochPittsUnit(2, excitatory=(2, 2))  # A and B each wired twice
_AND_NOT = McCullochPittsUnit(2, excitatory=(2,), inhibitory=1)  # A, B inhibits
_NOT = McCullochPittsUnit(0, excitatory=(), inhibitory=1)  # always on unless A


def mp_identity(a):
    """C = A: one unit, A connected twice."""
    return _IDENTITY(a)


def mp_and(a, b):
    """C = A AND B: fires only when both connections are active."""
    return _AND(a, b)


def mp_or(a, b):
    """C = A OR B: each input wired twice, so either one reaches the threshold."""
    return _OR(a, b)


def mp_not(a):
    """C = NOT A: threshold 0 (always fires) with A as an inhibitory input."""
    return _NOT(a)


def mp_and_not(a, b):
    """C = A AND NOT B: A wired twice, B inhibitory."""
    return _AND_NOT(a, b)


def mp_xor(a, b):
    """C = A XOR B = (A AND NOT B) OR (B AND NOT A): a two-layer network.

    No single unit computes XOR; two hidden units feed an OR unit.
    """
    return _OR(_AND_NOT(a, b), _AND_NOT(b, a))


def truth_table(fn, n_inputs):
    """{inputs: fn(*inputs)} for every binary input tuple, e.g. {(0, 1): 1, ...}."""
    return {bits: fn(*bits) for bits in itertools.product((0, 1), repeat=n_inputs)}


def step(z):
    """Heaviside step: 1 where z >= 0, else 0 (the threshold logic unit's activation)."""
    return (np.asarray(z) >= 0).astype(int)


class Perceptron:
    """Rosenblatt's perceptron: a threshold logic unit trained one sample at a time.

    Prediction: y_hat = step(w . x + b).
    Learning rule, after each sample: w <- w + eta (y - y_hat) x,
    b <- b + eta (y - y_hat) (the bias is the weight of a constant input 1).
    Labels are 0/1. Training stops after an epoch with no mistake
    (`converged_ = True`) or after `max_epochs` epochs; then
    `converged_ = False`, a RuntimeWarning is issued and `message_` says the
    data look not linearly separable (the perceptron convergence theorem
    guarantees convergence only when a separating hyperplane exists).
    """

    def __init__(self, learning_rate=1.0, max_epochs=100, shuffle=False, random_state=None):
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.shuffle = shuffle
        self.random_state = random_state

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y).astype(int).ravel()
        if X.ndim == 1:
            X = X[:, None]
        assert set(np.unique(y)) <= {0, 1}, "Perceptron labels must be 0 or 1"
        rng = np.random.default_rng(self.random_state)
        self.coef_ = np.zeros(X.shape[1])
        self.intercept_ = 0.0
        self.errors_ = []  # mistakes per epoch
        self.converged_ = False
        order = np.arange(len(y))
        for epoch in range(1, self.max_epochs + 1):
            if self.shuffle:
                rng.shuffle(order)
            mistakes = 0
            for i in order:
                y_hat = int(X[i] @ self.coef_ + self.intercept_ >= 0)
                update = self.learning_rate * (y[i] - y_hat)
                if update != 0:
                    self.coef_ += update * X[i]
                    self.intercept_ += update
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.n_epochs_ = epoch
        if self.converged_:
            self.message_ = f"converged after {epoch} epochs"
        else:
            self.message_ = (
                f"did not converge in {self.max_epochs} epochs: the data are not "
                "linearly separable (or need more epochs)"
            )
            warnings.warn("Perceptron " + self.message_, RuntimeWarning, stacklevel=2)
        return self

    def decision_function(self, X):
        """z = X w + b."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        return X @ self.coef_ + self.intercept_

    def predict(self, X):
        """step(X w + b) in {0, 1}."""
        return step(self.decision_function(X))

    def score(self, X, y):
        """Fraction of samples classified correctly."""
        return float(np.mean(self.predict(X) == np.asarray(y).ravel()))
