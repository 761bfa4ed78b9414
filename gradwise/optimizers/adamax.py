"""Adamax: Adam with the infinity norm (Kingma & Ba, 2014, section 7.1), as Keras 3's Adamax."""

import numpy as np

from .base import Optimizer, check_number


def adamax_update(param, grad, m, u, lr, beta_1, beta_2, epsilon, bias_correction, tmp=None,
                  tmp2=None):
    """One Adamax step on arrays, in place (param, m and u are overwritten).

        m <- m + (1 - beta_1) * (g - m)          (= beta_1 * m + (1 - beta_1) * g)
        u <- max(beta_2 * u, |g|)                (exponentially weighted infinity norm)
        w <- w - lr * m / ((1 - beta_1^t) * (u + eps))

    `bias_correction` is 1 - beta_1^t for step t (1-based), computed in the parameters'
    dtype as Keras does. `tmp` and `tmp2` are scratch arrays shaped like param (allocated
    if None).
    """
    if tmp is None:
        tmp = np.empty_like(param)
    if tmp2 is None:
        tmp2 = np.empty_like(param)
    np.subtract(grad, m, out=tmp)
    tmp *= 1.0 - beta_1
    m += tmp  # first moment
    u *= beta_2
    np.abs(grad, out=tmp)
    np.maximum(u, tmp, out=u)  # infinity norm: no square root, no bias correction needed
    np.add(u, epsilon, out=tmp)
    tmp *= bias_correction
    np.multiply(m, lr, out=tmp2)
    np.divide(tmp2, tmp, out=tmp)
    param -= tmp


class Adamax(Optimizer):
    """Adamax: Adam whose second moment is replaced by a decaying maximum of |g| (Keras 3's
    `Adamax`).

    With gradient g at step t = 1, 2, ..., and slots m (momentum) and u (norm), zero at the
    start:

        m <- beta_1 * m + (1 - beta_1) * g
        u <- max(beta_2 * u, |g|)
        w <- w - lr / (1 - beta_1^t) * m / (u + eps)

    u is a max, not an average, so it is not biased towards zero and only m is corrected.
    A single large gradient sets the scale of the steps until beta_2^k * |g| decays below
    the current gradients.

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.001.
        beta_1: float in [0, 1), decay of the first moment. Default 0.9.
        beta_2: float in [0, 1], decay of the infinity norm. Default 0.999.
        epsilon: float >= 0. Default 1e-7.
        **kwargs: the arguments shared by all optimizers (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0, 2.0])
        >>> opt = gw.optimizers.Adamax(learning_rate=0.1)
        >>> opt.apply_gradients([(gw.constant([3.0, -0.5]), w)])
        1
        >>> w.numpy()          # the first step is lr * g / (|g| + eps) = about lr * sign(g)
        array([0.90000004, 2.1       ], dtype=float32)
    """

    update_rule = staticmethod(adamax_update)
    _slot_names = ("momentum", "norm")
    _n_tmp = 2

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(owner, "beta_2", beta_2, 0.0, 1.0)
        self.epsilon = check_number(owner, "epsilon", epsilon, low=0.0)

    def _step_scalars(self, lr):
        """Per dtype: the learning rate and 1 - beta_1^t, in that dtype (as Keras)."""
        t = self.iterations + 1
        scalars = {}
        for dt in self._dtypes:
            cast = np.dtype(dt).type
            scalars[dt] = (cast(lr), cast(1) - cast(self.beta_1) ** cast(t))
        return scalars

    def _update_variable(self, param, grad, slots, scalars, tmp):
        lr, bias_correction = scalars[param.dtype]
        self.update_rule(param, grad, slots["momentum"], slots["norm"], lr, self.beta_1,
                         self.beta_2, self.epsilon, bias_correction, *tmp)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
