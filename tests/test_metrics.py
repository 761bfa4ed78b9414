"""gradwise.metrics: values worked out by hand on small batches (accumulation over two
batches, sample weights, reset), the "accuracy" resolution table of Keras 3's compile,
Precision/Recall on a hand-made confusion matrix; and, when Keras 3 is installed, against
Keras itself."""

import os

import numpy as np
import pytest

import gradwise as gw
from gradwise import metrics
from gradwise.errors import ShapeError, UnknownNameError


# --- Mean and the accuracies, by hand -------------------------------------------------------------
def test_mean_accumulates_weights_and_resets():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([10.0], sample_weight=[2.0])
    assert m.result() == pytest.approx((1 + 2 + 3 + 20) / 5)
    m.reset_state()
    assert m.result() == 0.0
    m.update_state([1.0, 2.0, 3.0], sample_weight=2.0)  # a scalar weight weights the batch mean
    assert m.result() == pytest.approx(2.0) and m.count == 2.0


def test_sparse_categorical_accuracy_over_two_batches_with_weights():
    m = metrics.SparseCategoricalAccuracy()
    p = np.array([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.2, 0.3, 0.5]])  # argmax 1, 0, 2
    m.update_state([1, 1, 2], p)  # 2 of 3 right
    assert m.result() == pytest.approx(2 / 3)
    m.update_state(np.array([[0], [0]]), p[:2])  # labels (N, 1): 1 of 2 right
    assert m.result() == pytest.approx(3 / 5)
    m.reset_state()
    m.update_state([1, 1, 2], p, sample_weight=[1.0, 3.0, 0.5])
    assert m.result() == pytest.approx((1 + 0.5) / 4.5)
    assert m.name == "sparse_categorical_accuracy"


def test_categorical_binary_and_exact_accuracy():
    onehot = np.eye(3)[[1, 0, 2, 2]]
    p = np.array([[0.1, 0.8, 0.1], [0.4, 0.4, 0.2], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    assert metrics.CategoricalAccuracy()(onehot, p) == pytest.approx(3 / 4)  # a tie goes to index 0
    b = metrics.BinaryAccuracy()
    b.update_state([[1], [0], [1], [0]], [[0.9], [0.5], [0.5], [0.2]])  # 0.5 is not > 0.5
    assert b.result() == pytest.approx(3 / 4)
    assert metrics.BinaryAccuracy(threshold=0.3)([[1], [0]], [[0.4], [0.4]]) == pytest.approx(0.5)
    assert metrics.Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]) == pytest.approx(0.75)


def test_top_k_accuracies_count_ties_for_the_label():
    p = np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.1, 0.2, 0.7]])
    labels = np.array([1, 0, 0])  # ranks 2, 2 (tie with class 1), 3
    assert metrics.SparseTopKCategoricalAccuracy(k=2)(labels, p) == pytest.approx(2 / 3)
    assert metrics.SparseTopKCategoricalAccuracy(k=1)(labels, p) == pytest.approx(0.0)
    assert metrics.TopKCategoricalAccuracy(k=2)(np.eye(3)[labels], p) == pytest.approx(2 / 3)
    assert metrics.SparseTopKCategoricalAccuracy(k=5)(labels, p) == 1.0


def test_regression_metrics_and_wrapper():
    y, p = np.array([[0.0, 1.0], [2.0, 2.0]]), np.array([[1.0, 1.0], [0.0, 2.0]])
    mse = metrics.MeanSquaredError()
    mse.update_state(y, p)
    mse.update_state(y[:1], p[:1], sample_weight=[2.0])
    assert mse.result() == pytest.approx((0.5 + 2.0 + 2 * 0.5) / 4)
    assert metrics.MeanAbsoluteError()(y, p) == pytest.approx((0.5 + 1.0) / 2)

    def max_error(y_true, y_pred):
        return np.max(np.abs(np.asarray(y_true) - np.asarray(y_pred)), axis=-1)

    wrapped = metrics.MeanMetricWrapper(max_error, name="max_error")
    assert wrapped(y, p) == pytest.approx(1.5)
    hub = metrics.get(gw.losses.huber)  # a gradwise loss function runs without building a graph
    assert hub.name == "huber" and hub(y, p) == pytest.approx(float(gw.losses.Huber()(y, p)))


def test_metrics_accept_tensors_and_return_python_floats():
    y = gw.Tensor([1, 0])
    p = gw.Variable([[0.2, 0.8], [0.9, 0.1]])
    m = metrics.get("sparse_categorical_crossentropy")
    m.update_state(y, p)
    assert m.result() == pytest.approx(-np.mean(np.log([0.8, 0.9])), rel=1e-6)
    assert isinstance(m.result(), float)
    assert metrics.SparseCategoricalAccuracy()(y, p) == 1.0


# --- Precision and Recall ---------------------------------------------------------------------------
Y_TRUE = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 1])
SCORES = np.array([0.9, 0.6, 0.4, 0.2, 0.7, 0.1, 0.3, 0.55, 0.05, 0.8])
# at 0.5: predicted positive 0, 1, 4, 7, 9 -> TP = 3 (0, 1, 9), FP = 2 (4, 7), FN = 2 (2, 3)


def test_precision_recall_on_a_hand_made_confusion_matrix():
    p, r = metrics.Precision(), metrics.Recall()
    p.update_state(Y_TRUE, SCORES)
    r.update_state(Y_TRUE, SCORES)
    assert (p.true_positives[0], p.false_positives[0], r.false_negatives[0]) == (3, 2, 2)
    assert p.result() == pytest.approx(3 / 5) and r.result() == pytest.approx(3 / 5)
    p.update_state([1, 0], [0.9, 0.1])  # one more TP
    assert p.result() == pytest.approx(4 / 6)
    p.reset_state()
    assert p.result() == 0.0  # 0 / 0 gives 0, as Keras's divide_no_nan


def test_precision_recall_thresholds_and_weights():
    p = metrics.Precision(thresholds=[0.0, 0.5, 0.85])
    r = metrics.Recall(thresholds=[0.0, 0.5, 0.85])
    p.update_state(Y_TRUE, SCORES)
    r.update_state(Y_TRUE, SCORES)
    assert np.allclose(p.result(), [5 / 10, 3 / 5, 1 / 1])
    assert np.allclose(r.result(), [5 / 5, 3 / 5, 1 / 5])
    w = np.array([1, 1, 1, 1, 3, 1, 1, 1, 1, 2.0])
    pw = metrics.Precision()
    pw.update_state(Y_TRUE, SCORES, sample_weight=w)
    assert pw.result() == pytest.approx((1 + 1 + 2) / (1 + 1 + 2 + 3 + 1))


def test_precision_recall_class_id_and_top_k():
    y = np.eye(3)[[0, 1, 2, 1]]
    s = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]])
    p1 = metrics.Precision(class_id=1)
    p1.update_state(y, s)  # column 1 > 0.5 at rows 1 (label 1), 2 (label 0)
    assert p1.result() == pytest.approx(1 / 2)
    r1 = metrics.Recall(class_id=1)
    r1.update_state(y, s)  # labels 1 at rows 1, 3; found at row 1
    assert r1.result() == pytest.approx(1 / 2)
    top1 = metrics.Precision(top_k=1)
    top1.update_state(y, s)  # each row's argmax: 0, 1, 1, 2 -> right at rows 0, 1
    assert top1.result() == pytest.approx(2 / 4)


def test_precision_threshold_validation_and_config():
    with pytest.raises(ValueError, match=r"\[0, 1\].*1.5"):
        metrics.Precision(thresholds=[0.5, 1.5])
    cfg = metrics.Recall(thresholds=[0.2, 0.8], class_id=2, name="r2").get_config()
    assert cfg == {"name": "r2", "dtype": "float32", "thresholds": [0.2, 0.8], "top_k": None, "class_id": 2}
    again = metrics.Recall.from_config(cfg)
    assert again.class_id == 2 and list(again.thresholds) == pytest.approx([0.2, 0.8])


def test_clone_has_fresh_state_and_leaves_the_original_alone():
    acc = metrics.get("accuracy")
    acc.update_state([[1], [0]], [[0.9], [0.9]])
    twin = acc.clone()
    assert twin.name == "accuracy" and twin.result() == 0.0 and acc.result() == pytest.approx(0.5)
    twin.update_state([[1]], [[0.9]])
    assert twin.result() == 1.0 and acc.result() == pytest.approx(0.5)
    p = metrics.Precision(thresholds=[0.3, 0.6], name="p")
    p.update_state(Y_TRUE, SCORES)
    q = p.clone()
    assert q.name == "p" and list(q.thresholds) == list(p.thresholds) and np.all(q.true_positives == 0)


def test_unnamed_metrics_get_unique_names_as_in_keras():
    first, second = metrics.Precision(), metrics.Precision()
    assert first.name.startswith("precision") and second.name != first.name


# --- get: names and the accuracy resolution -----------------------------------------------------------
@pytest.mark.parametrize("loss,output_shape,expected", [
    ("sparse_categorical_crossentropy", (None, 10), metrics.SparseCategoricalAccuracy),
    ("sparse_categorical_crossentropy", None, metrics.SparseCategoricalAccuracy),
    ("categorical_crossentropy", (None, 10), metrics.CategoricalAccuracy),
    (gw.losses.CategoricalCrossentropy(from_logits=True), None, metrics.CategoricalAccuracy),
    ("binary_crossentropy", (None, 1), metrics.BinaryAccuracy),
    ("binary_crossentropy", (None, 5), metrics.CategoricalAccuracy),  # multi-label: Keras 3 picks this
    ("mse", (None, 1), metrics.BinaryAccuracy),
])
def test_accuracy_resolution_table(loss, output_shape, expected):
    for written in ("accuracy", "acc"):
        m = metrics.get(written, loss=loss, output_shape=output_shape)
        assert type(m) is expected and m.name == written


@pytest.mark.parametrize("y_true_shape,y_pred_shape,expected", [
    ((8,), (8, 10), metrics.SparseCategoricalAccuracy),
    ((8, 1), (8, 10), metrics.SparseCategoricalAccuracy),
    ((8, 10), (8, 10), metrics.CategoricalAccuracy),
    ((8, 1), (8, 1), metrics.BinaryAccuracy),
    ((8,), (8, 1), metrics.BinaryAccuracy),
    ((8, 3), (8, 3, 7), metrics.SparseCategoricalAccuracy),
])
def test_accuracy_by_shapes_as_keras_compile(y_true_shape, y_pred_shape, expected):
    assert metrics.accuracy_for_shapes(y_true_shape, y_pred_shape) is expected
    assert type(metrics.get("accuracy", output_shape=y_pred_shape, y_true_shape=y_true_shape)) is expected
    late = metrics.get("accuracy", loss="mse")  # undecided until the first batch
    late.update_state(np.zeros(y_true_shape), np.zeros(y_pred_shape))
    assert type(late.chosen) is expected and late.name == "accuracy"
    assert late.result() == late.chosen.result()


def test_accuracy_decided_on_first_batch_keeps_counting():
    m = metrics.get("acc")
    m.update_state([[1], [0]], [[0.8], [0.7]])
    m.update_state([[1]], [[0.1]])
    assert isinstance(m.chosen, metrics.BinaryAccuracy) and m.result() == pytest.approx(1 / 3)
    m.reset_state()
    assert m.result() == 0.0


@pytest.mark.parametrize("identifier,cls", [
    ("mse", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("mean_squared_error", metrics.MeanSquaredError), ("precision", metrics.Precision),
    ("recall", metrics.Recall), ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
    ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy),
    ("binary_accuracy", metrics.BinaryAccuracy), ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("Precision", metrics.Precision), ("binary_crossentropy", metrics.BinaryCrossentropy),
])
def test_get_names_metrics_as_written(identifier, cls):
    m = metrics.get(identifier)
    assert type(m) is cls and m.name == identifier


def test_get_instances_classes_callables_configs_and_unknown():
    inst = metrics.Recall(name="rec")
    assert metrics.get(inst) is inst
    assert type(metrics.get(metrics.CategoricalAccuracy)) is metrics.CategoricalAccuracy

    def hits(y_true, y_pred):
        return (np.asarray(y_true) == np.asarray(y_pred)).astype(float)

    wrapped = metrics.get(hits)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "hits"
    round_trip = metrics.get(metrics.serialize(metrics.TopKCategoricalAccuracy(k=3, name="top3")))
    assert type(round_trip) is metrics.TopKCategoricalAccuracy and round_trip.k == 3 and round_trip.name == "top3"
    with pytest.raises(UnknownNameError, match="Unknown metric 'acuracy'.*accuracy"):
        metrics.get("acuracy")


def test_input_errors():
    with pytest.raises(ShapeError, match="class_id"):
        metrics.Precision(class_id=0).update_state([1, 0], [0.3, 0.9])
    with pytest.raises(ShapeError, match="sample_weight"):
        metrics.Mean().update_state(np.ones((4, 2)), sample_weight=np.ones(3))


# --- Keras 3 as an oracle (optional) -------------------------------------------------------------------
def test_oracle_metrics_on_random_batches():
    os.environ.setdefault("KERAS_BACKEND", "numpy")  # no jit compiles: keeps the suite fast
    keras = pytest.importorskip("keras")
    r = np.random.default_rng(3)
    for trial in range(3):
        n, c = 7, 4
        w = r.uniform(0, 2, n) if trial else None
        labels = r.integers(0, c, n)
        onehot = np.eye(c)[labels]
        scores = np.round(r.uniform(size=(n, c)), 1)  # rounded: ties and values on thresholds
        yb, pb = r.integers(0, 2, (n, 1)).astype("float32"), np.round(r.uniform(size=(n, 1)), 1)
        cases = [
            ("BinaryAccuracy", {}, yb, pb), ("CategoricalAccuracy", {}, onehot, scores),
            ("SparseCategoricalAccuracy", {}, labels[:, None], scores),
            ("TopKCategoricalAccuracy", {"k": 2}, onehot, scores),
            ("SparseTopKCategoricalAccuracy", {"k": 2}, labels, scores),
            ("MeanSquaredError", {}, onehot, scores), ("MeanAbsoluteError", {}, onehot, scores),
            ("Precision", {"thresholds": [0.0, 0.3, 0.5]}, onehot, scores),
            ("Recall", {"thresholds": [0.2, 0.7]}, onehot, scores),
            # tie-free scores for top_k: Keras's numpy backend breaks ties unlike jax/TF (lower index)
            ("Precision", {"top_k": 2}, onehot, r.uniform(size=(n, c))), ("Recall", {"class_id": 1}, onehot, scores),
        ]
        for name, kwargs, y, p in cases:
            ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
            for _ in range(2):
                ours.update_state(y, p, sample_weight=w)
                theirs.update_state(y, p, sample_weight=w)
            assert np.allclose(ours.result(), np.asarray(theirs.result()), atol=1e-6), (name, kwargs, trial)


# === Keras 3's other metrics: regression, probabilistic, hinge, counts, AUC, F-scores ===============
# Each expected value is worked out here with NumPy from the metric's formula.
Y_REG = np.array([[0.0, 1.0], [2.0, 2.0]])
P_REG = np.array([[1.0, 1.0], [0.0, 2.0]])


def test_root_mean_squared_error_accumulates_weights_and_resets():
    m = metrics.RootMeanSquaredError()
    m.update_state(Y_REG, P_REG)  # squared errors [[1, 0], [4, 0]]: sample means 0.5 and 2.0
    assert m.result() == pytest.approx(np.sqrt((0.5 + 2.0) / 2))
    m.update_state(Y_REG[:1], P_REG[:1], sample_weight=[3.0])
    assert m.result() == pytest.approx(np.sqrt((0.5 + 2.0 + 3 * 0.5) / 5))
    m.reset_state()
    m.update_state([1.0, 2.0, 3.0], [[1.0], [2.0], [5.0]])  # (N,) meets (N, 1) row by row, not (N, N)
    assert m.result() == pytest.approx(np.sqrt(4 / 3)) and m.name == "root_mean_squared_error"


def test_percentage_log_and_logcosh_errors_by_formula():
    y, p = np.array([[100.0, 200.0], [1.0, 3.0]]), np.array([[90.0, 210.0], [2.0, 0.5]])
    w = np.array([1.0, 3.0])
    mape = 100 * np.abs((y - p) / y).mean(axis=1)
    msle = ((np.log1p(p) - np.log1p(y)) ** 2).mean(axis=1)
    logcosh = np.log(np.cosh(p - y)).mean(axis=1)
    for cls, per_sample in [(metrics.MeanAbsolutePercentageError, mape), (metrics.MeanSquaredLogarithmicError, msle),
                            (metrics.LogCoshError, logcosh)]:
        m = cls()
        m.update_state(y, p, sample_weight=w)
        assert m.result() == pytest.approx(np.sum(w * per_sample) / 4, rel=1e-5), cls.__name__
        m.update_state(y[:1], p[:1])  # a second batch, unweighted
        assert m.result() == pytest.approx((np.sum(w * per_sample) + per_sample[0]) / 5, rel=1e-5), cls.__name__
    assert metrics.LogCoshError().name.startswith("logcosh")  # Keras 3's default name


def test_cosine_similarity_is_positive_unlike_the_loss():
    y = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    p = np.array([[1.0, 0.0], [2.0, 2.0], [-1.0, -1.0], [1.0, 2.0]])  # cosines 0, 1, -1, 0 (a zero vector)
    m = metrics.CosineSimilarity()
    assert m(y, p) == pytest.approx(0.0, abs=1e-6)
    m.reset_state()
    m.update_state(y, p, sample_weight=[1.0, 3.0, 1.0, 0.0])
    assert m.result() == pytest.approx((3 - 1) / 5, rel=1e-5)
    by_column = metrics.CosineSimilarity(axis=0)([[1.0, 0.0], [1.0, 1.0]], [[2.0, 1.0], [2.0, 1.0]])
    assert by_column == pytest.approx(np.mean([1.0, 1 / np.sqrt(2)]), rel=1e-5)  # one cosine per column
    assert metrics.CosineSimilarity(axis=0).get_config() == {"name": "cosine_similarity", "dtype": "float32"}


def _r2_by_hand(y, p, w=None):
    """Weighted R² per column: 1 − Σw(y − p)² / Σw(y − ȳ)², ȳ the weighted mean."""
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    w = w[:, None]
    mean = (w * y).sum(0) / w.sum(0)
    return 1 - (w * (y - p) ** 2).sum(0) / (w * (y - mean) ** 2).sum(0)


def test_r2_score_matches_the_formula_over_batches_and_weights():
    y = np.array([[1.0, 10.0], [4.0, 20.0], [3.0, 40.0], [2.0, 30.0]])
    p = np.array([[2.0, 12.0], [4.0, 18.0], [4.0, 35.0], [2.5, 33.0]])
    per_column = _r2_by_hand(y, p)
    m = metrics.R2Score(class_aggregation=None)
    m.update_state(y[:2], p[:2])  # two batches give the same as one
    m.update_state(y[2:], p[2:])
    assert np.allclose(m.result(), per_column)
    assert metrics.R2Score()(y, p) == pytest.approx(per_column.mean())
    variance = ((y - y.mean(0)) ** 2).sum(0)
    assert metrics.R2Score(class_aggregation="variance_weighted_average")(y, p) == pytest.approx(
        np.sum(variance * per_column) / variance.sum())
    w = np.array([1.0, 2.0, 0.5, 1.0])
    assert metrics.R2Score()(y, p, sample_weight=w) == pytest.approx(_r2_by_hand(y, p, w).mean())
    one = metrics.R2Score()
    one.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])  # Keras's docstring example
    assert one.result() == pytest.approx(0.5714285)
    one.reset_state()
    assert one.num_samples == 0 and np.all(one.sum == 0)


def test_r2_score_adjusted_constant_column_and_validation():
    y, p = np.array([[1.0], [2.0], [4.0], [3.0]]), np.array([[1.5], [2.0], [3.0], [3.5]])
    r2 = _r2_by_hand(y, p)[0]
    n, k = 4, 1
    assert metrics.R2Score(num_regressors=k)(y, p) == pytest.approx(1 - (1 - r2) * (n - 1) / (n - k - 1))
    y2, p2 = np.hstack([y, 2 * y]), np.hstack([p, 2 * p + 1])
    r2_both = _r2_by_hand(y2, p2).mean()  # n counts every value, rows × columns = 8, as in Keras
    assert metrics.R2Score(num_regressors=2)(y2, p2) == pytest.approx(1 - (1 - r2_both) * (8 - 1) / (8 - 2 - 1))
    with pytest.warns(UserWarning, match="Falling back"):
        assert metrics.R2Score(num_regressors=5)(y, p) == pytest.approx(r2)
    constant = metrics.R2Score(class_aggregation=None)([[1.0, 0.0], [1.0, 2.0]], [[0.0, 0.0], [2.0, 2.0]])
    assert constant[0] == 0.0 and constant[1] == 1.0  # a column that never varies scores 0, not -inf
    with pytest.raises(ValueError, match="class_aggregation.*Received: class_aggregation=median"):
        metrics.R2Score(class_aggregation="median")
    with pytest.raises(ValueError, match="num_regressors=-1"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ShapeError, match="2D inputs"):
        metrics.R2Score().update_state(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


def test_kl_poisson_and_hinges_by_formula():
    eps = 1e-7
    y, p = np.array([[0.2, 0.8], [0.5, 0.5]]), np.array([[0.4, 0.6], [0.9, 0.1]])
    yc, pc = np.clip(y, eps, 1), np.clip(p, eps, 1)
    kl = (yc * np.log(yc / pc)).sum(1)
    poisson = (p - y * np.log(p + eps)).mean(1)
    w = np.array([2.0, 1.0])
    for cls, per_sample in [(metrics.KLDivergence, kl), (metrics.Poisson, poisson)]:
        assert cls()(y, p, sample_weight=w) == pytest.approx(np.sum(w * per_sample) / 3, rel=1e-5)
    labels01, scores = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.3, -2.0], [0.5, 1.5]])
    margins = np.maximum(1 - (2 * labels01 - 1) * scores, 0)  # 0/1 labels become -1/1
    assert metrics.Hinge()(labels01, scores) == pytest.approx(margins.mean(), rel=1e-6)
    assert metrics.SquaredHinge()(labels01, scores) == pytest.approx((margins ** 2).mean(), rel=1e-6)
    onehot, s = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), np.array([[0.2, 0.9, 0.4], [0.1, 0.3, 1.6]])
    # row 0: true 0.9, best other 0.4 -> max(0.4 - 0.9 + 1, 0) = 0.5; row 1: 1.6 - 0.1 + 1 = 2.5
    ch = metrics.CategoricalHinge()
    ch.update_state(onehot, s)
    ch.update_state(onehot[:1], s[:1], sample_weight=[2.0])
    assert ch.result() == pytest.approx((0.5 + 2.5 + 2 * 0.5) / 4, rel=1e-6)


def test_sum_adds_weighted_values_and_resets():
    s = metrics.Sum()
    s.update_state([1.0, 2.0, 3.0])
    s.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 0.5])  # rows summed first: 3 + 0.5·7
    assert s.result() == pytest.approx(6 + 6.5) and s.name == "sum"
    s.update_state(10.0, sample_weight=0.5)
    assert s.result() == pytest.approx(17.5)
    s.reset_state()
    assert s.result() == 0.0
    assert s.get_config() == {"name": "sum", "dtype": "float32"}


# --- counts --------------------------------------------------------------------------------------
def test_true_false_positive_negative_counts_by_hand():
    # Y_TRUE / SCORES above, at 0.5: TP 3 (0, 1, 9), FP 2 (4, 7), FN 2 (2, 3), TN 3 (5, 6, 8)
    made = {cls: cls() for cls in (metrics.TruePositives, metrics.FalsePositives, metrics.TrueNegatives,
                                   metrics.FalseNegatives)}
    for m in made.values():
        m.update_state(Y_TRUE, SCORES)
    assert [made[c].result() for c in made] == [3, 2, 3, 2]
    assert [made[c].name[:14] for c in made] == ["true_positives", "false_positive", "true_negatives",
                                                 "false_negative"]
    tp = metrics.TruePositives(thresholds=[0.0, 0.35, 0.85])
    tp.update_state(Y_TRUE, SCORES)
    tp.update_state([1, 1], [0.9, 0.3])  # a second batch: one more above 0, 0.35 and 0.85; one more above 0
    assert list(tp.result()) == [5 + 2, 4 + 1, 1 + 1]
    fn = metrics.FalseNegatives()
    fn.update_state(Y_TRUE, SCORES, sample_weight=[1, 1, 4, 0.5, 1, 1, 1, 1, 1, 1])
    assert fn.result() == pytest.approx(4 + 0.5)
    fn.reset_state()
    assert fn.result() == 0.0


def test_evenly_spaced_thresholds_clip_scores_as_keras():
    # thresholds 0, 0.5, 1 take Keras's bucketed path: scores are clipped to [0, 1] first, so
    # 1.5 is not above 1.0 there, while with 0, 0.4, 1 (uneven) it is compared as given
    y, s = [1, 1, 0, 1], [0.0, 1.0, 1.5, 1.5]
    even, uneven = metrics.TruePositives(thresholds=[0.0, 0.5, 1.0]), metrics.TruePositives(thresholds=[0.0, 0.4, 1.0])
    even.update_state(y, s)
    uneven.update_state(y, s)
    assert list(even.result()) == [2, 2, 0] and list(uneven.result()) == [2, 2, 1]
    fp = metrics.FalsePositives(thresholds=[0.0, 0.5, 1.0])
    fp.update_state(y, s)
    assert list(fp.result()) == [1, 1, 0]


# --- AUC ---------------------------------------------------------------------------------------------
EPS = 1e-7


def _grid(num_thresholds):
    """AUC's thresholds: −ε, 1/(T−1), ..., (T−2)/(T−1), 1 + ε."""
    inner = [i / (num_thresholds - 1) for i in range(1, num_thresholds - 1)]
    return np.array([-EPS] + inner + [1 + EPS])


def _counts_by_hand(y, s, grid, w=None):
    y, s = np.asarray(y, float).ravel(), np.asarray(s, float).ravel()
    w = np.ones_like(y) if w is None else np.broadcast_to(np.asarray(w, float), y.shape)
    above = s[None, :] > grid[:, None]
    tp = (above * (y * w)).sum(1)
    fp = (above * ((1 - y) * w)).sum(1)
    return tp, fp, (w * (1 - y)).sum() - fp, (w * y).sum() - tp


def _trapezoid(x, y):
    return np.sum((x[:-1] - x[1:]) * (y[:-1] + y[1:]) / 2)


def _safe(num, den):
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def test_auc_roc_is_the_trapezoid_over_the_threshold_grid():
    assert metrics.AUC(num_thresholds=5).thresholds == pytest.approx([-EPS, 0.25, 0.5, 0.75, 1 + EPS], abs=1e-12)
    tp, fp, tn, fn = _counts_by_hand(Y_TRUE, SCORES, _grid(5))
    expected = _trapezoid(fp / (fp + tn), tp / (tp + fn))
    m = metrics.AUC(num_thresholds=5)
    m.update_state(Y_TRUE, SCORES)
    assert m.result() == pytest.approx(expected)
    assert list(m.true_positives) == list(tp) and list(m.true_negatives) == list(tn)
    # with 200 thresholds every pair of distinct scores is separated: the exact ROC AUC, i.e. the
    # fraction of (positive, negative) pairs ranked correctly: 5 + 4 + 3 + 2 + 5 of 25
    assert metrics.AUC()(Y_TRUE, SCORES) == pytest.approx(19 / 25)
    ends = metrics.AUC(num_thresholds=3)  # grid -ε, 0.5, 1 + ε: a score of 0 is above -ε, and a
    ends.update_state([1, 0, 0], [0.0, 1.0, 1.5])  # score above 1 is clipped, never above 1 + ε
    assert list(ends.true_positives) == [1, 0, 0] and list(ends.false_positives) == [2, 2, 0]


def test_auc_minoring_majoring_and_pr_curve_by_hand():
    tp, fp, tn, fn = _counts_by_hand(Y_TRUE, SCORES, _grid(5))
    fpr, tpr = fp / (fp + tn), tp / (tp + fn)
    lower = np.sum((fpr[:-1] - fpr[1:]) * np.minimum(tpr[:-1], tpr[1:]))
    upper = np.sum((fpr[:-1] - fpr[1:]) * np.maximum(tpr[:-1], tpr[1:]))
    assert metrics.AUC(num_thresholds=5, summation_method="minoring")(Y_TRUE, SCORES) == pytest.approx(lower)
    assert metrics.AUC(num_thresholds=5, summation_method="majoring")(Y_TRUE, SCORES) == pytest.approx(upper)
    recall, precision = tpr, _safe(tp, tp + fp)  # 0/0 precision (nothing predicted) read as 0
    pr_trapezoid = metrics.AUC(num_thresholds=5, curve="PR", summation_method="minoring")
    assert pr_trapezoid(Y_TRUE, SCORES) == pytest.approx(
        np.sum((recall[:-1] - recall[1:]) * np.minimum(precision[:-1], precision[1:])))


def test_auc_pr_interpolation_integrates_precision_along_each_segment():
    # Davis & Goadrich: between neighbouring thresholds TP and P = TP + FP move together linearly;
    # integrate precision = TP/P over recall = TP/(TP + FN) numerically and compare with the metric
    for num_thresholds in (5, 11):
        tp, fp, _, fn = _counts_by_hand(Y_TRUE, SCORES, _grid(num_thresholds))
        p, positives = tp + fp, tp[0] + fn[0]
        area = 0.0
        for i in range(num_thresholds - 1):
            if tp[i] == tp[i + 1]:
                continue  # recall does not move
            t = np.linspace(tp[i + 1], tp[i], 20001)
            p_of_t = p[i + 1] + (t - tp[i + 1]) * (p[i] - p[i + 1]) / (tp[i] - tp[i + 1])
            precision = np.divide(t, p_of_t, out=np.full_like(t, (tp[i] - tp[i + 1]) / (p[i] - p[i + 1])),
                                  where=p_of_t > 0)
            area += np.sum((precision[1:] + precision[:-1]) / 2 * np.diff(t)) / positives
        assert metrics.AUC(num_thresholds=num_thresholds, curve="PR")(Y_TRUE, SCORES) == pytest.approx(area, rel=1e-6)


def test_auc_sample_weights_batches_logits_and_reset():
    w = np.array([2, 1, 1, 3, 1, 1, 2, 1, 1, 1])
    weighted = metrics.AUC(num_thresholds=7)
    weighted.update_state(Y_TRUE, SCORES, sample_weight=w)
    repeated = metrics.AUC(num_thresholds=7)  # an integer weight counts as that many copies
    repeated.update_state(np.repeat(Y_TRUE, w), np.repeat(SCORES, w))
    assert weighted.result() == pytest.approx(repeated.result())
    tp, fp, tn, fn = _counts_by_hand(Y_TRUE, SCORES, _grid(7), w)
    assert weighted.result() == pytest.approx(_trapezoid(fp / (fp + tn), tp / (tp + fn)))
    split = metrics.AUC(num_thresholds=7)
    split.update_state(Y_TRUE[:4], SCORES[:4], sample_weight=w[:4])
    split.update_state(Y_TRUE[4:], SCORES[4:], sample_weight=w[4:])
    assert split.result() == pytest.approx(weighted.result())
    logits = np.log(SCORES / (1 - SCORES))
    assert metrics.AUC(from_logits=True)(Y_TRUE, logits) == pytest.approx(19 / 25)
    split.reset_state()
    assert split.result() == 0.0 and not split.true_positives.any()


def test_auc_multi_label_is_the_mean_of_per_column_aucs():
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]])
    s = np.array([[0.9, 0.2], [0.3, 0.8], [0.6, 0.4], [0.4, 0.6], [0.2, 0.1]])
    # column 0: positives 0.9, 0.6, 0.2 over negatives 0.3, 0.4 -> 2 + 2 + 0 of 6 pairs ranked right;
    # column 1: positives 0.8, 0.4 over negatives 0.2, 0.6, 0.1 -> 3 + 2 of 6
    columns = [metrics.AUC()(y[:, j], s[:, j]) for j in range(2)]
    assert columns == pytest.approx([4 / 6, 5 / 6])
    assert metrics.AUC(multi_label=True)(y, s) == pytest.approx(np.mean(columns))
    weighted = metrics.AUC(multi_label=True, label_weights=[3.0, 1.0])
    assert weighted(y, s) == pytest.approx((3 * columns[0] + columns[1]) / 4)
    pooled = metrics.AUC(label_weights=[1.0, 0.0])  # without multi_label: weights on the counts
    assert pooled(y, s) == pytest.approx(columns[0])
    with pytest.raises(ShapeError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


def test_auc_arguments_config_and_errors():
    m = metrics.AUC(thresholds=[0.7, 0.2], curve="pr", summation_method="Minoring", name="a")
    assert m.thresholds == pytest.approx([-EPS, 0.2, 0.7, 1 + EPS], abs=1e-12)
    cfg = m.get_config()
    assert cfg == {"name": "a", "dtype": "float32", "num_thresholds": 4, "curve": "PR", "summation_method": "minoring",
                   "multi_label": False, "num_labels": None, "label_weights": None, "from_logits": False,
                   "thresholds": pytest.approx([0.2, 0.7])}
    again = metrics.AUC.from_config(cfg)
    assert again.get_config() == cfg and again.thresholds == m.thresholds
    assert metrics.AUC(name="b").get_config() == {
        "name": "b", "dtype": "float32", "num_thresholds": 200, "curve": "ROC", "summation_method": "interpolation",
        "multi_label": False, "num_labels": None, "label_weights": None, "from_logits": False}
    with pytest.raises(ValueError, match='Invalid AUC curve value: "ROCK"'):
        metrics.AUC(curve="ROCK")
    with pytest.raises(ValueError, match="summation method"):
        metrics.AUC(summation_method="simpson")
    with pytest.raises(ValueError, match="num_thresholds=1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)


# --- rates at a constraint -------------------------------------------------------------------------------
def test_rate_at_constraint_metrics_pick_the_best_feasible_threshold():
    grid = np.array([0.0, 0.25, 0.5, 0.75, 1.0])  # num_thresholds=5, no ε shift here
    tp, fp, tn, fn = _counts_by_hand(Y_TRUE, SCORES, grid)
    sens, spec, prec = tp / (tp + fn), tn / (tn + fp), _safe(tp, tp + fp)
    cases = [(metrics.SensitivityAtSpecificity, 0.7, spec, sens), (metrics.SpecificityAtSensitivity, 0.5, sens, spec),
             (metrics.PrecisionAtRecall, 0.6, sens, prec), (metrics.RecallAtPrecision, 0.75, prec, sens)]
    for cls, value, constrained, dependent in cases:  # the best dependent rate where constrained >= value
        m = cls(value, num_thresholds=5)
        m.update_state(Y_TRUE, SCORES)
        assert m.result() == pytest.approx(np.max(np.where(constrained >= value, dependent, 0))), cls.__name__
    assert metrics.RecallAtPrecision(1.0, num_thresholds=5)([1, 0], [0.1, 0.9]) == 0.0  # nothing qualifies
    cfg = metrics.PrecisionAtRecall(0.6, num_thresholds=5, class_id=1, name="p").get_config()
    assert cfg == {"name": "p", "dtype": "float32", "class_id": 1, "num_thresholds": 5, "recall": 0.6}
    assert metrics.PrecisionAtRecall.from_config(cfg).get_config() == cfg
    with pytest.raises(ValueError, match=r"`specificity` must be in the range \[0, 1\]"):
        metrics.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="needs its `recall` argument"):
        metrics.get("precision_at_recall")


# --- F-scores --------------------------------------------------------------------------------------------
F_TRUE = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 0]])
F_PRED = np.array([[0.5, 0.5, 0.0], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1], [0.1, 0.2, 0.7], [0.0, 0.0, 0.0]])
# threshold=None: each row's maximum (ties included) is predicted, a row of zeros predicts nothing:
#   predicted [[1,1,0], [0,1,0], [0,1,0], [0,0,1], [0,0,0]]
#   class 0: TP 1, FP 0, FN 1;  class 1: TP 1, FP 2, FN 0;  class 2: TP 0, FP 1, FN 1


def _f_beta(tp, fp, fn, beta=1.0):
    p, r = _safe(tp, tp + fp), _safe(tp, tp + fn)
    return _safe((1 + beta ** 2) * p * r, beta ** 2 * p + r)


def test_f1_score_from_counts_by_hand():
    tp, fp, fn = np.array([1.0, 1, 0]), np.array([0.0, 2, 1]), np.array([1.0, 0, 1])
    per_class = _f_beta(tp, fp, fn)  # 2/3, 1/2, 0
    assert per_class == pytest.approx([2 / 3, 1 / 2, 0])
    f1 = metrics.F1Score()
    f1.update_state(F_TRUE, F_PRED)
    assert list(f1.true_positives) == [1, 1, 0] and list(f1.false_positives) == [0, 2, 1]
    assert np.allclose(f1.result(), per_class, atol=1e-6)
    assert metrics.F1Score(average="macro")(F_TRUE, F_PRED) == pytest.approx(per_class.mean(), abs=1e-6)
    support = F_TRUE.sum(0)  # 2, 1, 1
    assert metrics.F1Score(average="weighted")(F_TRUE, F_PRED) == pytest.approx(
        np.sum(per_class * support) / support.sum(), abs=1e-6)
    assert metrics.F1Score(average="micro")(F_TRUE, F_PRED) == pytest.approx(
        _f_beta(np.array([2.0]), np.array([3.0]), np.array([2.0]))[0], abs=1e-6)
    at_half = metrics.F1Score(threshold=0.5)  # strictly above 0.5: [0,0,0],[0,1,0],[0,1,0],[0,0,1],[0,0,0]
    at_half.update_state(F_TRUE, F_PRED)
    assert list(at_half.true_positives) == [0, 1, 0] and list(at_half.false_negatives) == [2, 0, 1]


def test_fbeta_weights_batches_reset_and_config():
    w = np.array([1.0, 2.0, 1.0, 0.5, 1.0])
    f2 = metrics.FBetaScore(beta=2.0, average="macro")
    f2.update_state(F_TRUE[:2], F_PRED[:2], sample_weight=w[:2])
    f2.update_state(F_TRUE[2:], F_PRED[2:], sample_weight=w[2:])
    tp, fp, fn = np.array([1.0, 2, 0]), np.array([0.0, 2, 0.5]), np.array([0.5, 0, 1])  # weighted counts
    assert f2.result() == pytest.approx(_f_beta(tp, fp, fn, beta=2.0).mean(), abs=1e-6)
    f2.reset_state()
    assert not f2.true_positives.any() and f2.name == "fbeta_score"
    assert metrics.FBetaScore(beta=0.5, threshold=0.3).get_config() == {
        "name": "fbeta_score", "dtype": "float32", "average": None, "beta": 0.5, "threshold": 0.3}
    cfg = metrics.F1Score(average="micro", name="f").get_config()
    assert cfg == {"name": "f", "dtype": "float32", "average": "micro", "threshold": None}
    assert metrics.F1Score.from_config(cfg).average == "micro"
    with pytest.raises(ValueError, match="Python float.*beta=2 of type"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="0 < threshold <= 1"):
        metrics.F1Score(threshold=0.0)
    with pytest.raises(ValueError, match="average=binary"):
        metrics.F1Score(average="binary")
    with pytest.raises(ShapeError, match="2D inputs"):
        metrics.F1Score().update_state([1, 0], [0.3, 0.6])


# --- configs, names and compile ----------------------------------------------------------------------------
@pytest.mark.parametrize("metric,config", [
    (metrics.RootMeanSquaredError(), {}),
    (metrics.MeanAbsolutePercentageError(), {}), (metrics.MeanSquaredLogarithmicError(), {}),
    (metrics.LogCoshError(), {}), (metrics.KLDivergence(), {}), (metrics.Poisson(), {}), (metrics.Hinge(), {}),
    (metrics.SquaredHinge(), {}), (metrics.CategoricalHinge(), {}),
    (metrics.R2Score(class_aggregation=None, num_regressors=2), {"class_aggregation": None, "num_regressors": 2}),
    (metrics.TruePositives(thresholds=[0.2, 0.6]), {"thresholds": [0.2, 0.6]}),
    (metrics.FalseNegatives(), {"thresholds": None}),
    (metrics.SpecificityAtSensitivity(0.4), {"class_id": None, "num_thresholds": 200, "sensitivity": 0.4}),
])
def test_get_config_keys_and_round_trip(metric, config):
    cfg = metric.get_config()
    assert cfg == {"name": metric.name, "dtype": "float32", **config}
    twin = metrics.deserialize(metrics.serialize(metric))
    assert type(twin) is type(metric) and twin.get_config() == cfg


@pytest.mark.parametrize("identifier,cls,default_name", [
    ("auc", metrics.AUC, "auc"), ("AUC", metrics.AUC, "auc"), ("f1_score", metrics.F1Score, "f1_score"),
    ("F1Score", metrics.F1Score, "f1_score"), ("f_beta_score", metrics.FBetaScore, "fbeta_score"),
    ("r2_score", metrics.R2Score, "r2_score"), ("root_mean_squared_error", metrics.RootMeanSquaredError,
                                                 "root_mean_squared_error"),
    ("mape", metrics.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    ("MSLE", metrics.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"),
    ("log_cosh_error", metrics.LogCoshError, "logcosh"), ("cosine_similarity", metrics.CosineSimilarity,
                                                          "cosine_similarity"),
    ("kl_divergence", metrics.KLDivergence, "kl_divergence"), ("poisson", metrics.Poisson, "poisson"),
    ("hinge", metrics.Hinge, "hinge"), ("squared_hinge", metrics.SquaredHinge, "squared_hinge"),
    ("categorical_hinge", metrics.CategoricalHinge, "categorical_hinge"),
    ("true_positives", metrics.TruePositives, "true_positives"),
    ("false_negatives", metrics.FalseNegatives, "false_negatives"),
    ("true_negatives", metrics.TrueNegatives, "true_negatives"),
    ("false_positives", metrics.FalsePositives, "false_positives"),
])
def test_get_new_metric_names(identifier, cls, default_name):
    m = metrics.get(identifier)
    assert type(m) is cls and m.name == identifier  # named as written, as compile names it
    assert cls().name.startswith(default_name)


def test_names_keras_does_not_accept_are_refused():
    for name in ("rmse", "fbeta_score", "logcosh", "kld"):
        with pytest.raises(UnknownNameError):
            metrics.get(name)
    with pytest.raises(ValueError, match="SensitivityAtSpecificity needs its `specificity`"):
        metrics.get(metrics.SensitivityAtSpecificity)
    first, second = metrics.AUC(), metrics.AUC()
    assert first.name.startswith("auc") and second.name != first.name  # auc, auc_1, ... as Keras


def test_compile_fit_evaluate_report_the_new_metrics():
    gw.random.seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] + 0.3 * rng.normal(size=64) > 0).astype(np.float32)[:, None]
    model = gw.Sequential([gw.layers.Dense(8, activation="relu"), gw.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["auc", "true_positives", gw.metrics.F1Score(average="micro", threshold=0.5, name="f1"),
                           gw.metrics.AUC(curve="PR", name="pr_auc")])
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert {"auc", "true_positives", "f1", "pr_auc"} <= set(history.history)
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    tp, fp, tn, fn = _counts_by_hand(y, p, _grid(200))
    assert logs["auc"] == pytest.approx(_trapezoid(fp / (fp + tn), tp / (tp + fn)), rel=1e-5)
    assert logs["true_positives"] == np.sum((p > 0.5) & (y == 1))
    f1 = metrics.F1Score(average="micro", threshold=0.5)
    f1.update_state(y, p)
    assert logs["f1"] == pytest.approx(f1.result())


# --- Keras 3 as an oracle for the new metrics (opt-in) -----------------------------------------------------
@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
def test_oracle_new_metrics_against_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    r = np.random.default_rng(7)
    n, c = 9, 4

    def batches(kind, weighted):
        out = []
        for _ in range(3):  # three update_state calls
            w = r.uniform(0, 2, n) if weighted else None
            if kind == "reg":
                y, p = r.normal(size=(n, c)), r.normal(size=(n, c))
            elif kind == "pos":
                y, p = r.uniform(0, 3, (n, c)), r.uniform(0, 3, (n, c))
            elif kind == "prob":
                y, p = r.dirichlet(np.ones(c), n), r.dirichlet(np.ones(c), n)
            elif kind == "onehot":
                y, p = np.eye(c)[r.integers(0, c, n)], np.round(r.uniform(size=(n, c)), 1)
            else:  # multi-label 0/1 with scores rounded to 0.1: ties and values on thresholds
                y, p = r.integers(0, 2, (n, c)).astype("float32"), np.round(r.uniform(size=(n, c)), 1)
            out.append((y, p, w))
        return out

    cases = [("RootMeanSquaredError", {}, "reg"), ("MeanAbsolutePercentageError", {}, "reg"),
             ("MeanSquaredLogarithmicError", {}, "pos"), ("LogCoshError", {}, "reg"), ("CosineSimilarity", {}, "reg"),
             ("R2Score", {}, "reg"), ("R2Score", {"class_aggregation": "variance_weighted_average"}, "reg"),
             ("R2Score", {"num_regressors": 3}, "reg"), ("KLDivergence", {}, "prob"), ("Poisson", {}, "pos"),
             ("Hinge", {}, "multi"), ("SquaredHinge", {}, "reg"), ("CategoricalHinge", {}, "onehot"),
             ("TruePositives", {}, "multi"), ("FalsePositives", {"thresholds": [0.0, 0.3, 0.5]}, "multi"),
             ("TrueNegatives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "multi"), ("FalseNegatives", {}, "multi"),
             ("AUC", {}, "multi"), ("AUC", {"num_thresholds": 7}, "multi"), ("AUC", {"curve": "PR"}, "multi"),
             ("AUC", {"curve": "PR", "num_thresholds": 11}, "multi"),
             ("AUC", {"summation_method": "minoring"}, "multi"),
             ("AUC", {"curve": "PRGAIN"}, "multi"), ("AUC", {"thresholds": [0.1, 0.45, 0.7]}, "multi"),
             ("AUC", {"multi_label": True, "curve": "PR"}, "multi"), ("AUC", {"from_logits": True}, "reg"),
             ("AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5, 0.0]}, "multi"),
             ("F1Score", {}, "onehot"), ("F1Score", {"average": "weighted"}, "onehot"),
             ("F1Score", {"average": "micro", "threshold": 0.45}, "multi"),
             ("FBetaScore", {"average": "macro", "beta": 2.0}, "onehot"),
             ("SensitivityAtSpecificity", {"specificity": 0.6}, "multi"),
             ("SpecificityAtSensitivity", {"sensitivity": 0.4, "num_thresholds": 5}, "multi"),
             ("PrecisionAtRecall", {"recall": 0.7, "class_id": 2}, "multi"),
             ("RecallAtPrecision", {"precision": 0.5}, "multi")]
    for weighted in (False, True):
        for name, kwargs, kind in cases:
            ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
            for y, p, w in batches(kind, weighted):
                ours.update_state(y, p, sample_weight=w)
                theirs.update_state(y, p, sample_weight=w)
            assert np.allclose(ours.result(), np.asarray(theirs.result()), rtol=1e-4, atol=1e-5), (name, kwargs)
            assert set(ours.get_config()) == set(theirs.get_config()), name
    total, theirs = metrics.Sum(), keras.metrics.Sum()
    for _ in range(3):
        v, w = r.normal(size=(n, 3)), r.uniform(size=n)
        total.update_state(v, sample_weight=w)
        theirs.update_state(v, sample_weight=w)
    assert total.result() == pytest.approx(float(theirs.result()), rel=1e-5)


def test_per_class_results_are_logged_as_arrays():
    # F1Score(average=None) gives one score per class: fit, evaluate and the progress bar carry the array
    gw.random.seed(0)
    data = np.random.default_rng(0)
    x = data.random((64, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[data.integers(0, 3, 64)]
    model = gw.Sequential([gw.Input((4,)), gw.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=[gw.metrics.F1Score()])
    history = model.fit(x, y, epochs=1, batch_size=64, verbose=0).history
    assert np.shape(history["f1_score"][0]) == (3,)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    reference = gw.metrics.F1Score()
    reference.update_state(y, model.predict(x, verbose=0))
    np.testing.assert_allclose(logs["f1_score"], np.asarray(reference.result()), rtol=1e-6)
    from gradwise.progress import format_value
    assert format_value(np.array([0.5, 0.25])) == "[0.5000 0.2500]"
