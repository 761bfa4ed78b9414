import numpy as np
import pytest

import gradwise as gw
from gradwise.autodiff import Function, check_gradients
from gradwise.errors import GradientCheckError


class WrongSquare(Function):
    """x² with a deliberately wrong derivative (3x instead of 2x)."""

    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, g):
        return (3 * self.a * g,)


def test_a_wrong_gradient_is_reported_with_input_index_and_values():
    with pytest.raises(GradientCheckError, match=r"input 0 at index \(0,\): analytic .*numeric"):
        check_gradients(lambda x: WrongSquare.apply(x), [np.array([1.5, -2.0])])


def test_a_users_own_op_passes():
    class Cube(Function):
        def forward(self, a):
            self.a = a
            return a**3

        def backward(self, g):
            return (3 * self.a**2 * g,)

    assert check_gradients(lambda x: Cube.apply(x), [np.array([1.0, 2.0]), ]) is True


def test_float32_input_is_upcast_with_a_warning():
    with pytest.warns(UserWarning, match="upcast"):
        check_gradients(gw.tanh, [np.array([0.5], dtype=np.float32)])
