"""BatchNormalization: the formulas in training and inference, moving averages, the fused
op's gradients against finite differences (and PyTorch when installed), any axis, frozen rule."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import ShapeError
from gradwise.layers.normalization import BatchNormalization, batch_norm_train

rng = np.random.default_rng(42)


def hand_train(x, gamma, beta, axis, eps):
    axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    shape = [1] * x.ndim
    shape[axis] = -1
    mean, var = x.mean(axis=axes), x.var(axis=axes)  # biased variance
    y = gamma.reshape(shape) * (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) + beta.reshape(shape)
    return y, mean, var


def hand_infer(x, gamma, beta, mm, mv, axis, eps):
    shape = [1] * x.ndim
    shape[axis] = -1
    return gamma.reshape(shape) * (x - mm.reshape(shape)) / np.sqrt(mv.reshape(shape) + eps) + beta.reshape(shape)


def set_random_weights(layer, n):
    gamma, beta = rng.uniform(0.5, 2, n), rng.normal(size=n)
    mm, mv = rng.normal(size=n), rng.uniform(0.5, 3, n)
    layer.set_weights([gamma, beta, mm, mv])
    return [w.astype(np.float32) for w in (gamma, beta, mm, mv)]


@pytest.mark.parametrize("shape,axis", [((16, 5), -1), ((4, 6, 6, 3), -1), ((4, 3, 5, 5), 1), ((8, 5), 0)])
def test_training_uses_batch_statistics_and_updates_moving_ones(shape, axis):
    x = rng.normal(2.0, 3.0, size=shape).astype(np.float32)
    layer = BatchNormalization(axis=axis, momentum=0.9, epsilon=1e-3)
    layer(x[:1] if axis != 0 else x)  # build
    gamma, beta, mm, mv = set_random_weights(layer, shape[axis])
    out = layer(x, training=True).numpy()
    want, mean, var = hand_train(x.astype(np.float64), gamma, beta, axis, 1e-3)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    _, _, new_mm, new_mv = layer.get_weights()
    np.testing.assert_allclose(new_mm, 0.9 * mm + 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_mv, 0.9 * mv + 0.1 * var, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("training", [False, None])
@pytest.mark.parametrize("shape,axis", [((7, 4), -1), ((2, 4, 3, 3), 1)])
def test_inference_uses_moving_statistics(shape, axis, training):
    x = rng.normal(size=shape).astype(np.float32)
    layer = BatchNormalization(axis=axis, epsilon=0.01)
    layer(x)
    gamma, beta, mm, mv = set_random_weights(layer, shape[axis])
    out = layer(x, training=training).numpy()
    np.testing.assert_allclose(out, hand_infer(x, gamma, beta, mm, mv, axis, 0.01), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[2], mm)  # untouched


def test_moving_statistics_follow_the_recurrence_over_several_steps():
    layer = BatchNormalization()  # momentum 0.99, moving mean 0, moving variance 1
    mm, mv = np.zeros(3), np.ones(3)
    for step in range(5):
        x = rng.normal(step, 1 + step, size=(32, 3)).astype(np.float32)
        layer(x, training=True)
        mm = 0.99 * mm + 0.01 * x.mean(axis=0, dtype=np.float64)
        mv = 0.99 * mv + 0.01 * x.var(axis=0, dtype=np.float64)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mm, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), mv, rtol=1e-5)


@pytest.mark.parametrize("shape,axis", [((6, 4), -1), ((3, 4, 2, 2), 1), ((2, 3, 3, 2), -1), ((5, 3), 0)])
def test_fused_op_gradients_match_finite_differences(shape, axis):
    n = shape[axis]
    x, gamma, beta = rng.normal(size=shape), rng.uniform(0.5, 2, n), rng.normal(size=n)
    assert gw.check_gradients(lambda x, g, b: batch_norm_train(x, g, b, axis=axis, epsilon=1e-3),
                              [x, gamma, beta], rtol=1e-5, atol=1e-7)


def test_fused_op_matches_pytorch_batch_norm():
    torch = pytest.importorskip("torch")
    x, gamma, beta = rng.normal(size=(4, 3, 5, 5)), rng.uniform(0.5, 2, 3), rng.normal(size=3)
    w = rng.normal(size=x.shape)
    tx, tg, tb = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    tout = torch.nn.functional.batch_norm(tx, None, None, tg, tb, training=True, eps=1e-3)
    (tout * torch.from_numpy(w)).sum().backward()
    gx, gg, gb = (gw.Variable(a, dtype="float64") for a in (x, gamma, beta))
    with gw.GradientTape() as tape:
        out = batch_norm_train(gx, gg, gb, axis=1, epsilon=1e-3)
        loss = gw.reduce_sum(out * w)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    for got, t in zip(tape.gradient(loss, [gx, gg, gb]), (tx, tg, tb)):
        np.testing.assert_allclose(got.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_layer_gradients_reach_gamma_and_beta_only():
    layer = BatchNormalization()
    x = gw.Variable(rng.normal(size=(10, 3)).astype(np.float32))
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(layer(x, training=True) * np.arange(3.0))
    grads = tape.gradient(loss, layer.trainable_weights + [x])
    xhat = hand_train(x.numpy().astype(np.float64), np.ones(3), np.zeros(3), -1, 1e-3)[0]
    np.testing.assert_allclose(grads[0].numpy(), np.arange(3.0) * xhat.sum(0), atol=1e-4)  # dγ = Σ g x̂
    np.testing.assert_allclose(grads[1].numpy(), np.arange(3.0) * 10, rtol=1e-6)  # dβ = Σ g
    np.testing.assert_allclose(grads[2].numpy(), 0, atol=1e-4)  # g constant per feature: dx = 0


def test_weights_in_keras_order_and_trainability():
    layer = BatchNormalization(name="bn")
    layer(np.zeros((2, 4), np.float32))
    assert [w.name for w in layer.weights] == ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["bn/gamma", "bn/beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["bn/moving_mean", "bn/moving_variance"]
    np.testing.assert_array_equal(np.stack(layer.get_weights()), [[1] * 4, [0] * 4, [0] * 4, [1] * 4])
    bare = BatchNormalization(center=False, scale=False)
    x = rng.normal(size=(6, 2)).astype(np.float32)
    np.testing.assert_allclose(bare(x, training=True).numpy(), hand_train(x, np.ones(2), np.zeros(2), -1, 1e-3)[0],
                               rtol=1e-5, atol=1e-6)
    assert len(bare.weights) == 2 and not bare.trainable_weights


def test_frozen_layer_runs_in_inference_mode_even_in_training():
    x = rng.normal(3, 2, size=(16, 3)).astype(np.float32)
    layer = BatchNormalization()
    layer(x)
    gamma, beta, mm, mv = set_random_weights(layer, 3)
    layer.trainable = False
    out = layer(x, training=True).numpy()
    np.testing.assert_allclose(out, hand_infer(x, gamma, beta, mm, mv, -1, 1e-3), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mm)
    np.testing.assert_allclose(layer.moving_variance.numpy(), mv)
    assert layer.trainable_weights == []
    layer.trainable = True
    layer(x, training=True)
    assert not np.allclose(layer.moving_mean.numpy(), mm)


def test_bad_inputs_and_arguments_are_named():
    layer = BatchNormalization(axis=1, name="bn1")
    layer(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ShapeError, match=r"'bn1'.*3 features on axis 1.*\(2, 5, 4\)"):
        layer(np.zeros((2, 5, 4), np.float32))
    with pytest.raises(ShapeError, match="axis 3 is out of range"):
        BatchNormalization(axis=3)(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="momentum"):
        BatchNormalization(momentum=1.5)
    with pytest.raises(ShapeError, match=r"gamma and beta must have shape \(3,\)"):
        batch_norm_train(np.zeros((2, 3)), np.ones(4), np.zeros(4))


def test_config_round_trip():
    layer = BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False, gamma_initializer="zeros")
    clone = BatchNormalization.from_config(layer.get_config())
    assert (clone.axis, clone.momentum, clone.epsilon, clone.center, clone.scale) == (1, 0.9, 1e-5, False, True)
    clone(np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(clone.gamma.numpy(), 0)


# --- LayerNormalization, UnitNormalization ----------------------------------------------------
import os  # noqa: E402

from gradwise.layers.normalization import LayerNormalization, UnitNormalization, layer_normalization  # noqa: E402


def hand_layer_norm(x, gamma, beta, axes, eps):
    """(x - mean) / sqrt(var + eps) * gamma + beta per sample, in float64; gamma/beta over `axes`."""
    x = x.astype(np.float64)
    axes = tuple(sorted(a % x.ndim for a in axes))
    shape = [n if i in axes else 1 for i, n in enumerate(x.shape)]
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("shape,axis", [((5, 4), -1), ((3, 4, 6), -1), ((2, 3, 4, 5), [1, 2, 3]),
                                        ((2, 3, 4, 5), [-1, 1]), ((4, 6), 0)])
def test_layer_norm_matches_the_formula_per_sample(shape, axis):
    x = rng.normal(3.0, 2.0, size=shape).astype(np.float32)
    layer = LayerNormalization(axis=axis)
    layer(x)
    axes = [axis] if isinstance(axis, int) else axis
    param_shape = tuple(shape[a] for a in sorted(a % len(shape) for a in axes))
    assert [w.shape for w in layer.weights] == [param_shape, param_shape]
    gamma, beta = rng.uniform(0.5, 2, param_shape), rng.normal(size=param_shape)
    layer.set_weights([gamma, beta])
    want = hand_layer_norm(x, gamma, beta, axes, 1e-3)
    for training in (True, False, None):  # no batch statistics: the same in training and inference
        np.testing.assert_allclose(layer(x, training=training).numpy(), want, rtol=1e-5, atol=1e-5)


def test_layer_norm_keras_defaults_epsilon_1e_3_weights_gamma_then_beta():
    layer = LayerNormalization(name="ln")
    out = layer(np.array([[0.0, 2.0], [10.0, 10.0]], np.float32)).numpy()
    assert layer.epsilon == 1e-3
    assert [w.name for w in layer.weights] == ["ln/gamma", "ln/beta"] == [w.name for w in layer.trainable_weights]
    np.testing.assert_array_equal(np.stack(layer.get_weights()), [[1, 1], [0, 0]])
    # mean 1, variance 1: ±1 / sqrt(1 + 1e-3) = ±0.9995004 (1e-5 would give ±0.999995)
    np.testing.assert_allclose(out[0], [-1 / np.sqrt(1.001), 1 / np.sqrt(1.001)], rtol=1e-6)
    np.testing.assert_array_equal(out[1], 0)  # a constant sample: 0 / sqrt(0 + eps)


def test_layer_norm_worked_example():
    x = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]], np.float32)
    layer = LayerNormalization()
    layer(x)
    layer.set_weights([np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3])])
    # the same numbers Keras 3 gives (checked once with keras.layers.LayerNormalization)
    np.testing.assert_allclose(layer(x).numpy(), [[-1.7357411, -0.2, 2.7476549], [-0.37728003, -0.7170534, 3.0045867]],
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape,axis", [((3, 4), -1), ((2, 3, 4), [1, 2]), ((2, 3, 2), 1), ((3, 4), 0)])
def test_layer_norm_gradients_match_finite_differences(shape, axis):
    axes = sorted(a % len(shape) for a in ([axis] if isinstance(axis, int) else axis))
    param_shape = tuple(shape[a] for a in axes)
    x, gamma, beta = rng.normal(size=shape), rng.uniform(0.5, 2, param_shape), rng.normal(size=param_shape)
    assert gw.check_gradients(lambda x, g, b: layer_normalization(x, g, b, axis=axis, epsilon=1e-3),
                              [x, gamma, beta], rtol=1e-5, atol=1e-7)


def test_layer_gradients_follow_the_closed_form():
    # per sample over the features: dβ = Σ_batch g, dγ = Σ_batch g x̂,
    # dx = (γg - mean(γg) - x̂ mean(γg x̂)) / σ   (σ = sqrt(var + eps))
    x = rng.normal(1.0, 2.0, size=(6, 5))
    gamma, beta, g = rng.uniform(0.5, 2, 5), rng.normal(size=5), rng.normal(size=(6, 5))
    layer = LayerNormalization(dtype="float64")
    layer(gw.constant(x, dtype="float64"))
    layer.set_weights([gamma, beta])
    xv = gw.Variable(x, dtype="float64")
    with gw.GradientTape() as tape:
        loss = gw.reduce_sum(layer(xv) * g)
    dx, dgamma, dbeta = (t.numpy() for t in tape.gradient(loss, [xv, layer.gamma, layer.beta]))
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + 1e-3)
    xhat = (x - x.mean(axis=1, keepdims=True)) / sigma
    gg = gamma * g
    want_dx = (gg - gg.mean(axis=1, keepdims=True) - xhat * (gg * xhat).mean(axis=1, keepdims=True)) / sigma
    np.testing.assert_allclose(dbeta, g.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(dgamma, (g * xhat).sum(axis=0), rtol=1e-10)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-9, atol=1e-12)


def test_layer_norm_without_center_or_scale_has_no_such_weight():
    x = rng.normal(size=(4, 3)).astype(np.float32)
    only_gamma = LayerNormalization(center=False, name="g_only")
    only_gamma(x)
    assert [w.name for w in only_gamma.weights] == ["g_only/gamma"]
    bare = LayerNormalization(center=False, scale=False)
    np.testing.assert_allclose(bare(x).numpy(), hand_layer_norm(x, np.ones(3), np.zeros(3), [-1], 1e-3),
                               rtol=1e-5, atol=1e-6)
    assert bare.weights == []


def test_layer_norm_errors_name_the_layer_and_the_value():
    layer = LayerNormalization(name="ln1")
    layer(np.zeros((2, 4), np.float32))
    with pytest.raises(ShapeError, match=r"'ln1' expected inputs of rank 2 with sizes \(4,\) on axes \[1\].*\(2, 5\)"):
        layer(np.zeros((2, 5), np.float32))
    with pytest.raises(ShapeError, match=r"axis 2 is out of range for inputs of shape \(2, 3\)"):
        LayerNormalization(axis=2)(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match="axis must be an int or a non-empty list"):
        LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="epsilon must be a positive number, got 0"):
        LayerNormalization(epsilon=0)
    with pytest.raises(ValueError, match="rms_scaling=True is not supported"):
        LayerNormalization(rms_scaling=True)
    with pytest.raises(ShapeError, match=r"gamma must have shape \(3,\)"):
        layer_normalization(np.zeros((2, 3)), np.ones(4))


def test_layer_norm_config_round_trip():
    layer = LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False, gamma_initializer="zeros",
                               gamma_regularizer="l2", name="ln_cfg")
    config = layer.get_config()
    assert {"axis", "epsilon", "center", "scale", "rms_scaling", "beta_initializer", "gamma_initializer",
            "beta_regularizer", "gamma_regularizer"} <= set(config)
    clone = LayerNormalization.from_config(config)
    assert (clone.axis, clone.epsilon, clone.center, clone.scale, clone.name) == ([1, 2], 1e-5, False, True, "ln_cfg")
    clone(np.ones((2, 3, 4), np.float32))
    assert clone.gamma.shape == (3, 4) and clone.beta is None and len(clone.losses) == 1
    np.testing.assert_array_equal(clone.gamma.numpy(), 0)


def test_unit_normalization_gives_unit_norms_over_the_axes():
    x = rng.normal(size=(4, 3, 5)).astype(np.float32)
    out = UnitNormalization()(x).numpy()
    np.testing.assert_allclose(out, x / np.sqrt((x.astype(np.float64) ** 2).sum(-1, keepdims=True)), rtol=1e-6)
    out = UnitNormalization(axis=[1, 2])(x).numpy()
    np.testing.assert_allclose(np.sqrt((out.astype(np.float64) ** 2).sum(axis=(1, 2))), 1, rtol=1e-6)
    np.testing.assert_allclose(UnitNormalization()(np.array([[3.0, 4.0]], np.float32)).numpy(), [[0.6, 0.8]])


def test_unit_normalization_keeps_a_zero_sample_at_zero_with_a_finite_gradient():
    x = gw.Variable(np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]]), dtype="float64")
    layer = UnitNormalization(dtype="float64")
    with gw.GradientTape() as tape:
        out = layer(x)
        loss = gw.reduce_sum(out * np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(out.numpy()[0], 0)
    grad = tape.gradient(loss, x).numpy()
    # x / 1e-12 near 0: the gradient is w / 1e-12, finite; for the norm-3 row (I - u uᵀ) w / 3
    np.testing.assert_allclose(grad[0], np.array([1.0, 2.0, 3.0]) / 1e-12, rtol=1e-9)
    u, w = np.array([1.0, 2.0, 2.0]) / 3, np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(grad[1], (w - u * (u @ w)) / 3, rtol=1e-10)


@pytest.mark.parametrize("axis", [-1, [0, 1], 0])
def test_unit_normalization_gradients_match_finite_differences(axis):
    layer = UnitNormalization(axis=axis, dtype="float64")
    assert gw.check_gradients(lambda x: layer(x), [rng.normal(size=(3, 4))], rtol=1e-5, atol=1e-7)


def test_unit_normalization_config_and_errors():
    layer = UnitNormalization(axis=[1, 2], name="unit")
    clone = UnitNormalization.from_config(layer.get_config())
    assert (clone.axis, clone.name) == ([1, 2], "unit")
    assert layer.weights == [] and clone.compute_output_shape((None, 3, 4)) == (None, 3, 4)
    with pytest.raises(ShapeError, match="axis 2 is out of range"):
        UnitNormalization(axis=2)(np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match="UnitNormalization: axis must be"):
        UnitNormalization(axis=1.5)


def test_model_with_layer_and_unit_normalization_saves_and_loads(tmp_path):
    gw.random.seed(4)
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    model = gw.Sequential([gw.Input((6,)), gw.layers.Dense(8), LayerNormalization(), gw.layers.Dense(8),
                           UnitNormalization(), gw.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    gamma = model.layers[1].gamma.numpy()
    assert not np.allclose(gamma, 1)  # trained
    path = tmp_path / "m.gw"
    model.save(path)
    clone = gw.models.load_model(path, custom_objects={"LayerNormalization": LayerNormalization,
                                                       "UnitNormalization": UnitNormalization})
    assert [type(layer).__name__ for layer in clone.layers] == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_array_equal(clone.layers[1].gamma.numpy(), gamma)
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.skipif(not os.environ.get("GRADWISE_KERAS_ORACLE"), reason="opt-in: GRADWISE_KERAS_ORACLE=1")
@pytest.mark.parametrize("shape,axis", [((4, 5), -1), ((2, 3, 4, 5), [1, 2, 3]), ((3, 4, 6), 1)])
def test_layer_and_unit_normalization_match_keras(shape, axis):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    x = rng.normal(1.0, 3.0, size=shape).astype(np.float32)
    theirs = keras.layers.LayerNormalization(axis=axis)
    theirs.build(shape)
    assert theirs.epsilon == 1e-3 and [w.name for w in theirs.weights] == ["gamma", "beta"]
    ours = LayerNormalization(axis=axis)
    ours(x)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    weights = [rng.uniform(0.5, 2, w.shape).astype(np.float32) for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
    keras_unit = keras.layers.UnitNormalization(axis=axis)
    np.testing.assert_allclose(UnitNormalization(axis=axis)(x).numpy(), np.asarray(keras_unit(x)), rtol=1e-5,
                               atol=1e-7)
