"""Tensor (an array plus its place in the graph) and Variable (a mutable, trainable Tensor).

dtype policy, as TensorFlow/Keras: Python floats and float64 NumPy input become float32
unless a dtype is asked for; Python ints become int32; NumPy arrays of other dtypes keep
theirs. Only floating tensors can require a gradient.
"""

import collections
import numbers
import weakref

import numpy as np

from .. import backend
from ..errors import DTypeError, GradientError, ShapeError
from .function import is_grad_enabled

FLOATX = np.dtype("float32")

#: computed tensors whose gradient backward() keeps (Tensor.retain_grad), by id; weak, so
#: a tensor that is dropped leaves the registry by itself
_RETAINED = weakref.WeakValueDictionary()


def _is_float(dtype):
    return dtype.kind == "f"


def as_dtype(dtype):
    """A NumPy dtype from a name ("float32"), a NumPy dtype or a Python type."""
    try:
        return np.dtype(dtype)
    except TypeError as exc:
        raise DTypeError(f"Unknown dtype {dtype!r}; use e.g. 'float32', 'float64', 'int32'.") from exc


def to_array(value, dtype=None):
    """Convert anything array-like to a backend array under the dtype policy (no copy if possible)."""
    xp = backend.xp
    if dtype is None and type(value) is np.ndarray and xp is np:  # the common case, first
        kind = value.dtype.kind
        if kind in "iub" or (kind == "f" and value.dtype.itemsize <= 4):
            return value
    if isinstance(value, Tensor):
        arr = value.data
        return arr if dtype is None else arr.astype(as_dtype(dtype), copy=False)
    if dtype is not None:
        return xp.asarray(value, dtype=as_dtype(dtype))
    from_python = not hasattr(value, "dtype")
    arr = xp.asarray(value)
    if arr.dtype == np.float64 or (arr.dtype.kind == "f" and arr.dtype.itemsize > 8):
        return arr.astype(FLOATX)
    if from_python and arr.dtype == np.int64:
        return arr.astype(np.int32)
    if arr.dtype.kind in "OUS":
        raise DTypeError(
            f"Cannot make a tensor from {type(value).__name__} with dtype {arr.dtype}: "
            "expected numbers (int, float, bool) or an array of them."
        )
    return arr


#: what torch's x.max(dim=...) / x.min(dim=...) return (torch.return_types.max / min)
_ExtremeAlong = {name: collections.namedtuple(name, ["values", "indices"]) for name in ("max", "min")}


def _extreme_along(x, dim, keepdim, reduce, arg, name):
    """torch's x.max(dim) / x.min(dim): the extreme values and their int64 indices."""
    indices = _ops.cast(arg(x, dim, keepdims=keepdim), "int64")
    return _ExtremeAlong[name](reduce(x, dim, keepdim), indices)


class _Size(int):
    """An element count that torch code may call: x.size() is the shape, x.size(d) its d-th size."""

    def __new__(cls, count, shape):
        self = super().__new__(cls, count)
        self.shape = tuple(shape)
        return self

    def __call__(self, dim=None):
        return self.shape if dim is None else self.shape[dim]


class Tensor:
    """An immutable n-dimensional array that remembers the op that made it.

    Args:
        value: array-like (NumPy array, nested lists, Python number, another Tensor).
        dtype: optional dtype; by default float64 input becomes float32 (see module doc).
        requires_grad: make this a leaf that `backward()` fills `.grad` for (PyTorch style).

    Operators `+ - * / @ ** -x abs()` and indexing build graph nodes when a gradient may be
    asked; comparisons return bool tensors without gradient.
    """

    # _keras_mask: the (batch, timesteps) bool mask a masking layer attached (Keras's attribute;
    # unset on most tensors, read with getattr(t, "_keras_mask", None))
    __slots__ = ("data", "_node", "_requires_grad", "grad", "_keras_mask", "__weakref__")
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, value, dtype=None, requires_grad=False):
        self.data = to_array(value, dtype)
        self._node = None
        self.grad = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _from_array(cls, array, node):
        """Fast internal constructor: wrap an array an op produced."""
        t = object.__new__(Tensor)
        t.data = array
        t._node = node
        t._requires_grad = node is not None
        t.grad = None
        return t

    # --- autodiff -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        """True if ops on this tensor are recorded so that a gradient can reach it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if flag and not _is_float(self.data.dtype):
            raise DTypeError(
                f"Only floating-point tensors can require a gradient; this one is "
                f"{self.data.dtype}. Cast it first: gw.cast(x, 'float32')."
            )
        if self._node is not None and not flag:
            raise GradientError("Cannot turn off requires_grad of a computed tensor; use .detach().")
        self._requires_grad = bool(flag)

    @property
    def is_leaf(self):
        """True if no recorded op made this tensor (as PyTorch)."""
        return self._node is None

    @property
    def op(self):
        """Name of the op that made this tensor, or None for a leaf."""
        return None if self._node is None else self._node.name

    def backward(self, gradient=None, retain_graph=True):
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf that requires a gradient.

        As in PyTorch, gradients *accumulate*: calling backward() twice (or on two losses)
        adds both contributions to `.grad`; reset with `var.zero_grad()` (or
        `optimizer.zero_grad(...)`) between steps. `self` must be a scalar unless
        `gradient` (the upstream gradient, same shape as self) is given. The graph is kept
        for further calls unless `retain_graph=False`, which frees it as it is consumed.
        """
        from .engine import backward

        backward(self, gradient, retain_graph=retain_graph)

    def detach(self):
        """The same values as a new leaf tensor outside the graph."""
        return Tensor._from_array(self.data, None)

    def zero_grad(self):
        """Forget the accumulated gradient (`.grad = None`)."""
        self.grad = None

    # --- array protocol ------------------------------------------------------------------
    def numpy(self):
        """The values as a NumPy array (a copy when the backend is not NumPy)."""
        return backend.to_numpy(self.data)

    def __array__(self, dtype=None, copy=None):
        arr = backend.to_numpy(self.data)
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        """The number of elements (NumPy's x.size); called, torch's x.size() / x.size(dim)."""
        return _Size(self.data.size, self.data.shape)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a scalar); use .shape or .item().")
        return self.data.shape[0]

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element; shape is {self.shape}.")
        return self.data.reshape(()).item()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"The truth value of a tensor with shape {self.shape} is ambiguous; "
                "use gw.reduce_any / .numpy().any() or .all()."
            )
        return bool(self.item())

    def __format__(self, spec):
        if self.data.size == 1 and spec:
            return format(self.item(), spec)
        return format(str(self), spec)

    def __repr__(self):
        body = np.array2string(self.numpy(), separator=", ", prefix="gw.Tensor(")
        extra = f", op={self.op}" if self._node is not None else ""
        grad = ", requires_grad=True" if self._requires_grad and self._node is None else ""
        return f"gw.Tensor({body}, shape={self.shape}, dtype={self.dtype}{extra}{grad})"

    __str__ = __repr__
    __hash__ = object.__hash__  # == is element-wise, so hash by identity

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    # --- operators (the ops live in gradwise.autodiff.ops) --------------------------------
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.subtract(self, other)

    def __rsub__(self, other):
        return _ops.subtract(other, self)

    def __mul__(self, other):
        return _ops.multiply(self, other)

    def __rmul__(self, other):
        return _ops.multiply(other, self)

    def __truediv__(self, other):
        return _ops.divide(self, other)

    def __rtruediv__(self, other):
        return _ops.divide(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, key):
        return _ops.getitem(self, key)

    def _compare(self, other, ufunc):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._from_array(ufunc(self.data, other), None)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    # --- a few PyTorch/NumPy-style methods -------------------------------------------------
    @property
    def T(self):
        return _ops.transpose(self)

    def reshape(self, *shape):
        return _ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        return _ops.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _ops.sum(self, axis if dim is None else dim, keepdims if keepdim is None else keepdim)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _ops.mean(self, axis if dim is None else dim, keepdims if keepdim is None else keepdim)

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=False):
        """Largest values over axis (NumPy/Keras); with dim=, torch's (values, indices) pair."""
        if dim is not None:
            return _extreme_along(self, dim, keepdim, _ops.max, _ops.argmax, "max")
        return _ops.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=False):
        """Smallest values over axis (NumPy/Keras); with dim=, torch's (values, indices) pair."""
        if dim is not None:
            return _extreme_along(self, dim, keepdim, _ops.min, _ops.argmin, "min")
        return _ops.min(self, axis, keepdims)

    def astype(self, dtype):
        return _ops.cast(self, dtype)

    # --- PyTorch's names, so a torch program runs with the import changed -----------------
    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place and return self (as torch.Tensor.requires_grad_)."""
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep `.grad` on this computed tensor after backward() (as torch): for looking at
        the gradient that reaches an intermediate result. A leaf keeps its `.grad` anyway."""
        if not self._requires_grad:
            raise GradientError(
                "retain_grad() on a tensor that does not require a gradient; it takes no part "
                "in backward(). Use it on a result computed from tensors with requires_grad=True."
            )
        if self._node is not None:
            _RETAINED[id(self)] = self

    @property
    def retains_grad(self):
        """True for a computed tensor whose `.grad` backward() fills (see retain_grad)."""
        return _RETAINED.get(id(self)) is self

    @property
    def grad_fn(self):
        """The graph node (op) that made this tensor, None for a leaf (as torch)."""
        return self._node

    def zero_(self):
        """Fill with zeros in place and return self (`w.grad.zero_()` between steps)."""
        if self.data.flags.writeable:
            self.data[...] = 0
        else:  # a read-only view (e.g. a broadcast gradient): give it its own zeros
            self.data = backend.xp.zeros(self.data.shape, self.data.dtype)
        return self

    def _in_place(self, other, ufunc, symbol):
        """`self op= other`: in place for a leaf updated under no_grad (torch's manual SGD
        `w -= lr * w.grad`); a new tensor otherwise, exactly as `self = self op other`."""
        if not (self._requires_grad and self._node is None):
            return NotImplemented  # Python falls back to the out-of-place operator
        if is_grad_enabled():
            raise GradientError(
                f"`{symbol}=` on a leaf tensor that requires grad would change a value the gradient "
                "depends on without recording it (as PyTorch refuses too). Update weights inside "
                f"`with gw.no_grad():`, or write `x = x {symbol} ...` to make a new tensor."
            )
        value = other.data if isinstance(other, Tensor) else backend.xp.asarray(other)
        ufunc(self.data, value, out=self.data, casting="same_kind")
        return self

    def __iadd__(self, other):
        return self._in_place(other, np.add, "+")

    def __isub__(self, other):
        return self._in_place(other, np.subtract, "-")

    def __imul__(self, other):
        return self._in_place(other, np.multiply, "*")

    def __itruediv__(self, other):
        return self._in_place(other, np.true_divide, "/")

    def dim(self):
        return self.ndim

    def view(self, *shape):
        return self.reshape(*shape)

    def t(self):
        return _ops.transpose(self)

    def permute(self, *dims):
        return _ops.transpose(self, dims[0] if len(dims) == 1 else dims)

    def unsqueeze(self, dim):
        return _ops.expand_dims(self, dim)

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def matmul(self, other):
        return _ops.matmul(self, other)

    def pow(self, exponent):
        return _ops.power(self, exponent)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def abs(self):
        return _ops.abs(self)

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's argument names)
        return _ops.clip(self, -np.inf if min is None else min, np.inf if max is None else max)

    def argmax(self, dim=None, keepdim=False):
        return _ops.argmax(self, dim, keepdims=keepdim)

    def float(self):
        return _ops.cast(self, "float32")

    def double(self):
        return _ops.cast(self, "float64")

    def long(self):
        return _ops.cast(self, "int64")

    def clone(self):
        """A copy that stays in the graph (gradients flow back to self)."""
        return _ops.multiply(self, 1)

    def tolist(self):
        return self.data.tolist()


class Variable(Tensor):
    """A mutable tensor holding state such as weights; trainable ones receive gradients.

    Args:
        value: initial value (array-like or a callable returning one).
        dtype: dtype; float64 input becomes float32 unless asked for.
        trainable: watched automatically by GradientTape and filled by backward().
        name: a label shown in repr and used by models when saving.

    `assign`, `assign_add` and `assign_sub` change the values in place, so references held
    by optimizers and layers stay valid (the seeds' `W.assign_sub(lr * grad)`).
    """

    __slots__ = ("_trainable", "name", "constraint")

    def __init__(self, value, dtype=None, trainable=True, name=None, constraint=None):
        if callable(value):
            value = value()
        super().__init__(value, dtype)
        if isinstance(value, (np.ndarray, Tensor)):
            self.data = self.data.copy()  # a Variable owns its buffer
        self.name = name or "Variable"
        self.trainable = trainable
        if constraint is not None and not callable(constraint):
            raise TypeError(f"Variable constraint must be callable (value -> projected value); got {constraint!r}.")
        self.constraint = constraint  # applied by optimizers after each update, as Keras

    @property
    def path(self):
        """Keras 3's full variable name: "layer/weight" for a layer's weight (as `name` here)."""
        return self.name

    @property
    def trainable(self):
        """Whether tapes watch this variable and optimizers update it."""
        return self._trainable

    @trainable.setter
    def trainable(self, flag):
        self._trainable = bool(flag)
        self._requires_grad = self._trainable and _is_float(self.data.dtype)

    def _value_for(self, value, what):
        arr = value.data if isinstance(value, Tensor) else backend.xp.asarray(value)
        if arr.shape != self.data.shape:
            try:
                fits = np.broadcast_shapes(arr.shape, self.data.shape) == self.data.shape
            except ValueError:
                fits = False
            if not fits:
                raise ShapeError(
                    f"{what}: value of shape {arr.shape} does not fit Variable "
                    f"'{self.name}' of shape {self.data.shape}."
                )
        return arr

    def assign(self, value):
        """Set the values in place (shape must match; dtype is cast). Returns self."""
        self.data[...] = self._value_for(value, "assign")
        return self

    def assign_add(self, delta):
        """In-place `self += delta`. Returns self."""
        self.data += self._value_for(delta, "assign_add")
        return self

    def assign_sub(self, delta):
        """In-place `self -= delta` (gradient descent: `w.assign_sub(lr * grad)`). Returns self."""
        self.data -= self._value_for(delta, "assign_sub")
        return self

    def _in_place(self, other, ufunc, symbol):
        """A Variable is state: `v op= x` updates it in place (as assign_*), never rebinds."""
        ufunc(self.data, self._value_for(other, f"{symbol}="), out=self.data, casting="same_kind")
        return self

    def __repr__(self):
        body = np.array2string(self.numpy(), separator=", ", prefix="gw.Variable(")
        return (
            f"gw.Variable({body}, name={self.name!r}, shape={self.shape}, "
            f"dtype={self.dtype}, trainable={self.trainable})"
        )

    __str__ = __repr__


def convert_to_tensor(value, dtype=None):
    """Return `value` as a Tensor (itself if it already is one with that dtype).

    Python floats and float64 arrays become float32 unless `dtype` is given.
    """
    if isinstance(value, Tensor):
        if dtype is None or value.data.dtype == as_dtype(dtype):
            return value
        return _ops.cast(value, dtype)
    return Tensor._from_array(to_array(value, dtype), None)


def constant(value, dtype=None, shape=None):
    """A new constant tensor holding a copy of `value` (as tf.constant)."""
    arr = to_array(value, dtype)
    arr = arr.copy() if isinstance(value, (np.ndarray, Tensor)) else arr
    if shape is not None:
        arr = backend.xp.broadcast_to(arr, shape).copy() if arr.size == 1 else arr.reshape(shape)
    return Tensor._from_array(arr, None)


def is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


__all__ = ["Tensor", "Variable", "convert_to_tensor", "constant", "is_grad_enabled"]

from . import ops as _ops  # noqa: E402  (the ops need Tensor defined first)
