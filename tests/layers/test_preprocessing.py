"""Normalization: Keras 3's documented numbers, adapt over batches, epsilon for constant
features, the inverse map, non-trainable weights, gradient, config and save/load.
Rescaling: values, float32 output, per-channel scale, gradient, config and save/load."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers import Normalization
from gradwise.layers.preprocessing import Rescaling

rng = np.random.default_rng(3)
TABLE = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0], [2.0, 9.0, 6.0]], np.float32)


def test_keras_documented_examples():
    layer = Normalization(axis=None)
    layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32))  # mean 3, variance 2
    np.testing.assert_allclose(layer(np.array([1.0, 2.0, 3.0], np.float32)).numpy(),
                               [-1.4142135, -0.70710677, 0.0], rtol=1e-6)
    per_feature = Normalization(axis=-1)
    per_feature.adapt(TABLE)  # means (1, 8, 5), variances 1
    np.testing.assert_allclose(per_feature(TABLE[:1]).numpy(), [[-1, -1, -1]], rtol=1e-6)
    fixed = Normalization(mean=3.0, variance=2.0)
    np.testing.assert_allclose(fixed(np.array([[1.0], [2.0], [3.0]], np.float32)).numpy(),
                               [[-1.4142135], [-0.70710677], [0.0]], rtol=1e-6)
    inverse = Normalization(axis=-1, invert=True)
    inverse.adapt(TABLE)
    np.testing.assert_allclose(inverse(np.array([[1.0, 2.0, 3.0]], np.float32)).numpy(), [[2, 10, 8]], rtol=1e-6)


def test_statistics_are_non_trainable_weights_holding_the_variance():
    x = rng.normal(5.0, 3.0, size=(500, 4)).astype(np.float32)
    layer = Normalization()
    layer.adapt(x)
    assert [w.name.split("/")[-1] for w in layer.weights] == ["mean", "variance"]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    np.testing.assert_allclose(layer.mean.numpy(), x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.variance.numpy(), x.var(0), rtol=1e-5)  # variance (ddof 0), not std
    out = layer(x).numpy()
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(0), 1, rtol=1e-4)


def test_adapt_over_batches_equals_adapt_over_the_whole():
    x = rng.normal(-2.0, 0.5, size=(103, 3)).astype(np.float64)
    whole, batched = Normalization(), Normalization()
    whole.adapt(x)
    batched.adapt(x[i:i + 32] for i in range(0, 103, 32))
    np.testing.assert_allclose(batched.mean.numpy(), whole.mean.numpy(), rtol=1e-6)
    np.testing.assert_allclose(batched.variance.numpy(), whole.variance.numpy(), rtol=1e-5)


def test_axes_keep_one_statistic_per_index():
    images = rng.uniform(0, 255, size=(10, 4, 4, 3)).astype(np.float32)
    channels = Normalization(axis=-1)
    channels.adapt(images)
    assert channels.mean.shape == (3,)
    np.testing.assert_allclose(channels.mean.numpy(), images.mean((0, 1, 2)), rtol=1e-5)
    rows = Normalization(axis=(1, 3))
    rows.adapt(images)
    assert rows.mean.shape == (4, 3)
    np.testing.assert_allclose(rows.mean.numpy(), images.mean((0, 2)), rtol=1e-5)
    scalar = Normalization(axis=None)
    scalar.adapt(images)
    assert scalar.mean.shape == ()


def test_constant_feature_divides_by_epsilon_not_zero():
    x = np.array([[1.0, 4.0], [3.0, 4.0]], np.float32)
    layer = Normalization()
    layer.adapt(x)
    out = layer(x).numpy()
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:, 1], 0)  # (x - mean) / max(√0, 1e-7) = 0
    np.testing.assert_allclose(Normalization(mean=0.0, variance=0.0)(np.array([[1e-8]])).numpy(), [[0.1]], rtol=1e-5)


def test_given_statistics_broadcast_along_the_kept_axes():
    layer = Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0])
    np.testing.assert_allclose(layer(np.array([[2.0, 4.0, 6.0]])).numpy(), [[1, 1, 1]], rtol=1e-6)
    assert layer.weights == []  # the statistics live in the config
    with pytest.raises(ShapeError, match=r"statistics of shape \(2,\)"):
        Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0])(np.zeros((2, 3)))


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="give both mean and variance"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="variance must be >= 0"):
        Normalization(mean=0.0, variance=-1.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        Normalization().adapt(np.array([[1.0], [np.nan]]))
    layer = Normalization()
    layer.adapt(TABLE)
    with pytest.raises(ShapeError, match=r"sizes \{1: 3\}.*\(2, 4\)"):
        layer(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="was given mean and variance"):
        Normalization(mean=0.0, variance=1.0).adapt(TABLE)


def test_gradient_reaches_the_inputs():
    layer = Normalization(mean=[1.0, -2.0], variance=[4.0, 0.25], dtype="float64")
    assert gw.check_gradients(lambda t: layer(t), [rng.normal(size=(3, 2))]) is True
    inverse = Normalization(mean=[1.0, -2.0], variance=[4.0, 0.25], invert=True, dtype="float64")
    assert gw.check_gradients(lambda t: inverse(t), [rng.normal(size=(3, 2))]) is True


def test_config_round_trip_and_model_save_load(tmp_path):
    fixed = Normalization(axis=None, mean=2.0, variance=3.0, invert=True)
    clone = Normalization.from_config(fixed.get_config())
    x = rng.normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_array_equal(clone(x).numpy(), fixed(x).numpy())

    gw.random.seed(0)
    data = rng.normal(100.0, 20.0, size=(64, 3)).astype(np.float32)
    norm = Normalization()
    norm.adapt(data)
    model = gw.Sequential([gw.Input((3,)), norm, gw.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data, data.sum(1), epochs=1, verbose=0)
    path = tmp_path / "norm.gw"
    model.save(path)
    loaded = gw.models.load_model(path)
    np.testing.assert_allclose(loaded.layers[0].variance.numpy(), data.var(0), rtol=1e-5)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0), rtol=1e-6)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    data = rng.normal(3.0, 2.0, size=(50, 4, 3)).astype(np.float32)
    data[:, :, 2] = 1.5  # a constant feature: epsilon decides
    for axis in (-1, None, (1, 2)):
        for invert in (False, True):
            ours, theirs = Normalization(axis=axis, invert=invert), keras.layers.Normalization(axis=axis, invert=invert)
            ours.adapt(data)
            theirs.adapt(data)
            np.testing.assert_allclose(ours(data[:5]).numpy(), np.asarray(theirs(data[:5])), rtol=1e-4, atol=1e-4)


# --- Rescaling --------------------------------------------------------------------------------
def test_rescaling_maps_pixels_by_hand_and_returns_float32():
    pixels = np.array([[0, 51, 255]], np.uint8)
    unit = Rescaling(1 / 255)(pixels)
    assert unit.dtype == np.float32
    np.testing.assert_allclose(unit.numpy(), [[0.0, 0.2, 1.0]], rtol=1e-6)
    signed = Rescaling(1 / 127.5, offset=-1.0)(pixels)
    np.testing.assert_allclose(signed.numpy(), [[-1.0, 51 / 127.5 - 1, 1.0]], rtol=1e-6)
    doubles = Rescaling(2.0, offset=0.5)(np.array([1.25, -3.0], np.float64))
    assert doubles.dtype == np.float32  # the layer's dtype, as Keras's compute dtype
    np.testing.assert_array_equal(doubles.numpy(), [3.0, -5.5])
    assert Rescaling(3.0).compute_output_shape((None, 4, 4, 3)) == (None, 4, 4, 3)


def test_rescaling_per_channel_scale_broadcasts():
    x = np.ones((2, 2, 2, 3), np.float32)
    out = Rescaling([1.0, 2.0, 4.0], offset=[0.0, 0.0, -1.0])(x)
    np.testing.assert_array_equal(out.numpy()[1, 1, 0], [1.0, 2.0, 3.0])


def test_rescaling_gradient_is_the_scale():
    x = gw.Variable(rng.normal(size=(3, 2)).astype(np.float32))
    weights = np.array([[1.0, -2.0]], np.float32)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(Rescaling(0.5, offset=7.0)(x) * weights)
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), np.broadcast_to([[0.5, -1.0]], (3, 2)))


def test_rescaling_rejects_non_numbers():
    with pytest.raises(ValueError, match="Rescaling: scale must be a number.*'big'"):
        Rescaling("big")
    with pytest.raises(ValueError, match="Rescaling: offset must be a number"):
        Rescaling(1.0, offset=None)


def test_rescaling_config_round_trip_and_save_load(tmp_path):
    layer = Rescaling(np.float32(0.25), offset=np.array([1.0, 2.0]))
    config = layer.get_config()
    assert config["scale"] == 0.25 and config["offset"] == [1.0, 2.0]
    clone = Rescaling.from_config(config)
    x = rng.normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_array_equal(clone(x).numpy(), x * np.float32(0.25) + np.array([1, 2], np.float32))

    gw.random.seed(0)
    pixels = rng.integers(0, 256, size=(8, 3)).astype(np.float32)
    model = gw.Sequential([gw.Input((3,)), Rescaling(1 / 255, offset=-0.5), gw.layers.Dense(2)])
    path = tmp_path / "m.gw"
    model.save(path)
    loaded = gw.models.load_model(path, custom_objects={"Rescaling": Rescaling})  # until gw.layers exports it
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(loaded.predict(pixels, verbose=0), model.predict(pixels, verbose=0))


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_rescaling_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    pixels = rng.integers(0, 256, size=(2, 4, 4, 3)).astype(np.uint8)
    for scale, offset in ((1 / 255, 0.0), (1 / 127.5, -1.0), ([1.0, 0.5, 0.25], 0.1)):
        theirs = np.asarray(keras.layers.Rescaling(scale, offset)(pixels))
        ours = Rescaling(scale, offset)(pixels).numpy()
        assert ours.dtype == theirs.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
