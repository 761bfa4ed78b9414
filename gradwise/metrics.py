"""Stateful metrics, as Keras 3's `keras.metrics`.

A metric accumulates over batches and reports one number:

    m = gw.metrics.SparseCategoricalAccuracy()
    m.update_state(y_true, y_pred)      # once per batch (arrays or gw.Tensors)
    m.result()                          # -> Python float (an array for several thresholds)
    m.reset_state()                     # at the start of each epoch

Metrics are bookkeeping, not graph: they work on NumPy arrays in one or two vectorised
passes per batch, record nothing on a GradientTape, and keep their totals in float64.

Sample weights follow Keras 3: a mean-type metric adds Σ w·value to its total and Σ w to
its count; Precision and Recall add w to each true/false positive/negative they count.

`get("accuracy")` picks the accuracy that fits the data as Keras 3's compile does (from the
shapes of y_true and y_pred, see `accuracy_for_shapes`) and keeps the name the user wrote.
"""

import collections
import copy
import inspect

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


def _samplewise(values, sample_weight):
    """Keras's reduce_to_samplewise_values for a mean: per-sample values (mean over the axes
    after the first, or after the weight's axes) and the weights fitted to them."""
    values = _np(values, np.float64)
    if sample_weight is not None:
        weight = _np(sample_weight, np.float64)
        values, weight = _same_rank(values, weight)
        if values.ndim > weight.ndim:
            values = values.mean(axis=tuple(range(weight.ndim, values.ndim)))
        try:
            weight = np.broadcast_to(weight, values.shape)
        except ValueError:
            raise ShapeError(
                f"sample_weight of shape {weight.shape} does not fit values of shape {values.shape}: "
                "give one weight per sample."
            ) from None
        values = values * weight
        if weight.ndim > 1:
            weight = weight.mean(axis=tuple(range(1, weight.ndim)))
    else:
        weight = None
    if values.ndim > 1:
        values = values.mean(axis=tuple(range(1, values.ndim)))
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


class _ConfusionMetric(Metric):
    """Counts (weighted) true positives, false positives and false negatives at each threshold:
    a prediction is positive when its score is strictly above the threshold, a label when it
    is non-zero. With top_k only each row's k highest scores can be positive; with class_id
    only that column is looked at."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _thresholds(thresholds, top_k)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self.thresholds)
        self.true_positives = np.zeros(n)
        self.false_positives = np.zeros(n)
        self.false_negatives = np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred, y_true = _same_rank(_np(y_pred, np.float32), _np(y_true, np.float32))
        weight = None
        if sample_weight is not None:
            weight = _np(sample_weight, np.float32)[..., None]
            _, weight = _same_rank(y_true, weight, expand_rank_1=False)
        if self.top_k is not None:
            y_pred = _filter_top_k(y_pred, self.top_k)
        if self.class_id is not None:
            if y_pred.ndim == 1:
                raise ShapeError(
                    "When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                    f"num_classes), found shape: {y_pred.shape}"
                )
            y_true, y_pred = y_true[..., self.class_id, None], y_pred[..., self.class_id, None]
        if y_true.size != y_pred.size:
            raise ShapeError(
                f"{self.name}: y_true of shape {y_true.shape} and y_pred of shape {y_pred.shape} differ."
            )
        label = (y_true != 0).reshape(-1).astype(np.float64)
        positive = (y_pred.reshape(1, -1) > self.thresholds[:, None]).astype(np.float64)  # (thresholds, n)
        if weight is not None:
            w = np.broadcast_to(weight, y_pred.shape).reshape(-1).astype(np.float64)
            true_w, false_w = label * w, (1.0 - label) * w
        else:
            true_w, false_w = label, 1.0 - label
        tp = positive @ true_w
        self.true_positives += tp
        self.false_positives += positive @ false_w
        self.false_negatives += true_w.sum() - tp

    def _ratio(self, num, den):
        out = np.divide(num, den, out=np.zeros_like(num), where=den != 0)
        return float(out[0]) if len(self.thresholds) == 1 else out

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


# --- lookup by name -------------------------------------------------------------------------
_CLASSES = [Mean, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
            BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Precision, Recall]
_BY_NAME = {c.__name__: c for c in _CLASSES}
_BY_NAME.update({_losses._snake(c.__name__): c for c in _CLASSES})
_BY_NAME.update({"mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError,
                 "MAE": MeanAbsoluteError, "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy})
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
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return _accuracy(identifier, loss, output_shape, y_true_shape)
        cls = _BY_NAME.get(identifier) or _BY_NAME.get(identifier.lower())
        if cls is not None and cls not in (Mean, MeanMetricWrapper):
            return cls(name=identifier)
        if identifier in _losses._FUNCTIONS or identifier.lower() in _losses._FUNCTIONS:
            return MeanMetricWrapper(_losses._FUNCTIONS[identifier.lower()], name=identifier)
        raise UnknownNameError("metric", identifier, ["accuracy", "acc"] + [k for k in _BY_NAME if k not in
                                                                            ("Mean", "mean", "MeanMetricWrapper",
                                                                             "mean_metric_wrapper")])
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
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
