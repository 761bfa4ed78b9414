"""Seed 001's regression heads: one output unit per predicted value, its activation chosen by
the range of the target, and its loss by the noise:

    target                 output activation       loss
    any real number        none (linear)           MSE
    positive               ReLU or softplus        MSE
    bounded in (0, 1)      logistic (sigmoid)      MSE
    bounded in (-1, 1)     tanh                    MSE
    with outliers          none (linear)           MAE or Huber (MSE shown for contrast)

Data: synthetic, z = sin(2·x0) + x1·x2 + 0.5·x3 (+ noise) of six standard-normal features
(x4, x5 are irrelevant), turned into each kind of target: z itself, softplus(2z)/2, σ(1.5z),
tanh(z). For the outlier case 5 % of the training targets are corrupted by ±10..30; the test
targets are clean. Baselines: the training mean (for MSE) and
median (for MAE), the best constant predictions.

Run: python examples/heads_regression.py [--epochs N] [--seed N]
Expect: every head's test error far below its baseline's (R² = 1 - MSE / baseline MSE about
0.9 or more); with outliers, MAE and Huber reach a test MAE of about 0.2-0.3, while MSE, pulled
by the corrupted targets, does little better than the median (0.8-1.0).
"""

import argparse

import numpy as np

import gradwise as gw
from gradwise import layers

# (name, target kind, output activation, loss, metric reported)
HEADS = [
    ("linear + MSE", "real", None, "mse", "mse"),
    ("relu + MSE", "positive", "relu", "mse", "mse"),
    ("softplus + MSE", "positive", "softplus", "mse", "mse"),
    ("sigmoid + MSE", "unit", "sigmoid", "mse", "mse"),
    ("tanh + MSE", "signed", "tanh", "mse", "mse"),
    ("linear + MAE, outliers", "outliers", None, "mae", "mae"),
    ("linear + Huber, outliers", "outliers", None, "huber", "mae"),
    ("linear + MSE, outliers (contrast)", "outliers", None, "mse", "mae"),
]


def make_data(n=1600, seed=0):
    """Features (n, 6) and one target vector per kind; the first 75 % train, the rest test."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype("float32")
    z = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + 0.5 * x[:, 3]
    noisy = z + 0.1 * rng.normal(size=n)
    targets = {"real": noisy, "positive": np.logaddexp(0, 2 * noisy) / 2, "unit": 1 / (1 + np.exp(-1.5 * noisy)),
               "signed": np.tanh(noisy), "outliers": noisy.copy()}
    n_train = int(0.75 * n)
    bad = rng.choice(n_train, size=n_train // 20, replace=False)  # only training targets are corrupted
    targets["outliers"][bad] += rng.choice([-1, 1], size=len(bad)) * rng.uniform(10, 30, size=len(bad))
    targets["clean"] = noisy
    split = {k: (v[:n_train, None].astype("float32"), v[n_train:, None].astype("float32")) for k, v in targets.items()}
    split["outliers"] = (split["outliers"][0], split["clean"][1])
    return x[:n_train], x[n_train:], split


def build_model(activation):
    return gw.Sequential([
        layers.Input((6,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(1, activation=activation),  # one unit per predicted value
    ])


def run(epochs=20, seed=0, verbose=0):
    """Train each head; returns {name: (metric name, model's test value, baseline's test value)}."""
    x_train, x_test, targets = make_data(seed=seed)
    results = {}
    for name, kind, activation, loss, metric in HEADS:
        y_train, y_test = targets[kind]
        gw.random.seed(seed)
        model = build_model(activation)
        model.compile(optimizer=gw.optimizers.Adam(learning_rate=3e-3), loss=loss, metrics=[metric])
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=verbose)
        _, value = model.evaluate(x_test, y_test, verbose=0)
        if metric == "mse":
            baseline = float(np.mean((y_test - y_train.mean()) ** 2))
        else:
            baseline = float(np.mean(np.abs(y_test - np.median(y_train))))
        results[name] = (metric, float(value), baseline)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for name, (metric, value, baseline) in run(args.epochs, args.seed).items():
        constant = "mean" if metric == "mse" else "median"
        print(f"{name:<35} test {metric.upper()} {value:.4f}   ({constant} predictor {baseline:.4f})")
