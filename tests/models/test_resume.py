"""Resume without loss: save at epoch 2, load, fit on to epoch 4 = an uninterrupted 4-epoch
run (to 1e-6 with shuffle=False; bit-identical with shuffling and dropout when the random
state saved with the model is restored)."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import BackupAndRestore, ModelCheckpoint, ReduceLROnPlateau

EPOCHS, SPLIT = 4, 2


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 6)).astype(np.float32)
    y = (x[:, 0] - x[:, 2] > 0).astype(int)
    return x, y


def make_model(seed=0, dropout=False):
    gw.random.seed(seed)
    layers = [gw.layers.Dense(16, activation="relu")]
    if dropout:
        layers.append(gw.layers.Dropout(0.3))
    layers.append(gw.layers.Dense(2, activation="softmax"))
    model = gw.Sequential(layers)
    # a schedule makes the learning rate depend on the restored iteration count
    lr = gw.optimizers.schedules.ExponentialDecay(0.01, decay_steps=5, decay_rate=0.8)
    model.compile(optimizer=gw.optimizers.Adam(learning_rate=lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit(model, shuffle, **kwargs):
    x, y = data()
    return model.fit(x, y, batch_size=16, shuffle=shuffle, verbose=0, validation_split=0.2, **kwargs)


def uninterrupted(shuffle, dropout):
    model = make_model(dropout=dropout)
    fit(model, shuffle, epochs=EPOCHS)
    return model.get_weights(), model.optimizer.iterations


def max_difference(a, b):
    return max(float(np.max(np.abs(u - v))) for u, v in zip(a, b))


def test_resume_without_shuffle_matches_an_uninterrupted_run(tmp_path):
    expected, iterations = uninterrupted(shuffle=False, dropout=False)
    model = make_model()
    fit(model, False, epochs=SPLIT)
    model.save(tmp_path / "epoch2.gw")
    loaded = gw.models.load_model(tmp_path / "epoch2.gw")
    history = fit(loaded, False, epochs=EPOCHS, initial_epoch=SPLIT)
    assert history.epoch == [2, 3] and loaded.optimizer.iterations == iterations
    for got, want in zip(loaded.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    # the control: a fresh optimizer (no slots, iterations 0) ends somewhere else
    restarted = gw.models.load_model(tmp_path / "epoch2.gw", compile=False)
    restarted.compile(optimizer=make_model().optimizer, loss="sparse_categorical_crossentropy")
    fit(restarted, False, epochs=EPOCHS, initial_epoch=SPLIT)
    assert max_difference(restarted.get_weights(), expected) > 1e-4


def test_resume_with_shuffle_and_dropout_is_bit_identical(tmp_path):
    expected, _ = uninterrupted(shuffle=True, dropout=True)
    model = make_model(dropout=True)
    fit(model, True, epochs=SPLIT)
    model.save(tmp_path / "epoch2.gw")
    gw.random.normal((5,))  # the stream moves on in this process; the file remembers it
    loaded = gw.models.load_model(tmp_path / "epoch2.gw", restore_random_state=True)
    fit(loaded, True, epochs=EPOCHS, initial_epoch=SPLIT)
    for got, want in zip(loaded.get_weights(), expected):
        np.testing.assert_array_equal(got, want)
    # the control: without the saved random state the shuffles and dropout masks differ
    gw.random.seed(123)
    other = gw.models.load_model(tmp_path / "epoch2.gw")
    fit(other, True, epochs=EPOCHS, initial_epoch=SPLIT)
    assert max_difference(other.get_weights(), expected) > 1e-6


def test_resume_from_a_model_checkpoint_is_bit_identical(tmp_path):
    model = make_model(dropout=True)
    fit(model, True, epochs=EPOCHS, callbacks=[ModelCheckpoint(str(tmp_path / "ck-{epoch}.gw"))])
    expected = model.get_weights()
    loaded = gw.models.load_model(tmp_path / f"ck-{SPLIT}.gw", restore_random_state=True)
    fit(loaded, True, epochs=EPOCHS, initial_epoch=SPLIT)
    for got, want in zip(loaded.get_weights(), expected):
        np.testing.assert_array_equal(got, want)


class Crash(gw.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == SPLIT:
            raise KeyboardInterrupt  # the process dies before epoch 3


def test_backup_and_restore_is_bit_identical_to_an_uninterrupted_run(tmp_path):
    expected, iterations = uninterrupted(shuffle=True, dropout=True)
    backup = BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        fit(make_model(dropout=True), True, epochs=EPOCHS, callbacks=[backup, Crash()])
    gw.random.seed(7)  # a new process: other seed, other initial weights
    resumed = make_model(seed=7, dropout=True)
    history = fit(resumed, True, epochs=EPOCHS, callbacks=[backup])
    assert history.epoch == [2, 3] and resumed.optimizer.iterations == iterations
    for got, want in zip(resumed.get_weights(), expected):
        np.testing.assert_array_equal(got, want)


def test_a_learning_rate_changed_during_training_is_saved(tmp_path):
    gw.random.seed(0)
    model = gw.Sequential([gw.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
    x, y = data()
    # min_delta=10: nothing counts as an improvement, so the rate drops every epoch after the first
    model.fit(x, y, epochs=3, verbose=0, validation_split=0.2,
              callbacks=[ReduceLROnPlateau(patience=1, factor=0.5, min_delta=10)])
    assert model.optimizer.learning_rate == pytest.approx(0.025)
    model.save(tmp_path / "m.gw")
    assert gw.models.load_model(tmp_path / "m.gw").optimizer.learning_rate == pytest.approx(0.025)
