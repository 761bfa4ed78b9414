"""Optional: gradwise's optimizers against real Keras 3.

Opt-in, because importing Keras and JAX takes longer than the rest of the optimizer tests:

    pip install keras "jax[cpu]"
    GRADWISE_KERAS_ORACLE=1 python -m pytest tests/optimizers/test_keras_oracle.py
"""

import os
import warnings

import numpy as np
import pytest

if not os.environ.get("GRADWISE_KERAS_ORACLE"):
    pytest.skip("Keras oracle tests are opt-in: set GRADWISE_KERAS_ORACLE=1",
                allow_module_level=True)
os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import gradwise as gw  # noqa: E402
from gradwise import optimizers  # noqa: E402

CONFIGS = [
    ("SGD", {}), ("SGD", {"momentum": 0.9}), ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {}), ("RMSprop", {"momentum": 0.9}), ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "rho": 0.8, "learning_rate": 0.05}),
    ("Adam", {}), ("Adam", {"amsgrad": True}),
    ("Adam", {"learning_rate": 0.1, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("AdamW", {}), ("AdamW", {"weight_decay": 0.1, "learning_rate": 0.1, "amsgrad": True}),
    ("Adagrad", {}), ("Adagrad", {"initial_accumulator_value": 0.0, "learning_rate": 0.1}),
    ("Adadelta", {}), ("Adadelta", {"learning_rate": 1.0, "rho": 0.5}),
    ("Adam", {"clipnorm": 0.5}), ("SGD", {"momentum": 0.9, "global_clipnorm": 1.0}),
    ("RMSprop", {"clipvalue": 0.3}), ("Adam", {"loss_scale_factor": 4.0}),
    ("SGD", {"momentum": 0.9, "use_ema": True, "ema_overwrite_frequency": 2, "ema_momentum": 0.5}),
    ("SGD", {"learning_rate": 0.1, "gradient_accumulation_steps": 2}),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_trajectory_matches_keras(name, kwargs):
    rng = np.random.default_rng(abs(hash((name, str(kwargs)))) % 2**32)
    shapes = [(3,), (2, 2)]
    init = [rng.normal(size=s).astype(np.float32) for s in shapes]
    steps = [[(rng.normal(size=s) * 3).astype(np.float32) for s in shapes] for _ in range(4)]

    k_opt = getattr(keras.optimizers, name)(**kwargs)
    k_vars = [keras.Variable(x.copy()) for x in init]
    g_opt = getattr(optimizers, name)(**kwargs)
    g_vars = [gw.Variable(x.copy()) for x in init]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for grads in steps:
            k_opt.apply(grads, k_vars)
            g_opt.apply(grads, g_vars)
            for kv, gv in zip(k_vars, g_vars):
                np.testing.assert_allclose(gv.numpy(), np.asarray(kv.value), rtol=1e-6, atol=1e-6)
    assert g_opt.iterations == int(np.asarray(k_opt.iterations))


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta"])
def test_config_keys_and_defaults_match_keras(name):
    k_config = getattr(keras.optimizers, name)().get_config()
    g_config = getattr(optimizers, name)().get_config()
    assert set(k_config) == set(g_config)
    for key, value in k_config.items():
        if key in ("name", "learning_rate"):
            continue
        assert g_config[key] == value, key
    assert g_config["learning_rate"] == pytest.approx(k_config["learning_rate"], rel=1e-6)
