"""Seed 001's multiclass head: one output unit per class, softmax, cross-entropy.

Two spellings of the same loss, as Keras offers them:
    categorical_crossentropy          labels one-hot, shape (n, 10)   (gw.utils.to_categorical)
    sparse_categorical_crossentropy   labels as integers, shape (n,)
Data: the 8x8 digits shipped with gradwise (10 classes), split with train_test_split(stratify=y)
so that each class keeps its share in both parts, and standardised with the training statistics.
Baseline: always predict the most frequent training class.

Run: python examples/heads_multiclass.py [--epochs N] [--seed N]
Expect: test accuracy about 0.95-0.97 for both losses, against a baseline near 0.10.
"""

import argparse

import numpy as np

import gradwise as gw
from gradwise import layers
from gradwise.datasets import digits


def load_data(seed=0):
    """Standardised digit pixels and labels 0..9: (x_train, y_train), (x_test, y_test)."""
    images, labels = digits.load_data()
    x = images.reshape(len(images), -1).astype("float32")
    x_train, x_test, y_train, y_test = gw.utils.train_test_split(x, labels, test_size=0.25, stratify=labels,
                                                                 seed=seed)
    x_train, mean, std = gw.utils.standardize(x_train, return_stats=True)
    x_test = gw.utils.standardize(x_test, mean=mean, std=std)
    return (x_train, y_train.astype("int64")), (x_test, y_test.astype("int64"))


def build_model(num_classes=10):
    return gw.Sequential([
        layers.Input((64,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),  # one unit per class, probabilities summing to 1
    ])


def run(epochs=20, seed=0, verbose=0):
    """Train one model per loss; returns {loss name: test accuracy, "baseline": majority accuracy}."""
    (x_train, y_train), (x_test, y_test) = load_data(seed)
    results = {"baseline": float(np.mean(y_test == np.bincount(y_train).argmax()))}
    targets = {"categorical_crossentropy": (gw.utils.to_categorical(y_train, 10), gw.utils.to_categorical(y_test, 10)),
               "sparse_categorical_crossentropy": (y_train, y_test)}
    for loss, (t_train, t_test) in targets.items():
        gw.random.seed(seed)
        model = build_model()
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
        model.fit(x_train, t_train, epochs=epochs, batch_size=32, verbose=verbose)
        _, accuracy = model.evaluate(x_test, t_test, verbose=0)
        results[loss] = float(accuracy)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = run(args.epochs, args.seed)
    baseline = results.pop("baseline")
    for loss, accuracy in results.items():
        print(f"softmax + {loss:<32} test accuracy {accuracy:.3f}   (majority-class baseline {baseline:.3f})")
