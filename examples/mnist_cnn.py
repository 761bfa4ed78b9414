"""A small CNN on MNIST: Conv 32 3x3 -> MaxPool -> Conv 64 3x3 -> MaxPool -> Flatten -> Dense 128 -> Dense 10.

Adam, batch 128, 3 epochs: test accuracy about 0.992 (0.9911, 0.9918, 0.9927 for seeds 0, 1, 2).
Two choices lift the plain recipe (inputs / 255, Adam 1e-3: about 0.989 here and in PyTorch)
over 0.99 in three epochs: standardised inputs, and Adam at 2e-3 decayed to 0 by a cosine
over the whole run (large steps early, small ones to settle at the end).

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
mean, std = x_train.mean(), x_train.std()  # the training set's statistics, used for both
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

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
batch_size = 128
steps = args.epochs * -(-len(x_train) // batch_size)
schedule = gw.optimizers.schedules.CosineDecay(initial_learning_rate=2e-3, decay_steps=steps)
model.compile(optimizer=gw.optimizers.Adam(learning_rate=schedule),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

start = time.perf_counter()
model.fit(x_train, y_train, epochs=args.epochs, batch_size=batch_size)
minutes = (time.perf_counter() - start) / 60
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {test_acc:.4f} (loss {test_loss:.4f}) after {args.epochs} epochs, {minutes:.1f} min of training")
