"""Reshaping layers: shapes, values, gradients, error messages, config round trips and save/load."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers.reshaping import (
    Cropping1D, Cropping2D, Permute, RepeatVector, Reshape, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D,
)

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


# --- Permute, RepeatVector, UpSampling1D/2D, Cropping1D/2D, ZeroPadding1D ---------------------------
rng = np.random.default_rng(7)
seq = np.arange(2 * 5 * 3, dtype=np.float32).reshape(2, 5, 3)  # (batch, steps, channels)


def _grad(layer, x, weights):
    """d/dx of sum(layer(x) * weights): the upstream gradient `weights` pulled back through the layer."""
    var = gw.Variable(x)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(layer(var) * weights)
    return tape.gradient(loss, var).numpy()


def _save_load(tmp_path, layer, x):
    """A model holding `layer` then a Dense, saved and loaded: both must predict the same."""
    gw.random.seed(0)
    model = gw.Sequential([gw.Input(x.shape[1:]), layer, gw.layers.Flatten(), gw.layers.Dense(2)])
    path = tmp_path / "m.gw"
    model.save(path)
    # custom_objects until gradwise.layers exports the class (harmless afterwards)
    loaded = gw.models.load_model(path, custom_objects={type(layer).__name__: type(layer)})
    assert type(loaded.layers[0]) is type(layer)
    assert loaded.layers[0].get_config() == layer.get_config()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_permute_swaps_axes_by_hand():
    x = np.array([[[1, 2, 3], [4, 5, 6]]], np.float32)  # (1, 2, 3)
    out = Permute((2, 1))(x)
    np.testing.assert_array_equal(out.numpy(), [[[1, 4], [2, 5], [3, 6]]])
    assert Permute((2, 1)).compute_output_shape((None, 2, 3)) == (None, 3, 2)


def test_permute_rank_4_values_and_gradient_is_inverse_permutation():
    x = rng.normal(size=(2, 3, 4, 5)).astype(np.float32)
    layer = Permute((3, 1, 2))
    out = layer(x)
    assert out.shape == (2, 5, 3, 4)
    np.testing.assert_array_equal(out.numpy(), np.transpose(x, (0, 3, 1, 2)))
    weights = rng.normal(size=(2, 5, 3, 4)).astype(np.float32)
    # output axis i came from input axis (0, 3, 1, 2)[i]: argsort undoes it -> (0, 2, 3, 1)
    np.testing.assert_array_equal(_grad(layer, x, weights), np.transpose(weights, (0, 2, 3, 1)))


@pytest.mark.parametrize("dims", [(0, 1), (1, 3), (1, 1), "ab", (1.0, 2.0), 2])
def test_permute_rejects_bad_dims(dims):
    with pytest.raises(ValueError, match=r"Permute: dims must be a permutation of 1, ..., k.*got"):
        Permute(dims)


def test_permute_rank_mismatch_names_layer_and_shape():
    with pytest.raises(ShapeError, match=r"Permute 'pm' expects inputs of rank 3.*got shape \(2, 3, 4, 5\)"):
        Permute((2, 1), name="pm")(np.zeros((2, 3, 4, 5), np.float32))


def test_permute_config_round_trip_and_save_load(tmp_path):
    layer = Permute((2, 1))
    config = layer.get_config()
    assert config["dims"] == [2, 1]
    clone = Permute.from_config(config)
    assert clone.dims == (2, 1)
    np.testing.assert_array_equal(clone(seq).numpy(), seq.transpose(0, 2, 1))
    _save_load(tmp_path, Permute((2, 1)), seq)


def test_repeat_vector_values_shape_and_gradient_sums_copies():
    x = np.array([[1, 2], [3, 4]], np.float32)
    layer = RepeatVector(3)
    out = layer(x)
    np.testing.assert_array_equal(out.numpy(), [[[1, 2]] * 3, [[3, 4]] * 3])
    assert layer.compute_output_shape((None, 2)) == (None, 3, 2)
    weights = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    # each feature feeds 3 outputs: its gradient is the sum of their weights
    np.testing.assert_array_equal(_grad(layer, x, weights), [[0 + 2 + 4, 1 + 3 + 5], [6 + 8 + 10, 7 + 9 + 11]])


@pytest.mark.parametrize("n", [0, -2, 2.5, True, "3"])
def test_repeat_vector_rejects_bad_n(n):
    with pytest.raises(ValueError, match="RepeatVector: n must be a positive integer"):
        RepeatVector(n)


def test_repeat_vector_needs_rank_2_and_round_trips(tmp_path):
    with pytest.raises(ShapeError, match=r"RepeatVector 'rv' expects inputs of rank 2 \(batch, features\)"):
        RepeatVector(2, name="rv")(seq)
    clone = RepeatVector.from_config(RepeatVector(4).get_config())
    assert clone.n == 4 and clone(np.ones((1, 3), np.float32)).shape == (1, 4, 3)
    _save_load(tmp_path, RepeatVector(2), rng.normal(size=(3, 4)).astype(np.float32))


def test_upsampling1d_repeats_steps_and_gradient_sums_each_block():
    x = np.array([[[1, 10], [2, 20]]], np.float32)  # (1, 2 steps, 2 channels)
    out = UpSampling1D()(x)  # default size 2
    np.testing.assert_array_equal(out.numpy(), [[[1, 10], [1, 10], [2, 20], [2, 20]]])
    layer = UpSampling1D(size=3)
    assert layer(seq).shape == (2, 15, 3)
    np.testing.assert_array_equal(layer(seq).numpy(), np.repeat(seq, 3, axis=1))
    assert layer.compute_output_shape((None, 5, 3)) == (None, 15, 3)
    assert layer.compute_output_shape((None, None, 3)) == (None, None, 3)
    weights = rng.normal(size=(2, 15, 3)).astype(np.float32)
    np.testing.assert_allclose(_grad(layer, seq, weights), weights.reshape(2, 5, 3, 3).sum(axis=2), rtol=1e-6)


def test_upsampling2d_repeats_pixels_in_blocks():
    x = np.array([[1, 2], [3, 4]], np.float32).reshape(1, 2, 2, 1)
    out = UpSampling2D()(x)
    want = [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    np.testing.assert_array_equal(out.numpy()[0, :, :, 0], want)
    layer = UpSampling2D(size=(2, 3))
    out = layer(images)
    assert out.shape == (2, 6, 12, 2)
    np.testing.assert_array_equal(out.numpy(), np.repeat(np.repeat(images, 2, axis=1), 3, axis=2))
    assert layer.compute_output_shape((None, 3, 4, 2)) == (None, 6, 12, 2)
    assert UpSampling2D(3).size == (3, 3)


def test_upsampling2d_gradient_sums_each_block():
    layer = UpSampling2D(size=(2, 3))
    weights = rng.normal(size=(2, 6, 12, 2)).astype(np.float32)
    want = weights.reshape(2, 3, 2, 4, 3, 2).sum(axis=(2, 4))  # (n, row, dr, col, dc, ch): sum each 2x3 block
    np.testing.assert_allclose(_grad(layer, images, weights), want, rtol=1e-5)


def test_upsampling_errors():
    with pytest.raises(ValueError, match="UpSampling1D: size must be a positive integer, got 0"):
        UpSampling1D(0)
    with pytest.raises(ValueError, match=r"UpSampling2D: size must be a positive int or a tuple of 2.*\(2, 0\)"):
        UpSampling2D((2, 0))
    with pytest.raises(NotImplementedError, match=r"interpolation='bilinear' is not implemented.*\"nearest\""):
        UpSampling2D(interpolation="bilinear")
    with pytest.raises(ValueError, match="interpolation must be \"nearest\""):
        UpSampling2D(interpolation="cubic-ish")
    with pytest.raises(ValueError, match=r"UpSampling2D: data_format='channels_first' is not supported.*channels-last"):
        UpSampling2D(data_format="channels_first")
    with pytest.raises(ShapeError, match=r"UpSampling2D 'up' expects inputs of rank 4 \(NHWC\), got shape \(2, 5, 3\)"):
        UpSampling2D(name="up")(seq)
    with pytest.raises(ShapeError, match=r"UpSampling1D 'up1' expects inputs of rank 3"):
        UpSampling1D(name="up1")(images)


def test_upsampling_config_round_trip_and_save_load(tmp_path):
    config = UpSampling2D((2, 3)).get_config()
    assert {k: config[k] for k in ("size", "data_format", "interpolation")} == {
        "size": [2, 3], "data_format": "channels_last", "interpolation": "nearest"}
    assert UpSampling2D.from_config(config)(images).shape == (2, 6, 12, 2)
    assert UpSampling1D.from_config(UpSampling1D(4).get_config()).size == 4
    _save_load(tmp_path, UpSampling2D((2, 1)), images)
    _save_load(tmp_path, UpSampling1D(3), seq)


def test_cropping1d_values_shapes_and_zero_padded_gradient():
    layer = Cropping1D()  # default (1, 1)
    np.testing.assert_array_equal(layer(seq).numpy(), seq[:, 1:4])
    layer = Cropping1D((2, 0))
    out = layer(seq)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.numpy(), seq[:, 2:])
    assert layer.compute_output_shape((None, 5, 3)) == (None, 3, 3)
    assert Cropping1D(2).cropping == (2, 2)
    weights = rng.normal(size=(2, 3, 3)).astype(np.float32)
    np.testing.assert_array_equal(_grad(layer, seq, weights), np.pad(weights, ((0, 0), (2, 0), (0, 0))))


def test_cropping2d_forms_values_and_zero_padded_gradient():
    assert Cropping2D().cropping == ((0, 0), (0, 0))
    assert Cropping2D(1).cropping == ((1, 1), (1, 1))
    assert Cropping2D((1, 2)).cropping == ((1, 1), (2, 2))
    layer = Cropping2D(((1, 0), (0, 2)))
    out = layer(images)  # (2, 3, 4, 2) -> (2, 2, 2, 2)
    np.testing.assert_array_equal(out.numpy(), images[:, 1:, :2])
    assert layer.compute_output_shape((None, 3, 4, 2)) == (None, 2, 2, 2)
    assert layer.compute_output_shape((None, None, 4, 2)) == (None, None, 2, 2)
    weights = rng.normal(size=(2, 2, 2, 2)).astype(np.float32)
    np.testing.assert_array_equal(_grad(layer, images, weights), np.pad(weights, ((0, 0), (1, 0), (0, 2), (0, 0))))


def test_cropping_errors():
    with pytest.raises(ValueError, match=r"Cropping1D: cropping must be.*got \(1, -1\)"):
        Cropping1D((1, -1))
    with pytest.raises(ValueError, match=r"Cropping2D: cropping must be.*got \(1, 2, 3\)"):
        Cropping2D((1, 2, 3))
    with pytest.raises(ValueError, match="Cropping2D: data_format='channels_first' is not supported"):
        Cropping2D(data_format="channels_first")
    with pytest.raises(ShapeError, match=r"Cropping1D 'c1': cropping \(3, 2\) removes 5 of the 5 entries of axis 1"):
        Cropping1D((3, 2), name="c1")(seq)
    with pytest.raises(ShapeError, match=r"Cropping2D 'c2': cropping \(2, 2\) removes 4 of the 4 entries of axis 2"):
        Cropping2D((0, 2), name="c2")(images)
    with pytest.raises(ShapeError, match="removes 4 of the 3"):
        Cropping2D(2).compute_output_shape((None, 3, 8, 1))


def test_cropping_config_round_trip_and_save_load(tmp_path):
    config = Cropping2D(((1, 0), (0, 2))).get_config()
    assert config["cropping"] == [[1, 0], [0, 2]] and config["data_format"] == "channels_last"
    assert Cropping2D.from_config(config).cropping == ((1, 0), (0, 2))
    assert Cropping1D.from_config(Cropping1D((2, 1)).get_config()).cropping == (2, 1)
    _save_load(tmp_path, Cropping2D(((1, 0), (0, 2))), images)
    _save_load(tmp_path, Cropping1D((0, 2)), seq)


def test_zero_padding1d_values_and_gradient_cuts_the_padding():
    out = ZeroPadding1D()(np.array([[[1.0], [2.0]]], np.float32))  # default 1 on each side
    np.testing.assert_array_equal(out.numpy()[0, :, 0], [0, 1, 2, 0])
    layer = ZeroPadding1D((2, 0))
    out = layer(seq)
    np.testing.assert_array_equal(out.numpy(), np.pad(seq, ((0, 0), (2, 0), (0, 0))))
    assert layer.compute_output_shape((None, 5, 3)) == (None, 7, 3)
    weights = rng.normal(size=(2, 7, 3)).astype(np.float32)
    np.testing.assert_array_equal(_grad(layer, seq, weights), weights[:, 2:])


def test_zero_padding1d_errors_config_and_save_load(tmp_path):
    with pytest.raises(ValueError, match=r"ZeroPadding1D: padding must be.*got -1"):
        ZeroPadding1D(-1)
    with pytest.raises(ValueError, match="ZeroPadding1D: data_format='channels_first' is not supported"):
        ZeroPadding1D(data_format="channels_first")
    with pytest.raises(ShapeError, match=r"ZeroPadding1D 'z1' expects inputs of rank 3"):
        ZeroPadding1D(name="z1")(images)
    config = ZeroPadding1D(3).get_config()
    assert config["padding"] == [3, 3] and config["data_format"] == "channels_last"
    assert ZeroPadding1D.from_config(config).padding == (3, 3)
    _save_load(tmp_path, ZeroPadding1D((1, 2)), seq)


def test_zero_padding2d_also_accepts_mixed_forms_as_keras():
    assert ZeroPadding2D((1, (2, 3))).padding == ((1, 1), (2, 3))


def test_layers_in_a_functional_model_infer_shapes_and_train():
    inputs = gw.Input((5, 3))
    x = Permute((2, 1))(inputs)  # (3, 5)
    x = ZeroPadding1D(1)(x)  # (5, 5)
    x = Cropping1D((0, 1))(x)  # (4, 5)
    x = UpSampling1D(2)(x)  # (8, 5)
    assert x.shape == (None, 8, 5)
    model = gw.Model(inputs, gw.layers.Dense(1)(gw.layers.Flatten()(x)))
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(seq, np.ones((2, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(seq, verbose=0).shape == (2, 1)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_reshaping_layers_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    x3 = rng.normal(size=(2, 5, 4)).astype(np.float32)
    x4 = rng.normal(size=(2, 5, 6, 3)).astype(np.float32)
    cases = [
        (Permute, dict(dims=(2, 1)), x3), (Permute, dict(dims=(3, 1, 2)), x4),
        (RepeatVector, dict(n=3), x3[:, 0]), (UpSampling1D, {}, x3), (UpSampling1D, dict(size=3), x3),
        (UpSampling2D, {}, x4), (UpSampling2D, dict(size=(2, 3)), x4), (Cropping1D, {}, x3),
        (Cropping1D, dict(cropping=(2, 0)), x3), (Cropping2D, dict(cropping=1), x4),
        (Cropping2D, dict(cropping=(1, 2)), x4), (Cropping2D, dict(cropping=((0, 2), (3, 1))), x4),
        (ZeroPadding1D, {}, x3), (ZeroPadding1D, dict(padding=(0, 3)), x3),
    ]
    for cls, kwargs, x in cases:
        theirs = getattr(keras.layers, cls.__name__)(**kwargs)
        ours = cls(**kwargs)
        np.testing.assert_array_equal(ours(x).numpy(), np.asarray(theirs(x)))
        sample = (None,) + x.shape[1:]
        assert tuple(ours.compute_output_shape(sample)) == tuple(theirs.compute_output_shape(sample))
