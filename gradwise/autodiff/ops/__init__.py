"""The op set: every public differentiable function, grouped by kind.

math (element-wise), linalg (products), shape (movement), reduce (reductions),
activation, nn (fused cross-entropies), conv and pool (channels-last), create (no gradient).
"""

from .activation import (
    arctan, binary_step, elu, gelu, hard_sigmoid, isru, leaky_relu, linear, log_softmax,
    relu, selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh,
)
from .conv import conv1d, conv2d, conv2d_transpose, depthwise_conv2d
from .create import arange, eye, fill, ones, ones_like, zeros, zeros_like
from .linalg import affine, dot, matmul, tensordot
from .math import (
    abs, add, cast, clip, divide, exp, log, log1p, maximum, minimum, multiply, negative,
    power, sign, sqrt, square, subtract, where,
)
from .nn import (
    sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits,
)
from .pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, min_pool2d
from .reduce import argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var
from .shape import (
    concatenate, expand_dims, flatten, getitem, pad, reshape, squeeze, stack, transpose,
)

# TensorFlow's reduce_* names for the reductions
reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod = sum, mean, max, min, prod
reduce_std, reduce_var, reduce_variance, reduce_logsumexp = std, var, var, logsumexp
