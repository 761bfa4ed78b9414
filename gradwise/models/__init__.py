"""Models: Sequential, functional (gw.Model(inputs, outputs)), subclassed Model, cloning
(clone_model: same architecture, new weights) and loading saved models."""

from .model import Model, NonFiniteLossError, Sequential
from .functional import Functional
from .cloning import clone_model


def load_model(filepath, custom_objects=None, compile=True, restore_random_state=False):  # noqa: A002
    """Rebuild a model saved with model.save(); never unpickles or runs code from the file.

    restore_random_state=True also restores gradwise's random state saved with the model,
    so that `fit(..., initial_epoch=k)` continues bit-identically (see gradwise.saving).
    """
    from ..saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile,
                 restore_random_state=restore_random_state)


def save_model(model, filepath):
    """model.save(filepath) as a function (Keras's keras.models.save_model)."""
    model.save(filepath)


def model_from_json(json_string, custom_objects=None):
    """Rebuild a model's architecture from model.to_json() (new weights, not compiled)."""
    from ..saving import model_from_json as _from_json

    return _from_json(json_string, custom_objects=custom_objects)


__all__ = ["Model", "Sequential", "Functional", "clone_model", "load_model", "save_model", "model_from_json",
           "NonFiniteLossError"]
