"""Recurrent layers: SimpleRNN, LSTM and GRU (Keras 3's weights, gate orders and return modes).

A recurrent layer reads a sequence (batch, timesteps, features) one step at a time and carries a
state from step to step. The loop over time is plain Python over gradwise ops, so backpropagation
through time is just the autodiff engine walking the unrolled graph.

Shared by all three (Keras's RNN arguments):
    return_sequences: False: only the last output (batch, units); True: every step's output
        (batch, timesteps, units).
    return_state: also return the final state(s): [output, h] (SimpleRNN, GRU) or
        [output, h, c] (LSTM).
    go_backwards: read the sequence from the last step to the first; with return_sequences the
        outputs come in that (reversed) processing order, as in Keras.
    dropout, recurrent_dropout: fractions of the inputs / of the previous state dropped while
        training; one mask per sequence, fixed across time steps (as Keras).
    stateful: each call starts from the previous call's final states (batch i of one call
        continues sample i of the last), as Keras; feed batches of one size with shuffle=False,
        and call reset_state() between independent sequences. Gradients stop at the call.
    zero_output_for_mask: with a mask, masked steps of a sequence output are 0 instead of the
        previous output (default False; Bidirectional sets it for return_sequences, as Keras).
    call(inputs, initial_state=None, mask=None, training=None): initial_state is a state array
        or a list of them, (batch, units) each; zeros when None. mask (batch, timesteps) bools
        (taken from the input when Embedding(mask_zero=True) or Masking made it): a masked step
        keeps the previous states and repeats the previous output.

The input projection x·W (+ b) is one matmul for all steps before the loop; only h·U is per step.
"""

import numbers

import numpy as np

from .. import activations, initializers, random
from ..autodiff.ops import matmul, multiply, reshape, stack, transpose, zeros
from ..autodiff.tensor import Tensor, convert_to_tensor
from ..errors import ShapeError
from .base import Layer
from .core import _regularizer, _serialize_regularizer
from .regularization import layer_generator


class _Recurrent(Layer):
    """The loop shared by SimpleRNN, LSTM and GRU; subclasses give the weights and one step."""

    constraint_args = ("kernel", "recurrent", "bias")

    _gates = 1          # kernel columns per unit: 1 (SimpleRNN), 4 (LSTM), 3 (GRU)
    _state_count = 1    # h only, or (h, c) for LSTM

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{cls}: units must be a positive integer, got {units!r}.")
        for arg, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 <= value < 1:
                raise ValueError(f"{cls}: {arg} must be a number in [0, 1), got {value!r}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.recurrent_regularizer = _regularizer(recurrent_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self._rng = layer_generator(seed)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self._kept_states = None  # stateful: the last call's final states (arrays), the next call's start
        self.unroll = bool(unroll)  # accepted for Keras compatibility: the Python loop is always unrolled
        self.zero_output_for_mask = bool(zero_output_for_mask)

    # --- weights ------------------------------------------------------------------------------
    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ShapeError(f"{type(self).__name__} '{self.name}' needs inputs of shape "
                             f"(batch, timesteps, features), got {tuple(input_shape)}.")
        width = self._gates * self.units
        self.kernel = self.add_weight((input_shape[-1], width), self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight((self.units, width), self.recurrent_initializer,
                                                name="recurrent_kernel", regularizer=self.recurrent_regularizer)
        self.bias = self.add_weight(self._bias_shape(), self._bias_init(), name="bias",
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def _input_bias(self):
        return self.bias

    def _check_shape(self, shape):
        features = self.kernel.shape[0]
        if len(shape) != 3 or shape[-1] != features:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape (batch, timesteps, {features}), "
                f"got {tuple(shape)}.")

    # --- computation --------------------------------------------------------------------------
    def __call__(self, inputs, training=None, initial_state=None, **kwargs):
        from .input import is_symbolic

        if initial_state is not None:
            if is_symbolic(initial_state):
                raise NotImplementedError(
                    f"{type(self).__name__} '{self.name}': a symbolic initial_state (from gw.Input) is not "
                    "supported in functional models yet; pass arrays or tensors when calling the layer eagerly.")
            kwargs["initial_state"] = initial_state
        if isinstance(inputs, np.ndarray) and inputs.dtype.kind == "f":
            inputs = convert_to_tensor(inputs, dtype=self.dtype)  # a float64 layer keeps float64 arrays
        return super().__call__(inputs, training=training, **kwargs)

    def _mask(self, shape, rate, dtype):
        """Inverted-dropout mask (kept / (1 - rate)), drawn once per call and reused at every step."""
        rng = self._rng or random.generator()
        keep = rng.random(shape, dtype=np.float32) >= rate
        return Tensor._from_array(keep.astype(dtype) * dtype.type(1 / (1 - rate)), None)

    def reset_state(self, states=None):
        """Stateful layers: start the next call from zeros (or from `states`, arrays of shape
        (batch, units), one per state), as Keras's reset_state."""
        if not self.stateful:
            raise AttributeError(f"{type(self).__name__} '{self.name}': reset_state() needs a stateful layer "
                                 "(stateful=True).")
        if states is None:
            self._kept_states = None
            return
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        dtype = self.kernel.dtype if self.built else self.dtype
        self._kept_states = None
        self._kept_states = [s.data for s in self._initial_states(states, np.shape(states[0])[0], dtype)]

    reset_states = reset_state  # Keras's older name

    def _initial_states(self, initial_state, batch, dtype):
        name = f"{type(self).__name__} '{self.name}'"
        if initial_state is None and self._kept_states is not None:
            kept = self._kept_states[0].shape[0]
            if kept != batch:
                raise ValueError(
                    f"{name} is stateful: its states were kept for batches of {kept} samples, but this "
                    f"batch has {batch}. Feed batches of one size (e.g. fit(..., batch_size={kept}, "
                    "shuffle=False) on a sample count that divides evenly), or call reset_state() first.")
            return [Tensor._from_array(s, None) for s in self._kept_states]
        if initial_state is None:
            return [zeros((batch, self.units), dtype=dtype) for _ in range(self._state_count)]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self._state_count:
            raise ValueError(f"{name}: initial_state needs {self._state_count} state(s) of shape "
                             f"(batch, {self.units}), got {len(states)}.")
        states = [convert_to_tensor(s, dtype=dtype) for s in states]
        for s in states:
            if tuple(s.shape) != (batch, self.units):
                raise ShapeError(f"{name}: each initial state must have shape ({batch}, {self.units}), "
                                 f"got {tuple(s.shape)}.")
        return states

    supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        """A sequence output keeps the input's mask; the last output and the states carry none."""
        out = previous_mask if self.return_sequences else None
        return [out] + [None] * self._state_count if self.return_state else out

    def call(self, inputs, initial_state=None, mask=None, training=None):
        batch, steps, features = inputs.shape
        dtype = self.kernel.dtype
        states = self._initial_states(initial_state, batch, dtype)
        x = inputs
        if training and self.dropout > 0:  # one mask per (sample, feature), the same at every step
            x = multiply(x, self._mask((batch, 1, features), self.dropout, dtype))
        projected = matmul(x, self.kernel)  # (batch, timesteps, gates * units): x·W for all steps
        bias = self._input_bias()
        if bias is not None:
            projected = projected + bias
        rec_mask = None
        if training and self.recurrent_dropout > 0:  # drawn once per call, the same at every step
            rec_mask = self._mask(self._recurrent_mask_shape(batch), self.recurrent_dropout, dtype)
        keep = None
        if mask is not None:  # (batch, steps) bools: a masked step keeps the previous states
            keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
            if keep.shape != (batch, steps):
                raise ShapeError(f"{type(self).__name__} '{self.name}': the mask must have shape "
                                 f"(batch, timesteps) = {(batch, steps)}, got {keep.shape}.")
            keep = keep[:, :, None].astype(dtype)
        outputs = []
        for t in (range(steps - 1, -1, -1) if self.go_backwards else range(steps)):
            output, new_states = self._step(projected[:, t, :], states, rec_mask)
            if keep is None:
                states = new_states
            else:  # Keras: a masked step outputs the previous first state (h), or 0 with zero_output_for_mask
                k, d = Tensor._from_array(keep[:, t], None), Tensor._from_array(1 - keep[:, t], None)
                output = k * output if self.zero_output_for_mask else _blend(k, d, output, states[0])
                states = [_blend(k, d, new, old) for new, old in zip(new_states, states)]
            outputs.append(output)
        if self.stateful:  # the next call starts here; no gradient flows back across calls
            self._kept_states = [s.data.copy() for s in states]
        if self.return_sequences:
            result = stack(outputs, axis=1)
        else:
            result = outputs[-1] if outputs else states[0]
        if self.activity_regularizer is not None:
            self._activity_penalty = self.activity_regularizer(result) / batch
        return [result] + list(states) if self.return_state else result

    def _step(self, x_t, states, rec_mask):
        raise NotImplementedError

    def _recurrent_mask_shape(self, batch):
        """Recurrent dropout: one mask per gate (as Keras), each (batch, units)."""
        return (self._gates, batch, self.units)

    def _gate_products(self, h, rec_mask, gates):
        """h · recurrent_kernel for the first `gates` gate slices; under recurrent dropout each
        gate sees h through its own mask (one batched matmul over the gates)."""
        u = self.units
        kernel = self.recurrent_kernel if gates == self._gates else self.recurrent_kernel[:, :gates * u]
        if rec_mask is None:
            return matmul(h, kernel)
        per_gate = multiply(reshape(h, (1,) + tuple(h.shape)), Tensor._from_array(rec_mask.data[:gates], None))
        blocks = transpose(reshape(kernel, (u, gates, u)), (1, 0, 2))  # (gates, units, units)
        products = matmul(per_gate, blocks)  # (gates, batch, units)
        return reshape(transpose(products, (1, 0, 2)), (h.shape[0], gates * u))

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self._state_count
        return out

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=activations.serialize(self.activation), use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            recurrent_initializer=initializers.serialize(self.recurrent_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=_serialize_regularizer(self.kernel_regularizer),
            recurrent_regularizer=_serialize_regularizer(self.recurrent_regularizer),
            bias_regularizer=_serialize_regularizer(self.bias_regularizer),
            activity_regularizer=_serialize_regularizer(self.activity_regularizer),
            dropout=self.dropout, recurrent_dropout=self.recurrent_dropout, seed=self.seed,
            return_sequences=self.return_sequences, return_state=self.return_state,
            go_backwards=self.go_backwards, stateful=self.stateful, unroll=self.unroll,
            zero_output_for_mask=self.zero_output_for_mask,
        )
        return config


class SimpleRNN(_Recurrent):
    """Fully connected recurrence (Elman network):

        h_t = activation(x_t · kernel + h_{t-1} · recurrent_kernel + bias),   output_t = h_t

    Args: units; activation (default "tanh"); use_bias; kernel_initializer ("glorot_uniform"),
    recurrent_initializer ("orthogonal"), bias_initializer ("zeros"); kernel/recurrent/bias/activity
    regularizers; dropout, recurrent_dropout, seed; return_sequences, return_state, go_backwards
    (see the module docstring).

    Input shape: (batch, timesteps, features). Output shape: (batch, units), or
    (batch, timesteps, units) with return_sequences; return_state adds the final h.
    Weights (Keras's layout): kernel (features, units), recurrent_kernel (units, units), bias (units,).

        model = gw.Sequential([gw.Input((10, 3)), SimpleRNN(8), gw.layers.Dense(1)])
    """

    def _recurrent_mask_shape(self, batch):
        return (batch, self.units)

    def _step(self, x_t, states, rec_mask):
        h = states[0] if rec_mask is None else multiply(states[0], rec_mask)
        h = self.activation(x_t + matmul(h, self.recurrent_kernel))
        return h, [h]


class LSTM(_Recurrent):
    """Long Short-Term Memory (Hochreiter & Schmidhuber, 1997), Keras's gate order i, f, c, o:

        [i, f, g, o] = x_t · kernel + h_{t-1} · recurrent_kernel + bias    (4 slices of `units`)
        i, f, o = recurrent_activation(i, f, o)     g = activation(g)
        c_t = f * c_{t-1} + i * g                   h_t = o * activation(c_t)

    Args: as SimpleRNN, plus recurrent_activation (default "sigmoid") and unit_forget_bias
    (default True: the forget slice of the bias starts at 1, Jozefowicz et al. 2015, and the rest
    from bias_initializer). recurrent_dropout drops h_{t-1} with one mask per gate, drawn
    once per sequence (as Keras).

    Input shape: (batch, timesteps, features). Output: h, (batch, units) or (batch, timesteps,
    units); return_state gives [output, h, c].
    Weights: kernel (features, 4·units), recurrent_kernel (units, 4·units), bias (4·units,).
    """

    _gates, _state_count = 4, 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", unit_forget_bias=True,
                 **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):  # [bias_init(u), ones(u), bias_init(2u)], as Keras
            dtype = np.dtype(dtype or self.dtype)
            return np.concatenate([np.asarray(init((units,), dtype=dtype)), np.ones(units, dtype),
                                   np.asarray(init((2 * units,), dtype=dtype))]).astype(dtype)

        return forget_bias_one

    def _step(self, x_t, states, rec_mask):
        h, c = states
        u, act, rec = self.units, self.activation, self.recurrent_activation
        z = x_t + self._gate_products(h, rec_mask, 4)
        i, f, g, o = rec(z[:, :u]), rec(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
        c = f * c + i * g
        h = o * act(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      unit_forget_bias=self.unit_forget_bias)
        return config


class GRU(_Recurrent):
    """Gated Recurrent Unit (Cho et al., 2014), Keras's gate order z, r, h:

        x_z, x_r, x_h = x_t · kernel + b_in                  (3 slices of `units`)
        reset_after=True (Keras 3's default; bias has shape (2, 3·units): [b_in, b_rec]):
            m_z, m_r, m_h = h_{t-1} · recurrent_kernel + b_rec
            z = σ(x_z + m_z)   r = σ(x_r + m_r)   ĥ = activation(x_h + r * m_h)
        reset_after=False (bias (3·units,), b_rec absent):
            z, r as above with m = h_{t-1} · recurrent_kernel[:, :2u]
            ĥ = activation(x_h + (r * h_{t-1}) · recurrent_kernel[:, 2u:])
        h_t = z * h_{t-1} + (1 - z) * ĥ

    σ is recurrent_activation (default "sigmoid"). Args as SimpleRNN plus recurrent_activation
    and reset_after; recurrent_dropout drops h_{t-1} in the gates' products (one mask per gate,
    as Keras); the final blend z * h_{t-1} uses the undropped state.
    Weights: kernel (features, 3·units), recurrent_kernel (units, 3·units), bias (2, 3·units) or
    (3·units,). Output: h; return_state gives [output, h].
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", reset_after=True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def _step(self, x_t, states, rec_mask):
        h = states[0]
        u, rec = self.units, self.recurrent_activation
        if self.reset_after:
            m = self._gate_products(h, rec_mask, 3)
            if self.use_bias:
                m = m + self.bias[1]
            z = rec(x_t[:, :u] + m[:, :u])
            r = rec(x_t[:, u:2 * u] + m[:, u:2 * u])
            candidate = self.activation(x_t[:, 2 * u:] + r * m[:, 2 * u:])
        else:
            m = self._gate_products(h, rec_mask, 2)
            z = rec(x_t[:, :u] + m[:, :u])
            r = rec(x_t[:, u:2 * u] + m[:, u:])
            h_h = h if rec_mask is None else multiply(h, Tensor._from_array(rec_mask.data[2], None))
            candidate = self.activation(x_t[:, 2 * u:] + matmul(r * h_h, self.recurrent_kernel[:, 2 * u:]))
        h = z * h + (1 - z) * candidate
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      reset_after=self.reset_after)
        return config


def _blend(keep, drop, new, old):
    """new where keep is 1, old where it is 0 (keep, drop = 1 - keep: (batch, 1) columns of 0/1);
    one product is an exact 0, so the kept value is exact."""
    return keep * new + drop * old
