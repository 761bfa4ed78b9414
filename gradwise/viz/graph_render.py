"""Pictures of a computational graph: Graphviz's `dot` when installed, else matplotlib.

    gw.viz.render_graph(loss, "graph.svg", names=locals())   # a tensor, a tape, DOT text, ...
    fig = gw.viz.draw_graph(loss, names=locals())             # a matplotlib Figure

The matplotlib drawing needs no Graphviz: a layered layout of its own (each node one row
below the lowest of its inputs, rows ordered by the mean position of their inputs, as in
the Sugiyama method), boxes for tensors, ellipses for ops, inputs at the top.
"""

import os
import re
import shutil
import subprocess

import numpy as np

from . import _mpl
from .graph_export import ComputationGraph, graph_data


def _as_graph(source, names=None):
    """A ComputationGraph from one, from DOT text, or from a tensor / tape (via graph_data)."""
    if isinstance(source, ComputationGraph):
        return source
    if isinstance(source, str):
        return parse_dot(source)
    return graph_data(source, names=names)


# --- reading DOT -----------------------------------------------------------------------------
_ID = r'"((?:[^"\\]|\\.)*)"|([\w.]+)'
_ATTR = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\]\s;]+))')
_EDGE = re.compile(rf"^\s*(?:{_ID})\s*->\s*(?:{_ID})\s*(?:\[(.*)\])?\s*;?\s*$")
_NODE = re.compile(rf"^\s*(?:{_ID})\s*(?:\[(.*)\])?\s*;?\s*$")
_KEYWORDS = {"graph", "node", "edge", "digraph", "subgraph", "rankdir", "label", "labelloc", "}", "{"}


def _unescape(text):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _attrs(text):
    return {m.group(1): _unescape(m.group(2)) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(text or "")}


def _statements(text):
    """Split DOT text at ; { } and newlines that are not inside a quoted string."""
    out, buf, quoted, escaped = [], [], False, False
    for ch in text:
        if quoted:
            buf.append(ch)
            quoted = escaped or ch != '"'
            escaped = not escaped and ch == "\\"
        elif ch == '"':
            quoted = True
            buf.append(ch)
        elif ch in ";{}\n":
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf).strip())
    return [line for line in out if line]


def parse_dot(text):
    """A ComputationGraph from simple DOT text: one node or edge statement per line.

    Enough for what `graph()` writes and for hand-written digraphs (`a -> b;`,
    `a [label="...", shape=box];`); subgraphs, comments and edge chains (a -> b -> c) are
    not read.
    """
    if "->" not in text and "digraph" not in text:
        raise ValueError("render_graph: this text is not a DOT digraph (expected 'digraph { a -> b; }').")
    nodes, edges = {}, []

    def add(key, attrs=None):
        attrs = attrs or {}
        node = nodes.setdefault(key, {"id": key, "kind": "op", "label": key, "name": None, "op": None,
                                      "shape": None, "dtype": None, "value": None, "grad": None, "fill": None})
        if "label" in attrs:
            node["label"] = attrs["label"]
        if "shape" in attrs:  # DOT's default shape is an ellipse: the op style here
            node["kind"] = "op" if attrs["shape"] in ("ellipse", "oval", "circle") else "tensor"
        if "fillcolor" in attrs:
            node["fill"] = attrs["fillcolor"]

    for line in _statements(text):
        m = _EDGE.match(line)
        if m:
            src, dst = m.group(1) or m.group(2), m.group(3) or m.group(4)
            add(src)
            add(dst)
            edges.append((src, dst, _attrs(m.group(5)).get("label", "")))
            continue
        m = _NODE.match(line)
        if m:
            key = m.group(1) or m.group(2)
            if key in _KEYWORDS or "=" in line.split("[")[0]:
                continue
            add(key, _attrs(m.group(3)))
    if not nodes:
        raise ValueError("render_graph: no nodes found in the DOT text.")
    return ComputationGraph(nodes, edges)


# --- layout --------------------------------------------------------------------------------------
def layered_layout(graph, sweeps=4):
    """{node id: (column, row)}: row = longest path from a source, columns by barycentres."""
    keys = list(graph.nodes)
    preds = {k: [] for k in keys}
    succs = {k: [] for k in keys}
    for src, dst, _ in graph.edges:
        preds[dst].append(src)
        succs[src].append(dst)
    # Kahn's algorithm gives a topological order; a cycle (not from gradwise) ends it early
    indeg = {k: len(preds[k]) for k in keys}
    queue = [k for k in keys if indeg[k] == 0]
    order = []
    while queue:
        k = queue.pop(0)
        order.append(k)
        for s in succs[k]:
            indeg[s] -= 1
            if indeg[s] == 0:
                queue.append(s)
    order += [k for k in keys if k not in order]
    row = {}
    for k in order:
        row[k] = max((row[p] + 1 for p in preds[k] if p in row), default=0)
    for k in order:  # a leaf sits just above its first user, as x, w and b in seed 000's figures
        if not preds[k] and succs[k]:
            row[k] = min(row[s] for s in succs[k]) - 1
    n_rows = max(row.values()) + 1
    rows = [[k for k in order if row[k] == r] for r in range(n_rows)]
    pos = {k: i - (len(r) - 1) / 2 for r in rows for i, k in enumerate(r)}  # centred rows
    for sweep in range(sweeps):  # down with predecessors, up with successors
        down = sweep % 2 == 0
        for r in (rows[1:] if down else rows[-2::-1]):
            def centre(k):
                near = preds[k] if down else succs[k]
                return np.mean([pos[n] for n in near]) if near else pos[k]

            r.sort(key=centre)
            for i, k in enumerate(r):
                pos[k] = i - (len(r) - 1) / 2
    shift = (max(len(r) for r in rows) - 1) / 2
    return {k: (pos[k] + shift, row[k]) for k in keys}


def draw_graph(source, names=None, path=None, title=None):
    """Draw a graph with matplotlib alone (no Graphviz needed).

    Args:
        source: a tensor, list of tensors or GradientTape (drawn via graph_data), a
            ComputationGraph, or DOT text.
        names: {name: tensor} labels when `source` is a tensor or tape.
        path: save the figure there as well.
        title: a caption over the drawing.

    Returns:
        the Figure; `fig.gradwise_data` is the ComputationGraph, and
        `fig.gradwise_data.layout` the {node id: (column, row)} positions used.
    """
    _mpl.require()
    g = _as_graph(source, names)
    layout = layered_layout(g)
    g.layout = layout
    n_cols = max(c for c, _ in layout.values()) + 1
    n_rows = max(r for _, r in layout.values()) + 1
    fig = _mpl.figure(figsize=(max(4.0, 2.3 * n_cols), max(2.5, 1.25 * n_rows)))
    ax = fig.add_axes((0, 0, 1, 0.94 if (title or g.title) else 1))
    ax.set_xlim(-0.7, n_cols - 0.3)
    ax.set_ylim(n_rows - 0.4, -0.6)  # row 0 (the inputs) at the top, as dot draws it
    ax.axis("off")
    from matplotlib.patches import BoxStyle

    ellipse = "ellipse" if "ellipse" in BoxStyle.get_styles() else "round"
    artists = {}
    for key, node in g.nodes.items():
        x, y = layout[key]
        if node["kind"] == "op":
            box = dict(boxstyle=f"{ellipse},pad=0.3", fc=node.get("fill") or "#e8eefc", ec="#3b5bab")
        else:
            fc = node.get("fill") or ("#fff8dc" if node.get("grad") is not None else "white")
            box = dict(boxstyle="round,pad=0.4", fc=fc, ec="0.3")
        label = node["label"].replace("$", r"\$")
        artists[key] = ax.text(x, y, label, ha="center", va="center", fontsize=9, bbox=box, zorder=3)
    for src, dst, label in g.edges:
        ax.annotate("", xy=(0.5, 1.0), xycoords=artists[dst], xytext=(0.5, 0.0), textcoords=artists[src],
                    arrowprops=dict(arrowstyle="-|>", color="0.35", shrinkA=2, shrinkB=2), zorder=2)
        if label:
            (x0, y0), (x1, y1) = layout[src], layout[dst]
            ax.text((x0 + x1) / 2 + 0.06, (y0 + y1) / 2, label, fontsize=8, color="#1f4fbf",
                    ha="left", va="center", zorder=4)
    if title or g.title:
        fig.suptitle(title or g.title)
    return _mpl.finish(fig, g, path, dpi=150)


def render_graph(source, path, names=None, method="auto", dpi=150):
    """Write a picture of a graph to `path` (.svg, .png, .pdf; the suffix picks the format).

    Args:
        source: DOT text, a ComputationGraph, a tensor, a list of tensors or a GradientTape.
        path: the output file.
        names: {name: tensor} labels when `source` is a tensor or tape.
        method: "dot" (Graphviz's program), "matplotlib" (a layout of its own), or "auto":
            dot when it is on the PATH, else matplotlib.
        dpi: resolution of the matplotlib picture.

    Returns:
        (path, method used).
    """
    if method not in ("auto", "dot", "matplotlib"):
        raise ValueError(f"render_graph: method must be 'auto', 'dot' or 'matplotlib'; received {method!r}.")
    path = os.fspath(path)
    if method == "auto":
        method = "dot" if shutil.which("dot") else "matplotlib"
    if method == "matplotlib":
        fig = draw_graph(source, names=names)
        _mpl.save(fig, path, dpi=dpi)
        _mpl.close(fig)
        return path, "matplotlib"
    if not shutil.which("dot"):
        raise RuntimeError("render_graph: Graphviz's `dot` program is not installed; use method='matplotlib' "
                           "or install Graphviz (e.g. apt-get install graphviz).")
    text = source if isinstance(source, str) else _as_graph(source, names).to_dot()
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    raster = ["-Gdpi=%d" % dpi] if fmt in ("png", "jpg", "jpeg", "gif") else []
    proc = subprocess.run(["dot", f"-T{fmt}", *raster, "-o", path], input=text.encode(),
                          capture_output=True, timeout=120)
    if proc.returncode != 0:
        reason = proc.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"render_graph: dot failed: {reason[0] if reason else proc.returncode}")
    return path, "dot"
