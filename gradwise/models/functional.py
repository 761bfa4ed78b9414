"""The functional API: a model is the graph of layer calls between symbolic inputs and outputs.

    x = gw.Input(shape=(784,))
    h = Dense(64, activation="relu")(x)       # each call records a node: layer, inputs, output
    y = Dense(10)(h)
    model = gw.Model(inputs=x, outputs=y)     # a Functional model (gw.Model dispatches here)

Building the model walks back from the outputs to the inputs through the recorded nodes
(depth-first), which gives an order to run them in and catches outputs that do not depend on
the inputs. Running it feeds the input arrays in and calls each node's layer on the values of
its parents. A layer called twice (shared) runs twice with one set of weights; a model, even a
Sequential, is a layer too, so models nest. Several inputs and outputs come as lists or dicts;
fit/evaluate/predict take the data in the same form (see multi_io.py).
"""

import numpy as np

from ..autodiff.tensor import Tensor, convert_to_tensor
from ..errors import ShapeError
from ..layers.core import Activation
from ..layers.input import InputLayer, SymbolicTensor, flatten, is_symbolic, map_structure, pack_as
from . import data as data_mod
from . import multi_io
from .model import Model


def _structure(tensors, what):
    """Validate `inputs`/`outputs`: a SymbolicTensor or a list/dict of them; a list of one is
    unwrapped (as Keras, a model with outputs=[y] predicts an array, not a list)."""
    if isinstance(tensors, tuple):
        tensors = list(tensors)
    if isinstance(tensors, list) and len(tensors) == 1:
        tensors = tensors[0]
    flat = flatten(tensors) if isinstance(tensors, (list, dict)) else [tensors]
    if not flat:
        raise ValueError(f"Model {what} is empty: give at least one tensor.")
    for t in flat:
        if not isinstance(t, SymbolicTensor):
            raise TypeError(
                f"Model {what} must be symbolic tensors made from gw.Input(...) (by calling layers on it); got "
                f"{type(t).__name__}. Build the graph with layer calls, e.g. y = Dense(10)(gw.Input((784,)))."
            )
    return tensors, flat


def _trace(inputs, outputs, model_name):
    """The nodes between inputs and outputs: (run order, nodes in Keras's layer order).

    Depth-first from each output: a node is listed after its parents (post-order), so the
    list is an order to run them in. Keras orders `model.layers` by depth (distance from the
    outputs, deepest first), ties broken by that same post-order: we do the same.
    """
    input_ids = {id(t) for t in inputs}
    order, seen, reached = [], {}, set()

    def visit(tensor, consumer):
        if id(tensor) in input_ids:
            reached.add(id(tensor))
            seen.setdefault(id(tensor.node), (len(seen), tensor.node))
            return
        node = tensor.node
        if node is None or isinstance(node.layer, InputLayer):
            name = node.layer.name if node is not None else "?"
            where = f"layer '{consumer.layer.name}'" if consumer is not None else "the outputs"
            raise ValueError(
                f"Graph disconnected in model '{model_name}': {where} needs Input '{name}' (shape "
                f"{tensor.shape}), which is not among the model's inputs. Add it to inputs=[...], or build "
                "the outputs from the inputs given."
            )
        if id(node) in seen:
            return
        for parent in node.parents:
            visit(parent, node)
        seen[id(node)] = (len(seen), node)
        order.append(node)

    for t in outputs:
        visit(t, None)
    for t in inputs:
        if id(t) not in reached:
            raise ValueError(
                f"Input '{t.layer.name}' (shape {t.shape}) of model '{model_name}' is not connected to any "
                "output. Remove it from inputs=[...], or use it in computing an output."
            )
    depth = {id(t.node): 0 for t in outputs}
    for node in reversed(order):
        d = depth.get(id(node), 0)
        for parent in node.parents:
            depth[id(parent.node)] = max(depth.get(id(parent.node), 0), d + 1)
    by_depth = sorted(seen.values(), key=lambda item: (-depth.get(id(item[1]), 0), item[0]))
    return order, [node for _, node in by_depth]


class Functional(Model):
    """A model defined by its inputs and outputs: `gw.Model(inputs, outputs, name=None)`.

    Args:
        inputs: a tensor from gw.Input(...), or a list or dict of them.
        outputs: a symbolic tensor computed from the inputs, or a list or dict of them.
        name: the model's name.

    `model.layers` lists every layer once, InputLayers included, in Keras's order;
    `model.inputs`/`model.outputs` are flat lists, `model.input`/`model.output` keep the
    structure given.
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._input_struct, flat_in = _structure(inputs, "inputs")
        self._output_struct, flat_out = _structure(outputs, "outputs")
        for t in flat_in:
            if not isinstance(t.layer, InputLayer):
                raise ValueError(
                    f"Model inputs must come straight from gw.Input(...); got a tensor made by layer "
                    f"'{t.layer.name}'. To start from intermediate features, make gw.Input(shape={t.shape[1:]}) "
                    "and call the following layers on it."
                )
        if len({id(t) for t in flat_in}) != len(flat_in):
            raise ValueError("The same Input appears twice in the model's inputs; list each input once.")
        self.inputs, self.outputs = flat_in, flat_out
        self._nodes, ordered = _trace(flat_in, flat_out, self.name)
        self._layers = []
        for node in ordered:
            if all(node.layer is not l for l in self._layers):
                self._layers.append(node.layer)
        names = [l.name for l in self._layers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Layer names must be unique within a model; repeated: {', '.join(repeated)}. "
                             "Give the layers distinct name= arguments.")
        self.input_names = list(self._input_struct) if isinstance(self._input_struct, dict) else \
            [t.layer.name for t in flat_in]
        self.output_names = self._make_output_names()
        self.built = True
        self._build_shape = flat_in[0].shape if len(flat_in) == 1 else None
        self.input_shape_hint = self._build_shape
        if len(flat_out) == 1 and not isinstance(self._output_struct, dict):
            self._output_shape = flat_out[0].shape  # lets fit check labels against the classes

    def _make_output_names(self):
        if isinstance(self._output_struct, dict):
            return list(self._output_struct)
        names = []
        for t in self.outputs:
            base = name = t.layer.name
            k = 1
            while name in names:
                name, k = f"{base}_{k}", k + 1
            names.append(name)
        return names

    # --- structure ----------------------------------------------------------------------
    @property
    def layers(self):
        return list(self._layers)

    def _sublayers(self):
        return list(self._layers)

    @property
    def input(self):
        return self._input_struct

    @property
    def output(self):
        return self._output_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        return map_structure(lambda t: t.shape, self._output_struct)

    def _nodes_in_model(self, layer):
        """This layer's calls that belong to this model, in run order (shared layers have several)."""
        if isinstance(layer, InputLayer):
            return layer._inbound_nodes[:1]
        return [n for n in self._nodes if n.layer is layer]

    def build(self, input_shape):
        pass  # built when made: every layer was built by its symbolic call

    def compute_output_shape(self, input_shape):
        shapes = flatten(input_shape, leaf=lambda s: isinstance(s, tuple) and all(
            n is None or isinstance(n, (int, np.integer)) for n in s))
        if len(shapes) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' takes {len(self.inputs)} inputs, got {len(shapes)}.")
        for t, shape in zip(self.inputs, shapes):
            self._check_input_shape(t, shape)
        return map_structure(lambda t: t.shape, self._output_struct)

    def _check_input_shape(self, spec, shape):
        shape = tuple(shape)
        if len(shape) != len(spec.shape) or any(e is not None and s is not None and e != s
                                                for e, s in zip(spec.shape[1:], shape[1:])):
            raise ShapeError(
                f"Input '{spec.layer.name}' of model '{self.name}' expects shape {spec.shape} (any batch size), "
                f"got {shape}."
            )

    # --- running ------------------------------------------------------------------------
    def __call__(self, inputs, training=None, **kwargs):
        if is_symbolic(inputs):  # used as a layer inside another model
            return super().__call__(inputs, training=training, **kwargs)
        return self._run(inputs, training)

    def call(self, inputs, training=None):
        return self._run(inputs, training)

    def _input_values(self, data):
        """The input data as a list aligned with self.inputs: from one array, a list, a dict
        (keyed by input names) or a MultiArray; counts and shapes checked."""
        n = len(self.inputs)
        expected = ", ".join(self.input_names)
        if isinstance(data, multi_io.MultiArray):
            data = data.arrays
        if isinstance(data, dict):
            missing = [k for k in self.input_names if k not in data]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' got a dict of inputs without {', '.join(map(repr, missing))}; it needs "
                    f"the keys {expected} (one array per input)."
                )
            values = [data[k] for k in self.input_names]
        elif isinstance(data, (list, tuple)) and (n > 1 or _array_list(data)):
            if len(data) != n:
                raise ValueError(
                    f"Model '{self.name}' expects {n} input array(s) ({expected}), got a list of {len(data)}. "
                    f"Pass one array per input, in that order, or a dict keyed by input names."
                )
            values = list(data)
        elif n == 1:
            values = [data]
        else:
            raise ValueError(
                f"Model '{self.name}' expects {n} inputs ({expected}), got a single array. Pass a list of {n} "
                f"arrays, in that order, or a dict keyed by input names."
            )
        tensors = [convert_to_tensor(v) for v in values]
        for spec, t in zip(self.inputs, tensors):
            self._check_input_shape(spec, t.shape)
        return tensors

    def _run(self, inputs, training=None, logits_node=None):
        """Feed the inputs and call every node's layer on its parents' values, in run order.
        With `logits_node`, that node stops before its final activation (fused loss in fit)."""
        values = {id(t): v for t, v in zip(self.inputs, self._input_values(inputs))}
        for node in self._nodes:
            args = map_structure(lambda t: values[id(t)], node.args)
            kwargs = dict(node.call_kwargs)
            node_training = kwargs.pop("training", training)
            if node is logits_node:
                out = args if isinstance(node.layer, Activation) else node.layer.pre_activation(args)
            else:
                out = node.layer(args, training=node_training, **kwargs)
            outs = flatten(out) if isinstance(out, (list, tuple, dict)) else [out]
            for t, v in zip(node.outputs, outs):
                values[id(t)] = v
        return map_structure(lambda t: values[id(t)], self._output_struct)

    # --- fused softmax/sigmoid + cross-entropy (one input, one output) -------------------------
    def _logits_head(self):
        if len(self.inputs) != 1 or len(self.outputs) != 1 or isinstance(self._output_struct, dict):
            return None
        node = self.outputs[0].node
        if node.layer is None or isinstance(node.layer, InputLayer) or len(node.outputs) != 1:
            return None
        return self._fusable_head(node.layer)

    def _forward_logits(self, x, head):
        return self._run(x, training=True, logits_node=self.outputs[0].node)

    # --- several inputs and outputs: compile and data (multi_io.py does the work) ---------
    @property
    def _multi_output(self):
        return isinstance(self._output_struct, (list, dict))

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
        """As Model.compile; with several outputs, `loss` and `metrics` may be one per output (a
        list in output order or a dict keyed by output names); a single loss applies to every
        output. The total loss is Σ loss_weights[i] · loss_i, and the logs add '<output>_loss'
        and '<output>_<metric>' entries, as Keras 3 names them."""
        if not self._multi_output or loss is None:  # no loss: a custom train_step computes it
            return super().compile(optimizer=optimizer, loss=multi_io.single(loss, self.output_names, "loss"),
                                   metrics=multi_io.single_metrics(metrics, self.output_names),
                                   loss_weights=loss_weights, **kwargs)
        plan = multi_io.OutputsPlan(self.output_names, [t.shape for t in self.outputs], loss, metrics, loss_weights)
        super().compile(optimizer=optimizer, loss=plan.total_loss, metrics=None, **kwargs)
        self.compiled_metrics = plan.metrics
        self._compile_config.update(plan.config())

    def _prepare_data(self, x, y, sample_weight, what):
        xs = self._input_values_as_arrays(x)
        if not self._multi_output and len(xs) == 1:
            return super()._prepare_data(xs[0], multi_io.single(y, self.output_names, "y"), sample_weight, what)
        return multi_io.prepare(self, xs, y, sample_weight, what)

    def _input_values_as_arrays(self, x):
        if x is None:
            return [None]
        if isinstance(x, multi_io.MultiArray):
            return list(x.arrays)
        if isinstance(x, dict) or (isinstance(x, (list, tuple)) and (len(self.inputs) > 1 or _array_list(x))):
            return [t.numpy() for t in self._input_values(x)]
        return [x]

    def _prepare_inputs(self, x):
        xs = self._input_values_as_arrays(x)
        if len(xs) == 1:
            return super()._prepare_inputs(xs[0])
        return multi_io.MultiArray([data_mod.as_array(a, name) for a, name in zip(xs, self.input_names)])

    def _output_arrays(self, out, numpy=False):
        if not self._multi_output:
            return super()._output_arrays(out, numpy)
        return [t.numpy() if numpy else t.data for t in flatten(out)]

    def _join_batches(self, outs):
        if not self._multi_output:
            return super()._join_batches(outs)
        joined = [np.concatenate([batch[i] for batch in outs], axis=0) for i in range(len(self.outputs))]
        return pack_as(self._output_struct, joined)

    # --- saving ---------------------------------------------------------------------------
    def _ref(self, tensor, node_index):
        """A tensor in the config: {"__tensor__": [layer name, node index in this model, output index]}."""
        node = tensor.node
        return {"__tensor__": [node.layer.name, node_index[id(node)], tensor.index]}

    def get_config(self):
        """The graph as JSON: each layer's config with the calls it makes (Keras's layout)."""
        node_index = {}
        for layer in self._layers:
            for k, node in enumerate(self._nodes_in_model(layer)):
                node_index[id(node)] = k
        layers = []
        for layer in self._layers:
            calls = [] if isinstance(layer, InputLayer) else [
                {"args": map_structure(lambda t: self._ref(t, node_index), node.args), "kwargs": node.call_kwargs}
                for node in self._nodes_in_model(layer)]
            layers.append({"class_name": type(layer).__name__, "name": layer.name, "config": layer.get_config(),
                           "inbound_nodes": calls})
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": map_structure(lambda t: self._ref(t, node_index), self._input_struct),
            "output_layers": map_structure(lambda t: self._ref(t, node_index), self._output_struct),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the layers from their configs and replay the recorded calls (a call waits
        until the calls it reads from have been replayed)."""
        from ..saving import ModelFileError, deserialize_layer

        made = {}  # (layer name, call index) -> that call's outputs, flat
        pending = []
        for spec in config["layers"]:
            layer = deserialize_layer({"class_name": spec["class_name"], "config": spec["config"]}, custom_objects)
            if isinstance(layer, InputLayer):
                made[(spec["name"], 0)] = [layer.output]
            pending.extend((layer, spec["name"], k, call) for k, call in enumerate(spec.get("inbound_nodes", [])))

        def refs(structure):
            return [r["__tensor__"] for r in flatten(structure, leaf=_is_ref_or_leaf) if _is_ref(r)]

        def resolve(structure):
            def value(r):
                if not _is_ref(r):
                    return r
                name, k, index = r["__tensor__"]
                return made[(name, k)][index]

            return map_structure(value, structure, leaf=_is_ref_or_leaf)

        while pending:
            ready = [item for item in pending if all((name, k) in made for name, k, _ in refs(item[3]["args"]))]
            if not ready:
                raise ModelFileError(f"Model '{config.get('name')}': the saved graph refers to layer calls that "
                                     "are missing; the file does not describe a valid functional model.")
            for item in ready:
                layer, name, k, call = item
                out = layer(resolve(call["args"]), **call.get("kwargs", {}))
                made[(name, k)] = flatten(out) if isinstance(out, (list, dict)) else [out]
                pending.remove(item)
        return cls(resolve(config["input_layers"]), resolve(config["output_layers"]), name=config.get("name"),
                   trainable=config.get("trainable", True))


def _array_list(data):
    """A list of arrays (one per input), as opposed to nested lists holding one array's numbers."""
    return bool(data) and all(isinstance(v, (np.ndarray, Tensor)) for v in data)


def _is_ref(value):
    return isinstance(value, dict) and set(value) == {"__tensor__"}


def _is_ref_or_leaf(value):
    return _is_ref(value) or not isinstance(value, (list, tuple, dict))


def connect_chain(model, input_shape):
    """Call a Sequential's layers on a symbolic Input, as Keras does when it builds one, so
    that `model.inputs`, `model.outputs` and each layer's `output` exist. Returns the output
    tensor, or None when some layer cannot be called symbolically."""
    shape = tuple(input_shape[1:])
    if model._input_layer is None or model._input_layer.shape != shape:
        model._input_layer = InputLayer(shape=shape)
    x = model._input_layer.output
    try:
        for layer in model._layers:
            x = layer(x)
    except Exception:  # a custom layer that cannot infer shapes: the model still works eagerly
        return None
    return x if isinstance(x, SymbolicTensor) else None

