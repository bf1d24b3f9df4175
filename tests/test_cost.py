"""Cost accounting: ``count_ops`` is exact on small graphs whose cost we know, and
``tree_size`` and ``path_count`` agree with brute force and closed forms."""

from __future__ import annotations

import threading

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import VALUE_LIB, Program, programs, run

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


# ---------------------------------------------------------------------------------
# Graph sizes: tree_size and path_count against brute force and closed forms.

EXPANSION_LIMIT = 20_000  # brute force gives up past this many tree nodes or paths


def _expanded_tree_size(root: Value) -> int:
    """Write the expression out as a tree, one node at a time, and count them."""
    count = 0
    pending = [root]
    while pending:
        node = pending.pop()
        count += 1
        assume(count <= EXPANSION_LIMIT)
        pending.extend(node.inputs)
    return count


def _enumerated_paths(root: Value, node: Value) -> int:
    """Walk every path down from root, one at a time, and count those reaching node."""
    found = 0
    walked = 0
    pending = [root]
    while pending:
        v = pending.pop()
        walked += 1
        assume(walked <= EXPANSION_LIMIT)
        if v is node:
            found += 1  # a path ends here: node is not above itself in a DAG
        else:
            pending.extend(v.inputs)
    return found


def _program_graph(program: Program) -> tuple[list[Value], Value]:
    """The program's graph on Value inputs: its leaves and its output."""
    leaves = [Value(0.5 + 0.25 * i) for i in range(program.n_inputs)]
    try:
        out = run(program, leaves, VALUE_LIB)
    except ArithmeticError:  # exp or pow past the float range: no graph to measure
        assume(False)
    return leaves, out


def _logistic(n: int) -> tuple[Value, Value]:
    """x and l(n) of the logistic map l(k+1) = 4 l(k) (1 - l(k)), l(0) = x."""
    x = Value(0.3)
    lk = x
    for _ in range(n):
        lk = 4.0 * lk * (1.0 - lk)
    return x, lk


@given(programs(max_steps=6))
def test_tree_size_equals_brute_force_expansion(program):
    """On random DAGs tree_size counts the nodes of the fully expanded tree."""
    _, out = _program_graph(program)
    assert autograd.tree_size(out) == _expanded_tree_size(out)


@given(programs(max_steps=6))
def test_path_count_equals_path_enumeration_for_every_node(program):
    """On random DAGs path_count(root, v) is the number of paths found by walking."""
    _, out = _program_graph(program)
    for v in autograd.topological_order(out):
        assert autograd.path_count(out, v) == _enumerated_paths(out, v)


@given(programs(max_steps=6))
def test_tree_size_is_the_sum_of_path_counts(program):
    """Each path from a node to the root is one copy of it in the tree."""
    _, out = _program_graph(program)
    order = autograd.topological_order(out)
    assert autograd.tree_size(out) == sum(autograd.path_count(out, v) for v in order)


@given(programs(max_steps=6))
def test_path_count_is_zero_for_a_node_outside_the_graph(program):
    """A Value the root does not depend on has no path to it."""
    _, out = _program_graph(program)
    assert autograd.path_count(out, Value(1.0)) == 0


def test_path_count_from_the_root_to_itself_is_one():
    """The empty path: path_count(root, root) == 1, for a node and for a leaf."""
    x = Value(2.0)
    y = (x * x).sin()
    assert autograd.path_count(y, y) == 1
    assert autograd.path_count(x, x) == 1


def test_path_count_is_zero_from_a_node_above_the_root():
    """A node that depends on the root is not below it: no path."""
    x = Value(2.0)
    y = x.exp()
    assert autograd.path_count(x, y) == 0


def test_a_leaf_is_a_tree_of_one_node():
    """tree_size of a leaf is 1."""
    assert autograd.tree_size(Value(3.0)) == 1


def test_an_input_used_twice_is_two_copies_and_two_paths():
    """x * x expands to three nodes and has two paths from x."""
    x = Value(3.0)
    y = x * x
    assert autograd.tree_size(y) == 3
    assert autograd.path_count(y, x) == 2


def test_a_chain_of_unary_ops_is_its_length_plus_one():
    """n nested unary ops: a tree of n + 1 nodes and one path from the leaf."""
    x = Value(0.1)
    y = x
    for _ in range(50):
        y = y.sin()
    assert autograd.tree_size(y) == 51
    assert autograd.path_count(y, x) == 1


def test_stacked_diamonds_double_the_paths():
    """k diamonds y -> sin(y) + cos(y): 2**k paths and 2**(k+2) - 3 tree nodes."""
    x = Value(0.1)
    y = x
    for k in range(1, 41):
        y = y.sin() + y.cos()
        assert autograd.path_count(y, x) == 2**k
        assert autograd.tree_size(y) == 2 ** (k + 2) - 3


def test_repeated_squaring_gives_results_with_hundreds_of_digits():
    """1,000 squarings y -> y * y: 2**1000 paths and 2**1001 - 1 tree nodes, exact."""
    x = Value(1.0)
    y = x
    for _ in range(1000):
        y = y * y
    assert autograd.path_count(y, x) == 2**1000  # 302 digits
    assert autograd.tree_size(y) == 2**1001 - 1


def test_the_logistic_map_grows_exponentially_as_a_tree_and_linearly_as_a_graph():
    """l(n): 5n + 1 graph nodes, 6 * 2**n - 5 tree nodes and 2**n paths from x."""
    for n in range(0, 30):
        x, ln = _logistic(n)
        assert len(autograd.topological_order(ln)) == 5 * n + 1
        assert autograd.tree_size(ln) == 6 * 2**n - 5
        assert autograd.path_count(ln, x) == 2**n


def test_graph_sizes_need_no_recursion_on_a_million_node_chain():
    """A chain of 1,000,000 neg nodes: tree_size 1,000,001 and one path, no error."""
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = -y
    assert autograd.tree_size(y) == 1_000_001
    assert autograd.path_count(y, x) == 1


def test_a_million_input_sum_has_a_path_from_each_input():
    """sum of 1,000,000 leaves, one of them read twice: 2 paths for it, 1 for others."""
    xs = [Value(float(i)) for i in range(1_000_000)]
    total = autograd.sum([*xs, xs[7]])
    assert autograd.tree_size(total) == 1_000_002
    assert autograd.path_count(total, xs[7]) == 2
    assert autograd.path_count(total, xs[8]) == 1


@pytest.mark.parametrize("bad", [1.0, None, "x", [Value(1.0)]])
def test_tree_size_rejects_a_non_value(bad):
    """tree_size of something that is not a Value is a TypeError naming its type."""
    with pytest.raises(
        TypeError, match=f"tree_size: root must be a Value, got {type(bad).__name__}"
    ):
        autograd.tree_size(bad)


@pytest.mark.parametrize("bad", [1.0, None, "x"])
def test_path_count_rejects_a_non_value_root(bad):
    """path_count with a root that is not a Value is a TypeError naming root."""
    with pytest.raises(TypeError, match="path_count: root must be a Value"):
        autograd.path_count(bad, Value(1.0))


@pytest.mark.parametrize("bad", [1.0, None, "x"])
def test_path_count_rejects_a_non_value_node(bad):
    """path_count with a node that is not a Value is a TypeError naming node."""
    with pytest.raises(TypeError, match="path_count: node must be a Value"):
        autograd.path_count(Value(1.0), bad)
