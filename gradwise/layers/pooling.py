"""Pooling layers (Keras's names and arguments), channels-last.

MaxPooling2D, AveragePooling2D, MinPooling2D (seed 001's min pooling; not in Keras),
MaxPooling1D, AveragePooling1D: windowed ops from gw.autodiff.ops.pool.
GlobalAveragePooling2D/1D, GlobalMaxPooling2D/1D: a mean / max over the spatial axes,
composed from the reductions.
"""

import numpy as np

from ..autodiff.ops import reduce_max, reduce_mean, reduce_sum
from ..autodiff.ops.conv import as_tuple, norm_padding, output_size
from ..autodiff.ops.pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, min_pool2d
from ..errors import ShapeError
from .base import Layer
from .conv import auto_name, check_data_format


def _check_rank(layer, shape, rank):
    if len(shape) != rank + 2:
        spatial = "steps" if rank == 1 else "height, width"
        raise ShapeError(
            f"{type(layer).__name__} '{layer.name}' expected input of shape (batch, {spatial}, channels), "
            f"got {tuple(shape)}."
        )


class _Pooling(Layer):
    """Windowed pooling: `op(inputs, pool_size, strides, padding)`; `rank` spatial axes."""

    rank = 2
    op = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**auto_name(self, kwargs))
        cls = type(self).__name__
        self.pool_size = as_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = self.pool_size if strides is None else as_tuple(strides, self.rank, "strides", cls)
        self.padding = norm_padding(padding, cls)
        self.data_format = check_data_format(data_format, cls)

    def build(self, input_shape):
        _check_rank(self, input_shape, self.rank)
        self.compute_output_shape(input_shape)

    def _check_shape(self, shape):  # any spatial size and channel count: pooling has no weights
        _check_rank(self, shape, self.rank)

    def call(self, inputs):
        return type(self).op(inputs, self.pool_size, self.strides, self.padding)

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, self.rank)
        spatial = tuple(output_size(n, k, s, 1, self.padding)
                        for n, k, s in zip(input_shape[1:-1], self.pool_size, self.strides))
        if any(n is not None and n <= 0 for n in spatial):
            raise ShapeError(
                f"{type(self).__name__} '{self.name}': pool_size {self.pool_size} is larger than the input "
                f"{tuple(input_shape)} with padding {self.padding!r}."
            )
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                      data_format=self.data_format)
        return config


_POOL_DOC = """{what} over each window of every channel.

    Args:
        pool_size: int or {tuple}, the window (default {default}).
        strides: int or {tuple}; None (default) means pool_size, i.e. windows that tile.
        padding: "valid" (default; trailing rows/columns a window does not reach are dropped)
            or "same" (TensorFlow's: output size ceil(input / stride)); case-insensitive.
        data_format: None or "channels_last".

    Input shape: (batch, {spatial}, channels). Output shape: (batch, {out}, channels).
    {grad}
    """

_GRAD_FIRST = "Gradient: to the first {} of each window in row-major order (PyTorch's tie rule)."


class MaxPooling2D(_Pooling):
    __doc__ = _POOL_DOC.format(what="Maximum", tuple="(rows, cols)", default="(2, 2)", spatial="height, width",
                               out="OH, OW", grad=_GRAD_FIRST.format("maximum"))
    op = staticmethod(max_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MinPooling2D(_Pooling):
    __doc__ = _POOL_DOC.format(what="Minimum (seed 001; not in Keras)", tuple="(rows, cols)", default="(2, 2)",
                               spatial="height, width", out="OH, OW", grad=_GRAD_FIRST.format("minimum"))
    op = staticmethod(min_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    __doc__ = _POOL_DOC.format(what="Mean", tuple="(rows, cols)", default="(2, 2)", spatial="height, width",
                               out="OH, OW", grad='With "same", windows average only their real pixels (TF).')
    op = staticmethod(avg_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(_Pooling):
    __doc__ = _POOL_DOC.format(what="Maximum", tuple="(k,)", default="2", spatial="steps", out="new_steps",
                               grad=_GRAD_FIRST.format("maximum"))
    rank = 1
    op = staticmethod(max_pool1d)


class AveragePooling1D(_Pooling):
    __doc__ = _POOL_DOC.format(what="Mean", tuple="(k,)", default="2", spatial="steps", out="new_steps",
                               grad='With "same", windows average only their real pixels (TF).')
    rank = 1
    op = staticmethod(avg_pool1d)


class _GlobalPooling(Layer):
    """A reduction over all spatial axes: (batch, ..., C) -> (batch, C), or keepdims."""

    rank = 2
    reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**auto_name(self, kwargs))
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        _check_rank(self, input_shape, self.rank)

    def _check_shape(self, shape):
        _check_rank(self, shape, self.rank)

    def call(self, inputs):
        return type(self).reduce(inputs, axis=tuple(range(1, self.rank + 1)), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        _check_rank(self, input_shape, self.rank)
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: (batch, H, W, C) -> (batch, C) ((batch, 1, 1, C) with keepdims)."""

    reduce = staticmethod(reduce_mean)


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width: (batch, H, W, C) -> (batch, C); ties share the gradient (reduce_max)."""

    reduce = staticmethod(reduce_max)


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps: (batch, steps, C) -> (batch, C) ((batch, 1, C) with keepdims).

    With a (batch, steps) mask (from Embedding(mask_zero=True) or Masking) the mean is over
    the kept steps only, as Keras; the output carries no mask.
    """

    rank = 1
    reduce = staticmethod(reduce_mean)
    supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        axis = 1 if self.data_format == "channels_last" else 2
        weights = np.expand_dims(np.asarray(mask, dtype=bool), 3 - axis).astype(inputs.dtype)
        total = reduce_sum(inputs * weights, axis=axis, keepdims=self.keepdims)
        return total / np.maximum(weights.sum(axis=axis, keepdims=self.keepdims), 1)

    def compute_mask(self, inputs, previous_mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps: (batch, steps, C) -> (batch, C). As in Keras 3 it takes no mask: a
    masked input is pooled whole (with a warning that the mask stops here)."""

    rank = 1
    reduce = staticmethod(reduce_max)


# Keras's aliases
MaxPool2D, AvgPool2D, MinPool2D, MaxPool1D, AvgPool1D = (
    MaxPooling2D, AveragePooling2D, MinPooling2D, MaxPooling1D, AveragePooling1D)
GlobalAvgPool2D, GlobalMaxPool2D, GlobalAvgPool1D, GlobalMaxPool1D = (
    GlobalAveragePooling2D, GlobalMaxPooling2D, GlobalAveragePooling1D, GlobalMaxPooling1D)
