"""Callbacks that change the optimizer's learning rate between epochs: LearningRateScheduler
(a function of the epoch) and ReduceLROnPlateau (when a metric stalls).

Both write the learning rate used in the epoch into the epoch's logs as "learning_rate"
(Keras 3's key), so History and CSVLogger record it. For a rate that changes every step,
give the optimizer a schedule instead (gw.optimizers.schedules).
"""

import inspect
import numbers

import numpy as np

from .base import Callback
from .monitor import MonitorCallback


def _current_lr(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError("The model's optimizer must have a `learning_rate` attribute: compile "
                         "the model with a gradwise optimizer before fit.")
    return float(optimizer.learning_rate)


def _set_lr(model, value, owner):
    try:
        model.optimizer.learning_rate = value
    except TypeError as exc:  # the optimizer follows a schedule
        raise TypeError(f"{owner} cannot change the learning rate: {exc}") from None


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to `schedule(epoch, lr)` (Keras 3's
    `LearningRateScheduler`).

    Args:
        schedule: a function of the epoch index (0-based) and the current learning rate
            (a float) returning the new rate; a one-argument `schedule(epoch)` also works.
        verbose: 1 prints each change (default 0).

    Example:
        >>> def halve_after_ten(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.5
        >>> model.fit(x, y, epochs=20,
        ...           callbacks=[gw.callbacks.LearningRateScheduler(halve_after_ten)])
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: `schedule` must be a function "
                            f"schedule(epoch, lr); received {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose
        self._two_args = self._takes_two_args(schedule)

    @staticmethod
    def _takes_two_args(fn):
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            return True
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)

    def on_epoch_begin(self, epoch, logs=None):
        lr = _current_lr(self.model)
        new = self.schedule(epoch, lr) if self._two_args else self.schedule(epoch)
        if isinstance(new, np.ndarray) and new.ndim == 0:
            new = new.item()
        if isinstance(new, bool) or not isinstance(new, numbers.Real):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {new!r}")
        _set_lr(self.model, float(new), "LearningRateScheduler")
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(new)}.", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_lr(self.model)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by `factor` when a metric has stopped improving (Keras 3's
    `ReduceLROnPlateau`).

    At each epoch end: during a cooldown the counter runs down and the wait is reset; an
    improvement (see MonitorCallback; min_delta defaults to 1e-4 here) resets the wait;
    otherwise, outside a cooldown, the wait grows, and when it reaches `patience` the rate
    becomes max(lr * factor, min_lr) (if lr is still above min_lr), a cooldown of
    `cooldown` epochs starts and the wait is reset.

    Args:
        monitor: quantity to watch (default "val_loss").
        factor: float < 1 (default 0.1).
        patience: epochs without improvement before reducing (default 10).
        verbose: 1 prints each reduction (default 0).
        mode: "auto" (default), "min" or "max".
        min_delta: threshold for an improvement (default 1e-4).
        cooldown: epochs to wait after a reduction before counting again (default 0).
        min_lr: lower bound on the learning rate (default 0).

    Example:
        >>> reduce = gw.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2,
        ...                                         patience=5, min_lr=1e-4)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected argument(s): "
                            f"{', '.join(sorted(kwargs))}.")
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0 (it would not "
                             f"reduce anything). Received factor={factor}")
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _current_lr(self.model)
        current = self._monitored(logs, "Learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch):
        old = _current_lr(self.model)
        if not old > np.float32(self.min_lr):  # already at the floor (compared as Keras does)
            return False
        new = max(old * self.factor, self.min_lr)
        _set_lr(self.model, new, "ReduceLROnPlateau")
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.",
                  flush=True)
        return True
