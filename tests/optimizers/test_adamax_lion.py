"""Adamax and Lion: Keras 3's defaults, names and update rules.

The references below write each rule out in float64 NumPy, step by step, from the formulas
Keras 3 documents; they share nothing with gradwise's code. The gradients include a spike
(Adamax's norm must keep it, then decay it) and sign changes (Lion steps by the sign only).
"""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise import optimizers


def reference_adamax(w, grads, lr=0.001, beta_1=0.9, beta_2=0.999, eps=1e-7, weight_decay=None):
    """m = b1 m + (1 - b1) g;  u = max(b2 u, |g|);  w -= lr / (1 - b1^t) * m / (u + eps)."""
    w = np.array(w, dtype=np.float64)
    m, u = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=np.float64)
        if weight_decay:
            w = w - w * weight_decay * lr
        m = beta_1 * m + (1 - beta_1) * g
        u = np.maximum(beta_2 * u, np.abs(g))
        w = w - lr / (1 - beta_1 ** t) * m / (u + eps)
    return w, m, u


def reference_lion(w, grads, lr=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None):
    """c = b1 m + (1 - b1) g;  w -= lr sign(c);  m = b2 m + (1 - b2) g."""
    w = np.array(w, dtype=np.float64)
    m = np.zeros_like(w)
    for g in grads:
        g = np.asarray(g, dtype=np.float64)
        if weight_decay:
            w = w - w * weight_decay * lr
        w = w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g
    return w, m


def _grads(n=6, shape=(3, 2), seed=0):
    rng = np.random.default_rng(seed)
    grads = [rng.normal(size=shape) * 2 for _ in range(n)]
    grads[1].flat[0] = 40.0  # a spike: Adamax's u holds it and decays it by beta_2 per step
    grads[2].flat[-1] = 0.0
    return grads


def _run(opt, init, grads):
    w = gw.Variable(np.array(init), dtype="float64")
    trajectory = []
    for g in grads:
        opt.apply([g], [w])
        trajectory.append(w.numpy().copy())
    return w, trajectory


# --- Adamax --------------------------------------------------------------------------------------
def test_adamax_first_steps_by_hand():
    # t = 1: m = 0.1 g, u = |g|, step = lr / (1 - 0.9) * 0.1 g / (|g| + eps) = lr g / (|g| + eps)
    w = gw.Variable(np.array([1.0, 2.0]), dtype="float64")
    opt = optimizers.Adamax(learning_rate=0.1)
    opt.apply([np.array([3.0, -0.5])], [w])
    np.testing.assert_allclose(w.numpy(), [1 - 0.1 * 3 / (3 + 1e-7), 2 + 0.1 * 0.5 / (0.5 + 1e-7)], rtol=1e-14)
    # t = 2 with g = (1, 1): m = 0.09 * (3, -0.5) + 0.1, u = max(0.999 |g1|, 1) = (2.997, 1)
    opt.apply([np.array([1.0, 1.0])], [w])
    m = np.array([0.9 * 0.3 + 0.1, 0.9 * -0.05 + 0.1])
    u = np.array([2.997, 1.0])
    step1 = np.array([0.1 * 3 / (3 + 1e-7), -0.1 * 0.5 / (0.5 + 1e-7)])
    expected = np.array([1.0, 2.0]) - step1 - 0.1 / (1 - 0.81) * m / (u + 1e-7)
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-14)
    np.testing.assert_allclose(opt._slots[0]["momentum"], m, rtol=1e-14)
    np.testing.assert_allclose(opt._slots[0]["norm"], u, rtol=1e-14)


@pytest.mark.parametrize("kwargs", [{}, {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
                                    {"learning_rate": 0.01, "weight_decay": 0.2}])
def test_adamax_steps_match_the_reference(kwargs):
    init = np.random.default_rng(1).normal(size=(3, 2))
    grads = _grads()
    w, trajectory = _run(optimizers.Adamax(**kwargs), init, grads)
    names = {"learning_rate": "lr", "epsilon": "eps"}
    kw = {names.get(k, k): v for k, v in kwargs.items()}
    for t in range(1, len(grads) + 1):  # after every step, not only the last
        np.testing.assert_allclose(trajectory[t - 1], reference_adamax(init, grads[:t], **kw)[0], rtol=1e-12)


def test_adamax_norm_keeps_the_largest_gradient_and_decays_it():
    w = gw.Variable(np.zeros(1), dtype="float64")
    opt = optimizers.Adamax(beta_2=0.5)
    for g in (8.0, 1.0, 1.0, 1.0):
        opt.apply([np.array([g])], [w])
    assert opt._slots[0]["norm"][0] == pytest.approx(1.0)  # max(0.5^3 * 8, 1) = 1
    opt2 = optimizers.Adamax(beta_2=0.5)
    w2 = gw.Variable(np.zeros(1), dtype="float64")
    for g in (8.0, 1.0, 1.0):
        opt2.apply([np.array([g])], [w2])
    assert opt2._slots[0]["norm"][0] == pytest.approx(2.0)  # max(0.5^2 * 8, 1) = 2


def test_adamax_defaults_slots_and_lookup():
    opt = optimizers.get("adamax")
    assert isinstance(opt, optimizers.Adamax) and opt.name.startswith("adamax")
    config = opt.get_config()
    assert (config["learning_rate"], config["beta_1"], config["beta_2"], config["epsilon"]) == \
        (0.001, 0.9, 0.999, 1e-7)
    assert set(config) == set(optimizers.Adam().get_config()) - {"amsgrad"}
    assert isinstance(optimizers.get("Adamax"), optimizers.Adamax)
    again = optimizers.deserialize(optimizers.serialize(optimizers.Adamax(learning_rate=0.01, beta_2=0.9)))
    assert isinstance(again, optimizers.Adamax) and again.get_config()["beta_2"] == 0.9
    w = gw.Variable(np.ones((2, 2)), name="kernel")
    opt.build([w])
    assert [v.name for v in opt.variables] == ["kernel_momentum", "kernel_norm"]
    with pytest.raises(ValueError, match="beta_1=1.0"):
        optimizers.Adamax(beta_1=1.0)
    with pytest.raises(ValueError, match="epsilon=-1"):
        optimizers.Adamax(epsilon=-1)


# --- Lion ----------------------------------------------------------------------------------------
def test_lion_first_steps_by_hand():
    # t = 1: m = 0, c = 0.1 g -> w -= lr sign(g); then m = 0.01 g
    w = gw.Variable(np.array([1.0, 2.0, 3.0]), dtype="float64")
    opt = optimizers.Lion(learning_rate=0.1)
    opt.apply([np.array([3.0, -0.5, 0.0])], [w])
    np.testing.assert_allclose(w.numpy(), [0.9, 2.1, 3.0], rtol=1e-15)
    np.testing.assert_allclose(opt._slots[0]["momentum"], [0.03, -0.005, 0.0], rtol=1e-14)
    # t = 2, g = (-0.2, 0.2, 1): c = 0.9 m + 0.1 g = (0.007, 0.0155, 0.1): all positive, so each w falls by lr,
    # although the first gradient is negative (the momentum wins)
    opt.apply([np.array([-0.2, 0.2, 1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [0.8, 2.0, 2.9], rtol=1e-14)
    np.testing.assert_allclose(opt._slots[0]["momentum"], [0.99 * 0.03 - 0.002, 0.99 * -0.005 + 0.002, 0.01],
                               rtol=1e-13)


@pytest.mark.parametrize("kwargs", [{}, {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9},
                                    {"learning_rate": 0.01, "weight_decay": 0.5}, {"beta_1": 1.0}])
def test_lion_steps_match_the_reference(kwargs):
    init = np.random.default_rng(2).normal(size=(3, 2))
    grads = _grads(seed=3)
    w, trajectory = _run(optimizers.Lion(**kwargs), init, grads)
    kw = {("lr" if k == "learning_rate" else k): v for k, v in kwargs.items()}
    for t in range(1, len(grads) + 1):
        np.testing.assert_allclose(trajectory[t - 1], reference_lion(init, grads[:t], **kw)[0], rtol=1e-12)


def test_lion_moves_every_coordinate_by_exactly_lr():
    w = gw.Variable(np.zeros(4), dtype="float64")
    opt = optimizers.Lion(learning_rate=0.25)
    before = w.numpy().copy()
    opt.apply([np.array([1e-6, -1e6, 3.0, -0.01])], [w])
    np.testing.assert_array_equal(np.abs(w.numpy() - before), [0.25] * 4)


def test_lion_defaults_slots_and_lookup():
    opt = optimizers.get("lion")
    assert isinstance(opt, optimizers.Lion) and opt.name.startswith("lion")
    config = opt.get_config()
    assert (config["learning_rate"], config["beta_1"], config["beta_2"]) == (0.001, 0.9, 0.99)
    assert "epsilon" not in config
    assert set(config) == set(optimizers.SGD().get_config()) - {"momentum", "nesterov"} | {"beta_1", "beta_2"}
    again = optimizers.deserialize(optimizers.serialize(optimizers.Lion(beta_1=0.7)))
    assert isinstance(again, optimizers.Lion) and again.beta_1 == 0.7
    w = gw.Variable(np.ones(3), name="bias")
    opt.build([w])
    assert [v.name for v in opt.variables] == ["bias_momentum"]
    for bad in (0.0, -0.1, 1.5):  # Keras: beta_1 = 0 would be SignSGD
        with pytest.raises(ValueError, match=f"beta_1={bad}"):
            optimizers.Lion(beta_1=bad)


# --- shared options, through the base class ---------------------------------------------------------
@pytest.mark.parametrize("name", ["Adamax", "Lion"])
def test_clipping_is_applied_before_the_rule(name):
    init = np.array([0.5, -1.0, 2.0])
    grads = [np.array([3.0, -4.0, 0.0]), np.array([0.5, 2.0, -1.0])]
    ref = reference_adamax if name == "Adamax" else reference_lion
    _, trajectory = _run(getattr(optimizers, name)(learning_rate=0.1, clipnorm=1.0), init, grads)
    clipped = [g / max(np.linalg.norm(g), 1.0) for g in grads]  # g * c / max(||g||, c)
    np.testing.assert_allclose(trajectory[-1], ref(init, clipped, lr=0.1)[0], rtol=1e-12)
    _, trajectory = _run(getattr(optimizers, name)(learning_rate=0.1, clipvalue=0.7), init, grads)
    np.testing.assert_allclose(trajectory[-1], ref(init, [np.clip(g, -0.7, 0.7) for g in grads], lr=0.1)[0],
                               rtol=1e-12)


@pytest.mark.parametrize("name", ["Adamax", "Lion"])
def test_float32_variables_stay_float32_and_match_float64_closely(name):
    init = np.random.default_rng(4).normal(size=(4,))
    grads = _grads(n=5, shape=(4,), seed=5)
    w32 = gw.Variable(init.astype(np.float32))
    opt = getattr(optimizers, name)(learning_rate=0.01)
    for g in grads:
        opt.apply([g.astype(np.float32)], [w32])
    assert w32.numpy().dtype == np.float32
    ref = (reference_adamax if name == "Adamax" else reference_lion)(init, grads, lr=0.01)[0]
    np.testing.assert_allclose(w32.numpy(), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["adamax", "lion"])
def test_fit_with_the_optimizer_lowers_the_loss_and_resumes_exactly(name, tmp_path):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)) + 0.1
    gw.random.seed(0)
    model = gw.Sequential([gw.Input((3,)), gw.layers.Dense(8, activation="tanh"), gw.layers.Dense(1)])
    model.compile(optimizer=getattr(optimizers, name.capitalize())(learning_rate=0.01), loss="mse")
    losses = model.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    model.save(tmp_path / "m.gw")  # the slots are saved: training continues identically
    loaded = gw.models.load_model(tmp_path / "m.gw")
    assert type(loaded.optimizer).__name__ == type(model.optimizer).__name__
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    loaded.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
@pytest.mark.parametrize("name,kwargs", [
    ("Adamax", {}), ("Adamax", {"learning_rate": 0.1, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("Adamax", {"weight_decay": 0.1, "learning_rate": 0.05}), ("Adamax", {"clipnorm": 0.5}),
    ("Adamax", {"gradient_accumulation_steps": 2, "learning_rate": 0.1}),
    ("Lion", {}), ("Lion", {"learning_rate": 0.1, "beta_1": 0.5, "beta_2": 0.9}),
    ("Lion", {"weight_decay": 0.5, "learning_rate": 0.01}), ("Lion", {"global_clipnorm": 1.0}),
    ("Lion", {"use_ema": True, "ema_overwrite_frequency": 3}),
])
def test_trajectory_matches_keras(name, kwargs):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(7)
    shapes = [(3,), (2, 2)]
    init = [rng.normal(size=s).astype(np.float32) for s in shapes]
    k_opt, g_opt = getattr(keras.optimizers, name)(**kwargs), getattr(optimizers, name)(**kwargs)
    k_vars = [keras.Variable(a.copy()) for a in init]
    g_vars = [gw.Variable(a.copy()) for a in init]
    for step in range(12):
        grads = [(rng.normal(size=s) * 3).astype(np.float32) for s in shapes]
        if step == 3:
            grads[0][0] = 50.0
        k_opt.apply(grads, k_vars)
        g_opt.apply(grads, g_vars)
        for kv, gv in zip(k_vars, g_vars):
            np.testing.assert_allclose(gv.numpy(), np.asarray(kv.value), rtol=1e-6, atol=1e-6)
    assert g_opt.iterations == int(np.asarray(k_opt.iterations))
    assert set(g_opt.get_config()) == set(k_opt.get_config())
    theirs = k_opt.get_config()
    for key in ("beta_1", "beta_2", "epsilon"):
        if key in theirs:
            assert g_opt.get_config()[key] == pytest.approx(theirs[key])
    default = getattr(keras.optimizers, name)().get_config()
    assert getattr(optimizers, name)().get_config()["learning_rate"] == pytest.approx(default["learning_rate"])
