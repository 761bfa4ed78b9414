"""Tensor and Variable: dtype policy, array protocol, operators, indexing, errors."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError


def test_dtype_policy():
    assert gw.constant(1.5).dtype == np.float32
    assert gw.constant([1.0, 2.0]).dtype == np.float32
    assert gw.constant(np.zeros(3)).dtype == np.float32  # float64 NumPy input -> float32
    assert gw.constant(np.zeros(3), dtype="float64").dtype == np.float64
    assert gw.constant(3).dtype == np.int32
    assert gw.constant(np.arange(3)).dtype == np.int64  # NumPy ints keep their dtype
    assert gw.constant([True, False]).dtype == np.bool_
    assert gw.convert_to_tensor(np.ones(2, np.float16)).dtype == np.float16


def test_python_numbers_keep_the_tensor_dtype():
    x = gw.constant([1.0, 2.0], dtype="float64")
    assert (x * 2.5).dtype == np.float64
    assert (gw.constant([1.0]) * 2.5).dtype == np.float32
    assert (gw.constant([1.0]) + np.array([2.0])).dtype == np.float32


def test_array_protocol_and_properties():
    t = gw.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(np.asarray(t), [[1, 2, 3], [4, 5, 6]])
    assert float(gw.constant(2.5)) == 2.5
    assert f"{gw.constant(0.123456):.2f}" == "0.12"  # the seed formats a loss tensor this way
    with pytest.raises(TypeError):
        len(gw.constant(1.0))


def test_repr_shows_values_shape_and_dtype():
    text = repr(gw.constant([1.0, 2.0]))
    assert "1." in text and "shape=(2,)" in text and "float32" in text
    v = gw.Variable([1.0], name="kernel")
    assert "kernel" in repr(v) and "trainable=True" in repr(v)


def test_reflected_operators_with_numbers_and_arrays():
    t = gw.constant([1.0, 2.0])
    a = np.array([10.0, 20.0])
    for got, want in [(2 + t, [3, 4]), (2 - t, [1, 0]), (2 * t, [2, 4]), (2 / t, [2, 1]),
                      (a + t, [11, 22]), (a - t, [9, 18]), (a * t, [10, 40]), (a / t, [10, 10]),
                      (2 ** t, [2, 4]), (t ** 2, [1, 4]), (-t, [-1, -2]), (abs(-t), [1, 2])]:
        assert isinstance(got, gw.Tensor)
        np.testing.assert_allclose(got.numpy(), want)
    m = np.eye(2)
    np.testing.assert_allclose((m @ t).numpy(), [1, 2])


def test_comparisons_return_bool_tensors_without_gradient():
    x = gw.Variable([1.0, 2.0, 3.0])
    for res, want in [(x < 2, [1, 0, 0]), (x <= 2, [1, 1, 0]), (x > 2, [0, 0, 1]),
                      (x >= 2, [0, 1, 1]), (x == 2, [0, 1, 0]), (x != 2, [1, 0, 1])]:
        assert res.dtype == np.bool_ and not res.requires_grad
        np.testing.assert_array_equal(res.numpy(), want)


def test_indexing_with_repeated_indices_accumulates():
    x = gw.Variable([1.0, 2.0, 3.0])
    with gw.GradientTape() as tape:
        y = gw.reduce_sum(x[np.array([0, 0, 2, 0])])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 0.0, 1.0])


def test_boolean_mask_indexing():
    x = gw.Variable([[1.0, -2.0], [3.0, -4.0]])
    with gw.GradientTape() as tape:
        y = gw.reduce_sum(x[x > 0] * 5)
    assert float(y) == 20.0
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [[5, 0], [5, 0]])


def test_variable_assign_in_place():
    v = gw.Variable(np.array([1.0, 2.0]))
    buf = v.data
    v.assign_sub(gw.constant([0.5, 0.5]))
    v.assign_add(np.array([1.0, 1.0]))
    assert v.data is buf
    np.testing.assert_array_equal(v.numpy(), [1.5, 2.5])
    v.assign([7.0, 8.0])
    np.testing.assert_array_equal(v.numpy(), [7.0, 8.0])
    with pytest.raises(ShapeError, match=r"\(3,\).*\(2,\)"):
        v.assign([1.0, 2.0, 3.0])


def test_variable_owns_its_buffer():
    a = np.ones(3, dtype=np.float32)
    v = gw.Variable(a)
    v.assign_add(np.ones(3))
    assert a[0] == 1.0 and v.numpy()[0] == 2.0


def test_non_trainable_variable_gets_no_gradient():
    v = gw.Variable([1.0], trainable=False)
    with gw.GradientTape() as tape:
        y = v * 2
    assert tape.gradient(y, v) is None
    v.trainable = True
    assert v.requires_grad


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ShapeError, match=r"matmul: \(32, 784\) @ \(28, 10\): inner dimensions 784 and 28 differ"):
        gw.matmul(np.zeros((32, 784)), np.zeros((28, 10)))


def test_broadcast_error_names_the_op_and_shapes():
    with pytest.raises(ShapeError, match=r"add: shapes \(4, 3\) and \(2,\)"):
        gw.constant(np.zeros((4, 3))) + np.zeros(2)


def test_reshape_error():
    with pytest.raises(ShapeError, match=r"cannot reshape \(2, 3\)"):
        gw.reshape(np.zeros((2, 3)), (4, 2))


def test_creation_functions():
    assert gw.zeros((2, 3)).dtype == np.float32 and gw.zeros((2, 3)).shape == (2, 3)
    np.testing.assert_array_equal(gw.ones_like(gw.constant([1, 2])).numpy(), [1, 1])
    np.testing.assert_array_equal(gw.eye(2).numpy(), np.eye(2))
    assert gw.arange(5).dtype == np.int32 and list(gw.arange(1, 7, 2).numpy()) == [1, 3, 5]
    assert gw.cast(gw.constant([1.7, -1.2]), "int32").numpy().tolist() == [1, -1]


def test_detach_and_item():
    x = gw.Variable([3.0])
    y = (x * 2).detach()
    assert y.is_leaf and not y.requires_grad and y.item() == 6.0


def test_augmented_assignment_updates_a_variable_in_place():
    v = gw.Variable(np.array([1.0, 2.0]), dtype="float32")
    same = v
    v -= 0.5
    v *= gw.constant([2.0, 4.0])
    assert v is same and isinstance(v, gw.Variable)
    np.testing.assert_array_equal(v.numpy(), [1.0, 6.0])
    with pytest.raises(ShapeError, match="does not fit"):
        v += np.ones(3)
