"""The `gradwise` command: train, evaluate, data.

    gradwise train                 the seed's MNIST network (5 epochs, batch 128, rmsprop)
    gradwise evaluate MODEL.gw     test accuracy of a saved model
    gradwise data fetch mnist      download/cache a data set;  gradwise data path
User errors end with a one-line reason and a non-zero exit status, never a traceback.
"""

import argparse
import sys
import time


def _load(dataset):
    import gradwise as gw

    loader = {"mnist": gw.datasets.mnist, "fashion_mnist": gw.datasets.fashion_mnist}[dataset]
    (x_train, y_train), (x_test, y_test) = loader.load_data()
    return (x_train, y_train), (x_test, y_test)


def _mlp(gw):
    return gw.Sequential([gw.layers.Dense(512, activation="relu"), gw.layers.Dense(10, activation="softmax")])


def cmd_train(args):
    import gradwise as gw

    if args.epochs < 1 or args.batch_size < 1:
        raise ValueError("--epochs and --batch-size must be positive integers.")
    gw.random.seed(args.seed)
    (x_train, y_train), (x_test, y_test) = _load(args.dataset)
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255
    model = _mlp(gw)
    optimizer = gw.optimizers.get(args.optimizer)
    if args.learning_rate is not None:
        optimizer.learning_rate = args.learning_rate
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, verbose=args.verbose)
    train_time = time.perf_counter() - start
    loss, acc = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    print(f"test loss: {loss:.4f} - test accuracy: {acc:.4f} (training took {train_time:.1f}s)")
    model.save(args.save)
    print(f"model saved to {args.save}")
    return 0


def cmd_evaluate(args):
    import gradwise as gw

    model = gw.models.load_model(args.model_path)
    (_, _), (x_test, y_test) = _load(args.dataset)
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255
    result = model.evaluate(x_test, y_test, batch_size=1024, verbose=0, return_dict=True)
    print(" - ".join(f"{k}: {v:.4f}" for k, v in result.items()))
    return 0


def cmd_data(args):
    import gradwise as gw

    if args.action == "path":
        print(gw.datasets.cache_dir())
        return 0
    if not args.name:
        raise ValueError("say which data set: gradwise data fetch mnist (or fashion_mnist)")
    module = {"mnist": gw.datasets.mnist, "fashion_mnist": gw.datasets.fashion_mnist}[args.name]
    print(module.fetch())
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="gradwise", description="gradwise: train and inspect neural networks.")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train the seed's MNIST network and save it")
    train.add_argument("--dataset", choices=["mnist", "fashion_mnist"], default="mnist")
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--optimizer", default="rmsprop")
    train.add_argument("--learning-rate", type=float, default=None)
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--verbose", type=lambda v: v if v == "auto" else int(v), default="auto")
    train.add_argument("--save", default="gradwise-model.gw", help="where to save the model (default: %(default)s)")
    train.set_defaults(func=cmd_train)

    ev = sub.add_parser("evaluate", help="evaluate a saved model on the test set")
    ev.add_argument("model_path")
    ev.add_argument("--dataset", choices=["mnist", "fashion_mnist"], default="mnist")
    ev.set_defaults(func=cmd_evaluate)

    data = sub.add_parser("data", help="fetch data sets or show the cache folder")
    data.add_argument("action", choices=["fetch", "path"])
    data.add_argument("name", nargs="?", choices=["mnist", "fashion_mnist"])
    data.set_defaults(func=cmd_data)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("gradwise: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, RuntimeError, KeyError) as exc:
        print(f"gradwise: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
