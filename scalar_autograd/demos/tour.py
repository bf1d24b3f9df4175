"""The tour: a neuron's backward pass, why backprop, blame layer by layer, two moons.

1. micrograd's neuron, tanh(x1*w1 + x2*w2 + b): its graph, and its backward pass step
   by step (SVG, PNG, an animated GIF and an HTML page with a slider).
2. Why backprop: the gradient of an MLP's loss by finite differences and by backprop,
   for growing parameter counts P, timed (two plots); and why not differentiate the
   whole formula: the logistic map's expression swell, measured (a table).
3. Blame layer by layer: one backward pass of MLP(2, [16, 16, 1]) on one point,
   read as the network diagram: each neuron's error signal delta, each weight's
   gradient delta times its input.
4. Two moons: the same MLP trained to separate them (the decision boundary and the
   loss curve).

At the end it prints the folder it wrote and the numbers it measured. ``--quick``
runs smaller sizes (under 30 seconds); it is the default when CI=true. ``--results
FILE`` also writes those numbers, formatted for the docs, as JSON
(``docs/results/tour.json``).

    scalar-autograd tour [--quick | --full] [--out out/tour] [--budget 25]
        [--results FILE]

``python -m scalar_autograd.demos.tour`` is the same; the notebook tells the same
story with these functions.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from collections.abc import Sequence

import autograd
from autograd import Value, viz
from scalar_autograd.demos import backward_pass, moons, why_backprop
from scalar_autograd.demos.why_backprop import formula, layers
from scalar_autograd.demos.why_backprop.results import write_results


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much the tour measures: the MLP shapes, time budgets and moons steps."""

    shapes: tuple[tuple[int, tuple[int, ...]], ...]  # (inputs, hidden widths)
    budget: float  # seconds for the size sweep; sizes past it are skipped
    repeats: int  # timing runs per method and size (median)
    enough: float  # stop repeating once this many seconds were spent
    points_per_decade: int  # of the step h in the accuracy plot
    moons_steps: int
    resolution: int  # grid points per side of the decision-boundary plot
    swell_ns: tuple[int, ...] = tuple(range(1, 13))  # steps of the logistic map


FULL = Sizes(why_backprop.SHAPES[:7], 25.0, 3, 0.2, 4, 100, 120)  # up to P = 745
QUICK = Sizes(why_backprop.SHAPES[:5], 6.0, 3, 0.05, 2, 100, 60)  # up to P = 121

# What each file shows, in the order the tour writes them.
FILES = {
    "neuron_graph.svg": "the neuron's graph, every grad filled in",
    "neuron_graph.png": "the same, as a PNG",
    "neuron_backward.gif": "the backward pass, one frame per step",
    "neuron_backward.html": "the same with a slider and play button (open it)",
    "cost.png": "time of one gradient against P, per method",
    "accuracy.png": "error of finite differences against the step h",
    **layers.NETWORK_PICTURES,  # the layer view, step 3
    "moons_decision_boundary.png": "the trained classifier and the data",
    "moons_loss.png": "loss and accuracy per training step",
}


def neuron_program(root: Value) -> str:
    """The neuron's backward pass as a program: ``autograd.Tape(...).source()``."""
    leaves = [v for v in autograd.topological_order(root) if not v.inputs]
    tape = autograd.Tape(root, leaves, backend="python")
    return (
        "The same pass, recorded and printed as Python (autograd.Tape(o, "
        "leaves).source()):\n\n" + tape.source()
    )


def compare_gradients(
    out: str, sizes: Sizes
) -> tuple[list[why_backprop.SizeResult], why_backprop.AccuracyResult]:
    """Time finite differences against backprop on growing MLPs; write two plots."""
    return why_backprop.run(
        sizes.shapes,
        sizes.budget,
        repeats=sizes.repeats,
        enough=sizes.enough,
        points_per_decade=sizes.points_per_decade,
        out=out,
    )


def gradient_table(results: Sequence[why_backprop.SizeResult]) -> str:
    """One gradient's time by backprop and by central differences, per size."""
    lines = [
        f"{'P':>6}  {'backprop':>10}  {'central differences':>29}"
        f"  {'the same on plain floats':>29}"
    ]
    for result in results:
        reverse = result.rows[why_backprop.REVERSE].seconds
        central = result.rows[why_backprop.CENTRAL].seconds
        plain = result.rows[why_backprop.PLAIN].seconds
        lines.append(
            f"{result.params:>6,}  {_ms(reverse):>10}"
            f"  {_ms(central):>10} = {_times(central / reverse):>6} backprop"
            f"  {_ms(plain):>10} = {_times(plain / reverse):>6} backprop"
        )
    return "\n".join(lines)


def train_moons(out: str, sizes: Sizes) -> tuple[moons.Result, float]:
    """Train on two moons with a progress bar, write two plots; seconds per step."""
    from tqdm import tqdm

    with tqdm(
        total=sizes.moons_steps, desc="training", unit="step", disable=None
    ) as bar:

        def on_step(k: int, loss: float, accuracy: float) -> None:
            bar.set_postfix(
                loss=f"{loss:.4f}", accuracy=f"{accuracy:.0%}", refresh=False
            )
            bar.update()

        start = time.perf_counter()
        result = moons.train(sizes.moons_steps, on_step=on_step)
        seconds_per_step = (time.perf_counter() - start) / sizes.moons_steps
    moons.plot_decision_boundary(
        result,
        os.path.join(out, "moons_decision_boundary.png"),
        resolution=sizes.resolution,
    )
    moons.plot_loss_curve(result, os.path.join(out, "moons_loss.png"))
    return result, seconds_per_step


def expression_swell(sizes: Sizes) -> list[formula.SwellRow]:
    """The logistic map's sizes as graphs and written out, for n in the sizes."""
    return formula.expression_swell(sizes.swell_ns)


def swell_text(rows: Sequence[formula.SwellRow]) -> str:
    """The expression-swell table and what it says, for the terminal."""
    last = rows[-1]
    return "\n".join(
        [
            "The whole formula at once? l(n+1) = 4 l(n) (1 - l(n)), l(0) = x, as a "
            "graph and written out:",
            formula.format_swell_table(rows),
            f"Written out, l({last.n}) has {last.tree_nodes:,} nodes and its "
            f"derivative {last.derivative_tree_nodes:,}; as graphs {last.graph_nodes} "
            f"and {last.derivative_graph_nodes}. Backprop shares every repeated part: "
            f"{last.backward_steps} steps.",
        ]
    )


def layer_view(out: str) -> tuple[list[layers.LayerBlame], list[str]]:
    """One backward pass of the untrained MLP on one point, read layer by layer,
    and its pictures (the files written)."""
    model, points, labels = layers.moons_start()
    x, y = points[layers.BLAME_SAMPLE], labels[layers.BLAME_SAMPLE]
    _, _, blame = layers.blame(model, x, layers.hinge_of(y))
    return blame, layers.network_pictures(model, x, layers.hinge_of(y), out)


def blame_text(blame: Sequence[layers.LayerBlame]) -> str:
    """The blame table and what it says, for the terminal."""
    exact = sum(layer.weights_exact for layer in blame)
    total = sum(layer.weights for layer in blame)
    return "\n".join(
        [
            layers.format_blame_table(blame),
            f"Each weight's gradient is its neuron's delta times its input: {exact:,} "
            f"of {total:,} bit for bit; a dead ReLU (delta 0) passes no blame down.",
        ]
    )


def summary(
    neuron: Value,
    results: Sequence[why_backprop.SizeResult],
    trained: moons.Result,
    seconds_per_step: float,
    swell: Sequence[formula.SwellRow] = (),
    blame: Sequence[layers.LayerBlame] = (),
) -> str:
    """The numbers the tour measured, in a few lines."""
    order = autograd.topological_order(neuron)
    steps = sum(1 for v in order if v.inputs)
    leaves = ", ".join(f"do/d{v.label} = {v.grad:.4f}" for v in order if not v.inputs)
    largest = results[-1]
    reverse = largest.rows[why_backprop.REVERSE].seconds
    central = largest.rows[why_backprop.CENTRAL]
    plain = largest.rows[why_backprop.PLAIN].seconds
    lines = [
        "Measured:",
        f"  the neuron: o = {neuron.data:.4f}; one backward pass ({steps} steps) gave",
        f"    {leaves}",
        f"  one gradient of an MLP's loss, P = {largest.params:,} parameters:",
        f"    backprop {_ms(reverse)}; central differences "
        f"({central.evaluations:,} evaluations) {_ms(central.seconds)}, "
        f"{_times(central.seconds / reverse)} slower;",
        f"    central differences on plain floats (no graph) {_ms(plain)}, "
        f"{_times(plain / reverse)} slower",
        f"  backward pass / forward pass time at P = {largest.params:,}: "
        f"{largest.backward_seconds / largest.forward_seconds:.1f}x",
    ]
    if swell:
        last = swell[-1]
        lines += [
            f"  the logistic map's l({last.n}): a graph of {last.graph_nodes} nodes; "
            f"written out {last.tree_nodes:,},",
            f"    its derivative written out {last.derivative_tree_nodes:,}; "
            f"backprop {last.backward_steps} steps",
        ]
    if blame:
        exact = sum(layer.weights_exact for layer in blame)
        total = sum(layer.weights for layer in blame)
        lines.append(
            f"  blame layer by layer: {exact:,} of {total:,} weight gradients are "
            "delta x input, bit for bit"
        )
    lines.append(
        f"  two moons: training accuracy {trained.final_accuracy:.0%} after "
        f"{len(trained.losses)} steps (loss {trained.final_loss:.4f}), "
        f"{_ms(seconds_per_step)} per step"
    )
    return "\n".join(lines)


def _ms(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.2f} ms"


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.1f}x"


def _heading(number: int, title: str) -> None:
    print(f"\n== {number}/4  {title} ==\n")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The options: ``quick`` (from --quick, --full or CI=true) and ``out``."""
    parser = argparse.ArgumentParser(
        prog="scalar-autograd tour", description=__doc__.splitlines()[0]
    )
    speed = parser.add_mutually_exclusive_group()
    speed.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("CI") == "true",
        help="smaller sizes, under 30 s (the default when CI=true)",
    )
    speed.add_argument(
        "--full", dest="quick", action="store_false", help="the full tour, even on CI"
    )
    parser.add_argument(
        "--out", default=os.path.join("out", "tour"), help="folder (out/tour)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help=f"seconds for the MLP sizes (default {FULL.budget:g}; "
        f"{QUICK.budget:g} with --quick)",
    )
    parser.add_argument(
        "--results",
        metavar="FILE",
        default=None,
        help="also write the numbers measured, formatted for the docs, to FILE (JSON)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four steps, print what they measured; returns the exit status."""
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.budget is not None:
        sizes = dataclasses.replace(sizes, budget=args.budget)
    os.makedirs(args.out, exist_ok=True)
    started = time.perf_counter()
    status = 0
    print(f"The {'quick ' if args.quick else ''}tour of scalar-autograd.")

    _heading(1, "A neuron: its graph and its backward pass")
    root = backward_pass.neuron()
    viz.print_backward(root)
    print()
    print(neuron_program(root))
    try:
        backward_pass.write_pictures(root, args.out, "neuron")  # runs root.backward()
    except viz.RendererNotFound as error:  # the demos extra installs a renderer
        print(error, file=sys.stderr)
        status = 1

    _heading(2, "Why backprop: finite differences, and the whole formula")
    results, _ = compare_gradients(args.out, sizes)
    print(gradient_table(results))
    print()
    swell = expression_swell(sizes)
    print(swell_text(swell))

    _heading(3, "Blame layer by layer: one backward pass of MLP(2, [16, 16, 1])")
    blame, pictures = layer_view(args.out)
    print(blame_text(blame))

    _heading(4, f"Two moons: MLP(2, [16, 16, 1]), {sizes.moons_steps} steps of SGD")
    trained, seconds_per_step = train_moons(args.out, sizes)
    print(
        f"after {sizes.moons_steps} steps: loss {trained.final_loss:.4f}, "
        f"training accuracy {trained.final_accuracy:.0%}"
    )

    print(f"\nWrote to {os.path.abspath(args.out)}{os.sep}")
    for name, what in FILES.items():
        if os.path.exists(os.path.join(args.out, name)):
            print(f"  {name:<29}{what}")
    print()
    measured = summary(root, results, trained, seconds_per_step, swell, blame)
    print(measured)
    seconds = time.perf_counter() - started
    print(f"Tour done in {seconds:.1f} s.")
    if args.results:
        write_results(
            args.results,
            "tour",
            figures(root, results, swell, blame, trained, seconds_per_step, measured)
            | {
                "command": " ".join(
                    ["scalar-autograd tour", *(sys.argv[1:] if argv is None else argv)]
                ),
                "python": platform.python_version(),
                "quick": "yes" if args.quick else "no",
                "total_time": f"{seconds:.1f} s",
                "pictures": ", ".join(pictures) or "none",
            },
        )
        print(f"Results written to {os.path.abspath(args.results)}")
    return status


def figures(
    neuron: Value,
    results: Sequence[why_backprop.SizeResult],
    swell: Sequence[formula.SwellRow],
    blame: Sequence[layers.LayerBlame],
    trained: moons.Result,
    seconds_per_step: float,
    measured: str,
) -> dict[str, object]:
    """What the tour measured, as strings formatted for the docs (a results file)."""
    order = autograd.topological_order(neuron)
    largest = results[-1]
    reverse = largest.rows[why_backprop.REVERSE].seconds
    central = largest.rows[why_backprop.CENTRAL]
    plain = largest.rows[why_backprop.PLAIN].seconds
    last = swell[-1]
    exact = sum(layer.weights_exact for layer in blame)
    total = sum(layer.weights for layer in blame)
    return {
        "summary": measured,
        "neuron": {
            "output": f"{neuron.data:.4f}",
            "steps": str(sum(1 for v in order if v.inputs)),
            "gradients": ", ".join(
                f"do/d{v.label} = {v.grad:.4f}" for v in order if not v.inputs
            ),
        },
        "gradient_table": gradient_table(results),
        "largest": {
            "params": f"{largest.params:,}",
            "backprop": _ms(reverse),
            "central": _ms(central.seconds),
            "central_evaluations": f"{central.evaluations:,}",
            "central_ratio": _times(central.seconds / reverse),
            "plain": _ms(plain),
            "plain_ratio": _times(plain / reverse),
            "backward_over_forward": (
                f"{largest.backward_seconds / largest.forward_seconds:.1f}x"
            ),
        },
        "swell_table": formula.format_swell_table(swell, markdown=True),
        "swell": {
            "n": str(last.n),
            "graph_nodes": f"{last.graph_nodes:,}",
            "tree_nodes": f"{last.tree_nodes:,}",
            "derivative_tree_nodes": f"{last.derivative_tree_nodes:,}",
            "backward_steps": f"{last.backward_steps:,}",
        },
        "blame_table": layers.format_blame_table(blame, markdown=True),
        "blame": {"exact": f"{exact:,} of {total:,}"},
        "moons": {
            "steps": str(len(trained.losses)),
            "accuracy": f"{trained.final_accuracy:.0%}",
            "loss": f"{trained.final_loss:.4f}",
            "per_step": _ms(seconds_per_step),
        },
    }


if __name__ == "__main__":
    raise SystemExit(main())
