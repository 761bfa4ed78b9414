"""Loss functions and loss objects, as Keras 3's `keras.losses`.

Two faces, as in Keras:

    gw.losses.mean_squared_error(y_true, y_pred)     per-sample losses (a Tensor of shape
                                                     y_pred.shape[:-1]: the last axis averaged)
    gw.losses.MeanSquaredError()(y_true, y_pred)     one scalar Tensor, the per-sample losses
                                                     weighted by `sample_weight` and reduced

The losses, as Keras 3 has them (functions; classes in CamelCase, e.g. KLDivergence):

    regression      mean_squared_error (mse), mean_absolute_error (mae), huber, log_cosh,
                    mean_absolute_percentage_error (mape), mean_squared_logarithmic_error
                    (msle), cosine_similarity (negative: -1 is best)
    probabilistic   binary_crossentropy (bce), categorical_crossentropy,
                    sparse_categorical_crossentropy, binary_focal_crossentropy,
                    categorical_focal_crossentropy, kl_divergence (kld), poisson
    hinge           hinge, squared_hinge (labels -1/1; 0/1 converted), categorical_hinge

Every loss is differentiable with respect to y_pred (a GradientTape sees it), and computed
in y_pred's floating dtype (plain arrays become float32, as Keras's floatx).

Reductions (Keras 3's `reduction=` argument; default "sum_over_batch_size"):

    "sum_over_batch_size", "mean"   sum(w · loss) / number of loss values
    "sum"                           sum(w · loss)
    "mean_with_sample_weight"       sum(w · loss) / sum(w)
    "none" or None                  the weighted per-sample losses, unreduced

Probabilities (from_logits=False) are handled as Keras's numpy/jax backends do: binary
cross-entropy clips p to [ε, 1 − ε]; categorical and sparse cross-entropy first divide p by
its sum along the class axis, then clip; ε = 1e-7 (keras.backend.epsilon()). A confident
wrong prediction therefore costs -log(1e-7) ≈ 16.12: large, but finite.

Logits (from_logits=True) go through the fused, stable ops of gradwise.autodiff (one node
whose gradient is p − y). Each cross-entropy object offers `with_logits()`: the same loss
reading logits, which a model uses when its last layer ends in softmax or sigmoid.
"""

import inspect
import re
import warnings

import numpy as np

from .autodiff import Tensor, convert_to_tensor
from .autodiff.ops.nn import SparseSoftmaxCrossEntropy
from .autodiff.ops import (
    abs as _abs, cast, clip, divide, expand_dims, getitem, log, log_softmax, max as _max, maximum, mean, multiply,
    power, sigmoid, sigmoid_cross_entropy_with_logits, softmax, softmax_cross_entropy_with_logits, softplus,
    sparse_softmax_cross_entropy_with_logits, sqrt, square, squeeze, subtract, sum as _sum, where,
)
from .errors import ShapeError, UnknownNameError

EPSILON = 1e-7  # keras.backend.epsilon(): the clipping margin for probabilities
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# --- input handling ----------------------------------------------------------------------
def _as_pred(y_pred, dtype=None):
    """y_pred as a floating Tensor: its own float dtype kept, anything else float32."""
    y_pred = y_pred if isinstance(y_pred, Tensor) else convert_to_tensor(y_pred, dtype)
    if dtype is not None:
        return cast(y_pred, dtype)
    return y_pred if y_pred.dtype.kind == "f" else cast(y_pred, "float32")


def _as_true(y_true, like):
    """y_true as a Tensor in the dtype of `like` (converted once, without a float32 detour)."""
    if isinstance(y_true, Tensor):
        return cast(y_true, like.dtype)
    return convert_to_tensor(np.asarray(y_true), dtype=like.dtype)


def _array(x):
    """The values of x (Tensor, array, list, number) as a NumPy array."""
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rank fix-up: when the ranks differ by one and the longer one ends in a size-1
    axis, squeeze that axis, or, when the shorter one has rank 1, expand it to (N, 1).

    So y_true of shape (N,) meets y_pred of shape (N, 1) as (N, 1), never broadcast to (N, N).
    Works on Tensors (differentiably) and on NumPy arrays.
    """

    def expand(x):
        return expand_dims(x, -1) if isinstance(x, Tensor) else np.expand_dims(x, -1)

    def drop(x):
        return squeeze(x, -1) if isinstance(x, Tensor) else np.squeeze(x, -1)

    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = expand(x2)
        else:
            x1 = drop(x1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = expand(x1)
        else:
            x2 = drop(x2)
    return x1, x2


def _matched(y_true, y_pred, loss):
    """(y_true, y_pred) as Tensors of one dtype and one shape, or a ShapeError naming `loss`."""
    y_pred = _as_pred(y_pred)
    y_true = _as_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ShapeError(
            f"{loss}: y_true of shape {tuple(y_true.shape)} and y_pred of shape "
            f"{tuple(y_pred.shape)} differ; they must have the same shape (a trailing axis of "
            "size 1 may be missing on either side)."
        )
    return y_true, y_pred


def _axis_index(axis, ndim, loss):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{loss}: `axis` must be an int. Received: axis={axis!r}")
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{loss}: axis {axis} is out of range for y_pred of rank {ndim}.")
    return int(axis) % ndim


# --- regression losses ---------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    """Per-sample mean((y_true − y_pred)², axis=-1).

    Shapes: y_true and y_pred (batch, d0, ..., dn); result (batch, d0, ..., dn-1).

    >>> gw.losses.mean_squared_error([[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]]).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    y_true, y_pred = _matched(y_true, y_pred, "mean_squared_error")
    return mean(square(subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean(|y_true − y_pred|, axis=-1)."""
    y_true, y_pred = _matched(y_true, y_pred, "mean_absolute_error")
    return mean(_abs(subtract(y_true, y_pred)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Per-sample mean over the last axis of the Huber loss of e = y_pred − y_true:

        ½ e²                  where |e| <= delta
        delta·|e| − ½ delta²  elsewhere (linear: outliers pull with a bounded force)
    """
    y_true, y_pred = _matched(y_true, y_pred, "huber")
    error = subtract(y_pred, y_true)
    abs_error = _abs(error)
    quadratic = multiply(square(error), 0.5)
    linear = subtract(multiply(abs_error, delta), 0.5 * delta * delta)
    return mean(where(abs_error.data <= delta, quadratic, linear), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample 100 · mean(|(y_true − y_pred) / max(|y_true|, ε)|, axis=-1), ε = 1e-7.

    The floor ε keeps a zero target finite (its error is then 100 · |y_pred| / ε: huge).

    >>> gw.losses.mean_absolute_percentage_error([[100., 200., 300.]], [[90., 210., 310.]]).numpy()
    array([6.111111], dtype=float32)
    """
    y_true, y_pred = _matched(y_true, y_pred, "mean_absolute_percentage_error")
    relative = divide(subtract(y_true, y_pred), maximum(_abs(y_true), EPSILON))
    return multiply(mean(_abs(relative), axis=-1), 100.0)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean((log(max(y_pred, ε) + 1) − log(max(y_true, ε) + 1))², axis=-1).

    Errors are compared on a log scale, so they count relative to the size of the target;
    values below ε = 1e-7 (negatives included) are raised to ε first.
    """
    y_true, y_pred = _matched(y_true, y_pred, "mean_squared_logarithmic_error")
    first_log = log(maximum(y_pred, EPSILON) + 1.0)
    second_log = log(maximum(y_true, EPSILON) + 1.0)
    return mean(square(subtract(first_log, second_log)), axis=-1)


def log_cosh(y_true, y_pred):
    """Per-sample mean(log(cosh(y_pred − y_true)), axis=-1).

    log cosh x ≈ x²/2 for small x and |x| − log 2 for large ones (like Huber, but smooth
    everywhere). Computed as x + softplus(−2x) − log 2, which never overflows.
    """
    y_true, y_pred = _matched(y_true, y_pred, "log_cosh")
    x = subtract(y_pred, y_true)
    return mean(x + softplus(multiply(x, -2.0)) - float(np.log(2.0)), axis=-1)


def _l2_normalize(x, axis):
    """x / max(‖x‖₂, ε) along axis (Keras's x · min(rsqrt(Σx²), 1/ε)): a zero vector stays 0.

    The floor is taken before the square root, so the gradient stays finite at x = 0.
    """
    return divide(x, sqrt(maximum(_sum(square(x), axis=axis, keepdims=True), EPSILON * EPSILON)))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample NEGATIVE cosine similarity along `axis`: −Σ (y_true/‖y_true‖)·(y_pred/‖y_pred‖).

    −1 for vectors pointing the same way, 0 for orthogonal ones (and whenever either is a
    zero vector), 1 for opposite ones: minimising it aligns y_pred with y_true.

    >>> gw.losses.cosine_similarity([[0., 1.], [1., 1.], [1., 1.]], [[1., 0.], [1., 1.], [-1., -1.]]).numpy()
    array([-0.        , -0.99999994,  0.99999994], dtype=float32)
    """
    y_true, y_pred = _matched(y_true, y_pred, "cosine_similarity")
    axis = _axis_index(axis, y_pred.ndim, "cosine_similarity")
    return -_sum(multiply(_l2_normalize(y_true, axis), _l2_normalize(y_pred, axis)), axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error


# --- hinge losses (maximum-margin classifiers) ------------------------------------------------
def _hinge_labels(y_true):
    """Labels in {-1, 1}; labels that are all 0 or 1 are mapped to 2y − 1 (as Keras)."""
    labels = _array(y_true)
    if np.all((labels == 0) | (labels == 1)):
        return y_true * 2.0 - 1.0
    return y_true


def hinge(y_true, y_pred):
    """Per-sample mean(max(1 − y_true · y_pred, 0), axis=-1), labels in {-1, 1}.

    Binary labels (every value 0 or 1) are first converted to −1 / 1. A prediction on the
    right side of the margin (y · ŷ >= 1) costs nothing.
    """
    y_true, y_pred = _matched(y_true, y_pred, "hinge")
    return mean(maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Per-sample mean(max(1 − y_true · y_pred, 0)², axis=-1); labels as in `hinge`."""
    y_true, y_pred = _matched(y_true, y_pred, "squared_hinge")
    return mean(square(maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Per-sample max(neg − pos + 1, 0) for one-hot y_true (last axis: classes), where

        pos = Σ y_true · y_pred          (the score of the true class)
        neg = max((1 − y_true) · y_pred)  (the best score among the other classes)

    so the loss is 0 once the true class beats every other one by a margin of 1.
    """
    y_true, y_pred = _matched(y_true, y_pred, "categorical_hinge")
    pos = _sum(y_true * y_pred, axis=-1)
    neg = _max((1.0 - y_true) * y_pred, axis=-1)
    return maximum(neg - pos + 1.0, 0.0)


# --- probabilistic losses ----------------------------------------------------------------------
def kl_divergence(y_true, y_pred):
    """Per-sample Kullback-Leibler divergence Σ y · log(y / p) along the last axis, with
    y = clip(y_true, ε, 1) and p = clip(y_pred, ε, 1), ε = 1e-7.

    The clipping keeps log finite where a probability is 0 (a zero y then adds only ≈ 1e-7 · log).
    """
    y_true, y_pred = _matched(y_true, y_pred, "kl_divergence")
    y_true = clip(y_true, EPSILON, 1.0)
    y_pred = clip(y_pred, EPSILON, 1.0)
    return _sum(y_true * log(divide(y_true, y_pred)), axis=-1)


def poisson(y_true, y_pred):
    """Per-sample mean(y_pred − y_true · log(y_pred + ε), axis=-1), ε = 1e-7: the negative
    log-likelihood of counts y_true under Poisson rates y_pred (without the log y! term)."""
    y_true, y_pred = _matched(y_true, y_pred, "poisson")
    return mean(y_pred - y_true * log(y_pred + EPSILON), axis=-1)


kld = KLD = kl_divergence


# --- cross-entropies ------------------------------------------------------------------------
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, averaged over `axis` (the last by default):

        −[y log p + (1 − y) log(1 − p)],  p = clip(y_pred, ε, 1 − ε)  (probabilities)
        max(x, 0) − x y + log(1 + e^−|x|)                           (logits x, fused, stable)

    label_smoothing s squeezes the labels towards ½: y ← y (1 − s) + s / 2.
    """
    y_true, y_pred = _matched(y_true, y_pred, "binary_crossentropy")
    axis = _axis_index(axis, y_pred.ndim, "binary_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per_element = sigmoid_cross_entropy_with_logits(y_true, y_pred)
    else:
        p = clip(y_pred, EPSILON, 1.0 - EPSILON)
        per_element = -(y_true * log(p) + (1.0 - y_true) * log(1.0 - p))
    return mean(per_element, axis=axis)


def _check_one_hot(y_true, y_pred, axis, loss):
    if y_true.shape == y_pred.shape:
        return
    classes = y_pred.shape[axis]
    if y_true.ndim == y_pred.ndim and all(
        a == b for i, (a, b) in enumerate(zip(y_true.shape, y_pred.shape)) if i != axis
    ):
        got = y_true.shape[axis]
        hint = (
            " y_true looks like integer class labels: use sparse_categorical_crossentropy, or "
            f"one-hot encode them first (gw.preprocessing.to_categorical(y, {classes}))."
            if got == 1 else ""
        )
        raise ShapeError(
            f"{loss}: y_true of shape {tuple(y_true.shape)} does not match y_pred of shape "
            f"{tuple(y_pred.shape)}: expected {classes} columns (one per class), got {got}.{hint}"
        )
    hint = ""
    if y_true.ndim == y_pred.ndim - 1 and tuple(y_true.shape) == tuple(y_pred.shape[:-1]):
        hint = (
            " y_true looks like integer class labels: use sparse_categorical_crossentropy, or "
            f"one-hot encode them first (gw.preprocessing.to_categorical(y, {classes}))."
        )
    raise ShapeError(
        f"{loss}: y_true of shape {tuple(y_true.shape)} and y_pred of shape "
        f"{tuple(y_pred.shape)} differ; one-hot labels need the shape of y_pred.{hint}"
    )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample −Σ y log p along `axis`, y one-hot (or any distribution):

        p = clip(y_pred / Σ y_pred, ε, 1 − ε)   (probabilities: normalised, then clipped)
        log p = log_softmax(x)                  (logits x, fused, gradient p − y)

    label_smoothing s: y ← y (1 − s) + s / classes (classes = y_true.shape[-1], as Keras).
    """
    y_pred = _as_pred(y_pred)
    y_true = _as_true(y_true, y_pred)
    axis = _axis_index(axis, y_pred.ndim, "categorical_crossentropy")
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_one_hot(y_true, y_pred, axis, "categorical_crossentropy")
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        if axis == y_pred.ndim - 1:
            return softmax_cross_entropy_with_logits(y_true, y_pred)
        return -_sum(y_true * log_softmax(y_pred, axis=axis), axis=axis)
    p = clip(divide(y_pred, _sum(y_pred, axis=axis, keepdims=True)), EPSILON, 1.0 - EPSILON)
    return -_sum(y_true * log(p), axis=axis)


def _sparse_labels(y_true, y_pred, ignore_class, loss):
    """Integer labels of shape y_pred.shape[:-1], checked; and the mask of kept labels."""
    labels = _array(y_true)
    if labels.ndim == y_pred.ndim and labels.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != tuple(y_pred.shape[:-1]):
        raise ShapeError(
            f"{loss}: y_true of shape {_array(y_true).shape} does not match y_pred of shape "
            f"{tuple(y_pred.shape)}: expected integer labels of shape {tuple(y_pred.shape[:-1])} "
            "(or with a trailing axis of 1). For one-hot labels use categorical_crossentropy."
        )
    if labels.dtype.kind == "f":
        fractional = labels != np.round(labels)  # NaN counts as not a label too
        if fractional.any():
            raise ValueError(
                f"{loss}: y_true must hold integer class labels 0 .. classes-1; got "
                f"{labels[fractional].ravel()[0]}. For one-hot or soft labels use categorical_crossentropy."
            )
    elif labels.dtype.kind not in "iub":
        raise ValueError(f"{loss}: y_true must hold integer class labels; got dtype {labels.dtype}.")
    labels = labels.astype(np.int64, copy=False)
    keep = None
    if ignore_class is not None:
        keep = labels != ignore_class
        labels = np.where(keep, labels, 0)
    classes = y_pred.shape[-1]
    # one reduction checks both ends: viewed as unsigned, a negative label is huge
    if labels.size and np.maximum.reduce(labels.view(np.uint64), axis=None) >= classes:
        outside = (labels < 0) | (labels >= classes)
        raise ValueError(
            f"{loss}: label {labels[outside].ravel()[0]} is outside [0, {classes}) for y_pred "
            f"with {classes} classes; labels must be 0 .. {classes - 1} (or set ignore_class)."
        )
    return labels, keep


def _sparse_crossentropy(y_true, y_pred, from_logits, ignore_class, axis):
    """The per-sample losses and the mask of kept samples (None without ignore_class)."""
    loss = "sparse_categorical_crossentropy"
    y_pred = _as_pred(y_pred)
    if y_pred.ndim < 1:
        raise ShapeError(f"{loss}: y_pred must have a class axis; got shape {tuple(y_pred.shape)}.")
    if _axis_index(axis, y_pred.ndim, loss) != y_pred.ndim - 1:
        raise ValueError(f"{loss}: only axis=-1 (classes last) is supported. Received: axis={axis}")
    labels, keep = _sparse_labels(y_true, y_pred, ignore_class, loss)
    if from_logits:  # the labels are checked above: the op's own check is not repeated
        losses = SparseSoftmaxCrossEntropy.apply(Tensor._from_array(labels, None), y_pred)
    else:
        # -log of the label's probability after normalising and clipping (only that entry is
        # gathered; the gradient still reaches every entry through the normalising sum)
        index = tuple(np.indices(labels.shape, sparse=True)) + (labels,)
        picked = divide(getitem(y_pred, index), _sum(y_pred, axis=-1))
        losses = -log(clip(picked, EPSILON, 1.0 - EPSILON))
    if keep is not None:
        losses = where(keep, losses, 0.0)
    return losses, keep


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample −log p[label] for integer labels (shape y_pred.shape[:-1], or with a trailing 1):

        p = clip(y_pred / Σ y_pred, ε, 1 − ε)   (probabilities)
        log p = log_softmax(x)                  (logits x, fused, gradient p − onehot(label))

    Float labels holding whole numbers are accepted. ignore_class: samples with that label
    get loss 0 (and a loss object averages over the other samples only).
    """
    return _sparse_crossentropy(y_true, y_pred, from_logits, ignore_class, axis)[0]


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample focal binary cross-entropy (Lin et al., 2018), averaged over `axis`:

        bce = −[y log p̃ + (1 − y) log(1 − p̃)],  p̃ = clip(p, ε, 1 − ε)
        p_t = y p + (1 − y)(1 − p)                (the probability given to the true label)
        loss = (1 − p_t)^gamma · bce              (· (y α + (1 − y)(1 − α)) with class balancing)

    p = y_pred, or sigmoid(y_pred) for logits. The factor (1 − p_t)^gamma shrinks the loss of
    samples already classified well; gamma = 0 gives binary cross-entropy back.
    label_smoothing s: y ← y (1 − s) + s / 2.
    """
    y_true, y_pred = _matched(y_true, y_pred, "binary_focal_crossentropy")
    axis = _axis_index(axis, y_pred.ndim, "binary_focal_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    p = sigmoid(y_pred) if from_logits else y_pred
    clipped = clip(p, EPSILON, 1.0 - EPSILON)
    bce = -(y_true * log(clipped) + (1.0 - y_true) * log(1.0 - clipped))
    p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
    focal = power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Per-sample focal categorical cross-entropy, summed over `axis` (the classes):

        p = clip(q / Σ q, ε, 1 − ε),  q = y_pred, or softmax(y_pred) for logits
        loss = −Σ alpha · (1 − p)^gamma · y log p

    The factor (1 − p)^gamma shrinks the loss of classes predicted confidently; with
    gamma = 0 it is alpha times categorical cross-entropy. label_smoothing s:
    y ← y (1 − s) + s / classes.
    """
    y_pred = _as_pred(y_pred)
    y_true = _as_true(y_true, y_pred)
    axis = _axis_index(axis, y_pred.ndim, "categorical_focal_crossentropy")
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_one_hot(y_true, y_pred, axis, "categorical_focal_crossentropy")
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = softmax(y_pred, axis=axis)
    p = clip(divide(y_pred, _sum(y_pred, axis=axis, keepdims=True)), EPSILON, 1.0 - EPSILON)
    cce = -y_true * log(p)
    return _sum(multiply(power(1.0 - p, gamma), alpha) * cce, axis=axis)


# --- reductions ---------------------------------------------------------------------------
def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {list(REDUCTIONS)}. "
            f"Received: reduction={reduction!r}"
        )
    return reduction


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size"):
    """Weight per-sample losses by sample_weight (and a mask of kept samples) and reduce them.

    As Keras 3: the weight is fitted to the losses' rank (squeeze_or_expand_to_same_rank)
    and broadcast; "sum_over_batch_size" divides by the number of loss values (not by the
    sum of the weights); a mask counts only the kept values; a zero divisor gives 0.
    """
    reduction = standardize_reduction(reduction)
    weight = None if sample_weight is None else _array(sample_weight).astype(values.dtype)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if reduction in ("mean", "sum_over_batch_size"):
            valid = mask.sum()
            mask = np.where(mask, mask.size / valid if valid else 0.0, 0.0).astype(values.dtype)
        else:
            mask = mask.astype(values.dtype)
        if weight is None:
            weight = mask
        else:
            mask, weight = squeeze_or_expand_to_same_rank(mask, weight)
            weight = weight * mask
    if weight is not None:
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        try:
            np.broadcast_shapes(values.shape, weight.shape)
        except ValueError:
            raise ShapeError(
                f"sample_weight of shape {weight.shape} does not fit the per-sample losses of "
                f"shape {tuple(values.shape)}: give one weight per sample."
            ) from None
        values = multiply(values, weight)
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    if weight is None and reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        return mean(values)  # the sum over the number of values, in one op
    total = _sum(values)
    if reduction == "sum":
        return total
    divisor = weight.sum() if reduction == "mean_with_sample_weight" and weight is not None else values.size
    return divide(total, float(divisor)) if divisor else multiply(total, 0.0)


# --- loss objects ---------------------------------------------------------------------------
def _snake(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class Loss:
    """Base class of loss objects: `call` gives per-sample losses, `__call__` reduces them.

    Args:
        name: name of the loss (default: the class name in snake_case).
        reduction: one of "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None (see the module docstring).
        dtype: optional dtype to compute in (default: y_pred's floating dtype, float32
            for plain arrays).

    A custom loss subclasses Loss and writes `call(y_true, y_pred)` with gradwise ops:

        class MeanCubicError(gw.losses.Loss):
            def call(self, y_true, y_pred):
                return gw.reduce_mean(gw.abs(y_pred - y_true) ** 3, axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss: a scalar Tensor (per-sample Tensor for reduction "none")."""
        kept = getattr(y_pred, "_keras_mask", None)  # a masked sequence output (Embedding(mask_zero), Masking)
        y_pred = _as_pred(y_pred, self.dtype)
        values, mask = self._call_with_mask(y_true, y_pred)
        if kept is not None and np.shape(kept) == tuple(values.shape):
            mask = kept if mask is None else np.logical_and(mask, kept)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    def _call_with_mask(self, y_true, y_pred):
        return self.call(y_true, y_pred), None

    def call(self, y_true, y_pred):
        """Per-sample losses (a Tensor); subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    #: the final activation that `with_logits()` folds into the loss ("softmax", "sigmoid")
    logits_activation = None

    def with_logits(self):
        """The same loss reading logits, for a model that drops its final softmax/sigmoid;
        None when there is no such loss (regression losses, or from_logits already)."""
        return None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        try:
            return cls(**config)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.from_config could not use the config {config}: {exc}") from None

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A loss object around a per-sample function fn(y_true, y_pred, **kwargs).

    y_true and y_pred are first given the same rank (an (N,) target meets an (N, 1)
    prediction as (N, 1)), as Keras does.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or _snake(getattr(fn, "__name__", "loss")), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_pred = _as_pred(y_pred)
        y_true = _as_true(y_true, y_pred)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            fn = config.pop("fn")
            if isinstance(fn, str):
                if fn not in _FUNCTIONS:
                    raise UnknownNameError("loss function", fn, _FUNCTIONS)
                fn = _FUNCTIONS[fn]
            return cls(fn, **config)
        return super().from_config(config)

    def __repr__(self):
        return f"<{type(self).__name__}({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


class MeanSquaredError(LossFunctionWrapper):
    """mean((y_true − y_pred)², axis=-1), reduced over the batch (see `mean_squared_error`)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """mean(|y_true − y_pred|, axis=-1), reduced over the batch (see `mean_absolute_error`)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class Huber(LossFunctionWrapper):
    """The Huber loss (quadratic within `delta`, linear beyond; see `huber`). Default delta 1.0."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """100 · mean(|(y_true − y_pred) / y_true|, axis=-1), reduced over the batch
    (see `mean_absolute_percentage_error`)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """mean((log(y_pred + 1) − log(y_true + 1))², axis=-1), reduced over the batch
    (see `mean_squared_logarithmic_error`)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype)


class LogCosh(LossFunctionWrapper):
    """mean(log(cosh(y_pred − y_true)), axis=-1), reduced over the batch (see `log_cosh`)."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """The NEGATIVE cosine similarity along `axis` (default -1), reduced over the batch
    (see `cosine_similarity`): −1 is the best possible value.

    get_config() keeps `axis` (Keras 3 drops it, so a saved model would lose it).
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class _CrossEntropy(LossFunctionWrapper):
    """Shared by the three cross-entropies: `with_logits()` for the model's fusion.

    A model whose last layer ends in `logits_activation` may feed this loss the layer's
    input (the logits) through `loss.with_logits()` instead: the same value (up to the
    ε-clipping of probabilities) and one stable node whose gradient is p − y.
    """

    logits_activation = "softmax"

    def with_logits(self):
        if self.from_logits:
            return None  # already reads logits: stripping the activation would change the loss
        if self.logits_activation == "softmax" and self.axis not in (-1, None):
            return None  # a model's softmax runs over the last axis, this loss over another one
        config = self.get_config()
        config["from_logits"] = True
        return type(self).from_config(config)


class BinaryCrossentropy(_CrossEntropy):
    """Binary cross-entropy for 0/1 labels (see `binary_crossentropy`).

    Args: from_logits (False: y_pred holds probabilities), label_smoothing (0.0),
    axis (-1), reduction ("sum_over_batch_size"), name ("binary_crossentropy").
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    logits_activation = "sigmoid"


class CategoricalCrossentropy(_CrossEntropy):
    """Cross-entropy for one-hot labels of shape y_pred.shape (see `categorical_crossentropy`).

    Args: from_logits (False), label_smoothing (0.0), axis (-1),
    reduction ("sum_over_batch_size"), name ("categorical_crossentropy").
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(_CrossEntropy):
    """Cross-entropy for integer labels (see `sparse_categorical_crossentropy`).

    Args: from_logits (False), ignore_class (None: a label value whose samples are left out
    of the loss and of the average), reduction ("sum_over_batch_size"), axis (-1 only),
    name ("sparse_categorical_crossentropy").
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def _call_with_mask(self, y_true, y_pred):
        if not isinstance(y_true, Tensor):
            y_true = np.asarray(y_true)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return _sparse_crossentropy(y_true, y_pred, self.from_logits, self.ignore_class, self.axis)


class Hinge(LossFunctionWrapper):
    """mean(max(1 − y_true · y_pred, 0), axis=-1) for labels in {-1, 1} (0/1 labels are
    converted), reduced over the batch (see `hinge`)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """mean(max(1 − y_true · y_pred, 0)², axis=-1), reduced over the batch (see `squared_hinge`)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """max(max_{wrong} y_pred − y_pred[true] + 1, 0) for one-hot labels, reduced over the
    batch (see `categorical_hinge`)."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """Σ y_true · log(y_true / y_pred) along the last axis (both clipped to [1e-7, 1]),
    reduced over the batch (see `kl_divergence`)."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """mean(y_pred − y_true · log(y_pred + 1e-7), axis=-1), reduced over the batch (see `poisson`)."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy scaled by (1 − p_t)^gamma (see `binary_focal_crossentropy`).

    Args: apply_class_balancing (False: when True, weight class 1 by alpha and class 0 by
    1 − alpha), alpha (0.25), gamma (2.0), from_logits (False), label_smoothing (0.0),
    axis (-1), reduction ("sum_over_batch_size"), name ("binary_focal_crossentropy").
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy scaled by alpha · (1 − p)^gamma (see
    `categorical_focal_crossentropy`).

    Args: alpha (0.25), gamma (2.0), from_logits (False), label_smoothing (0.0), axis (-1),
    reduction ("sum_over_batch_size"), name ("categorical_focal_crossentropy").
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name, dtype=dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


# --- lookup by name -------------------------------------------------------------------------
_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
    CosineSimilarity, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, KLDivergence,
    Poisson,
)}
_CLASS_OF = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, huber: Huber, log_cosh: LogCosh,
    cosine_similarity: CosineSimilarity, binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy, sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy, categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge, kl_divergence: KLDivergence,
    poisson: Poisson,
}
_FUNCTIONS = {f.__name__: f for f in _CLASS_OF}
# Keras 3's short names (keras.losses.get): no others, e.g. not "logcosh" (Keras 2 only)
_ALIASES = {"mse": mean_squared_error, "MSE": mean_squared_error, "mae": mean_absolute_error,
            "MAE": mean_absolute_error, "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
            "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
            "kld": kl_divergence, "KLD": kl_divergence, "bce": binary_crossentropy, "BCE": binary_crossentropy}


def _known_names():
    return list(_CLASSES) + list(_FUNCTIONS) + list(_ALIASES)


def get(identifier):
    """A loss object from a name, a Loss, a loss class, a function or a config dict.

    Names: every loss function's name ("mean_squared_error", "hinge", "kl_divergence", ...)
    and Keras 3's short names "mse", "mae", "mape", "msle", "kld", "bce" (also upper case),
    giving the loss object named after the identifier, as Keras's compile names them; and
    the class names ("MeanSquaredError", "KLDivergence", ...) with their default names.
    A plain function fn(y_true, y_pred) -> per-sample losses is wrapped in a
    LossFunctionWrapper. None gives None.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        fn = _FUNCTIONS.get(identifier) or _ALIASES.get(identifier) or _FUNCTIONS.get(identifier.lower()) \
            or _ALIASES.get(identifier.lower())
        if fn is None:
            raise UnknownNameError("loss", identifier, _known_names())
        return _CLASS_OF[fn](name=identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if identifier in _CLASS_OF:
        return _CLASS_OF[identifier](name=identifier.__name__)
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise UnknownNameError("loss", identifier, _known_names())


def serialize(loss):
    """A JSON-able description: {"class_name", "config"} for objects, the name for functions."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    if isinstance(loss, str):
        return loss
    return getattr(loss, "__name__", repr(loss))


def deserialize(config):
    """The inverse of `serialize` (a name or a {"class_name", "config"} dict)."""
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name")
    cls = _CLASSES.get(name) or {"LossFunctionWrapper": LossFunctionWrapper}.get(name)
    if cls is None:
        raise UnknownNameError("loss", name, list(_CLASSES))
    return cls.from_config(config.get("config", {}))


__all__ = [
    "EPSILON", "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "Huber", "LogCosh", "CosineSimilarity", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "BinaryFocalCrossentropy",
    "CategoricalFocalCrossentropy", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "huber", "log_cosh", "cosine_similarity", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "binary_focal_crossentropy", "categorical_focal_crossentropy", "hinge",
    "squared_hinge", "categorical_hinge", "kl_divergence", "poisson",
    "mse", "mae", "MSE", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "get", "serialize", "deserialize", "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
]
