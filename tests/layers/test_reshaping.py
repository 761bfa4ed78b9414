"""Reshape and ZeroPadding2D: shapes, values, gradients and error messages."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers.reshaping import Reshape, ZeroPadding2D

x12 = np.arange(24, dtype=np.float32).reshape(2, 12)


@pytest.mark.parametrize("target,want", [((3, 4), (2, 3, 4)), ((-1, 2), (2, 6, 2)), ((2, -1, 3), (2, 2, 2, 3)),
                                         ((12,), (2, 12))])
def test_reshape_values_and_shapes(target, want):
    layer = Reshape(target)
    out = layer(x12)
    assert out.shape == want
    np.testing.assert_array_equal(out.numpy(), x12.reshape(want))
    assert layer.compute_output_shape((None, 12)) == (None,) + want[1:]


def test_reshape_gradient_is_reshaped_back():
    x = gw.Variable(x12)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(Reshape((3, 4))(x) * np.arange(4.0))
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), np.tile(np.arange(4.0), 6).reshape(2, 12))


def test_reshape_size_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"Reshape 'rs'.*samples of shape \(12,\) \(12 values\).*\(5, 2\)"):
        Reshape((5, 2), name="rs")(x12)
    with pytest.raises(ShapeError, match=r"\(12,\).*\(5, -1\)"):
        Reshape((5, -1))(x12)
    with pytest.raises(ShapeError, match=r"\(12,\)"):
        Reshape((5, -1)).compute_output_shape((None, 12))


@pytest.mark.parametrize("target", [(-1, -1), (0, 12), (3, -2), "ab", 5])
def test_reshape_rejects_bad_target_shapes(target):
    with pytest.raises(ValueError, match="Reshape: target_shape"):
        Reshape(target)


def test_reshape_config_round_trip():
    layer = Reshape((4, -1))
    clone = Reshape.from_config(layer.get_config())
    assert clone.target_shape == (4, -1)
    assert clone(x12).shape == (2, 4, 3)


images = np.arange(2 * 3 * 4 * 2, dtype=np.float32).reshape(2, 3, 4, 2)


@pytest.mark.parametrize("padding,pairs", [
    (1, ((1, 1), (1, 1))),
    ((2, 0), ((2, 2), (0, 0))),
    (((1, 2), (3, 0)), ((1, 2), (3, 0))),
])
def test_zero_padding_matches_numpy_pad(padding, pairs):
    layer = ZeroPadding2D(padding)
    out = layer(images)
    want = np.pad(images, ((0, 0),) + pairs + ((0, 0),))
    assert out.shape == want.shape
    np.testing.assert_array_equal(out.numpy(), want)
    (t, b), (l, r) = pairs
    assert layer.compute_output_shape((None, 3, 4, 2)) == (None, 3 + t + b, 4 + l + r, 2)


def test_zero_padding_default_and_gradient():
    x = gw.Variable(images)
    with gw.GradientTape() as tape:
        out = ZeroPadding2D()(x)
        loss = gw.reduce_sum(out * np.arange(6.0).reshape(1, 1, 6, 1))
    assert out.shape == (2, 5, 6, 2)
    want = np.broadcast_to(np.arange(1.0, 5.0).reshape(1, 1, 4, 1), images.shape)
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), want)


@pytest.mark.parametrize("padding", [-1, (1, 2, 3), ((1, 2), (3,)), ((1, -2), (0, 0)), "same"])
def test_zero_padding_rejects_bad_padding(padding):
    with pytest.raises(ValueError, match=r"ZeroPadding2D: padding must be.*got"):
        ZeroPadding2D(padding)


def test_zero_padding_needs_rank_4_and_round_trips():
    with pytest.raises(ShapeError, match=r"ZeroPadding2D 'zp' expects NHWC inputs of rank 4, got shape \(3, 4\)"):
        ZeroPadding2D(name="zp")(np.zeros((3, 4), np.float32))
    clone = ZeroPadding2D.from_config(ZeroPadding2D(((0, 1), (2, 3))).get_config())
    assert clone.padding == ((0, 1), (2, 3))
