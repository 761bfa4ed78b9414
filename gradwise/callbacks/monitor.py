"""Callbacks that watch a logged quantity: MonitorCallback (their shared base),
EarlyStopping, TerminateOnNaN."""

import math
import warnings

from .base import Callback

# Words that say whether a metric is better high or low, for mode="auto".
_UP_WORDS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "correlation")
_DOWN_WORDS = ("loss", "error", "crossentropy", "hinge", "divergence", "logcosh", "poisson",
               "mse", "mae", "mape", "msle")


def metric_direction(name, model=None):
    """"max" or "min" for a logged quantity in mode="auto", as Keras 3 decides it.

    The loss is minimized. A compiled metric of that name with a `direction` attribute ("up"
    or "down") decides; otherwise the name does: accuracy, AUC, precision, recall, F-scores,
    IoU and R² are maximized; errors, cross-entropies, hinge and divergences minimized.
    Like Keras, anything else raises, since a wrong guess would silently keep the worst model.
    """
    base = name[4:] if name.startswith("val_") else name
    if base == "loss" or base.endswith("_loss"):
        return "min"
    for metric in getattr(model, "compiled_metrics", None) or ():
        if getattr(metric, "name", None) == base and getattr(metric, "direction", None):
            return "max" if metric.direction == "up" else "min"
    lowered = base.lower()
    if any(word in lowered for word in _UP_WORDS):
        return "max"
    if any(word in lowered for word in _DOWN_WORDS):
        return "min"
    return None


class MonitorCallback(Callback):
    """Base of the callbacks that compare a logged quantity with its best value so far.

    Args:
        monitor: the logs key to watch (default "val_loss").
        mode: "min", "max" or "auto" (default; see `metric_direction`). An unknown mode
            warns and falls back to "auto", as in Keras.
        baseline: the initial best value (default None: the first value seen).
        min_delta: an improvement must beat the best by more than |min_delta|.

    A value improves on the best when `value + |min_delta| < best` (min mode) or
    `value - |min_delta| > best` (max mode); anything improves on None.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self._direction = None

    def _resolve_direction(self):
        if self._direction is None:
            direction = self.mode if self.mode != "auto" else metric_direction(self.monitor,
                                                                               self.model)
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} received monitor={self.monitor!r}, but cannot tell "
                    "whether it should be maximized or minimized. Pass mode='max' to keep the "
                    "highest value, or mode='min' to keep the lowest."
                )
            self._direction = direction
        return self._direction

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        if self._resolve_direction() == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def _monitored(self, logs, what):
        """logs[monitor] as a float, or None with a warning naming the available keys."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{what} conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          stacklevel=3)
            return None
        return float(value)


class EarlyStopping(MonitorCallback):
    """Stop training when a monitored quantity has stopped improving (Keras 3's `EarlyStopping`).

    At the end of each epoch from `start_from_epoch` on: an improvement on the best value
    (see MonitorCallback) resets the wait counter (only if it also beats `baseline`, when
    one is given); otherwise, once `patience` epochs have passed without one (and it is
    not the first epoch), training stops.

    With restore_best_weights=True the weights at the end of the best epoch are put back
    when training ends, whether or not it was stopped early (as Keras 3 does); if no epoch
    improved, those of the first monitored epoch are.

    Args:
        monitor: quantity to watch (default "val_loss").
        min_delta: minimum change that counts as an improvement (default 0).
        patience: epochs without improvement before stopping (default 0).
        verbose: 1 prints when stopping and when restoring (default 0).
        mode: "auto" (default), "min" or "max".
        baseline: a value the quantity must beat; until it does, the wait keeps growing.
        restore_best_weights: bool (default False).
        start_from_epoch: epochs to wait before monitoring at all (default 0).

    Attributes after fit: `stopped_epoch` (0-based, 0 if not stopped), `best`,
    `best_epoch`, `wait`.

    Example:
        >>> stop = gw.callbacks.EarlyStopping(monitor="val_loss", patience=3,
        ...                                   restore_best_weights=True)
        >>> model.fit(x, y, validation_split=0.1, epochs=100, callbacks=[stop])
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = self._monitored(logs, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # a fallback if nothing improves
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)


class TerminateOnNaN(Callback):
    """Stop training when the loss becomes NaN or infinite (Keras 3's `TerminateOnNaN`).

    gradwise never applies the update of a non-finite loss, so the weights kept are the last
    finite ones. Without this callback fit raises NonFiniteLossError; with it, fit stops
    cleanly (the epoch ends and on_train_end runs), or raises RuntimeError at once when
    raise_error=True.

    Args:
        raise_error: bool (default False).
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                               f"{loss}. Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
        self.model.stop_training = True
