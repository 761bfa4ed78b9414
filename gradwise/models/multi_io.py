"""Several inputs and outputs in compile/fit/evaluate/predict (functional models, as Keras 3).

Data: x is one array per input, given as a list (in input order) or a dict keyed by input
names; y likewise per output. A MultiArray holds such arrays and slices them together, so
the training loop that batches one array (x[idx], len(x)) batches them unchanged.

Losses and metrics: one per output, as a list in output order or a dict keyed by output
names; a single loss applies to every output. The loss minimised is the weighted sum

    loss = Σ_i loss_weights[i] · loss_i(y_i, ŷ_i)

and the logs also report each output's own loss and metrics as '<output>_loss' and
'<output>_<metric>' (e.g. "out1_loss", "out2_mae"), the names Keras 3 gives them.
"""

from types import SimpleNamespace

import numpy as np

from .. import losses as losses_mod
from .. import metrics as metrics_mod
from ..autodiff.function import no_grad
from ..autodiff.ops import add, multiply
from ..autodiff.tensor import Tensor
from ..layers.input import flatten
from . import data as data_mod


class MultiArray:
    """Arrays with one row per sample each (one per model input or output), indexed together:
    `batch = data[idx]` slices every array with the same rows."""

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        return MultiArray([a[index] for a in self.arrays])

    @property
    def shape(self):
        return (len(self),)

    def __repr__(self):
        return f"MultiArray({', '.join(str(a.shape) for a in self.arrays)})"


# --- one value per output ------------------------------------------------------------------
def _is_config(value):
    return isinstance(value, dict) and "class_name" in value  # a serialized loss or metric


def per_output(value, names, what, allow_single=True, default=None):
    """`value` spread over the outputs: a list in output order, a dict keyed by output names,
    or (allow_single) one value for all of them."""
    if isinstance(value, dict) and not _is_config(value):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"{what} has key(s) {', '.join(map(repr, unknown))} that name no output; the "
                             f"model's outputs are {', '.join(map(repr, names))}.")
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(
                f"{what} for a model with {len(names)} outputs ({', '.join(names)}) must be a list of "
                f"{len(names)} entries, one per output in that order, or a dict keyed by output names; got a "
                f"list of {len(value)}: {list(value)!r}."
            )
        return list(value)
    if allow_single:
        return [value] * len(names)
    raise ValueError(f"{what} for a model with {len(names)} outputs must be a list or a dict keyed by "
                     f"{', '.join(map(repr, names))}.")


def single(value, names, what):
    """For a one-output model: unwrap a loss (or targets) given as a list of one or a dict."""
    if isinstance(value, (list, tuple)) and len(value) == 1 and what == "loss":
        return value[0]
    if isinstance(value, dict) and not _is_config(value):
        return per_output(value, names, what)[0]
    return value


def single_metrics(metrics, names):
    """For a one-output model: metrics as a flat list (a dict keyed by the output is accepted)."""
    if isinstance(metrics, dict) and not _is_config(metrics):
        metrics = per_output(metrics, names, "metrics")[0]
    if metrics is None:
        return None
    return list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]


# --- losses and metrics per output ------------------------------------------------------------
class OutputsLoss(losses_mod.Loss):
    """The loss of a multi-output model: Σ_i w_i · loss_i(y_i, ŷ_i) (outputs without a loss skipped)."""

    def __init__(self, losses, weights):
        super().__init__(name="loss")
        self.losses, self.weights = losses, weights

    def __call__(self, y_true, y_pred, sample_weight=None):
        targets = y_true.arrays if isinstance(y_true, MultiArray) else list(y_true)
        preds = flatten(y_pred) if isinstance(y_pred, (list, tuple, dict)) else [y_pred]
        total = None
        for loss, w, yt, yp in zip(self.losses, self.weights, targets, preds):
            if loss is None:
                continue
            term = loss(yt, yp, sample_weight=sample_weight)
            if w != 1.0:
                term = multiply(term, np.asarray(w, dtype=term.dtype))
            total = term if total is None else add(total, term)
        return total


def _pick(data, index):
    if isinstance(data, MultiArray):
        return data.arrays[index]
    return data[index] if isinstance(data, (list, tuple)) else data


class OutputMetric(metrics_mod.Metric):
    """A metric of one output, named '<output>_<metric>': it sees only that output's targets
    and predictions."""

    def __init__(self, metric, index, name):
        self.metric, self.index = metric, index
        super().__init__(name=name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.metric.update_state(_pick(y_true, self.index), _pick(y_pred, self.index), sample_weight)

    def result(self):
        return self.metric.result()

    def reset_state(self):
        self.metric.reset_state()

    def clone(self):
        return OutputMetric(self.metric.clone(), self.index, self.name)


class OutputLoss(metrics_mod.Metric):
    """One output's own loss (unweighted, without regularization), averaged over samples."""

    def __init__(self, loss, index, name):
        self.loss, self.index = loss, index
        super().__init__(name=name)

    def reset_state(self):
        self.total, self.count = 0.0, 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        yt, yp = _pick(y_true, self.index), _pick(y_pred, self.index)
        with no_grad():
            value = self.loss(yt, Tensor._from_array(yp, None), sample_weight=sample_weight)
        self.total += float(value.data) * len(yt)
        self.count += len(yt)

    def result(self):
        return self.total / self.count if self.count else 0.0

    def clone(self):
        return OutputLoss(self.loss, self.index, self.name)


class OutputsPlan:
    """compile()'s arguments for a multi-output model, resolved per output."""

    def __init__(self, names, shapes, loss, metrics, loss_weights):
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='mse' (for every output) or one per output.")
        self.names = names
        self.loss_ids = per_output(loss, names, "loss")
        if all(l is None for l in self.loss_ids):
            raise ValueError(f"compile() got no loss for any output ({', '.join(names)}).")
        losses = [None if l is None else losses_mod.get(l) for l in self.loss_ids]
        weights = per_output(loss_weights, names, "loss_weights", default=1.0) if loss_weights is not None \
            else [1.0] * len(names)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.total_loss = OutputsLoss(losses, self.weights)
        prefix = len(names) > 1
        self.metrics = [OutputLoss(l, i, f"{n}_loss") for i, (l, n) in enumerate(zip(losses, names))
                        if l is not None and prefix]
        self.metric_ids = per_output(metrics, names, "metrics", allow_single=False) if metrics is not None \
            else [None] * len(names)
        for i, (ids, name) in enumerate(zip(self.metric_ids, names)):
            ids = [] if ids is None else (list(ids) if isinstance(ids, (list, tuple)) else [ids])
            self.metric_ids[i] = ids
            for m in ids:
                metric = metrics_mod.get(m, loss=self.loss_ids[i], output_shape=shapes[i])
                self.metrics.append(OutputMetric(metric, i, f"{name}_{metric.name}" if prefix else metric.name))

    def config(self):
        """The JSON-able compile settings (dicts keyed by output names), for model files."""
        def ser_loss(l):
            return None if l is None else l if isinstance(l, str) else losses_mod.serialize(losses_mod.get(l))

        def ser_metric(m):
            return m if isinstance(m, str) else metrics_mod.serialize(m)

        return {
            "loss": {n: ser_loss(l) for n, l in zip(self.names, self.loss_ids)},
            "metrics": {n: [ser_metric(m) for m in ids] for n, ids in zip(self.names, self.metric_ids)},
            "loss_weights": dict(zip(self.names, self.weights)),
        }


# --- data ---------------------------------------------------------------------------------------
def _targets(model, y):
    names = model.output_names
    if isinstance(y, MultiArray):
        return list(y.arrays)
    if not model._multi_output:
        return [single(y, names, "y")]
    if isinstance(y, dict):
        missing = [n for n in names if n not in y]
        if missing:
            raise ValueError(f"y has no targets for output(s) {', '.join(map(repr, missing))}; give a dict "
                             f"with the keys {', '.join(map(repr, names))}.")
        return [y[n] for n in names]
    if isinstance(y, (list, tuple)) and len(y) == len(names) and (len(names) > 1 or hasattr(y[0], "shape")):
        return list(y)
    if len(names) == 1:
        return [y]
    raise ValueError(
        f"Model '{model.name}' has {len(names)} outputs ({', '.join(names)}): give y as a list of {len(names)} "
        "arrays in that order, or a dict keyed by output names."
    )


def _check_finite(arr, name):
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)}); "
                         "clean or impute the data before training.")


def prepare(model, xs, y, sample_weight, what):
    """Check and convert the data of a model with several inputs or outputs (as data.prepare
    does for one array): every array has the same number of rows, none is empty or NaN."""
    if y is None or any(a is None for a in xs):
        raise ValueError(f"{what}() needs both x and y.")
    xs = [data_mod.as_array(a, f"input '{n}'") for a, n in zip(xs, model.input_names)]
    ys = [data_mod.as_array(a, f"y for output '{n}'") for a, n in zip(_targets(model, y), model.output_names)]
    named = [(f"input '{n}'", a) for n, a in zip(model.input_names, xs)] + \
            [(f"y for output '{n}'", a) for n, a in zip(model.output_names, ys)]
    rows = {len(a) for _, a in named}
    if len(rows) > 1:
        counts = ", ".join(f"{name} has {len(a)}" for name, a in named)
        raise ValueError(f"The arrays given to {what}() have different numbers of samples ({counts}); "
                         "every input and target needs one row per sample.")
    if rows == {0}:
        raise ValueError(f"{what}() got no samples: x is empty.")
    for name, a in named:
        _check_finite(a, name)
    if sample_weight is not None:
        sample_weight = data_mod.as_array(sample_weight, "sample_weight").astype(np.float32)
        if sample_weight.shape[0] != len(xs[0]):
            raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries but there are {len(xs[0])} samples.")
    loss = model.loss
    if isinstance(loss, OutputsLoss):
        for l, shape, target in zip(loss.losses, [t.shape for t in model.outputs], ys):
            if l is not None:
                data_mod.check_targets(SimpleNamespace(loss=l, _output_shape=shape), target)
    x_out = xs[0] if len(xs) == 1 else MultiArray(xs)
    y_out = MultiArray(ys) if model._multi_output else ys[0]
    return x_out, y_out, sample_weight
