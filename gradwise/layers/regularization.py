"""Regularization layers: Dropout and its relatives (SpatialDropout1D/2D/3D, GaussianDropout,
AlphaDropout) and GaussianNoise. All act only when called with training=True and are the
identity otherwise; their randomness comes from a seed of their own or from gradwise's generator."""

import numbers

import numpy as np

from .. import backend, random
from ..autodiff.ops import add, multiply
from ..autodiff.tensor import Tensor
from .base import Layer


def layer_generator(seed):
    """A Generator of the layer's own when `seed` is given (reproducible per layer), else None."""
    if seed is None:
        return None
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int or None, got {seed!r}.")
    return backend.new_generator(int(seed))


class Dropout(Layer):
    """Inverted dropout: during training, zero each unit with probability `rate` and scale the
    kept ones by 1 / (1 - rate), so the expected output equals the input; at inference the
    layer is the identity (nothing to rescale).

        training:   y = x · m / (1 - rate),  m ~ Bernoulli(1 - rate)   (dy/dx = m / (1 - rate))
        inference:  y = x

    Args:
        rate: float in [0, 1), the fraction of units dropped.
        noise_shape: shape of the mask, broadcast against the input; None entries take the
            input's size (e.g. (None, 1, 1, C) drops whole channels of NHWC images).
            Default None: one mask entry per unit.
        seed: int, gives the layer its own random stream (the same seed, the same masks);
            None draws from gradwise's generator (`gw.random.seed(n)`).

    Input shape: any. Output shape: the same.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be a number in [0, 1), got {rate!r}.")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = layer_generator(seed)

    def _mask_shape(self, shape):
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape):
            raise ValueError(
                f"Dropout '{self.name}': noise_shape {self.noise_shape} must have one entry per input "
                f"axis; the input has shape {tuple(shape)}."
            )
        return tuple(n if k is None else int(k) for k, n in zip(self.noise_shape, shape))

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        rng = self._rng or random.generator()
        dtype = inputs.dtype if inputs.dtype.kind == "f" else self.dtype
        keep = rng.random(self._mask_shape(inputs.shape), dtype=np.float32) >= self.rate
        mask = keep.astype(dtype) * dtype.type(1 / (1 - self.rate))
        # the mask is a constant: multiply's backward gives the input g * mask and the mask nothing
        return multiply(inputs, Tensor._from_array(mask, None))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _check_shape(self, shape):
        pass  # any input shape

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=None if self.noise_shape is None else list(self.noise_shape),
                      seed=self.seed)
        return config


def _rate(value, layer):
    """A rate in [0, 1) as a float, or a ValueError naming the layer and the value."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 <= value < 1:
        raise ValueError(f"{layer}: rate must be a number in [0, 1), got {value!r}.")
    return float(value)


def _noise_dtype(inputs, layer):
    return inputs.dtype if inputs.dtype.kind == "f" else layer.dtype


class _SpatialDropout(Dropout):
    """Dropout whose mask has size 1 on the spatial axes: a whole feature map (channel) of a
    sample is kept or dropped together. Subclasses give the rank and the channel axis."""

    rank = None  # of the inputs, batch axis included

    def __init__(self, rate, seed=None, **kwargs):
        if "noise_shape" in kwargs:
            raise TypeError(f"{type(self).__name__} fixes its noise shape (whole channels); it takes no noise_shape.")
        super().__init__(_rate(rate, type(self).__name__), seed=seed, **kwargs)

    def _mask_shape(self, shape):
        if len(shape) != self.rank:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of rank {self.rank}, "
                             f"got input of shape {tuple(shape)}.")
        channel = 1 if getattr(self, "data_format", "channels_last") == "channels_first" else self.rank - 1
        return tuple(n if i in (0, channel) else 1 for i, n in enumerate(shape))

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]  # fixed by the class (Keras's config has no noise_shape either)
        return config


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole 1-D feature maps: for inputs (batch, steps, channels), each channel of
    each sample is zeroed at every step with probability `rate`, the kept ones scaled by
    1 / (1 - rate). Neighbouring steps of a feature map are strongly correlated, so dropping
    single values regularizes little; dropping whole channels does (Tompson et al., 2014).

        training:   y = x · m / (1 - rate),  m ~ Bernoulli(1 - rate) of shape (batch, 1, channels)
        inference:  y = x

    Args:
        rate: float in [0, 1), the fraction of channels dropped.
        seed: int, the layer's own random stream; None draws from gradwise's generator.

    Input shape: (batch, steps, channels). Output shape: the same.
    """

    rank = 3


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole 2-D feature maps: each channel of each image is zeroed with probability
    `rate` (all its pixels together), the kept ones scaled by 1 / (1 - rate). See
    SpatialDropout1D for why.

        training:   y = x · m / (1 - rate),  m ~ Bernoulli(1 - rate) of shape (batch, 1, 1, channels)
        inference:  y = x

    Args:
        rate: float in [0, 1), the fraction of channels dropped.
        data_format: "channels_last" (default, (batch, rows, cols, channels)) or "channels_first"
            ((batch, channels, rows, cols)).
        seed: int, the layer's own random stream; None draws from gradwise's generator.

    Input shape: 4-D. Output shape: the same.
    """

    rank = 4

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        data_format = "channels_last" if data_format is None else data_format
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{type(self).__name__}: data_format must be 'channels_last' or 'channels_first', "
                             f"got {data_format!r}.")
        self.data_format = data_format

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class SpatialDropout3D(SpatialDropout2D):
    """Dropout of whole 3-D feature maps, as SpatialDropout2D for inputs
    (batch, dim1, dim2, dim3, channels) (or channels first): mask shape (batch, 1, 1, 1, channels)."""

    rank = 5


class _GaussianNoiseLayer(Layer):
    """What GaussianNoise and GaussianDropout share: standard normal noise shaped like the input,
    drawn from the layer's own stream (or gradwise's), in the input's float dtype."""

    def _standard_normal(self, inputs):
        rng = self._rng or random.generator()
        dtype = _noise_dtype(inputs, self)
        return rng.standard_normal(inputs.shape, dtype=np.float32).astype(dtype, copy=False), dtype

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _check_shape(self, shape):
        pass  # any input shape


class GaussianNoise(_GaussianNoiseLayer):
    """Adds zero-centred Gaussian noise during training, a form of data augmentation for real
    valued inputs that makes a network less sensitive to small changes (Keras 3 semantics).

        training:   y = x + n,  n ~ N(0, stddev²) drawn anew at each call   (dy/dx = 1)
        inference:  y = x

    Args:
        stddev: float in [0, 1] (Keras's range), the noise's standard deviation.
        seed: int, the layer's own random stream; None draws from gradwise's generator
            (`gw.random.seed(n)` makes it reproducible).

    Input shape: any. Output shape: the same.
    """

    supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(stddev, numbers.Real) or isinstance(stddev, bool) or not 0 <= stddev <= 1:
            raise ValueError(f"GaussianNoise: stddev must be a number in [0, 1], got {stddev!r}.")
        self.stddev = float(stddev)
        self.seed = seed
        self._rng = layer_generator(seed)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise, dtype = self._standard_normal(inputs)
        return add(inputs, Tensor._from_array(noise * dtype.type(self.stddev), None))  # a constant: dy/dx = 1

    def get_config(self):
        config = super().get_config()
        config.update(stddev=self.stddev, seed=self.seed)
        return config


class GaussianDropout(_GaussianNoiseLayer):
    """Multiplies by Gaussian noise centred on 1 during training: a smooth version of inverted
    Dropout with the same mean (1) and variance (rate / (1 - rate)) of the multiplier
    (Srivastava et al., 2014; Keras 3 semantics).

        training:   y = x · m,  m ~ N(1, rate / (1 - rate))   (dy/dx = m)
        inference:  y = x

    Args:
        rate: float in [0, 1), the drop probability of the equivalent Dropout (Keras accepts 1,
            which gives an infinite standard deviation; gradwise rejects it).
        seed: int, the layer's own random stream; None draws from gradwise's generator.

    Input shape: any. Output shape: the same.
    """

    supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _rate(rate, "GaussianDropout")
        self.seed = seed
        self._rng = layer_generator(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        noise, dtype = self._standard_normal(inputs)
        noise = noise * dtype.type(np.sqrt(self.rate / (1 - self.rate))) + dtype.type(1)
        return multiply(inputs, Tensor._from_array(noise, None))  # a constant multiplier: dy/dx = m

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config


class AlphaDropout(Dropout):
    """Dropout for self-normalizing networks (SELU activations; Klambauer et al., 2017): dropped
    units are set to SELU's negative saturation α' = -λα instead of 0, and an affine map a·x + b
    restores the input's mean 0 and variance 1 (Keras 3 semantics).

        training:   y = a (x · m + α' (1 - m)) + b,  m ~ Bernoulli(1 - rate)
                    a = ((1 - rate)(1 + rate α'²))^(-1/2),  b = -a α' rate      (dy/dx = a m)
        inference:  y = x

    Args: as Dropout (rate in [0, 1), noise_shape, seed).
    Input shape: any. Output shape: the same.
    """

    ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946  # SELU's

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(_rate(rate, "AlphaDropout"), noise_shape=noise_shape, seed=seed, **kwargs)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        rng = self._rng or random.generator()
        dtype = _noise_dtype(inputs, self)
        keep = (rng.random(self._mask_shape(inputs.shape), dtype=np.float32) >= self.rate).astype(dtype)
        rate, alpha_p = self.rate, -self.ALPHA * self.SCALE
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        # y = x · (a m) + (a α' (1 - m) + b): a constant factor and a constant offset
        factor = np.broadcast_to(keep * dtype.type(a), inputs.shape)
        offset = (1 - keep) * dtype.type(a * alpha_p) + dtype.type(b)
        return add(multiply(inputs, Tensor._from_array(factor, None)), Tensor._from_array(offset, None))
