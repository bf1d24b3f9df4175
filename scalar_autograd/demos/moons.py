"""Train micrograd's MLP on the two-moons data to 100% training accuracy.

The recipe of micrograd's demo: MLP(2, [16, 16, 1]) with ReLU, 100 noisy moons
points, hinge loss plus L2 regularisation (alpha = 1e-4), full-batch SGD with the
learning rate falling from 1.0 to 0.1 over the steps. Writes the decision boundary
and the loss curve as PNGs to ``--out`` and prints their paths; ``--results FILE``
also writes what it measured (accuracy, final loss, time per step) as JSON, the
formatted figures the docs quote (``docs/results/moons.json``).

    scalar-autograd moons [--steps 100] [--seed 1] [--out out/moons] [--results FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import autograd
import nn
from autograd import Value

DEFAULT_SEED = 1  # trains to 100% training accuracy in 100 steps (tested)
DEFAULT_STEPS = 100
ALPHA = 1e-4  # L2 regularisation strength, as in micrograd's demo


@dataclass
class Result:
    """What training produced: the model, its data and the per-step history."""

    model: nn.MLP
    points: list[list[float]]
    labels: list[int]  # -1 / +1
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    final_loss: float = 0.0
    final_accuracy: float = 0.0
    step_seconds: list[float] = field(default_factory=list)  # wall time of each step


def objective(
    model: nn.MLP, points: Sequence[Sequence[float]], labels: Sequence[int]
) -> tuple[Value, float]:
    """Hinge loss plus ALPHA * sum(p**2) over all parameters, and the accuracy."""
    scores = model.forward_batch(points)  # [model(x) for x in points], faster
    data_loss = nn.hinge_loss(scores, labels)
    params = model.parameters()
    total = data_loss + ALPHA * autograd.dot(params, params)
    correct = sum((s.data > 0) == (y > 0) for s, y in zip(scores, labels))
    return total, correct / len(labels)


def train(
    steps: int = DEFAULT_STEPS,
    seed: int = DEFAULT_SEED,
    n_samples: int = 100,
    noise: float = 0.1,
    on_step: Callable[[int, float, float], None] | None = None,
) -> Result:
    """Train MLP(2, [16, 16, 1]) on make_moons(n_samples, noise, seed) with SGD."""
    points, classes = nn.datasets.make_moons(n_samples, noise, seed=seed)
    labels = [2 * c - 1 for c in classes]  # 0/1 -> -1/+1 for the hinge loss
    model = nn.MLP(2, [16, 16, 1], seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    result = Result(model, points, labels)
    for k in range(steps):
        started = time.perf_counter()
        loss, accuracy = objective(model, points, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / steps  # micrograd's schedule: 1.0 down to 0.1
        optimizer.step()
        loss_value = loss.data
        del loss  # the graph is freed here, inside the timed step
        result.step_seconds.append(time.perf_counter() - started)
        result.losses.append(loss_value)
        result.accuracies.append(accuracy)
        if on_step is not None:
            on_step(k, loss_value, accuracy)
    with autograd.no_grad():
        loss, accuracy = objective(model, points, labels)
    result.final_loss, result.final_accuracy = loss.data, accuracy
    return result


def plot_decision_boundary(result: Result, path: str, resolution: int = 120) -> None:
    """Save the model's decision regions with the training points to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p[0] for p in result.points]
    ys = [p[1] for p in result.points]
    x_low, x_high = min(xs) - 0.5, max(xs) + 0.5
    y_low, y_high = min(ys) - 0.5, max(ys) + 0.5
    grid_x = [
        x_low + (x_high - x_low) * i / (resolution - 1) for i in range(resolution)
    ]
    grid_y = [
        y_low + (y_high - y_low) * j / (resolution - 1) for j in range(resolution)
    ]
    with autograd.no_grad():  # plotting needs numbers, not a graph
        scores = [[result.model([x, y]).data for x in grid_x] for y in grid_y]
    # Colour the margin band |score| <= 2 (the hinge loss wants |score| >= 1);
    # clip beyond it so both sides show, whatever the scale of the scores.
    cap = 2.0
    clipped = [[max(-cap, min(cap, s)) for s in row] for row in scores]
    levels = [-cap + cap * i / 8 for i in range(17)]
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(grid_x, grid_y, clipped, levels=levels, cmap="RdBu", alpha=0.6)
    ax.contour(grid_x, grid_y, scores, levels=[0.0], colors="k", linewidths=1.5)
    for label, colour, name in (
        (-1, "tab:red", "label -1"),
        (1, "tab:blue", "label +1"),
    ):
        chosen = [p for p, y in zip(result.points, result.labels) if y == label]
        ax.scatter(
            [p[0] for p in chosen],
            [p[1] for p in chosen],
            c=colour,
            edgecolors="k",
            s=30,
            label=name,
        )
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.set_title(
        f"MLP(2, [16, 16, 1]) on two moons: "
        f"training accuracy {result.final_accuracy:.0%}"
    )
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_loss_curve(result: Result, path: str) -> None:
    """Save the loss and the accuracy per step to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = range(1, len(result.losses) + 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(steps, result.losses, color="tab:blue", label="loss (hinge + L2)")
    ax.set_xlabel("step")
    ax.set_ylabel("loss", color="tab:blue")
    ax.set_yscale("log")
    other = ax.twinx()
    other.plot(steps, result.accuracies, color="tab:orange", label="accuracy")
    other.set_ylabel("training accuracy", color="tab:orange")
    other.set_ylim(0.0, 1.05)
    ax.set_title("Training on two moons")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def results(result: Result, seed: int) -> dict[str, object]:
    """What a run measured, for ``--results``: formatted figures, then raw numbers."""
    steps = len(result.losses)
    step = statistics.median(result.step_seconds)
    return {
        "command": f"scalar-autograd moons --steps {steps} --seed {seed}",
        "python": platform.python_version(),
        "model": "MLP(2, [16, 16, 1])",
        "steps": str(steps),
        "seed": str(seed),
        "accuracy": f"{result.final_accuracy:.0%}",
        "final_loss": f"{result.final_loss:.4f}",
        "ms_per_step": _milliseconds(step),
        "raw": {
            "accuracy": result.final_accuracy,
            "final_loss": result.final_loss,
            "seconds_per_step_median": step,
            "seconds_per_step_min": min(result.step_seconds),
            "seconds_per_step_max": max(result.step_seconds),
        },
    }


def _milliseconds(seconds: float) -> str:
    milliseconds = seconds * 1e3
    return f"{milliseconds:.1f} ms" if milliseconds >= 10 else f"{milliseconds:.2f} ms"


def write_results(path: str, measured: dict[str, object]) -> None:
    """Write ``measured`` as JSON to ``path`` (folders made as needed)."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(measured, file, indent=2)
        file.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Train, report, and write the two PNGs; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="scalar-autograd moons", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        help=f"SGD steps (default {DEFAULT_STEPS})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of the data and the model (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--out",
        default=os.path.join("out", "moons"),
        help="folder for the two PNGs (default out/moons)",
    )
    parser.add_argument(
        "--results",
        metavar="FILE",
        help="also write what was measured as JSON (e.g. docs/results/moons.json)",
    )
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")

    from tqdm import tqdm

    with tqdm(total=args.steps, desc="training", unit="step") as bar:

        def on_step(k: int, loss: float, accuracy: float) -> None:
            bar.set_postfix(
                loss=f"{loss:.4f}", accuracy=f"{accuracy:.0%}", refresh=False
            )
            bar.update()

        result = train(args.steps, args.seed, on_step=on_step)
    measured = results(result, args.seed)
    print(
        f"after {args.steps} steps: loss {result.final_loss:.4f}, "
        f"training accuracy {result.final_accuracy:.0%}, "
        f"{measured['ms_per_step']} per step (median; Python "
        f"{sys.version.split()[0]})"
    )
    os.makedirs(args.out, exist_ok=True)
    boundary = os.path.join(args.out, "decision_boundary.png")
    curve = os.path.join(args.out, "loss.png")
    plot_decision_boundary(result, boundary)
    plot_loss_curve(result, curve)
    print(f"wrote {boundary}")
    print(f"wrote {curve}")
    if args.results:
        write_results(args.results, measured)
        print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
