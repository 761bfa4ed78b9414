"""Layer: the unit models are built from (Keras's life cycle).

    __init__(**config)      stores configuration only
    build(input_shape)      creates the weights the first time an input shape is seen
    call(inputs, training)  computes the output from tensors
    get_config()            returns what __init__ needs to make the same layer again

A user's own subclass needs no get_config: the constructor arguments are recorded when
the object is made, so it saves and loads as long as they are plain values (numbers,
strings, lists, dicts) and the class is registered (`@gw.saving.register`).

    class Scale(gw.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        def call(self, x):
            return x * self.w * self.factor
"""

import functools
import inspect
import re
import warnings
from collections import defaultdict

import numpy as np

from .. import backend, constraints, initializers
from ..autodiff.tensor import Tensor, Variable, convert_to_tensor
from ..errors import ShapeError

_name_counts = defaultdict(int)
backend._session_resets.append(_name_counts.clear)


def unique_name(base):
    """dense, dense_1, dense_2, ... (as Keras's auto names)."""
    n = _name_counts[base]
    _name_counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def snake_case(name):
    """Keras's automatic layer names: Conv2D -> conv2d, SpatialDropout1D -> spatial_dropout1d,
    LeakyReLU -> leaky_re_lu (a "_" before each capitalised word, then between lower and upper)."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


class Layer:
    """Base class of all layers (see the module docstring for the life cycle).

    Masks (Keras's rules): a layer that makes a mask (Embedding(mask_zero=True), Masking)
    attaches it to its output tensor as `_keras_mask`; the next layer whose call() takes a
    `mask` argument receives it; a layer with `supports_masking = True` passes
    `compute_mask(inputs, mask)` on to its output, any other layer drops the mask with a
    warning.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name (auto-generated from the class name when None).
        dtype: the weights' dtype (float32 by default).
        input_shape: Keras 2 style shape of one sample (without the batch axis); lets a
            Sequential model build before it sees data.
    """

    def __init_subclass__(cls, **kwargs):
        """A subclass's own build() marks the layer built, even when called directly, as Keras."""
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_marks_built", False):
            @functools.wraps(build)
            def build_and_mark(self, *args, **kw):
                result = build(self, *args, **kw)
                self.built = True
                return result

            build_and_mark._marks_built = True
            cls.build = build_and_mark

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        obj._init_args = (args, dict(kwargs))  # recorded for the automatic get_config
        return obj

    #: the `<what>_constraint` arguments this layer takes (Keras's names), e.g. ("kernel", "bias");
    #: each constrains the weight(s) of that name (see _CONSTRAINED), projected after every update
    constraint_args = ()

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None, **kwargs):
        if "input_dim" in kwargs:  # Keras 2 spelling of a 1-D input_shape
            input_dim = kwargs.pop("input_dim")
            input_shape = input_shape or (input_dim,)
        self._constraints = {what: constraints.get(kwargs.pop(f"{what}_constraint", None))
                             for what in type(self).constraint_args}
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s): {', '.join(sorted(kwargs))}."
            )
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = np.dtype(dtype or "float32")
        self._trainable = bool(trainable)
        self._weights = []
        self._declared_trainable = {}
        self.built = False
        self.input_shape_hint = None if input_shape is None else (None,) + tuple(input_shape)
        self._build_shape = None
        self._inbound_nodes = []  # symbolic calls (functional API), one per call

    # --- weights ------------------------------------------------------------------------
    def add_weight(self, shape=(), initializer="glorot_uniform", dtype=None, trainable=True, name=None,
                   regularizer=None, constraint=None):
        """Create, track and return a Variable of `shape` initialised by `initializer`.

        constraint: a callable projecting the value (e.g. clipping at 0) that optimizers apply
        after every update, as Keras does."""
        dtype = np.dtype(dtype or self.dtype)
        if constraint is None:
            constraint = next((c for what, c in getattr(self, "_constraints", {}).items()
                               if c is not None and name in _CONSTRAINED.get(what, (what,))), None)
        value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        var = Variable(np.asarray(value, dtype=dtype), dtype=dtype, trainable=trainable and self._trainable,
                       name=f"{self.name}/{name or 'variable'}", constraint=constraint)
        self._declared_trainable[id(var)] = bool(trainable)
        self._weights.append(var)
        if regularizer is not None:
            self._regularized = getattr(self, "_regularized", [])
            self._regularized.append((var, regularizer))
        return var

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, flag):
        """Freeze (False) or unfreeze a layer: its weights stop or resume receiving gradients.

        In a compiled model the change takes effect at the next compile(), as in Keras 3."""
        self._trainable = bool(flag)
        for var in self._weights:
            var.trainable = self._trainable and self._declared_trainable.get(id(var), True)
        for layer in self._sublayers():
            layer.trainable = flag

    def _sublayers(self):
        """Layers held as attributes (or in lists) of this one, for nested custom layers."""
        found = []
        for value in vars(self).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            found.extend(v for v in items if isinstance(v, Layer) and v is not self)
        return found

    @property
    def weights(self):
        """All weights: own ones in creation order, then those of nested layers."""
        out = list(self._weights)
        for layer in self._sublayers():
            out.extend(w for w in layer.weights if all(w is not o for o in out))
        return out

    @property
    def trainable_weights(self):
        return [w for w in self.weights if w.trainable] if self._trainable else []

    @property
    def non_trainable_weights(self):
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        """Keras's other name for trainable_weights (custom loops: tape.gradient(loss, ...))."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self):
        """The weights as a list of NumPy arrays (Keras's order: e.g. Dense kernel, bias)."""
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        """Set the weights from a list of arrays of the same shapes as get_weights() returns."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"{self.name}: set_weights got {len(weights)} arrays but the layer has {len(own)} weights "
                f"({', '.join(str(w.shape) for w in own)})."
            )
        for var, value in zip(own, weights):
            value = np.asarray(value)
            if value.shape != var.shape:
                raise ShapeError(
                    f"{self.name}: weight {var.name} has shape {var.shape}, the value given has shape {value.shape}."
                )
        for var, value in zip(own, weights):
            var.assign(np.asarray(value, dtype=var.dtype))

    def count_params(self):
        """Number of scalars in all weights."""
        if not self.built:
            raise ValueError(f"{self.name} is not built yet: call it on data (or give input_shape) first.")
        return int(sum(w.size for w in self.weights))

    @property
    def losses(self):
        """Regularization penalties of this layer (and nested ones), as scalar tensors."""
        out = [reg(var) for var, reg in getattr(self, "_regularized", [])]
        if getattr(self, "_activity_penalty", None) is not None:  # of the latest call's outputs
            out.append(self._activity_penalty)
        for layer in self._sublayers():
            out.extend(layer.losses)
        return out

    # --- life cycle ---------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of `input_shape` (batch axis first, may be None)."""
        self.built = True

    def call(self, inputs, training=None):
        raise NotImplementedError(f"{type(self).__name__} must implement call(inputs).")

    def _ensure_built(self, shape):
        if not self.built:
            self.build(tuple(shape))
            self.built = True
            self._build_shape = (None,) + tuple(shape[1:])
        elif self._build_shape is not None:
            self._check_shape(shape)

    def _check_shape(self, shape):
        expected = self._build_shape
        if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected[1:], shape[1:])):
            raise ShapeError(
                f"Layer '{self.name}' ({type(self).__name__}) expected input shape {expected}, "
                f"got {tuple(shape)}."
            )

    def __call__(self, inputs, training=None, **kwargs):
        from .input import SymbolicTensor, is_symbolic

        if is_symbolic(inputs):  # building a functional model: record the call, infer shapes
            if training is not None:
                kwargs = dict(kwargs, training=training)
            return SymbolicTensor.from_layer_call(self, inputs, kwargs)
        if isinstance(inputs, (list, tuple)):
            inputs = [convert_to_tensor(x) for x in inputs]
            self._ensure_built([tuple(x.shape) for x in inputs]) if not self.built else None
        else:
            inputs = convert_to_tensor(inputs)
            if inputs.dtype.kind in "iub" and self.dtype.kind == "f":
                inputs = Tensor._from_array(inputs.data.astype(self.dtype), None)
            self._ensure_built(inputs.shape)
        mask = mask_of(inputs)
        if mask is not None and "mask" not in kwargs and self._call_takes("mask"):
            kwargs["mask"] = mask
        if self._call_takes("training"):
            outputs = self.call(inputs, training=training, **kwargs)
        else:
            outputs = self.call(inputs, **kwargs)
        if self.supports_masking:
            attach_mask(outputs, self.compute_mask(inputs, kwargs.get("mask", mask)))
        elif mask is not None:
            warnings.warn(
                f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input with a mask "
                "attached to it, but it does not support masking: the mask stops here and later layers "
                "will not see it.", stacklevel=2)
        return outputs

    #: True for layers that pass a mask on (Keras's attribute; see compute_mask).
    supports_masking = False

    def compute_mask(self, inputs, previous_mask):
        """The mask of this layer's output: by default the input's, unchanged."""
        return previous_mask

    def _call_takes(self, argument):
        """Whether this layer's call() has a parameter of that name (cached per class)."""
        cls = type(self)
        cache = cls.__dict__.get("_call_parameters")
        if cache is None:
            cache = frozenset(inspect.signature(cls.call).parameters)
            cls._call_parameters = cache
        return argument in cache

    @property
    def input(self):
        """The symbolic input of this layer's first call on symbolic tensors (as Keras)."""
        return self._first_node("input").args

    @property
    def output(self):
        """The symbolic output of this layer's first call on symbolic tensors: what a new
        model built on this layer's features starts from, e.g. gw.Model(old.inputs, layer.output)."""
        return self._first_node("output").output_structure

    def _first_node(self, what):
        nodes = getattr(self, "_inbound_nodes", None)
        if not nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic tensor, so it has no {what}. "
                "Call it on gw.Input(...) (or put it in a model built with an Input) first."
            )
        return nodes[0]

    def compute_output_shape(self, input_shape):
        """Output shape for an input shape (batch axis may be None), by a dry run on zeros."""
        from ..autodiff.function import no_grad

        probe = tuple(2 if n is None else n for n in input_shape)
        with no_grad():
            out = self(np.zeros(probe, dtype=self.dtype), training=False)
        shape = tuple(out.shape)
        return (input_shape[0],) + shape[1:]

    # --- config -------------------------------------------------------------------------
    def get_config(self):
        """What __init__ needs to rebuild this layer (recorded arguments for user subclasses)."""
        base = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        base.update({f"{what}_constraint": constraints.serialize(c)
                     for what, c in getattr(self, "_constraints", {}).items()})
        if type(self).get_config is not Layer.get_config:
            return base
        args, kwargs = self._init_args
        signature = inspect.signature(type(self).__init__)
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            return base
        recorded = {k: v for k, v in bound.arguments.items() if k != "self"}
        var_kw = [p.name for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD]
        for name in var_kw:
            recorded.update(recorded.pop(name, {}))
        for key, value in base.items():
            if var_kw or key in signature.parameters:
                recorded[key] = value
        return recorded

    @classmethod
    def from_config(cls, config):
        """Make a layer from get_config()'s dict."""
        try:
            return cls(**config)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.from_config could not rebuild the layer from {config!r}: {exc}") from exc

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


def mask_of(inputs):
    """The mask attached to a tensor (or the masks of a list of them, None when there are none)."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return getattr(inputs, "_keras_mask", None)


def attach_mask(outputs, mask):
    """Attach `mask` to the output tensor(s) that do not carry one yet."""
    if mask is None:
        return
    if isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] + [None] * (len(outputs) - 1)
        for out, m in zip(outputs, masks):
            attach_mask(out, m)
    elif isinstance(outputs, Tensor) and getattr(outputs, "_keras_mask", None) is None:
        outputs._keras_mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)


# the weights each `<what>_constraint` argument applies to (by default the weight named <what>)
_CONSTRAINED = {"recurrent": ("recurrent_kernel",), "depthwise": ("depthwise_kernel", "kernel"),
                "pointwise": ("pointwise_kernel",)}
