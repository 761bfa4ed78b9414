"""The small MNIST CNN, one epoch in gradwise against the same network in PyTorch (CPU).

    Conv2D 32 3×3 relu → MaxPooling2D → Conv2D 64 3×3 relu → MaxPooling2D → Flatten
    → Dense 128 relu → Dense 10 softmax;  Adam (lr 1e-3), batch 128, sparse cross-entropy

(a) Whole epochs: gradwise `model.fit` on MNIST (x / 255, shape (N, 28, 28, 1), float32)
    and a plain PyTorch loop (NCHW, nn.Conv2d / nn.MaxPool2d / nn.Linear, CrossEntropyLoss,
    torch.optim.Adam), run alternately in one process (gradwise epoch, torch epoch, ...)
    so that both see the same machine load; medians of s/epoch and of the per-pair ratio
    gradwise/torch (target <= 1.5, goal <= 1.0).
(b) One Conv2D layer alone, forward + backward (gradients of input, kernel and bias):
    (128, 28, 28, 32) → 64 filters 3×3, in both libraries, interleaved.

    python benchmarks/cnn_mnist.py                           # 3 epochs each, full MNIST
    python benchmarks/cnn_mnist.py --subset 12800 --epochs-each 5
    python benchmarks/cnn_mnist.py --subset 6400 --profile   # cProfile of one gradwise epoch
    python benchmarks/cnn_mnist.py --threads 1               # BLAS and torch on one thread each

gradwise asks glibc to reuse freed large blocks when it is imported (gw.backend.keep_freed_memory;
both libraries in this process profit). GRADWISE_KEEP_FREED_MEMORY=0 turns that off, to see
its effect: every large temporary is then a fresh mmap whose pages fault in on first touch.
"""

import argparse
import os
import statistics
from time import perf_counter

import numpy as np

import gradwise as gw
from gradwise.layers import Dense, Flatten
from gradwise.layers.conv import Conv2D
from gradwise.layers.pooling import MaxPooling2D

try:
    import torch
except ImportError:  # PyTorch is an optional comparison
    torch = None

BATCH = 128


def load(subset):
    (x, y), _ = gw.datasets.mnist.load_data()
    if subset:
        x, y = x[:subset], y[:subset]
    x = (x.astype(np.float32) / 255.0)[..., None]
    return x, y.astype(np.int64)


# --- gradwise ----------------------------------------------------------------------------
def gradwise_model(seed=0):
    gw.random.seed(seed)
    model = gw.Sequential([
        Conv2D(32, 3, activation="relu"), MaxPooling2D(),
        Conv2D(64, 3, activation="relu"), MaxPooling2D(),
        Flatten(), Dense(128, activation="relu"), Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=gw.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return model


def gradwise_epoch(model, x, y):
    start = perf_counter()
    history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    return perf_counter() - start, history.history["loss"][-1]


# --- PyTorch -----------------------------------------------------------------------------
def torch_model(seed=0):
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def torch_epoch(model_opt, xt, yt, seed):
    model, opt = model_opt
    loss_fn = torch.nn.CrossEntropyLoss()
    start = perf_counter()
    order = torch.randperm(len(xt), generator=torch.Generator().manual_seed(seed))
    total, count = 0.0, 0
    for i in range(0, len(xt), BATCH):
        idx = order[i:i + BATCH]
        xb, yb = xt[idx], yt[idx]
        loss = loss_fn(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)  # the running loss a progress bar shows, as fit keeps
        count += len(idx)
    return perf_counter() - start, total / count


# --- (b) one Conv2D layer ----------------------------------------------------------------
def single_layer(repeats, shape=(128, 28, 28, 32), filters=64):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape, dtype=np.float32)
    layer = Conv2D(filters, 3)
    layer(x[:1])
    xv = gw.Variable(x)

    def gw_step():
        with gw.GradientTape() as tape:
            out = layer(xv)
        return tape.gradient(out, [xv, layer.kernel, layer.bias])

    fns = {"gradwise": gw_step}
    if torch is not None:
        conv = torch.nn.Conv2d(shape[-1], filters, 3)
        xt = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)

        def torch_step():
            xt.grad = None
            conv.zero_grad(set_to_none=True)
            out = conv(xt)
            out.backward(torch.ones_like(out))

        fns["torch"] = torch_step
    times = {k: [] for k in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(repeats):
        for name, fn in fns.items():
            start = perf_counter()
            fn()
            times[name].append(perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}


def profile_epoch(x, y, lines=25):
    import cProfile
    import pstats

    model = gradwise_model()
    model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)
    profiler = cProfile.Profile()
    profiler.enable()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    profiler.disable()
    print(f"\ncProfile of one gradwise epoch on {len(x)} samples (sorted by own time):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(lines)


def set_threads(n):
    """n threads for NumPy's BLAS (needs threadpoolctl) and for torch; returns a description."""
    said = []
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n, user_api="blas")
        said.append(f"BLAS {n}")
    except ImportError:
        said.append("BLAS unchanged (pip install threadpoolctl)")
    if torch is not None:
        torch.set_num_threads(n)
        said.append(f"torch {n}")
    return ", ".join(said)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-each", type=int, default=3, help="timed epochs per library (default 3)")
    parser.add_argument("--subset", type=int, default=0, help="use the first N training samples (default all)")
    parser.add_argument("--layer-repeats", type=int, default=7, help="timed runs of the single layer")
    parser.add_argument("--profile", action="store_true", help="cProfile one gradwise epoch and exit")
    parser.add_argument("--threads", type=int, default=0, help="threads for BLAS and torch (default: theirs)")
    args = parser.parse_args(argv)
    if args.threads:
        print("threads: " + set_threads(args.threads))
    print(f"freed memory kept for reuse (gw.backend.keep_freed_memory): {gw.backend.freed_memory_kept}")

    x, y = load(args.subset)
    if args.profile:
        profile_epoch(x, y)
        return None
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}"
          f"{f' ({torch.get_num_threads()} threads)' if torch else ''}; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"(a) small CNN, one epoch = {len(x)} samples, batch {BATCH}, interleaved x {args.epochs_each}")

    model = gradwise_model()
    model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    results = {"gradwise": [], "torch": []}
    if torch is not None:
        tmodel = torch_model()
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        yt = torch.from_numpy(y)
        torch_epoch(tmodel, xt[:BATCH * 2], yt[:BATCH * 2], 0)  # warm-up
    for epoch in range(args.epochs_each):
        seconds, loss = gradwise_epoch(model, x, y)
        results["gradwise"].append(seconds)
        line = f"    epoch {epoch + 1}: gradwise {seconds:7.2f} s (loss {loss:.4f})"
        if torch is not None:
            seconds_t, loss_t = torch_epoch(tmodel, xt, yt, epoch)
            results["torch"].append(seconds_t)
            line += f"   torch {seconds_t:7.2f} s (loss {loss_t:.4f})   ratio {seconds / seconds_t:5.2f}"
        print(line, flush=True)
    gw_med = statistics.median(results["gradwise"])
    print(f"    median s/epoch: gradwise {gw_med:.2f}", end="")
    ratio = None
    if torch is not None:
        t_med = statistics.median(results["torch"])
        ratio = statistics.median(a / b for a, b in zip(results["gradwise"], results["torch"]))
        verdict = "goal met" if ratio <= 1.0 else ("within target" if ratio <= 1.5 else "ABOVE target")
        print(f", torch {t_med:.2f}; median ratio gradwise/torch {ratio:.2f} ({verdict}: target 1.5, goal 1.0)")
    else:
        print("  (torch not installed: pip install torch)")

    layer = single_layer(args.layer_repeats)
    print("(b) one Conv2D, (128, 28, 28, 32) -> 64 filters 3x3, forward + backward "
          f"(median of {args.layer_repeats}):")
    print("    " + ",  ".join(f"{k} {v * 1e3:.1f} ms" for k, v in layer.items())
          + (f",  ratio {layer['gradwise'] / layer['torch']:.2f}" if "torch" in layer else ""))
    return ratio


if __name__ == "__main__":
    main()
