"""Deep and wide graphs: a million-node chain and a million-input sum, and their memory.

Memory is measured with tracemalloc while the cycle collector is off, so that only
reference counting can free a dropped graph. Under tracemalloc every allocation is
slow, so locally the chain measured is 200,000 nodes long; with CI=true it is the
full 1,000,000.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Callable

import autograd
from autograd import Value

MILLION = 1_000_000
# What may stay allocated: CPython's free lists keep up to 2,000 freed tuples of each
# small size and 100 floats for reuse (about 100 KiB), whatever the graph's size.
FREE_LISTS = 256 * 1024
MEMORY_CHAIN = MILLION if os.environ.get("CI") == "true" else 200_000


def chain(length: int) -> tuple[Value, Value]:
    """A leaf and the end of a chain of ``length`` neg nodes above it."""
    x = Value(1.0)
    y = x
    for _ in range(length):
        y = -y
    return x, y


def test_million_node_chain_backpropagates() -> None:
    """backward() through 1,000,000 nested ops gives the exact gradient."""
    x, y = chain(MILLION)
    y.backward()
    assert x.grad == 1.0  # an even number of negations


def test_million_input_sum_backpropagates() -> None:
    """A fused sum of 1,000,000 inputs gives each input gradient 1."""
    xs = [Value(float(i)) for i in range(MILLION)]
    total = autograd.sum(xs)
    total.backward()
    assert total.data == MILLION * (MILLION - 1) / 2
    assert all(x.grad == 1.0 for x in xs)


def retained_after(build: Callable[[], object]) -> tuple[int, int]:
    """Bytes still allocated after ``build()``'s graph is dropped, and the peak."""
    build()  # once untraced, so that caches and free lists are already warm
    gc.disable()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        before = _ours(tracemalloc.take_snapshot())
        build()  # the graph lives only inside build: dropped when it returns
        peak = tracemalloc.get_traced_memory()[1]
        after = _ours(tracemalloc.take_snapshot())
    finally:
        tracemalloc.stop()
        gc.enable()
    return after - before, peak - start


def _ours(snapshot: tracemalloc.Snapshot) -> int:
    """Bytes allocated by the engine and by this file: other threads (a progress
    bar's monitor left by another test) may allocate meanwhile, and do not count."""
    ours = snapshot.filter_traces(
        [
            tracemalloc.Filter(True, os.path.join("*", "autograd", "*")),
            tracemalloc.Filter(True, __file__),
        ]
    )
    return sum(stat.size for stat in ours.statistics("filename"))


def _chain_graph() -> None:
    _, y = chain(MEMORY_CHAIN)
    y.backward()


def _sum_graph() -> None:
    xs = [Value(float(i)) for i in range(MILLION)]
    autograd.sum(xs).backward()


def test_chain_memory_returns_once_dropped() -> None:
    """A long chain, backpropagated and dropped, is freed by reference counting."""
    retained, peak = retained_after(_chain_graph)
    assert peak > 100 * MEMORY_CHAIN  # the graph was really there (> 100 B a node)
    assert retained < FREE_LISTS


def test_million_input_sum_memory_returns_once_dropped() -> None:
    """A 1,000,000-input sum, backpropagated and dropped, is freed at once."""
    retained, peak = retained_after(_sum_graph)
    assert peak > 100 * MILLION
    assert retained < FREE_LISTS
