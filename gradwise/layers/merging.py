"""Merge layers: combine a list of tensors into one (Keras's Add, Concatenate, ...).

They are how branches of a functional model meet: `Concatenate()([a, b])` or, with the
lowercase helpers, `gw.layers.concatenate([a, b])`. None has weights. The element-wise ones
(Add, Subtract, Multiply, Average, Maximum, Minimum) need inputs whose shapes broadcast
against each other (usually equal); Concatenate needs equal shapes except on its axis; Dot
takes two inputs and sums their product over one axis of each (per sample).
"""

import numpy as np

from ..autodiff.ops import add as _add, concatenate as _concatenate, maximum as _maximum
from ..autodiff.ops import divide as _divide, matmul as _matmul, reshape as _reshape, sqrt as _sqrt
from ..autodiff.ops import minimum as _minimum, multiply as _multiply, subtract as _subtract
from ..autodiff.ops import square as _square, sum as _sum, transpose as _transpose
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
    supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        """As Keras: a step is kept if any input keeps it; None if some input has no mask."""
        if previous_mask is None or any(m is None for m in previous_mask):
            return None
        return np.logical_or.reduce([np.asarray(m, dtype=bool) for m in previous_mask])

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

    def compute_mask(self, inputs, previous_mask=None):
        """As Keras: the inputs' masks (all-kept for an unmasked input) joined along `axis`,
        then a step is kept if any of its joined entries is."""
        if previous_mask is None:
            return None
        masks = []
        for x, m in zip(inputs, previous_mask):
            shape = tuple(x.shape)
            m = np.ones(shape, bool) if m is None else np.asarray(m, dtype=bool)
            masks.append(np.broadcast_to(m[..., None], shape) if m.ndim < len(shape) else m)
        return np.any(np.concatenate(masks, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


EPSILON = 1e-7  # keras.backend.epsilon(): the smallest norm divided by when normalising


class Dot(Merge):
    """Per-sample dot product of two inputs over one axis of each (Keras's batch_dot).

    For a (N, 8) and b (N, 8), `Dot(axes=1)([a, b])` is the (N, 1) column of Σₖ a[n, k] b[n, k]:
    a similarity score of two embeddings. In general the output keeps a's other axes, then b's
    other axes: out[n, i.., j..] = Σₖ a[n, i.., k, ..] · b[n, j.., k, ..], e.g. (N, 3, 5) and
    (N, 10, 3) with axes=(1, 2) give (N, 5, 10). A result with no axis besides the batch
    axis is returned as (N, 1).

    Args:
        axes: int (the same axis of both inputs) or a pair (axis of a, axis of b); negative
            counts from the end; axis 0 (the batch) cannot be summed over. The two axes must
            have the same size.
        normalize: if True, each input is first L2-normalised along its dot axis,
            x / max(‖x‖, 1e-7), so the output is the cosine similarity (in [-1, 1]).

    Input shape: a list of two tensors of shapes (N, ...), each of rank >= 2.
    Output shape: (N, a's other axes..., b's other axes...), or (N, 1).
    """

    def compute_mask(self, inputs, previous_mask=None):
        return None  # as Keras: a dot product has no steps left to mask

    arity = (2, 2)

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = (axes, axes) if isinstance(axes, (int, np.integer)) else axes
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in pair)):
            raise ValueError(f"Dot: axes must be an int or a pair of ints (axis of the first input, axis of "
                             f"the second), got {axes!r}.")
        self.axes = int(axes) if isinstance(axes, (int, np.integer)) else [int(a) for a in axes]
        self._pair = (int(pair[0]), int(pair[1]))
        self.normalize = bool(normalize)

    def _dot_axes(self, shapes):
        """The two summed axes as non-negative ints, checked against the input shapes."""
        axes = []
        for which, (shape, axis) in enumerate(zip(shapes, self._pair)):
            rank = len(shape)
            if rank < 2 or not -rank <= axis < rank or axis % rank == 0:
                raise ShapeError(
                    f"Dot layer '{self.name}' (axes={self.axes}): input {which} of shape {tuple(shape)} has no "
                    f"non-batch axis {axis}; inputs need rank >= 2 and the batch axis 0 cannot be summed over."
                )
            axes.append(axis % rank)
        sizes = [shape[a] for shape, a in zip(shapes, axes)]
        if None not in sizes and sizes[0] != sizes[1]:
            raise ShapeError(
                f"Dot layer '{self.name}' (axes={self.axes}): the summed axes have different sizes, {sizes[0]} "
                f"(axis {axes[0]} of {tuple(shapes[0])}) and {sizes[1]} (axis {axes[1]} of {tuple(shapes[1])})."
            )
        return axes

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the inputs before any data flows

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        (a_shape, b_shape), (a_axis, b_axis) = input_shape, self._dot_axes(input_shape)
        rest = [n for i, n in enumerate(a_shape) if i not in (0, a_axis)]
        rest += [n for i, n in enumerate(b_shape) if i not in (0, b_axis)]
        return (a_shape[0],) + (tuple(rest) or (1,))

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            self._check_inputs(tuple(inputs.shape))
        a, b = inputs
        a_axis, b_axis = self._dot_axes([a.shape, b.shape])
        if self.normalize:
            a, b = _l2_normalize(a, a_axis), _l2_normalize(b, b_axis)
        # a: summed axis last, then (N, P, K); b: summed axis second, then (N, K, Q); batched matmul
        a = _transpose(a, [i for i in range(a.ndim) if i != a_axis] + [a_axis])
        b = _transpose(b, [0, b_axis] + [i for i in range(1, b.ndim) if i != b_axis])
        a_rest, b_rest = a.shape[1:-1], b.shape[2:]
        n, k = a.shape[0], a.shape[-1]
        out = _matmul(_reshape(a, (n, -1, k)), _reshape(b, (n, k, -1)))  # (N, P, Q)
        return _reshape(out, (n,) + (tuple(a_rest) + tuple(b_rest) or (1,)))

    def get_config(self):
        config = super().get_config()
        config.update(axes=self.axes, normalize=self.normalize)
        return config


def _l2_normalize(x, axis):
    """x / max(‖x‖₂ along axis, ε): written as x / √max(Σx², ε²) so a zero vector has a finite gradient."""
    norm = _sqrt(_maximum(_sum(_square(x), axis=axis, keepdims=True), np.asarray(EPSILON**2, x.dtype)))
    return _divide(x, norm)


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


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """`dot([a, b], axes, normalize=False)` = `Dot(axes, normalize)([a, b])` (Keras's default axes=-1)."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
