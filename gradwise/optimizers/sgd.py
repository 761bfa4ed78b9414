"""Stochastic gradient descent, with optional (Nesterov) momentum, as Keras 3's SGD."""

import numpy as np

from .base import Optimizer, check_number


def sgd_update(param, grad, velocity, lr, momentum, nesterov, tmp=None, tmp2=None):
    """One SGD step on arrays, in place (param and velocity are overwritten).

        plain (velocity is None):  w <- w - lr * g
        momentum:                  v <- momentum * v - lr * g ;  w <- w + v
        Nesterov:                  v <- momentum * v - lr * g ;  w <- w + momentum * v - lr * g

    `tmp` (and for Nesterov `tmp2`) are scratch arrays shaped like param (allocated if None).
    """
    if tmp is None:
        tmp = np.empty_like(param)
    np.multiply(grad, lr, out=tmp)  # lr * g
    if velocity is None:
        param -= tmp
        return
    velocity *= momentum
    velocity -= tmp  # v = momentum * v - lr * g
    if nesterov:
        if tmp2 is None:
            tmp2 = np.empty_like(param)
        np.multiply(velocity, momentum, out=tmp2)
        tmp2 -= tmp
        param += tmp2  # w + (momentum * v - lr * g)
    else:
        param += velocity


class SGD(Optimizer):
    """Gradient descent with optional momentum (Keras 3's `SGD`).

    With gradient g, learning rate lr, and velocity v (a slot, zero at the start, kept only
    when momentum > 0):

        momentum = 0:   w <- w - lr * g
        momentum > 0:   v <- momentum * v - lr * g
                        w <- w + v
        nesterov=True:  v <- momentum * v - lr * g
                        w <- w + momentum * v - lr * g      (with the new v)

    This is Keras's form: the velocity holds -lr times PyTorch's momentum buffer, and
    Nesterov's look-ahead is folded into the step. As in Keras, nesterov=True with momentum 0
    is plain SGD.

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.01.
        momentum: float in [0, 1]. Default 0.0.
        nesterov: bool. Default False.
        **kwargs: weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name
            (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0, 2.0])
        >>> opt = gw.optimizers.SGD(learning_rate=0.1, momentum=0.9)
        >>> opt.apply_gradients([(gw.constant([1.0, 1.0]), w)])   # v = -0.1, w = w - 0.1
        1
        >>> w.numpy()
        array([0.9, 1.9], dtype=float32)
    """

    update_rule = staticmethod(sgd_update)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = check_number("SGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)

    @property
    def _slot_names(self):
        return ("momentum",) if self.momentum != 0 else ()

    @property
    def _n_tmp(self):
        return 2 if self.nesterov and self.momentum != 0 else 1

    def _update_variable(self, param, grad, slots, lr, tmp):
        self.update_rule(param, grad, slots.get("momentum"), lr, self.momentum, self.nesterov,
                         *tmp)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
