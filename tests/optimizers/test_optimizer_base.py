"""What every optimizer shares: defaults, configs, state, names, errors, schedules, options."""

import math
import tracemalloc
import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise import optimizers
from gradwise.errors import ShapeError, UnknownNameError

ALL = [optimizers.SGD, optimizers.RMSprop, optimizers.Adam, optimizers.AdamW,
       optimizers.Adagrad, optimizers.Adadelta]

# Keras 3's documented defaults (keras/src/optimizers/*.py signatures)
KERAS_DEFAULTS = {
    "SGD": dict(learning_rate=0.01, momentum=0.0, nesterov=False),
    "RMSprop": dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False),
    "Adam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
    "AdamW": dict(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                  epsilon=1e-7, amsgrad=False),
    "Adagrad": dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7),
    "Adadelta": dict(learning_rate=0.001, rho=0.95, epsilon=1e-7),
}
SHARED = dict(weight_decay=None, clipnorm=None, global_clipnorm=None, clipvalue=None,
              use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
              loss_scale_factor=None, gradient_accumulation_steps=None)


def variables(dtype=np.float32):
    return [gw.Variable(np.array([1.0, -2.0, 0.5], dtype), name="w"),
            gw.Variable(np.array([[0.3, -0.7]], dtype), name="b")]


def grads_at(step, dtype=np.float32):
    rng = np.random.default_rng(step)
    return [rng.normal(size=(3,)).astype(dtype), rng.normal(size=(1, 2)).astype(dtype)]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_defaults_are_keras_defaults(cls):
    config = cls().get_config()
    expected = {**SHARED, **KERAS_DEFAULTS[cls.__name__]}
    for key, value in expected.items():
        assert config[key] == value, (cls.__name__, key)


def test_names_are_unique_snake_case_like_keras():
    a, b = optimizers.RMSprop(), optimizers.RMSprop()
    assert a.name.startswith("rm_sprop") and b.name.startswith("rm_sprop") and a.name != b.name
    assert optimizers.AdamW().name.startswith("adam_w")
    assert optimizers.SGD(name="mine").name == "mine"


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_config_round_trip_gives_the_same_optimizer(cls):
    kwargs = {"learning_rate": 0.05, "clipnorm": 1.5}
    if cls is optimizers.SGD:
        kwargs.update(momentum=0.8, nesterov=True)
    original = cls(**kwargs)
    clone = cls.from_config(original.get_config())
    assert clone.get_config() == original.get_config()
    v1, v2 = variables(), variables()
    for step in range(3):
        original.apply(grads_at(step), v1)
        clone.apply(grads_at(step), v2)
    for a, b in zip(v1, v2):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_serialize_and_get_round_trip():
    opt = optimizers.RMSprop(learning_rate=0.02, momentum=0.5, centered=True)
    config = optimizers.serialize(opt)
    assert config["class_name"] == "RMSprop" and config["config"]["momentum"] == 0.5
    again = optimizers.get(config)
    assert isinstance(again, optimizers.RMSprop) and again.get_config() == opt.get_config()
    assert isinstance(optimizers.get({"class_name": "adam", "config": {}}), optimizers.Adam)


@pytest.mark.parametrize("name,cls", [("sgd", optimizers.SGD), ("RMSprop", optimizers.RMSprop),
                                      ("ADAM", optimizers.Adam), ("adamw", optimizers.AdamW),
                                      ("Adagrad", optimizers.Adagrad),
                                      ("adadelta", optimizers.Adadelta)])
def test_get_resolves_names_case_insensitively(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls and opt.get_config()["learning_rate"] == KERAS_DEFAULTS[cls.__name__]["learning_rate"]


def test_get_passes_instances_and_none_through():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    assert isinstance(optimizers.get(optimizers.SGD), optimizers.SGD)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownNameError) as err:
        optimizers.get("adamax_plus")
    message = str(err.value)
    assert "adamax_plus" in message
    for name in ("sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta"):
        assert name in message
    with pytest.raises(UnknownNameError):
        optimizers.get({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(42)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_state_save_and_restore_continues_bit_identically(cls):
    opt = cls(learning_rate=0.05)
    vs = variables()
    for step in range(3):
        opt.apply(grads_at(step), vs)
    state = opt.get_state()
    saved_weights = [v.numpy().copy() for v in vs]
    for step in range(3, 6):
        opt.apply(grads_at(step), vs)
    expected = [v.numpy().copy() for v in vs]

    resumed = cls(learning_rate=0.05)
    vs2 = [gw.Variable(w, name=v.name) for w, v in zip(saved_weights, vs)]
    resumed.build(vs2)
    resumed.set_state(state)
    assert resumed.iterations == 3
    for step in range(3, 6):
        resumed.apply(grads_at(step), vs2)
    for a, b in zip(expected, vs2):
        np.testing.assert_array_equal(a, b.numpy())


def test_state_holds_copies_in_variable_then_slot_order():
    opt = optimizers.Adam(amsgrad=True)
    vs = variables()
    opt.apply(grads_at(0), vs)
    state = opt.get_state()
    assert state["iterations"] == 1
    assert [v.name for v in opt.variables] == ["w_momentum", "w_velocity", "w_velocity_hat",
                                                "b_momentum", "b_velocity", "b_velocity_hat"]
    assert [s.shape for s in state["slots"]] == [(3,)] * 3 + [(1, 2)] * 3
    before = [s.copy() for s in state["slots"]]
    opt.apply(grads_at(1), vs)
    for a, b in zip(before, state["slots"]):
        np.testing.assert_array_equal(a, b)  # later steps do not change a saved state


def test_set_state_errors():
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="build"):
        opt.set_state({"iterations": 0, "slots": []})
    opt.build(variables())
    with pytest.raises(ValueError, match="4"):
        opt.set_state({"iterations": 0, "slots": [np.zeros(3)]})
    with pytest.raises(ShapeError):
        opt.set_state({"iterations": 0, "slots": [np.zeros(3), np.zeros(3), np.zeros(2), np.zeros(2)]})


def test_slots_only_when_needed():
    vs = variables()
    sgd = optimizers.SGD()
    sgd.build(vs)
    assert sgd.variables == []
    rms = optimizers.RMSprop(momentum=0.5, centered=True)
    rms.build(vs)
    assert [v.name for v in rms.variables][:3] == ["w_velocity", "w_momentum", "w_average_gradient"]
    assert all(not v.trainable for v in rms.variables)


def test_updates_are_in_place_without_new_arrays():
    vs = variables()
    opt = optimizers.RMSprop(momentum=0.9, centered=True)
    opt.apply(grads_at(0), vs)
    data_ids = [id(v.data) for v in vs]
    slot_ids = [id(v.data) for v in opt.variables]
    before = [v.numpy().copy() for v in vs]
    opt.apply(grads_at(1), vs)
    assert [id(v.data) for v in vs] == data_ids
    assert [id(v.data) for v in opt.variables] == slot_ids
    assert all(not np.array_equal(a, v.numpy()) for a, v in zip(before, vs))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_a_step_allocates_no_array_the_size_of_the_parameters(cls):
    w = gw.Variable(np.ones((256, 256), np.float32))
    g = np.full((256, 256), 0.01, np.float32)
    opt = cls(learning_rate=0.01)
    opt.apply([g], [w])  # build: slots and scratch are allocated once, here
    tracemalloc.start()
    opt.apply([g], [w])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < w.data.nbytes // 4, f"{cls.__name__} step allocated {peak} bytes"


def test_iterations_count_applied_steps():
    opt = optimizers.SGD()
    vs = variables()
    assert opt.iterations == 0
    for step in range(4):
        opt.apply_gradients(zip(grads_at(step), vs))
    assert opt.iterations == 4
    opt.apply([])  # an empty list is a no-op (as Keras)
    assert opt.iterations == 4


def test_gradients_may_be_tensors_and_none_is_skipped_with_a_warning():
    vs = variables()
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.warns(UserWarning, match="b"):
        opt.apply([gw.constant([1.0, 1.0, 1.0]), None], vs)
    np.testing.assert_allclose(vs[0].numpy(), [0.5, -2.5, 0.0])
    np.testing.assert_allclose(vs[1].numpy(), [[0.3, -0.7]])
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply([None, None], vs)


def test_apply_errors_name_the_problem():
    vs = variables()
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="build"):
        opt.apply(grads_at(0))
    opt.apply(grads_at(0), vs)
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply([np.ones(3, np.float32)], [gw.Variable(np.ones(3, np.float32), name="other")])
    with pytest.raises(ValueError, match="2 variables"):
        opt.apply([np.ones(3, np.float32)])
    with pytest.raises(ShapeError, match="'w'"):
        opt.apply([np.ones(4, np.float32), np.ones((1, 2), np.float32)], vs)
    with pytest.raises(TypeError, match="gw.Variable"):
        optimizers.SGD().apply([np.ones(2)], [np.ones(2)])


@pytest.mark.parametrize("make,quoted", [
    (lambda: optimizers.SGD(learning_rate=-0.1), "learning_rate=-0.1"),
    (lambda: optimizers.SGD(momentum=1.5), "momentum=1.5"),
    (lambda: optimizers.SGD(momentum=-0.1), "momentum=-0.1"),
    (lambda: optimizers.RMSprop(momentum=2.0), "momentum=2.0"),
    (lambda: optimizers.RMSprop(rho=1.1), "rho=1.1"),
    (lambda: optimizers.Adam(beta_1=1.0), "beta_1=1.0"),
    (lambda: optimizers.Adam(epsilon=-1e-7), "epsilon=-1e-07"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1.0), "initial_accumulator_value=-1.0"),
    (lambda: optimizers.SGD(weight_decay=-0.1), "weight_decay=-0.1"),
    (lambda: optimizers.SGD(learning_rate="fast"), "learning_rate='fast'"),
    (lambda: optimizers.AdamW(weight_decay=None), "weight_decay=None"),
    (lambda: optimizers.SGD(clipnorm=1.0, clipvalue=1.0), "clipnorm=1.0, clipvalue=1.0"),
    (lambda: optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0), "global_clipnorm=1.0"),
    (lambda: optimizers.SGD(gradient_accumulation_steps=1), "gradient_accumulation_steps=1"),
    (lambda: optimizers.SGD(lr=0.1), "lr"),
])
def test_bad_arguments_raise_value_error_quoting_the_value(make, quoted):
    with pytest.raises(ValueError) as err:
        make()
    assert quoted in str(err.value)


def test_nesterov_without_momentum_is_allowed_as_in_keras():
    opt = optimizers.SGD(nesterov=True)
    assert opt.nesterov and opt.momentum == 0.0


def test_learning_rate_is_settable_and_used_by_the_next_step():
    w = gw.Variable(np.array([1.0], np.float32))
    opt = optimizers.SGD(learning_rate=0.1)
    opt.apply([np.array([1.0], np.float32)], [w])
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5 and opt.get_config()["learning_rate"] == 0.5
    opt.apply([np.array([1.0], np.float32)], [w])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.1 - 0.5])
    with pytest.raises(ValueError, match="-1"):
        opt.learning_rate = -1.0


def test_schedule_is_evaluated_at_the_current_iteration():
    seen = []

    def schedule(step):
        seen.append(step)
        return 0.1 / (1 + step)

    w = gw.Variable(np.array([0.0], np.float64), dtype="float64")
    opt = optimizers.SGD(learning_rate=schedule)
    for _ in range(3):
        opt.apply([np.array([1.0])], [w])
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(w.numpy(), [-(0.1 + 0.05 + 0.1 / 3)])
    assert opt.learning_rate == pytest.approx(0.1 / 4)
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate = 0.1


def test_argument_free_callable_learning_rate_as_keras():
    w = gw.Variable(np.array([0.0], np.float32))
    opt = optimizers.SGD(learning_rate=lambda: 0.25)
    opt.apply([np.array([2.0], np.float32)], [w])
    np.testing.assert_allclose(w.numpy(), [-0.5])


def test_weight_decay_uses_the_scheduled_rate_and_respects_exclusions():
    w = gw.Variable(np.array([2.0], np.float64), dtype="float64", name="dense/kernel")
    b = gw.Variable(np.array([2.0], np.float64), dtype="float64", name="dense/bias")
    opt = optimizers.SGD(learning_rate=lambda step: 0.5 * (step + 1), weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias"])
    zero = [np.zeros(1), np.zeros(1)]
    opt.apply(zero, [w, b])  # lr 0.5: w <- w - w * 0.1 * 0.5
    opt.apply(zero, [w, b])  # lr 1.0: w <- w - w * 0.1 * 1.0
    np.testing.assert_allclose(w.numpy(), [2.0 * 0.95 * 0.9])
    np.testing.assert_allclose(b.numpy(), [2.0])


def test_loss_scale_factor_divides_the_gradients():
    w = gw.Variable(np.array([1.0], np.float32))
    opt = optimizers.SGD(learning_rate=0.1, loss_scale_factor=4.0)
    opt.apply([np.array([8.0], np.float32)], [w])  # w - 0.1 * 8 / 4
    np.testing.assert_allclose(w.numpy(), [0.8])
    assert opt.scale_loss(2.0) == 8.0


def test_gradient_accumulation_updates_every_n_calls_with_the_mean():
    w = gw.Variable(np.array([1.0], np.float64), dtype="float64")
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.5, gradient_accumulation_steps=2)
    opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [1.0])  # first call only accumulates
    assert opt.iterations == 0
    opt.apply([np.array([3.0])], [w])  # mean gradient 2: v = -0.2, w = 0.8
    np.testing.assert_allclose(w.numpy(), [0.8])
    assert opt.iterations == 1
    opt.apply([np.array([0.0])], [w])
    opt.apply([np.array([2.0])], [w])  # mean 1: v = 0.5 * -0.2 - 0.1 = -0.2, w = 0.6
    np.testing.assert_allclose(w.numpy(), [0.6])


def test_ema_averages_and_overwrites_the_weights():
    w = gw.Variable(np.array([0.0], np.float64), dtype="float64")
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5,
                         ema_overwrite_frequency=3)
    opt.apply([np.array([-1.0])], [w])  # w = 1, first average copies it: a = 1
    opt.apply([np.array([-1.0])], [w])  # w = 2, a = 0.5 * 1 + 0.5 * 2 = 1.5
    average = opt.variables[0]
    np.testing.assert_allclose(average.numpy(), [1.5])
    opt.apply([np.array([-1.0])], [w])  # w = 3, a = 2.25, then w <- a (3rd step)
    np.testing.assert_allclose(w.numpy(), [2.25])


def test_finalize_variable_values_copies_the_averages():
    w = gw.Variable(np.array([0.0], np.float64), dtype="float64")
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(2):
        opt.apply([np.array([-1.0])], [w])
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(w.numpy(), [1.5])


def test_global_clipnorm_with_non_finite_norm_gives_nan_as_keras():
    w = gw.Variable(np.array([1.0, 1.0], np.float32))
    opt = optimizers.SGD(global_clipnorm=1.0)
    with np.errstate(invalid="ignore"):
        opt.apply([np.array([np.inf, 1.0], np.float32)], [w])
    assert np.isnan(w.numpy()).all()


def test_pytorch_style_step_and_zero_grad():
    w = gw.Variable(np.array([1.0, 2.0], np.float32))
    opt = optimizers.SGD(learning_rate=0.1)
    loss = gw.reduce_sum(w * w)
    loss.backward()
    opt.step([w])
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6], rtol=1e-6)
    opt.zero_grad()
    assert w.grad is None


def test_works_with_gradient_tape_and_converges_on_a_quadratic():
    target = np.array([3.0, -1.0, 0.5], np.float32)
    w = gw.Variable(np.zeros(3, np.float32))
    opt = optimizers.Adam(learning_rate=0.1)
    for _ in range(300):
        with gw.GradientTape() as tape:
            loss = gw.reduce_sum((w - gw.constant(target)) ** 2)
        opt.apply_gradients([(tape.gradient(loss, w), w)])
    np.testing.assert_allclose(w.numpy(), target, atol=1e-2)


@pytest.mark.parametrize("make,steps", [
    (lambda: optimizers.SGD(learning_rate=0.1), 200),
    (lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True), 200),
    (lambda: optimizers.RMSprop(learning_rate=0.01, centered=True, momentum=0.5), 1500),
    (lambda: optimizers.Adam(learning_rate=0.05, amsgrad=True), 800),
    (lambda: optimizers.AdamW(learning_rate=0.05, weight_decay=1e-4), 800),
    (lambda: optimizers.Adagrad(learning_rate=0.5), 800),
    (lambda: optimizers.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-4), 1500),
])
def test_converges_on_an_ill_conditioned_quadratic(make, steps):
    # f(w) = 1/2 sum a_i (w_i - c_i)^2, gradient a * (w - c); minimum at c
    a = np.array([1.0, 4.0, 0.5])
    c = np.array([1.0, -2.0, 3.0])
    w = gw.Variable(np.zeros(3), dtype="float64")
    opt = make()
    start = 0.5 * np.sum(a * c ** 2)
    for _ in range(steps):
        opt.apply([a * (w.numpy() - c)], [w])
    final = 0.5 * np.sum(a * (w.numpy() - c) ** 2)
    assert final < 1e-3 * start and math.isfinite(final)


def test_repr_names_the_optimizer():
    with warnings.catch_warnings():
        text = repr(optimizers.Adam(learning_rate=0.01, name="opt"))
    assert "Adam" in text and "opt" in text and "0.01" in text


def test_docstring_examples_run():
    import doctest

    from gradwise.optimizers import adadelta, adagrad, adam, rmsprop, sgd

    for module in (sgd, rmsprop, adam, adagrad, adadelta):
        result = doctest.testmod(module, extraglobs={"gw": gw},
                                 optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_variable_constraint_is_applied_after_each_update():
    v = gw.Variable(np.array([1.0, -2.0, 3.0]), constraint=lambda w: gw.clip(w, 0.0, 2.5))
    gw.optimizers.SGD(learning_rate=1.0).apply_gradients([(np.array([0.5, 1.0, -1.0]), v)])
    np.testing.assert_allclose(v.numpy(), [0.5, 0.0, 2.5])  # raw update: [0.5, -3, 4]


def test_variable_constraint_must_be_callable():
    with pytest.raises(TypeError, match="constraint must be callable"):
        gw.Variable(np.zeros(2), constraint="non_neg")
