"""Transfer learning on MNIST: features learned on digits 0-4, reused for digits 5-9.

1. Train a small CNN on digits 0-4, where labels are plentiful.
2. Keep its lower layers (the convolutions), frozen, and put a new head on them for digits
   5-9; train only the head, on a few labelled examples (50 or 200 by default).
3. Unfreeze, compile again with a low learning rate, and fine-tune everything briefly.
4. Train the same network from scratch on the same few labels, for as many epochs.

    python examples/transfer_learning.py [--per-class 10,40] [--pretrain 30000] [--pretrain-epochs 2]
                                         [--epochs 20] [--seed 0]

Frozen weights are left bit-identical by training (checked below). Changing `trainable`
takes effect at the next compile(), as in Keras 3.
"""

import argparse
import time

import numpy as np

import gradwise as gw
from gradwise.layers import Conv2D, Dense, Flatten, MaxPooling2D


def conv_net(name):
    """Conv(16) - pool - Conv(32) - pool - flatten ("features") - Dense(64) - softmax over 5 digits."""
    inputs = gw.Input((28, 28, 1), name=f"{name}_image")
    h = MaxPooling2D(name=f"{name}_pool1")(Conv2D(16, 3, activation="relu", name=f"{name}_conv1")(inputs))
    h = MaxPooling2D(name=f"{name}_pool2")(Conv2D(32, 3, activation="relu", name=f"{name}_conv2")(h))
    features = Flatten(name=f"{name}_features")(h)
    h = Dense(64, activation="relu", name=f"{name}_dense")(features)
    return gw.Model(inputs, Dense(5, activation="softmax", name=f"{name}_digits")(h), name=name)


def compile_(model, lr):
    model.compile(optimizer=gw.optimizers.Adam(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def transfer_vs_scratch(old, x_few, y_few, x_test, y_test, epochs, seed):
    """Test accuracies on 5-9: (from scratch, frozen base + new head, then fine-tuned)."""
    # the pretrained convolutions, frozen, under a new head for digits 5-9
    base = gw.Model(old.inputs, old.get_layer("old_features").output, name="base")
    base.trainable = False
    frozen = base.get_weights()
    gw.random.seed(seed)
    new = gw.Sequential([base, Dense(64, activation="relu", name="new_dense"),
                         Dense(5, activation="softmax", name="new_digits")], name="transfer")
    compile_(new, 3e-3)
    new.fit(x_few, y_few, epochs=epochs, batch_size=32, verbose=0)
    acc_frozen = new.evaluate(x_test, y_test, verbose=0)[1]
    assert all(np.array_equal(a, b) for a, b in zip(frozen, base.get_weights())), "frozen weights moved"

    # fine-tune everything with a low learning rate (recompile: `trainable` changed)
    base.trainable = True
    compile_(new, 3e-4)
    new.fit(x_few, y_few, epochs=max(1, epochs // 2), batch_size=32, verbose=0)
    acc_tuned = new.evaluate(x_test, y_test, verbose=0)[1]
    base.set_weights(frozen)  # leave the pretrained layers as they were for the next run

    # the same network from scratch on the same labels, as many epochs in all
    gw.random.seed(seed)
    scratch = conv_net("scratch")
    compile_(scratch, 3e-3)
    scratch.fit(x_few, y_few, epochs=epochs + max(1, epochs // 2), batch_size=32, verbose=0)
    return scratch.evaluate(x_test, y_test, verbose=0)[1], acc_frozen, acc_tuned


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", default="10,40",
                        help="labelled examples per digit 5-9, comma-separated budgets (default 10,40)")
    parser.add_argument("--pretrain", type=int, default=30000, help="images of digits 0-4 to pretrain on")
    parser.add_argument("--pretrain-epochs", type=int, default=2, help="epochs of pretraining (default 2)")
    parser.add_argument("--epochs", type=int, default=20, help="epochs on the few labels (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    budgets = [int(n) for n in args.per_class.split(",")]
    start = time.time()

    (x_train, y_train), (x_test, y_test) = gw.datasets.mnist.load_data()
    x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
    x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
    x_new_test, y_new_test = x_test[y_test >= 5], y_test[y_test >= 5] - 5
    rng = np.random.default_rng(args.seed)

    # 1. a CNN for digits 0-4, where labels are plentiful
    gw.random.seed(args.seed)
    old = conv_net("old")
    compile_(old, 1e-3)
    order = rng.permutation(np.flatnonzero(y_train < 5))[:args.pretrain]
    old.fit(x_train[order], y_train[order], epochs=args.pretrain_epochs, batch_size=64, verbose=0)
    acc_old = old.evaluate(x_test[y_test < 5], y_test[y_test < 5], verbose=0)[1]
    print(f"Pretrained on {len(order)} images of digits 0-4 ({args.pretrain_epochs} epochs): test accuracy on "
          f"0-4 {acc_old:.4f}.")
    print(f"Digits 5-9, test accuracy on all {len(y_new_test)} test images of 5-9 "
          f"({args.epochs} epochs on the labels, + {max(1, args.epochs // 2)} for fine-tuning or for scratch):\n")
    print(f"  {'labels':>14}  {'from scratch':>12}  {'frozen base + new head':>22}  {'then fine-tuned':>15}")

    for per_class in budgets:
        picked = np.concatenate([rng.choice(np.flatnonzero(y_train == d), per_class, replace=False)
                                 for d in range(5, 10)])
        accs = transfer_vs_scratch(old, x_train[picked], y_train[picked] - 5, x_new_test, y_new_test,
                                   args.epochs, args.seed + 1)
        label = f"{len(picked)} ({per_class}/digit)"
        print(f"  {label:>14}  {accs[0]:>12.4f}  {accs[1]:>22.4f}  {accs[2]:>15.4f}", flush=True)
    print(f"\nFrozen weights stayed bit-identical while the head trained. ({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
