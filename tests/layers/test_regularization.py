"""Dropout: inverted scaling, identity at inference, seeded masks, gradient = mask."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers.core import Dense
from gradwise.layers.regularization import Dropout


def test_kept_units_are_scaled_so_the_mean_is_kept():
    rate, n = 0.3, 1_000_000
    out = Dropout(rate, seed=1)(np.ones((1000, 1000), np.float32), training=True).numpy()
    assert set(np.unique(out)) == {0.0, np.float32(1 / (1 - rate))}
    # mean = K / (n (1 - rate)) with K ~ Binomial(n, 1 - rate): std = sqrt(rate / ((1 - rate) n))
    std = np.sqrt(rate / ((1 - rate) * n))
    assert abs(out.mean() - 1) < 5 * std
    assert abs((out == 0).mean() - rate) < 5 * np.sqrt(rate * (1 - rate) / n)


@pytest.mark.parametrize("training", [False, None])
def test_identity_at_inference(training):
    x = gw.constant(np.arange(12.0).reshape(3, 4))
    assert Dropout(0.5)(x, training=training) is x


def test_rate_zero_is_the_identity_in_training():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True).numpy(), x)


def test_same_seed_same_mask_and_gw_seed_reproduces_unseeded_layers():
    x = np.ones((50, 40), np.float32)
    a = Dropout(0.5, seed=7)(x, training=True).numpy()
    b = Dropout(0.5, seed=7)(x, training=True).numpy()
    c = Dropout(0.5, seed=8)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()
    layer = Dropout(0.5)
    gw.random.seed(3)
    first = layer(x, training=True).numpy()
    second = layer(x, training=True).numpy()
    gw.random.seed(3)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), first)
    assert (first != second).any()  # a new mask at each call


def test_gradient_is_the_mask():
    x = gw.Variable(np.random.default_rng(0).uniform(1, 2, (20, 30)).astype(np.float32))
    with gw.GradientTape() as tape:
        y = Dropout(0.4, seed=2)(x, training=True)
        loss = gw.reduce_sum(y * 3.0)
    mask = (y.numpy() != 0) / np.float32(0.6)
    np.testing.assert_allclose(y.numpy(), x.numpy() * mask, rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), 3 * mask, rtol=1e-6)


def test_noise_shape_shares_the_mask_along_axes_of_size_one():
    x = np.ones((8, 5, 6), np.float32)
    out = Dropout(0.5, noise_shape=(None, 1, 6), seed=0)(x, training=True).numpy()
    assert (out == out[:, :1, :]).all()  # the same mask for every row of a sample
    assert 0 < (out == 0).mean() < 1
    with pytest.raises(ValueError, match=r"noise_shape \(None, 1\).*\(8, 5, 6\)"):
        Dropout(0.5, noise_shape=(None, 1))(x, training=True)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", None])
def test_rate_outside_zero_one_is_rejected(rate):
    with pytest.raises(ValueError, match=r"Dropout: rate must be a number in \[0, 1\)"):
        Dropout(rate)


def test_config_round_trip():
    layer = Dropout(0.25, noise_shape=(None, 1), seed=5, name="drop")
    config = layer.get_config()
    assert config["rate"] == 0.25 and config["noise_shape"] == [None, 1] and config["seed"] == 5
    clone = Dropout.from_config(config)
    x = np.ones((4, 3), np.float32)
    np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())


def test_in_a_model_dropout_acts_in_fit_only():
    gw.random.seed(0)
    x = np.random.default_rng(1).normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = gw.Sequential([Dense(8, activation="relu"), Dropout(0.5), Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


# --- GaussianNoise, GaussianDropout, SpatialDropout1D/2D/3D, AlphaDropout ----------------------
import os  # noqa: E402

from gradwise.layers.core import Flatten  # noqa: E402
from gradwise.layers.regularization import (  # noqa: E402
    AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
)

NOISE_LAYERS = [
    (lambda: GaussianNoise(0.2), (6, 5)),
    (lambda: GaussianDropout(0.3), (6, 5)),
    (lambda: SpatialDropout1D(0.4), (3, 6, 5)),
    (lambda: SpatialDropout2D(0.4), (3, 4, 4, 5)),
    (lambda: SpatialDropout3D(0.4), (2, 3, 3, 3, 4)),
    (lambda: AlphaDropout(0.3), (6, 5)),
]
SELU_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


@pytest.mark.parametrize("make,shape", NOISE_LAYERS)
@pytest.mark.parametrize("training", [False, None])
def test_noise_layers_are_the_identity_outside_training(make, shape, training):
    x = gw.constant(np.random.default_rng(0).normal(size=shape).astype(np.float32))
    assert make()(x, training=training) is x


@pytest.mark.parametrize("make,shape", NOISE_LAYERS)
def test_noise_layers_change_the_input_in_training_reproducibly_with_gw_random_seed(make, shape):
    x = np.random.default_rng(0).uniform(1, 2, size=shape).astype(np.float32)
    layer = make()
    gw.random.seed(3)
    first = layer(x, training=True).numpy()
    second = layer(x, training=True).numpy()
    gw.random.seed(3)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), first)
    gw.random.seed(3)
    np.testing.assert_array_equal(make()(x, training=True).numpy(), first)  # a new layer, the same stream
    assert (first != x).any() and (first != second).any()  # noise, drawn anew at each call
    assert first.shape == shape and first.dtype == np.float32


@pytest.mark.parametrize("cls,arg", [(GaussianNoise, 0.3), (GaussianDropout, 0.3), (SpatialDropout1D, 0.3),
                                     (AlphaDropout, 0.3)])
def test_noise_layers_own_seed_gives_their_own_reproducible_stream(cls, arg):
    x = np.ones((8, 4, 6), np.float32)
    a = cls(arg, seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(cls(arg, seed=7)(x, training=True).numpy(), a)
    assert (cls(arg, seed=8)(x, training=True).numpy() != a).any()


def test_gaussian_noise_adds_zero_mean_noise_of_the_given_stddev_with_gradient_one():
    stddev, n = 0.3, 1_000_000
    x = gw.Variable(np.full((1000, 1000), 2.0, np.float32))
    with gw.GradientTape() as tape:
        out = GaussianNoise(stddev, seed=1)(x, training=True)
        loss = gw.reduce_sum(out * 3.0)
    noise = out.numpy().astype(np.float64) - 2.0
    assert abs(noise.mean()) < 5 * stddev / np.sqrt(n)
    assert abs(noise.std() - stddev) < 5 * stddev / np.sqrt(2 * n)  # std of a sample std: σ / sqrt(2n)
    assert abs(np.mean(np.abs(noise) < stddev) - 0.6827) < 0.003  # Gaussian: 68.27% within one stddev
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), 3.0)  # dy/dx = 1


def test_gaussian_dropout_multiplies_by_noise_of_mean_one_and_variance_rate_over_one_minus_rate():
    rate, n = 0.2, 1_000_000
    x = gw.Variable(np.random.default_rng(1).uniform(1, 2, (1000, 1000)).astype(np.float32))
    with gw.GradientTape() as tape:
        out = GaussianDropout(rate, seed=2)(x, training=True)
        loss = gw.reduce_sum(out)
    multiplier = out.numpy().astype(np.float64) / x.numpy()
    stddev = np.sqrt(rate / (1 - rate))  # 0.5
    assert abs(multiplier.mean() - 1) < 5 * stddev / np.sqrt(n)  # the mean of the input is kept
    assert abs(multiplier.std() - stddev) < 5 * stddev / np.sqrt(2 * n)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), multiplier, rtol=1e-5, atol=1e-6)  # dy/dx = m


@pytest.mark.parametrize("layer,shape,channel_axis", [
    (SpatialDropout1D(0.3, seed=4), (2000, 7, 50), 2),
    (SpatialDropout2D(0.3, seed=4), (400, 3, 5, 250), 3),
    (SpatialDropout2D(0.3, data_format="channels_first", seed=4), (400, 250, 3, 5), 1),
    (SpatialDropout3D(0.3, seed=4), (1000, 2, 2, 2, 100), 4),
])
def test_spatial_dropout_drops_whole_channels_at_the_rate_and_scales_the_rest(layer, shape, channel_axis):
    rate = 0.3
    x = np.random.default_rng(2).uniform(1, 2, size=shape).astype(np.float32)
    out = layer(x, training=True).numpy()
    ratio = out / x
    spatial = tuple(a for a in range(1, len(shape)) if a != channel_axis)
    first = ratio[tuple(slice(None) if a in (0, channel_axis) else slice(0, 1) for a in range(len(shape)))]
    np.testing.assert_allclose(ratio, np.broadcast_to(first, shape), rtol=1e-6)  # one factor per channel
    factors = ratio.max(axis=spatial)  # per (sample, channel)
    dropped = factors == 0
    np.testing.assert_allclose(factors[~dropped], 1 / (1 - rate), rtol=1e-6)  # inverted scaling
    n = dropped.size
    assert abs(dropped.mean() - rate) < 5 * np.sqrt(rate * (1 - rate) / n)
    assert abs(out.mean(dtype=np.float64) / x.mean(dtype=np.float64) - 1) < 5 * np.sqrt(rate / ((1 - rate) * n))
    assert 0 < dropped[0].mean() < 1 and 0 < dropped[:, 0].mean() < 1  # each sample has its own mask


def test_spatial_dropout_gradient_is_the_channel_mask():
    x = gw.Variable(np.random.default_rng(3).uniform(1, 2, (20, 6, 8)).astype(np.float32))
    with gw.GradientTape() as tape:
        out = SpatialDropout1D(0.5, seed=5)(x, training=True)
        loss = gw.reduce_sum(out * 2.0)
    mask = (out.numpy() != 0) / np.float32(0.5)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), 2 * mask, rtol=1e-6)


def test_spatial_dropout_checks_the_rank_and_its_arguments():
    with pytest.raises(ValueError, match=r"SpatialDropout1D 'sd1' expects inputs of rank 3, got .*\(4, 5\)"):
        SpatialDropout1D(0.2, name="sd1")(np.ones((4, 5), np.float32), training=True)
    with pytest.raises(ValueError, match="SpatialDropout2D.*rank 4"):
        SpatialDropout2D(0.2)(np.ones((4, 5, 6), np.float32), training=True)
    with pytest.raises(ValueError, match="data_format must be 'channels_last' or 'channels_first'"):
        SpatialDropout2D(0.2, data_format="NHWC")
    with pytest.raises(ValueError, match=r"SpatialDropout1D: rate must be a number in \[0, 1\), got 1"):
        SpatialDropout1D(1)
    with pytest.raises(TypeError, match="no noise_shape"):
        SpatialDropout1D(0.2, noise_shape=(None, 1, 3))


def test_alpha_dropout_keeps_zero_mean_unit_variance_and_sets_dropped_units_to_one_value():
    rate, n = 0.2, 1_000_000
    x = gw.Variable(np.random.default_rng(4).standard_normal((1000, 1000)).astype(np.float32))
    with gw.GradientTape() as tape:
        out = AlphaDropout(rate, seed=6)(x, training=True)
        loss = gw.reduce_sum(out)
    a = ((1 - rate) * (1 + rate * SELU_ALPHA_P ** 2)) ** -0.5
    b = -a * SELU_ALPHA_P * rate
    y, xs = out.numpy().astype(np.float64), x.numpy().astype(np.float64)
    kept = np.isclose(y, a * xs + b, rtol=1e-5, atol=1e-6)
    dropped = np.isclose(y, a * SELU_ALPHA_P + b, rtol=1e-6)
    assert (kept | dropped).all()
    assert abs(dropped.mean() - rate) < 5 * np.sqrt(rate * (1 - rate) / n)
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01  # self-normalizing: mean 0, variance 1 kept
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), a * kept, rtol=1e-6)  # dy/dx = a m


@pytest.mark.parametrize("make,message", [
    (lambda: GaussianNoise(1.5), r"GaussianNoise: stddev must be a number in \[0, 1\], got 1.5"),
    (lambda: GaussianNoise(-0.1), "stddev must be a number"),
    (lambda: GaussianDropout(1.0), r"GaussianDropout: rate must be a number in \[0, 1\), got 1.0"),
    (lambda: AlphaDropout(-0.2), r"AlphaDropout: rate must be a number in \[0, 1\)"),
    (lambda: GaussianNoise(0.1, seed=-1), "seed must be a non-negative int"),
])
def test_noise_layer_arguments_are_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_zero_noise_is_the_identity_in_training():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    for layer in (GaussianNoise(0.0), GaussianDropout(0.0), AlphaDropout(0.0), SpatialDropout1D(0.0)):
        np.testing.assert_array_equal(layer(x[None] if isinstance(layer, SpatialDropout1D) else x,
                                            training=True).numpy(), x[None] if isinstance(layer, SpatialDropout1D)
                                      else x)


@pytest.mark.parametrize("layer,keys", [
    (GaussianNoise(0.25, seed=3, name="gn"), {"stddev": 0.25, "seed": 3}),
    (GaussianDropout(0.4, seed=1, name="gd"), {"rate": 0.4, "seed": 1}),
    (SpatialDropout1D(0.3, seed=2, name="sd1"), {"rate": 0.3, "seed": 2}),
    (SpatialDropout2D(0.3, data_format="channels_first", name="sd2"),
     {"rate": 0.3, "seed": None, "data_format": "channels_first"}),
    (AlphaDropout(0.1, noise_shape=(None, 1), seed=4, name="ad"), {"rate": 0.1, "seed": 4, "noise_shape": [None, 1]}),
])
def test_noise_layer_config_round_trip(layer, keys):
    config = layer.get_config()
    assert {k: config[k] for k in keys} == keys
    if isinstance(layer, SpatialDropout1D):
        assert "noise_shape" not in config
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    shape = (3, 4, 5, 6) if isinstance(layer, SpatialDropout2D) else (3, 4, 5) if isinstance(layer, SpatialDropout1D) \
        else (3, 4)
    x = np.random.default_rng(5).uniform(1, 2, shape).astype(np.float32)
    if config["seed"] is not None:  # the same own seed: the same noise
        np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())


def test_model_with_noise_layers_trains_saves_and_loads(tmp_path):
    gw.random.seed(0)
    data = np.random.default_rng(6)
    x = data.normal(size=(64, 5, 4)).astype(np.float32)
    y = (x[:, 0, 0] > 0).astype(np.int64)
    model = gw.Sequential([
        gw.Input((5, 4)), SpatialDropout1D(0.2), Flatten(), Dense(8, activation="selu"), AlphaDropout(0.1),
        GaussianNoise(0.1), Dense(8, activation="relu"), GaussianDropout(0.2), Dense(2, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    first = model.predict(x, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), first)  # no noise at inference
    path = tmp_path / "m.gw"
    model.save(path)
    custom = {cls.__name__: cls for cls in (SpatialDropout1D, AlphaDropout, GaussianNoise, GaussianDropout)}
    clone = gw.models.load_model(path, custom_objects=custom)
    assert [type(layer).__name__ for layer in clone.layers] == [type(layer).__name__ for layer in model.layers]
    assert clone.layers[3].get_config()["rate"] == 0.1 and clone.layers[4].get_config()["stddev"] == 0.1
    np.testing.assert_array_equal(clone.predict(x, verbose=0), first)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_noise_layers_agree_with_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    # AlphaDropout on zeros: kept units become b, dropped ones a·α' + b (Keras's constants)
    zeros = np.zeros((200, 100), np.float32)
    theirs = np.unique(np.asarray(keras.layers.AlphaDropout(0.3, seed=1)(zeros, training=True)))
    ours = np.unique(AlphaDropout(0.3, seed=1)(zeros, training=True).numpy())
    np.testing.assert_allclose(np.sort(ours), np.sort(theirs), rtol=1e-6)
    # GaussianDropout's multiplier and GaussianNoise's noise have the same spread as Keras's
    ones = np.ones((500, 400), np.float32)
    for ours_layer, keras_layer in ((GaussianDropout(0.4, seed=1), keras.layers.GaussianDropout(0.4, seed=1)),
                                    (GaussianNoise(0.3, seed=1), keras.layers.GaussianNoise(0.3, seed=1))):
        a, b = ours_layer(ones, training=True).numpy(), np.asarray(keras_layer(ones, training=True))
        assert abs(a.mean() - b.mean()) < 0.01 and abs(a.std() - b.std()) < 0.01
        np.testing.assert_array_equal(np.asarray(keras_layer(ones, training=False)), ones)
    # SpatialDropout2D: Keras also keeps or drops whole channels, scaled by 1 / (1 - rate)
    images = np.ones((64, 3, 3, 32), np.float32)
    out = np.asarray(keras.layers.SpatialDropout2D(0.5, seed=1)(images, training=True))
    assert (out == out[:, :1, :1, :]).all() and set(np.unique(out)) == {0.0, 2.0}
    assert set(np.unique(SpatialDropout2D(0.5, seed=1)(images, training=True).numpy())) == {0.0, 2.0}
    # configs carry the same keys
    for ours_layer, keras_layer in ((GaussianNoise(0.1), keras.layers.GaussianNoise(0.1)),
                                    (GaussianDropout(0.1), keras.layers.GaussianDropout(0.1)),
                                    (SpatialDropout1D(0.1), keras.layers.SpatialDropout1D(0.1)),
                                    (SpatialDropout2D(0.1), keras.layers.SpatialDropout2D(0.1)),
                                    (AlphaDropout(0.1), keras.layers.AlphaDropout(0.1))):
        wanted = set(keras_layer.get_config()) - {"trainable", "dtype", "name"}
        assert wanted <= set(ours_layer.get_config()), type(ours_layer).__name__
