"""SPEC §3: backpropagation and automatic differentiation (seed 000 §2.4.4, §2.5; seeds 002, 003)."""

import numpy as np

import gradwise as gw
from gradwise import classic

from ..registry import claim, near, show


@claim("chain-rule", "000 §2.4.4", "x=2, w=3, b=1, y_true=4: x1 = x w, x2 = x1 + b, loss = |y_true - x2|",
       expected=(6, 7, 3, 2, 1), expected_text="x1 6, x2 7, loss 3, grad w 2, grad b 1")
def _(c):
    x, y_true = gw.constant(2.0), gw.constant(4.0)
    w, b = gw.Variable(3.0), gw.Variable(1.0)
    with gw.GradientTape() as tape:
        x1 = x * w
        x2 = x1 + b
        loss = gw.abs(y_true - x2)
    grad_w, grad_b = tape.gradient(loss, [w, b])
    got = tuple(float(t) for t in (x1, x2, loss, grad_w, grad_b))
    return got, got == c.expected


@claim("tape-basics", "000 §2.4.4", "y = 2x + 3 for a scalar and a (2, 2) Variable; y = x W + b for the list [W, b]",
       expected_text="2; [[2,2],[2,2]]; shapes (2,2), (2,); grad b = [2,2]")
def _(c):
    x = gw.Variable(0.0)
    with gw.GradientTape() as tape:
        y = 2 * x + 3
    scalar = float(tape.gradient(y, x))
    x = gw.Variable(gw.random.uniform((2, 2)))
    with gw.GradientTape() as tape:
        y = 2 * x + 3
    matrix = tape.gradient(y, x).numpy()
    W, b = gw.Variable(gw.random.uniform((2, 2))), gw.Variable(gw.zeros((2,)))
    x = gw.random.uniform((2, 2))
    with gw.GradientTape() as tape:
        y = gw.matmul(x, W) + b
    grad_W, grad_b = tape.gradient(y, [W, b])  # a non-scalar target means its sum: db = batch size
    ok = (scalar == 2 and near(matrix, np.full((2, 2), 2.0), 0) and grad_W.shape == (2, 2)
          and near(grad_b.numpy(), [2.0, 2.0], 0))
    return f"{scalar:g}; {show(matrix)}; {tuple(grad_W.shape)}, {tuple(grad_b.shape)}; {show(grad_b.numpy())}", ok


@claim("paths-sum", "000 §2.4.4", "x used on two paths: y = x * x + x at x = 3; the path contributions add (2x + 1)",
       expected=7.0)
def _(c):
    x = gw.Variable(3.0)
    with gw.GradientTape() as tape:
        y = x * x + x
    got = float(tape.gradient(y, x))
    return got, got == c.expected


@claim("sigmoid-derivative", "002, 003 §4.5",
       "GradientTape's d sigmoid / dz against sigma (1 - sigma) (classic.f_deriv)",
       expected_text="sigma (1 - sigma)", tolerance=1e-12)
def _(c):
    z = gw.Variable(np.linspace(-6, 6, 13), dtype="float64")
    with gw.GradientTape() as tape:
        s = gw.sigmoid(z)
    got = tape.gradient(s, z).numpy()
    gap = float(np.max(np.abs(got - classic.f_deriv(z.numpy()))))
    return f"max gap {gap:.1e}", gap <= c.tolerance


@claim("backprop-seed002", "002", "the deltas of seed 002 (A, b, C, d; L = 1/2 sum (y_hat - y)^2) vs GradientTape",
       expected_text="dL/dA, dL/db, dL/dC, dL/dd equal", tolerance=1e-10)
def _(c):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=4), rng.random(2)
    A, b, C, d = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=(2, 3)), rng.normal(size=2)
    sigma = classic.sigmoid
    # forward: z1 = A x + b, a1 = sigma(z1), z2 = C a1 + d, a2 = sigma(z2) = y_hat
    z1 = A @ x + b
    a1 = sigma(z1)
    z2 = C @ a1 + d
    a2 = sigma(z2)
    delta2 = (a2 - y) * sigma(z2) * (1 - sigma(z2))  # dL/dz2
    delta1 = (C.T @ delta2) * sigma(z1) * (1 - sigma(z1))  # dL/dz1 = C^T delta2 ⊙ sigma'(z1)
    by_hand = [np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2]
    params = [gw.Variable(p, dtype="float64") for p in (A, b, C, d)]
    with gw.GradientTape() as tape:
        a1_ = gw.sigmoid(gw.dot(params[0], x) + params[1])
        a2_ = gw.sigmoid(gw.dot(params[2], a1_) + params[3])
        loss = 0.5 * gw.sum((a2_ - y) ** 2)
    by_tape = [g.numpy() for g in tape.gradient(loss, params)]
    gap = max(float(np.max(np.abs(h - t))) for h, t in zip(by_hand, by_tape))
    return f"max gap {gap:.1e}", gap <= c.tolerance


@claim("backprop-seed003", "003 §4.5-4.8",
       "SigmoidNetwork's per-sample loop and vectorised deltas vs GradientTape (64-30-10)",
       expected_text="tri_W, tri_b equal", tolerance=1e-10)
def _(c):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 64)), np.eye(10)[rng.integers(0, 10, size=20)]
    net = classic.SigmoidNetwork((64, 30, 10), random_state=0)
    loop_W, loop_b, _ = net.gradients_looped(X, Y)
    vec_W, vec_b, _ = net.gradients(X, Y)
    layers = sorted(net.W)
    W = [gw.Variable(net.W[l], dtype="float64") for l in layers]
    b = [gw.Variable(net.b[l], dtype="float64") for l in layers]
    with gw.GradientTape() as tape:
        h = gw.constant(X, "float64")
        for W_l, b_l in zip(W, b):
            h = gw.sigmoid(gw.matmul(h, gw.transpose(W_l)) + b_l)  # rows are samples: h W^T + b
        cost = gw.sum(0.5 * gw.sum((Y - h) ** 2, axis=1))  # summed over samples, as tri_W is
    grads = tape.gradient(cost, W + b)
    tape_W, tape_b = grads[: len(layers)], grads[len(layers):]
    gaps = []
    for i, l in enumerate(layers):
        gaps += [np.abs(loop_W[l] - vec_W[l]).max(), np.abs(loop_b[l] - vec_b[l]).max(),
                 np.abs(vec_W[l] - tape_W[i].numpy()).max(), np.abs(vec_b[l] - tape_b[i].numpy()).max()]
    gap = float(max(gaps))
    return f"max gap {gap:.1e}", gap <= c.tolerance


@claim("scratch-training-step", "000 §2.5.2",
       "update_weights by assign_sub(g * 1e-3) = optimizers.SGD(1e-3).apply_gradients",
       expected_text="the same weights", tolerance=0.0)
def _(c):
    rng = np.random.default_rng(0)
    images, labels = rng.random((128, 784)).astype("float32"), rng.integers(0, 10, size=128)

    def model_weights():
        gw.random.seed(0)  # NaiveDense of seed 000: W uniform in [0, 0.1), b zeros
        return [gw.Variable(gw.random.uniform((784, 512), minval=0, maxval=1e-1)), gw.Variable(gw.zeros((512,))),
                gw.Variable(gw.random.uniform((512, 10), minval=0, maxval=1e-1)), gw.Variable(gw.zeros((10,)))]

    def gradients(weights):
        W1, b1, W2, b2 = weights
        with gw.GradientTape() as tape:
            predictions = gw.softmax(gw.matmul(gw.relu(gw.matmul(images, W1) + b1), W2) + b2)
            loss = gw.reduce_mean(gw.losses.sparse_categorical_crossentropy(labels, predictions))
        return tape.gradient(loss, weights)

    by_hand, by_optimizer = model_weights(), model_weights()
    for g, w in zip(gradients(by_hand), by_hand):
        w.assign_sub(g * 1e-3)
    gw.optimizers.SGD(learning_rate=1e-3).apply_gradients(zip(gradients(by_optimizer), by_optimizer))
    gap = max(float(np.max(np.abs(a.numpy() - b.numpy()))) for a, b in zip(by_hand, by_optimizer))
    return f"max gap {gap:g}", gap <= c.tolerance
