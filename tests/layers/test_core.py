"""Layer base, Dense, Activation, Flatten, Input."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError, UnknownNameError
from gradwise.layers import Activation, Dense, Flatten, Layer


def test_dense_builds_keras_layout_on_first_call():
    gw.random.seed(0)
    layer = Dense(4, activation="relu")
    assert not layer.built
    x = np.random.default_rng(0).normal(size=(3, 5)).astype(np.float32)
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (5, 4) and bias.shape == (4,)
    np.testing.assert_allclose(y.numpy(), np.maximum(x @ kernel + bias, 0), rtol=1e-6)
    assert layer.count_params() == 24
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_dense_default_initializers_glorot_uniform_and_zeros():
    gw.random.seed(1)
    layer = Dense(300)
    layer(np.zeros((1, 200), np.float32))
    kernel, bias = layer.get_weights()
    limit = np.sqrt(6 / (200 + 300))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    assert abs(kernel.std() - limit / np.sqrt(3)) < 0.01 * limit
    np.testing.assert_array_equal(bias, 0)


def test_wrong_shape_after_build_names_layer_and_shapes():
    layer = Dense(3, name="hidden")
    layer(np.zeros((2, 784), np.float32))
    with pytest.raises(ShapeError, match=r"Dense 'hidden' expected last axis 784.*\(2, 28\)"):
        layer(np.zeros((2, 28), np.float32))


def test_auto_names_are_unique():
    a, b = Dense(1), Dense(1)
    assert a.name != b.name and a.name.startswith("dense") and b.name.startswith("dense")


def test_invalid_units_and_unknown_kwargs():
    with pytest.raises(ValueError, match="positive integer"):
        Dense(0)
    with pytest.raises(TypeError, match="unexpected keyword.*colour"):
        Dense(3, colour="red")
    with pytest.raises(UnknownNameError, match="relux"):
        Dense(3, activation="relux")


def test_set_weights_checks_shapes():
    layer = Dense(2)
    layer(np.zeros((1, 3), np.float32))
    with pytest.raises(ShapeError, match=r"shape \(3, 2\).*\(2, 2\)"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])
    layer.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    np.testing.assert_allclose(layer(np.ones((1, 3), np.float32)).numpy(), [[3.5, 3.5]])


def test_config_round_trip():
    layer = Dense(7, activation="tanh", use_bias=False, kernel_initializer="he_normal", name="d7")
    clone = Dense.from_config(layer.get_config())
    assert clone.units == 7 and clone.activation is gw.tanh and not clone.use_bias and clone.name == "d7"
    assert Activation.from_config(Activation("sigmoid").get_config()).activation is gw.sigmoid


def test_trainable_flag_freezes_weights():
    layer = Dense(2)
    layer(np.zeros((1, 3), np.float32))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert layer.trainable_variables == [] and layer.non_trainable_variables == [layer.kernel, layer.bias]
    assert not layer.kernel.requires_grad
    layer.trainable = True
    assert len(layer.trainable_weights) == 2 and layer.kernel.requires_grad


def test_flatten_and_activation():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 12
    assert Flatten()(x).shape == (2, 12)
    np.testing.assert_array_equal(Activation("relu")(x).numpy(), np.maximum(x, 0))
    assert Flatten().compute_output_shape((None, 28, 28, 1)) == (None, 784)


def test_integer_input_is_cast_to_float32():
    layer = Dense(2)
    out = layer(np.ones((1, 3), dtype=np.uint8))
    assert out.dtype == np.float32


def test_user_subclass_config_is_recorded_automatically():
    class Scale(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w * self.factor

    layer = Scale(3.0, name="scale")
    config = layer.get_config()
    assert config["factor"] == 3.0 and config["name"] == "scale"
    clone = Scale.from_config(config)
    np.testing.assert_allclose(clone(np.ones((1, 2), np.float32)).numpy(), [[3.0, 3.0]])


def test_gradients_through_dense_match_finite_differences():
    layer = Dense(3, activation="tanh", dtype="float64")
    layer(np.zeros((1, 4)))
    w, b = layer.get_weights()

    def f(x, kernel, bias):
        return gw.tanh(gw.affine(x, kernel, bias))

    assert gw.check_gradients(f, [np.random.default_rng(0).normal(size=(2, 4)), w, b])


def test_input_placeholder():
    inp = gw.Input(shape=(784,))
    assert inp.shape == (None, 784)
    out = Dense(10)(inp)
    assert out.shape == (None, 10)


def test_direct_build_marks_the_layer_built_and_keeps_set_weights():
    layer = gw.layers.Conv2D(2, 3)
    layer.build((None, 5, 5, 1))
    assert layer.built
    kernel = np.arange(18, dtype="float32").reshape(3, 3, 1, 2)
    layer.set_weights([kernel, np.zeros(2, "float32")])
    out = layer(np.ones((1, 5, 5, 1), "float32"))  # must not rebuild with new random weights
    np.testing.assert_allclose(out.numpy()[0, 0, 0], kernel.sum(axis=(0, 1, 2)))
