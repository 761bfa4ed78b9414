"""Layers (Keras's names)."""

from .activations import ELU, LeakyReLU, Maxout, PReLU, ReLU, RReLU, Softmax
from .augmentation import (
    RandomBrightness, RandomContrast, RandomFlip, RandomRotation, RandomShear, RandomTranslation, RandomZoom,
)
from .base import Layer
from .conv import Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from .core import Activation, Dense, Flatten, Identity, Lambda, Masking
from .input import Input, InputLayer, SymbolicTensor
from .merging import (
    Add, Average, Concatenate, Dot, Maximum, Merge, Minimum, Multiply, Subtract, add, average, concatenate, dot,
    maximum, minimum, multiply, subtract,
)
from .embedding import Embedding
from .normalization import BatchNormalization, LayerNormalization, UnitNormalization
from .pooling import (
    AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
    GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D, MinPooling2D,
)
from .preprocessing import Normalization, Rescaling
from .recurrent import GRU, LSTM, SimpleRNN
from .regularization import (
    AlphaDropout, Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
)
from .wrappers import Bidirectional, TimeDistributed
from .reshaping import (
    Cropping1D, Cropping2D, Permute, RepeatVector, Reshape, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D,
)

# Keras's alternative names
Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution2DTranspose, SeparableConvolution2D = Conv2DTranspose, SeparableConv2D
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D

__all__ = ["Layer", "Input", "InputLayer", "SymbolicTensor", "Dense", "Activation", "Flatten",
           "Dropout", "BatchNormalization", "Reshape", "ZeroPadding2D", "RandomFlip", "RandomTranslation",
           "RandomRotation", "RandomZoom", "RandomShear", "RandomBrightness", "RandomContrast",
           "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "MinPooling2D", "AveragePooling1D",
           "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "Convolution1D", "Convolution2D", "MaxPool1D", "MaxPool2D", "AvgPool1D",
           "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
           "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "RReLU", "Maxout", "Normalization"]
__all__ += ["Identity", "Lambda", "Masking", "Dot", "dot", "Rescaling", "Cropping1D", "Cropping2D", "Permute",
            "RepeatVector", "UpSampling1D", "UpSampling2D", "ZeroPadding1D"]
__all__ += ["Embedding", "LayerNormalization", "UnitNormalization", "AlphaDropout", "GaussianDropout",
            "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]
__all__ += ["Bidirectional", "TimeDistributed", "SimpleRNN", "LSTM", "GRU", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
            "Convolution2DTranspose", "SeparableConvolution2D"]
__all__ += ["Merge", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "add",
            "subtract", "multiply", "average", "maximum", "minimum", "concatenate"]


def serialize(layer):
    """A layer as {"class_name", "config"} (keras.layers.serialize)."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config, custom_objects=None):
    """The layer a serialize() dict describes (keras.layers.deserialize)."""
    from ..saving import deserialize_layer

    return deserialize_layer(config, custom_objects)


__all__ += ["serialize", "deserialize"]

_TEXT = ("gradwise has no text preprocessing layers; map words to integers yourself (a dict), "
         "pad with gw.utils.pad_sequences and feed the arrays to an Embedding layer.")
_GAPS = {
    "TextVectorization": _TEXT, "StringLookup": _TEXT, "IntegerLookup": _TEXT, "Hashing": _TEXT,
    "MultiHeadAttention": "attention and transformer layers are beyond this course library; "
                          "use Keras for them (gradwise keeps Dense, conv, pooling and recurrent layers).",
    "Attention": "attention layers are beyond this course library; use Keras for them.",
    "Conv3D": "gradwise has 1-D and 2-D convolutions only (Conv1D, Conv2D); reshape the data or use Keras.",
    "RNN": "gradwise has the ready recurrent layers SimpleRNN, LSTM and GRU, not the generic RNN(cell) wrapper.",
}


def __getattr__(name):
    from ..errors import missing_name

    raise missing_name(__name__, name, _GAPS)
