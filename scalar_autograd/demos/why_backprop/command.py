"""The why-backprop command: the three questions in order, printed, plotted, saved.

    python -m scalar_autograd.demos.why_backprop [--quick] [--out out/why_backprop]
        [--budget 60] [--clock {wall,cpu}] [--results FILE]

``--results FILE`` writes every figure printed, formatted for the docs, as JSON
(``docs/results/why_backprop.json``; see docs/results/README.md for the command).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from collections.abc import Sequence

from scalar_autograd.demos.why_backprop import formula, layers, nudging
from scalar_autograd.demos.why_backprop.results import write_results

PROG = "scalar-autograd why"


@dataclasses.dataclass(frozen=True)
class Settings:
    """How much each question measures."""

    shapes: tuple[tuple[int, tuple[int, ...]], ...]  # question 1: MLP sizes
    budget: float  # seconds for question 1's size sweep
    repeats: int
    enough: float
    points_per_decade: int
    swell_ns: tuple[int, ...]  # question 2: steps of the logistic map
    depths: tuple[int, ...]  # question 2: hidden layers in the path sweep
    path_limit: int  # run the path sum up to this many terms
    vector_shape: tuple[int, tuple[int, ...]]  # question 2: the full gradient's MLP
    steps: int  # question 3: training steps both ways


FULL = Settings(
    shapes=tuple(nudging.SHAPES),
    budget=60.0,
    repeats=5,
    enough=1.0,
    points_per_decade=4,
    swell_ns=tuple(range(1, 13)),
    depths=tuple(range(1, 17)),
    path_limit=300_000,
    vector_shape=(nudging.N_INPUTS, (16, 16)),
    steps=100,
)
QUICK = Settings(
    shapes=tuple(nudging.QUICK_SHAPES),
    budget=10.0,
    repeats=3,
    enough=0.2,
    points_per_decade=2,
    swell_ns=tuple(range(1, 13)),
    depths=tuple(range(1, 11)),
    path_limit=30_000,
    vector_shape=(nudging.N_INPUTS, (8, 8)),
    steps=40,
)

QUESTIONS = (
    '"I get the gradient by nudging each weight. Why backprop?"',
    '"Why not differentiate the whole error function at once?"',
    '"Backprop propagates the error backwards, layer by layer, assigning blame."',
)

PLOTS = ("cost.png", "accuracy.png", "formula.png", "misconception.png")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The options; see the module docstring."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Why backprop? Three questions learners ask, each measured.",
    )
    parser.add_argument("--out", default="out/why_backprop", help="folder for PNGs")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes only (for CI, < 30 s)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds for question 1's size sweep (default 60; 10 with --quick)",
    )
    parser.add_argument(
        "--clock",
        choices=sorted(nudging.CLOCKS),
        default="wall",
        help="what the times measure: wall time (default) or this process's CPU time",
    )
    parser.add_argument(
        "--results",
        metavar="FILE",
        default=None,
        help="also write the figures printed, formatted for the docs, to FILE (JSON)",
    )
    return parser.parse_args(argv)


def _heading(number: int) -> None:
    print(f"\n== {number}/3  {QUESTIONS[number - 1]} ==\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Answer the three questions, print and plot what was measured."""
    args = parse_args(argv)
    settings = QUICK if args.quick else FULL
    if args.budget is not None:
        settings = dataclasses.replace(settings, budget=args.budget)
    import matplotlib

    matplotlib.use("Agg")
    from tqdm import tqdm

    os.makedirs(args.out, exist_ok=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    python = platform.python_version()
    quick = " (quick sizes)" if args.quick else ""
    print(
        f"Why backprop? Three questions, measured{quick}. Python {python}; "
        f"times: {args.clock} clock."
    )

    _heading(1)
    first, last = (
        nudging.Problem(*settings.shapes[0]),
        nudging.Problem(*settings.shapes[-1]),
    )
    print(
        f"The gradient of an MSE loss on {nudging.N_SAMPLES} fixed samples, five ways, "
        f"for ReLU MLPs from {first.shape} to {last.shape} (as far as --budget "
        f"{settings.budget:g} s allows); median of up to {settings.repeats} runs."
    )
    sizes, accuracy = nudging.run(
        settings.shapes,
        settings.budget,
        repeats=settings.repeats,
        enough=settings.enough,
        points_per_decade=settings.points_per_decade,
        out=args.out,
        clock=args.clock,
    )
    print()
    print(nudging.format_table(sizes))
    print(nudging.summary(sizes, accuracy))

    _heading(2)
    whole = formula.run(
        settings.swell_ns,
        settings.depths,
        settings.path_limit,
        nudging.Problem(*settings.vector_shape),
        args.out,
        timer=nudging.CLOCKS[args.clock],
    )
    print(formula.report(whole))

    _heading(3)
    with tqdm(
        total=2 * settings.steps, desc="training both ways", disable=None, leave=False
    ) as bar:
        blame = layers.run(settings.steps, args.out, on_step=bar.update)
    print(layers.report(blame))

    print()
    written = ", ".join([*PLOTS, *blame.pictures])
    print(f"Plots written to {os.path.abspath(args.out)}{os.sep} ({written})")
    wall = time.perf_counter() - start
    share = (time.process_time() - cpu_start) / wall
    print(f"Total time {wall:.1f} s; this process had the CPU {share:.0%} of it.")
    if share < 0.9 and args.clock == "wall":
        print(
            "Other programs were busy on this machine: wall times are inflated, "
            "unevenly. Rerun on a quiet machine, or with --clock cpu."
        )
    if args.results:
        command = " ".join([PROG, *(argv if argv is not None else sys.argv[1:])])
        write_results(
            args.results,
            "why_backprop",
            {
                "command": command,
                "python": python,
                "clock": args.clock,
                "quick": "yes" if args.quick else "no",
                "budget": f"{settings.budget:g} s",
                "total_time": f"{wall:.0f} s",
                "nudging": nudging.figures(sizes, accuracy),
                "formula": formula.figures(whole),
                "layers": layers.figures(blame),
            },
        )
        print(f"Results written to {os.path.abspath(args.results)}")
    return 0
