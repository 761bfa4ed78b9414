"""Input: a symbolic placeholder for one batch of samples (Keras's `keras.Input`).

`gw.Input(shape=(784,))` stands for a batch of shape (None, 784). Calling layers on it
records which layer made which symbolic output, so a model can be defined from inputs
to outputs before any data is seen.
"""

import numpy as np

from .base import Layer


class SymbolicTensor:
    """A placeholder with a shape (batch axis None) and the layer call that produced it."""

    def __init__(self, shape, dtype="float32", layer=None, inputs=(), call_kwargs=None, name=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.layer = layer
        self.inputs = inputs
        self.call_kwargs = call_kwargs or {}
        self.name = name

    @property
    def ndim(self):
        return len(self.shape)

    @classmethod
    def from_layer_call(cls, layer, inputs, call_kwargs):
        shapes = [t.shape for t in inputs] if isinstance(inputs, (list, tuple)) else inputs.shape
        if not layer.built:
            layer._ensure_built(_probe_shape(shapes) if not isinstance(shapes, list) else shapes)
            layer._build_shape = shapes if not isinstance(shapes, list) else None
        out_shape = layer.compute_output_shape(shapes)
        return cls(out_shape, layer.dtype, layer, inputs, call_kwargs)

    def __repr__(self):
        made_by = f", made by {self.layer.name}" if self.layer is not None else ""
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}{made_by}>"


def _probe_shape(shape):
    return tuple(shape)


class InputLayer(Layer):
    """The entry point of a model: fixes the shape of one sample.

    Args:
        shape: shape of one sample, without the batch axis, e.g. (784,) or (28, 28, 1).
        batch_size: optional fixed batch size.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, **kwargs):
        if shape is None and "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if shape is None:
            raise ValueError("InputLayer needs shape=, the shape of one sample, e.g. shape=(784,).")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.shape = tuple(shape)
        self.batch_size = batch_size
        self.built = True
        self._build_shape = (batch_size,) + self.shape
        self.output = SymbolicTensor(self._build_shape, self.dtype, self, name=self.name)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {"shape": list(self.shape), "batch_size": self.batch_size, "dtype": self.dtype.name,
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, name=None):
    """A symbolic batch of samples of `shape` (without the batch axis): `gw.Input((784,))`."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name).output
