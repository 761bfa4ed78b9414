"""Adadelta (Zeiler, 2012), as Keras 3's Adadelta (which keeps a learning rate)."""

import numpy as np

from .base import Optimizer, check_number


def adadelta_update(param, grad, accumulated_grad, accumulated_delta, lr, rho, epsilon,
                    tmp=None, tmp2=None):
    """One Adadelta step on arrays, in place (param and both slots are overwritten).

        E[g^2]  <- rho * E[g^2] + (1 - rho) * g^2
        delta    = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
        E[dx^2] <- rho * E[dx^2] + (1 - rho) * delta^2
        w       <- w + lr * delta

    `tmp`, `tmp2` are scratch arrays shaped like param (allocated if None).
    """
    if tmp is None:
        tmp = np.empty_like(param)
    if tmp2 is None:
        tmp2 = np.empty_like(param)
    accumulated_grad *= rho
    np.square(grad, out=tmp)
    tmp *= 1.0 - rho
    accumulated_grad += tmp  # E[g^2]
    np.add(accumulated_delta, epsilon, out=tmp)
    np.add(accumulated_grad, epsilon, out=tmp2)
    np.divide(tmp, tmp2, out=tmp)
    np.sqrt(tmp, out=tmp)  # one square root of the ratio instead of two
    tmp *= grad  # tmp = -delta
    accumulated_delta *= rho
    np.square(tmp, out=tmp2)
    tmp2 *= 1.0 - rho
    accumulated_delta += tmp2  # E[dx^2]
    tmp *= lr
    param -= tmp


class Adadelta(Optimizer):
    """Adadelta: step sizes from running averages of squared gradients and squared updates
    (Keras 3's `Adadelta`).

    With gradient g and the slots E[g^2], E[dx^2] (zero at the start):

        E[g^2]  <- rho * E[g^2] + (1 - rho) * g^2
        delta    = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
        E[dx^2] <- rho * E[dx^2] + (1 - rho) * delta^2
        w       <- w + lr * delta

    Zeiler's paper has no learning rate (lr = 1); Keras keeps one, default 0.001, so
    `Adadelta(learning_rate=1.0)` is the paper's method.

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.001.
        rho: float in [0, 1], the decay of the running averages. Default 0.95.
        epsilon: float >= 0. Default 1e-7.
        **kwargs: the arguments shared by all optimizers (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0])
        >>> opt = gw.optimizers.Adadelta(learning_rate=1.0)
        >>> opt.apply_gradients([(gw.constant([2.0]), w)])
        1
        >>> w.numpy()          # 1 - sqrt(1e-7 / (0.05 * 4 + 1e-7)) * 2
        array([0.99858576], dtype=float32)
    """

    update_rule = staticmethod(adadelta_update)
    _slot_names = ("accumulated_grad", "accumulated_delta_var")
    _n_tmp = 2

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = check_number("Adadelta", "rho", rho, 0.0, 1.0)
        self.epsilon = check_number("Adadelta", "epsilon", epsilon, low=0.0)

    def _update_variable(self, param, grad, slots, lr, tmp):
        self.update_rule(param, grad, slots["accumulated_grad"], slots["accumulated_delta_var"],
                         lr, self.rho, self.epsilon, tmp[0], tmp[1])

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
