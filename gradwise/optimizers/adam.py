"""Adam (Kingma & Ba, 2014), its AMSGrad variant, and AdamW, as Keras 3's Adam and AdamW."""

import math

import numpy as np

from .base import Optimizer, check_number


def adam_step_size(lr, beta_1, beta_2, t, dtype=None):
    """The bias-corrected step size of step t (1-based): lr * sqrt(1 - beta_2^t) / (1 - beta_1^t).

    A scalar, computed once per step for all variables of one dtype. As Keras does, it is
    computed in the variables' dtype when one is given: for float32, 1 - float32(0.999)
    differs from 0.001 by 1.3e-5 relative, which moves the first steps measurably.
    """
    if dtype is None:
        return lr * math.sqrt(1.0 - beta_2 ** t) / (1.0 - beta_1 ** t)
    one, step = np.asarray(1, dtype=dtype), np.asarray(t, dtype=dtype)
    lr, beta_1, beta_2 = (np.asarray(x, dtype=dtype) for x in (lr, beta_1, beta_2))
    return float(lr * np.sqrt(one - beta_2 ** step) / (one - beta_1 ** step))


def adam_update(param, grad, m, v, alpha, beta_1, beta_2, epsilon, v_hat=None, tmp=None):
    """One Adam step on arrays, in place (param, m, v and v_hat are overwritten).

        m <- m + (1 - beta_1) * (g - m)          (= beta_1 * m + (1 - beta_1) * g)
        v <- v + (1 - beta_2) * (g^2 - v)        (= beta_2 * v + (1 - beta_2) * g^2)
        v_hat <- max(v_hat, v), and v_hat replaces v below      (AMSGrad only)
        w <- w - alpha * m / (sqrt(v) + eps)

    `alpha` is `adam_step_size(lr, beta_1, beta_2, t)`. `tmp` is a scratch array shaped like
    param (allocated if None).
    """
    if tmp is None:
        tmp = np.empty_like(param)
    np.subtract(grad, m, out=tmp)
    tmp *= 1.0 - beta_1
    m += tmp  # first moment
    np.square(grad, out=tmp)
    tmp -= v
    tmp *= 1.0 - beta_2
    v += tmp  # second moment
    if v_hat is not None:
        np.maximum(v_hat, v, out=v_hat)
        v = v_hat
    np.sqrt(v, out=tmp)
    tmp += epsilon
    np.divide(m, tmp, out=tmp)
    tmp *= alpha
    param -= tmp


class Adam(Optimizer):
    """Adam: momentum on the gradient, scaled by a running RMS (Keras 3's `Adam`).

    With gradient g at step t = 1, 2, ..., and slots m, v (zero at the start):

        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g^2
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w <- w - alpha * m / (sqrt(v) + eps)

    With amsgrad=True, a third slot keeps v_hat <- max(v_hat, v), used in place of v.
    The bias correction is folded into the step size, so epsilon is the paper's
    "epsilon hat" (the formula just before its Section 2.1), not Algorithm 1's.

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.001.
        beta_1: float in [0, 1), decay of the first moment. Default 0.9.
        beta_2: float in [0, 1), decay of the second moment. Default 0.999.
        epsilon: float >= 0. Default 1e-7.
        amsgrad: bool. Default False.
        **kwargs: the arguments shared by all optimizers (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0, 2.0])
        >>> opt = gw.optimizers.Adam(learning_rate=0.1)
        >>> opt.apply_gradients([(gw.constant([3.0, -0.5]), w)])
        1
        >>> w.numpy()          # the first step is about lr * sign(g)
        array([0.90000075, 2.0999987 ], dtype=float32)
    """

    update_rule = staticmethod(adam_update)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(owner, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(owner, "epsilon", epsilon, low=0.0)
        self.amsgrad = bool(amsgrad)

    @property
    def _slot_names(self):
        return ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def _step_scalars(self, lr):
        t = self.iterations + 1
        return {dt: adam_step_size(lr, self.beta_1, self.beta_2, t, dt) for dt in self._dtypes}

    def _update_variable(self, param, grad, slots, alphas, tmp):
        self.update_rule(param, grad, slots["momentum"], slots["velocity"], alphas[param.dtype],
                         self.beta_1, self.beta_2, self.epsilon, slots.get("velocity_hat"), tmp[0])

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019; Keras 3's `AdamW`).

    Before each Adam step (see Adam), every variable is decayed by

        w <- w - w * weight_decay * lr

    which is the shared `weight_decay` option of every gradwise optimizer, on by default here.

    Args:
        learning_rate: float >= 0 or a schedule. Default 0.001.
        weight_decay: float >= 0 (None is not allowed). Default 0.004.
        beta_1, beta_2, epsilon, amsgrad: as Adam (defaults 0.9, 0.999, 1e-7, False).
        **kwargs: the other arguments shared by all optimizers.

    Example:
        >>> opt = gw.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.01)
        >>> opt.exclude_from_weight_decay(var_names=["bias"])
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: `weight_decay` must be a float; received "
                             "weight_decay=None (use Adam for no weight decay).")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
