"""SPEC §5: training practice (seeds 000 §2.1-2.2, 001, 002, 003 §5)."""

import functools
import time

import numpy as np

import gradwise as gw
from gradwise import classic

from ..registry import claim, near

# --- the digits network of seed 003 §5 ------------------------------------------------------

# The first image of sklearn's digits and its standard-scaled pixels, as the seed prints them.
_DIGIT0 = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
           0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0]
_DIGIT0_SCALED = [
    0.0, -0.33501649, -0.04308102, 0.27407152, -0.66447751, -0.84412939, -0.40972392, -0.12502292,
    -0.05907756, -0.62400926, 0.4829745, 0.75962245, -0.05842586, 1.12772113, 0.87958306, -0.13043338,
    -0.04462507, 0.11144272, 0.89588044, -0.86066632, -1.14964846, 0.51547187, 1.90596347, -0.11422184,
    -0.03337973, 0.48648928, 0.46988512, -1.49990136, -1.61406277, 0.07639777, 1.54181413, -0.04723238,
    0.0, 0.76465553, 0.05263019, -1.44763006, -1.73666443, 0.04361588, 1.43955804, 0.0,
    -0.06134367, 0.8105536, 0.63011714, -1.12245711, -1.06623158, 0.66096475, 0.81845076, -0.08874162,
    -0.03543326, 0.74211893, 1.15065212, -0.86867056, 0.11012973, 0.53761116, -0.75743581, -0.20978513,
    -0.02359646, -0.29908135, 0.08671869, 0.20829258, -0.36677122, -1.14664746, -0.5056698, -0.19600752,
]


@claim("digits-data", "003 §5",
       "sklearn digits: 1797 8x8 images; the first image and its scaled pixels as printed; 60/40 split",
       expected_text="(1797, 64), first row and scaled row as the seed, 1078/719, 1 -> [0,1,0,...]", tolerance=5e-9)
def _(c):
    X, y = classic.load_digits_flat()
    scaled = classic.standard_scale(X)
    X_train, X_test, _, _ = classic.train_test_split(scaled, y, test_size=0.4, random_state=0)
    one_hot = classic.convert_y_to_vect(np.array([1]))[0]
    ok = (X.shape == (1797, 64) and near(X[0], _DIGIT0, 0) and near(scaled[0], _DIGIT0_SCALED, c.tolerance)
          and (len(X_train), len(X_test)) == (1078, 719) and near(one_hot, np.eye(10)[1], 0))
    return f"{X.shape}, max gap {np.abs(scaled[0] - _DIGIT0_SCALED).max():.1e}, {len(X_train)}/{len(X_test)}", ok


def _digits():
    X, y = classic.load_digits_flat()
    return classic.train_test_split(classic.standard_scale(X), y, test_size=0.4, random_state=0)


@functools.lru_cache(maxsize=1)
def _digits_numpy():
    X_train, X_test, y_train, y_test = _digits()
    net = classic.SigmoidNetwork((64, 30, 10), random_state=0)
    initial = ({l: w.copy() for l, w in net.W.items()}, {l: b.copy() for l, b in net.b.items()})
    net.fit(X_train, classic.convert_y_to_vect(y_train), iterations=3000, alpha=0.25)
    return net.score(X_test, y_test), initial


@claim("digits-numpy", "003 §5", "64-30-10 sigmoid network in NumPy, full-batch GD alpha 0.25, 3000 iterations",
       expected=0.86, expected_text=">= 0.86 (86 %)", tolerance_text="at least")
def _(c):
    accuracy, _ = _digits_numpy()
    return round(accuracy, 4), accuracy >= c.expected


def _half_squared_error(y_true, y_pred):
    """The seed's cost for one sample: J = 1/2 ||y - h||^2 (the loss averages it over the batch)."""
    return 0.5 * gw.sum(gw.square(y_true - y_pred), axis=-1)


@claim("digits-sequential", "003 §5",
       "the same network as a gw.Sequential: same split, same initial weights, SGD 0.25, 3000 epochs",
       expected=0.86, expected_text=">= 0.86 (86 %)", tolerance_text="at least")
def _(c):
    X_train, X_test, y_train, y_test = _digits()
    _, (W, b) = _digits_numpy()
    model = gw.Sequential([gw.Input((64,)), gw.layers.Dense(30, activation="sigmoid"),
                           gw.layers.Dense(10, activation="sigmoid")])
    model.set_weights([W[1].T, b[1], W[2].T, b[2]])  # the seed's W is (out, in); a Dense kernel is (in, out)
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.25), loss=_half_squared_error, metrics=["accuracy"])
    model.fit(X_train.astype("float32"), classic.convert_y_to_vect(y_train).astype("float32"), epochs=3000,
              batch_size=len(X_train), shuffle=False, verbose=0)
    accuracy = float(np.mean(model.predict(X_test.astype("float32"), verbose=0).argmax(axis=1) == y_test))
    return round(accuracy, 4), accuracy >= c.expected


# --- MNIST, seed 000 §2.1 ---------------------------------------------------------------------


def _mnist():
    (train_images, train_labels), (test_images, test_labels) = gw.datasets.mnist.load_data()
    train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255
    return (train_images, train_labels), (test_images, test_labels)


@claim("mnist-data", "000 §2.1-2.2", "MNIST: shapes, dtype, first labels, train_labels[4], slices and the n-th batch",
       expected_text="(60000,28,28) uint8; 5,0,4 ... 5,6,8; 7,2,1 ... 4,5,6; label[4] 9; (90,28,28) (60000,14,14)")
def _(c):
    (train_images, train_labels), (test_images, test_labels) = gw.datasets.mnist.load_data()
    images = gw.constant(train_images)
    facts = {
        "train shape": (train_images.shape, (60000, 28, 28)),
        "test shape": (test_images.shape, (10000, 28, 28)),
        "dtype": (str(train_images.dtype), "uint8"),
        "ndim": (images.ndim, 3),
        "train labels": ((*train_labels[:3], *train_labels[-3:]), (5, 0, 4, 5, 6, 8)),
        "test labels": ((*test_labels[:3], *test_labels[-3:]), (7, 2, 1, 4, 5, 6)),
        "train_labels[4]": (train_labels[4], 9),
        "[10:100]": (tuple(images[10:100].shape), (90, 28, 28)),
        "[:, 14:, 14:]": (tuple(images[:, 14:, 14:].shape), (60000, 14, 14)),
        "[:, 7:-7, 7:-7]": (tuple(images[:, 7:-7, 7:-7].shape), (60000, 14, 14)),
        "batch n=3": (tuple(images[128 * 3:128 * 4].shape), (128, 28, 28)),
        "pixel range": ((int(train_images.min()), int(train_images.max())), (0, 255)),
    }
    wrong = [k for k, (got, expected) in facts.items() if tuple(np.atleast_1d(got)) != tuple(np.atleast_1d(expected))]
    return (f"all {len(facts)} facts right" if not wrong else "wrong: " + ", ".join(wrong)), not wrong


@functools.lru_cache(maxsize=2)
def _mnist_mlp(epochs):
    """Seed 000's first program (listings 2.1-2.7), trained once per epoch count and shared."""
    gw.random.seed(0)
    (train_images, train_labels), (test_images, test_labels) = _mnist()
    model = gw.Sequential([gw.layers.Dense(512, activation="relu"), gw.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(train_images, train_labels, epochs=epochs, batch_size=128, verbose=2)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(test_images, test_labels, batch_size=1024, verbose=0)
    first = model.predict(test_images[0:10], verbose=0)[0]
    return {"history": history.history, "updates": int(model.optimizer.iterations), "test_acc": float(test_acc),
            "first_digit": (int(first.argmax()), float(first.max())), "seconds": seconds}


@claim("mnist-mlp-1epoch", "000 §2.1",
       "Dense 512 relu -> Dense 10 softmax, rmsprop, batch 128, 1 epoch: test accuracy",
       expected=0.96, expected_text=">= 0.96", tolerance_text="at least", minutes=0.2)
def _(c):
    run = _mnist_mlp(1)
    return f"{run['test_acc']:.4f} ({run['seconds']:.0f} s)", run["test_acc"] >= c.expected


@claim("mnist-epoch1-log", "000 §2.1",
       "the first epoch's progress line: loss and accuracy on the training data, updates",
       expected=(0.2524, 0.9273, 469), expected_text="loss: 0.2524 - acc: 0.9273, 469 updates",
       tolerance=(0.02, 0.01), tolerance_text="±0.02, ±0.01", minutes=0.2)
def _(c):
    run = _mnist_mlp(1)
    loss, acc = run["history"]["loss"][0], run["history"]["accuracy"][0]
    ok = abs(loss - c.expected[0]) <= c.tolerance[0] and abs(acc - c.expected[1]) <= c.tolerance[1] \
        and run["updates"] == c.expected[2]
    return f"loss {loss:.4f} - acc {acc:.4f}, {run['updates']} updates", ok


@claim("mnist-mlp", "000 §2.1", "the seed's program as written: 5 epochs; test accuracy",
       expected=0.978, expected_text=">= 0.978 (0.9785)", tolerance_text="at least", full=True, minutes=1)
def _(c):
    run = _mnist_mlp(5)
    return f"{run['test_acc']:.4f} ({run['seconds']:.0f} s)", run["test_acc"] >= c.expected


@claim("mnist-mlp-train", "000 §2.1", "after 5 epochs: training accuracy and the number of gradient updates",
       expected=(0.989, 2345), expected_text="acc about 0.989, 2345 updates", tolerance=0.01, full=True, minutes=1)
def _(c):
    run = _mnist_mlp(5)
    acc = run["history"]["accuracy"][-1]
    return f"acc {acc:.4f}, {run['updates']} updates", abs(acc - c.expected[0]) <= c.tolerance and \
        run["updates"] == c.expected[1]


@claim("mnist-first-digit", "000 §2.1", "predict(test_images[0:10])[0] after 5 epochs: the class and its probability",
       expected=(7, 0.99999106), expected_text="7 with p = 0.99999106", tolerance_text="class 7, p >= 0.99",
       full=True, minutes=1)
def _(c):
    digit, p = _mnist_mlp(5)["first_digit"]
    return f"{digit} with p = {p:.8f}", digit == c.expected[0] and p >= 0.99


# --- regularisation and training tools (seeds 001, 002) --------------------------------------


@claim("dropout", "001",
       "Dropout(0.5) in training drops about half of the units and scales the rest by 2; identity at inference",
       expected=(0.5, 1.0), tolerance=0.01, expected_text="half dropped, mean kept, identity at inference")
def _(c):
    layer = gw.layers.Dropout(0.5)
    x = np.ones((1000, 100), dtype="float32")
    y = layer(x, training=True).numpy()
    dropped, mean = float(np.mean(y == 0)), float(y.mean())
    ok = near((dropped, mean), c.expected, c.tolerance) and set(np.unique(y)) <= {0.0, 2.0} and \
        near(layer(x, training=False).numpy(), x, 0)
    return f"dropped {dropped:.3f}, mean {mean:.3f}", ok


@claim("weight-penalties", "001, 002", "L2 and L1 penalties: the loss term is l * sum w^2 and l * sum |w|",
       expected_text="0.01 sum w^2, 0.01 sum |w|", tolerance=1e-6)
def _(c):
    rng = np.random.default_rng(0)
    layer_l2 = gw.layers.Dense(3, kernel_regularizer=gw.regularizers.L2(0.01))
    layer_l1 = gw.layers.Dense(3, kernel_regularizer=gw.regularizers.L1(0.01))
    x = rng.random((2, 4)).astype("float32")
    layer_l2(x), layer_l1(x)
    l2, l1 = float(sum(layer_l2.losses)), float(sum(layer_l1.losses))
    w2, w1 = layer_l2.get_weights()[0], layer_l1.get_weights()[0]
    ok = near(l2, 0.01 * np.sum(w2**2), c.tolerance) and near(l1, 0.01 * np.sum(np.abs(w1)), c.tolerance)
    return f"L2 {l2:.5f}, L1 {l1:.5f}", ok


@claim("batch-normalization", "001", "BatchNormalization in training: each feature of the batch has mean 0 and std 1",
       expected=(0.0, 1.0), tolerance=1e-3, expected_text="mean 0, std 1")
def _(c):
    x = np.random.default_rng(0).normal(5.0, 3.0, size=(256, 8)).astype("float32")
    y = gw.layers.BatchNormalization()(x, training=True).numpy()
    got = (float(np.abs(y.mean(axis=0)).max()), float(y.std(axis=0).mean()))
    return got, near(got, c.expected, c.tolerance)


@claim("freeze-layers", "001",
       "transfer learning: a layer with trainable = False keeps its weights through fit, the rest learns",
       expected_text="frozen unchanged, head changed")
def _(c):
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 8)).astype("float32"), rng.integers(0, 3, size=64)
    base, head = gw.layers.Dense(16, activation="relu"), gw.layers.Dense(3, activation="softmax")
    model = gw.Sequential([gw.Input((8,)), base, head])
    base.trainable = False
    before = [w.copy() for w in base.get_weights()], [w.copy() for w in head.get_weights()]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    frozen = all(np.array_equal(a, b) for a, b in zip(before[0], base.get_weights()))
    learned = any(not np.array_equal(a, b) for a, b in zip(before[1], head.get_weights()))
    got = f"frozen {'unchanged' if frozen else 'CHANGED'}, head {'changed' if learned else 'unchanged'}"
    return got, frozen and learned


@claim("early-stopping", "002",
       "early stopping with patience 2 on a validation loss that stops improving (learning rate 0)",
       expected=3, expected_text="stops after 1 + 2 epochs of 20")
def _(c):
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 4)).astype("float32"), rng.integers(0, 2, size=64)
    model = gw.Sequential([gw.Input((4,)), gw.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy")
    stop = gw.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    history = model.fit(x, y, epochs=20, batch_size=16, validation_data=(x, y), callbacks=[stop], verbose=0)
    epochs = len(history.history["loss"])
    return epochs, epochs == c.expected
