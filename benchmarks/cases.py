"""The benchmark cases; each returns a ``Section`` (a Markdown table and its numbers).

Every case builds the same math in each engine from the same numbers, checks that the
engines agree where that is meaningful, then times them in alternating turns
(``harness.alternate``). Sizes and rounds come from a ``Config``, so the test suite
can run everything in a tiny mode.
"""

from __future__ import annotations

import gc
import math
import random
import sys
import timeit
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import autograd
import nn
from autograd import Value
from autograd.modes import Observer, observe, state
from benchmarks.harness import Phases, Runs, Timer, alternate, fmt_ratio, fmt_time

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:  # python -m benchmarks says to install the bench extra
    mg_engine = mg_nn = None  # type: ignore[assignment]

torch: Any = None  # imported by the last case only (see _import_torch)

__all__ = ["CASES", "Config", "Section"]

OURS, MG, MG_NOGC = "scalar-autograd", "micrograd 0.1.0", "micrograd, GC off"
TORCH_SCALAR, TORCH_VEC = "PyTorch, 0-d tensors", "PyTorch, vectorized"
STEP_PHASES = ("forward", "backward", "update", "free")


@dataclass
class Config:
    """Sizes and repeats; ``Config.tiny()`` for tests, ``Config()`` for the table."""

    demo_points: int = 100
    demo_rounds: int = 7
    demo_inner: int = 5  # our steps per turn (their median is the turn's time)
    graph_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    graph_rounds: tuple[int, ...] = (7, 5, 1)
    memory_nodes: int = 100_000
    peak_nodes: int = 1_000_000
    our_chain: int = 1_000_000
    observer_rounds: int = 7
    train_steps: int = 100
    train_rounds: int = 3
    scale_nodes: int = 1_000_000
    torch: bool = True

    @classmethod
    def tiny(cls) -> Config:
        return cls(
            demo_points=20,
            demo_rounds=2,
            demo_inner=1,
            graph_sizes=(100, 300),
            graph_rounds=(2, 1),
            memory_nodes=300,
            peak_nodes=1_000,
            our_chain=5_000,
            observer_rounds=2,
            train_steps=3,
            train_rounds=1,
            scale_nodes=2_000,
            torch=False,
        )


@dataclass
class Section:
    """One case's results: a Markdown table, notes, and numbers for the summary."""

    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)  # for docs/results

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.header) + " |")
        lines.append("|" + "|".join("---" for _ in self.header) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += self.notes
        return "\n".join(lines) + "\n"


def _close(a: float, b: float, rtol: float = 1e-9) -> bool:
    """Equal to ``rtol`` relative (absolute near 0); NaN equals NaN, inf equals inf."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


# -- 1. micrograd's demo training step -------------------------------------------------

ALPHA = 1e-4  # L2 strength in micrograd's demo.ipynb


def _demo_data(
    n_points: int = 100, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """Two-moons points with noise 0.1 and labels -1/+1, as in demo.ipynb."""
    X, labels = nn.datasets.make_moons(n_points, noise=0.1, seed=seed)
    return X, [2 * label - 1 for label in labels]


def _learning_rate(k: int) -> float:
    return 1.0 - 0.9 * (k % 100) / 100  # demo.ipynb's schedule over 100 steps


class _OurDemo:
    """The demo step as a user of ``nn`` writes it (fused neurons, our losses)."""

    def __init__(self, weights: list[float]) -> None:
        self.model = nn.MLP(2, [16, 16, 1])
        self.params = self.model.parameters()
        if len(self.params) != len(weights):
            raise AssertionError("the two MLPs have different parameter counts")
        for p, w in zip(self.params, weights):
            p.data = float(w)
        self.optimizer = nn.SGD(self.params, lr=1.0)

    def loss(self, X: list[list[float]], y: list[int]) -> tuple[Value, float]:
        scores = self.model.forward_batch(X)  # the graph of [model(x) for x in X]
        data_loss = nn.hinge_loss(scores, y)
        reg_loss = ALPHA * autograd.dot(self.params, self.params)  # sum of p*p
        accuracy = [(yi > 0) == (s.data > 0) for yi, s in zip(y, scores)]
        return data_loss + reg_loss, sum(accuracy) / len(accuracy)

    def step(self, X: list[list[float]], y: list[int], k: int) -> tuple[Phases, float]:
        t = Timer()
        total, _ = self.loss(X, y)
        t.lap("forward")
        self.optimizer.zero_grad()
        total.backward()
        t.lap("backward")
        self.optimizer.lr = _learning_rate(k)
        self.optimizer.step()
        t.lap("update")
        value = total.data
        t.restart()
        del total  # reference counting frees the whole graph here
        t.lap("free")
        return t.phases, value


class _MicrogradDemo:
    """micrograd's demo.ipynb training step, as written there."""

    def __init__(self, seed: int = 1337) -> None:
        random.seed(seed)  # micrograd initialises from the global random state
        self.model = mg_nn.MLP(2, [16, 16, 1])

    def loss(self, X: list[list[float]], y: list[int]) -> tuple[Any, float]:
        Value = mg_engine.Value
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in self.model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (si.data > 0) for yi, si in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    def step(
        self, X: list[list[float]], y: list[int], k: int, gc_off: bool = False
    ) -> tuple[Phases, float]:
        if gc_off:
            gc.disable()
        try:
            t = Timer()
            total_loss, _ = self.loss(X, y)
            t.lap("forward")
            self.model.zero_grad()
            total_loss.backward()
            t.lap("backward")
            learning_rate = _learning_rate(k)
            for p in self.model.parameters():
                p.data -= learning_rate * p.grad
            t.lap("update")
            value = total_loss.data
            t.restart()
            del total_loss
            gc.collect()  # each node's closure makes a cycle: only the collector frees
            t.lap("free")
        finally:
            if gc_off:
                gc.enable()
        return t.phases, value


class _TorchScalarDemo:
    """The demo step with PyTorch 0-d tensors, op by op as micrograd writes it."""

    def __init__(self, weights: list[float]) -> None:
        it = iter(weights)
        self.layers = []
        for nin, nout, relu in ((2, 16, True), (16, 16, True), (16, 1, False)):
            neurons = []
            for _ in range(nout):
                w = [_scalar(next(it)) for _ in range(nin)]
                neurons.append((w, _scalar(next(it)), relu))
            self.layers.append(neurons)
        self.params = [p for layer in self.layers for w, b, _ in layer for p in (*w, b)]

    def forward(self, x: list[Any]) -> Any:
        for layer in self.layers:
            out = []
            for w, b, relu in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act.relu() if relu else act)
            x = out
        return x[0]

    def step(self, X: list[list[float]], y: list[int], k: int) -> tuple[Phases, float]:
        t = Timer()
        inputs = [[torch.tensor(v, dtype=torch.float64) for v in row] for row in X]
        scores = [self.forward(x) for x in inputs]
        losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(
            p * p for p in self.params
        )
        t.lap("forward")
        value = _torch_backward_and_update(t, total, self.params, k)
        t.restart()
        del total, scores, losses
        t.lap("free")
        return t.phases, value


def _torch_backward_and_update(
    t: Timer, total: Any, params: list[Any], k: int
) -> float:
    """The backward and SGD phases of a PyTorch demo step, timed; the loss value."""
    for p in params:
        p.grad = None
    total.backward()
    t.lap("backward")
    with torch.no_grad():
        lr = _learning_rate(k)
        for p in params:
            p -= lr * p.grad
    t.lap("update")
    return float(total.detach())


def _scalar(x: float) -> Any:
    return torch.tensor(float(x), dtype=torch.float64, requires_grad=True)


class _TorchVectorDemo:
    """The demo step with PyTorch tensors, one matrix product per layer."""

    def __init__(self, weights: list[float]) -> None:
        it = iter(weights)
        self.params = []
        for nin, nout in ((2, 16), (16, 16), (16, 1)):
            rows = [[next(it) for _ in range(nin + 1)] for _ in range(nout)]
            w = torch.tensor([r[:nin] for r in rows], dtype=torch.float64)
            b = torch.tensor([r[nin] for r in rows], dtype=torch.float64)
            self.params += [w.requires_grad_(), b.requires_grad_()]

    def step(self, X: Any, y: Any, k: int) -> tuple[Phases, float]:
        t = Timer()
        w1, b1, w2, b2, w3, b3 = self.params
        h = torch.relu(X @ w1.T + b1)
        h = torch.relu(h @ w2.T + b2)
        scores = (h @ w3.T + b3).squeeze(1)
        data_loss = torch.relu(1 + -y * scores).mean()
        total = data_loss + ALPHA * sum((p * p).sum() for p in self.params)
        t.lap("forward")
        value = _torch_backward_and_update(t, total, self.params, k)
        t.restart()
        del total, data_loss, scores, h
        t.lap("free")
        return t.phases, value


def _check_demo_equivalence(
    ours: _OurDemo, mg: _MicrogradDemo, X: list[list[float]], y: list[int]
) -> dict[str, float]:
    """Same loss (to 1e-9) and the same gradients from both engines, before timing."""
    our_loss, our_acc = ours.loss(X, y)
    mg_loss, mg_acc = mg.loss(X, y)
    if not _close(our_loss.data, mg_loss.data):
        raise AssertionError(f"losses differ: {our_loss.data!r} vs {mg_loss.data!r}")
    ours.optimizer.zero_grad()
    our_loss.backward()
    mg.model.zero_grad()
    mg_loss.backward()
    worst = 0.0
    for i, (p, q) in enumerate(zip(ours.params, mg.model.parameters())):
        if not _close(p.grad, q.grad):
            raise AssertionError(f"gradient {i} differs: {p.grad!r} vs {q.grad!r}")
        worst = max(worst, abs(p.grad - q.grad))
    ours.optimizer.zero_grad()
    mg.model.zero_grad()
    return {
        "loss_difference": abs(our_loss.data - mg_loss.data),
        "largest_gradient_difference": worst,
        "parameters": len(ours.params),
        "accuracy": our_acc,
        "micrograd_accuracy": mg_acc,
        "loss": mg_loss.data,
    }


def _count_nodes(root: Any, inputs: Callable[[Any], Any]) -> int:
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in inputs(stack.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def demo_step(config: Config) -> Section:
    """micrograd's demo training step in every engine, alternating turns."""
    X, y = _demo_data(config.demo_points)
    mg = _MicrogradDemo()
    weights = [p.data for p in mg.model.parameters()]
    ours = _OurDemo(weights)
    check = _check_demo_equivalence(ours, mg, X, y)
    our_loss, _ = ours.loss(X, y)
    mg_loss, _ = mg.loss(X, y)
    nodes = {
        OURS: _count_nodes(our_loss, lambda v: v.inputs),
        MG: _count_nodes(mg_loss, lambda v: v._prev),
    }
    del our_loss, mg_loss

    cycles_found = []

    def our_turn(r: int) -> Phases:
        # demo_inner steps; the turn's time is their median step (by total)
        steps = []
        for i in range(config.demo_inner):
            phases, _ = ours.step(X, y, r * config.demo_inner + i)
            steps.append(phases)
        cycles_found.append(gc.collect())  # not timed: 0 means nothing needed it
        steps.sort(key=lambda p: sum(p.values()))
        return steps[len(steps) // 2]

    engines: dict[str, Callable[[int], Phases]] = {
        OURS: our_turn,
        MG: lambda r: mg.step(X, y, r)[0],
        MG_NOGC: lambda r: mg.step(X, y, r, gc_off=True)[0],
    }
    runs = alternate(engines, config.demo_rounds)
    rows = []
    for name in engines:
        fwd = runs.median(name, ["forward"])
        bwd = runs.median(name, ["backward"])
        rows.append(
            [
                name,
                fmt_time(runs.median(name)),
                fmt_time(fwd),
                fmt_time(bwd),
                fmt_time(runs.median(name, ["update"])),
                fmt_time(runs.median(name, ["free"])),
                f"{bwd / fwd:.2f}",
                "1x" if name == OURS else fmt_ratio(runs.ratios(name, OURS)),
            ]
        )
    speedup = runs.ratios(MG, OURS)
    bwd_fwd = [
        b / f
        for b, f in zip(runs.totals(OURS, ["backward"]), runs.totals(OURS, ["forward"]))
    ]
    section = Section(
        f"Demo training step: MLP(2, [16, 16, 1]), {len(X)} moons points, hinge + L2",
        [
            "engine",
            "step (median)",
            "forward",
            "backward",
            "update",
            "free graph",
            "backward / forward",
            "time / ours: median (min..max)",
        ],
        rows,
        numbers={
            "speedup": speedup,
            "backward_over_forward": bwd_fwd,
            "check": check,
            "nodes": nodes,
            "cycles_found_after_our_steps": max(cycles_found),
            "runs": runs,
        },
    )
    section.notes = [
        f"Checked first: same loss (difference {check['loss_difference']:.1e}) and "
        f"the same {check['parameters']} gradients (largest difference "
        f"{check['largest_gradient_difference']:.1e}) from both engines. A step makes "
        f"{nodes[OURS]:,} nodes here (fused neurons), {nodes[MG]:,} in micrograd. "
        f"{config.demo_rounds} rounds; each of our turns is the median of "
        f"{config.demo_inner} steps. Free graph: `del` for us (the collector then "
        f"finds {max(cycles_found)} unreachable objects), `del` + `gc.collect()` for "
        "micrograd, whose graph is cycles.",
    ]
    return section


def _import_torch() -> bool:
    """Import PyTorch if installed. Done last: its large heap of objects makes every
    full pass of the cycle collector slower, for whichever engine triggers it."""
    global torch
    try:
        import torch as module
    except ImportError:
        return False
    torch = module
    return True


def pytorch(config: Config) -> Section:
    """The demo step in PyTorch, op by op on 0-d tensors and vectorized, vs ours."""
    header = ["engine", "step (median)", "forward", "backward", "time / ours"]
    if not (config.torch and _import_torch()):
        return Section(
            "Demo training step in PyTorch",
            header,
            [],
            notes=["PyTorch is not installed (or --no-torch): skipped."],
        )
    X, y = _demo_data(config.demo_points)
    weights = [p.data for p in nn.MLP(2, [16, 16, 1], seed=0).parameters()]
    ours = _OurDemo(weights)
    reference = ours.loss(X, y)[0].data
    tX = torch.tensor(X, dtype=torch.float64)
    ty = torch.tensor(y, dtype=torch.float64)
    for name, demo, args in (
        (TORCH_SCALAR, _TorchScalarDemo(weights), (X, y)),
        (TORCH_VEC, _TorchVectorDemo(weights), (tX, ty)),
    ):
        _, loss_value = demo.step(*args, 0)  # the loss before the update
        if not _close(loss_value, reference):
            raise AssertionError(f"{name}: loss {loss_value!r}, ours {reference!r}")
    torch_scalar = _TorchScalarDemo(weights)  # restart from the shared weights
    torch_vec = _TorchVectorDemo(weights)

    def median_of(step: Callable[[int], Phases], n: int) -> Callable[[int], Phases]:
        def turn(r: int) -> Phases:
            steps = sorted((step(r * n + i) for i in range(n)), key=_total)
            return steps[len(steps) // 2]

        return turn

    engines = {
        OURS: median_of(lambda k: ours.step(X, y, k)[0], config.demo_inner),
        TORCH_SCALAR: lambda r: torch_scalar.step(X, y, r)[0],
        TORCH_VEC: median_of(lambda k: torch_vec.step(tX, ty, k)[0], 20),
    }
    runs = alternate(engines, config.demo_rounds)
    rows = [
        [
            name,
            fmt_time(runs.median(name)),
            fmt_time(runs.median(name, ["forward"])),
            fmt_time(runs.median(name, ["backward"])),
            "1x" if name == OURS else fmt_ratio(runs.ratios(name, OURS)),
        ]
        for name in engines
    ]
    return Section(
        f"Demo training step in PyTorch {torch.__version__} (float64, CPU)",
        header,
        rows,
        notes=[
            "The same step, weights and loss (checked to 1e-9) in PyTorch: 0-d "
            "tensors op by op as micrograd writes it, and vectorized (one matrix "
            "product per layer; each turn the median of 20 steps). Run last, after "
            "the other cases, because importing torch slows the cycle collector."
        ],
        numbers={"runs": runs},
    )


def _total(phases: Phases) -> float:
    return sum(phases.values())


# -- 2. per-op cost on random add/mul graphs ----------------------------------------


@dataclass
class Program:
    """A random straight-line program of add/mul ops over a pool of live slots.

    ``steps[k] = (is_mul, i, j)`` sets slot i to slot i (op) slot j, so the node it
    replaces becomes an input: every node reaches the root, no two ops can be fused,
    and nodes are shared (slot j stays live). The pool is then summed pairwise.
    """

    leaves: list[float]
    steps: list[tuple[bool, int, int]]
    depth: int  # the longest path from the root to a leaf

    @property
    def n_ops(self) -> int:
        return len(self.steps)


def make_program(n_ops: int, seed: int = 0) -> Program:
    rng = random.Random(seed)
    pool = max(2, n_ops // 100)
    leaves = [rng.uniform(-1.0, 1.0) for _ in range(pool)]
    depth = [0] * pool
    steps = []
    for _ in range(n_ops - (pool - 1)):
        i, j = rng.randrange(pool), rng.randrange(pool)
        steps.append((rng.random() < 0.5, i, j))
        depth[i] = 1 + max(depth[i], depth[j])
    width = pool
    while width > 1:  # pairwise sum of the pool into slot 0
        half = (width + 1) // 2
        for i in range(width - half):
            steps.append((False, i, i + half))
            depth[i] = 1 + max(depth[i], depth[i + half])
        width = half
    return Program(leaves, steps, depth[0])


def build(program: Program, leaf: Callable[[float], Any]) -> Any:
    """Run the program with ``leaf`` making the leaves (either engine's Value)."""
    slots = [leaf(x) for x in program.leaves]
    for is_mul, i, j in program.steps:
        slots[i] = slots[i] * slots[j] if is_mul else slots[i] + slots[j]
    return slots[0]


def _mg_backward(root: Any, depth: int) -> None:
    """micrograd's backward, with the recursion limit raised past the graph's depth."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, depth + 1000))
    try:
        root.backward()
    finally:
        sys.setrecursionlimit(previous)


def _check_program(program: Program) -> float:
    """Same root and the same leaf gradients in both engines (to 1e-9); the worst."""
    our_leaves: list[Value] = []
    mg_leaves: list[Any] = []
    ours = build(program, lambda x: our_leaves.append(Value(x)) or our_leaves[-1])
    theirs = build(
        program, lambda x: mg_leaves.append(mg_engine.Value(x)) or mg_leaves[-1]
    )
    if not _close(ours.data, theirs.data):
        raise AssertionError(f"roots differ: {ours.data!r} vs {theirs.data!r}")
    ours.backward()
    _mg_backward(theirs, program.depth)
    worst = 0.0
    for i, (a, b) in enumerate(zip(our_leaves, mg_leaves)):
        if not _close(a.grad, float(b.grad)):
            raise AssertionError(f"leaf {i}: gradient {a.grad!r} vs {b.grad!r}")
        if math.isfinite(a.grad):
            worst = max(worst, abs(a.grad - b.grad) / max(1.0, abs(a.grad)))
    return worst


def random_graphs(config: Config) -> Section:
    """Build + backward of random add/mul graphs: per-op time, linear in size."""
    rows = []
    numbers: dict[str, Any] = {}
    checked = None
    for size, rounds in zip(config.graph_sizes, config.graph_rounds):
        program = make_program(size)
        if checked is None:
            checked = (size, _check_program(program))

        def our_turn(r: int, program: Program = program) -> Phases:
            t = Timer()
            root = build(program, Value)
            t.lap("build")
            root.backward()
            t.lap("backward")
            del root
            t.lap("free")
            return t.phases

        def mg_turn(r: int, program: Program = program) -> Phases:
            t = Timer()
            root = build(program, mg_engine.Value)
            t.lap("build")
            _mg_backward(root, program.depth)
            t.lap("backward")
            del root
            gc.collect()
            t.lap("free")
            return t.phases

        runs = alternate({OURS: our_turn, MG: mg_turn}, rounds)
        core = ["build", "backward"]
        ratio = runs.ratios(MG, OURS, core)
        numbers[size] = {"ratios": ratio, "runs": runs}
        n = program.n_ops
        rows.append(
            [
                f"{size:,}",
                str(program.depth),
                str(rounds),
                fmt_time(runs.median(OURS, core) / n),
                fmt_time(runs.median(MG, core) / n),
                fmt_ratio(ratio),
                fmt_time(runs.median(OURS, ["free"]) / n),
                fmt_time(runs.median(MG, ["free"]) / n),
            ]
        )
    assert checked is not None
    return Section(
        "Random add/mul graphs: build + backward, per op",
        [
            "ops",
            "depth",
            "rounds",
            "ours per op",
            "micrograd per op",
            "micrograd / ours",
            "free, ours per op",
            "free, micrograd per op",
        ],
        rows,
        notes=[
            f"Every op is a binary add or mul of two live nodes (a pool of ops/100 "
            f"slots), so no fusion is possible; nodes are shared. Checked first at "
            f"{checked[0]:,} ops: the same root and leaf gradients (largest relative "
            f"difference {checked[1]:.1e}). micrograd's recursive backward needs the "
            f"recursion limit raised past the depth; we raise it for its turns. The "
            f"harness loop (indexing the program) is in both times alike. Default GC "
            f"settings; micrograd's free column is `del` + `gc.collect()`.",
        ],
        numbers=numbers,
    )


# -- 3. memory -------------------------------------------------------------------------


def _traced(fn: Callable[[], Any]) -> tuple[Any, int, int]:
    """Run ``fn`` under tracemalloc: (result, bytes still held, peak bytes)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, current - before, peak - before


def memory(config: Config) -> Section:
    """Bytes per node (tracemalloc) and the peak while building + backpropagating."""
    program = make_program(config.memory_nodes)
    n_nodes = len(program.leaves) + program.n_ops
    rows = []
    numbers: dict[str, Any] = {}
    engines = [
        (OURS, Value, lambda root: root.backward()),
        (MG, None, lambda root: _mg_backward(root, program.depth)),
    ]
    big = make_program(config.peak_nodes)
    for name, leaf, backprop in engines:
        leaf = leaf or mg_engine.Value
        root, held, _ = _traced(lambda leaf=leaf: build(program, leaf))
        _, grads, _ = _traced(lambda root=root, backprop=backprop: backprop(root))
        del root
        gc.collect()

        def build_and_backprop(leaf: Any = leaf, backprop: Any = backprop) -> int:
            root = build(big, leaf)
            backprop(root)
            return 0

        _, _, peak = _traced(build_and_backprop)
        gc.collect()
        numbers[name] = {"bytes_per_node": held / n_nodes, "peak": peak}
        rows.append(
            [
                name,
                f"{held / n_nodes:.0f}",
                f"{(held + grads) / n_nodes:.0f}",
                f"{peak / 2**20:.0f} MiB",
            ]
        )
    ratio = numbers[OURS]["bytes_per_node"] / numbers[MG]["bytes_per_node"]
    numbers["ratio"] = ratio
    rows.append(["ours / micrograd", f"{ratio:.2f}", "", ""])
    return Section(
        "Memory",
        [
            "engine",
            "bytes per node, graph built",
            "after backward",
            f"peak, build + backward of {len(big.leaves) + big.n_ops:,} nodes",
        ],
        rows,
        notes=[
            f"tracemalloc, on the random add/mul graph of {n_nodes:,} nodes (leaves "
            "included): bytes still allocated after building, divided by nodes; then "
            "with the gradients a backward pass adds. Peak: the most memory allocated "
            "at once while building and backpropagating the larger graph."
        ],
        numbers=numbers,
    )


# -- 4. the longest chain -------------------------------------------------------------


def _mg_chain_ok(n: int) -> bool:
    x = mg_engine.Value(0.5)
    one = mg_engine.Value(1.0)
    out = x
    for _ in range(n):
        out = out + one
    try:
        out.backward()
    except RecursionError:
        return False
    return x.grad == 1


def chains(config: Config) -> Section:
    """The longest chain each engine backpropagates at the default recursion limit."""
    limit = sys.getrecursionlimit()
    low, high = 1, 4 * limit  # micrograd: the largest n that works, by bisection
    while low < high:
        mid = (low + high + 1) // 2
        if _mg_chain_ok(mid):
            low = mid
        else:
            high = mid - 1
    mg_max = low
    gc.collect()

    t = Timer()
    x = Value(0.5)
    one = Value(1.0)
    out = x
    for _ in range(config.our_chain):
        out = out + one
    t.lap("build")
    out.backward()
    t.lap("backward")
    ok = x.grad == 1.0 and out.data == 0.5 + config.our_chain
    del out
    t.lap("free")
    if not ok:
        raise AssertionError("our chain gave a wrong gradient")
    return Section(
        f"Longest chain backpropagated at the default recursion limit ({limit})",
        ["engine", "longest chain", "note"],
        [
            [MG, f"{mg_max:,}", f"RecursionError at {mg_max + 1:,} (recursive sort)"],
            [
                OURS,
                f"≥ {config.our_chain:,}",
                f"works (iterative); build {fmt_time(t.phases['build'])}, backward "
                f"{fmt_time(t.phases['backward'])}, free {fmt_time(t.phases['free'])}",
            ],
        ],
        notes=[
            "A chain `out = out + one`, n ops deep; bisection finds micrograd's limit."
        ],
        numbers={"micrograd": mg_max, "ours": config.our_chain},
    )


# -- 5. the fast-path flag and anomaly mode --------------------------------------------


class _Nothing(Observer):
    """An observer that does nothing: the cost of the observed path itself."""


def observers(config: Config) -> Section:
    """The demo step's forward + backward: no observer, a no-op one, anomaly mode."""
    X, y = _demo_data(config.demo_points)
    weights = [p.data for p in nn.MLP(2, [16, 16, 1], seed=0).parameters()]
    ours = _OurDemo(weights)
    anomaly = getattr(autograd, "detect_anomaly", None)

    def turn(context: Callable[[], Any] | None) -> Callable[[int], Phases]:
        def run(r: int) -> Phases:
            t = Timer()
            if context is None:
                total, _ = ours.loss(X, y)
                t.lap("forward")
                total.backward()
                t.lap("backward")
            else:
                with context():
                    total, _ = ours.loss(X, y)
                    t.lap("forward")
                    total.backward()
                    t.lap("backward")
            ours.optimizer.zero_grad()
            del total
            return t.phases

        return run

    engines = {
        "off (fast path)": turn(None),
        "a no-op Observer": turn(lambda: observe(_Nothing())),
    }
    if anomaly is not None:
        engines["autograd.detect_anomaly()"] = turn(anomaly)
    runs = alternate(engines, config.observer_rounds)
    base = "off (fast path)"
    rows = []
    for name in engines:
        rows.append(
            [
                name,
                fmt_time(runs.median(name, ["forward"])),
                fmt_time(runs.median(name, ["backward"])),
                "1x" if name == base else fmt_ratio(runs.ratios(name, base)),
            ]
        )
    a, b = Value(1.0), Value(2.0)
    number = 200_000
    flag = min(timeit.repeat(lambda: state.plain, number=number, repeat=5)) / number
    empty = min(timeit.repeat(lambda: None, number=number, repeat=5)) / number
    add = min(timeit.repeat(lambda: a + b, number=number, repeat=5)) / number
    flag_cost = max(0.0, flag - empty)
    add_cost = add - empty
    return Section(
        "Cost of the fast-path flag and of observers (anomaly mode)",
        ["observer", "forward", "backward", "time / off: median (min..max)"],
        rows,
        notes=[
            f"The demo step's forward + backward. Off, a node pays one flag check, "
            f"`state.plain`: {fmt_time(flag_cost)} of the {fmt_time(add_cost)} an "
            f"`a + b` takes ({100 * flag_cost / add_cost:.0f}%; timeit, minimum of 5)."
            + ("" if anomaly else " autograd.detect_anomaly is not available yet.")
        ],
        numbers={"runs": runs, "flag": flag_cost, "add": add_cost},
    )


CASES: list[Callable[[Config], Section]] = [
    demo_step,
    random_graphs,
    memory,
    chains,
    observers,
    pytorch,
]


__all__ += ["Program", "Runs", "build", "make_program"]
