"""model.summary(): a Keras-like table of layers, output shapes and parameter counts."""


def _size_text(n_params, itemsize=4):
    size = n_params * itemsize
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


def summary_text(model):
    rows = []
    shape = model._build_shape
    for layer in model.layers:
        out = "?"
        if shape is not None and layer.built:
            try:
                shape = layer.compute_output_shape(shape)
                out = str(tuple(shape)).replace(",)", ")") if len(shape) > 1 else str(tuple(shape))
            except Exception:  # a layer that cannot dry-run: show the shape as unknown
                out, shape = "?", None
        params = sum(w.size for w in layer.weights) if layer.built else 0
        rows.append((f"{layer.name} ({type(layer).__name__})", out, f"{params:,}" if layer.built else "0 (unbuilt)"))
    widths = [max(len(h), *(len(r[i]) for r in rows)) + 2 if rows else len(h) + 2
              for i, h in enumerate(("Layer (type)", "Output Shape", "Param #"))]
    widths = [max(w, m) for w, m in zip(widths, (33, 24, 15))]

    def line(left, mid, right, fill="━"):
        return left + mid.join(fill * w for w in widths) + right

    def row(cells, sep="│", right_align_last=True):
        parts = [f" {c:<{w - 1}}" for c, w in zip(cells[:-1], widths[:-1])]
        last = f"{cells[-1]:>{widths[-1] - 1}} " if right_align_last else f" {cells[-1]:<{widths[-1] - 1}}"
        return sep + sep.join(parts + [last]) + sep

    out = [f'Model: "{model.name}"', line("┏", "┳", "┓"),
           row(("Layer (type)", "Output Shape", "Param #"), sep="┃"), line("┡", "╇", "┩")]
    for i, r in enumerate(rows):
        out.append(row(r))
        if i < len(rows) - 1:
            out.append(line("├", "┼", "┤", "─"))
    out.append(line("└", "┴", "┘", "─"))
    total = sum(w.size for w in model.weights)
    trainable = sum(w.size for w in model.trainable_weights)
    out.append(f" Total params: {total:,} ({_size_text(total)})")
    out.append(f" Trainable params: {trainable:,} ({_size_text(trainable)})")
    out.append(f" Non-trainable params: {total - trainable:,} ({_size_text(total - trainable)})")
    return "\n".join(out)
