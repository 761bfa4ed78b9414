"""Function: the graph node of one differentiable op, and when ops are recorded.

An op is a small subclass of `Function` with two methods side by side:

    forward(self, *arrays, **params) -> array        computes the result and keeps on
                                                      `self` only what backward needs
    backward(self, grad) -> tuple of arrays or None   one gradient per input (None where
                                                      `self.needs_input_grad` is False)

Both work on backend arrays, never on Tensors, so the backward pass is a plain loop of
array maths. `Function.apply` runs forward and records the node only when grad mode is
on and some input requires a gradient; otherwise the node is dropped at once and
inference builds no graph.

Recording order: every recorded node gets a sequence number from one counter. An input is
always made before the op that consumes it, so decreasing sequence numbers are a
topological order of the graph: the backward walk needs no recursion.
"""

import functools
import itertools

import numpy as np

_sum = np.add.reduce

_next_seq = itertools.count().__next__
_grad_enabled = [True]  # a one-element list so the context managers can flip it in place

#: name -> public op function; every registered op must have a gradient test.
OPS = {}


def register(name=None, differentiable=True):
    """Decorator adding a public op function to the registry `OPS`."""

    def add(fn):
        OPS[name or fn.__name__] = fn
        fn.differentiable = differentiable
        return fn

    return add


def next_seq():
    """Take a sequence number: nodes recorded afterwards get larger ones (gaps are fine)."""
    return _next_seq()


class Function:
    """Base class of every differentiable op (see the module docstring)."""

    inputs = ()  # the input Tensors, kept only while the node is recorded
    needs_input_grad = ()
    seq = -1
    # An op that can write its input gradient into the upstream one sets overwrites_grad;
    # the backward walk then sets grad_is_scratch when nothing else holds that array.
    overwrites_grad = False
    grad_is_scratch = False

    def forward(self, *arrays, **params):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **params):
        """Run forward on the inputs' arrays; record the node if a gradient may be asked."""
        fn = cls()
        if len(inputs) == 2:  # binary ops, the most common, without the list building
            a, b = inputs
            needs, arrays = (a._requires_grad, b._requires_grad), (a.data, b.data)
        else:
            needs, arrays = tuple([t._requires_grad for t in inputs]), [t.data for t in inputs]
        if _grad_enabled[0] and True in needs:
            fn.needs_input_grad = needs
            out = fn.forward(*arrays, **params)
            fn.inputs = inputs
            fn.seq = _next_seq()
            return _wrap(out, fn)
        fn.needs_input_grad = (False,) * len(inputs)
        return _wrap(fn.forward(*arrays, **params), None)

    def release(self):
        """Drop the inputs and everything saved for backward (frees the graph's memory)."""
        seq = self.seq
        self.__dict__.clear()
        self.seq, self.inputs = seq, None

    @property
    def name(self):
        return type(self).__name__


def _wrap(array, node):
    """Tensor._from_array, bound on first use (tensor.py imports this module)."""
    global _wrap
    from .tensor import Tensor

    _wrap = Tensor._from_array
    return _wrap(array, node)


def unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting added or stretched, back to `shape`.

    The backward of every broadcasting op goes through here: if x of shape (3,) was added
    to y of shape (4, 3), x's gradient is the (4, 3) upstream gradient summed over axis 0.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:  # np.add.reduce is ndarray.sum without its Python wrapper
        grad = _sum(grad, axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = _sum(grad, axis=stretched, keepdims=True)
    return grad


class _GradMode:
    """Context manager and decorator setting grad mode (base of no_grad / enable_grad)."""

    mode = True

    def __enter__(self):
        self._prev = _grad_enabled[0]
        _grad_enabled[0] = self.mode

    def __exit__(self, *exc):
        _grad_enabled[0] = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Record nothing inside: `with gw.no_grad(): ...` or `@gw.no_grad()` (as PyTorch).

    Ops run as plain array maths and their results carry no graph; use it for inference
    and for updating weights by hand.
    """

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` block (as PyTorch)."""

    mode = True


def is_grad_enabled():
    """True when ops on tensors that require a gradient are recorded."""
    return _grad_enabled[0]
