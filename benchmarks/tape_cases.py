"""The tape's cases: a replayed demo step, a training run, million-node tapes.

Each case checks first that the tape gives the eager engine's numbers bit for bit
(and PyTorch's to 1e-9), then times the engines in alternating turns. The PyTorch
rows run with ``torch.set_num_threads(1)``, as our engine has one thread.
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import autograd
import nn
from autograd import Tape, Value
from autograd.tape import c as c_backend
from benchmarks import cases
from benchmarks.cases import Config, Section, _close, _demo_data
from benchmarks.harness import Phases, Timer, alternate, fmt_ratio, fmt_time

__all__ = ["TAPE_CASES", "tape_scale", "tape_step", "tape_training"]

EAGER, PY, C, TORCH = "eager", "tape, Python", "tape, C", "PyTorch, vectorized"


def _model_and_loss(points: int) -> tuple[nn.MLP, Callable[[], Value]]:
    X, y = _demo_data(points)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()

    def loss() -> Value:
        scores = model.forward_batch(X)
        return nn.hinge_loss(scores, y) + cases.ALPHA * autograd.dot(params, params)

    return model, loss


def _c_available() -> bool:
    return c_backend.compiler() is not None


def _same_bits(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b))


def _median_turn(step: Callable[[], None], n: int) -> Callable[[int], Phases]:
    """A turn that runs ``step`` n times and reports the median time."""

    def turn(r: int) -> Phases:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        return {"step": statistics.median(times)}

    return turn


def tape_step(config: Config) -> Section:
    """micrograd's demo step (forward + backward) eager, replayed, and in PyTorch."""
    model, loss = _model_and_loss(config.demo_points)
    params = model.parameters()
    values = [p.data for p in params]
    root = loss()
    model.zero_grad()
    root.backward()
    expected = (root.data, [p.grad for p in params])
    model.zero_grad()
    tapes = {PY: Tape(root, params, backend="python")}
    if _c_available():
        tapes[C] = Tape(root, params, backend="c")
    nodes = len(tapes[PY].recording.starts)
    edges = len(tapes[PY].recording.code) - 3 * nodes
    del root
    for name, tape in tapes.items():
        value, grads = tape(values)
        if value != expected[0] or not _same_bits(grads, expected[1]):
            raise AssertionError(f"{name}: the replay differs from eager")

    def eager_step() -> None:
        model.zero_grad()
        total = loss()
        total.backward()
        del total

    engines: dict[str, Callable[[int], Phases]] = {
        EAGER: _median_turn(eager_step, config.demo_inner),
        PY: _median_turn(lambda: tapes[PY](values), config.demo_inner),
    }
    if C in tapes:
        engines[C] = _median_turn(lambda: tapes[C](values), 10 * config.demo_inner)
    torch_step = _torch_step(config, params, expected[0])
    if torch_step is not None:
        engines[TORCH] = _median_turn(torch_step, 10 * config.demo_inner)
    runs = alternate(engines, config.demo_rounds)
    rows = []
    figures: dict[str, str] = {}
    for name in engines:
        ratio = "1x" if name == EAGER else fmt_ratio(runs.ratios(EAGER, name))
        rows.append([name, fmt_time(runs.median(name)), ratio])
    figures["eager"] = fmt_time(runs.median(EAGER))
    figures["python"] = fmt_time(runs.median(PY))
    figures["python_speedup"] = fmt_ratio(runs.ratios(EAGER, PY))
    numbers: dict[str, Any] = {"runs": runs, "python": runs.ratios(EAGER, PY)}
    if C in engines:
        figures["c"] = fmt_time(runs.median(C))
        figures["c_speedup"] = fmt_ratio(runs.ratios(EAGER, C))
        numbers["c"] = runs.ratios(EAGER, C)
    if TORCH in engines:
        figures["torch"] = fmt_time(runs.median(TORCH))
        if C in engines:
            figures["torch_over_c"] = fmt_ratio(runs.ratios(TORCH, C))
            numbers["torch_over_c"] = runs.ratios(TORCH, C)
    figures["nodes"] = f"{nodes:,}"
    figures["edges"] = f"{edges:,}"
    section = Section(
        "Record once, replay fast: the demo step (forward + backward)",
        ["engine", "step (median)", "eager / this: median (min..max)"],
        rows,
        notes=[
            f"MLP(2, [16, 16, 1]) on {config.demo_points} moons points, hinge + L2: "
            f"{nodes:,} ops and {edges:,} edges recorded once. Eager builds the graph "
            "and runs backward() every step; a tape replays it from the parameters' "
            "numbers (`tape(values)`: value and 337 gradients). Checked first: both "
            "tapes give eager's loss and gradients bit for bit"
            + (", PyTorch the loss to 1e-9." if TORCH in engines else ".")
            + " PyTorch: one matrix product per layer, float64, one thread, forward "
            "and backward (no update)."
        ],
        numbers=numbers,
    )
    section.figures = figures
    return section


def _torch_step(
    config: Config, params: list[Value], expected: float
) -> Callable[[], None] | None:
    if not (config.torch and cases._import_torch()):
        return None
    torch = cases.torch
    torch.set_num_threads(1)
    X, y = _demo_data(config.demo_points)
    demo = cases._TorchVectorDemo([p.data for p in params])
    tX = torch.tensor(X, dtype=torch.float64)
    ty = torch.tensor(y, dtype=torch.float64)

    def step() -> None:
        w1, b1, w2, b2, w3, b3 = demo.params
        h = torch.relu(tX @ w1.T + b1)
        h = torch.relu(h @ w2.T + b2)
        scores = (h @ w3.T + b3).squeeze(1)
        total = torch.relu(1 + -ty * scores).mean() + cases.ALPHA * sum(
            (p * p).sum() for p in demo.params
        )
        for p in demo.params:
            p.grad = None
        total.backward()
        step.value = float(total.detach())  # type: ignore[attr-defined]

    step()
    if not _close(step.value, expected):  # type: ignore[attr-defined]
        raise AssertionError("PyTorch's loss differs from ours")
    return step


def tape_training(config: Config) -> Section:
    """A 100-step training run, recording (and compiling) included."""
    steps = config.train_steps

    def eager_run(r: int) -> Phases:
        model, loss = _model_and_loss(config.demo_points)
        optimizer = nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
        t = Timer()
        for _ in range(steps):
            optimizer.zero_grad()
            total = loss()
            total.backward()
            optimizer.step()
            del total
        t.lap("run")
        eager_run.final = [p.data for p in model.parameters()]  # type: ignore[attr-defined]
        return t.phases

    def tape_run(backend: str, cold: bool) -> Callable[[int], Phases]:
        def run(r: int) -> Phases:
            model, loss = _model_and_loss(config.demo_points)
            optimizer = nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
            with tempfile.TemporaryDirectory() as cache:
                if cold:  # compile the VM from scratch, as on a fresh machine
                    c_backend._library = None
                    os.environ["SCALAR_AUTOGRAD_CACHE"] = cache
                t = Timer()
                tape = Tape(loss(), model.parameters(), backend=backend)
                t.lap("record")
                for _ in range(steps):
                    optimizer.zero_grad()
                    tape.backward()
                    optimizer.step()
                t.lap("run")
                os.environ.pop("SCALAR_AUTOGRAD_CACHE", None)
            if cold:
                c_backend._library = None
            final = [p.data for p in model.parameters()]
            if final != getattr(eager_run, "final", final):
                raise AssertionError(f"{backend}: training through a tape diverged")
            return t.phases

        return run

    engines: dict[str, Callable[[int], Phases]] = {
        EAGER: eager_run,
        PY: tape_run("python", False),
    }
    if _c_available():
        engines[C] = tape_run("c", False)
        engines[C + ", compiling"] = tape_run("c", True)
    eager_run(0)  # the reference parameters for the checks
    c_backend.load_library() if _c_available() else None
    runs = alternate(engines, config.train_rounds)
    rows = []
    figures: dict[str, str] = {}
    for name in engines:
        record = runs.median(name, ["record"]) if name != EAGER else 0.0
        rows.append(
            [
                name,
                fmt_time(runs.median(name)),
                fmt_time(record) if name != EAGER else "",
                "1x" if name == EAGER else fmt_ratio(runs.ratios(EAGER, name)),
            ]
        )
    figures["python_speedup"] = fmt_ratio(runs.ratios(EAGER, PY))
    numbers: dict[str, Any] = {"runs": runs, "python": runs.ratios(EAGER, PY)}
    if C in engines:
        figures["c_speedup"] = fmt_ratio(runs.ratios(EAGER, C))
        figures["c_cold_speedup"] = fmt_ratio(runs.ratios(EAGER, C + ", compiling"))
        numbers["c"] = runs.ratios(EAGER, C)
        numbers["c_cold"] = runs.ratios(EAGER, C + ", compiling")
    section = Section(
        f"Record once, replay fast: {steps} training steps, recording included",
        ["engine", "whole run (median)", "of which recording", "eager / this"],
        rows,
        notes=[
            f"SGD with momentum on MLP(2, [16, 16, 1]), {config.demo_points} moons "
            f"points, {steps} steps. Eager builds the graph every step. A tape is "
            "recorded once (the forward pass that builds the graph, then Tape(...), "
            "which for Python prints and compiles the program) and replayed with "
            "tape.backward(). The C virtual machine is compiled once per machine and "
            "cached; 'compiling' starts from an empty cache. Checked: every run ends "
            "with eager's parameters, bit for bit."
        ],
        numbers=numbers,
    )
    section.figures = figures
    return section


def _traced(fn: Callable[[], Any]) -> tuple[Any, int]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def tape_scale(config: Config) -> Section:
    """Million-node tapes: a chain and a sum, recorded, replayed, freed."""
    n = config.scale_nodes
    rows = []
    figures: dict[str, str] = {}
    numbers: dict[str, Any] = {}
    backends = ["python"] + (["c"] if _c_available() else [])
    for shape in ("chain", "sum"):
        x = Value(1.0)

        def build(x: Value = x, shape: str = shape) -> tuple[Value, list[Value]]:
            if shape == "chain":
                out = x
                for _ in range(n):
                    out = out * 1.0000001
                return out, [x]
            leaves = [Value(float(i % 7)) for i in range(n)]
            return autograd.sum(leaves), leaves

        (root, inputs), eager_bytes = _traced(build)
        nodes = len(autograd.topological_order(root))
        root.backward()
        expected = (root.data, [v.grad for v in inputs])
        for backend in backends:
            t = Timer()
            gc.collect()
            t.restart()
            tape = Tape(root, inputs, backend=backend)
            t.lap("record")
            del tape  # timed without tracemalloc, which slows every allocation
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            tape = Tape(root, inputs, backend=backend)
            held = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
            values = [v.data for v in inputs]
            t.restart()
            result = tape(values)
            t.lap("replay")
            if result[0] != expected[0] or not _same_bits(result[1], expected[1]):
                raise AssertionError(f"{shape}, {backend}: the replay differs")
            t.restart()
            del tape
            gc.collect()
            t.lap("free")
            per_node = held / nodes
            numbers[f"{shape}_{backend}"] = per_node
            figures[f"{shape}_{backend}_bytes"] = f"{per_node:.0f}"
            rows.append(
                [
                    f"{shape}, tape {backend}",
                    f"{nodes:,}",
                    fmt_time(t.phases["record"]),
                    fmt_time(t.phases["replay"]),
                    fmt_time(t.phases["free"]),
                    f"{per_node:.0f}",
                ]
            )
        eager_per_node = eager_bytes / nodes
        numbers[f"{shape}_eager"] = eager_per_node
        figures[f"{shape}_eager_bytes"] = f"{eager_per_node:.0f}"
        rows.append(
            [f"{shape}, eager graph", f"{nodes:,}", "", "", "", f"{eager_per_node:.0f}"]
        )
        del root, inputs, x
        gc.collect()
    section = Section(
        f"Record once, replay fast: tapes of {n:,} nodes",
        [
            "graph",
            "nodes",
            "record",
            "replay (value + gradient)",
            "free",
            "bytes per node",
        ],
        rows,
        notes=[
            "A chain `out = out * 1.0000001` and one `autograd.sum` of that many "
            "leaves. Bytes per node: tracemalloc, what the tape holds after recording "
            "(its arrays; Python's backend interprets them past 250,000 lines), "
            "against what the eager graph itself holds. No recursion anywhere; the "
            "replays give eager's numbers bit for bit."
        ],
        numbers=numbers,
    )
    section.figures = figures
    return section


TAPE_CASES: list[Callable[[Config], Section]] = [tape_scale, tape_training, tape_step]
