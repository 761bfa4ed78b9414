"""Convolution layers (Keras's names and arguments): Conv2D, Conv1D. Channels-last only.

The maths is one op, gw.conv2d / gw.conv1d (im2col + one matmul, bias fused in).
"""

import numpy as np

from .. import activations, initializers
from ..autodiff.ops.conv import _conv, as_tuple, norm_padding, output_size
from ..errors import ShapeError
from .base import Layer, snake_case, unique_name
from .core import _regularizer, _serialize_regularizer


def auto_name(layer, kwargs):
    """Keras's default names: conv2d, max_pooling2d, ... (not conv2_d)."""
    if kwargs.get("name") is None:
        base = snake_case(type(layer).__name__)
        kwargs["name"] = unique_name(base.replace("1_d", "1d").replace("2_d", "2d"))
    return kwargs


def check_data_format(data_format, layer):
    """None or 'channels_last' -> 'channels_last'; anything else is an error that says why."""
    if data_format in (None, "channels_last"):
        return "channels_last"
    if data_format == "channels_first":
        raise ValueError(
            f"{layer}: data_format='channels_first' is not supported; gradwise works channels-last "
            "(batch, height, width, channels). Transpose the inputs, e.g. np.transpose(x, (0, 2, 3, 1))."
        )
    raise ValueError(f"{layer}: data_format must be 'channels_last' (or None), got {data_format!r}.")


class _Conv(Layer):
    """What Conv1D and Conv2D share; `rank` is the number of spatial axes."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, **kwargs):
        super().__init__(**auto_name(self, kwargs))
        cls, rank = type(self).__name__, self.rank
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{cls}: filters must be a positive integer, got filters={filters!r}.")
        self.filters = int(filters)
        self.kernel_size = as_tuple(kernel_size, rank, "kernel_size", cls)
        self.strides = as_tuple(strides, rank, "strides", cls)
        self.dilation_rate = as_tuple(dilation_rate, rank, "dilation_rate", cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:  # as Keras
            raise ValueError(
                f"{cls}: strides > 1 cannot be combined with dilation_rate > 1, got strides={self.strides} "
                f"and dilation_rate={self.dilation_rate}."
            )
        allowed = ("valid", "same", "causal") if rank == 1 else ("valid", "same")
        self.padding = norm_padding(padding, cls, allowed)
        self.data_format = check_data_format(data_format, cls)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)

    def _expected(self, channels="channels"):
        spatial = "steps" if self.rank == 1 else "height, width"
        return f"(batch, {spatial}, {channels})"

    def build(self, input_shape):
        if len(input_shape) != self.rank + 2 or input_shape[-1] is None:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected()}, "
                f"got {tuple(input_shape)}."
            )
        self.compute_output_shape(input_shape)  # raises early if the kernel does not fit
        self.kernel = self.add_weight(self.kernel_size + (input_shape[-1], self.filters), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer)
        self.bias = self.add_weight((self.filters,), self.bias_initializer, name="bias",
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def _check_shape(self, shape):
        channels = self.kernel.shape[-2]
        if len(shape) != self.rank + 2 or shape[-1] != channels:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected(channels)}, "
                f"got {tuple(shape)}."
            )

    def pre_activation(self, inputs):
        """The convolution plus bias, before the activation (the logits when it is softmax)."""
        return _conv(inputs, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
                     self.rank, type(self).__name__.lower())

    def call(self, inputs):
        out = self.activation(self.pre_activation(inputs))
        if self.activity_regularizer is not None:
            # per sample, as Keras: the penalty of the batch divided by its size
            self._activity_penalty = self.activity_regularizer(out) / out.shape[0]
        return out

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected()}, "
                f"got {tuple(input_shape)}."
            )
        spatial = tuple(output_size(n, k, s, d, self.padding) for n, k, s, d in
                        zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))
        if any(n is not None and n <= 0 for n in spatial):
            raise ShapeError(
                f"{type(self).__name__} '{self.name}': kernel_size {self.kernel_size} (dilation "
                f"{self.dilation_rate}) does not fit input of shape {tuple(input_shape)} with "
                f"padding {self.padding!r}; the output would be {spatial}."
            )
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters, kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
            data_format=self.data_format, dilation_rate=self.dilation_rate,
            activation=activations.serialize(self.activation), use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=_serialize_regularizer(self.kernel_regularizer),
            bias_regularizer=_serialize_regularizer(self.bias_regularizer),
            activity_regularizer=_serialize_regularizer(self.activity_regularizer),
        )
        return config


class Conv2D(_Conv):
    """2-D convolution: `output = activation(conv2d(inputs, kernel) + bias)`.

        out[n, i, j, f] = Σ_{u, v, c} x_pad[n, i·sh + u·dh, j·sw + v·dw, c] · kernel[u, v, c, f] + bias[f]

    Args:
        filters: positive int, the number of output channels F.
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw), default (1, 1).
        padding: "valid" (default, no padding) or "same" (TensorFlow's: output size
            ceil(input / stride), the odd padding pixel at the bottom/right); case-insensitive.
        data_format: None or "channels_last" (the only layout gradwise supports).
        dilation_rate: int or (dh, dw), default (1, 1); > 1 cannot be combined with strides > 1.
        activation: name or function (None: linear).  use_bias: default True.
        kernel_initializer ("glorot_uniform"), bias_initializer ("zeros"),
        kernel_regularizer, bias_regularizer, activity_regularizer: as Dense.

    Input shape: (batch, height, width, C). Output shape: (batch, OH, OW, filters),
    OH = ceil(H / sh) for "same", (H - (kh - 1)·dh - 1) // sh + 1 for "valid".
    Weights (Keras's layout): kernel (kh, kw, C, filters), bias (filters,).

    Example: Conv2D(32, 3, activation="relu") maps (128, 28, 28, 1) to (128, 26, 26, 32).
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, **kwargs)


class Conv1D(_Conv):
    """1-D convolution over the steps axis: Conv2D's maths with height 1.

    Args as Conv2D with ints (or 1-tuples) for kernel_size, strides and dilation_rate, and
    padding "valid", "same" or "causal" ((k - 1)·d zeros on the left only, so out[t] never
    sees an input after t: for autoregressive models).

    Input shape: (batch, steps, C). Output shape: (batch, new_steps, filters).
    Weights: kernel (k, C, filters), bias (filters,).
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, **kwargs)


Convolution2D, Convolution1D = Conv2D, Conv1D  # Keras's aliases
