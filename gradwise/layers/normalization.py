"""BatchNormalization (its training-mode forward/backward as one fused op), LayerNormalization
and UnitNormalization (both composed from differentiable ops, so they need no backward)."""

import numbers

import numpy as np

from .. import initializers
from ..autodiff.function import Function, register
from ..autodiff.ops import add, cast, divide, maximum, mean, multiply, reshape, sqrt, square, subtract, var
from ..autodiff.ops import sum as reduce_sum
from ..autodiff.ops._common import norm_axis, tensor
from ..autodiff.tensor import Tensor
from ..errors import ShapeError
from .base import Layer
from .core import _regularizer, _serialize_regularizer


class BatchNormTrain(Function):
    """y = γ x̂ + β, x̂ = (x - μ) / σ, with μ, σ² = mean and biased variance of x over `axes`.

    Fused (one node instead of a dozen): the backward is the closed form, with N the number
    of values each statistic is taken over and Σ summing over `axes`,

        dβ = Σ g        dγ = Σ g x̂        dx = (γ / σ) (g - dβ / N - x̂ dγ / N)

    which already includes the paths through μ and σ (both depend on x).
    """

    def forward(self, x, gamma, beta, axes, epsilon, stats=None):
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        var = np.mean(centered * centered, axis=axes, keepdims=True)
        inv_std = 1 / np.sqrt(var + epsilon)
        shape = mean.shape  # 1 on the reduced axes: gamma and beta broadcast in it
        self.xhat, self.axes, self.count = centered * inv_std, axes, x.size // mean.size
        self.gamma_shape, self.scale = gamma.shape, gamma.reshape(shape) * inv_std
        if stats is not None:  # the layer's moving averages need the batch statistics
            stats["mean"], stats["variance"] = mean.reshape(-1), var.reshape(-1)
        return self.xhat * gamma.reshape(shape) + beta.reshape(shape)

    def backward(self, g):
        need_x, need_gamma, need_beta = self.needs_input_grad
        dbeta = g.sum(axis=self.axes, keepdims=True)
        dgamma = (g * self.xhat).sum(axis=self.axes, keepdims=True)
        dx = self.scale * (g - dbeta / self.count - self.xhat * (dgamma / self.count)) if need_x else None
        return (dx, dgamma.reshape(self.gamma_shape) if need_gamma else None,
                dbeta.reshape(self.gamma_shape) if need_beta else None)


@register()
def batch_norm_train(x, gamma, beta, axis=-1, epsilon=1e-3, stats=None):
    """Batch normalization with the batch's own statistics (BatchNormalization in training).

    y = γ (x - μ) / √(σ² + ε) + β, with μ and σ² the mean and biased variance of x over every
    axis but `axis`; gamma and beta have shape (x.shape[axis],). Pass a dict as `stats` to
    receive μ and σ² (each of shape (x.shape[axis],)) as arrays.

        >>> y = gw.layers.normalization.batch_norm_train(x, np.ones(3), np.zeros(3))
    """
    x, gamma, beta = tensor(x), tensor(gamma), tensor(beta)
    channel = norm_axis(axis, x.ndim)[0]
    if gamma.shape != (x.shape[channel],) or beta.shape != (x.shape[channel],):
        raise ShapeError(
            f"batch_norm_train: gamma and beta must have shape ({x.shape[channel]},) for axis {axis} of "
            f"an input of shape {tuple(x.shape)}, got {tuple(gamma.shape)} and {tuple(beta.shape)}."
        )
    axes = tuple(i for i in range(x.ndim) if i != channel)
    return BatchNormTrain.apply(x, gamma, beta, axes=axes, epsilon=float(epsilon), stats=stats)


class BatchNormalization(Layer):
    """Normalizes each feature (channel) with batch statistics in training and moving averages
    at inference, then scales by gamma and shifts by beta (Keras 3 semantics).

        training:   y = γ (x - mean(x)) / √(var(x) + ε) + β      (statistics over all axes but `axis`)
                    moving_mean ← moving_mean · momentum + mean(x) · (1 - momentum)
                    moving_var  ← moving_var  · momentum + var(x)  · (1 - momentum)
        inference:  y = γ (x - moving_mean) / √(moving_var + ε) + β

    var is the biased variance (divided by N). A frozen layer (`layer.trainable = False`)
    runs in inference mode even when called with training=True, as in Keras, so fine-tuning
    does not disturb its statistics.

    Args:
        axis: the feature axis (default -1, channels-last; 1 for (N, C, ...) inputs).
        momentum: weight of the old value in the moving averages (default 0.99).
        epsilon: added to the variance before the square root (default 1e-3).
        center: learn the offset beta (default True); scale: learn the factor gamma (default True).
        beta_initializer ("zeros"), gamma_initializer ("ones"), moving_mean_initializer
        ("zeros"), moving_variance_initializer ("ones").

    Input shape: any, with the size of `axis` fixed. Output shape: the same.
    Weights (Keras's order): gamma, beta (trainable), moving_mean, moving_variance
    (non-trainable), each of shape (features,).
    """

    constraint_args = ("beta", "gamma")

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, np.integer)):
            raise ValueError(f"BatchNormalization: axis must be an int, got {axis!r}.")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum!r}.")
        if not epsilon > 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon!r}.")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ShapeError(f"BatchNormalization '{self.name}': axis {self.axis} is out of range for inputs "
                             f"of shape {tuple(input_shape)}.")
        self._channel = self.axis % ndim
        n = input_shape[self._channel]
        if n is None:
            raise ShapeError(f"BatchNormalization '{self.name}': axis {self.axis} of the input shape "
                             f"{tuple(input_shape)} must be known.")
        self.gamma = self.add_weight((n,), self.gamma_initializer, name="gamma") if self.scale else None
        self.beta = self.add_weight((n,), self.beta_initializer, name="beta") if self.center else None
        self.moving_mean = self.add_weight((n,), self.moving_mean_initializer, name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight((n,), self.moving_variance_initializer, name="moving_variance",
                                               trainable=False)

    def _check_shape(self, shape):
        n = self.moving_mean.shape[0]
        if len(shape) != len(self._build_shape) or shape[self._channel] != n:
            raise ShapeError(
                f"BatchNormalization '{self.name}' expected inputs of rank {len(self._build_shape)} with "
                f"{n} features on axis {self.axis}, got input of shape {tuple(shape)}."
            )

    def _gamma_beta(self, dtype):
        n = self.moving_mean.shape[0]
        gamma = self.gamma if self.scale else Tensor._from_array(np.ones(n, dtype), None)
        beta = self.beta if self.center else Tensor._from_array(np.zeros(n, dtype), None)
        return gamma, beta

    supports_masking = True

    def call(self, inputs, training=None, mask=None):
        gamma, beta = self._gamma_beta(inputs.dtype)
        if training and self.trainable:
            stats = {}
            if mask is None:
                out = batch_norm_train(inputs, gamma, beta, axis=self._channel, epsilon=self.epsilon, stats=stats)
            else:
                out = self._masked_train(inputs, gamma, beta, mask, stats)
            m = self.momentum
            for var, batch in ((self.moving_mean, stats["mean"]), (self.moving_variance, stats["variance"])):
                var.data *= m
                var.data += (1 - m) * batch.astype(var.dtype, copy=False)
            return out
        # inference: one scale and one offset per feature, y = x · s + o
        shape = [1] * inputs.ndim
        shape[self._channel] = -1
        inv_std = 1 / np.sqrt(self.moving_variance.data + self.epsilon)
        scale = multiply(gamma, Tensor._from_array(inv_std.astype(inputs.dtype, copy=False), None))
        offset = add(beta, -multiply(scale, Tensor._from_array(self.moving_mean.data.astype(inputs.dtype), None)))
        return add(multiply(inputs, reshape(scale, shape)), reshape(offset, shape))

    def _masked_train(self, inputs, gamma, beta, mask, stats):
        """Training with a (batch, steps) mask, as Keras: the statistics are taken over the kept
        positions only (masked ones weigh 0); every position is then normalised with them."""
        keep = np.asarray(getattr(mask, "data", mask), dtype=inputs.dtype)
        keep = Tensor._from_array(keep.reshape(keep.shape + (1,) * (inputs.ndim - keep.ndim)), None)
        axes = tuple(i for i in range(inputs.ndim) if i != self._channel)
        count = float(keep.data.sum()) + 1e-7  # the kept positions (keras.backend.epsilon() added)
        mean = divide(reduce_sum(multiply(keep, inputs), axis=axes, keepdims=True), count)
        centered = subtract(inputs, mean)
        var = divide(reduce_sum(multiply(keep, square(centered)), axis=axes, keepdims=True), count)
        stats["mean"], stats["variance"] = mean.data.reshape(-1), var.data.reshape(-1)
        shape = [1] * inputs.ndim
        shape[self._channel] = -1
        normalised = divide(centered, sqrt(add(var, self.epsilon)))
        return add(multiply(normalised, reshape(gamma, shape)), reshape(beta, shape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center, scale=self.scale,
            beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
            moving_variance_initializer=initializers.serialize(self.moving_variance_initializer),
        )
        return config


# --- LayerNormalization, UnitNormalization --------------------------------------------------
def _axis_arg(axis, layer):
    """An int or a list of ints (Keras's two forms of `axis`), or a TypeError naming the layer."""
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
        return [int(a) for a in axis]
    raise TypeError(f"{layer}: axis must be an int or a non-empty list/tuple of ints, got {axis!r}.")


def _layer_axes(axis, input_shape, layer):
    """The axes as sorted non-negative ints, or a ShapeError naming the layer and the input shape."""
    try:
        return norm_axis(axis, len(input_shape))
    except ShapeError:
        raise ShapeError(f"{layer}: axis {axis} is out of range for inputs of shape {tuple(input_shape)}.") from None


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    """Layer normalization: each sample normalised by its own statistics over `axis`.

        y = γ (x - μ) / √(σ² + ε) + β,   μ, σ² = mean and biased variance of x over `axis`

    gamma and beta (None: 1 and 0) have the shape of the normalised axes, x.shape[a] for a in
    sorted(axis). Composed from mean, var, sqrt, ...: the gradient, including the paths
    through μ and σ², comes from those ops. gamma and beta are cast to x's dtype.

        >>> y = gw.layers.normalization.layer_normalization(x, np.ones(4), np.zeros(4))
    """
    x = tensor(x)
    axes = norm_axis(axis, x.ndim)
    param_shape = tuple(x.shape[a] for a in axes)
    broadcast = [n if i in axes else 1 for i, n in enumerate(x.shape)]  # params lined up with x
    out = divide(subtract(x, mean(x, axis=axes, keepdims=True)),
                 sqrt(add(var(x, axis=axes, keepdims=True), float(epsilon))))
    for name, param, combine in (("gamma", gamma, multiply), ("beta", beta, add)):
        if param is None:
            continue
        param = tensor(param)
        if tuple(param.shape) != param_shape:
            raise ShapeError(f"layer_normalization: {name} must have shape {param_shape} (the axes {axes} of an "
                             f"input of shape {tuple(x.shape)}), got {tuple(param.shape)}.")
        out = combine(out, reshape(cast(param, x.dtype), broadcast))
    return out


class LayerNormalization(Layer):
    """Normalizes each sample over its feature axes with its own mean and variance, then scales
    by gamma and shifts by beta (Ba et al., 2016; Keras 3 semantics). Unlike BatchNormalization
    it uses no batch statistics, so training and inference compute the same thing and the batch
    size does not matter (the usual choice in transformers and recurrent networks).

        y = γ (x - μ) / √(σ² + ε) + β,   μ, σ² = mean and biased variance of x over `axis`

    Args:
        axis: int or list of ints, the axes to normalise over (default -1, the features).
        epsilon: added to the variance before the square root (default 1e-3, as Keras 3).
        center: learn the offset beta (default True); scale: learn the factor gamma (default True).
        beta_initializer ("zeros"), gamma_initializer ("ones").
        beta_regularizer, gamma_regularizer: optional penalties added to the loss (default None).
        rms_scaling: accepted for Keras configs, only False (Keras 3 deprecates it).

    Input shape: any, with the sizes of `axis` fixed. Output shape: the same.
    Weights (Keras's order): gamma, beta, each of shape (input_shape[a] for a in sorted(axis)),
    e.g. (features,) for axis=-1.

        >>> LayerNormalization()(np.array([[1.0, 2.0, 3.0]]))   # ≈ [[-1.2238, 0, 1.2238]]
    """

    constraint_args = ("beta", "gamma")

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, rms_scaling=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = _axis_arg(axis, "LayerNormalization")
        if not isinstance(epsilon, numbers.Real) or isinstance(epsilon, bool) or not epsilon > 0:
            raise ValueError(f"LayerNormalization: epsilon must be a positive number, got {epsilon!r}.")
        if rms_scaling:
            raise ValueError("LayerNormalization: rms_scaling=True is not supported (Keras 3 deprecates it: it "
                             "divides by the standard deviation, not the root mean square). Use rms_scaling=False.")
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = _regularizer(beta_regularizer)
        self.gamma_regularizer = _regularizer(gamma_regularizer)

    def build(self, input_shape):
        self._axes = _layer_axes(self.axis, input_shape, f"LayerNormalization '{self.name}'")
        self._param_shape = tuple(input_shape[a] for a in self._axes)
        if None in self._param_shape:
            raise ShapeError(f"LayerNormalization '{self.name}': the normalised axes {self.axis} of the input "
                             f"shape {tuple(input_shape)} must be known.")
        self.gamma = self.add_weight(self._param_shape, self.gamma_initializer, name="gamma",
                                     regularizer=self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight(self._param_shape, self.beta_initializer, name="beta",
                                    regularizer=self.beta_regularizer) if self.center else None

    def _check_shape(self, shape):
        rank = len(self._build_shape)
        if len(shape) != rank or tuple(shape[a] for a in self._axes) != self._param_shape:
            raise ShapeError(
                f"LayerNormalization '{self.name}' expected inputs of rank {rank} with sizes {self._param_shape} "
                f"on axes {list(self._axes)}, got input of shape {tuple(shape)}."
            )

    def call(self, inputs):
        return layer_normalization(inputs, self.gamma, self.beta, axis=self._axes, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale, rms_scaling=False,
            beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            beta_regularizer=_serialize_regularizer(self.beta_regularizer),
            gamma_regularizer=_serialize_regularizer(self.gamma_regularizer),
        )
        return config


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis` (Keras 3 semantics), e.g. to compare
    embeddings by cosine similarity with a plain dot product. No weights.

        y = x / max(‖x‖₂, 1e-12),   ‖x‖₂ = √(Σ x²) over `axis`

    The floor 1e-12 (Keras's) keeps an all-zero sample at zero instead of 0/0; it is applied
    as √max(Σ x², 1e-24), so the gradient is finite there as well.

    Args:
        axis: int or list of ints, the axes whose norm is made 1 (default -1).

    Input shape: any. Output shape: the same.

        >>> UnitNormalization()(np.array([[3.0, 4.0]]))   # [[0.6, 0.8]]
    """

    supports_masking = True

    EPSILON = 1e-12

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axis_arg(axis, "UnitNormalization")

    def call(self, inputs):
        axes = _layer_axes(self.axis, inputs.shape, f"UnitNormalization '{self.name}'")
        squares = reduce_sum(square(inputs), axis=axes, keepdims=True)
        return divide(inputs, sqrt(maximum(squares, self.EPSILON ** 2)))

    def compute_output_shape(self, input_shape):
        _layer_axes(self.axis, input_shape, f"UnitNormalization '{self.name}'")
        return tuple(input_shape)

    def _check_shape(self, shape):
        pass  # any shape with the axes in range (checked in call)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
