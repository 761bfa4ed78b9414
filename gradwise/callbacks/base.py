"""The callback protocol (Callback, CallbackList) and the callbacks fit always uses
(History, ProgbarLogger), plus LambdaCallback for one-off hooks.

Subclass `Callback` and override any of on_train_begin/end(logs), on_epoch_begin/end(epoch,
logs), on_train_batch_begin/end(batch, logs), on_test_*/on_predict_* likewise. `self.model`
is the model being trained; setting `self.model.stop_training = True` ends fit after the
current batch (the epoch still ends: validation and on_epoch_end run, as in Keras).
Epochs and batches are 0-based in the hooks.

gradwise adds one hook: `on_interrupt(epoch, batch, logs)`, called when the user presses
Ctrl-C during fit (after the current batch has finished). A callback that writes files
returns the path it wrote, and fit prints it.
"""

import inspect

from ..progress import ProgressBar


class Callback:
    """Base class: every hook does nothing (on_batch_* are Keras's aliases of on_train_batch_*)."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    def on_interrupt(self, epoch, batch, logs=None):
        """Ctrl-C during fit: save what must not be lost; return the path written (or None)."""
        return None


class CallbackList(Callback):
    """Calls each hook on every callback in order, always passing `logs` positionally (None
    if the caller gave none), as Keras does: a LambdaCallback function f(logs) or
    f(epoch, logs) receives all its arguments."""

    _ONE_ARG = {"on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                "on_predict_begin", "on_predict_end"}

    def __init__(self, callbacks, model=None, params=None):
        super().__init__()
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            if params is not None:
                cb.set_params(params)

    def __getattribute__(self, name):
        if name.startswith("on_"):
            callbacks = object.__getattribute__(self, "callbacks")

            n_args = 1 if name in CallbackList._ONE_ARG else 3 if name == "on_interrupt" else 2

            def dispatch(*args, logs=None):
                args = args + (logs,) if len(args) < n_args else args
                for cb in callbacks:
                    getattr(cb, name)(*args)

            return dispatch
        return object.__getattribute__(self, name)


class History(Callback):
    """Records the logs of every epoch: `history.history["loss"]`, `history.epoch`."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class ProgbarLogger(Callback):
    """Prints "Epoch i/n" and a progress line per epoch (see gradwise.progress)."""

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}", flush=True)
        self._bar = ProgressBar(self.params.get("steps", 0), self.verbose)
        self._seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        self._bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params.get("steps", 0)
        self._bar.update(self._seen if steps is None else steps, logs, finalize=True)  # None: a generator


class LambdaCallback(Callback):
    """A callback made of plain functions, one per hook (Keras's `LambdaCallback`).

    Args:
        on_epoch_begin, on_epoch_end: f(epoch, logs).
        on_train_begin, on_train_end: f(logs).
        on_train_batch_begin, on_train_batch_end: f(batch, logs).
        **kwargs: any other hook by its name, e.g. on_test_end=f (same arguments as the
            Callback method).

    Example:
        >>> print_loss = gw.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    _HOOKS = {name for name, _ in inspect.getmembers(Callback, inspect.isfunction)
              if name.startswith("on_")}

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        unknown = sorted(set(kwargs) - self._HOOKS)
        if unknown:
            raise ValueError(f"LambdaCallback: unknown hook(s) {', '.join(unknown)}; hooks are "
                             f"{', '.join(sorted(self._HOOKS))}.")
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for name, fn in hooks.items():
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"LambdaCallback: {name} must be a function; received "
                                    f"{fn!r}.")
                setattr(self, name, fn)
