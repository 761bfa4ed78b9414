"""Layer wrappers: TimeDistributed and Bidirectional (Keras 3's semantics).

    TimeDistributed(layer)      applies `layer` to every time slice of (batch, time, ...): the time
                                axis is folded into the batch axis, the layer runs once, and the
                                result is unfolded again. The weights are the inner layer's, shared
                                across time.
    Bidirectional(layer, ...)   runs a forward and a backward copy of a recurrent layer over the
                                sequence and merges their outputs.

Both store the wrapped layer in their config as {"layer": {"class_name", "config"}} (as Keras) and
rebuild it with gradwise.saving.deserialize_layer.
"""

from ..autodiff.ops import concatenate, multiply, reshape
from ..errors import ShapeError
from .base import Layer

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _serialize(layer):
    from . import serialize

    return serialize(layer)


def _deserialize(spec, custom_objects=None):
    from ..saving import deserialize_layer

    return deserialize_layer(spec, custom_objects) if isinstance(spec, dict) else spec


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class TimeDistributed(Layer):
    """Apply `layer` to every temporal slice of the input (Keras's TimeDistributed).

    Input shape (batch, time, ...): the layer sees (batch * time, ...) in one call, and its output
    (batch * time, ...out) is reshaped to (batch, time, ...out). Weights: the inner layer's.

        x = gw.Input((10, 16))                          # 10 steps of 16 features
        y = TimeDistributed(gw.layers.Dense(8))(x)      # (None, 10, 8)
    """

    holds_layers = True  # from_config takes custom_objects for the wrapped layer
    supports_masking = True  # a (batch, time) mask passes through

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: please initialize it with a gradwise Layer instance, got {layer!r}.")
        kwargs.setdefault("dtype", layer.dtype.name)
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ShapeError(f"TimeDistributed '{self.name}' needs inputs of at least 3 dimensions "
                             f"(batch, time, ...), got {input_shape}.")
        self.layer._ensure_built((None,) + input_shape[2:])

    def call(self, inputs, training=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        folded = reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        out = self.layer(folded, training=training)
        if isinstance(out, (list, tuple)):
            raise ValueError(f"TimeDistributed '{self.name}': the wrapped layer must return one tensor.")
        return reshape(out, (batch, steps) + tuple(out.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self):
        config = super().get_config()
        config["layer"] = _serialize(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        return cls(**config)


class Bidirectional(Layer):
    """Bidirectional wrapper for recurrent layers (SimpleRNN, LSTM, GRU), as Keras.

    Args:
        layer: the recurrent layer; a forward copy ("forward_<name>") and a backward copy
            ("backward_<name>", go_backwards flipped) are made from its config: `layer` itself
            is not used (its weights, if any, are not shared).
        merge_mode: how the two outputs are combined: "concat" (default, last axis), "sum",
            "mul", "ave", or None (a list [forward output, backward output]).
        backward_layer: an explicit backward layer (its go_backwards must be the opposite of
            `layer`'s, return_sequences/return_state/stateful the same).
        weights: initial weights: the first half for the forward layer, the second for the backward.

    With return_sequences the backward output is reversed in time back to the input order before
    merging. return_state gives [output, forward states..., backward states...] (with merge_mode
    None: [forward output, backward output, forward states..., backward states...]).
    Weights: the forward layer's, then the backward layer's.
    """

    holds_layers = True  # from_config takes custom_objects for the wrapped layers
    supports_masking = True  # the inner layers read the input's mask themselves

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional: please initialize it with a gradwise Layer instance, got {layer!r}.")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"Bidirectional: backward_layer must be a Layer instance, got {backward_layer!r}.")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid merge_mode {merge_mode!r}; merge_mode should be one of "
                             f"{{'sum', 'mul', 'ave', 'concat', None}}.")
        for attr in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, attr):
                raise ValueError(f"Bidirectional: the layer must be a recurrent layer (with {attr}), "
                                 f"got {type(layer).__name__}.")
        kwargs.setdefault("dtype", layer.dtype.name)
        super().__init__(**kwargs)
        spec = _serialize(layer)
        spec["config"]["name"] = "forward_" + _strip(layer.name, "forward_")
        self.forward_layer = _deserialize(spec)
        if backward_layer is None:
            spec = _serialize(layer)
            spec["config"]["go_backwards"] = not layer.go_backwards
            spec["config"]["name"] = "backward_" + _strip(layer.name, "backward_")
            backward_layer = _deserialize(spec)
        self.backward_layer = backward_layer
        self._verify(self.forward_layer, self.backward_layer)
        for inner in (self.forward_layer, self.backward_layer):  # as Keras: masked steps of sequences give 0
            if hasattr(inner, "zero_output_for_mask"):
                inner.zero_output_for_mask = inner.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = getattr(layer, "stateful", False)
        self._initial_weights = None if weights is None else list(weights)

    @staticmethod
    def _verify(fw, bw):
        if fw.go_backwards == bw.go_backwards:
            raise ValueError("Bidirectional: forward_layer.go_backwards and backward_layer.go_backwards "
                             f"must differ, both are {fw.go_backwards}.")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fw, attr, None) != getattr(bw, attr, None):
                raise ValueError(f"Bidirectional: forward_layer.{attr} ({getattr(fw, attr, None)}) and "
                                 f"backward_layer.{attr} ({getattr(bw, attr, None)}) must be the same.")

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self.forward_layer._ensure_built(input_shape)
        self.backward_layer._ensure_built(input_shape)
        if self._initial_weights is not None:
            half = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:half])
            self.backward_layer.set_weights(self._initial_weights[half:])
            self._initial_weights = None

    def call(self, inputs, training=None, initial_state=None):
        fw_state = bw_state = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) % 2:
                raise ValueError(f"Bidirectional '{self.name}': initial_state needs the forward states then "
                                 f"the backward states (an even count), got {len(states)}.")
            fw_state, bw_state = states[:len(states) // 2], states[len(states) // 2:]
        y = self.forward_layer(inputs, training=training, initial_state=fw_state)
        y_rev = self.backward_layer(inputs, training=training, initial_state=bw_state)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            output = concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = multiply(y, y_rev)
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def reset_state(self, states=None):
        """Stateful: reset both directions (states: the forward ones, then the backward ones)."""
        if not self.stateful:
            raise AttributeError(f"Bidirectional '{self.name}': reset_state() needs a stateful layer.")
        half = None if states is None else len(states) // 2
        self.forward_layer.reset_state(None if states is None else states[:half])
        self.backward_layer.reset_state(None if states is None else states[half:])

    reset_states = reset_state

    def compute_mask(self, inputs, previous_mask=None):
        out = previous_mask if self.return_sequences else None
        outs = [out] if self.merge_mode is not None else [out, out]
        if self.return_state:
            return outs + [None] * (2 * self.forward_layer._state_count)
        return outs[0] if self.merge_mode is not None else outs

    def compute_output_shape(self, input_shape):
        shapes = self.forward_layer.compute_output_shape(tuple(input_shape))
        if self.return_state:
            out, states = tuple(shapes[0]), [tuple(s) for s in shapes[1:]]
        else:
            out, states = tuple(shapes), []
        bw_shapes = self.backward_layer.compute_output_shape(tuple(input_shape))
        bw_out = tuple(bw_shapes[0]) if self.return_state else tuple(bw_shapes)
        bw_states = [tuple(s) for s in bw_shapes[1:]] if self.return_state else []
        if self.merge_mode == "concat":
            merged = [out[:-1] + (out[-1] + bw_out[-1],)]
        elif self.merge_mode is None:
            merged = [out, bw_out]
        else:
            merged = [out]
        if self.return_state:
            return merged + states + bw_states
        return merged if self.merge_mode is None else merged[0]

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = _serialize(self.forward_layer)
        config["backward_layer"] = _serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = _deserialize(backward, custom_objects)
        return cls(**config)
