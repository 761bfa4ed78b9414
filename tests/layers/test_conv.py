"""Conv1D/Conv2D and the pooling layers: shapes, weights, configs, errors, a training run."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers import Dense, Flatten
from gradwise.layers.conv import Conv1D, Conv2D
from gradwise.layers.pooling import (
    AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D, MinPooling2D,
)

rng = np.random.default_rng(7)
CUSTOM = {cls.__name__: cls for cls in (Conv1D, Conv2D, MaxPooling2D, MinPooling2D, AveragePooling2D,
                                        GlobalAveragePooling2D, GlobalMaxPooling2D)}


def test_conv2d_builds_keras_layout_and_computes_conv_plus_bias():
    gw.random.seed(0)
    layer = Conv2D(4, (3, 2), activation="relu")
    assert layer.name.startswith("conv2d") and layer.padding == "valid" and layer.strides == (1, 1)
    x = rng.normal(size=(2, 6, 5, 3)).astype(np.float32)
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 3, 4) and bias.shape == (4,) and y.shape == (2, 4, 4, 4)
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    layer.set_weights([kernel, np.arange(4, dtype=np.float32)])
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 2), axis=(1, 2))  # (n, 4, 4, c, 3, 2)
    expected = np.einsum("nijcuv,uvcf->nijf", windows, kernel) + np.arange(4)
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(expected, 0), rtol=1e-5, atol=1e-5)
    assert layer.count_params() == 3 * 2 * 3 * 4 + 4


def test_conv2d_glorot_uses_receptive_field_fans():
    gw.random.seed(1)
    layer = Conv2D(64, 3)
    layer(np.zeros((1, 8, 8, 32), np.float32))
    limit = np.sqrt(6 / (9 * 32 + 9 * 64))  # Keras: fan_in = kh·kw·in, fan_out = kh·kw·out
    kernel = layer.get_weights()[0]
    assert limit * 0.95 < np.abs(kernel).max() <= limit


@pytest.mark.parametrize("kwargs,input_shape,expected", [  # output shapes as Keras gives them
    (dict(filters=32, kernel_size=3), (None, 28, 28, 1), (None, 26, 26, 32)),
    (dict(filters=8, kernel_size=3, padding="same"), (None, 28, 28, 3), (None, 28, 28, 8)),
    (dict(filters=8, kernel_size=3, strides=2, padding="same"), (None, 28, 27, 3), (None, 14, 14, 8)),
    (dict(filters=8, kernel_size=(5, 3), strides=(2, 1)), (4, 28, 28, 3), (4, 12, 26, 8)),
    (dict(filters=2, kernel_size=3, dilation_rate=2), (None, 10, 9, 1), (None, 6, 5, 2)),
    (dict(filters=2, kernel_size=4, padding="Same"), (None, 7, None, 1), (None, 7, None, 2)),
])
def test_conv2d_output_shapes(kwargs, input_shape, expected):
    layer = Conv2D(**kwargs)
    assert layer.compute_output_shape(input_shape) == expected
    if None not in input_shape[1:]:
        probe = (2,) + input_shape[1:]
        assert layer(np.zeros(probe, np.float32)).shape == (2,) + expected[1:]


def test_conv1d_shapes_and_causal_padding():
    layer = Conv1D(5, 3, padding="causal", dilation_rate=2)
    x = rng.normal(size=(2, 10, 4)).astype(np.float32)
    y = layer(x)
    assert y.shape == (2, 10, 5) and layer.kernel.shape == (3, 4, 5)
    assert layer.compute_output_shape((None, 10, 4)) == (None, 10, 5)
    assert Conv1D(2, 4, strides=2).compute_output_shape((None, 11, 3)) == (None, 4, 2)
    # causal: output t does not depend on inputs after t
    x2 = x.copy()
    x2[:, 6:] += 1.0
    np.testing.assert_allclose(layer(x2).numpy()[:, :6], y.numpy()[:, :6], rtol=1e-6)
    assert not np.allclose(layer(x2).numpy()[:, 6:], y.numpy()[:, 6:])


def test_conv_config_round_trip():
    layer = Conv2D(6, (3, 1), strides=(1, 2), padding="SAME", dilation_rate=1, activation="tanh",
                   use_bias=False, kernel_initializer="he_normal", kernel_regularizer="l2", name="c6")
    config = layer.get_config()
    assert config["kernel_size"] == (3, 1) and config["strides"] == (1, 2) and config["padding"] == "same"
    assert config["data_format"] == "channels_last" and config["dilation_rate"] == (1, 1)
    clone = Conv2D.from_config(config)
    assert clone.get_config() == config
    assert clone.activation is gw.tanh and clone.name == "c6" and not clone.use_bias
    one_d = Conv1D.from_config(Conv1D(3, 5, padding="causal").get_config())
    assert one_d.kernel_size == (5,) and one_d.padding == "causal"


def test_conv_argument_errors_quote_the_value():
    with pytest.raises(ValueError, match="filters must be a positive integer, got filters=0"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"kernel_size must be an int or a tuple of 2 ints, got \(3, 3, 3\)"):
        Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="padding must be one of 'valid', 'same', got 'causal'"):
        Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="strides > 1 cannot be combined with dilation_rate > 1"):
        Conv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="channels_first.*not supported.*channels-last"):
        Conv2D(4, 3, data_format="channels_first")
    with pytest.raises(ValueError, match="channels_first.*not supported"):
        MaxPooling2D(data_format="channels_first")
    with pytest.raises(TypeError, match="unexpected keyword.*groups"):
        Conv2D(4, 3, groups=2)


def test_wrong_input_after_build_names_layer_and_shapes():
    layer = Conv2D(4, 3, name="c")
    layer(np.zeros((1, 8, 8, 3), np.float32))
    layer(np.zeros((2, 10, 9, 3), np.float32))  # any spatial size is fine
    with pytest.raises(ShapeError, match=r"Conv2D 'c' expected input of shape \(batch, height, width, 3\), "
                                         r"got \(1, 8, 8, 2\)"):
        layer(np.zeros((1, 8, 8, 2), np.float32))
    with pytest.raises(ShapeError, match=r"Conv2D 'c' expected .*got \(1, 8, 3\)"):
        layer(np.zeros((1, 8, 3), np.float32))
    with pytest.raises(ShapeError, match=r"Conv2D 'c2' expected input of shape \(batch, height, width, "
                                         r"channels\), got \(4, 3\)"):
        Conv2D(4, 3, name="c2")(np.zeros((4, 3), np.float32))
    with pytest.raises(ShapeError, match="does not fit"):
        Conv2D(4, 5)(np.zeros((1, 3, 3, 1), np.float32))
    pool = MaxPooling2D(name="p")
    pool(np.zeros((1, 4, 4, 3), np.float32))
    assert pool(np.zeros((1, 6, 6, 5), np.float32)).shape == (1, 3, 3, 5)
    with pytest.raises(ShapeError, match=r"MaxPooling2D 'p' expected input of shape \(batch, height, width, "
                                         r"channels\), got \(1, 6, 5\)"):
        pool(np.zeros((1, 6, 5), np.float32))


@pytest.mark.parametrize("cls,kwargs,input_shape,expected", [
    (MaxPooling2D, {}, (None, 26, 26, 32), (None, 13, 13, 32)),
    (MaxPooling2D, {}, (None, 11, 11, 64), (None, 5, 5, 64)),
    (MaxPooling2D, dict(pool_size=3, strides=2), (None, 9, 10, 1), (None, 4, 4, 1)),
    (MaxPooling2D, dict(padding="same"), (None, 11, 11, 2), (None, 6, 6, 2)),
    (AveragePooling2D, dict(pool_size=(2, 3), strides=1), (3, 5, 5, 2), (3, 4, 3, 2)),
    (MinPooling2D, dict(pool_size=3, padding="same"), (None, 7, 7, 1), (None, 3, 3, 1)),
    (MaxPooling1D, {}, (None, 9, 4), (None, 4, 4)),
    (AveragePooling1D, dict(pool_size=3, strides=1, padding="same"), (None, 9, 4), (None, 9, 4)),
    (GlobalAveragePooling2D, {}, (None, 7, 7, 16), (None, 16)),
    (GlobalMaxPooling2D, dict(keepdims=True), (None, 7, 6, 16), (None, 1, 1, 16)),
    (GlobalAveragePooling1D, {}, (None, 7, 3), (None, 3)),
    (GlobalMaxPooling1D, dict(keepdims=True), (None, 7, 3), (None, 1, 3)),
])
def test_pooling_output_shapes_and_config(cls, kwargs, input_shape, expected):
    layer = cls(**kwargs)
    assert layer.compute_output_shape(input_shape) == expected
    probe = tuple(2 if n is None else n for n in input_shape)
    assert layer(np.zeros(probe, np.float32)).shape == (probe[0],) + expected[1:]
    assert not layer.weights
    clone = cls.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_pooling_values():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(MaxPooling2D()(x).numpy()[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(MinPooling2D()(x).numpy()[0, :, :, 0], [[0, 2], [8, 10]])
    np.testing.assert_array_equal(AveragePooling2D()(x).numpy()[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(GlobalMaxPooling2D()(x).numpy(), [[15]])
    np.testing.assert_array_equal(GlobalAveragePooling2D()(x).numpy(), [[7.5]])
    assert MaxPooling2D().get_config()["pool_size"] == (2, 2) and MaxPooling2D().get_config()["strides"] == (2, 2)


def test_conv_layer_gradients_match_finite_differences():
    layer = Conv2D(2, (2, 3), strides=(2, 1), padding="same", activation="tanh", dtype="float64")
    x = rng.normal(size=(2, 5, 4, 3))
    layer(x)
    kernel, bias = layer.get_weights()

    def f(x, kernel, bias):
        layer.kernel, layer.bias = kernel, bias  # the layer's maths on the checker's tensors
        return layer.call(x)

    assert gw.check_gradients(f, [x, kernel, bias])


def quadrant_images(n, size=12, seed=0):
    """A bright 3x3 square somewhere in one of four quadrants, on dim noise: label = quadrant."""
    r = np.random.default_rng(seed)
    x = r.uniform(0.0, 0.3, (n, size, size, 1)).astype(np.float32)
    y = r.integers(0, 4, n)
    half = size // 2
    rows = (y // 2) * half + r.integers(0, half - 2, n)
    cols = (y % 2) * half + r.integers(0, half - 2, n)
    for i in range(n):
        x[i, rows[i]:rows[i] + 3, cols[i]:cols[i] + 3, 0] += 1.0
    return x, y


def test_small_cnn_learns_which_quadrant_holds_the_square(tmp_path):
    gw.random.seed(0)
    x, y = quadrant_images(640)
    xv, yv = quadrant_images(200, seed=1)
    model = gw.Sequential([
        Conv2D(8, 3, activation="relu"), MaxPooling2D(), Flatten(), Dense(4, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    predictions = model.predict(xv, verbose=0)
    assert (predictions.argmax(axis=1) == yv).mean() > 0.9
    path = tmp_path / "cnn.gw"
    model.save(path)
    clone = gw.models.load_model(path, custom_objects=CUSTOM)
    np.testing.assert_allclose(clone.predict(xv, verbose=0), predictions, rtol=1e-5, atol=1e-6)


# --- Conv2DTranspose, DepthwiseConv2D, SeparableConv2D --------------------------------------
import os  # noqa: E402

from gradwise.layers.conv import Conv2DTranspose, DepthwiseConv2D, SeparableConv2D  # noqa: E402

NEW_CUSTOM = {cls.__name__: cls for cls in (Conv2DTranspose, DepthwiseConv2D, SeparableConv2D)}


@pytest.mark.parametrize("kwargs,input_shape,expected", [  # output shapes as Keras 3 gives them
    (dict(filters=4, kernel_size=3), (None, 5, 6, 3), (None, 7, 8, 4)),
    (dict(filters=4, kernel_size=(3, 2), strides=2), (None, 5, 6, 3), (None, 11, 12, 4)),
    (dict(filters=4, kernel_size=3, strides=2, padding="same"), (None, 5, 6, 3), (None, 10, 12, 4)),
    (dict(filters=2, kernel_size=(2, 3), strides=(2, 3), padding="same", output_padding=(1, 2)), (2, 5, 6, 3),
     (2, 9, 18, 2)),
    (dict(filters=2, kernel_size=3, strides=2, output_padding=1), (None, 5, 6, 3), (None, 12, 14, 2)),
    (dict(filters=2, kernel_size=(4, 3), strides=(3, 2), padding="same", output_padding=0), (None, 5, 6, 3),
     (None, 12, 11, 2)),
    (dict(filters=3, kernel_size=3, dilation_rate=2), (None, 5, None, 3), (None, 9, None, 3)),
    (dict(filters=3, kernel_size=1, strides=3), (None, 4, 4, 1), (None, 12, 12, 3)),
])
def test_conv2d_transpose_output_shapes(kwargs, input_shape, expected):
    layer = Conv2DTranspose(**kwargs)
    assert layer.compute_output_shape(input_shape) == expected
    if None not in input_shape[1:]:
        assert layer(np.zeros((2,) + input_shape[1:], np.float32)).shape == (2,) + expected[1:]


def test_conv2d_transpose_weights_values_and_is_the_input_gradient_of_conv2d():
    layer = Conv2DTranspose(4, (3, 2), strides=2, padding="same", activation="relu", name="up")
    x = rng.normal(size=(2, 3, 4, 5)).astype(np.float32)
    layer(x)
    assert [w.name for w in layer.weights] == ["up/kernel", "up/bias"]
    kernel = rng.normal(size=(3, 2, 4, 5)).astype(np.float32)  # (kh, kw, filters, in)
    bias = np.arange(4, dtype=np.float32)
    layer.set_weights([kernel, bias])
    assert layer.count_params() == 3 * 2 * 4 * 5 + 4
    # y = Conv2DTranspose(x) is dL/dz of L = Σ x · conv2d(z, kernel) over z of the output's shape
    z = gw.Variable(np.zeros((2, 6, 8, 4)))
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(gw.conv2d(z, kernel, strides=2, padding="same") * x)
    expected = tape.gradient(loss, z).numpy() + bias
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(expected, 0), rtol=1e-5, atol=1e-5)


def test_depthwise_conv2d_layer_weights_and_per_channel_values():
    layer = DepthwiseConv2D((3, 2), depth_multiplier=2, padding="same")
    assert layer.name.startswith("depthwise_conv2d")
    x = rng.normal(size=(2, 5, 4, 3)).astype(np.float32)
    assert layer(x).shape == (2, 5, 4, 6)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 3, 2) and bias.shape == (6,)
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    layer.set_weights([kernel, np.arange(6, dtype=np.float32)])
    xp = np.pad(x, ((0, 0), (1, 1), (0, 1), (0, 0)))  # "same", 3x2 kernel: rows (1, 1), cols (0, 1)
    expected = np.zeros((2, 5, 4, 6))
    for c in range(3):  # channel c, multiplier m -> output c·2 + m
        for m in range(2):
            for u in range(3):
                for v in range(2):
                    expected[..., c * 2 + m] += xp[:, u:u + 5, v:v + 4, c] * kernel[u, v, c, m]
    np.testing.assert_allclose(layer(x).numpy(), expected + np.arange(6), rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None, 9, 9, 3)) == (None, 9, 9, 6)
    assert DepthwiseConv2D(3, strides=2).compute_output_shape((None, 9, 8, 4)) == (None, 4, 3, 4)


def test_separable_conv2d_is_depthwise_then_pointwise():
    layer = SeparableConv2D(5, 3, strides=2, depth_multiplier=2, padding="same", use_bias=True)
    x = rng.normal(size=(2, 7, 6, 3)).astype(np.float32)
    y = layer(x)
    assert y.shape == (2, 4, 3, 5) == layer.compute_output_shape(x.shape)
    depthwise, pointwise, bias = layer.get_weights()
    assert depthwise.shape == (3, 3, 3, 2) and pointwise.shape == (1, 1, 6, 5) and bias.shape == (5,)
    assert [w.name.split("/")[-1] for w in layer.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    bias = np.arange(5, dtype=np.float32)
    layer.set_weights([depthwise, pointwise, bias])
    mid = gw.depthwise_conv2d(x, depthwise, strides=2, padding="same").numpy()
    np.testing.assert_allclose(layer(x).numpy(), mid @ pointwise[0, 0] + bias, rtol=1e-5, atol=1e-5)
    assert layer.count_params() == 27 * 2 + 6 * 5 + 5


@pytest.mark.parametrize("make,x_shape", [
    (lambda: Conv2DTranspose(2, (2, 3), strides=2, padding="same", output_padding=1, activation="tanh",
                             dtype="float64"), (2, 3, 3, 3)),
    (lambda: Conv2DTranspose(3, 3, dilation_rate=2, dtype="float64"), (1, 3, 4, 2)),
    (lambda: DepthwiseConv2D((3, 2), strides=(2, 1), depth_multiplier=2, padding="same", activation="tanh",
                             dtype="float64"), (2, 5, 4, 3)),
    (lambda: SeparableConv2D(2, (2, 3), depth_multiplier=2, padding="same", activation="tanh",
                             dtype="float64"), (2, 4, 5, 3)),
])
def test_new_conv_layer_gradients_match_finite_differences(make, x_shape):
    layer = make()
    x = rng.normal(size=x_shape)
    layer(x)
    names = [w.name.split("/")[-1] for w in layer.weights]

    def f(x, *weights):
        for name, w in zip(names, weights):  # the layer's maths on the checker's tensors
            setattr(layer, name, w)
        return layer.call(x)

    assert gw.check_gradients(f, [x] + layer.get_weights())


def test_new_conv_layer_configs_round_trip():
    layers = [
        Conv2DTranspose(6, (3, 1), strides=(2, 1), padding="SAME", output_padding=(1, 0), activation="relu",
                        use_bias=False, kernel_regularizer="l2", name="t6"),
        DepthwiseConv2D(3, depth_multiplier=2, strides=2, depthwise_initializer="he_normal",
                        depthwise_regularizer="l2", name="dw"),
        SeparableConv2D(4, (3, 2), depth_multiplier=3, dilation_rate=2, pointwise_initializer="he_uniform",
                        pointwise_regularizer="l1", name="sep"),
    ]
    for layer in layers:
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config and clone.name == layer.name
    t, dw, sep = (layer.get_config() for layer in layers)
    assert t["output_padding"] == (1, 0) and t["padding"] == "same" and t["kernel_size"] == (3, 1)
    assert dw["depth_multiplier"] == 2 and "filters" not in dw and "depthwise_initializer" in dw
    assert "kernel_initializer" not in dw
    assert sep["filters"] == 4 and sep["depth_multiplier"] == 3 and "pointwise_initializer" in sep


def test_new_conv_layer_argument_errors():
    with pytest.raises(ValueError, match=r"output_padding must be strictly less than strides.*\(2, 2\).*\(2, 2\)"):
        Conv2DTranspose(4, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="strides > 1 cannot be combined with dilation_rate > 1"):
        Conv2DTranspose(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="depth_multiplier must be a positive integer, got depth_multiplier=0"):
        DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="depth_multiplier must be a positive integer"):
        SeparableConv2D(4, 3, depth_multiplier=1.5)
    layer = Conv2DTranspose(4, 3, name="t")
    layer(np.zeros((1, 4, 4, 3), np.float32))
    with pytest.raises(ShapeError, match=r"Conv2DTranspose 't' expected input of shape \(batch, height, width, 3\)"):
        layer(np.zeros((1, 4, 4, 4), np.float32))
    sep = SeparableConv2D(4, 3, name="s")
    sep(np.zeros((1, 4, 4, 2), np.float32))
    with pytest.raises(ShapeError, match=r"SeparableConv2D 's' expected input of shape \(batch, height, width, 2\)"):
        sep(np.zeros((1, 4, 4, 3), np.float32))


def test_autoencoder_with_new_conv_layers_trains_and_saves(tmp_path):
    gw.random.seed(0)
    x, _ = quadrant_images(64, size=8)
    model = gw.Sequential([
        SeparableConv2D(4, 3, strides=2, padding="same", activation="relu"),
        DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu"),
        Conv2DTranspose(1, 3, strides=2, padding="same"),
    ])
    model.compile(optimizer="adam", loss="mse")
    first = model.fit(x, x, epochs=1, batch_size=16, verbose=0).history["loss"][0]
    last = model.fit(x, x, epochs=5, batch_size=16, verbose=0).history["loss"][-1]
    assert last < first
    predictions = model.predict(x, verbose=0)
    assert predictions.shape == x.shape
    path = tmp_path / "ae.gw"
    model.save(path)
    clone = gw.models.load_model(path, custom_objects=NEW_CUSTOM)
    np.testing.assert_allclose(clone.predict(x, verbose=0), predictions, rtol=1e-5, atol=1e-6)


KERAS_LAYER_CASES = [
    ("Conv2DTranspose", dict(filters=4, kernel_size=3)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=(3, 2), strides=2)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same")),
    ("Conv2DTranspose", dict(filters=2, kernel_size=(2, 3), strides=(2, 3), padding="same", output_padding=(1, 2))),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, output_padding=1)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=(4, 3), strides=(3, 2), padding="same", output_padding=0)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, dilation_rate=2, padding="same", activation="relu")),
    ("DepthwiseConv2D", dict(kernel_size=3)),
    ("DepthwiseConv2D", dict(kernel_size=(3, 2), strides=2, depth_multiplier=2)),
    ("DepthwiseConv2D", dict(kernel_size=3, strides=2, padding="same", depth_multiplier=3)),
    ("DepthwiseConv2D", dict(kernel_size=2, dilation_rate=2, padding="same")),
    ("SeparableConv2D", dict(filters=4, kernel_size=3)),
    ("SeparableConv2D", dict(filters=5, kernel_size=(3, 2), strides=2, depth_multiplier=2, padding="same")),
    ("SeparableConv2D", dict(filters=2, kernel_size=2, dilation_rate=2, depth_multiplier=3)),
]


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
@pytest.mark.parametrize("name,kwargs", KERAS_LAYER_CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(KERAS_LAYER_CASES)])
def test_new_conv_layers_match_keras(name, kwargs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    x = rng.normal(size=(2, 5, 6, 3)).astype(np.float32)
    theirs = getattr(keras.layers, name)(**kwargs, bias_initializer="random_normal")
    want = np.asarray(theirs(x))
    ours = NEW_CUSTOM[name](**kwargs)
    ours(x)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    got = ours(x).numpy()
    assert got.shape == want.shape == ours.compute_output_shape(x.shape)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
