"""Nadam: Keras 3's defaults and update rule (momentum schedule u_t and its running product)."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise import optimizers


def reference_nadam(w, grads, lr=0.001, beta_1=0.9, beta_2=0.999, eps=1e-7):
    """Dozat's Nadam as Keras 3 documents it, in float64, written out step by step."""
    w = np.array(w, dtype=np.float64)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    u_product = 1.0
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=np.float64)
        u_t = beta_1 * (1 - 0.5 * 0.96 ** t)
        u_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


def test_first_step_by_hand():
    # t = 1: u_1 = 0.9 * (1 - 0.5 * 0.96) = 0.468, u_2 = 0.9 * (1 - 0.5 * 0.9216) = 0.48528,
    # m = 0.1 g, v = 0.001 g^2 so v_hat = g^2; m_hat = 0.48528 * 0.1 g / (1 - 0.468 * 0.48528)
    # + (1 - 0.468) g / (1 - 0.468) = g * (1 + 0.048528 / 0.77288896).
    w = gw.Variable(np.array([1.0, 2.0]), dtype="float64")
    opt = optimizers.Nadam(learning_rate=0.1)
    opt.apply([np.array([3.0, -0.5])], [w])
    scale = 1 + 0.048528 / 0.77288896
    expected = [1.0 - 0.1 * scale * 3.0 / (3.0 + 1e-7), 2.0 + 0.1 * scale * 0.5 / (0.5 + 1e-7)]
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-13)
    assert float(opt._u_product.data) == pytest.approx(0.468, rel=1e-15)


@pytest.mark.parametrize("kwargs", [{}, {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9,
                                         "epsilon": 1e-3}])
def test_five_steps_match_the_reference(kwargs):
    rng = np.random.default_rng(0)
    init = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) * 2 for _ in range(5)]
    w = gw.Variable(init, dtype="float64")
    opt = optimizers.Nadam(**kwargs)
    for g in grads:
        opt.apply([g], [w])
    names = {"learning_rate": "lr", "epsilon": "eps"}
    expected = reference_nadam(init, grads, **{names.get(k, k): v for k, v in kwargs.items()})
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-12)
    assert opt.iterations == 5


def test_weight_decay_is_decoupled_and_applied_first():
    # One step from w with decay: w' = w - w * wd * lr, then the Nadam step from w'.
    w0, g, lr, wd = np.array([1.5, -2.0]), np.array([0.3, 0.7]), 0.01, 0.2
    w = gw.Variable(w0, dtype="float64")
    optimizers.Nadam(learning_rate=lr, weight_decay=wd).apply([g], [w])
    np.testing.assert_allclose(w.numpy(), reference_nadam(w0 - w0 * wd * lr, [g], lr=lr), rtol=1e-13)


def test_defaults_name_and_lookup():
    opt = optimizers.get("nadam")
    assert isinstance(opt, optimizers.Nadam)
    config = opt.get_config()
    assert (config["learning_rate"], config["beta_1"], config["beta_2"], config["epsilon"]) == \
        (0.001, 0.9, 0.999, 1e-7)
    assert optimizers.deserialize(optimizers.serialize(opt)).get_config()["beta_2"] == 0.999
    with pytest.raises(ValueError, match="beta_1=1.0"):
        optimizers.Nadam(beta_1=1.0)


def test_state_round_trip_keeps_u_product(tmp_path):
    """Saving mid-training and loading continues exactly: u_product is part of the state."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.normal(size=(32, 1)).astype(np.float32)
    gw.random.seed(3)
    model = gw.Sequential([gw.layers.Dense(3, activation="tanh"), gw.layers.Dense(1)])
    model.compile(optimizer="nadam", loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    model.save(tmp_path / "m.gw")
    loaded = gw.models.load_model(tmp_path / "m.gw")
    assert float(loaded.optimizer._u_product.data) == float(model.optimizer._u_product.data) != 1.0
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    loaded.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_matches_keras_when_installed():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(2)
    for kwargs in ({}, {"learning_rate": 0.05, "weight_decay": 0.1}):
        init = [rng.normal(size=s).astype(np.float32) for s in ((3,), (2, 2))]
        k_vars = [keras.Variable(a.copy()) for a in init]
        g_vars = [gw.Variable(a.copy()) for a in init]
        k_opt, g_opt = keras.optimizers.Nadam(**kwargs), optimizers.Nadam(**kwargs)
        for _ in range(20):
            grads = [(rng.normal(size=a.shape) * 3).astype(np.float32) for a in init]
            k_opt.apply(grads, k_vars)
            g_opt.apply(grads, g_vars)
        for kv, gv in zip(k_vars, g_vars):
            np.testing.assert_allclose(gv.numpy(), np.asarray(kv.value), rtol=1e-6, atol=1e-6)
        their_u_product = float(np.asarray(k_opt._u_product.value))
        assert float(g_opt._u_product.data) == pytest.approx(their_u_product, rel=1e-6)
        assert set(g_opt.get_config()) == set(k_opt.get_config())
