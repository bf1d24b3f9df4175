"""Cost accounting: ``count_ops`` is exact on small graphs whose cost we know."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, count_ops, jvp, numeric_grad

POINTS = st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=8)


def _three_nodes(*xs: Value) -> Value:
    """(x0 * x0 + 1).tanh() whatever the number of inputs: exactly three nodes."""
    return (xs[0] * xs[0] + 1.0).tanh()


def _sum_of_squares(*xs: Value) -> Value:
    """x0**2 + ... + xn**2 as n pow_const nodes and one sum node."""
    return autograd.sum(x**2 for x in xs)


@given(POINTS)
def test_central_differences_make_two_evaluations_per_input(point):
    """numeric_grad on P inputs evaluates f exactly 2P times."""
    with count_ops() as counts:
        numeric_grad(_three_nodes, point)
    assert counts.evaluations == 2 * len(point)


@given(POINTS)
def test_forward_differences_make_one_evaluation_per_input_plus_one(point):
    """numeric_grad(method="forward") on P inputs evaluates f exactly P + 1 times."""
    with count_ops() as counts:
        numeric_grad(_three_nodes, point, method="forward")
    assert counts.evaluations == len(point) + 1


@given(POINTS)
def test_finite_differences_count_every_node_of_every_evaluation(point):
    """Each evaluation of a P + 1 node function adds P + 1 forward ops."""
    with count_ops() as counts:
        numeric_grad(_sum_of_squares, point)
    assert counts.forward_ops == 2 * len(point) * (len(point) + 1)
    assert counts.backward_steps == counts.tangent_steps == 0


def test_a_known_graph_counts_its_nodes_and_backward_steps():
    """(x*y + x).tanh() makes three nodes and its backward pass takes three steps."""
    x, y = Value(2.0), Value(-1.0)
    with count_ops() as counts:
        out = (x * y + x).tanh()
        out.backward()
    assert (counts.forward_ops, counts.backward_steps) == (3, 3)
    assert counts.ops == 6


def test_constants_are_not_ops():
    """A number on one side of an operator becomes a leaf, not a counted op."""
    x = Value(2.0)
    with count_ops() as counts:
        2.0 * x + 1.0
    assert counts.forward_ops == 2


def test_jvp_is_one_evaluation_with_a_tangent_step_per_dependent_node():
    """jvp counts one evaluation, f's nodes, and a tangent step for each node that
    depends on the direction."""
    f = lambda x, y: (x * x).sin() + y.exp()  # noqa: E731 - four nodes
    with count_ops() as counts:
        jvp(f, [1.0, 2.0], [1.0, 0.0])  # y.exp() does not depend on x
    assert counts.evaluations == 1
    assert counts.forward_ops == 4
    assert counts.tangent_steps == 3


def test_reverse_mode_costs_one_forward_and_one_backward_pass():
    """Sum of squares of P inputs: P + 1 nodes forward, P + 1 steps backward."""
    leaves = [Value(float(i)) for i in range(10)]
    with count_ops() as counts:
        _sum_of_squares(*leaves).backward()
    assert (counts.forward_ops, counts.backward_steps) == (11, 11)


def test_nodes_made_under_no_grad_still_count():
    """An op under no_grad records nothing but still ran: it counts."""
    x = Value(1.0)
    with count_ops() as counts, autograd.no_grad():
        x.exp().sin()
    assert counts.forward_ops == 2


def test_nested_counters_both_count():
    """An inner counter sees its block; the outer one sees everything."""
    x = Value(1.0)
    with count_ops() as outer:
        x.exp()
        with count_ops() as inner:
            x.sin()
    assert (outer.forward_ops, inner.forward_ops) == (2, 1)


def test_counting_stops_at_the_end_of_the_block():
    """Ops after the block are not counted."""
    x = Value(1.0)
    with count_ops() as counts:
        x.exp()
    x.sin()
    assert counts.forward_ops == 1


def test_counters_see_only_their_own_thread():
    """Work in another thread does not reach this thread's counter."""
    x = Value(1.0)
    worker = threading.Thread(target=lambda: [x.exp() for _ in range(5)])
    with count_ops() as counts:
        worker.start()
        worker.join()
    assert counts.forward_ops == 0


def test_forward_differences_estimate_the_derivative():
    """Forward differences are accurate to about 1e-7 on a smooth function."""
    (estimate,) = numeric_grad(lambda x: x.sin(), [0.5], method="forward")
    assert estimate == pytest.approx(0.8775825618903728, abs=1e-7)


def test_numeric_grad_rejects_an_unknown_method():
    """A method other than central or forward is a ValueError naming it."""
    with pytest.raises(ValueError, match="'backward'"):
        numeric_grad(lambda x: x, [1.0], method="backward")


def test_numeric_grad_keeps_its_positional_signature():
    """numeric_grad(f, xs, eps) still means central differences with step eps."""
    (estimate,) = numeric_grad(lambda x: x * x * x, [1.0], 1e-3)
    assert estimate == pytest.approx(3.0 + 1e-6, rel=1e-9)  # 3x^2 + h^2 exactly
