"""Callbacks: Keras 3 semantics checked on hand-worked sequences (driving the callbacks with a
stand-in model), on real fits, and against Keras itself when it is installed."""

import csv
import math
import os

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import (BackupAndRestore, CSVLogger, EarlyStopping, LambdaCallback,
                                LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau,
                                TerminateOnNaN)
from gradwise.models import NonFiniteLossError


class StandIn:
    """What a callback needs of a model: weights (here: the epoch number), an optimizer,
    stop_training, and save methods that record what was written."""

    def __init__(self, learning_rate=0.1):
        self.weights = [np.zeros(2)]
        self.stop_training = False
        self.optimizer = gw.optimizers.SGD(learning_rate=learning_rate)
        self.compiled_metrics = []
        self.saved = []
        self.built = True

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, path):
        self.saved.append(os.path.basename(path))

    def save_weights(self, path):
        self.saved.append("weights:" + os.path.basename(path))


def drive(callback, values, monitor="val_loss", model=None):
    """Run the epoch hooks over `values` (one per epoch); the weights hold the epoch number.
    Returns (model, epochs run, the logs of each epoch)."""
    model = model or StandIn()
    callback.set_model(model)
    callback.on_train_begin()
    all_logs = []
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]
        callback.on_epoch_begin(epoch)
        logs = {monitor: value}
        callback.on_epoch_end(epoch, logs)
        all_logs.append(logs)
        if model.stop_training:
            break
    callback.on_train_end()
    return model, len(all_logs), all_logs


def small_data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    return x, y


def small_model(seed=0, optimizer="adam"):
    gw.random.seed(seed)
    model = gw.Sequential([gw.layers.Dense(8, activation="relu"), gw.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# --- EarlyStopping ------------------------------------------------------------------------------
def test_early_stopping_patience_2_restores_the_best_epoch():
    # epoch:     0    1    2    3     4    5
    # val_loss: 1.0  0.8  0.9  0.85  0.7  0.6
    # best 0.8 at epoch 1; epochs 2 and 3 do not improve -> wait reaches 2 at epoch 3: stop.
    stop = EarlyStopping(patience=2, restore_best_weights=True)
    model, run, _ = drive(stop, [1.0, 0.8, 0.9, 0.85, 0.7, 0.6])
    assert run == 4 and stop.stopped_epoch == 3
    assert stop.best == 0.8 and stop.best_epoch == 1
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # epoch 1's weights are back


def test_early_stopping_restores_best_weights_even_without_stopping():
    stop = EarlyStopping(patience=5, restore_best_weights=True)
    model, run, _ = drive(stop, [1.0, 0.5, 0.7])
    assert run == 3 and stop.stopped_epoch == 0
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # Keras 3 restores at train end


def test_early_stopping_without_restore_keeps_the_last_weights():
    model, run, _ = drive(EarlyStopping(patience=1), [1.0, 1.2, 0.1])
    assert run == 2
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_early_stopping_min_delta_and_max_mode():
    # 0.95 is better than 1.0 by only 0.05 < min_delta 0.1: no improvement -> stop at epoch 1
    stop = EarlyStopping(patience=1, min_delta=0.1)
    assert drive(stop, [1.0, 0.95, 0.8])[1] == 2
    # "val_accuracy" is maximized in auto mode: 0.6 improves, 0.55 twice does not
    stop = EarlyStopping(monitor="val_accuracy", patience=2)
    drive(stop, [0.5, 0.6, 0.55, 0.55, 0.9], monitor="val_accuracy")
    assert stop.stopped_epoch == 3 and stop.best == 0.6


def test_early_stopping_baseline_keeps_the_wait_growing_until_beaten():
    # The values improve on each other but never beat the baseline 0.5, so the wait is not
    # reset: it reaches patience 2 at epoch 2 (without a baseline, training would go on).
    stop = EarlyStopping(patience=2, baseline=0.5)
    assert drive(stop, [0.9, 0.8, 0.85, 0.7])[1] == 3
    assert drive(EarlyStopping(patience=2), [0.9, 0.8, 0.85, 0.7])[1] == 4


def test_early_stopping_start_from_epoch_ignores_the_first_epochs():
    stop = EarlyStopping(patience=1, start_from_epoch=2)
    model, run, _ = drive(stop, [0.1, 0.2, 0.9, 1.0, 1.1])
    assert run == 4 and stop.best == 0.9  # monitoring begins at epoch 2


def test_unknown_direction_raises_with_the_fix():
    with pytest.raises(ValueError, match="mode='max'"):
        drive(EarlyStopping(monitor="val_wiggle"), [1.0, 2.0], monitor="val_wiggle")
    assert drive(EarlyStopping(monitor="val_wiggle", mode="max", patience=0),
                 [1.0, 0.5], monitor="val_wiggle")[1] == 2


def test_missing_monitor_warns_and_does_not_stop():
    stop = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="val_loss"):
        model, run, _ = drive(stop, [1.0, 2.0, 3.0], monitor="loss")
    assert run == 3


def test_early_stopping_in_fit_stops_where_the_rule_says_and_restores():
    x, y = small_data()
    model = small_model(optimizer=gw.optimizers.SGD(learning_rate=2.0))  # noisy on purpose
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    stop = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    history = model.fit(x, y, epochs=30, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[record, stop])
    losses = history.history["val_loss"]
    # the rule, independently: stop at the first epoch that is >= 1 epoch past the best so far
    best, expected_stop = 0, None
    for e in range(1, len(losses)):
        if losses[e] < losses[best]:
            best = e
        elif e - best >= 1:
            expected_stop = e
            break
    assert expected_stop is not None, "the run was expected to stall within 30 epochs"
    assert len(losses) == expected_stop + 1 and stop.stopped_epoch == expected_stop
    for a, b in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(a, b)


# --- ModelCheckpoint ---------------------------------------------------------------------------
def test_checkpoint_save_best_only_writes_only_on_improvement():
    save = ModelCheckpoint("ck-{epoch:02d}-{val_loss:.2f}.gw", save_best_only=True)
    model, _, _ = drive(save, [0.5, 0.6, 0.4, 0.4, 0.45])
    assert model.saved == ["ck-01-0.50.gw", "ck-03-0.40.gw"]  # 1-based epochs in names


def test_checkpoint_initial_value_threshold_and_max_mode():
    save = ModelCheckpoint("best.gw", monitor="val_accuracy", save_best_only=True,
                           initial_value_threshold=0.7)
    model, _, _ = drive(save, [0.6, 0.75, 0.72, 0.8], monitor="val_accuracy")
    assert model.saved == ["best.gw", "best.gw"] and save.best == 0.8


def test_checkpoint_every_epoch_and_weights_only():
    model, _, _ = drive(ModelCheckpoint("w-{epoch}.npz", save_weights_only=True), [3.0, 2.0, 5.0])
    assert model.saved == ["weights:w-1.npz", "weights:w-2.npz", "weights:w-3.npz"]


def test_checkpoint_unknown_field_names_the_available_keys():
    with pytest.raises(KeyError, match="val_acc"):
        drive(ModelCheckpoint("ck-{val_acc:.2f}.gw"), [1.0])


def test_checkpoint_bad_save_freq():
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("x.gw", save_freq="batch")


def test_checkpoint_files_from_fit_load_and_hold_that_epoch(tmp_path):
    x, y = small_data()
    model = small_model()
    pattern = str(tmp_path / "ck-{epoch:02d}.gw")
    snapshots = []
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[
        ModelCheckpoint(pattern, monitor="loss", save_best_only=True),
        LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(model.get_weights()))])
    losses = history.history["loss"]
    improved = [e for e in range(3) if all(losses[e] < losses[k] for k in range(e))]
    assert sorted(os.listdir(tmp_path)) == [f"ck-{e + 1:02d}.gw" for e in improved]
    last = improved[-1]
    loaded = gw.models.load_model(tmp_path / f"ck-{last + 1:02d}.gw")
    for a, b in zip(loaded.get_weights(), snapshots[last]):
        np.testing.assert_array_equal(a, b)
    assert loaded.optimizer.iterations == 6 * (last + 1)


def test_checkpoint_save_freq_in_batches(tmp_path):
    x, y = small_data(n=64)
    model = small_model()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.gw"), save_freq=3)])
    # 4 batches per epoch, a save every 3 batches: after batches 3 and 6 (= epoch 2, batch 2)
    assert sorted(os.listdir(tmp_path)) == ["e1-b3.gw", "e2-b2.gw"]


def test_checkpoint_on_interrupt_writes_a_separate_file():
    save = ModelCheckpoint("run/ck-{epoch:02d}-{val_loss:.2f}.gw")
    model = StandIn()
    save.set_model(model)
    path = save.on_interrupt(2, 5, {"loss": 0.3})
    assert path == "run/ck-03-nan.interrupted.gw" and model.saved == ["ck-03-nan.interrupted.gw"]


# --- ReduceLROnPlateau -------------------------------------------------------------------------
def test_reduce_lr_on_plateau_patience_cooldown_by_hand():
    # epoch 0: best 1.0 | 1: wait 1 | 2: wait 2 -> lr 0.05, cooldown 1 | 3: cooldown ends,
    # 0.5 improves | 4: wait 1 | 5: wait 2 -> lr 0.025, cooldown 1 | 6: cooldown ends, wait 1
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_delta=0)
    model, _, logs = drive(reduce, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5])
    assert [round(l["learning_rate"], 12) for l in logs] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]
    assert model.optimizer.learning_rate == pytest.approx(0.025) and reduce.wait == 1


def test_reduce_lr_min_delta_and_floor():
    # the default min_delta 1e-4: 0.99995 is no improvement on 1.0
    reduce = ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.02)
    model, _, _ = drive(reduce, [1.0, 0.99995])
    assert model.optimizer.learning_rate == pytest.approx(0.02)  # max(0.1 * 0.1, 0.02)
    with pytest.raises(ValueError, match="factor=1.5"):
        ReduceLROnPlateau(factor=1.5)


def test_reduce_lr_refuses_an_optimizer_with_a_schedule():
    model = StandIn(learning_rate=gw.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="ReduceLROnPlateau cannot change the learning rate"):
        drive(ReduceLROnPlateau(patience=0), [1.0, 1.0], model=model)


# --- LearningRateScheduler ---------------------------------------------------------------------
def test_learning_rate_scheduler_in_fit_logs_the_rate():
    x, y = small_data(n=32)
    model = small_model(optimizer=gw.optimizers.SGD(learning_rate=0.1))
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.5)])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch: 0.3 / (epoch + 1))])
    assert history.history["learning_rate"] == pytest.approx([0.3, 0.15])


def test_learning_rate_scheduler_wants_a_number():
    with pytest.raises(ValueError, match="should be a float"):
        drive(LearningRateScheduler(lambda epoch, lr: "fast"), [1.0])


# --- TerminateOnNaN ----------------------------------------------------------------------------
def diverging_fit(callbacks):
    x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32) * 100
    y = x.sum(axis=1, keepdims=True) * 100
    gw.random.seed(0)
    model = gw.Sequential([gw.layers.Dense(1)])
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=1e3), loss="mse")
    return model, model.fit(x, y, epochs=5, batch_size=8, shuffle=False, verbose=0, callbacks=callbacks)


def test_terminate_on_nan_stops_cleanly_with_finite_weights(capsys):
    model, history = diverging_fit([TerminateOnNaN()])
    assert len(history.epoch) == 1 and not math.isfinite(history.history["loss"][0])
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert all(np.isfinite(w).all() for w in model.get_weights())
    with pytest.raises(NonFiniteLossError):
        diverging_fit([])
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        diverging_fit([TerminateOnNaN(raise_error=True)])


# --- CSVLogger ---------------------------------------------------------------------------------
def test_csv_logger_content_by_hand(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.set_model(StandIn())
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    logger.on_epoch_end(1, {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.375})
    logger.on_train_end()
    # sorted keys of the first epoch, plus val_ columns because it had none; gaps are "NA"
    assert path.read_text().splitlines() == [
        "epoch,accuracy,loss,val_accuracy,val_loss",
        "0,0.75,0.5,NA,NA",
        "1,0.875,0.25,NA,0.375",
    ]
    appended = CSVLogger(path, separator=";", append=True)
    appended.on_train_begin()
    appended.on_epoch_end(2, {"loss": 0.125, "val_loss": 0.5})
    appended.on_train_end()
    assert path.read_text().splitlines()[-1] == "2;0.125;0.5"  # no second header


def test_csv_logger_in_fit_has_one_row_per_epoch(tmp_path):
    x, y = small_data(n=32)
    model = small_model()
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[CSVLogger(tmp_path / "log.csv")])
    with open(tmp_path / "log.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert [float(r["val_loss"]) for r in rows] == pytest.approx(history.history["val_loss"])


# --- LambdaCallback and batch-level stopping ---------------------------------------------------
def test_lambda_callback_and_stop_in_the_middle_of_an_epoch():
    x, y = small_data(n=64)
    model = small_model()
    calls = []

    def on_batch(batch, logs):
        calls.append(("batch", batch))
        if batch == 2:
            model.stop_training = True

    hooks = LambdaCallback(on_train_begin=lambda logs: calls.append("begin"),
                           on_train_batch_end=on_batch,
                           on_epoch_end=lambda epoch, logs: calls.append(("epoch", epoch)),
                           on_train_end=lambda logs: calls.append("end"))
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[hooks])
    # stop_training set in a batch hook ends the epoch after that batch; the epoch still ends
    assert calls == ["begin", ("batch", 0), ("batch", 1), ("batch", 2), ("epoch", 0), "end"]
    assert history.epoch == [0] and model.optimizer.iterations == 3
    with pytest.raises(ValueError, match="on_epoch_ends"):
        LambdaCallback(on_epoch_ends=print)


# --- BackupAndRestore --------------------------------------------------------------------------
class Crash(gw.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("power cut")


def test_backup_and_restore_resumes_after_a_crash_and_cleans_up(tmp_path):
    x, y = small_data(n=48)
    backup = BackupAndRestore(tmp_path / "backup")
    model = small_model()
    with pytest.raises(RuntimeError, match="power cut"):
        model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup, Crash(3)])
    assert os.path.exists(backup.backup_path)  # an error keeps the backup
    fresh = small_model(seed=99)  # other initial weights: everything must come from the backup
    history = fresh.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup])
    assert history.epoch == [3, 4] and fresh.optimizer.iterations == 15
    assert not os.path.exists(tmp_path / "backup")  # completed: the backup is deleted


def test_backup_double_checkpoint_falls_back_to_the_previous(tmp_path):
    x, y = small_data(n=48)
    backup = BackupAndRestore(tmp_path / "b", double_checkpoint=True)
    model = small_model()
    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup, Crash(2)])
    with open(backup.backup_path, "wb") as f:
        f.write(b"garbage")  # the latest backup is damaged
    fresh = small_model(seed=5)
    with pytest.warns(UserWarning, match="previous one"):
        history = fresh.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[backup])
    assert history.epoch == [1, 2]  # the previous backup was taken after epoch 1


def test_backup_bad_arguments():
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore("b", save_freq=0)


# --- Keras 3 as the oracle (skipped when Keras is not installed) -------------------------------
class KerasStandIn(StandIn):
    pass


SEQUENCES = [list(np.round(np.random.default_rng(s).uniform(0, 1, size=12), 2)) for s in range(12)]
EARLY = [dict(patience=0), dict(patience=2), dict(patience=1, min_delta=0.05),
         dict(patience=2, baseline=0.3), dict(patience=1, start_from_epoch=3), dict(patience=3, mode="max")]


@pytest.fixture(scope="module")
def keras():
    if not os.environ.get("GRADWISE_KERAS_ORACLE"):
        pytest.skip("Keras oracle tests are opt-in (slow): set GRADWISE_KERAS_ORACLE=1")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("kwargs", EARLY, ids=[str(k) for k in EARLY])
def test_early_stopping_matches_keras(keras, kwargs):
    for values in SEQUENCES:
        ours = EarlyStopping(restore_best_weights=True, **kwargs)
        theirs = keras.callbacks.EarlyStopping(restore_best_weights=True, **kwargs)
        our_model, our_run, _ = drive(ours, values)
        their_model, their_run, _ = drive(theirs, values, model=KerasStandIn())
        assert (our_run, ours.stopped_epoch, ours.best_epoch) == \
            (their_run, theirs.stopped_epoch, theirs.best_epoch), values
        np.testing.assert_array_equal(our_model.weights[0], their_model.weights[0])


@pytest.mark.parametrize("kwargs", [dict(patience=1), dict(patience=2, cooldown=2, factor=0.5),
                                    dict(patience=0, min_lr=0.03, factor=0.5), dict(patience=1, mode="max")])
def test_reduce_lr_on_plateau_matches_keras(keras, kwargs):
    for values in SEQUENCES:
        _, _, ours = drive(ReduceLROnPlateau(**kwargs), values)
        _, _, theirs = drive(keras.callbacks.ReduceLROnPlateau(**kwargs), values, model=KerasStandIn())
        np.testing.assert_allclose([l["learning_rate"] for l in ours],
                                   [l["learning_rate"] for l in theirs], rtol=1e-6)
