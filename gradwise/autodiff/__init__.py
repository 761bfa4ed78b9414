"""Automatic differentiation: Tensor, Variable, GradientTape, no_grad, the ops, check_gradients."""

from .engine import GradientTape
from .function import OPS, Function, enable_grad, is_grad_enabled, no_grad, unbroadcast
from .gradcheck import check_gradients
from .ops import *  # noqa: F401,F403
from .ops import __dict__ as _ops_namespace
from .tensor import Tensor, Variable, constant, convert_to_tensor

__all__ = ["Tensor", "Variable", "GradientTape", "no_grad", "enable_grad", "is_grad_enabled",
           "Function", "unbroadcast", "check_gradients", "constant", "convert_to_tensor", "OPS"]
__all__ += [k for k in _ops_namespace if not k.startswith("_") and callable(_ops_namespace[k])]
