"""A picture of the graph: Graphviz's dot when present, else a layered matplotlib drawing."""

import shutil

import pytest

import gradwise as gw

pytest.importorskip("matplotlib")


@pytest.fixture
def example():
    tape, loss_val, names = gw.viz.chain_rule_example()
    return tape, names


def test_matplotlib_drawing_needs_no_graphviz(example, tmp_path, monkeypatch):
    tape, names = example
    monkeypatch.setattr(shutil, "which", lambda name: None)  # as if Graphviz were not installed
    path, method = gw.viz.render_graph(tape, tmp_path / "g.png", names=names)
    assert method == "matplotlib"
    data = (tmp_path / "g.png").read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 5000
    path, method = gw.viz.render_graph(gw.viz.graph(tape, names=names), tmp_path / "g.svg")
    assert method == "matplotlib" and "<svg" in (tmp_path / "g.svg").read_text()
    with pytest.raises(RuntimeError, match="not installed"):
        gw.viz.render_graph(tape, tmp_path / "x.png", method="dot")


def test_layout_puts_inputs_on_top_and_the_loss_at_the_bottom(example):
    tape, names = example
    fig = gw.viz.draw_graph(tape, names=names)
    g = fig.gradwise_data
    row = {n["name"]: g.layout[k][1] for k, n in g.nodes.items() if n["name"]}
    assert row["x"] == row["w"] == 0
    assert row["x1"] < row["x2"] < row["loss_val"] == max(r for _, r in g.layout.values())
    assert row["b"] == row["x1"]  # a leaf sits just above the op that uses it
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "w\nvalue 3\ngrad 2" in texts and "local 2" in texts


def test_draws_hand_written_dot():
    fig = gw.viz.draw_graph('digraph { a [shape=box, label="input"]; a -> f [label="1"]; f -> out; }')
    g = fig.gradwise_data
    assert g.nodes["a"]["label"] == "input" and g.nodes["a"]["kind"] == "tensor"
    assert g.nodes["f"]["kind"] == "op" and g.layout["out"][1] == 2
    with pytest.raises(ValueError, match="not a DOT"):
        gw.viz.draw_graph("hello")


def test_unknown_method(example, tmp_path):
    with pytest.raises(ValueError, match="method"):
        gw.viz.render_graph(example[0], tmp_path / "g.png", method="tikz")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_dot_when_installed(example, tmp_path):
    tape, names = example
    path, method = gw.viz.render_graph(tape, tmp_path / "g.svg", names=names)
    assert method == "dot"
    svg = (tmp_path / "g.svg").read_text()
    assert "<svg" in svg and "grad 2" in svg and "loss_val" in svg
    gw.viz.render_graph(tape, tmp_path / "g.png", names=names, method="dot")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
