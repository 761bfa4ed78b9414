"""Merge layers: combine a list of tensors into one (Keras's Add, Concatenate, ...).

They are how branches of a functional model meet: `Concatenate()([a, b])` or, with the
lowercase helpers, `gw.layers.concatenate([a, b])`. None has weights. The element-wise ones
(Add, Subtract, Multiply, Average, Maximum, Minimum) need inputs whose shapes broadcast
against each other (usually equal); Concatenate needs equal shapes except on its axis.
"""

import numpy as np

from ..autodiff.ops import add as _add, concatenate as _concatenate, maximum as _maximum
from ..autodiff.ops import minimum as _minimum, multiply as _multiply, subtract as _subtract
from ..errors import ShapeError
from .base import Layer


def _is_shape_list(input_shape):
    return isinstance(input_shape, (list, tuple)) and input_shape and all(
        isinstance(s, (list, tuple)) for s in input_shape)


class Merge(Layer):
    """Base of the merge layers: checks it was given a list of inputs, infers the output shape
    and folds the inputs pairwise with `_merge(a, b)` (subclasses write that one method)."""

    #: how many inputs the layer takes: (at least, at most); Subtract takes exactly two
    arity = (1, None)

    def _check_inputs(self, input_shape):
        kind = type(self).__name__
        if not _is_shape_list(input_shape):
            raise ValueError(
                f"{kind} layer '{self.name}' must be called on a list of tensors, e.g. {kind}()([a, b]); "
                f"got a single input of shape {tuple(input_shape)}."
            )
        low, high = self.arity
        if len(input_shape) < low or (high is not None and len(input_shape) > high):
            wanted = f"exactly {low}" if low == high else f"at least {low}"
            raise ValueError(f"{kind} layer '{self.name}' takes {wanted} inputs, got {len(input_shape)}.")
        batches = {s[0] for s in input_shape if len(s) and s[0] is not None}
        if len(batches) > 1:
            raise ShapeError(f"{kind} layer '{self.name}': the inputs have different batch sizes, "
                             f"shapes {[tuple(s) for s in input_shape]}.")

    def build(self, input_shape):
        self._check_inputs(input_shape)

    def compute_output_shape(self, input_shape):
        """The broadcast shape of the inputs (equal ranks; a size 1 stretches; None is unknown)."""
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        if len({len(s) for s in shapes}) > 1:
            raise ShapeError(f"{type(self).__name__} layer '{self.name}' needs inputs of equal rank, "
                             f"got shapes {shapes}.")
        out = []
        for axis, sizes in enumerate(zip(*shapes)):
            known = {n for n in sizes if n is not None and (n != 1 or axis == 0)}
            if len(known) > 1:
                raise ShapeError(
                    f"{type(self).__name__} layer '{self.name}' got inputs of incompatible shapes {shapes}: "
                    f"they must be equal (or 1, to broadcast) on every axis but the batch axis."
                )
            out.append(known.pop() if known else (None if None in sizes else 1))
        return tuple(out)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            self._check_inputs(tuple(inputs.shape))
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return out

    def _merge(self, a, b):
        raise NotImplementedError(f"{type(self).__name__} must implement _merge(a, b).")

    def get_config(self):
        return super().get_config()


class Add(Merge):
    """Element-wise sum of its inputs: `Add()([a, b, c])` = a + b + c."""

    def _merge(self, a, b):
        return _add(a, b)


class Subtract(Merge):
    """Difference of exactly two inputs: `Subtract()([a, b])` = a - b."""

    arity = (2, 2)

    def _merge(self, a, b):
        return _subtract(a, b)


class Multiply(Merge):
    """Element-wise product of its inputs: `Multiply()([a, b])` = a · b."""

    def _merge(self, a, b):
        return _multiply(a, b)


class Average(Merge):
    """Element-wise mean of its inputs: (x₁ + ... + xₙ) / n."""

    def call(self, inputs):
        total = super().call(inputs)
        return _multiply(total, np.asarray(1.0 / len(inputs), dtype=total.dtype))

    def _merge(self, a, b):
        return _add(a, b)


class Maximum(Merge):
    """Element-wise maximum of its inputs (the gradient goes to the larger one)."""

    def _merge(self, a, b):
        return _maximum(a, b)


class Minimum(Merge):
    """Element-wise minimum of its inputs (the gradient goes to the smaller one)."""

    def _merge(self, a, b):
        return _minimum(a, b)


class Concatenate(Merge):
    """Joins its inputs along `axis` (default -1, the features): shapes (N, 3) and (N, 5)
    give (N, 8). All other axes must match.

    Args:
        axis: the axis to join along (default -1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, np.integer)):
            raise ValueError(f"Concatenate: axis must be an int, got {axis!r}.")
        self.axis = int(axis)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ShapeError(
                f"Concatenate layer '{self.name}' with axis={self.axis} needs inputs of equal rank, joined on "
                f"a non-batch axis; got shapes {shapes}."
            )
        axis = self.axis % rank
        out = []
        for i in range(rank):
            sizes = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in sizes else int(sum(sizes)))
                continue
            known = {n for n in sizes if n is not None}
            if len(known) > 1 and i != 0:
                raise ShapeError(
                    f"Concatenate layer '{self.name}' (axis={self.axis}) got inputs of shapes {shapes}: "
                    f"all axes but axis {self.axis} must match (axis {i} differs)."
                )
            out.append(known.pop() if known else None)
        return tuple(out)

    def call(self, inputs):
        return _concatenate(list(inputs), axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


# --- functional helpers: make the layer and call it in one go ---------------------------------
def _helper(cls, doc):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)

    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = doc
    return merge


add = _helper(Add, "`add([a, b])` = `Add()([a, b])`: element-wise sum.")
subtract = _helper(Subtract, "`subtract([a, b])` = `Subtract()([a, b])`: a - b.")
multiply = _helper(Multiply, "`multiply([a, b])` = `Multiply()([a, b])`: element-wise product.")
average = _helper(Average, "`average([a, b])` = `Average()([a, b])`: element-wise mean.")
maximum = _helper(Maximum, "`maximum([a, b])` = `Maximum()([a, b])`: element-wise maximum.")
minimum = _helper(Minimum, "`minimum([a, b])` = `Minimum()([a, b])`: element-wise minimum.")


def concatenate(inputs, axis=-1, **kwargs):
    """`concatenate([a, b], axis=-1)` = `Concatenate(axis=-1)([a, b])`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
