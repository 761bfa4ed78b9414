"""Functional API: gw.Model(inputs, outputs), merge layers, shared and nested models, several
inputs and outputs, summary, save/load, and the errors that name the fix."""

import io

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers import (
    Add, Average, BatchNormalization, Concatenate, Dense, Dropout, Maximum, Minimum, Multiply, Subtract,
)

rng = np.random.default_rng(0)


def relu(z):
    return np.maximum(z, 0)


def two_branch_model():
    """a -> relu Dense(3) ┐
                          concatenate -> Dense(2)
       b ->      Dense(2) ┘"""
    a, b = gw.Input((4,), name="a"), gw.Input((3,), name="b")
    ha = Dense(3, activation="relu", name="ha")(a)
    hb = Dense(2, name="hb")(b)
    out = Dense(2, name="out")(Concatenate(name="cat")([ha, hb]))
    return gw.Model(inputs=[a, b], outputs=out, name="two_branch")


def numpy_two_branch(model, xa, xb):
    (w1, b1), (w2, b2), (w3, b3) = [model.get_layer(n).get_weights() for n in ("ha", "hb", "out")]
    pre = xa @ w1 + b1
    h = np.concatenate([relu(pre), xb @ w2 + b2], axis=1)
    return h @ w3 + b3, pre, h


def test_forward_equals_hand_composed_numpy():
    model = two_branch_model()
    xa, xb = rng.normal(size=(5, 4)).astype("f4"), rng.normal(size=(5, 3)).astype("f4")
    expected = numpy_two_branch(model, xa, xb)[0]
    np.testing.assert_allclose(model([xa, xb]).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict({"a": xa, "b": xb}, batch_size=2, verbose=0), expected,
                               rtol=1e-5, atol=1e-6)
    assert isinstance(model, gw.Model) and type(model).__name__ == "Functional"
    assert gw.Model([model.inputs[0], model.inputs[1]], model.outputs[0], name="again").name == "again"


def test_gradients_flow_to_both_branches():
    """d(sum of outputs)/d(weights), worked out in NumPy: g = 1 at the output, back through the
    concatenation (split of g W3ᵀ) to each branch; relu passes the gradient where pre > 0."""
    model = two_branch_model()
    xa, xb = rng.normal(size=(6, 4)).astype("f4"), rng.normal(size=(6, 3)).astype("f4")
    _, pre, h = numpy_two_branch(model, xa, xb)
    w3 = model.get_layer("out").get_weights()[0]
    g_h = np.ones((6, 2)) @ w3.T
    expected = {"ha": xa.T @ (g_h[:, :3] * (pre > 0)), "hb": xb.T @ g_h[:, 3:], "out": h.T @ np.ones((6, 2))}
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(model([xa, xb]))
    names = ("ha", "hb", "out")
    grads = tape.gradient(loss, [model.get_layer(n).kernel for n in names])
    for name, g in zip(names, grads):
        assert np.abs(expected[name]).sum() > 0
        np.testing.assert_allclose(g.numpy(), expected[name], rtol=1e-4, atol=1e-5, err_msg=name)


def test_shared_layer_has_one_set_of_weights_and_sums_its_gradients():
    """y = Add([shared(a), shared(b)]) = (a + b) W + 2 bias: one W, gradient (a + b)ᵀ g."""
    a, b = gw.Input((3,), name="sa"), gw.Input((3,), name="sb")
    shared = Dense(2, name="shared")
    model = gw.Model([a, b], Add()([shared(a), shared(b)]))
    assert len(model.weights) == 2 and [l.name for l in model.layers].count("shared") == 1
    assert len(shared._inbound_nodes) == 2
    xa, xb = rng.normal(size=(4, 3)).astype("f4"), rng.normal(size=(4, 3)).astype("f4")
    w, bias = shared.get_weights()
    np.testing.assert_allclose(model([xa, xb]).numpy(), (xa + xb) @ w + 2 * bias, rtol=1e-5, atol=1e-6)
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(model([xa, xb]))
    gw_, gb = tape.gradient(loss, [shared.kernel, shared.bias])
    np.testing.assert_allclose(gw_.numpy(), (xa + xb).T @ np.ones((4, 2)), rtol=1e-5)
    np.testing.assert_allclose(gb.numpy(), [8.0, 8.0])


def test_layers_are_in_keras_order_and_get_layer():
    """The order Keras 3.15 gives for this graph (checked with the installed keras):
    ['a', 'dense', 'b', 'shared', 'dense_1', 'concatenate', 'out1', 'out2']."""
    a, b = gw.Input((4,), name="a"), gw.Input((3,), name="b")
    h1 = Dense(5, name="shared")(Dense(4, name="dense")(a))
    c = Concatenate(name="concatenate")([h1, Dense(2, name="dense_1")(b)])
    model = gw.Model([a, b], [Dense(2, name="out1")(c), Dense(1, name="out2")(c)])
    names = [l.name for l in model.layers]
    assert names == ["a", "dense", "b", "shared", "dense_1", "concatenate", "out1", "out2"]
    assert type(model.layers[0]).__name__ == "InputLayer"
    assert model.get_layer("shared") is model.layers[3] and model.get_layer(index=-1).name == "out2"
    assert model.output_names == ["out1", "out2"] and model.input_names == ["a", "b"]
    with pytest.raises(ValueError, match="No layer named 'nope'; layers are: a, dense"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="has 8 layers"):
        model.get_layer(index=8)
    with pytest.raises(ValueError, match="name or an index"):
        model.get_layer()


def test_symbolic_calls_infer_shapes_without_running_the_layer():
    class Counting(gw.layers.Layer):
        calls = 0

        def call(self, x):
            Counting.calls += 1
            return x * 2.0

        def compute_output_shape(self, input_shape):
            return input_shape

    x = gw.Input((28, 28, 1))
    h = gw.layers.Conv2D(4, 3)(Counting()(x))
    y = Dense(10)(gw.layers.Flatten()(h))
    assert h.shape == (None, 26, 26, 4) and y.shape == (None, 10) and Counting.calls == 0
    gw.Model(x, y).predict(np.zeros((2, 28, 28, 1), "f4"), verbose=0)
    assert Counting.calls == 1


def test_merge_layers_compute_what_they_say():
    a, b, c = (rng.normal(size=(3, 4)).astype("f4") for _ in range(3))
    np.testing.assert_allclose(Add()([a, b, c]).numpy(), a + b + c, rtol=1e-6)
    np.testing.assert_allclose(Subtract()([a, b]).numpy(), a - b, rtol=1e-6)
    np.testing.assert_allclose(Multiply()([a, b]).numpy(), a * b, rtol=1e-6)
    np.testing.assert_allclose(Average()([a, b, c]).numpy(), (a + b + c) / 3, rtol=1e-6)
    np.testing.assert_allclose(Maximum()([a, b]).numpy(), np.maximum(a, b))
    np.testing.assert_allclose(Minimum()([a, b]).numpy(), np.minimum(a, b))
    np.testing.assert_allclose(Concatenate(axis=-1)([a, b[:, :2]]).numpy(), np.concatenate([a, b[:, :2]], 1))
    s1, s2 = gw.Input((4, 2)), gw.Input((4, 3))
    assert gw.layers.concatenate([s1, s2]).shape == (None, 4, 5)
    assert gw.layers.concatenate([s1, s1], axis=1).shape == (None, 8, 2)
    assert gw.layers.add([gw.Input((1, 3)), gw.Input((4, 3))]).shape == (None, 4, 3)  # broadcast
    assert Concatenate.from_config(Concatenate(axis=1).get_config()).axis == 1


def test_merge_layer_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"must be called on a list of tensors, e.g. Add\(\)\(\[a, b\]\)"):
        Add()(gw.Input((3,)))
    with pytest.raises(ShapeError, match="incompatible shapes"):
        Add()([gw.Input((3,)), gw.Input((4,))])
    with pytest.raises(ValueError, match="exactly 2 inputs, got 3"):
        Subtract()([gw.Input((3,))] * 3)
    with pytest.raises(ShapeError, match="axis 1 differs"):
        Concatenate()([gw.Input((4, 2)), gw.Input((5, 2))])


def multi_output_model():
    x = gw.Input((6,), name="x")
    h = Dense(16, activation="tanh", name="h")(x)
    reg = Dense(1, name="reg")(h)
    cls = Dense(3, activation="softmax", name="cls")(h)
    return gw.Model(x, [reg, cls], name="two_heads")


def multi_output_data(n=256):
    x = rng.normal(size=(n, 6)).astype("f4")
    return x, [x[:, :1] - 2 * x[:, 1:2], np.argmax(x[:, 2:5], axis=1)]


def test_multi_output_fit_reduces_loss_and_logs_each_output():
    gw.random.seed(0)
    model = multi_output_model()
    x, ys = multi_output_data()
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss=["mse", "sparse_categorical_crossentropy"],
                  metrics=[[], ["accuracy"]], loss_weights=[1.0, 0.5])
    history = model.fit(x, ys, epochs=15, batch_size=32, verbose=0).history
    assert list(history) == ["loss", "reg_loss", "cls_loss", "cls_accuracy"]
    assert history["loss"][-1] < history["loss"][0] / 2
    assert history["cls_accuracy"][-1] > 0.8
    logs = model.evaluate(x, ys, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reg_loss"] + 0.5 * logs["cls_loss"], rel=1e-5)
    reg, cls = model.predict(x, verbose=0)
    assert logs["reg_loss"] == pytest.approx(float(np.mean((reg - ys[0]) ** 2)), rel=1e-4)
    as_list = model.evaluate(x, ys, verbose=0)  # Keras 3's order: loss, per-output losses, metrics
    assert as_list == pytest.approx([logs["loss"], logs["reg_loss"], logs["cls_loss"], logs["cls_accuracy"]])


def test_multi_output_class_weight_is_refused_with_the_fix_and_sample_weight_works():
    gw.random.seed(0)
    model = multi_output_model()
    x, ys = multi_output_data()
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"])
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="single output.*sample_weight"):
        model.fit(x, ys, class_weight={0: 1.0, 1: 3.0}, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # nothing trained
    # sample_weight of zero for every sample but one: the loss is that sample's loss
    weights = np.zeros(len(x), "float32")
    weights[3] = 1.0
    loss = model.evaluate(x, ys, sample_weight=weights, verbose=0, return_dict=True)
    one = model.evaluate(x[3:4], [y[3:4] for y in ys], verbose=0, return_dict=True)
    assert loss["loss"] * len(x) == pytest.approx(one["loss"], rel=1e-4)


def test_multi_output_with_dicts_and_one_loss_for_all():
    gw.random.seed(1)
    p, q = gw.Input((3,), name="p"), gw.Input((3,), name="q")
    d = gw.layers.subtract([Dense(4, name="enc_p")(p), Dense(4, name="enc_q")(q)])
    model = gw.Model({"p": p, "q": q}, {"sum": Dense(1, name="s")(d), "diff": Dense(1, name="t")(d)})
    assert model.output_names == ["sum", "diff"]
    xp, xq = rng.normal(size=(128, 3)).astype("f4"), rng.normal(size=(128, 3)).astype("f4")
    y = {"sum": (xp + xq).sum(1, keepdims=True), "diff": (xp - xq).sum(1, keepdims=True)}
    model.compile(gw.optimizers.Adam(0.02), loss="mse", metrics={"diff": ["mae"]})
    hist = model.fit({"p": xp, "q": xq}, y, epochs=20, batch_size=32, verbose=0, validation_split=0.25).history
    assert set(hist) == {"loss", "sum_loss", "diff_loss", "diff_mae", "val_loss", "val_sum_loss", "val_diff_loss",
                         "val_diff_mae"}
    assert hist["diff_loss"][-1] < hist["diff_loss"][0] / 5
    out = model.predict({"q": xq, "p": xp}, verbose=0)
    assert set(out) == {"sum", "diff"} and out["diff"].shape == (128, 1)
    np.testing.assert_allclose(model.predict_on_batch({"p": xp, "q": xq})["sum"], out["sum"], rtol=1e-5)


def test_a_model_is_a_layer_nested_models_train_and_share_weights():
    gw.random.seed(2)
    i = gw.Input((4,))
    encoder = gw.Model(i, Dense(3, activation="relu", name="code")(i), name="encoder")
    head = gw.Sequential([Dense(8, activation="relu"), Dense(1)], name="head")
    a, b = gw.Input((4,), name="left"), gw.Input((4,), name="right")
    merged = gw.layers.concatenate([encoder(a), encoder(b)], name="join")
    model = gw.Model([a, b], head(merged))
    assert [l.name for l in model.layers] == ["left", "right", "encoder", "join", "head"]
    assert len(model.weights) == 2 + 4 and head.built
    xa, xb = rng.normal(size=(64, 4)).astype("f4"), rng.normal(size=(64, 4)).astype("f4")
    enc = encoder.predict(xa, verbose=0), encoder.predict(xb, verbose=0)
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), head.predict(np.concatenate(enc, 1), verbose=0),
                               rtol=1e-5, atol=1e-6)
    before = encoder.get_weights()
    model.compile("adam", "mse")
    model.fit([xa, xb], (xa - xb).sum(1, keepdims=True), epochs=2, verbose=0)
    assert not np.array_equal(before[0], encoder.get_weights()[0])  # the nested model's own weights trained


def test_building_on_a_trained_sequential():
    gw.random.seed(3)
    old = gw.Sequential([gw.Input((5,)), Dense(8, activation="relu"), Dense(6, activation="relu"),
                         Dense(3, activation="softmax")])
    x = rng.normal(size=(40, 5)).astype("f4")
    base = gw.Model(old.inputs, old.layers[-2].output)
    w1, b1, w2, b2 = [w for l in old.layers[:2] for w in l.get_weights()]
    np.testing.assert_allclose(base.predict(x, verbose=0), relu(relu(x @ w1 + b1) @ w2 + b2), rtol=1e-5, atol=1e-6)
    assert [type(l).__name__ for l in base.layers] == ["InputLayer", "Dense", "Dense"]
    new = gw.Sequential(old.layers[:-1] + [Dense(5, activation="softmax")])
    assert new(x).shape == (40, 5) and new.layers[0] is old.layers[0]
    stacked = gw.Sequential([base, Dense(2)])
    assert stacked.built and stacked.output.shape == (None, 2)


def test_fused_softmax_head_gives_the_same_step_as_sequential():
    gw.random.seed(4)
    x, y = rng.normal(size=(16, 4)).astype("f4"), rng.integers(0, 3, 16)
    seq = gw.Sequential([gw.Input((4,)), Dense(5, activation="relu"), Dense(3, activation="softmax")])
    i = gw.Input((4,))
    fun = gw.Model(i, Dense(3, activation="softmax")(Dense(5, activation="relu")(i)))
    fun.set_weights(seq.get_weights())
    for m in (seq, fun):
        m.compile(gw.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
        m.train_on_batch(x, y)
    assert fun._logits_head() is not None
    for a, b in zip(seq.get_weights(), fun.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_summary_has_connected_to_column():
    model = two_branch_model()
    buf = io.StringIO()
    model.summary(print_fn=buf.write)
    text = buf.getvalue()
    assert "Connected to" in text and "ha[0][0]" in text and "hb[0][0]" in text and "a (InputLayer)" in text
    assert "(None, 5)" in text and "Total params: 35" in text  # 15 + 8 + 12


def test_save_load_round_trip_multi_input_shared_and_merge(tmp_path):
    gw.random.seed(5)
    a, b = gw.Input((4,), name="a"), gw.Input((4,), name="b")
    shared = Dense(6, activation="relu", name="shared")
    inner = gw.Sequential([Dense(5, activation="tanh"), BatchNormalization()], name="inner")
    merged = Concatenate()([Add()([shared(a), shared(b)]), inner(b)])
    out = Dense(3, activation="softmax", name="out")(Dropout(0.1)(merged))
    model = gw.Model([a, b], out, name="siamese")
    x = [rng.normal(size=(64, 4)).astype("f4"), rng.normal(size=(64, 4)).astype("f4")]
    y = rng.integers(0, 3, 64)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "siamese.gw"
    model.save(path)
    loaded = gw.models.load_model(path)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert len(loaded.get_layer("shared")._inbound_nodes) == 2 and len(loaded.weights) == len(model.weights)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    loaded.fit(x, y, epochs=1, verbose=0)  # optimizer state restored: training continues


def test_save_load_multi_output_compile_settings(tmp_path):
    gw.random.seed(6)
    model = multi_output_model()
    x, ys = multi_output_data(64)
    model.compile("adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  metrics={"cls": ["accuracy"]}, loss_weights={"reg": 2.0, "cls": 1.0})
    model.fit(x, ys, epochs=1, verbose=0)
    model.save(tmp_path / "heads.gw")
    loaded = gw.models.load_model(tmp_path / "heads.gw")
    assert loaded.evaluate(x, ys, verbose=0, return_dict=True) == \
        pytest.approx(model.evaluate(x, ys, verbose=0, return_dict=True))
    for p, q in zip(loaded.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(p, q)


# --- errors: named problem, named fix ------------------------------------------------------------
def test_output_not_connected_to_the_inputs():
    a, other = gw.Input((3,), name="given"), gw.Input((3,), name="forgotten")
    with pytest.raises(ValueError, match="needs Input 'forgotten'.*not among the model's inputs. Add it to inputs"):
        gw.Model(a, Dense(2)(other))


def test_input_not_used_by_any_output():
    a, b = gw.Input((3,), name="used"), gw.Input((3,), name="unused")
    with pytest.raises(ValueError, match="Input 'unused'.*not connected to any output. Remove it from inputs"):
        gw.Model([a, b], Dense(2)(a))


def test_wrong_number_of_input_arrays():
    model = two_branch_model()
    x = np.zeros((2, 4), "f4")
    with pytest.raises(ValueError, match=r"expects 2 input array\(s\) \(a, b\), got a list of 1. Pass one array"):
        model.predict([x], verbose=0)
    with pytest.raises(ValueError, match="expects 2 inputs \\(a, b\\), got a single array"):
        model.predict(x, verbose=0)
    with pytest.raises(ValueError, match="without 'b'; it needs the keys a, b"):
        model.predict({"a": x}, verbose=0)
    with pytest.raises(ShapeError, match=r"Input 'b' of model 'two_branch' expects shape \(None, 3\)"):
        model.predict([x, x], verbose=0)


def test_other_construction_errors():
    a = gw.Input((3,))
    with pytest.raises(TypeError, match="symbolic tensors made from gw.Input"):
        gw.Model(a, np.zeros(3))
    with pytest.raises(ValueError, match="straight from gw.Input"):
        h = Dense(4)(a)
        gw.Model(h, Dense(2)(h))
    with pytest.raises(ValueError, match="unique within a model; repeated: twin"):
        gw.Model(a, Dense(2, name="twin")(Dense(3, name="twin")(a)))
    with pytest.raises(ShapeError, match="expected last axis 3"):
        d = Dense(2)
        d(gw.Input((3,)))
        d(gw.Input((5,)))


def test_multi_output_targets_and_metrics_must_match_the_outputs():
    model = multi_output_model()
    x, ys = multi_output_data(8)
    with pytest.raises(ValueError, match="must be a list of 2 entries, one per output"):
        model.compile("adam", loss="mse", metrics=["mae"])
    model.compile("adam", loss=["mse", "sparse_categorical_crossentropy"])
    with pytest.raises(ValueError, match="has 2 outputs \\(reg, cls\\): give y as a list of 2 arrays"):
        model.fit(x, ys[0], verbose=0)
    with pytest.raises(ValueError, match="different numbers of samples.*y for output 'cls' has 7"):
        model.fit(x, [ys[0], ys[1][:7]], verbose=0)
    with pytest.raises(ValueError, match=r"Label 3 is outside \[0, 3\)"):
        model.fit(x, [ys[0], np.full(8, 3)], verbose=0)


def test_subclass_may_call_super_init_with_inputs_and_outputs():
    # Keras's "functional subclassing": the subclass builds a graph, then hands it to Model
    class Affine(gw.Model):
        def __init__(self, units):
            inputs = gw.Input(shape=(3,))
            outputs = gw.layers.Dense(units, name="proj")(inputs)
            super().__init__(inputs=inputs, outputs=outputs, name="affine")
            self.units = units

        def describe(self):
            return f"{self.name}: 3 -> {self.units}"

    model = Affine(2)
    assert isinstance(model, Affine) and type(model).__name__ == "Affine"
    assert model.describe() == "affine: 3 -> 2"
    assert [layer.name for layer in model.layers][-1] == "proj"
    kernel, bias = model.get_layer("proj").get_weights()
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ kernel + bias, rtol=1e-6)
    assert type(Affine(4)) is type(model)  # one mixed class per subclass
