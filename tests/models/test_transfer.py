"""Transfer learning: freezing (layer.trainable, model.trainable), BatchNormalization frozen in
inference mode, Keras 3's recompile rule, and new models built on a trained model's layers."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import BatchNormalization, Dense

rng = np.random.default_rng(0)


def blobs(n=200, dim=6, classes=3, seed=0):
    r = np.random.default_rng(seed)
    centers = r.normal(scale=3.0, size=(classes, dim))
    y = r.integers(0, classes, n)
    return (centers[y] + r.normal(size=(n, dim))).astype("f4"), y


def test_frozen_layer_weights_move_to_non_trainable_and_stay_bit_identical():
    gw.random.seed(0)
    x, y = blobs()
    model = gw.Sequential([gw.Input((6,)), Dense(8, activation="relu"), Dense(8, activation="relu"),
                           Dense(3, activation="softmax")])
    first = model.layers[0]
    first.trainable = False
    assert first.trainable_weights == [] and first.non_trainable_weights == [first.kernel, first.bias]
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2
    frozen, others = first.get_weights(), model.layers[1].get_weights()
    model.compile(gw.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    for before, after in zip(frozen, first.get_weights()):
        np.testing.assert_array_equal(before, after)  # bit-identical
    assert not np.array_equal(others[0], model.layers[1].get_weights()[0])
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_model_trainable_false_freezes_every_sublayer_and_true_restores():
    inner = gw.Sequential([gw.Input((4,)), Dense(3), BatchNormalization()])
    x = gw.Input((4,))
    model = gw.Model(x, Dense(2)(inner(x)))
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 8
    assert all(not l.trainable for l in inner.layers) and not inner.trainable
    assert all(not w.trainable for w in model.weights)
    model.trainable = True
    assert len(model.trainable_weights) == 6  # BN's moving statistics are never trainable
    assert all(l.trainable for l in inner.layers)


def test_frozen_batch_norm_uses_moving_statistics_and_keeps_them():
    """A frozen BatchNormalization runs in inference mode even inside fit (Keras 3):
    y = γ (x - moving_mean) / √(moving_var + ε) + β, and the statistics do not move."""
    gw.random.seed(1)
    x, y = blobs(128)
    x = x * 3 + 5  # batch statistics far from the moving ones
    bn = BatchNormalization(name="bn")
    inputs = gw.Input((6,))
    model = gw.Model(inputs, Dense(3, activation="softmax")(bn(inputs)))
    gamma, beta = rng.normal(size=6).astype("f4"), rng.normal(size=6).astype("f4")
    mean, var = rng.normal(size=6).astype("f4"), rng.uniform(0.5, 2, 6).astype("f4")
    bn.set_weights([gamma, beta, mean, var])
    bn.trainable = False
    model.compile(gw.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    got_gamma, got_beta, got_mean, got_var = bn.get_weights()
    np.testing.assert_array_equal(got_mean, mean)
    np.testing.assert_array_equal(got_var, var)
    np.testing.assert_array_equal(got_gamma, gamma)  # frozen: γ and β do not learn either
    expected = gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
    np.testing.assert_allclose(bn(x, training=True).numpy(), expected, rtol=1e-5, atol=1e-5)
    bn.trainable = True
    bn(x, training=True)
    assert not np.allclose(bn.get_weights()[2], mean)  # unfrozen: training mode again


def test_changing_trainable_takes_effect_at_the_next_compile():
    gw.random.seed(2)
    x, y = blobs(64)
    model = gw.Sequential([gw.Input((6,)), Dense(5, activation="relu"), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.layers[0].trainable = False  # before the first fit: honoured
    kernel = model.layers[0].get_weights()[0]
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel)
    model.layers[0].trainable = True  # after training started: needs compile() again
    with pytest.raises(RuntimeError, match=r"changed since it was compiled.*now trainable: dense.*call "
                                           r"model.compile\(...\) again"):
        model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel)  # refused before any update
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(model.layers[0].get_weights()[0], kernel)


def test_new_models_on_a_trained_models_lower_layers_share_its_weights():
    gw.random.seed(3)
    x, y = blobs(120)
    old = gw.Sequential([gw.Input((6,)), Dense(8, activation="relu"), Dense(8, activation="relu"),
                         Dense(3, activation="softmax")])
    old.compile("adam", "sparse_categorical_crossentropy")
    old.fit(x, y, epochs=2, verbose=0)
    seq = gw.Sequential(old.layers[:-1] + [Dense(5, activation="softmax")])
    fun = gw.Model(old.inputs, old.layers[-2].output)
    assert seq.layers[0] is old.layers[0] and fun.get_layer(index=1) is old.layers[0]
    assert seq.predict(x, verbose=0).shape == (120, 5) and fun.predict(x, verbose=0).shape == (120, 8)
    for layer in seq.layers[:-1]:
        layer.trainable = False
    seq.compile("adam", "sparse_categorical_crossentropy")
    before = old.get_weights()
    seq.fit(x, rng.integers(0, 5, 120), epochs=2, verbose=0)
    for a, b in zip(before[:4], old.get_weights()[:4]):
        np.testing.assert_array_equal(a, b)


def quadrant_tasks(seed, n_source=2000, n_few=40, n_test=1000):
    """Source task: which quadrant (x0, x1) lies in (4 classes, many labels). Target task: do
    x0 and x1 have the same sign (XOR: not linearly separable in x; few labels). The source's
    hidden features make the target linear, which is what transfer should exploit."""
    r = np.random.default_rng(seed)

    def sample(n):
        x = r.normal(size=(n, 10)).astype("f4")
        return x, (x[:, 0] > 0) * 2 + (x[:, 1] > 0), (x[:, 0] * x[:, 1] > 0).astype(int)

    (xs, ys, _), (xf, _, yf), (xt, _, yt) = sample(n_source), sample(n_few), sample(n_test)
    return (xs, ys), (xf, yf), (xt, yt)


@pytest.mark.parametrize("seed", [0, 1])
def test_transfer_beats_training_from_scratch_on_few_labels(seed):
    (xs, ys), (xf, yf), (xt, yt) = quadrant_tasks(seed)
    gw.random.seed(seed)
    old = gw.Sequential([gw.Input((10,)), Dense(16, activation="relu"), Dense(4, activation="softmax")])
    old.compile(gw.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    old.fit(xs, ys, epochs=10, batch_size=64, verbose=0)
    base = gw.Model(old.inputs, old.layers[0].output)
    base.trainable = False
    transfer = gw.Sequential([base, Dense(2, activation="softmax")])
    scratch = gw.Sequential([gw.Input((10,)), Dense(16, activation="relu"), Dense(2, activation="softmax")])
    accuracy = {}
    for name, model in (("transfer", transfer), ("scratch", scratch)):
        gw.random.seed(seed)
        model.compile(gw.optimizers.Adam(0.05), "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(xf, yf, epochs=50, batch_size=40, verbose=0)
        accuracy[name] = model.evaluate(xt, yt, verbose=0)[1]
    assert accuracy["transfer"] > accuracy["scratch"] + 0.1, accuracy
