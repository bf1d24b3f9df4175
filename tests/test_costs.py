"""Costs that grow as the graph does: backward_steps and anomaly mode's bookkeeping.

No wall-clock assertions (shared machines): the step count, and memory measured with
``tracemalloc``. ``python scripts/engine_costs.py`` measures the times
(docs/results/engine_costs.json, quoted in docs/errors.md).
"""

from __future__ import annotations

import gc
import tracemalloc

from autograd import Value, backward_steps, detect_anomaly


def chain(length: int) -> tuple[Value, Value]:
    """A leaf and a chain of ``length`` ops above it (mul and tanh in turn)."""
    x = Value(0.5)
    v = x
    for i in range(length):
        v = v.tanh() if i % 2 else v * 1.0001
    return x, v


def steps_peak(length: int) -> tuple[int, int]:
    """The steps of backward_steps over a chain, and the bytes it allocated at most
    while they were consumed one at a time (the graph itself not counted)."""
    x, root = chain(length)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        count = sum(1 for _ in backward_steps(root))
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert x.grad != 0.0  # the pass reached the leaf
    return count, peak


def test_backward_steps_makes_one_step_per_op_of_a_long_chain():
    """A 100,000-op chain gives 100,000 steps (no recursion, no node twice)."""
    _, root = chain(100_000)
    assert sum(1 for _ in backward_steps(root)) == 100_000


def test_backward_steps_memory_is_linear_in_the_graph():
    """The pass's own peak memory grows in proportion to the chain (2x the nodes,
    about 2x the bytes) and stays at a few hundred bytes per node."""
    small_count, small = steps_peak(50_000)
    large_count, large = steps_peak(100_000)
    assert (small_count, large_count) == (50_000, 100_000)
    assert 1.6 <= large / small <= 2.4, (small, large)
    assert large / 100_000 < 300, large  # bytes per node


def test_anomaly_bookkeeping_is_freed_with_the_graph():
    """After a 200,000-node graph built and backpropagated in anomaly mode is
    dropped, less than 1 MiB stays allocated (the sites table shrinks too)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with detect_anomaly():
            x, root = chain(200_000)
            root.backward()
            during = tracemalloc.get_traced_memory()[0] - base
            del x, root
            gc.collect()
            after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert during > 20 * 2**20  # the graph and its sites were there
    assert after < 2**20, after


def test_anomaly_bookkeeping_is_freed_after_the_block_too():
    """The same after the detect_anomaly block has ended before the graph is
    dropped (the thread's observer outlives the block)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with detect_anomaly():
            x, root = chain(100_000)
        root.backward()
        del x, root
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert after < 2**20, after
