"""Seed 001's multilabel head: one logistic (sigmoid) unit per label, binary cross-entropy.

Each unit answers its own yes/no question, so any number of labels can be on at once (a
softmax would force them to compete). Binary cross-entropy is averaged over the labels.
Data: the 8x8 digits shipped with gradwise, with four labels per image:
    odd          1, 3, 5, 7, 9
    large        5 .. 9
    prime        2, 3, 5, 7
    loop         0, 6, 8, 9 (a closed stroke)
Metrics per label (accuracy, precision, recall) and the exact-match ratio (all four right).
Baseline: each label's most frequent training value. Note: ask for "binary_accuracy" by
name; as in Keras 3, "accuracy" with 4 outputs would pick categorical accuracy.

Run: python examples/heads_multilabel.py [--epochs N] [--seed N]
Expect: per-label test accuracy about 0.96-0.99, against baselines of 0.50-0.60.
"""

import argparse

import numpy as np

import gradwise as gw
from gradwise import layers
from gradwise.datasets import digits

LABELS = {"odd": [1, 3, 5, 7, 9], "large": [5, 6, 7, 8, 9], "prime": [2, 3, 5, 7], "loop": [0, 6, 8, 9]}


def load_data(seed=0):
    """Standardised pixels and a 0/1 matrix of the four labels: (x_train, y_train), (x_test, y_test)."""
    images, digit = digits.load_data()
    x = images.reshape(len(images), -1).astype("float32")
    y = np.stack([np.isin(digit, members) for members in LABELS.values()], axis=1).astype("float32")
    x_train, x_test, y_train, y_test = gw.utils.train_test_split(x, y, test_size=0.25, seed=seed)
    x_train, mean, std = gw.utils.standardize(x_train, return_stats=True)
    return (x_train, y_train), (gw.utils.standardize(x_test, mean=mean, std=std), y_test)


def build_model(num_labels=len(LABELS)):
    return gw.Sequential([
        layers.Input((64,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(num_labels, activation="sigmoid"),  # one independent probability per label
    ])


def per_label_metrics(y_true, y_prob):
    """{label: (accuracy, precision, recall)} from gradwise's metric objects, one column each."""
    out = {}
    for i, name in enumerate(LABELS):
        accuracy = gw.metrics.BinaryAccuracy()
        accuracy.update_state(y_true[:, i], y_prob[:, i])
        precision, recall = gw.metrics.Precision(class_id=i), gw.metrics.Recall(class_id=i)
        precision.update_state(y_true, y_prob)
        recall.update_state(y_true, y_prob)
        out[name] = (float(accuracy.result()), float(precision.result()), float(recall.result()))
    return out


def run(epochs=20, seed=0, verbose=0):
    """Returns per-label metrics and baselines, the mean binary accuracy and the exact-match ratio."""
    (x_train, y_train), (x_test, y_test) = load_data(seed)
    gw.random.seed(seed)
    model = build_model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=verbose)
    _, binary_accuracy = model.evaluate(x_test, y_test, verbose=0)
    y_prob = model.predict(x_test, verbose=0)
    majority = (y_train.mean(0) >= 0.5).astype("float32")
    return {
        "per_label": per_label_metrics(y_test, y_prob),
        "baseline": {name: float(v) for name, v in zip(LABELS, (y_test == majority).mean(0))},
        "binary_accuracy": float(binary_accuracy),
        "exact_match": float(np.mean(((y_prob > 0.5) == y_test).all(1))),
        "exact_match_baseline": float(np.mean((y_test == majority).all(1))),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    r = run(args.epochs, args.seed)
    print(f"{len(LABELS)} sigmoids + binary_crossentropy")
    for name, (accuracy, precision, recall) in r["per_label"].items():
        print(f"  {name:<6} test accuracy {accuracy:.3f}   (majority baseline {r['baseline'][name]:.3f})   "
              f"precision {precision:.3f}, recall {recall:.3f}")
    print(f"  mean binary accuracy {r['binary_accuracy']:.3f}; exact match (all labels right) "
          f"{r['exact_match']:.3f}   (baseline {r['exact_match_baseline']:.3f})")
