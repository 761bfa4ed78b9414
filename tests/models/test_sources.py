"""fit/evaluate/predict fed by gw.utils.PyDataset and by generators (gradwise/models/sources.py).

The oracle is the array path: the same batches cut from arrays with shuffle=False must give
the same weights, losses and metrics. Keras 3's rules (checked against keras 3.15) fix the
rest: how many batches an epoch reads, when on_epoch_end runs, what a finite generator does.
"""

import io
import contextlib
import itertools
import math
import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Dense


def blobs(n=22, seed=0, classes=3, dim=5):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(classes, dim))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(size=(n, dim))
    return x.astype(np.float32), y


X, Y = blobs()  # 22 samples: batches of 4 leave a last batch of 2
SW = np.linspace(0.2, 2.0, len(X)).astype(np.float32)
B = 4


class Batches(gw.utils.PyDataset):
    """Batches of B consecutive samples; records every index read and the epoch hooks."""

    def __init__(self, x, y=None, sw=None, batch=B, extra=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.sw, self.batch, self.extra = x, y, sw, batch, extra
        self.reads, self.events = [], []

    def __len__(self):
        return math.ceil(len(self.x) / self.batch)

    def __getitem__(self, index):
        self.reads.append(index)
        self.events.append(("get", index))
        part = slice(index * self.batch, (index + 1) * self.batch)
        out = tuple(a[part] for a in (self.x, self.y, self.sw, self.extra) if a is not None)
        return out if len(out) > 1 else out[0]

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")


def batches(x, y=None, sw=None, batch=B, repeat=False, reads=None):
    """A generator of the same batches as Batches (for ever with repeat); `reads` logs each one."""
    n = math.ceil(len(x) / batch)
    for i in (itertools.count() if repeat else range(n)):
        if reads is not None:
            reads.append(i)
        part = slice((i % n) * batch, (i % n + 1) * batch)
        yield tuple(a[part] for a in (x, y, sw) if a is not None)


def make_model(optimizer="adam"):
    gw.random.seed(0)
    model = gw.Sequential([gw.Input((5,)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def weights(model):
    return [w.numpy() for w in model.weights]


def assert_same_weights(a, b):
    for u, v in zip(weights(a), weights(b)):
        np.testing.assert_allclose(u, v, rtol=0, atol=1e-6)


def assert_different_weights(a, b):
    assert any(np.abs(u - v).max() > 1e-4 for u, v in zip(weights(a), weights(b)))


class Recorder(gw.callbacks.Callback):
    def __init__(self, dataset=None):
        super().__init__()
        self.dataset, self.batches, self.epochs, self.steps = dataset, [], [], []

    def on_train_begin(self, logs=None):
        self.steps.append(self.params["steps"])

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append((batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)
        if self.dataset is not None:
            self.dataset.events.append(("callback_epoch_end", epoch))


# --- same numbers as arrays --------------------------------------------------------------------------
def test_fit_from_a_pydataset_equals_fit_from_arrays_in_the_same_batches():
    ref = make_model()
    ref_hist = ref.fit(X, Y, batch_size=B, epochs=3, shuffle=False, verbose=0)
    model = make_model()
    hist = model.fit(Batches(X, Y), epochs=3, shuffle=False, verbose=0)
    assert_same_weights(model, ref)
    np.testing.assert_allclose(hist.history["loss"], ref_hist.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(hist.history["accuracy"], ref_hist.history["accuracy"], rtol=1e-6)
    assert_different_weights(model, make_model())  # it did train


def test_fit_from_a_generator_equals_fit_from_arrays():
    ref = make_model()
    ref_hist = ref.fit(X, Y, batch_size=B, epochs=1, shuffle=False, verbose=0)
    model = make_model()
    hist = model.fit(batches(X, Y), verbose=0)
    assert_same_weights(model, ref)
    assert hist.history["loss"] == pytest.approx(ref_hist.history["loss"], rel=1e-6)
    # an endless generator with steps_per_epoch = one pass per epoch, over several epochs
    ref = make_model()
    ref.fit(X, Y, batch_size=B, epochs=3, shuffle=False, verbose=0)
    model = make_model()
    model.fit(batches(X, Y, repeat=True), steps_per_epoch=6, epochs=3, verbose=0)
    assert_same_weights(model, ref)


def test_per_batch_logs_are_the_running_mean_weighted_by_batch_size():
    rec_arrays, rec_source = Recorder(), Recorder()
    make_model().fit(X, Y, batch_size=B, shuffle=False, verbose=0, callbacks=[rec_arrays])
    make_model().fit(Batches(X, Y), shuffle=False, verbose=0, callbacks=[rec_source])
    assert [b for b, _ in rec_source.batches] == list(range(6))
    np.testing.assert_allclose([l for _, l in rec_source.batches], [l for _, l in rec_arrays.batches], rtol=1e-6)


def test_sample_weights_from_a_three_tuple_act_as_with_arrays():
    ref = make_model()
    ref.fit(X, Y, sample_weight=SW, batch_size=B, epochs=2, shuffle=False, verbose=0)
    model = make_model()
    model.fit(Batches(X, Y, SW), epochs=2, shuffle=False, verbose=0)
    assert_same_weights(model, ref)
    unweighted = make_model()
    unweighted.fit(Batches(X, Y), epochs=2, shuffle=False, verbose=0)
    assert_different_weights(model, unweighted)
    gen_model = make_model()
    gen_model.fit(batches(X, Y, SW, repeat=True), steps_per_epoch=6, epochs=2, verbose=0)
    assert_same_weights(gen_model, ref)


def test_class_weight_applies_per_batch_as_with_arrays():
    ref = make_model()
    ref.fit(X, Y, class_weight={0: 1.0, 1: 3.0, 2: 0.5}, batch_size=B, shuffle=False, verbose=0)
    model = make_model()
    model.fit(Batches(X, Y), class_weight={0: 1.0, 1: 3.0, 2: 0.5}, shuffle=False, verbose=0)
    assert_same_weights(model, ref)


def test_evaluate_and_predict_equal_the_array_path():
    model = make_model()
    model.fit(X, Y, batch_size=B, verbose=0)
    expected = model.evaluate(X, Y, batch_size=B, verbose=0)
    assert model.evaluate(Batches(X, Y), verbose=0) == pytest.approx(expected, rel=1e-6)
    assert model.evaluate(batches(X, Y), verbose=0) == pytest.approx(expected, rel=1e-6)
    weighted = model.evaluate(X, Y, sample_weight=SW, batch_size=B, verbose=0)
    assert weighted[0] != pytest.approx(expected[0], rel=1e-3)
    assert model.evaluate(Batches(X, Y, SW), verbose=0) == pytest.approx(weighted, rel=1e-6)
    first_two = model.evaluate(X[:8], Y[:8], batch_size=B, verbose=0, return_dict=True)
    assert model.evaluate(batches(X, Y), steps=2, verbose=0, return_dict=True) == pytest.approx(first_two, rel=1e-6)
    assert model.evaluate(X, Y, batch_size=B, steps=2, verbose=0, return_dict=True) == pytest.approx(first_two)
    with pytest.warns(UserWarning, match="ran out of data after 6 batches, fewer than steps=10") as caught:
        assert model.evaluate(Batches(X, Y), steps=10, verbose=0) == pytest.approx(expected, rel=1e-6)
    assert len(caught) == 1

    probs = model.predict(X, verbose=0)
    np.testing.assert_allclose(model.predict(Batches(X), verbose=0), probs, rtol=1e-6)  # x alone
    np.testing.assert_allclose(model.predict(batches(X, Y), verbose=0), probs, rtol=1e-6)  # (x, y): y unused
    np.testing.assert_allclose(model.predict(batches(X, repeat=True), steps=3, verbose=0), probs[:12], rtol=1e-6)
    assert model.predict(X, batch_size=B, steps=3, verbose=0).shape == (12, 3)


def test_a_plain_iterator_and_the_sequence_alias_work_like_generators_and_datasets():
    ref = make_model()
    ref.fit(X, Y, batch_size=B, shuffle=False, verbose=0)
    model = make_model()
    model.fit(iter(list(batches(X, Y))), verbose=0)
    assert_same_weights(model, ref)
    assert gw.utils.Sequence is gw.utils.PyDataset

    class Legacy(gw.utils.Sequence):  # no super().__init__(): Keras's defaults still hold
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return X[i * B:(i + 1) * B], Y[i * B:(i + 1) * B]

    assert (Legacy().workers, Legacy().use_multiprocessing, Legacy().max_queue_size) == (1, False, 10)
    ds = Batches(X, Y, workers=4, use_multiprocessing=True, max_queue_size=3)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (4, True, 3)
    legacy = make_model()
    legacy.fit(Legacy(), shuffle=False, verbose=0)
    assert_same_weights(legacy, ref)


def test_functional_model_with_two_named_inputs_from_a_dataset_of_dicts():
    xa, xb = X[:, :2], X[:, 2:]

    def build():
        gw.random.seed(1)
        a, b = gw.Input((2,), name="a"), gw.Input((3,), name="b")
        h = gw.layers.Concatenate()([Dense(4, activation="relu")(a), b])
        model = gw.Model([a, b], Dense(3, activation="softmax")(h))
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    class Dicts(gw.utils.PyDataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            part = slice(i * B, (i + 1) * B)
            return {"a": xa[part], "b": xb[part]}, Y[part]

    ref = build()
    ref.fit({"a": xa, "b": xb}, Y, batch_size=B, epochs=2, shuffle=False, verbose=0)
    model = build()
    model.fit(Dicts(), epochs=2, shuffle=False, verbose=0)
    assert_same_weights(model, ref)
    np.testing.assert_allclose(model.predict(Dicts(), verbose=0), ref.predict({"a": xa, "b": xb}, verbose=0),
                               rtol=1e-6)


def test_an_unbuilt_model_is_built_from_the_first_batch_and_still_trains_on_it():
    def unbuilt():
        gw.random.seed(0)
        model = gw.Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    ref = unbuilt()
    ref.fit(X, Y, batch_size=B, shuffle=False, verbose=0)
    from_gen = unbuilt()
    hist = from_gen.fit(batches(X, Y), verbose=0)
    assert_same_weights(from_gen, ref)
    assert hist.history["loss"] == pytest.approx(ref.history.history["loss"], rel=1e-6)
    ds = Batches(X, Y)
    from_ds = unbuilt()
    from_ds.fit(ds, shuffle=False, verbose=0)
    assert_same_weights(from_ds, ref)
    assert ds.reads == [0, 0, 1, 2, 3, 4, 5]  # one read of batch 0 to build (Keras reads one too)


# --- Keras 3's epoch rules -------------------------------------------------------------------
def test_epoch_hooks_run_once_per_epoch_around_its_batches_before_the_callbacks():
    ds = Batches(X, Y)
    make_model().fit(ds, epochs=3, shuffle=False, verbose=0, callbacks=[Recorder(ds)])
    assert ds.events.count("end") == 3 and ds.events.count("begin") == 3
    one_epoch = ["begin"] + [("get", i) for i in range(6)] + ["end"]
    assert ds.events == [*one_epoch, ("callback_epoch_end", 0), *one_epoch, ("callback_epoch_end", 1),
                         *one_epoch, ("callback_epoch_end", 2)]
    model = make_model()
    for run in (lambda d: model.evaluate(d, verbose=0), lambda d: model.predict(d, verbose=0)):
        ds = Batches(X, Y)
        run(ds)
        assert ds.events == one_epoch


def test_a_validation_pydataset_is_read_from_its_start_at_every_validation():
    val = Batches(X[:12], Y[:12])
    model = make_model()
    hist = model.fit(Batches(X, Y), epochs=2, validation_data=val, verbose=0)
    assert val.reads == [0, 1, 2] * 2 and val.events.count("end") == 2
    assert hist.history["val_loss"][-1] == pytest.approx(model.evaluate(X[:12], Y[:12], batch_size=B, verbose=0)[0],
                                                         rel=1e-6)
    val = Batches(X[:12], Y[:12])
    model.fit(Batches(X, Y), epochs=2, validation_data=val, validation_steps=2, verbose=0)
    assert val.reads == [0, 1] * 2
    reads = []  # a generator continues where the last validation stopped
    model.fit(X, Y, epochs=3, validation_data=batches(X, Y, repeat=True, reads=reads), validation_steps=2, verbose=0)
    assert reads == list(range(6))


def test_steps_per_epoch_caps_the_reads_and_the_pass_goes_on_across_epochs():
    ds = Batches(X[:16], Y[:16])  # 4 batches
    rec = Recorder()
    make_model().fit(ds, epochs=3, steps_per_epoch=2, shuffle=False, verbose=0, callbacks=[rec])
    assert ds.reads == [0, 1, 2, 3, 0, 1] and rec.steps == [2] and ds.events.count("end") == 3
    ds = Batches(X, Y)  # 6 batches, 4 per epoch: the second epoch meets the end of the pass (as Keras)
    with pytest.warns(UserWarning, match=r"ended after 2 batches of epoch 2, fewer than steps_per_epoch=4"):
        make_model().fit(ds, epochs=3, steps_per_epoch=4, shuffle=False, verbose=0)
    assert ds.reads == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3]


def test_shuffle_reorders_the_batches_of_a_pydataset_each_epoch_reproducibly():
    def orders(shuffle):
        ds = Batches(X, Y)
        gw.random.seed(3)
        make_model().fit(ds, epochs=4, shuffle=shuffle, verbose=0)
        return [ds.reads[i * 6:(i + 1) * 6] for i in range(4)]

    assert orders(False) == [list(range(6))] * 4
    shuffled = orders(True)
    assert all(sorted(epoch) == list(range(6)) for epoch in shuffled)  # every batch once per epoch
    assert any(epoch != list(range(6)) for epoch in shuffled) and len({tuple(e) for e in shuffled}) > 1
    assert orders(True) == shuffled  # gw.random.seed fixes the order


def test_a_finite_generator_without_steps_ends_the_epoch_and_fit_when_exhausted():
    ref = make_model()
    ref.fit(X, Y, batch_size=B, shuffle=False, verbose=0)
    model = make_model()
    with pytest.warns(UserWarning, match=r"ran out of data after 6 batches; training stopped after epoch 1 of 3"):
        hist = model.fit(batches(X, Y), epochs=3, verbose=0)
    assert hist.epoch == [0]
    assert_same_weights(model, ref)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the planned end: no warning
        assert make_model().fit(batches(X, Y), epochs=1, verbose=0).epoch == [0]


def test_a_generator_with_steps_per_epoch_is_read_on_and_cut_when_it_runs_out():
    rec = Recorder()
    with pytest.warns(UserWarning, match="epoch 2 got 2 of its steps_per_epoch=4 batches, and training stopped "
                                         "after epoch 2 of 3"):
        hist = make_model().fit(batches(X, Y), steps_per_epoch=4, epochs=3, verbose=0, callbacks=[rec])
    # 6 batches: 4 in epoch 1, 2 in epoch 2, nothing left for epoch 3
    assert [b for b, _ in rec.batches] == [0, 1, 2, 3, 0, 1] and hist.epoch == [0, 1]

    reads = []  # ends exactly at an epoch's end: noticed when the next epoch finds nothing
    with pytest.warns(UserWarning, match="training stopped after epoch 2 of 3"):
        hist = make_model().fit(batches(X[:16], Y[:16], reads=reads), steps_per_epoch=2, epochs=3, verbose=0)
    assert hist.epoch == [0, 1] and reads == [0, 1, 2, 3]

    reads = []
    gen = batches(X, Y, repeat=True, reads=reads)  # endless: exactly steps * epochs batches are read
    make_model().fit(gen, steps_per_epoch=3, epochs=2, verbose=0)
    assert reads == list(range(6))
    next(gen)
    assert reads[-1] == 6  # nothing was read ahead and lost


def test_callbacks_history_and_initial_epoch_with_a_pydataset():
    ds = Batches(X, Y)
    rec = Recorder()
    hist = make_model().fit(ds, epochs=4, initial_epoch=2, verbose=0, callbacks=[rec])
    assert hist.epoch == [2, 3] and rec.epochs == [2, 3] and rec.steps == [6]
    assert len(ds.reads) == 12 and ds.events.count("end") == 2

    class StopAtBatch2(gw.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    ds = Batches(X, Y)
    hist = make_model().fit(ds, epochs=3, verbose=0, callbacks=[StopAtBatch2()])
    assert len(ds.reads) == 3 and hist.epoch == [0] and ds.events[-1] == "end"


def test_progress_of_a_generator_of_unknown_length():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rec = Recorder()
        make_model().fit(batches(X, Y), verbose=2, callbacks=[rec])
    assert rec.steps == [None] and "6/Unknown" in out.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        make_model().fit(Batches(X, Y), verbose=2)
    assert "6/6 -" in out.getvalue()


# --- errors that say what came and what is expected ----------------------------------------------
def test_a_batch_of_the_wrong_structure_is_refused_with_what_was_received():
    model = make_model()
    before = weights(model)
    with pytest.raises(ValueError, match=r"batch 0 of the PyDataset Batches is a tuple of 4: .*"
                                         r"expected \(x, y\) or \(x, y, sample_weight\)"):
        model.fit(Batches(X, Y, SW, extra=SW), shuffle=False, verbose=0)
    with pytest.raises(ValueError, match=r"fit\(\): batch 0 of the PyDataset Batches holds only x \(an array of "
                                         r"shape \(4, 5\)\), but training needs labels"):
        model.fit(Batches(X), shuffle=False, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate\(\): batch 0 from the generator holds only x .*evaluation needs "
                                         r"labels"):
        model.evaluate((x for x in [(X[:4],)]), verbose=0)
    with pytest.raises(ValueError, match="is a tuple of 4"):
        model.predict(iter([(X[:4], Y[:4], SW[:4], SW[:4])]), verbose=0)
    for u, v in zip(before, weights(model)):
        np.testing.assert_array_equal(u, v)  # nothing was trained


def test_bad_values_inside_a_batch_name_the_batch():
    bad = X.copy()
    bad[9, 1] = np.nan  # in batch 2
    with pytest.raises(ValueError, match=r"in batch 2 from the generator: x contains NaN"):
        make_model().fit(batches(bad, Y), verbose=0)
    labels = Y.copy()
    labels[5] = 7
    with pytest.raises(ValueError, match=r"in batch 1 of the PyDataset Batches: Label 7 is outside \[0, 3\)"):
        make_model().fit(Batches(X, labels), verbose=0)


def test_arguments_meant_for_arrays_are_refused_with_the_fix():
    model = make_model()
    # batch_size: Keras 3 ignores it for batched data; gradwise ignores it too, and says so
    with pytest.warns(UserWarning, match=r"batch_size=4 is ignored when the data is a PyDataset, which makes "
                                         r"its own batches \(6 per epoch\)"):
        model.fit(Batches(X, Y), batch_size=4, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="batch_size=4 is ignored when the data is a generator"):
        model.evaluate(batches(X, Y), batch_size=4, verbose=0)
    with pytest.warns(UserWarning, match="batch_size=4 is ignored"):
        assert model.predict(Batches(X), batch_size=4, verbose=0).shape[0] == len(X)
    with pytest.raises(ValueError, match=r"`y` must not be passed .*Make __getitem__ return \(x, y\) or "
                                         r"\(x, y, sample_weight\)"):
        model.fit(Batches(X, Y), Y, verbose=0)
    with pytest.raises(ValueError, match="`sample_weight` must not be passed"):
        model.fit(batches(X, Y), sample_weight=SW, verbose=0)
    with pytest.raises(ValueError, match="validation_split needs arrays to split"):
        model.fit(Batches(X, Y), validation_split=0.2, verbose=0)
    with pytest.warns(UserWarning, match="validation_batch_size=8 is ignored"):
        model.fit(X, Y, validation_data=Batches(X, Y), validation_batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch must be a positive integer"):
        model.fit(batches(X, Y), steps_per_epoch=0, verbose=0)
    bad_labels = Y.copy()
    bad_labels[0] = 9
    with pytest.raises(ValueError, match=r"fit\(\) \(validation_data\): in batch 0 of the PyDataset Batches: Label 9"):
        model.fit(X, Y, validation_data=Batches(X, bad_labels), verbose=0)


def test_empty_sources_and_a_validation_generator_that_cannot_last_are_refused_before_training():
    model = make_model()
    before = weights(model)
    with pytest.raises(ValueError, match="the generator yielded no batches"):
        model.fit(iter([]), verbose=0)
    with pytest.raises(ValueError, match="the generator yielded no batches"):
        model.predict(iter([]), verbose=0)
    with pytest.raises(ValueError, match=r"the PyDataset Batches has 0 batches"):
        model.fit(Batches(X[:0], Y[:0]), verbose=0)
    with pytest.raises(ValueError, match=r"without validation_steps, and fit validates 3 times.*Give validation_steps"):
        model.fit(Batches(X, Y), epochs=3, validation_data=batches(X, Y), verbose=0)
    for u, v in zip(before, weights(model)):
        np.testing.assert_array_equal(u, v)
    hist = model.fit(Batches(X, Y), epochs=1, validation_data=batches(X, Y), verbose=0)  # one validation: fine
    assert "val_loss" in hist.history
