"""SimpleRNN, LSTM, GRU: NumPy reference loops, finite differences, Keras layout, training, saving."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers.recurrent import GRU, LSTM, SimpleRNN

CUSTOM = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
MODES = [(rs, st, gb) for rs in (False, True) for st in (False, True) for gb in (False, True)]


def _sig(z):
    return 1 / (1 + np.exp(-z))


# --- NumPy reference loops, written from the equations ------------------------------------------
def ref_simple_rnn(x, kernel, rec, bias, h):
    outs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ rec + bias)
        outs.append(h)
    return outs, [h]


def ref_lstm(x, kernel, rec, bias, h, c):
    u = h.shape[1]
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = _sig(z[:, :u]), _sig(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), _sig(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outs.append(h)
    return outs, [h, c]


def ref_gru(x, kernel, rec, bias, h):
    u = h.shape[1]
    b_in, b_rec = bias
    outs = []
    for t in range(x.shape[1]):
        xz = x[:, t] @ kernel + b_in
        m = h @ rec + b_rec  # recurrent bias before the reset gate multiplies (reset_after=True)
        z = _sig(xz[:, :u] + m[:, :u])
        r = _sig(xz[:, u:2 * u] + m[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + r * m[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return outs, [h]


def ref_gru_reset_before(x, kernel, rec, bias, h):
    u = h.shape[1]
    outs = []
    for t in range(x.shape[1]):
        xz = x[:, t] @ kernel + bias
        z = _sig(xz[:, :u] + h @ rec[:, :u])
        r = _sig(xz[:, u:2 * u] + h @ rec[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + (r * h) @ rec[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return outs, [h]


CASES = {
    "SimpleRNN": (SimpleRNN, {}, ref_simple_rnn, 1),
    "LSTM": (LSTM, {}, ref_lstm, 2),
    "GRU": (GRU, {}, ref_gru, 1),
    "GRU_reset_before": (GRU, {"reset_after": False}, ref_gru_reset_before, 1),
}


def _random_weights(layer, rng):
    return [rng.normal(scale=0.5, size=w.shape) for w in layer.weights]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: "seq%d-state%d-back%d" % m)
@pytest.mark.parametrize("case", list(CASES))
def test_outputs_match_numpy_reference_in_every_return_mode(case, mode):
    cls, extra, ref, n_states = CASES[case]
    return_sequences, return_state, go_backwards = mode
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4))
    layer = cls(6, return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                dtype="float64", **extra)
    layer(x)
    weights = _random_weights(layer, rng)
    layer.set_weights(weights)
    states0 = [rng.normal(size=(3, 6)) for _ in range(n_states)]
    out = layer(x, initial_state=states0)

    seq = x[:, ::-1] if go_backwards else x  # Keras: outputs stay in processing order
    outs, states = ref(seq, *weights, *states0)
    expected = np.stack(outs, axis=1) if return_sequences else outs[-1]
    if return_state:
        assert isinstance(out, list) and len(out) == 1 + n_states
        np.testing.assert_allclose(out[0].numpy(), expected, rtol=1e-10, atol=1e-12)
        for got, want in zip(out[1:], states):
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)
    assert layer.compute_output_shape((None, 5, 4)) == (
        [expected.shape[:0] + (None,) + expected.shape[1:]] + [(None, 6)] * n_states if return_state
        else (None,) + expected.shape[1:])


def test_zero_initial_state_by_default():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 3))
    layer = LSTM(5, dtype="float64")
    layer(x)
    weights = _random_weights(layer, rng)
    layer.set_weights(weights)
    outs, _ = ref_lstm(x, *weights, np.zeros((2, 5)), np.zeros((2, 5)))
    np.testing.assert_allclose(layer(x).numpy(), outs[-1], rtol=1e-10)


# --- gradients through time -----------------------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_gradients_match_finite_differences(case):
    cls, extra, _, n_states = CASES[case]
    rng = np.random.default_rng(2)
    x = gw.Variable(rng.normal(size=(2, 3, 2)), dtype="float64")
    h0 = [gw.Variable(rng.normal(size=(2, 2)), dtype="float64") for _ in range(n_states)]
    layer = cls(2, return_sequences=True, dtype="float64", **extra)
    layer(x.numpy())
    layer.set_weights(_random_weights(layer, rng))
    probe = rng.normal(size=(2, 3, 2))  # a random linear loss sees every step's output

    def loss():
        return gw.sum(layer(x, initial_state=h0) * probe)

    params = layer.weights + [x] + h0
    with gw.GradientTape() as tape:
        value = loss()
    grads = tape.gradient(value, params)
    eps = 1e-6
    for var, grad in zip(params, grads):
        base = var.numpy().copy()
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            for sign in (1, -1):
                bumped = base.copy()
                bumped[idx] += sign * eps
                var.assign(bumped)
                numeric[idx] += sign * float(loss().numpy()) / (2 * eps)
        var.assign(base)
        np.testing.assert_allclose(grad.numpy(), numeric, rtol=1e-5, atol=1e-8, err_msg=var.name)


# --- Keras layout ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, extra, shapes", [
    (SimpleRNN, {}, [(4, 6), (6, 6), (6,)]),
    (LSTM, {}, [(4, 24), (6, 24), (24,)]),
    (GRU, {}, [(4, 18), (6, 18), (2, 18)]),
    (GRU, {"reset_after": False}, [(4, 18), (6, 18), (18,)]),
    (LSTM, {"use_bias": False}, [(4, 24), (6, 24)]),
])
def test_weight_names_shapes_and_order(cls, extra, shapes):
    layer = cls(6, **extra)
    layer(np.zeros((1, 3, 4), np.float32))
    assert [tuple(w.shape) for w in layer.weights] == shapes
    names = ["kernel", "recurrent_kernel", "bias"][:len(shapes)]
    assert [w.name for w in layer.weights] == [f"{layer.name}/{n}" for n in names]


def test_default_initializers_orthogonal_recurrent_and_unit_forget_bias():
    layer = LSTM(5)
    layer(np.zeros((1, 2, 3), np.float32))
    _, rec, bias = layer.get_weights()
    # orthogonal (units, 4u): 5 orthonormal rows
    np.testing.assert_allclose(rec @ rec.T, np.eye(5), atol=1e-5)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    off = LSTM(5, unit_forget_bias=False)
    off(np.zeros((1, 2, 3), np.float32))
    np.testing.assert_array_equal(off.get_weights()[2], 0)
    ones = LSTM(2, bias_initializer="ones")  # Keras: ones everywhere (forget slice too)
    ones(np.zeros((1, 2, 3), np.float32))
    np.testing.assert_array_equal(ones.get_weights()[2], 1)
    rnn = SimpleRNN(4)
    rnn(np.zeros((1, 2, 3), np.float32))
    np.testing.assert_allclose(rnn.get_weights()[1] @ rnn.get_weights()[1].T, np.eye(4), atol=1e-5)


# --- dropout and errors -------------------------------------------------------------------------------
def test_dropout_mask_is_fixed_across_time_and_off_at_inference():
    layer = SimpleRNN(3, dropout=0.5, return_sequences=True, seed=3, dtype="float64")
    x = np.ones((4, 6, 8))
    layer(x)
    rng = np.random.default_rng(4)
    layer.set_weights([rng.normal(size=(8, 3)), np.zeros((3, 3)), np.zeros(3)])  # no recurrence
    train = layer(x, training=True).numpy()
    infer = layer(x).numpy()
    np.testing.assert_allclose(train, train[:, :1].repeat(6, axis=1))  # same mask at every step
    assert not np.allclose(train[:, 0], infer[:, 0])  # but a mask was applied
    np.testing.assert_allclose(infer, np.tanh(x[:, :, :] @ layer.get_weights()[0]))


def test_recurrent_dropout_of_simple_rnn_masks_the_previous_state():
    layer = SimpleRNN(4, recurrent_dropout=0.5, activation=None, return_sequences=True, seed=0,
                      dtype="float64")
    x = np.zeros((2, 3, 1))
    layer(x)
    layer.set_weights([np.zeros((1, 4)), np.eye(4), np.zeros(4)])  # h_t = h_{t-1} * mask
    h0 = np.ones((2, 4))
    out = layer(x, initial_state=h0, training=True).numpy()
    mask = out[:, 0]
    assert set(np.unique(mask)) <= {0.0, 2.0} and 0 < (mask == 0).sum() < mask.size
    np.testing.assert_allclose(out[:, 2], h0 * mask ** 3)  # the same mask at each step


def _numpy_gated_run(name, weights, x, masks, reset_after=True):
    """LSTM / GRU by hand with gate g's recurrent product taken on h * masks[g]."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    kernel, rec, bias = weights
    u = rec.shape[0]
    h = np.zeros((x.shape[0], u))
    c = np.zeros_like(h)
    for t in range(x.shape[1]):
        if name == "LSTM":
            z = x[:, t] @ kernel + bias + np.concatenate([(h * masks[g]) @ rec[:, g * u:(g + 1) * u] for g in range(4)], 1)
            i, f, g, o = sig(z[:, :u]), sig(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sig(z[:, 3 * u:])
            c = f * c + i * g
            h = o * np.tanh(c)
        else:
            xz = x[:, t] @ kernel + (bias[0] if reset_after else bias)
            m = [(h * masks[g]) @ rec[:, g * u:(g + 1) * u] for g in range(3)]
            if reset_after:
                m = [m[g] + bias[1][g * u:(g + 1) * u] for g in range(3)]
                z, r = sig(xz[:, :u] + m[0]), sig(xz[:, u:2 * u] + m[1])
                cand = np.tanh(xz[:, 2 * u:] + r * m[2])
            else:
                z, r = sig(xz[:, :u] + m[0]), sig(xz[:, u:2 * u] + m[1])
                cand = np.tanh(xz[:, 2 * u:] + (r * (h * masks[2])) @ rec[:, 2 * u:])
            h = z * h + (1 - z) * cand
    return h


@pytest.mark.parametrize("name, extra", [("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False})])
def test_recurrent_dropout_of_gated_layers_gives_each_gate_its_own_mask(name, extra):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 2))
    layer = CUSTOM[name](5, recurrent_dropout=0.5, dtype="float64", **extra)
    layer(x)
    gates = 4 if name == "LSTM" else 3
    masks = (rng.random((gates, 3, 5)) >= 0.5) * 2.0
    drawn = []

    def fixed_mask(shape, rate, dtype):
        drawn.append((shape, rate))
        return gw.constant(masks, dtype="float64")

    layer._mask = fixed_mask
    got = layer(x, training=True).numpy()
    assert drawn == [((gates, 3, 5), 0.5)]  # one draw per call, reused at every step
    weights = layer.get_weights()
    np.testing.assert_allclose(got, _numpy_gated_run(name, weights, x, masks, **extra), rtol=1e-10)
    np.testing.assert_allclose(layer(x).numpy(), _numpy_gated_run(name, weights, x, np.ones_like(masks), **extra),
                               rtol=1e-10)  # inference: no dropout
    assert not np.allclose(got, layer(x).numpy())


def test_unsupported_arguments_raise_naming_them():
    with pytest.raises(ValueError, match="dropout must be a number in \\[0, 1\\), got 1.5"):
        SimpleRNN(3, dropout=1.5)
    with pytest.raises(ValueError, match="positive integer"):
        GRU(0)


def test_bad_shapes_and_initial_state_are_reported():
    layer = LSTM(3, name="enc")
    with pytest.raises(gw.errors.ShapeError, match="timesteps, features"):
        layer(np.zeros((2, 4), np.float32))
    layer(np.zeros((2, 4, 5), np.float32))
    layer(np.zeros((2, 7, 5), np.float32))  # any number of steps
    with pytest.raises(gw.errors.ShapeError, match=r"\(batch, timesteps, 5\)"):
        layer(np.zeros((2, 4, 6), np.float32))
    with pytest.raises(ValueError, match="needs 2 state"):
        layer(np.zeros((2, 4, 5), np.float32), initial_state=[np.zeros((2, 3))])
    with pytest.raises(gw.errors.ShapeError, match=r"\(2, 3\)"):
        layer(np.zeros((2, 4, 5), np.float32), initial_state=[np.zeros((2, 4))] * 2)


# --- models, training, config, saving ------------------------------------------------------------------
def _sign_task(n=256, steps=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], size=(n, steps, 1)).astype("float32")
    return x, x.sum(axis=(1, 2))[:, None] / steps  # mean of the signs


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_learns_the_mean_of_a_sequence_of_signs(cls):
    gw.random.seed(0)
    x, y = _sign_task()
    model = gw.Sequential([gw.Input((8, 1)), cls(8), gw.layers.Dense(1)])
    model.compile(optimizer=gw.optimizers.Adam(0.02), loss="mse")
    baseline = float(np.mean((y - y.mean()) ** 2))
    model.fit(x, y, batch_size=32, epochs=15, verbose=0)
    loss = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    assert loss < 0.1 * baseline, (loss, baseline)


def test_config_round_trip():
    layer = LSTM(7, activation="relu", recurrent_activation="hard_sigmoid", unit_forget_bias=False,
                 return_sequences=True, return_state=True, go_backwards=True, dropout=0.25, seed=5,
                 recurrent_initializer="glorot_normal", name="enc")
    clone = LSTM.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.units == 7 and clone.activation is gw.relu and clone.go_backwards and clone.name == "enc"
    gru = GRU.from_config(GRU(3, reset_after=False).get_config())
    assert gru.reset_after is False
    assert SimpleRNN.from_config(SimpleRNN(2, activation=None).get_config()).units == 2


def test_functional_model_with_states_and_stacked_sequences():
    inp = gw.Input((6, 3))
    seq = SimpleRNN(4, return_sequences=True)(inp)
    out, h, c = LSTM(5, return_state=True)(seq)
    assert seq.shape == (None, 6, 4) and out.shape == h.shape == c.shape == (None, 5)
    model = gw.Model(inp, [out, c])
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    got_out, got_c = model.predict(x, verbose=0)
    assert got_out.shape == (2, 5) and got_c.shape == (2, 5)
    np.testing.assert_allclose(got_out, model.layers[-1](model.layers[-2](x))[0].numpy(), rtol=1e-6)


def test_save_and_load_give_identical_predictions(tmp_path):
    gw.random.seed(1)
    model = gw.Sequential([gw.Input((5, 2)), GRU(4, return_sequences=True),
                           SimpleRNN(3, return_sequences=True, go_backwards=True), LSTM(3), gw.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(2).normal(size=(4, 5, 2)).astype("float32")
    model.fit(x, np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    path = str(tmp_path / "rnn.gw")
    model.save(path)
    loaded = gw.models.load_model(path, custom_objects=CUSTOM)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers] == ["GRU", "SimpleRNN", "LSTM", "Dense"]


# --- Keras 3 as an oracle (opt-in) ------------------------------------------------------------------------
@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
@pytest.mark.parametrize("name, extra", [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}),
                                         ("GRU", {"reset_after": False})])
def test_matches_keras_in_every_return_mode(name, extra):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    n_states = 2 if name == "LSTM" else 1
    for return_sequences, return_state, go_backwards in MODES:
        args = dict(return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                    **extra)
        theirs = getattr(keras.layers, name)(6, **args)
        theirs(x)
        ours = CUSTOM[name](6, **args)
        ours(x)
        assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
        assert [w.path.split("/")[-1] for w in theirs.weights] == [w.name.split("/")[-1] for w in ours.weights]
        ours.set_weights([np.asarray(w.numpy()) for w in theirs.weights])
        states = [rng.normal(size=(3, 6)).astype("float32") for _ in range(n_states)]
        for kwargs in ({}, {"initial_state": states}):
            expected, got = theirs(x, **kwargs), ours(x, **kwargs)
            expected = expected if isinstance(expected, (list, tuple)) else [expected]
            got = got if isinstance(got, list) else [got]
            assert len(got) == len(expected)
            for e, g in zip(expected, got):
                np.testing.assert_allclose(g.numpy(), np.asarray(e), rtol=1e-5, atol=1e-5)
    keras_lstm = keras.layers.LSTM(3)
    keras_lstm(x)
    ours = LSTM(3)
    ours(x)
    np.testing.assert_array_equal(ours.get_weights()[2], np.asarray(keras_lstm.weights[2].numpy()))


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_a_stateful_layer_continues_where_the_last_call_stopped(name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    whole = CUSTOM[name](4)
    expected = whole(x).numpy()
    stateful = CUSTOM[name](4, stateful=True)
    stateful.build(x.shape)
    stateful.set_weights(whole.get_weights())
    stateful(x[:, :2])
    stateful(x[:, 2:4])
    np.testing.assert_allclose(stateful(x[:, 4:]).numpy(), expected, rtol=1e-5, atol=1e-6)
    stateful.reset_state()  # back to zeros: the first two steps again give the fresh start
    np.testing.assert_allclose(stateful(x[:, :2]).numpy(), whole(x[:, :2]).numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="kept for batches of 2 samples, but this batch has 3"):
        stateful(np.zeros((3, 2, 3), "float32"))
    states = [np.ones((3, 4), "float32")] * (2 if name == "LSTM" else 1)
    stateful.reset_state(states)  # a given start, any batch size
    np.testing.assert_allclose(stateful(np.zeros((3, 1, 3), "float32")).numpy(),
                               whole(np.zeros((3, 1, 3), "float32"), initial_state=states).numpy(), rtol=1e-6)


def test_a_stateful_model_trains_on_ordered_batches_and_resets():
    gw.random.seed(0)
    model = gw.Sequential([gw.Input((4, 2)), LSTM(3, stateful=True), gw.layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.random.default_rng(1).normal(size=(8, 4, 2)).astype("float32")
    model.fit(x, x.sum(axis=(1, 2)), batch_size=4, shuffle=False, epochs=2, verbose=0)
    carried = model.predict(x[:4], batch_size=4, verbose=0)
    model.reset_states()
    fresh = model.predict(x[:4], batch_size=4, verbose=0)
    assert not np.allclose(carried, fresh)  # the states the last batches left changed the answer
    model.reset_states()
    np.testing.assert_array_equal(model.predict(x[:4], batch_size=4, verbose=0), fresh)
    with pytest.raises(AttributeError, match="needs a stateful layer"):
        LSTM(2).reset_state()
