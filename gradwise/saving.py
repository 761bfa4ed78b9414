"""Saving and loading models safely.

A model file (suffix `.gw` recommended) is a zip archive holding
    config.json     architecture, compile settings, weight names (JSON only)
    weights.npz     the weights, in model.weights order
    optimizer.npz   the optimizer state (iteration count and slots), when compiled
config.json also keeps gradwise's random state at the time of saving ("random_state"): give
`load_model(..., restore_random_state=True)` to continue the same random stream (shuffling,
dropout), so that a resumed fit is bit-identical to an uninterrupted one.
Loading reads JSON and `.npz` arrays with allow_pickle=False: it never unpickles, never
evaluates anything from the file, and only instantiates classes gradwise knows (built-in or
registered with `@gw.saving.register` / passed as `custom_objects`). Writes go to a temporary
file that replaces the target only when complete, so a crash never leaves half a file.
"""

import io
import json
import os
import tempfile
import zipfile

import numpy as np

from . import random as gw_random
from .errors import GradwiseError

FORMAT = "gradwise-model"
FORMAT_VERSION = 1
_REGISTRY = {}


class ModelFileError(GradwiseError, ValueError):
    """A model file that is corrupt, truncated, unsafe or not a gradwise file."""


def register(cls=None, *, name=None):
    """Make a user's Layer or Model subclass loadable: `@gw.saving.register` above the class."""

    def add(klass):
        _REGISTRY[name or klass.__name__] = klass
        return klass

    return add(cls) if cls is not None else add


def _builtin_classes():
    from . import layers, models

    found = {}
    for module in (layers, models):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, layers.Layer):
                found[obj.__name__] = obj
    return found


def resolve_class(class_name, custom_objects=None):
    """The class for a name in a file: custom_objects, then registered, then built-in."""
    for table in (custom_objects or {}, _REGISTRY, _builtin_classes()):
        if class_name in table:
            return table[class_name]
    raise ModelFileError(
        f"Unknown class {class_name!r} in the model file. If it is your own Layer or Model subclass, "
        f"register it with @gw.saving.register before loading, or pass "
        f"custom_objects={{'{class_name}': {class_name}}} to load_model."
    )


def deserialize_layer(spec, custom_objects=None):
    cls = resolve_class(spec["class_name"], custom_objects)
    config = dict(spec.get("config", {}))
    from .models import Functional

    if isinstance(cls, type) and (issubclass(cls, Functional) or getattr(cls, "holds_layers", False)):
        return cls.from_config(config, custom_objects=custom_objects)  # rebuilds the layers it holds
    if spec["class_name"] == "Sequential":
        layers = [deserialize_layer(s, custom_objects) for s in config.pop("layers", [])]
        build = config.pop("build_input_shape", None)
        model = cls(layers, **config)
        if build is not None and not model.built:
            model.build(tuple(build))
        return model
    return cls.from_config(config)


# --- writing ----------------------------------------------------------------------------
def _npz_bytes(arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _atomic_write(path, write):
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".gw", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _model_spec(model):
    from .models import Sequential

    config = model.get_config()
    if not isinstance(model, Sequential):
        config = dict(config)
    spec = {"class_name": type(model).__name__, "config": config}
    try:
        json.dumps(spec)
    except TypeError as exc:
        raise TypeError(
            f"Cannot save {type(model).__name__}: its configuration holds a value JSON cannot store ({exc}). "
            "Give the constructor plain values (numbers, strings, lists, dicts) or write get_config()."
        ) from None
    return spec


def _random_state():
    """gw.random's state as JSON-able values, or None for a backend whose state is not."""
    try:
        state = gw_random.get_state()
        json.dumps(state)
        return state
    except (AttributeError, TypeError, ValueError):
        return None


def compile_from_config(model, compile_config, custom_objects=None):
    """Compile `model` with saved compile settings (a fresh optimizer from its config)."""
    optimizer = compile_config["optimizer"]
    if isinstance(optimizer, dict):  # custom_objects may name a learning-rate schedule
        from .optimizers import deserialize as deserialize_optimizer

        optimizer = deserialize_optimizer(optimizer, custom_objects)
    model.compile(optimizer=optimizer, loss=compile_config["loss"], metrics=compile_config["metrics"],
                  loss_weights=compile_config.get("loss_weights"))


def _current_compile_config(model):
    """The compile settings, with the optimizer's configuration as it is now (a learning
    rate changed by ReduceLROnPlateau or LearningRateScheduler is saved as changed)."""
    compiled = getattr(model, "_compile_config", None)
    opt = getattr(model, "optimizer", None)
    if compiled is None or opt is None:
        return compiled
    from .optimizers import serialize

    return {**compiled, "optimizer": serialize(opt)}


def save_model(model, filepath, include_optimizer=True, metadata=None):
    """Write `model` (architecture, weights, compile config, optimizer state, random state) to
    one file. `metadata`: an optional JSON-able dict stored with it (callbacks use it to
    remember the epoch), returned by `restore_training_state`."""
    if not model.built:
        raise ValueError("Cannot save a model that is not built yet: call it on data or fit it first.")
    weights = model.weights
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": _model_spec(model),
        "build_input_shape": list(model._build_shape) if model._build_shape else None,
        "weight_names": [w.name for w in weights],
        "compile": _current_compile_config(model),
        "random_state": _random_state(),
    }
    if metadata is not None:
        config["metadata"] = metadata
    members = {"config.json": json.dumps(config, indent=1).encode(),
               "weights.npz": _npz_bytes({f"w{i}": w.numpy() for i, w in enumerate(weights)})}
    opt = getattr(model, "optimizer", None)
    if include_optimizer and opt is not None and getattr(opt, "iterations", 0):
        state = opt.get_state()
        arrays = {"iterations": np.asarray(state["iterations"])}
        arrays.update({f"s{i}": np.asarray(a) for i, a in enumerate(state["slots"])})
        members["optimizer.npz"] = _npz_bytes(arrays)

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)

    _atomic_write(filepath, write)


def model_to_json(model, **kwargs):
    """The model's architecture as JSON (Keras's model.to_json): class and config, no weights."""
    spec = _model_spec(model)
    spec["build_input_shape"] = list(model._build_shape) if getattr(model, "_build_shape", None) else None
    return json.dumps(spec, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new model (fresh weights, uncompiled) from model.to_json()'s string."""
    try:
        spec = json.loads(json_string)
        class_name = spec["class_name"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ModelFileError(f"model_from_json: not a model description from model.to_json() ({exc}).") from None
    shape = spec.pop("build_input_shape", None)
    model = deserialize_layer({"class_name": class_name, "config": spec.get("config", {})}, custom_objects)
    if not model.built and shape is not None:
        model.build(tuple(shape))
    return model


def save_weights(model, filepath):
    """Write only the weights, as an .npz archive in model.weights order."""
    arrays = {f"w{i}": w.numpy() for i, w in enumerate(model.weights)}
    _atomic_write(filepath, lambda f: f.write(_npz_bytes(arrays)))


# --- reading ----------------------------------------------------------------------------
def _read_npz(data, what, path):
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise ModelFileError(
                f"{path}: {what} contains pickled Python objects; gradwise refuses to load them "
                "(unpickling can run arbitrary code). The file was not made by gradwise."
            ) from None
        raise ModelFileError(f"{path}: {what} is corrupt ({exc}).") from None
    except Exception as exc:  # zip/format errors inside the npz
        raise ModelFileError(f"{path}: {what} is corrupt or truncated ({type(exc).__name__}: {exc}).") from None


def _open(filepath):
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No model file at {path!r}.")
    try:
        zf = zipfile.ZipFile(path)
        bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ModelFileError(
            f"{path} is not a readable gradwise model file (corrupt or truncated zip: {exc}). "
            "Re-save the model, or check the file was copied completely."
        ) from None
    if bad is not None:
        raise ModelFileError(f"{path}: member {bad} is corrupt (CRC mismatch); the file is damaged.")
    return path, zf


def _read_member(zf, path, name, required=True):
    try:
        return zf.read(name)
    except KeyError:
        if required:
            raise ModelFileError(f"{path} has no {name}: it is not a gradwise model file.") from None
        return None


def _read_model_file(filepath):
    """(path, config, weight arrays, optimizer arrays or None) from a model file, checked."""
    path, zf = _open(filepath)
    with zf:
        try:
            config = json.loads(_read_member(zf, path, "config.json").decode())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFileError(f"{path}: config.json is not valid JSON ({exc}).") from None
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not a gradwise model file (format marker missing).")
        if config.get("format_version", 0) > FORMAT_VERSION:
            raise ModelFileError(f"{path} was written by a newer gradwise (format {config['format_version']}); upgrade gradwise.")
        weights = _read_npz(_read_member(zf, path, "weights.npz"), "weights.npz", path)
        opt_data = _read_member(zf, path, "optimizer.npz", required=False)
        opt_state = _read_npz(opt_data, "optimizer.npz", path) if opt_data is not None else None
    return path, config, weights, opt_state


def _set_optimizer_state(optimizer, variables, opt_state):
    optimizer.build(variables)
    slots = [opt_state[f"s{i}"] for i in range(len(opt_state) - 1)]
    optimizer.set_state({"iterations": int(opt_state["iterations"]), "slots": slots})


def load_model(filepath, custom_objects=None, compile=True, restore_random_state=False):  # noqa: A002
    """Rebuild a model saved by save_model: same predictions, can continue training.

    With restore_random_state=True, gradwise's random generator is also set back to its
    state at saving time (after the model is rebuilt, whose initializers draw from it): a
    `fit(..., initial_epoch=k)` then shuffles exactly as the uninterrupted run would have.
    """
    path, config, weights, opt_state = _read_model_file(filepath)
    model = deserialize_layer(config["model"], custom_objects)
    shape = config.get("build_input_shape")
    if not model.built and shape is not None:
        model.build(tuple(shape))
    _assign_weights(model, weights, path)
    if compile and config.get("compile"):
        compile_from_config(model, config["compile"], custom_objects)
        if opt_state is not None:
            _set_optimizer_state(model.optimizer, model.trainable_weights, opt_state)
    if restore_random_state and config.get("random_state") is not None:
        gw_random.set_state(config["random_state"])
    return model


def restore_training_state(model, filepath, restore_random_state=True):
    """Load a model file's training state into `model` itself (the same architecture):
    weights, optimizer iterations and slots, a float learning rate changed during training,
    and (by default) the random state. Returns the file's `metadata` dict ({} if none).

    This is how BackupAndRestore resumes: fit keeps its own model object, so the state is
    copied into it rather than loaded as a new model.
    """
    path, config, weights, opt_state = _read_model_file(filepath)
    _assign_weights(model, weights, path)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        saved = ((config.get("compile") or {}).get("optimizer") or {}).get("config") or {}
        lr = saved.get("learning_rate")
        if isinstance(lr, (int, float)) and not callable(getattr(optimizer, "_lr", None)):
            optimizer.learning_rate = lr
        if opt_state is not None:
            _set_optimizer_state(optimizer, model.trainable_weights, opt_state)
    if restore_random_state and config.get("random_state") is not None:
        gw_random.set_state(config["random_state"])
    return dict(config.get("metadata") or {})


def _assign_weights(model, arrays, path):
    own = model.weights
    if len(arrays) != len(own):
        raise ModelFileError(
            f"{path} holds {len(arrays)} weight arrays but the rebuilt model has {len(own)}; "
            "the file does not match this architecture."
        )
    values = [arrays[f"w{i}"] for i in range(len(own))]
    try:
        model.set_weights(values)
    except ValueError as exc:
        raise ModelFileError(f"{path}: weights do not fit the architecture ({exc}).") from None


def load_weights(model, filepath):
    """Set model's weights from save_weights' .npz (or from a whole model file)."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No weights file at {path!r}.")
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "weights.npz" in zf.namelist():
                data = zf.read("weights.npz")
    _assign_weights(model, _read_npz(data, "weights", path), path)
