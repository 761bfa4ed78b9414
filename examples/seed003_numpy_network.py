"""Seed 003 §5: a 64-30-10 sigmoid network on the 8x8 digits, in plain NumPy.

Steps as in the seed: load the 1797 digits, standard-scale the pixels, split
60 % / 40 % into training and test sets, one-hot the labels, train with
full-batch gradient descent (alpha 0.25, 3000 iterations) on the squared
error, print the average cost every --print-every iterations, then the test
accuracy (the seed reports 86 %).

    python examples/seed003_numpy_network.py                 # about 5 s
    python examples/seed003_numpy_network.py --looped        # the seed's per-sample loop (minutes)
    python examples/seed003_numpy_network.py --plot          # cost curve, needs matplotlib
"""

import argparse
import time
from contextlib import nullcontext

import numpy as np

from gradwise.classic import (
    SigmoidNetwork,
    convert_y_to_vect,
    load_digits_flat,
    standard_scale,
    train_test_split,
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--alpha", type=float, default=0.25)
    parser.add_argument("--hidden", type=int, default=30)
    parser.add_argument("--test-size", type=float, default=0.4)
    parser.add_argument("--print-every", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="split and weight initialisation")
    parser.add_argument("--looped", action="store_true", help="use the seed's per-sample loop")
    parser.add_argument("--plot", action="store_true", help="plot the cost curve (matplotlib)")
    args = parser.parse_args(argv)

    X, y = load_digits_flat()
    print("digits:", X.shape, "pixel values", int(X.min()), "..", int(X.max()))

    # 5.1 scale the data: (x - mean) / std per pixel
    X = standard_scale(X)
    print("first scaled image, first 4 pixels:", np.round(X[0, :4], 8))

    # 5.2 training and test sets
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, random_state=args.seed
    )
    print(f"train {len(y_train)} / test {len(y_test)} samples")

    # 5.3 output layer: one-hot targets
    y_v_train = convert_y_to_vect(y_train)
    print("label", y_train[0], "->", y_v_train[0])

    # 5.4 the network and its training
    nn_structure = [64, args.hidden, 10]
    net = SigmoidNetwork(nn_structure, random_state=args.seed)
    print(f"Starting gradient descent for {args.iterations} iterations, structure {nn_structure}")
    try:  # the matrices are small: one BLAS thread beats several competing ones
        from threadpoolctl import threadpool_limits

        one_thread = threadpool_limits(1)
    except ImportError:
        one_thread = nullcontext()
    t0 = time.perf_counter()
    with one_thread:
        net.fit(
            X_train,
            y_v_train,
            iterations=args.iterations,
            alpha=args.alpha,
            looped=args.looped,
            print_every=args.print_every,
        )
    seconds = time.perf_counter() - t0
    print(f"final average cost {net.cost_history_[-1]:.4f}  ({seconds:.1f} s)")

    # 5.5 accuracy on the test set
    accuracy = net.score(X_test, y_test)
    print(f"test accuracy: {accuracy * 100:.1f} %   (seed 003: 86 %)")

    if args.plot:
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            print("--plot needs matplotlib: pip install matplotlib")
        else:
            plt.plot(net.cost_history_)
            plt.ylabel("Average J")
            plt.xlabel("Iteration number")
            plt.show()
    return accuracy


if __name__ == "__main__":
    main()
