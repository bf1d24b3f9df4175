"""The backward pass: a topological order of the graph, then the chain rule, once.

For every node, from the root back to the leaves, each input receives

    input.grad += node.grad * d(node)/d(input)

where the local partial d(node)/d(input) comes from the op's rule in ``ops.OPS``. The
order guarantees that a node's gradient is complete (every use of it has contributed)
before it is passed on to its inputs.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from autograd.modes import state
from autograd.ops import FLOAT_MATH, OPS
from autograd.value import VALUE_MATH, Value

__all__ = ["Step", "backward", "gradients", "local_partials", "topological_order"]

_PARTIALS = {name: op.partials for name, op in OPS.items()}


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its inputs; root last.

    Iterative depth-first search (no recursion limit), visiting inputs in operand
    order, so the order is deterministic.
    """
    order: list[Value] = []
    expanded: set[Value] = set()
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # marker: everything above the node below it is done
            order.append(stack.pop())  # type: ignore[arg-type]
            continue
        if node in expanded:
            continue
        expanded.add(node)
        inputs = node.inputs
        if inputs:
            stack.append(node)
            stack.append(None)
            stack.extend(reversed(inputs))
        else:
            order.append(node)
    return order


def local_partials(node: Value, create_graph: bool = False) -> Sequence[Any]:
    """d(node)/d(input) for each of the node's inputs, from the op's rule.

    Floats by default; with ``create_graph`` they are Values built from the graph, so
    they can be differentiated again.
    """
    rule = _PARTIALS[node.op]
    if create_graph:
        return rule(node.inputs, node, VALUE_MATH)
    return rule([x.data for x in node.inputs], node.data, FLOAT_MATH)


class Step(NamedTuple):
    """One node's share of the backward pass (see ``backward_steps``)."""

    node: Value
    upstream: Any  # d(root)/d(node), complete when the node is reached
    partials: Sequence[Any]  # d(node)/d(input), one per input
    contributions: Sequence[Any]  # upstream * partial, one per input


def _check_seed(grad: Any, create_graph: bool) -> Any:
    if isinstance(grad, Value):
        return grad if create_graph else grad.data
    if isinstance(grad, numbers.Real) and not isinstance(grad, bool):
        return Value(grad) if create_graph else float(grad)
    raise TypeError(f"backward: grad must be a number, got {type(grad).__name__}")


def _add(total: Any, contribution: Any) -> Any:
    # In a differentiable pass an exact float 0.0 is "nothing yet": skip the 0 + c node.
    if type(total) is float and total == 0.0 and type(contribution) is Value:
        return contribution
    return total + contribution


def backward_steps(
    root: Value, grad: Any = 1.0, *, create_graph: bool = False
) -> Iterator[Step]:
    """Run the backward pass from ``root`` one node at a time, yielding each step.

    Leaves accumulate into ``.grad`` (as in PyTorch); every other node's ``.grad`` is
    set to this pass's value. When the iterator is exhausted the gradients are those
    of ``root.backward(grad)``.
    """
    seed = _check_seed(grad, create_graph)
    order = topological_order(root)
    for node in order:
        if node.inputs:
            node.grad = 0.0
    root.grad = _add(root.grad, seed)
    for node in reversed(order):
        if not node.inputs:
            continue
        upstream = node.grad
        partials = local_partials(node, create_graph)
        contributions = [upstream * p for p in partials]
        for inp, contribution in zip(node.inputs, contributions):
            inp.grad = _add(inp.grad, contribution)
        yield Step(node, upstream, partials, contributions)


def backward(root: Value, grad: Any = 1.0, *, create_graph: bool = False) -> None:
    """Backpropagate from ``root``: afterwards each node's ``.grad`` is d(root)/d(node).

    The same pass as ``backward_steps``, with the loop written out for speed: one
    rule call per node and one multiply-add per edge.
    """
    if create_graph or state.observers:  # the observed path, one step at a time
        for step in backward_steps(root, grad, create_graph=create_graph):
            for observer in state.observers:
                observer.on_backward_step(step)
        return
    seed = _check_seed(grad, False)
    order = topological_order(root)
    for node in order:
        if node.inputs:
            node.grad = 0.0
    root.grad += seed
    partials_of = _PARTIALS
    m = FLOAT_MATH
    for node in reversed(order):
        inputs = node.inputs
        if inputs:
            upstream = node.grad
            partials = partials_of[node.op]([x.data for x in inputs], node.data, m)
            for inp, partial in zip(inputs, partials):
                inp.grad += upstream * partial


def gradients(
    root: Value,
    wrt: Sequence[Value],
    grad: Any = 1.0,
    *,
    create_graph: bool = False,
) -> list[Any]:
    """d(root)/d(w) for each w in ``wrt``, without touching any node's ``.grad``.

    Like ``torch.autograd.grad``: the pass keeps its gradients to itself, so it can
    be nested (``grad(grad(f))``) and has no side effects on the graph.
    """
    seed = _check_seed(grad, create_graph)
    grads: dict[Value, Any] = {root: seed}
    for node in reversed(topological_order(root)):
        upstream = grads.get(node)
        if upstream is None or not node.inputs:
            continue
        partials = local_partials(node, create_graph)
        for inp, partial in zip(node.inputs, partials):
            grads[inp] = _add(grads.get(inp, 0.0), upstream * partial)
    return [grads.get(w, 0.0) for w in wrt]
