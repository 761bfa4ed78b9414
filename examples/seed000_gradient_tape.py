"""Seed 000 §2.4: the GradientTape examples and the chain-rule example, with gradwise.

Run: python examples/seed000_gradient_tape.py
"""

import gradwise as gw

# y = 2x + 3 at x = 0: dy/dx = 2
x = gw.Variable(0.0)
with gw.GradientTape() as tape:
    y = 2 * x + 3
print("grad of y = 2x + 3 wrt x:", float(tape.gradient(y, x)))

# the same on a (2, 2) variable: a (2, 2) gradient of 2s
x = gw.Variable(gw.random.uniform((2, 2)))
with gw.GradientTape() as tape:
    y = 2 * x + 3
print("grad for a (2, 2) variable:\n", tape.gradient(y, x).numpy())

# a list of variables: y = x W + b
W = gw.Variable(gw.random.uniform((2, 2)))
b = gw.Variable(gw.zeros((2,)))
x = gw.random.uniform((2, 2))
with gw.GradientTape() as tape:
    y = gw.matmul(x, W) + b
grad_W, grad_b = tape.gradient(y, [W, b])
print("grad W shape:", grad_W.shape, " grad b:", grad_b.numpy())

# the chain-rule example (Fig. 2.21-2.25): x=2, w=3, b=1, y_true=4
x, y_true = gw.constant(2.0), gw.constant(4.0)
w, b = gw.Variable(3.0), gw.Variable(1.0)
with gw.GradientTape() as tape:
    x1 = x * w            # 6
    x2 = x1 + b           # 7
    loss_val = gw.abs(y_true - x2)   # 3
grad_w, grad_b = tape.gradient(loss_val, [w, b])
print(f"x1 = {float(x1):g}, x2 = {float(x2):g}, loss = {float(loss_val):g}")
print(f"grad(loss, w) = {float(grad_w):g}   (seed: 2)")
print(f"grad(loss, b) = {float(grad_b):g}   (seed: 1)")
