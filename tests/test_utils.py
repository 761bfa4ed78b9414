import numpy as np
import pytest

import gradwise as gw


def test_to_categorical_matches_keras_layout():
    np.testing.assert_array_equal(gw.utils.to_categorical([1, 0, 2]), [[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    out = gw.utils.to_categorical(np.array([[3], [1]]), num_classes=5)
    assert out.shape == (2, 5) and out.dtype == np.float32 and out[0, 3] == 1
    assert gw.utils.to_categorical(np.array([[1, 2], [0, 1]])).shape == (2, 2, 3)


def test_to_categorical_errors():
    with pytest.raises(ValueError, match="num_classes=3"):
        gw.utils.to_categorical([0, 5], num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        gw.utils.to_categorical([-1, 0])


def test_normalize_divides_by_the_norm_and_keeps_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(gw.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0], [2 ** -0.5, -(2 ** -0.5)]])
    np.testing.assert_allclose(gw.utils.normalize(x, axis=0, order=1), x / np.array([4.0, 5.0]))
