"""SPEC §1: tensors and tensor operations (seed 000 §2.2-2.3, seed 003 §3.4, seed 004)."""

import functools

import numpy as np

import gradwise as gw
from gradwise import classic

from ..registry import claim, near


def _all_equal(pairs, tol=1e-12):
    """(got, ok) for a list of (label, got, expected): 'all n equal' or the labels that differ."""
    bad = [label for label, got, expected in pairs if not near(got, expected, tol)]
    return (f"all {len(pairs)} equal" if not bad else "differ: " + ", ".join(bad)), not bad


@claim("tensor-attributes", "000 §2.2", "ndim and shape of the seed's scalar, vector, matrix and rank-3 tensor",
       expected=((0, ()), (1, (5,)), (2, (3, 5)), (3, (3, 3, 5))))
def _(c):
    matrix = [[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]]
    tensors = [gw.constant(12), gw.constant([12, 3, 6, 14, 7]), gw.constant(matrix), gw.constant([matrix] * 3)]
    got = tuple((t.ndim, tuple(t.shape)) for t in tensors)
    return got, got == c.expected


@claim("broadcasting", "000 §2.3.2",
       "(32, 10) + (10,) as naive_add_matrix_and_vector; maximum((64, 3, 32, 10), (32, 10))",
       expected=((32, 10), (64, 3, 32, 10)), expected_text="shapes (32, 10), (64, 3, 32, 10); values as the loops",
       tolerance=1e-6)
def _(c):
    rng = np.random.default_rng(0)
    X, y = rng.random((32, 10)), rng.random((10,))
    z = gw.add(X, y).numpy()
    Y = np.concatenate([np.expand_dims(y, axis=0)] * 32, axis=0)  # the seed's explicit repetition
    a, b = rng.random((64, 3, 32, 10)), rng.random((32, 10))
    m = gw.maximum(a, b).numpy()
    shapes = (z.shape, m.shape)
    ok = (shapes == c.expected and near(z, classic.naive_add_matrix_and_vector(X, y), c.tolerance)
          and near(z, X + Y, c.tolerance) and near(m, np.maximum(a, np.broadcast_to(b, a.shape)), c.tolerance))
    return shapes, ok


@claim("dot-shapes", "000 §2.3.3", "(a, b, c, d) • (d,) and (a, b, c, d) • (d, e) with gw.dot and gw.tensordot",
       expected=((2, 3, 4), (2, 3, 4, 6)), expected_text="(a,b,c) = (2,3,4); (a,b,c,e) = (2,3,4,6)", tolerance=1e-9)
def _(c):
    rng = np.random.default_rng(0)
    x, v, m = (gw.constant(rng.random(shape), "float64") for shape in ((2, 3, 4, 5), (5,), (5, 6)))
    by_v, by_m = np.einsum("abcd,d->abc", x.numpy(), v.numpy()), np.einsum("abcd,de->abce", x.numpy(), m.numpy())
    results = [(gw.dot(x, v), by_v), (gw.dot(x, m), by_m), (gw.tensordot(x, v, axes=1), by_v),
               (gw.tensordot(x, m, axes=1), by_m)]
    shapes = (tuple(results[0][0].shape), tuple(results[1][0].shape))
    same_shapes = [tuple(r.shape) for r, _ in results] == [c.expected[0], c.expected[1]] * 2
    return shapes, same_shapes and all(near(r.numpy(), ref, c.tolerance) for r, ref in results)


@claim("reshape-transpose", "000 §2.3.4",
       "[[0,1],[2,3],[4,5]] reshaped to (6, 1) and (2, 3); zeros (300, 20) transposed",
       expected=([[0], [1], [2], [3], [4], [5]], [[0, 1, 2], [3, 4, 5]], (20, 300)),
       expected_text="[[0],...,[5]]; [[0,1,2],[3,4,5]]; (20, 300)")
def _(c):
    x = gw.constant([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    a, b = gw.reshape(x, (6, 1)).numpy(), gw.reshape(x, (2, 3)).numpy()
    t = gw.transpose(gw.zeros((300, 20))).shape
    ok = near(a, c.expected[0], 0) and near(b, c.expected[1], 0) and tuple(t) == c.expected[2]
    return (a.tolist(), b.tolist(), tuple(t)), ok


@claim("numpy-basics", "004",
       "the lecture's NumPy pictures with gradwise ops: arithmetic, broadcasting, aggregation, dot, .T",
       expected_text="[2,3] [0,1] [1,4] [1,1] [1.6,3.2]; [5,6,7]; max 3 / sum 21 / max(axis=0) [5,6]; [30201,302010]")
def _(c):
    data, ones = gw.constant([1.0, 2.0]), gw.ones((2,))
    col = gw.constant([1.0, 2.0, 3.0])
    m = gw.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    m2 = gw.constant([[1.0, 2.0], [5.0, 3.0], [4.0, 6.0]])
    powers_of_ten = gw.constant([[1.0, 10.0], [100.0, 1000.0], [10000.0, 100000.0]])
    pairs = [
        ("data + ones", gw.add(data, ones).numpy(), [2, 3]),
        ("data - ones", gw.subtract(data, ones).numpy(), [0, 1]),
        ("data * data", gw.multiply(data, data).numpy(), [1, 4]),
        ("data / data", gw.divide(data, data).numpy(), [1, 1]),
        ("data * 1.6", gw.multiply(gw.cast(data, "float64"), 1.6).numpy(), [1.6, 3.2]),
        ("arange(3) + 5", (gw.arange(3) + 5).numpy(), [5, 6, 7]),
        ("ones((3,3)) + arange(3)", (gw.ones((3, 3)) + gw.arange(3)).numpy(), [[1, 2, 3]] * 3),
        ("max / min / sum of [1,2,3]", [float(f(col)) for f in (gw.max, gw.min, gw.sum)], [3, 1, 6]),
        ("max / min / sum of a (3,2)", [float(f(m)) for f in (gw.max, gw.min, gw.sum)], [6, 1, 21]),
        ("max(axis=0)", gw.max(m2, axis=0).numpy(), [5, 6]),
        ("max(axis=1)", gw.max(m2, axis=1).numpy(), [2, 5, 6]),
        ("[1,2,3].dot(powers_of_ten)", gw.dot(gw.reshape(col, (1, 3)), powers_of_ten).numpy(), [[30201, 302010]]),
        ("data.T", gw.transpose(m).numpy(), [[1, 3, 5], [2, 4, 6]]),
    ]
    return _all_equal(pairs, tol=1e-6)  # float32 arithmetic: 1.6 is not exact


@claim("naive-ops", "000 §2.3", "the naive loop ops equal the vectorised NumPy and gradwise ops", tolerance=1e-9,
       expected_text="equal (float64)")
def _(c):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 100)), rng.normal(size=(20, 100))
    v, w, m = rng.normal(size=100), rng.normal(size=100), rng.normal(size=(100, 30))
    pairs = [
        ("naive_relu", classic.naive_relu(x), gw.relu(gw.constant(x, "float64")).numpy()),
        ("naive_add", classic.naive_add(x, y), gw.add(gw.constant(x, "float64"), y).numpy()),
        ("naive_add_matrix_and_vector", classic.naive_add_matrix_and_vector(x, v), x + v),
        ("naive_vector_dot", classic.naive_vector_dot(v, w), np.dot(v, w)),
        ("naive_matrix_vector_dot", classic.naive_matrix_vector_dot(x, v), np.dot(x, v)),
        ("naive_matrix_vector_dot_by_rows", classic.naive_matrix_vector_dot_by_rows(x, v), np.dot(x, v)),
        ("naive_matrix_dot", classic.naive_matrix_dot(x, m), gw.matmul(gw.constant(x, "float64"), m).numpy()),
    ]
    return _all_equal(pairs, c.tolerance)  # sums taken in another order differ in the last bits


@functools.lru_cache(maxsize=1)
def _speed():
    return classic.compare_speed(repeats=1000, forward_repeats=10, seed=0)


@claim("naive-speed", "000 §2.3.1", "1000 x (add + relu) on (20, 100): naive loops vs vectorised",
       expected_text="2.45 s vs 0.02 s (~120x)", tolerance_text="ratio >= 10x")
def _(c):
    s = _speed()
    return (f"{s.naive_elementwise_s:.2f} s vs {s.vectorized_elementwise_s:.4f} s ({s.elementwise_ratio:.0f}x)",
            s.elementwise_ratio >= 10)


@claim("forward-speed", "003 §3.4", "one forward pass of a 100-100-50-10 sigmoid network: loops vs vectorised",
       expected_text="41 ms vs 84 µs (~490x)", tolerance_text="ratio >= 10x")
def _(c):
    s = _speed()
    return (f"{s.looped_forward_s * 1e3:.1f} ms vs {s.vectorized_forward_s * 1e6:.0f} µs ({s.forward_ratio:.0f}x)",
            s.forward_ratio >= 10)


@claim("geometry", "000 §2.3.5", "translation A + B, rotation by 90 degrees, scaling: tensor ops as geometry",
       expected=([1.5, 1.25], [0.0, 1.0], [2.0, 0.5]), tolerance=1e-12,
       expected_text="A+B = [1.5,1.25]; R(90°)[1,0] = [0,1]; S[1,1] = [2,0.5]")
def _(c):
    A, B = gw.constant([0.5, 1.0], "float64"), gw.constant([1.0, 0.25], "float64")
    theta = np.pi / 2
    R = gw.constant([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], "float64")
    S = gw.constant([[2.0, 0.0], [0.0, 0.5]], "float64")  # horizontal factor 2, vertical 0.5
    got = tuple(np.round(t.numpy(), 12) + 0.0 for t in  # cos(90°) is 6e-17 in floating point
                (A + B, gw.dot(R, gw.constant([1.0, 0.0], "float64")), gw.dot(S, gw.constant([1.0, 1.0], "float64"))))
    return got, all(near(g, e, c.tolerance) for g, e in zip(got, c.expected))


@claim("affine-collapse", "000 §2.3.5",
       "two Dense layers without activation = one affine map (W1 W2, b1 W2 + b2); with relu, not",
       expected_text="affine: equal; relu: not affine", tolerance=1e-9)
def _(c):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype("float32").astype("float64")  # exact in float32, as the model reads it
    linear = gw.Sequential([gw.Input((4,)), gw.layers.Dense(8, dtype="float64"), gw.layers.Dense(3, dtype="float64")])
    for layer in linear.layers:  # non-zero biases, so the translation part is tested too
        layer.bias.assign(rng.normal(size=layer.bias.shape))
    (W1, b1), (W2, b2) = [layer.get_weights() for layer in linear.layers]
    one_map = x @ (W1 @ W2) + (b1 @ W2 + b2)
    gap = float(np.max(np.abs(linear.predict(x, verbose=0) - one_map)))
    relu_net = gw.Sequential([gw.Input((4,)), gw.layers.Dense(8, activation="relu", dtype="float64"),
                              gw.layers.Dense(3, dtype="float64")])
    f = lambda t: relu_net.predict(t, verbose=0)  # noqa: E731
    # an affine map satisfies f((p + q) / 2) = (f(p) + f(q)) / 2 for all p, q
    p, q = x[:25], x[25:]
    midpoint_gap = float(np.max(np.abs(f((p + q) / 2) - (f(p) + f(q)) / 2)))
    return f"affine gap {gap:.1e}; relu midpoint gap {midpoint_gap:.2f}", gap <= c.tolerance and midpoint_gap > 1e-3
