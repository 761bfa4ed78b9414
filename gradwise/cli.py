"""The `gradwise` command: train, evaluate, data.

    gradwise train                 the seed's MNIST network (5 epochs, batch 128, rmsprop)
    gradwise train --model cnn     the small CNN (Conv 32 -> pool -> Conv 64 -> pool -> Dense 128 -> 10)
    gradwise train --resume M.gw   continue a saved model's training up to --epochs
    gradwise evaluate MODEL.gw     test accuracy of a saved model
    gradwise data fetch mnist      download/cache a data set;  gradwise data path
    gradwise plot KIND --out F.png a course picture (history, images, activations, ..., graph)
    gradwise reproduce [--full]    check the course's claims (SPEC.md) and print a table
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
    """Seed 000's network: Dense 512 relu -> Dense 10 softmax on flattened images."""
    return gw.Sequential([gw.layers.Dense(512, activation="relu"), gw.layers.Dense(10, activation="softmax")])


def _cnn(gw):
    """The small CNN of examples/mnist_cnn.py, on (28, 28, 1) images."""
    L = gw.layers
    return gw.Sequential([
        L.Input(shape=(28, 28, 1)),
        L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
        L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
        L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax"),
    ])


def _images_for(model_kind, x):
    """uint8 images scaled to [0, 1]: flat rows for the MLP, (N, 28, 28, 1) for the CNN."""
    x = x.astype("float32") / 255
    return x.reshape(len(x), -1) if model_kind == "mlp" else x.reshape(len(x), 28, 28, 1)


def _model_kind(model):
    """'cnn' when the model's first layer wants images, else 'mlp' (for evaluate/resume)."""
    shape = getattr(model, "_build_shape", None)
    return "cnn" if shape is not None and len(shape) == 4 else "mlp"


def cmd_train(args):
    import gradwise as gw

    if args.epochs < 1 or args.batch_size < 1:
        raise ValueError("--epochs and --batch-size must be positive integers.")
    gw.random.seed(args.seed)
    (x_train, y_train), (x_test, y_test) = _load(args.dataset)
    initial_epoch = 0
    if args.resume:
        model = gw.models.load_model(args.resume)
        if getattr(model, "optimizer", None) is None:
            raise ValueError(f"{args.resume} holds no optimizer state (saved uncompiled); it cannot be resumed.")
        kind = _model_kind(model)
        steps = -(-len(x_train) // args.batch_size)
        initial_epoch = model.optimizer.iterations // steps  # epochs already completed
        if initial_epoch >= args.epochs:
            raise ValueError(f"{args.resume} has already been trained for {initial_epoch} epochs; "
                             f"ask for more with --epochs (e.g. --epochs {initial_epoch + 1}).")
        print(f"resuming {args.resume} at epoch {initial_epoch + 1} of {args.epochs}")
    else:
        kind = args.model
        model = _cnn(gw) if kind == "cnn" else _mlp(gw)
        optimizer = gw.optimizers.get(args.optimizer or ("adam" if kind == "cnn" else "rmsprop"))
        if args.learning_rate is not None:
            optimizer.learning_rate = args.learning_rate
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x_train, x_test = _images_for(kind, x_train), _images_for(kind, x_test)
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, verbose=args.verbose,
              initial_epoch=initial_epoch, shuffle=True)
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
    x_test = _images_for(_model_kind(model), x_test)
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


def cmd_plot(args):
    from gradwise.viz import _mpl, kinds

    out = args.out or f"{args.kind}.png"
    try:
        if args.kind in kinds.KINDS:
            _mpl.require().use("Agg")  # files only: never a window, never plt.show()
        note = kinds.plot_to_file(args.kind, out, history=args.history, epochs=args.epochs,
                                  dataset=args.dataset, start=args.start, count=args.count)
    except ImportError as exc:  # matplotlib missing: the message names the install command
        print(f"gradwise: error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.kind} plot saved to {out}" + (f" ({note})" if note else ""))
    return 0


def cmd_reproduce(args):
    from gradwise import reproduce

    return reproduce.main(args)


def build_parser():
    parser = argparse.ArgumentParser(prog="gradwise", description="gradwise: train and inspect neural networks.")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train the seed's MNIST network and save it")
    train.add_argument("--dataset", choices=["mnist", "fashion_mnist"], default="mnist")
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--model", choices=["mlp", "cnn"], default="mlp",
                       help="mlp: seed 000's Dense network; cnn: the small CNN (default: %(default)s)")
    train.add_argument("--optimizer", default=None, help="default: rmsprop for mlp, adam for cnn")
    train.add_argument("--resume", metavar="MODEL.gw", default=None,
                       help="continue training a model saved by `gradwise train` (same --dataset and --batch-size)")
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

    plot = sub.add_parser("plot", help="draw one of the course's pictures to a file (needs matplotlib)",
                          description="KIND is one of: history, images, activations, sigmoid, optimizers, "
                                      "learning-rates, geometry, graph.")
    plot.add_argument("kind", metavar="KIND", help="what to draw (see above)")
    plot.add_argument("--out", default=None, help="the picture file, .png/.svg/.pdf (default: KIND.png)")
    plot.add_argument("--history", metavar="FILE", default=None,
                      help="history: a .json/.csv history (default: train a small network on the digits)")
    plot.add_argument("--epochs", type=int, default=10, help="history: epochs of that small network")
    plot.add_argument("--dataset", choices=["mnist", "fashion_mnist", "digits"], default="mnist",
                      help="images: the data set (default: %(default)s)")
    plot.add_argument("--start", type=int, default=0, help="images: first training image (Fig. 2.2: 4)")
    plot.add_argument("--count", type=int, default=16, help="images: how many (at most 100)")
    plot.set_defaults(func=cmd_plot)

    rep = sub.add_parser("reproduce", help="check the course's claims (SPEC.md) and print a table",
                         description="Recompute every checkable claim of the course (worked examples, tables, "
                                     "trainings) and compare it with the seed's number; exit status 1 if any fails.")
    rep.add_argument("--full", action="store_true",
                     help="also run the long trainings (seed 000 for 5 epochs; the Fashion-MNIST CNN, over an hour)")
    rep.add_argument("--only", action="append", metavar="NAME",
                     help="run only these claims (repeatable, comma lists and globs such as 'mnist-*')")
    rep.add_argument("--list", action="store_true", help="list the claims and exit")
    rep.add_argument("--json", metavar="PATH", default=None, help="also write the rows to this JSON file")
    rep.add_argument("--threads", type=int, default=1,
                     help="BLAS threads while the claims run; 0 leaves BLAS alone (default: %(default)s)")
    rep.set_defaults(func=cmd_reproduce)
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
