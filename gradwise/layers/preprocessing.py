"""Preprocessing layers: Normalization (feature standardisation inside the model, as Keras 3)
and Rescaling (a fixed affine map, e.g. pixels from [0, 255] to [0, 1])."""

import numbers

import numpy as np

from ..autodiff.ops import add, cast, divide, multiply, subtract
from ..autodiff.tensor import Tensor
from ..errors import ShapeError
from .base import Layer

EPSILON = 1e-7  # keras.backend.epsilon(): the smallest standard deviation divided by


class Normalization(Layer):
    """Shift and scale features to mean 0 and variance 1 with statistics of the training data:

        y = (x - mean) / max(√variance, ε)        (invert=True: x · max(√variance, ε) + mean)

    ε = 1e-7, so a constant feature (variance 0) maps to 0 instead of dividing by zero.
    Keeping the statistics in the model means a saved model normalises raw inputs by itself.

    Args:
        axis: int, tuple of ints or None: the axes that keep a separate mean and variance per
            index (default -1: one per feature); None: one scalar mean and variance.
        mean, variance: fixed statistics (numbers or arrays broadcastable to the kept axes);
            give both, or neither and call `adapt(data)`. Note: the variance, not the std.
        invert: apply the inverse map (turn normalised values back into raw ones).

    Weights: after adapt, `mean` and `variance` (non-trainable, shaped as the kept axes);
    none when the statistics are given to the constructor (they live in the config).

    Input shape: any with known sizes on the kept axes. Output shape: the same.
    """

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            self.axis = ()
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            self.axis = (int(axis),)
        elif isinstance(axis, (list, tuple)) and all(isinstance(a, (int, np.integer)) for a in axis):
            self.axis = tuple(int(a) for a in axis)
        else:
            raise ValueError(f"Normalization: axis must be an int, a tuple of ints or None, got {axis!r}.")
        if (mean is None) != (variance is None):
            raise ValueError(
                f"Normalization: give both mean and variance, or neither (then call adapt(data)); "
                f"got mean={mean!r}, variance={variance!r}."
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization: mean and variance must have the same shape, got "
                                 f"{np.shape(mean)} and {np.shape(variance)}.")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"Normalization: mean of shape {np.shape(mean)} has more axes than the "
                                 f"{len(self.axis)} kept axes {self.axis}.")
            if np.any(np.asarray(variance) < 0):
                raise ValueError("Normalization: variance must be >= 0 (it is the variance, not the std).")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)

    # --- shapes ------------------------------------------------------------------------------
    def _layout(self, input_shape):
        """(kept axes as non-negative ints, broadcast shape of the statistics), checked."""
        ndim = len(input_shape)
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ShapeError(f"Normalization '{self.name}': axis {a} is out of range for inputs of rank {ndim} "
                                 f"(shape {tuple(input_shape)}).")
        keep = tuple(sorted(a % ndim for a in self.axis))
        for a in keep:
            if input_shape[a] is None:
                raise ShapeError(f"Normalization '{self.name}': kept axis {a} of input shape {tuple(input_shape)} "
                                 "has no fixed size.")
        return keep, tuple(input_shape[a] if a in keep else 1 for a in range(ndim))

    def build(self, input_shape):
        self._keep, self._broadcast = self._layout(input_shape)
        self._kept_sizes = {a: input_shape[a] for a in self._keep}
        stats_shape = tuple(input_shape[a] for a in self._keep)
        if self.input_mean is None:
            self.mean = self.add_weight(stats_shape, "zeros", name="mean", trainable=False)
            self.variance = self.add_weight(stats_shape, "ones", name="variance", trainable=False)
        else:
            self._fixed = tuple(self._place(v) for v in (self.input_mean, self.input_variance))

    def _place(self, value):
        """A given mean or variance laid along the kept axes (matched right to left) and broadcast."""
        value = np.asarray(value, dtype=np.float64)
        shape = [1] * len(self._broadcast)
        for i in range(1, value.ndim + 1):
            shape[self._keep[-i]] = value.shape[-i]
        try:
            return np.broadcast_to(value.reshape(shape), self._broadcast).astype(self.dtype)
        except ValueError:
            raise ShapeError(
                f"Normalization '{self.name}': the given statistics of shape {value.shape} do not broadcast "
                f"to the kept axes' shape {tuple(self._kept_sizes.values())}."
            ) from None

    def _check_shape(self, shape):
        if len(shape) != len(self._broadcast) or any(shape[a] != n for a, n in self._kept_sizes.items()):
            raise ShapeError(
                f"Normalization '{self.name}' was built for rank {len(self._broadcast)} with sizes "
                f"{self._kept_sizes} on the kept axes, got input of shape {tuple(shape)}."
            )

    # --- statistics -------------------------------------------------------------------------
    def adapt(self, data):
        """Compute the mean and variance of `data` (an array, or an iterable of batches) along the
        axes that are not kept, and store them in the layer's weights. Call it before fit()."""
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}' was given mean and variance; adapt() would "
                             "ignore them. Make the layer without mean/variance to adapt it.")
        batches = _batches(data)
        count, mean, m2 = 0, None, None
        for batch in batches:
            if not self.built:
                self.build(batch.shape)
                self.built, self._build_shape = True, (None,) + tuple(batch.shape[1:])
            else:
                self._check_shape(batch.shape)
            if not np.isfinite(batch).all():
                raise ValueError(f"Normalization '{self.name}'.adapt: the data holds NaN or inf; clean it first.")
            reduce = tuple(a for a in range(batch.ndim) if a not in self._keep)
            n = int(np.prod([batch.shape[a] for a in reduce])) if reduce else 1
            if n == 0:
                continue
            b_mean = batch.mean(axis=reduce)
            b_m2 = ((batch - batch.mean(axis=reduce, keepdims=True)) ** 2).sum(axis=reduce)
            if count == 0:
                count, mean, m2 = n, b_mean, b_m2
            else:  # Chan et al.: merge two (count, mean, sum of squared deviations) summaries
                delta = b_mean - mean
                total = count + n
                mean = mean + delta * n / total
                m2 = m2 + b_m2 + delta**2 * count * n / total
                count = total
        if count == 0:
            raise ValueError(f"Normalization '{self.name}'.adapt got no data; pass a non-empty array.")
        self.mean.assign(np.asarray(mean, dtype=self.dtype))
        self.variance.assign(np.asarray(m2 / count, dtype=self.dtype))

    def _statistics(self):
        """(mean, max(√variance, ε)) as arrays of the broadcast shape."""
        if self.input_mean is not None:
            mean, variance = self._fixed
        else:
            mean = self.mean.data.reshape(self._broadcast)
            variance = self.variance.data.reshape(self._broadcast)
        return mean, np.maximum(np.sqrt(variance), np.asarray(EPSILON, variance.dtype))

    def call(self, inputs):
        mean, scale = (Tensor._from_array(a.astype(inputs.dtype, copy=False), None) for a in self._statistics())
        if self.invert:
            return add(multiply(inputs, scale), mean)
        return divide(subtract(inputs, mean), scale)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=None if not self.axis else (self.axis[0] if len(self.axis) == 1 else list(self.axis)),
            mean=_plain(self.input_mean), variance=_plain(self.input_variance), invert=self.invert,
        )
        return config


class Rescaling(Layer):
    """Multiplies the inputs by `scale` and adds `offset`: y = x · scale + offset.

    Puts raw data in the range the network trains well on, inside the model, so a saved model
    takes raw inputs: `Rescaling(1 / 255)` maps pixels [0, 255] to [0, 1];
    `Rescaling(1 / 127.5, offset=-1)` maps them to [-1, 1]. Integer inputs (e.g. uint8 images)
    are converted to the layer's dtype (float32 by default) first, as in Keras.

    Args:
        scale: number (or array broadcasting against the inputs, e.g. one per channel).
        offset: number or array, added after scaling (default 0.0).

    Input shape: any. Output shape: the same, dtype float32 (the layer's dtype).
    """

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for what, value in (("scale", scale), ("offset", offset)):
            array = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
            if array.dtype.kind not in "iuf" or array.dtype == bool:
                raise ValueError(f"Rescaling: {what} must be a number (or an array of numbers), got {value!r}.")
        self.scale, self.offset = _plain_value(scale), _plain_value(offset)

    def call(self, inputs):
        if inputs.dtype != self.dtype:
            inputs = cast(inputs, self.dtype)
        scale = np.asarray(self.scale, dtype=self.dtype)
        offset = np.asarray(self.offset, dtype=self.dtype)
        return add(multiply(inputs, scale), offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _check_shape(self, shape):
        pass  # any shape that scale and offset broadcast against

    def get_config(self):
        config = super().get_config()
        config.update(scale=self.scale, offset=self.offset)
        return config


def _plain_value(value):
    """A number, array or Tensor as a Python float or nested lists of floats (JSON-able)."""
    array = np.asarray(value.numpy() if isinstance(value, Tensor) else value, dtype=np.float64)
    return float(array) if array.ndim == 0 else array.tolist()


def _plain(value):
    """A number or array as JSON-able numbers and lists (None stays None)."""
    if value is None or isinstance(value, numbers.Real):
        return value
    return np.asarray(value).tolist()


def _batches(data):
    """`data` as a list of float64 arrays: one array, or the batches of an iterable of arrays."""
    if isinstance(data, Tensor):
        return [np.asarray(data.numpy(), dtype=np.float64)]
    if isinstance(data, np.ndarray):
        return [data.astype(np.float64)]
    items = list(data)
    if items and all(isinstance(b, numbers.Real) for b in items):
        return [np.asarray(items, dtype=np.float64)]  # a plain list of numbers is one array
    out = [np.asarray(b.numpy() if isinstance(b, Tensor) else b, dtype=np.float64) for b in items]
    if not out:
        raise ValueError("Normalization.adapt got an empty iterable; pass an array or batches of arrays.")
    return out
