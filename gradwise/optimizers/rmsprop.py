"""RMSprop (Hinton's lecture 6e), with optional momentum and centering, as Keras 3's RMSprop."""

import numpy as np

from .base import Optimizer, check_number


def rmsprop_update(param, grad, velocity, lr, rho, epsilon, momentum=0.0, momentum_buf=None,
                   average_grad=None, tmp=None):
    """One RMSprop step on arrays, in place (param and the slots are overwritten).

        v <- rho * v + (1 - rho) * g^2
        centered (average_grad given):  a <- rho * a + (1 - rho) * g ;  d = v - a^2 + eps
        otherwise:                      d = v + eps
        step = lr * g / sqrt(d)
        momentum_buf given:  m <- momentum * m + step ;  w <- w - m
        otherwise:           w <- w - step

    Epsilon sits inside the square root (Keras's placement). `tmp` is a scratch array
    shaped like param (allocated if None); nothing else is allocated.
    """
    if tmp is None:
        tmp = np.empty_like(param)
    velocity *= rho
    np.square(grad, out=tmp)
    tmp *= 1.0 - rho
    velocity += tmp  # v = rho * v + (1 - rho) * g^2
    if average_grad is not None:
        average_grad *= rho
        np.multiply(grad, 1.0 - rho, out=tmp)
        average_grad += tmp  # a = rho * a + (1 - rho) * g
        np.square(average_grad, out=tmp)
        np.subtract(velocity, tmp, out=tmp)
        tmp += epsilon  # d = v - a^2 + eps
    else:
        np.add(velocity, epsilon, out=tmp)  # d = v + eps
    np.sqrt(tmp, out=tmp)
    np.divide(grad, tmp, out=tmp)
    tmp *= lr  # step = lr * g / sqrt(d)
    if momentum_buf is not None:
        momentum_buf *= momentum
        momentum_buf += tmp
        param -= momentum_buf
    else:
        param -= tmp


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root mean square (Keras 3's `RMSprop`).

    With gradient g and slots v (mean square), a (mean gradient, if centered) and m
    (momentum, if momentum > 0), all zero at the start:

        v <- rho * v + (1 - rho) * g^2
        a <- rho * a + (1 - rho) * g                       (centered only)
        step = lr * g / sqrt(v + eps)                      (plain)
        step = lr * g / sqrt(v - a^2 + eps)                (centered: divide by the variance)
        w <- w - step                                      (momentum = 0)
        m <- momentum * m + step ;  w <- w - m             (momentum > 0)

    Epsilon is added inside the square root, unlike Adam (where it is added after it).

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.001.
        rho: float in [0, 1], the decay of the running averages. Default 0.9.
        momentum: float in [0, 1]. Default 0.0.
        epsilon: float >= 0. Default 1e-7.
        centered: bool. Default False.
        **kwargs: the arguments shared by all optimizers (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0, 2.0])
        >>> opt = gw.optimizers.RMSprop(learning_rate=0.01)
        >>> opt.apply_gradients([(gw.constant([0.5, -0.5]), w)])  # returns the step count
        1
        >>> w.numpy()          # first step moves by lr / sqrt(1 - rho) ~ 0.0316 each
        array([0.9683773, 2.0316226], dtype=float32)
    """

    update_rule = staticmethod(rmsprop_update)

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = check_number("RMSprop", "rho", rho, 0.0, 1.0)
        self.momentum = check_number("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = check_number("RMSprop", "epsilon", epsilon, low=0.0)
        self.centered = bool(centered)

    @property
    def _slot_names(self):
        return ("velocity",) + (("momentum",) if self.momentum > 0 else ()) + \
            (("average_gradient",) if self.centered else ())

    def _update_variable(self, param, grad, slots, lr, tmp):
        self.update_rule(param, grad, slots["velocity"], lr, self.rho, self.epsilon,
                         self.momentum, slots.get("momentum"), slots.get("average_gradient"),
                         tmp[0])

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
