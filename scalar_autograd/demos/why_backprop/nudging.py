"""Question 1: "I get the gradient by nudging each weight. Why backprop?"

For MLPs of growing parameter count P this part computes the gradient of an MSE
loss five ways and measures what each costs:

* reverse mode: one forward pass that records the graph, one backward pass;
* forward mode: ``autograd.jvp``, exact, one pass per parameter;
* central and forward differences: ``autograd.numeric_grad``, 2P and P + 1
  evaluations of the loss, through the engine (Values, no graph recorded);
* central differences on plain floats: a hand-written float forward with the same
  weights and no graph at all (the learner's own approach).

It reports evaluations, ops (nodes made plus backward or tangent steps, counted by
``autograd.count_ops()``), time (median of repeats) and the largest difference from
reverse mode; plots cost against P; then plots the error of finite differences
against the step h for one fixed function (the U-shaped curve). Sizes grow until the
next one would not fit in the time budget.
"""

from __future__ import annotations

import itertools
import operator
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import autograd
import nn
from autograd import Value
from autograd.numeric import default_step
from scalar_autograd.demos.why_backprop.results import (
    count,
    duration,
    markdown_table,
    ratio,
)

N_INPUTS = 4  # features per sample
N_SAMPLES = 4  # fixed samples in the loss
# Model shapes (inputs, hidden layer widths); every MLP ends in one linear output.
SHAPES = (
    (1, (1,)),
    (2, (2,)),
    *((N_INPUTS, (w, w)) for w in (2, 4, 8, 16, 24, 32, 48, 64)),
)
QUICK_SHAPES = SHAPES[:6]  # up to P = 369
REVERSE = "reverse mode"
FORWARD_MODE = "forward mode (jvp)"
CENTRAL = "central differences"
FORWARD_DIFF = "forward differences"
PLAIN = "central diff., plain floats"
METHODS = (REVERSE, FORWARD_MODE, CENTRAL, FORWARD_DIFF, PLAIN)
STYLES = {  # colour and marker per method, the same in every plot
    REVERSE: ("tab:blue", "o"),
    FORWARD_MODE: ("tab:purple", "s"),
    CENTRAL: ("tab:orange", "^"),
    FORWARD_DIFF: ("tab:red", "v"),
    PLAIN: ("tab:green", "D"),
}


# ---------------------------------------------------------------------------------
# The problem: an MLP, a few fixed samples, the MSE loss as a function of the weights.


@contextmanager
def _weights_set_to(model: nn.MLP, weights: Sequence[Any]) -> Iterator[None]:
    """Within the block the model's neurons read ``weights`` (in parameters() order)."""
    neurons = [neuron for layer in model.layers for neuron in layer.neurons]
    saved = [(neuron.w, neuron.b) for neuron in neurons]
    k = 0
    for neuron in neurons:
        n = len(neuron.w)
        neuron.w, neuron.b = list(weights[k : k + n]), weights[k + n]
        k += n + 1
    try:
        yield
    finally:
        for neuron, (w, b) in zip(neurons, saved):
            neuron.w, neuron.b = w, b


@dataclass
class Problem:
    """MLP(nin, [*hidden, 1]) with ReLU, its parameters and a few fixed samples."""

    nin: int
    hidden: tuple[int, ...]
    model: nn.MLP = field(init=False)
    parameters: list[Value] = field(init=False)
    inputs: list[list[float]] = field(init=False)
    targets: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self.model = nn.MLP(self.nin, [*self.hidden, 1], seed=0)
        self.parameters = self.model.parameters()
        rng = random.Random(1)
        self.inputs = [
            [rng.uniform(-1.0, 1.0) for _ in range(self.nin)] for _ in range(N_SAMPLES)
        ]
        self.targets = [rng.uniform(-1.0, 1.0) for _ in range(N_SAMPLES)]

    @property
    def shape(self) -> str:
        """The model as its constructor call, e.g. ``MLP(4, [8, 8, 1])``."""
        return f"MLP({self.nin}, {[*self.hidden, 1]})"

    @property
    def weights(self) -> list[float]:
        """The parameters' numbers, in ``model.parameters()`` order."""
        return [p.data for p in self.parameters]

    def loss(self) -> Value:
        """The MSE loss of the model on the samples (a graph, unless under no_grad)."""
        predictions = [self.model(x) for x in self.inputs]
        return nn.mse_loss(predictions, self.targets)

    def loss_of(self, *weights: Any) -> Value:
        """The loss as a function of P scalar weights (floats or Values)."""
        with _weights_set_to(self.model, weights):
            return self.loss()

    def float_loss(self, weights: Sequence[float]) -> float:
        """The same loss on plain floats: no Values, no graph (the learner's code)."""
        sizes = self.model.layer_sizes
        mul = operator.mul
        total = 0.0
        for x, y in zip(self.inputs, self.targets):
            activations = x
            k = 0
            for i, n_out in enumerate(sizes):
                n_in = len(activations)
                outputs = []
                for _ in range(n_out):
                    s = sum(
                        map(mul, weights[k : k + n_in], activations), weights[k + n_in]
                    )
                    k += n_in + 1
                    outputs.append(s if i == len(sizes) - 1 or s > 0.0 else 0.0)
                activations = outputs
            d = activations[0] - y
            total += d * d
        return total / len(self.targets)


# ---------------------------------------------------------------------------------
# The five ways to a gradient.


def reverse_mode(problem: Problem) -> list[float]:
    """One forward pass recording the graph, one backward pass."""
    parameters = problem.parameters
    for p in parameters:
        p.grad = 0.0  # model.zero_grad(), without walking the model each time
    problem.loss().backward()
    return [p.grad for p in parameters]


def forward_mode(problem: Problem) -> list[float]:
    """One ``jvp`` per parameter, along each unit direction."""
    weights = problem.weights
    direction = [0.0] * len(weights)
    gradient = []
    for i in range(len(weights)):
        direction[i] = 1.0
        gradient.append(autograd.jvp(problem.loss_of, weights, direction)[1])
        direction[i] = 0.0
    return gradient


def central_differences(problem: Problem) -> list[float]:
    """``numeric_grad``: two evaluations per parameter."""
    return autograd.numeric_grad(problem.loss_of, problem.weights)


def forward_differences(problem: Problem) -> list[float]:
    """``numeric_grad(method="forward")``: one evaluation per parameter, plus one."""
    return autograd.numeric_grad(problem.loss_of, problem.weights, method="forward")


def plain_float_differences(
    problem: Problem, loss: Callable[[Sequence[float]], float] | None = None
) -> list[float]:
    """Central differences through the plain-float forward, same steps as the oracle."""
    loss = problem.float_loss if loss is None else loss
    weights = problem.weights
    gradient = []
    for i, w in enumerate(weights):
        h = default_step(w)
        weights[i] = w + h
        above = loss(weights)
        weights[i] = w - h
        below = loss(weights)
        weights[i] = w
        gradient.append((above - below) / (2.0 * h))
    return gradient


GRADIENTS: dict[str, Callable[[Problem], list[float]]] = {
    REVERSE: reverse_mode,
    FORWARD_MODE: forward_mode,
    CENTRAL: central_differences,
    FORWARD_DIFF: forward_differences,
    PLAIN: plain_float_differences,
}


# ---------------------------------------------------------------------------------
# Measuring.

# Wall time by default. On a machine busy with other programs, the CPU time of this
# process (--clock cpu) is closer to what the wall time would be on a quiet one.
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = time.perf_counter


@dataclass
class Measurement:
    """One method at one size: what it did and how long it took."""

    method: str
    params: int
    evaluations: int
    ops: int | None  # None for plain floats: no nodes, nothing for the engine to count
    seconds: float
    repeats: int
    max_difference: float


def _median_time(
    run: Callable[[], Any], repeats: int, enough: float
) -> tuple[float, int]:
    """Median wall time of up to ``repeats`` runs, stopping once ``enough`` s passed."""
    times: list[float] = []
    while len(times) < repeats and (not times or sum(times) < enough):
        start = _clock()
        run()
        times.append(_clock() - start)
    return statistics.median(times), len(times)


def measure(
    problem: Problem, method: str, exact: list[float], repeats: int, enough: float
) -> Measurement:
    """Count one run of ``method`` (evaluations, ops), then time it without counting."""
    compute = GRADIENTS[method]
    with autograd.count_ops() as counts:
        if method == PLAIN:  # no Values: the caller counts its own evaluations

            def counted(weights: Sequence[float]) -> float:
                counts.evaluations += 1
                return problem.float_loss(weights)

            gradient = plain_float_differences(problem, counted)
        else:
            if method == REVERSE:
                counts.evaluations += 1  # the caller counts its own evaluation
            gradient = compute(problem)
    seconds, runs = _median_time(lambda: compute(problem), repeats, enough)
    difference = max(abs(g - e) for g, e in zip(gradient, exact))
    ops = None if method == PLAIN else counts.ops
    return Measurement(
        method, len(exact), counts.evaluations, ops, seconds, runs, difference
    )


@dataclass
class SizeResult:
    """Every method at one size, plus the split of reverse mode and a float forward."""

    shape: str  # e.g. "MLP(4, [8, 8, 1])"
    params: int
    rows: dict[str, Measurement]
    forward_seconds: float  # the graph-building forward pass alone
    backward_seconds: float  # the backward pass alone
    float_forward_seconds: float  # one plain-float evaluation of the loss


def _reverse_split(problem: Problem, repeats: int) -> tuple[float, float]:
    """Median times of the forward pass (building the graph) and of the backward."""
    forwards, backwards = [], []
    for _ in range(max(repeats, 3)):
        for p in problem.parameters:
            p.grad = 0.0
        start = _clock()
        loss = problem.loss()
        middle = _clock()
        loss.backward()
        end = _clock()
        forwards.append(middle - start)
        backwards.append(end - middle)
    return statistics.median(forwards), statistics.median(backwards)


def measure_size(
    problem: Problem, repeats: int, enough: float, on_method: Callable[[str], None]
) -> SizeResult:
    """Measure every method on one problem."""
    exact = reverse_mode(problem)
    rows = {}
    for method in METHODS:
        on_method(method)
        rows[method] = measure(problem, method, exact, repeats, enough)
    forward_seconds, backward_seconds = _reverse_split(problem, repeats)
    weights = problem.weights
    float_seconds, _ = _median_time(lambda: problem.float_loss(weights), 5, 0.2)
    return SizeResult(
        problem.shape,
        len(exact),
        rows,
        forward_seconds,
        backward_seconds,
        float_seconds,
    )


def predicted_seconds(previous: SizeResult, params: int) -> float:
    """Time the next size should take: P passes of a cost that grows with P."""
    scale = params / previous.params
    total = 0.0
    for method, row in previous.rows.items():
        growth = scale if method == REVERSE else scale**2
        total += row.seconds * growth * (1 + min(row.repeats, 2))  # count + timing
    return total


def parameter_count(nin: int, hidden: Sequence[int]) -> int:
    """P for MLP(nin, [*hidden, 1]): a weight per input and a bias, per neuron."""
    sizes = [nin, *hidden, 1]
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


# ---------------------------------------------------------------------------------
# The accuracy of finite differences against the step h.


def accuracy_function(x: Value) -> Value:
    """The fixed function of the accuracy picture: sin(x) * exp(x) / (1 + x**2)."""
    return x.sin() * x.exp() / (1.0 + x * x)


ACCURACY_POINT = 1.0


@dataclass
class AccuracyResult:
    """Errors of forward and central differences against the exact derivative."""

    steps: list[float]
    errors: dict[str, list[float]]
    exact: float

    def best(self, method: str) -> tuple[float, float]:
        """The step with the smallest error, and that error."""
        errors = self.errors[method]
        i = min(range(len(errors)), key=errors.__getitem__)
        return self.steps[i], errors[i]


def measure_accuracy(points_per_decade: int) -> AccuracyResult:
    """Error of each finite difference as h goes from 1e-1 to 1e-15."""
    exact = autograd.grad(accuracy_function)(ACCURACY_POINT)
    n = 14 * points_per_decade
    steps = [10.0 ** (-1.0 - 14.0 * k / n) for k in range(n + 1)]
    errors: dict[str, list[float]] = {CENTRAL: [], FORWARD_DIFF: []}
    for method, name in ((CENTRAL, "central"), (FORWARD_DIFF, "forward")):
        for h in steps:
            (estimate,) = autograd.numeric_grad(
                accuracy_function, [ACCURACY_POINT], eps=h, method=name
            )
            errors[method].append(abs(estimate - exact))
    return AccuracyResult(steps, errors, exact)


# ---------------------------------------------------------------------------------
# Reporting.


def format_table(results: Sequence[SizeResult]) -> str:
    """The measurements as a text table, one block of rows per size."""
    header = (
        f"{'P':>6}  {'method':<28}{'evaluations':>12}{'ops':>13}"
        f"{'time':>12}{'vs reverse':>12}{'max |diff|':>12}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        reverse_time = result.rows[REVERSE].seconds
        lines.append(f"{result.shape}, P = {result.params:,}")
        for method in METHODS:
            row = result.rows[method]
            ops = "-" if row.ops is None else f"{row.ops:,}"
            ratio = row.seconds / reverse_time
            lines.append(
                f"{row.params:>6,}  {method:<28}{row.evaluations:>12,}{ops:>13}"
                f"{duration(row.seconds):>12}{ratio:>11.1f}x"
                f"{row.max_difference:>12.1e}"
            )
        lines.append("")
    return "\n".join(lines)


def crossover(results: Sequence[SizeResult]) -> tuple[int | None, int | None]:
    """The largest P where plain-float differences beat reverse mode, the first where
    they lose (None when there is none)."""
    last_win, first_loss = None, None
    for result in results:
        if result.rows[PLAIN].seconds < result.rows[REVERSE].seconds:
            last_win = result.params
        elif first_loss is None:
            first_loss = result.params
    return last_win, first_loss


def summary(results: Sequence[SizeResult], accuracy: AccuracyResult) -> str:
    """The closing paragraph: the answer in plain words with the measured numbers."""
    big = results[-1]
    rows = big.rows
    reverse = rows[REVERSE].seconds
    ratio = big.backward_seconds / big.forward_seconds
    graph_factor = big.forward_seconds / big.float_forward_seconds
    predicted = graph_factor * (1.0 + ratio) / 2.0
    win, loss = crossover(results)
    lines = [
        f"At the largest size, P = {big.params:,} parameters, one gradient by reverse "
        f"mode took {duration(reverse)}: a forward pass that records the graph "
        f"({duration(big.forward_seconds)}) and one backward pass "
        f"({duration(big.backward_seconds)}, {ratio:.1f}x the forward pass).",
        f"Central differences needed {rows[CENTRAL].evaluations:,} evaluations of the "
        f"loss and took {duration(rows[CENTRAL].seconds)}: reverse mode was "
        f"{rows[CENTRAL].seconds / reverse:,.0f}x faster. Forward differences "
        f"({rows[FORWARD_DIFF].evaluations:,} evaluations) took "
        f"{duration(rows[FORWARD_DIFF].seconds)}; forward mode, exact but one pass "
        f"per parameter, took {duration(rows[FORWARD_MODE].seconds)} "
        f"({rows[FORWARD_MODE].seconds / reverse:,.0f}x reverse mode).",
        f"Finite differences on plain floats (no graph) took "
        f"{duration(rows[PLAIN].seconds)}, {rows[PLAIN].seconds / reverse:,.1f}x "
        f"reverse mode. Building a graph costs a constant factor: here one forward "
        f"pass on Values took {graph_factor:.0f}x one on plain floats. Finite "
        f"differences cost a factor P: 2P plain forward passes against about "
        f"{1 + ratio:.1f} graph forward passes for backprop, so backprop wins once "
        f"2P > {graph_factor:.0f} x {1 + ratio:.1f}, near P = {predicted:,.0f}.",
    ]
    if win is not None and loss is not None:
        lines.append(
            f"Measured: plain-float differences were faster up to P = {win:,} and "
            f"slower from P = {loss:,} on."
        )
    elif loss is not None:
        lines.append(
            f"Measured: reverse mode was faster at every size (P >= {loss:,})."
        )
    else:
        lines.append("Measured: plain-float differences were faster at every size run.")
    central_h, central_error = accuracy.best(CENTRAL)
    forward_h, forward_error = accuracy.best(FORWARD_DIFF)
    lines.append(
        f"Accuracy: finite differences are approximate at any step. For "
        f"sin(x) e^x / (1 + x^2) at x = {ACCURACY_POINT:g}, the best central step "
        f"(h = {central_h:.0e}) left an error of {central_error:.0e}, the best "
        f"forward step (h = {forward_h:.0e}) {forward_error:.0e}; reverse and "
        f"forward mode differ from each other by at most "
        f"{max(r.rows[FORWARD_MODE].max_difference for r in results):.0e} on the MLPs."
    )
    return "\n".join(lines)


def markdown_sizes_table(results: Sequence[SizeResult]) -> str:
    """One gradient's time per method and size, the fastest in bold, for the docs."""
    header = ["P", *(f"{method}" for method in METHODS)]
    rows = []
    for result in results:
        fastest = min(METHODS, key=lambda m: result.rows[m].seconds)
        cells = [count(result.params)]
        for method in METHODS:
            text = duration(result.rows[method].seconds)
            cells.append(f"**{text}**" if method == fastest else text)
        rows.append(cells)
    return markdown_table(header, rows)


def plain_sentence(results: Sequence[SizeResult]) -> str:
    """Where plain-float differences beat reverse mode in this run, in words."""
    win, loss = crossover(results)
    if win is not None and loss is not None:
        return (
            f"In this run plain floats were the fastest up to P = {win:,} and lost "
            f"from P = {loss:,} on."
        )
    if loss is not None:
        return (
            f"In this run reverse mode was faster even at the smallest size, "
            f"P = {loss:,}."
        )
    return "In this run plain floats were the fastest at every size."


def figures(
    results: Sequence[SizeResult], accuracy: AccuracyResult
) -> dict[str, object]:
    """What this part measured, as strings formatted for the docs (a results file)."""
    big = results[-1]
    rows = big.rows
    reverse = rows[REVERSE].seconds
    graph_factor = big.forward_seconds / big.float_forward_seconds
    backward_ratio = big.backward_seconds / big.forward_seconds
    win, loss = crossover(results)
    central_h, central_error = accuracy.best(CENTRAL)
    forward_h, forward_error = accuracy.best(FORWARD_DIFF)
    modes_agree = max(r.rows[FORWARD_MODE].max_difference for r in results)

    def method(name: str) -> dict[str, str]:
        row = rows[name]
        entry = {
            "time": duration(row.seconds),
            "vs_reverse": ratio(row.seconds / reverse),
            "evaluations": count(row.evaluations),
            "max_difference": f"{row.max_difference:.0e}",
        }
        if row.ops is not None:
            entry["ops"] = count(row.ops)
        return entry

    return {
        "range": f"{results[0].shape} to {big.shape}",
        "sizes_table": markdown_sizes_table(results),
        "text_table": format_table(results),
        "largest": {
            "params": count(big.params),
            "shape": big.shape,
            "forward_pass": duration(big.forward_seconds),
            "backward_pass": duration(big.backward_seconds),
            "backward_over_forward": f"{backward_ratio:.1f}x",
            "graph_factor": f"{graph_factor:.0f}x",
            "methods": {
                "reverse": method(REVERSE),
                "forward_mode": method(FORWARD_MODE),
                "central": method(CENTRAL),
                "forward_differences": method(FORWARD_DIFF),
                "plain": method(PLAIN),
            },
        },
        "plain_floats": {
            "sentence": plain_sentence(results),
            "last_win": "none" if win is None else count(win),
            "first_loss": "none" if loss is None else count(loss),
            "predicted_crossover": count(
                round(graph_factor * (1.0 + backward_ratio) / 2.0)
            ),
        },
        "accuracy": {
            "point": f"{ACCURACY_POINT:g}",
            "central_h": f"{central_h:.0e}",
            "central_error": f"{central_error:.0e}",
            "forward_h": f"{forward_h:.0e}",
            "forward_error": f"{forward_error:.0e}",
            "modes_agree": f"{modes_agree:.0e}",
        },
        "summary": summary(results, accuracy),
    }


def plot_cost(results: Sequence[SizeResult], path: str, clock: str = "wall") -> None:
    """Log-log plots of wall time and of ops against P, one line per method."""
    import matplotlib.pyplot as plt

    params = [r.params for r in results]
    figure, (times, ops) = plt.subplots(1, 2, figsize=(10, 4.2))
    for method in METHODS:
        colour, marker = STYLES[method]
        times.plot(
            params,
            [r.rows[method].seconds for r in results],
            color=colour,
            marker=marker,
            markersize=4,
            label=method,
        )
        if method != PLAIN:
            ops.plot(
                params,
                [r.rows[method].ops for r in results],
                color=colour,
                marker=marker,
                markersize=4,
                label=method,
            )
    times.set_title(f"{clock} time of one gradient (median)")
    times.set_ylabel("seconds")
    ops.set_title("ops counted (nodes made + backward/tangent steps)")
    ops.set_ylabel("ops")
    for axes in (times, ops):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("parameters P")
        axes.grid(True, which="major", alpha=0.3)
    times.legend(fontsize=8)
    figure.suptitle(
        "Cost of the gradient of an MLP's loss: finite differences grow as P²"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_accuracy(accuracy: AccuracyResult, path: str) -> None:
    """Log-log plot of the error of each finite difference against h, best h marked."""
    import matplotlib.pyplot as plt

    floor = 1e-17  # an exact hit (error 0) is drawn at the floor of the plot
    figure, axes = plt.subplots(figsize=(7, 4.2))
    # Labels go to the right of the best point, where the curves are already high.
    for method in (FORWARD_DIFF, CENTRAL):
        colour, _ = STYLES[method]
        errors = [max(e, floor) for e in accuracy.errors[method]]
        axes.plot(accuracy.steps, errors, color=colour, label=method)
        h, error = accuracy.best(method)
        axes.plot([h], [max(error, floor)], "o", color=colour, markersize=8)
        axes.annotate(
            f"best h = {h:.0e}, error {error:.0e}",
            (h, max(error, floor)),
            textcoords="offset points",
            xytext=(10, -3),
            ha="left",
            va="center",
            fontsize=8,
            color=colour,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("step h")
    axes.set_ylabel("|estimate - exact derivative|")
    axes.set_title(
        "Finite differences of sin(x) e^x / (1 + x²) at x = 1\n"
        "round-off (left) against truncation (right)",
        fontsize=10,
    )
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8, loc="upper center")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


# ---------------------------------------------------------------------------------


def run(
    shapes: Sequence[tuple[int, tuple[int, ...]]],
    budget: float,
    repeats: int,
    enough: float,
    points_per_decade: int,
    out: str,
    clock: str = "wall",
) -> tuple[list[SizeResult], AccuracyResult]:
    """Measure sizes in order while the next one fits the budget; plot; report."""
    global _clock
    _clock = CLOCKS[clock]
    import matplotlib

    matplotlib.use("Agg")
    from tqdm import tqdm

    os.makedirs(out, exist_ok=True)
    started = time.perf_counter()
    results: list[SizeResult] = []
    bar = tqdm(total=len(shapes) * len(METHODS), disable=None, leave=False)
    for nin, hidden in shapes:
        params = parameter_count(nin, hidden)
        if results:
            needed = predicted_seconds(results[-1], params)
            elapsed = time.perf_counter() - started
            if elapsed + needed > budget:
                bar.close()
                print(
                    f"(stopping before P = {params:,}: it would take about "
                    f"{needed:.0f} s more, past the {budget:.0f} s budget; "
                    f"--budget to change)"
                )
                break

        def on_method(method: str, params: int = params) -> None:
            bar.set_description(f"P = {params:,}: {method}")
            bar.update(1)

        results.append(measure_size(Problem(nin, hidden), repeats, enough, on_method))
    bar.close()
    accuracy = measure_accuracy(points_per_decade)
    plot_cost(results, os.path.join(out, "cost.png"), clock)
    plot_accuracy(accuracy, os.path.join(out, "accuracy.png"))
    return results, accuracy
