"""Cost accounting: count what a gradient costs, in evaluations and ops, by measuring.

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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autograd.modes import Observer, observe, state

__all__ = ["OpCount", "count_ops", "record"]


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
