"""Activation functions, each one op with its derivative written as the course writes it.

All are stable at large |x| (no overflow warnings at ±1000 in float32 or float64).
Conventions at kinks follow PyTorch: relu'(0) = 0, leaky_relu'(0) = slope,
elu'(0) = alpha, hard_sigmoid' = 1/6 strictly inside (-3, 3), binary_step' = 0.
"""

import math

import numpy as np

from ..function import Function, register
from ._common import tensor

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _sigmoid(x):
    """σ(x) = 1 / (1 + e^-x), evaluated with e^-|x| so nothing overflows.

    The two branches (r for x >= 0, e r below) are joined by masks rather than np.where,
    which branches per element and runs about 6x slower on mixed signs; both terms are
    finite and one of each pair is exactly 0, so the join is exact.
    """
    e = np.exp(-np.abs(x))
    r = 1 / (1 + e)
    up = x >= 0
    return up * r + ~up * (e * r)


_ZEROS = {}  # dtype -> one read-only zero buffer
_ZERO_VIEWS = {}  # (shape, dtype) -> a view of it in that shape


def _zeros_like(x):
    """Read-only zeros shaped like a C-contiguous x, views of one cached buffer per dtype.

    np.maximum(x, zeros) runs about 3x faster than np.maximum(x, 0): NumPy's loop for a
    broadcast scalar is not vectorised. One buffer per dtype, as large as the largest input
    so far, is never written; the view for each shape is kept too (a training loop asks
    for the same few shapes every step).
    """
    key = (x.shape, x.dtype)
    view = _ZERO_VIEWS.get(key)
    if view is None:
        buf = _ZEROS.get(x.dtype)
        if buf is None or buf.size < x.size:
            buf = np.zeros(max(x.size, 4096), x.dtype)
            buf.flags.writeable = False
            _ZEROS[x.dtype] = buf
            _ZERO_VIEWS.clear()  # views of a smaller buffer would keep it alive
        if len(_ZERO_VIEWS) >= 256:
            _ZERO_VIEWS.clear()
        view = _ZERO_VIEWS[key] = buf[:x.size].reshape(x.shape)
    return view


def _zero_for(x):
    """The fastest zero to compare x with: cached zeros for a C-contiguous array, else a scalar."""
    if isinstance(x, np.ndarray) and x.flags.c_contiguous:
        return _zeros_like(x)
    return np.asarray(x).dtype.type(0)


class Sigmoid(Function):
    def forward(self, x):
        self.out = _sigmoid(x)
        return self.out

    def backward(self, g):  # σ' = σ (1 - σ)
        return (g * self.out * (1 - self.out),)


class Tanh(Function):
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, g):  # tanh' = 1 - tanh²
        return (g * (1 - self.out * self.out),)


class Relu(Function):
    overwrites_grad = True

    def forward(self, x):
        self.out = np.maximum(x, _zero_for(x))
        return self.out

    def backward(self, g):  # 1 where x > 0, else 0 (0 at x = 0)
        return (np.multiply(g, self.out > 0, out=g if self.grad_is_scratch else None),)


class ReluGeneral(Function):
    """Keras's relu(x, negative_slope, max_value, threshold).

    At the kinks the gradient takes the flat side, as PyTorch's relu6/threshold do:
    negative_slope at x == threshold, 0 at x >= max_value.
    """

    def forward(self, x, negative_slope, max_value, threshold):
        below = x <= threshold  # Keras: x == threshold maps to 0, not to threshold
        out = np.where(below, negative_slope * (x - threshold), x)
        self.slope = np.where(below, negative_slope, 1.0)  # the kink takes the left slope
        if max_value is not None:
            above = x >= max_value
            out = np.where(above, max_value, out)
            self.slope = np.where(above, 0.0, self.slope)
        self.slope = self.slope.astype(x.dtype)
        return out.astype(x.dtype)

    def backward(self, g):
        return (g * self.slope,)


# The piecewise activations below are sums of a positive and a negative part rather than
# np.where, which branches per element and runs about 6x slower on mixed signs; each sum
# adds an exact 0 to one part, so the values are the same (infinities and NaN included).
class LeakyRelu(Function):
    def forward(self, x, slope):
        zero = _zero_for(x)
        self.pos, self.s = x > 0, x.dtype.type(slope)
        return np.maximum(x, zero) + self.s * np.minimum(x, zero)

    def backward(self, g):  # 1 for x > 0, slope otherwise
        return (g * (self.pos + ~self.pos * self.s),)


class Elu(Function):
    def forward(self, x, alpha, scale=1.0):
        zero = _zero_for(x)
        self.pos, self.alpha, self.scale = x > 0, x.dtype.type(alpha), x.dtype.type(scale)
        self.neg_exp = np.exp(np.minimum(x, zero))  # e^x on the negative side only
        return self.scale * (np.maximum(x, zero) + self.alpha * (self.neg_exp - 1))

    def backward(self, g):  # 1 for x > 0, alpha e^x otherwise
        return (self.scale * (g * (self.pos + ~self.pos * (self.alpha * self.neg_exp))),)


class Softplus(Function):
    def forward(self, x):
        self.x = x
        return np.logaddexp(0, x)  # ln(1 + e^x) without overflow

    def backward(self, g):  # softplus' = σ
        return (g * _sigmoid(self.x),)


class Softsign(Function):
    def forward(self, x):
        self.d = 1 + np.abs(x)
        return x / self.d

    def backward(self, g):  # 1 / (1 + |x|)²
        return (g / (self.d * self.d),)


class Arctan(Function):
    def forward(self, x):
        self.x = x
        return np.arctan(x)

    def backward(self, g):  # 1 / (1 + x²)
        return (g / (1 + self.x * self.x),)


class Isru(Function):
    def forward(self, x, alpha):
        self.r = 1 / np.sqrt(1 + alpha * x * x)
        return x * self.r

    def backward(self, g):  # (1 / sqrt(1 + αx²))³
        return (g * self.r**3,)


class Swish(Function):
    def forward(self, x):
        self.x, self.s = x, _sigmoid(x)
        return x * self.s

    def backward(self, g):  # σ(x) (1 + x (1 - σ(x)))
        return (g * self.s * (1 + self.x * (1 - self.s)),)


class HardSigmoid(Function):
    def forward(self, x):
        self.inside = (x > -3) & (x < 3)
        return np.clip(x / 6 + 0.5, 0, 1).astype(x.dtype)

    def backward(self, g):  # 1/6 strictly inside (-3, 3), else 0
        return (g * self.inside / 6,)


class BinaryStep(Function):
    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return (x >= 0).astype(x.dtype)

    def backward(self, g):  # flat everywhere (undefined at 0): gradient 0
        return (np.zeros(self.shape, self.dtype),)


_erf = np.frompyfunc(math.erf, 1, 1)


class Gelu(Function):
    def forward(self, x, approximate):
        self.x, self.approximate = x, approximate
        if approximate:  # 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
            self.t = np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))
            return 0.5 * x * (1 + self.t)
        self.cdf = (0.5 * (1 + _erf(x / math.sqrt(2)).astype(x.dtype))).astype(x.dtype)
        return x * self.cdf  # x Φ(x)

    def backward(self, g):
        x = self.x
        if self.approximate:
            k = math.sqrt(2 / math.pi)
            dt = (1 - self.t**2) * k * (1 + 3 * 0.044715 * x * x)
            return (g * (0.5 * (1 + self.t) + 0.5 * x * dt),)
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return (g * (self.cdf + x * pdf),)  # Φ(x) + x φ(x)


class Softmax(Function):
    def forward(self, x, axis):
        self.axis = axis
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        self.out = e / e.sum(axis=axis, keepdims=True)
        return self.out

    def backward(self, g):  # J = diag(s) - s sᵀ  ->  s ⊙ (g - Σ g s)
        s = self.out
        return (s * (g - (g * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    def forward(self, x, axis):
        self.axis = axis
        shifted = x - np.max(x, axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        self.softmax = np.exp(out)
        return out

    def backward(self, g):  # g - softmax · Σ g
        return (g - self.softmax * g.sum(axis=self.axis, keepdims=True),)


# --- public functions -----------------------------------------------------------------
@register()
def sigmoid(x):
    """Logistic sigmoid σ(x) = 1 / (1 + e^-x); σ' = σ(1 - σ)."""
    return Sigmoid.apply(tensor(x))


@register()
def tanh(x):
    """Hyperbolic tangent; tanh' = 1 - tanh²."""
    return Tanh.apply(tensor(x))


@register()
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit max(x, 0); Keras's optional negative_slope, max_value, threshold.

    Gradient 1 for x > 0 and 0 for x <= 0 (as PyTorch).
    """
    x = tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return Relu.apply(x)
    return ReluGeneral.apply(x, negative_slope=negative_slope, max_value=max_value, threshold=threshold)


@register()
def leaky_relu(x, negative_slope=0.2, *, alpha=None):
    """x for x > 0, negative_slope·x otherwise (Keras default 0.2; `alpha` as in tf.nn)."""
    slope = negative_slope if alpha is None else alpha
    return LeakyRelu.apply(tensor(x), slope=slope)


@register()
def elu(x, alpha=1.0):
    """x for x > 0, alpha (eˣ - 1) otherwise."""
    return Elu.apply(tensor(x), alpha=alpha)


@register()
def selu(x):
    """Scaled ELU: scale · elu(x, alpha) with the self-normalising constants (1.0507, 1.6733)."""
    return Elu.apply(tensor(x), alpha=SELU_ALPHA, scale=SELU_SCALE)


@register()
def gelu(x, approximate=False):
    """Gaussian error linear unit x Φ(x) (exact, Keras's default) or its tanh approximation."""
    return Gelu.apply(tensor(x), approximate=bool(approximate))


@register()
def softplus(x):
    """ln(1 + eˣ), a smooth relu; softplus' = σ."""
    return Softplus.apply(tensor(x))


@register()
def softsign(x):
    """x / (1 + |x|)."""
    return Softsign.apply(tensor(x))


@register()
def arctan(x):
    """Inverse tangent; derivative 1 / (1 + x²)."""
    return Arctan.apply(tensor(x))


@register()
def isru(x, alpha=1.0):
    """Inverse square root unit x / √(1 + αx²)."""
    return Isru.apply(tensor(x), alpha=alpha)


@register()
def swish(x):
    """x σ(x) (also called silu)."""
    return Swish.apply(tensor(x))


@register()
def silu(x):
    """x σ(x): the same function as swish."""
    return swish(x)


@register()
def hard_sigmoid(x):
    """Piecewise-linear sigmoid: 0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between (Keras 3)."""
    return HardSigmoid.apply(tensor(x))


@register()
def linear(x):
    """The identity (Keras's "linear" activation); returns x itself."""
    return tensor(x)


@register()
def binary_step(x):
    """Heaviside step: 1 for x >= 0, else 0; its gradient is 0."""
    return BinaryStep.apply(tensor(x))


@register()
def softmax(x, axis=-1):
    """eˣ / Σ eˣ along `axis`, computed with the max subtracted (stable)."""
    return Softmax.apply(tensor(x), axis=axis)


@register()
def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis` (stable)."""
    return LogSoftmax.apply(tensor(x), axis=axis)
