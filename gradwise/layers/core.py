"""Core layers: Dense, Activation, Flatten."""

import numpy as np

from .. import activations, initializers
from ..autodiff.ops import affine, matmul, reshape
from ..errors import ShapeError
from .base import Layer


class Dense(Layer):
    """Fully connected layer: `output = activation(inputs @ kernel + bias)`.

    Args:
        units: positive int, the number of outputs.
        activation: name or function (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer: default "glorot_uniform"; bias_initializer: default "zeros".
        kernel_regularizer, bias_regularizer: optional penalties added to the loss.

    Input shape: (batch, ..., in). Output shape: (batch, ..., units).
    Weights (Keras's layout): kernel (in, units), bias (units,).
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ShapeError(f"Dense '{self.name}' needs inputs of shape (batch, ..., features), got {input_shape}.")
        self.kernel = self.add_weight((input_shape[-1], self.units), self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer)
        self.bias = self.add_weight((self.units,), self.bias_initializer, name="bias",
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def _check_shape(self, shape):
        if len(shape) < 2 or shape[-1] != self.kernel.shape[0]:
            raise ShapeError(
                f"Dense '{self.name}' expected last axis {self.kernel.shape[0]} (input shape "
                f"(None, {self.kernel.shape[0]})), got input of shape {tuple(shape)}."
            )

    def pre_activation(self, inputs):
        """inputs @ kernel + bias, before the activation (the logits when it is softmax)."""
        if self.use_bias:
            return affine(inputs, self.kernel, self.bias)
        return matmul(inputs, self.kernel)

    def call(self, inputs):
        out = self.activation(self.pre_activation(inputs))
        if self.activity_regularizer is not None:
            # per sample, as Keras: the penalty of the batch divided by its size
            self._activity_penalty = self.activity_regularizer(out) / out.shape[0]
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=activations.serialize(self.activation), use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=_serialize_regularizer(self.kernel_regularizer),
            bias_regularizer=_serialize_regularizer(self.bias_regularizer),
            activity_regularizer=_serialize_regularizer(self.activity_regularizer),
        )
        return config


class Activation(Layer):
    """Applies an activation function: `Activation("relu")`."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Flatten(Layer):
    """Flattens each sample: (batch, d1, d2, ...) -> (batch, d1·d2·...)."""

    def call(self, inputs):
        return reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(n is None for n in rest) else int(np.prod(rest))
        return (input_shape[0], size)

    def _check_shape(self, shape):
        pass  # any sample shape flattens

    def get_config(self):
        return super().get_config()


def _regularizer(identifier):
    if identifier is None:
        return None
    from .. import regularizers

    return regularizers.get(identifier)


def _serialize_regularizer(reg):
    if reg is None:
        return None
    from .. import regularizers

    return regularizers.serialize(reg)
