"""Every op in the table: its partials against finite differences, its spelling."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import FLOAT_LIB, OP_INPUTS, VALUE_LIB, apply_op, finite_floats

from autograd import Value, backward_steps, check_grad
from autograd.ops import OPS

ALL_OPS = sorted(OPS)


def _leaves_and_constants(name: str, inputs: tuple[float, ...]) -> list[float]:
    """The inputs that are Values (pow_const's exponent stays a plain number)."""
    return list(inputs[:1]) if name == "pow_const" else list(inputs)


def _function_of(name: str, inputs: tuple[float, ...]):
    """The op as a function of its Value inputs, for check_grad."""
    if name == "pow_const":
        exponent = inputs[1]
        return lambda x: VALUE_LIB.pow_const(x, exponent)
    return lambda *xs: apply_op(name, xs)


def _node(name: str, inputs: tuple[float, ...]) -> Value:
    """The op's output node on fresh leaves (pow_const: a number exponent)."""
    leaves = [Value(x) for x in _leaves_and_constants(name, inputs)]
    if name == "pow_const":
        return VALUE_LIB.pow_const(leaves[0], inputs[1])
    return apply_op(name, leaves)


def test_every_op_has_a_domain_strategy():
    """An op cannot be added to the table without an input strategy for its tests."""
    assert set(OP_INPUTS) == set(OPS)


@pytest.mark.parametrize("name", ALL_OPS)
def test_public_spelling_makes_the_op(name):
    """Each op is reachable through an operator, a Value method or an n-ary function."""

    @given(OP_INPUTS[name])
    def check(inputs):
        node = _node(name, inputs)
        assert node.op == name
        assert [x.data for x in node.inputs] == list(inputs)

    check()


@pytest.mark.parametrize("name", ALL_OPS)
def test_partials_match_finite_differences(name):
    """Backprop through the op agrees with central differences over its domain."""

    @given(OP_INPUTS[name])
    def check(inputs):
        check_grad(_function_of(name, inputs), _leaves_and_constants(name, inputs))

    check()


@pytest.mark.parametrize("name", ALL_OPS)
@pytest.mark.parametrize("create_graph", [False, True])
def test_one_partial_per_input(name, create_graph):
    """The rule returns exactly one local partial per input, in both kinds of pass."""

    @given(OP_INPUTS[name])
    def check(inputs):
        node = _node(name, inputs)
        first = next(backward_steps(node, create_graph=create_graph))
        assert first.node is node
        assert len(first.partials) == len(node.inputs) == len(inputs)

    check()


@pytest.mark.parametrize("name", ALL_OPS)
def test_differentiable_partials_equal_float_partials(name):
    """The rule gives the same numbers whether it computes with floats or Values."""

    @given(OP_INPUTS[name])
    def check(inputs):
        node = _node(name, inputs)
        floats = next(backward_steps(node)).partials
        values = next(backward_steps(node, create_graph=True)).partials
        as_numbers = [p.data if isinstance(p, Value) else p for p in values]
        assert as_numbers == pytest.approx(floats, rel=1e-15, abs=0.0)

    check()


@given(OP_INPUTS["pow_const"])
def test_pow_const_exponent_gets_zero_partial(inputs):
    """A number exponent is a constant: its leaf receives a zero gradient."""
    node = _node("pow_const", inputs)
    node.backward()
    assert node.inputs[1].grad == 0.0


@given(finite_floats(0.1, 3.0))
def test_pow_exponent_partial_at_zero_base_is_zero(y):
    """d/dy 0**y is 0 (the limit from a positive base), not NaN from 0 * log 0."""
    exponent = Value(y)
    (Value(0.0) ** exponent).backward()
    assert exponent.grad == 0.0


def test_pow_exponent_partial_at_negative_base_is_nan():
    """d/dy x**y for x < 0 (integer y) is NaN: log x has no real value."""
    base, exponent = Value(-2.0), Value(3.0)
    (base**exponent).backward()
    assert math.isnan(exponent.grad)
    assert base.grad == 3.0 * (-2.0) ** 2


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_relu_derivative_at_zero_is_zero(zero):
    """relu'(0) = 0 by convention (the flat side)."""
    x = Value(zero)
    x.relu().backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_abs_derivative_at_zero_is_zero(zero):
    """abs'(0) = 0 by convention."""
    x = Value(zero)
    abs(x).backward()
    assert x.grad == 0.0


@given(finite_floats(0.0, 1.0))
def test_leaky_relu_derivative_at_zero_is_slope(slope):
    """leaky_relu'(0) = slope by convention (the flat side), and d/dslope = 0 there."""
    x, s = Value(0.0), Value(slope)
    x.leaky_relu(s).backward()
    assert x.grad == slope
    assert s.grad == 0.0


def test_sqrt_derivative_at_zero_is_inf():
    """sqrt'(0) is +inf in a float pass rather than an exception half-way."""
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


@given(finite_floats(-1e4, 1e4))
def test_sigmoid_is_finite_and_in_range(x):
    """sigmoid never overflows and stays in [0, 1] for |x| up to 1e4."""
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    assert 0.0 <= s.data <= 1.0
    assert math.isfinite(v.grad)
    assert 0.0 <= v.grad <= 0.25


@given(finite_floats(40.0, 1e4))
def test_sigmoid_limits(x):
    """sigmoid(x) is 1 for large x and e**-|x| (to the last bit) for large -x."""
    assert Value(x).sigmoid().data == 1.0
    assert math.isclose(Value(-x).sigmoid().data, math.exp(-x), rel_tol=1e-15)


@given(finite_floats(-1e4, 1e4))
def test_sigmoid_is_symmetric(x):
    """sigmoid(x) + sigmoid(-x) = 1 for |x| up to 1e4, with no cancellation blow-up."""
    total = Value(x).sigmoid().data + Value(-x).sigmoid().data
    assert math.isclose(total, 1.0, rel_tol=1e-15)


@given(finite_floats(-1e4, 1e4))
def test_softplus_is_finite_with_sigmoid_derivative(x):
    """softplus never overflows, is positive and its derivative is sigmoid(x)."""
    v = Value(x)
    out = v.softplus()
    out.backward()
    assert math.isfinite(out.data)
    assert out.data >= 0.0
    assert v.grad == Value(x).sigmoid().data


@given(finite_floats(40.0, 1e4))
def test_softplus_limits(x):
    """softplus(x) is x for large x and e**-|x| for large -x (log1p, no underflow)."""
    assert math.isclose(Value(x).softplus().data, x, rel_tol=1e-15)
    assert math.isclose(Value(-x).softplus().data, math.exp(-x), rel_tol=1e-15)


@given(finite_floats(-1e4, 1e4))
def test_softplus_identity(x):
    """softplus(x) - softplus(-x) = x: both branches of the stable form agree."""
    difference = Value(x).softplus().data - Value(-x).softplus().data
    assert math.isclose(difference, x, rel_tol=1e-12, abs_tol=1e-15)


@given(st.sampled_from(ALL_OPS).flatmap(lambda n: st.tuples(st.just(n), OP_INPUTS[n])))
def test_forward_matches_plain_python(name_and_inputs):
    """Each op's forward equals the same formula written in plain Python on floats."""
    name, inputs = name_and_inputs
    assert _node(name, inputs).data == apply_op(name, inputs, FLOAT_LIB)
