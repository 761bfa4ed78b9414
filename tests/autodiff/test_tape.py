"""GradientTape (TensorFlow's door) and backward() (PyTorch's door) semantics."""

import gc
import weakref

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import DTypeError, GradientError, TapeError


def test_seed000_chain_rule_example():
    """x=2, w=3, b=1, y_true=4: loss = |y_true - (x*w + b)| -> grad w = 2, grad b = 1."""
    x = gw.constant(2.0)
    w, b = gw.Variable(3.0), gw.Variable(1.0)
    with gw.GradientTape() as tape:
        loss = gw.abs(4.0 - (x * w + b))
    grad_w, grad_b = tape.gradient(loss, [w, b])
    assert float(loss) == 3.0 and float(grad_w) == 2.0 and float(grad_b) == 1.0


def test_seed000_tape_examples():
    x = gw.Variable(0.0)
    with gw.GradientTape() as tape:
        y = 2 * x + 3
    assert float(tape.gradient(y, x)) == 2.0

    x = gw.Variable(gw.random.uniform((2, 2)))
    with gw.GradientTape() as tape:
        y = 2 * x + 3
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.full((2, 2), 2.0))

    W = gw.Variable(gw.random.uniform((2, 2)))
    b = gw.Variable(gw.zeros((2,)))
    xin = gw.random.uniform((2, 2))
    with gw.GradientTape() as tape:
        y = gw.matmul(xin, W) + b
    gW, gb = tape.gradient(y, [W, b])
    np.testing.assert_allclose(gW.numpy(), xin.numpy().T @ np.ones((2, 2)), rtol=1e-6)
    np.testing.assert_array_equal(gb.numpy(), [2.0, 2.0])


def test_gradient_keeps_the_structure_of_sources():
    a, b = gw.Variable(1.0), gw.Variable(2.0)
    with gw.GradientTape(persistent=True) as tape:
        y = a * b
    assert isinstance(tape.gradient(y, (a, b)), tuple)
    d = tape.gradient(y, {"a": a, "b": b})
    assert set(d) == {"a", "b"} and float(d["a"]) == 2.0 and float(d["b"]) == 1.0
    assert isinstance(tape.gradient(y, a), gw.Tensor)


def test_non_scalar_target_means_gradient_of_its_sum():
    x = gw.Variable([1.0, 2.0, 3.0])
    with gw.GradientTape() as tape:
        y = x * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0, 6.0])


def test_second_call_on_non_persistent_tape_raises():
    x = gw.Variable(1.0)
    with gw.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(TapeError, match="persistent=True"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_calls():
    x = gw.Variable(3.0)
    with gw.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * y
    assert float(tape.gradient(y, x)) == 6.0
    assert float(tape.gradient(z, x)) == 108.0  # 4 x^3


def test_watch_constant_and_unwatched_constant():
    c = gw.constant(3.0)
    d = gw.constant(4.0)
    with gw.GradientTape() as tape:
        tape.watch(c)
        y = c * c * d
    gc_, gd = tape.gradient(y, [c, d])
    assert float(gc_) == 24.0 and gd is None
    assert not c.requires_grad  # watching is scoped to the tape


def test_watch_accessed_variables_false():
    a, b = gw.Variable(2.0), gw.Variable(5.0)
    with gw.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert float(ga) == 5.0 and gb is None


def test_unconnected_source_none_or_zero():
    a, b = gw.Variable([1.0, 2.0]), gw.Variable([3.0, 4.0])
    with gw.GradientTape(persistent=True) as tape:
        y = gw.reduce_sum(a * 2)
    assert tape.gradient(y, b) is None
    np.testing.assert_array_equal(tape.gradient(y, b, unconnected_gradients="zero").numpy(), [0.0, 0.0])


def test_ops_before_the_tape_are_not_on_it():
    x = gw.Variable(2.0)
    y = x * 3  # outside: TensorFlow would not record it
    with gw.GradientTape() as tape:
        z = y * y
    assert tape.gradient(z, x) is None


def test_gradient_with_respect_to_an_intermediate_tensor():
    x = gw.Variable(2.0)
    with gw.GradientTape() as tape:
        h = x * 3
        y = h * h
    gh, gx = tape.gradient(y, [h, x])
    assert float(gh) == 12.0 and float(gx) == 36.0


def test_stop_recording():
    x = gw.Variable(2.0)
    with gw.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            z = x * 10
        total = y + z
    assert float(tape.gradient(total, x)) == 4.0  # z contributed nothing


def test_several_paths_add_up():
    """Seed 000: when several paths connect two nodes, their contributions are summed."""
    x = gw.Variable(3.0)
    with gw.GradientTape() as tape:
        a = x * 2
        b = x * x
        y = a * b + x  # 2x^3 + x -> 6x^2 + 1
    assert float(tape.gradient(y, x)) == 55.0


def test_integer_source_or_watch_raises():
    i = gw.constant([1, 2])
    with gw.GradientTape() as tape:
        with pytest.raises(DTypeError, match="floating"):
            tape.watch(i)
        y = gw.cast(i, "float32") * 2
    with pytest.raises(DTypeError, match="int32"):
        tape.gradient(y, i)


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(DTypeError, match="Cast it first"):
        gw.Tensor([1, 2], requires_grad=True)
    v = gw.Variable([1, 2])
    assert not v.requires_grad


def test_backward_fills_grad_and_accumulates():
    w = gw.Variable([1.0, 2.0])
    loss = gw.reduce_sum(w * w)
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])
    loss.backward()  # accumulates, as PyTorch documents
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 8.0])
    w.zero_grad()
    gw.reduce_sum(3 * w).backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])


def test_backward_on_two_losses_sharing_a_graph_accumulates_both():
    w = gw.Variable(2.0)
    h = w * w
    (h * 3).backward()
    (h + 1).backward()
    assert float(w.grad) == 12.0 + 4.0


def test_backward_non_scalar_needs_gradient():
    w = gw.Variable([1.0, 2.0])
    y = w * 3
    with pytest.raises(GradientError, match="scalar"):
        y.backward()
    y.backward(gradient=np.array([1.0, 10.0], dtype=np.float32))
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 30.0])


def test_backward_retain_graph_false_frees_graph():
    w = gw.Variable(2.0)
    loss = w * w * w
    loss.backward(retain_graph=False)
    assert float(w.grad) == 12.0
    with pytest.raises(GradientError, match="freed"):
        loss.backward()


def test_requires_grad_leaf_tensor_pytorch_style():
    x = gw.Tensor([1.0, -2.0], requires_grad=True)
    gw.reduce_sum(gw.relu(x) * 5).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 0.0])


def test_no_grad_records_nothing_and_works_as_decorator():
    w = gw.Variable(2.0)
    with gw.no_grad():
        y = w * w
    assert y.is_leaf and not y.requires_grad

    @gw.no_grad()
    def f(v):
        return v * 3

    assert f(w).is_leaf
    assert gw.is_grad_enabled()


def test_inference_on_constants_records_nothing():
    y = gw.constant([1.0, 2.0]) * 3 + 1
    assert y.is_leaf and y._node is None


def test_chain_of_10000_ops_differentiates_without_recursion():
    x = gw.Variable(1.0, dtype="float64")
    with gw.GradientTape() as tape:
        y = x
        for _ in range(10_000):
            y = y * 1.0001
    assert float(tape.gradient(y, x)) == pytest.approx(1.0001**10_000, rel=1e-9)


def test_non_persistent_tape_frees_the_graph():
    x = gw.Variable(np.ones((100, 100)))
    with gw.GradientTape() as tape:
        h = gw.exp(x)  # Exp keeps its output array for backward
        y = gw.reduce_sum(h * 2)
    saved = weakref.ref(h._node.out)
    del h
    tape.gradient(y, x)
    gc.collect()
    assert saved() is None


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = gw.Variable(np.ones((50, 50)))
        loss = gw.reduce_sum(gw.tanh(x @ x) * 3)
        loss.backward()
        probe = weakref.ref(loss._node)
        del loss
        assert probe() is None  # freed by reference counting alone, no gc needed
    finally:
        gc.enable()


def test_tape_used_twice_as_context_raises():
    tape = gw.GradientTape()
    with tape:
        pass
    with pytest.raises(TapeError):
        with tape:
            pass


def test_target_list_is_summed_and_output_gradients():
    x = gw.Variable(2.0)
    with gw.GradientTape(persistent=True) as tape:
        a, b = x * x, x * 3
    assert float(tape.gradient([a, b], x)) == 7.0
    assert float(tape.gradient(a, x, output_gradients=gw.constant(10.0))) == 40.0


def test_jacobian():
    x = gw.Variable([1.0, 2.0])
    with gw.GradientTape(persistent=True) as tape:
        y = x * x
    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(), [[2.0, 0.0], [0.0, 4.0]])


# --- relu may write its gradient into the upstream array, but only when nothing else holds it ---
def _spy_relu_scratch(monkeypatch):
    """Record grad_is_scratch at every Relu.backward call."""
    from gradwise.autodiff.ops.activation import Relu

    seen, original = [], Relu.backward

    def spy(self, g):
        seen.append(self.grad_is_scratch)
        return original(self, g)

    monkeypatch.setattr(Relu, "backward", spy)
    return seen


def test_relu_reuses_a_fresh_upstream_gradient(monkeypatch):
    seen = _spy_relu_scratch(monkeypatch)
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    w1 = gw.Variable(np.array([[1.0, -1.0], [0.5, 2.0]]), dtype="float64")
    w2 = gw.Variable(np.array([[2.0], [-3.0]]), dtype="float64")
    with gw.GradientTape() as tape:
        h = gw.relu(gw.matmul(x, w1))
        loss = gw.sum(gw.matmul(h, w2))
    g1, g2 = tape.gradient(loss, [w1, w2])
    assert seen == [True]  # matmul's backward made a new array only relu received
    z = x @ w1.numpy()
    np.testing.assert_allclose(g1.numpy(), x.T @ (np.ones((2, 1)) @ w2.numpy().T * (z > 0)))
    np.testing.assert_allclose(g2.numpy(), np.maximum(z, 0).T @ np.ones((2, 1)))


def test_relu_leaves_a_shared_upstream_gradient_alone(monkeypatch):
    # add's backward hands the same array to both relus: the first must not overwrite it
    # (the second may: by then it holds the only reference)
    seen = _spy_relu_scratch(monkeypatch)
    a = gw.Variable(np.array([1.0, -1.0, 2.0]), dtype="float64")
    b = gw.Variable(np.array([-1.0, 3.0, 2.0]), dtype="float64")
    with gw.GradientTape() as tape:
        loss = gw.sum((gw.relu(a * 1.0) + gw.relu(b * 1.0)) * np.array([1.0, 2.0, 3.0]))
    ga, gb = tape.gradient(loss, [a, b])
    assert seen == [False, True]
    np.testing.assert_array_equal(ga.numpy(), [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(gb.numpy(), [0.0, 2.0, 3.0])


def test_relu_leaves_an_upstream_gradient_the_caller_asked_for_alone(monkeypatch):
    # the gradient with respect to relu's output goes back to the caller as it is
    seen = _spy_relu_scratch(monkeypatch)
    x = gw.Variable(np.array([[-1.0, 2.0]]), dtype="float64")
    w = gw.Variable(np.array([[3.0, 1.0], [1.0, 1.0]]), dtype="float64")
    with gw.GradientTape() as tape:
        y = gw.relu(gw.matmul(x, w))  # relu of [-1, 1]
        z = gw.matmul(y, np.array([[5.0], [7.0]]))
    gy, gx = tape.gradient(z, [y, x])
    assert seen == [False]
    np.testing.assert_array_equal(gy.numpy(), [[5.0, 7.0]])
    np.testing.assert_array_equal(gx.numpy(), [[7.0, 7.0]])
