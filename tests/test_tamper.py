"""A graph cannot be tampered with: ``inputs`` and ``op`` are read-only.

A node's inputs exist before it and its op is an entry of the table, fixed when the
op makes it; assigning or deleting either raises ``AttributeError`` saying so, and
leaves the node as it was. So every graph is acyclic and every op is known to the
backward pass: no cycle, unknown op or non-Value input can reach it through the
public API.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import programs_with_inputs, run, same_float

import autograd
from autograd import Value, gradients, topological_order

TAMPERED = [
    pytest.param("inputs", (), id="inputs=()"),
    pytest.param("inputs", None, id="inputs=None"),
    pytest.param("inputs", [1.0, 2.0], id="inputs=[floats]"),
    pytest.param("op", "mul", id="op='mul'"),
    pytest.param("op", "no such op", id="op=unknown"),
    pytest.param("op", "", id="op=''"),
]


@pytest.mark.parametrize(("name", "value"), TAMPERED)
def test_assigning_inputs_or_op_raises_a_clear_attribute_error(name, value):
    """v.inputs = ... and v.op = ... raise AttributeError saying they are read-only."""
    v = Value(2.0) * Value(3.0)
    with pytest.raises(AttributeError, match=rf"^Value\.{name} is read-only: "):
        setattr(v, name, value)


@pytest.mark.parametrize("name", ["inputs", "op"])
def test_deleting_inputs_or_op_raises_a_clear_attribute_error(name):
    """del v.inputs and del v.op raise the same AttributeError."""
    v = Value(2.0).exp()
    with pytest.raises(AttributeError, match=rf"^Value\.{name} is read-only: "):
        delattr(v, name)


@pytest.mark.parametrize(("name", "value"), TAMPERED)
def test_a_refused_assignment_leaves_the_node_as_it_was(name, value):
    """After the refused assignment the node has its inputs, op and gradient."""
    x, y = Value(2.0), Value(3.0)
    v = x * y
    with pytest.raises(AttributeError):
        setattr(v, name, value)
    assert v.inputs == (x, y) and v.op == "mul"
    v.backward()
    assert (x.grad, y.grad) == (3.0, 2.0)


def test_new_attributes_cannot_be_added():
    """A Value has fixed slots: v.parents = ... raises AttributeError."""
    with pytest.raises(AttributeError):
        Value(1.0).parents = ()  # type: ignore[attr-defined]


def test_the_message_suggests_what_to_do():
    """The message says why (acyclic graphs) and what to do instead."""
    with pytest.raises(AttributeError) as caught:
        Value(1.0).inputs = ()
    message = str(caught.value)
    assert "acyclic" in message and "new node" in message


def test_a_label_is_checked_and_deleting_it_clears_it():
    """label accepts a str only (TypeError naming the type); del resets it to ''."""
    v = Value(1.0, label="x")
    with pytest.raises(TypeError, match="label must be a str, got int"):
        v.label = 3  # type: ignore[assignment]
    assert v.label == "x"
    del v.label
    assert v.label == ""


def _reaches_itself(root: Value) -> bool:
    """Whether some node of root's graph is its own ancestor (iterative DFS)."""
    state: dict[Value, int] = {}  # 1: on the current path, 2: done
    stack = [(root, iter(root.inputs))]
    state[root] = 1
    while stack:
        node, inputs = stack[-1]
        child = next(inputs, None)
        if child is None:
            state[node] = 2
            stack.pop()
        elif state.get(child) == 1:
            return True
        elif child not in state:
            state[child] = 1
            stack.append((child, iter(child.inputs)))
    return False


@given(programs_with_inputs(), st.data())
def test_a_cycle_cannot_be_made(case, data):
    """Making a leaf read the root (a cycle) is refused; the graph stays acyclic and
    its gradients are what they were."""
    program, point = case
    leaves = [Value(x) for x in point]
    root = run(program, leaves)
    expected = gradients(root, leaves)
    leaf = data.draw(st.sampled_from(leaves), label="leaf")
    with pytest.raises(AttributeError, match="read-only"):
        leaf.inputs = (root,)
    with pytest.raises(AttributeError, match="read-only"):
        leaf.op = "neg"
    assert not _reaches_itself(root)
    order = topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert all(position[x] < position[n] for n in order for x in n.inputs)
    assert all(map(same_float, gradients(root, leaves), expected))


@given(programs_with_inputs())
def test_every_op_in_a_graph_is_an_entry_of_the_table(case):
    """Every node's op is "" (a leaf) or a name in autograd.ops.OPS, and its inputs
    are Values: what the backward pass relies on."""
    program, point = case
    root = run(program, [Value(x) for x in point])
    for node in topological_order(root):
        assert node.op == "" or node.op in autograd.ops.OPS
        assert all(isinstance(x, Value) for x in node.inputs)
        assert (node.op == "") == (node.inputs == ())


def test_data_and_grad_stay_writable():
    """data and grad are the numbers optimizers and users write (p.data -= ...)."""
    p = Value(1.0)
    p.data -= 0.5
    p.grad = math.pi
    assert (p.data, p.grad) == (0.5, math.pi)
