"""Checking and batching the data given to fit/evaluate/predict.

Everything here runs before any weight changes, so bad input costs nothing but an error
message that names the problem and the fix.
"""

import numpy as np

from .. import random as gw_random
from ..autodiff.tensor import Tensor
from ..errors import ShapeError


def as_array(value, what):
    """NumPy array from an array, a list or a gw tensor; strings and objects are refused."""
    if isinstance(value, Tensor):
        value = value.numpy()
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold numbers, got an array of dtype {arr.dtype}.")
    if arr.ndim == 0:
        raise ShapeError(f"{what} must have a batch axis (one row per sample), got a scalar.")
    return arr


def check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    return int(batch_size)


def prepare(x, y, sample_weight, what):
    """x, y (and sample weights) as arrays, checked for matching lengths, emptiness and NaN/inf."""
    if x is None or y is None:
        raise ValueError(f"{what}() needs both x and y.")
    x, y = as_array(x, "x"), as_array(y, "y")
    if len(x) == 0:
        raise ValueError(f"{what}() got no samples: x is empty.")
    if len(x) != len(y):
        raise ValueError(
            f"x and y have different numbers of samples: x has {len(x)}, y has {len(y)}. "
            "They must match one to one."
        )
    for name, arr in (("x", x), ("y", y)):
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr))[0]
            raise ValueError(
                f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)}); "
                "clean or impute the data before training."
            )
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, "sample_weight").astype(np.float32)
        if sample_weight.shape[0] != len(y):
            raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries but there are {len(y)} samples.")
    return x, y, sample_weight


def unpack_validation(validation_data):
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight).")
    return tuple(validation_data)


def split_validation(x, y, sample_weight, fraction):
    """Keras's validation_split: the last `fraction` of the samples, taken before shuffling."""
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must be between 0 and 1, got {fraction!r}.")
    cut = int(len(x) * (1 - fraction))
    if cut == 0 or cut == len(x):
        raise ValueError(f"validation_split={fraction} leaves no samples for training or for validation.")
    val = (x[cut:], y[cut:]) + ((sample_weight[cut:],) if sample_weight is not None else ())
    return x[:cut], y[:cut], None if sample_weight is None else sample_weight[:cut], val


def _loss_name(model):
    loss = model.loss
    return type(loss).__name__ if not callable(getattr(loss, "__name__", None)) else loss.__name__


def check_targets(model, y):
    """For cross-entropies: labels within [0, classes) (sparse) and one-hot width = classes."""
    out_shape = getattr(model, "_output_shape", None) or _output_shape(model)
    if out_shape is None:
        return
    classes = out_shape[-1]
    kind = type(model.loss).__name__
    if kind == "SparseCategoricalCrossentropy" and classes:
        labels = y.reshape(len(y), -1) if y.ndim > 1 else y
        if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
            raise ValueError("sparse_categorical_crossentropy needs integer class labels; y holds fractions.")
        lo, hi = labels.min(), labels.max()
        if lo < 0 or hi >= classes:
            bad = lo if lo < 0 else hi
            raise ValueError(
                f"Label {bad:g} is outside [0, {classes}): the model has {classes} outputs, so "
                f"sparse_categorical_crossentropy needs labels 0 .. {classes - 1}."
            )
    elif kind == "CategoricalCrossentropy" and classes:
        if y.ndim < 2 or y.shape[-1] != classes:
            width = y.shape[-1] if y.ndim >= 2 else "no"
            raise ValueError(
                f"categorical_crossentropy expects one-hot targets with {classes} columns (one per class), "
                f"got y of shape {y.shape} ({width} columns). Use gw.utils.to_categorical(y, {classes}) or "
                "loss='sparse_categorical_crossentropy' for integer labels."
            )


def _output_shape(model):
    layers = model._call_layers()
    if not layers:
        return None
    last = layers[-1]
    units = getattr(last, "units", None)
    if units is not None:
        return (None, units)
    return None


def apply_class_weight(y, class_weight, sample_weight):
    """Per-sample weights from a {class: weight} dict (class from the label or the one-hot argmax)."""
    if not hasattr(y, "ndim"):  # several outputs' targets (as Keras 3, class_weight needs one)
        raise ValueError(
            "class_weight is only supported for models with a single output; this model has several. "
            "Pass sample_weight instead (one weight per sample, e.g. computed from the labels of the "
            "output that needs balancing)."
        )
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y))
    table = np.ones(int(max(max(class_weight), labels.max())) + 1, np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    weights = table[labels.astype(int)]
    return weights if sample_weight is None else sample_weight * weights


def epoch_order(n, shuffle):
    """Sample order for one epoch: a fresh permutation from gradwise's generator, or None."""
    return gw_random.permutation(n) if shuffle else None


def batch_index(order, step, batch_size, n):
    start, stop = step * batch_size, min(n, (step + 1) * batch_size)
    if start >= n:
        start, stop = (start % n), min(n, start % n + batch_size)
    return slice(start, stop) if order is None else order[start:stop]
