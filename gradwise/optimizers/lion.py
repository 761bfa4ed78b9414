"""Lion: EvoLved Sign Momentum (Chen et al., 2023), as Keras 3's Lion."""

import numpy as np

from .base import Optimizer, check_number


def lion_update(param, grad, m, lr, beta_1, one_minus_beta_1, beta_2, one_minus_beta_2, tmp=None,
                tmp2=None):
    """One Lion step on arrays, in place (param and m are overwritten).

        c = beta_1 * m + (1 - beta_1) * g        (interpolation used for the step only)
        w <- w - lr * sign(c)
        m <- beta_2 * m + (1 - beta_2) * g       (the momentum itself decays with beta_2)

    The betas and their complements are passed in the parameters' dtype, as Keras computes
    them. `tmp` and `tmp2` are scratch arrays shaped like param (allocated if None).
    """
    if tmp is None:
        tmp = np.empty_like(param)
    if tmp2 is None:
        tmp2 = np.empty_like(param)
    np.multiply(m, beta_1, out=tmp)
    np.multiply(grad, one_minus_beta_1, out=tmp2)
    tmp += tmp2
    np.sign(tmp, out=tmp)
    tmp *= lr
    param -= tmp  # every coordinate moves by exactly lr (or 0)
    m *= beta_2
    np.multiply(grad, one_minus_beta_2, out=tmp)
    m += tmp


class Lion(Optimizer):
    """Lion: step by the sign of an interpolated momentum (Keras 3's `Lion`).

    With gradient g and the momentum slot m (zero at the start):

        c = beta_1 * m + (1 - beta_1) * g
        w <- w - lr * sign(c)
        m <- beta_2 * m + (1 - beta_2) * g

    Every coordinate moves by lr per step, so the update has a larger norm than Adam's: a
    learning rate 3-10x smaller than AdamW's, and a weight decay 3-10x larger, is usual.
    Only one slot is kept (half of Adam's memory).

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.001.
        beta_1: float in (0, 1], weight of the momentum in the step. Default 0.9
            (beta_1 = 0 would make Lion SignSGD, which Keras rejects).
        beta_2: float in [0, 1], decay of the momentum. Default 0.99.
        **kwargs: the arguments shared by all optimizers (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0, 2.0])
        >>> opt = gw.optimizers.Lion(learning_rate=0.1)
        >>> opt.apply_gradients([(gw.constant([3.0, -0.5]), w)])
        1
        >>> w.numpy()          # the first step is lr * sign(g)
        array([0.9, 2.1], dtype=float32)
    """

    update_rule = staticmethod(lion_update)
    _slot_names = ("momentum",)
    _n_tmp = 2

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, 0.0, 1.0, low_open=True)
        self.beta_2 = check_number(owner, "beta_2", beta_2, 0.0, 1.0)

    def _step_scalars(self, lr):
        """Per dtype: lr, beta_1, 1 - beta_1, beta_2, 1 - beta_2, in that dtype (as Keras)."""
        scalars = {}
        for dt in self._dtypes:
            cast = np.dtype(dt).type
            b1, b2 = cast(self.beta_1), cast(self.beta_2)
            scalars[dt] = (cast(lr), b1, cast(1) - b1, b2, cast(1) - b2)
        return scalars

    def _update_variable(self, param, grad, slots, scalars, tmp):
        self.update_rule(param, grad, slots["momentum"], *scalars[param.dtype], *tmp)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
