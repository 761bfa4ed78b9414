"""Seed 000 §2.1: the first Keras program, with only the import changed.

Run: python examples/seed000_keras_mnist.py [--seed N]
Expect: test accuracy about 0.978-0.98 after 5 epochs.
"""

import argparse

import gradwise as gw
from gradwise import layers
from gradwise.datasets import mnist

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=None)
parser.add_argument("--epochs", type=int, default=5)
args = parser.parse_args()
gw.random.seed(args.seed)

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()

model = gw.Sequential([
    layers.Dense(512, activation="relu"),
    layers.Dense(10, activation="softmax")
])
model.compile(optimizer="rmsprop",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

train_images = train_images.reshape((60000, 28 * 28))
train_images = train_images.astype("float32") / 255
test_images = test_images.reshape((10000, 28 * 28))
test_images = test_images.astype("float32") / 255

model.fit(train_images, train_labels, epochs=args.epochs, batch_size=128)

test_digits = test_images[0:10]
predictions = model.predict(test_digits)
print("predictions[0]:", predictions[0].round(5))
print(f"first test digit: predicted {predictions[0].argmax()} with p = {predictions[0].max():.5f}, "
      f"label {test_labels[0]}")

test_loss, test_acc = model.evaluate(test_images, test_labels)
print(f"test_acc: {test_acc:.4f}")
