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
