"""Dot and dot: Keras's batch_dot shapes, values worked out by hand and by NumPy, cosine
proximity with normalize=True, gradients, errors, config round trip and save/load."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers.merging import Dot, dot

rng = np.random.default_rng(11)


def test_dot_of_two_vectors_per_sample_by_hand():
    a = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], np.float32)
    b = np.array([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], np.float32)
    out = Dot(axes=1)([a, b])
    np.testing.assert_array_equal(out.numpy(), [[32.0], [8.0]])  # 4 + 10 + 18; 8
    np.testing.assert_array_equal(dot([a, b], axes=-1).numpy(), [[32.0], [8.0]])
    np.testing.assert_array_equal(dot([a, b]).numpy(), [[32.0], [8.0]])  # Keras's default axes=-1
    assert Dot(1).compute_output_shape([(None, 3), (None, 3)]) == (None, 1)


@pytest.mark.parametrize("axes,a_shape,b_shape,spec,want", [
    ((1, 2), (2, 3, 5), (2, 10, 3), "nkp,nqk->npq", (2, 5, 10)),  # Keras's docstring example
    (2, (2, 3, 4), (2, 5, 4), "npk,nqk->npq", (2, 3, 5)),
    ((2, 1), (2, 3, 4), (2, 4), "npk,nk->np", (2, 3)),
    ((1, 1), (2, 4), (2, 4, 5), "nk,nkq->nq", (2, 5)),
    ((-1, 1), (2, 3, 6, 4), (2, 4, 7), "npqk,nkr->npqr", (2, 3, 6, 7)),
])
def test_dot_matches_numpy_einsum(axes, a_shape, b_shape, spec, want):
    a = rng.normal(size=a_shape).astype(np.float32)
    b = rng.normal(size=b_shape).astype(np.float32)
    layer = Dot(axes)
    out = layer([a, b])
    assert out.shape == want
    np.testing.assert_allclose(out.numpy(), np.einsum(spec, a, b), rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape([(None,) + a_shape[1:], (None,) + b_shape[1:]]) == (None,) + want[1:]


def test_normalize_gives_cosine_similarity():
    a = np.array([[3.0, 4.0], [1.0, 0.0], [2.0, 2.0]], np.float32)
    b = np.array([[4.0, 3.0], [0.0, 5.0], [-1.0, -1.0]], np.float32)
    out = Dot(axes=1, normalize=True)([a, b])
    np.testing.assert_allclose(out.numpy(), [[24 / 25], [0.0], [-1.0]], rtol=1e-6, atol=1e-7)
    zero = Dot(axes=1, normalize=True)([np.zeros((1, 2), np.float32), np.ones((1, 2), np.float32)])
    np.testing.assert_array_equal(zero.numpy(), [[0.0]])  # a zero vector divides by epsilon, not 0


def test_gradient_of_plain_dot_is_the_other_input():
    a, b = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 4, 5))
    va, vb = gw.Variable(a.astype(np.float32)), gw.Variable(b.astype(np.float32))
    weights = rng.normal(size=(3, 2, 5)).astype(np.float32)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(Dot(axes=1)([va, vb]) * weights)  # out[n, p, q] = Σₖ a[n, k, p] b[n, k, q]
    ga, gb = tape.gradient(loss, [va, vb])
    np.testing.assert_allclose(ga.numpy(), np.einsum("npq,nkq->nkp", weights, b), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gb.numpy(), np.einsum("npq,nkp->nkq", weights, a), rtol=1e-4, atol=1e-5)


def test_gradient_of_cosine_similarity_by_formula():
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    va, vb = gw.Variable(a), gw.Variable(b)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(Dot(axes=1, normalize=True, dtype="float64")([va, vb]))
    ga, gb = tape.gradient(loss, [va, vb])
    na, nb = np.linalg.norm(a, axis=1, keepdims=True), np.linalg.norm(b, axis=1, keepdims=True)
    cos = (a * b).sum(1, keepdims=True) / (na * nb)
    # d cos / d a = b / (|a| |b|) - cos · a / |a|²
    np.testing.assert_allclose(ga.numpy(), b / (na * nb) - cos * a / na**2, rtol=1e-6)
    np.testing.assert_allclose(gb.numpy(), a / (na * nb) - cos * b / nb**2, rtol=1e-6)


@pytest.mark.parametrize("axes", ["last", (1, 2, 3), (1.0, 2), True, [(1,), 2]])
def test_bad_axes_are_rejected(axes):
    with pytest.raises(ValueError, match=r"Dot: axes must be an int or a pair of ints.*got"):
        Dot(axes)


def test_shape_errors_name_layer_axes_and_shapes():
    a, b = np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32)
    with pytest.raises(ShapeError, match=r"Dot layer 'd' \(axes=1\): the summed axes have different sizes, 3 .* 4"):
        Dot(1, name="d")([a, b])
    with pytest.raises(ShapeError, match=r"batch axis 0 cannot be summed over"):
        Dot(0)([a, a])
    with pytest.raises(ShapeError, match=r"input 1 of shape \(2, 3\) has no non-batch axis 2"):
        Dot((1, 2))([np.zeros((2, 3, 3), np.float32), a])
    with pytest.raises(ValueError, match=r"Dot layer .* takes exactly 2 inputs, got 3"):
        Dot(1)([a, a, a])
    with pytest.raises(ValueError, match=r"must be called on a list of tensors"):
        Dot(1)(a)


def test_config_round_trip():
    for layer in (Dot(axes=(1, 2), normalize=True), Dot(axes=-1)):
        config = layer.get_config()
        clone = Dot.from_config(config)
        assert clone.get_config() == config
    assert Dot(axes=(1, 2), normalize=True).get_config()["axes"] == [1, 2]
    assert Dot(axes=-1).get_config()["axes"] == -1
    assert Dot(axes=-1).get_config()["normalize"] is False


def test_model_with_dot_trains_saves_and_loads(tmp_path):
    gw.random.seed(0)
    left, right = gw.Input((4,)), gw.Input((4,))
    embed = gw.layers.Dense(3)
    score = dot([embed(left), embed(right)], axes=1, normalize=True)
    model = gw.Model([left, right], score)
    model.compile(optimizer="sgd", loss="mse")
    a, b = rng.normal(size=(16, 4)).astype(np.float32), rng.normal(size=(16, 4)).astype(np.float32)
    model.fit([a, b], np.ones((16, 1), np.float32), epochs=1, verbose=0)
    predictions = model.predict([a, b], verbose=0)
    assert predictions.shape == (16, 1) and np.all(np.abs(predictions) <= 1 + 1e-6)
    path = tmp_path / "m.gw"
    model.save(path)
    loaded = gw.models.load_model(path, custom_objects={"Dot": Dot})  # until gradwise.layers exports Dot
    np.testing.assert_array_equal(loaded.predict([a, b], verbose=0), predictions)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_dot_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    cases = [(1, (3, 4), (3, 4)), ((1, 2), (2, 3, 5), (2, 10, 3)), (-1, (2, 3, 4), (2, 5, 4)),
             ((2, 1), (2, 3, 4), (2, 4)), ((1, 1), (2, 4), (2, 4, 5)), ((2, 3), (2, 3, 4, 5), (2, 6, 7, 4))]
    for axes, a_shape, b_shape in cases:
        a = rng.normal(size=a_shape).astype(np.float32)
        b = rng.normal(size=b_shape).astype(np.float32)
        for normalize in (False, True):
            theirs = np.asarray(keras.layers.Dot(axes, normalize=normalize)([a, b]))
            ours = Dot(axes, normalize=normalize)([a, b]).numpy()
            assert ours.shape == theirs.shape
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
