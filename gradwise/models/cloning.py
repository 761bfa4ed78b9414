"""clone_model: the same architecture with new, freshly initialised weights (Keras 3's
`keras.models.clone_model`).

    twin = gw.models.clone_model(model)      # same layers and graph, new weights, not compiled

Each layer is rebuilt from its config, `type(layer).from_config(layer.get_config())`, so it
draws new weights from its initializers (nothing is copied: copy them with
`twin.set_weights(model.get_weights())` if that is what you want).

    Sequential   the cloned layers are stacked again, after a new Input of the same shape,
                 dtype and name when the original has one (a built Sequential always does)
    Functional   new Inputs, then every recorded layer call is replayed in graph order on
                 the cloned layers; a layer called twice (shared) is cloned once and called
                 twice, so it stays shared
    other        subclassed models (and plain layers) are rebuilt by
                 `type(model).from_config(model.get_config())`

Models nested inside a model are cloned the same way, so they get new weights too.
"""

from ..layers.base import Layer
from ..layers.input import Input, InputLayer, SymbolicTensor, flatten, map_structure
from .functional import Functional
from .model import Sequential


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False):
    """A new model with the architecture of `model` and freshly initialised weights.

    Args:
        model: a Sequential or functional model (a subclassed model is rebuilt from its
            get_config(); see the module docstring).
        input_tensors: optional tensors from gw.Input(...) to build the clone on, in the
            structure of `model.input` (one tensor for a Sequential). Default: new Inputs
            with the shapes, dtypes and names of the original ones.
        clone_function: fn(layer) -> the layer to use in the clone. Default:
            `type(layer).from_config(layer.get_config())` (a nested model is cloned whole);
            a clone sharing a weight with the original is then an error.
            `lambda layer: layer` reuses the layers, and so shares their weights.
        call_function: fn(layer, inputs, **kwargs) -> outputs, to call each cloned layer
            (functional models only). Default: `layer(inputs, **kwargs)`.
        recursive: if True, nested Sequential/functional models are cloned by clone_model
            with the same clone_function and call_function, instead of by clone_function.

    Returns:
        The clone: same class (Sequential or Functional), name, layer types, layer configs
        (names included) and graph; new weights; compiled like the original when it was
        compiled (same loss, metrics and optimizer settings; a fresh optimizer state).

    Example:
        >>> model = gw.Sequential([gw.Input((4,)), gw.layers.Dense(3), gw.layers.Dense(1)])
        >>> twin = gw.models.clone_model(model)
        >>> [type(l).__name__ for l in twin.layers]
        ['Dense', 'Dense']
        >>> twin.layers[0].kernel is model.layers[0].kernel
        False
    """
    if not isinstance(model, Layer):
        raise TypeError(f"clone_model expects a gw.Model (Sequential or functional); received "
                        f"{type(model).__name__}.")
    clone = _clone(model, input_tensors, clone_function, call_function, recursive, cache={})
    from ..saving import _current_compile_config, compile_from_config  # saving imports models

    compiled = _current_compile_config(model)
    if compiled is not None:  # as Keras 3: same compile settings, a fresh optimizer
        compile_from_config(clone, compiled)
    if clone_function is None:  # the default promises new weights: make sure of it
        originals = {id(v) for v in model.weights}
        shared = [v.name for v in clone.weights if id(v) in originals]
        if shared:
            raise ValueError(
                f"clone_model: the clone of '{model.name}' shares weights {shared} with the original: a "
                "get_config() there hands over objects that own them (a layer or a Variable). Return "
                "their configs instead, and rebuild them in from_config."
            )
    return clone


def _layer_cloner(clone_function, call_function, recursive, cache):
    """fn(layer) -> its clone, each layer cloned once (so shared layers stay shared)."""

    def clone_layer(layer):
        if id(layer) in cache:
            return cache[id(layer)]
        if isinstance(layer, (Sequential, Functional)) and (recursive or clone_function is None):
            # as Keras: call_function goes on to nested functional models only, when recursive
            calls = call_function if recursive and isinstance(layer, Functional) else None
            clone = _clone(layer, None, clone_function, calls, recursive, cache)
        elif clone_function is not None:
            clone = clone_function(layer)
        else:
            clone = type(layer).from_config(_fresh(layer.get_config()))
        cache[id(layer)] = clone
        return clone

    return clone_layer


def _clone(model, input_tensors, clone_function, call_function, recursive, cache):
    if clone_function is not None and not callable(clone_function):
        raise ValueError(f"clone_model: `clone_function` must be a callable fn(layer); received "
                         f"clone_function={clone_function!r}")
    clone_layer = _layer_cloner(clone_function, call_function, recursive, cache)
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError("clone_model: `call_function` is not supported with Sequential models (their "
                             "layers are listed, not called, when the model is made); use it with functional models.")
        return _clone_sequential(model, input_tensors, clone_layer)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, clone_layer, call_function)
    if input_tensors is not None or clone_function is not None or call_function is not None:
        raise ValueError(
            "clone_model: `input_tensors`, `clone_function` and `call_function` are only supported for "
            f"Sequential and functional models; received a model of class {type(model).__name__}."
        )
    return _clone_from_config(model)


def _clone_sequential(model, input_tensors, clone_layer):
    layers = [clone_layer(layer) for layer in model.layers]
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError(f"clone_model: a Sequential model takes one input tensor; received "
                                 f"{len(input_tensors)}.")
            input_tensors = input_tensors[0]
        layers.insert(0, _check_input(input_tensors))
    elif model._input_layer is not None:
        ref = model._input_layer
        layers.insert(0, InputLayer(shape=ref.shape, batch_size=ref.batch_size, dtype=ref.dtype.name,
                                    name=ref.name))
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors, clone_layer, call_function):
    if input_tensors is None:
        inputs = map_structure(
            lambda t: Input(shape=t.shape[1:], batch_size=t.shape[0], dtype=t.dtype.name, name=t.layer.name),
            model._input_struct)
    else:
        inputs = input_tensors
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and not isinstance(model._input_struct, list):
            inputs = inputs[0]
        if _structure_of(inputs) != _structure_of(model._input_struct):
            raise ValueError(f"clone_model: `input_tensors` must have the structure of model.input "
                             f"({_structure_of(model._input_struct)}); received {_structure_of(inputs)}.")
        map_structure(_check_input, inputs)
    # every symbolic tensor of the original graph -> its counterpart in the clone
    new = {id(old): t for old, t in zip(model.inputs, flatten(inputs))}

    def counterpart(t):
        return new[id(t)] if isinstance(t, SymbolicTensor) else t

    for node in model._nodes:  # parents before children
        layer = clone_layer(node.layer)
        args = map_structure(counterpart, node.args)
        if call_function is not None:
            out = call_function(layer, args, **node.call_kwargs)
        else:
            out = layer(args, **node.call_kwargs)
        for old, t in zip(node.outputs, flatten(out)):
            new[id(old)] = t
    outputs = map_structure(counterpart, model._output_struct)
    # a subclass of Functional keeps its class when it is built like one (inputs, outputs)
    cls = type(model) if type(model).__init__ is Functional.__init__ else Functional
    return cls(inputs, outputs, name=model.name, trainable=model.trainable)


def _clone_from_config(model):
    """Subclassed models (and plain layers): rebuild from get_config(), as Keras does.

    A layer found among the config's values (a subclass's recorded __init__ arguments may
    hold one) is cloned too, as Keras's serialization would rebuild it.
    """
    cls = type(model)
    try:
        clone = cls.from_config(_fresh(model.get_config()))
    except TypeError as exc:
        raise ValueError(
            f"clone_model could not rebuild '{model.name}' of class {cls.__name__} from its get_config(): "
            f"{exc}. A subclassed model is cloned by {cls.__name__}.from_config(model.get_config()): give it "
            "a get_config() returning its __init__ arguments (and a from_config if cls(**config) is not enough)."
        ) from None
    shape = getattr(model, "_build_shape", None)
    if model.built and shape is not None:
        clone._ensure_built(shape)  # as Keras's build_from_config: built for the same input shape
    return clone


def _fresh(value):
    """A config value with every layer in it (also inside lists and dicts) cloned."""
    if isinstance(value, Layer):
        return _clone(value, None, None, None, False, cache={})
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    return value


def _check_input(tensor):
    if not (isinstance(tensor, SymbolicTensor) and isinstance(tensor.layer, InputLayer)):
        raise ValueError(f"clone_model: `input_tensors` must be tensors made by gw.Input(...); received "
                         f"{tensor!r}.")
    return tensor.layer


def _structure_of(structure):
    """The shape of a structure without its tensors: 'T', [..] or {key: ..}."""
    if isinstance(structure, dict):
        return {k: _structure_of(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_structure_of(v) for v in structure]
    return "T"
