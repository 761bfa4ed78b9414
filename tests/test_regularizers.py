"""Weight penalties: Keras's math, and the penalty is part of the loss fit/evaluate report."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Conv2D, Dense


def test_penalties_follow_keras_formulas():
    w = gw.constant(np.array([2.0, -1.0]))
    assert float(gw.regularizers.L2(0.5)(w)) == pytest.approx(2.5)          # 0.5 * (4 + 1)
    assert float(gw.regularizers.L1(0.1)(w)) == pytest.approx(0.3)          # 0.1 * (2 + 1)
    assert float(gw.regularizers.L1L2(l1=0.1, l2=0.5)(w)) == pytest.approx(2.8)
    assert float(gw.regularizers.get("l2")(w)) == pytest.approx(0.05)       # Keras default 0.01


def zero_data_model(regularizer_kwargs, layer=None):
    """A model whose data loss is exactly 0 (zero inputs, zero targets), so only penalties show."""
    layer = layer or Dense(1, use_bias=False, **regularizer_kwargs)
    model = gw.Sequential([gw.Input(shape=(2,)), layer])
    model.compile(optimizer="sgd", loss="mse")
    return model, layer


def test_l2_on_weights_2_and_1_adds_2_5_to_the_reported_loss():
    model, layer = zero_data_model({"kernel_regularizer": gw.regularizers.L2(0.5)})
    layer.set_weights([np.array([[2.0], [1.0]], dtype="float32")])
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(2.5)
    assert sum(float(p) for p in model.losses) == pytest.approx(2.5)
    history = model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(2.5)  # the loss before the step


def test_penalty_gradient_shrinks_the_weights():
    model, layer = zero_data_model({"kernel_regularizer": gw.regularizers.L2(0.5)})
    layer.set_weights([np.array([[2.0], [1.0]], dtype="float32")])
    model.optimizer.learning_rate = 0.1
    model.fit(np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32"), epochs=1, batch_size=4, verbose=0)
    # d/dw 0.5 w² = w, so one SGD step of 0.1 gives 0.9 w
    np.testing.assert_allclose(layer.get_weights()[0].ravel(), [1.8, 0.9], rtol=1e-6)


def test_activity_and_conv_regularizers():
    layer = Dense(2, kernel_initializer="ones", bias_initializer="zeros", activity_regularizer=gw.regularizers.L1(0.1))
    model = gw.Sequential([gw.Input(shape=(3,)), layer])
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[1.0, 2.0, -4.0]], "float32")  # outputs [-1, -1]
    y = layer(x).numpy()
    # 0.1 * (1 + 1) for the one sample
    assert model.evaluate(x, y, verbose=0) == pytest.approx(0.2)
    x2 = np.array([[1.0, 2.0, -4.0], [1.0, 1.0, 1.0]], "float32")  # outputs [-1, -1], [3, 3]
    # Keras 3 reports the batch's penalty divided by the batch size: 0.1 * (2 + 6) / 2
    assert model.evaluate(x2, layer(x2).numpy(), verbose=0, batch_size=2) == pytest.approx(0.4)

    conv = Conv2D(1, 1, use_bias=False, kernel_regularizer=gw.regularizers.L2(1.0))
    model = gw.Sequential([gw.Input(shape=(2, 2, 1)), conv])
    model.compile(optimizer="sgd", loss="mse")
    conv.set_weights([np.full((1, 1, 1, 1), 3.0, "float32")])
    assert model.evaluate(np.zeros((1, 2, 2, 1), "float32"), np.zeros((1, 2, 2, 1), "float32"),
                          verbose=0) == pytest.approx(9.0)
