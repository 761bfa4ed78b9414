"""Seed 000's MNIST network, one epoch at a time, three ways in one process:

  gradwise   model.fit(...) of Sequential([Dense(512, relu), Dense(10, softmax)]), RMSprop
  numpy      the same maths as a hand-written NumPy loop (the bar gradwise must meet)
  torch      the same network and optimizer in PyTorch on the CPU (if installed)

Same data, batch 128, shuffled each epoch, loss and accuracy tracked in all three.
Epochs are interleaved (gradwise, numpy, torch, gradwise, ...) so machine noise hits all
alike; the medians and the ratios are printed. `--memory` also runs one epoch of each in a
fresh subprocess and reports its peak resident memory.

    python benchmarks/mlp_mnist.py [--repeats 3] [--subset 60000] [--memory] [--json out.json]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

BATCH = 128
LR, RHO, EPS = 1e-3, 0.9, 1e-7


def load(subset):
    import gradwise as gw

    (x, y), _ = gw.datasets.mnist.load_data()
    x = x[:subset].reshape(-1, 784).astype(np.float32) / 255
    return x, y[:subset].astype(np.int64)


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def make_gradwise(x, y):
    import gradwise as gw

    gw.random.seed(0)
    model = gw.Sequential([gw.layers.Dense(512, activation="relu"), gw.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    def epoch():
        h = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        return h.history["loss"][-1], h.history["accuracy"][-1]

    return epoch


def make_numpy(x, y):
    rng = np.random.default_rng(0)
    params = [glorot(rng, 784, 512), np.zeros(512, np.float32), glorot(rng, 512, 10), np.zeros(10, np.float32)]
    velocity = [np.zeros_like(p) for p in params]
    n = len(x)

    def epoch():
        order = rng.permutation(n)
        loss_sum = correct = 0.0
        w1, b1, w2, b2 = params
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            xb, yb = x[idx], y[idx]
            m = len(idx)
            h = xb @ w1
            h += b1
            np.maximum(h, 0, out=h)
            z = h @ w2
            z += b2
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            rows = np.arange(m)
            loss_sum += -np.log(np.maximum(p[rows, yb], 1e-30)).sum()
            correct += (p.argmax(axis=1) == yb).sum()
            d = p
            d[rows, yb] -= 1
            d /= m
            grads = [None, None, h.T @ d, d.sum(axis=0)]
            dh = d @ w2.T
            dh *= h > 0
            grads[0], grads[1] = xb.T @ dh, dh.sum(axis=0)
            for param, grad, v in zip(params, grads, velocity):
                v *= RHO
                v += (1 - RHO) * grad * grad
                param -= LR * grad / np.sqrt(v + EPS)
        return loss_sum / n, correct / n

    return epoch


def make_torch(x, y):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    opt = torch.optim.RMSprop(model.parameters(), lr=LR, alpha=RHO, eps=EPS)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    n = len(x)

    def epoch():
        order = torch.randperm(n)
        loss_sum = correct = 0.0
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            xb, yb = xt[idx], yt[idx]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        return loss_sum / n, correct / n

    return epoch


MAKERS = {"gradwise": make_gradwise, "numpy": make_numpy, "torch": make_torch}


def peak_memory(name, subset):
    """Peak memory (MB) allocated through NumPy/Python during one epoch of `name`, measured with
    tracemalloc in a fresh process after the data is loaded (PyTorch's own allocator is not traced)."""
    here = str(__file__.rsplit("/", 1)[0])
    code = (f"import sys, tracemalloc; sys.path.insert(0, {here!r}); import mlp_mnist as b; "
            f"x, y = b.load({subset}); e = b.MAKERS[{name!r}](x, y); e(); "
            "tracemalloc.start(); e(); print(tracemalloc.get_traced_memory()[1] / 2**20)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(out.stdout.split()[-1]) if out.returncode == 0 else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per implementation")
    parser.add_argument("--subset", type=int, default=60000, help="training samples used")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory per implementation")
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args()

    x, y = load(args.subset)
    epochs = {name: make(x, y) for name, make in MAKERS.items()}
    epochs = {k: v for k, v in epochs.items() if v is not None}
    for fn in epochs.values():  # warm-up: first-touch allocations, BLAS start-up
        fn()
    times = {k: [] for k in epochs}
    results = {}
    for _ in range(args.repeats):
        for name, fn in epochs.items():
            start = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - start)

    med = {k: statistics.median(v) for k, v in times.items()}
    threads = ""
    if "torch" in epochs:
        import torch

        threads = f", torch threads {torch.get_num_threads()}"
    print(f"MNIST MLP 784-512-10, batch {BATCH}, RMSprop, {len(x)} samples/epoch, "
          f"{args.repeats} interleaved epochs each{threads}")
    print(f"{'':10} {'s/epoch':>9} {'min':>7} {'max':>7}   last-epoch loss / accuracy")
    for name in epochs:
        loss, acc = results[name]
        print(f"{name:10} {med[name]:9.3f} {min(times[name]):7.3f} {max(times[name]):7.3f}   {loss:.4f} / {acc:.4f}")
    print(f"gradwise / numpy = {med['gradwise'] / med['numpy']:.3f}")
    if "torch" in med:
        print(f"gradwise / torch = {med['gradwise'] / med['torch']:.3f}")
    report = {"seconds_per_epoch": med, "all_times": times}
    if args.memory:
        print("peak memory allocated during one epoch (MB, tracemalloc; torch's allocator is not traced)")
        for name in epochs:
            mem = peak_memory(name, args.subset)
            print(f"  {name:10} " + ("failed" if mem is None else f"{mem:8.1f}"))
            report.setdefault("peak_memory_mb", {})[name] = mem
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
