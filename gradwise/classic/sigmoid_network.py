"""The NumPy sigmoid network of seed 003 (§3 forward pass, §4 backprop, §5 digits).

Notation of the seed: layer l has activations h^(l) (h^(1) = x), weights
W^(l) of shape (s_{l+1}, s_l) and bias b^(l), and
    z^(l+1) = W^(l) h^(l) + b^(l),     h^(l+1) = f(z^(l+1)),  f = sigmoid.
Dictionaries keyed by the layer number (1, 2, 3, ...) are kept, as in the seed.
"""

import numpy as np


def f(x):
    """Sigmoid activation: f(z) = 1 / (1 + exp(-z))."""
    return 1 / (1 + np.exp(-x))


def f_deriv(x):
    """Sigmoid derivative: f'(z) = f(z) (1 - f(z))."""
    fx = f(x)
    return fx * (1 - fx)


# --- §3: forward pass, with loops and vectorised ---------------------------


def simple_looped_nn_calc(n_layers, x, w, b):
    """Forward pass with explicit loops: h_i = f(sum_j w[l][i][j] * in_j + b[l][i]).

    `w` and `b` are lists of the layer weight matrices and bias vectors
    (w[0] connects layer 1 to layer 2). Seed 003 §3.2 example -> 0.8354.
    """
    for l in range(n_layers - 1):
        # input of this layer: x for the first layer, else the previous output
        node_in = x if l == 0 else h
        h = np.zeros((w[l].shape[0],))
        for i in range(w[l].shape[0]):  # rows of the weight matrix
            f_sum = 0
            for j in range(w[l].shape[1]):  # columns of the weight matrix
                f_sum += w[l][i][j] * node_in[j]
            f_sum += b[l][i]  # add the bias
            h[i] = f(f_sum)  # output of node i of layer l + 1
    return h


def matrix_feed_forward_calc(n_layers, x, w, b):
    """Vectorised forward pass: z^(l+1) = W^(l) h^(l) + b^(l), h^(l+1) = f(z^(l+1))."""
    for l in range(n_layers - 1):
        node_in = x if l == 0 else h
        z = w[l].dot(node_in) + b[l]
        h = f(z)
    return h


# --- §5: data preparation ---------------------------------------------------


def load_digits_flat():
    """The 1797 8x8 digits as X (1797, 64) float and y (1797,) int, values 0..16.

    Uses `gradwise.datasets.digits` and falls back to scikit-learn's
    `load_digits()` (same order); raises ImportError if neither is available.
    """
    try:
        from gradwise.datasets.digits import load_data

        images, labels = load_data()
    except ImportError:
        try:
            from sklearn.datasets import load_digits
        except ImportError as exc:
            raise ImportError(
                "digits data unavailable: neither gradwise.datasets.digits nor "
                "scikit-learn (pip install scikit-learn) could be imported"
            ) from exc
        digits = load_digits()
        images, labels = digits.images, digits.target
    images = np.asarray(images, dtype=float)
    return images.reshape(len(images), -1), np.asarray(labels).astype(int)


def standard_scale(X):
    """Standardise each column: (x - mean) / std; constant columns become 0.

    What scikit-learn's StandardScaler().fit_transform does (population std).
    """
    X = np.asarray(X, dtype=float)
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std[std == 0] = 1.0
    return (X - mean) / std


def train_test_split(X, y, test_size=0.4, random_state=None):
    """Shuffle, then keep the first (1 - test_size) share for training.

    Returns X_train, X_test, y_train, y_test (the seed uses test_size=0.4).
    """
    n = len(y)
    n_test = int(np.ceil(test_size * n))
    order = np.random.default_rng(random_state).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def convert_y_to_vect(y, n_classes=10):
    """One-hot: label k becomes the vector with a 1 at position k, e.g. 1 -> [0,1,0,...,0]."""
    y_vect = np.zeros((len(y), n_classes))
    for i in range(len(y)):
        y_vect[i, y[i]] = 1
    return y_vect


def accuracy(y_true, y_pred):
    """Share of equal labels."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


# --- §4-§5: the trainable network ----------------------------------------


class SigmoidNetwork:
    """Fully connected sigmoid network trained by full-batch gradient descent.

    Cost for one sample: J = 1/2 ||y - h^(n)||^2. Backpropagation:
        delta^(n) = -(y - h^(n)) * f'(z^(n))                  (output layer)
        delta^(l) = (W^(l)^T delta^(l+1)) * f'(z^(l))          (hidden layers)
        dJ/dW^(l) = delta^(l+1) h^(l)^T,   dJ/db^(l) = delta^(l+1)
    One iteration sums these over the m training samples (tri_W, tri_b) and
    steps W^(l) -= alpha * tri_W^(l) / m,  b^(l) -= alpha * tri_b^(l) / m.
    Weights start uniform in [0, 1) like the seed's `random_sample`.
    `cost_history_[k]` is the seed's "average cost" before update k:
    (1/m) sum_i ||y_i - h^(n)(x_i)||.
    """

    def __init__(self, layer_sizes=(64, 30, 10), random_state=None):
        self.layer_sizes = tuple(layer_sizes)
        rng = np.random.default_rng(random_state)
        self.W, self.b = {}, {}
        for l in range(1, len(self.layer_sizes)):
            self.W[l] = rng.random((self.layer_sizes[l], self.layer_sizes[l - 1]))
            self.b[l] = rng.random((self.layer_sizes[l],))
        self.cost_history_ = []

    @classmethod
    def from_weights(cls, weights, biases):
        """A network with given weights: weights[0] = W^(1), biases[0] = b^(1), ..."""
        weights = [np.asarray(w, dtype=float) for w in weights]
        sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
        net = cls(sizes, random_state=0)
        for l, (w, b) in enumerate(zip(weights, biases), start=1):
            net.W[l] = w.copy()
            net.b[l] = np.asarray(b, dtype=float).copy()
        return net

    @property
    def n_layers(self):
        return len(self.layer_sizes)

    def feed_forward(self, x):
        """Return h, z (dicts by layer). x is one sample (s_1,) or a batch (m, s_1).

        For a batch the rows are samples, so W h becomes h @ W^T.
        """
        h = {1: np.asarray(x, dtype=float)}
        z = {}
        for l in range(1, self.n_layers):
            z[l + 1] = h[l] @ self.W[l].T + self.b[l]  # z^(l+1) = W^(l) h^(l) + b^(l)
            h[l + 1] = f(z[l + 1])  # h^(l+1) = f(z^(l+1))
        return h, z

    @staticmethod
    def out_layer_delta(y, h_out, z_out):
        """delta^(n) = -(y - h^(n)) * f'(z^(n))."""
        return -(y - h_out) * f_deriv(z_out)

    @staticmethod
    def hidden_delta(delta_plus_1, w_l, z_l):
        """delta^(l) = (W^(l)^T delta^(l+1)) * f'(z^(l)) (rows of a batch: delta @ W)."""
        return (delta_plus_1 @ w_l) * f_deriv(z_l)

    def gradients_looped(self, X, Y):
        """The seed's loop: for each sample, forward, deltas, accumulate
        tri_W^(l) += delta^(l+1) h^(l)^T and tri_b^(l) += delta^(l+1).
        Returns tri_W, tri_b (sums over samples) and the seed's average cost."""
        n = self.n_layers
        tri_W = {l: np.zeros_like(self.W[l]) for l in self.W}
        tri_b = {l: np.zeros_like(self.b[l]) for l in self.b}
        total = 0.0
        for i in range(len(Y)):
            h, z = self.feed_forward(X[i, :])
            delta = {n: self.out_layer_delta(Y[i, :], h[n], z[n])}
            total += np.linalg.norm(Y[i, :] - h[n])
            for l in range(n - 1, 0, -1):
                if l > 1:
                    delta[l] = self.hidden_delta(delta[l + 1], self.W[l], z[l])
                tri_W[l] += np.outer(delta[l + 1], h[l])
                tri_b[l] += delta[l + 1]
        return tri_W, tri_b, total / len(Y)

    def gradients(self, X, Y):
        """Same sums as `gradients_looped`, for all samples at once:
        tri_W^(l) = Delta^(l+1)^T H^(l) (rows = samples), tri_b^(l) = column sums.

        Since h = f(z), f'(z) = f(z)(1 - f(z)) = h (1 - h): the deltas reuse the
        stored activations instead of computing exp again.
        """
        n = self.n_layers
        h, _ = self.feed_forward(X)
        delta = {n: -(Y - h[n]) * h[n] * (1 - h[n])}
        for l in range(n - 1, 1, -1):
            delta[l] = (delta[l + 1] @ self.W[l]) * h[l] * (1 - h[l])
        tri_W = {l: delta[l + 1].T @ h[l] for l in self.W}
        tri_b = {l: delta[l + 1].sum(axis=0) for l in self.b}
        avg_cost = float(np.mean(np.linalg.norm(Y - h[n], axis=1)))
        return tri_W, tri_b, avg_cost

    def fit(self, X, Y, iterations=3000, alpha=0.25, looped=False, print_every=None):
        """Full-batch gradient descent on one-hot targets Y (m, s_n).

        looped=True runs the seed's per-sample loop (same numbers, far slower).
        print_every=N prints the average cost every N iterations.
        """
        X = np.asarray(X, dtype=float)
        Y = np.asarray(Y, dtype=float)
        m = len(Y)
        grads = self.gradients_looped if looped else self.gradients
        for it in range(iterations):
            tri_W, tri_b, avg_cost = grads(X, Y)
            if print_every and it % print_every == 0:
                print(f"Iteration {it} of {iterations}: average cost {avg_cost:.4f}")
            for l in self.W:
                self.W[l] += -alpha * (1.0 / m * tri_W[l])
                self.b[l] += -alpha * (1.0 / m * tri_b[l])
            self.cost_history_.append(avg_cost)
        return self

    def predict_proba(self, X):
        """Output layer h^(n) for each sample."""
        h, _ = self.feed_forward(X)
        return h[self.n_layers]

    def predict(self, X):
        """Class = index of the largest output (np.argmax)."""
        return np.argmax(self.predict_proba(X), axis=-1)

    def score(self, X, y):
        """Accuracy against integer labels y."""
        return accuracy(y, self.predict(X))
