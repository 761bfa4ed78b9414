"""Model and Sequential: compile, fit, evaluate, predict, summary (Keras's API).

A training step is: forward pass under a GradientTape, loss (+ regularization), gradients
of the trainable weights, one optimizer update in place. When the model ends in softmax
(or sigmoid) and the loss is the matching cross-entropy, the last activation is skipped in
training and the loss is computed from the logits by one fused op (gradient p - y).
"""

import functools
import signal
import threading

import numpy as np

from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from ..autodiff.engine import GradientTape
from ..autodiff.function import no_grad
from ..autodiff.ops import add, softmax, sigmoid
from ..autodiff.tensor import Tensor
from ..callbacks import CallbackList, History, ProgbarLogger
from ..errors import GradwiseError, ShapeError
from ..layers.base import Layer, attach_mask
from ..layers.core import Activation
from ..layers.input import InputLayer, SymbolicTensor
from ..progress import ProgressBar, resolve_verbose
from . import data as data_mod
from . import sources


class NonFiniteLossError(GradwiseError, FloatingPointError):
    """The loss became NaN or inf; the step that produced it was not applied."""


class _CtrlC:
    """While fitting, the first Ctrl-C only raises a flag (fit stops after the current batch);
    a second one interrupts at once. Outside the main thread nothing changes."""

    def __enter__(self):
        self.pressed = False
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame):
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


@functools.lru_cache(maxsize=None)
def _functional_subclass(cls):
    """cls with Functional mixed in after it (same name), for functional subclassed models."""
    from .functional import Functional

    return type(cls.__name__, (cls, Functional), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})


def _unpack(data):
    """A train_step / test_step batch as (x, y, sample_weight): (x,), (x, y) or (x, y, sw)."""
    if not isinstance(data, tuple) or not 1 <= len(data) <= 3:
        raise ValueError(f"a batch is (x, y) or (x, y, sample_weight); got {type(data).__name__}.")
    return (tuple(data) + (None, None))[:3]


class Model(Layer):
    """A trainable stack of layers. Subclass it and write `call(inputs, training=None)`:

        class MLP(gw.Model):
            def __init__(self):
                super().__init__()
                self.hidden = gw.layers.Dense(512, activation="relu")
                self.out = gw.layers.Dense(10, activation="softmax")
            def call(self, x):
                return self.out(self.hidden(x))
    """

    # a model's layers read and attach masks themselves: its output carries whatever mask its
    # last layer left (none added here, and no warning for a masked input)
    supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def __new__(cls, *args, **kwargs):
        """gw.Model(inputs, outputs) makes a functional model (functional.py), as in Keras."""
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional

            cls = Functional
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # a subclass whose __init__ calls super().__init__(inputs, outputs), as Keras allows:
            # the instance becomes functional while keeping its own class and methods
            from .functional import Functional

            if not isinstance(self, Functional):
                self.__class__ = _functional_subclass(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        super().__init__(**kwargs)
        self.optimizer = None
        self.loss = None
        self.compiled_metrics = []
        self.stop_training = False
        self._compiled = False
        self.history = None

    # --- structure ----------------------------------------------------------------------
    @property
    def layers(self):
        return [layer for layer in self._sublayers()]

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in `layers`."""
        layers = self.layers
        if index is not None:
            if name is not None:
                raise ValueError("get_layer takes a name or an index, not both.")
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer(index={index}): model '{self.name}' has {len(layers)} layers "
                                 f"(indices 0 to {len(layers) - 1}).")
            return layers[index]
        if name is None:
            raise ValueError("get_layer needs a layer name or an index, e.g. get_layer('dense') or get_layer(index=0).")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}; layers are: {', '.join(l.name for l in layers)}.")

    def _check_shape(self, shape):
        pass  # the layers check their own inputs

    def build(self, input_shape):
        """Build every layer by a dry run on zeros of `input_shape` (batch axis may be None)."""
        if self.built:
            return
        shape = tuple(1 if n is None else n for n in input_shape)
        with no_grad():
            self.call(Tensor(np.zeros(shape, np.float32)), **self._training_kw(False))
        self.reset_states()  # the dry run must not leave states in stateful layers
        self.built = True
        self._build_shape = (None,) + tuple(input_shape[1:])

    def reset_states(self):
        """Reset every stateful recurrent layer inside (Keras 2's model.reset_states())."""
        stack = self._sublayers()
        while stack:
            layer = stack.pop()
            if isinstance(layer, Model):
                layer.reset_states()
                continue
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
                layer.reset_state()
            stack.extend(layer._sublayers())

    reset_state = reset_states

    def _training_kw(self, training):
        return {"training": training} if self._call_takes("training") else {}

    # --- compile ------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
        """Choose the optimizer, the loss and the metrics (names, objects or functions).

        Unknown names raise an error listing the known ones. Extra Keras arguments such as
        run_eagerly or jit_compile are accepted and have no effect here.
        """
        unknown = set(kwargs) - {"run_eagerly", "jit_compile", "steps_per_execution", "auto_scale_loss",
                                 "weighted_metrics"}
        if unknown:
            raise TypeError(f"compile() got unexpected keyword argument(s): {', '.join(sorted(unknown))}.")
        self.optimizer = optimizers_mod.get(optimizer)
        self.loss = None if loss is None else losses_mod.get(loss)  # None: a custom train_step computes it
        self._metric_ids = list(metrics or [])
        self.compiled_metrics = [metrics_mod.get(m, loss=loss) for m in self._metric_ids]
        self._compile_config = {
            "optimizer": optimizers_mod.serialize(self.optimizer),
            "loss": None if self.loss is None else losses_mod.serialize(self.loss),
            "metrics": [m if isinstance(m, str) else metrics_mod.serialize(m) for m in self._metric_ids],
        }
        self._compiled = True
        self._layers_for_penalties = None  # found again at the next step (see _penalties)
        self._trained_ids = None  # fixed again at the next training step (see _weights_to_train)

    def _require_compiled(self, what, step="train_step"):
        if not self._compiled:
            raise RuntimeError(
                f"You must call model.compile(optimizer=..., loss=...) before {what}()."
            )
        if self.loss is None and not self._overrides(step):
            raise ValueError(
                f"{what}() needs a loss: the model was compiled without one. Pass loss=... to "
                f"compile() (e.g. loss='sparse_categorical_crossentropy'), or override {step}() "
                "to compute it yourself, as in Keras."
            )

    def _penalties(self):
        """self.losses (the regularization penalties) from a list of the model's layers made
        once per compile: walking the layer tree every step cost more than the penalties."""
        layers = self.__dict__.get("_layers_for_penalties")
        if layers is None:
            layers, stack = [], [self]
            while stack:
                layer = stack.pop()
                layers.append(layer)
                stack.extend(layer._sublayers())
            self._layers_for_penalties = layers
        out = []
        for layer in layers:
            found = layer.__dict__
            if found.get("_regularized"):
                out.extend(reg(var) for var, reg in found["_regularized"])
            if found.get("_activity_penalty") is not None:
                out.append(found["_activity_penalty"])
        return out

    def _overrides(self, step):
        """True when a subclass defines its own train_step / test_step (Keras's fit() hook)."""
        return getattr(type(self), step) is not getattr(Model, step)

    def train_step(self, data):
        """One optimizer step on `data` = (x, y) or (x, y, sample_weight); returns the logs.

        fit() calls an override of this once per batch, as Keras does, and shows the dict it
        returns: compute the loss under gw.GradientTape, apply the gradients with
        self.optimizer, update the metrics listed in self.metrics (reset every epoch).
        This default runs the compiled loss, optimizer and metrics on the one batch.
        """
        x, y, sample_weight = _unpack(data)
        return self.train_on_batch(x, y, sample_weight=sample_weight, return_dict=True)

    def test_step(self, data):
        """The logs for one batch `data` = (x, y) or (x, y, sample_weight), weights unchanged;
        evaluate() calls an override of this once per batch and returns its last logs."""
        x, y, sample_weight = _unpack(data)
        with no_grad():
            pred = self(x, training=False)
            value = float(self.loss(y, pred, sample_weight=sample_weight).data)
            value += sum(float(p.data) for p in self.losses)
            for m in self.compiled_metrics:
                m.update_state(y, self._output_arrays(pred), self._metric_weight(pred, sample_weight))
        return {"loss": value, **self._metric_logs()}

    def _custom_step_logs(self, step, xb, yb, swb):
        """Call the user's train_step / test_step on one batch; its logs as Python floats."""
        logs = getattr(self, step)((xb, yb) if swb is None else (xb, yb, swb))
        if not isinstance(logs, dict):
            raise TypeError(f"{type(self).__name__}.{step}() must return a dict of logs, got {type(logs).__name__}.")
        return {k: metrics_mod.log_value(v) if hasattr(v, "result") else float(v) for k, v in logs.items()}

    # --- forward ------------------------------------------------------------------------
    def _logits_head(self):
        """(layer to stop at, loss on logits, activation) when the last activation can be fused."""
        layers = self._call_layers()
        return self._fusable_head(layers[-1]) if layers else None

    def _fusable_head(self, last):
        """The fused head for a model whose output comes from layer `last`, or None."""
        fusable = getattr(self.loss, "with_logits", None)
        if fusable is None:
            return None
        act = getattr(last, "activation", None)
        if act not in (softmax, sigmoid) or not (isinstance(last, Activation) or hasattr(last, "pre_activation")):
            return None
        if getattr(self.loss, "logits_activation", None) != act.__name__:
            return None  # e.g. binary cross-entropy after a softmax: not the matching pair
        logits_loss = self.loss.with_logits()
        if logits_loss is None:
            return None
        return last, logits_loss, act

    def _call_layers(self):
        """The layers in call order when the model is a plain chain (Sequential), else None."""
        return None

    # --- data hooks: a functional model with several inputs/outputs overrides these -------
    def _prepare_data(self, x, y, sample_weight, what):
        """(x, y, sample_weight) checked and converted (data.prepare) before any work."""
        return data_mod.prepare(x, y, sample_weight, what)

    def _prepare_inputs(self, x):
        return data_mod.as_array(x, "x")

    def _output_arrays(self, out, numpy=False):
        """The model's output as arrays (backend arrays for metrics, NumPy for predict)."""
        return out.numpy() if numpy else out.data

    def _metric_weight(self, out, sample_weight):
        """The metrics' sample weight: sample_weight times the output's mask, if it carries one
        (as Keras: the masked steps of a sequence output do not count)."""
        mask = getattr(out, "_keras_mask", None)
        if mask is None:
            return sample_weight
        weight = np.asarray(mask, dtype=np.float32)
        if sample_weight is None:
            return weight
        sw = np.asarray(sample_weight, dtype=np.float32)
        return sw.reshape(sw.shape + (1,) * (weight.ndim - sw.ndim)) * weight

    def _join_batches(self, outs):
        return np.concatenate(outs, axis=0)

    def _weights_to_train(self):
        """The trainable weights; compile() fixes them at the first training step after it.

        As in Keras 3, changing `trainable` takes effect at the next compile(): a change made
        after training has started raises instead of being silently ignored (Keras's JAX
        backend refuses too). Changes between compile() and the first fit are picked up.
        """
        variables = self.trainable_weights
        ids = [id(v) for v in variables]
        before = getattr(self, "_trained_ids", None)
        if before is None:
            self._trained_ids = ids
        elif ids != before:
            now, then = set(ids), set(before)
            frozen = [v.name for v in self.weights if id(v) in then - now]
            thawed = [v.name for v in self.weights if id(v) in now - then]
            change = "; ".join(part for part in (
                f"now frozen: {', '.join(frozen[:4])}{' ...' if len(frozen) > 4 else ''}" if frozen else "",
                f"now trainable: {', '.join(thawed[:4])}{' ...' if len(thawed) > 4 else ''}" if thawed else "") if part)
            raise RuntimeError(
                f"The trainable weights of model '{self.name}' changed since it was compiled and trained ({change}). "
                "As in Keras 3, compile() fixes what trains: call model.compile(...) again after setting "
                "`trainable` (a new optimizer, e.g. a lower learning rate for fine-tuning, is usual)."
            )
        return variables

    def _forward_logits(self, x, head):
        """Forward pass in training mode up to the logits of the fused head."""
        last = head[0]
        for layer in self._call_layers():
            if layer is last:
                if isinstance(layer, Activation):
                    return x
                logits = layer.pre_activation(x)  # a Dense: its output keeps the input's mask
                attach_mask(logits, getattr(x, "_keras_mask", None))
                return logits
            x = layer(x, training=True)
        raise AssertionError("unreachable")

    def __call__(self, inputs, training=None, **kwargs):
        if not self.built and not isinstance(inputs, SymbolicTensor):
            shape = np.shape(inputs.data if isinstance(inputs, Tensor) else inputs)
            self._build_shape = (None,) + tuple(shape[1:])
        return super().__call__(inputs, training=training, **kwargs)

    # --- training -----------------------------------------------------------------------
    def _train_step(self, xb, yb, swb, variables, head):
        with GradientTape() as tape:
            if head is not None:
                out = self._forward_logits(Tensor._from_array(xb, None), head)
                loss = head[1](yb, out, sample_weight=swb)
            else:
                out = self(xb, training=True)
                loss = self.loss(yb, out, sample_weight=swb)
            penalties = self._penalties()
            if penalties:
                loss = add(loss, sum(penalties[1:], penalties[0]))
        value = float(loss.data)
        if not np.isfinite(value):
            return value, None, swb
        grads = tape.gradient(loss, variables)
        self.optimizer.apply(grads, variables)
        metric_weight = self._metric_weight(out, swb)
        if head is not None:
            with no_grad():
                out = head[2](out)
        return value, self._output_arrays(out), metric_weight

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Train for `epochs` passes over (x, y) in mini-batches; returns a History.

        Checks the data before any weight changes (lengths, emptiness, NaN/inf, label
        range and one-hot width for cross-entropies). A loss that becomes NaN/inf stops
        training at that step with NonFiniteLossError, keeping the last finite weights.

        x may also be a gw.utils.PyDataset or a generator yielding (x, y) or (x, y,
        sample_weight) batches, and validation_data a PyDataset or a generator read for
        validation_steps batches; see gradwise/models/sources.py for Keras 3's rules.
        """
        self._require_compiled("fit")
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s): {', '.join(sorted(kwargs))}.")
        if sources.is_source(x):
            return sources.fit(self, x, y=y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                               callbacks=callbacks, validation_split=validation_split,
                               validation_data=validation_data, shuffle=shuffle, class_weight=class_weight,
                               sample_weight=sample_weight, initial_epoch=initial_epoch,
                               steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                               validation_batch_size=validation_batch_size, validation_freq=validation_freq)
        batch_size = data_mod.check_batch_size(batch_size)
        x, y, sample_weight = self._prepare_data(x, y, sample_weight, "fit")
        if validation_data is None and validation_split:
            x, y, sample_weight, validation_data = data_mod.split_validation(x, y, sample_weight, validation_split)
        self._build_for(x)
        data_mod.check_targets(self, y)
        runs = sum((e + 1) % validation_freq == 0 for e in range(initial_epoch, epochs))
        validation_data = sources.prepare_validation(self, validation_data, validation_steps, batch_size,
                                                     validation_batch_size, runs)
        if class_weight is not None:
            sample_weight = data_mod.apply_class_weight(y, class_weight, sample_weight)

        steps = int(np.ceil(len(x) / batch_size)) if steps_per_epoch is None else int(steps_per_epoch)
        verbose = resolve_verbose(verbose)
        history = History()
        cbs = ([ProgbarLogger(verbose)] if verbose else []) + list(callbacks or []) + [history]
        params = {"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size, "samples": len(x)}
        callbacks = CallbackList(cbs, model=self, params=params)
        variables = self._weights_to_train()
        head = self._logits_head()
        self.stop_training = False
        self.history = history
        self._initial_epoch = None
        callbacks.on_train_begin()
        start = max(initial_epoch, self._initial_epoch or 0)  # a BackupAndRestore may resume later
        logs = {}
        with _CtrlC() as interrupt:
            logs = self._epochs(x, y, sample_weight, validation_data, validation_freq, batch_size, steps, start,
                                epochs, shuffle, callbacks, variables, head, interrupt)
        callbacks.on_train_end(logs)
        return history

    def _epochs(self, x, y, sample_weight, validation_data, validation_freq, batch_size, steps, start, epochs,
                shuffle, callbacks, variables, head, interrupt):
        n = len(x)
        logs = {}
        for epoch in range(start, epochs):
            for m in self.metrics:
                m.reset_state()
            callbacks.on_epoch_begin(epoch)
            order = data_mod.epoch_order(n, shuffle)
            totals = [0.0, 0]  # loss sum and samples seen this epoch
            for step in range(steps):
                idx = data_mod.batch_index(order, step, batch_size, n)
                swb = None if sample_weight is None else sample_weight[idx]
                logs, stop = self._fit_batch(epoch, step, x[idx], y[idx], swb, variables, head, callbacks,
                                             interrupt, totals)
                if stop == "fit":
                    return logs
                if stop == "epoch":
                    break
            if validation_data is not None and (epoch + 1) % validation_freq == 0:  # Keras counts from epoch 1
                logs.update(validation_data.logs(self))  # a sources.Validation (arrays, PyDataset or generator)
            callbacks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        return logs

    def _fit_batch(self, epoch, step, xb, yb, swb, variables, head, callbacks, interrupt, totals):
        """One training batch with its callbacks (arrays and batch sources share it).

        Returns the logs and what to stop: "fit" (Ctrl-C), "epoch" (stop_training set by a
        callback), or None. `totals` = [loss sum, samples] of the epoch, updated in place.
        """
        callbacks.on_train_batch_begin(step)
        if self._overrides("train_step"):
            logs = self._custom_step_logs("train_step", xb, yb, swb)
            callbacks.on_train_batch_end(step, logs)
            if interrupt.pressed:
                self._stop_on_interrupt(callbacks, epoch, step, logs)
                return logs, "fit"
            return logs, ("epoch" if self.stop_training else None)
        value, pred, metric_weight = self._train_step(xb, yb, swb, variables, head)
        if pred is None:
            logs = {"loss": value, **self._metric_logs()}
            callbacks.on_train_batch_end(step, logs)  # a TerminateOnNaN stops training here
            if self.stop_training:
                return logs, "epoch"
            raise NonFiniteLossError(
                f"The loss became {value} at epoch {epoch + 1}, batch {step + 1}; that update was not "
                "applied, so the weights are the last finite ones. Try a lower learning rate, "
                "scale the inputs (e.g. divide pixels by 255), or check the data for extreme values."
            )
        totals[0] += value * len(yb)
        totals[1] += len(yb)
        for m in self.compiled_metrics:
            m.update_state(yb, pred, metric_weight)
        logs = {"loss": totals[0] / totals[1], **self._metric_logs()}
        callbacks.on_train_batch_end(step, logs)
        if interrupt.pressed:
            self._stop_on_interrupt(callbacks, epoch, step, logs)
            return logs, "fit"
        return logs, ("epoch" if self.stop_training else None)  # a batch hook may end the epoch (as Keras)

    def _stop_on_interrupt(self, callbacks, epoch, step, logs):
        """Ctrl-C: the current batch has finished; write checkpoints, say where, stop cleanly."""
        written = []
        for cb in callbacks.callbacks:
            hook = getattr(cb, "on_interrupt", None)
            if hook is not None:
                path = hook(epoch, step, logs)
                if path:
                    written.append(str(path))
        where = f"; checkpoint written to {', '.join(written)}" if written else (
            "; the weights in memory are kept (add a ModelCheckpoint or BackupAndRestore callback to "
            "write them to disk)")
        print(f"\nTraining interrupted by the user at epoch {epoch + 1}, batch {step + 1}: stopped after that "
              f"batch{where}.", flush=True)
        self.stop_training = True

    def _metric_logs(self):
        return {m.name: metrics_mod.log_value(m) for m in self.compiled_metrics}

    def _build_for(self, x):
        if not self.built:
            self.build((None,) + tuple(x.shape[1:]))

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, return_dict=False,
                 callbacks=None, steps=None, **kwargs):
        """Loss (and metrics) on (x, y): a scalar without metrics, else [loss, *metrics] (as Keras).

        x may be a gw.utils.PyDataset or a generator of (x, y[, sample_weight]) batches, read
        for `steps` batches (default: to its end); see sources.py.
        """
        self._require_compiled("evaluate", "test_step")
        if sources.is_source(x):
            return sources.evaluate(self, x, y=y, batch_size=batch_size, verbose=verbose, sample_weight=sample_weight,
                                    steps=steps, return_dict=return_dict)
        batch_size = data_mod.check_batch_size(batch_size)
        x, y, sample_weight = self._prepare_data(x, y, sample_weight, "evaluate")
        self._build_for(x)
        data_mod.check_targets(self, y)
        verbose = resolve_verbose(verbose)
        metrics = [m.clone() if hasattr(m, "clone") else m for m in self.compiled_metrics]
        for m in metrics:
            m.reset_state()
        n = len(x)
        steps = min(int(np.ceil(n / batch_size)), sources.check_steps(steps, "steps", "evaluate()") or n)  # a cap
        bar = ProgressBar(steps, verbose)
        if self._overrides("test_step"):
            return self._evaluate_with_test_step(x, y, sample_weight, batch_size, steps, bar, return_dict)
        loss_sum = 0.0
        with no_grad():
            for step in range(steps):
                sl = slice(step * batch_size, min(n, (step + 1) * batch_size))
                yb = y[sl]
                swb = None if sample_weight is None else sample_weight[sl]
                pred = self(x[sl], training=False)
                loss = self.loss(yb, pred, sample_weight=swb)
                penalties = self.losses
                value = float(loss.data) + sum(float(p.data) for p in penalties)
                loss_sum += value * len(yb)
                for m in metrics:
                    m.update_state(yb, self._output_arrays(pred), self._metric_weight(pred, swb))
                logs = {"loss": loss_sum / min(n, (step + 1) * batch_size),
                        **{m.name: metrics_mod.log_value(m) for m in metrics}}
                bar.update(step + 1, logs, finalize=step + 1 == steps)
        if return_dict:
            return logs
        if not metrics:
            return logs["loss"]
        return [logs["loss"]] + [logs[m.name] for m in metrics]

    def _evaluate_with_test_step(self, x, y, sample_weight, batch_size, steps, bar, return_dict):
        """evaluate() through the user's test_step: one call per batch, its last logs returned
        (metrics in self.metrics are reset first and keep running over the batches, as Keras)."""
        for m in self.metrics:
            m.reset_state()
        n, logs = len(x), {}
        with no_grad():
            for step in range(steps):
                sl = slice(step * batch_size, min(n, (step + 1) * batch_size))
                swb = None if sample_weight is None else sample_weight[sl]
                logs = self._custom_step_logs("test_step", x[sl], y[sl], swb)
                bar.update(step + 1, logs, finalize=step + 1 == steps)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", callbacks=None, steps=None):
        """Outputs for x as a NumPy array, computed in batches with no graph recorded.

        x may be a gw.utils.PyDataset or a generator of batches (x alone or (x, y, ...)), read
        for `steps` batches (default: to its end); see sources.py.
        """
        if sources.is_source(x):
            return sources.predict(self, x, batch_size=batch_size, verbose=verbose, steps=steps)
        batch_size = data_mod.check_batch_size(batch_size)
        x = self._prepare_inputs(x)
        if len(x) == 0:
            raise ValueError("predict() got no samples (x is empty).")
        verbose = resolve_verbose(verbose)
        steps = min(int(np.ceil(len(x) / batch_size)), sources.check_steps(steps, "steps", "predict()") or len(x))
        bar = ProgressBar(steps, verbose)
        outs = []
        with no_grad():
            for step in range(steps):
                outs.append(self._output_arrays(self(x[step * batch_size:(step + 1) * batch_size], training=False),
                                                numpy=True))
                bar.update(step + 1, finalize=step + 1 == steps)
        return self._join_batches(outs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the loss (and metrics) for that batch."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = self._prepare_data(x, y, sample_weight, "train_on_batch")
        self._build_for(x)
        data_mod.check_targets(self, y)
        if class_weight is not None:
            sample_weight = data_mod.apply_class_weight(y, class_weight, sample_weight)
        for m in self.compiled_metrics:
            m.reset_state()
        value, pred, metric_weight = self._train_step(x, y, sample_weight, self._weights_to_train(),
                                                      self._logits_head())
        if pred is None:
            raise NonFiniteLossError(f"The loss became {value} on this batch; the update was not applied.")
        for m in self.compiled_metrics:
            m.update_state(y, pred, metric_weight)
        logs = {"loss": value, **self._metric_logs()}
        if return_dict:
            return logs
        return value if not self.compiled_metrics else [value] + [logs[m.name] for m in self.compiled_metrics]

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on one batch without updating anything."""
        return self.evaluate(x, y, batch_size=len(self._prepare_inputs(x)),
                             verbose=0, sample_weight=sample_weight, return_dict=return_dict)

    def predict_on_batch(self, x):
        """Outputs for one batch as a NumPy array."""
        with no_grad():
            return self._join_batches([self._output_arrays(self(self._prepare_inputs(x), training=False), numpy=True)])

    # --- description --------------------------------------------------------------------
    def summary(self, print_fn=None):
        """Print a Keras-like table: layer (type), output shape, parameter count, totals."""
        from .summary import summary_text

        (print_fn or print)(summary_text(self))

    # --- saving -------------------------------------------------------------------------
    def save(self, filepath):
        """Write architecture, weights, compile config and optimizer state to one .gw file."""
        from ..saving import save_model

        save_model(self, filepath)

    def save_weights(self, filepath):
        """Write only the weights (an .npz archive; loads with load_weights)."""
        from ..saving import save_weights

        save_weights(self, filepath)

    def load_weights(self, filepath):
        """Read weights written by save_weights (or a whole .gw model file)."""
        from ..saving import load_weights

        load_weights(self, filepath)

    def to_json(self, **kwargs):
        """The architecture (no weights) as a JSON string; gw.models.model_from_json rebuilds it."""
        from ..saving import model_to_json

        return model_to_json(self, **kwargs)

    def get_compile_config(self):
        """The compile() arguments as plain values (None before compile), as Keras."""
        from ..saving import _current_compile_config

        return _current_compile_config(self)

    def compile_from_config(self, config):
        """compile() from get_compile_config()'s result (a fresh optimizer)."""
        from ..saving import compile_from_config

        compile_from_config(self, config)

    @property
    def metrics(self):
        """The compiled metrics (Keras also lists the loss tracker first; here it is 'loss' in the logs)."""
        return list(self.compiled_metrics)

    @property
    def metrics_names(self):
        """Names of evaluate()'s outputs in order: 'loss', then the metrics' names."""
        return ["loss"] + [m.name for m in self.compiled_metrics]


class Sequential(Model):
    """A plain stack of layers, each feeding the next: `Sequential([Dense(512, "relu"), Dense(10)])`."""

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._layers = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append a layer (an Input placeholder fixes the input shape)."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.layer, InputLayer):
            layer = layer.layer
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add takes a layer, got {type(layer).__name__}.")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An Input/InputLayer must be the first entry of a Sequential model.")
            self._input_layer = layer
            self._build_shape = layer._build_shape
            return
        self._layers.append(layer)
        self.built = False
        hint = self._build_shape if len(self._layers) == 1 and self._input_layer else None
        hint = hint or (layer.input_shape_hint if len(self._layers) == 1 else None)
        if hint is not None:
            self.build(hint)
        elif self._build_shape is not None and self._input_layer is not None:
            self.build(self._input_layer._build_shape)

    def pop(self):
        """Remove the last layer."""
        layer = self._layers.pop()
        if self._layers and self._input_layer is not None and self.built:
            self._connect(self._input_layer._build_shape)
        return layer

    # --- the symbolic graph (Keras builds one too): model.inputs, outputs, layer.output ------
    def _connect(self, input_shape):
        from .functional import connect_chain

        self._graph_output = connect_chain(self, input_shape)

    def _graph(self, what):
        out = getattr(self, "_graph_output", None)
        if out is None:
            raise AttributeError(
                f"Sequential model '{self.name}' has no symbolic {what} yet: build it first, by starting it with "
                "gw.Input(shape=...), calling model.build((None, ...)), or calling it on data."
            )
        return out

    @property
    def inputs(self):
        self._graph("inputs")
        return [self._input_layer.output]

    @property
    def outputs(self):
        return [self._graph("outputs")]

    @property
    def input(self):
        self._graph("input")
        return self._input_layer.output

    @property
    def output(self):
        return self._graph("output")

    @property
    def input_shape(self):
        """(None, ...) of the input, once the model knows it (Keras's model.input_shape)."""
        return tuple(self.input.shape)

    @property
    def output_shape(self):
        return tuple(self.output.shape)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def layers(self):
        return list(self._layers)

    def _sublayers(self):
        return list(self._layers)

    def _call_layers(self):
        return self._layers

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def build(self, input_shape):
        if not self._layers:
            self._build_shape = tuple(input_shape)
            return
        was_built = self.built
        super().build(input_shape)
        if not was_built:
            self._connect(input_shape)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [{"class_name": type(l).__name__, "config": l.get_config()} for l in self._layers],
            "build_input_shape": list(self._build_shape) if self._build_shape else None,
        }
