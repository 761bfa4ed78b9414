"""Data helpers with Keras's names: to_categorical, set_random_seed."""

import numpy as np

from . import random as gw_random


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels: [1, 0] -> [[0, 1], [1, 0]] (as Keras).

    Args:
        y: integer labels of any shape (a trailing axis of size 1 is dropped).
        num_classes: number of classes (default: max label + 1).
    Returns: array of shape y.shape + (num_classes,).
    """
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.array_equal(y, np.round(y)):
            raise ValueError("to_categorical needs integer class labels; y holds fractions.")
        y = y.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {y.min()}.")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(f"to_categorical: label {y.max()} does not fit num_classes={num_classes}.")
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None].astype(np.int64), 1, axis=-1)
    return out


def set_random_seed(seed):
    """Keras's spelling of gw.random.seed: one call seeds everything random in gradwise."""
    gw_random.seed(seed)
