import numpy as np
import pytest

from gradwise.classic import (
    SpeedComparison,
    compare_speed,
    naive_add,
    naive_add_matrix_and_vector,
    naive_matrix_dot,
    naive_matrix_vector_dot,
    naive_matrix_vector_dot_by_rows,
    naive_relu,
    naive_vector_dot,
)


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def test_naive_relu_equals_numpy_and_keeps_input(rng):
    x = rng.normal(size=(7, 5))
    before = x.copy()
    np.testing.assert_array_equal(naive_relu(x), np.maximum(x, 0.0))
    np.testing.assert_array_equal(x, before)  # input not overwritten


def test_naive_relu_hand_values():
    x = np.array([[-1.0, 2.0], [0.0, -3.5]])
    np.testing.assert_array_equal(naive_relu(x), [[0.0, 2.0], [0.0, 0.0]])


def test_naive_add_equals_numpy(rng):
    x, y = rng.random((20, 100)), rng.random((20, 100))
    np.testing.assert_array_equal(naive_add(x, y), x + y)


def test_naive_add_matrix_and_vector_broadcasts_like_numpy(rng):
    x, y = rng.random((32, 10)), rng.random((10,))
    np.testing.assert_array_equal(naive_add_matrix_and_vector(x, y), x + y)


def test_naive_vector_dot(rng):
    x, y = rng.random(32), rng.random(32)
    assert naive_vector_dot(x, y) == pytest.approx(np.dot(x, y), rel=1e-12)
    assert naive_vector_dot(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])) == 32.0


def test_naive_matrix_vector_dot_both_versions(rng):
    x, y = rng.random((6, 4)), rng.random(4)
    np.testing.assert_allclose(naive_matrix_vector_dot(x, y), x @ y, rtol=1e-12)
    np.testing.assert_allclose(naive_matrix_vector_dot_by_rows(x, y), x @ y, rtol=1e-12)


def test_naive_matrix_dot(rng):
    x, y = rng.random((5, 3)), rng.random((3, 7))
    z = naive_matrix_dot(x, y)
    assert z.shape == (5, 7)
    np.testing.assert_allclose(z, x @ y, rtol=1e-12)
    # dot is not symmetric once ndim > 1
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(naive_matrix_dot(a, b), [[2.0, 1.0], [4.0, 3.0]])
    np.testing.assert_array_equal(naive_matrix_dot(b, a), [[3.0, 4.0], [1.0, 2.0]])


@pytest.mark.parametrize(
    "fn, args",
    [
        (naive_relu, (np.zeros(3),)),
        (naive_add, (np.zeros((2, 3)), np.zeros((3, 2)))),
        (naive_add_matrix_and_vector, (np.zeros((2, 3)), np.zeros(2))),
        (naive_vector_dot, (np.zeros(3), np.zeros(4))),
        (naive_matrix_vector_dot, (np.zeros((2, 3)), np.zeros(2))),
        (naive_matrix_dot, (np.zeros((2, 3)), np.zeros((2, 3)))),
    ],
)
def test_shape_asserts(fn, args):
    with pytest.raises(AssertionError):
        fn(*args)


def test_compare_speed_loops_are_slower():
    result = compare_speed(repeats=20, forward_repeats=2)
    assert isinstance(result, SpeedComparison)
    assert result.repeats == 20
    # seeds: ~120x (2.45 s vs 0.02 s) and ~490x (41 ms vs 84 µs); demand a safe margin
    assert result.elementwise_ratio > 10
    assert result.forward_ratio > 10
    assert result.elementwise_ratio == pytest.approx(
        result.naive_elementwise_s / result.vectorized_elementwise_s
    )
    assert "seed 000" in str(result)
