"""The backward pass: a topological order of the graph, then the chain rule, once.

For every node, from the root back to the leaves, each input receives

    input.grad += node.grad * d(node)/d(input)

where the local partial d(node)/d(input) comes from the op's rule in ``ops.OPS``. The
order guarantees that a node's gradient is complete (every use of it has contributed)
before it is passed on to its inputs.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from autograd.modes import state
from autograd.ops import FLOAT_MATH, OPS
from autograd.value import VALUE_MATH, Value

__all__ = ["Step", "backward", "gradients", "local_partials", "topological_order"]

_PARTIALS = {name: op.partials for name, op in OPS.items()}

# -- fast kernels, derived from the table ---------------------------------------------
#
# The float backward pass avoids a rule call per node where an op's partials follow a
# pattern the loop can apply directly. Which op follows which pattern is not written
# down here: at import every op's rule is probed on sample inputs (negative, zero,
# positive; every arity the pattern allows) and an op gets a kernel only if the rule
# gives exactly the pattern's partials on every probe. Change a rule in ops.py and its
# op falls back to the generic path (one rule call per node) by itself. The kernels
# accumulate in input order, as the generic path does, so both give the same bits.

_GENERIC = 0  # call the rule with the inputs' numbers
_UNARY = 1  # the same, for one input, without building a list
_ONES = 2  # every partial is 1.0 (add, sum): input.grad += upstream
_CONSTANT = 3  # partials that never change (sub, neg): taken from _CONSTANTS
_SWAP = 4  # two inputs, partials (x1, x0) (mul)
_DOT = 5  # inputs (*w, *x), partials (*x, *w) (dot)
_LINEAR = 6  # inputs (*w, *x, b), partials (*x, *w, 1.0) (linear)
_STEP = 7  # one input, partial 1.0 for x > 0, 0.0 for x <= 0, NaN at NaN (relu)

_PROBE_NUMBERS = (
    -2.5,
    -1.0,
    -0.0,
    0.0,
    0.5,
    1.0,
    3.0,
    7.25,
    math.inf,
    -math.inf,
    math.nan,
)


def _probes(arity: int | None, lengths: Sequence[int]) -> list[list[float]]:
    """Sample inputs: all pairs for a binary op, every number for a unary one, and
    random draws for each of ``lengths`` for an n-ary op (seeded: deterministic)."""
    if arity == 1:
        return [[x] for x in _PROBE_NUMBERS]
    if arity == 2:
        return [[x, y] for x in _PROBE_NUMBERS for y in _PROBE_NUMBERS]
    rng = random.Random(6)
    return [
        [rng.choice(_PROBE_NUMBERS) * rng.uniform(0.5, 2.0) for _ in range(n)]
        for n in lengths
        for _ in range(8)
    ]


def _rule_on(op_name: str, xs: list[float]) -> list[float] | None:
    """The rule's float partials at ``xs``, or None where the forward is undefined."""
    op = OPS[op_name]
    try:
        out = op.forward(*xs)
    except (ArithmeticError, ValueError):
        return None
    return [float(p) for p in op.partials(xs, out, FLOAT_MATH)]


def _same(a: Sequence[float], b: Sequence[float]) -> bool:
    """Equal as floats, bit for bit in sign (-0.0 is not 0.0) and NaN where NaN."""
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y))
        or (x == y and math.copysign(1, x) == math.copysign(1, y))
        for x, y in zip(a, b)
    )


def _matches(op_name: str, lengths: Sequence[int], pattern: Any) -> bool:
    """Whether the op's rule gives ``pattern(xs)`` on every probe (and is defined)."""
    arity = OPS[op_name].arity
    for xs in _probes(arity, lengths):
        partials = _rule_on(op_name, xs)
        if partials is None or not _same(partials, pattern(xs)):
            return False
    return True


def _ones(xs: Sequence[float]) -> list[float]:
    return [1.0] * len(xs)


def _swapped(xs: Sequence[float]) -> list[float]:
    return [xs[1], xs[0]]


def _dot_pattern(xs: Sequence[float]) -> list[float]:
    n = len(xs) // 2
    return [*xs[n:], *xs[:n]]


def _linear_pattern(xs: Sequence[float]) -> list[float]:
    n = len(xs) // 2
    return [*xs[n : 2 * n], *xs[:n], 1.0]


def _step_pattern(xs: Sequence[float]) -> list[float]:
    x = xs[0]
    return [1.0 if x > 0.0 else 0.0 if x <= 0.0 else math.nan]


def _kernel_of(op_name: str) -> tuple[int, tuple[float, ...] | None]:
    """The fast kernel the op's rule allows, with its constant partials if any."""
    arity = OPS[op_name].arity
    if _matches(op_name, (1, 2, 3, 7), _ones):
        return _ONES, None
    if arity is not None:
        first = _rule_on(op_name, [1.0] * arity)
        if first is not None and _matches(op_name, (), lambda xs: first):
            return _CONSTANT, tuple(first)
        if arity == 2 and _matches(op_name, (), _swapped):
            return _SWAP, None
        if arity == 1 and _matches(op_name, (), _step_pattern):
            return _STEP, None
        return (_UNARY if arity == 1 else _GENERIC), None
    if _matches(op_name, (2, 4, 16), _dot_pattern):
        return _DOT, None
    if _matches(op_name, (1, 3, 5, 17), _linear_pattern):
        return _LINEAR, None
    return _GENERIC, None


_KERNELS = {name: _kernel_of(name) for name in OPS}
_KIND = {name: kind for name, (kind, _) in _KERNELS.items()}
_CONSTANTS = {name: c for name, (_, c) in _KERNELS.items() if c is not None}
_NAN = math.nan


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


def _accumulate(held: list[tuple[Value, Any]]) -> None:
    """Add each leaf's gradient from before the pass to this pass's total."""
    for leaf, before in held:
        leaf.grad = _add(before, leaf.grad)


def backward_steps(
    root: Value, grad: Any = 1.0, *, create_graph: bool = False
) -> Iterator[Step]:
    """Run the backward pass from ``root`` one node at a time, yielding each step.

    Leaves accumulate into ``.grad`` (as in PyTorch); every other node's ``.grad`` is
    set to this pass's value. When the iterator is exhausted the gradients are those
    of ``root.backward(grad)``.
    """
    seed = _check_seed(grad, create_graph)
    order, held = _interior_order(root)
    root.grad = _add(root.grad, seed)
    try:
        for node in reversed(order):
            upstream = node.grad
            partials = local_partials(node, create_graph)
            contributions = [upstream * p for p in partials]
            for inp, contribution in zip(node.inputs, contributions):
                inp.grad = _add(inp.grad, contribution)
            yield Step(node, upstream, partials, contributions)
    finally:
        _accumulate(held)


def _interior_order(root: Value) -> tuple[list[Value], list[tuple[Value, Any]]]:
    """The nodes of ``topological_order(root)`` that have inputs, in the same order,
    and the leaves held aside, in one walk of the graph.

    On the way each node's ``.grad`` is set to 0.0 (this pass's value starts there),
    and each leaf with a gradient from before is set to 0.0 and returned with it, for
    ``_accumulate``. Leaves accumulate across passes, but a pass first sums its own
    contributions from zero and ``_accumulate`` then adds that total to the old value:
    adding each contribution to the old value directly rounds differently, and a
    second ``backward()`` would not give exactly twice the gradient. A leaf already
    at 0.0 needs no holding: it accumulates exactly.
    """
    order: list[Value] = []
    held: list[tuple[Value, Any]] = []
    if not root.inputs:
        return order, held
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
        for x in reversed(node.inputs):
            if x.inputs:
                if x not in expanded:
                    stack.append(x)
            elif x.grad:  # a held leaf is at 0.0 from then on: held once
                held.append((x, x.grad))
                x.grad = 0.0
    return order, held


def backward(root: Value, grad: Any = 1.0, *, create_graph: bool = False) -> None:
    """Backpropagate from ``root``: afterwards each node's ``.grad`` is d(root)/d(node).

    The same pass as ``backward_steps``, with the loop written out for speed: one
    multiply-add per edge, and a rule call per node only for ops without a kernel
    (see ``_KERNELS``).
    """
    if create_graph or state.observers:  # the observed path, one step at a time
        for step in backward_steps(root, grad, create_graph=create_graph):
            for observer in state.observers:
                observer.on_backward_step(step)
        return
    seed = _check_seed(grad, False)
    order, held = _interior_order(root)
    root.grad += seed
    kind_of = _KIND
    partials_of = _PARTIALS
    m = FLOAT_MATH
    for node in reversed(order):
        inputs = node.inputs
        upstream = node.grad
        op = node.op
        kind = kind_of[op]
        if kind == _LINEAR:
            # inputs (*w, *x, b): zip(inputs, xs) pairs each w_i with x_i and stops
            # there, so the weights need no slice of their own.
            n = len(inputs) // 2
            xs = inputs[n : 2 * n]
            for w, x in zip(inputs, xs):
                w.grad += upstream * x.data
            for w, x in zip(inputs, xs):
                x.grad += upstream * w.data
            inputs[-1].grad += upstream
        elif kind == _STEP:
            x = inputs[0]
            d = x.data
            x.grad += upstream * (1.0 if d > 0.0 else 0.0 if d <= 0.0 else _NAN)
        elif kind == _UNARY:
            x = inputs[0]
            x.grad += upstream * partials_of[op]((x.data,), node.data, m)[0]
        elif kind == _SWAP:
            a, b = inputs
            a.grad += upstream * b.data
            b.grad += upstream * a.data
        elif kind == _ONES:
            for x in inputs:
                x.grad += upstream
        elif kind == _DOT:
            xs = inputs[len(inputs) // 2 :]  # inputs (*w, *x): as for linear
            for w, x in zip(inputs, xs):
                w.grad += upstream * x.data
            for w, x in zip(inputs, xs):
                x.grad += upstream * w.data
        elif kind == _CONSTANT:
            for x, partial in zip(inputs, _CONSTANTS[op]):
                x.grad += upstream * partial
        else:
            partials = partials_of[op]([x.data for x in inputs], node.data, m)
            for x, partial in zip(inputs, partials):
                x.grad += upstream * partial
    _accumulate(held)


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
