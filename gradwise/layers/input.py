"""Input: a symbolic placeholder for one batch of samples (Keras's `keras.Input`).

`gw.Input(shape=(784,))` stands for a batch of shape (None, 784). Calling layers on it
records which layer made which symbolic output, so a model can be defined from inputs
to outputs before any data is seen.
"""

import numpy as np

from .base import Layer


class Node:
    """One call of a layer on symbolic tensors: the layer, what went in (`args`: a tensor, or a
    list or dict of them), extra call keywords (e.g. training=True), and what came out.

    A layer called twice (a shared layer) has two nodes and one set of weights; a functional
    model is the graph of nodes between its inputs and outputs.
    """

    def __init__(self, layer, args, call_kwargs=None):
        self.layer = layer
        self.args = args
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = []  # the SymbolicTensors made by this call, flat
        self.output_structure = None  # the same, shaped as the layer returns them
        layer.__dict__.setdefault("_inbound_nodes", []).append(self)

    @property
    def parents(self):
        """The symbolic tensors this call read, flat."""
        return [] if self.args is None else flatten(self.args)


class SymbolicTensor:
    """A placeholder with a shape (batch axis None) and the layer call (node) that produced it."""

    def __init__(self, shape, dtype="float32", node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.node = node
        self.index = index  # position among the node's outputs
        self.name = name

    @property
    def layer(self):
        return None if self.node is None else self.node.layer

    @property
    def inputs(self):
        return () if self.node is None else self.node.args

    @property
    def ndim(self):
        return len(self.shape)

    @classmethod
    def from_layer_call(cls, layer, inputs, call_kwargs):
        """Record `layer(inputs)` as a node; return its symbolic output(s), shapes inferred by
        compute_output_shape (no numbers run unless the layer lacks one: then a dry run)."""
        shapes = map_structure(lambda t: t.shape, inputs)
        single = isinstance(inputs, SymbolicTensor)
        if not layer.built:
            layer._ensure_built(shapes)
            layer._build_shape = shapes if single else None
        elif single and layer._build_shape is not None:
            layer._check_shape(shapes)
        out_shapes = layer.compute_output_shape(shapes)
        node = Node(layer, inputs, call_kwargs)
        flat_shapes = [out_shapes] if _is_shape(out_shapes) else flatten(out_shapes, leaf=_is_shape)
        node.outputs = [cls(s, layer.dtype, node, i) for i, s in enumerate(flat_shapes)]
        node.output_structure = node.outputs[0] if _is_shape(out_shapes) else \
            pack_as(out_shapes, node.outputs, leaf=_is_shape)
        return node.output_structure

    def __repr__(self):
        made_by = f", made by {self.layer.name}" if self.layer is not None else ""
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}{made_by}>"


# --- structures of tensors: one tensor, or (nested) lists/tuples/dicts of them ------------------
def _is_tensor_leaf(x):
    return not isinstance(x, (list, tuple, dict))


def _is_shape(x):
    return isinstance(x, (tuple, list)) and all(n is None or isinstance(n, (int, np.integer)) for n in x)


def flatten(structure, leaf=_is_tensor_leaf):
    """The leaves of a structure as a flat list (dicts in insertion order)."""
    if leaf(structure):
        return [structure]
    items = structure.values() if isinstance(structure, dict) else structure
    return [x for item in items for x in flatten(item, leaf)]


def map_structure(fn, structure, leaf=_is_tensor_leaf):
    """The same structure with fn applied to every leaf."""
    if leaf(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v, leaf) for k, v in structure.items()}
    return [map_structure(fn, v, leaf) for v in structure]


def pack_as(structure, flat, leaf=_is_tensor_leaf):
    """Put the items of `flat` into the shape of `structure` (the inverse of flatten)."""
    items = iter(flat)
    return map_structure(lambda _: next(items), structure, leaf)


def is_symbolic(inputs):
    """True for a SymbolicTensor or a list/dict holding one (a layer call to record, not run)."""
    if isinstance(inputs, SymbolicTensor):
        return True
    if isinstance(inputs, (list, tuple, dict)) and inputs:
        return any(isinstance(t, SymbolicTensor) for t in flatten(inputs))
    return False


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
        node = Node(self, None)
        node.outputs = [SymbolicTensor(self._build_shape, self.dtype, node, name=self.name)]
        node.output_structure = node.outputs[0]

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
