"""Seeds 001-002: overfitting on a small training set, and what each remedy buys.

A Dense 512-512 network on 1,000 MNIST images (validation: 2,000 others; test: the 10,000 test
images), trained long enough to overfit, then again with one remedy at a time:

    none            the plain network
    L2              kernel_regularizer=L2(1e-3) on every Dense layer (seed 002's weight penalty)
    dropout         Dropout(0.5) after each hidden layer (seed 001)
    early stopping  EarlyStopping(patience=5, restore_best_weights=True) on val_loss
    augmentation    RandomTranslation(0.1, 0.1) + RandomRotation(0.05) before the network
    all             all four together

and prints train / validation / test accuracy with the gap train - test.

Run: python examples/overfitting.py [--train 1000] [--epochs 40] [--seed 0]
"""

import argparse
import time

import numpy as np

import gradwise as gw
from gradwise import layers

parser = argparse.ArgumentParser()
parser.add_argument("--train", type=int, default=1000, help="training images (default: %(default)s)")
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

(x_all, y_all), (x_test, y_test) = gw.datasets.mnist.load_data()
x_all = x_all[..., None].astype("float32") / 255
x_test = x_test[..., None].astype("float32") / 255
x_train, y_train = x_all[:args.train], y_all[:args.train]
x_val, y_val = x_all[-2000:], y_all[-2000:]


def build(l2=False, dropout=False, augment=False):
    reg = gw.regularizers.L2(1e-3) if l2 else None
    stack = [layers.Input(shape=(28, 28, 1))]
    if augment:
        stack += [layers.RandomTranslation(0.1, 0.1, fill_mode="constant"), layers.RandomRotation(0.05, fill_mode="constant")]
    stack.append(layers.Flatten())
    for _ in range(2):
        stack.append(layers.Dense(512, activation="relu", kernel_regularizer=reg))
        if dropout:
            stack.append(layers.Dropout(0.5))
    stack.append(layers.Dense(10, activation="softmax", kernel_regularizer=reg))
    model = gw.Sequential(stack)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


RUNS = {
    "none": {},
    "L2": {"l2": True},
    "dropout": {"dropout": True},
    "early stopping": {"early_stopping": True},
    "augmentation": {"augment": True},
    "all": {"l2": True, "dropout": True, "augment": True, "early_stopping": True},
}

print(f"{args.train} training images, {len(x_val)} validation, {len(x_test)} test; up to {args.epochs} epochs")
print(f"{'remedy':<16}{'epochs':>7}{'train':>8}{'val':>8}{'test':>8}{'gap':>8}{'time':>7}")
for name, options in RUNS.items():
    gw.random.seed(args.seed)  # the same initial weights and batches for every row
    stop = options.pop("early_stopping", False)
    model = build(**options)
    callbacks = [gw.callbacks.EarlyStopping(patience=5, restore_best_weights=True)] if stop else []
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, verbose=0,
                        validation_data=(x_val, y_val), callbacks=callbacks)
    seconds = time.perf_counter() - start
    accuracy = {label: model.evaluate(x, y, verbose=0, batch_size=1000)[1]
                for label, (x, y) in {"train": (x_train, y_train), "val": (x_val, y_val),
                                      "test": (x_test, y_test)}.items()}
    epochs = len(history.history["loss"])
    print(f"{name:<16}{epochs:>7}{accuracy['train']:>8.4f}{accuracy['val']:>8.4f}{accuracy['test']:>8.4f}"
          f"{accuracy['train'] - accuracy['test']:>8.4f}{seconds:>6.0f}s", flush=True)
