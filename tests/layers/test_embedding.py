"""Embedding: the lookup against table[ids] for ids of any shape, the default uniform(-0.05,
0.05) table, the gradient scattered back with repeated ids accumulating, clear errors for ids
outside [0, input_dim), config round trip, regularizer, training and save/load in a model."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers.core import Dense, Flatten
from gradwise.layers.embedding import Embedding

rng = np.random.default_rng(11)


def with_table(input_dim, output_dim, **kwargs):
    layer = Embedding(input_dim, output_dim, **kwargs)
    table = rng.normal(size=(input_dim, output_dim)).astype(np.float32)
    layer.build(None)
    layer.set_weights([table])
    return layer, table


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 3, 4)])
def test_lookup_returns_the_rows_of_the_ids_for_any_input_shape(shape):
    layer, table = with_table(7, 3)
    ids = rng.integers(0, 7, size=shape)
    out = layer(ids)
    assert out.shape == shape + (3,)
    for index in np.ndindex(*shape):
        np.testing.assert_array_equal(out.numpy()[index], table[ids[index]])
    assert layer.compute_output_shape((None,) + shape) == (None,) + shape + (3,)


def test_default_table_is_uniform_between_minus_and_plus_0_05_and_named_embeddings():
    gw.random.seed(0)
    layer = Embedding(2000, 16, name="emb")
    layer(np.array([0]))
    (table,) = layer.get_weights()
    assert [w.name for w in layer.weights] == ["emb/embeddings"] and table.shape == (2000, 16)
    assert table.dtype == np.float32 and layer.trainable_weights == layer.weights
    assert -0.05 <= table.min() < -0.0499 and 0.0499 < table.max() < 0.05
    # U(-0.05, 0.05): mean 0, std 0.1 / sqrt(12); 32000 draws
    assert abs(table.mean()) < 5 * 0.0289 / np.sqrt(table.size)
    assert abs(table.std() - 0.1 / np.sqrt(12)) < 0.001
    init = layer.get_config()["embeddings_initializer"]
    assert init["class_name"] == "RandomUniform"
    assert (init["config"]["minval"], init["config"]["maxval"]) == (-0.05, 0.05)


def test_same_gw_seed_gives_the_same_table():
    gw.random.seed(5)
    a = Embedding(30, 4)
    a.build(None)
    gw.random.seed(5)
    b = Embedding(30, 4)
    b.build(None)
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_gradient_scatters_into_the_rows_read_and_repeated_ids_accumulate():
    layer, table = with_table(6, 3)
    ids = np.array([[1, 4, 1], [1, 0, 4]])  # id 1 three times, 4 twice, 0 once; 2, 3, 5 never
    upstream = rng.normal(size=(2, 3, 3))
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(layer(ids) * upstream.astype(np.float32))
    grad = tape.gradient(loss, layer.embeddings).numpy()
    want = np.zeros((6, 3))
    for index in np.ndindex(*ids.shape):
        want[ids[index]] += upstream[index]
    np.testing.assert_allclose(grad, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(grad[1], upstream[0, 0] + upstream[0, 2] + upstream[1, 0], rtol=1e-6)
    assert (grad[[2, 3, 5]] == 0).all()


def test_float_batches_holding_whole_numbers_are_accepted_other_values_are_not():
    layer, table = with_table(5, 2, name="tokens")
    np.testing.assert_array_equal(layer(np.array([[3.0, 0.0]], np.float32)).numpy(), table[[[3, 0]]])
    with pytest.raises(ValueError, match=r"Embedding 'tokens' looks up integer ids.*1\.5"):
        layer(np.array([1.5, 2.0], np.float32))


@pytest.mark.parametrize("bad", [10, 12, -1])
def test_ids_out_of_range_raise_an_error_naming_input_dim(bad):
    layer = Embedding(10, 4, name="vocab")
    with pytest.raises(IndexError, match=rf"Embedding 'vocab': id {bad} is out of range for input_dim=10 "
                                         r"\(ids must be in \[0, 9\]\)"):
        layer(np.array([[0, bad, 3]]))


@pytest.mark.parametrize("arg,value", [("input_dim", 0), ("input_dim", 2.5), ("output_dim", -3), ("output_dim", True)])
def test_dimensions_must_be_positive_integers(arg, value):
    kwargs = {"input_dim": 10, "output_dim": 4, arg: value}
    with pytest.raises(ValueError, match=rf"Embedding: {arg} must be a positive integer, got {value!r}"):
        Embedding(**kwargs)


def test_weights_argument_builds_the_layer_with_that_table():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    layer = Embedding(4, 3, weights=[table])
    assert layer.built
    np.testing.assert_array_equal(layer(np.array([3, 3, 0])).numpy(), table[[3, 3, 0]])
    with pytest.raises(gw.errors.ShapeError):
        Embedding(4, 2, weights=table)


def test_regularizer_penalises_the_table():
    layer, table = with_table(5, 2, embeddings_regularizer=gw.regularizers.L2(0.1))
    (penalty,) = layer.losses
    np.testing.assert_allclose(float(penalty.numpy()), 0.1 * np.sum(table.astype(np.float64) ** 2), rtol=1e-5)


def test_config_round_trip_keeps_keras_keys_and_mask_zero():
    layer = Embedding(50, 8, embeddings_initializer="zeros", embeddings_regularizer="l2", mask_zero=True,
                      name="words")
    config = layer.get_config()
    assert {"input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer", "mask_zero"} <= set(config)
    assert (config["input_dim"], config["output_dim"], config["mask_zero"]) == (50, 8, True)
    clone = Embedding.from_config(config)
    assert (clone.input_dim, clone.output_dim, clone.mask_zero, clone.name) == (50, 8, True, "words")
    np.testing.assert_array_equal(clone(np.array([0, 0])).numpy(), 0)  # id 0 is looked up all the same
    assert clone.embeddings_regularizer is not None


def test_model_learns_with_embeddings_and_saves_and_loads(tmp_path):
    gw.random.seed(2)
    ids = rng.integers(0, 20, size=(256, 3))
    y = (ids[:, 0] % 2).astype(np.int64)  # parity of the first token: learnable only through its vector
    model = gw.Sequential([gw.Input((3,)), Embedding(20, 6), Flatten(), Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.get_weights()[0].copy()
    history = model.fit(ids, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    assert not np.allclose(model.get_weights()[0], before)
    path = tmp_path / "m.gw"
    model.save(path)
    clone = gw.models.load_model(path, custom_objects={"Embedding": Embedding})
    assert isinstance(clone.layers[0], Embedding)
    np.testing.assert_array_equal(clone.predict(ids, verbose=0), model.predict(ids, verbose=0))


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_matches_keras_embedding():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    ours, table = with_table(9, 5)
    theirs = keras.layers.Embedding(9, 5)
    theirs.build()
    theirs.set_weights([table])
    ids = rng.integers(0, 9, size=(3, 4))
    np.testing.assert_array_equal(ours(ids).numpy(), np.asarray(theirs(ids)))
    assert [w.path for w in theirs.weights] == ["embedding/embeddings"] or theirs.weights[0].name == "embeddings"
    init = theirs.get_config()["embeddings_initializer"]
    assert init["class_name"] == "RandomUniform" and init["config"]["minval"] == -0.05
    keys = {"input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer", "mask_zero"}
    assert keys <= set(theirs.get_config()) and keys <= set(ours.get_config())
