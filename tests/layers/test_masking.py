"""Masks (Keras's rules): Embedding(mask_zero=True) and Masking make them, recurrent layers skip
the masked steps, GlobalAveragePooling1D leaves them out, a sequence output's loss and metrics
do not count them, and a layer that cannot pass a mask on drops it with a warning."""

import os
import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise import layers

IDS = np.array([[3, 1, 2, 0, 0], [0, 4, 0, 2, 1], [1, 1, 1, 1, 1]])
RNNS = [layers.SimpleRNN, layers.GRU, layers.LSTM]


def embedded(ids=IDS, seed=0):
    gw.random.seed(seed)
    return layers.Embedding(5, 3, mask_zero=True)(ids)


def test_embedding_with_mask_zero_marks_the_zero_ids():
    e = embedded()
    np.testing.assert_array_equal(e._keras_mask, IDS != 0)
    plain = layers.Embedding(5, 3)(IDS)
    assert getattr(plain, "_keras_mask", None) is None


def test_masking_zeroes_the_masked_steps_and_marks_them():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], "float32")
    out = layers.Masking(mask_value=0.0)(x)
    np.testing.assert_array_equal(out._keras_mask, [[True, False, True]])
    np.testing.assert_array_equal(out.numpy(), x)
    out = layers.Masking(mask_value=3.0)(np.array([[[3.0, 3.0], [3.0, 1.0]]], "float32"))
    np.testing.assert_array_equal(out._keras_mask, [[False, True]])
    np.testing.assert_array_equal(out.numpy(), [[[0.0, 0.0], [3.0, 1.0]]])


@pytest.mark.parametrize("cls", RNNS)
def test_a_right_padded_sequence_gives_what_the_unpadded_one_gives(cls):
    e = embedded()
    rnn = cls(4, return_sequences=True)
    seq = rnn(e).numpy()
    last = cls(4)
    last.build(e.shape)
    last.set_weights(rnn.get_weights())
    alone = rnn(e[:1, :3]).numpy()  # the first sample without its two padded steps
    np.testing.assert_allclose(seq[0, :3], alone[0], rtol=1e-6, atol=1e-7)
    # masked steps repeat the previous output; a masked first step outputs zeros
    np.testing.assert_array_equal(seq[0, 3], seq[0, 2])
    np.testing.assert_array_equal(seq[0, 4], seq[0, 2])
    np.testing.assert_array_equal(seq[1, 0], np.zeros(4))
    np.testing.assert_array_equal(seq[1, 2], seq[1, 1])
    np.testing.assert_allclose(last(e).numpy(), seq[:, -1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cls", RNNS)
def test_the_mask_passes_on_only_with_return_sequences(cls):
    e = embedded()
    np.testing.assert_array_equal(cls(2, return_sequences=True)(e)._keras_mask, IDS != 0)
    assert getattr(cls(2)(e), "_keras_mask", None) is None
    outs = cls(2, return_sequences=True, return_state=True)(e)
    np.testing.assert_array_equal(outs[0]._keras_mask, IDS != 0)
    assert all(getattr(s, "_keras_mask", None) is None for s in outs[1:])


def test_gradients_do_not_reach_the_masked_steps():
    gw.random.seed(0)
    x = gw.Variable(np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32"))
    mask = np.array([[True, True, False, False], [True, False, True, False]])
    rnn = layers.GRU(5)
    with gw.GradientTape() as tape:
        out = rnn(x, mask=mask)
        loss = gw.reduce_sum(out * out)
    g = tape.gradient(loss, x).numpy()
    assert np.all(g[~mask] == 0) and np.all(np.abs(g[mask]).sum(axis=-1) > 0)


def test_bidirectional_reads_the_mask_in_both_directions():
    e = embedded()
    bi = layers.Bidirectional(layers.LSTM(3))
    both = bi(e).numpy()
    fw, bw = bi.forward_layer, bi.backward_layer
    alone = e[:1, :3]  # sample 0 without its padding: the backward pass starts at its last real step
    np.testing.assert_allclose(both[0, :3], fw(alone).numpy()[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(both[0, 3:], bw(alone).numpy()[0], rtol=1e-6, atol=1e-7)
    seq = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(e)
    np.testing.assert_array_equal(seq._keras_mask, IDS != 0)


def test_global_average_pooling_1d_leaves_the_masked_steps_out():
    e = embedded()
    x, keep = e.numpy(), IDS != 0
    avg = layers.GlobalAveragePooling1D()(e)
    expected = np.stack([x[i][keep[i]].mean(axis=0) for i in range(len(x))])
    np.testing.assert_allclose(avg.numpy(), expected, rtol=1e-6)
    assert getattr(avg, "_keras_mask", None) is None
    with pytest.warns(UserWarning, match="does not support masking"):  # Keras 3's GlobalMaxPooling1D
        top = layers.GlobalMaxPooling1D()(e)
    np.testing.assert_array_equal(top.numpy(), x.max(axis=1))


def test_a_masked_sequence_output_leaves_masked_steps_out_of_loss_and_metrics():
    gw.random.seed(0)
    y = np.array([[0, 1, 2, 0, 1], [1, 2, 0, 1, 2], [2, 2, 1, 0, 0]])
    model = gw.Sequential([gw.Input((5,)), layers.Embedding(5, 3, mask_zero=True),
                           layers.LSTM(4, return_sequences=True), layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    p = model.predict(IDS, verbose=0)
    keep = IDS != 0
    nll = -np.log(np.take_along_axis(p, y[..., None], -1)[..., 0])
    loss, acc = model.evaluate(IDS, y, verbose=0)
    assert loss == pytest.approx(nll[keep].mean(), rel=1e-5)
    assert loss != pytest.approx(nll.mean(), rel=1e-5)
    assert acc == pytest.approx((p.argmax(-1) == y)[keep].mean())
    logs = model.train_on_batch(IDS, y, return_dict=True)  # the fused softmax head keeps the mask too
    assert logs["loss"] == pytest.approx(nll[keep].mean(), rel=1e-5)


def test_a_layer_that_cannot_pass_a_mask_on_warns_and_drops_it():
    e = embedded()
    with pytest.warns(UserWarning, match="does not support masking"):
        out = layers.Flatten()(e)
    assert getattr(out, "_keras_mask", None) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = layers.Dropout(0.5)(layers.Dense(2)(e))  # both pass it on, silently
    np.testing.assert_array_equal(kept._keras_mask, IDS != 0)


def test_masking_round_trips_through_config():
    layer = layers.Masking(mask_value=-1.0)
    again = layers.deserialize(layers.serialize(layer))
    assert isinstance(again, layers.Masking) and again.mask_value == -1.0


# --- Keras 3 as an oracle (opt-in) ------------------------------------------------------------------------
def keras_and_embedded(seed):
    """Keras, and IDS embedded with mask_zero=True by Keras and by gradwise from one random table."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    table = np.random.default_rng(seed).normal(size=(5, 3)).astype("float32")
    return (keras, keras.layers.Embedding(5, 3, mask_zero=True, weights=[table])(IDS),
            layers.Embedding(5, 3, mask_zero=True, weights=[table])(IDS))

@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM"])
def test_masked_recurrent_layers_match_keras(name):
    keras, x_theirs, x_ours = keras_and_embedded(1)
    for args in ({"return_sequences": True}, {"return_sequences": True, "go_backwards": True},
                 {"return_state": True}, {}):
        theirs = getattr(keras.layers, name)(4, **args)
        expected = theirs(x_theirs)
        ours = getattr(layers, name)(4, **args)
        ours.build(x_ours.shape)
        ours.set_weights([np.asarray(w.numpy()) for w in theirs.weights])
        got = ours(x_ours)
        expected = expected if isinstance(expected, (list, tuple)) else [expected]
        got = got if isinstance(got, list) else [got]
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g.numpy(), np.asarray(e), rtol=1e-5, atol=1e-6)
    bi_theirs = keras.layers.Bidirectional(getattr(keras.layers, name)(2, return_sequences=True))
    expected = bi_theirs(x_theirs)
    bi_ours = layers.Bidirectional(getattr(layers, name)(2, return_sequences=True))
    bi_ours.build(x_ours.shape)
    bi_ours.set_weights([np.asarray(w.numpy()) for w in bi_theirs.weights])
    np.testing.assert_allclose(bi_ours(x_ours).numpy(), np.asarray(expected), rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_masked_pooling_and_sequence_loss_match_keras():
    keras, x_theirs, x_ours = keras_and_embedded(2)
    for name in ("GlobalAveragePooling1D", "GlobalMaxPooling1D"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both warn that GlobalMaxPooling1D drops the mask
            np.testing.assert_allclose(getattr(layers, name)()(x_ours).numpy(),
                                       np.asarray(getattr(keras.layers, name)()(x_theirs)), rtol=1e-6)
    y = np.array([[0, 1, 2, 0, 1], [1, 2, 0, 1, 2], [2, 2, 1, 0, 0]])
    theirs = keras.Sequential([keras.Input((5,)), keras.layers.Embedding(5, 3, mask_zero=True),
                               keras.layers.GRU(4, return_sequences=True), keras.layers.Dense(3, activation="softmax")])
    ours = gw.Sequential([gw.Input((5,)), layers.Embedding(5, 3, mask_zero=True),
                          layers.GRU(4, return_sequences=True), layers.Dense(3, activation="softmax")])
    ours.set_weights([np.asarray(w.numpy()) for w in theirs.weights])
    for model in (theirs, ours):
        model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    np.testing.assert_allclose(ours.evaluate(IDS, y, verbose=0), theirs.evaluate(IDS, y, verbose=0), rtol=1e-5)


def test_merge_layers_combine_masks_as_keras():
    a = embedded()
    b = layers.Embedding(5, 3, mask_zero=True)(np.array([[0, 1, 0, 0, 2], [1, 1, 1, 0, 0], [0, 0, 0, 0, 0]]))
    either = (IDS != 0) | (b._keras_mask)
    np.testing.assert_array_equal(layers.Add()([a, b])._keras_mask, either)
    np.testing.assert_array_equal(layers.Concatenate()([a, b])._keras_mask, either)
    plain = gw.constant(np.ones((3, 5, 2), "float32"))
    assert getattr(layers.Add()([a, a * 1.0]), "_keras_mask", None) is None  # one input has no mask
    np.testing.assert_array_equal(layers.Concatenate()([a, plain])._keras_mask, np.ones((3, 5), bool))
    np.testing.assert_array_equal(layers.Concatenate(axis=1)([a, plain[:, :, :1] * np.ones(3, "float32")])._keras_mask,
                                  np.concatenate([IDS != 0, np.ones((3, 5), bool)], axis=1))


def test_a_model_used_as_a_layer_lets_its_layers_read_the_mask():
    gw.random.seed(0)
    inner = gw.Sequential([gw.Input((5, 3)), layers.LSTM(2, return_sequences=True)])
    e = embedded()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = inner(e)
    seq = out.numpy()
    np.testing.assert_array_equal(seq[0, 3], seq[0, 2])  # the inner LSTM skipped the padded steps
    np.testing.assert_array_equal(seq[1, 0], np.zeros(2))
    np.testing.assert_array_equal(out._keras_mask, IDS != 0)


def test_lambda_passes_on_the_mask_it_is_given_as_keras():
    e = embedded()
    with pytest.warns(UserWarning, match="does not support masking"):
        assert getattr(layers.Lambda(lambda x: x * 2)(e), "_keras_mask", None) is None
    kept = layers.Lambda(lambda x: x * 2, mask=lambda inputs, mask: mask)(e)
    np.testing.assert_array_equal(kept._keras_mask, IDS != 0)
    seen = []
    layers.Lambda(lambda x, mask=None: seen.append(mask) or x, mask=lambda inputs, mask: mask)(e)
    np.testing.assert_array_equal(seen[0], IDS != 0)


@pytest.mark.parametrize("make", [lambda: layers.ReLU(), lambda: layers.LeakyReLU(), lambda: layers.PReLU(),
                                  lambda: layers.UnitNormalization(), lambda: layers.Rescaling(2.0),
                                  lambda: layers.Activation("tanh"), lambda: layers.LayerNormalization()])
def test_element_wise_layers_pass_the_mask_on(make):
    e = embedded()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = make()(e)
    np.testing.assert_array_equal(out._keras_mask, IDS != 0)


def test_batch_normalization_takes_training_statistics_over_the_kept_steps():
    e = embedded()
    bn = layers.BatchNormalization(momentum=0.0)  # the moving statistics become the batch's
    out = bn(e, training=True)
    x, keep = e.numpy(), IDS != 0
    mean, var = x[keep].mean(axis=0), x[keep].var(axis=0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(out.numpy(), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(out._keras_mask, keep)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_masked_batch_normalization_matches_keras():
    keras, x_theirs, x_ours = keras_and_embedded(4)
    theirs, ours = keras.layers.BatchNormalization(), layers.BatchNormalization()
    expected = np.asarray(theirs(x_theirs, training=True))
    np.testing.assert_allclose(ours(x_ours, training=True).numpy(), expected, rtol=1e-4, atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-7)
