"""The computational graph as DOT text, with the gradients of the backward pass (seed 000
Fig. 2.21-2.25)."""

import numpy as np
import pytest

import gradwise as gw


def chain_rule(persistent=False):
    x, y_true = gw.constant(2.0), gw.constant(4.0)
    w, b = gw.Variable(3.0, name="w"), gw.Variable(1.0, name="b")
    with gw.GradientTape(persistent=persistent) as tape:
        x1 = x * w
        x2 = x1 + b
        loss_val = gw.abs(y_true - x2)
    names = dict(x=x, y_true=y_true, w=w, b=b, x1=x1, x2=x2, loss_val=loss_val)
    return tape, loss_val, names


def test_seed_example_names_its_nodes_and_shows_grad_w_2_grad_b_1():
    tape, loss_val, names = gw.viz.chain_rule_example()
    g = gw.viz.graph_data(tape, names=names)
    assert {n["name"] for n in g.nodes.values() if n["kind"] == "tensor"} >= set(names)
    assert g.grad("w") == 2.0 and g.grad("b") == 1.0
    assert g.grad("x2") == 1.0 and g.grad("loss_val") == 1.0  # grad(loss_val, x2) = 1
    assert g.grad("x") is None and g.grad("y_true") is None  # constants get no gradient
    assert [g.node(k)["value"] for k in ("x1", "x2", "loss_val")] == [6.0, 7.0, 3.0]
    dot = gw.viz.graph(tape, names=names)
    assert dot.startswith("digraph gradwise {") and dot.rstrip().endswith("}")
    assert 'label="w\\nvalue 3\\ngrad 2"' in dot and 'label="b\\nvalue 1\\ngrad 1"' in dot
    for op in ("Multiply", "Add", "Subtract", "Abs"):
        assert f'label="{op}"' in dot


def test_local_derivatives_multiply_along_the_path_fig_2_25():
    tape, loss_val, names = gw.viz.chain_rule_example()
    g = gw.viz.graph_data(loss_val, names=names)
    ids = {n["name"]: k for k, n in g.nodes.items() if n["name"]}
    consumer = {src: dst for src, dst, _ in g.edges if g.nodes[dst]["kind"] == "op"}
    output = {src: dst for src, dst, _ in g.edges if g.nodes[src]["kind"] == "op"}
    local = {src: float(label.split()[1]) for src, dst, label in g.edges if label}
    product, node = 1.0, ids["w"]
    while node != ids["loss_val"]:  # w -> Multiply -> x1 -> Add -> x2 -> Subtract -> . -> Abs -> loss_val
        product *= local[node]
        node = output[consumer[node]]
    assert product == 2.0 == g.grad("w")


def test_drawing_before_gradient_leaves_the_tape_usable():
    tape, loss_val, names = chain_rule()
    g = gw.viz.graph_data(loss_val, names=names)
    assert g.grad("w") == 2.0
    grad_w, grad_b = tape.gradient(loss_val, [names["w"], names["b"]])  # non-persistent: still fine
    assert (float(grad_w), float(grad_b)) == (2.0, 1.0)


def test_a_freed_graph_or_an_unused_tape_is_explained():
    tape, loss_val, names = chain_rule()
    with pytest.raises(gw.errors.GradientError, match="draw it|target"):
        gw.viz.graph(tape)  # gradient() not called yet: the tape has no target
    assert "grad 2" in gw.viz.graph(tape, target=loss_val, names=names)
    tape.gradient(loss_val, [names["w"]])
    with pytest.raises(gw.errors.GradientError, match="persistent=True"):
        gw.viz.graph(loss_val)
    with pytest.raises(TypeError, match="Tensor"):
        gw.viz.graph(3.0)


def test_tensors_show_shapes_and_variable_names():
    W = gw.Variable(np.ones((3, 2), "float32"), name="kernel")
    b = gw.Variable(np.zeros(2, "float32"), name="bias")
    x = gw.constant(np.ones((4, 3), "float32"))
    y = gw.relu(gw.matmul(x, W) + b)
    g = gw.viz.graph_data(y.sum())
    kernel = g.node("kernel")
    assert kernel["shape"] == (3, 2) and kernel["value"] is None
    np.testing.assert_allclose(kernel["grad"], np.full((3, 2), 4.0))  # d sum(relu(xW + b)) / dW
    assert "shape (3, 2) float32" in kernel["label"] and "grad norm" in kernel["label"]
    assert [n["label"] for n in g.nodes.values() if n["kind"] == "op"] == ["MatMul", "Add", "Relu", "Sum"]
    assert "->" in g.to_dot() and g.grad("bias").tolist() == [4.0, 4.0]


def test_backward_graph_from_locals():
    x = gw.Variable(2.0, name="x")
    y = x * x + x  # the same x reaches the sum along two paths: 2x + 1 = 5
    names = locals()
    g = gw.viz.graph_data(y, names=names)
    assert g.grad("x") == 5.0 and g.node("y")["value"] == 6.0


def test_dot_text_round_trips_through_the_reader():
    tape, loss_val, names = gw.viz.chain_rule_example()
    g = gw.viz.graph_data(tape, names=names)
    back = gw.viz.parse_dot(g.to_dot())
    assert list(back.nodes) == list(g.nodes)
    assert back.edges == g.edges
    assert [n["label"] for n in back.nodes.values()] == [n["label"] for n in g.nodes.values()]
    assert [n["kind"] for n in back.nodes.values()] == [n["kind"] for n in g.nodes.values()]
