"""gradwise.classic: the course's building blocks as short, readable NumPy code.

Loops where the seeds use loops, one formula per function. Nothing here
depends on the rest of gradwise (the digits data are read from
`gradwise.datasets.digits` when present, else from scikit-learn).

- naive_ops: naive_relu, naive_add, naive_*_dot, compare_speed (seed 000 §2.3)
- neurons: McCulloch–Pitts units and networks, Perceptron (seed 001)
- regression: LinearRegression (normal equation, batch/SGD/mini-batch), mse, mae (seed 004)
- descent: gradient_descent, gradient_descent_2d (seeds 003 §4.1, 004)
- sigmoid_network: seed 003's forward passes and 64-30-10 SigmoidNetwork
- convolution: convolve2d (seed 004)
"""

from .convolution import convolve2d
from .descent import (
    gradient_descent,
    gradient_descent_2d,
    half_squared_norm,
    half_squared_norm_grad,
    numerical_gradient,
)
from .naive_ops import (
    SpeedComparison,
    compare_speed,
    naive_add,
    naive_add_matrix_and_vector,
    naive_matrix_dot,
    naive_matrix_vector_dot,
    naive_matrix_vector_dot_by_rows,
    naive_relu,
    naive_vector_dot,
)
from .neurons import (
    McCullochPittsUnit,
    Perceptron,
    mp_and,
    mp_and_not,
    mp_identity,
    mp_not,
    mp_or,
    mp_xor,
    step,
    truth_table,
)
from .regression import LinearRegression, add_ones_column, mae, mse, mse_gradient, normal_equation
from .sigmoid_network import (
    SigmoidNetwork,
    accuracy,
    convert_y_to_vect,
    f_deriv,
    load_digits_flat,
    matrix_feed_forward_calc,
    simple_looped_nn_calc,
    standard_scale,
    train_test_split,
)
from .sigmoid_network import f as sigmoid

__all__ = [
    "convolve2d",
    "gradient_descent",
    "gradient_descent_2d",
    "half_squared_norm",
    "half_squared_norm_grad",
    "numerical_gradient",
    "SpeedComparison",
    "compare_speed",
    "naive_add",
    "naive_add_matrix_and_vector",
    "naive_matrix_dot",
    "naive_matrix_vector_dot",
    "naive_matrix_vector_dot_by_rows",
    "naive_relu",
    "naive_vector_dot",
    "McCullochPittsUnit",
    "Perceptron",
    "mp_and",
    "mp_and_not",
    "mp_identity",
    "mp_not",
    "mp_or",
    "mp_xor",
    "step",
    "truth_table",
    "LinearRegression",
    "add_ones_column",
    "mae",
    "mse",
    "mse_gradient",
    "normal_equation",
    "SigmoidNetwork",
    "accuracy",
    "convert_y_to_vect",
    "f_deriv",
    "load_digits_flat",
    "matrix_feed_forward_calc",
    "simple_looped_nn_calc",
    "sigmoid",
    "standard_scale",
    "train_test_split",
]
