"""gw.models.clone_model: the same architecture, new weights from the initializers, nothing
shared with the original, compiled like the original with a fresh optimizer (Keras 3's keras.models.clone_model)."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Add, BatchNormalization, Concatenate, Dense, Dropout
from gradwise.models import clone_model

rng = np.random.default_rng(0)


def sequential():
    return gw.Sequential([gw.Input((4,), name="features"), Dense(5, activation="relu", name="hidden"),
                          BatchNormalization(name="bn"), Dropout(0.25, name="drop"), Dense(2, name="out")],
                         name="seq")


def functional():
    """a -> hidden ┐                      (hidden is used twice: a shared layer)
       b -> hidden ┴ add -> concat(., b) -> out"""
    a, b = gw.Input((3,), name="a"), gw.Input((3,), name="b")
    hidden = Dense(3, activation="tanh", name="hidden")
    joined = Add(name="add")([hidden(a), hidden(b)])
    out = Dense(2, name="out")(Concatenate(name="cat")([joined, b]))
    return gw.Model(inputs=[a, b], outputs=out, name="two_inputs")


def ids(model):
    return {id(v) for v in model.weights}


def same_architecture(original, clone):
    assert type(clone) is type(original) and clone.name == original.name
    assert [type(l) for l in clone.layers] == [type(l) for l in original.layers]
    assert [l.get_config() for l in clone.layers] == [l.get_config() for l in original.layers]
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in original.get_weights()]
    assert [w.name for w in clone.weights] == [w.name for w in original.weights]
    assert not ids(clone) & ids(original)  # no Variable shared
    assert not {id(l) for l in clone.layers} & {id(l) for l in original.layers}


@pytest.mark.parametrize("make", [sequential, functional], ids=["sequential", "functional"])
def test_same_architecture_new_weights_nothing_shared(make):
    gw.random.seed(1)
    model = make()
    gw.random.seed(2)
    clone = clone_model(model)
    same_architecture(model, clone)
    kernels = [(a, b) for a, b in zip(model.get_weights(), clone.get_weights()) if a.ndim == 2]
    assert kernels and all(not np.allclose(a, b) for a, b in kernels)  # new random draws
    assert clone.optimizer is None and not clone._compiled


@pytest.mark.parametrize("make", [sequential, functional], ids=["sequential", "functional"])
def test_weights_come_from_the_initializers(make):
    """With the seed the original was made with, the clone draws exactly its initial weights:
    the same initializers, in the same order (biases zeros, BatchNorm gamma ones, ...)."""
    gw.random.seed(7)
    model = make()
    initial = model.get_weights()
    gw.random.seed(7)
    clone = clone_model(model)
    for a, b in zip(initial, clone.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_functional_graph_is_the_same():
    """With the original's weights copied in, the clone computes exactly the same function."""
    model = functional()
    clone = clone_model(model)
    assert [t.shape for t in clone.inputs] == [t.shape for t in model.inputs]
    assert clone.input_names == ["a", "b"] and clone.output_names == model.output_names
    # the shared layer is cloned once and stays shared: 2 Dense layers, 4 weights
    assert len(clone.weights) == len(model.weights) == 4
    assert len(clone.get_layer("hidden")._inbound_nodes) == 2
    clone.set_weights(model.get_weights())
    xa, xb = rng.normal(size=(6, 3)).astype(np.float32), rng.normal(size=(6, 3)).astype(np.float32)
    np.testing.assert_array_equal(clone.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0))
    w1, b1, w2, b2 = model.get_weights()  # and that function is the one drawn above
    joined = np.tanh(xa @ w1 + b1) + np.tanh(xb @ w1 + b1)
    np.testing.assert_allclose(clone.predict([xa, xb], verbose=0), np.concatenate([joined, xb], 1) @ w2 + b2,
                               rtol=1e-5, atol=1e-6)


def test_clones_train_independently():
    x = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.normal(size=(32, 2)).astype(np.float32)
    model = sequential()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # also moves BatchNorm's moving statistics
    clone = clone_model(model)
    # compiled as the original (as Keras 3), with its own optimizer and no optimizer state
    assert type(clone.optimizer) is type(model.optimizer) and clone.optimizer is not model.optimizer
    assert clone.optimizer.learning_rate == model.optimizer.learning_rate and clone.optimizer.iterations == 0
    assert model.optimizer.iterations > 0
    moving_mean = clone.get_layer("bn").get_weights()[2]
    np.testing.assert_array_equal(moving_mean, np.zeros(5))  # fresh, not the trained statistics
    before = model.get_weights()
    clone.compile(optimizer=gw.optimizers.SGD(0.1), loss="mse")
    history = clone.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < history[0]
    for a, b in zip(before, model.get_weights()):  # training the clone left the original alone
        np.testing.assert_array_equal(a, b)
    assert clone.optimizer is not model.optimizer
    snapshot = clone.get_weights()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # and the other way round
    for a, b in zip(snapshot, clone.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_sequential_input_and_build_state_are_kept():
    model = sequential()
    clone = clone_model(model)
    assert clone.input.shape == (None, 4) and clone.inputs[0].layer.name == "features"
    lazy = gw.Sequential([Dense(3), Dense(1)])  # no Input, never called: the clone is unbuilt too
    lazy_clone = clone_model(lazy)
    assert not lazy_clone.built and lazy_clone.weights == []
    assert lazy_clone(np.ones((2, 6), np.float32)).shape == (2, 1)
    lazy.build((None, 5))
    built_clone = clone_model(lazy)
    assert built_clone.built and built_clone.layers[0].kernel.shape == (5, 3)


def test_frozen_layers_stay_frozen():
    model = sequential()
    model.get_layer("hidden").trainable = False
    clone = clone_model(model)
    assert not clone.get_layer("hidden").trainable
    assert len(clone.trainable_weights) == len(model.trainable_weights)


def test_nested_models_are_cloned_with_new_weights():
    inner = gw.Sequential([gw.Input((3,)), Dense(4, name="inner_dense")], name="inner")
    x = gw.Input((3,), name="x")
    outer = gw.Model(x, Dense(1, name="head")(inner(x)), name="outer")
    clone = clone_model(outer)
    inner_clone = clone.get_layer("inner")
    assert isinstance(inner_clone, gw.Sequential) and inner_clone is not inner
    assert not ids(clone) & ids(outer)
    assert clone.predict(np.ones((2, 3), np.float32), verbose=0).shape == (2, 1)


def test_clone_function_and_call_function():
    model = sequential()
    shared = clone_model(model, clone_function=lambda layer: layer)  # reuse the layers: weights shared
    assert ids(shared) == ids(model)

    def no_dropout(layer):
        config = layer.get_config()
        if isinstance(layer, Dropout):
            config["rate"] = 0.0
        return type(layer).from_config(config)

    assert clone_model(model, clone_function=no_dropout).get_layer("drop").rate == 0.0

    def double_hidden(layer, inputs, **kwargs):
        out = layer(inputs, **kwargs)
        return gw.layers.Rescaling(2.0)(out) if layer.name == "hidden" else out

    fn = functional()
    doubled = clone_model(fn, call_function=double_hidden)
    assert len(doubled.layers) == len(fn.layers) + 2  # one Rescaling per call of the shared layer
    with pytest.raises(ValueError, match="call_function"):
        clone_model(model, call_function=double_hidden)


def test_input_tensors():
    fn = functional()
    a, b = gw.Input((3,), name="new_a"), gw.Input((3,), name="new_b")
    clone = clone_model(fn, input_tensors=[a, b])
    assert clone.inputs == [a, b]
    with pytest.raises(ValueError, match="structure of model.input"):
        clone_model(fn, input_tensors=[a])
    x = gw.Input((4,), name="x")
    assert clone_model(sequential(), input_tensors=x).inputs == [x]


class MLP(gw.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(units, activation="relu")
        self.out = Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def test_subclassed_models_are_rebuilt_from_their_config():
    model = MLP(units=7)
    model(np.ones((2, 3), np.float32))
    clone = clone_model(model)
    assert type(clone) is MLP and clone.hidden.units == 7 and clone.built
    assert len(clone.weights) == len(model.weights) == 4 and not ids(clone) & ids(model)


def test_a_clone_that_would_share_weights_is_refused():
    class Wrapper(gw.Model):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer

        def call(self, x):
            return self.layer(x)

    shared_dense = Dense(2)

    class Reuses(gw.Model):  # every instance uses the same Dense: a clone would share its weights
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.layer = shared_dense

        def call(self, x):
            return self.layer(x)

    wrapped = Wrapper(Dense(2))
    wrapped(np.ones((1, 3), np.float32))
    clone = clone_model(wrapped)  # the layer among the recorded arguments is cloned too
    assert clone.layer is not wrapped.layer and not ids(clone) & ids(wrapped)

    reuses = Reuses()
    reuses(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match="shares weights"):
        clone_model(reuses)


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match="received ndarray"):
        clone_model(np.zeros(3))

    class NoConfig(gw.Model):
        def __init__(self, units):
            super().__init__()
            self.dense = Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {"name": self.name}

    with pytest.raises(ValueError, match="NoConfig.from_config.*get_config"):
        clone_model(NoConfig(3))
    with pytest.raises(ValueError, match="only supported for Sequential and functional"):
        clone_model(MLP(), clone_function=lambda layer: layer)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_same_structure_as_keras_clone():
    """The facts clone_model follows, checked on Keras 3's own clone of the same models."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    k_seq = keras.Sequential([keras.Input((4,), name="features"), keras.layers.Dense(5, name="hidden"),
                              keras.layers.Dense(2, name="out")], name="seq")
    k_clone = keras.models.clone_model(k_seq)
    g_seq = gw.Sequential([gw.Input((4,), name="features"), Dense(5, name="hidden"), Dense(2, name="out")],
                          name="seq")
    g_clone = clone_model(g_seq)
    assert [l.name for l in k_clone.layers] == [l.name for l in g_clone.layers] == ["hidden", "out"]
    assert k_clone.name == g_clone.name == "seq"
    assert not np.allclose(k_clone.layers[0].kernel.numpy(), k_seq.layers[0].kernel.numpy())
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    hidden = keras.layers.Dense(3, name="hidden")
    k_fn = keras.Model([a, b], keras.layers.Add(name="add")([hidden(a), hidden(b)]), name="fn")
    k_fn_clone = keras.models.clone_model(k_fn)
    assert type(k_fn_clone).__name__ == "Functional" and k_fn_clone.name == "fn"
    assert [t.name for t in k_fn_clone.inputs] == ["a", "b"]
    assert len(k_fn_clone.weights) == 2  # the shared layer stays shared
    assert not k_fn_clone.compiled
