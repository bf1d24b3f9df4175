"""What the engine's passes cost as the graph grows: linear, measured.

On chains of 25,000 to 200,000 ops (mul and tanh in turn), for ``backward()``
(the generated kernels), ``backward_steps()`` (one step at a time, what the
visualiser reads) and ``backward(create_graph=True)``: the time per node (median
of a few runs) and the extra memory per node the pass allocates at its peak
(``tracemalloc``, the graph itself not counted). A linear cost is the same per node
at every length. And anomaly mode: the memory left once a 1,000,000-node graph
built and backpropagated under ``detect_anomaly`` is dropped.

    python scripts/engine_costs.py     measure, write docs/results/engine_costs.json

Times are this machine's, on a shared machine: compare the rows with each other.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autograd import Value, backward_steps, detect_anomaly

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results" / "engine_costs.json"
LENGTHS = (25_000, 50_000, 100_000, 200_000)


def chain(length: int) -> tuple[Value, Value]:
    """A leaf and a chain of ``length`` ops above it (mul and tanh in turn)."""
    x = Value(0.5)
    v = x
    for i in range(length):
        v = v.tanh() if i % 2 else v * 1.0001
    return x, v


def _steps(root: Value) -> None:
    for _ in backward_steps(root):
        pass


PASSES: dict[str, Callable[[Value], Any]] = {
    "backward()": lambda root: root.backward(),
    "backward_steps()": _steps,
    "backward(create_graph=True)": lambda root: root.backward(create_graph=True),
}


def seconds(run: Callable[[Value], Any], length: int, repeats: int) -> float:
    """The median time of ``run`` on a fresh chain."""
    times = []
    for _ in range(repeats):
        x, root = chain(length)
        gc.collect()
        start = time.perf_counter()
        run(root)
        times.append(time.perf_counter() - start)
        del x, root
    return statistics.median(times)


def peak_bytes(run: Callable[[Value], Any], length: int) -> int:
    """The most bytes ``run`` has allocated at once, over the graph it is given."""
    x, root = chain(length)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        run(root)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
        del x, root


def anomaly_left(length: int) -> tuple[int, int]:
    """Bytes allocated while a graph is alive under anomaly mode, and after."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with detect_anomaly():
            x, root = chain(length)
            root.backward()
            during = tracemalloc.get_traced_memory()[0] - base
            del x, root
            gc.collect()
            after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return during, after


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.1f} KiB"


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and write the results file."""
    parser = argparse.ArgumentParser(
        prog="python scripts/engine_costs.py",
        description="Time and memory per node of the backward passes, by length.",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--anomaly-length", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    rows = ["| pass | ops | time | per node | peak memory | per node |"]
    rows.append("|---|---|---|---|---|---|")
    figures: dict[str, Any] = {}
    for name, run in PASSES.items():
        per_node = []
        for length in LENGTHS:
            t = seconds(run, length, args.repeats)
            memory = peak_bytes(run, length)
            per_node.append(t / length)
            rows.append(
                f"| `{name}` | {length:,} | {t * 1e3:,.0f} ms | "
                f"{t / length * 1e6:.2f} µs | {_size(memory)} | "
                f"{memory / length:.0f} B |"
            )
            print(rows[-1], flush=True)
        figures[name] = {
            "us_per_node_at_100k": f"{per_node[LENGTHS.index(100_000)] * 1e6:.2f} µs",
            "spread": f"{max(per_node) / min(per_node):.2f}x",
        }
    during, after = anomaly_left(args.anomaly_length)
    results = {
        "table": "\n".join(rows),
        "passes": figures,
        "anomaly": {
            "length": f"{args.anomaly_length:,}",
            "during": _size(during),
            "after": _size(after),
        },
        "command": "python scripts/engine_costs.py",
    }
    print(
        f"anomaly mode, {args.anomaly_length:,} nodes: {_size(during)} while alive, "
        f"{_size(after)} after the graph is dropped"
    )
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
