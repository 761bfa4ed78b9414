"""gradwise.losses: each loss against its formula written out in NumPy, the reductions and
sample weights, gradients against finite differences, the fusion hook, errors; and, when
Keras 3 is installed, against Keras itself (KERAS_BACKEND=jax)."""

import os
import warnings
import zlib

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
    """check_gradients' verdict (True, or GradientCheckError naming the first mismatch)."""
    return gw.autodiff.check_gradients(lambda t: loss(y, t, sample_weight=sample_weight), [p], rtol=1e-5,
                                       atol=1e-7)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_regression_gradients(reduction):
    y = rng.normal(size=(4, 3))
    e = rng.uniform(0.2, 0.6, size=(4, 3)) * rng.choice([-1, 1], size=(4, 3))  # away from 0 and ±delta
    e[0, 0] = 2.0  # one error in Huber's linear part
    w = rng.uniform(0.5, 1.5, size=4)
    for loss in (losses.MeanSquaredError(reduction), losses.MeanAbsoluteError(reduction),
                 losses.Huber(delta=1.0, reduction=reduction)):
        assert _check(loss, y, y + e, w) is True


@pytest.mark.parametrize("from_logits", [False, True])
def test_crossentropy_gradients(from_logits):
    x = rng.normal(size=(4, 3))
    labels = rng.integers(0, 3, size=4)
    y = np.eye(3)[labels]
    p = x if from_logits else rng.uniform(0.1, 0.9, size=(4, 3))
    w = rng.uniform(0.5, 1.5, size=4)
    assert _check(losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=0.1), y, p, w) is True
    assert _check(losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1), y, p, w) is True
    assert _check(losses.SparseCategoricalCrossentropy(from_logits=from_logits), labels, p, w) is True
    assert _check(losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=1), labels, p) is True


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


# --- hinge, probabilistic and other regression losses ------------------------------------------------
# Each loss against a NumPy reference written from its formula (Keras 3's), per sample.
def _hinge_labels_np(y):
    return 2 * y - 1 if np.all((y == 0) | (y == 1)) else y


def hinge_np(y, p):
    return np.mean(np.maximum(1 - _hinge_labels_np(y) * p, 0), axis=-1)


def squared_hinge_np(y, p):
    return np.mean(np.maximum(1 - _hinge_labels_np(y) * p, 0) ** 2, axis=-1)


def categorical_hinge_np(y, p):
    pos = np.sum(y * p, axis=-1)
    neg = np.max((1 - y) * p, axis=-1)
    return np.maximum(neg - pos + 1, 0)


def kl_np(y, p):
    y, p = np.clip(y, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(y * np.log(y / p), axis=-1)


def poisson_np(y, p):
    return np.mean(p - y * np.log(p + EPS), axis=-1)


def log_cosh_np(y, p):
    return np.mean(np.log(np.cosh(p - y)), axis=-1)


def cosine_np(y, p, axis=-1):
    def unit(v):
        return v / np.maximum(np.linalg.norm(v, axis=axis, keepdims=True), EPS)

    return -np.sum(unit(y) * unit(p), axis=axis)


def msle_np(y, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2, axis=-1)


def mape_np(y, p):
    return 100 * np.mean(np.abs((y - p) / np.maximum(np.abs(y), EPS)), axis=-1)


def binary_focal_np(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0, label_smoothing=0.0, from_logits=False):
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    p = sigmoid_np(p) if from_logits else p
    pc = np.clip(p, EPS, 1 - EPS)
    bce = -(y * np.log(pc) + (1 - y) * np.log(1 - pc))
    p_t = y * p + (1 - y) * (1 - p)
    focal = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal *= y * alpha + (1 - y) * (1 - alpha)
    return focal.mean(axis=-1)


def categorical_focal_np(y, p, alpha=0.25, gamma=2.0, label_smoothing=0.0, from_logits=False):
    y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    p = softmax_np(p) if from_logits else p
    q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return np.sum(alpha * (1 - q) ** gamma * -y * np.log(q), axis=-1)


def _targets(kind, shape):
    """(y_true, y_pred) of a kind suited to the loss, in float64, away from kinks."""
    r = np.random.default_rng(zlib.crc32(f"{kind}{shape}".encode()))  # the same inputs in every run
    if kind == "pm1":  # labels -1/1; y p in ±(0.1, 0.8) or 2 ± (0.1, 0.8): margins 1 - y p away from 0
        y = r.choice([-1.0, 1.0], size=shape)
        y_times_p = r.choice([-1, 1], size=shape) * r.uniform(0.1, 0.8, size=shape) + r.choice([0, 2], size=shape)
        return y, y * y_times_p
    if kind == "onehot":
        y = np.eye(shape[-1])[r.integers(0, shape[-1], size=shape[:-1])]
        return y, r.uniform(0, 1, size=shape)
    if kind == "dist":  # probability distributions along the last axis
        y, p = r.uniform(0.05, 1, size=shape), r.uniform(0.05, 1, size=shape)
        return y / y.sum(-1, keepdims=True), p / p.sum(-1, keepdims=True)
    if kind == "counts":
        return r.poisson(2.0, size=shape).astype(float), r.uniform(0.2, 4, size=shape)
    if kind == "positive":
        return r.uniform(0.1, 5, size=shape), r.uniform(0.1, 5, size=shape)
    if kind == "binary":
        return r.integers(0, 2, size=shape).astype(float), r.uniform(0.05, 0.95, size=shape)
    return r.normal(size=shape), r.normal(size=shape)


NEW_LOSSES = [  # (class, function, NumPy reference, kind of targets)
    ("Hinge", "hinge", hinge_np, "pm1"),
    ("SquaredHinge", "squared_hinge", squared_hinge_np, "pm1"),
    ("CategoricalHinge", "categorical_hinge", categorical_hinge_np, "onehot"),
    ("KLDivergence", "kl_divergence", kl_np, "dist"),
    ("Poisson", "poisson", poisson_np, "counts"),
    ("LogCosh", "log_cosh", log_cosh_np, "normal"),
    ("CosineSimilarity", "cosine_similarity", cosine_np, "normal"),
    ("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", msle_np, "positive"),
    ("MeanAbsolutePercentageError", "mean_absolute_percentage_error", mape_np, "positive"),
    ("BinaryFocalCrossentropy", "binary_focal_crossentropy", binary_focal_np, "binary"),
    ("CategoricalFocalCrossentropy", "categorical_focal_crossentropy", categorical_focal_np, "onehot"),
]
NEW_IDS = [c for c, *_ in NEW_LOSSES]


@pytest.mark.parametrize("cls,fn,ref,kind", NEW_LOSSES, ids=NEW_IDS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 4)])
def test_new_loss_functions_match_their_formulas(cls, fn, ref, kind, shape):
    y, p = _targets(kind, shape)
    got = getattr(losses, fn)(y, f64(p))
    assert got.shape == shape[:-1]
    assert np.allclose(value(got), ref(y, p), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls,fn,ref,kind", NEW_LOSSES, ids=NEW_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_new_losses_reduce_and_weight_like_keras(cls, fn, ref, kind, reduction):
    y, p = _targets(kind, (5, 3))
    w = np.array([0.5, 2.0, 0.0, 1.0, 1.5])
    got = getattr(losses, cls)(reduction=reduction)(y, f64(p), sample_weight=w)
    assert np.allclose(value(got), reduce_np(ref(y, p), reduction, w), rtol=1e-10)
    unweighted = getattr(losses, cls)(reduction=reduction)(y, f64(p))
    assert np.allclose(value(unweighted), reduce_np(ref(y, p), reduction), rtol=1e-10)


def test_hinge_losses_by_hand():
    # margins 1 - y p: 1 - 0.5 = 0.5 and 1 + 0.5 = 1.5
    assert value(losses.hinge([[1.0, -1.0]], [[0.5, 0.5]])) == pytest.approx([1.0])
    assert value(losses.squared_hinge([[1.0, -1.0]], [[0.5, 0.5]])) == pytest.approx([(0.25 + 2.25) / 2])
    # a prediction beyond the margin costs nothing
    assert value(losses.hinge([[1.0, -1.0]], [[2.0, -3.0]])) == pytest.approx([0.0])
    # true class scores 0.5, the best other one 0.9: max(0.9 - 0.5 + 1, 0) = 1.4
    assert value(losses.categorical_hinge([[0.0, 1.0, 0.0]], [[0.3, 0.5, 0.9]])) == pytest.approx([1.4])
    assert value(losses.categorical_hinge([[0.0, 1.0, 0.0]], [[0.3, 2.5, 0.9]])) == pytest.approx([0.0])


def test_hinge_converts_binary_labels_only_when_all_are_0_or_1():
    p = np.array([[0.3, -0.8, 1.2]])
    assert np.allclose(value(losses.hinge([[0.0, 1.0, 1.0]], p)), value(losses.hinge([[-1.0, 1.0, 1.0]], p)))
    assert np.allclose(value(losses.squared_hinge([[1.0, 0.0, 0.0]], p)),
                       value(losses.squared_hinge([[1.0, -1.0, -1.0]], p)))
    # -1 present: the labels are not binary and 0 stays 0; margins 1.3, 1 and max(-0.2, 0)
    assert value(losses.hinge([[-1.0, 0.0, 1.0]], f64(p))) == pytest.approx([2.3 / 3])


def test_kl_divergence_by_hand_and_clipping():
    # 0.5 log(0.5 / 0.25) + 0.5 log(0.5 / 0.75)
    assert value(losses.kl_divergence([[0.5, 0.5]], f64([[0.25, 0.75]]))) == pytest.approx(
        [0.5 * np.log(2) + 0.5 * np.log(2 / 3)], rel=1e-12)
    assert value(losses.kl_divergence([[0.3, 0.7]], [[0.3, 0.7]])) == pytest.approx([0.0], abs=1e-7)
    # y = 0 is clipped to eps, p = 0 is clipped to eps: finite, and equal to the formula
    y, p = np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])
    got = value(losses.kl_divergence(y, f64(p)))
    assert np.isfinite(got).all() and np.allclose(got, EPS * np.log(EPS) + np.log(1 / EPS), rtol=1e-12)
    assert losses.kld is losses.KLD is losses.kl_divergence


def test_poisson_and_log_cosh_by_hand():
    # mean(p - y log(p + eps)): rate 2 for a count of 1 and rate 1 for a count of 0
    assert value(losses.poisson([[1.0, 0.0]], f64([[2.0, 1.0]]))) == pytest.approx(
        [(2 - np.log(2 + EPS) + 1) / 2], rel=1e-12)
    # Keras's documented example: log cosh(1) / 2 per sample, then the batch mean = 0.108
    assert value(losses.LogCosh()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])) == pytest.approx(0.108, abs=1e-3)
    # large errors: |x| - log 2 without overflow (np.cosh(1000) would be inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = value(losses.log_cosh([[0.0, 0.0]], f64([[1000.0, -1000.0]])))
    assert big == pytest.approx([1000 - np.log(2)], rel=1e-12)


def test_cosine_similarity_is_negative_and_handles_zero_vectors():
    y = [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    p = [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [3.0, 4.0]]
    got = value(losses.cosine_similarity(y, f64(p)))
    assert np.allclose(got, [0.0, -1.0, 1.0, 0.0], atol=1e-12)  # orthogonal, same, opposite, zero
    assert value(losses.CosineSimilarity()(y, f64(p))) == pytest.approx(0.0, abs=1e-12)
    assert np.allclose(value(losses.cosine_similarity([[1.0, 2.0], [3.0, 1.0]], f64([[2.0, 0.0], [1.0, 1.0]]),
                                                      axis=0)),
                       cosine_np(np.array([[1.0, 2.0], [3.0, 1.0]]), np.array([[2.0, 0.0], [1.0, 1.0]]), axis=0))
    # the scale of either vector does not matter
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert np.allclose(value(losses.cosine_similarity(a, f64(b))), value(losses.cosine_similarity(5 * a, f64(b / 7))))


def test_msle_and_mape_floor_small_values_at_epsilon():
    y, p = np.array([[0.0, 3.0]]), np.array([[-2.0, 1.0]])  # y_pred < 0 is raised to eps
    expected = np.mean([(np.log(EPS + 1) - np.log(EPS + 1)) ** 2, (np.log(2) - np.log(4)) ** 2])
    assert value(losses.mean_squared_logarithmic_error(y, f64(p))) == pytest.approx([expected], rel=1e-12)
    # Keras's documented example: 6.111111
    assert value(losses.MeanAbsolutePercentageError()([100.0, 200.0, 300.0], [90.0, 210.0, 310.0])) == \
        pytest.approx(6.111111, rel=1e-6)
    # a zero target divides by eps, not by 0
    assert value(losses.mean_absolute_percentage_error([[0.0]], f64([[1e-6]]))) == pytest.approx([1000.0], rel=1e-9)
    assert losses.mape is losses.MAPE is losses.mean_absolute_percentage_error
    assert losses.msle is losses.MSLE is losses.mean_squared_logarithmic_error


@pytest.mark.parametrize("kwargs", [{}, {"apply_class_balancing": True, "alpha": 0.4, "gamma": 3.0},
                                    {"label_smoothing": 0.1, "gamma": 1.5}, {"from_logits": True}])
def test_binary_focal_crossentropy_options(kwargs):
    y, p = _targets("binary", (4, 3))
    if kwargs.get("from_logits"):
        p = rng.normal(0, 2, size=(4, 3))
    got = losses.binary_focal_crossentropy(y, f64(p), **kwargs)
    assert np.allclose(value(got), binary_focal_np(y, p, **kwargs), rtol=1e-10)


def test_binary_focal_crossentropy_at_certain_predictions():
    """The focal factor uses the unclipped p (only the log is clipped, as Keras): a certain, right
    prediction costs exactly 0, a certain, wrong one the full clipped cross-entropy."""
    y, p = np.array([[1.0, 0.0, 1.0, 0.0]]), np.array([[1.0, 0.0, 0.0, 1.0]])
    per_element = value(losses.BinaryFocalCrossentropy(reduction=None)(y.T, f64(p.T)))  # (4, 1): one each
    assert per_element[0] == per_element[1] == 0.0
    assert per_element[2:] == pytest.approx([-np.log(EPS), -np.log(1 - (1 - EPS))], rel=1e-12)
    assert value(losses.binary_focal_crossentropy(y, f64(p))) == pytest.approx(binary_focal_np(y, p), rel=1e-12)


def test_focal_losses_reduce_to_crossentropy_when_gamma_is_0():
    y, p = _targets("binary", (4, 3))
    assert np.allclose(value(losses.binary_focal_crossentropy(y, f64(p), gamma=0.0)),
                       value(losses.binary_crossentropy(y, f64(p))), rtol=1e-12)
    y, p = _targets("onehot", (4, 3))
    assert np.allclose(value(losses.categorical_focal_crossentropy(y, f64(p), gamma=0.0, alpha=1.0)),
                       value(losses.categorical_crossentropy(y, f64(p))), rtol=1e-12)
    x = rng.normal(size=(4, 3))
    got = losses.categorical_focal_crossentropy(y, f64(x), from_logits=True, label_smoothing=0.2, alpha=0.5)
    assert np.allclose(value(got), categorical_focal_np(y, x, alpha=0.5, label_smoothing=0.2, from_logits=True))


def test_focal_losses_keras_documented_examples():
    """Numbers printed in Keras 3's docstrings (keras/src/losses/losses.py)."""
    y, x = np.array([[0, 1], [0, 0]]), np.array([[-18.6, 0.51], [2.94, -12.8]])
    bfce = losses.BinaryFocalCrossentropy
    assert value(bfce(gamma=3, from_logits=True)(y, x)) == pytest.approx(0.647, abs=1e-3)
    assert value(bfce(apply_class_balancing=True, gamma=3, from_logits=True)(y, x)) == pytest.approx(0.482, abs=1e-3)
    assert value(bfce(gamma=3, from_logits=True)(y, x, sample_weight=[0.8, 0.2])) == pytest.approx(0.133, abs=1e-3)
    assert value(bfce(gamma=4, from_logits=True, reduction="sum")(y, x)) == pytest.approx(1.222, abs=1e-3)
    assert np.allclose(value(bfce(gamma=5, from_logits=True, reduction=None)(y, x)), [0.0017, 1.1561], atol=1e-4)
    assert value(bfce(gamma=2, from_logits=True)([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])) == \
        pytest.approx(0.691, abs=1e-3)
    y, p = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    cfce = losses.CategoricalFocalCrossentropy()
    assert value(cfce(y, p)) == pytest.approx(0.23315276, rel=1e-5)
    assert value(cfce(y, p, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(0.1632, abs=1e-4)
    assert np.allclose(value(losses.CategoricalFocalCrossentropy(reduction=None)(y, p)), [3.2058331e-05, 4.6627346e-01],
                       rtol=1e-5)


@pytest.mark.parametrize("cls,fn,ref,kind", NEW_LOSSES, ids=NEW_IDS)
def test_new_loss_gradients_match_finite_differences(cls, fn, ref, kind):
    y, p = _targets(kind, (4, 3))
    w = rng.uniform(0.5, 1.5, size=4)
    assert _check(getattr(losses, cls)(), y, p, w) is True
    assert _check(getattr(losses, cls)(reduction="none"), y, p) is True


def test_gradient_of_hinge_by_hand():
    """d/dp mean(max(1 - y p, 0)) = -y / n where the margin is positive, 0 elsewhere."""
    y = np.array([[1.0, -1.0, 1.0, -1.0]])
    p = gw.Variable([[0.5, 0.2, 2.0, -3.0]], dtype="float64")
    with gw.GradientTape() as tape:
        loss = losses.Hinge()(y, p)
    assert np.allclose(tape.gradient(loss, p).numpy(), [[-0.25, 0.25, 0.0, 0.0]])


def test_gradients_at_clipped_and_zero_inputs_are_finite():
    checks = [(losses.CosineSimilarity(), [[1.0, 2.0]], [[0.0, 0.0]]),
              (losses.KLDivergence(), [[0.0, 1.0]], [[1.0, 0.0]]),
              (losses.MeanSquaredLogarithmicError(), [[1.0, 2.0]], [[-1.0, 0.0]]),
              (losses.Poisson(), [[1.0, 2.0]], [[0.0, 1.0]])]
    for loss, y, p in checks:
        var = gw.Variable(p, dtype="float64")
        with gw.GradientTape() as tape:
            out = loss(y, var)
        assert np.all(np.isfinite(tape.gradient(out, var).numpy())), loss.name


@pytest.mark.parametrize("name,cls", [
    ("hinge", "Hinge"), ("squared_hinge", "SquaredHinge"), ("categorical_hinge", "CategoricalHinge"),
    ("kl_divergence", "KLDivergence"), ("kld", "KLDivergence"), ("KLD", "KLDivergence"), ("poisson", "Poisson"),
    ("log_cosh", "LogCosh"), ("cosine_similarity", "CosineSimilarity"),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"), ("msle", "MeanSquaredLogarithmicError"),
    ("MSLE", "MeanSquaredLogarithmicError"), ("mape", "MeanAbsolutePercentageError"),
    ("MAPE", "MeanAbsolutePercentageError"), ("mean_absolute_percentage_error", "MeanAbsolutePercentageError"),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy"),
    ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy"),
])
def test_get_resolves_new_names(name, cls):
    loss = losses.get(name)
    assert type(loss).__name__ == cls and loss.name == name


def test_keras_2_only_names_are_unknown():
    for name in ("logcosh", "kullback_leibler_divergence"):  # keras.losses.get rejects them too
        with pytest.raises(UnknownNameError):
            losses.get(name)


KERAS_DEFAULTS = {  # Keras 3's default `name` and the keys of get_config() besides name and reduction
    "Hinge": ("hinge", set()), "SquaredHinge": ("squared_hinge", set()),
    "CategoricalHinge": ("categorical_hinge", set()), "KLDivergence": ("kl_divergence", set()),
    "Poisson": ("poisson", set()), "LogCosh": ("log_cosh", set()),
    "CosineSimilarity": ("cosine_similarity", {"axis"}),  # Keras 3 leaves it out (and loses it); we keep it
    "MeanSquaredLogarithmicError": ("mean_squared_logarithmic_error", set()),
    "MeanAbsolutePercentageError": ("mean_absolute_percentage_error", set()),
    "BinaryFocalCrossentropy": ("binary_focal_crossentropy",
                                {"apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis"}),
    "CategoricalFocalCrossentropy": ("categorical_focal_crossentropy",
                                     {"alpha", "gamma", "from_logits", "label_smoothing", "axis"}),
}


@pytest.mark.parametrize("cls", sorted(KERAS_DEFAULTS))
def test_new_losses_default_names_and_config_keys(cls):
    name, extra = KERAS_DEFAULTS[cls]
    loss = getattr(losses, cls)()
    assert loss.name == name and loss.reduction == "sum_over_batch_size"
    assert set(loss.get_config()) == {"name", "reduction"} | extra
    assert losses.get(cls).name == name


@pytest.mark.parametrize("loss", [
    losses.Hinge(reduction="sum"), losses.KLDivergence(name="kl"), losses.LogCosh(reduction=None),
    losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.0, label_smoothing=0.1),
    losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=3.0, from_logits=True),
    losses.MeanAbsolutePercentageError(reduction="mean_with_sample_weight"),
    losses.CosineSimilarity(axis=0),
], ids=lambda l: type(l).__name__)
def test_new_losses_config_round_trip(loss):
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss) and again.get_config() == loss.get_config()
    y, p = _targets("onehot", (3, 4))
    assert np.allclose(value(again(y, f64(p))), value(loss(y, f64(p))))


def test_new_losses_check_shapes_and_axis():
    with pytest.raises(ShapeError, match=r"hinge.*\(4, 3\).*\(4, 2\)"):
        losses.Hinge()(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ShapeError, match="cosine_similarity: axis 2"):
        losses.cosine_similarity(np.ones((2, 3)), np.ones((2, 3)), axis=2)
    with pytest.raises(ShapeError, match="categorical_focal_crossentropy.*sparse_categorical_crossentropy"):
        losses.categorical_focal_crossentropy(np.array([1, 2]), np.full((2, 10), 0.1))
    # (N,) labels meet (N, 1) predictions as (N, 1), never broadcast to (N, N)
    assert value(losses.Hinge(reduction=None)(np.array([1.0, -1.0]), np.array([[0.5], [0.5]]))).shape == (2,)


def test_new_losses_keep_float64_and_default_to_float32():
    for cls, _, _, kind in NEW_LOSSES:
        y, p = _targets(kind, (2, 3))
        assert getattr(losses, cls)()(y, p.astype(np.float32)).dtype == np.float32, cls
        assert getattr(losses, cls)()(y, f64(p)).dtype == np.float64, cls


def test_new_losses_train_a_model():
    """compile(loss=<name>) works end to end and lowers the loss."""
    r = np.random.default_rng(3)
    x = r.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, :1] + x[:, 1:2] > 0).astype(np.float32)
    for name in ("hinge", "squared_hinge", "binary_focal_crossentropy"):
        gw.random.seed(0)
        model = gw.Sequential([gw.Input((4,)), gw.layers.Dense(1, activation="tanh" if "hinge" in name else "sigmoid")])
        model.compile(optimizer=gw.optimizers.Adam(0.05), loss=name)
        history = model.fit(x, y, epochs=5, batch_size=16, verbose=0).history["loss"]
        assert history[-1] < history[0], name


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_oracle_new_losses():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    r = np.random.default_rng(11)
    for shape in [(5, 4), (5, 1), (5, 2, 3)]:
        for reduction in REDUCTIONS:
            w = r.uniform(0, 2, 5) if len(shape) == 2 else None
            cases = [(cls, {}) for cls, *_ in NEW_LOSSES] + [
                ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "gamma": 3.0, "label_smoothing": 0.1}),
                ("BinaryFocalCrossentropy", {"from_logits": True}),
                ("CategoricalFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.2, "alpha": 0.5}),
            ]
            for cls, kwargs in cases:
                kind = dict((c, k) for c, _, _, k in NEW_LOSSES)[cls]
                if kind == "onehot" and shape[-1] == 1:
                    continue
                y, p = (a.astype("float32") for a in _targets(kind, shape))
                if kwargs.get("from_logits"):
                    p = r.normal(0, 3, size=shape).astype("float32")
                ours = getattr(losses, cls)(reduction=reduction, **kwargs)(y, p, sample_weight=w)
                theirs = getattr(keras.losses, cls)(reduction=reduction, **kwargs)(y, p, sample_weight=w)
                assert np.allclose(value(ours), np.asarray(theirs), rtol=2e-5, atol=2e-6), \
                    (cls, kwargs, shape, reduction)
            y01 = r.integers(0, 2, size=shape).astype("float32")
            p = r.normal(size=shape).astype("float32")
            for cls in ("Hinge", "SquaredHinge"):  # 0/1 labels converted to -1/1
                ours = getattr(losses, cls)(reduction=reduction)(y01, p, sample_weight=w)
                theirs = getattr(keras.losses, cls)(reduction=reduction)(y01, p, sample_weight=w)
                assert np.allclose(value(ours), np.asarray(theirs), rtol=2e-5, atol=2e-6), (cls, shape, reduction)
    for name in ("kld", "KLD", "mape", "MAPE", "msle", "MSLE", "hinge", "log_cosh", "cosine_similarity"):
        assert keras.losses.get(name).__name__ == losses.get(name).fn.__name__
    for name in ("logcosh", "kullback_leibler_divergence"):
        with pytest.raises(ValueError):
            keras.losses.get(name)
    for cls in KERAS_DEFAULTS:
        theirs = getattr(keras.losses, cls)()
        ours = getattr(losses, cls)()
        ours_keys = set(ours.get_config()) - ({"axis"} if cls == "CosineSimilarity" else set())  # kept on purpose
        assert ours.name == theirs.name and ours_keys == set(theirs.get_config())
