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
