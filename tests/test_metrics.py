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
