"""Learning-rate schedules: Keras 3's formulas (hand-computed values, and Keras itself when it
is installed), serialization, and use by optimizers and saved models."""

import math
import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.optimizers import schedules

S = schedules

# (schedule, step, value worked out by hand from the documented formula)
HAND = [
    (S.ExponentialDecay(0.1, 10, 0.5), 0, 0.1),
    (S.ExponentialDecay(0.1, 10, 0.5), 20, 0.025),                      # 0.1 * 0.5^2
    (S.ExponentialDecay(0.1, 10, 0.5), 5, 0.1 * math.sqrt(0.5)),        # 0.1 * 0.5^0.5
    (S.ExponentialDecay(0.1, 10, 0.5, staircase=True), 15, 0.05),       # floor(1.5) = 1
    (S.ExponentialDecay(0.1, 10, 0.5, staircase=True), 9, 0.1),
    (S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), 0, 1.0),
    (S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), 10, 1.0),     # boundary belongs left
    (S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), 11, 0.5),
    (S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), 20, 0.5),
    (S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), 21, 0.1),
    (S.InverseTimeDecay(0.1, 10, 0.5), 20, 0.05),                       # 0.1 / (1 + 0.5 * 2)
    (S.InverseTimeDecay(0.1, 10, 0.5, staircase=True), 15, 0.1 / 1.5),  # 0.1 / (1 + 0.5 * 1)
    (S.PolynomialDecay(0.1, 10, end_learning_rate=0.0), 5, 0.05),
    (S.PolynomialDecay(0.1, 10, end_learning_rate=0.0), 25, 0.0),       # held at the end value
    (S.PolynomialDecay(0.1, 10), 10, 1e-4),                             # default end 1e-4
    (S.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0), 5, 0.09 * 0.25 + 0.01),
    (S.PolynomialDecay(0.1, 10, end_learning_rate=0.01, cycle=True), 15, 0.09 * 0.25 + 0.01),
    (S.PolynomialDecay(0.1, 10, end_learning_rate=0.01, cycle=True), 0, 0.1),
    (S.CosineDecay(0.1, 10), 5, 0.05),                                  # 0.1 * (1 + cos(pi/2)) / 2
    (S.CosineDecay(0.1, 10), 10, 0.0),
    (S.CosineDecay(0.1, 10), 30, 0.0),                                  # held after decay_steps
    (S.CosineDecay(0.1, 10, alpha=0.1), 5, 0.1 * (0.9 * 0.5 + 0.1)),
    (S.CosineDecay(0.1, 10, alpha=0.1), 10, 0.01),
    (S.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4), 2, 0.1),  # half way up
    (S.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4), 4, 0.2),  # top, decay starts
    (S.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4), 9, 0.1),  # half way down
    (S.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4), 99, 0.0),
    (S.CosineDecayRestarts(0.1, 10), 5, 0.05),
    (S.CosineDecayRestarts(0.1, 10), 10, 0.1),      # first restart; the 2nd period is 20 long
    (S.CosineDecayRestarts(0.1, 10), 20, 0.05),
    (S.CosineDecayRestarts(0.1, 10), 30, 0.1),      # second restart (10 + 20)
    (S.CosineDecayRestarts(0.1, 10, t_mul=3.0), 1210, 0.1),  # 10 * (3^5 - 1) / 2: 5th restart
    (S.CosineDecayRestarts(0.1, 10, m_mul=0.5), 10, 0.05),   # restarts half as high
    (S.CosineDecayRestarts(0.1, 10, t_mul=1.0, alpha=0.1), 15, 0.1 * (0.9 * 0.5 + 0.1)),
]


@pytest.mark.parametrize("schedule,step,expected", HAND,
                         ids=[f"{type(s).__name__}-{i}" for i, (s, _, _) in enumerate(HAND)])
def test_values_match_hand_computed_formulas(schedule, step, expected):
    assert schedule(step) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_step_may_be_a_numpy_scalar_or_tensor():
    lr = S.ExponentialDecay(0.1, 10, 0.5)
    assert lr(np.int64(20)) == pytest.approx(0.025)
    assert lr(gw.constant(20.0)) == pytest.approx(0.025)


@pytest.mark.parametrize("make,message", [
    (lambda: S.ExponentialDecay(0.1, 0, 0.5), "decay_steps=0"),
    (lambda: S.InverseTimeDecay(0.1, -1, 0.5), "decay_steps=-1"),
    (lambda: S.PolynomialDecay(0.1, 0), "decay_steps=0"),
    (lambda: S.CosineDecay(0.1, 0), "decay_steps=0"),
    (lambda: S.CosineDecayRestarts(0.1, 0), "first_decay_steps=0"),
    (lambda: S.PiecewiseConstantDecay([10, 20], [1.0, 0.5]), "one element fewer"),
    (lambda: S.PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1]), "strictly increasing"),
])
def test_bad_arguments_raise_naming_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


ALL = [S.ExponentialDecay(0.1, 7, 0.3, staircase=True), S.PiecewiseConstantDecay([3, 9], [0.3, 0.2, 0.1]),
       S.InverseTimeDecay(0.1, 3, 0.5), S.PolynomialDecay(0.1, 10, 0.01, 2.0, True),
       S.CosineDecay(0.01, 50, alpha=0.1, warmup_target=0.1, warmup_steps=5),
       S.CosineDecayRestarts(0.1, 7, t_mul=1.5, m_mul=0.8, alpha=0.05)]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_serialize_round_trip_gives_the_same_values(schedule):
    config = S.serialize(schedule)
    assert config["class_name"] == type(schedule).__name__
    again = S.deserialize(config)
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(s) for s in range(0, 80, 3)] == [schedule(s) for s in range(0, 80, 3)]
    assert S.get(config).get_config() == schedule.get_config()
    assert S.get(schedule) is schedule


def test_deserialize_refuses_unknown_classes_and_names_the_fix():
    with pytest.raises(ValueError, match="custom_objects"):
        S.deserialize({"class_name": "os.system", "config": {}})
    with pytest.raises(ValueError, match="needs its arguments"):
        S.get("ExponentialDecay")


def test_optimizer_evaluates_the_schedule_at_its_iteration_count():
    # SGD with lr(step) = 0.1 * 0.5^step, gradient 1: w = 1 - (0.1 + 0.05 + 0.025)
    opt = gw.optimizers.SGD(learning_rate=S.ExponentialDecay(0.1, 1, 0.5))
    w = gw.Variable(np.array([1.0]), dtype="float64")
    for _ in range(3):
        assert opt.learning_rate == pytest.approx(0.1 * 0.5 ** opt.iterations)
        opt.apply([np.ones(1)], [w])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.175], rtol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Nadam", "RMSprop"])
def test_schedule_round_trips_through_optimizer_config(name):
    lr = S.CosineDecay(0.1, 100, alpha=0.1)
    opt = getattr(gw.optimizers, name)(learning_rate=lr)
    config = gw.optimizers.serialize(opt)
    again = gw.optimizers.deserialize(config)
    assert isinstance(again._lr, S.CosineDecay) and again._lr.get_config() == lr.get_config()
    assert again.learning_rate == pytest.approx(0.1)


def test_schedule_survives_model_save_and_load(tmp_path):
    gw.random.seed(1)
    x = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int)
    model = gw.Sequential([gw.layers.Dense(2, activation="softmax")])
    lr = S.PiecewiseConstantDecay([3], [0.1, 0.01])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=10, epochs=1, verbose=0)  # 4 steps: the next rate is 0.01
    model.save(tmp_path / "m.gw")
    loaded = gw.models.load_model(tmp_path / "m.gw")
    assert isinstance(loaded.optimizer._lr, S.PiecewiseConstantDecay)
    assert loaded.optimizer.iterations == 4
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)


class Halving(S.LearningRateSchedule):
    def __init__(self, initial_learning_rate, every):
        self.initial_learning_rate, self.every = initial_learning_rate, every

    def __call__(self, step):
        return self.initial_learning_rate * 0.5 ** (step // self.every)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "every": self.every}


def test_custom_schedule_loads_only_through_custom_objects(tmp_path):
    model = gw.Sequential([gw.layers.Dense(1)])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=Halving(0.4, 2)), loss="mse")
    model.fit(np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32), batch_size=2, verbose=0)
    model.save(tmp_path / "m.gw")
    with pytest.raises(ValueError, match="custom_objects"):
        gw.models.load_model(tmp_path / "m.gw")
    loaded = gw.models.load_model(tmp_path / "m.gw", custom_objects={"Halving": Halving})
    assert loaded.optimizer.learning_rate == pytest.approx(0.2)  # step 2: halved once


# --- Keras 3 as the oracle (skipped when Keras is not installed) ----------------------------
ORACLE = [("ExponentialDecay", (0.1, 10, 0.5), {}), ("ExponentialDecay", (0.1, 7, 0.3), {"staircase": True}),
          ("PiecewiseConstantDecay", ([10, 20], [1.0, 0.5, 0.1]), {}),
          ("InverseTimeDecay", (0.1, 10, 0.5), {}), ("InverseTimeDecay", (0.1, 3, 0.5), {"staircase": True}),
          ("PolynomialDecay", (0.1, 10), {}), ("PolynomialDecay", (0.1, 10, 0.01, 2.0, True), {}),
          ("CosineDecay", (0.1, 50), {"alpha": 0.1}),
          ("CosineDecay", (0.0, 50), {"warmup_target": 0.2, "warmup_steps": 10}),
          ("CosineDecayRestarts", (0.1, 10), {}), ("CosineDecayRestarts", (0.1, 10, 1.0, 0.5, 0.1), {}),
          ("CosineDecayRestarts", (0.1, 7, 1.5, 0.8, 0.05), {})]


@pytest.fixture(scope="module")
def keras():
    if not os.environ.get("GRADWISE_KERAS_ORACLE"):
        pytest.skip("Keras oracle tests are opt-in (slow): set GRADWISE_KERAS_ORACLE=1")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("name,args,kwargs", ORACLE, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ORACLE)])
def test_values_and_config_match_keras(keras, name, args, kwargs):
    theirs = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    ours = getattr(S, name)(*args, **kwargs)
    steps = range(0, 160)
    expected = np.array([float(theirs(s)) for s in steps])
    got = np.array([ours(s) for s in steps])
    # Keras computes in float32: agree to float32 rounding at the scale of the rates
    np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-6 * np.abs(expected).max())
    assert ours.get_config() == theirs.get_config()
