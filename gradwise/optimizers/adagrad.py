"""Adagrad (Duchi, Hazan & Singer, 2011), as Keras 3's Adagrad."""

import numpy as np

from .base import Optimizer, check_number


def adagrad_update(param, grad, accumulator, lr, epsilon, tmp=None):
    """One Adagrad step on arrays, in place (param and accumulator are overwritten).

        acc <- acc + g^2
        w   <- w - lr * g / sqrt(acc + eps)

    `tmp` is a scratch array shaped like param (allocated if None).
    """
    if tmp is None:
        tmp = np.empty_like(param)
    np.square(grad, out=tmp)
    accumulator += tmp
    np.add(accumulator, epsilon, out=tmp)
    np.sqrt(tmp, out=tmp)
    np.divide(grad, tmp, out=tmp)
    tmp *= lr
    param -= tmp


class Adagrad(Optimizer):
    """Adagrad: per-parameter learning rates shrinking with the sum of squared gradients
    (Keras 3's `Adagrad`).

    With gradient g and the accumulator slot (starting at initial_accumulator_value):

        acc <- acc + g^2
        w   <- w - lr * g / sqrt(acc + eps)

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.001.
        initial_accumulator_value: float >= 0, the accumulator's start value. Default 0.1.
        epsilon: float >= 0 (inside the square root). Default 1e-7.
        **kwargs: the arguments shared by all optimizers (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0])
        >>> opt = gw.optimizers.Adagrad(learning_rate=0.1)
        >>> opt.apply_gradients([(gw.constant([0.3]), w)])   # w - 0.1 * 0.3 / sqrt(0.19)
        1
        >>> w.numpy()
        array([0.9311753], dtype=float32)
    """

    update_rule = staticmethod(adagrad_update)
    _slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.epsilon = check_number("Adagrad", "epsilon", epsilon, low=0.0)

    @property
    def _slot_initial_value(self):
        return self.initial_accumulator_value

    def _update_variable(self, param, grad, slots, lr, tmp):
        self.update_rule(param, grad, slots["accumulator"], lr, self.epsilon, tmp[0])

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
