"""Layer base, Dense, Activation, Flatten, Input, Identity, Lambda."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError, UnknownNameError
from gradwise.layers import Activation, Dense, Flatten, Layer
from gradwise.layers.core import Identity, Lambda


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
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]  # Keras 3's path


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


# --- Identity and Lambda ------------------------------------------------------------------------
def test_identity_returns_its_inputs_and_passes_the_gradient():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    layer = Identity()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert layer(np.zeros((4, 5, 6), np.float32)).shape == (4, 5, 6)  # any shape, also after the first call
    a, b = layer([x, 2 * x])
    np.testing.assert_array_equal(b.numpy(), 2 * x)
    assert layer.compute_output_shape((None, 7)) == (None, 7)
    v = gw.Variable(x)
    weights = np.array([1.0, -1.0, 3.0], np.float32)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(Identity()(v) * weights)
    np.testing.assert_array_equal(tape.gradient(loss, v).numpy(), np.broadcast_to(weights, (2, 3)))


def test_identity_config_round_trip_and_save_load(tmp_path):
    config = Identity(name="same").get_config()
    assert config == {"name": "same", "trainable": True, "dtype": "float32"}
    assert Identity.from_config(config).name == "same"
    gw.random.seed(0)
    inputs = gw.Input((3,))
    model = gw.Model(inputs, Dense(2)(Identity()(inputs)))
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    model.save(tmp_path / "m.gw")
    loaded = gw.models.load_model(tmp_path / "m.gw", custom_objects={"Identity": Identity})  # until exported
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_lambda_calls_the_function_with_arguments():
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    np.testing.assert_array_equal(Lambda(lambda t: t * t)(x).numpy(), [[1.0, 4.0, 9.0]])
    shifted = Lambda(lambda t, shift, scale: (t + shift) * scale, arguments={"shift": 1.0, "scale": 2.0})
    np.testing.assert_array_equal(shifted(x).numpy(), [[4.0, -2.0, 8.0]])
    pair = Lambda(lambda ts: ts[0] - ts[1])([x, np.ones((1, 3), np.float32)])
    np.testing.assert_array_equal(pair.numpy(), [[0.0, -3.0, 2.0]])


def test_lambda_passes_training_when_the_function_asks_for_it():
    def noisy(t, training=None):
        return t + 1.0 if training else t

    layer = Lambda(noisy)
    x = np.zeros((1, 2), np.float32)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), [[1.0, 1.0]])
    np.testing.assert_array_equal(layer(x).numpy(), [[0.0, 0.0]])


def test_lambda_gradient_flows_through_the_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)
    v = gw.Variable(x)
    weights = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(Lambda(lambda t: t ** 2)(v) * weights)
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), 2 * x * weights)  # d(x²) = 2x


def test_lambda_output_shapes_in_a_functional_model():
    inputs = gw.Input((4,))
    assert Lambda(lambda t: t[:, :2])(inputs).shape == (None, 2)  # found by a dry run
    assert Lambda(lambda t: t, output_shape=(4,))(inputs).shape == (None, 4)
    assert Lambda(lambda t: t, output_shape=lambda s: (s[0], 4))(inputs).shape == (None, 4)
    joined = Lambda(lambda ts: gw.concatenate(ts, axis=-1))([inputs, inputs])
    assert joined.shape == (None, 8)
    model = gw.Model(inputs, Dense(1)(joined))
    assert model.predict(np.ones((3, 4), np.float32), verbose=0).shape == (3, 1)


def test_lambda_rejects_bad_arguments():
    with pytest.raises(TypeError, match="Lambda: function must be callable, got 3"):
        Lambda(3)
    with pytest.raises(ValueError, match="Lambda: output_shape must be a tuple"):
        Lambda(abs, output_shape="wide")
    with pytest.raises(TypeError, match="Lambda: arguments must be a dict"):
        Lambda(abs, arguments=[1])


def test_saving_a_model_with_a_lambda_explains_the_registered_layer_fix(tmp_path):
    model = gw.Sequential([gw.Input((3,)), Lambda(lambda t: t * 2, name="double"), Dense(1)])
    model(np.ones((1, 3), np.float32))
    path = tmp_path / "m.gw"
    message = r"Lambda layer 'double' cannot be saved.*Python code.*Layer subclass.*@gw.saving.register"
    with pytest.raises(TypeError, match=message):
        model.save(path)
    assert not path.exists()  # nothing half-written
    inputs = gw.Input((3,))
    functional = gw.Model(inputs, Dense(1)(Lambda(lambda t: t + 1)(inputs)))
    with pytest.raises(TypeError, match="cannot be saved.*@gw.saving.register"):
        functional.save(path)
    with pytest.raises(TypeError, match="cannot be saved"):
        Lambda(abs).get_config()


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_identity_and_lambda_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(2).normal(size=(2, 3)).astype(np.float32)
    np.testing.assert_array_equal(Identity()(x).numpy(), np.asarray(keras.layers.Identity()(x)))
    ours = Lambda(lambda t, k: t * k, arguments={"k": 3.0})(x).numpy()
    theirs = np.asarray(keras.layers.Lambda(lambda t, k: t * k, arguments={"k": 3.0})(x))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert keras.layers.Lambda(lambda t: t, output_shape=(4,)).compute_output_shape((None, 4)) == \
        Lambda(lambda t: t, output_shape=(4,)).compute_output_shape((None, 4))


def test_automatic_names_follow_keras():
    # the names Keras 3 gives these classes (read from Keras itself)
    from gradwise.layers.base import snake_case

    expected = {"Conv2D": "conv2d", "SpatialDropout1D": "spatial_dropout1d", "UpSampling2D": "up_sampling2d",
                "ZeroPadding2D": "zero_padding2d", "PReLU": "p_re_lu", "ReLU": "re_lu", "LeakyReLU": "leaky_re_lu",
                "ELU": "elu", "BatchNormalization": "batch_normalization", "GlobalMaxPooling1D": "global_max_pooling1d"}
    assert {name: snake_case(name) for name in expected} == expected
    assert gw.layers.SpatialDropout2D(0.1).name.startswith("spatial_dropout2d")
