"""Layers (Keras's names): Layer, Input/InputLayer, Dense, Activation, Flatten."""

from .base import Layer
from .core import Activation, Dense, Flatten
from .input import Input, InputLayer, SymbolicTensor

__all__ = ["Layer", "Input", "InputLayer", "SymbolicTensor", "Dense", "Activation", "Flatten"]
