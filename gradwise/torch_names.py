"""PyTorch's creation names, so a torch autograd program runs with `import gradwise as torch`.

Only the tensor-and-autograd core (torch.tensor, requires_grad, backward, .grad, no_grad,
in-place updates under no_grad); torch.nn and torch.optim are not imitated: gradwise's
layers and optimizers follow Keras.
"""

import numpy as np

from . import random as _random
from .autodiff.ops import concatenate as _concatenate
from .autodiff.tensor import Tensor, to_array

float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64, uint8 = np.int8, np.int16, np.int32, np.int64, np.uint8
bool_ = np.bool_


def tensor(data, dtype=None, requires_grad=False):
    """A new leaf tensor holding a copy of `data` (as torch.tensor: never shares memory)."""
    array = to_array(data, dtype)
    if isinstance(data, (np.ndarray, Tensor)) and np.shares_memory(array, to_array(data)):
        array = array.copy()
    return Tensor._from_array(array, None).requires_grad_(requires_grad)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (as torch.from_numpy; float64 stays float64)."""
    return Tensor._from_array(np.asarray(array), None)


def manual_seed(seed):
    """Seed gradwise's one random generator (as torch.manual_seed; same as gw.random.seed)."""
    _random.seed(seed)


def _size(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal samples of shape `size` from gradwise's generator."""
    return Tensor(_random.normal(_size(size), dtype=dtype), requires_grad=requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1) of shape `size` from gradwise's generator."""
    return Tensor(_random.uniform(_size(size), dtype=dtype), requires_grad=requires_grad)


def cat(tensors, dim=0):
    """Join tensors along an existing axis (torch.cat; gw.concatenate)."""
    return _concatenate(list(tensors), axis=dim)


__all__ = ["tensor", "from_numpy", "manual_seed", "randn", "rand", "cat", "float16", "float32", "float64",
           "int8", "int16", "int32", "int64", "uint8", "bool_"]
