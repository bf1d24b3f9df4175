"""Forward mode: a directional derivative in one pass, with dual numbers.

Reverse mode pulls one output's gradient back to every input; forward mode pushes one
input direction forward to every node. Each node carries, besides its number, a
tangent: d(node)/dt along the direction ``tangents``. When an op makes a node,

    tangent(node) = sum_i d(node)/d(input_i) * tangent(input_i)

with the local partials taken from the op's rule in ``ops.OPS``: the very rules the
backward pass uses, so there is no second copy of any derivative. (The backward pass
applies the transpose of the same products: ``input.grad += node.grad * partial``.)

``f`` runs on ordinary Values; an ``Observer`` sees every node as it is made and
computes its tangent at once, so the whole derivative comes out of the one forward
pass. Tangents live in a dict keyed by node; a node none of whose inputs depends on
the direction has tangent zero and is not stored.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.backward import local_partials
from autograd.cost import record
from autograd.functional import result_value
from autograd.modes import Observer, enable_grad, observe, state
from autograd.value import Value, _items, _type_name

__all__ = ["jvp"]


class _Tangents(Observer):
    """Computes the tangent of each node an op makes, from its inputs' tangents."""

    def __init__(self, differentiable: bool) -> None:
        self.tangents: dict[Value, Any] = {}
        self.differentiable = differentiable
        self.busy = 0  # > 0 while this tracer (or one enclosing it) makes tangent nodes
        self.steps = 0

    def on_node(self, node: Value) -> None:
        if self.busy or not node._inputs:  # our own tangent arithmetic, or a leaf
            return
        inputs_tangents = list(map(self.tangents.get, node._inputs))
        if inputs_tangents.count(None) == len(inputs_tangents):
            return  # the node does not depend on the direction: tangent 0
        if self.differentiable:
            # The rule builds Values; while it does, this tracer and the ones nested
            # inside it must not treat that arithmetic as part of f.
            nested = _tracers_from(self)
            for tracer in nested:
                tracer.busy += 1
            try:
                self.tangents[node] = _push(local_partials(node, True), inputs_tangents)
            finally:
                for tracer in nested:
                    tracer.busy -= 1
        else:
            self.tangents[node] = _push(local_partials(node), inputs_tangents)
        self.steps += 1


def _push(partials: Sequence[Any], inputs_tangents: list[Any]) -> Any:
    """The forward chain rule: sum of partial * tangent over inputs with a tangent."""
    total: Any = None
    for partial, tangent in zip(partials, inputs_tangents):
        if tangent is not None:  # skipping zeros also keeps 0 * inf out (sqrt at 0)
            term = partial * tangent
            total = term if total is None else total + term
    return total


def _tracers_from(tracer: _Tangents) -> list[_Tangents]:
    """``tracer`` and the forward-mode tracers started inside it, in this thread."""
    observers = state.observers
    start = observers.index(tracer)
    return [o for o in observers[start:] if isinstance(o, _Tangents)]


def _tracing() -> bool:
    return any(isinstance(o, _Tangents) for o in state.observers)


def _scalars(name: str, values: Any) -> list[Any]:
    if isinstance(values, (Value, numbers.Real)):
        return [values]
    items = list(_items(values, "jvp", name, "numbers or Values"))
    for i, v in enumerate(items):
        if type(v) is float or type(v) is Value:
            continue  # the common cases, without the slower abstract-class check
        if isinstance(v, bool) or not isinstance(v, (Value, numbers.Real)):
            raise TypeError(
                f"jvp: {name}[{i}] must be a number or a Value, got {_type_name(v)}"
            )
        if not isinstance(v, Value):
            try:
                items[i] = float(v)
            except OverflowError:
                raise OverflowError(
                    f"jvp: {name}[{i}] is too large for a float"
                ) from None
    return items


def jvp(
    f: Callable[..., Any],
    xs: Sequence[Any],
    tangents: Sequence[Any],
    *,
    create_graph: bool | None = None,
) -> tuple[Any, Any]:
    """``(f(*xs), the derivative of f at xs along tangents)`` in one forward pass.

    The derivative is ``sum_i df/dx_i * tangents[i]``, exact (the rules of
    ``ops.OPS``), computed while ``f`` runs. With floats in, both are floats. The
    tangents are Values, differentiable again, when ``create_graph`` is true; by
    default (None) that is when some ``xs`` or ``tangents`` is a Value or another
    ``jvp`` is running in this thread, so ``grad`` of a ``jvp`` and ``jvp`` of a
    ``jvp`` work. ``jvp`` of a function that calls ``grad`` works in every mode.
    """
    if not callable(f):
        raise TypeError(f"jvp: f must be callable, got {type(f).__name__}")
    if create_graph is not None and type(create_graph) is not bool:
        raise TypeError(
            f"jvp: create_graph must be True, False or None, got "
            f"{type(create_graph).__name__}"
        )
    points = _scalars("xs", xs)
    directions = _scalars("tangents", tangents)
    if len(points) != len(directions):
        raise ValueError(
            f"jvp: xs has {len(points)} inputs but tangents has {len(directions)}; "
            "give one tangent per input"
        )
    nested = any(isinstance(v, Value) for v in (*points, *directions))
    # Inside another grad or jvp, f may close over that call's Values: keep Values.
    enclosed = state.transforms > 0 or _tracing()
    differentiable = (nested or enclosed) if create_graph is None else create_graph
    tracer = _Tangents(differentiable)
    leaves = []
    with enable_grad():  # the tracer reads each node's inputs: the graph is needed
        for x, t in zip(points, directions):
            # A fresh node per input, so only this argument is perturbed, never the
            # same Value reached through a closure (no perturbation confusion).
            leaf = x * 1.0 if isinstance(x, Value) else Value(x)  # x, bit for bit
            if not isinstance(t, Value):
                t = float(t)
            if isinstance(t, Value) or t != 0.0:
                tracer.tangents[leaf] = t
            leaves.append(leaf)
        depth = state.transforms
        state.transforms = depth + 1
        try:
            with observe(tracer):
                out = f(*leaves)
        finally:
            state.transforms = depth
    record(evaluations=1, tangent_steps=tracer.steps)
    out = result_value(out, "jvp")
    tangent = tracer.tangents.get(out, 0.0)
    if differentiable:
        return out, tangent
    value = out.data
    return value, tangent.data if isinstance(tangent, Value) else float(tangent)
