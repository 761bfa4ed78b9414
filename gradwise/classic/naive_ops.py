"""Tensor operations written as plain Python loops (seed 000 §2.3).

Each function does what one NumPy call does, one element at a time, so a
student can see the arithmetic. They check shapes with `assert`, as the seed
does, and never modify their inputs. `compare_speed` measures how much slower
the loops are than the vectorised NumPy versions.
"""

import time
from dataclasses import dataclass

import numpy as np


def naive_relu(x):
    """Element-wise relu of a matrix: z[i, j] = max(x[i, j], 0).

    Same as `np.maximum(x, 0.)`.
    """
    assert len(x.shape) == 2  # x is a rank-2 tensor
    x = x.copy()  # do not overwrite the input
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = max(x[i, j], 0)
    return x


def naive_add(x, y):
    """Element-wise sum of two matrices of the same shape: z[i, j] = x[i, j] + y[i, j].

    Same as `x + y`.
    """
    assert len(x.shape) == 2
    assert x.shape == y.shape
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[i, j]
    return x


def naive_add_matrix_and_vector(x, y):
    """Broadcast a vector over the rows of a matrix: z[i, j] = x[i, j] + y[j].

    Same as `x + y` for x of shape (a, b) and y of shape (b,): the vector is
    (virtually) repeated along a new first axis.
    """
    assert len(x.shape) == 2  # x is a matrix
    assert len(y.shape) == 1  # y is a vector
    assert x.shape[1] == y.shape[0]
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[j]
    return x


def naive_vector_dot(x, y):
    """Dot product of two vectors: z = sum_i x[i] * y[i] (a scalar).

    Same as `np.dot(x, y)` for vectors of equal length.
    """
    assert len(x.shape) == 1
    assert len(y.shape) == 1
    assert x.shape[0] == y.shape[0]
    z = 0.0
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z


def naive_matrix_vector_dot(x, y):
    """Matrix times vector: z[i] = sum_j x[i, j] * y[j].

    Same as `np.dot(x, y)` for x of shape (a, b) and y of shape (b,). Each
    entry is the dot product of one row of x with y.
    """
    assert len(x.shape) == 2
    assert len(y.shape) == 1
    assert x.shape[1] == y.shape[0]
    z = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]
    return z


def naive_matrix_vector_dot_by_rows(x, y):
    """The same product written with `naive_vector_dot`: z[i] = x[i, :] . y.

    Seed 000 gives this second version to show that a matrix-vector product is
    a stack of vector dot products.
    """
    z = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z


def naive_matrix_dot(x, y):
    """Matrix product: z[i, j] = x[i, :] . y[:, j], shape (a, b) . (b, c) -> (a, c).

    Same as `np.dot(x, y)`; requires x.shape[1] == y.shape[0].
    """
    assert len(x.shape) == 2
    assert len(y.shape) == 2
    assert x.shape[1] == y.shape[0]
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):  # rows of x ...
        for j in range(y.shape[1]):  # ... times columns of y
            row_x = x[i, :]
            column_y = y[:, j]
            z[i, j] = naive_vector_dot(row_x, column_y)
    return z


@dataclass
class SpeedComparison:
    """Timings (seconds) from `compare_speed`; ratios are naive / vectorised.

    `elementwise_*` are totals for `repeats` rounds of add + relu on (20, 100)
    (seed 000: 2.45 s naive vs 0.02 s vectorised for 1000 rounds).
    `forward_*` are the mean time of ONE forward pass of a 100-100-50-10
    sigmoid network (seed 003 §3.4: 41 ms with loops vs 84 µs vectorised).
    """

    repeats: int
    naive_elementwise_s: float
    vectorized_elementwise_s: float
    elementwise_ratio: float
    forward_repeats: int
    looped_forward_s: float
    vectorized_forward_s: float
    forward_ratio: float

    def __str__(self):
        return (
            f"{self.repeats} x (add + relu) on (20, 100): naive "
            f"{self.naive_elementwise_s:.3f} s, vectorised "
            f"{self.vectorized_elementwise_s:.4f} s "
            f"({self.elementwise_ratio:.0f}x)   [seed 000: 2.45 s vs 0.02 s]\n"
            f"one 100-100-50-10 forward pass: loops "
            f"{self.looped_forward_s * 1e3:.2f} ms, vectorised "
            f"{self.vectorized_forward_s * 1e6:.1f} µs "
            f"({self.forward_ratio:.0f}x)   [seed 003: 41 ms vs 84 µs]"
        )


def _seconds(fn, n):
    """Total wall time of n calls of fn()."""
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - t0


def compare_speed(repeats=1000, forward_repeats=10, seed=0):
    """Time the naive loops against NumPy, as seeds 000 and 003 do.

    (a) `repeats` rounds of z = relu(x + y) on two (20, 100) matrices, with
        `naive_add` + `naive_relu` and with `x + y` + `np.maximum(z, 0.)`;
    (b) one forward pass of a 100-100-50-10 sigmoid network with the seed's
        looped `simple_looped_nn_calc` (mean of `forward_repeats` calls) and
        with `matrix_feed_forward_calc` (mean of 100 x `forward_repeats` calls).

    Lower `repeats` / `forward_repeats` for a quick run. Returns a
    `SpeedComparison`; absolute times depend on the machine, the ratios show
    why deep learning code is vectorised.
    """
    from .sigmoid_network import matrix_feed_forward_calc, simple_looped_nn_calc

    rng = np.random.default_rng(seed)
    x = rng.random((20, 100))
    y = rng.random((20, 100))

    def naive_round():
        naive_relu(naive_add(x, y))

    def vector_round():
        np.maximum(x + y, 0.0)

    naive_s = _seconds(naive_round, repeats)
    vector_s = _seconds(vector_round, repeats)

    sizes = [100, 100, 50, 10]
    w = [rng.random((sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)]
    b = [rng.random((sizes[l + 1],)) for l in range(len(sizes) - 1)]
    inp = rng.random(sizes[0])
    n_layers = len(sizes)
    looped_s = _seconds(lambda: simple_looped_nn_calc(n_layers, inp, w, b), forward_repeats)
    looped_s /= forward_repeats
    n_fast = 100 * forward_repeats
    fast_s = _seconds(lambda: matrix_feed_forward_calc(n_layers, inp, w, b), n_fast) / n_fast

    return SpeedComparison(
        repeats=repeats,
        naive_elementwise_s=naive_s,
        vectorized_elementwise_s=vector_s,
        elementwise_ratio=naive_s / vector_s,
        forward_repeats=forward_repeats,
        looped_forward_s=looped_s,
        vectorized_forward_s=fast_s,
        forward_ratio=looped_s / fast_s,
    )
