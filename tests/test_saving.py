"""model.save / load_model: bit-identical predictions, safe loading, clear errors."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Dense, Layer
from gradwise.saving import ModelFileError


def trained_model(seed=0):
    gw.random.seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int)
    model = gw.Sequential([Dense(8, activation="relu"), Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return model, x, y


def test_save_load_predict_is_bit_identical(tmp_path):
    model, x, _ = trained_model()
    path = tmp_path / "m.gw"
    model.save(path)
    loaded = gw.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert loaded.optimizer.iterations == model.optimizer.iterations


def test_loaded_model_continues_training_like_the_original(tmp_path):
    model, x, y = trained_model()
    model.save(tmp_path / "m.gw")
    loaded = gw.models.load_model(tmp_path / "m.gw")
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_file_is_a_zip_with_json_and_npz_only(tmp_path):
    model, _, _ = trained_model()
    model.save(tmp_path / "m.gw")
    with zipfile.ZipFile(tmp_path / "m.gw") as zf:
        assert set(zf.namelist()) == {"config.json", "weights.npz", "optimizer.npz"}
        config = json.loads(zf.read("config.json"))
    assert config["model"]["class_name"] == "Sequential" and config["compile"]["loss"]


def test_save_is_atomic_no_temp_files_left(tmp_path):
    model, _, _ = trained_model()
    model.save(tmp_path / "m.gw")
    model.save(tmp_path / "m.gw")
    assert os.listdir(tmp_path) == ["m.gw"]


def test_pickled_object_inside_is_refused_without_running_it(tmp_path):
    model, _, _ = trained_model()
    path = tmp_path / "m.gw"
    model.save(path)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    buf = io.BytesIO()
    np.save(buf, np.array([Evil()], dtype=object), allow_pickle=True)
    evil_npz = io.BytesIO()
    with zipfile.ZipFile(evil_npz, "w") as zf:
        zf.writestr("w0.npy", buf.getvalue())
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["weights.npz"] = evil_npz.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    with pytest.raises(ModelFileError, match="pickled"):
        gw.models.load_model(path)
    assert not marker.exists()


def test_truncated_and_corrupt_files(tmp_path):
    model, _, _ = trained_model()
    path = tmp_path / "m.gw"
    model.save(path)
    data = path.read_bytes()
    (tmp_path / "trunc.gw").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupt or truncated"):
        gw.models.load_model(tmp_path / "trunc.gw")
    (tmp_path / "junk.gw").write_bytes(b"not a model at all")
    with pytest.raises(ModelFileError):
        gw.models.load_model(tmp_path / "junk.gw")
    with pytest.raises(FileNotFoundError):
        gw.models.load_model(tmp_path / "missing.gw")


def test_custom_layer_needs_registration(tmp_path):
    class Doubler(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    model = gw.Sequential([Dense(3), Doubler(factor=3.0)])
    model.build((None, 4))
    model.save(tmp_path / "c.gw")
    with pytest.raises(ModelFileError, match=r"Unknown class 'Doubler'.*register"):
        gw.models.load_model(tmp_path / "c.gw")
    loaded = gw.models.load_model(tmp_path / "c.gw", custom_objects={"Doubler": Doubler})
    x = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    gw.saving.register(Doubler)
    assert gw.models.load_model(tmp_path / "c.gw").layers[1].factor == 3.0


def test_save_and_load_weights(tmp_path):
    model, x, _ = trained_model()
    model.save_weights(tmp_path / "w.npz")
    other, _, _ = trained_model(seed=5)
    other.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_to_json_and_model_from_json_rebuild_the_architecture_without_weights(tmp_path):
    gw.random.seed(0)
    model = gw.Sequential([gw.Input((4,)), gw.layers.Dense(3, activation="relu", name="h"), gw.layers.Dense(2)])
    model.compile("adam", "mse", metrics=["mae"])
    twin = gw.models.model_from_json(model.to_json())
    assert [l.get_config() for l in twin.layers] == [l.get_config() for l in model.layers]
    assert twin.built and twin.optimizer is None
    assert not np.allclose(twin.get_layer("h").kernel.numpy(), model.get_layer("h").kernel.numpy())
    twin.compile_from_config(model.get_compile_config())
    assert type(twin.optimizer).__name__ == "Adam" and twin.metrics_names == model.metrics_names == ["loss", "mae"]
    inputs = gw.Input((3,))
    functional = gw.Model(inputs, gw.layers.Dense(1, name="out")(gw.layers.Dense(2)(inputs)))
    again = gw.models.model_from_json(functional.to_json())
    assert again.count_params() == functional.count_params() and again.output_shape == (None, 1)
    with pytest.raises(gw.saving.ModelFileError, match="to_json"):
        gw.models.model_from_json("{not json")
    gw.models.save_model(model, tmp_path / "m.gw")
    np.testing.assert_allclose(gw.models.load_model(tmp_path / "m.gw").get_weights()[0], model.get_weights()[0])
