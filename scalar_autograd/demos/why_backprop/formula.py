"""Question 2: "Why not differentiate the whole error function at once?"

The honest answer has two halves, and this part measures both.

* Backprop *is* the derivative of the whole function: one backward pass gives all P
  partial derivatives of the loss, the full gradient vector, and they agree with
  central differences of the whole loss (``gradient_vector``).
* Writing that derivative out as a formula, without sharing subexpressions, explodes.
  Baydin et al. (JMLR 2018, Table 1) show it on the logistic map
  l(n+1) = 4 l(n) (1 - l(n)): the graph grows by five nodes a step, the formula
  written out doubles, its derivative written out quadruples (``expression_swell``,
  sizes by ``autograd.tree_size``). The chain rule written as a sum over every path
  from a weight to the loss has one term per path, and an MLP of depth L has about
  width**(L-1) of them per weight; backprop shares the paths' common parts and visits
  each edge of the graph once (``path_growth``, counts by ``autograd.path_count``).
  Recorded as a program (``autograd.Tape``), the same derivative is a few lines per
  step of the map: the shared form, printed.
"""

from __future__ import annotations

import functools
import math
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import autograd
from autograd import Value
from scalar_autograd.demos.why_backprop.nudging import (
    N_INPUTS,
    Problem,
    reverse_mode,
)
from scalar_autograd.demos.why_backprop.results import (
    count,
    duration,
    markdown_table,
    scientific,
)

__all__ = [
    "DepthRow",
    "GradientVector",
    "SwellRow",
    "edge_count",
    "expression_swell",
    "format_depth_table",
    "format_swell_table",
    "gradient_by_paths",
    "gradient_vector",
    "logistic_map",
    "path_growth",
    "paths_to_root",
    "plot_formula",
    "written_out",
]

LOGISTIC_START = 0.3  # l(0) = x; any point of (0, 1) gives the same graph
PATH_WIDTH = 8  # hidden neurons per layer in the depth sweep


# ---------------------------------------------------------------------------------
# Expression swell on the logistic map.


def logistic_map(n: int, x: float = LOGISTIC_START) -> tuple[Value, Value]:
    """The leaf x = l(0) and l(n), with l(k+1) = 4 l(k) (1 - l(k)) built as Values."""
    leaf = Value(x, label="x")
    lk = leaf
    for _ in range(n):
        lk = 4.0 * lk * (1.0 - lk)
    return leaf, lk


@dataclass(frozen=True)
class SwellRow:
    """The sizes of l(n) and of its derivative, as graphs and as written-out trees."""

    n: int
    graph_nodes: int  # nodes of l(n)'s graph
    tree_nodes: int  # nodes of l(n) written out (tree_size)
    derivative_graph_nodes: int  # nodes of the graph of dl(n)/dx (create_graph)
    derivative_tree_nodes: int  # nodes of dl(n)/dx written out (tree_size)
    backward_steps: int  # nodes a plain backward pass processes
    backward_edges: int  # multiply-adds it does (one per edge)
    derivative: float  # dl(n)/dx at x, from the derivative graph
    program_forward_lines: int  # autograd.Tape(l(n), [x]) printed as Python: forward
    program_backward_lines: int  # and backward lines (one per chain-rule term)


def expression_swell(ns: Sequence[int]) -> list[SwellRow]:
    """Baydin et al.'s Table 1, measured: one row per n."""
    rows = []
    for n in ns:
        x, ln = logistic_map(n)
        ln.backward(create_graph=True)  # x.grad is dl(n)/dx, a Value with a graph
        derivative = x.grad
        if not isinstance(derivative, Value):  # n = 0: the seed itself
            derivative = Value(derivative)
        with autograd.count_ops() as counted:
            _, plain = logistic_map(n)
            plain.backward()
        leaf, recorded = logistic_map(n)
        program = autograd.Tape(recorded, [leaf]).program()
        rows.append(
            SwellRow(
                n=n,
                graph_nodes=len(autograd.topological_order(ln)),
                tree_nodes=autograd.tree_size(ln),
                derivative_graph_nodes=len(autograd.topological_order(derivative)),
                derivative_tree_nodes=autograd.tree_size(derivative),
                backward_steps=counted.backward_steps,
                backward_edges=edge_count(plain),
                derivative=derivative.data,
                program_forward_lines=program.forward_lines,
                program_backward_lines=program.backward_lines,
            )
        )
    return rows


def edge_count(root: Value) -> int:
    """The edges of ``root``'s graph: one multiply-add each in a backward pass."""
    return sum(len(v.inputs) for v in autograd.topological_order(root))


_PRECEDENCE = {"add": 1, "sub": 1, "sum": 1, "mul": 2, "div": 2, "neg": 3}
_SYMBOLS = {"add": " + ", "sub": " - ", "mul": "·", "div": " / "}


def written_out(root: Value, limit: int = 2_000) -> str:
    """``root`` written out as one formula, every shared part copied at each use.

    Leaves print as their label, or their number; ``+ - · /`` are infix with the
    parentheses precedence needs, other ops as calls. Raises ValueError past
    ``limit`` nodes (the point of the exercise is that formulas get long).
    """
    size = autograd.tree_size(root)
    if size > limit:
        raise ValueError(
            f"written_out: the formula has {size:,} nodes, more than limit={limit:,}"
        )
    # Post-order over the tree (not the graph: a shared node is printed at each use),
    # each entry (text, precedence of its top op).
    done: list[tuple[str, int]] = []
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if not node.inputs:
            if node.label:
                done.append((node.label, 4))
            else:  # a negative number is parenthesized wherever it is an operand
                done.append((f"{node.data:g}", 4 if node.data >= 0 else 0))
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((x, False) for x in reversed(node.inputs))
            continue
        arity = len(node.inputs)
        args = done[len(done) - arity :]
        del done[len(done) - arity :]
        done.append(_infix(node.op, args))
    (text, _) = done[0]
    return text


def _infix(op: str, args: list[tuple[str, int]]) -> tuple[str, int]:
    """One op's text from its arguments' texts and precedences."""
    mine = _PRECEDENCE.get(op)
    if op in _SYMBOLS and len(args) == 2 and mine is not None:
        (left, lp), (right, rp) = args
        if lp < mine:
            left = f"({left})"
        if rp < mine or (rp == mine and op in ("sub", "div")):
            right = f"({right})"
        return f"{left}{_SYMBOLS[op]}{right}", mine
    if op == "neg" and mine is not None:
        (arg, ap) = args[0]
        return (f"-{arg}" if ap >= mine else f"-({arg})"), mine
    inner = ", ".join(text for text, _ in args)
    return f"{op}({inner})", 4


def format_swell_table(rows: Sequence[SwellRow], markdown: bool = False) -> str:
    """The expression-swell table, for the terminal or (``markdown``) the docs."""
    header = [
        "n",
        "l(n): graph nodes",
        "l(n) written out",
        "dl(n)/dx: graph nodes",
        "dl(n)/dx written out",
        "backward steps",
        "as a program: forward + backward lines",
    ]
    cells = [
        [
            str(r.n),
            count(r.graph_nodes),
            scientific(r.tree_nodes),
            count(r.derivative_graph_nodes),
            scientific(r.derivative_tree_nodes),
            count(r.backward_steps),
            f"{r.program_forward_lines:,} + {r.program_backward_lines:,}",
        ]
        for r in rows
    ]
    if markdown:
        return markdown_table(header, cells)
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines.append("-" * len(lines[0]))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------
# Paths from a weight to the loss, against the edges backprop visits.


def paths_to_root(root: Value) -> dict[Value, int]:
    """For every node of ``root``'s graph, its number of paths up to ``root``.

    One pass from the root down: ``path_count(root, v)`` for every ``v`` at once.
    """
    paths: dict[Value, int] = {root: 1}
    for v in reversed(autograd.topological_order(root)):
        p = paths.get(v, 0)
        for x in v.inputs:
            paths[x] = paths.get(x, 0) + p
    return paths


def gradient_by_paths(loss: Value, wrt: Sequence[Value]) -> list[float]:
    """d(loss)/dw for each w by the chain rule written over paths, term by term.

    Every directed path from w up to the loss contributes the product of the local
    partials along its edges; the derivative is the sum of those products. The
    local partials come from ``autograd.backward_steps`` (which also leaves the
    backprop gradients in ``.grad``); the sum is one term per path, nothing shared.
    """
    consumers: dict[Value, list[tuple[Value, float]]] = {}
    for step in autograd.backward_steps(loss):
        for x, partial in zip(step.node.inputs, step.partials):
            consumers.setdefault(x, []).append((step.node, partial))
    gradient = []
    for w in wrt:
        total = 0.0
        stack = [(w, 1.0)]
        while stack:
            node, product = stack.pop()
            if node is loss:
                total += product  # one complete path: one term of the sum
                continue
            for consumer, partial in consumers.get(node, ()):
                stack.append((consumer, product * partial))
        gradient.append(total)
    return gradient


@dataclass(frozen=True)
class DepthRow:
    """One MLP depth: its paths, its edges, and both ways to its gradient."""

    depth: int  # hidden layers
    width: int  # neurons per hidden layer
    shape: str
    params: int
    nodes: int
    edges: int  # multiply-adds in one backward pass
    paths_one: int  # paths from the first first-layer weight to the loss
    paths_all: int  # paths from all P parameters to the loss: terms of the path sum
    backprop_seconds: float
    paths_seconds: float | None  # summing every path, when it was run
    max_difference: float | None  # |path sum - backprop| / max |backprop|, if run

    @property
    def measured(self) -> bool:
        """Whether the path sum was run (rather than estimated) at this depth."""
        return self.paths_seconds is not None


Timer = Callable[[], float]  # time.perf_counter (wall) or time.process_time (CPU)


def _median_seconds(run: Callable[[], object], repeats: int, timer: Timer) -> float:
    times = []
    for _ in range(repeats):
        start = timer()
        run()
        times.append(timer() - start)
    return statistics.median(times)


def path_growth(
    depths: Sequence[int],
    width: int = PATH_WIDTH,
    path_limit: int = 200_000,
    timer: Timer = time.perf_counter,
) -> list[DepthRow]:
    """Paths against edges for MLP(4, [width] * depth + [1]) on the demo's MSE loss.

    The path sum is run (and timed, and checked against backprop) while it has at
    most ``path_limit`` terms; deeper, only its terms are counted.
    """
    rows = []
    for depth in depths:
        problem = Problem(N_INPUTS, (width,) * depth)
        loss = problem.loss()
        paths = paths_to_root(loss)
        parameters = problem.parameters
        paths_all = sum(paths.get(p, 0) for p in parameters)
        backprop_seconds = _median_seconds(
            functools.partial(reverse_mode, problem), 5, timer
        )
        paths_seconds = max_difference = None
        if paths_all <= path_limit:
            exact = reverse_mode(problem)
            start = timer()
            by_paths = gradient_by_paths(problem.loss(), parameters)
            paths_seconds = timer() - start
            scale = max(abs(g) for g in exact) or 1.0
            max_difference = max(abs(a - b) for a, b in zip(by_paths, exact)) / scale
        rows.append(
            DepthRow(
                depth=depth,
                width=width,
                shape=problem.shape,
                params=len(parameters),
                nodes=len(autograd.topological_order(loss)),
                edges=edge_count(loss),
                paths_one=autograd.path_count(loss, parameters[0]),
                paths_all=paths_all,
                backprop_seconds=backprop_seconds,
                paths_seconds=paths_seconds,
                max_difference=max_difference,
            )
        )
    return rows


def seconds_per_path(rows: Sequence[DepthRow]) -> float:
    """The measured cost of one term of the path sum, at the largest measured depth."""
    measured = [r for r in rows if r.paths_seconds is not None]
    if not measured:
        raise ValueError("seconds_per_path: no depth had its path sum run")
    largest = max(measured, key=lambda r: r.paths_all)
    assert largest.paths_seconds is not None
    return largest.paths_seconds / largest.paths_all


def path_sum_seconds(row: DepthRow, per_path: float) -> float:
    """The path sum's time at ``row``: measured, or its terms times ``per_path``."""
    if row.paths_seconds is not None:
        return row.paths_seconds
    return row.paths_all * per_path


def crossover_depth(rows: Sequence[DepthRow]) -> int | None:
    """The first depth where one weight's paths outnumber all the graph's edges."""
    for row in rows:
        if row.paths_one > row.edges:
            return row.depth
    return None


def long_duration(seconds: float) -> str:
    """A duration that may be years: "3.2 s", "4.1 hours", "2,300 years"."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600)):
        if seconds >= size:
            value = seconds / size
            return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"
    if seconds >= 60:
        return f"{seconds / 60:.1f} minutes"
    return duration(seconds)


def format_depth_table(rows: Sequence[DepthRow], markdown: bool = False) -> str:
    """Paths against edges by depth, with both ways to the gradient timed."""
    per_path = seconds_per_path(rows)
    header = [
        "hidden layers" if not markdown else "layers",
        "P",
        "paths, one weight",
        "paths, all weights",
        "edges",
        "backprop",
        "sum over paths",
    ]

    def big(n: int) -> str:  # compact in the docs' table: the digits say little
        if markdown:
            return scientific(n, exact_up_to=10**7).split(" (")[0]
        return scientific(n)

    cells = []
    for r in rows:
        if r.paths_seconds is not None:
            paths_time = duration(r.paths_seconds)
        else:
            paths_time = f"~{long_duration(path_sum_seconds(r, per_path))} (est.)"
        cells.append(
            [
                str(r.depth),
                count(r.params),
                big(r.paths_one),
                big(r.paths_all),
                count(r.edges),
                duration(r.backprop_seconds),
                paths_time,
            ]
        )
    if markdown:
        return markdown_table(header, cells)
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines.append("-" * len(lines[0]))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------
# The full gradient vector in one pass.


@dataclass(frozen=True)
class GradientVector:
    """All P partials by one backward pass, against central differences of the loss."""

    shape: str
    params: int
    evaluations: int  # of the whole loss, by central differences
    backprop_seconds: float
    central_seconds: float
    max_relative: float  # max |backprop - central| / max |backprop|
    median_relative: float  # median over the partials of |backprop - central| / |b|


def gradient_vector(
    problem: Problem, timer: Timer = time.perf_counter
) -> GradientVector:
    """One backward pass against 2P evaluations of the whole loss (each timed once,
    backprop as the median of five)."""
    exact = reverse_mode(problem)
    backprop_seconds = _median_seconds(
        functools.partial(reverse_mode, problem), 5, timer
    )
    with autograd.count_ops() as counted:
        start = timer()
        central = autograd.numeric_grad(problem.loss_of, problem.weights)
        central_seconds = timer() - start
    scale = max(abs(g) for g in exact)
    differences = [abs(a - b) for a, b in zip(exact, central)]
    relative = [d / abs(a) for d, a in zip(differences, exact) if a != 0.0]
    return GradientVector(
        shape=problem.shape,
        params=len(exact),
        evaluations=counted.evaluations,
        backprop_seconds=backprop_seconds,
        central_seconds=central_seconds,
        max_relative=max(differences) / scale,
        median_relative=statistics.median(relative) if relative else math.nan,
    )


# ---------------------------------------------------------------------------------
# The picture.


def plot_formula(
    swell: Sequence[SwellRow], depths: Sequence[DepthRow], path: str
) -> None:
    """Two log-scale panels: the logistic map's sizes by n, paths and edges by depth."""
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    ns = [r.n for r in swell]
    series = (
        (
            "dl(n)/dx written out",
            [r.derivative_tree_nodes for r in swell],
            "tab:red",
            "v",
        ),
        ("l(n) written out", [r.tree_nodes for r in swell], "tab:orange", "^"),
        (
            "dl(n)/dx as a graph",
            [r.derivative_graph_nodes for r in swell],
            "tab:purple",
            "s",
        ),
        ("l(n) as a graph", [r.graph_nodes for r in swell], "tab:green", "D"),
        ("backward steps", [r.backward_steps for r in swell], "tab:blue", "o"),
    )
    for label, values, colour, marker in series:
        left.plot(ns, values, color=colour, marker=marker, markersize=4, label=label)
    left.set_yscale("log")
    left.set_xlabel("n (steps of the logistic map)")
    left.set_ylabel("nodes")
    left.set_title(
        "l(n+1) = 4 l(n) (1 - l(n)): formulas explode, graphs grow linearly",
        fontsize=10,
    )
    left.legend(fontsize=8)
    per_path = seconds_per_path(depths)
    ds = [r.depth for r in depths]
    right.plot(
        ds,
        [r.paths_all for r in depths],
        color="tab:red",
        marker="v",
        markersize=4,
        label="paths, all weights (terms of the path sum)",
    )
    right.plot(
        ds,
        [r.paths_one for r in depths],
        color="tab:orange",
        marker="^",
        markersize=4,
        label="paths from one first-layer weight",
    )
    right.plot(
        ds,
        [r.edges for r in depths],
        color="tab:blue",
        marker="o",
        markersize=4,
        label="edges (backprop: one multiply-add each)",
    )
    crossing = crossover_depth(depths)
    if crossing is not None:
        right.axvline(crossing, color="grey", linestyle=":", linewidth=1)
        right.annotate(
            "from here one weight's paths\noutnumber all the edges",
            (crossing, min(r.edges for r in depths)),
            textcoords="offset points",
            xytext=(5, -10),
            va="top",
            fontsize=8,
            color="grey",
        )
    deepest = depths[-1]
    right.text(
        0.03,
        0.80,
        f"at {deepest.depth} hidden layers:\n"
        f"summing over paths ~{long_duration(path_sum_seconds(deepest, per_path))}"
        " (estimated)\n"
        f"backprop {duration(deepest.backprop_seconds)} (measured)",
        transform=right.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.8"},
    )
    right.set_yscale("log")
    right.set_xlabel(
        f"hidden layers of {depths[0].width} ReLU neurons (MLP on 4 samples)"
    )
    right.set_ylabel("count")
    right.set_title("The chain rule over paths against backprop", fontsize=10)
    right.legend(fontsize=8, loc="upper left")
    for axes in (left, right):
        axes.grid(True, which="major", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


# ---------------------------------------------------------------------------------
# The part as a whole: measure, report, figures for the docs.

WRITTEN_OUT_N = 2  # the n whose l(n) and dl(n)/dx are printed in full


@dataclass
class FormulaResult:
    """Everything this part measured."""

    swell: list[SwellRow]
    formula: str  # l(WRITTEN_OUT_N) written out
    derivative_formula: str  # dl(WRITTEN_OUT_N)/dx written out, as backward built it
    depths: list[DepthRow]
    vector: GradientVector


def run(
    ns: Sequence[int],
    depths: Sequence[int],
    path_limit: int,
    vector_problem: Problem,
    out: str,
    timer: Timer = time.perf_counter,
) -> FormulaResult:
    """Measure expression swell, paths by depth and the full gradient; plot."""
    x, ln = logistic_map(WRITTEN_OUT_N)
    ln.backward(create_graph=True)
    result = FormulaResult(
        swell=expression_swell(ns),
        formula=written_out(ln),
        derivative_formula=written_out(x.grad),
        depths=path_growth(depths, path_limit=path_limit, timer=timer),
        vector=gradient_vector(vector_problem, timer),
    )
    plot_formula(result.swell, result.depths, os.path.join(out, "formula.png"))
    return result


def _program_sentence(row: SwellRow) -> str:
    return (
        f"Recorded with autograd.Tape and printed as Python, l({row.n}) and its "
        f"derivative are one program of {row.program_forward_lines} forward lines "
        f"and {row.program_backward_lines} backward lines."
    )


def _path_sentences(result: FormulaResult) -> dict[str, str]:
    """The findings about paths, in words, keyed for the report and the docs."""
    rows = result.depths
    measured = [r for r in rows if r.measured]
    largest = max(measured, key=lambda r: r.paths_all)
    per_path = seconds_per_path(rows)
    worst = max(r.max_difference or 0.0 for r in measured)
    one = crossover_depth(rows)
    every = next((r.depth for r in rows if r.paths_all > r.edges), None)
    deepest = rows[-1]
    return {
        "measured": (
            f"Summing over paths was run up to {largest.depth} hidden layers "
            f"({largest.paths_all:,} terms, {duration(largest.paths_seconds or 0.0)}, "
            f"about {per_path * 1e9:,.0f} ns a term) and gave backprop's gradient "
            f"to {worst:.0e} relative."
        ),
        "crossover": (
            f"All the weights' paths outnumber the graph's edges from "
            f"{every} hidden layers on; the paths from a single weight do from "
            f"{one} on."
            if every is not None and one is not None
            else "The paths never outnumbered the edges at these depths."
        ),
        "deepest": (
            f"At {deepest.depth} hidden layers (MLP({N_INPUTS}, [{deepest.width}] * "
            f"{deepest.depth} + [1]), P = {deepest.params:,}), the sum over paths has "
            f"{scientific(deepest.paths_all)} terms: about "
            f"{long_duration(path_sum_seconds(deepest, per_path))} at that rate, "
            f"against {duration(deepest.backprop_seconds)} for backprop's "
            f"{deepest.edges:,} multiply-adds."
        ),
    }


def _vector_sentence(vector: GradientVector) -> str:
    return (
        f"{vector.shape}: one backward pass ({duration(vector.backprop_seconds)}) "
        f"gave all {vector.params:,} partial derivatives; central differences of the "
        f"whole loss ({vector.evaluations:,} evaluations, "
        f"{duration(vector.central_seconds)}) agree with them to "
        f"{vector.max_relative:.0e} (largest difference over largest partial; "
        f"median relative difference {vector.median_relative:.0e})."
    )


def report(result: FormulaResult) -> str:
    """What this part found, for the terminal."""
    last = result.swell[-1]
    n = WRITTEN_OUT_N
    x, ln = logistic_map(n)
    ln.backward(create_graph=True)
    derivative_size = autograd.tree_size(x.grad)
    sentences = _path_sentences(result)
    return "\n".join(
        [
            "Expression swell on the logistic map l(n+1) = 4 l(n) (1 - l(n)), "
            "l(0) = x (Baydin et al. 2018, Table 1):",
            format_swell_table(result.swell),
            "",
            f"l({n}) written out ({autograd.tree_size(ln)} nodes): {result.formula}",
            f"dl({n})/dx as backward(create_graph=True) builds it, written out "
            f"({derivative_size} nodes, unsimplified):",
            f"  {result.derivative_formula}",
            f"At n = {last.n}: l(n) is a graph of {last.graph_nodes:,} nodes and "
            f"{last.tree_nodes:,} written out; dl(n)/dx a graph of "
            f"{last.derivative_graph_nodes:,} nodes and "
            f"{last.derivative_tree_nodes:,} written out; backprop takes "
            f"{last.backward_steps} steps ({last.backward_edges} multiply-adds).",
            _program_sentence(last),
            "",
            f"The chain rule summed over every path from a weight to the loss, "
            f"MLP(4, [{result.depths[0].width}] * L + [1]) with ReLU on 4 samples:",
            format_depth_table(result.depths),
            "",
            sentences["measured"],
            sentences["crossover"],
            sentences["deepest"],
            "",
            "The whole gradient in one pass: " + _vector_sentence(result.vector),
        ]
    )


def _written_out_block(result: FormulaResult, n: int) -> str:
    """l(n) and dl(n)/dx written out, as a fenced text block for the docs."""
    x, ln = logistic_map(n)
    ln.backward(create_graph=True)
    return "\n".join(
        [
            "```text",
            f"l({n}), {autograd.tree_size(ln)} nodes:",
            f"    {result.formula}",
            f"dl({n})/dx as backward(create_graph=True) builds it, "
            f"{autograd.tree_size(x.grad)} nodes:",
            f"    {result.derivative_formula}",
            "```",
        ]
    )


def figures(result: FormulaResult) -> dict[str, object]:
    """What this part measured, as strings formatted for the docs."""
    last = result.swell[-1]
    n = WRITTEN_OUT_N
    x, ln = logistic_map(n)
    ln.backward(create_graph=True)
    vector = result.vector
    deepest = result.depths[-1]
    per_path = seconds_per_path(result.depths)
    return {
        "swell_table": format_swell_table(result.swell, markdown=True),
        "swell": {
            "n": str(last.n),
            "graph_nodes": count(last.graph_nodes),
            "tree_nodes": scientific(last.tree_nodes),
            "derivative_graph_nodes": count(last.derivative_graph_nodes),
            "derivative_tree_nodes": scientific(last.derivative_tree_nodes),
            "backward_steps": count(last.backward_steps),
            "program_forward_lines": count(last.program_forward_lines),
            "program_backward_lines": count(last.program_backward_lines),
            "program_sentence": _program_sentence(last),
        },
        "written_out": {
            "block": _written_out_block(result, n),
            "n": str(n),
            "formula": result.formula,
            "formula_nodes": count(autograd.tree_size(ln)),
            "derivative": result.derivative_formula,
            "derivative_nodes": count(autograd.tree_size(x.grad)),
        },
        "depth_table": format_depth_table(result.depths, markdown=True),
        "paths": {
            **_path_sentences(result),
            "crossover_one_weight": str(crossover_depth(result.depths)),
            "deepest_depth": str(deepest.depth),
            "deepest_terms": scientific(deepest.paths_all),
            "deepest_estimate": long_duration(path_sum_seconds(deepest, per_path)),
            "deepest_backprop": duration(deepest.backprop_seconds),
        },
        "vector": {
            "shape": vector.shape,
            "params": count(vector.params),
            "evaluations": count(vector.evaluations),
            "backprop": duration(vector.backprop_seconds),
            "central": duration(vector.central_seconds),
            "max_relative": f"{vector.max_relative:.0e}",
            "median_relative": f"{vector.median_relative:.0e}",
            "sentence": _vector_sentence(vector),
        },
    }
