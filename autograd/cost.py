"""Cost accounting: what a gradient costs, counted, and how big a graph is, exactly.

``count_ops()`` watches this thread's engine (an ``Observer``) and counts

* ``forward_ops``: nodes made by ops (a node made under ``no_grad`` counts too: the
  op still ran);
* ``backward_steps``: nodes processed by ``Value.backward()`` (one rule call and one
  multiply-add per input each); ``gradients`` and ``grad`` report no steps;
* ``tangent_steps``: nodes whose tangent ``jvp`` computed (one rule call each);
* ``evaluations``: calls of the function being differentiated, reported by the
  callers that make them (``numeric_grad`` and ``jvp``; add your own with
  ``counts.evaluations += 1``).

Counting takes the engine's observed (slower) path: time a computation without a
counter, count it in a separate run.

Two exact sizes of a graph that has already been built, for the question "why not
write out the derivative of the whole formula?":

* ``tree_size(root)``: the number of nodes of ``root``'s expression written out as a
  tree, every shared subexpression copied at each of its uses (what expanding the
  formula by hand, or symbolic differentiation without sharing, produces);
* ``path_count(root, node)``: the number of directed paths from ``node`` up to
  ``root``, the number of products the chain rule sums when written over paths.

Both are one pass over the graph in topological order (iterative, linear in its
number of edges) with exact Python ints, however many digits the answer has. An
input read twice by one node (``x * x``) is two edges: two copies in the tree, two
paths. For every graph, ``tree_size(root)`` is the sum of ``path_count(root, v)``
over the nodes ``v`` of the graph: each path to ``v`` is one copy of ``v`` in the tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autograd.backward import topological_order
from autograd.modes import Observer, observe, state
from autograd.value import Value

__all__ = ["OpCount", "count_ops", "path_count", "record", "tree_size"]


class OpCount(Observer):
    """Running totals of the work done in this thread while the counter is active."""

    def __init__(self) -> None:
        self.forward_ops = 0
        self.backward_steps = 0
        self.tangent_steps = 0
        self.evaluations = 0

    @property
    def ops(self) -> int:
        """All the node-level work: forward ops, backward steps and tangent steps."""
        return self.forward_ops + self.backward_steps + self.tangent_steps

    def on_node(self, node: Any) -> None:
        """Count a node made by an op."""
        self.forward_ops += 1

    def on_backward_step(self, step: Any) -> None:
        """Count a node processed by a backward pass."""
        self.backward_steps += 1

    def __repr__(self) -> str:
        return (
            f"OpCount(evaluations={self.evaluations}, forward_ops={self.forward_ops}, "
            f"backward_steps={self.backward_steps}, "
            f"tangent_steps={self.tangent_steps})"
        )


@contextmanager
def count_ops() -> Iterator[OpCount]:
    """Within the block, count this thread's evaluations, ops and steps."""
    counter = OpCount()
    with observe(counter):
        yield counter


def record(evaluations: int = 0, tangent_steps: int = 0) -> None:
    """Add work done outside the node hooks to every active counter in this thread."""
    for observer in state.observers:
        if isinstance(observer, OpCount):
            observer.evaluations += evaluations
            observer.tangent_steps += tangent_steps


def _check_value(function: str, argument: str, value: Any) -> None:
    if not isinstance(value, Value):
        raise TypeError(
            f"{function}: {argument} must be a Value, got {type(value).__name__}"
        )


def tree_size(root: Value) -> int:
    """The number of nodes of ``root`` written out as a tree (shared parts copied).

    A leaf is 1; a node is 1 plus the tree sizes of its inputs, each input counted
    once per use (``x * x`` is 3). Exact, computed without expanding anything.
    """
    _check_value("tree_size", "root", root)
    sizes: dict[Value, int] = {}
    for node in topological_order(root):
        size = 1
        for x in node.inputs:
            size += sizes[x]
        sizes[node] = size
    return sizes[root]


def path_count(root: Value, node: Value) -> int:
    """The number of directed paths from ``node`` up to ``root`` through the graph.

    1 when ``node`` is ``root``, 0 when ``root`` does not depend on ``node``; an input
    read twice by one node (``x * x``) gives two paths. Exact, without enumerating.
    """
    _check_value("path_count", "root", root)
    _check_value("path_count", "node", node)
    # paths[v]: paths from node up to v; every node after node in the order sums its
    # inputs' counts, one term per edge.
    paths: dict[Value, int] = {node: 1}
    for v in topological_order(root):
        if v is node:
            continue
        total = 0
        for x in v.inputs:
            total += paths.get(x, 0)
        if total:
            paths[v] = total
    return paths.get(root, 0)
