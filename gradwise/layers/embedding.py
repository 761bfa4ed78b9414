"""Embedding: integer ids to learned dense vectors (a trainable lookup table)."""

import numpy as np

from .. import initializers
from ..autodiff.ops import getitem
from ..autodiff.tensor import Tensor
from .base import Layer
from .core import _regularizer, _serialize_regularizer


def _positive_int(value, arg):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"Embedding: {arg} must be a positive integer, got {value!r} "
                         f"(of type {type(value).__name__}).")
    return int(value)


class Embedding(Layer):
    """Maps each integer id in [0, input_dim) to row `id` of a trainable table, turning words,
    items or categories into dense vectors that training places usefully (Keras 3 semantics).

        y[..., :] = embeddings[x[...], :]        inputs.shape -> inputs.shape + (output_dim,)

    The lookup is indexing, so its gradient scatters the output gradient back into the rows
    that were read: d embeddings[i] = Σ over the positions where x == i of g, an id that
    occurs several times accumulates all its contributions (rows never read get 0).

    Args:
        input_dim: positive int, the vocabulary size (largest id + 1).
        output_dim: positive int, the size of each vector.
        embeddings_initializer: default "uniform", Keras's RandomUniform(-0.05, 0.05).
        embeddings_regularizer: optional penalty on the table added to the loss (default None).
        mask_zero: whether id 0 is padding (default False). With True the output carries the
            mask `ids != 0`: recurrent layers skip the padded steps, GlobalAveragePooling1D
            averages over the others, and a sequence output's loss and metrics leave them out
            (as Keras). Row 0 still exists, so input_dim counts it.
        weights: optional initial table, an array (or a one-element list) of shape
            (input_dim, output_dim); the layer is built at once (as Keras).

    Input shape: any shape of integer ids (floats holding whole numbers are accepted, since
    gradwise models feed float batches; other values raise). Ids outside [0, input_dim) raise
    an IndexError naming input_dim. Output shape: inputs.shape + (output_dim,).
    Weights: embeddings, shape (input_dim, output_dim).

        >>> layer = Embedding(1000, 64)
        >>> layer(np.array([[4, 20, 4]])).shape     # (1, 3, 64)
    """

    constraint_args = ("embeddings",)

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 mask_zero=False, weights=None, **kwargs):
        kwargs.pop("input_length", None)  # deprecated in Keras 3 ("just remove it"); ignored there too
        self.input_dim = _positive_int(input_dim, "input_dim")
        self.output_dim = _positive_int(output_dim, "output_dim")
        super().__init__(**kwargs)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = _regularizer(embeddings_regularizer)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        if weights is not None:
            self.build(None)
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1 else [weights])

    def build(self, input_shape=None):
        if self.built:  # built at construction when `weights` was given
            return
        self.embeddings = self.add_weight((self.input_dim, self.output_dim), self.embeddings_initializer,
                                          name="embeddings", regularizer=self.embeddings_regularizer)

    def _check_shape(self, shape):
        pass  # ids of any shape

    def _ids(self, inputs):
        """The ids as an integer array, checked to lie in [0, input_dim)."""
        ids = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if ids.dtype.kind == "f":
            whole = np.isfinite(ids) & (ids == np.round(ids))
            if not whole.all():
                raise ValueError(f"Embedding '{self.name}' looks up integer ids; got the non-integer value "
                                 f"{ids[~whole].flat[0]!r}.")
        elif ids.dtype.kind not in "iub":
            raise ValueError(f"Embedding '{self.name}' looks up integer ids; got inputs of dtype {ids.dtype}.")
        ids = ids.astype(np.int64, copy=False)
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            bad = ids[(ids < 0) | (ids >= self.input_dim)].flat[0]
            raise IndexError(f"Embedding '{self.name}': id {bad} is out of range for input_dim={self.input_dim} "
                             f"(ids must be in [0, {self.input_dim - 1}]); increase input_dim or remap the ids.")
        return ids

    def call(self, inputs):
        # rows of the table picked by integer-array indexing: its backward adds g into
        # each picked row (np.add.at), so repeated ids accumulate
        return getitem(self.embeddings, self._ids(inputs))

    def compute_mask(self, inputs, previous_mask=None):
        """`ids != 0` with mask_zero=True (padding), else None."""
        if not self.mask_zero:
            return None
        return np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs) != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim, output_dim=self.output_dim,
            embeddings_initializer=initializers.serialize(self.embeddings_initializer),
            embeddings_regularizer=_serialize_regularizer(self.embeddings_regularizer),
            mask_zero=self.mask_zero,
        )
        return config
