"""The pictures `gradwise plot KIND --out FILE` draws, by name.

    gw.viz.kinds.plot_to_file("activations", "activations.png")

Each kind is one call of a gw.viz function with the course's settings; the figure is saved
and released at once.
"""

from . import _mpl

KINDS = ("history", "images", "activations", "sigmoid", "optimizers", "learning-rates", "geometry", "graph")

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot")


def _images(dataset, start, count):
    import gradwise as gw

    if dataset == "digits":
        x, y = gw.datasets.digits.load_data()
    elif dataset in ("mnist", "fashion_mnist"):
        (x, y), _ = getattr(gw.datasets, dataset).load_data()
    else:
        raise ValueError(f"unknown data set {dataset!r}; choose mnist, fashion_mnist or digits.")
    if not 0 <= start < len(x) or count < 1:
        raise ValueError(f"--start must be in [0, {len(x)}) and --count positive; got {start} and {count}.")
    names = FASHION_CLASSES if dataset == "fashion_mnist" else None
    sl = slice(start, start + count)
    title = f"{dataset} training images {start}..{min(start + count, len(x)) - 1}"
    return x[sl], y[sl], names, title


def plot_to_file(kind, out, history=None, epochs=10, dataset="mnist", start=0, count=16):
    """Draw the picture `kind` (one of KINDS) to the file `out`; return a note on what was drawn.

    Args:
        history: for "history", a .json/.csv history file; without it a small network is
            trained on the shipped digits for `epochs` epochs (a few seconds).
        dataset, start, count: for "images", which training images (seed 000 Fig. 2.2 is
            `--dataset mnist --start 4 --count 1`, the fourth digit).
    """
    from . import activations, geometry, graph_export, graph_render, images, optimizers, sigmoid, training

    if kind not in KINDS:
        raise ValueError(f"unknown plot kind {kind!r}; choose one of: {', '.join(KINDS)}")
    _mpl.require()
    note = ""
    if kind == "graph":
        tape, _, names = graph_export.chain_rule_example()
        _, method = graph_render.render_graph(tape, out, names=names)
        return f"seed 000's chain-rule example, drawn with {method}"
    if kind == "history":
        if history is None:
            history, note = training.quick_history(epochs), f"a 64-32-10 network on the digits, {epochs} epochs"
        else:
            note = f"from {history}"
        fig = training.plot_history(history)
    elif kind == "images":
        x, y, names, title = _images(dataset, int(start), int(count))
        fig = images.plot_images(x, y, class_names=names, title=title)
        note = title
    elif kind == "activations":
        fig = activations.plot_activations()
    elif kind == "sigmoid":
        fig = sigmoid.plot_sigmoid()
    elif kind == "optimizers":
        fig = optimizers.plot_optimizers()
    elif kind == "learning-rates":
        fig = optimizers.plot_learning_rates()
    else:
        fig = geometry.plot_geometry()
    _mpl.save(fig, out)
    _mpl.close(fig)
    return note
