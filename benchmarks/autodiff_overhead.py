"""What the autodiff costs on top of the array maths, measured in one process.

(a) One training step of the seed MLP (784-512-10, relu, softmax cross-entropy, batch 128,
    float32): forward and backward through gw.GradientTape against the same maths written
    by hand in NumPy (logits, stable softmax, p - onehot, two GEMM pairs, relu mask). The two
    are run alternately (A, B, A, B, ...) and the medians compared: the ratio gradwise/NumPy
    is the price of the Tensor wrappers, the graph and the backward walk (target <= 1.15).
(b) Per-op overhead in microseconds for a tiny add ((2, 2) + (2, 2)) and a tiny matmul
    ((4, 4) @ (4, 4)), with and without recording a graph node, against NumPy and PyTorch.

    python benchmarks/autodiff_overhead.py                 # about 10 s
    python benchmarks/autodiff_overhead.py --repeats 300 --json bench.json
    python benchmarks/autodiff_overhead.py --profile       # cProfile of the gradwise step

BLAS threads are left at their defaults and printed. tests/autodiff/test_torch_oracle.py
imports `make_problem`, `gradwise_step` and `numpy_step` from this file and checks that
both steps give PyTorch's loss and gradients, so the ratio compares equal maths.
"""

import argparse
import json
import os
import platform
import statistics
from time import perf_counter

import numpy as np

import gradwise as gw

try:
    import torch
except ImportError:  # PyTorch is an optional comparison
    torch = None

SIZES = (784, 512, 10)
NAMES = ("W1", "b1", "W2", "b2")


# --- (a) the seed MLP step, twice ---------------------------------------------------------
def make_problem(batch=128, dtype=np.float32, seed=0):
    """Random MNIST-shaped data and Glorot-uniform weights: x (batch, 784), y (batch,), params."""
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = SIZES
    x = rng.random((batch, n_in)).astype(dtype)
    y = rng.integers(0, n_out, size=batch)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(dtype)

    params = [
        glorot(n_in, n_hidden), rng.uniform(-0.1, 0.1, n_hidden).astype(dtype),
        glorot(n_hidden, n_out), rng.uniform(-0.1, 0.1, n_out).astype(dtype),
    ]
    return x, y, params


def as_variables(params):
    """The parameter arrays as trainable gw.Variables of the same dtype."""
    return [gw.Variable(p, dtype=p.dtype, name=n) for p, n in zip(params, NAMES)]


def gradwise_step(variables, x, y):
    """Mean cross-entropy of the MLP and its gradients with respect to [W1, b1, W2, b2]."""
    w1, b1, w2, b2 = variables
    with gw.GradientTape() as tape:
        h = gw.relu(gw.matmul(x, w1) + b1)
        logits = gw.matmul(h, w2) + b2
        loss = gw.mean(gw.sparse_softmax_cross_entropy_with_logits(y, logits))
    return loss, tape.gradient(loss, variables)


def numpy_step(params, x, y):
    """The same loss and gradients by hand, as an efficient NumPy programmer writes them."""
    w1, b1, w2, b2 = params
    n = x.shape[0]
    rows = np.arange(n)
    z = x @ w1
    z += b1
    h = np.maximum(z, 0)
    logits = h @ w2
    logits += b2
    logits -= logits.max(axis=1, keepdims=True)  # stable softmax
    e = np.exp(logits)
    s = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) - logits[rows, y])
    d = e / s  # softmax p; d loss / d logits = (p - onehot(y)) / n
    d[rows, y] -= 1
    d /= n
    g_w2 = h.T @ d
    g_b2 = d.sum(axis=0)
    dh = d @ w2.T
    dh *= z > 0  # relu mask
    g_w1 = x.T @ dh
    g_b1 = dh.sum(axis=0)
    return loss, [g_w1, g_b1, g_w2, g_b2]


def interleaved(fns, repeats, warmup=5):
    """Seconds per call of each function, run in turn A, B, A, B, ... `repeats` times: a list each."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = perf_counter()
            fn()
            times[name].append(perf_counter() - t0)
    return times


def bench_mlp(repeats):
    x, y, params = make_problem()
    variables = as_variables(params)
    loss_gw, grads_gw = gradwise_step(variables, x, y)
    loss_np, grads_np = numpy_step(params, x, y)
    agree = max(
        float(np.max(np.abs(g.numpy() - n)) / (np.max(np.abs(n)) or 1.0)) for g, n in zip(grads_gw, grads_np)
    )
    times = interleaved(
        {"gradwise": lambda: gradwise_step(variables, x, y), "numpy": lambda: numpy_step(params, x, y)},
        repeats,
    )
    med = {name: statistics.median(ts) for name, ts in times.items()}
    # the ratio of neighbouring runs, as a noise gauge: a busy machine widens its quartiles
    pair = statistics.quantiles([a / b for a, b in zip(times["gradwise"], times["numpy"])], n=4)
    return {
        "gradwise_ms": med["gradwise"] * 1e3,
        "numpy_ms": med["numpy"] * 1e3,
        "ratio": med["gradwise"] / med["numpy"],
        "pair_ratio_quartiles": [pair[0], pair[2]],
        "loss": float(loss_np),
        "loss_gradwise": float(loss_gw),
        "max_relative_grad_difference": agree,
        "repeats": repeats,
    }


# --- (b) per-op overhead ---------------------------------------------------------------
def per_call(fn, number):
    t0 = perf_counter()
    for _ in range(number):
        fn()
    return (perf_counter() - t0) / number


def op_variants(shape_a, shape_b, op):
    """name -> zero-argument function computing op on tiny float32 operands in each library."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(shape_a).astype(np.float32)
    b = rng.standard_normal(shape_b).astype(np.float32)
    ga, gb = gw.constant(a), gw.constant(b)
    ra, rb = gw.Tensor(a, requires_grad=True), gw.Tensor(b, requires_grad=True)
    variants = {
        "numpy": lambda: op(a, b),
        "gradwise": lambda: op(ga, gb),
        "gradwise recorded": lambda: op(ra, rb),
    }
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        qa, qb = ta.clone().requires_grad_(), tb.clone().requires_grad_()
        variants["torch"] = lambda: op(ta, tb)
        variants["torch recorded"] = lambda: op(qa, qb)
    return variants


def bench_ops(repeats, number):
    ops = {
        "add (2,2)+(2,2)": op_variants((2, 2), (2, 2), lambda p, q: p + q),
        "matmul (4,4)@(4,4)": op_variants((4, 4), (4, 4), lambda p, q: p @ q),
    }
    results = {}
    for op_name, variants in ops.items():
        for fn in variants.values():
            per_call(fn, number // 10)  # warm up
        samples = {name: [] for name in variants}
        for _ in range(repeats):
            for name, fn in variants.items():
                samples[name].append(per_call(fn, number))
        results[op_name] = {name: statistics.median(s) * 1e6 for name, s in samples.items()}
    loop = statistics.median(per_call(lambda: None, number) for _ in range(repeats)) * 1e6
    return results, loop


# --- report ------------------------------------------------------------------------------
def thread_counts():
    counts = {}
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info() if i["user_api"] == "blas"]
        counts["numpy_blas"] = ", ".join(blas) or "unknown"
    except ImportError:
        counts["numpy_blas"] = "unknown (pip install threadpoolctl to see it)"
    counts["torch"] = torch.get_num_threads() if torch is not None else "not installed"
    return counts


def profile_step(steps=200):
    import cProfile
    import pstats

    x, y, params = make_problem()
    variables = as_variables(params)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        gradwise_step(variables, x, y)
    profiler.disable()
    print(f"\ncProfile of {steps} gradwise steps (sorted by own time):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(18)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100, help="MLP steps per side (default 100)")
    parser.add_argument("--op-repeats", type=int, default=15, help="timed loops per op variant")
    parser.add_argument("--op-number", type=int, default=2000, help="calls per timed loop")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers to PATH")
    parser.add_argument("--profile", action="store_true", help="cProfile the gradwise step afterwards")
    args = parser.parse_args(argv)

    threads = thread_counts()
    versions = {
        "python": platform.python_version(), "numpy": np.__version__, "gradwise": gw.__version__,
        "torch": torch.__version__ if torch is not None else "not installed",
    }
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"threads:  numpy BLAS {threads['numpy_blas']}; torch {threads['torch']}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:  # other processes on the machine blur every number below
        print(f"load:     {load:.2f} (1-minute average) on {os.cpu_count()} CPUs")

    mlp = bench_mlp(args.repeats)
    print(f"\n(a) seed MLP step 784-512-10, batch 128, float32, forward + backward "
          f"(median of {args.repeats}, interleaved)")
    print(f"    {'gradwise (GradientTape)':<26}{mlp['gradwise_ms']:8.3f} ms")
    print(f"    {'NumPy by hand':<26}{mlp['numpy_ms']:8.3f} ms")
    verdict = "within" if mlp["ratio"] <= 1.15 else "ABOVE"
    q1, q3 = mlp["pair_ratio_quartiles"]
    print(f"    {'ratio gradwise/NumPy':<26}{mlp['ratio']:8.3f}    ({verdict} the 1.15 target; "
          f"run-by-run ratios: quartiles {q1:.2f}-{q3:.2f})")
    print(f"    same maths: loss {mlp['loss']:.6f} vs {mlp['loss_gradwise']:.6f}, "
          f"largest relative gradient difference {mlp['max_relative_grad_difference']:.1e}")

    ops, loop = bench_ops(args.op_repeats, args.op_number)
    columns = ["numpy", "gradwise", "gradwise recorded", "torch", "torch recorded"]
    print(f"\n(b) per-op time in µs (median of {args.op_repeats} loops of {args.op_number} calls; "
          f"each includes ~{loop:.2f} µs of loop and call)")
    print(f"    {'op':<20}" + "".join(f"{c:>19}" for c in columns))
    for op_name, row in ops.items():
        cells = [f"{row[c]:19.2f}" if c in row else f"{'n/a':>19}" for c in columns]
        print(f"    {op_name:<20}" + "".join(cells))
    if torch is None:
        print("    torch not installed: PyTorch columns skipped (pip install torch)")

    if args.json:
        record = {"versions": versions, "threads": threads, "load_average": load, "mlp_step": mlp,
                  "per_op_us": ops, "loop_overhead_us": loop}
        with open(args.json, "w") as f:
            json.dump(record, f, indent=2)
        print(f"\nwrote {args.json}")
    if args.profile:
        profile_step()
    return mlp["ratio"]


if __name__ == "__main__":
    main()
