"""gw.ops: the names of Keras 3's `keras.ops`, computed with gradwise's differentiable ops.

It lets a program written for Keras 3 run with its import changed and nothing else:

    from keras import ops                 ->   from gradwise import ops
    keras.ops.mean(x, axis=-1)            ->   gw.ops.mean(x, axis=-1)

Every public name here is a name of keras.ops (Keras 3), with keras.ops's argument names,
defaults and axis conventions: `axis=None` means all axes (or the flattened tensor, for
take, argmax, cumsum, ...), negative axes count from the end, images are channels-last
unless `data_format="channels_first"`, kernels are (spatial..., in, out). Most names map
straight onto gradwise.autodiff's ops; where the signature differs there is a thin adapter,
and what gradwise has no op for is composed from ops that have a gradient (cumsum by
doubling shifts, sort as a gather, tile and repeat as reshapes and gathers, expm1 from tanh),
so a GradientTape sees through every function that has a derivative.

Results are gradwise Tensors; `convert_to_numpy` returns a NumPy array, and `shape`, `ndim`,
`size` and `dtype` return Python values, as Keras does. Dtypes follow Keras on its JAX
backend: float64 NumPy input becomes float32 (gradwise's policy; float64 Tensors stay
float64), maths that make fractions (mean, var, divide, sqrt, exp, norm, ...) turn integer
input into float32, indices (argmax, argsort, count_nonzero) are int32, comparisons are bool.
Functions without a derivative (comparisons, argmax, argsort, any, all, floor, round,
one_hot, the creation functions) return tensors outside the graph.

Left out on purpose: keras.ops names gradwise has no differentiable pieces for
(trigonometry other than arctan, erf, linear-algebra decompositions, FFTs, 3-D and
transposed/depthwise convolutions, sparse tensors, image ops) and JAX tracing tools.
"""

import builtins as _builtins
import math as _math

import numpy as _np

from . import backend as _backend
from .autodiff import Tensor as _Tensor
from .autodiff import convert_to_tensor as _convert
from .autodiff import ops as _ag
from .errors import DTypeError as _DTypeError, ShapeError as _ShapeError

_EPSILON = 1e-7  # keras.backend.epsilon(): the clipping margin of probabilities
_INDEX = "int32"  # Keras's dtype for indices


# --- helpers ----------------------------------------------------------------------------
def _tensor(x):
    """x as a Tensor (gradwise's dtype policy: float64 arrays become float32)."""
    return x if isinstance(x, _Tensor) else _convert(x)


def _floating(x):
    """x as a floating Tensor: integer and bool input becomes float32 (Keras's rule)."""
    x = _tensor(x)
    return x if x.dtype.kind == "f" else _ag.cast(x, "float32")


def _array(x):
    """The values of x as an array of the backend, without dtype conversion."""
    return x.data if isinstance(x, _Tensor) else _backend.xp.asarray(x)


def _const(array):
    """A Tensor outside the graph holding `array`."""
    return _Tensor._from_array(array, None)


def _axis(axis, ndim, op):
    """One axis (negatives allowed) as a non-negative int, checked against ndim."""
    if not -ndim <= axis < _builtins.max(ndim, 1):
        raise _ShapeError(f"{op}: axis {axis} is out of range for a tensor of rank {ndim}.")
    return int(axis) % _builtins.max(ndim, 1)


def _along(axis, ndim, index):
    """An indexing key that applies `index` along `axis` and keeps every other axis whole."""
    return (slice(None),) * axis + (index,) + (slice(None),) * (ndim - axis - 1)


def _flat_if_none(x, axis):
    """(x, axis) with x flattened and axis 0 when axis is None (NumPy's convention)."""
    return (_ag.reshape(x, (-1,)), 0) if axis is None else (x, axis)


def _int_array(indices):
    a = _np.asarray(indices.data if isinstance(indices, _Tensor) else indices)
    if a.dtype.kind not in "iub":
        raise _DTypeError(f"indices must be integers, got dtype {a.dtype}.")
    return a.astype(_np.intp)


# --- element-wise maths -------------------------------------------------------------------
def _kind(x):
    return x.dtype.kind if hasattr(x, "dtype") else _np.asarray(x).dtype.kind


def _promote(x1, x2):
    """Keras's promotion for integer tensors meeting floats: an integer (or bool) operand
    paired with a Python float becomes float32, where NumPy would make float64."""
    k1, k2 = _kind(x1), _kind(x2)
    if k1 in "biu" and isinstance(x2, float):
        return _floating(x1), x2
    if k2 in "biu" and isinstance(x1, float):
        return x1, _floating(x2)
    return x1, x2


def add(x1, x2):
    """x1 + x2, broadcasting."""
    return _ag.add(*_promote(x1, x2))


def subtract(x1, x2):
    """x1 - x2, broadcasting."""
    return _ag.subtract(*_promote(x1, x2))


def multiply(x1, x2):
    """x1 * x2, broadcasting."""
    return _ag.multiply(*_promote(x1, x2))


def divide(x1, x2):
    """x1 / x2 (true division), broadcasting; two integer inputs give float32."""
    if _kind(x1) in "biu" and _kind(x2) in "biu":
        x1, x2 = _floating(x1), _floating(x2)
    return _ag.divide(*_promote(x1, x2))


def true_divide(x1, x2):
    """x1 / x2: the same as divide."""
    return divide(x1, x2)


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 == 0 (the gradient there is 0 too, never NaN)."""
    x1, x2 = _floating(x1), _floating(x2)
    zero = x2.data == 0
    safe = _ag.where(zero, 1, x2)
    return _ag.where(zero, 0, divide(x1, safe))


def negative(x):
    """-x."""
    return _ag.negative(x)


def power(x1, x2):
    """x1 ** x2 element-wise, broadcasting (gradient for both)."""
    return _ag.power(*_promote(x1, x2))


def square(x):
    """x²."""
    return _ag.square(x)


def sqrt(x):
    """√x."""
    return _ag.sqrt(_floating(x))


def rsqrt(x):
    """1 / √x."""
    return _ag.power(_floating(x), -0.5)


def reciprocal(x):
    """1 / x."""
    return _ag.divide(1.0, _floating(x))


def exp(x):
    """eˣ."""
    return _ag.exp(_floating(x))


def expm1(x):
    """eˣ - 1, accurate near 0.

    For |x| < 1 it is 2t / (1 - t) with t = tanh(x / 2) (no cancellation); elsewhere eˣ - 1.
    The branch not taken sees a harmless input, so its zero gradient stays zero (no NaN).
    """
    x = _floating(x)
    small = _np.abs(x.data) < 1
    t = _ag.tanh(_ag.multiply(_ag.where(small, x, 0.0), 0.5))
    return _ag.where(small, _ag.divide(_ag.multiply(t, 2.0), _ag.subtract(1.0, t)), _ag.subtract(_ag.exp(x), 1.0))


def log(x):
    """Natural logarithm."""
    return _ag.log(_floating(x))


def log1p(x):
    """ln(1 + x), accurate near 0."""
    return _ag.log1p(_floating(x))


def log2(x):
    """Base-2 logarithm, ln x / ln 2."""
    return _ag.divide(_ag.log(_floating(x)), _math.log(2.0))


def log10(x):
    """Base-10 logarithm, ln x / ln 10."""
    return _ag.divide(_ag.log(_floating(x)), _math.log(10.0))


def logaddexp(x1, x2):
    """ln(e^x1 + e^x2) = max + ln(1 + e^-|x1 - x2|), stable for large inputs."""
    x1, x2 = _floating(x1), _floating(x2)
    return _ag.add(_ag.maximum(x1, x2), _ag.log1p(_ag.exp(_ag.negative(_ag.abs(_ag.subtract(x1, x2))))))


def abs(x):  # noqa: A001  (Keras's name)
    """|x|; the gradient at 0 is 0."""
    return _ag.abs(x)


def absolute(x):
    """|x|: the same as abs."""
    return _ag.abs(x)


def sign(x):
    """-1, 0 or 1; its gradient is 0."""
    return _ag.sign(x)


def maximum(x1, x2):
    """Element-wise max; at ties each input gets half of the gradient."""
    return _ag.maximum(*_promote(x1, x2))


def minimum(x1, x2):
    """Element-wise min; at ties each input gets half of the gradient."""
    return _ag.minimum(*_promote(x1, x2))


def clip(x, x_min, x_max):
    """x limited to [x_min, x_max]; gradient 1 inside, bounds included, 0 outside."""
    lo = x_min.data if isinstance(x_min, _Tensor) else x_min
    hi = x_max.data if isinstance(x_max, _Tensor) else x_max
    return _ag.clip(x, lo, hi)


def where(condition, x1=None, x2=None):
    """x1 where condition is true, else x2 (broadcasting); no gradient for the condition.

    With x1 and x2 both None: the indices of the true elements, one int32 Tensor per axis.
    """
    if x1 is None and x2 is None:
        return tuple(_const(i.astype(_INDEX)) for i in _np.nonzero(_array(condition)))
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must both be given, or both be None (to get the indices).")
    return _ag.where(condition, x1, x2)


def arctan(x):
    """Inverse tangent; derivative 1 / (1 + x²)."""
    return _ag.arctan(_floating(x))


def _no_grad_unary(fn, x):
    x = _floating(x)
    return _const(fn(x.data))


def floor(x):
    """Largest integer <= x (as a float); no gradient."""
    return _no_grad_unary(_np.floor, x)


def ceil(x):
    """Smallest integer >= x (as a float); no gradient."""
    return _no_grad_unary(_np.ceil, x)


def round(x, decimals=0):  # noqa: A001  (Keras's name)
    """x rounded to `decimals` places, halves to even (as NumPy); no gradient."""
    x = _tensor(x)
    return _const(_np.round(x.data, decimals))


# --- comparisons and logic (no gradient) ------------------------------------------------------
def _compare(ufunc):
    def fn(x1, x2):
        return _const(ufunc(_array(x1), _array(x2)))

    fn.__name__ = fn.__qualname__ = ufunc.__name__
    fn.__doc__ = f"Element-wise {ufunc.__name__} of x1 and x2, broadcasting; a bool Tensor."
    return fn


equal = _compare(_np.equal)
not_equal = _compare(_np.not_equal)
greater = _compare(_np.greater)
greater_equal = _compare(_np.greater_equal)
less = _compare(_np.less)
less_equal = _compare(_np.less_equal)
logical_and = _compare(_np.logical_and)
logical_or = _compare(_np.logical_or)
logical_xor = _compare(_np.logical_xor)


def logical_not(x):
    """Element-wise not; a bool Tensor."""
    return _const(_np.logical_not(_array(x)))


def isnan(x):
    """True where x is NaN."""
    return _const(_np.isnan(_array(x)))


def isinf(x):
    """True where x is +inf or -inf."""
    return _const(_np.isinf(_array(x)))


def isfinite(x):
    """True where x is neither inf nor NaN."""
    return _const(_np.isfinite(_array(x)))


# --- reductions -------------------------------------------------------------------------------
def _summable(x):
    """x as a Tensor, bool counted as int32 (Keras sums booleans to int32)."""
    x = _tensor(x)
    return _ag.cast(x, _INDEX) if x.dtype.kind == "b" else x


def _keep_int_dtype(out, x):
    """NumPy sums and multiplies small ints in int64; Keras keeps the input's integer dtype."""
    return out if out.dtype == x.dtype or x.dtype.kind == "f" else _ag.cast(out, x.dtype)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    """Sum over `axis` (None: all axes); `keepdims` keeps the reduced axes as size 1."""
    x = _summable(x)
    return _keep_int_dtype(_ag.sum(x, axis, keepdims), x)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over `axis`; integer input gives float32."""
    return _ag.mean(_floating(x), axis, keepdims)


def _extreme(reduce, combine, x, axis, keepdims, initial):
    out = reduce(_tensor(x), axis, keepdims)
    return out if initial is None else combine(out, initial)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Largest element over `axis`, at least `initial` when given; ties share the gradient."""
    return _extreme(_ag.max, _ag.maximum, x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Smallest element over `axis`, at most `initial` when given; ties share the gradient."""
    return _extreme(_ag.min, _ag.minimum, x, axis, keepdims, initial)


def amax(x, axis=None, keepdims=False):
    """Largest element over `axis` (max without `initial`)."""
    return _ag.max(_tensor(x), axis, keepdims)


def amin(x, axis=None, keepdims=False):
    """Smallest element over `axis` (min without `initial`)."""
    return _ag.min(_tensor(x), axis, keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`, computed in `dtype` when given (exact gradient even with zeros)."""
    x = _summable(x) if dtype is None else _ag.cast(_tensor(x), dtype)
    return _keep_int_dtype(_ag.prod(x, axis, keepdims), x)


def var(x, axis=None, keepdims=False):
    """Population variance (divides by n) over `axis`; integer input gives float32."""
    return _ag.var(_floating(x), axis, keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation, √var."""
    return _ag.std(_floating(x), axis, keepdims)


def logsumexp(x, axis=None, keepdims=False):
    """ln Σ eˣ over `axis`, computed with the maximum subtracted (stable)."""
    return _ag.logsumexp(_floating(x), axis, keepdims)


def average(x, axis=None, weights=None):
    """Weighted mean Σ w·x / Σ w over `axis`; 1-D weights run along `axis`, as NumPy."""
    x = _floating(x)
    if weights is None:
        return _ag.mean(x, axis)
    w = _ag.cast(_tensor(weights), x.dtype)
    if w.shape != x.shape:
        if axis is None or w.ndim != 1:
            raise _ShapeError(
                f"average: weights of shape {w.shape} differ from x of shape {x.shape}; give "
                "weights of x's shape, or 1-D weights together with the axis they run along."
            )
        ax = _axis(axis, x.ndim, "average")
        w = _ag.reshape(w, [-1 if i == ax else 1 for i in range(x.ndim)])
    return _ag.divide(_ag.sum(_ag.multiply(x, w), axis), _ag.sum(w, axis))


def _arg(reduce, x, axis, keepdims):
    return _const(_np.asarray(reduce(_array(x), axis=axis, keepdims=keepdims)).astype(_INDEX))


def argmax(x, axis=None, keepdims=False):
    """Index of the largest element along `axis` (of the flattened x when None); int32."""
    return _arg(_np.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the smallest element along `axis` (of the flattened x when None); int32."""
    return _arg(_np.argmin, x, axis, keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    """True where any element along `axis` is non-zero."""
    return _const(_np.any(_array(x), axis=axis, keepdims=keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001
    """True where every element along `axis` is non-zero."""
    return _const(_np.all(_array(x), axis=axis, keepdims=keepdims))


def count_nonzero(x, axis=None):
    """Number of non-zero elements along `axis`; int32."""
    return _const(_np.asarray(_np.count_nonzero(_array(x), axis=axis)).astype(_INDEX))


def _scan(x, axis, combine, identity, op):
    """Inclusive scan along `axis` by doubling (Hillis-Steele): log2(n) steps, each
    combining x with itself shifted by k = 1, 2, 4, ... (the first k places take `identity`).
    Every step is pad + slice + one op, so the gradient flows through gradwise's ops."""
    x, axis = _flat_if_none(x, axis)
    axis = _axis(axis, x.ndim, op)
    n = x.shape[axis]
    k = 1
    while k < n:
        head = _ag.getitem(x, _along(axis, x.ndim, slice(0, n - k)))
        widths = [(k, 0) if i == axis else (0, 0) for i in range(x.ndim)]
        x = combine(x, _ag.pad(head, widths, constant_values=identity))
        k *= 2
    return x


def cumsum(x, axis=None, dtype=None):
    """Running sum along `axis` (of the flattened x when None), in `dtype` when given."""
    x = _summable(x) if dtype is None else _ag.cast(_tensor(x), dtype)
    return _scan(x, axis, _ag.add, 0, "cumsum")


def cumprod(x, axis=None, dtype=None):
    """Running product along `axis` (of the flattened x when None), in `dtype` when given."""
    x = _summable(x) if dtype is None else _ag.cast(_tensor(x), dtype)
    return _scan(x, axis, _ag.multiply, 1, "cumprod")


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (Keras's name)
    """Vector or matrix norm, as numpy.linalg.norm.

    Vector (one axis, or x flattened when ord and axis are None): ord None or 2 is √Σx²,
    1 is Σ|x|, inf max|x|, -inf min|x|, 0 the count of non-zeros, p (Σ|x|^p)^(1/p).
    Matrix (two axes, or a 2-D x with ord given): None or "fro" is √Σx², 1 / -1 the max /
    min column sum of |x|, inf / -inf the max / min row sum. Spectral (2, -2) and nuclear
    norms need an SVD, which gradwise does not have: they raise a ValueError.
    """
    x = _floating(x)
    if axis is None:
        axes = tuple(range(x.ndim)) if ord is None or x.ndim <= 2 else None
        if axes is None:
            raise ValueError(f"norm: with ord={ord!r}, give axis or a 1-D / 2-D x (got shape {x.shape}).")
    else:
        axes = (axis,) if isinstance(axis, (int, _np.integer)) else tuple(axis)
        axes = tuple(_axis(a, x.ndim, "norm") for a in axes)
    if ord is None or (ord == "fro" and len(axes) == 2):
        out = _ag.sqrt(_ag.sum(_ag.square(x), axes, True))
    elif len(axes) == 1:
        out = _vector_norm(x, ord, axes)
    elif len(axes) == 2:
        out = _matrix_norm(x, ord, axes)
    else:
        raise ValueError(f"norm: axis must be one axis or two, got {axis!r}.")
    return out if keepdims else _ag.squeeze(out, axes)


def _vector_norm(x, ord, axes):
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; a vector norm takes a number.")
    a = _ag.abs(x)
    if ord == _np.inf:
        return _ag.max(a, axes, True)
    if ord == -_np.inf:
        return _ag.min(a, axes, True)
    if ord == 0:
        return _const((x.data != 0).sum(axis=axes, keepdims=True).astype(x.dtype))
    if ord == 1:
        return _ag.sum(a, axes, True)
    if ord == 2:
        return _ag.sqrt(_ag.sum(_ag.square(x), axes, True))
    return _ag.power(_ag.sum(_ag.power(a, float(ord)), axes, True), 1.0 / ord)


def _matrix_norm(x, ord, axes):
    rows, cols = axes
    a = _ag.abs(x)
    if ord in (1, -1):  # column sums (over the row axis), then max / min over columns
        reduce, inner, outer = (_ag.max if ord == 1 else _ag.min), rows, cols
    elif ord in (_np.inf, -_np.inf):  # row sums, then max / min over rows
        reduce, inner, outer = (_ag.max if ord == _np.inf else _ag.min), cols, rows
    else:
        raise ValueError(
            f"norm: matrix ord={ord!r} is not supported by gradwise (2, -2 and 'nuc' need an SVD); "
            "use None or 'fro', 1, -1, inf or -inf."
        )
    return reduce(_ag.sum(a, inner, True), outer, True)


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of x over `axes`; integer input gives float32.

    `synchronized` (average across devices) changes nothing here: there is one process.
    """
    x = _floating(x)
    return _ag.mean(x, axes, keepdims), _ag.var(x, axes, keepdims)


# --- products ---------------------------------------------------------------------------------
def matmul(x1, x2):
    """Matrix product with NumPy's rules (1-D, 2-D, batched with broadcast batch axes)."""
    return _ag.matmul(x1, x2)


def dot(x1, x2):
    """NumPy's dot: sum over the last axis of x1 and the second-to-last of x2 (last if 1-D)."""
    return _ag.dot(x1, x2)


def tensordot(x1, x2, axes=2):
    """Contraction over `axes`: an int N (last N of x1 with first N of x2) or two axis lists."""
    return _ag.tensordot(x1, x2, axes)


def outer(x1, x2):
    """Outer product of the flattened x1 and x2: out[i, j] = x1[i] · x2[j]."""
    return _ag.multiply(_ag.reshape(x1, (-1, 1)), _ag.reshape(x2, (1, -1)))


# --- shape and movement -----------------------------------------------------------------------
def reshape(x, newshape):
    """The same values in `newshape` (one dimension may be -1)."""
    return _ag.reshape(x, newshape)


def transpose(x, axes=None):
    """Permute the axes (reverse them when axes is None)."""
    return _ag.transpose(x, axes)


def moveaxis(x, source, destination):
    """Move axes `source` to positions `destination`; the other axes keep their order."""
    x = _tensor(x)
    src = [source] if isinstance(source, (int, _np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, _np.integer)) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: {len(src)} source axes but {len(dst)} destinations.")
    src = [_axis(a, x.ndim, "moveaxis") for a in src]
    dst = [_axis(a, x.ndim, "moveaxis") for a in dst]
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _ag.transpose(x, order)


def swapaxes(x, axis1, axis2):
    """Exchange two axes."""
    x = _tensor(x)
    order = list(range(x.ndim))
    a, b = _axis(axis1, x.ndim, "swapaxes"), _axis(axis2, x.ndim, "swapaxes")
    order[a], order[b] = b, a
    return _ag.transpose(x, order)


def expand_dims(x, axis):
    """Insert length-1 axes at `axis` (an int or a tuple)."""
    return _ag.expand_dims(x, axis)


def squeeze(x, axis=None):
    """Remove length-1 axes (all of them, or those in `axis`)."""
    return _ag.squeeze(x, axis)


def ravel(x):
    """All values as a 1-D tensor."""
    return _ag.reshape(x, (-1,))


def broadcast_to(x, shape):
    """x broadcast to `shape` (NumPy's rules); the gradient sums back over the copies."""
    x = _tensor(x)
    shape = (shape,) if isinstance(shape, (int, _np.integer)) else tuple(shape)
    try:
        fits = _np.broadcast_shapes(x.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise _ShapeError(f"broadcast_to: shape {x.shape} cannot be broadcast to {shape}.")
    if x.shape == shape:
        return x
    return _ag.add(x, _const(_backend.xp.zeros(shape, x.dtype)))  # add's backward un-broadcasts


def concatenate(xs, axis=0):
    """Join tensors along an existing axis."""
    return _ag.concatenate(xs, axis)


def stack(x, axis=0):
    """Join equally shaped tensors (the sequence x) along a new axis."""
    return _ag.stack(x, axis)


def hstack(xs):
    """Join along axis 1 (axis 0 for 1-D tensors), as NumPy."""
    xs = [_tensor(t) for t in xs]
    return _ag.concatenate(xs, 0 if xs and xs[0].ndim == 1 else 1)


def vstack(xs):
    """Join along axis 0, 1-D tensors first made rows (1, n), as NumPy."""
    xs = [_tensor(t) for t in xs]
    return _ag.concatenate([_ag.reshape(t, (1, -1)) if t.ndim < 2 else t for t in xs], 0)


def split(x, indices_or_sections, axis=0):
    """A list of pieces of x along `axis`: an int N gives N equal pieces, a list of
    indices gives the pieces between them (as numpy.split)."""
    x = _tensor(x)
    axis = _axis(axis, x.ndim, "split")
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, _np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0 or n % sections:
            raise _ShapeError(
                f"split: axis {axis} of size {n} cannot be split into {sections} equal pieces; "
                "give a divisor of the size or a list of split indices."
            )
        bounds = [i * (n // sections) for i in range(1, sections)]
    else:
        bounds = [int(i) for i in _np.asarray(_array(indices_or_sections)).reshape(-1)]
    edges = [0] + bounds + [n]
    return [_ag.getitem(x, _along(axis, x.ndim, slice(a, b))) for a, b in zip(edges[:-1], edges[1:])]


def unstack(x, num=None, axis=0):
    """The slices of x along `axis`, as a list of tensors of rank one lower."""
    x = _tensor(x)
    axis = _axis(axis, x.ndim, "unstack")
    if num is not None and num != x.shape[axis]:
        raise _ShapeError(f"unstack: num={num} but axis {axis} of shape {x.shape} has size {x.shape[axis]}.")
    return [_ag.getitem(x, _along(axis, x.ndim, i)) for i in range(x.shape[axis])]


def tile(x, repeats):
    """x repeated `repeats` times along each axis, as numpy.tile.

    Each axis of size s repeated r times is a new (r, s) pair of axes, the copies made by
    broadcasting and merged by a reshape, so the gradient sums over the copies.
    """
    x = _tensor(x)
    reps = (repeats,) if isinstance(repeats, (int, _np.integer)) else tuple(int(r) for r in repeats)
    rank = _builtins.max(len(reps), x.ndim)
    reps = (1,) * (rank - len(reps)) + reps
    shape = (1,) * (rank - x.ndim) + tuple(x.shape)
    paired = [d for s in shape for d in (1, s)]
    big = [d for r, s in zip(reps, shape) for d in (r, s)]
    x = broadcast_to(_ag.reshape(x, paired), big)
    return _ag.reshape(x, [r * s for r, s in zip(reps, shape)])


def repeat(x, repeats, axis=None):
    """Each element repeated `repeats` times (an int or one count per element) along
    `axis` (of the flattened x when None), as numpy.repeat: a gather, so gradients add up."""
    x, axis = _flat_if_none(_tensor(x), axis)
    axis = _axis(axis, x.ndim, "repeat")
    counts = repeats.data if isinstance(repeats, _Tensor) else repeats
    index = _np.repeat(_np.arange(x.shape[axis]), counts)
    return _ag.getitem(x, _along(axis, x.ndim, index))


def flip(x, axis=None):
    """x reversed along `axis` (all axes when None)."""
    x = _tensor(x)
    axes = range(x.ndim) if axis is None else [axis] if isinstance(axis, (int, _np.integer)) else axis
    axes = {_axis(a, x.ndim, "flip") for a in axes}
    return _ag.getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(x.ndim)))


def roll(x, shift, axis=None):
    """Elements shifted by `shift` along `axis` (of the flattened x when None), wrapping round."""
    x = _tensor(x)
    if axis is None:
        return _ag.reshape(roll(_ag.reshape(x, (-1,)), shift, 0), x.shape)
    shifts = [shift] if isinstance(shift, (int, _np.integer)) else list(shift)
    axes = [axis] if isinstance(axis, (int, _np.integer)) else list(axis)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    for s, a in zip(shifts, axes):
        a = _axis(a, x.ndim, "roll")
        x = _ag.getitem(x, _along(a, x.ndim, _np.roll(_np.arange(x.shape[a]), s)))
    return x


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(x, pad_width, mode="constant", constant_values=None):
    """x padded by pad_width ((before, after) per axis, one pair, or one int).

    mode "constant" fills with constant_values (0 when None); "edge", "reflect", "symmetric"
    and "wrap" repeat x's own values, as NumPy (done as a gather: the gradient adds up).
    """
    x = _tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(map(repr, _PAD_MODES))}, got {mode!r}.")
    if mode != "constant" and constant_values is not None:
        raise ValueError(f"pad: constant_values only applies to mode 'constant', not {mode!r}.")
    if mode == "constant":
        return _ag.pad(x, pad_width, 0 if constant_values is None else constant_values)
    widths = _np.broadcast_to(_np.asarray(pad_width, dtype=int), (x.ndim, 2))
    for a, (lo, hi) in enumerate(widths.tolist()):
        if lo or hi:
            index = _np.pad(_np.arange(x.shape[a]), (lo, hi), mode=mode)
            x = _ag.getitem(x, _along(a, x.ndim, index))
    return x


def get_item(x, key):
    """x[key]: basic slices, integer arrays and boolean masks."""
    return _ag.getitem(x, key)


def take(x, indices, axis=None):
    """Elements of x at `indices` along `axis` (of the flattened x when None); negative
    indices count from the end. The result has x's shape with that axis replaced by
    indices' shape. A gather: repeated indices add up their gradients."""
    x, axis = _flat_if_none(_tensor(x), axis)
    axis = _axis(axis, x.ndim, "take")
    return _ag.getitem(x, _along(axis, x.ndim, _int_array(indices)))


def take_along_axis(x, indices, axis=None):
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along `axis` (as NumPy; with
    axis None, x is flattened and indices must be 1-D). Other axes broadcast."""
    x = _tensor(x)
    idx = _int_array(indices)
    if axis is None:
        x, axis = _ag.reshape(x, (-1,)), 0
    axis = _axis(axis, x.ndim, "take_along_axis")
    if idx.ndim != x.ndim:
        raise _ShapeError(f"take_along_axis: indices of rank {idx.ndim} for x of rank {x.ndim}; ranks must match.")
    key = tuple(
        idx if d == axis else _np.arange(n).reshape([-1 if i == d else 1 for i in range(x.ndim)])
        for d, n in enumerate(x.shape)
    )
    return _ag.getitem(x, key)


def sort(x, axis=-1):
    """x sorted ascending along `axis` (flattened when None); the gradient goes back to
    each value's original place (a gather by argsort)."""
    x, axis = _flat_if_none(_tensor(x), axis)
    return take_along_axis(x, _np.argsort(x.data, axis=axis, kind="stable"), axis)


def argsort(x, axis=-1):
    """The indices that sort x along `axis` (flattened when None), stable; int32."""
    return _const(_np.argsort(_array(x), axis=axis, kind="stable").astype(_INDEX))


def tril(x, k=0):
    """x with the elements above the k-th diagonal (of the last two axes) set to 0."""
    x = _tensor(x)
    return _ag.where(_np.tri(*x.shape[-2:], k=k, dtype=bool), x, 0)


def triu(x, k=0):
    """x with the elements below the k-th diagonal (of the last two axes) set to 0."""
    x = _tensor(x)
    return _ag.where(_np.tri(*x.shape[-2:], k=k - 1, dtype=bool), 0, x)


# --- creation (no gradient) -------------------------------------------------------------------
def _dtype(dtype):
    return "float32" if dtype is None else dtype


def zeros(shape, dtype=None):
    """A tensor of zeros (float32 by default)."""
    return _ag.zeros(shape, dtype)


def ones(shape, dtype=None):
    """A tensor of ones (float32 by default)."""
    return _ag.ones(shape, dtype)


def zeros_like(x, dtype=None):
    """Zeros of x's shape, in x's dtype unless `dtype` is given."""
    return _ag.zeros_like(x, dtype)


def ones_like(x, dtype=None):
    """Ones of x's shape, in x's dtype unless `dtype` is given."""
    return _ag.ones_like(x, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with fill_value (float32 by default)."""
    return _ag.fill(shape, _array(fill_value), _dtype(dtype))


def full_like(x, fill_value, dtype=None):
    """fill_value in x's shape, in x's dtype unless `dtype` is given."""
    x = _array(x)
    return _const(_backend.xp.full(x.shape, _array(fill_value), x.dtype if dtype is None else dtype))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803  (Keras's names)
    """N×M matrix with ones on the k-th diagonal (float32 by default)."""
    return _const(_backend.xp.eye(N, M, k, dtype=_dtype(dtype)))


def identity(n, dtype=None):
    """The n×n identity matrix (float32 by default)."""
    return _const(_backend.xp.eye(n, dtype=_dtype(dtype)))


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """N×M matrix with ones on and below the k-th diagonal (float32 by default)."""
    return _const(_backend.xp.tri(N, M, k, dtype=_dtype(dtype)))


def arange(start, stop=None, step=None, dtype=None):
    """Values from start (0 when only one bound is given) up to, not including, stop.

    int32 when every bound is an int, float32 when any is a float, unless dtype is given.
    """
    return _ag.arange(start, stop, 1 if step is None else step, dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from start to stop (included when endpoint), float32 by
    default; with retstep, the pair (values, step), both Tensors."""
    values, step = _np.linspace(_array(start), _array(stop), num, endpoint, retstep=True, axis=axis)
    values = _const(_backend.xp.asarray(values, dtype=_dtype(dtype)))
    return (values, _const(_backend.xp.asarray(step, dtype=values.dtype))) if retstep else values


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer labels x: a new axis of size num_classes at `axis`, 1 at
    the label's place. Negative or too large labels give rows of zeros (as Keras)."""
    if sparse:
        raise ValueError("one_hot: gradwise has no sparse tensors; use sparse=False.")
    labels = _array(x)
    hot = labels[..., None] == _backend.xp.arange(num_classes)
    return _const(_backend.xp.moveaxis(hot, -1, axis).astype(_dtype(dtype)))


# --- conversion and introspection ---------------------------------------------------------------
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """x as a Tensor (itself when it already is one of that dtype); float64 arrays become
    float32 unless `dtype` is given. gradwise has no sparse or ragged tensors."""
    if sparse or ragged:
        raise ValueError("convert_to_tensor: gradwise has no sparse or ragged tensors; leave sparse/ragged unset.")
    return _convert(x, dtype)


def convert_to_numpy(x):
    """The values of x as a NumPy array (a copy)."""
    return _np.array(_backend.to_numpy(x.data) if isinstance(x, _Tensor) else x)


def cast(x, dtype):
    """x in `dtype`; the gradient flows back when both dtypes are floating."""
    return _ag.cast(x, dtype)


def stop_gradient(variable):
    """The same values, cut from the graph: no gradient flows back through the result."""
    return _tensor(variable).detach()


def shape(x):
    """The shape of x as a tuple of ints."""
    return tuple(_np.shape(_array(x)))


def ndim(x):
    """The number of axes of x."""
    return _array(x).ndim


def size(x):
    """The number of elements of x."""
    return int(_array(x).size)


def dtype(x):
    """The dtype of x as a string, such as "float32" (Python floats count as float32)."""
    return _convert(x).dtype.name


def is_tensor(x):
    """True when x is a gradwise Tensor (NumPy arrays are not)."""
    return isinstance(x, _Tensor)


# --- control flow (eager: plain Python) ---------------------------------------------------------
def cond(pred, true_fn, false_fn):
    """true_fn() if pred else false_fn()."""
    return true_fn() if bool(pred) else false_fn()


def switch(index, branches, *operands):
    """branches[index](*operands), with index clipped to the valid range."""
    i = _builtins.min(_builtins.max(int(index), 0), len(branches) - 1)
    return branches[i](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    """val = body_fun(i, val) for i in range(lower, upper), starting from init_val."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """loop_vars = body(*loop_vars) while cond(*loop_vars), at most maximum_iterations times.

    loop_vars is a tuple or list (returned as a tuple), or a single value (returned alone).
    """
    many = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if many else (loop_vars,)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and bool(cond(*state)):
        state = body(*state)
        state = tuple(state) if isinstance(state, (tuple, list)) else (state,)
        steps += 1
    return state if many else state[0]


# --- activations ------------------------------------------------------------------------------
def relu(x):
    """max(x, 0); gradient 0 at x = 0."""
    return _ag.relu(x)


def relu6(x):
    """min(max(x, 0), 6)."""
    return _ag.relu(x, max_value=6.0)


def sigmoid(x):
    """σ(x) = 1 / (1 + e^-x)."""
    return _ag.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent."""
    return _ag.tanh(x)


def softmax(x, axis=-1):
    """eˣ / Σ eˣ along `axis`, with the max subtracted first (stable)."""
    return _ag.softmax(x, axis)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis` (stable)."""
    return _ag.log_softmax(x, axis)


def softplus(x):
    """ln(1 + eˣ)."""
    return _ag.softplus(x)


def softsign(x):
    """x / (1 + |x|)."""
    return _ag.softsign(x)


def silu(x):
    """x σ(x)."""
    return _ag.swish(x)


def swish(x):
    """x σ(x): the same as silu."""
    return _ag.swish(x)


def gelu(x, approximate=True):
    """x Φ(x); Keras's default is the tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    return _ag.gelu(x, approximate)


def elu(x, alpha=1.0):
    """x for x > 0, alpha (eˣ - 1) otherwise."""
    return _ag.elu(x, alpha)


def selu(x):
    """scale · elu(x, alpha) with the self-normalising constants."""
    return _ag.selu(x)


def celu(x, alpha=1.0):
    """x for x > 0, alpha (e^(x/alpha) - 1) otherwise: alpha · elu(x / alpha)."""
    return _ag.multiply(_ag.elu(_ag.divide(x, alpha), 1.0), alpha)


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, negative_slope · x otherwise."""
    return _ag.leaky_relu(x, negative_slope)


def hard_sigmoid(x):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return _ag.hard_sigmoid(x)


def hard_silu(x):
    """x · hard_sigmoid(x)."""
    return _ag.multiply(x, _ag.hard_sigmoid(x))


def hard_swish(x):
    """x · hard_sigmoid(x): the same as hard_silu."""
    return hard_silu(x)


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return _ag.clip(x, -1.0, 1.0)


def log_sigmoid(x):
    """ln σ(x) = -softplus(-x) (stable)."""
    return _ag.negative(_ag.softplus(_ag.negative(x)))


def glu(x, axis=-1):
    """Gated linear unit: x split in two halves a, b along `axis`, then a · σ(b)."""
    a, b = split(x, 2, axis)
    return _ag.multiply(a, _ag.sigmoid(b))


# --- normalisation and losses -------------------------------------------------------------------
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / √(variance + epsilon) · scale + offset, with the 1-D statistics laid along `axis`."""
    x = _floating(x)
    ax = _axis(axis, x.ndim, "batch_normalization")

    def along(v):
        return _ag.reshape(v, [-1 if i == ax else 1 for i in range(x.ndim)])

    inv = _ag.power(_ag.add(along(variance), epsilon), -0.5)
    if scale is not None:
        inv = _ag.multiply(inv, along(scale))
    out = _ag.multiply(_ag.subtract(x, along(mean)), inv)
    return out if offset is None else _ag.add(out, along(offset))


def _same_shape(target, output, op):
    if target.shape != output.shape:
        raise _ShapeError(
            f"{op}: target and output must have the same shape; got target.shape={target.shape}, "
            f"output.shape={output.shape}."
        )


def _log_probabilities(output, axis):
    """ln of output normalised to sum 1 along `axis` and clipped to [ε, 1 - ε] (as Keras)."""
    p = _ag.divide(output, _ag.sum(output, axis, True))
    return _ag.log(_ag.clip(p, _EPSILON, 1.0 - _EPSILON))


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise -(t ln p + (1 - t) ln(1 - p)); p = σ(output) when from_logits (one
    stable node), else output clipped to [ε, 1 - ε]. No mean is taken."""
    output = _floating(output)
    target = _ag.cast(_tensor(target), output.dtype)
    _same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return _ag.sigmoid_cross_entropy_with_logits(target, output)
    p = _ag.clip(output, _EPSILON, 1.0 - _EPSILON)
    log_p, log_q = _ag.log(p), _ag.log(_ag.subtract(1.0, p))
    return _ag.negative(_ag.add(_ag.multiply(target, log_p), _ag.multiply(_ag.subtract(1.0, target), log_q)))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-Σ target · ln p along `axis`; p = softmax(output) when from_logits, else output
    divided by its sum and clipped to [ε, 1 - ε]."""
    output = _floating(output)
    target = _ag.cast(_tensor(target), output.dtype)
    _same_shape(target, output, "categorical_crossentropy")
    if output.ndim < 1:
        raise _ShapeError("categorical_crossentropy: target and output must be at least rank 1.")
    if from_logits and _axis(axis, output.ndim, "categorical_crossentropy") == output.ndim - 1:
        return _ag.softmax_cross_entropy_with_logits(target, output)  # fused: gradient p - y
    log_p = _ag.log_softmax(output, axis) if from_logits else _log_probabilities(output, axis)
    return _ag.negative(_ag.sum(_ag.multiply(target, log_p), axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-ln p[target] for integer labels `target` (a trailing axis of size 1 is dropped);
    p as in categorical_crossentropy. Labels must lie in [0, classes)."""
    output = _floating(output)
    labels = _np.asarray(_array(target)).astype(_np.int64)
    if labels.ndim == output.ndim and labels.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if output.ndim < 1 or labels.shape != output.shape[:-1]:
        raise _ShapeError(
            "sparse_categorical_crossentropy: target must have output's shape without its last axis; "
            f"got target.shape={labels.shape}, output.shape={output.shape}."
        )
    ax = _axis(axis, output.ndim, "sparse_categorical_crossentropy")
    classes = output.shape[ax]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must lie in [0, {classes}) for {classes} classes, "
            f"got labels from {labels.min()} to {labels.max()}."
        )
    if from_logits and ax == output.ndim - 1:
        return _ag.sparse_softmax_cross_entropy_with_logits(labels, output)  # fused: gradient p - y
    log_p = _ag.log_softmax(output, ax) if from_logits else _log_probabilities(output, ax)
    hot = one_hot(labels, classes, axis=ax, dtype=output.dtype)
    return _ag.negative(_ag.sum(_ag.multiply(hot, log_p), ax))


# --- convolution and pooling ---------------------------------------------------------------------
def _channels_last(inputs, data_format, op):
    """inputs as a channels-last Tensor, and a function that puts a result back."""
    fmt = "channels_last" if data_format is None else data_format
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"{op}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}.")
    x = _tensor(inputs)
    if x.ndim not in (3, 4):
        raise _ShapeError(
            f"{op}: gradwise supports 1-D inputs (batch, steps, channels) and 2-D inputs "
            f"(batch, height, width, channels); got rank {x.ndim}, shape {x.shape}."
        )
    if fmt == "channels_last":
        return x, lambda y: y
    last = [0] + list(range(2, x.ndim)) + [1]
    first = [0, x.ndim - 1] + list(range(1, x.ndim - 1))
    return _ag.transpose(x, last), lambda y: _ag.transpose(y, first)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D cross-correlation (N = 1 or 2) with a kernel (spatial..., in, out).

    padding "valid" (none) or "same" (TensorFlow's: output = ceil(input / stride), the odd
    pixel at the end). Returns (batch, spatial_out..., out) channels-last.
    """
    x, back = _channels_last(inputs, data_format, "conv")
    fn = _ag.conv1d if x.ndim == 3 else _ag.conv2d
    return back(fn(x, kernel, strides, padding, dilation_rate))


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max over each pool_size window (strides default to pool_size); 1-D or 2-D."""
    x, back = _channels_last(inputs, data_format, "max_pool")
    fn = _ag.max_pool1d if x.ndim == 3 else _ag.max_pool2d
    return back(fn(x, pool_size, strides, padding))


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over each pool_size window; with "same" only real (not padding) pixels count."""
    x, back = _channels_last(inputs, data_format, "average_pool")
    fn = _ag.avg_pool1d if x.ndim == 3 else _ag.avg_pool2d
    return back(fn(x, pool_size, strides, padding))


__all__ = sorted(name for name, value in globals().items() if not name.startswith("_") and callable(value))
