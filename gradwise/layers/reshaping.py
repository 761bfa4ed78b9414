"""Reshaping layers: Reshape, ZeroPadding2D."""

import numpy as np

from ..autodiff.ops import pad, reshape
from ..errors import ShapeError
from .base import Layer


class Reshape(Layer):
    """Gives each sample a new shape: (batch, *in) -> (batch, *target_shape).

    Args:
        target_shape: the shape of one sample, without the batch axis; one entry may be -1,
            inferred from the sample's size.

    Input shape: (batch, ...) with any sample shape of the same size.
    Output shape: (batch, *target_shape).
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = tuple(target_shape) if isinstance(target_shape, (tuple, list)) else None
        if not target or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in target):
            raise ValueError(f"Reshape: target_shape must be a tuple of ints, got {target_shape!r}.")
        if target.count(-1) > 1 or any(n < -1 or n == 0 for n in target):
            raise ValueError(
                f"Reshape: target_shape must have positive sizes and at most one -1, got {target_shape!r}."
            )
        self.target_shape = tuple(int(n) for n in target)

    def _resolve(self, sample_shape):
        """target_shape with the -1 filled in for samples of `sample_shape` (None if unknown)."""
        if any(n is None for n in sample_shape):
            return tuple(None if n == -1 else n for n in self.target_shape)
        size = int(np.prod(sample_shape, dtype=np.int64))
        known = int(np.prod([n for n in self.target_shape if n != -1], dtype=np.int64))
        if -1 in self.target_shape:
            if size % known:
                raise self._mismatch(sample_shape)
            return tuple(size // known if n == -1 else n for n in self.target_shape)
        if size != known:
            raise self._mismatch(sample_shape)
        return self.target_shape

    def _mismatch(self, sample_shape):
        return ShapeError(
            f"Reshape '{self.name}': cannot reshape samples of shape {tuple(sample_shape)} "
            f"({int(np.prod(sample_shape))} values) into target_shape {self.target_shape}; "
            "the number of values must stay the same."
        )

    def build(self, input_shape):
        self._resolve(tuple(input_shape[1:]))  # fail early, before any data flows

    def call(self, inputs):
        return reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def _check_shape(self, shape):
        pass  # any sample of the right size; _resolve names a wrong one

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


def _padding_pairs(padding):
    """ZeroPadding2D's padding as ((top, bottom), (left, right)) of non-negative ints."""
    if isinstance(padding, (int, np.integer)):
        pairs = ((padding, padding), (padding, padding))
    elif len(padding) == 2 and all(isinstance(p, (int, np.integer)) for p in padding):
        pairs = ((padding[0], padding[0]), (padding[1], padding[1]))
    elif len(padding) == 2 and all(len(p) == 2 for p in padding):
        pairs = tuple(tuple(p) for p in padding)
    else:
        raise TypeError
    pairs = tuple((int(a), int(b)) for a, b in pairs)
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError
    return pairs


class ZeroPadding2D(Layer):
    """Adds rows of zeros at the top and bottom and columns at the left and right of NHWC images.

    Args:
        padding: int p (p on all four sides), (h, w) (h rows above and below, w columns left
            and right) or ((top, bottom), (left, right)). Default (1, 1).

    Input shape: (batch, height, width, channels).
    Output shape: (batch, height + top + bottom, width + left + right, channels).
    """

    def __init__(self, padding=(1, 1), **kwargs):
        super().__init__(**kwargs)
        try:
            self.padding = _padding_pairs(padding)
        except (TypeError, ValueError):
            raise ValueError(
                "ZeroPadding2D: padding must be a non-negative int, a tuple of 2 ints (height, width) or "
                f"2 tuples of 2 ints ((top, bottom), (left, right)), got {padding!r}."
            ) from None

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ShapeError(f"ZeroPadding2D '{self.name}' expects NHWC inputs of rank 4, got shape "
                             f"{tuple(input_shape)}.")

    def _check_shape(self, shape):
        if len(shape) != 4:
            raise ShapeError(f"ZeroPadding2D '{self.name}' expects NHWC inputs of rank 4, got shape {tuple(shape)}.")

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        return pad(inputs, ((0, 0), (top, bottom), (left, right), (0, 0)))

    def compute_output_shape(self, input_shape):
        (top, bottom), (left, right) = self.padding
        n, h, w, c = input_shape
        return (n, None if h is None else h + top + bottom, None if w is None else w + left + right, c)

    def get_config(self):
        config = super().get_config()
        config["padding"] = [list(p) for p in self.padding]
        return config
