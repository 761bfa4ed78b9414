"""Core layers: Dense, Activation, Flatten, Identity, Lambda."""

import inspect

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

    constraint_args = ("kernel", "bias")

    supports_masking = True

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

    supports_masking = True

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


class Masking(Layer):
    """Marks the timesteps whose features all equal `mask_value` as padding (Keras's Masking).

    Input (batch, timesteps, features). The output is the input with those steps set to 0,
    and it carries the mask `any(inputs != mask_value, axis=-1)`: recurrent layers then skip
    those steps, and a sequence output's loss and metrics leave them out.

        x = gw.Input((None, 8))
        h = gw.layers.LSTM(16)(gw.layers.Masking(mask_value=0.0)(x))
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def compute_mask(self, inputs, previous_mask=None):
        return np.any(inputs.data != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = np.any(inputs.data != self.mask_value, axis=-1, keepdims=True)
        return inputs * keep.astype(inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _check_shape(self, shape):
        pass  # any shape with a feature axis

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config


class Identity(Layer):
    """Returns its inputs unchanged (a tensor, or a list of them); no weights.

    A placeholder: e.g. the "no-op" branch of a model built from a list of layers, or a
    named point in a functional graph. The gradient passes through unchanged.
    """

    supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def _check_shape(self, shape):
        pass  # any shape

    def get_config(self):
        return super().get_config()


class Lambda(Layer):
    """Wraps a function of tensors as a layer: output = function(inputs, **arguments).

    `Lambda(lambda x: x ** 2)` squares its inputs.

    For quick experiments with a computation that has no weights, written with gradwise ops so
    the gradient flows through it. A Lambda cannot be saved: its function is Python code, and
    gradwise's model files hold only JSON and arrays (loading never runs code from a file). For
    a model you want to save, write a Layer subclass with the computation in call() and
    register it with `@gw.saving.register`.

    Args:
        function: callable taking the inputs (a tensor or a list of them) and returning the
            output; if it has a `training` parameter, the call's training flag is passed.
        output_shape: shape of one output sample without the batch axis (a tuple), or a
            function of the whole input shape returning the whole output shape; None: found
            by running the function on zeros.
        mask: None (default: the output carries no mask), a function (inputs, mask) -> the
            output's mask, or a fixed mask, as Keras. If `function` has a `mask` parameter it
            receives the input's mask.
        arguments: optional dict of extra keyword arguments for `function`.

    Input shape: whatever `function` accepts. Output shape: whatever it returns.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}.")
        if output_shape is not None and not callable(output_shape):
            if not isinstance(output_shape, (tuple, list)) or not all(
                    n is None or isinstance(n, (int, np.integer)) for n in output_shape):
                raise ValueError(f"Lambda: output_shape must be a tuple (without the batch axis), a function "
                                 f"of the input shape or None, got {output_shape!r}.")
            output_shape = tuple(output_shape)
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"Lambda: arguments must be a dict of keyword arguments, got {arguments!r}.")
        self.function = function
        self.output_shape = output_shape
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):  # a builtin without a signature
            parameters = {}
        self._pass_training, self._pass_mask = "training" in parameters, "mask" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._pass_training:
            kwargs["training"] = training
        if self._pass_mask:
            kwargs["mask"] = mask
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        return self.mask(inputs, previous_mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape):
        if callable(self.output_shape):
            return tuple(self.output_shape(input_shape))
        if self.output_shape is not None:
            batch = input_shape[0][0] if _is_shape_list(input_shape) else input_shape[0]
            return (batch,) + self.output_shape
        return _dry_run_shape(self, input_shape)

    def _check_shape(self, shape):
        pass  # whatever the function accepts

    def get_config(self):
        name = getattr(self.function, "__qualname__", repr(self.function))
        raise TypeError(
            f"Lambda layer '{self.name}' cannot be saved: its function ({name}) is Python code, and gradwise "
            "model files store only JSON and arrays (loading never runs code from a file). Write a Layer "
            "subclass that does the computation in call(), decorate it with @gw.saving.register, and use "
            "it instead of the Lambda; then model.save() works and load_model() rebuilds it."
        )


def _is_shape_list(input_shape):
    return isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and all(
        isinstance(s, (list, tuple)) for s in input_shape)


def _dry_run_shape(layer, input_shape):
    """Output shape(s) of `layer` found by calling it on zeros (unknown sizes become 2)."""
    from ..autodiff.function import no_grad

    def zeros(shape):
        return np.zeros(tuple(2 if n is None else n for n in shape), dtype=layer.dtype)

    probe = [zeros(s) for s in input_shape] if _is_shape_list(input_shape) else zeros(input_shape)
    with no_grad():
        out = layer(probe, training=False)
    batch = input_shape[0][0] if _is_shape_list(input_shape) else input_shape[0]
    if isinstance(out, (list, tuple)):
        return [(batch,) + tuple(o.shape[1:]) for o in out]
    return (batch,) + tuple(out.shape[1:])


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
