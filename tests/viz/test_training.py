"""Training curves from a History, its dict, or a JSON / CSV file."""

import json

import numpy as np
import pytest

import gradwise as gw

LOGS = {"loss": [0.9, 0.5, 0.3], "accuracy": [0.6, 0.8, 0.9], "val_loss": [1.0, 0.7, 0.6],
        "val_accuracy": [0.55, 0.7, 0.75]}


def test_curves_pair_training_with_validation():
    data = gw.viz.history_curves(LOGS)
    assert data["epochs"] == [1, 2, 3]
    assert list(data["panels"]) == ["loss", "accuracy"]
    assert list(data["panels"]["loss"]) == ["loss", "val_loss"]
    assert data["panels"]["accuracy"]["val_accuracy"] == LOGS["val_accuracy"]


def test_history_object_json_and_csv_agree(tmp_path):
    history = gw.callbacks.History()
    history.on_train_begin()
    for epoch in range(3):
        history.on_epoch_end(epoch, {k: v[epoch] for k, v in LOGS.items()})
    (tmp_path / "h.json").write_text(json.dumps({"history": LOGS}))
    columns = ["accuracy", "loss", "val_accuracy", "val_loss"]
    rows = ["epoch," + ",".join(columns)] + [",".join([str(e)] + [str(LOGS[c][e]) for c in columns]) for e in range(3)]
    (tmp_path / "h.csv").write_text("\n".join(rows) + "\n")
    for source in (history, LOGS, tmp_path / "h.json", str(tmp_path / "h.csv")):
        assert gw.viz.load_history(source) == LOGS


@pytest.mark.parametrize("text, message", [("", "no rows"), ("epoch,loss\n0,abc\n", "must be a number"),
                                           ("{not json", "not valid JSON"), ("{}", "empty")])
def test_bad_history_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / ("h.json" if text.startswith("{") else "h.csv")
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        gw.viz.load_history(path)


def test_plot_history_draws_the_curves():
    pytest.importorskip("matplotlib")
    fig = gw.viz.plot_history(LOGS, metrics=["loss"])
    assert list(fig.gradwise_data["panels"]) == ["loss"]
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["Validation loss"].get_ydata(), LOGS["val_loss"])
    np.testing.assert_allclose(lines["Training loss"].get_xdata(), [1, 2, 3])
    with pytest.raises(ValueError, match="no metric"):
        gw.viz.plot_history(LOGS, metrics=["mae"])


def test_quick_history_learns():
    history = gw.viz.quick_history(epochs=3)
    logs = history.history
    assert set(logs) == {"loss", "accuracy", "val_loss", "val_accuracy"} and len(logs["loss"]) == 3
    assert logs["loss"][-1] < logs["loss"][0]
