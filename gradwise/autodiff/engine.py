"""The backward pass and its two front doors: `Tensor.backward()` and `GradientTape`.

One engine: `_walk` visits the recorded nodes behind the targets in decreasing sequence
number (a topological order kept in a heap, so no recursion: a chain of 10,000 ops is
fine), calls each node's backward on arrays and adds up the contributions that reach a
tensor along several paths (seed 000's rule). Higher-order gradients would make the
backward of each op itself recordable; the walk does not rule that out.
"""

import sys
from heapq import heappop, heappush

import numpy as np

from .. import backend
from ..errors import DTypeError, GradientError, TapeError
from .function import _grad_enabled, next_seq, no_grad
from .tensor import _RETAINED, Tensor, Variable

_INF = float("inf")


def _sole_owner_refcount():
    """sys.getrefcount of an array held by one local name only (differs between Pythons)."""
    a = np.empty(1)
    return sys.getrefcount(a)


_SOLE = _sole_owner_refcount()


def _freed(node):
    return GradientError(
        f"The graph behind this tensor was freed (op {node.name}); a non-persistent "
        "GradientTape or backward(retain_graph=False) frees it. Run the forward pass "
        "again, or use GradientTape(persistent=True)."
    )


def _conformed(node, grad, data):
    """A gradient cast to its input's dtype; a gradient of the wrong shape is a bug in the op."""
    if grad.shape != data.shape:
        raise GradientError(
            f"internal error: {node.name}.backward gave a gradient of shape {grad.shape} "
            f"for an input of shape {data.shape}."
        )
    return grad.astype(data.dtype)


def _walk(seeds, lo=0, hi=_INF, free=False, want=None):
    """Propagate gradients from `seeds` [(tensor, grad array)] back through the graph.

    Nodes are visited newest first from a heap keyed by sequence number, so every node runs
    after all the nodes that consume its output, in one pass: a node enters the heap when
    the first gradient reaches it. Returns {id(tensor): (tensor, grad)} for every tensor
    reached that is a leaf of the walk (made outside [lo, hi) or by no op), plus for the
    intermediate tensors whose node is in `want` (a dict node -> tensor).
    """
    node_grads, found, heap = {}, {}, []
    for t, g in seeds:
        node = t._node
        if node is not None and lo <= node.seq < hi:
            prev = node_grads.get(node)
            if prev is None:
                heappush(heap, (-node.seq, node))
            node_grads[node] = g if prev is None else prev + g
        else:
            prev = found.get(id(t))
            found[id(t)] = (t, g) if prev is None else (t, prev[1] + g)
    want = want or {}
    g = prev = None
    while heap:
        node = heappop(heap)[1]
        g = node_grads.pop(node)
        if node.inputs is None:
            raise _freed(node)
        if want and node in want:
            prev = found.get(id(want[node]))
            found[id(want[node])] = (want[node], g) if prev is None else (want[node], prev[1] + g)
        if node.overwrites_grad:  # no dict, tensor, node or view holds g: backward may reuse it
            node.grad_is_scratch = g.base is None and sys.getrefcount(g) <= _SOLE and g.flags.writeable
        grads = node.backward(g)
        for t, needed, gi in zip(node.inputs, node.needs_input_grad, grads):
            if gi is None or not needed:
                continue
            data = t.data
            if gi.dtype != data.dtype or gi.shape != data.shape:
                gi = _conformed(node, gi, data)
            parent = t._node
            if parent is not None and lo <= parent.seq < hi:
                prev = node_grads.get(parent)
                if prev is None:
                    heappush(heap, (-parent.seq, parent))
                    node_grads[parent] = gi
                else:
                    node_grads[parent] = prev + gi
            else:
                prev = found.get(id(t))
                found[id(t)] = (t, gi) if prev is None else (t, prev[1] + gi)
        g = grads = gi = prev = None  # hold no gradient between iterations (see overwrites_grad)
        if free:
            node.release()
    return found


def _seed_for(target, gradient, what):
    if target.data.dtype.kind != "f":
        raise DTypeError(f"{what}: the target has dtype {target.dtype}; only floating tensors have gradients.")
    if gradient is None:
        data = target.data  # a scalar's seed skips np.ones' Python wrapper
        return backend.xp.ones(data.shape, data.dtype) if data.ndim else backend.xp.array(1, data.dtype)
    g = gradient.data if isinstance(gradient, Tensor) else backend.xp.asarray(gradient, dtype=target.dtype)
    if g.shape != target.shape:
        raise GradientError(f"{what}: the upstream gradient has shape {g.shape}, the target {target.shape}.")
    return g


def backward(target, gradient=None, retain_graph=True):
    """PyTorch's door: accumulate d(target)/d(leaf) into `.grad` of leaves that require it."""
    if gradient is None and target.data.size != 1:
        raise GradientError(
            f"backward() needs a scalar (a tensor with one element); this one has shape "
            f"{target.shape}. Reduce it first (e.g. loss.mean().backward()) or pass "
            "backward(gradient=...) with the upstream gradient."
        )
    if not target.requires_grad:
        raise GradientError(
            "backward(): this tensor does not depend on anything that requires a gradient "
            "(no trainable Variable or requires_grad=True tensor took part, or it was computed "
            "under gw.no_grad())."
        )
    seed = _seed_for(target, gradient, "backward")
    retained = {t._node: t for t in _RETAINED.values() if t._node is not None}  # t.retain_grad()
    with no_grad():
        found = _walk([(target, seed)], free=not retain_graph, want=retained)
    for t, g in found.values():  # the leaves reached, and the retained tensors
        if not t.requires_grad:
            continue
        if not g.flags.writeable:
            g = g.copy()
        t.grad = Tensor._from_array(g if t.grad is None else t.grad.data + g, None)


class GradientTape:
    """Record ops for automatic differentiation (TensorFlow's API).

        with gw.GradientTape() as tape:
            y = x * w + b
        dw, db = tape.gradient(y, [w, b])

    Args:
        persistent: allow several gradient() calls (otherwise the graph is freed after one).
        watch_accessed_variables: trainable Variables used inside are watched automatically.

    `tape.gradient(target, sources)` returns gradients in the structure of `sources` (a
    tensor, list, tuple or dict); a non-scalar target means the gradient of its sum; a
    source the target does not depend on gives None (or zeros with
    unconnected_gradients="zero"). Ops run before the tape opened or after it closed are not
    on it.
    """

    _active = []

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = bool(persistent)
        self.watch_accessed_variables = bool(watch_accessed_variables)
        self._watched = {}  # id -> tensor watched explicitly
        self._switched_on = []  # constants whose requires_grad watch() turned on
        self._lo = self._hi = None
        self._used = False

    def __enter__(self):
        if self._lo is not None:
            raise TapeError("This GradientTape was already used as a context; create a new one.")
        self._lo, self._hi = next_seq(), _INF
        GradientTape._active.append(self)
        return self

    def __exit__(self, *exc):
        self._hi = next_seq()
        GradientTape._active.remove(self)
        for t in self._switched_on:
            t._requires_grad = False
        return False

    def watch(self, tensor):
        """Watch a tensor (or a list of them) so gradients with respect to it can be taken."""
        if isinstance(tensor, (list, tuple)):
            for t in tensor:
                self.watch(t)
            return
        if not isinstance(tensor, Tensor):
            raise TypeError(f"watch() takes gradwise tensors, got {type(tensor).__name__}; wrap it with gw.constant().")
        if tensor.data.dtype.kind != "f":
            raise DTypeError(
                f"Cannot watch a tensor of dtype {tensor.dtype}: only floating tensors have "
                "gradients. Cast it first: gw.cast(x, 'float32')."
            )
        self._watched[id(tensor)] = tensor
        if not tensor._requires_grad:
            tensor._requires_grad = True
            self._switched_on.append(tensor)

    def watched_variables(self):
        """The tensors watched explicitly by watch()."""
        return list(self._watched.values())

    def stop_recording(self):
        """A context inside the tape where ops are not recorded (as tf's)."""
        return no_grad()

    def reset(self):
        """Forget what was recorded so far (inside the tape: start afresh)."""
        self._lo = next_seq()

    def _is_watched(self, t):
        if id(t) in self._watched:
            return True
        if isinstance(t, Variable):
            return self.watch_accessed_variables and t.trainable
        node = t._node
        return node is not None and self._lo <= node.seq < self._hi

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of `target` (summed if non-scalar or a list) with respect to `sources`."""
        if self._lo is None:
            raise TapeError("gradient() called on a tape that never recorded; use `with gw.GradientTape() as tape:`.")
        if self._used and not self.persistent:
            raise TapeError(
                "A non-persistent GradientTape can compute gradients only once; its graph is "
                "freed. Use gw.GradientTape(persistent=True) to call gradient() several times."
            )
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}.")
        targets = list(target) if isinstance(target, (list, tuple)) else [target]
        self._last_targets = targets  # what gw.viz.graph(tape) draws
        if output_gradients is None:
            outs = [None] * len(targets)
        else:
            outs = list(output_gradients) if isinstance(output_gradients, (list, tuple)) else [output_gradients]
        flat, rebuild = _flatten(sources)
        want = {}
        for s in flat:
            if not isinstance(s, Tensor):
                raise TypeError(f"gradient(): sources must be gradwise tensors or Variables, got {type(s).__name__}.")
            if s.data.dtype.kind != "f":
                raise DTypeError(
                    f"gradient(): source {getattr(s, 'name', 'tensor')!r} has dtype {s.dtype}; "
                    "integer and bool tensors have no gradient. Cast to float first."
                )
            if s._node is not None:
                want[s._node] = s
        self._used = True
        seeds = [(t, _seed_for(t, g, "gradient")) for t, g in zip(targets, outs) if isinstance(t, Tensor)]
        active = GradientTape._active  # free the graph unless another open tape records it
        free = not self.persistent and active.count(self) == len(active)
        mode, _grad_enabled[0] = _grad_enabled[0], False  # no_grad() without its object
        try:
            found = _walk(seeds, self._lo, self._hi, free=free, want=want)
        finally:
            _grad_enabled[0] = mode
        results = []
        auto = self.watch_accessed_variables
        for s in flat:
            g = found.get(id(s))
            if g is not None:  # a trainable Variable is watched unless the tape was told not to
                g = g[1] if (auto and type(s) is Variable and s.trainable) or self._is_watched(s) else None
            if g is None and unconnected_gradients == "zero":
                g = backend.xp.zeros_like(s.data)
            results.append(None if g is None else Tensor._from_array(g, None))
        return rebuild(results)

    def jacobian(self, target, source):
        """d target[i] / d source[j] as an array of shape target.shape + source.shape (row by row)."""
        if not self.persistent:
            raise TapeError("jacobian() needs GradientTape(persistent=True): it calls gradient() once per output.")
        rows = []
        for i in range(target.size):
            seed = np.zeros(target.size, target.dtype)
            seed[i] = 1
            g = self.gradient(target, source, output_gradients=seed.reshape(target.shape), unconnected_gradients="zero")
            rows.append(g.data)
        return Tensor._from_array(np.stack(rows).reshape(target.shape + source.shape), None)


def _flatten(sources):
    """Sources as a flat list plus a function that puts results back in the same structure."""
    if isinstance(sources, Tensor):
        return [sources], lambda r: r[0]
    if isinstance(sources, dict):
        keys = list(sources)
        return [sources[k] for k in keys], lambda r: dict(zip(keys, r))
    if isinstance(sources, (list, tuple)):
        kind = type(sources)
        seq = list(sources)
        return seq, (lambda r: kind(r)) if kind in (list, tuple) else (lambda r: r)
    raise TypeError(f"gradient(): sources must be a tensor, list, tuple or dict, got {type(sources).__name__}.")

