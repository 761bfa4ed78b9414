"""The claims, one module per section of SPEC.md; importing them fills the registry in SPEC order."""

from . import tensors, optimization, backprop, neurons, training, convolution  # noqa: F401
