"""Nadam: Adam with Nesterov momentum (Dozat, 2016), as Keras 3's Nadam."""

import numpy as np

from .. import backend
from ..autodiff.tensor import Variable
from .base import Optimizer, check_number


def nadam_update(param, grad, m, v, lr, one_minus_beta_1, one_minus_beta_2, epsilon, c_m, c_g,
                 c_v, tmp=None, tmp2=None):
    """One Nadam step on arrays, in place (param, m and v are overwritten).

        m <- m + (1 - beta_1) * (g - m)
        v <- v + (1 - beta_2) * (g^2 - v)
        m_hat = c_m * m + c_g * g          (Nesterov look-ahead, bias-corrected)
        v_hat = v / c_v                    (c_v = 1 - beta_2^t)
        w <- w - lr * m_hat / (sqrt(v_hat) + eps)

    The per-step constants c_m, c_g and c_v come from `nadam_coefficients`; pass 1 - beta_1,
    1 - beta_2 and c_v computed in the parameters' dtype, so that the rounding of
    1 - beta_2 in v cancels against the one in c_v (as in Keras; in float32,
    1 - float32(0.999) is 1.3e-5 away from 0.001). `tmp` and `tmp2` are scratch arrays shaped
    like param (allocated if None).
    """
    if tmp is None:
        tmp = np.empty_like(param)
    if tmp2 is None:
        tmp2 = np.empty_like(param)
    np.subtract(grad, m, out=tmp)
    tmp *= one_minus_beta_1
    m += tmp  # first moment
    np.square(grad, out=tmp)
    tmp -= v
    tmp *= one_minus_beta_2
    v += tmp  # second moment
    np.multiply(m, c_m, out=tmp2)
    np.multiply(grad, c_g, out=tmp)
    tmp2 += tmp  # m_hat
    tmp2 *= lr
    np.divide(v, c_v, out=tmp)
    np.sqrt(tmp, out=tmp)
    tmp += epsilon
    np.divide(tmp2, tmp, out=tmp)
    param -= tmp


def nadam_coefficients(u_product, t, beta_1, beta_2, dtype=np.float32):
    """The momentum schedule of step t (1-based), given the product of the earlier u's.

        u_t = beta_1 * (1 - 0.5 * 0.96^t)                  (momentum of step t)
        u_product_t = u_product * u_t ; u_product_t1 = u_product_t * u_{t+1}
        c_m = u_{t+1} / (1 - u_product_t1),  c_g = (1 - u_t) / (1 - u_product_t),
        c_v = 1 - beta_2^t

    Returns (u_product_t, c_m, c_g, c_v), computed in `dtype` as Keras does.
    """
    one, half, decay = dtype(1), dtype(0.5), dtype(0.96)
    beta_1, beta_2 = dtype(beta_1), dtype(beta_2)
    step, next_step = dtype(t), dtype(t + 1)
    u_t = beta_1 * (one - half * decay ** step)
    u_next = beta_1 * (one - half * decay ** next_step)
    u_product_t = dtype(u_product) * beta_1 * (one - half * decay ** step)  # Keras's order
    u_product_next = u_product_t * u_next
    return (u_product_t, u_next / (one - u_product_next), (one - u_t) / (one - u_product_t),
            one - beta_2 ** step)


class Nadam(Optimizer):
    """Nadam: Adam whose momentum looks one step ahead, like Nesterov's (Keras 3's `Nadam`).

    With gradient g at step t = 1, 2, ..., slots m, v (zero at the start), and the momentum
    schedule u_t = beta_1 * (1 - 0.5 * 0.96^t) of Dozat's paper:

        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g^2
        m_hat = u_{t+1} * m / (1 - u_1...u_{t+1}) + (1 - u_t) * g / (1 - u_1...u_t)
        v_hat = v / (1 - beta_2^t)
        w <- w - lr * m_hat / (sqrt(v_hat) + eps)

    The running product u_1...u_t is kept as optimizer state (`u_product`, saved with the
    slots by `get_state`), as Keras keeps it, rather than recomputed.

    Args:
        learning_rate: float >= 0 or a schedule (see Optimizer). Default 0.001.
        beta_1: float in [0, 1), decay of the first moment. Default 0.9.
        beta_2: float in [0, 1), decay of the second moment. Default 0.999.
        epsilon: float >= 0. Default 1e-7.
        **kwargs: the arguments shared by all optimizers (see gw.optimizers.Optimizer).

    Example:
        >>> w = gw.Variable([1.0, 2.0])
        >>> opt = gw.optimizers.Nadam(learning_rate=0.1)
        >>> opt.apply_gradients([(gw.constant([3.0, -0.5]), w)])
        1
        >>> w.numpy()          # the first step is lr * (1 + 0.048528 / 0.77288896) * sign(g)
        array([0.8937212, 2.1062787], dtype=float32)
    """

    update_rule = staticmethod(nadam_update)
    _n_tmp = 2

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(owner, "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number(owner, "epsilon", epsilon, low=0.0)
        self._u_product = None

    _slot_names = ("momentum", "velocity")

    def build(self, variables):
        """Slots as in Adam, plus the scalar `u_product` (dtype of the first variable), kept
        last in the optimizer state so that get_state/set_state and saving carry it."""
        if self.built:
            return
        super().build(variables)
        dtype = self._variables[0].data.dtype if self._variables else np.float32
        self._u_product = Variable(backend.xp.ones((), dtype=dtype), dtype=dtype, trainable=False,
                                   name="u_product")
        self._slot_variables.append(self._u_product)

    def _step_scalars(self, lr):
        t = self.iterations + 1
        u_product = self._u_product.data
        scalars = {}
        for dt in self._dtypes:
            cast = np.dtype(dt).type
            _, c_m, c_g, c_v = nadam_coefficients(u_product, t, self.beta_1, self.beta_2, cast)
            scalars[dt] = (cast(lr), cast(1) - cast(self.beta_1), cast(1) - cast(self.beta_2),
                           c_m, c_g, c_v)
        u_product[...] = nadam_coefficients(u_product, t, self.beta_1, self.beta_2,
                                            u_product.dtype.type)[0]
        return scalars

    def _update_variable(self, param, grad, slots, scalars, tmp):
        lr, one_minus_beta_1, one_minus_beta_2, c_m, c_g, c_v = scalars[param.dtype]
        self.update_rule(param, grad, slots["momentum"], slots["velocity"], lr, one_minus_beta_1,
                         one_minus_beta_2, self.epsilon, c_m, c_g, c_v, *tmp)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
