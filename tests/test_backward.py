"""The backward pass: random DAGs against the oracle, accumulation, modes, memory."""

from __future__ import annotations

import gc
import math
import sys
import threading
import weakref

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    FLOAT_LIB,
    VALUE_LIB,
    finite_floats,
    programs,
    programs_with_inputs,
    run,
)

import autograd
from autograd import (
    Value,
    backward_steps,
    check_grad,
    enable_grad,
    gradients,
    no_grad,
    topological_order,
)


def _build(program, inputs):
    """The program's graph on fresh leaves: (leaves, root)."""
    leaves = [Value(x) for x in inputs]
    return leaves, run(program, leaves, VALUE_LIB)


def _signature(order):
    """What identifies each node of an order apart from object identity."""
    return [(node.op, node.data, len(node.inputs)) for node in order]


# -- random programs ------------------------------------------------------------------


@given(programs_with_inputs())
def test_random_program_gradients_match_oracle(program_and_inputs):
    """Backprop through a random DAG with shared nodes agrees with the oracle."""
    program, inputs = program_and_inputs
    check_grad(lambda *xs: run(program, xs, VALUE_LIB), inputs)


@given(programs_with_inputs())
def test_random_program_forward_matches_float_evaluation(program_and_inputs):
    """A program on Values computes exactly what it computes on plain floats."""
    program, inputs = program_and_inputs
    _, root = _build(program, inputs)
    assert root.data == run(program, inputs, FLOAT_LIB)


@given(programs_with_inputs())
def test_backward_matches_gradients(program_and_inputs):
    """root.backward() leaves in .grad what gradients(root, leaves) returns."""
    program, inputs = program_and_inputs
    leaves, root = _build(program, inputs)
    expected = gradients(root, leaves)
    root.backward()
    assert [leaf.grad for leaf in leaves] == expected


# -- the reference example -------------------------------------------------------------


def test_micrograd_readme_example():
    """micrograd's README example gives its documented numbers to 4 decimals."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    # The reference values printed in micrograd's README.
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


# -- depth ---------------------------------------------------------------------------


def test_million_op_chain_at_default_recursion_limit():
    """A chain of 1,000,000 ops backpropagates with CPython's default limit of 1000."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # CPython's default, whatever other tests did
    try:
        x = Value(0.5)
        out = x
        for _ in range(1_000_000):
            out = -out  # one node per op, no constant leaves
        out.backward()
        assert out.data == 0.5
        assert x.grad == 1.0  # (-1) ** 1_000_000
        del out  # freeing a deep chain must not recurse either
    finally:
        sys.setrecursionlimit(previous)


# -- accumulation ----------------------------------------------------------------------


@given(programs_with_inputs())
def test_backward_twice_doubles_leaves_exactly(program_and_inputs):
    """A second backward() gives every leaf exactly twice its first gradient."""
    program, inputs = program_and_inputs
    _, root = _build(program, inputs)
    order = topological_order(root)
    root.backward()
    first = [node.grad for node in order if not node.inputs]
    root.backward()
    second = [node.grad for node in order if not node.inputs]
    assert second == [2.0 * g for g in first]


@given(programs_with_inputs())
def test_backward_twice_keeps_intermediates_at_one_pass(program_and_inputs):
    """Intermediate nodes hold this pass's gradient, not a sum over passes."""
    program, inputs = program_and_inputs
    _, root = _build(program, inputs)
    order = topological_order(root)
    root.backward()
    first = [node.grad for node in order if node.inputs]
    root.backward()
    assert [node.grad for node in order if node.inputs] == first


@given(programs_with_inputs())
def test_seed_scales_gradients(program_and_inputs):
    """backward(grad=s) gives s times the gradients of backward() (s a power of 2)."""
    program, inputs = program_and_inputs
    leaves, root = _build(program, inputs)
    expected = gradients(root, leaves)
    root.backward(4.0)
    # Scaling by 4 is exact in floats, except where a partial product is subnormal
    # (below 2.2e-308); abs_tol only forgives differences down there.
    for leaf, g in zip(leaves, expected):
        assert math.isclose(leaf.grad, 4.0 * g, rel_tol=0.0, abs_tol=1e-300)


@given(programs_with_inputs(programs(n_inputs=1)))
def test_square_accumulates_both_operands(program_and_inputs):
    """x * x sends a contribution through each operand: d/dx = 2x, as the oracle."""
    program, inputs = program_and_inputs

    def squared(x):
        v = run(program, [x], VALUE_LIB)
        return v * v

    check_grad(squared, inputs)


def test_self_product_keeps_both_operands():
    """x * x records the inputs (x, x), so both uses reach x."""
    x = Value(3.0)
    y = x * x
    assert y.inputs == (x, x)
    assert y.inputs[0] is x and y.inputs[1] is x
    y.backward()
    assert x.grad == 2.0 * x.data


def test_self_sum_gets_two():
    """x + x has derivative 2: both operands contribute 1."""
    x = Value(-1.25)
    (x + x).backward()
    assert x.grad == 2.0


@given(finite_floats(-3.0, 3.0))
def test_diamond_sums_both_paths(x):
    """A node read by two branches that meet again gets the sum of both paths."""

    def diamond(v):
        top = v.tanh()
        return top.sin() * top.exp()  # two paths from top, joined by mul

    check_grad(diamond, [x])


def test_diamond_gradient_is_the_sum_of_path_products():
    """For top = 2x, out = top * 3 + top * top: d/dx = 2 * (3 + 2 * top)."""
    x = Value(0.75)
    top = x * 2.0
    out = top * 3.0 + top * top
    out.backward()
    assert top.grad == 3.0 + 2.0 * top.data
    assert x.grad == 2.0 * top.grad


# -- structure -------------------------------------------------------------------------


def test_inputs_keep_operand_order():
    """Every binary operator records its operands left to right."""
    x, y = Value(2.0), Value(3.0)
    for node in (x + y, x - y, x * y, x / y, x**y, x.leaky_relu(y)):
        assert node.inputs == (x, y)


def test_number_on_the_left_is_the_first_input():
    """2 - x, 2 / x and 2 ** x record the number first: (constant, x)."""
    x = Value(3.0)
    for node in (2 - x, 2 / x, 2**x, 2 + x, 2 * x):
        assert node.inputs[1] is x
        assert node.inputs[0].data == 2.0
        assert node.inputs[0].inputs == ()


def test_n_ary_inputs_in_order():
    """sum, dot and linear record (*xs), (*ws, *xs) and (*ws, *xs, b)."""
    ws = [Value(1.0), Value(2.0)]
    xs = [Value(3.0), Value(4.0)]
    b = Value(5.0)
    assert autograd.sum(xs).inputs == tuple(xs)
    assert autograd.dot(ws, xs).inputs == (*ws, *xs)
    assert autograd.linear(ws, xs, b).inputs == (*ws, *xs, b)


_LAYER_NUMBERS = st.one_of(
    finite_floats(-1e3, 1e3),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan]),
)


@given(
    st.integers(0, 4).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(_LAYER_NUMBERS, min_size=n, max_size=n), max_size=4),
            st.lists(_LAYER_NUMBERS, min_size=n, max_size=n),
        )
    ),
    st.data(),
)
def test_linear_layer_is_linear_row_by_row(rows_and_inputs, data):
    """linear_layer makes linear's node for each row, with the same bits forward and
    backward."""
    rows, inputs = rows_and_inputs
    biases = data.draw(st.lists(_LAYER_NUMBERS, min_size=len(rows), max_size=len(rows)))

    def build(layer):
        ws = [[Value(w) for w in row] for row in rows]
        xs = [Value(x) for x in inputs]
        bs = [Value(b) for b in biases]
        outs = layer(ws, xs, bs)
        if outs:
            autograd.sum(outs).backward()
        leaves = [*(w for row in ws for w in row), *xs, *bs]
        return [(o.op, len(o.inputs), o.data) for o in outs], [v.grad for v in leaves]

    def row_by_row(ws, xs, bs):
        return [autograd.linear(w, xs, b) for w, b in zip(ws, bs)]

    # repr compares floats bit for bit in effect: NaN equals NaN, -0.0 is not 0.0
    assert repr(build(autograd.linear_layer)) == repr(build(row_by_row))


def test_linear_layer_records_linear_inputs():
    """Each row's node reads (*row, *inputs, bias), as linear does."""
    ws = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    xs = [Value(5.0), Value(6.0)]
    bs = [Value(7.0), Value(8.0)]
    outs = autograd.linear_layer(ws, xs, bs)
    assert [o.inputs for o in outs] == [(*ws[0], *xs, bs[0]), (*ws[1], *xs, bs[1])]
    assert [o.data for o in outs] == [24.0, 47.0]


def test_linear_layer_lifts_a_number_input_once_for_all_rows():
    """A number among the inputs becomes one leaf, shared by every row's node."""
    outs = autograd.linear_layer([[1.0], [2.0]], (x for x in [3.0]), [0.0, 0.5])
    assert outs[0].inputs[1] is outs[1].inputs[1]
    assert [o.data for o in outs] == [3.0, 6.5]


@pytest.mark.parametrize(
    ("rows", "inputs", "biases", "error", "message"),
    [
        ([[1.0]], [1.0], [0.0, 0.0], ValueError, "1 weight row but 2 biases"),
        ([[1.0, 2.0]], [1.0], [0.0], ValueError, "weight row 0: 2 weights but 1 input"),
        ([["a"]], [1.0], [0.0], TypeError, "linear_layer"),
        ([[1.0]], [None], [0.0], TypeError, "linear_layer"),
    ],
)
def test_linear_layer_rejects_bad_arguments(rows, inputs, biases, error, message):
    """Lengths that differ raise ValueError, non-numbers TypeError, naming the op."""
    with pytest.raises(error, match=message):
        autograd.linear_layer(rows, inputs, biases)


def test_linear_layer_under_no_grad_makes_leaves():
    """Inside no_grad each row's output is a leaf, as linear's is."""
    with no_grad():
        outs = autograd.linear_layer([[2.0]], [3.0], [1.0])
    assert outs[0].inputs == () and outs[0].data == 7.0


@given(
    st.integers(0, 3).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(_LAYER_NUMBERS, min_size=n, max_size=n), max_size=3),
            st.lists(st.lists(_LAYER_NUMBERS, min_size=n, max_size=n), max_size=4),
        )
    ),
    st.data(),
)
def test_linear_layer_batch_is_linear_layer_sample_by_sample(rows_and_batch, data):
    """linear_layer_batch makes linear_layer's nodes for each sample: the same inputs
    (by identity), the same bits forward and backward."""
    rows, batch = rows_and_batch
    biases = data.draw(st.lists(_LAYER_NUMBERS, min_size=len(rows), max_size=len(rows)))

    def build(layer_batch):
        ws = [[Value(w) for w in row] for row in rows]
        xs = [[Value(x) for x in sample] for sample in batch]
        bs = [Value(b) for b in biases]
        outs = layer_batch(ws, xs, bs)
        leaves = [*(w for row in ws for w in row), *(x for s in xs for x in s), *bs]
        index = {id(v): i for i, v in enumerate(leaves)}
        nodes = [
            (o.op, [index[id(v)] for v in o.inputs], o.data) for s in outs for o in s
        ]
        if nodes:
            autograd.sum([o for s in outs for o in s]).backward()
        return nodes, [v.grad for v in leaves]

    def sample_by_sample(ws, xs, bs):
        return [autograd.linear_layer(ws, x, bs) for x in xs]

    # repr compares floats bit for bit in effect: NaN equals NaN, -0.0 is not 0.0
    assert repr(build(autograd.linear_layer_batch)) == repr(build(sample_by_sample))


def test_linear_layer_batch_lifts_a_number_weight_once_for_all_samples():
    """A number among the weights or biases becomes one leaf, shared by every sample."""
    outs = autograd.linear_layer_batch([[2.0]], [[3.0], [4.0]], [1.0])
    assert outs[0][0].inputs[0] is outs[1][0].inputs[0]
    assert outs[0][0].inputs[2] is outs[1][0].inputs[2]
    assert [[o.data for o in s] for s in outs] == [[7.0], [9.0]]


@pytest.mark.parametrize(
    ("rows", "batch", "biases", "error", "message"),
    [
        ([[1.0]], [[1.0]], [0.0, 0.0], ValueError, "1 weight row but 2 biases"),
        (
            [[1.0, 2.0]],
            [[1.0, 2.0], [1.0]],
            [0.0],
            ValueError,
            "sample 1 has 1 input but a weight row has 2 weights",
        ),
        (
            [[1.0, 2.0], [1.0]],
            [[1.0, 2.0]],
            [0.0, 0.0],
            ValueError,
            "sample 0 has 2 inputs but a weight row has 1 weight",
        ),
        ([["a"]], [[1.0]], [0.0], TypeError, "linear_layer_batch"),
        ([[1.0]], [[1.0], [None]], [0.0], TypeError, "linear_layer_batch"),
    ],
)
def test_linear_layer_batch_rejects_bad_arguments(rows, batch, biases, error, message):
    """Lengths that differ raise ValueError naming the sample, non-numbers TypeError."""
    with pytest.raises(error, match=message):
        autograd.linear_layer_batch(rows, batch, biases)


def test_linear_layer_batch_under_no_grad_makes_leaves():
    """Inside no_grad each output is a leaf, as linear_layer's is."""
    with no_grad():
        outs = autograd.linear_layer_batch([[2.0]], [[3.0]], [1.0])
    assert outs[0][0].inputs == () and outs[0][0].data == 7.0


@given(programs_with_inputs())
def test_topological_order_lists_each_node_after_its_inputs(program_and_inputs):
    """Each reachable node appears once, after all of its inputs, and the root last."""
    program, inputs = program_and_inputs
    _, root = _build(program, inputs)
    order = topological_order(root)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)
    assert order[-1] is root
    for i, node in enumerate(order):
        assert all(position[id(inp)] < i for inp in node.inputs)


@given(programs_with_inputs())
def test_topological_order_is_deterministic(program_and_inputs):
    """The same program gives the same order, every time and on a rebuilt graph."""
    program, inputs = program_and_inputs
    _, root = _build(program, inputs)
    _, rebuilt = _build(program, inputs)
    order = topological_order(root)
    assert topological_order(root) == order
    assert _signature(topological_order(rebuilt)) == _signature(order)


def test_topological_order_visits_inputs_in_operand_order():
    """Of two independent inputs, the left operand's subgraph is listed first."""
    a, b = Value(1.0), Value(2.0)
    left, right = a.exp(), b.exp()
    root = left * right
    assert topological_order(root) == [a, left, b, right, root]


# -- modes -----------------------------------------------------------------------------


def test_no_grad_records_nothing():
    """Ops inside no_grad make leaves: no inputs, no op."""
    x = Value(2.0)
    with no_grad():
        y = (x * x).exp() + 1
    assert y.inputs == ()
    assert y.op == ""
    assert autograd.is_grad_enabled()


def test_enable_grad_inside_no_grad_records():
    """enable_grad turns recording back on inside no_grad, and no_grad resumes after."""
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            recorded = x * x
        unrecorded = x * x
    assert recorded.inputs == (x, x)
    assert unrecorded.inputs == ()


def test_no_grad_is_per_thread():
    """A thread inside no_grad does not stop another thread from recording."""
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def worker():
        with no_grad():
            inside.set()
            release.wait()
            seen["worker"] = Value(1.0) * 2.0

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        inside.wait()
        x = Value(3.0)
        recorded = x * x  # main thread, while the worker is in no_grad
    finally:
        release.set()
        thread.join()
    assert recorded.inputs == (x, x)
    assert seen["worker"].inputs == ()


def test_no_grad_in_main_thread_does_not_leak_to_new_thread():
    """A thread started while the main thread is in no_grad records its graph."""
    seen = {}

    def worker():
        x = Value(1.0)
        seen["node"] = x * x

    with no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert len(seen["node"].inputs) == 2


def test_detach_is_a_leaf_with_the_same_number():
    """detach() gives a new leaf with the same data and label, cut from the graph."""
    x = Value(1.5, label="x")
    y = (x * 2.0).exp()
    y.label = "y"
    z = y.detach()
    assert z is not y
    assert (z.data, z.label, z.inputs, z.op) == (y.data, "y", (), "")


def test_detach_stops_the_gradient():
    """Through x * x.detach() only the undetached operand carries a gradient."""
    x = Value(1.5)
    (x * x.detach()).backward()
    assert x.grad == 1.5


# -- memory ----------------------------------------------------------------------------


def _graph_and_weakrefs(program, inputs, backpropagate):
    """Build a program's graph; return its root and weak references to every node."""
    _, root = _build(program, inputs)
    if backpropagate:
        root.backward()
    refs = [weakref.ref(node) for node in topological_order(root)]
    return root, refs


@given(programs_with_inputs())
def test_dropped_graph_is_freed_without_the_cycle_collector(program_and_inputs):
    """With gc disabled, deleting the root frees every node: the graph has no cycles."""
    program, inputs = program_and_inputs
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for backpropagate in (False, True):
            root, refs = _graph_and_weakrefs(program, inputs, backpropagate)
            del root
            assert [ref() for ref in refs] == [None] * len(refs)
    finally:
        if was_enabled:
            gc.enable()


# -- higher order, steps, gradients() -------------------------------------------------


@given(programs_with_inputs())
def test_create_graph_gives_value_grads_with_the_same_numbers(program_and_inputs):
    """backward(create_graph=True) stores Values whose numbers match a float pass."""
    program, inputs = program_and_inputs
    leaves, root = _build(program, inputs)
    expected = gradients(root, leaves)
    root.backward(create_graph=True)
    grads = [leaf.grad for leaf in leaves]
    numbers = [g.data if isinstance(g, Value) else g for g in grads]
    assert numbers == expected
    assert all(isinstance(g, Value) for g, e in zip(grads, expected) if e != 0.0)


@given(programs_with_inputs(programs(n_inputs=1)))
def test_create_graph_grads_differentiate_to_second_derivative(program_and_inputs):
    """A .grad made with create_graph=True differentiates to the second derivative."""
    program, inputs = program_and_inputs

    def first_derivative(x):
        with enable_grad():  # numeric_grad calls this under no_grad
            run(program, [x], VALUE_LIB).backward(create_graph=True)
        return x.grad

    check_grad(first_derivative, inputs)


@given(programs_with_inputs())
def test_backward_steps_end_with_backward_grads(program_and_inputs):
    """Exhausting backward_steps leaves every node's .grad as backward() does."""
    program, inputs = program_and_inputs
    _, root = _build(program, inputs)
    _, twin = _build(program, inputs)
    root.backward()
    for _ in backward_steps(twin):
        pass
    grads = [node.grad for node in topological_order(root)]
    assert [node.grad for node in topological_order(twin)] == grads


@given(programs_with_inputs())
def test_backward_steps_visit_nodes_in_reverse_order(program_and_inputs):
    """One step per non-leaf node, root first, each contribution upstream * partial."""
    program, inputs = program_and_inputs
    _, root = _build(program, inputs)
    steps = list(backward_steps(root))
    expected = [node for node in reversed(topological_order(root)) if node.inputs]
    assert [step.node for step in steps] == expected
    for step in steps:
        assert list(step.contributions) == [step.upstream * p for p in step.partials]


@given(programs_with_inputs())
def test_gradients_leave_grad_untouched(program_and_inputs):
    """gradients() returns the derivatives without writing any node's .grad."""
    program, inputs = program_and_inputs
    leaves, root = _build(program, inputs)
    order = topological_order(root)
    for i, node in enumerate(order):
        node.grad = float(i)  # sentinels
    gradients(root, leaves)
    gradients(root, leaves, create_graph=True)
    assert [node.grad for node in order] == [float(i) for i in range(len(order))]
