"""Sequential / Model: compile, fit, evaluate, predict, summary, bad input, reproducibility."""

import io
import contextlib

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError, UnknownNameError
from gradwise.layers import Dense
from gradwise.models import NonFiniteLossError


def blobs(n=400, seed=0, classes=3, dim=5):
    """Separable Gaussian blobs: a task any working classifier solves."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4.0, size=(classes, dim))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(size=(n, dim))
    return x.astype(np.float32), y


def make_model(classes=3):
    return gw.Sequential([Dense(16, activation="relu"), Dense(classes, activation="softmax")])


def test_fit_learns_and_returns_history():
    gw.random.seed(0)
    x, y = blobs()
    model = make_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert set(history.history) == {"loss", "accuracy"} and len(history.history["loss"]) == 15
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.95
    assert isinstance(model.evaluate(x, y, verbose=0, return_dict=True), dict)


def test_evaluate_without_metrics_returns_a_scalar():
    x, y = blobs(50)
    model = make_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, float)
    probs = model.predict(x, verbose=0)
    expected = -np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1)).mean()
    assert result == pytest.approx(expected, rel=1e-4)


def test_predict_returns_numpy_and_records_no_graph():
    x, _ = blobs(70)
    model = make_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    out = model.predict(x, batch_size=32, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (70, 3)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-5)
    assert model(x[:2]).numpy().shape == (2, 3)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), out[:5], rtol=1e-6)


def test_fused_softmax_cross_entropy_gives_the_textbook_update():
    """One SGD step with the fused head equals the step computed from softmax + CE by hand."""
    gw.random.seed(3)
    x, y = blobs(8, dim=4)
    model = gw.Sequential([Dense(3, activation="softmax")])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.5), loss="sparse_categorical_crossentropy")
    model.build((None, 4))
    w, b = model.get_weights()
    model.train_on_batch(x, y)
    z = x @ w + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    d = (p - np.eye(3)[y]) / len(y)
    np.testing.assert_allclose(model.get_weights()[0], w - 0.5 * x.T @ d, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b - 0.5 * d.sum(0), rtol=1e-5, atol=1e-6)


def test_summary_table():
    model = gw.Sequential([gw.Input(shape=(784,)), Dense(512, activation="relu"), Dense(10, activation="softmax")])
    buf = io.StringIO()
    model.summary(print_fn=lambda s: buf.write(s))
    text = buf.getvalue()
    assert "(None, 512)" in text and "401,920" in text and "5,130" in text
    assert "Total params: 407,050" in text and "Non-trainable params: 0" in text
    assert model.count_params() == 407_050


def test_verbose_2_prints_one_line_per_epoch():
    x, y = blobs(64)
    model = make_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=2, batch_size=32, verbose=2, validation_data=(x, y))
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("2/2 - ") and "ms/step" in lines[1] or "us/step" in lines[1]
    assert " - accuracy: " in lines[1] and " - loss: " in lines[1] and " - val_loss: " in lines[1]
    assert "\r" not in out.getvalue()


def test_subclassed_model_trains():
    class MLP(gw.Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(16, activation="relu")
            self.out = Dense(3, activation="softmax")

        def call(self, x):
            return self.out(self.hidden(x))

    gw.random.seed(0)
    x, y = blobs()
    model = MLP()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=10, verbose=0)
    assert len(model.trainable_weights) == 4
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_reproducible_with_one_seed_call():
    def run():
        gw.random.seed(42)
        x, y = blobs(100)
        model = make_model()
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        hist = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
        return model.get_weights(), hist.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


# --- bad input: a named error before any weight changes ------------------------------
@pytest.fixture
def compiled():
    model = make_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.build((None, 5))
    return model


def unchanged(model, before):
    return all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


@pytest.mark.parametrize("x,y,message", [
    (np.zeros((10, 5)), np.zeros(9, int), "x has 10, y has 9"),
    (np.zeros((0, 5)), np.zeros(0, int), "x is empty"),
    (np.array([[np.nan] * 5] * 4), np.zeros(4, int), "NaN or inf"),
    (np.zeros((4, 5)), np.array([0, 1, 2, np.inf]), "NaN or inf"),
    (np.zeros((4, 5)), np.array([0, 1, 3, 2]), r"Label 3 is outside \[0, 3\)"),
    (np.zeros((4, 5)), np.array([0, -1, 1, 2]), r"Label -1 is outside"),
])
def test_bad_data_is_refused_before_training(compiled, x, y, message):
    before = compiled.get_weights()
    with pytest.raises(ValueError, match=message):
        compiled.fit(x, y, verbose=0)
    assert unchanged(compiled, before)


def test_one_hot_width_mismatch(compiled):
    compiled.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="3 columns.*got y of shape \\(4, 2\\)"):
        compiled.fit(np.zeros((4, 5)), np.eye(2)[[0, 1, 0, 1]], verbose=0)


def test_feature_count_mismatch(compiled):
    with pytest.raises(ShapeError, match="expected last axis 5"):
        compiled.fit(np.zeros((4, 7)), np.zeros(4, int), verbose=0)


def test_fit_before_compile():
    with pytest.raises(RuntimeError, match="compile"):
        make_model().fit(np.zeros((4, 5)), np.zeros(4, int))


@pytest.mark.parametrize("kwargs,kind", [({"optimizer": "adamm", "loss": "mse"}, "optimizer"),
                                         ({"optimizer": "sgd", "loss": "msee"}, "loss"),
                                         ({"optimizer": "sgd", "loss": "mse", "metrics": ["acuracy"]}, "metric")])
def test_unknown_names_list_known_ones(kwargs, kind):
    with pytest.raises(UnknownNameError, match=f"Unknown {kind}"):
        make_model().compile(**kwargs)


def test_nan_loss_stops_at_that_step_and_keeps_weights():
    gw.random.seed(0)
    x, y = blobs(64)
    x[40:] *= 1e30  # finite inputs that overflow the forward pass in float32
    model = gw.Sequential([Dense(3)])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.01), loss="mse")
    model.build((None, 5))
    with pytest.raises(NonFiniteLossError, match="epoch 1, batch 2"):
        model.fit(x, np.eye(3)[y], batch_size=32, shuffle=False, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_inputs_as_lists_and_tensors():
    model = make_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = blobs(8)
    model.fit(x.tolist(), y.tolist(), epochs=1, verbose=0)
    model.fit(gw.constant(x), gw.constant(y), epochs=1, verbose=0)
    assert model.predict(gw.constant(x), verbose=0).shape == (8, 3)


def test_mismatched_activation_and_loss_are_not_fused():
    model = gw.Sequential([Dense(1, activation="softmax")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert model._logits_head() is None
    model = gw.Sequential([Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert model._logits_head() is not None


def test_input_and_output_shape_as_keras():
    model = gw.Sequential([gw.Input((12, 12, 1)), gw.layers.Conv2D(8, 3), gw.layers.Flatten(), gw.layers.Dense(2)])
    assert model.input_shape == (None, 12, 12, 1) and model.output_shape == (None, 2)
    unbuilt = gw.Sequential([gw.layers.Dense(3)])
    with pytest.raises(AttributeError, match="gw.Input"):
        unbuilt.output_shape
