"""gradwise.losses: each loss against its formula written out in NumPy, the reductions and
sample weights, gradients against finite differences, the fusion hook, errors; and, when
Keras 3 is installed, against Keras itself (KERAS_BACKEND=jax)."""

import os
import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise import losses
from gradwise.errors import ShapeError, UnknownNameError

EPS = 1e-7
rng = np.random.default_rng(0)
SHAPES = [(4,), (4, 1), (3, 5), (2, 3, 4)]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"]


def value(t):
    return np.asarray(t.numpy() if isinstance(t, gw.Tensor) else t, dtype=np.float64)


def reduce_np(per_sample, reduction, weight=None):
    """The reduction Keras 3 applies, written out: weights multiply, then sum or mean."""
    w = np.ones_like(per_sample) if weight is None else np.broadcast_to(weight, per_sample.shape)
    weighted = per_sample * w
    if reduction in ("none", None):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean_with_sample_weight" and weight is not None:
        return weighted.sum() / np.sum(weight)
    return weighted.sum() / weighted.size


def f64(x):
    """A float64 tensor: the loss is then computed in float64 and can be checked tightly."""
    return gw.Tensor(x, dtype="float64")


def softmax_np(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


# --- formulas -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
def test_regression_functions_match_their_formulas(shape):
    y, p = rng.normal(size=shape), rng.normal(size=shape)
    e = p - y
    assert np.allclose(value(losses.mean_squared_error(y, p)), np.mean(e**2, axis=-1), rtol=1e-5)
    assert np.allclose(value(losses.mean_absolute_error(y, p)), np.mean(np.abs(e), axis=-1), rtol=1e-5)
    delta = 0.8
    hub = np.where(np.abs(e) <= delta, 0.5 * e**2, delta * np.abs(e) - 0.5 * delta**2)
    assert np.allclose(value(losses.huber(y, p, delta=delta)), hub.mean(axis=-1), rtol=1e-5)
    assert losses.mse is losses.mean_squared_error and losses.mae is losses.mean_absolute_error


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_reductions_and_sample_weights(reduction, weighted):
    y, p = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    w = rng.uniform(0, 2, size=6) if weighted else None
    per_sample = np.mean((y - p) ** 2, axis=-1)
    got = losses.MeanSquaredError(reduction=reduction)(y, p, sample_weight=w)
    assert np.allclose(value(got), reduce_np(per_sample, reduction, w), rtol=1e-5)


def test_default_reduction_divides_by_batch_size_not_by_weight_sum():
    y, p = np.ones((4, 3)), np.zeros((4, 3))
    loss = losses.MeanSquaredError()
    assert loss.reduction == "sum_over_batch_size"
    assert value(loss(y, p, sample_weight=[1.0, 0.0, 0.0, 0.0])) == pytest.approx(0.25)
    assert value(losses.MeanSquaredError(reduction=None)(y, p)).shape == (4,)


def test_sample_weight_of_shape_n_1_and_scalar():
    y, p = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    w = rng.uniform(size=5)
    per_sample = np.mean((y - p) ** 2, axis=-1)
    loss = losses.MeanSquaredError()
    assert value(loss(y, p, sample_weight=w[:, None])) == pytest.approx((per_sample * w).mean(), rel=1e-5)
    assert value(loss(y, p, sample_weight=2.0)) == pytest.approx(2 * per_sample.mean(), rel=1e-5)


def test_labels_of_shape_n_meet_predictions_of_shape_n_1_without_broadcasting():
    y = np.array([0.0, 1.0, 2.0])
    p = np.array([[0.5], [1.0], [1.0]])
    per_sample = value(losses.MeanSquaredError(reduction="none")(y, p))
    assert per_sample.shape == (3,)
    assert np.allclose(per_sample, [0.25, 0.0, 1.0])
    assert value(losses.MeanSquaredError()(p, y)) == pytest.approx(1.25 / 3)


@pytest.mark.parametrize("shape", [(6, 1), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_binary_crossentropy_probabilities_clip_and_smooth(shape, smoothing):
    y = rng.integers(0, 2, size=shape).astype(float)
    p = rng.uniform(0, 1, size=shape)
    p.flat[0], p.flat[-1] = 0.0, 1.0  # both clipped to [eps, 1 - eps]
    ys = y * (1 - smoothing) + 0.5 * smoothing
    pc = np.clip(p, EPS, 1 - EPS)
    expected = -(ys * np.log(pc) + (1 - ys) * np.log(1 - pc)).mean(axis=-1)
    got = losses.binary_crossentropy(y, f64(p), label_smoothing=smoothing)
    assert np.allclose(value(got), expected, rtol=1e-10)


def test_binary_crossentropy_axis_and_logits_formula():
    y = rng.integers(0, 2, size=(3, 4)).astype(float)
    x = rng.normal(0, 4, size=(3, 4))
    per_element = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
    assert np.allclose(value(losses.binary_crossentropy(y, x, from_logits=True)), per_element.mean(-1), rtol=1e-5)
    assert np.allclose(value(losses.binary_crossentropy(y, x, from_logits=True, axis=0)), per_element.mean(0),
                       rtol=1e-5)


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4)])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_categorical_crossentropy_normalises_then_clips(shape, smoothing):
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    y = np.eye(shape[-1])[labels]
    p = rng.uniform(0, 3, size=shape)  # not normalised on purpose
    p[..., 0] = 0.0
    ys = y * (1 - smoothing) + smoothing / shape[-1]
    q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    expected = -(ys * np.log(q)).sum(-1)
    assert np.allclose(value(losses.categorical_crossentropy(y, p, label_smoothing=smoothing)), expected, rtol=1e-4)
    x = rng.normal(0, 3, size=shape)
    log_p = x - x.max(-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(-1, keepdims=True))
    got = losses.categorical_crossentropy(y, x, from_logits=True, label_smoothing=smoothing)
    assert np.allclose(value(got), -(ys * log_p).sum(-1), rtol=1e-4)


def test_categorical_crossentropy_on_another_axis():
    y = np.eye(3)[rng.integers(0, 3, size=4)].T  # classes on axis 0
    x = rng.normal(size=(3, 4))
    expected = -(y * np.log(softmax_np(x, axis=0))).sum(0)
    assert np.allclose(value(losses.categorical_crossentropy(y, x, from_logits=True, axis=0)), expected, rtol=1e-5)
    q = np.clip(softmax_np(x, 0), EPS, 1 - EPS)
    assert np.allclose(value(losses.categorical_crossentropy(y, softmax_np(x, 0), axis=0)),
                       -(y * np.log(q)).sum(0), rtol=1e-5)


@pytest.mark.parametrize("label_shape", ["n", "n1", "float"])
def test_sparse_categorical_crossentropy(label_shape):
    labels = np.array([2, 0, 1, 2])
    p = rng.uniform(0.1, 1, size=(4, 3))
    q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    expected = -np.log(q[np.arange(4), labels])
    y = {"n": labels, "n1": labels[:, None], "float": labels.astype(np.float32)}[label_shape]
    assert np.allclose(value(losses.sparse_categorical_crossentropy(y, p)), expected, rtol=1e-5)
    x = rng.normal(size=(4, 3))
    expected = -np.log(softmax_np(x)[np.arange(4), labels])
    assert np.allclose(value(losses.sparse_categorical_crossentropy(y, x, from_logits=True)), expected, rtol=1e-5)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert value(loss(y, x)) == pytest.approx(expected.mean(), rel=1e-5)


def test_sparse_ignore_class_averages_over_kept_samples_only():
    labels = np.array([0, -1, 1, 2])
    x = rng.normal(size=(4, 3))
    per = -np.log(softmax_np(x)[np.arange(4), np.where(labels < 0, 0, labels)])
    per[1] = 0.0
    fn = losses.sparse_categorical_crossentropy(labels, x, from_logits=True, ignore_class=-1)
    assert np.allclose(value(fn), per, rtol=1e-5)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    assert value(loss(labels, x)) == pytest.approx(per.sum() / 3, rel=1e-5)  # 3 kept, not 4
    summed = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, reduction="sum")
    assert value(summed(labels, x)) == pytest.approx(per.sum(), rel=1e-5)


def test_keras_documented_examples():
    """Numbers printed in Keras 3's docstrings (keras/src/losses/losses.py)."""
    y = np.array([[0, 1, 0], [0, 0, 1]])
    p = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    cce = losses.CategoricalCrossentropy()
    assert value(cce(y, p)) == pytest.approx(1.177, abs=1e-3)
    assert value(cce(y, p, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(0.814, abs=1e-3)
    assert value(losses.CategoricalCrossentropy(reduction="sum")(y, p)) == pytest.approx(2.354, abs=1e-3)
    assert np.allclose(value(losses.SparseCategoricalCrossentropy(reduction=None)([1, 2], p)), [0.0513, 2.303],
                       atol=1e-3)
    bce = losses.BinaryCrossentropy(from_logits=True)
    y2, x2 = np.array([[0, 1], [0, 0]]), np.array([[-18.6, 0.51], [2.94, -12.8]])
    assert value(bce(y2, x2)) == pytest.approx(0.8654, abs=1e-3)
    assert value(bce(y2, x2, sample_weight=[0.8, 0.2])) == pytest.approx(0.243, abs=1e-3)
    assert np.allclose(value(losses.BinaryCrossentropy(from_logits=True, reduction="none")(y2, x2)),
                       [0.235, 1.496], atol=1e-3)
    assert np.allclose(value(losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])),
                       [0.916, 0.714], atol=1e-3)
    assert value(losses.Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])) == pytest.approx(0.155, abs=1e-3)


# --- probabilities vs logits, stability ---------------------------------------------------------
def test_logit_and_probability_paths_agree():
    x = rng.normal(0, 2, size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    y = np.eye(4)[labels]
    for prob_loss, logit_loss, target in [
        (losses.CategoricalCrossentropy(), losses.CategoricalCrossentropy(from_logits=True), y),
        (losses.SparseCategoricalCrossentropy(), losses.SparseCategoricalCrossentropy(from_logits=True), labels),
    ]:
        assert value(prob_loss(target, softmax_np(x))) == pytest.approx(value(logit_loss(target, x)), rel=1e-4)
    yb = rng.integers(0, 2, size=(6, 4))
    assert value(losses.BinaryCrossentropy()(yb, sigmoid_np(x))) == pytest.approx(
        value(losses.BinaryCrossentropy(from_logits=True)(yb, x)), rel=1e-4)


def test_confident_wrong_predictions_give_large_finite_losses():
    cap = -np.log(EPS)  # 16.118...
    assert value(losses.BinaryCrossentropy()([[1.0]], [[0.0]])) == pytest.approx(cap, rel=1e-3)
    # in float32, 1 - (1 - eps) rounds to 2**-23 (Keras gives the same 15.9424)
    assert value(losses.BinaryCrossentropy()([[0.0]], [[1.0]])) == pytest.approx(23 * np.log(2), rel=1e-6)
    assert value(losses.CategoricalCrossentropy()([[1.0, 0.0]], [[0.0, 1.0]])) == pytest.approx(cap, rel=1e-3)
    assert value(losses.SparseCategoricalCrossentropy()([0], [[0.0, 1.0]])) == pytest.approx(cap, rel=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / divide-by-zero warnings either
        big = [
            losses.BinaryCrossentropy(from_logits=True)([[1.0]], [[-1000.0]]),
            losses.CategoricalCrossentropy(from_logits=True)([[1.0, 0.0]], [[-1000.0, 1000.0]]),
            losses.SparseCategoricalCrossentropy(from_logits=True)([0], [[-1000.0, 1000.0]]),
        ]
    for loss in big:
        assert np.isfinite(value(loss)) and value(loss) > 900


def test_gradients_of_confident_wrong_predictions_are_finite():
    p = gw.Variable([[0.0, 1.0]])
    with gw.GradientTape() as tape:
        loss = losses.CategoricalCrossentropy()([[1.0, 0.0]], p)
    assert np.all(np.isfinite(tape.gradient(loss, p).numpy()))


# --- gradients ----------------------------------------------------------------------------------
def _check(loss, y, p, sample_weight=None):
    assert gw.autodiff.check_gradients(lambda t: loss(y, t, sample_weight=sample_weight), [p], rtol=1e-5,
                                       atol=1e-7)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_regression_gradients(reduction):
    y = rng.normal(size=(4, 3))
    e = rng.uniform(0.2, 0.6, size=(4, 3)) * rng.choice([-1, 1], size=(4, 3))  # away from 0 and ±delta
    e[0, 0] = 2.0  # one error in Huber's linear part
    w = rng.uniform(0.5, 1.5, size=4)
    for loss in (losses.MeanSquaredError(reduction), losses.MeanAbsoluteError(reduction),
                 losses.Huber(delta=1.0, reduction=reduction)):
        _check(loss, y, y + e, w)


@pytest.mark.parametrize("from_logits", [False, True])
def test_crossentropy_gradients(from_logits):
    x = rng.normal(size=(4, 3))
    labels = rng.integers(0, 3, size=4)
    y = np.eye(3)[labels]
    p = x if from_logits else rng.uniform(0.1, 0.9, size=(4, 3))
    w = rng.uniform(0.5, 1.5, size=4)
    _check(losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=0.1), y, p, w)
    _check(losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1), y, p, w)
    _check(losses.SparseCategoricalCrossentropy(from_logits=from_logits), labels, p, w)
    _check(losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=1), labels, p)


def test_fused_gradient_is_p_minus_y_over_batch():
    x = gw.Variable(rng.normal(size=(5, 4)), dtype="float64")
    labels = rng.integers(0, 4, size=5)
    with gw.GradientTape() as tape:
        loss = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, x)
    expected = (softmax_np(x.numpy()) - np.eye(4)[labels]) / 5
    assert np.allclose(tape.gradient(loss, x).numpy(), expected, atol=1e-12)


def test_losses_keep_float64_and_default_to_float32():
    assert losses.MeanSquaredError()(np.ones(3), np.zeros(3)).dtype == np.float32
    assert losses.MeanSquaredError()(np.ones(3), gw.Tensor(np.zeros(3), dtype="float64")).dtype == np.float64


# --- fusion hook ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,target", [
    ("CategoricalCrossentropy", "onehot"), ("SparseCategoricalCrossentropy", "labels"),
    ("BinaryCrossentropy", "binary"),
])
def test_with_logits_gives_the_same_loss_on_logits(cls, target):
    x = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    y = {"onehot": np.eye(4)[labels], "labels": labels, "binary": rng.integers(0, 2, size=(6, 4))}[target]
    kwargs = {"reduction": "sum"} if cls == "SparseCategoricalCrossentropy" else {"reduction": "sum",
                                                                                    "label_smoothing": 0.1}
    loss = getattr(losses, cls)(name="my_loss", **kwargs)
    fused = loss.with_logits()
    assert type(fused) is type(loss) and fused.from_logits and not loss.from_logits
    assert fused.name == "my_loss" and fused.reduction == "sum"
    assert {k: v for k, v in fused.get_config().items() if k != "from_logits"} == \
        {k: v for k, v in loss.get_config().items() if k != "from_logits"}
    activated = sigmoid_np(x) if target == "binary" else softmax_np(x)
    w = rng.uniform(size=6)
    assert value(fused(y, x, sample_weight=w)) == pytest.approx(value(loss(y, activated, sample_weight=w)), rel=1e-4)


def test_with_logits_is_none_where_no_fusion_applies():
    assert losses.MeanSquaredError().with_logits() is None
    assert losses.Huber().with_logits() is None
    assert losses.CategoricalCrossentropy(from_logits=True).with_logits() is None
    assert losses.CategoricalCrossentropy(axis=0).with_logits() is None  # softmax runs on the last axis


def test_each_crossentropy_names_the_activation_it_fuses():
    assert losses.BinaryCrossentropy().logits_activation == "sigmoid"
    assert losses.CategoricalCrossentropy().logits_activation == "softmax"
    assert losses.SparseCategoricalCrossentropy().logits_activation == "softmax"
    assert losses.MeanSquaredError().logits_activation is None


# --- errors ---------------------------------------------------------------------------------------
def test_shape_mismatch_names_the_loss_and_both_shapes():
    with pytest.raises(ShapeError, match=r"mean_squared_error.*\(4, 3\).*\(4, 2\)"):
        losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ShapeError, match=r"binary_crossentropy.*\(4, 2\).*\(5, 2\)"):
        losses.binary_crossentropy(np.zeros((4, 2)), np.zeros((5, 2)))


def test_categorical_wrong_width_and_integer_labels():
    with pytest.raises(ShapeError, match=r"expected 10 columns \(one per class\), got 9"):
        losses.CategoricalCrossentropy()(np.zeros((2, 9)), np.full((2, 10), 0.1))
    with pytest.raises(ShapeError, match="sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(np.array([1, 2]), np.full((2, 10), 0.1))
    with pytest.raises(ShapeError, match="sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(np.array([[1], [2]]), np.full((2, 10), 0.1))


def test_categorical_with_one_class_warns_like_keras():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))


def test_sparse_label_errors():
    with pytest.raises(ValueError, match=r"label 10 is outside \[0, 10\)"):
        losses.SparseCategoricalCrossentropy()(np.array([3, 10]), np.full((2, 10), 0.1))
    with pytest.raises(ValueError, match=r"label -1 is outside"):
        losses.SparseCategoricalCrossentropy(from_logits=True)(np.array([-1, 0]), np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"integer class labels.*0\.5"):
        losses.SparseCategoricalCrossentropy()(np.array([0.5, 1.0]), np.full((2, 3), 0.3))
    with pytest.raises(ShapeError, match=r"\(3,\).*\(2, 10\)"):
        losses.SparseCategoricalCrossentropy()(np.array([1, 2, 3]), np.full((2, 10), 0.1))


def test_bad_reduction_and_sample_weight():
    with pytest.raises(ValueError, match="reduction.*'average'"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ShapeError, match="sample_weight of shape"):
        losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 3)), sample_weight=np.ones(5))


# --- lookup and config ------------------------------------------------------------------------------
@pytest.mark.parametrize("name,cls", [
    ("mse", "MeanSquaredError"), ("mean_squared_error", "MeanSquaredError"), ("MSE", "MeanSquaredError"),
    ("mae", "MeanAbsoluteError"), ("mean_absolute_error", "MeanAbsoluteError"), ("huber", "Huber"),
    ("binary_crossentropy", "BinaryCrossentropy"), ("bce", "BinaryCrossentropy"),
    ("categorical_crossentropy", "CategoricalCrossentropy"),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"),
])
def test_get_resolves_function_names_to_named_loss_objects(name, cls):
    loss = losses.get(name)
    assert type(loss).__name__ == cls and loss.name == name


def test_get_class_names_instances_callables_and_configs():
    assert losses.get("Huber").name == "huber_loss"
    assert losses.get("SparseCategoricalCrossentropy").name == "sparse_categorical_crossentropy"
    obj = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(obj) is obj
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    assert losses.get(None) is None
    fused = losses.get(losses.categorical_crossentropy).with_logits()
    assert fused.from_logits

    def cubic(y_true, y_pred):
        return gw.reduce_mean(gw.abs(y_pred - y_true) ** 3, axis=-1)

    custom = losses.get(cubic)
    assert custom.name == "cubic" and custom.with_logits() is None
    assert value(custom(np.zeros((2, 2)), np.full((2, 2), 2.0))) == pytest.approx(8.0)
    cfg = losses.serialize(losses.Huber(delta=2.5, reduction="sum"))
    back = losses.get(cfg)
    assert isinstance(back, losses.Huber) and back.delta == 2.5 and back.reduction == "sum"


def test_get_unknown_name_lists_known_ones():
    with pytest.raises(UnknownNameError, match="Unknown loss 'mean_sqared_error'.*mean_squared_error"):
        losses.get("mean_sqared_error")


@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(reduction="sum"), losses.MeanAbsoluteError(name="l1"), losses.Huber(delta=0.3),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, axis=0),
    losses.CategoricalCrossentropy(label_smoothing=0.1, reduction=None),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255),
])
def test_config_round_trip(loss):
    again = type(loss).from_config(loss.get_config())
    assert again.get_config() == loss.get_config() and again.name == loss.name
    assert losses.deserialize(losses.serialize(loss)).get_config() == loss.get_config()
    y = np.eye(3)[[0, 1]] if not isinstance(loss, losses.SparseCategoricalCrossentropy) else np.array([0, 1])
    p = np.array([[0.2, 0.5, 0.3], [0.1, 0.6, 0.3]])
    assert np.allclose(value(again(y, p)), value(loss(y, p)))


def test_keras_config_keys():
    assert losses.MeanSquaredError().get_config() == {"name": "mean_squared_error",
                                                      "reduction": "sum_over_batch_size"}
    assert losses.BinaryCrossentropy().get_config() == {
        "name": "binary_crossentropy", "reduction": "sum_over_batch_size", "from_logits": False,
        "label_smoothing": 0.0, "axis": -1}


# --- Keras 3 as an oracle (optional) --------------------------------------------------------------
def _keras():
    """Keras 3, if installed. Its numpy backend avoids jax's per-shape compiles (the suite stays
    fast); it agrees with the jax backend except that it clips sigmoid(logits) in binary
    cross-entropy, so the logits below stay within ±10 where that clip never acts."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    return pytest.importorskip("keras")


def test_oracle_losses_on_random_inputs():
    keras = _keras()
    r = np.random.default_rng(7)
    n, c = 5, 4  # few distinct shapes: jax compiles each op once per shape
    for trial, shape in enumerate([(n, c), (n, 1), (n, c), (n, 2, c)]):
        reduction = REDUCTIONS[trial]
        w = r.uniform(0, 2, n) if trial in (1, 2) else None
        y, p = r.normal(size=shape).astype("float32"), r.normal(size=shape).astype("float32")
        yb, pb = r.integers(0, 2, shape).astype("float32"), r.uniform(0, 1, shape).astype("float32")
        pb.flat[0] = 0.0
        labels = r.integers(0, c, size=(n,))
        onehot = np.eye(c, dtype="float32")[labels]
        probs = r.uniform(0, 2, (n, c)).astype("float32")
        logits = r.normal(0, 6, (n, c)).astype("float32")
        pairs = [
            ("MeanSquaredError", {}, y, p), ("MeanAbsoluteError", {}, y, p), ("Huber", {"delta": 0.6}, y, p),
            ("BinaryCrossentropy", {"label_smoothing": 0.1}, yb, pb),
            ("BinaryCrossentropy", {"from_logits": True}, yb, np.clip(p * 4, -10, 10)),
            ("CategoricalCrossentropy", {"label_smoothing": 0.1}, onehot, probs),
            ("CategoricalCrossentropy", {"from_logits": True}, onehot, logits),
            ("SparseCategoricalCrossentropy", {}, labels, probs),
            ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, labels, logits),
        ]
        for name, kwargs, a, b in pairs:
            ours = getattr(losses, name)(reduction=reduction, **kwargs)(a, b, sample_weight=w)
            theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)(a, b, sample_weight=w)
            assert np.allclose(value(ours), np.asarray(theirs), rtol=2e-5, atol=2e-6), (name, kwargs, reduction)
