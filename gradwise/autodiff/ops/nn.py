"""Fused cross-entropy ops (TensorFlow's tf.nn names), the one place the usual rule
"compose from primitives" is broken on purpose: softmax followed by cross-entropy has the
simple, stable gradient p - y, and computing it in one node avoids log(0) and saves passes.
"""

import numpy as np

from ...errors import DTypeError, ShapeError
from ..function import Function, register
from ._common import tensor
from .activation import _sigmoid


def _log_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted - lse


class SparseSoftmaxCrossEntropy(Function):
    """-log softmax(logits)[label] with one exp pass: loss = log Σ e^(x - max) - (x - max)[label]."""

    def forward(self, labels, logits):
        classes = logits.shape[-1]
        shifted = logits - np.maximum.reduce(logits, axis=-1, keepdims=True)
        # (row, label) index pairs into the logits flattened to (samples, classes)
        self.pick = (np.arange(labels.size), labels.reshape(-1))
        picked = shifted.reshape(-1, classes)[self.pick].reshape(labels.shape)
        self.e = np.exp(shifted, out=shifted)
        self.total = np.add.reduce(self.e, axis=-1, keepdims=True)
        return np.log(self.total[..., 0]) - picked

    def backward(self, g):  # d loss / d logits = p - onehot(label), p = e / Σe
        d = self.e * (g[..., None] / self.total)
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
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind == "f" and np.array_equal(labels.data, np.round(labels.data)):
            labels = tensor(labels.data.astype(np.int64))
        else:
            raise DTypeError(f"sparse cross-entropy needs integer class labels, got {labels.dtype}.")
    classes = logits.shape[-1]
    if labels.shape != logits.shape[:-1]:
        raise ShapeError(
            f"sparse cross-entropy: labels of shape {labels.shape} do not match logits of shape "
            f"{logits.shape} (expected labels of shape {logits.shape[:-1]})."
        )
    if labels.size and (np.minimum.reduce(labels.data, axis=None) < 0
                        or np.maximum.reduce(labels.data, axis=None) >= classes):
        bad = labels.data[(labels.data < 0) | (labels.data >= classes)][0]
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
