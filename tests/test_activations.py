import numpy as np
import pytest

import gradwise as gw
from gradwise.errors import UnknownNameError


def test_get_resolves_names_and_callables():
    assert gw.activations.get("relu") is gw.relu
    assert gw.activations.get("Sigmoid") is gw.sigmoid
    assert gw.activations.get(None) is gw.linear
    f = lambda x: x  # noqa: E731
    assert gw.activations.get(f) is f
    assert gw.activations.serialize(gw.tanh) == "tanh"


def test_unknown_activation_lists_known_ones():
    with pytest.raises(UnknownNameError, match="Unknown activation 'relux'.*relu.*sigmoid"):
        gw.activations.get("relux")


def test_values_against_definitions():
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    np.testing.assert_allclose(gw.hard_sigmoid(x).numpy(), np.clip(x / 6 + 0.5, 0, 1), rtol=1e-6)
    np.testing.assert_allclose(gw.leaky_relu(x).numpy(), np.where(x > 0, x, 0.2 * x), rtol=1e-6)
    # Keras's documented gelu values for these inputs (exact and approximate)
    np.testing.assert_allclose(gw.gelu(x).numpy(), [-0.00404951, -0.15865529, 0.0, 0.8413447, 2.9959507], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw.gelu(x, approximate=True).numpy(),
                               [-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw.selu(x).numpy(),
                               np.where(x > 0, 1.0507009873554805 * x, 1.0507009873554805 * 1.6732632423543772 * np.expm1(x)), rtol=1e-6)
    np.testing.assert_allclose(gw.isru(x, alpha=0.5).numpy(), x / np.sqrt(1 + 0.5 * x * x), rtol=1e-6)
    np.testing.assert_array_equal(gw.binary_step(x).numpy(), [0, 0, 1, 1, 1])
    np.testing.assert_allclose(gw.relu(x, max_value=2.0).numpy(), [0, 0, 0, 1, 2])
