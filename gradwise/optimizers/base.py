"""The Optimizer base class: everything an optimizer does except its update rule.

An optimizer is slots plus one update rule (as in Keras's sgd.py / adam.py). A subclass
declares its slots (`_slot_names`), may compute per-step scalars once (`_step_scalars`,
e.g. Adam's bias-corrected step size) and calls its rule, a plain function over arrays that
updates the parameter and the slots in place. The base class owns the rest, in Keras 3's
order for every `apply`:

    1. drop (gradient, variable) pairs whose gradient is None (with a warning)
    2. unscale gradients by `loss_scale_factor`
    3. [gradient accumulation: add to the accumulators; update only every N-th call]
    4. clip: `clipnorm` per variable, `global_clipnorm` over all, or `clipvalue` element-wise
    5. decoupled weight decay: w <- w - w * weight_decay * lr
    6. the update rule, one call per variable
    7. exponential moving average of the weights (`use_ema`), then variable constraints
    8. iterations += 1

Slots are non-trainable gw.Variables named "{variable name}_{slot}", created on the first
`apply` (or by `build(variables)`), one set per variable. A fused kernel with the same
signature as a rule (e.g. a numba version selected in backend.py) can replace it by setting
the class attribute, `RMSprop.update_rule = staticmethod(fused_rmsprop_update)`, without
touching anything else.
"""

import inspect
import math
import numbers
import re
import warnings
from collections import Counter

import numpy as np

from .. import backend
from ..autodiff.tensor import Tensor, Variable
from ..errors import DTypeError, ShapeError
from . import schedules

_NAME_COUNTS = Counter()
backend._session_resets.append(_NAME_COUNTS.clear)


def _snake_case(name):
    """Keras's to_snake_case: "RMSprop" -> "rm_sprop", "AdamW" -> "adam_w"."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _auto_name(class_name):
    """A unique snake_case name: "adam", then "adam_1", "adam_2", ... (Keras's auto_name)."""
    base = _snake_case(class_name)
    count = _NAME_COUNTS[base]
    _NAME_COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def check_number(owner, arg, value, low=None, high=None, low_open=False, high_open=False,
                 allow_none=False):
    """Validate a hyper-parameter; the ValueError names the optimizer, argument and value."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(f"{owner}: `{arg}` must be a float; received {arg}={value!r}.")
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    span = f"{lo}{low if low is not None else '-inf'}, {high if high is not None else 'inf'}{hi}"
    if (low is not None and (value < low or (low_open and value == low))) or \
            (high is not None and (value > high or (high_open and value == high))):
        raise ValueError(f"{owner}: `{arg}` must be in {span}; received {arg}={value!r}.")
    return float(value)


def _takes_step(fn):
    """True if a learning-rate callable wants the step (`schedule(step)`), False for `fn()`.

    Keras calls a LearningRateSchedule with the iteration count and a plain callable with no
    argument; gradwise accepts both forms and tells them apart by the signature.
    """
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    required = [p for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return bool(required) or any(p.kind is p.VAR_POSITIONAL for p in params)


def global_norm(arrays):
    """sqrt(sum of squares of every element of every array) (None entries are skipped)."""
    total = 0.0
    for a in arrays:
        if a is not None:
            flat = a.reshape(-1)
            total += float(np.vdot(flat, flat))
    return math.sqrt(total)


class Optimizer:
    """Base class of gradwise optimizers (Keras 3's `keras.optimizers.Optimizer`).

    Args (shared by every optimizer):
        learning_rate: a float >= 0, or a callable: `schedule(step)` (evaluated at the
            current iteration each step, like a Keras LearningRateSchedule) or `fn()`.
        weight_decay: float or None (default). If set, decoupled weight decay
            `w <- w - w * weight_decay * lr` is applied to every variable before its update
            (`exclude_from_weight_decay` can exempt some).
        clipnorm: float or None. Each gradient is rescaled so its L2 norm is at most this.
        clipvalue: float or None. Each gradient element is clipped to [-clipvalue, clipvalue].
        global_clipnorm: float or None. All gradients are rescaled together so that their
            joint L2 norm is at most this. Only one of the three clipping options may be set.
        use_ema: bool (default False). Keep an exponential moving average of the weights:
            `average <- ema_momentum * average + (1 - ema_momentum) * w` after each step (the
            first step copies w); every `ema_overwrite_frequency` steps, or at
            `finalize_variable_values`, the weights are replaced by their averages.
        ema_momentum: float in [0, 1], default 0.99.
        ema_overwrite_frequency: int >= 1 or None (default).
        loss_scale_factor: float or None. Gradients are divided by it before anything else
            (multiply the loss by it with `scale_loss`).
        gradient_accumulation_steps: int >= 2 or None. Accumulate gradients and update the
            weights only every N-th call, with the mean of the N gradients; `iterations`
            then counts updates (schedules still see every call).
        name: str; default a unique snake_case name ("adam", "adam_1", ...).

    Using an optimizer (custom loop, or PyTorch style with `.grad`):

        opt = gw.optimizers.Adam(learning_rate=1e-3)
        with gw.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))

        loss_fn(model(x), y).backward()      # or PyTorch style: gradients in .grad
        opt.step(model.trainable_variables)
        opt.zero_grad()

    `get_state()` / `set_state(state)` save and restore the iteration count and slots, so
    that training resumes bit-identically.

    Writing one: subclass, call `super().__init__(learning_rate, **kwargs)` first, set
    `_slot_names` (a tuple, or a property depending on options), and implement
    `_update_variable(param, grad, slots, scalars, tmp)` which calls the update rule on the
    arrays; override `_step_scalars(lr)` for per-step constants and `get_config`.
    """

    _slot_names = ()
    _slot_initial_value = 0.0
    _n_tmp = 1  # scratch arrays per variable the update rule needs

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored "
                          "(use a learning-rate schedule).", stacklevel=3)
        if kwargs:
            raise ValueError(f"{owner}: argument(s) not recognized: {kwargs}.")
        self.name = name if name is not None else _auto_name(owner)
        self.weight_decay = check_number(owner, "weight_decay", weight_decay, low=0.0,
                                         allow_none=True)
        self.clipnorm = check_number(owner, "clipnorm", clipnorm, low=0.0, allow_none=True)
        self.clipvalue = check_number(owner, "clipvalue", clipvalue, low=0.0, allow_none=True)
        self.global_clipnorm = check_number(owner, "global_clipnorm", global_clipnorm, low=0.0,
                                            allow_none=True)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}."
            )
        self.use_ema = bool(use_ema)
        self.ema_momentum = check_number(owner, "ema_momentum", ema_momentum, 0.0, 1.0)
        if ema_overwrite_frequency is not None and (
                isinstance(ema_overwrite_frequency, bool)
                or not isinstance(ema_overwrite_frequency, numbers.Integral)
                or ema_overwrite_frequency < 1):
            raise ValueError(f"{owner}: `ema_overwrite_frequency` must be an int >= 1 or None; "
                             f"received ema_overwrite_frequency={ema_overwrite_frequency!r}.")
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = check_number(owner, "loss_scale_factor", loss_scale_factor,
                                              low=0.0, low_open=True, allow_none=True)
        if gradient_accumulation_steps and (
                isinstance(gradient_accumulation_steps, bool)
                or not isinstance(gradient_accumulation_steps, numbers.Integral)
                or gradient_accumulation_steps < 2):
            raise ValueError(f"{owner}: `gradient_accumulation_steps` must be an int >= 2; "
                             f"received gradient_accumulation_steps={gradient_accumulation_steps!r}.")
        self.gradient_accumulation_steps = gradient_accumulation_steps or None

        self._iterations = 0
        self._lr = None
        self._lr_takes_step = False
        self.learning_rate = learning_rate

        self.built = False
        self._variables = []  # the model variables, in build order
        self._index = {}  # id(variable) -> position
        self._slots = []  # per variable: {slot name: array}, arrays owned by the slot Variables
        self._slot_variables = []  # every slot Variable, in state order
        self._tmp = []  # per variable: tuple of scratch views into shared buffers
        self._dtypes = []
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._decay_cache = {}

    # --- learning rate and iterations -------------------------------------------------------
    @property
    def iterations(self):
        """Number of updates applied so far (an int; with gradient accumulation, updates
        rather than calls)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @property
    def learning_rate(self):
        """The learning rate for the next step (a schedule is evaluated at `iterations`)."""
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        owner = type(self).__name__
        if callable(value):
            self._lr, self._lr_takes_step = value, _takes_step(value)
            return
        if callable(self._lr):
            raise TypeError(
                f"{owner} was created with a learning-rate schedule, so its learning rate "
                "cannot be set to a number. Create the optimizer with a float learning_rate "
                "if it must be settable, or assign another schedule."
            )
        if isinstance(value, Tensor):
            value = value.item()
        self._lr = check_number(owner, "learning_rate", value, low=0.0)

    def _current_learning_rate(self):
        lr = self._lr
        if callable(lr):
            lr = lr(self._iterations) if self._lr_takes_step else lr()
            lr = float(lr.item() if isinstance(lr, Tensor) else lr)
        return lr

    # --- building slots ---------------------------------------------------------------------
    def build(self, variables):
        """Create the slots for these variables (done by the first `apply`; later calls do
        nothing). Each variable gets its own slots, of its shape and dtype."""
        if self.built:
            return
        variables = list(variables)
        xp = backend.xp
        biggest = {}
        for i, var in enumerate(variables):
            if not isinstance(var, Variable):
                raise TypeError(
                    f"{type(self).__name__} updates gw.Variable objects in place; received "
                    f"{type(var).__name__} at position {i}. Wrap the array: gw.Variable(array)."
                )
            if var.data.dtype.kind != "f":
                raise DTypeError(f"{type(self).__name__} can only update floating-point "
                                 f"variables; '{var.name}' has dtype {var.data.dtype}.")
            if id(var) in self._index:
                raise ValueError(f"Variable '{var.name}' appears twice in the list given to "
                                 f"{type(self).__name__}.build().")
            self._index[id(var)] = i
            dt = var.data.dtype
            biggest[dt] = max(biggest.get(dt, 0), var.data.size)
        names = self._all_slot_names()
        for var in variables:
            slots = {}
            for slot in names:
                init = self._slot_initial_value if slot in self._slot_names else 0.0
                value = xp.full(var.data.shape, init, dtype=var.data.dtype)
                slot_var = Variable(value, dtype=var.data.dtype, trainable=False,
                                    name=f"{var.name}_{slot}")
                slots[slot] = slot_var.data
                self._slot_variables.append(slot_var)
            self._slots.append(slots)
        buffers = {dt: [xp.empty(n, dtype=dt) for _ in range(self._n_tmp)]
                   for dt, n in biggest.items()}
        for var in variables:
            shape, size = var.data.shape, var.data.size
            self._tmp.append(tuple(b[:size].reshape(shape) for b in buffers[var.data.dtype]))
        self._variables = variables
        self._dtypes = list(biggest)  # the variables' dtypes (per-step scalars may depend on it)
        self.built = True

    def _all_slot_names(self):
        """Slot names per variable, in state order: base slots first, then the rule's."""
        names = []
        if self.use_ema:
            names.append("average")
        if self.gradient_accumulation_steps:
            names.append("gradient_accumulator")
        return names + list(self._slot_names)

    @property
    def variables(self):
        """The optimizer's slot Variables, by variable order then slot (see get_state).
        Unlike Keras, the iteration count and learning rate are not listed here."""
        return list(self._slot_variables)

    # --- applying gradients -----------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply (gradient, variable) pairs, e.g. `zip(grads, model.trainable_variables)`.
        Returns the iteration count."""
        pairs = list(grads_and_vars)
        if not pairs:
            raise ValueError("apply_gradients() received no (gradient, variable) pairs.")
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self.iterations

    def apply(self, grads, trainable_variables=None):
        """Update `trainable_variables` (or the variables given to `build`) with `grads`.

        Gradients may be gw.Tensors or arrays; a None gradient skips its variable (with a
        warning). The first call builds the slots.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    f"{type(self).__name__}.apply(grads) without variables needs a built "
                    "optimizer: call optimizer.build(trainable_variables) first, or pass "
                    "the variables: optimizer.apply(grads, trainable_variables)."
                )
            if len(grads) != len(self._variables):
                raise ValueError(
                    f"{type(self).__name__}.apply received {len(grads)} gradients but was "
                    f"built with {len(self._variables)} variables; they must match one to one."
                )
            trainable_variables = self._variables
        else:
            trainable_variables = list(trainable_variables)
            if len(grads) != len(trainable_variables):
                raise ValueError(f"{type(self).__name__}.apply received {len(grads)} gradients "
                                 f"for {len(trainable_variables)} variables.")
            if not self.built:
                self.build(trainable_variables)
            for v in trainable_variables:
                if id(v) not in self._index:
                    raise ValueError(
                        f"Unknown variable '{getattr(v, 'name', v)}': {type(self).__name__} "
                        "can only update the variables it was built with. Create a new "
                        "optimizer for a new set of variables."
                    )

        indices, arrays, missing = [], [], []
        for g, v in zip(grads, trainable_variables):
            if g is None:
                missing.append(v.name)
                continue
            indices.append(self._index[id(v)])
            arrays.append(self._as_gradient(g, v))
        if not arrays:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss; they are not updated.", stacklevel=2)
        if self.loss_scale_factor is not None:
            arrays = [g / self.loss_scale_factor for g in arrays]

        lr = self._current_learning_rate()
        steps = self.gradient_accumulation_steps
        if steps:
            accs = [self._slots[i]["gradient_accumulator"] for i in indices]
            if (self._iterations + 1) % steps == 0:
                arrays = [(g + acc) / steps for g, acc in zip(arrays, accs)]
                self._update(arrays, indices, lr)
                for acc in accs:
                    acc[...] = 0
            else:
                for g, acc in zip(arrays, accs):
                    acc += g
        else:
            self._update(arrays, indices, lr)

        if self.use_ema:
            self._update_moving_averages()
        for i in indices:
            var = self._variables[i]
            constraint = getattr(var, "constraint", None)
            if constraint is not None:
                var.assign(constraint(var))
        self._iterations += 1

    def _as_gradient(self, g, var):
        arr = g.data if isinstance(g, Tensor) else g
        param = var.data
        if not hasattr(arr, "dtype") or arr.dtype != param.dtype:
            arr = backend.xp.asarray(arr, dtype=param.dtype)
        if arr.shape != param.shape:
            raise ShapeError(f"{type(self).__name__}: gradient of shape {arr.shape} does not "
                             f"match variable '{var.name}' of shape {param.shape}.")
        return arr

    def _update(self, grads, indices, lr):
        """Clip, decay and run the update rule over the variables (one call each)."""
        grads = self._clip_gradients(grads)
        if self.weight_decay:
            factor = self.weight_decay * lr
            for i in indices:
                if self._use_weight_decay(self._variables[i]):
                    param, tmp = self._variables[i].data, self._tmp[i][0]
                    np.multiply(param, factor, out=tmp)  # w <- w - w * wd * lr
                    param -= tmp
        scalars = self._step_scalars(lr)
        for g, i in zip(grads, indices):
            self._update_variable(self._variables[i].data, g, self._slots[i], scalars,
                                  self._tmp[i])

    def _step_scalars(self, lr):
        """Per-step constants computed once for all variables (default: the learning rate)."""
        return lr

    def _update_variable(self, param, grad, slots, scalars, tmp):
        raise NotImplementedError(f"{type(self).__name__} must implement _update_variable.")

    def _clip_gradients(self, grads):
        """Clip as Keras does, including its float rounding (so results match bit for bit)."""
        if self.clipnorm:
            c = self.clipnorm
            return [np.divide(g * c, max(global_norm([g]), c)) for g in grads]
        if self.global_clipnorm:
            dt = grads[0].dtype.type
            c = dt(self.global_clipnorm)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                norm = dt(global_norm(grads))
                scale = c * min(dt(1) / norm, dt(1) / c) + (norm - norm)  # NaN if norm is not finite
            return [g * scale for g in grads]
        if self.clipvalue:
            c = self.clipvalue
            return [backend.xp.clip(g, -c, c) for g in grads]
        return grads

    # --- weight decay exclusions ------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables from weight decay: those in `var_list`, and those whose name
        contains any of the strings in `var_names` (e.g. var_names=["bias"])."""
        self._exclude_ids = {id(v) for v in (var_list or ())}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._decay_cache = {}

    def _use_weight_decay(self, var):
        key = id(var)
        if key not in self._decay_cache:
            excluded = key in self._exclude_ids or (
                self._exclude_pattern is not None
                and self._exclude_pattern.search(var.name) is not None)
            self._decay_cache[key] = not excluded
        return self._decay_cache[key]

    # --- moving average of the weights ------------------------------------------------------
    def _update_moving_averages(self):
        momentum = self.ema_momentum if self.iterations != 0 else 0.0
        for var, slots, tmp in zip(self._variables, self._slots, self._tmp):
            average = slots["average"]
            average *= momentum
            np.multiply(var.data, 1.0 - momentum, out=tmp[0])
            average += tmp[0]
        freq = self.ema_overwrite_frequency
        if freq and (self.iterations + 1) % freq == 0:
            self.finalize_variable_values(self._variables)

    def finalize_variable_values(self, var_list):
        """With use_ema, replace the weights by their moving averages (end of training)."""
        if not self.use_ema:
            return
        for var in var_list:
            var.data[...] = self._slots[self._index[id(var)]]["average"]

    def scale_loss(self, loss):
        """loss * loss_scale_factor (if set): call before taking gradients."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    # --- PyTorch-style conveniences ---------------------------------------------------------
    def step(self, variables=None):
        """Apply each variable's accumulated `.grad` (after `loss.backward()`)."""
        variables = list(variables) if variables is not None else self._variables
        self.apply([v.grad for v in variables], variables)

    def zero_grad(self, variables=None):
        """Set `.grad = None` on the variables (default: those the optimizer was built with)."""
        for v in (variables if variables is not None else self._variables):
            v.grad = None

    # --- state and configuration ------------------------------------------------------------
    def get_state(self):
        """{"iterations": int, "slots": [array copies]}: everything needed to resume training
        bit-identically (slots in the order of `variables`)."""
        return {"iterations": int(self._iterations),
                "slots": [backend.to_numpy(v.data).copy() for v in self._slot_variables]}

    def set_state(self, state):
        """Restore a `get_state()` dict. Build first with the same variables (same order)."""
        owner = type(self).__name__
        if not self.built:
            raise ValueError(f"{owner}.set_state needs a built optimizer: call "
                             "optimizer.build(variables) with the same variables first.")
        slots = list(state["slots"])
        if len(slots) != len(self._slot_variables):
            raise ValueError(f"{owner}.set_state: the state holds {len(slots)} slot arrays but "
                             f"this optimizer has {len(self._slot_variables)}; was it saved "
                             "with the same optimizer options and variables?")
        for var, value in zip(self._slot_variables, slots):
            value = backend.xp.asarray(value)
            if value.shape != var.data.shape:
                raise ShapeError(f"{owner}.set_state: slot '{var.name}' has shape "
                                 f"{var.data.shape}, the state gives {value.shape}.")
            var.data[...] = value
        self._iterations = int(state["iterations"])

    def get_config(self):
        """The constructor arguments as a dict (`from_config` rebuilds an unbuilt twin)."""
        lr = self._lr
        if callable(lr) and hasattr(lr, "get_config"):
            lr = schedules.serialize(lr)
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """cls(**config); a learning-rate schedule given as a config dict is rebuilt by
        gw.optimizers.schedules.deserialize (your own schedule classes: custom_objects)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects)
        try:
            return cls(**config)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.from_config could not use config {config}: "
                            f"{exc}") from exc

    def __repr__(self):
        lr = self._lr if not callable(self._lr) else getattr(self._lr, "__name__", self._lr)
        return (f"<gw.optimizers.{type(self).__name__} name={self.name!r} learning_rate={lr} "
                f"iterations={self.iterations}>")
