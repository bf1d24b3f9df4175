"""A scalar reverse-mode automatic-differentiation engine.

The forward pass records a graph of ``Value`` nodes; ``backward()`` walks it once, from
the output back, and applies the chain rule to give every partial derivative exactly.
"""

from autograd import ops
from autograd.anomaly import AnomalyError, detect_anomaly
from autograd.backward import backward_steps, gradients, topological_order
from autograd.cost import OpCount, count_ops, path_count, tree_size
from autograd.forward import jvp
from autograd.functional import grad, value_and_grad
from autograd.modes import enable_grad, is_grad_enabled, no_grad
from autograd.numeric import GradientMismatch, check_grad, numeric_grad
from autograd.tape import Tape
from autograd.value import (
    Value,
    dot,
    linear,
    linear_layer,
    linear_layer_batch,
    select,
)
from autograd.value import sum as sum  # noqa: A004 - autograd.sum, as torch.sum

__version__ = "0.1.0"

__all__ = [  # "sum" is left out so that a star import never shadows the builtin
    "AnomalyError",
    "GradientMismatch",
    "OpCount",
    "Tape",
    "Value",
    "backward_steps",
    "check_grad",
    "count_ops",
    "detect_anomaly",
    "dot",
    "enable_grad",
    "grad",
    "gradients",
    "is_grad_enabled",
    "jvp",
    "linear",
    "linear_layer",
    "linear_layer_batch",
    "no_grad",
    "numeric_grad",
    "ops",
    "path_count",
    "select",
    "topological_order",
    "tree_size",
    "value_and_grad",
]
