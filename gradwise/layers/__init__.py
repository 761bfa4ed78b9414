"""Layers (Keras's names)."""

from .augmentation import (
    RandomBrightness, RandomContrast, RandomFlip, RandomRotation, RandomShear, RandomTranslation, RandomZoom,
)
from .base import Layer
from .core import Activation, Dense, Flatten
from .input import Input, InputLayer, SymbolicTensor
from .normalization import BatchNormalization
from .regularization import Dropout
from .reshaping import Reshape, ZeroPadding2D

__all__ = ["Layer", "Input", "InputLayer", "SymbolicTensor", "Dense", "Activation", "Flatten",
           "Dropout", "BatchNormalization", "Reshape", "ZeroPadding2D", "RandomFlip", "RandomTranslation",
           "RandomRotation", "RandomZoom", "RandomShear", "RandomBrightness", "RandomContrast"]
