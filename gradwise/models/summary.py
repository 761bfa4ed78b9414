"""model.summary(): a Keras-like table of layers, output shapes and parameter counts
(and, for functional models, which layer outputs feed each layer: "Connected to")."""


def _size_text(n_params, itemsize=4):
    size = n_params * itemsize
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


def _shape_text(shape):
    return str(tuple(shape)).replace(",)", ")") if len(shape) > 1 else str(tuple(shape))


def _functional_rows(model):
    """(name (type), output shape, params, connected-to lines) per layer, as Keras 3 shows them:
    an input as layer[call][output], one entry per input of each of the layer's calls."""
    index = {}
    for layer in model.layers:
        for k, node in enumerate(model._nodes_in_model(layer)):
            index[id(node)] = k
    rows = []
    for layer in model.layers:
        nodes = model._nodes_in_model(layer)
        shapes = [t.shape for t in nodes[0].outputs] if nodes else []
        out = _shape_text(shapes[0]) if len(shapes) == 1 else ", ".join(_shape_text(s) for s in shapes) or "?"
        links = [f"{t.layer.name}[{index.get(id(t.node), 0)}][{t.index}]" for node in nodes for t in node.parents]
        params = sum(w.size for w in layer.weights)
        rows.append((f"{layer.name} ({type(layer).__name__})", out, f"{params:,}", links or ["-"]))
    return rows


def summary_text(model):
    if hasattr(model, "_nodes_in_model"):
        return _table(model, _functional_rows(model), ("Layer (type)", "Output Shape", "Param #", "Connected to"))
    rows = []
    shape = model._build_shape
    for layer in model.layers:
        out = "?"
        if shape is not None and layer.built:
            try:
                shape = layer.compute_output_shape(shape)
                out = _shape_text(shape)
            except Exception:  # a layer that cannot dry-run: show the shape as unknown
                out, shape = "?", None
        params = sum(w.size for w in layer.weights) if layer.built else 0
        rows.append((f"{layer.name} ({type(layer).__name__})", out, f"{params:,}" if layer.built else "0 (unbuilt)"))
    return _table(model, rows, ("Layer (type)", "Output Shape", "Param #"))


def _table(model, rows, headers):
    """The box-drawn table; a cell may be a list of lines (Connected to, one input per line)."""
    rows = [[c if isinstance(c, list) else [c] for c in r] for r in rows]
    widths = [max([len(h)] + [len(line) for r in rows for line in r[i]]) + 2 for i, h in enumerate(headers)]
    widths = [max(w, m) for w, m in zip(widths, (33, 24, 15, 20))]

    def line(left, mid, right, fill="━"):
        return left + mid.join(fill * w for w in widths) + right

    def row(cells, sep="│"):
        # Param # (the third column) is right-aligned, the others left-aligned, as in Keras
        parts = [f"{c:>{w - 1}} " if i == 2 else f" {c:<{w - 1}}" for i, (c, w) in enumerate(zip(cells, widths))]
        return sep + sep.join(parts) + sep

    out = [f'Model: "{model.name}"', line("┏", "┳", "┓"), row(headers, sep="┃"), line("┡", "╇", "┩")]
    for i, r in enumerate(rows):
        for k in range(max(len(c) for c in r)):
            out.append(row([c[k] if k < len(c) else "" for c in r]))
        if i < len(rows) - 1:
            out.append(line("├", "┼", "┤", "─"))
    out.append(line("└", "┴", "┘", "─"))
    total = sum(w.size for w in model.weights)
    trainable = sum(w.size for w in model.trainable_weights)
    out.append(f" Total params: {total:,} ({_size_text(total)})")
    out.append(f" Trainable params: {trainable:,} ({_size_text(trainable)})")
    out.append(f" Non-trainable params: {total - trainable:,} ({_size_text(total - trainable)})")
    return "\n".join(out)
