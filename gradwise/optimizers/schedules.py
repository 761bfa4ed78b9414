"""Learning-rate schedules: the learning rate as a function of the optimizer step (Keras 3's
`keras.optimizers.schedules`).

A schedule is passed as an optimizer's learning rate; the optimizer calls it with its
iteration count (0 for the first update) before every update:

    lr = gw.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.5)
    opt = gw.optimizers.SGD(learning_rate=lr)     # 0.1, then 0.05 after 1000 steps, ...

Every schedule uses Keras 3's formula. Values are computed in float64 (Python floats); Keras
computes them in float32, so the two agree to float32 rounding (about 1e-7 relative).
A schedule is saved with the optimizer (`get_config` / `from_config`, `serialize` /
`deserialize`), so `model.save` and `gw.models.load_model` keep it.
"""

import math
import numbers

from ..errors import UnknownNameError


def _positive(owner, arg, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{owner}: `{arg}` must be > 0; received {arg}={value!r}.")
    return value


def _number(owner, arg, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(f"{owner}: `{arg}` must be a number; received {arg}={value!r}.")
    return value


def _step(step):
    """The step as a float (an int, a NumPy scalar or a 0-d gw.Tensor)."""
    if hasattr(step, "item"):
        step = step.item()
    return float(step)


class LearningRateSchedule:
    """Base class: subclass it, write `__call__(step)` returning a float, and `get_config()`.

    `from_config(config)` is `cls(**config)`, so `get_config` must return the constructor's
    arguments. Example:

        class Halving(gw.optimizers.schedules.LearningRateSchedule):
            def __init__(self, initial_learning_rate, every):
                self.initial_learning_rate, self.every = initial_learning_rate, every
            def __call__(self, step):
                return self.initial_learning_rate * 0.5 ** (step // self.every)
            def get_config(self):
                return {"initial_learning_rate": self.initial_learning_rate,
                        "every": self.every}

    A schedule of your own loads from a saved model only when passed to `deserialize`
    through `custom_objects` (gradwise never imports code named in a file).
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning-rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning-rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` to be saved.")

    @classmethod
    def from_config(cls, config):
        try:
            return cls(**config)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.from_config could not use config {config}: "
                            f"{exc}") from exc

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class _RateDecay(LearningRateSchedule):
    """Shared by ExponentialDecay and InverseTimeDecay: the rate applies per decay_steps."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(owner, "decay_steps", decay_steps)
        self.decay_rate = _number(owner, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def _progress(self, step):
        """step / decay_steps, floored when staircase."""
        p = _step(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """Exponential decay: lr(step) = initial_learning_rate * decay_rate ^ (step / decay_steps).

    With staircase=True the exponent is floor(step / decay_steps): the rate drops by
    `decay_rate` every `decay_steps` steps instead of continuously.

    Args:
        initial_learning_rate: float, the rate at step 0.
        decay_steps: number > 0, steps per factor of decay_rate.
        decay_rate: float, the factor applied every decay_steps steps.
        staircase: bool (default False), decay in discrete steps.
        name: str (default "ExponentialDecay").

    Example:
        >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)   # 0.1 * 0.5^2
        0.025
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _RateDecay.__init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class PiecewiseConstantDecay(LearningRateSchedule):
    """Constant pieces: values[0] while step <= boundaries[0], values[i] while
    boundaries[i-1] < step <= boundaries[i], values[-1] after the last boundary.

    Args:
        boundaries: increasing list of n step numbers.
        values: list of n + 1 learning rates.
        name: str (default "PiecewiseConstant").

    Example:
        >>> lr = PiecewiseConstantDecay(boundaries=[100, 200], values=[1.0, 0.5, 0.1])
        >>> lr(100), lr(101), lr(201)
        (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: `boundaries` must have one element fewer than "
                f"`values`; received boundaries={boundaries} (length {len(boundaries)}) and "
                f"values={values} (length {len(values)})."
            )
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError("PiecewiseConstantDecay: `boundaries` must be strictly increasing; "
                             f"received boundaries={boundaries}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = _step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(_RateDecay):
    """Inverse time decay: lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps).

    With staircase=True, step / decay_steps is floored.

    Args:
        initial_learning_rate: float, the rate at step 0.
        decay_steps: number > 0.
        decay_rate: float.
        staircase: bool (default False).
        name: str (default "InverseTimeDecay").

    Example:
        >>> InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5)(20)   # 0.1 / (1 + 0.5 * 2)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _RateDecay.__init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))



class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from initial_learning_rate to end_learning_rate over decay_steps:

        lr(step) = (initial - end) * (1 - s / decay_steps) ^ power + end,   s = min(step, decay_steps)

    With cycle=True the decay restarts instead of staying at the end value: decay_steps is
    replaced by decay_steps * ceil(step / decay_steps) (by decay_steps itself at step 0).

    Args:
        initial_learning_rate: float.
        decay_steps: number > 0.
        end_learning_rate: float (default 1e-4).
        power: float (default 1.0, a straight line).
        cycle: bool (default False).
        name: str (default "PolynomialDecay").

    Example:
        >>> PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)(5)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(owner, "decay_steps", decay_steps)
        self.end_learning_rate = _number(owner, "end_learning_rate", end_learning_rate)
        self.power = _number(owner, "power", power)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step):
        step = _step(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        delta = self.initial_learning_rate - self.end_learning_rate
        return delta * (1.0 - p) ** self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


def _cosine(fraction, alpha):
    """(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha: 1 at fraction 0, alpha at 1."""
    return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * fraction)) + alpha


class CosineDecay(LearningRateSchedule):
    """Cosine decay (SGDR without restarts), with an optional linear warmup.

    Without warmup (warmup_target=None), with s = min(step, decay_steps):

        lr(step) = initial_learning_rate * ((1 - alpha) * (1 + cos(pi * s / decay_steps)) / 2 + alpha)

    With warmup_target set, the rate first rises linearly from initial_learning_rate to
    warmup_target over warmup_steps steps, then decays as above from warmup_target over
    the next decay_steps steps (s = min(step, warmup_steps + decay_steps) - warmup_steps).

    Args:
        initial_learning_rate: float.
        decay_steps: number > 0, length of the cosine.
        alpha: float (default 0.0), the final rate as a fraction of the starting one.
        name: str (default "CosineDecay").
        warmup_target: float or None (default), the rate reached at the end of the warmup.
        warmup_steps: number >= 0 (default 0).

    Example:
        >>> CosineDecay(0.1, decay_steps=10)(5)          # half way: 0.1 * (1 + cos(pi/2)) / 2
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(owner, "decay_steps", decay_steps)
        self.alpha = _number(owner, "alpha", alpha)
        self.name = name
        if warmup_target is not None:
            _number(owner, "warmup_target", warmup_target)
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, numbers.Real) \
                or warmup_steps < 0:
            raise ValueError(f"{owner}: `warmup_steps` must be >= 0; received "
                             f"warmup_steps={warmup_steps!r}.")
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        step = _step(step)
        if self.warmup_target is None:
            step = min(step, self.decay_steps)
            return self.initial_learning_rate * _cosine(step / self.decay_steps, self.alpha)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            rise = self.warmup_target - self.initial_learning_rate
            return rise * (step / self.warmup_steps) + self.initial_learning_rate
        fraction = (step - self.warmup_steps) / self.decay_steps
        return self.warmup_target * _cosine(fraction, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017).

    The first period lasts first_decay_steps steps; each next one is t_mul times longer
    and starts m_mul times lower. Within period i (i = 0, 1, ...) at fraction f of it:

        lr = initial_learning_rate * (m_mul^i * (1 - alpha) * (1 + cos(pi * f)) / 2 + alpha)

    Period i starts at first_decay_steps * (t_mul^i - 1) / (t_mul - 1) steps (at
    first_decay_steps * i when t_mul = 1).

    Args:
        initial_learning_rate: float.
        first_decay_steps: number > 0, length of the first period.
        t_mul: float (default 2.0), period length factor.
        m_mul: float (default 1.0), restart height factor.
        alpha: float (default 0.0), the floor as a fraction of initial_learning_rate.
        name: str (default "SGDRDecay").

    Example:
        >>> lr = CosineDecayRestarts(0.1, first_decay_steps=10)
        >>> lr(5), lr(10), lr(20)        # mid-period 1, restart, mid-period 2 (20 steps long)
        (0.05, 0.1, 0.05)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _number(owner, "initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = _positive(owner, "first_decay_steps", first_decay_steps)
        self.t_mul = _positive(owner, "t_mul", t_mul)
        self.m_mul = _number(owner, "m_mul", m_mul)
        self.alpha = _number(owner, "alpha", alpha)
        self.name = name

    def _period(self, fraction):
        """(period index i, fraction of period i elapsed) for `fraction` first periods."""
        t = self.t_mul
        if t == 1.0:
            i = math.floor(fraction)
            return i, fraction - i
        # Period i starts at the geometric sum (1 - t^i) / (1 - t); invert it with a log.
        i = math.floor(math.log(1.0 - fraction * (1.0 - t)) / math.log(t))
        start = (1.0 - t ** i) / (1.0 - t)
        following = (1.0 - t ** (i + 1)) / (1.0 - t)
        if fraction >= following:  # the log rounded down at an exact restart (t=3, i=5)
            i, start = i + 1, following
        return i, (fraction - start) / t ** i

    def __call__(self, step):
        i, fraction = self._period(_step(step) / self.first_decay_steps)
        cosine = self.m_mul ** i * 0.5 * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_BY_NAME = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay,
                                          InverseTimeDecay, PolynomialDecay, CosineDecay,
                                          CosineDecayRestarts)}


def serialize(schedule):
    """{"module", "class_name", "config", "registered_name"}, as keras.optimizers.schedules.serialize."""
    if not hasattr(schedule, "get_config"):
        raise TypeError(f"serialize expects a LearningRateSchedule (with get_config); received "
                        f"{type(schedule).__name__}.")
    return {"module": "gradwise.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A schedule from a `serialize()` dict; `custom_objects` maps names to your own classes.

    Only gradwise's schedules and the classes in custom_objects can be built: a file never
    decides which code runs.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("A learning-rate schedule config must be a dict with 'class_name' and "
                         f"'config' keys; received {config!r}.")
    known = {**_BY_NAME, **(custom_objects or {})}
    name = config["class_name"]
    if name not in known:
        error = UnknownNameError("learning-rate schedule", name, known)
        error.args = (f"{error.args[0]} If it is your own schedule, pass "
                      f"custom_objects={{'{name}': {name}}}.",)
        raise error
    return known[name].from_config(config.get("config") or {})


def get(identifier):
    """A schedule from a schedule (returned as it is), a `serialize()` dict, or None."""
    if identifier is None or isinstance(identifier, LearningRateSchedule):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        raise ValueError(
            f"A learning-rate schedule cannot be built from the name {identifier!r} alone: it "
            "needs its arguments. Create it, e.g. "
            "gw.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.5)."
        )
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret learning-rate schedule identifier: {identifier!r}.")


__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "InverseTimeDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize", "get"]
