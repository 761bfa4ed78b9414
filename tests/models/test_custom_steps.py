"""Keras's fit()/evaluate() hooks: a Model subclass overriding train_step / test_step, and
compile() without a loss for such a model."""

import numpy as np
import pytest

import gradwise as gw
from gradwise import layers


def _data(n=96):
    rng = np.random.default_rng(0)
    x = rng.random((n, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 1.5], np.float32))[:, None]
    return x, y


class HandWritten(gw.Model):
    """A linear model trained by its own train_step (mean squared error by hand)."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)
        self.loss_tracker = gw.metrics.Mean(name="loss")
        self.calls = {"train": 0, "test": 0}

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        self.calls["train"] += 1
        with gw.GradientTape() as tape:
            loss = gw.mean(gw.square(self(x, training=True) - y))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        x, y = data
        self.calls["test"] += 1
        self.loss_tracker.update_state(gw.mean(gw.square(self(x) - y)))
        return {"loss": self.loss_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker]


def test_fit_calls_the_overridden_train_step_and_shows_its_logs():
    gw.random.seed(0)
    x, y = _data()
    model = HandWritten()
    model.compile(optimizer=gw.optimizers.SGD(0.1))  # no loss: the train_step has its own
    history = model.fit(x, y, batch_size=32, epochs=5, verbose=0, validation_data=(x, y))
    assert model.calls["train"] == 5 * 3 and model.calls["test"] == 5 * 3
    losses = history.history["loss"]
    assert losses[-1] < losses[0] / 2  # it learns
    # the tracker is reset every epoch, so each epoch's loss is that epoch's running mean
    direct = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    assert history.history["val_loss"][-1] == pytest.approx(direct, rel=1e-5)


def test_evaluate_calls_the_overridden_test_step():
    gw.random.seed(0)
    x, y = _data()
    model = HandWritten()
    model.compile(optimizer="sgd")
    model.fit(x, y, epochs=1, verbose=0)
    value = model.evaluate(x, y, batch_size=96, verbose=0)
    assert value == pytest.approx(float(np.mean((model.predict(x, verbose=0) - y) ** 2)), rel=1e-5)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss"}


def test_default_steps_match_fit_and_evaluate_of_the_compiled_loss():
    gw.random.seed(1)
    x, y = _data()
    model = gw.Sequential([layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.build((None, 4))
    logs = model.test_step((x, y))
    assert logs["loss"] == pytest.approx(model.evaluate(x, y, batch_size=96, verbose=0)[0], rel=1e-6)
    before = model.get_weights()[0].copy()
    logs = model.train_step((x, y))
    assert set(logs) == {"loss", "mae"} and not np.allclose(before, model.get_weights()[0])


def test_a_model_compiled_without_loss_says_how_to_fix_it():
    model = gw.Sequential([layers.Dense(1)])
    model.compile(optimizer="sgd")
    x, y = _data(8)
    with pytest.raises(ValueError, match=r"fit\(\) needs a loss.*compile\(\).*override train_step"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate\(\) needs a loss.*override test_step"):
        model.evaluate(x, y, verbose=0)


def test_a_train_step_must_return_a_dict():
    class Bad(HandWritten):
        def train_step(self, data):
            return 1.0

    model = Bad()
    model.compile(optimizer="sgd")
    with pytest.raises(TypeError, match="train_step\\(\\) must return a dict"):
        model.fit(*_data(8), verbose=0)


def test_custom_steps_read_a_pydataset_too():
    x, y = _data()

    class Batches(gw.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

    gw.random.seed(0)
    model = HandWritten()
    model.compile(optimizer=gw.optimizers.SGD(0.1))
    history = model.fit(Batches(), epochs=2, verbose=0, validation_data=Batches())
    assert model.calls == {"train": 6, "test": 6}
    direct = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    assert history.history["val_loss"][-1] == pytest.approx(direct, rel=1e-5)
    assert model.evaluate(Batches(), verbose=0) == pytest.approx(direct, rel=1e-5)
