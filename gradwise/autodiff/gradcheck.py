"""check_gradients: compare analytic gradients with central finite differences.

Public so that students can test their own ops and layers the way gradwise tests its own.
"""

import warnings

import numpy as np

from ..errors import GradientCheckError
from .engine import GradientTape
from .tensor import Tensor, Variable


def _scalarize(out, weights):
    from .ops import multiply, sum as reduce_sum

    return reduce_sum(multiply(out, weights))


def check_gradients(fn, inputs, eps=1e-6, atol=1e-7, rtol=1e-6, seed=0):
    """Check d fn(*inputs) / d inputs against central differences, in float64.

    Args:
        fn: function of tensors returning a tensor (any shape).
        inputs: list of arrays/tensors (the values to differentiate at).
        eps: finite-difference step.
        atol, rtol: pass when |analytic - numeric| <= atol + rtol * |numeric| everywhere.
        seed: seed of the random weights w used to turn a non-scalar output y into Σ w·y
            (a random projection, so that errors in different elements cannot cancel).

    Float32 inputs are upcast to float64 (with a warning) so a check never fails from
    rounding. Returns True when all agree (as torch.autograd.gradcheck); raises
    GradientCheckError naming the input, the index and both values at the first mismatch.
    """
    arrays = []
    for i, x in enumerate(inputs):
        a = np.array(x.numpy() if isinstance(x, Tensor) else x)
        if a.dtype.kind != "f":
            raise GradientCheckError(f"input {i} has dtype {a.dtype}: only floating inputs have gradients.")
        if a.dtype != np.float64:
            warnings.warn(f"check_gradients: input {i} upcast from {a.dtype} to float64.", stacklevel=2)
        arrays.append(a.astype(np.float64))

    probe = fn(*[Tensor(a, dtype="float64") for a in arrays])
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=np.shape(probe.data))

    def value(arrs):
        out = fn(*[Tensor(a, dtype="float64") for a in arrs])
        return float(np.sum(np.asarray(out.data, dtype=np.float64) * weights))

    variables = [Variable(a, dtype="float64") for a in arrays]
    with GradientTape() as tape:
        target = _scalarize(fn(*variables), Tensor(weights, dtype="float64"))
    analytic = tape.gradient(target, variables, unconnected_gradients="zero")

    for i, (a, g) in enumerate(zip(arrays, analytic)):
        g = g.numpy()
        for idx in np.ndindex(*a.shape):
            orig = a[idx]
            a[idx] = orig + eps
            up = value(arrays)
            a[idx] = orig - eps
            down = value(arrays)
            a[idx] = orig
            numeric = (up - down) / (2 * eps)
            if not abs(g[idx] - numeric) <= atol + rtol * abs(numeric):
                raise GradientCheckError(
                    f"gradient mismatch for input {i} at index {idx}: analytic {g[idx]!r}, "
                    f"numeric {numeric!r} (eps={eps}, atol={atol}, rtol={rtol})."
                )
    return True
