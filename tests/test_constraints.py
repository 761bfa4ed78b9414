"""Weight constraints: Keras's formulas, layer arguments, projection after each optimizer step."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise import constraints
from gradwise.errors import UnknownNameError

W = np.array([[3.0, 0.1, -1.0], [4.0, 0.2, 0.0]], dtype="float32")  # column norms 5, ~0.224, 1


def test_max_norm_rescales_only_the_columns_above_the_limit():
    out = constraints.MaxNorm(max_value=2)(W)
    norms = np.linalg.norm(out, axis=0)
    np.testing.assert_allclose(norms, [2.0, np.linalg.norm(W[:, 1]), 1.0], rtol=1e-5)
    np.testing.assert_allclose(out[:, 0], W[:, 0] * 2 / 5, rtol=1e-5)  # direction kept
    assert out.dtype == W.dtype
    np.testing.assert_allclose(np.linalg.norm(constraints.MaxNorm(1.0, axis=1)(W), axis=1), [1, 1], rtol=1e-5)


def test_min_max_norm_unit_norm_and_non_neg():
    out = constraints.MinMaxNorm(min_value=0.5, max_value=1.0)(W)
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [1.0, 0.5, 1.0], rtol=1e-5)
    half = constraints.MinMaxNorm(min_value=0.5, max_value=1.0, rate=0.5)(W)
    np.testing.assert_allclose(np.linalg.norm(half, axis=0)[0], 0.5 * 1.0 + 0.5 * 5.0, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm()(W), axis=0), [1, 1, 1], rtol=1e-5)
    np.testing.assert_array_equal(constraints.NonNeg()(W), np.maximum(W, 0))


def test_names_configs_and_unknown_names():
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    again = constraints.get(constraints.serialize(constraints.MinMaxNorm(0.1, 2.0, 0.5, axis=[0, 1])))
    assert again.get_config() == {"min_value": 0.1, "max_value": 2.0, "rate": 0.5, "axis": [0, 1]}
    with pytest.raises(UnknownNameError, match="max_nrom"):
        constraints.get("max_nrom")


def test_a_dense_kernel_stays_within_its_max_norm_while_training():
    gw.random.seed(0)
    model = gw.Sequential([gw.Input((4,)), gw.layers.Dense(3, kernel_constraint=gw.constraints.max_norm(0.5),
                                                           bias_constraint="non_neg")])
    model.compile(gw.optimizers.SGD(1.0), "mse")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    model.fit(x, -10 * np.ones((32, 3), "float32"), epochs=3, verbose=0)  # pushes the bias negative
    kernel, bias = model.get_weights()
    assert np.all(np.linalg.norm(kernel, axis=0) <= 0.5 + 1e-5)
    assert np.all(bias >= 0)
    config = model.layers[0].get_config()
    assert config["kernel_constraint"] == {"class_name": "MaxNorm", "config": {"max_value": 0.5, "axis": 0}}
    assert config["bias_constraint"] == {"class_name": "NonNeg", "config": {}}


@pytest.mark.parametrize("make, arg, weight", [
    (lambda **kw: gw.layers.Conv2D(2, 3, **kw), "kernel_constraint", "kernel"),
    (lambda **kw: gw.layers.LSTM(2, **kw), "recurrent_constraint", "recurrent_kernel"),
    (lambda **kw: gw.layers.DepthwiseConv2D(3, **kw), "depthwise_constraint", "kernel"),
    (lambda **kw: gw.layers.SeparableConv2D(2, 3, **kw), "pointwise_constraint", "pointwise_kernel"),
    (lambda **kw: gw.layers.Embedding(5, 2, **kw), "embeddings_constraint", "embeddings"),
    (lambda **kw: gw.layers.BatchNormalization(**kw), "gamma_constraint", "gamma"),
])
def test_each_layer_attaches_its_constraint_to_the_named_weight(make, arg, weight):
    layer = make(**{arg: "unit_norm"})
    shape = {"kernel_constraint": (1, 5, 5, 2), "recurrent_constraint": (1, 3, 2), "depthwise_constraint": (1, 5, 5, 2),
             "pointwise_constraint": (1, 5, 5, 2), "embeddings_constraint": (1, 3), "gamma_constraint": (2, 4)}[arg]
    layer(np.ones(shape, "float32"))
    constrained = {w.name.split("/")[-1] for w in layer.weights if w.constraint is not None}
    assert constrained == {weight}
    rebuilt = type(layer).from_config(layer.get_config())
    assert isinstance(rebuilt._constraints[arg[:-len("_constraint")]], constraints.UnitNorm)


def test_an_unknown_constraint_argument_is_rejected():
    with pytest.raises(TypeError, match="recurrent_constraint"):
        gw.layers.Dense(2, recurrent_constraint="max_norm")


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
@pytest.mark.parametrize("name, kwargs", [("MaxNorm", {"max_value": 1.5}), ("MaxNorm", {"max_value": 1.0, "axis": [0, 1, 2]}),
                                          ("MinMaxNorm", {"min_value": 0.3, "max_value": 0.9, "rate": 0.7}),
                                          ("UnitNorm", {"axis": 1}), ("NonNeg", {})])
def test_constraints_match_keras(name, kwargs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    w = np.random.default_rng(3).normal(size=(3, 3, 2, 4)).astype("float32")
    expected = np.asarray(getattr(keras.constraints, name)(**kwargs)(keras.ops.convert_to_tensor(w)))
    np.testing.assert_allclose(getattr(constraints, name)(**kwargs)(w), expected, rtol=1e-5, atol=1e-7)
