"""The first three updates of every optimizer (and option) against the textbook rule.

Each reference below is an independent plain-Python re-derivation, element by element, of the
rule as Keras 3 states it (formula in the comment). It shares nothing with gradwise's code.
The problem: two variables, three fixed steps of gradients (one element's gradient is 0 at
the last step, so AMSGrad's max and Adagrad/RMSprop's epsilon matter).
"""

import copy
import math

import numpy as np
import pytest

import gradwise as gw
from gradwise import optimizers

W0 = [[1.0, -2.0, 0.5], [0.3, -0.7]]
GRADS = [
    [[0.1, -0.2, 0.3], [0.5, 0.0]],
    [[-0.4, 0.5, 0.05], [-0.25, 0.1]],
    [[0.2, 0.0, -0.6], [0.4, -0.3]],
]


# --- gradient clipping, as Keras documents it ------------------------------------------------
def clip(grads, clipnorm=None, global_clipnorm=None, clipvalue=None):
    if clipnorm:  # each gradient: g * c / max(||g||, c)
        return [[x * clipnorm / max(math.sqrt(sum(y * y for y in g)), clipnorm) for x in g]
                for g in grads]
    if global_clipnorm:  # all gradients: g * c / max(sqrt(sum of all squares), c)
        norm = math.sqrt(sum(y * y for g in grads for y in g))
        return [[x * global_clipnorm / max(norm, global_clipnorm) for x in g] for g in grads]
    if clipvalue:  # element-wise into [-c, c]
        return [[min(max(x, -clipvalue), clipvalue) for x in g] for g in grads]
    return grads


def textbook(step, n_slots, lr, slot_init=0.0, weight_decay=None, **clipping):
    """Run `step(w, g, slots, t) -> (w, slots)` on every element for t = 1, 2, 3.

    Before each update, decoupled weight decay: w <- w - w * weight_decay * lr.
    """
    ws = copy.deepcopy(W0)
    slots = [[[slot_init] * n_slots for _ in w] for w in ws]
    trajectory = []
    for t, grads in enumerate(GRADS, start=1):
        grads = clip(grads, **clipping)
        for i, (w, g) in enumerate(zip(ws, grads)):
            for j in range(len(w)):
                x = w[j]
                if weight_decay:
                    x = x - x * weight_decay * lr
                w[j], slots[i][j] = step(x, g[j], list(slots[i][j]), t)
        trajectory.append(copy.deepcopy(ws))
    return trajectory


# --- the rules, one per optimizer ------------------------------------------------------------
def sgd(lr, momentum=0.0, nesterov=False):
    def step(w, g, s, t):
        if momentum == 0:
            return w - lr * g, s  # w <- w - lr g
        v = momentum * s[0] - lr * g  # v <- mu v - lr g
        if nesterov:
            return w + momentum * v - lr * g, [v]  # w <- w + mu v - lr g
        return w + v, [v]  # w <- w + v
    return step


def rmsprop(lr, rho=0.9, eps=1e-7, momentum=0.0, centered=False):
    def step(w, g, s, t):
        ms, mg, mom = s
        ms = rho * ms + (1 - rho) * g * g  # E[g^2]
        if centered:
            mg = rho * mg + (1 - rho) * g  # E[g]
            denom = ms - mg * mg + eps  # variance estimate, eps inside the root
        else:
            denom = ms + eps
        inc = lr * g / math.sqrt(denom)
        if momentum:
            mom = momentum * mom + inc
            return w - mom, [ms, mg, mom]
        return w - inc, [ms, mg, mom]
    return step


def adam(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False):
    def step(w, g, s, t):
        m, v, vmax = s
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = max(vmax, v)
        lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)  # bias corrections in the step size
        denom = math.sqrt(vmax if amsgrad else v) + eps  # Kingma & Ba's "epsilon hat"
        return w - lr_t * m / denom, [m, v, vmax]
    return step


def adagrad(lr, eps=1e-7):
    def step(w, g, s, t):
        acc = s[0] + g * g  # running sum of squares
        return w - lr * g / math.sqrt(acc + eps), [acc]
    return step


def adadelta(lr, rho=0.95, eps=1e-7):
    def step(w, g, s, t):
        eg, edx = s
        eg = rho * eg + (1 - rho) * g * g
        dx = -math.sqrt(edx + eps) / math.sqrt(eg + eps) * g  # Zeiler's update
        edx = rho * edx + (1 - rho) * dx * dx
        return w + lr * dx, [eg, edx]
    return step


CASES = {
    "sgd": (lambda: optimizers.SGD(learning_rate=0.1), lambda: textbook(sgd(0.1), 1, 0.1)),
    "sgd_momentum": (lambda: optimizers.SGD(0.1, momentum=0.9),
                     lambda: textbook(sgd(0.1, 0.9), 1, 0.1)),
    "sgd_nesterov": (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                     lambda: textbook(sgd(0.1, 0.9, True), 1, 0.1)),
    "sgd_nesterov_without_momentum": (lambda: optimizers.SGD(0.1, nesterov=True),
                                      lambda: textbook(sgd(0.1), 1, 0.1)),
    "rmsprop": (lambda: optimizers.RMSprop(learning_rate=0.01),
                lambda: textbook(rmsprop(0.01), 3, 0.01)),
    "rmsprop_big_epsilon": (lambda: optimizers.RMSprop(0.01, rho=0.8, epsilon=0.05),
                            lambda: textbook(rmsprop(0.01, 0.8, 0.05), 3, 0.01)),
    "rmsprop_momentum": (lambda: optimizers.RMSprop(0.01, momentum=0.5),
                         lambda: textbook(rmsprop(0.01, momentum=0.5), 3, 0.01)),
    "rmsprop_centered": (lambda: optimizers.RMSprop(0.01, centered=True),
                         lambda: textbook(rmsprop(0.01, centered=True), 3, 0.01)),
    "rmsprop_centered_momentum": (
        lambda: optimizers.RMSprop(0.01, rho=0.7, momentum=0.3, centered=True, epsilon=1e-3),
        lambda: textbook(rmsprop(0.01, 0.7, 1e-3, 0.3, True), 3, 0.01)),
    "adam": (lambda: optimizers.Adam(learning_rate=0.1), lambda: textbook(adam(0.1), 3, 0.1)),
    "adam_big_epsilon": (lambda: optimizers.Adam(0.1, beta_1=0.5, beta_2=0.9, epsilon=0.05),
                         lambda: textbook(adam(0.1, 0.5, 0.9, 0.05), 3, 0.1)),
    "adam_amsgrad": (lambda: optimizers.Adam(0.1, beta_2=0.5, amsgrad=True),
                     lambda: textbook(adam(0.1, b2=0.5, amsgrad=True), 3, 0.1)),
    "adamw": (lambda: optimizers.AdamW(learning_rate=0.1, weight_decay=0.2),
              lambda: textbook(adam(0.1), 3, 0.1, weight_decay=0.2)),
    "adamw_default_decay": (lambda: optimizers.AdamW(learning_rate=0.1),
                            lambda: textbook(adam(0.1), 3, 0.1, weight_decay=0.004)),
    "adagrad": (lambda: optimizers.Adagrad(learning_rate=0.1),
                lambda: textbook(adagrad(0.1), 1, 0.1, slot_init=0.1)),
    "adagrad_zero_start": (lambda: optimizers.Adagrad(0.1, initial_accumulator_value=0.0,
                                                      epsilon=1e-3),
                           lambda: textbook(adagrad(0.1, 1e-3), 1, 0.1, slot_init=0.0)),
    "adadelta": (lambda: optimizers.Adadelta(learning_rate=1.0),
                 lambda: textbook(adadelta(1.0), 2, 1.0)),
    "adadelta_lr_rho": (lambda: optimizers.Adadelta(learning_rate=0.5, rho=0.6, epsilon=1e-4),
                        lambda: textbook(adadelta(0.5, 0.6, 1e-4), 2, 0.5)),
    # options shared by every optimizer
    "sgd_weight_decay": (lambda: optimizers.SGD(0.1, momentum=0.9, weight_decay=0.3),
                         lambda: textbook(sgd(0.1, 0.9), 1, 0.1, weight_decay=0.3)),
    "rmsprop_weight_decay": (lambda: optimizers.RMSprop(0.01, weight_decay=0.5),
                             lambda: textbook(rmsprop(0.01), 3, 0.01, weight_decay=0.5)),
    "sgd_clipnorm": (lambda: optimizers.SGD(0.1, momentum=0.9, clipnorm=0.3),
                     lambda: textbook(sgd(0.1, 0.9), 1, 0.1, clipnorm=0.3)),
    "adam_clipnorm": (lambda: optimizers.Adam(0.1, clipnorm=0.3),
                      lambda: textbook(adam(0.1), 3, 0.1, clipnorm=0.3)),
    "sgd_global_clipnorm": (lambda: optimizers.SGD(0.1, global_clipnorm=0.5),
                            lambda: textbook(sgd(0.1), 1, 0.1, global_clipnorm=0.5)),
    "rmsprop_global_clipnorm": (lambda: optimizers.RMSprop(0.01, global_clipnorm=0.5),
                                lambda: textbook(rmsprop(0.01), 3, 0.01, global_clipnorm=0.5)),
    "sgd_clipvalue": (lambda: optimizers.SGD(0.1, clipvalue=0.25),
                      lambda: textbook(sgd(0.1), 1, 0.1, clipvalue=0.25)),
    "adagrad_clipvalue": (lambda: optimizers.Adagrad(0.1, clipvalue=0.25),
                          lambda: textbook(adagrad(0.1), 1, 0.1, slot_init=0.1, clipvalue=0.25)),
}


def run(opt, dtype):
    variables = [gw.Variable(np.array(w, dtype=dtype), dtype=dtype) for w in W0]
    trajectory = []
    for grads in GRADS:
        opt.apply_gradients(zip([np.array(g, dtype=dtype) for g in grads], variables))
        trajectory.append([v.numpy().copy() for v in variables])
    return trajectory


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_three_updates_match_the_textbook_rule(case):
    make, reference = CASES[case]
    got, want = run(make(), np.float64), reference()
    for step, (g, w) in enumerate(zip(got, want), start=1):
        for got_var, want_var in zip(g, w):
            np.testing.assert_allclose(got_var, want_var, rtol=0, atol=1e-7,
                                       err_msg=f"{case}, step {step}")


@pytest.mark.parametrize("case", ["sgd_nesterov", "rmsprop_centered_momentum", "adam",
                                  "adam_amsgrad", "adamw", "adagrad", "adadelta",
                                  "sgd_global_clipnorm"])
def test_float32_variables_stay_float32_and_follow_the_rule(case):
    make, reference = CASES[case]
    got, want = run(make(), np.float32), reference()
    for g, w in zip(got, want):
        for got_var, want_var in zip(g, w):
            assert got_var.dtype == np.float32
            np.testing.assert_allclose(got_var, want_var, rtol=0, atol=1e-5)


def test_the_cases_move_the_weights():
    """Guard against a vacuous comparison: every reference moves every weight."""
    for case, (_, reference) in CASES.items():
        last = reference()[-1]
        moved = [abs(a - b) for w, w0 in zip(last, W0) for a, b in zip(w, w0)]
        assert max(moved) > 1e-3, case


def test_update_functions_work_on_plain_arrays_in_place():
    p = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    v = np.zeros(3, np.float32)
    g = np.array([0.1, -0.2, 0.3], np.float32)
    p_id, g_before = id(p), g.copy()
    optimizers.rmsprop_update(p, g, v, lr=0.01, rho=0.9, epsilon=1e-7)
    expected = [w - 0.01 * x / math.sqrt(0.1 * x * x + 1e-7) for w, x in zip([1.0, -2.0, 0.5], g_before)]
    np.testing.assert_allclose(p, expected, atol=1e-6)
    np.testing.assert_allclose(v, 0.1 * g_before ** 2, rtol=1e-6)
    assert id(p) == p_id
    np.testing.assert_array_equal(g, g_before)  # the gradient is never written to


def test_adam_step_size_formula():
    # lr * sqrt(1 - b2^t) / (1 - b1^t)
    assert optimizers.adam_step_size(0.1, 0.9, 0.999, 1) == pytest.approx(0.1 * math.sqrt(0.001) / 0.1)
    assert optimizers.adam_step_size(0.1, 0.9, 0.999, 3) == pytest.approx(
        0.1 * math.sqrt(1 - 0.999 ** 3) / (1 - 0.9 ** 3))
