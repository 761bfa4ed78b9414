"""Regularization layers: Dropout."""

import numbers

import numpy as np

from .. import backend, random
from ..autodiff.ops import multiply
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
