"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, RReLU, Maxout.

Each is a thin layer around ops that already have checked gradients (relu, leaky_relu,
elu, softmax, where, multiply, reshape + max), so none needs a backward of its own.
Keras 3's names and defaults; RReLU follows PyTorch (Keras has none) and Maxout follows
TensorFlow Addons's layout.
"""

import numbers

import numpy as np

from .. import initializers, random
from ..autodiff.ops import elu, leaky_relu, max as reduce_max, multiply, relu, reshape, softmax, where
from ..autodiff.tensor import Tensor, convert_to_tensor
from ..errors import ShapeError
from .base import Layer
from .core import _regularizer, _serialize_regularizer
from .regularization import layer_generator


MASKED = -1e9  # what Softmax puts in place of masked entries before normalising (as Keras)


def _number(value, layer, arg, minimum=None):
    """`value` as a float, or a ValueError naming the layer, the argument and the value."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(f"{layer}: {arg} must be a number, got {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{layer}: {arg} must be >= {minimum}, got {value!r}.")
    return float(value)


class _Elementwise(Layer):
    """Shared by the layers whose output has the input's shape and that accept any shape."""

    supports_masking = True  # a (batch, steps) mask passes through, as Keras

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _check_shape(self, shape):
        pass  # an element-wise function works on every shape


class ReLU(_Elementwise):
    """Rectified linear unit with Keras's options:

        y = max_value                       where x >= max_value
        y = x                               where threshold < x < max_value
        y = negative_slope · (x - threshold)  where x <= threshold

    Args:
        max_value: float >= 0, the ceiling (None: no ceiling).
        negative_slope: float >= 0, the slope below the threshold (default 0).
        threshold: float >= 0, where the unit switches on (default 0).

    Input shape: any. Output shape: the same.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else _number(max_value, "ReLU", "max_value", 0.0)
        self.negative_slope = _number(negative_slope, "ReLU", "negative_slope", 0.0)
        self.threshold = _number(threshold, "ReLU", "threshold", 0.0)

    def call(self, inputs):
        return relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        config = super().get_config()
        config.update(max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold)
        return config


class LeakyReLU(_Elementwise):
    """y = x for x > 0, negative_slope · x otherwise: a small gradient keeps "dead" units alive.

    Args:
        negative_slope: float >= 0 (Keras 3's default 0.3; seed 001 writes 0.1, seed 004 0.01).
            `alpha=` is accepted as the Keras 2 spelling of the same argument.

    Input shape: any. Output shape: the same.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _number(negative_slope, "LeakyReLU", "negative_slope", 0.0)

    def call(self, inputs):
        return leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


def prelu(x, alpha):
    """x where x > 0, else alpha · x; alpha broadcasts against x (a learned slope per unit).

    Gradients: dy/dx = 1 or alpha (alpha at x = 0, as PyTorch); dy/dalpha = x where x <= 0,
    summed over the axes alpha is shared along (multiply's backward unbroadcasts).
    """
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    return where(x.data > 0, x, multiply(alpha, x))


class PReLU(Layer):
    """Parametric ReLU: a LeakyReLU whose negative slope `alpha` is learned (He et al. 2015).

        y = x where x > 0,   y = alpha · x elsewhere

    Args:
        alpha_initializer: initial slope (default "zeros": the layer starts as a ReLU).
        alpha_regularizer: optional penalty on alpha.
        alpha_constraint: a projection of alpha the optimizer applies after every step: a
            gw.constraints name or object ("non_neg": alpha >= 0), or a function var -> array
            (a function cannot be saved in a model file).
        shared_axes: axes (1 = the first after the batch) along which one alpha is shared,
            e.g. [1, 2] for NHWC images: one slope per channel.

    Input shape: (batch, ...) with known sizes on the non-shared axes. Output shape: the same.
    Weights: alpha of shape input_shape[1:] with the shared axes set to 1 (Keras's layout).
    """

    supports_masking = True

    constraint_args = ("alpha",)

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = _regularizer(alpha_regularizer)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = [shared_axes] if isinstance(shared_axes, (int, np.integer)) else list(shared_axes)
            if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes):
                raise ValueError(f"PReLU: shared_axes must be ints (1 = first axis after the batch), "
                                 f"got {shared_axes!r}.")
            self.shared_axes = [int(a) for a in axes]

    def _shared(self, ndim):
        """The shared axes as non-negative indices into the full input shape, checked."""
        out = set()
        for a in self.shared_axes or ():
            axis = a + ndim if a < 0 else a
            if not 1 <= axis < ndim:
                raise ShapeError(
                    f"PReLU '{self.name}': shared axis {a} is out of range for inputs of rank {ndim} "
                    f"(allowed: 1 .. {ndim - 1}; axis 0 is the batch)."
                )
            out.add(axis)
        return out

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ShapeError(f"PReLU '{self.name}' needs inputs of shape (batch, ...), got {tuple(input_shape)}.")
        shared = self._shared(len(input_shape))
        shape = [1 if i in shared else n for i, n in enumerate(input_shape)][1:]
        if None in shape:
            raise ShapeError(
                f"PReLU '{self.name}': input shape {tuple(input_shape)} has an unknown size on a non-shared "
                "axis; give that axis in shared_axes (one alpha along it) or a fixed size."
            )
        self.alpha = self.add_weight(tuple(shape), self.alpha_initializer, name="alpha",
                                     regularizer=self.alpha_regularizer)

    def _check_shape(self, shape):
        expected = (None,) + tuple(self.alpha.shape)
        shared = self._shared(len(shape)) if len(shape) == len(expected) else set()
        if len(shape) != len(expected) or any(
            i not in shared and e != s for i, (e, s) in enumerate(zip(expected, shape)) if i > 0
        ):
            raise ShapeError(
                f"PReLU '{self.name}' was built for inputs of shape {expected} (shared axes "
                f"{self.shared_axes}), got {tuple(shape)}."
            )

    def call(self, inputs):
        return prelu(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            alpha_initializer=initializers.serialize(self.alpha_initializer),
            alpha_regularizer=_serialize_regularizer(self.alpha_regularizer),
            shared_axes=self.shared_axes,
        )
        return config


class ELU(_Elementwise):
    """Exponential linear unit: y = x for x > 0, alpha (eˣ - 1) otherwise (smooth, mean near 0).

    Args:
        alpha: float, the value the negative side tends to is -alpha (default 1.0).

    Input shape: any. Output shape: the same.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = _number(alpha, "ELU", "alpha")

    def call(self, inputs):
        return elu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(_Elementwise):
    """Softmax along `axis`: y = eˣ / Σ eˣ, each slice sums to 1.

    Args:
        axis: int or tuple of ints, the axes normalised over (default -1).

    Call arguments:
        mask: optional booleans (or 0/1) broadcastable to the input; False entries get
            probability 0 and the others share the mass (as Keras: they are set to -1e9
            before the softmax, and to 0 after it, so a fully masked slice gives zeros).

    Input shape: any. Output shape: the same.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = tuple(int(a) for a in axis)
        elif not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"Softmax: axis must be an int or a tuple of ints, got {axis!r}.")
        self.axis = axis if isinstance(axis, tuple) else int(axis)

    def call(self, inputs, mask=None):
        if mask is None:
            return softmax(inputs, axis=self.axis)
        keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
        keep = keep if keep.dtype == bool else keep > 0.5
        if keep.ndim > inputs.ndim or any(m not in (1, n) for m, n in zip(keep.shape[::-1], inputs.shape[::-1])):
            raise ShapeError(
                f"Softmax '{self.name}': mask of shape {keep.shape} does not broadcast to inputs of shape "
                f"{tuple(inputs.shape)}; each mask axis must be 1 or match the input's."
            )
        probabilities = softmax(where(keep, inputs, MASKED), axis=self.axis)
        return where(keep, probabilities, 0.0)

    def get_config(self):
        config = super().get_config()
        config["axis"] = list(self.axis) if isinstance(self.axis, tuple) else self.axis
        return config


class RReLU(_Elementwise):
    """Randomized leaky ReLU (Xu et al. 2015), with PyTorch's semantics:

        training:   y = x where x > 0, a · x elsewhere, a ~ U(lower, upper) drawn per element
                    and per call (dy/dx = the drawn a)
        inference:  y = x where x > 0, (lower + upper)/2 · x elsewhere (the mean slope)

    The noise regularises like dropout; at inference the expected slope is used.

    Args:
        lower, upper: bounds of the slope's distribution, 0 <= lower <= upper (default 1/8, 1/3).
        seed: int, the layer's own random stream; None draws from gradwise's generator
            (`gw.random.seed(n)` makes it reproducible).

    Input shape: any. Output shape: the same.
    """

    def __init__(self, lower=1 / 8, upper=1 / 3, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.lower = _number(lower, "RReLU", "lower", 0.0)
        self.upper = _number(upper, "RReLU", "upper", 0.0)
        if self.lower > self.upper:
            raise ValueError(f"RReLU: lower must be <= upper, got lower={lower!r}, upper={upper!r}.")
        self.seed = seed
        self._rng = layer_generator(seed)

    def call(self, inputs, training=None):
        if not training:
            return leaky_relu(inputs, negative_slope=0.5 * (self.lower + self.upper))
        rng = self._rng or random.generator()
        dtype = inputs.dtype if inputs.dtype.kind == "f" else self.dtype
        drawn = rng.uniform(self.lower, self.upper, size=inputs.shape).astype(dtype)
        slope = np.where(inputs.data > 0, dtype.type(1), drawn)
        # the slope is a constant: multiply's backward gives the input g * slope
        return multiply(inputs, Tensor._from_array(slope, None))

    def get_config(self):
        config = super().get_config()
        config.update(lower=self.lower, upper=self.upper, seed=self.seed)
        return config


class Maxout(Layer):
    """Maxout (Goodfellow et al. 2013): keep the largest of each group of features.

    The `d` features on `axis` form num_units groups of k = d / num_units; unit j is the max
    of features j, j + num_units, j + 2·num_units, ... (TensorFlow Addons's layout). After a
    Dense layer of num_units·k units this is max(w₁ᵀx + b₁, ..., w_kᵀx + b_k) per unit, the
    piecewise-linear activation of seed 001. The gradient goes to the winner of each group.

    Args:
        num_units: positive int, the number of features kept; must divide the input's size on `axis`.
        axis: the feature axis (default -1); not the batch axis.

    Input shape: (batch, ..., d, ...). Output shape: the same with d replaced by num_units.
    """

    def __init__(self, num_units, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_units, (int, np.integer)) or isinstance(num_units, bool) or num_units <= 0:
            raise ValueError(f"Maxout: num_units must be a positive integer, got {num_units!r}.")
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"Maxout: axis must be an int, got {axis!r}.")
        self.num_units, self.axis = int(num_units), int(axis)

    def _feature_axis(self, shape):
        """The axis index and the group size k for inputs of `shape`, or a clear error."""
        ndim = len(shape)
        axis = self.axis + ndim if self.axis < 0 else self.axis
        if not 1 <= axis < ndim:
            raise ShapeError(
                f"Maxout '{self.name}': axis {self.axis} is not a feature axis of inputs of shape "
                f"{tuple(shape)} (allowed: 1 .. {ndim - 1} or -1 .. -{ndim - 1}; axis 0 is the batch)."
            )
        d = shape[axis]
        if d is not None and d % self.num_units:
            divisors = [n for n in range(1, d + 1) if d % n == 0]
            raise ShapeError(
                f"Maxout '{self.name}': the {d} features on axis {self.axis} cannot be split into "
                f"num_units={self.num_units} equal groups. Choose num_units among {divisors}, or give "
                f"the previous layer a multiple of {self.num_units} units."
            )
        return axis, None if d is None else d // self.num_units

    def build(self, input_shape):
        self._feature_axis(input_shape)

    def _check_shape(self, shape):
        self._feature_axis(shape)

    def call(self, inputs):
        axis, k = self._feature_axis(inputs.shape)
        shape = inputs.shape
        grouped = reshape(inputs, shape[:axis] + (k, self.num_units) + shape[axis + 1:])
        return reduce_max(grouped, axis=axis)

    def compute_output_shape(self, input_shape):
        axis, _ = self._feature_axis(input_shape)
        return tuple(input_shape[:axis]) + (self.num_units,) + tuple(input_shape[axis + 1:])

    def get_config(self):
        config = super().get_config()
        config.update(num_units=self.num_units, axis=self.axis)
        return config
