"""The backward pass: a topological order of the graph, then the chain rule, once.

For every node, from the root back to the leaves, each input receives

    input.grad += node.grad * d(node)/d(input)

where the local partial d(node)/d(input) comes from the op's rule in ``ops.OPS``. The
order guarantees that a node's gradient is complete (every use of it has contributed)
before it is passed on to its inputs. The float pass runs code generated from the
rules (``autograd.kernels``); the step-by-step and differentiable passes call the
rules themselves. Both give the same bits.

Leaves accumulate across passes: a pass sums its own contributions from 0.0 and then
adds that total to each leaf's gradient from before. A pass that fails or is
interrupted (an exception, ``KeyboardInterrupt``, a ``backward_steps`` iterator
closed early) leaves every leaf's ``.grad`` as it was before it began.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from autograd.kernels import PARTIALS, backward_pass
from autograd.modes import state
from autograd.ops import FLOAT_MATH, OPS
from autograd.value import VALUE_MATH, Value, _items, _type_name

__all__ = ["Step", "backward", "gradients", "local_partials", "topological_order"]

_copysign = math.copysign

_RULES = {name: op.partials for name, op in OPS.items()}

# A leaf whose gradient the pass has set aside holds this very float (+0.0): an
# identity check tells a leaf met again in the same walk from one met for the first
# time, at the cost of a truthiness test.
_HELD = float("0")


def _check_root(root: Any, where: str) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"{where}: root must be a Value, got {_type_name(root)}")


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its inputs; root last.

    Iterative depth-first search (no recursion limit), visiting inputs in operand
    order, so the order is deterministic.
    """
    _check_root(root, "topological_order")
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
        inputs = node._inputs
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
    if create_graph:
        return _RULES[node._op](node._inputs, node, VALUE_MATH)
    inputs = node._inputs
    fixed = PARTIALS.get(node._op)
    if fixed is not None:
        return fixed(*[x.data for x in inputs], node.data)
    return _RULES[node._op]([x.data for x in inputs], node.data, FLOAT_MATH)


class Step(NamedTuple):
    """One node's share of the backward pass (see ``backward_steps``)."""

    node: Value
    upstream: Any  # d(root)/d(node), complete when the node is reached
    partials: Sequence[Any]  # d(node)/d(input), one per input
    contributions: Sequence[Any]  # upstream * partial, one per input


def _check_seed(grad: Any, create_graph: Any, where: str) -> Any:
    """The seed as a float (a Value with ``create_graph``), or a clear error."""
    if type(create_graph) is not bool:
        raise TypeError(
            f"{where}: create_graph must be True or False, got "
            f"{type(create_graph).__name__}"
        )
    if isinstance(grad, Value):
        return grad if create_graph else grad.data
    if isinstance(grad, bool) or not isinstance(grad, numbers.Real):
        raise TypeError(
            f"{where}: grad (the seed) must be a number or a Value, got "
            f"{_type_name(grad)}"
        )
    try:
        seed = float(grad)
    except OverflowError:
        raise OverflowError(
            f"{where}: grad (the seed) is too large for a float"
        ) from None
    if math.isinf(seed) and grad != seed:  # a numpy longdouble past the range
        raise OverflowError(f"{where}: grad (the seed) is too large for a float")
    return Value(seed) if create_graph else seed


def _add(total: Any, contribution: Any) -> Any:
    # In a differentiable pass an exact float 0.0 is "nothing yet": skip the 0 + c
    # node, which is c bit for bit unless c is -0.0 (0.0 + -0.0 is 0.0, as the float
    # pass computes it).
    if (
        type(total) is float
        and total == 0.0
        and type(contribution) is Value
        and (contribution.data != 0.0 or _copysign(1.0, contribution.data) > 0.0)
    ):
        return contribution
    return total + contribution


def _accumulate(held: list[tuple[Value, Any]]) -> None:
    """Add each leaf's gradient from before the pass to this pass's total."""
    for leaf, before in held:
        # The total started at +0.0, so it is never -0.0: adding a zero changes nothing
        if type(before) is not float or before:
            leaf.grad = _add(before, leaf.grad)


class _Held(list[tuple[Value, Any]]):
    """The leaves a pass has set aside, with their gradients from before.

    Put back when the pass fails, and also when the pass's frame is torn down
    without a chance to run its handlers (a generator killed at a yield, which a
    trace function raising on the yield's ``return`` event does), by ``__del__``.
    """

    done = False  # a class default: no __init__ for an interrupt to land in

    def __del__(self) -> None:
        if not self.done:
            _restore(self)


def _restore(held: list[tuple[Value, Any]]) -> None:
    """Put back every leaf's gradient from before a pass that did not complete."""
    for leaf, before in reversed(held):
        leaf.grad = before


def _interior_order(root: Value, held: list[tuple[Value, Any]]) -> list[Value]:
    """The nodes of ``topological_order(root)`` that have inputs, in the same order,
    with every leaf set aside into ``held``, in one walk of the graph.

    On the way each node's ``.grad`` is set to 0.0 (this pass's value starts there),
    and each leaf's gradient from before is appended to ``held`` and the leaf set to
    +0.0, for ``_accumulate`` (or ``_restore``). A leaf is held once however many
    times it is read.
    """
    order: list[Value] = []
    if not root._inputs:
        held.append((root, root.grad))
        root.grad = _HELD
        return order
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
        node.grad = 0.0
        stack.append(node)
        stack.append(None)
        for x in reversed(node._inputs):
            if x._inputs:
                if x not in expanded:
                    stack.append(x)
            elif x.grad is not _HELD:
                held.append((x, x.grad))
                x.grad = _HELD
    return order


def _derive(
    node: Value, upstream: Any, targets: Sequence[Value] = ()
) -> tuple[Sequence[Any], list[Any]]:
    """A node's partials and contributions as Values (a differentiable pass),
    the contributions added into ``targets``' gradients (their sums are checked as
    the step, not as the user's ops)."""
    state.deriving += 1
    try:
        partials = local_partials(node, True)
        contributions = [upstream * p for p in partials]
        for inp, contribution in zip(targets, contributions):
            inp.grad = _add(inp.grad, contribution)
        return partials, contributions
    finally:
        state.deriving -= 1


@contextmanager
def _deriving(create_graph: bool) -> Iterator[None]:
    """While a differentiable pass adds its Values, they are not the user's ops."""
    if not create_graph:
        yield
        return
    state.deriving += 1
    try:
        yield
    finally:
        state.deriving -= 1


def backward_steps(
    root: Value, grad: Any = 1.0, *, create_graph: bool = False
) -> Generator[Step, None, None]:
    """Run the backward pass from ``root`` one node at a time, yielding each step.

    Leaves accumulate into ``.grad`` (as in PyTorch); every other node's ``.grad`` is
    set to this pass's value. When the iterator is exhausted the gradients are those
    of ``root.backward(grad)``; closed before that (or on an error), every leaf's
    gradient is put back as it was. The arguments are checked at the call, before
    the first step.
    """
    _check_root(root, "backward_steps")
    seed = _check_seed(grad, create_graph, "backward_steps")
    return _steps(root, seed, create_graph)


def _steps(root: Value, seed: Any, create_graph: bool) -> Generator[Step, None, None]:
    """The pass of ``backward_steps``, its arguments checked."""
    held = _Held()
    try:
        order = _interior_order(root, held)
        with _deriving(create_graph):
            root.grad = _add(root.grad, seed)
        for node in reversed(order):
            upstream = node.grad
            if create_graph:
                partials, contributions = _derive(node, upstream, node._inputs)
            else:
                partials = local_partials(node)
                contributions = [upstream * p for p in partials]
                for inp, contribution in zip(node._inputs, contributions):
                    inp.grad = _add(inp.grad, contribution)
            yield Step(node, upstream, partials, contributions)
        with _deriving(create_graph):
            _accumulate(held)  # inside: an interrupt here must undo it all too
        held.done = True
    except BaseException:  # GeneratorExit too: a pass not run to the end
        _restore(held)
        held.done = True
        raise


def backward(root: Value, grad: Any = 1.0, *, create_graph: bool = False) -> None:
    """Backpropagate from ``root``: afterwards each node's ``.grad`` is d(root)/d(node).

    The same pass as ``backward_steps``; the float pass runs the generated kernels
    (``autograd.kernels.backward_pass``): one multiply-add per edge.
    """
    _check_root(root, "backward")
    seed = _check_seed(grad, create_graph, "backward")
    if create_graph or state.observers:  # the observed path, one step at a time
        steps = _steps(root, seed, create_graph)
        try:
            for step in steps:
                for observer in state.observers:
                    observer.on_backward_step(step)
        finally:  # an observer's error (AnomalyError) undoes the pass at once
            steps.close()
        return
    held: list[tuple[Value, Any]] = []
    try:
        order = _interior_order(root, held)
        root.grad += seed
        backward_pass(order)
        _accumulate(held)
    except BaseException:
        _restore(held)
        raise


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
    _check_root(root, "gradients")
    wrt = list(_items(wrt, "gradients", "wrt", "Values"))
    for i, w in enumerate(wrt):
        if not isinstance(w, Value):
            raise TypeError(f"gradients: wrt[{i}] must be a Value, got {_type_name(w)}")
    seed = _check_seed(grad, create_graph, "gradients")
    grads: dict[Value, Any] = {root: seed}
    observers = state.observers
    for node in reversed(topological_order(root)):
        upstream = grads.get(node)
        if upstream is None or not node._inputs:
            continue
        if create_graph:
            partials, contributions = _derive(node, upstream)
        else:
            partials = local_partials(node)
            contributions = [upstream * p for p in partials]
        for observer in observers:  # anomaly mode checks these contributions
            observer.on_gradient_step(Step(node, upstream, partials, contributions))
        for inp, contribution in zip(node._inputs, contributions):
            grads[inp] = _add(grads.get(inp, 0.0), contribution)
    return [grads.get(w, 0.0) for w in wrt]
