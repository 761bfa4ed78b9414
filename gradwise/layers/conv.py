"""Convolution layers (Keras's names and arguments): Conv2D, Conv1D, Conv2DTranspose,
DepthwiseConv2D, SeparableConv2D. Channels-last only.

The maths is one op each: gw.conv2d / gw.conv1d (im2col + one matmul, bias fused in),
gw.conv2d_transpose (conv2d's input gradient run forwards), gw.depthwise_conv2d.
"""

import numpy as np

from .. import activations, initializers
from ..autodiff.ops.conv import (
    _conv, as_tuple, conv2d, conv2d_transpose, depthwise_conv2d, norm_output_padding, norm_padding, output_size,
    transpose_geometry,
)
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

    constraint_args = ("kernel", "bias")

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


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution ("deconvolution"): `activation(conv2d_transpose(inputs, kernel) + bias)`.

        full[n, i·sh + u·dh, j·sw + v·dw, f] += x[n, i, j, c] · kernel[u, v, f, c];  out = crop(full) + bias[f]

    The gradient of a Conv2D with respect to its input, used as a layer: it maps a Conv2D's
    output size back to its input size (upsampling in decoders and GAN generators).

    Args:
        filters: positive int, the number of output channels F.
        kernel_size: int or (kh, kw).  strides: int or (sh, sw), default (1, 1).
        padding: "valid" (default) or "same".
        output_padding: None (default) or int / (rows, cols), each < the stride: extra rows and
            columns at the bottom/right, to pick among the input sizes a strided Conv2D maps alike.
        data_format: None or "channels_last".
        dilation_rate: int or (dh, dw); > 1 cannot be combined with strides > 1.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer: as Conv2D.

    Input shape: (batch, H, W, C). Output shape: (batch, OH, OW, filters), with k = (kh - 1)·dh + 1
    and as Keras: "valid" OH = (H - 1)·sh + max(k, sh), "same" OH = H·sh; with output_padding p,
    OH = (H - 1)·sh + k - 2·pad + p, pad = 0 ("valid") or k // 2 ("same").
    Weights (Keras's layout): kernel (kh, kw, filters, C), bias (filters,).

    Example: Conv2DTranspose(16, 3, strides=2, padding="same") maps (8, 7, 7, 32) to (8, 14, 14, 16).
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, **kwargs)
        cls = type(self).__name__
        self.output_padding = norm_output_padding(output_padding, 2, cls)
        if self.output_padding is not None and any(p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(
                f"{cls}: output_padding must be strictly less than strides in every dimension, got "
                f"output_padding={self.output_padding} and strides={self.strides}."
            )

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected()}, "
                f"got {tuple(input_shape)}."
            )
        self.kernel = self.add_weight(self.kernel_size + (self.filters, input_shape[-1]), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer)
        self.bias = self.add_weight((self.filters,), self.bias_initializer, name="bias",
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def _check_shape(self, shape):
        channels = self.kernel.shape[-1]
        if len(shape) != 4 or shape[-1] != channels:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected(channels)}, "
                f"got {tuple(shape)}."
            )

    def pre_activation(self, inputs):
        return conv2d_transpose(inputs, self.kernel, self.strides, self.padding, self.output_padding,
                                self.dilation_rate, bias=self.bias)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 4:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected()}, "
                f"got {tuple(input_shape)}."
            )
        extra = self.output_padding or (None, None)
        spatial = tuple(None if n is None else transpose_geometry(n, k, s, d, self.padding, p)[1]
                        for n, k, s, d, p in zip(input_shape[1:3], self.kernel_size, self.strides,
                                                 self.dilation_rate, extra))
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = self.output_padding
        return config


class DepthwiseConv2D(_Conv):
    """Depthwise 2-D convolution: every input channel filtered on its own by depth_multiplier kernels.

        out[n, i, j, c·dm + m] = Σ_{u, v} x_pad[n, i·sh + u·dh, j·sw + v·dw, c] · kernel[u, v, c, m] + bias[c·dm + m]

    Args:
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias: as Conv2D.
        depth_multiplier: positive int dm, the filters per input channel (default 1).
        depthwise_initializer ("glorot_uniform"), bias_initializer ("zeros"),
        depthwise_regularizer, bias_regularizer, activity_regularizer.

    Input shape: (batch, H, W, C). Output shape: (batch, OH, OW, C·dm), OH as Conv2D, the dm
    outputs of input channel c side by side (channel-major, as TensorFlow).
    Weights (Keras's names and layout): kernel (kh, kw, C, dm), bias (C·dm,).

    Example: DepthwiseConv2D(3, depth_multiplier=2, padding="same") maps (8, 28, 28, 16) to (8, 28, 28, 32).
    """

    constraint_args = ("depthwise", "bias")

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        check_positive(depth_multiplier, "depth_multiplier", type(self).__name__)
        super().__init__(depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, **kwargs)
        self.depth_multiplier = self.filters
        self.depthwise_initializer, self.depthwise_regularizer = self.kernel_initializer, self.kernel_regularizer

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected()}, "
                f"got {tuple(input_shape)}."
            )
        self.compute_output_shape(input_shape)  # raises early if the kernel does not fit
        channels = input_shape[-1]
        self.kernel = self.add_weight(self.kernel_size + (channels, self.depth_multiplier), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer)
        self.bias = self.add_weight((channels * self.depth_multiplier,), self.bias_initializer, name="bias",
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def pre_activation(self, inputs):
        return depthwise_conv2d(inputs, self.kernel, self.strides, self.padding, self.dilation_rate, bias=self.bias)

    def compute_output_shape(self, input_shape):
        shape = super().compute_output_shape(input_shape)
        channels = input_shape[-1]
        return shape[:-1] + (None if channels is None else channels * self.depth_multiplier,)

    def get_config(self):
        config = super().get_config()
        del config["filters"]
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = config.pop("kernel_initializer")
        config["depthwise_regularizer"] = config.pop("kernel_regularizer")
        return config


class SeparableConv2D(_Conv):
    """Depthwise-separable 2-D convolution: DepthwiseConv2D, then a 1x1 Conv2D mixing the channels.

        mid = depthwise_conv2d(x, depthwise_kernel)       (strides, padding, dilation here)
        out = activation(conv2d(mid, pointwise_kernel) + bias)

    Far fewer weights than Conv2D: kh·kw·C·dm + C·dm·filters instead of kh·kw·C·filters.

    Args:
        filters: positive int, output channels.  depth_multiplier: positive int (default 1).
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias: as Conv2D.
        depthwise_initializer, pointwise_initializer ("glorot_uniform"), bias_initializer ("zeros"),
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer.

    Input shape: (batch, H, W, C). Output shape: (batch, OH, OW, filters), OH as Conv2D.
    Weights (Keras's names and layout): depthwise_kernel (kh, kw, C, dm),
    pointwise_kernel (1, 1, C·dm, filters), bias (filters,).

    Example: SeparableConv2D(64, 3, padding="same") maps (8, 32, 32, 16) to (8, 32, 32, 64).
    """

    constraint_args = ("depthwise", "pointwise", "bias")

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, **kwargs):
        check_positive(depth_multiplier, "depth_multiplier", type(self).__name__)
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer, self.depthwise_regularizer = self.kernel_initializer, self.kernel_regularizer
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = _regularizer(pointwise_regularizer)

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected()}, "
                f"got {tuple(input_shape)}."
            )
        self.compute_output_shape(input_shape)
        mid = input_shape[-1] * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            self.kernel_size + (input_shape[-1], self.depth_multiplier), self.depthwise_initializer,
            name="depthwise_kernel", regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight((1, 1, mid, self.filters), self.pointwise_initializer,
                                                name="pointwise_kernel", regularizer=self.pointwise_regularizer)
        self.bias = self.add_weight((self.filters,), self.bias_initializer, name="bias",
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def _check_shape(self, shape):
        channels = self.depthwise_kernel.shape[-2]
        if len(shape) != 4 or shape[-1] != channels:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected input of shape {self._expected(channels)}, "
                f"got {tuple(shape)}."
            )

    def pre_activation(self, inputs):
        mid = depthwise_conv2d(inputs, self.depthwise_kernel, self.strides, self.padding, self.dilation_rate)
        return conv2d(mid, self.pointwise_kernel, bias=self.bias)

    def get_config(self):
        config = super().get_config()
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = config.pop("kernel_initializer")
        config["depthwise_regularizer"] = config.pop("kernel_regularizer")
        config["pointwise_initializer"] = initializers.serialize(self.pointwise_initializer)
        config["pointwise_regularizer"] = _serialize_regularizer(self.pointwise_regularizer)
        return config


def check_positive(value, name, layer):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {name}={value!r}.")


# Keras's aliases
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
