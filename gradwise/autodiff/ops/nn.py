"""Fused cross-entropy ops (TensorFlow's tf.nn names), the one place the usual rule
"compose from primitives" is broken on purpose: softmax followed by cross-entropy has the
simple, stable gradient p - y, and computing it in one node avoids log(0) and saves passes.
"""

import numpy as np

from ...errors import DTypeError, ShapeError
from ..function import Function, register
from ._common import tensor
from .activation import _sigmoid


_UNSIGNED = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}  # itemsize -> unsigned dtype


def _log_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted - lse


class SparseSoftmaxCrossEntropy(Function):
    """-log softmax(logits)[label] with one exp pass: loss = log Σ e^(x - max) - (x - max)[label]."""

    def forward(self, labels, logits):
        shifted = logits - np.maximum.reduce(logits, axis=-1, keepdims=True)
        if labels.ndim == 1:  # (row, label) index pairs into the logits
            self.pick = (np.arange(labels.size), labels)
            picked = shifted[self.pick]
        else:  # the same into the logits flattened to (samples, classes)
            self.pick = (np.arange(labels.size), labels.reshape(-1))
            picked = shifted.reshape(-1, logits.shape[-1])[self.pick].reshape(labels.shape)
        self.e = np.exp(shifted, out=shifted)
        self.total = np.add.reduce(self.e, axis=-1, keepdims=True)
        return np.log(self.total[..., 0]) - picked

    def backward(self, g):  # d loss / d logits = p - onehot(label), p = e / Σe
        d = self.e * (g[..., None] / self.total)
        if g.ndim == 1:
            d[self.pick] -= g
        else:
            d.reshape(-1, d.shape[-1])[self.pick] -= g.reshape(-1)
        return None, d


class SoftmaxCrossEntropy(Function):
    def forward(self, labels, logits):
        self.labels, self.log_p = labels, _log_softmax(logits)
        return -(labels * self.log_p).sum(axis=-1)

    def backward(self, g):
        # d/d logits = p Σy - y (= p - y for one-hot y);  d/d labels = -log p
        g = g[..., None]
        nl, nx = self.needs_input_grad
        y = self.labels
        gx = g * (np.exp(self.log_p) * y.sum(axis=-1, keepdims=True) - y) if nx else None
        return (-g * self.log_p if nl else None), gx


class SigmoidCrossEntropy(Function):
    def forward(self, labels, logits):
        self.labels, self.logits = labels, logits
        # -z ln σ(x) - (1-z) ln(1-σ(x)) = max(x, 0) - x z + ln(1 + e^-|x|)
        return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))

    def backward(self, g):  # d/dx = σ(x) - z;  d/dz = -x
        nl, nx = self.needs_input_grad
        return (
            -g * self.logits if nl else None,
            g * (_sigmoid(self.logits) - self.labels) if nx else None,
        )


@register()
def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """Per-sample -log softmax(logits)[label] for integer labels in [0, classes).

    labels: shape (...,) integers; logits: shape (..., classes). Gradient to the logits is
    softmax(logits) - onehot(labels), computed in one stable node.
    """
    labels, logits = tensor(labels), tensor(logits)
    lab, classes = labels.data, logits.data.shape[-1]
    if lab.dtype.kind not in "iu":
        if lab.dtype.kind == "f" and np.array_equal(lab, np.round(lab)):
            labels = tensor(lab.astype(np.int64))
            lab = labels.data
        else:
            raise DTypeError(f"sparse cross-entropy needs integer class labels, got {lab.dtype}.")
    if lab.shape != logits.data.shape[:-1]:
        raise ShapeError(
            f"sparse cross-entropy: labels of shape {lab.shape} do not match logits of shape "
            f"{logits.shape} (expected labels of shape {logits.shape[:-1]})."
        )
    # one reduction checks both ends: as unsigned, a negative label is huge
    if lab.size and np.maximum.reduce(lab.view(_UNSIGNED[lab.itemsize]), axis=None) >= classes:
        bad = lab[(lab < 0) | (lab >= classes)][0]
        raise ValueError(
            f"sparse cross-entropy: label {bad} is outside [0, {classes}) for {classes} classes; "
            "labels must be 0 .. classes-1."
        )
    return SparseSoftmaxCrossEntropy.apply(labels, logits)


@register()
def softmax_cross_entropy_with_logits(labels, logits):
    """Per-sample -Σ labels · log softmax(logits) along the last axis (labels: probabilities)."""
    labels, logits = tensor(labels), tensor(logits)
    if labels.shape != logits.shape:
        raise ShapeError(
            f"categorical cross-entropy: labels of shape {labels.shape} and logits of shape "
            f"{logits.shape} differ (one-hot labels need one column per class)."
        )
    return SoftmaxCrossEntropy.apply(labels, logits)


@register()
def sigmoid_cross_entropy_with_logits(labels, logits):
    """Element-wise binary cross-entropy of sigmoid(logits) against labels in [0, 1], stable form."""
    labels, logits = tensor(labels), tensor(logits)
    if labels.shape != logits.shape:
        raise ShapeError(
            f"binary cross-entropy: labels of shape {labels.shape} and logits of shape {logits.shape} differ."
        )
    if labels.dtype != logits.dtype:
        labels = tensor(labels.data.astype(logits.dtype))
    return SigmoidCrossEntropy.apply(labels, logits)
