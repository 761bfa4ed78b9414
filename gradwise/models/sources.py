"""fit/evaluate/predict fed by a PyDataset or a Python generator instead of arrays (Keras 3's rules).

Arrays are cut into batches by the loops in model.py. When x is a gw.utils.PyDataset or an
iterator (a generator object, `iter(...)`), the data arrive already batched and the loops
here run instead. Each batch goes through the same checks (data.prepare) and the same
training step, and the loss and metrics are accumulated per batch in the same way, so the
numbers equal those of arrays cut into the same batches with shuffle=False.

A batch is a tuple `(x,)`, `(x, y)` or `(x, y, sample_weight)` (a list counts as a tuple);
anything else (an array, a dict of inputs) is x alone, which only predict accepts.

How many batches make an epoch (as Keras 3):
    PyDataset   len(dataset), or steps_per_epoch. fit's shuffle=True (its default) reorders
                the batches at every epoch; shuffle=False reads 0, 1, 2, ... With
                steps_per_epoch the pass over the dataset continues where the last epoch
                stopped; an epoch that reaches the end of the pass ends there (with a
                warning) and the next one starts a new pass.
    generator   steps_per_epoch batches, read on from where the last epoch stopped; without
                it, until the generator is exhausted. A generator cannot restart, so once it
                is exhausted fit stops (with a warning if epochs were left). An endless
                generator without steps_per_epoch trains for ever: that is the caller's to
                avoid, by giving steps_per_epoch (validation_steps, steps for evaluate/predict).
                shuffle has no effect (the generator decides the order).

A PyDataset's on_epoch_begin/on_epoch_end run once per epoch, around its batches and before
validation and the callbacks' on_epoch_end, and once around an evaluate or predict pass.

Where gradwise departs from Keras 3.15 (checked by running it):
    - a finite generator: Keras goes on after exhaustion, re-reading in each later epoch the
      two batches it peeked at to learn the shapes; gradwise stops, as tf.keras 2 did and as
      Keras's own "ran out of data; interrupting training" warning says;
    - Keras also calls a PyDataset's on_epoch_end once before the first epoch (and before each
      evaluate), and skips it when stop_training cuts an epoch short; gradwise calls it exactly
      once after every epoch, cut short or not;
    - batch_size with a PyDataset or generator: Keras ignores it silently (its docs say not to
      give it; Keras 2 raised); gradwise ignores it with a warning saying so;
    - any iterator is accepted, not only generator objects.
"""

import collections.abc
import warnings

import numpy as np

from .. import backend, metrics as metrics_mod, random as gw_random
from ..autodiff.function import no_grad
from ..callbacks import CallbackList, History, ProgbarLogger
from ..progress import ProgressBar, resolve_verbose
from ..utils.py_dataset import PyDataset
from . import data as data_mod


def is_source(x):
    """True for the data this module handles: a PyDataset or an iterator (e.g. a generator)."""
    return isinstance(x, (PyDataset, collections.abc.Iterator))


def _describe(value):
    """A short description of a value received as (part of) a batch, for error messages."""
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_describe(v) for v in value[:5]) + (", ..." if len(value) > 5 else "")
        return f"a {type(value).__name__} of {len(value)}: ({inner})"
    if isinstance(value, dict):
        return f"a dict with keys {', '.join(map(repr, value))}"
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"an array of shape {tuple(shape)}"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def check_steps(value, name, who):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{who}: {name} must be a positive integer or None, got {value!r}.")
    return int(value)


_END = object()


class Source:
    """The batches of a PyDataset or an iterator, one epoch at a time.

    `begin_epoch()`, then `batches()` (yields (step, batch)), then `end_epoch()`; the two
    hooks call the dataset's on_epoch_begin/on_epoch_end. `steps` caps an epoch (None: a
    PyDataset's length, or until a generator is exhausted).
    """

    def __init__(self, data, what, steps=None, steps_name="steps", shuffle=False):
        self.data, self.what, self.steps_name = data, what, steps_name
        self.who = "fit() (validation_data)" if what == "validation_data" else f"{what}()"  # for messages
        self.steps = check_steps(steps, steps_name, self.who)
        self.is_dataset = isinstance(data, PyDataset)
        self.kind = f"the PyDataset {type(data).__name__}" if self.is_dataset else "the generator"
        self.num_batches = data.num_batches if self.is_dataset else None
        if self.num_batches is not None:
            if not isinstance(self.num_batches, (int, np.integer)) or self.num_batches < 1:
                raise ValueError(f"{self.who}: {self.kind} has {self.num_batches!r} batches (its __len__); it needs "
                                 "at least one.")
            self.num_batches = int(self.num_batches)
        # Keras 3 reorders a finite PyDataset's batches when fit's shuffle is True
        self.shuffle = bool(shuffle) and self.num_batches is not None
        self._order, self._pos = None, None  # the current pass over a PyDataset (order None: 0, 1, 2, ...)
        self._held = []  # batches read ahead from a generator
        self.exhausted = False  # a generator raised StopIteration
        self.read = 0  # batches handed out so far
        self.current = 0  # the batch being read: its index in a dataset, its number (from 0) in a generator

    @property
    def steps_per_epoch(self):
        """Batches in an epoch, or None when unknown (a generator read until exhausted)."""
        return self.steps or self.num_batches

    def begin_epoch(self):
        if self.is_dataset:
            self.data.on_epoch_begin()
            if self._pos is None or self.steps is None or self._pos >= (self.num_batches or np.inf):
                self._new_pass()  # else a pass cut by steps_per_epoch goes on (as Keras)

    def end_epoch(self):
        if self.is_dataset:
            self.data.on_epoch_end()

    def _new_pass(self):
        if self.shuffle:
            self._order = np.asarray(backend.to_numpy(gw_random.permutation(self.num_batches)))
        self._pos = 0

    def batches(self):
        """(step, batch) for one epoch."""
        limit = self.steps_per_epoch
        step = 0
        while limit is None or step < limit:
            batch = self._read()
            if batch is _END:
                return
            self.read += 1
            yield step, batch
            step += 1

    def _read(self):
        if self.is_dataset:
            if self.num_batches is not None and self._pos >= self.num_batches:
                return _END  # the pass is over (only when steps asks for more than is left)
            index = self._pos if self._order is None else int(self._order[self._pos])
            self._pos += 1
            self.current = index
            return self.data[index]
        self.current = self.read
        if self._held:
            return self._held.pop(0)
        if self.exhausted:
            return _END
        try:
            return next(self.data)
        except StopIteration:
            self.exhausted = True
            return _END

    def has_data(self):
        """Whether another batch can be read (a generator reads one ahead and keeps it)."""
        if self.is_dataset or self._held:
            return True
        if not self.exhausted:
            try:
                self._held.append(next(self.data))
                return True
            except StopIteration:
                self.exhausted = True
        return False

    def first_batch(self):
        """A batch to build an unbuilt model from: a generator's first one (kept, so it is
        still trained on), or dataset[0] (read once more later, as Keras does on a first fit)."""
        self.current = 0
        if self.is_dataset:
            return self.data[0]
        if not self.has_data():
            raise ValueError(f"{self.who}: the generator yielded no batches (it was empty or already exhausted).")
        return self._held[0]

    def fix(self, batch):
        """How to hand out `batch` instead, for messages."""
        return f"Make __getitem__ return {batch}" if self.is_dataset else f"Make the generator yield {batch}"

    def batch_name(self):
        """The batch being read, for messages: its index in a dataset, its number in a generator."""
        return f"batch {self.current} {'of' if self.is_dataset else 'from'} {self.kind}"


# --- one batch: structure, then the same checks and conversion as arrays --------------------
def unpack(batch, source, labels):
    """(x, y, sample_weight) of one batch; a ValueError says what came and what is expected."""
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        batch = (batch,)
    expected = "(x, y) or (x, y, sample_weight)" + ("" if labels else ", or x alone")
    if not 1 <= len(batch) <= 3:
        raise ValueError(f"{source.who}: {source.batch_name()} is {_describe(batch)}; expected "
                         f"{expected}. {source.fix('one of those')}.")
    x, y, sample_weight = batch + (None,) * (3 - len(batch))
    if x is None:
        raise ValueError(f"{source.who}: {source.batch_name()} has x = None; expected {expected}.")
    if labels and y is None:
        need = "training needs" if source.what == "fit" else "evaluation needs"
        raise ValueError(f"{source.who}: {source.batch_name()} holds only x ({_describe(x)}), but {need} labels; "
                         f"expected {expected}. {source.fix('(x, y)')}.")
    return x, y, sample_weight


def _in_batch(source, fn, *args):
    """fn(*args), with an error naming the batch it came from."""
    try:
        return fn(*args)
    except (ValueError, TypeError) as exc:
        try:
            err = type(exc)(f"{source.who}: in {source.batch_name()}: {exc}")
        except Exception:
            raise exc from None
        raise err from exc


def batch_arrays(model, batch, source):
    """x, y, sample_weight of a training/evaluation batch, checked and converted as arrays are."""
    x, y, sample_weight = unpack(batch, source, labels=True)
    x, y, sample_weight = _in_batch(source, model._prepare_data, x, y, sample_weight, source.what)
    _in_batch(source, data_mod.check_targets, model, y)
    return x, y, sample_weight


def refuse_array_arguments(source, **given):
    """y, sample_weight, batch_size, validation_split: arguments for arrays, not for batched data."""
    kind = "PyDataset" if source.is_dataset else "generator"
    for name, value in given.items():
        if value is None or (name == "validation_split" and not value):
            continue
        if name in ("batch_size", "validation_batch_size"):  # Keras 3 ignores it silently; we say so
            made = f"{source.num_batches} per epoch" if source.num_batches else "as many as it yields"
            warnings.warn(
                f"{source.what}(): {name}={value!r} is ignored when the data is a {kind}, which makes its own "
                f"batches ({made}). Remove {name} and choose the batch size inside the {kind}.", stacklevel=4)
            continue
        if name == "validation_split":
            raise ValueError(
                f"{source.what}(): validation_split needs arrays to split, but x is a {kind}; received "
                f"validation_split={value!r}. Pass validation_data (arrays, a PyDataset or a generator) instead.")
        what = "the targets" if name == "y" else "the sample weights"
        raise ValueError(
            f"{source.what}(): when x is a {kind}, `{name}` must not be passed (received {_describe(value)}); "
            f"{what} must be part of each batch. {source.fix('(x, y) or (x, y, sample_weight)')}.")


# --- validation_data of fit --------------------------------------------------------------------
class Validation:
    """fit's validation_data, checked before training; `logs(model)` evaluates it (val_* keys)."""

    def __init__(self, data, steps=None, batch_size=32):
        self.data, self.steps, self.batch_size = data, steps, batch_size

    def logs(self, model):
        if is_source(self.data):
            val = evaluate(model, self.data, steps=self.steps, verbose=0, return_dict=True, what="validation_data",
                           steps_name="validation_steps")
        else:
            vx, vy, vsw = self.data
            val = model.evaluate(vx, vy, batch_size=self.batch_size, verbose=0, sample_weight=vsw, steps=self.steps,
                                 return_dict=True)
        return {f"val_{k}": v for k, v in val.items()}


def prepare_validation(model, validation_data, validation_steps, batch_size, validation_batch_size, runs):
    """validation_data as a Validation (None if not given): arrays checked now, a PyDataset or
    generator kept with validation_steps. `runs`: how many validations fit will do."""
    if validation_data is None:
        return None
    if is_source(validation_data):
        source = Source(validation_data, "fit", validation_steps, "validation_steps")
        refuse_array_arguments(source, validation_batch_size=validation_batch_size)
        if not source.is_dataset and source.steps is None and runs > 1:
            raise ValueError(
                f"fit(): validation_data is a generator without validation_steps, and fit validates {runs} times: "
                "the first validation would read it to its end and leave nothing for the next ones. Give "
                "validation_steps (with a generator that yields at least validation_steps batches per validation, "
                "e.g. an endless one), or pass a gw.utils.PyDataset or arrays, which are read again each time.")
        return Validation(validation_data, source.steps)
    vx, vy, vsw = (tuple(data_mod.unpack_validation(validation_data)) + (None,))[:3]
    vx, vy, vsw = model._prepare_data(vx, vy, vsw, "validation_data")
    data_mod.check_targets(model, vy)
    return Validation((vx, vy, vsw), check_steps(validation_steps, "validation_steps", "fit()"),
                      data_mod.check_batch_size(validation_batch_size or batch_size))


# --- fit ----------------------------------------------------------------------------------------------
def fit(model, data, *, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
        class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
        validation_freq):
    """Model.fit when x is a PyDataset or a generator (the arguments are Model.fit's)."""
    from .model import _CtrlC  # model.py imports this module

    source = Source(data, "fit", steps_per_epoch, "steps_per_epoch", shuffle)
    refuse_array_arguments(source, y=y, sample_weight=sample_weight, batch_size=batch_size,
                           validation_split=validation_split)
    if not source.has_data():
        raise ValueError("fit(): the generator yielded no batches (it was empty or already exhausted).")
    if not model.built:
        x0, _, _ = batch_arrays(model, source.first_batch(), source)
        model._build_for(x0)
    runs = sum((e + 1) % validation_freq == 0 for e in range(initial_epoch, epochs))
    validation = prepare_validation(model, validation_data, validation_steps, None, validation_batch_size, runs)

    verbose = resolve_verbose(verbose)
    history = History()
    cbs = ([ProgbarLogger(verbose)] if verbose else []) + list(callbacks or []) + [history]
    params = {"epochs": epochs, "steps": source.steps_per_epoch, "verbose": verbose}
    callbacks = CallbackList(cbs, model=model, params=params)
    variables = model._weights_to_train()
    head = model._logits_head()
    model.stop_training = False
    model.history = history
    model._initial_epoch = None
    callbacks.on_train_begin()
    start = max(initial_epoch, model._initial_epoch or 0)  # a BackupAndRestore may resume later
    logs = {}
    with _CtrlC() as interrupt:
        logs = _epochs(model, source, validation, validation_freq, start, epochs, class_weight, callbacks,
                       variables, head, interrupt)
    callbacks.on_train_end(logs)
    return history


def _epochs(model, source, validation, validation_freq, start, epochs, class_weight, callbacks, variables, head,
            interrupt):
    """The epoch loop of Model._epochs, reading batches from `source` instead of slicing arrays."""
    logs = {}
    for epoch in range(start, epochs):
        if not source.has_data():  # a generator that ended exactly where the last epoch did
            _warn_ran_out(source, epoch - 1, epochs, None)
            break
        for m in model.metrics:
            m.reset_state()
        callbacks.on_epoch_begin(epoch)
        source.begin_epoch()
        totals, done = [0.0, 0], 0  # loss sum and samples seen this epoch
        for step, batch in source.batches():
            xb, yb, swb = batch_arrays(model, batch, source)
            if class_weight is not None:
                swb = data_mod.apply_class_weight(yb, class_weight, swb)
            done = step + 1
            logs, stop = model._fit_batch(epoch, step, xb, yb, swb, variables, head, callbacks, interrupt, totals)
            if stop == "fit":
                return logs
            if stop == "epoch":
                break
        source.end_epoch()
        if source.is_dataset and source.steps is not None and done < source.steps and not model.stop_training:
            warnings.warn(
                f"fit(): the pass over {source.kind} ({source.num_batches} batches) ended after {done} batches of "
                f"epoch {epoch + 1}, fewer than steps_per_epoch={source.steps}; the next epoch starts a new pass (as "
                f"Keras). A steps_per_epoch that divides {source.num_batches} gives epochs of equal length.",
                stacklevel=4)
        if validation is not None and (epoch + 1) % validation_freq == 0:  # Keras counts from epoch 1
            logs.update(validation.logs(model))
        callbacks.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
        if source.exhausted:
            _warn_ran_out(source, epoch, epochs, done)
            break
    return logs


def _warn_ran_out(source, epoch, epochs, done):
    """A generator ran out during fit: say so, unless it ended with the last planned epoch."""
    parts = []
    if done is not None and source.steps is not None and done < source.steps:
        parts.append(f"epoch {epoch + 1} got {done} of its steps_per_epoch={source.steps} batches")
    if epoch + 1 < epochs:
        parts.append(f"training stopped after epoch {epoch + 1} of {epochs}")
    if parts:
        warnings.warn(
            f"fit(): the generator ran out of data after {source.read} batches; {', and '.join(parts)}. A generator "
            "cannot restart: give steps_per_epoch and make it yield at least steps_per_epoch * epochs batches "
            "(e.g. loop with `while True:`), or use a gw.utils.PyDataset, which fit reads again every epoch.",
            stacklevel=5)


# --- evaluate and predict ----------------------------------------------------------------------------
def _warn_short(source, done):
    if source.steps is not None and done < source.steps:
        warnings.warn(f"{source.who}: {source.kind} ran out of data after {done} batches, fewer than "
                      f"{source.steps_name}={source.steps}; the result covers those {done}.", stacklevel=4)


def evaluate(model, data, *, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
             return_dict=False, what="evaluate", steps_name="steps"):
    """Model.evaluate when x is a PyDataset or a generator: one pass (or `steps` batches)."""
    source = Source(data, what, steps, steps_name)
    refuse_array_arguments(source, y=y, sample_weight=sample_weight, batch_size=batch_size)
    verbose = resolve_verbose(verbose)
    custom = model._overrides("test_step")  # the user's test_step runs each batch (as Keras)
    metrics = model.metrics if custom else [m.clone() if hasattr(m, "clone") else m for m in model.compiled_metrics]
    for m in metrics:
        m.reset_state()
    bar = ProgressBar(source.steps_per_epoch, verbose)
    loss_sum, seen, logs, done = 0.0, 0, None, 0
    source.begin_epoch()
    with no_grad():
        for step, batch in source.batches():
            xb, yb, swb = batch_arrays(model, batch, source)
            if step == 0:
                model._build_for(xb)
            if custom:
                logs = model._custom_step_logs("test_step", xb, yb, swb)
                done = step + 1
                bar.update(done, logs)
                continue
            pred = model(xb, training=False)
            loss = model.loss(yb, pred, sample_weight=swb)
            value = float(loss.data) + sum(float(p.data) for p in model.losses)
            loss_sum += value * len(yb)
            seen += len(yb)
            for m in metrics:
                m.update_state(yb, model._output_arrays(pred), model._metric_weight(pred, swb))
            logs = {"loss": loss_sum / seen, **{m.name: metrics_mod.log_value(m) for m in metrics}}
            done = step + 1
            bar.update(done, logs)
    source.end_epoch()
    if logs is None:
        raise ValueError(f"{source.who}: {source.kind} yielded no batches (it was empty or already exhausted).")
    _warn_short(source, done)
    bar.update(done, logs, finalize=True)
    if return_dict:
        return logs
    if custom:
        values = list(logs.values())
        return values[0] if len(values) == 1 else values
    if not metrics:
        return logs["loss"]
    return [logs["loss"]] + [logs[m.name] for m in metrics]


def predict(model, data, *, batch_size=None, verbose="auto", steps=None):
    """Model.predict when x is a PyDataset or a generator; a batch may be x alone or (x, y, ...)."""
    source = Source(data, "predict", steps, "steps")
    refuse_array_arguments(source, batch_size=batch_size)
    verbose = resolve_verbose(verbose)
    bar = ProgressBar(source.steps_per_epoch, verbose)
    outs = []
    source.begin_epoch()
    with no_grad():
        for step, batch in source.batches():
            x = unpack(batch, source, labels=False)[0]
            x = _in_batch(source, model._prepare_inputs, x)
            outs.append(model._output_arrays(model(x, training=False), numpy=True))
            bar.update(step + 1)
    source.end_epoch()
    if not outs:
        raise ValueError(f"predict(): {source.kind} yielded no batches (it was empty or already exhausted).")
    _warn_short(source, len(outs))
    bar.update(len(outs), finalize=True)
    return model._join_batches(outs)
