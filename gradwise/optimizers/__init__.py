"""Optimizers with Keras 3's names, defaults and update rules.

    opt = gw.optimizers.get("adam")                 # or gw.optimizers.Adam(learning_rate=1e-3)
    opt.apply_gradients(zip(grads, variables))

Each optimizer is a class (configuration, slots) plus one update rule, a plain function over
arrays that changes the parameter and its slots in place:

    sgd_update, rmsprop_update, adam_update (+ adam_step_size), adagrad_update, adadelta_update,
    nadam_update (+ nadam_coefficients), adamax_update, lion_update

Learning-rate schedules (ExponentialDecay, CosineDecay, ...) are in
`gw.optimizers.schedules`; pass one as `learning_rate`.

`get` resolves a name (case-insensitive), a config dict or an instance; `serialize` gives
the dict back.
"""

from ..errors import UnknownNameError
from .adadelta import Adadelta, adadelta_update
from .adagrad import Adagrad, adagrad_update
from .adam import Adam, AdamW, adam_step_size, adam_update
from .adamax import Adamax, adamax_update
from . import schedules
from .base import Optimizer, global_norm
from .lion import Lion, lion_update
from .nadam import Nadam, nadam_coefficients, nadam_update
from .rmsprop import RMSprop, rmsprop_update
from .sgd import SGD, sgd_update

_BY_NAME = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adam, AdamW, Nadam, Adagrad,
                                                  Adadelta, Adamax, Lion)}


def serialize(optimizer):
    """{"module", "class_name", "config", "registered_name"}, as keras.optimizers.serialize."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize expects an Optimizer; received {type(optimizer).__name__}.")
    return {"module": "gradwise.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """An optimizer from a `serialize()` dict ({"class_name": ..., "config": {...}}).

    Class names are case-insensitive; `custom_objects` maps names to your own classes
    (optimizers, or learning-rate schedules used as `learning_rate`).
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("An optimizer config must be a dict with 'class_name' and 'config' "
                         f"keys; received {config!r}.")
    name = config["class_name"]
    known = dict(_BY_NAME)
    known.update({k.lower(): v for k, v in (custom_objects or {}).items()})
    if not isinstance(name, str) or name.lower() not in known:
        raise UnknownNameError("optimizer", name, known)
    return known[name.lower()].from_config(config.get("config") or {}, custom_objects)


def get(identifier):
    """An optimizer from a name ("adam", "SGD", ...), a config dict, a class or an instance.

    A name or class gives a new optimizer with the default arguments; an instance is
    returned as it is; None gives None.
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() not in _BY_NAME:
            raise UnknownNameError("optimizer", identifier, _BY_NAME)
        return _BY_NAME[identifier.lower()]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}; use a name "
                     f"({', '.join(sorted(_BY_NAME))}), a config dict or an Optimizer.")


__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Nadam", "Adagrad", "Adadelta",
           "Adamax", "Lion", "sgd_update", "rmsprop_update", "adam_update", "adam_step_size",
           "adagrad_update", "adadelta_update", "nadam_update", "nadam_coefficients",
           "adamax_update", "lion_update", "global_norm", "get",
           "serialize", "deserialize", "schedules"]

_GAPS = {name: "gradwise implements the optimizers a first course teaches (SGD with momentum and "
               "Nesterov, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam, Lion); use Keras for this one."
         for name in ("Ftrl", "Adafactor", "LossScaleOptimizer", "Muon", "Lamb")}


def __getattr__(name):
    from ..errors import missing_name

    raise missing_name(__name__, name, _GAPS)
