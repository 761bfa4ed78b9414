"""Element-wise arithmetic and maths: forward and backward side by side.

Binary ops broadcast as NumPy does; their backward undoes the broadcast with
`unbroadcast`. Tie conventions follow PyTorch: abs'(0) = 0; maximum/minimum split the
gradient equally between equal inputs; clip passes the gradient where lo <= x <= hi.
"""

import numpy as np

from ...errors import DTypeError
from ..function import Function, register, unbroadcast
from ..tensor import Tensor, as_dtype, is_number
from ._common import broadcast_error, operands, tensor


class _Binary(Function):
    """Shared forward guard: a broadcast failure names the op and both shapes."""

    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        try:
            return self.compute(a, b)
        except ValueError:
            raise broadcast_error(self.op_name, a, b) from None


# --- binary ops -----------------------------------------------------------------------
class Add(_Binary):
    op_name = "add"

    def compute(self, a, b):
        return a + b

    def backward(self, g):  # d(a+b) = da + db
        shape = g.shape  # (the same-shape tests skip a call on the common path)
        return (g if shape == self.a_shape else unbroadcast(g, self.a_shape),
                g if shape == self.b_shape else unbroadcast(g, self.b_shape))


class Subtract(_Binary):
    op_name = "subtract"

    def compute(self, a, b):
        return a - b

    def backward(self, g):  # d(a-b) = da - db
        gb = -unbroadcast(g, self.b_shape) if self.needs_input_grad[1] else None
        return unbroadcast(g, self.a_shape), gb


class Multiply(_Binary):
    op_name = "multiply"

    def compute(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):  # d(ab) = b da + a db
        na, nb = self.needs_input_grad
        return (
            unbroadcast(g * self.b, self.a_shape) if na else None,
            unbroadcast(g * self.a, self.b_shape) if nb else None,
        )


class Divide(_Binary):
    op_name = "divide"

    def compute(self, a, b):
        self.b = b
        self.out = a / b
        return self.out

    def backward(self, g):  # d(a/b) = da/b - (a/b²) db = (da - out db)/b
        na, nb = self.needs_input_grad
        gb_over = g / self.b
        return (
            unbroadcast(gb_over, self.a_shape) if na else None,
            unbroadcast(-gb_over * self.out, self.b_shape) if nb else None,
        )


class Power(_Binary):
    op_name = "power"

    def compute(self, a, b):
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, g):
        # d(a^b)/da = b a^(b-1);  d(a^b)/db = a^b ln a  (0 where a == 0, as PyTorch)
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = unbroadcast(g * self.b * self.a ** (self.b - 1), self.a_shape)
        if nb:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = np.where(self.a == 0, 0, np.log(np.where(self.a == 0, 1, self.a)))
            gb = unbroadcast(g * self.out * log_a, self.b_shape)
        return ga, gb


class Maximum(_Binary):
    op_name = "maximum"

    def compute(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, g):  # the larger input gets the gradient; ties split it in half
        wa = (self.a > self.b) + 0.5 * (self.a == self.b)
        return _split(g, wa, self.a_shape, self.b_shape, self.needs_input_grad)


class Minimum(_Binary):
    op_name = "minimum"

    def compute(self, a, b):
        self.a, self.b = a, b
        return np.minimum(a, b)

    def backward(self, g):  # the smaller input gets the gradient; ties split it in half
        wa = (self.a < self.b) + 0.5 * (self.a == self.b)
        return _split(g, wa, self.a_shape, self.b_shape, self.needs_input_grad)


def _split(g, weight_a, a_shape, b_shape, needs):
    weight_a = weight_a.astype(g.dtype)
    return (
        unbroadcast(g * weight_a, a_shape) if needs[0] else None,
        unbroadcast(g * (1 - weight_a), b_shape) if needs[1] else None,
    )


# --- unary ops ------------------------------------------------------------------------
class Negative(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return (-g,)


class PowerScalar(Function):
    """x ** p for a constant number p (the common case: no gradient for p needed)."""

    def forward(self, a, p):
        self.a, self.p = a, p
        return a * a if p == 2 else a**p

    def backward(self, g):  # d(x^p) = p x^(p-1) dx
        if self.p == 2:
            return (2 * g * self.a,)
        if self.p == 0:  # x^0 = 1 is constant, also at x = 0 (as PyTorch)
            return (np.zeros_like(g),)
        return (g * (self.p * self.a ** (self.p - 1)),)


class Square(Function):
    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, g):  # d(x²) = 2x dx
        return (2 * self.a * g,)


class Sqrt(Function):
    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, g):  # d√x = dx / (2√x)
        with np.errstate(divide="ignore"):
            return (g / (2 * self.out),)


class Exp(Function):
    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, g):  # d e^x = e^x dx
        return (g * self.out,)


class Log(Function):
    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, g):  # d ln x = dx / x
        with np.errstate(divide="ignore"):
            return (g / self.a,)


class Log1p(Function):
    def forward(self, a):
        self.a = a
        return np.log1p(a)

    def backward(self, g):  # d ln(1+x) = dx / (1+x)
        return (g / (1 + self.a),)


class Abs(Function):
    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, g):  # d|x| = sign(x) dx, with sign(0) = 0
        return (g * np.sign(self.a),)


class Sign(Function):
    def forward(self, a):
        self.shape, self.dtype = a.shape, a.dtype
        return np.sign(a)

    def backward(self, g):  # piecewise constant: the gradient is 0 everywhere (as PyTorch)
        return (np.zeros(self.shape, self.dtype),)


class Clip(Function):
    def forward(self, a, lo, hi):
        self.mask = (a >= lo) & (a <= hi)
        return np.clip(a, lo, hi)

    def backward(self, g):  # 1 inside [lo, hi] (bounds included, as PyTorch), 0 outside
        return (g * self.mask,)


class Where(Function):
    def forward(self, cond, a, b):
        self.cond, self.a_shape, self.b_shape = cond, a.shape, b.shape
        return np.where(cond, a, b)

    def backward(self, g):  # each branch gets the gradient where it was chosen
        zero = np.zeros((), g.dtype)
        _, na, nb = self.needs_input_grad
        return (
            None,
            unbroadcast(np.where(self.cond, g, zero), self.a_shape) if na else None,
            unbroadcast(np.where(self.cond, zero, g), self.b_shape) if nb else None,
        )


class Cast(Function):
    def forward(self, a, dtype):
        self.in_dtype = a.dtype
        return a.astype(dtype)

    def backward(self, g):  # the gradient goes back in the input's dtype
        return (g.astype(self.in_dtype),)


# --- public functions -----------------------------------------------------------------
@register()
def add(x, y):
    """x + y element-wise, broadcasting as NumPy. Example: gw.add([1, 2], 3) -> [4, 5]."""
    return Add.apply(*operands(x, y))


@register()
def subtract(x, y):
    """x - y element-wise, broadcasting."""
    return Subtract.apply(*operands(x, y))


@register()
def multiply(x, y):
    """x * y element-wise, broadcasting."""
    return Multiply.apply(*operands(x, y))


@register()
def divide(x, y):
    """x / y element-wise (true division), broadcasting."""
    return Divide.apply(*operands(x, y))


@register()
def power(x, y):
    """x ** y element-wise; y may be a number (fast path) or a tensor (gradient for both)."""
    if is_number(y):
        return PowerScalar.apply(tensor(x), p=y)
    return Power.apply(*operands(x, y))


@register()
def maximum(x, y):
    """Element-wise max(x, y); at ties each input gets half of the gradient (as PyTorch)."""
    return Maximum.apply(*operands(x, y))


@register()
def minimum(x, y):
    """Element-wise min(x, y); at ties each input gets half of the gradient (as PyTorch)."""
    return Minimum.apply(*operands(x, y))


@register()
def negative(x):
    """-x."""
    return Negative.apply(tensor(x))


@register()
def square(x):
    """x² element-wise."""
    return Square.apply(tensor(x))


@register()
def sqrt(x):
    """√x element-wise; the gradient at 0 is inf (as PyTorch)."""
    return Sqrt.apply(tensor(x))


@register()
def exp(x):
    """eˣ element-wise."""
    return Exp.apply(tensor(x))


@register()
def log(x):
    """Natural logarithm element-wise."""
    return Log.apply(tensor(x))


@register()
def log1p(x):
    """ln(1 + x), accurate for small x."""
    return Log1p.apply(tensor(x))


@register()
def abs(x):  # noqa: A001  (the op is called abs, as in NumPy and TF)
    """|x| element-wise; the gradient at 0 is 0 (as PyTorch)."""
    return Abs.apply(tensor(x))


@register()
def sign(x):
    """-1, 0 or 1 element-wise; its gradient is 0."""
    return Sign.apply(tensor(x))


@register()
def clip(x, x_min, x_max):
    """Limit x to [x_min, x_max] (tf.clip_by_value / keras.ops.clip); gradient 1 inside, bounds included."""
    x = tensor(x)
    return Clip.apply(x, lo=x_min, hi=x_max)


@register()
def where(condition, x, y):
    """Pick x where condition is true, else y (broadcasting); no gradient for the condition."""
    cond = Tensor._from_array(np.asarray(getattr(condition, "data", condition), dtype=bool), None)
    x, y = operands(x, y)
    return Where.apply(cond, x, y)


@register()
def cast(x, dtype):
    """x converted to `dtype`; the gradient flows back when both dtypes are floating."""
    x = tensor(x)
    dtype = as_dtype(dtype)
    if x.data.dtype == dtype:
        return x
    if x.requires_grad and dtype.kind != "f":
        x = x.detach()  # an integer result carries no gradient
    return Cast.apply(x, dtype=dtype)


def _check_float(x, op):
    if x.data.dtype.kind != "f":
        raise DTypeError(f"{op} needs a floating-point tensor, got {x.dtype}; use gw.cast(x, 'float32').")
