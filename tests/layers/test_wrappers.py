"""TimeDistributed and Bidirectional: NumPy references, gradients, weights, config, saving, Keras."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers.recurrent import LSTM, SimpleRNN
from gradwise.layers.wrappers import Bidirectional, TimeDistributed

CUSTOM = {"TimeDistributed": TimeDistributed, "Bidirectional": Bidirectional}
MERGES = ["concat", "sum", "mul", "ave", None]


def _x(shape, seed=0, dtype="float32"):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


# --- TimeDistributed ----------------------------------------------------------------------------
def test_time_distributed_dense_equals_per_step_numpy():
    x = _x((3, 5, 4))
    td = TimeDistributed(gw.layers.Dense(6, activation="tanh"))
    y = td(x).numpy()
    kernel, bias = td.get_weights()
    ref = np.stack([np.tanh(x[:, t] @ kernel + bias) for t in range(x.shape[1])], axis=1)
    assert y.shape == (3, 5, 6)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    assert [w.name for w in td.weights] == [w.name for w in td.layer.weights]
    assert td.compute_output_shape((None, 5, 4)) == (None, 5, 6)


def test_time_distributed_gradient_matches_finite_differences():
    x = _x((2, 3, 4), seed=1, dtype="float64")
    td = TimeDistributed(gw.layers.Dense(2, activation="tanh", dtype="float64"))
    td(x)
    kernel = td.layer.kernel
    with gw.GradientTape() as tape:
        loss = gw.sum(td(x) ** 2)
    grad = tape.gradient(loss, [kernel])[0].numpy()
    base, eps, fd = kernel.numpy().copy(), 1e-6, np.zeros_like(kernel.numpy())
    for idx in np.ndindex(base.shape):
        for sign in (1, -1):
            v = base.copy()
            v[idx] += sign * eps
            kernel.assign(v)
            fd[idx] += sign * float(np.sum(td(x).numpy() ** 2)) / (2 * eps)
    kernel.assign(base)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)


def test_time_distributed_rejects_rank2_and_config_round_trip():
    with pytest.raises(gw.errors.ShapeError):
        TimeDistributed(gw.layers.Dense(2))(np.zeros((2, 3), "float32"))
    td = TimeDistributed(gw.layers.Dense(3, activation="relu"), name="td")
    config = td.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["name"] == "td"
    again = TimeDistributed.from_config(config)
    assert again.get_config() == config


# --- Bidirectional ------------------------------------------------------------------------------
def _reference(cls, x, weights, merge, return_sequences, units=3):
    """Two separate layers with the Bidirectional's weights; backward reversed back in time."""
    n = len(weights) // 2
    fw = cls(units, return_sequences=return_sequences)
    bw = cls(units, return_sequences=return_sequences, go_backwards=True)
    fw(x), bw(x)
    fw.set_weights(weights[:n])
    bw.set_weights(weights[n:])
    y, y_rev = fw(x).numpy(), bw(x).numpy()
    if return_sequences:
        y_rev = y_rev[:, ::-1]
    return {"concat": lambda: np.concatenate([y, y_rev], -1), "sum": lambda: y + y_rev,
            "mul": lambda: y * y_rev, "ave": lambda: (y + y_rev) / 2, None: lambda: [y, y_rev]}[merge]()


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM])
@pytest.mark.parametrize("merge", MERGES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_equals_forward_and_reversed_backward(cls, merge, return_sequences):
    x = _x((2, 5, 4), seed=2)
    bi = Bidirectional(cls(3, return_sequences=return_sequences), merge_mode=merge)
    out = bi(x)
    ref = _reference(cls, x, bi.get_weights(), merge, return_sequences)
    if merge is None:
        assert isinstance(out, list) and len(out) == 2
        for o, r in zip(out, ref):
            np.testing.assert_allclose(o.numpy(), r, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-6)
    expected = bi.compute_output_shape((None, 5, 4))
    got = [tuple(o.shape) for o in out] if merge is None else tuple(out.shape)
    norm = [(2,) + s[1:] for s in expected] if merge is None else (2,) + expected[1:]
    assert got == norm


def test_bidirectional_return_state_and_weight_order():
    x = _x((2, 4, 3), seed=3)
    bi = Bidirectional(LSTM(2, return_sequences=True, return_state=True, name="lstm"))
    out = bi(x)
    assert len(out) == 5 and out[0].shape == (2, 4, 4) and all(s.shape == (2, 2) for s in out[1:])
    fw_out, fh, fc = bi.forward_layer(x)
    bw_out, bh, bc = bi.backward_layer(x)
    for got, want in zip(out[1:], (fh, fc, bh, bc)):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert [w.name for w in bi.weights] == [
        "forward_lstm/kernel", "forward_lstm/recurrent_kernel", "forward_lstm/bias",
        "backward_lstm/kernel", "backward_lstm/recurrent_kernel", "backward_lstm/bias"]
    assert bi.forward_layer.go_backwards is False and bi.backward_layer.go_backwards is True
    none = Bidirectional(SimpleRNN(2, return_state=True), merge_mode=None)(x)
    assert len(none) == 4 and all(o.shape == (2, 2) for o in none)


def test_bidirectional_validation_weights_arg_and_config_round_trip():
    with pytest.raises(ValueError):
        Bidirectional(SimpleRNN(2), merge_mode="max")
    with pytest.raises(ValueError):
        Bidirectional(SimpleRNN(2), backward_layer=SimpleRNN(2))  # go_backwards must differ
    with pytest.raises(ValueError):
        Bidirectional(gw.layers.Dense(2))
    x = _x((2, 4, 3), seed=4)
    first = Bidirectional(SimpleRNN(2, return_sequences=True), merge_mode="sum")
    first(x)
    second = Bidirectional(SimpleRNN(2, return_sequences=True), merge_mode="sum", weights=first.get_weights())
    np.testing.assert_array_equal(second(x).numpy(), first(x).numpy())
    config = first.get_config()
    assert config["layer"]["config"]["name"] == "forward_" + config["layer"]["config"]["name"][8:]
    assert config["backward_layer"]["config"]["go_backwards"] is True and config["merge_mode"] == "sum"
    again = Bidirectional.from_config(config)
    assert again.get_config() == config
    assert again.forward_layer.name == first.forward_layer.name
    assert again.backward_layer.name == first.backward_layer.name


def test_gradient_flows_through_bidirectional():
    x = _x((2, 3, 2), seed=5)
    bi = Bidirectional(SimpleRNN(2))
    bi(x)
    with gw.GradientTape() as tape:
        loss = gw.sum(bi(x) ** 2)
    grads = tape.gradient(loss, bi.trainable_weights)
    assert len(grads) == 6 and all(g is not None and np.any(g.numpy() != 0) for g in grads[:2] + grads[3:5])


# --- saving -------------------------------------------------------------------------------------
def test_save_load_model_with_wrappers(tmp_path):
    x = _x((3, 5, 4), seed=6)
    inp = gw.Input((5, 4))
    h = TimeDistributed(gw.layers.Dense(3, activation="relu"))(inp)
    h = Bidirectional(LSTM(2, return_sequences=True), merge_mode="ave")(h)
    fw, bw = Bidirectional(SimpleRNN(2), merge_mode=None)(h)
    model = gw.Model(inp, gw.layers.Concatenate()([fw, bw]))
    before = model.predict(x, verbose=0)
    path = tmp_path / "m.gw"
    model.save(path)
    loaded = gw.saving.load_model(path, custom_objects=CUSTOM)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), before)

    seq = gw.Sequential([gw.Input((5, 4)), TimeDistributed(gw.layers.Dense(3)), Bidirectional(SimpleRNN(2))])
    before = seq.predict(x, verbose=0)
    seq.save(tmp_path / "s.gw")
    loaded = gw.saving.load_model(tmp_path / "s.gw", custom_objects=CUSTOM)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), before)


# --- Keras 3 oracle -----------------------------------------------------------------------------
@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    x = _x((2, 5, 4), seed=7)
    ktd = keras.layers.TimeDistributed(keras.layers.Dense(3))
    ky = np.asarray(ktd(x))
    td = TimeDistributed(gw.layers.Dense(3))
    td(x)
    td.set_weights([np.asarray(w) for w in ktd.get_weights()])
    np.testing.assert_allclose(td(x).numpy(), ky, rtol=1e-5, atol=1e-6)
    assert sorted(ktd.get_config()) == sorted(td.get_config())

    for kcls, gcls in ((keras.layers.SimpleRNN, SimpleRNN), (keras.layers.LSTM, LSTM)):
        for merge in MERGES:
            for rs in (False, True):
                for rst in (False, True):
                    kb = keras.layers.Bidirectional(kcls(3, return_sequences=rs, return_state=rst, name="r"),
                                                    merge_mode=merge)
                    kout = kb(x)
                    gb = Bidirectional(gcls(3, return_sequences=rs, return_state=rst, name="r"), merge_mode=merge)
                    gb(x)
                    assert [w.path.split("/")[1] + "/" + w.path.split("/")[-1] for w in kb.weights] == \
                        [w.name for w in gb.weights]
                    gb.set_weights([np.asarray(w) for w in kb.get_weights()])
                    gout = gb(x)
                    kflat = list(kout) if isinstance(kout, (list, tuple)) else [kout]
                    gflat = list(gout) if isinstance(gout, (list, tuple)) else [gout]
                    assert len(kflat) == len(gflat)
                    for k, g in zip(kflat, gflat):
                        np.testing.assert_allclose(g.numpy(), np.asarray(k), rtol=1e-4, atol=1e-5)
                    kshape = kb.compute_output_shape((None, 5, 4))
                    kshape = [tuple(s) for s in kshape] if isinstance(kshape, (list, tuple)) and \
                        isinstance(kshape[0], (list, tuple)) else tuple(kshape)
                    gshape = gb.compute_output_shape((None, 5, 4))
                    gshape = [tuple(s) for s in gshape] if isinstance(gshape, list) else tuple(gshape)
                    assert gshape == kshape
                    kc, gc = kb.get_config(), gb.get_config()
                    assert sorted(kc) == sorted(gc)
                    assert kc["layer"]["config"]["name"] == gc["layer"]["config"]["name"] == "forward_r"
                    assert kc["backward_layer"]["config"]["name"] == gc["backward_layer"]["config"]["name"]
                    assert kc["backward_layer"]["config"]["go_backwards"] is True


def test_a_custom_layer_inside_a_wrapper_loads_through_custom_objects(tmp_path):
    class Doubler(gw.layers.Layer):  # not registered: only custom_objects can name it
        def call(self, inputs):
            return inputs * 2.0

    model = gw.Sequential([gw.Input((3, 2)), TimeDistributed(Doubler(name="twice"))])
    model.save(tmp_path / "m.gw")
    loaded = gw.models.load_model(tmp_path / "m.gw", custom_objects={"Doubler": Doubler})
    x = np.arange(6, dtype="float32").reshape(1, 3, 2)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), 2 * x)
