"""Training curves: loss and metrics per epoch, training vs validation (Keras's History).

    history = model.fit(x, y, epochs=10, validation_split=0.2)
    gw.viz.plot_history(history, path="curves.png")

`history` may be a `gw.callbacks.History`, its `.history` dict ({"loss": [...],
"val_loss": [...], ...}) or a file: JSON (that dict, or {"history": {...}}) or CSV with one
row per epoch and a header (Keras's CSVLogger format: epoch,loss,accuracy,val_loss,...).
"""

import csv
import json
import os

import numpy as np

from . import _mpl


def load_history(source):
    """{metric name: list of floats} from a History, a dict, or a .json/.csv file path."""
    if hasattr(source, "history") and isinstance(source.history, dict):
        return _check(dict(source.history), "History")
    if isinstance(source, dict):
        return _check(dict(source.get("history", source)), "dict")
    if isinstance(source, (str, os.PathLike)):
        return _check(_read_file(os.fspath(source)), os.fspath(source))
    raise TypeError(
        f"plot_history takes a History, its .history dict or a .json/.csv file; received "
        f"{type(source).__name__}."
    )


def _read_file(path):
    with open(path, newline="") as f:
        text = f.read()
    if path.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON ({exc}).") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object of metric lists, got {type(data).__name__}.")
        return dict(data.get("history", data))
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise ValueError(f"{path}: no rows; expected a CSV header (epoch,loss,...) and one row per epoch.")
    columns = [c for c in rows[0] if c and c != "epoch"]
    try:
        return {c: [float(r[c]) for r in rows] for c in columns}
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: every cell must be a number ({exc}).") from None


def _check(history, where):
    out = {}
    for name, values in history.items():
        if name == "epoch":
            continue
        try:
            out[str(name)] = [float(v) for v in values]
        except (TypeError, ValueError):
            raise ValueError(f"{where}: metric {name!r} must be a list of numbers, got {values!r}.") from None
    if not out or not any(out.values()):
        raise ValueError(f"{where}: the history is empty; train for at least one epoch.")
    return out


def history_curves(history):
    """The data plot_history draws: {"epochs": [1..n], "panels": {metric: {key: values}}}.

    One panel per metric (loss, accuracy, ...), holding its training series and, when
    recorded, the validation series `val_<metric>`.
    """
    logs = load_history(history)
    n = max(len(v) for v in logs.values())
    panels = {}
    for name in logs:
        base = name[4:] if name.startswith("val_") else name
        panels.setdefault(base, {})[name] = logs[name]
    for base, series in panels.items():  # training first, then validation
        panels[base] = dict(sorted(series.items(), key=lambda kv: kv[0].startswith("val_")))
    return {"epochs": list(range(1, n + 1)), "panels": panels}


def plot_history(history, metrics=None, path=None, title=None):
    """Plot training (dots) and validation (line) curves per epoch, one panel per metric.

    Args:
        history: a History, its `.history` dict, or a .json / .csv file (see module doc).
        metrics: names of the panels to draw (e.g. ["loss"]); default all of them.
        path: save the figure there (.png, .svg, .pdf) as well.
        title: an optional title over the figure.

    Returns:
        the matplotlib Figure; `fig.gradwise_data` is `history_curves(history)`.
    """
    data = history_curves(history)
    panels = data["panels"]
    if metrics is not None:
        missing = [m for m in metrics if m not in panels]
        if missing:
            raise ValueError(f"plot_history: no metric {missing} in the history; it has {sorted(panels)}.")
        panels = {m: panels[m] for m in metrics}
        data["panels"] = panels
    fig = _mpl.figure(figsize=(5 * len(panels), 4))
    for i, (base, series) in enumerate(panels.items()):
        ax = fig.add_subplot(1, len(panels), i + 1)
        for name, values in series.items():
            epochs = np.arange(1, len(values) + 1)
            val = name.startswith("val_")
            ax.plot(epochs, values, "-" if val else "o", label=("Validation " if val else "Training ") + base)
        ax.set_xlabel("Epochs")
        ax.set_ylabel(base.capitalize())
        ax.set_title(f"Training and validation {base}")
        ax.legend()
    if title:
        fig.suptitle(title)
    return _mpl.finish(fig, data, path)


def quick_history(epochs=10, seed=0):
    """Train a small network on the shipped 8x8 digits and return its History (a few seconds).

    64-32-10 (relu, softmax), rmsprop, batch 32, 20 % held out for validation: enough to
    see training accuracy overtake validation accuracy.
    """
    import gradwise as gw

    if int(epochs) < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs}.")
    gw.random.seed(seed)
    images, labels = gw.datasets.digits.load_data()
    x = images.reshape(len(images), -1).astype("float32") / 16
    model = gw.Sequential([gw.layers.Dense(32, activation="relu"), gw.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(x, labels, epochs=int(epochs), batch_size=32, validation_split=0.2, verbose=0)
