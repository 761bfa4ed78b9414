"""Models: Sequential, subclassed Model, and loading saved models."""

from .model import Model, NonFiniteLossError, Sequential


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002  (Keras's argument name)
    """Rebuild a model saved with model.save(); never unpickles or runs code from the file."""
    from ..saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile)


__all__ = ["Model", "Sequential", "load_model", "NonFiniteLossError"]
