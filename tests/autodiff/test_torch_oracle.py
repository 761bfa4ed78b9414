"""Every op against PyTorch, an independent oracle (tinygrad's test_ops, micrograd's test_engine).

`helper_test_op` feeds the same inputs to a gradwise function and to a PyTorch function,
backpropagates the scalar (out * w).sum() through both, with w a fixed random array of the
output's shape (so every output element has its own upstream gradient, not just 1), and
compares the forward values and the gradient of every input. It runs three ways:

    float64, Tensor(requires_grad=True) + loss.backward()     tight tolerance (rtol 1e-7)
    float32, the same                                         loose tolerance (rtol 2e-4)
    float64, gw.Variable + GradientTape.gradient              the TensorFlow front door

Inputs are kept off kinks except where a kink is the point: the tie cases (relu at 0,
abs at 0, maximum/minimum of equal values, max/min reductions with repeated extremes,
clip at its bounds, leaky_relu/elu at 0, hard_sigmoid at +-3) are built with exact ties and
must follow PyTorch's conventions.

PyTorch is optional: the module is skipped when it is not installed (CI installs it).
"""

import importlib.util
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import gradwise as gw  # noqa: E402

TOLERANCE = {"float64": dict(rtol=1e-7, atol=1e-10), "float32": dict(rtol=2e-4, atol=2e-5)}
RUNS = [("float64", "backward"), ("float32", "backward"), ("float64", "tape")]


def helper_test_op(inputs, gw_fn, torch_fn=None, *, dtype="float64", front="backward", rtol=None, atol=None):
    """Run gw_fn and torch_fn (gw_fn itself when None) on `inputs` and compare values and gradients.

    inputs: NumPy arrays; each becomes a float tensor of `dtype` that requires a gradient.
    Non-differentiable operands (labels, masks, indices) belong inside the lambdas.
    front: "backward" (Tensor(requires_grad=True), .backward()) or "tape" (Variables, GradientTape).
    Returns how many inputs had a gradient in PyTorch, each found equal in gradwise.
    """
    torch_fn = gw_fn if torch_fn is None else torch_fn
    tol = dict(TOLERANCE[dtype])
    tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    arrays = [np.asarray(a, dtype=dtype) for a in inputs]

    # the oracle
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    t_out = torch_fn(*t_in)
    w = np.random.default_rng(7).standard_normal(tuple(t_out.shape)).astype(str(t_out.dtype)[6:])
    (t_out * torch.from_numpy(w)).sum().backward()

    # gradwise
    if front == "backward":
        g_in = [gw.Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
        g_out = gw_fn(*g_in)
        (g_out * w).sum().backward()
        g_grads = [t.grad for t in g_in]
    else:
        g_in = [gw.Variable(a, dtype=dtype) for a in arrays]
        with gw.GradientTape() as tape:
            g_out = gw_fn(*g_in)
            loss = (g_out * w).sum()
        g_grads = tape.gradient(loss, g_in)

    t_val = t_out.detach().numpy()
    assert g_out.shape == t_val.shape, f"forward shape: gradwise {g_out.shape}, torch {t_val.shape}"
    assert g_out.dtype == t_val.dtype, f"forward dtype: gradwise {g_out.dtype}, torch {t_val.dtype}"
    np.testing.assert_allclose(g_out.numpy(), t_val, err_msg="forward values differ", **tol)
    matched = 0
    for i, (t, g) in enumerate(zip(t_in, g_grads)):
        if t.grad is None:  # torch: the output does not depend on this input
            assert g is None or not np.any(g.numpy()), f"input {i}: gradwise has a gradient, torch none"
            continue
        assert g is not None, f"input {i}: torch has a gradient, gradwise gave None"
        assert g.shape == t.shape and g.dtype == arrays[i].dtype, (
            f"input {i}: gradient {g.shape} {g.dtype}, input {tuple(t.shape)} {arrays[i].dtype}"
        )
        np.testing.assert_allclose(g.numpy(), t.grad.numpy(), err_msg=f"gradient of input {i} differs", **tol)
        matched += 1
    return matched


# --- inputs ---------------------------------------------------------------------------------
rng = np.random.default_rng(2024)


def r(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def pos(*shape):
    return rng.uniform(0.5, 2.0, size=shape)


def off_zero(*shape):
    """|x| in [0.3, 2] with random signs: away from the kink at 0."""
    return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def with_zeros(*shape):
    """Random values with exact zeros in a few places (the kink of relu, abs, sign, ...)."""
    x = off_zero(*shape).ravel()
    x[:: 3] = 0.0
    return x.reshape(shape)


def small_ints(*shape, k=3):
    """Integers 0..k-1 as floats: many exact ties."""
    return rng.integers(0, k, size=shape).astype(float)


def tkey(key):
    """A NumPy index key in the form PyTorch takes (arrays become tensors)."""
    if isinstance(key, tuple):
        return tuple(tkey(k) for k in key)
    if isinstance(key, np.ndarray):
        return torch.from_numpy(key)
    return key


def dims(axis, ndim):
    """gradwise's axis argument as PyTorch's dim (None -> every axis)."""
    return tuple(range(ndim)) if axis is None else axis


def torch_prod(x, axis, keepdims):
    """torch.prod reduces one dim at a time; reduce several by moving them to the end."""
    axes = sorted(a % x.ndim for a in ((axis,) if isinstance(axis, int) else dims(axis, x.ndim)))
    rest = [i for i in range(x.ndim) if i not in axes]
    out = x.permute(rest + axes).reshape([x.shape[i] for i in rest] + [-1]).prod(-1)
    return out.reshape([1 if i in axes else n for i, n in enumerate(x.shape)]) if keepdims else out


def case(name, inputs, gw_fn, torch_fn=None, **tol):
    return pytest.param(inputs, gw_fn, torch_fn, tol, id=name)


BROADCAST = [((4, 3), (3,)), ((2, 1, 3), (4, 1)), ((), (2, 2)), ((3,), (2, 3)), ((2, 3), (2, 3)), ((), ())]
BINARY = [
    ("add", gw.add, torch.add, r, r),
    ("subtract", gw.subtract, torch.sub, r, r),
    ("multiply", gw.multiply, torch.mul, r, r),
    ("divide", gw.divide, torch.div, r, off_zero),
    ("power", gw.power, torch.pow, pos, r),
]
ELEMENTWISE = [
    case(f"{name}{a}{b}", [make_a(*a), make_b(*b)], g, t)
    for name, g, t, make_a, make_b in BINARY
    for a, b in BROADCAST
]

OPERATORS = [
    case("x+y", [r(4, 3), r(3)], lambda x, y: x + y),
    case("x-y", [r(2, 1, 3), r(4, 1)], lambda x, y: x - y),
    case("x*y", [r(2, 3), r(2, 1)], lambda x, y: x * y),
    case("x/y", [r(2, 3), off_zero(3)], lambda x, y: x / y),
    case("x**y", [pos(2, 3), r(3)], lambda x, y: x**y),
    case("-x", [r(3, 2)], lambda x: -x),
    case("abs(x)", [with_zeros(3, 4)], lambda x: abs(x)),
    case("2-x", [r(3)], lambda x: 2.0 - x),
    case("x/3", [r(3)], lambda x: x / 3.0),
    case("2/x", [off_zero(4)], lambda x: 2.0 / x),
    case("1.5*x+1", [r(2, 2)], lambda x: 1.5 * x + 1.0),
    case("2**x", [r(4)], lambda x: 2.0**x),
    case("x**2", [r(3, 4)], lambda x: x**2),
    case("x**3", [r(3, 4)], lambda x: x**3),
    case("x**-0.5", [pos(5)], lambda x: x**-0.5),
    case("x**1.5", [pos(3, 2)], lambda x: x**1.5),
    # d(x^y)/dy at x = 0 is 0 for y >= 0 (PyTorch masks the log 0)
    case("pow-base-zero", [np.array([0.0, 0.5, 0.0, 2.0]), np.array([2.0, 1.5, 1.5, 3.0])], gw.power, torch.pow),
    case("x**0", [np.array([0.0, 1.5, -2.0])], lambda x: x**0),
    case("x@y", [r(3, 4), r(4, 2)], lambda x, y: x @ y),
    case("x.T", [r(3, 4)], lambda x: x.T),
    case("x[1:,::2]", [r(4, 5)], lambda x: x[1:, ::2]),
    # the same tensor used twice: both contributions reach it (the chain rule sums them)
    case("x*x+exp(x)*x", [r(3)], lambda x: x * x + gw.exp(x) * x, lambda x: x * x + torch.exp(x) * x),
    case("(x+y)*(x-y)/y", [r(2, 3), off_zero(3)], lambda x, y: (x + y) * (x - y) / y),
]

UNARY = [
    case("negative", [r(3, 2)], gw.negative, torch.neg),
    case("square", [r(3, 4)], gw.square, torch.square),
    case("sqrt", [pos(3, 4)], gw.sqrt, torch.sqrt),
    case("exp", [r(3, 4)], gw.exp, torch.exp),
    case("exp-0d", [r()], gw.exp, torch.exp),
    case("log", [pos(3, 4)], gw.log, torch.log),
    case("log1p", [r(3, 4, lo=-0.9, hi=3.0)], gw.log1p, torch.log1p),
    case("abs-at-0", [with_zeros(3, 4)], gw.abs, torch.abs),
    case("sign-at-0", [with_zeros(3, 4)], gw.sign, torch.sign),
    case("clip-at-bounds", [np.array([-1.7, -1.0, -0.5, 0.0, 0.9, 1.0, 1.6])],
         lambda x: gw.clip(x, -1.0, 1.0), lambda x: torch.clamp(x, -1.0, 1.0)),
    case("clip-2d", [r(3, 4)], lambda x: gw.clip(x, -0.5, 0.7), lambda x: torch.clamp(x, -0.5, 0.7)),
    case("maximum-ties", [np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]), np.array([2.0, 2.0, 2.0])],
         gw.maximum, torch.maximum),
    case("minimum-ties", [np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]), np.array([2.0, 2.0, 2.0])],
         gw.minimum, torch.minimum),
    case("maximum-ties(2,1,3)(4,1)", [small_ints(2, 1, 3), small_ints(4, 1)], gw.maximum, torch.maximum),
    case("minimum-ties(2,1,3)(4,1)", [small_ints(2, 1, 3), small_ints(4, 1)], gw.minimum, torch.minimum),
    case("maximum(4,3)(3,)", [r(4, 3), r(3)], gw.maximum, torch.maximum),
    case("minimum(4,3)(3,)", [r(4, 3), r(3)], gw.minimum, torch.minimum),
    case("where(2,3)(3,)", [r(2, 3), r(3)],
         lambda x, y: gw.where(np.array([[True, False, True], [False, False, True]]), x, y),
         lambda x, y: torch.where(torch.tensor([[True, False, True], [False, False, True]]), x, y)),
    case("where-broadcast-cond", [r(1, 4), r(3, 1)],
         lambda x, y: gw.where(np.array([[True], [False], [True]]), x, y),
         lambda x, y: torch.where(torch.tensor([[True], [False], [True]]), x, y)),
    case("cast-f32", [r(2, 3)], lambda x: gw.cast(x, "float32"), lambda x: x.to(torch.float32), rtol=1e-6),
    case("cast-f64", [r(2, 3)], lambda x: gw.cast(x, "float64"), lambda x: x.to(torch.float64)),
]

LINALG = [
    case("matmul(3,4)(4,5)", [r(3, 4), r(4, 5)], gw.matmul, torch.matmul),
    case("matmul(4,)(4,5)", [r(4), r(4, 5)], gw.matmul, torch.matmul),
    case("matmul(3,4)(4,)", [r(3, 4), r(4)], gw.matmul, torch.matmul),
    case("matmul(4,)(4,)", [r(4), r(4)], gw.matmul, torch.matmul),
    case("matmul(2,3,4)(4,5)", [r(2, 3, 4), r(4, 5)], gw.matmul, torch.matmul),
    case("matmul(2,3,4)(2,4,5)", [r(2, 3, 4), r(2, 4, 5)], gw.matmul, torch.matmul),
    case("matmul(2,1,3,4)(5,4,2)", [r(2, 1, 3, 4), r(5, 4, 2)], gw.matmul, torch.matmul),
    case("matmul(4,)(2,4,3)", [r(4), r(2, 4, 3)], gw.matmul, torch.matmul),
    case("matmul(2,3,4)(4,)", [r(2, 3, 4), r(4)], gw.matmul, torch.matmul),
    case("dot(3,4)(4,5)", [r(3, 4), r(4, 5)], gw.dot, torch.matmul),
    case("dot(4,)(4,)", [r(4), r(4)], gw.dot, torch.dot),
    case("dot(2,3,4,5)(5,)", [r(2, 3, 4, 5), r(5)], gw.dot, lambda x, y: torch.tensordot(x, y, dims=([3], [0]))),
    case("dot(2,3,4,5)(5,6)", [r(2, 3, 4, 5), r(5, 6)], gw.dot, lambda x, y: torch.tensordot(x, y, dims=([3], [0]))),
    case("dot(2,3,4,5)(3,5,2)", [r(2, 3, 4, 5), r(3, 5, 2)], gw.dot,
         lambda x, y: torch.tensordot(x, y, dims=([3], [1]))),
    case("tensordot-axes2", [r(2, 3, 4, 5), r(4, 5, 6)],
         lambda x, y: gw.tensordot(x, y, axes=2), lambda x, y: torch.tensordot(x, y, dims=2)),
    case("tensordot-axes1", [r(2, 3, 4, 5), r(5, 3)],
         lambda x, y: gw.tensordot(x, y, axes=1), lambda x, y: torch.tensordot(x, y, dims=1)),
    case("tensordot-unordered", [r(2, 3, 4, 5), r(5, 7, 3)],
         lambda x, y: gw.tensordot(x, y, axes=([1, 3], [2, 0])),
         lambda x, y: torch.tensordot(x, y, dims=([1, 3], [2, 0]))),
    case("tensordot-negative-axes", [r(2, 3, 4, 5), r(4, 6, 2)],
         lambda x, y: gw.tensordot(x, y, axes=([-2, 0], [0, -1])),
         lambda x, y: torch.tensordot(x, y, dims=([2, 0], [0, 2]))),
    case("tensordot-full", [r(2, 3, 4, 5), r(5, 4, 3, 2)],
         lambda x, y: gw.tensordot(x, y, axes=([0, 1, 2, 3], [3, 2, 1, 0])),
         lambda x, y: torch.tensordot(x, y, dims=([0, 1, 2, 3], [3, 2, 1, 0]))),
    case("affine(5,3)", [r(5, 3), r(3, 4), r(4)], gw.affine, lambda x, w, b: x @ w + b),
    case("affine(2,5,3)", [r(2, 5, 3), r(3, 4), r(4)], gw.affine, lambda x, w, b: x @ w + b),
    case("tensordot-outer", [r(2, 3), r(4)],
         lambda x, y: gw.tensordot(x, y, axes=0), lambda x, y: torch.tensordot(x, y, dims=0)),
]

MOVEMENT = [
    case("reshape(6,4)", [r(2, 3, 4)], lambda x: gw.reshape(x, (6, 4)), lambda x: x.reshape(6, 4)),
    case("reshape(4,-1,2)", [r(2, 3, 4)], lambda x: gw.reshape(x, (4, -1, 2)), lambda x: x.reshape(4, -1, 2)),
    case("reshape-0d", [r()], lambda x: gw.reshape(x, (1, 1)), lambda x: x.reshape(1, 1)),
    case("x.reshape", [r(2, 6)], lambda x: x.reshape(3, 4)),
    case("transpose", [r(2, 3, 4)], gw.transpose, lambda x: x.permute(2, 1, 0)),
    case("transpose(1,2,0)", [r(2, 3, 4)], lambda x: gw.transpose(x, (1, 2, 0)), lambda x: x.permute(1, 2, 0)),
    case("transpose(-1,0,1)", [r(2, 3, 4)], lambda x: gw.transpose(x, (-1, 0, 1)), lambda x: x.permute(2, 0, 1)),
    case("expand_dims(0)", [r(3, 4)], lambda x: gw.expand_dims(x, 0), lambda x: x.unsqueeze(0)),
    case("expand_dims(-1)", [r(3, 4)], lambda x: gw.expand_dims(x, -1), lambda x: x.unsqueeze(-1)),
    case("squeeze", [r(1, 3, 1, 2)], gw.squeeze, torch.squeeze),
    case("squeeze(2)", [r(1, 3, 1, 2)], lambda x: gw.squeeze(x, 2), lambda x: torch.squeeze(x, 2)),
    case("squeeze(0,2)", [r(1, 3, 1, 2)], lambda x: gw.squeeze(x, (0, 2)), lambda x: torch.squeeze(x, (0, 2))),
    case("flatten", [r(2, 3, 4)], gw.flatten, torch.flatten),
    case("concatenate-0", [r(2, 3), r(4, 3)], lambda a, b: gw.concatenate([a, b], 0), lambda a, b: torch.cat([a, b], 0)),
    case("concatenate-1", [r(2, 3), r(2, 1), r(2, 2)],
         lambda a, b, c: gw.concatenate([a, b, c, a], axis=1), lambda a, b, c: torch.cat([a, b, c, a], 1)),
    case("concatenate-(-1)", [r(2, 2, 3), r(2, 2, 1)],
         lambda a, b: gw.concatenate([a, b], axis=-1), lambda a, b: torch.cat([a, b], -1)),
    case("stack-0", [r(2, 3), r(2, 3), r(2, 3)], lambda *xs: gw.stack(list(xs)), lambda *xs: torch.stack(xs)),
    case("stack-1", [r(2, 3), r(2, 3)], lambda a, b: gw.stack([a, b, a], 1), lambda a, b: torch.stack([a, b, a], 1)),
    case("stack-(-1)", [r(2, 3), r(2, 3)], lambda a, b: gw.stack([a, b], -1), lambda a, b: torch.stack([a, b], -1)),
    case("pad-2d", [r(2, 3)], lambda x: gw.pad(x, ((1, 2), (0, 1))), lambda x: F.pad(x, (0, 1, 1, 2))),
    case("pad-3d", [r(2, 3, 2)], lambda x: gw.pad(x, ((0, 0), (1, 1), (2, 0))), lambda x: F.pad(x, (2, 0, 1, 1, 0, 0))),
    case("pad-value", [r(2, 2)], lambda x: gw.pad(x, ((1, 1), (1, 1)), constant_values=3.0),
         lambda x: F.pad(x, (1, 1, 1, 1), value=3.0)),
]

KEYS = {
    "int": 1,
    "slice": slice(1, 3),
    "step": (slice(None), slice(None, None, 2)),
    "ellipsis": (Ellipsis, 1),
    "newaxis": (None, slice(1, None)),
    "negative-int": (-1, slice(None), 1),
    "repeated-ints": np.array([0, 2, 0, 0]),
    "repeated-2d-ints": np.array([[0, 1], [1, 1]]),
    "repeated-pairs": (np.array([0, 1, 1, 1]), np.array([2, 2, 2, 0])),
    "slice+repeated": (slice(None), np.array([1, 1, 0])),
    "int+repeated": (np.array([2, 2]), 1),
    "bool-mask": (np.arange(12).reshape(3, 4) % 3 == 0),
    "bool-rows": np.array([True, False, True]),
    "bool-none": np.zeros(3, dtype=bool),
}
INDEXING = [
    case(f"getitem-{name}", [r(3, 4, 2)[..., 0] if name == "bool-mask" else r(3, 4, 2)],
         lambda x, k=key: x[k], lambda x, k=tkey(key): x[k])
    for name, key in KEYS.items()
] + [
    case("gw.getitem-repeated", [r(5, 2)],
         lambda x: gw.getitem(x, np.array([4, 4, 1])), lambda x: x[torch.tensor([4, 4, 1])]),
]

AXES = [(None, False), (None, True), (0, False), (-1, True), ((0, 2), False), ((0, 2), True), ((1, -1), False)]
REDUCTIONS = []
for axis, keep in AXES:
    tag = f"axis={axis},keepdims={keep}"
    d = dims(axis, 3)
    REDUCTIONS += [
        case(f"sum-{tag}", [r(2, 3, 4)], lambda x, a=axis, k=keep: gw.sum(x, a, k),
             lambda x, a=d, k=keep: torch.sum(x, a, keepdim=k)),
        case(f"mean-{tag}", [r(2, 3, 4)], lambda x, a=axis, k=keep: gw.mean(x, a, k),
             lambda x, a=d, k=keep: torch.mean(x, a, keepdim=k)),
        case(f"max-ties-{tag}", [small_ints(2, 3, 4)], lambda x, a=axis, k=keep: gw.max(x, a, k),
             lambda x, a=d, k=keep: torch.amax(x, a, keepdim=k)),
        case(f"min-ties-{tag}", [small_ints(2, 3, 4)], lambda x, a=axis, k=keep: gw.min(x, a, k),
             lambda x, a=d, k=keep: torch.amin(x, a, keepdim=k)),
        case(f"prod-{tag}", [r(2, 3, 4, lo=0.5, hi=1.5) * rng.choice([-1.0, 1.0], (2, 3, 4))],
             lambda x, a=axis, k=keep: gw.prod(x, a, k), lambda x, a=axis, k=keep: torch_prod(x, a, k)),
        case(f"var-{tag}", [r(2, 3, 4)], lambda x, a=axis, k=keep: gw.var(x, a, k),
             lambda x, a=d, k=keep: torch.var(x, a, correction=0, keepdim=k)),
        case(f"std-{tag}", [r(2, 3, 4)], lambda x, a=axis, k=keep: gw.std(x, a, k),
             lambda x, a=d, k=keep: torch.std(x, a, correction=0, keepdim=k)),
        case(f"logsumexp-{tag}", [r(2, 3, 4)], lambda x, a=axis, k=keep: gw.logsumexp(x, a, k),
             lambda x, a=d, k=keep: torch.logsumexp(x, a, keepdim=k)),
    ]
ZEROS_PROD = np.array([[0.0, 2.0, 3.0, 0.5], [0.0, 0.0, 1.5, 2.0], [1.0, -2.0, 0.5, 3.0]])
REDUCTIONS += [
    case("prod-one-zero", [ZEROS_PROD], lambda x: gw.prod(x, axis=1), lambda x: torch.prod(x, 1)),
    case("prod-zeros-all", [ZEROS_PROD[[0, 2]]], gw.prod, torch.prod),
    case("sum-0d", [r()], gw.sum, torch.sum),
    case("max-0d", [r()], gw.max, torch.amax),
    case("max-all-equal", [np.full((2, 3), 1.5)], lambda x: gw.max(x, axis=1), lambda x: torch.amax(x, 1)),
    case("max-distinct", [r(3, 4)], lambda x: gw.max(x, 0), lambda x: torch.amax(x, 0)),
    case("var-ddof1", [r(4, 3)], lambda x: gw.var(x, axis=0, ddof=1), lambda x: torch.var(x, 0, correction=1)),
    case("std-ddof1", [r(4, 3)], lambda x: gw.std(x, axis=1, ddof=1), lambda x: torch.std(x, 1, correction=1)),
    case("x.sum(axis)", [r(2, 3, 4)], lambda x: x.sum(axis=(0, 1)), lambda x: x.sum(dim=(0, 1))),
    case("x.max()", [small_ints(3, 4)], lambda x: x.max(), lambda x: x.amax()),
    case("reduce_mean", [r(3, 4)], lambda x: gw.reduce_mean(x, axis=1, keepdims=True),
         lambda x: x.mean(1, keepdim=True)),
    case("logsumexp-large", [r(3, 4) * 400], lambda x: gw.logsumexp(x, axis=1), lambda x: torch.logsumexp(x, 1)),
]

XS = r(3, 5)
KINKS = np.array([-3.5, -3.0, -1.0, 0.0, 0.0, 0.5, 3.0, 4.0])
ACTIVATIONS = [
    case("sigmoid", [r(3, 4, lo=-8, hi=8)], gw.sigmoid, torch.sigmoid),
    case("tanh", [r(3, 4)], gw.tanh, torch.tanh),
    case("relu-at-0", [with_zeros(3, 4)], gw.relu, torch.relu),
    case("relu-max_value-at-0-and-6", [np.array([-1.0, 0.0, 0.5, 3.0, 6.0, 7.0])],
         lambda x: gw.relu(x, max_value=6.0), F.relu6),
    case("relu-threshold-at-threshold", [np.array([-1.0, 0.0, 0.3, 0.5, 3.0])],
         lambda x: gw.relu(x, threshold=0.5), lambda x: F.threshold(x, 0.5, 0.0)),
    case("leaky_relu-at-0", [with_zeros(3, 4)], gw.leaky_relu, lambda x: F.leaky_relu(x, 0.2)),
    case("leaky_relu-0.01", [with_zeros(5)], lambda x: gw.leaky_relu(x, 0.01), lambda x: F.leaky_relu(x, 0.01)),
    case("relu-negative_slope", [off_zero(3, 4)], lambda x: gw.relu(x, negative_slope=0.1),
         lambda x: F.leaky_relu(x, 0.1)),
    case("elu-at-0", [with_zeros(3, 4)], gw.elu, F.elu),
    case("elu-alpha1.5-at-0", [with_zeros(5)], lambda x: gw.elu(x, 1.5), lambda x: F.elu(x, 1.5)),
    case("selu-at-0", [with_zeros(3, 4)], gw.selu, F.selu),
    case("gelu", [XS], gw.gelu, F.gelu),
    case("gelu-tanh", [XS], lambda x: gw.gelu(x, approximate=True), lambda x: F.gelu(x, approximate="tanh")),
    case("softplus", [r(3, 4, lo=-10, hi=10)], gw.softplus, F.softplus),
    case("softsign", [with_zeros(3, 4)], gw.softsign, F.softsign),
    case("arctan", [r(3, 4)], gw.arctan, torch.atan),
    case("isru", [r(3, 4)], gw.isru, lambda x: x / torch.sqrt(1 + x * x)),
    case("isru-0.3", [r(5)], lambda x: gw.isru(x, 0.3), lambda x: x / torch.sqrt(1 + 0.3 * x * x)),
    case("swish", [r(3, 4, lo=-6, hi=6)], gw.swish, F.silu),
    case("silu", [r(3, 4)], gw.silu, F.silu),
    case("hard_sigmoid-at-3", [KINKS], gw.hard_sigmoid, F.hardsigmoid),
    case("linear", [r(3, 2)], gw.linear, lambda x: x),
    # torch.heaviside has no derivative; + 0 * x gives PyTorch's graph the (zero) gradient
    case("binary_step-at-0", [with_zeros(6)], gw.binary_step, lambda x: (x >= 0).to(x.dtype) + 0 * x),
    case("softmax", [r(3, 4)], gw.softmax, lambda x: torch.softmax(x, -1)),
    case("softmax-axis0", [r(2, 3, 4)], lambda x: gw.softmax(x, axis=0), lambda x: torch.softmax(x, 0)),
    case("softmax-axis1", [r(2, 3, 4)], lambda x: gw.softmax(x, axis=1), lambda x: torch.softmax(x, 1)),
    case("softmax-large", [r(2, 5) * 500], gw.softmax, lambda x: torch.softmax(x, -1)),
    case("log_softmax", [r(3, 4)], gw.log_softmax, lambda x: torch.log_softmax(x, -1)),
    case("log_softmax-axis1", [r(2, 3, 4)], lambda x: gw.log_softmax(x, axis=1), lambda x: torch.log_softmax(x, 1)),
    case("log_softmax-large", [r(2, 5) * 500], gw.log_softmax, lambda x: torch.log_softmax(x, -1)),
]

LABELS_2D = np.array([0, 3, 1, 1, 2])
LABELS_3D = np.array([[0, 2, 1], [3, 3, 0]])
FUSED = [
    case("sparse_ce(5,4)", [r(5, 4)],
         lambda z: gw.sparse_softmax_cross_entropy_with_logits(LABELS_2D, z),
         lambda z: F.cross_entropy(z, torch.from_numpy(LABELS_2D), reduction="none")),
    case("sparse_ce(2,3,4)", [r(2, 3, 4)],
         lambda z: gw.sparse_softmax_cross_entropy_with_logits(LABELS_3D, z),
         lambda z: F.cross_entropy(z.permute(0, 2, 1), torch.from_numpy(LABELS_3D), reduction="none")),
    case("sparse_ce-large-logits", [r(5, 4) * 300],
         lambda z: gw.sparse_softmax_cross_entropy_with_logits(LABELS_2D, z),
         lambda z: F.cross_entropy(z, torch.from_numpy(LABELS_2D), reduction="none")),
    case("softmax_ce-probabilities", [rng.dirichlet(np.ones(4), size=5), r(5, 4)],
         gw.softmax_cross_entropy_with_logits, lambda y, z: -(y * torch.log_softmax(z, -1)).sum(-1)),
    case("softmax_ce-unnormalised", [rng.uniform(0, 1, (2, 3, 4)), r(2, 3, 4)],
         gw.softmax_cross_entropy_with_logits, lambda y, z: -(y * torch.log_softmax(z, -1)).sum(-1)),
    case("sigmoid_ce", [rng.uniform(0, 1, (3, 4)), r(3, 4, lo=-6, hi=6)],
         gw.sigmoid_cross_entropy_with_logits,
         lambda y, z: F.binary_cross_entropy_with_logits(z, y, reduction="none")),
    case("sigmoid_ce-large", [rng.integers(0, 2, (2, 5)).astype(float), r(2, 5) * 300],
         gw.sigmoid_cross_entropy_with_logits,
         lambda y, z: F.binary_cross_entropy_with_logits(z, y, reduction="none")),
]



def nchw(x):
    """gradwise's channels-last (N, H, W, C) as PyTorch's (N, C, H, W)."""
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def torch_conv2d(x, k, b=None, stride=1, pad=(0, 0, 0, 0), dilation=1):
    """Keras-layout kernel (kh, kw, C, F) as PyTorch's (F, C, kh, kw); pad = (left, right, top, bottom)."""
    return nhwc(F.conv2d(F.pad(nchw(x), pad), k.permute(3, 2, 0, 1), b, stride=stride, dilation=dilation))


def torch_conv1d(x, k, b=None, stride=1, pad=(0, 0), dilation=1):
    return F.conv1d(F.pad(x.permute(0, 2, 1), pad), k.permute(2, 1, 0), b, stride=stride,
                    dilation=dilation).permute(0, 2, 1)


def torch_conv_transpose2d(x, k, b=None, stride=1, crop=(0, 0), size=None, dilation=1):
    """Keras-layout kernel (kh, kw, F, C) as PyTorch's (C, F, kh, kw); the full (uncropped) result
    is extended with zeros at the bottom/right as needed and cut to rows crop[0]:crop[0] + size[0]."""
    full = nhwc(F.conv_transpose2d(nchw(x), k.permute(3, 2, 0, 1), stride=stride, dilation=dilation))
    (ct, cl), (oh, ow) = crop, size
    full = F.pad(full, (0, 0, 0, max(cl + ow - full.shape[2], 0), 0, max(ct + oh - full.shape[1], 0)))
    out = full[:, ct:ct + oh, cl:cl + ow]
    return out if b is None else out + b


def torch_depthwise_conv2d(x, k, b=None, stride=1, pad=(0, 0, 0, 0), dilation=1):
    """(kh, kw, C, dm) as PyTorch's grouped (C·dm, 1, kh, kw): group c gives outputs c·dm + m."""
    kh, kw, c, dm = k.shape
    return nhwc(F.conv2d(F.pad(nchw(x), pad), k.reshape(kh, kw, c * dm).permute(2, 0, 1)[:, None], b,
                         stride=stride, dilation=dilation, groups=c))


def batch_norm_train(*args, **kwargs):
    from gradwise.layers.normalization import batch_norm_train as op
    return op(*args, **kwargs)


CONV = [
    case("conv2d-valid-bias", [r(2, 5, 6, 3), r(3, 2, 3, 4), r(4)],
         lambda x, k, b: gw.conv2d(x, k, bias=b), torch_conv2d),
    # "same" with stride 2 on 5x6: rows pad (1, 1), columns need 1 pixel, TensorFlow puts it on the right
    case("conv2d-same-stride2", [r(2, 5, 6, 3), r(3, 3, 3, 2)],
         lambda x, k: gw.conv2d(x, k, strides=2, padding="same"),
         lambda x, k: torch_conv2d(x, k, stride=2, pad=(0, 1, 1, 1))),
    case("conv2d-same-even-kernel", [r(1, 4, 4, 2), r(2, 2, 2, 3)],
         lambda x, k: gw.conv2d(x, k, padding="same"),
         lambda x, k: torch_conv2d(x, k, pad=(0, 1, 0, 1))),
    case("conv2d-dilation2", [r(1, 7, 6, 2), r(2, 3, 2, 3)],
         lambda x, k: gw.conv2d(x, k, dilation_rate=2), lambda x, k: torch_conv2d(x, k, dilation=2)),
    case("conv1d-valid-stride2-bias", [r(2, 9, 3), r(3, 3, 4), r(4)],
         lambda x, k, b: gw.conv1d(x, k, strides=2, bias=b), lambda x, k, b: torch_conv1d(x, k, b, stride=2)),
    case("conv1d-causal-dilation2", [r(2, 8, 2), r(3, 2, 3)],
         lambda x, k: gw.conv1d(x, k, padding="causal", dilation_rate=2),
         lambda x, k: torch_conv1d(x, k, pad=(4, 0), dilation=2)),
    case("max_pool2d-2", [r(2, 6, 4, 3)], lambda x: gw.max_pool2d(x, 2), lambda x: nhwc(F.max_pool2d(nchw(x), 2))),
    case("max_pool2d-3-stride1", [r(1, 5, 5, 2)], lambda x: gw.max_pool2d(x, 3, 1),
         lambda x: nhwc(F.max_pool2d(nchw(x), 3, 1))),
    case("min_pool2d-2", [r(2, 4, 4, 2)], lambda x: gw.min_pool2d(x, 2),
         lambda x: -nhwc(F.max_pool2d(nchw(-x), 2))),
    case("avg_pool2d-2", [r(2, 6, 4, 3)], lambda x: gw.avg_pool2d(x, 2), lambda x: nhwc(F.avg_pool2d(nchw(x), 2))),
    case("avg_pool2d-3-stride2", [r(1, 7, 5, 2)], lambda x: gw.avg_pool2d(x, 3, 2),
         lambda x: nhwc(F.avg_pool2d(nchw(x), 3, 2))),
    case("max_pool1d-3-stride2", [r(2, 9, 3)], lambda x: gw.max_pool1d(x, 3, 2),
         lambda x: F.max_pool1d(x.permute(0, 2, 1), 3, 2).permute(0, 2, 1)),
    case("avg_pool1d-2", [r(2, 6, 3)], lambda x: gw.avg_pool1d(x, 2),
         lambda x: F.avg_pool1d(x.permute(0, 2, 1), 2).permute(0, 2, 1)),
    case("batch_norm_train-axis1", [r(4, 3, 2, 2), r(3), r(3)],
         lambda x, g, b: batch_norm_train(x, g, b, axis=1),
         lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True, eps=1e-3)),
    case("batch_norm_train-last-axis", [r(6, 3), r(3), r(3)],
         lambda x, g, b: batch_norm_train(x, g, b),
         lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True, eps=1e-3)),
    case("conv2d_transpose-valid-stride2-bias", [r(2, 4, 5, 3), r(3, 2, 4, 3), r(4)],
         lambda x, k, b: gw.conv2d_transpose(x, k, strides=2, bias=b),
         lambda x, k, b: torch_conv_transpose2d(x, k, b, stride=2, size=(9, 10))),
    # "same", k 3, stride 2: output 2·in, nothing cropped at the top/left, the last full row dropped
    case("conv2d_transpose-same-stride2", [r(2, 3, 4, 2), r(3, 3, 3, 2)],
         lambda x, k: gw.conv2d_transpose(x, k, strides=2, padding="same"),
         lambda x, k: torch_conv_transpose2d(x, k, stride=2, size=(6, 8))),
    # "same", k 4, stride 3, output_padding 1: Keras pads (2, 2) of k_eff - 1 = 3, i.e. crops 1 top/left
    case("conv2d_transpose-same-k4-output-padding", [r(1, 3, 3, 2), r(4, 4, 2, 2)],
         lambda x, k: gw.conv2d_transpose(x, k, strides=3, padding="same", output_padding=1),
         lambda x, k: torch_conv_transpose2d(x, k, stride=3, crop=(1, 1), size=(7, 7))),
    case("conv2d_transpose-valid-output-padding-past-canvas", [r(1, 3, 3, 2), r(2, 2, 3, 2)],
         lambda x, k: gw.conv2d_transpose(x, k, strides=3, output_padding=2),
         lambda x, k: torch_conv_transpose2d(x, k, stride=3, size=(10, 10))),
    case("conv2d_transpose-dilation2-same", [r(1, 3, 4, 2), r(3, 2, 2, 2)],
         lambda x, k: gw.conv2d_transpose(x, k, padding="same", dilation_rate=2),
         lambda x, k: torch_conv_transpose2d(x, k, crop=(2, 1), size=(3, 4), dilation=2)),
    case("depthwise_conv2d-valid-dm2-bias", [r(2, 5, 6, 3), r(3, 2, 3, 2), r(6)],
         lambda x, k, b: gw.depthwise_conv2d(x, k, bias=b), torch_depthwise_conv2d),
    case("depthwise_conv2d-same-stride2", [r(2, 5, 6, 2), r(3, 3, 2, 1)],
         lambda x, k: gw.depthwise_conv2d(x, k, strides=2, padding="same"),
         lambda x, k: torch_depthwise_conv2d(x, k, stride=2, pad=(0, 1, 1, 1))),
]

ALL_CASES = ELEMENTWISE + OPERATORS + UNARY + LINALG + MOVEMENT + INDEXING + REDUCTIONS + ACTIVATIONS + FUSED + CONV


@pytest.mark.parametrize("dtype,front", RUNS, ids=[f"{d}-{f}" for d, f in RUNS])
@pytest.mark.parametrize("inputs,gw_fn,torch_fn,tol", ALL_CASES)
def test_op_matches_pytorch(inputs, gw_fn, torch_fn, tol, dtype, front):
    assert helper_test_op(inputs, gw_fn, torch_fn, dtype=dtype, front=front, **tol) >= 1  # some gradient compared


def test_every_public_op_has_an_oracle_case():
    """An op added to the registry without a PyTorch case here fails (argmax/argmin: see below)."""
    covered = {
        "add", "subtract", "multiply", "divide", "power", "negative", "square", "sqrt", "exp", "log", "log1p",
        "abs", "sign", "clip", "maximum", "minimum", "where", "cast", "matmul", "dot", "tensordot", "affine",
        "reshape",
        "transpose", "expand_dims", "squeeze", "flatten", "concatenate", "stack", "pad", "getitem", "sum",
        "mean", "max", "min", "prod", "var", "std", "logsumexp", "argmax", "argmin", "sigmoid", "tanh",
        "relu", "leaky_relu", "elu", "selu", "gelu", "softplus", "softsign", "arctan", "isru", "swish", "silu",
        "hard_sigmoid", "linear", "binary_step", "softmax", "log_softmax",
        "sparse_softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
        "sigmoid_cross_entropy_with_logits", "conv2d", "conv1d", "max_pool2d", "min_pool2d", "avg_pool2d",
        "max_pool1d", "avg_pool1d", "batch_norm_train",
        "conv2d_transpose", "depthwise_conv2d",
    }
    missing = sorted(name for name, fn in gw.autodiff.OPS.items() if fn.differentiable and name not in covered)
    assert not missing, f"ops without a PyTorch oracle case: {missing}"


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_argmax_argmin_match_pytorch_first_index_on_ties(name, axis):
    x = small_ints(4, 5)  # many ties: both libraries return the first extreme index
    got = getattr(gw, name)(x, axis=axis).numpy()
    want = getattr(torch, name)(torch.from_numpy(x), dim=axis).numpy()
    np.testing.assert_array_equal(got, want)


def test_backward_accumulates_like_pytorch():
    """Two backward() calls add up in .grad, in both libraries."""
    a, b = r(3, 2), r(2)
    ga = gw.Tensor(a, dtype="float64", requires_grad=True)
    ta = torch.tensor(a, requires_grad=True)
    for _ in range(2):
        (gw.tanh(ga) * b).sum().backward()
        (torch.tanh(ta) * torch.from_numpy(b)).sum().backward()
    (ga * ga).sum().backward()
    (ta * ta).sum().backward()
    np.testing.assert_allclose(ga.grad.numpy(), ta.grad.numpy(), rtol=1e-12)


# --- the benchmark compares equal maths ----------------------------------------------------
BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "autodiff_overhead.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("autodiff_overhead", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_mlp_steps_compute_the_same_gradients(bench):
    """The gradwise step and the hand-written NumPy step of benchmarks/autodiff_overhead.py
    agree with each other and with PyTorch (float64, a small batch), so the timed ratio
    compares the same maths."""
    x, y, params = bench.make_problem(batch=16, dtype=np.float64, seed=3)
    gw_loss, gw_grads = bench.gradwise_step(bench.as_variables(params), x, y)
    np_loss, np_grads = bench.numpy_step(params, x, y)

    t_params = [torch.tensor(p, requires_grad=True) for p in params]
    w1, b1, w2, b2 = t_params
    logits = torch.relu(torch.from_numpy(x) @ w1 + b1) @ w2 + b2
    t_loss = F.cross_entropy(logits, torch.from_numpy(y))
    t_loss.backward()

    np.testing.assert_allclose(float(gw_loss), float(np_loss), rtol=1e-12)
    np.testing.assert_allclose(float(np_loss), t_loss.item(), rtol=1e-12)
    assert len(gw_grads) == len(np_grads) == 4
    for g, n, t in zip(gw_grads, np_grads, t_params):
        np.testing.assert_allclose(g.numpy(), n, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(n, t.grad.numpy(), rtol=1e-10, atol=1e-14)
