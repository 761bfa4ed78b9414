"""Stateful metrics, as Keras 3's `keras.metrics`.

A metric accumulates over batches and reports one number:

    m = gw.metrics.SparseCategoricalAccuracy()
    m.update_state(y_true, y_pred)      # once per batch (arrays or gw.Tensors)
    m.result()                          # -> Python float (an array for several thresholds)
    m.reset_state()                     # at the start of each epoch

Metrics are bookkeeping, not graph: they work on NumPy arrays in one or two vectorised
passes per batch, record nothing on a GradientTape, and keep their totals in float64.

The metrics, as Keras 3 has them (default names in snake_case, e.g. "auc", "f1_score"):

    reductions      Mean, Sum, MeanMetricWrapper (any per-sample function)
    accuracies      Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy
    regression      MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
                    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError,
                    CosineSimilarity (positive: 1 is best), R2Score
    probabilistic   BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
                    KLDivergence, Poisson
    hinge           Hinge, SquaredHinge, CategoricalHinge
    confusion       TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision,
                    Recall, AUC (ROC or PR), SensitivityAtSpecificity, SpecificityAtSensitivity,
                    PrecisionAtRecall, RecallAtPrecision, F1Score, FBetaScore

Sample weights follow Keras 3: a mean-type metric adds Σ w·value to its total and Σ w to
its count; the confusion metrics add w to each true/false positive/negative they count.

`get("accuracy")` picks the accuracy that fits the data as Keras 3's compile does (from the
shapes of y_true and y_pred, see `accuracy_for_shapes`) and keeps the name the user wrote.
"""

import collections
import copy
import inspect
import warnings

import numpy as np

from . import losses as _losses
from .autodiff import Tensor, no_grad
from .errors import ShapeError, UnknownNameError

NEG_INF = -1e10  # the score Keras gives to predictions outside the top k (Precision, Recall)

_name_uses = collections.defaultdict(int)


def _auto_name(cls_name):
    """snake_case class name, made unique per process as Keras does: precision, precision_1, ..."""
    base = _losses._snake(cls_name)
    n = _name_uses[base]
    _name_uses[base] += 1
    return base if n == 0 else f"{base}_{n}"


def _np(x, dtype=None):
    """x (array, list, number or gw.Tensor) as a NumPy array, without a copy when possible."""
    return np.asarray(x, dtype=dtype)


_same_rank = _losses.squeeze_or_expand_to_same_rank


# --- per-sample metric functions (NumPy) -------------------------------------------------------
def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true exactly, else 0.0."""
    y_pred = _np(y_pred)
    y_true, y_pred = _same_rank(_np(y_true, y_pred.dtype), y_pred)
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals y_true (strictly greater: 0.5 counts as 0)."""
    y_true, y_pred = _same_rank(_np(y_true), _np(y_pred))
    return (y_true == (y_pred > threshold).astype(y_true.dtype)).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals argmax(y_true) (one-hot labels); ties go to the first."""
    return (np.argmax(_np(y_true), axis=-1) == np.argmax(_np(y_pred), axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label (labels (N,) or (N, 1))."""
    y_pred = _np(y_pred)
    y_true = _np(y_true, y_pred.dtype if y_pred.dtype.kind == "f" else None)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return (y_true == np.argmax(y_pred, axis=-1)).astype(np.float32)


def _in_top_k(labels, scores, k):
    """True where the label's score is among the k largest (ties count in the label's favour:
    its rank is 1 + the number of strictly larger scores); out-of-range labels never are."""
    scores = scores.reshape(-1, scores.shape[-1])
    labels = labels.reshape(-1)
    valid = (labels >= 0) & (labels < scores.shape[-1])
    at_label = np.take_along_axis(scores, np.where(valid, labels, 0)[:, None], axis=-1)
    at_label = np.where(np.isnan(at_label), -np.inf, at_label)  # NaN is not a large score
    rank = 1 + (scores > at_label).sum(axis=-1)
    return valid & (rank <= k)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the k highest scores."""
    labels = np.argmax(_np(y_true), axis=-1)
    return _in_top_k(labels, _np(y_pred), k).astype(np.float32).reshape(labels.shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the k highest scores (or, with from_sorted_ids,
    among the first k of y_pred read as class ids sorted by score)."""
    y_pred = _np(y_pred)
    labels = _np(y_true)
    shape = labels.shape
    if from_sorted_ids:
        hit = (labels.reshape(-1)[:, None] == y_pred.reshape(-1, y_pred.shape[-1])[:, :k]).any(axis=1)
    else:
        hit = _in_top_k(labels.astype(np.int64), y_pred, k)  # float labels truncate, as int32 casts
    return hit.astype(np.float32).reshape(shape)


def _numpy_loss(fn_name):
    def fn(y_true, y_pred):
        y_pred = _np(y_pred)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(np.float32)
        y_true, y_pred = _same_rank(_np(y_true, y_pred.dtype), y_pred)
        if y_true.shape != y_pred.shape:
            raise ShapeError(f"{fn_name}: y_true of shape {y_true.shape} and y_pred of shape {y_pred.shape} differ.")
        diff = y_true - y_pred
        return np.mean(diff * diff if fn_name == "mean_squared_error" else np.abs(diff), axis=-1)

    fn.__name__ = fn_name
    return fn


mean_squared_error = _numpy_loss("mean_squared_error")
mean_absolute_error = _numpy_loss("mean_absolute_error")


# --- base classes ----------------------------------------------------------------------------
def log_value(metric):
    """metric.result() as a log entry: a float, or a NumPy array for per-class results (as Keras)."""
    value = np.asarray(metric.result())
    return float(value) if value.size == 1 else value


class Metric:
    """Base class: `update_state` adds a batch, `result` reads, `reset_state` starts over.

    Calling a metric, m(y_true, y_pred), updates it and returns the result (as Keras).
    Subclasses keep their totals as plain NumPy values set in `reset_state`.
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or _auto_name(type(self).__name__)
        self.dtype = dtype or "float32"
        self.reset_state()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def clone(self):
        """A metric of the same kind, name and options with fresh state (this one is untouched)."""
        twin = copy.deepcopy(self)
        twin.reset_state()
        return twin

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _samplewise(values, sample_weight, reduce=np.mean):
    """Keras's reduce_to_samplewise_values: per-sample values (reduced, by a mean or a sum,
    over the axes after the first, or after the weight's axes) and the weights fitted to them."""
    values = _np(values, np.float64)
    if sample_weight is not None:
        weight = _np(sample_weight, np.float64)
        values, weight = _same_rank(values, weight)
        if values.ndim > weight.ndim:
            values = reduce(values, axis=tuple(range(weight.ndim, values.ndim)))
        try:
            weight = np.broadcast_to(weight, values.shape)
        except ValueError:
            raise ShapeError(
                f"sample_weight of shape {weight.shape} does not fit values of shape {values.shape}: "
                "give one weight per sample."
            ) from None
        values = values * weight
        if weight.ndim > 1:
            weight = reduce(weight, axis=tuple(range(1, weight.ndim)))
    else:
        weight = None
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weight


class Mean(Metric):
    """The (weighted) mean of the values given: Σ w·v / Σ w over all batches."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values, weight = _samplewise(values, sample_weight)
        self.total += float(values.sum())
        if weight is not None:
            self.count += float(weight.sum())
        else:
            self.count += values.shape[0] if values.ndim else 1

    def result(self):
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    """The (weighted) sum of the values given: Σ w·v over all batches.

    With a weight per sample, each sample's values are summed first (Keras's
    reduce_to_samplewise_values with a sum): Sum()([[1, 2], [3, 4]], sample_weight=[1, .5]) = 6.5.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values, _ = _samplewise(values, sample_weight, reduce=np.sum)
        self.total += float(values.sum())

    def result(self):
        return self.total


class MeanMetricWrapper(Mean):
    """The mean of fn(y_true, y_pred, **kwargs) over samples: turns a per-sample function
    (NumPy, or a gradwise loss function: run without recording a graph) into a metric."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or _auto_name("MeanMetricWrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        with no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if isinstance(values, Tensor):
            values = values.numpy()
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        return {**config, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            name = config.pop("fn")
            fn = _FUNCTIONS.get(name) or getattr(_losses, name, None)
            if not callable(fn):
                raise UnknownNameError("metric function", name, _FUNCTIONS)
            return cls(fn, **config)
        return cls(**config)


# --- accuracies ------------------------------------------------------------------------------
class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) matches the 0/1 label. Default threshold 0.5."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) matches argmax of the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) matches the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest scores. Default k=5."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest scores. Default k=5."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        kwargs = {"from_sorted_ids": True} if from_sorted_ids else {}
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k, **kwargs)
        self.k, self.from_sorted_ids = k, from_sorted_ids


# --- regression and loss-like metrics -----------------------------------------------------------
class MeanSquaredError(MeanMetricWrapper):
    """The mean over samples of mean((y_true − y_pred)², axis=-1)."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean over samples of mean(|y_true − y_pred|, axis=-1)."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary cross-entropy (gw.losses.binary_crossentropy) over samples."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(_losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical cross-entropy (gw.losses.categorical_crossentropy) over samples."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(_losses.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean sparse categorical cross-entropy (gw.losses.sparse_categorical_crossentropy)."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        super().__init__(_losses.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)


class RootMeanSquaredError(Mean):
    """sqrt(Σ w·(y_pred − y_true)² / Σ w): the square root of the running (weighted) mean of
    the squared errors (each sample's errors averaged over its last axes first, as Mean does)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(_np(y_true, np.float32), _np(y_pred, np.float32))
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return float(np.sqrt(super().result()))


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The mean over samples of 100 · mean(|(y_true − y_pred) / max(|y_true|, ε)|, axis=-1)."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(_losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The mean over samples of mean((log(1 + y_pred) − log(1 + y_true))², axis=-1), both
    raised to ε = 1e-7 first."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(_losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """The mean over samples of mean(log(cosh(y_pred − y_true)), axis=-1). Default name
    "logcosh", as Keras 3 (its get() knows the class as "log_cosh_error")."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(_losses.log_cosh, name=name, dtype=dtype)


def _cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample POSITIVE cosine Σ (y_true/‖y_true‖)·(y_pred/‖y_pred‖): minus the loss."""
    return -_losses.cosine_similarity(y_true, y_pred, axis=axis).numpy()


class CosineSimilarity(MeanMetricWrapper):
    """The mean over samples of the cosine between y_true and y_pred along `axis` (default -1):
    1 when they point the same way, 0 when orthogonal (or either is zero), -1 when opposite.
    Unlike the loss gw.losses.cosine_similarity, it is not negated.

    As in Keras 3, get_config holds only name and dtype (axis is not saved).
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class R2Score(Metric):
    """The coefficient of determination of each output column, accumulated over batches:

        R² = 1 − Σ w·(y_true − y_pred)² / Σ w·(y_true − ȳ)²,   ȳ = Σ w·y_true / Σ w

    (a column whose targets never vary gets 0 instead of −∞, as Keras). With p =
    num_regressors > 0 the adjusted score 1 − (1 − R²)(n − 1)/(n − p − 1) is given, where n
    counts every target value seen (rows × columns, as Keras); when p >= n − 1 it warns
    and falls back to R².

    Args:
        class_aggregation: "uniform_average" (default: the mean over columns),
            "variance_weighted_average" (weighted by each column's Σ w·(y_true − ȳ)²) or
            None (one score per column).
        num_regressors: number of regressors p for the adjusted R² (default 0: plain R²).
        name: default "r2_score".

    Inputs are (batch, columns); sample_weight is one weight per row (or per value).
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.sum = None  # per-column totals, created on the first batch (they need its width)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.num_samples = 0
        if self.sum is not None:
            for key in ("sum", "squared_sum", "total_mse", "count"):
                setattr(self, key, np.zeros_like(self.sum))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(_np(y_true, np.float64), _np(y_pred, np.float64))
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ShapeError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        if self.sum is None:
            self.sum = np.zeros(y_pred.shape[-1])
            self.reset_state()
        w = np.ones(()) if sample_weight is None else _np(sample_weight, np.float64)
        w = np.broadcast_to(w[:, None] if w.ndim == 1 else w, y_true.shape)
        self.sum += (w * y_true).sum(axis=0)
        self.squared_sum += (w * y_true * y_true).sum(axis=0)
        self.total_mse += (w * (y_true - y_pred) ** 2).sum(axis=0)
        self.count += w.sum(axis=0)
        self.num_samples += y_true.size

    def result(self):
        if self.sum is None:
            return 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            total = self.squared_sum - self.sum * (self.sum / self.count)  # Σ w·(y − ȳ)²
            raw = 1.0 - self.total_mse / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = float(np.mean(raw))
        elif self.class_aggregation == "variance_weighted_average":
            score = float(np.sum(total * raw) / np.sum(total))
        else:
            score = raw
        n, p = self.num_samples, self.num_regressors
        if p and p > n - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                          "standard R2 score.", stacklevel=2)
        elif p and p == n - 1:
            warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=2)
        elif p:
            score = 1.0 - (1.0 - score) * (n - 1) / (n - p - 1)
        return score

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


# --- probabilistic and hinge metrics (the mean of a gradwise loss function) ------------------------
class KLDivergence(MeanMetricWrapper):
    """The mean over samples of Σ y·log(y/p) along the last axis (both clipped to [ε, 1])."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(_losses.kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """The mean over samples of mean(y_pred − y_true · log(y_pred + ε), axis=-1)."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(_losses.poisson, name=name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """The mean over samples of mean(max(1 − y_true·y_pred, 0), axis=-1); 0/1 labels become −1/1."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(_losses.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """The mean over samples of mean(max(1 − y_true·y_pred, 0)², axis=-1); labels as Hinge."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(_losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """The mean over samples of max(max over wrong classes of y_pred − y_pred[true] + 1, 0)."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(_losses.categorical_hinge, name=name, dtype=dtype)


# --- precision and recall --------------------------------------------------------------------
def _thresholds(thresholds, top_k):
    if thresholds is None:
        return np.array([0.5 if top_k is None else NEG_INF], dtype=np.float32)
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    bad = [t for t in values if t is None or not 0 <= t <= 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return np.asarray(values, dtype=np.float32)  # compared in float32, as Keras: 0.3 is not > 0.3


def _filter_top_k(scores, k):
    """Scores outside each row's k largest set to NEG_INF (ties: the lower index is kept)."""
    top = np.argsort(-scores, axis=-1, kind="stable")[..., :k]
    kept = np.full_like(scores, NEG_INF)
    np.put_along_axis(kept, top, np.take_along_axis(scores, top, axis=-1), axis=-1)
    return kept


def _evenly_spaced(thresholds):
    """True for 3 or more thresholds i/(T−1), i = 0..T−1 (Keras's is_evenly_distributed_thresholds):
    those are counted by bucketing the scores (see `_confusion_counts`)."""
    n = len(thresholds)
    return n >= 3 and bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=1e-7))


_Counts = collections.namedtuple("_Counts", "tp fp tn fn")


def _weight_above_each_bucket(bucket, weights, n_thresholds):
    """Σ weights over the scores whose bucket is >= i, for each threshold i and column:
    one bincount per column, then a cumulative sum from the top (Keras's segment_sum and
    reversed cumsum). Negative buckets (scores at or below the first threshold) are dropped."""
    n_cols = bucket.shape[1]
    keep = bucket >= 0
    index = bucket + n_thresholds * np.arange(n_cols)  # column c owns bins c·T .. c·T + T − 1
    per_bucket = np.bincount(index[keep], weights=weights[keep], minlength=n_thresholds * n_cols)
    per_bucket = per_bucket.reshape(n_cols, n_thresholds)
    return np.cumsum(per_bucket[:, ::-1], axis=1)[:, ::-1].T


def _broadcast_weight(weight, shape, name):
    try:
        return np.broadcast_to(weight, shape)
    except ValueError:
        raise ShapeError(f"{name}: sample_weight of shape {weight.shape} does not fit y_pred of shape {shape}: "
                         "give one weight per sample (or per value).") from None


def _confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None, evenly=False,
                      epsilon_ends=False, multi_label=False, label_weights=None, name="metric"):
    """Weighted true/false positives/negatives at each threshold, as Keras 3's
    update_confusion_matrix_variables counts them.

    A label is positive when non-zero; a prediction is positive at threshold t when its score
    is strictly above t (both compared in float32). Each sample's weight w is added to one of
    the four counts at every threshold; label_weights (one per column) multiply it.

    Evenly spaced thresholds t_i = i/(T−1) (`evenly`, and AUC's grid whose end points are
    moved out to −ε and 1 + ε: `epsilon_ends`) use Keras's fast rule instead, and its exact
    ends: the score p is clipped to [0, 1] and counts as positive at thresholds
    i < ceil(p·(T−1)) (at least at i = 0 when epsilon_ends). Inside (0, 1) this is p > t_i;
    a score above 1 is not counted at t = 1, and with epsilon_ends a score of 0 is counted
    at −ε while no score is counted at 1 + ε.

    Returns _Counts(tp, fp, tn, fn), each of shape (T,), or (T, labels) with multi_label
    (y_pred (batch, labels): one count per label instead of all values pooled).
    """
    y_pred, y_true = _same_rank(_np(y_pred, np.float32), _np(y_true, np.float32))
    weight = None
    if sample_weight is not None:
        weight = _np(sample_weight, np.float32)[..., None]
        _, weight = _same_rank(y_true, weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ShapeError(
                "When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                f"num_classes), found shape: {y_pred.shape}"
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if y_true.size != y_pred.size or (multi_label and y_true.shape != y_pred.shape):
        raise ShapeError(f"{name}: y_true of shape {y_true.shape} and y_pred of shape {y_pred.shape} differ.")
    w = np.ones(y_pred.shape) if weight is None else _broadcast_weight(weight, y_pred.shape, name)
    if label_weights is not None:
        w = w * np.broadcast_to(label_weights, y_pred.shape)
    label = (y_true != 0).reshape(y_pred.shape)
    if not multi_label:  # every value pooled: one column
        label, w, y_pred = label.reshape(-1, 1), w.reshape(-1, 1), y_pred.reshape(-1, 1)
    true_w = np.where(label, w, 0.0).astype(np.float64)
    false_w = np.where(label, 0.0, w).astype(np.float64)
    n_thresholds = len(thresholds)
    if evenly:
        bucket = np.ceil(np.clip(y_pred, 0.0, 1.0) * np.float32(n_thresholds - 1)) - 1
        if epsilon_ends:
            bucket = np.maximum(bucket, 0.0)
        bucket = np.nan_to_num(bucket, nan=-1.0).astype(np.int64)  # a NaN score is never positive
        tp = _weight_above_each_bucket(bucket, true_w, n_thresholds)
        fp = _weight_above_each_bucket(bucket, false_w, n_thresholds)
    else:
        thresholds = np.asarray(thresholds, dtype=np.float32)
        tp = np.stack([np.where(y_pred > t, true_w, 0.0).sum(axis=0) for t in thresholds])
        fp = np.stack([np.where(y_pred > t, false_w, 0.0).sum(axis=0) for t in thresholds])
    tn, fn = false_w.sum(axis=0) - fp, true_w.sum(axis=0) - tp
    if not multi_label:
        tp, fp, tn, fn = tp[:, 0], fp[:, 0], tn[:, 0], fn[:, 0]
    return _Counts(tp, fp, tn, fn)


def _divide_no_nan(num, den):
    """num / den, and 0 where den is 0 (Keras's ops.divide_no_nan)."""
    num, den = np.broadcast_arrays(np.asarray(num, np.float64), np.asarray(den, np.float64))
    return np.divide(num, den, out=np.zeros(num.shape), where=den != 0)


def _scalar_or_array(values):
    """One threshold gives a Python float, several give an array (as Keras's result[0])."""
    return float(values[0]) if len(values) == 1 else np.array(values)


class _ConfusionMetric(Metric):
    """Counts (weighted) true positives, false positives and false negatives at each threshold:
    a prediction is positive when its score is strictly above the threshold, a label when it
    is non-zero. With top_k only each row's k highest scores can be positive; with class_id
    only that column is looked at."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _thresholds(thresholds, top_k)
        self._evenly = _evenly_spaced(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.true_positives = np.zeros(n)
        self.false_positives = np.zeros(n)
        self.false_negatives = np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = _confusion_counts(y_true, y_pred, self.thresholds, sample_weight, top_k=self.top_k,
                                   class_id=self.class_id, evenly=self._evenly, name=self.name)
        self.true_positives += counts.tp
        self.false_positives += counts.fp
        self.false_negatives += counts.fn

    def _ratio(self, num, den):
        return _scalar_or_array(_divide_no_nan(num, den))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_ConfusionMetric):
    """TP / (TP + FP): of the samples predicted positive, the fraction that are.

    Args: thresholds (None: 0.5; a float or a list, each in [0, 1], giving one result per
    threshold), top_k (None), class_id (None: all columns), name (auto: "precision").
    """

    def result(self):
        return self._ratio(self.true_positives, self.true_positives + self.false_positives)


class Recall(_ConfusionMetric):
    """TP / (TP + FN): of the positive samples, the fraction predicted positive.

    Args as Precision (default name "recall").
    """

    def result(self):
        return self._ratio(self.true_positives, self.true_positives + self.false_negatives)


class _ConfusionCount(Metric):
    """The (weighted) number of one kind of outcome at each threshold (`_kind`: "tp", "fp",
    "tn" or "fn"); a prediction is positive when its score is > the threshold.

    Args: thresholds (None: 0.5; a float or a list, each in [0, 1]: one count per threshold),
    name (auto: the class name in snake_case, e.g. "true_positives").
    """

    _kind = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, None)
        self._evenly = _evenly_spaced(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.accumulator = np.zeros(len(self.thresholds))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = _confusion_counts(y_true, y_pred, self.thresholds, sample_weight, evenly=self._evenly,
                                   name=self.name)
        self.accumulator += getattr(counts, self._kind)

    def result(self):
        return _scalar_or_array(self.accumulator)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Σ w over samples with a positive label and a score > threshold (default 0.5)."""
    _kind = "tp"


class FalsePositives(_ConfusionCount):
    """Σ w over samples with a zero label and a score > threshold (default 0.5)."""
    _kind = "fp"


class TrueNegatives(_ConfusionCount):
    """Σ w over samples with a zero label and a score <= threshold (default 0.5)."""
    _kind = "tn"


class FalseNegatives(_ConfusionCount):
    """Σ w over samples with a positive label and a score <= threshold (default 0.5)."""
    _kind = "fn"


# --- one rate at a constraint on another --------------------------------------------------------
class _RateAtConstraint(Metric):
    """The best value of one rate among the thresholds where another rate is >= `value`.

    The thresholds are 0, 1/(T−1), ..., 1 (T = num_thresholds, default 200; T = 1 gives 0.5);
    the result is max over thresholds with constrained >= value of dependent, or 0 when no
    threshold qualifies. Subclasses name the two rates in `_rates`.
    """

    _rates = None  # (constrained, dependent), each "sensitivity", "specificity", "precision" or "recall"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value, self.class_id, self.num_thresholds = value, class_id, num_thresholds
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.true_positives, self.false_positives = np.zeros(n), np.zeros(n)
        self.true_negatives, self.false_negatives = np.zeros(n), np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = _confusion_counts(y_true, y_pred, self.thresholds, sample_weight, class_id=self.class_id,
                                   evenly=self._evenly, name=self.name)
        self.true_positives += counts.tp
        self.false_positives += counts.fp
        self.true_negatives += counts.tn
        self.false_negatives += counts.fn

    def _rate(self, kind):
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        if kind in ("sensitivity", "recall"):
            return _divide_no_nan(tp, tp + fn)
        if kind == "specificity":
            return _divide_no_nan(tn, tn + fp)
        return _divide_no_nan(tp, tp + fp)  # precision

    def result(self):
        constrained, dependent = (self._rate(kind) for kind in self._rates)
        return float(np.max(np.where(constrained >= self.value, dependent, 0.0), initial=0.0))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": self.num_thresholds}


def _check_rate(argument, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{argument}` must be in the range [0, 1]. Received: {argument}={value}")


class SensitivityAtSpecificity(_RateAtConstraint):
    """The best sensitivity (recall) at a threshold whose specificity TN/(TN + FP) is >= `specificity`."""

    _rates = ("specificity", "sensitivity")

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("specificity", specificity)
        self.specificity = specificity
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "specificity": self.specificity}


class SpecificityAtSensitivity(_RateAtConstraint):
    """The best specificity at a threshold whose sensitivity TP/(TP + FN) is >= `sensitivity`."""

    _rates = ("sensitivity", "specificity")

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "sensitivity": self.sensitivity}


class PrecisionAtRecall(_RateAtConstraint):
    """The best precision at a threshold whose recall is >= `recall`."""

    _rates = ("recall", "precision")

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("recall", recall)
        self.recall = recall
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "recall": self.recall}


class RecallAtPrecision(_RateAtConstraint):
    """The best recall at a threshold whose precision is >= `precision`."""

    _rates = ("precision", "recall")

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("precision", precision)
        self.precision = precision
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "precision": self.precision}


# --- area under the curve ---------------------------------------------------------------------
_AUC_CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR", "prgain": "PRGAIN", "PRGAIN": "PRGAIN"}
_AUC_SUMMATIONS = {"interpolation": "interpolation", "Interpolation": "interpolation", "majoring": "majoring",
                   "Majoring": "majoring", "minoring": "minoring", "Minoring": "minoring"}


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from confusion counts at fixed thresholds.

    Thresholds: t_0 = −ε, t_i = i/(T−1) for i = 1..T−2, t_{T−1} = 1 + ε (ε = 1e-7, T =
    num_thresholds), so every score in [0, 1] is positive at t_0 and none at t_{T−1}: the
    curve runs from (1, 1) to (0, 0). Given `thresholds`, the grid is −ε, sorted(thresholds),
    1 + ε. At each threshold TP, FP, TN, FN are counted (weighted by sample_weight) over all
    batches, then the area is a Riemann sum over the T − 1 segments between neighbours:

        ROC: x = FP/(FP + TN), y = TP/(TP + FN)       (0/0 read as 0)
        PR:  x = recall,       y = precision = TP/(TP + FP)
        area = Σ_i (x_i − x_{i+1}) · h_i,  h_i = (y_i + y_{i+1})/2 (summation_method
               "interpolation"), min(y_i, y_{i+1}) ("minoring") or max ("majoring")

    PR with "interpolation" instead integrates precision along each segment as Davis &
    Goadrich (2006): with P = TP + FP falling by dP and TP by dTP, slope s = dTP/dP and
    intercept a = TP_{i+1} − s·P_{i+1}, the segment adds s·(dTP + a·log(P_i/P_{i+1})) /
    (TP_{i+1} + FN_{i+1}). curve="PRGAIN" is the precision-recall-gain curve.

    Args:
        num_thresholds: T, default 200 (must be > 1).
        curve: "ROC" (default) or "PR" (also "roc", "pr"; "PRGAIN").
        summation_method: "interpolation" (default), "minoring" or "majoring".
        thresholds: the inner thresholds to use instead of the even grid (num_thresholds
            becomes len(thresholds) + 2).
        multi_label: False (default): every value of y_pred is one prediction, pooled;
            True: y_pred (batch, labels) gives one curve per column, and the result is
            their mean (weighted by label_weights if given).
        num_labels: the number of columns with multi_label, known before the first batch.
        label_weights: one weight per column, multiplying the counts (multi_label=False)
            or the per-label areas in the mean (multi_label=True).
        from_logits: True when y_pred are logits: a sigmoid is applied first.
        name: default "auc" (made unique: auc_1, ...).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if curve not in _AUC_CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')
        if summation_method not in _AUC_SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                             '["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = _evenly_spaced(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - _losses.EPSILON] + list(thresholds) + [1.0 + _losses.EPSILON])
        self.curve, self.summation_method = _AUC_CURVES[curve], _AUC_SUMMATIONS[summation_method]
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float32)
        self.from_logits = from_logits
        self._num_labels = num_labels if multi_label else None  # set from the first batch when None
        super().__init__(name=name, dtype=dtype)

    @property
    def thresholds(self):
        """The whole grid, end points included."""
        return [float(t) for t in self._thresholds]

    def reset_state(self):
        shape = (self.num_thresholds,) if not self.multi_label else (self.num_thresholds, self._num_labels or 0)
        self.true_positives, self.false_positives = np.zeros(shape), np.zeros(shape)
        self.true_negatives, self.false_negatives = np.zeros(shape), np.zeros(shape)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _np(y_pred, np.float32)
        if self.multi_label and self._num_labels is None:
            if y_pred.ndim != 2:
                raise ShapeError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {y_pred.ndim}. "
                                 f"Full shape received for `y_pred`: {y_pred.shape}")
            self._num_labels = y_pred.shape[1]
            self.reset_state()
        if self.from_logits:
            y_pred = (1.0 / (1.0 + np.exp(-y_pred))).astype(np.float32)
        counts = _confusion_counts(y_true, y_pred, self._thresholds, sample_weight, evenly=self._evenly,
                                   epsilon_ends=True, multi_label=self.multi_label,
                                   label_weights=None if self.multi_label else self.label_weights, name=self.name)
        self.true_positives += counts.tp
        self.false_positives += counts.fp
        self.true_negatives += counts.tn
        self.false_negatives += counts.fn

    def _average_labels(self, per_segment):
        """Σ over segments; with multi_label, the (label-weighted) mean of the per-label areas."""
        area = per_segment.sum(axis=0)
        if not self.multi_label:
            return float(area)
        if self.label_weights is None:
            return float(np.mean(area)) if area.size else 0.0
        return float(_divide_no_nan(np.sum(area * self.label_weights), np.sum(self.label_weights)))

    def interpolate_pr_auc(self):
        """The PR area by Davis & Goadrich's interpolation (see the class docstring)."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        d_tp = tp[:-1] - tp[1:]
        p = tp + fp
        d_p = p[:-1] - p[1:]
        slope = _divide_no_nan(d_tp, np.maximum(d_p, 0))
        intercept = tp[1:] - slope * p[1:]
        both_positive = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both_positive, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore"):
            log_ratio = np.log(np.where(ratio > 0, ratio, 1.0))  # ratio is > 0 wherever it is used
        segments = _divide_no_nan(slope * (d_tp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0))
        return self._average_labels(segments)

    def result(self):
        if self.multi_label and self._num_labels is None:
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:  # PRGAIN: gains relative to the always-positive classifier
            scale = _divide_no_nan(tp + fn, tn + fp)
            x = np.maximum(np.where(tp == 0, 0.0, 1.0 - scale * _divide_no_nan(fn, tp)), 0.0)
            y = np.where(tp == 0, 1.0, 1.0 - scale * _divide_no_nan(fp, tp))
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average_labels((x[:-1] - x[1:]) * heights)

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                  "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


# --- F-scores ----------------------------------------------------------------------------------
class FBetaScore(Metric):
    """The F-beta score per class, from counts accumulated over batches:

        F_β = (1 + β²) · P · R / (β² · P + R),   P = TP/(TP + FP), R = TP/(TP + FN)

    (each denominator plus ε = 1e-7, so an empty class scores 0). β > 1 weighs recall more.

    Predictions: with threshold=None, the largest score of each row (and any tied with it)
    is the predicted class (a row of zeros predicts none); otherwise every score >
    threshold is positive. Labels y_true are used as given (one-hot or multi-hot).

    Args:
        average: None (default: one score per class, an array), "micro" (counts pooled over
            classes), "macro" (the mean of the per-class scores) or "weighted" (their mean
            weighted by each class's Σ w·y_true).
        beta: a Python float > 0, default 1.0.
        threshold: None or a Python float in (0, 1].
        name: default "fbeta_score".

    Inputs are (batch, classes); sample_weight is one weight per row.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. "
                                 f"Received: threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0  # micro pools the classes
        self.true_positives = None  # created on the first batch (they need its width)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        if self.true_positives is not None:
            for key in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
                setattr(self, key, np.zeros_like(self.true_positives))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _np(y_true, np.float64), _np(y_pred, np.float32)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ShapeError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        if self.true_positives is None:
            self.true_positives = np.zeros(() if self.average == "micro" else y_pred.shape[-1])
            self.reset_state()
        if self.threshold is None:  # the row's maximum (ties included) is the prediction
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > np.float32(self.threshold)
        predicted = predicted.astype(np.float64)
        w = 1.0 if sample_weight is None else _np(sample_weight, np.float64).reshape(-1, 1)

        def weighted_sum(values):
            return np.sum(values * w, axis=self.axis)

        self.true_positives += weighted_sum(predicted * y_true)
        self.false_positives += weighted_sum(predicted * (1 - y_true))
        self.false_negatives += weighted_sum((1 - predicted) * y_true)
        self.intermediate_weights += weighted_sum(y_true)

    def result(self):
        if self.true_positives is None:
            return 0.0
        eps, beta2 = _losses.EPSILON, self.beta ** 2
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        score = (1 + beta2) * precision * recall / (beta2 * precision + recall + eps)
        if self.average == "weighted":
            return float(np.sum(score * self.intermediate_weights / (np.sum(self.intermediate_weights) + eps)))
        if self.average is not None:
            return float(np.mean(score))
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """FBetaScore with β = 1: the harmonic mean 2·P·R/(P + R) of precision and recall, per
    class. Args as FBetaScore without beta (default name "f1_score")."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


# --- lookup by name -------------------------------------------------------------------------
_CLASSES = [Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError, RootMeanSquaredError,
            MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError,
            CosineSimilarity, R2Score, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge, TruePositives, FalsePositives,
            TrueNegatives, FalseNegatives, Precision, Recall, AUC, SensitivityAtSpecificity, SpecificityAtSensitivity,
            PrecisionAtRecall, RecallAtPrecision, F1Score, FBetaScore]
# Keras 3's names: each class name and its snake_case ("auc", "f1_score", "f_beta_score",
# "log_cosh_error", "r2_score"), and these short names; no others (not "rmse", "logcosh", "kld")
_BY_NAME = {c.__name__: c for c in _CLASSES}
_BY_NAME.update({_losses._snake(c.__name__): c for c in _CLASSES})
_BY_NAME.update({"mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError,
                 "MAE": MeanAbsoluteError, "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
                 "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                 "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})
_NEEDS_ARGUMENT = {SensitivityAtSpecificity: "specificity", SpecificityAtSensitivity: "sensitivity",
                   PrecisionAtRecall: "recall", RecallAtPrecision: "precision"}
_FUNCTIONS = {f.__name__: f for f in (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                                       top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
                                       mean_squared_error, mean_absolute_error)}


def accuracy_for_shapes(y_true_shape, y_pred_shape):
    """The accuracy class Keras 3's compile picks for "accuracy" from the data's shapes:

        y_pred's last axis is 1                                  -> BinaryAccuracy
        y_true has lower rank than y_pred, or y_true's last axis
        is 1 while y_pred's is larger                            -> SparseCategoricalAccuracy
        otherwise                                                -> CategoricalAccuracy

    (So binary cross-entropy on a 5-unit multi-label output gets CategoricalAccuracy, as in
    Keras 3.)
    """
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    if y_pred_shape[-1:] == (1,):
        return BinaryAccuracy
    if len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1:] == (1,) and y_pred_shape[-1] > 1):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


class _AccuracyByShape(Metric):
    """"accuracy" whose kind is chosen on the first batch by `accuracy_for_shapes`, as Keras 3
    does when compile cannot know it earlier. Afterwards it behaves as the chosen metric."""

    def __init__(self, name="accuracy", dtype=None):
        self.chosen = None
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        if self.chosen is not None:
            self.chosen.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.chosen is None:
            cls = accuracy_for_shapes(np.shape(y_true), np.shape(y_pred))
            self.chosen = cls(name=self.name, dtype=self.dtype)
        self.chosen.update_state(y_true, y_pred, sample_weight=sample_weight)

    def result(self):
        return 0.0 if self.chosen is None else self.chosen.result()


def _loss_kind(loss):
    if loss is None:
        return None
    try:
        loss = _losses.get(loss)
    except (ValueError, TypeError):
        return None
    for cls in (_losses.SparseCategoricalCrossentropy, _losses.CategoricalCrossentropy,
                _losses.BinaryCrossentropy):
        if isinstance(loss, cls):
            return cls.__name__
    return None


def _accuracy(name, loss, output_shape, y_true_shape):
    """The accuracy metric for the string "accuracy"/"acc" (see `get`)."""
    if output_shape is not None and y_true_shape is not None:
        return accuracy_for_shapes(y_true_shape, output_shape)(name=name)
    last = None if output_shape is None else tuple(output_shape)[-1]
    if last == 1:
        return BinaryAccuracy(name=name)
    kind = _loss_kind(loss)
    if kind == "SparseCategoricalCrossentropy":
        return SparseCategoricalAccuracy(name=name)  # labels of lower rank (or a trailing 1)
    if kind == "CategoricalCrossentropy" or (kind == "BinaryCrossentropy" and last is not None):
        return CategoricalAccuracy(name=name)  # labels shaped as the output, more than 1 column
    return _AccuracyByShape(name=name)


def get(identifier, loss=None, output_shape=None, y_true_shape=None):
    """A metric object from a name, a Metric, a metric class, a function or a config dict.

    "accuracy"/"acc" (any case) is resolved as Keras 3's compile does, from the shapes:
    BinaryAccuracy when the model's output has one column, else SparseCategoricalAccuracy
    for integer labels and CategoricalAccuracy for one-hot labels (see accuracy_for_shapes).
    `output_shape` (the model's output shape) and `loss` (which tells the labels' form:
    sparse_categorical_crossentropy -> integer labels, categorical or binary cross-entropy
    -> labels shaped as the output) settle it at once; when they cannot, the metric decides
    on its first batch. Any metric given by a string is named by that string, as in Keras's
    logs ("acc", "mse", ...). A plain function fn(y_true, y_pred) -> per-sample values is
    wrapped in MeanMetricWrapper and named after it.

    Names (Keras 3's): each class name and its snake_case ("auc", "f1_score",
    "f_beta_score", "r2_score", "log_cosh_error", "true_positives", ...) and the short names
    "mse", "mae", "mape", "msle", "bce" (also upper case). "mean" and "sum" are refused (they
    take values, not (y_true, y_pred)), and so are the four metrics that need a target rate
    (SensitivityAtSpecificity, ...); the names of gradwise's loss functions ("huber",
    "log_cosh", ...) give the mean of that loss.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return _accuracy(identifier, loss, output_shape, y_true_shape)
        cls = _BY_NAME.get(identifier) or _BY_NAME.get(identifier.lower())
        if cls in _NEEDS_ARGUMENT:
            raise ValueError(f"The metric {identifier!r} needs its `{_NEEDS_ARGUMENT[cls]}` argument, so it cannot "
                             f"be given by name: pass an object, e.g. metrics=[gw.metrics.{cls.__name__}(0.5)].")
        if cls is not None and cls not in (Mean, Sum, MeanMetricWrapper):
            return cls(name=identifier)
        if identifier in _losses._FUNCTIONS or identifier.lower() in _losses._FUNCTIONS:
            return MeanMetricWrapper(_losses._FUNCTIONS[identifier.lower()], name=identifier)
        raise UnknownNameError("metric", identifier, ["accuracy", "acc"] + [k for k in _BY_NAME if k not in (
            "Mean", "mean", "Sum", "sum", "MeanMetricWrapper", "mean_metric_wrapper")])
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        if identifier in _NEEDS_ARGUMENT:
            raise ValueError(f"{identifier.__name__} needs its `{_NEEDS_ARGUMENT[identifier]}` argument: pass an "
                             f"object, e.g. gw.metrics.{identifier.__name__}(0.5).")
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=_losses._snake(getattr(identifier, "__name__", "metric")))
    raise UnknownNameError("metric", identifier, list(_BY_NAME))


def serialize(metric):
    """{"class_name", "config"} for a Metric; the name for a function."""
    if isinstance(metric, _AccuracyByShape):
        return metric.name
    if isinstance(metric, Metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return metric if isinstance(metric, str) else getattr(metric, "__name__", repr(metric))


def deserialize(config):
    """The inverse of `serialize`."""
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name")
    if name not in _BY_NAME or name[0].islower():
        raise UnknownNameError("metric", name, [c.__name__ for c in _CLASSES])
    return _BY_NAME[name].from_config(config.get("config", {}))


__all__ = [c.__name__ for c in _CLASSES] + list(_FUNCTIONS) + [
    "Metric", "get", "serialize", "deserialize", "accuracy_for_shapes",
]
