"""Why backprop? Three questions learners ask, each answered by a measurement.

1. "I get the gradient by nudging each weight and re-running the network. Why
   backprop?" (``nudging``): finite differences, forward mode and reverse mode,
   timed and counted on MLPs of growing size, and the step-size error curve.
2. "Why not differentiate the whole error function at once?" (``formula``): one
   backward pass *is* the whole gradient; written out as a formula it explodes
   (expression swell on the logistic map, ``autograd.tree_size``), and the chain rule
   summed over paths has one term per path (``autograd.path_count``).
3. "Backprop propagates the error backwards, layer by layer, assigning blame"
   (``layers``): each neuron's delta read from one backward pass, and the
   misconception of updating a layer before sending the error down, measured.

    python -m scalar_autograd.demos.why_backprop [--quick] [--out DIR]
        [--budget SECONDS] [--clock {cpu,wall}] [--results FILE]

(``scalar-autograd why`` is the same command.) The names of question 1 are
re-exported here, as they were before the demo became a package.
"""

from scalar_autograd.demos.why_backprop.command import main
from scalar_autograd.demos.why_backprop.nudging import (
    ACCURACY_POINT,
    CENTRAL,
    CLOCKS,
    FORWARD_DIFF,
    FORWARD_MODE,
    GRADIENTS,
    METHODS,
    N_INPUTS,
    N_SAMPLES,
    PLAIN,
    QUICK_SHAPES,
    REVERSE,
    SHAPES,
    STYLES,
    AccuracyResult,
    Measurement,
    Problem,
    SizeResult,
    accuracy_function,
    central_differences,
    crossover,
    format_table,
    forward_differences,
    forward_mode,
    measure,
    measure_accuracy,
    measure_size,
    parameter_count,
    plain_float_differences,
    plot_accuracy,
    plot_cost,
    predicted_seconds,
    reverse_mode,
    run,
    summary,
)

__all__ = [
    "ACCURACY_POINT",
    "CENTRAL",
    "CLOCKS",
    "FORWARD_DIFF",
    "FORWARD_MODE",
    "GRADIENTS",
    "METHODS",
    "N_INPUTS",
    "N_SAMPLES",
    "PLAIN",
    "QUICK_SHAPES",
    "REVERSE",
    "SHAPES",
    "STYLES",
    "AccuracyResult",
    "Measurement",
    "Problem",
    "SizeResult",
    "accuracy_function",
    "central_differences",
    "crossover",
    "format_table",
    "forward_differences",
    "forward_mode",
    "main",
    "measure",
    "measure_accuracy",
    "measure_size",
    "parameter_count",
    "plain_float_differences",
    "plot_accuracy",
    "plot_cost",
    "predicted_seconds",
    "reverse_mode",
    "run",
    "summary",
]
