"""A small CNN on MNIST: Conv 32 3x3 -> MaxPool -> Conv 64 3x3 -> MaxPool -> Flatten -> Dense 128 -> Dense 10.

Adam, batch 128, 3 epochs: test accuracy about 0.99.

Run: python examples/mnist_cnn.py [--epochs 3] [--seed 0]
(the same network as `gradwise train --model cnn`)
"""

import argparse
import time

import gradwise as gw
from gradwise import layers

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
gw.random.seed(args.seed)

(x_train, y_train), (x_test, y_test) = gw.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255

model = gw.Sequential([
    layers.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Conv2D(64, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

start = time.perf_counter()
model.fit(x_train, y_train, epochs=args.epochs, batch_size=128)
minutes = (time.perf_counter() - start) / 60
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {test_acc:.4f} (loss {test_loss:.4f}) after {args.epochs} epochs, {minutes:.1f} min of training")
