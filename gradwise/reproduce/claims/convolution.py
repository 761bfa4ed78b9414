"""SPEC §6: convolutional networks (seed 001, seed 004)."""

import os
import time

import numpy as np

import gradwise as gw
from gradwise import classic

from ..registry import claim, near

_IMAGE = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
_KERNEL = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]


def _nhwc(image):
    """A 2-D image as a batch of one single-channel image, float32."""
    return np.asarray(image, dtype="float32")[None, :, :, None]


@claim("conv-by-hand", "004",
       "the 5x5 image and 3x3 kernel of the slide: classic.convolve2d, gw.conv2d and a Conv2D layer",
       expected=[[12, 12, 17], [10, 17, 19], [9, 6, 14]], tolerance=1e-5)
def _(c):
    by_loops = classic.convolve2d(_IMAGE, _KERNEL)
    kernel = np.asarray(_KERNEL, dtype="float32")[:, :, None, None]  # (kh, kw, in channels, filters)
    by_op = gw.conv2d(_nhwc(_IMAGE), kernel).numpy()[0, :, :, 0]
    layer = gw.layers.Conv2D(filters=1, kernel_size=3, use_bias=False)
    layer(_nhwc(_IMAGE))  # build, then put the slide's kernel in
    layer.set_weights([kernel])
    by_layer = layer(_nhwc(_IMAGE)).numpy()[0, :, :, 0]
    return by_op, all(near(r, c.expected, c.tolerance) for r in (by_loops, by_op, by_layer))


@claim("sharpen", "004", "sharpen kernel [[0,-1,0],[-1,5,-1],[0,-1,0]] on the pixels [[5,6,7],[3,4,6],[2,3,5]]",
       expected=2.0, tolerance=1e-5)
def _(c):
    pixels, kernel = [[5, 6, 7], [3, 4, 6], [2, 3, 5]], [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    by_loops = float(classic.convolve2d(pixels, kernel)[0, 0])
    by_op = float(gw.conv2d(_nhwc(pixels), np.asarray(kernel, dtype="float32")[:, :, None, None]).numpy().item())
    return by_op, near(by_loops, c.expected, c.tolerance) and near(by_op, c.expected, c.tolerance)


@claim("conv-shapes", "001", "5x5 input, 3x3 kernel: no padding, zero padding ('same'), stride 2; (H + 2p - f) / s + 1",
       expected=((3, 3), (5, 5), (2, 2)), expected_text="valid 3x3, same 5x5, stride 2 2x2")
def _(c):
    x, k = _nhwc(_IMAGE), np.ones((3, 3, 1, 1), dtype="float32")
    shapes = tuple(tuple(gw.conv2d(x, k, **kw).shape[1:3]) for kw in ({}, {"padding": "same"}, {"strides": 2}))
    loops = (classic.convolve2d(_IMAGE, _KERNEL).shape, classic.convolve2d(_IMAGE, _KERNEL, padding=1).shape,
             classic.convolve2d(_IMAGE, _KERNEL, stride=2).shape)
    return shapes, shapes == c.expected and loops == c.expected


@claim("pooling-2x2", "001", "2x2 max, min and average pooling of [[1..4],[5..8],[9..12],[13..16]]",
       expected=([[6, 8], [14, 16]], [[1, 3], [9, 11]], [[3.5, 5.5], [11.5, 13.5]]),
       expected_text="max [[6,8],[14,16]], min [[1,3],[9,11]], avg [[3.5,5.5],[11.5,13.5]]", tolerance=1e-6)
def _(c):
    x = np.arange(1, 17, dtype="float32").reshape(1, 4, 4, 1)
    pooled = tuple(layer(x).numpy()[0, :, :, 0] for layer in
                   (gw.layers.MaxPooling2D(2), gw.layers.MinPooling2D(2), gw.layers.AveragePooling2D(2)))
    return pooled, all(near(p, e, c.tolerance) for p, e in zip(pooled, c.expected))


@claim("pooling-invariance", "001",
       "2x2 max pooling: image B = A shifted 1 pixel right pools like A; C (shifted 2) does not",
       expected_text="pool(A) = pool(B) != pool(C)")
def _(c):
    a = np.zeros((1, 4, 6, 1), dtype="float32")
    a[0, 0, 0, 0] = a[0, 2, 2, 0] = 1.0  # two bright pixels at the left of their 2x2 windows
    b, shifted_2 = np.roll(a, 1, axis=2), np.roll(a, 2, axis=2)
    pool = gw.layers.MaxPooling2D(2)
    pa, pb, pc = (pool(img).numpy() for img in (a, b, shifted_2))
    return f"A = B: {np.array_equal(pa, pb)}, A = C: {np.array_equal(pa, pc)}", np.array_equal(pa, pb) and \
        not np.array_equal(pa, pc)


def _fashion_cnn():
    """Seed 001's network (examples/seed001_fashion_cnn.py), every 3x3 conv relu 'same'."""

    def conv(filters, kernel_size=3, **kw):
        return gw.layers.Conv2D(filters, kernel_size, activation="relu", padding="same", **kw)

    return gw.Sequential([
        gw.Input((28, 28, 1)),
        conv(64, 7), gw.layers.MaxPooling2D(2),
        conv(128), conv(128), gw.layers.MaxPooling2D(2),
        conv(256), conv(256), gw.layers.MaxPooling2D(2),
        gw.layers.Flatten(),
        gw.layers.Dense(128, activation="relu"), gw.layers.Dropout(0.5),
        gw.layers.Dense(64, activation="relu"), gw.layers.Dropout(0.5),
        gw.layers.Dense(10, activation="softmax"),
    ])


# 7*7*1*64+64, 3*3*64*128+128, 3*3*128*128+128, 3*3*128*256+256, 3*3*256*256+256,
# (3*3*256)*128+128, 128*64+64, 64*10+10: the parameters of the seed's listing, counted by hand
_FASHION_PARAMS = 3200 + 73856 + 147584 + 295168 + 590080 + 295040 + 8256 + 650


@claim("fashion-cnn-architecture", "001",
       "the seed's Fashion-MNIST CNN: parameters (counted by hand from the listing), output",
       expected=(_FASHION_PARAMS, (1, 10)), expected_text=f"{_FASHION_PARAMS:,} parameters, 10 softmax outputs")
def _(c):
    model = _fashion_cnn()
    out = model.predict(np.zeros((1, 28, 28, 1), dtype="float32"), verbose=0)
    got = (model.count_params(), out.shape)
    return got, got == c.expected and near(out.sum(), 1.0, 1e-5)


@claim("fashion-cnn", "001",
       "that CNN on Fashion-MNIST (55,000 standardised images, nadam with a cosine-annealed rate, batch 32, "
       "10 epochs): test accuracy",
       expected=0.92, expected_text=">= 0.92 (92 %)", tolerance_text="at least", full=True, minutes=90)
def _(c):
    (x_train_full, y_train_full), (x_test, y_test) = gw.datasets.fashion_mnist.load_data()
    x_train, x_valid = x_train_full[:-5000], x_train_full[-5000:]
    y_train, y_valid = y_train_full[:-5000], y_train_full[-5000:]
    mean = x_train.mean(axis=0, keepdims=True, dtype=np.float64)
    std = x_train.std(axis=0, keepdims=True, dtype=np.float64) + 1e-7
    x_train, x_valid, x_test = (((x - mean) / std).astype("float32")[..., None] for x in (x_train, x_valid, x_test))
    gw.random.seed(0)
    model = _fashion_cnn()
    # the recipe of the book the seed's listing comes from (Geron): Nadam, batch 32, 10 epochs; its
    # rate (1e-3) annealed to zero along a cosine, as in examples/seed001_fashion_cnn.py
    steps = 10 * -(-len(x_train) // 32)
    schedule = gw.optimizers.schedules.CosineDecay(initial_learning_rate=1e-3, decay_steps=steps)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=gw.optimizers.Nadam(schedule),
                  metrics=["accuracy"])
    start = time.perf_counter()
    # an hour-long run: a backup after every epoch, so an interrupted run resumes where it stopped
    backup = gw.callbacks.BackupAndRestore(os.path.join(gw.datasets.cache_dir(), "reproduce-fashion-cnn-cosine"))
    model.fit(x_train, y_train, epochs=10, batch_size=32, validation_data=(x_valid, y_valid), verbose=1,
              callbacks=[backup])
    minutes = (time.perf_counter() - start) / 60
    _, test_acc = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    return f"{test_acc:.4f} ({minutes:.0f} min)", test_acc >= c.expected
