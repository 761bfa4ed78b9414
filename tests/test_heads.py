"""Every output head of seed 001's tables learns: the examples' own code (examples/heads_*.py),
run with few epochs, beats the trivial baseline (mean/median predictor, majority class) by a
clear margin."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name):
    """Import examples/<name>.py as a module (the examples folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regression():
    return example("heads_regression").run(epochs=10)


@pytest.mark.parametrize("head", ["linear + MSE", "relu + MSE", "softplus + MSE", "sigmoid + MSE", "tanh + MSE",
                                  "linear + MAE, outliers", "linear + Huber, outliers"])
def test_regression_head_beats_the_constant_predictor(regression, head):
    metric, value, baseline = regression[head]
    # MSE heads: R² = 1 - MSE / baseline MSE > 0.6; MAE: less than half the median predictor's error
    assert value < (0.4 if metric == "mse" else 0.5) * baseline, (head, value, baseline)


def test_robust_losses_resist_outliers_better_than_mse(regression):
    mse_mae = regression["linear + MSE, outliers (contrast)"][1]
    for head in ("linear + MAE, outliers", "linear + Huber, outliers"):
        assert regression[head][1] < 0.7 * mse_mae, (head, regression[head][1], mse_mae)


def test_binary_head_beats_the_majority_class():
    result = example("heads_binary").run(epochs=5)
    assert result["accuracy"] > result["baseline"] + 0.3, result
    assert result["precision"] > 0.85 and result["recall"] > 0.85, result


def test_multilabel_head_beats_the_majority_on_every_label():
    result = example("heads_multilabel").run(epochs=5)
    for label, (accuracy, precision, recall) in result["per_label"].items():
        assert accuracy > result["baseline"][label] + 0.2, (label, accuracy, result["baseline"][label])
        assert precision > 0.75 and recall > 0.75, (label, precision, recall)
    assert result["exact_match"] > result["exact_match_baseline"] + 0.5, result


def test_multiclass_head_beats_the_majority_with_both_label_forms():
    result = example("heads_multiclass").run(epochs=5)
    one_hot, sparse = result["categorical_crossentropy"], result["sparse_categorical_crossentropy"]
    assert one_hot > result["baseline"] + 0.6 and sparse > result["baseline"] + 0.6, result
    assert abs(one_hot - sparse) < 0.02, result  # the same loss on the same model, spelled two ways
