"""The computational graph behind a tensor or a tape, as Graphviz DOT text (seed 000 Fig. 2.21–2.25).

    x, y_true = gw.constant(2.0), gw.constant(4.0)
    w, b = gw.Variable(3.0, name="w"), gw.Variable(1.0, name="b")
    with gw.GradientTape(persistent=True) as tape:
        x1 = x * w
        x2 = x1 + b
        loss_val = gw.abs(y_true - x2)
    print(gw.viz.graph(loss_val, names=locals()))    # DOT text; gw.viz.render_graph draws it

What it shows, read from the recorded graph (every Tensor keeps the Function node that made
it, and the node keeps its input Tensors):

- a box per tensor: its name (from `names`, else a Variable's own name), its value when it
  is a single number (else shape and dtype), and `grad`: d target / d tensor, computed by
  the same backward walk as `tape.gradient` (the backward pass of Fig. 2.24), for every
  tensor a gradient reaches (trainable Variables, watched tensors, intermediate results);
- an ellipse per op (Multiply, Add, MatMul, ...) with arrows from its inputs and to its
  output;
- on an arrow into an op whose tensors are single numbers, the local derivative
  d output / d input (the edge labels of Fig. 2.24); multiplying them along a path gives the
  gradient (Fig. 2.25: grad(loss_val, w) = 1 * 1 * 2 = 2).

The graph must still be recorded: draw it before a non-persistent tape's gradient() call
frees it, or use GradientTape(persistent=True) (`backward()` keeps it by default).
"""

import math

import numpy as np

from ..errors import GradientError


class ComputationGraph:
    """Nodes and edges of a recorded graph; `to_dot()` gives Graphviz text.

    nodes: {id: {"id", "kind" ("tensor" or "op"), "label", "name", "op", "shape", "dtype",
            "value" (float for one-number tensors, else None), "grad" (array or None)}}
            in topological order (an op right before its output, after its inputs);
    edges: [(source id, target id, label or "")].
    """

    def __init__(self, nodes, edges, title=None):
        self.nodes, self.edges, self.title = nodes, edges, title

    def node(self, name):
        """The tensor node called `name` (KeyError listing the names if there is none)."""
        for n in self.nodes.values():
            if n["kind"] == "tensor" and n["name"] == name:
                return n
        names = [n["name"] for n in self.nodes.values() if n["kind"] == "tensor" and n["name"]]
        raise KeyError(f"No tensor named {name!r} in the graph; named tensors: {names}.")

    def grad(self, name):
        """d target / d (the tensor called `name`) as a float or an array (None if none)."""
        g = self.node(name)["grad"]
        return None if g is None else (float(g) if g.size == 1 else g)

    def to_dot(self):
        lines = ["digraph gradwise {", "  rankdir=TB;",
                 '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];']
        if self.title:
            lines.append(f'  label="{_escape(self.title)}"; labelloc=t;')
        for n in self.nodes.values():
            if n["kind"] == "op":
                style = 'shape=ellipse, style=filled, fillcolor="#e8eefc"'
            else:
                style = 'shape=box, style="rounded,filled", fillcolor="#fff8dc"' if n["grad"] is not None \
                    else 'shape=box, style="rounded"'
            lines.append(f'  "{n["id"]}" [{style}, label="{_escape(n["label"])}"];')
        for src, dst, label in self.edges:
            extra = f' [label="{_escape(label)}", fontcolor="#1f4fbf"]' if label else ""
            lines.append(f'  "{src}" -> "{dst}"{extra};')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __str__(self):
        return self.to_dot()

    def __repr__(self):
        n_ops = sum(n["kind"] == "op" for n in self.nodes.values())
        return f"<ComputationGraph: {len(self.nodes) - n_ops} tensors, {n_ops} ops>"


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _fmt(v):
    return f"{float(v):.4g}"


def _array_text(a):
    a = np.asarray(a)
    if a.size == 1:
        return _fmt(a.reshape(()))
    if a.size <= 4:
        return "[" + ", ".join(_fmt(v) for v in a.ravel()) + "]"
    return f"norm {_fmt(np.linalg.norm(a.astype(np.float64)))}"


def _targets_of(obj, target):
    """(list of target tensors, lo, hi, where) for a tensor, a list of them, or a tape."""
    from ..autodiff import GradientTape, Tensor

    if isinstance(obj, GradientTape):
        if obj._lo is None:
            raise GradientError("graph(tape): this tape never recorded; use it as `with gw.GradientTape() as tape:`.")
        hi = obj._hi if obj._hi is not None else math.inf
        targets = target if target is not None else getattr(obj, "_last_targets", None)
        if targets is None:
            raise GradientError(
                "graph(tape): the tape does not know its target until tape.gradient(target, ...) "
                "is called; pass it: gw.viz.graph(tape, target=loss), or gw.viz.graph(loss)."
            )
        targets = list(targets) if isinstance(targets, (list, tuple)) else [targets]
        return [t for t in targets if isinstance(t, Tensor)], obj._lo, hi
    targets = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    bad = [type(t).__name__ for t in targets if not isinstance(t, Tensor)]
    if bad or not targets:
        raise TypeError(f"graph() takes a gradwise Tensor (or a list of them) or a GradientTape; "
                        f"received {bad or obj!r}.")
    return targets, 0, math.inf


def _recorded(t, lo, hi):
    node = t._node
    return node is not None and lo <= node.seq < hi


def _topological(targets, lo, hi):
    """Tensors behind `targets` in post-order (inputs first), iteratively (deep graphs are fine)."""
    order, done, stack = [], set(), [(t, False) for t in reversed(targets)]
    while stack:
        t, expanded = stack.pop()
        if id(t) in done:
            continue
        if expanded or not _recorded(t, lo, hi):
            done.add(id(t))
            order.append(t)
            continue
        node = t._node
        if node.inputs is None:
            raise GradientError(
                f"The graph behind this tensor was freed (op {node.name}): a non-persistent "
                "GradientTape frees it in gradient(). Draw it before tape.gradient(), or record "
                "with gw.GradientTape(persistent=True)."
            )
        stack.append((t, True))
        for inp in reversed(node.inputs):
            if id(inp) not in done:
                stack.append((inp, False))
    return order


def _gradients(targets, tensors, lo, hi):
    """{id(tensor): d sum(targets) / d tensor} for the tensors a gradient reaches."""
    from ..autodiff import no_grad
    from ..autodiff.engine import _walk  # the backward walk of tape.gradient, without freeing

    seeds = [(t, np.ones_like(t.data)) for t in targets if t.data.dtype.kind == "f" and t.requires_grad]
    if not seeds:
        return {}
    want = {t._node: t for t in tensors if _recorded(t, lo, hi)}
    with no_grad():
        found = _walk(seeds, lo, hi, free=False, want=want)
    return {key: np.asarray(g) for key, (_, g) in found.items()}


def _local_derivatives(node, out):
    """d out / d input for an op whose inputs and output are single numbers, else None."""
    if out.data.size != 1 or any(t.data.size != 1 for t in node.inputs) or not any(node.needs_input_grad):
        return None
    try:  # backward may be called again: persistent tapes do it too
        grads = node.backward(np.ones_like(out.data))
    except Exception:  # an op whose backward needs more than a unit seed: leave the edge bare
        return None
    return [None if g is None or not need else float(np.sum(g)) for g, need in zip(grads, node.needs_input_grad)]


def _names_by_id(names):
    from ..autodiff import Tensor

    out = {}
    for key, value in (names or {}).items():
        if isinstance(value, Tensor) and not str(key).startswith("_"):
            out.setdefault(id(value), str(key))
    return out


def graph_data(obj, names=None, target=None, gradients=True, title=None):
    """The recorded graph behind `obj` as a ComputationGraph (nodes, edges, gradients).

    Args:
        obj: the target tensor (e.g. the loss), a list of them, or a GradientTape (its graph
            ends at the target of its last gradient() call; only ops it recorded are
            expanded).
        names: {name: tensor} for the labels, e.g. `names=locals()` or
            `dict(x=x, w=w, loss=loss)`; Variables are otherwise labelled by their own name.
        target: with a tape, the target to draw (when gradient() was not called yet).
        gradients: label each tensor with d target / d tensor (a non-scalar target means
            its sum, as in tape.gradient) and the scalar edges with local derivatives.
        title: a caption for the picture.
    """
    from ..autodiff import Variable

    targets, lo, hi = _targets_of(obj, target)
    tensors = _topological(targets, lo, hi)
    grads = _gradients(targets, tensors, lo, hi) if gradients else {}
    by_id = _names_by_id(names)
    nodes, edges, tensor_ids = {}, [], {}
    for i, t in enumerate(tensors):
        tensor_ids[id(t)] = f"t{i}"
    n_op = 0
    for t in tensors:
        tid = tensor_ids[id(t)]
        if _recorded(t, lo, hi):
            node = t._node
            oid = f"op{n_op}"
            n_op += 1
            nodes[oid] = {"id": oid, "kind": "op", "label": node.name, "name": None, "op": node.name,
                          "shape": None, "dtype": None, "value": None, "grad": None}
            local = _local_derivatives(node, t) if gradients else None
            for j, inp in enumerate(node.inputs):
                label = "" if local is None or local[j] is None else f"local {_fmt(local[j])}"
                edges.append((tensor_ids[id(inp)], oid, label))
            edges.append((oid, tid, ""))
        name = by_id.get(id(t)) or (t.name if isinstance(t, Variable) else None)
        value = float(t.data.reshape(())) if t.data.size == 1 else None
        grad = grads.get(id(t))
        lines = [name] if name else []
        lines.append(f"value {_fmt(value)}" if value is not None else f"shape {tuple(t.shape)} {t.dtype}")
        if grad is not None:
            lines.append(f"grad {_array_text(grad)}")
        nodes[tid] = {"id": tid, "kind": "tensor", "label": "\n".join(lines), "name": name, "op": t.op,
                      "shape": tuple(t.shape), "dtype": str(t.dtype), "value": value, "grad": grad}
    return ComputationGraph(nodes, edges, title)


def graph(obj, names=None, target=None, gradients=True, title=None):
    """Graphviz DOT text of the graph behind a tensor or a tape (see graph_data for the args).

    Render it with `gw.viz.render_graph(dot, "graph.svg")`, the `dot` program
    (`dot -Tpng graph.dot -o graph.png`) or any Graphviz viewer.
    """
    return graph_data(obj, names=names, target=target, gradients=gradients, title=title).to_dot()


def chain_rule_example():
    """Seed 000 Fig. 2.22–2.25: x=2, w=3, b=1, y_true=4, loss_val = abs(y_true - (x*w + b)).

    Returns (tape, loss_val, names): a persistent tape on which gradient(loss_val, [w, b])
    was called (it gives 2 and 1), so `gw.viz.graph(tape, names=names)` draws the graph
    with the gradients of the backward pass.
    """
    import gradwise as gw

    x, y_true = gw.constant(2.0), gw.constant(4.0)
    w, b = gw.Variable(3.0, name="w"), gw.Variable(1.0, name="b")
    with gw.GradientTape(persistent=True) as tape:
        x1 = x * w  # 6
        x2 = x1 + b  # 7
        loss_val = gw.abs(y_true - x2)  # 3
    tape.gradient(loss_val, [w, b])  # 2 and 1
    names = {"x": x, "y_true": y_true, "w": w, "b": b, "x1": x1, "x2": x2, "loss_val": loss_val}
    return tape, loss_val, names
