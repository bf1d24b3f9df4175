"""The differentiable backward pass is as robust as the float one, bit for bit.

``backward(create_graph=True)`` computes every partial with Values (each a node of
the derivative's graph) from the same rules and conventions as the float pass: the
same numbers, bit for bit, ``inf`` and NaN included, and never an exception where the
float pass has none. Random programs are drawn over every op of the table, at points
from the whole float range (outside the ops' usual domains too). Also here: the one
rule for ``x ** y`` (a Value exponent and a number exponent agree, first and second
derivatives) and second derivatives through the points where the differentiable pass
used to fail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import mpmath
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from strategies import VALUE_LIB, Const, Program, programs, same_float

import autograd
from autograd import (
    AnomalyError,
    Value,
    backward_steps,
    detect_anomaly,
    grad,
    gradients,
)

HOSTILE = (
    math.nan,
    math.inf,
    -math.inf,
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e308,
    -1e308,
    709.78,
    710.0,
    -745.2,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    -2.0,
    3.0,
)

hostile_floats = st.one_of(st.sampled_from(HOSTILE), st.floats())


def _number(v: Any) -> float:
    return v.data if isinstance(v, Value) else v


def build(program: Program, point: Sequence[float]) -> list[Value]:
    """The program's nodes on fresh leaves, stopping at the first op that raises (as
    the user's program would): every slot computed, leaves first."""
    slots: list[Any] = [Value(x) for x in point]
    for step in program.steps:
        args = [a.value if isinstance(a, Const) else slots[a] for a in step.args]
        try:
            slots.append(getattr(VALUE_LIB, step.op)(*args))
        except (ValueError, ZeroDivisionError, OverflowError):
            break
    return slots


@st.composite
def hostile_programs(draw: st.DrawFn) -> tuple[Program, tuple[float, ...]]:
    """A random program over every op, at a point from the whole float range."""
    program = draw(programs(max_steps=10))
    point = draw(st.tuples(*[hostile_floats] * program.n_inputs))
    return program, point


# -- random graphs: the two passes give the same numbers ------------------------------


@given(hostile_programs())
def test_differentiable_pass_raises_only_where_the_float_pass_raises(case):
    """On any program at any point, backward(create_graph=True) completes (the float
    pass always completes)."""
    program, point = case
    note(str(program))
    build(program, point)[-1].backward()  # the float pass: never raises
    build(program, point)[-1].backward(create_graph=True)


@given(hostile_programs())
def test_differentiable_pass_gives_the_float_pass_numbers_bit_for_bit(case):
    """Every node's .grad after backward(create_graph=True) holds the float pass's
    number, bit for bit: NaN where NaN, inf where inf, -0.0 apart from 0.0."""
    program, point = case
    note(str(program))
    floats, values = build(program, point), build(program, point)
    floats[-1].backward()
    values[-1].backward(create_graph=True)
    for a, b in zip(floats, values):
        assert same_float(a.grad, _number(b.grad)), (a, b.grad)


@given(hostile_programs())
def test_differentiable_gradients_give_the_float_numbers_bit_for_bit(case):
    """gradients(create_graph=True) returns Values whose numbers are gradients()'s."""
    program, point = case
    slots = build(program, point)
    leaves = slots[: program.n_inputs]
    plain = gradients(slots[-1], leaves)
    derived = gradients(slots[-1], leaves, create_graph=True)
    assert all(same_float(a, _number(b)) for a, b in zip(plain, derived))


@given(hostile_programs())
def test_differentiable_steps_have_the_float_partials_bit_for_bit(case):
    """Step by step, each partial and contribution of the differentiable pass is the
    float pass's number, bit for bit."""
    program, point = case
    floats = list(backward_steps(build(program, point)[-1]))
    values = list(backward_steps(build(program, point)[-1], create_graph=True))
    assert len(floats) == len(values)
    for f, v in zip(floats, values):
        assert f.node.op == v.node.op
        assert all(map(same_float, f.partials, map(_number, v.partials)))
        assert all(map(same_float, f.contributions, map(_number, v.contributions)))


@given(hostile_programs())
def test_differentiable_pass_makes_only_total_nodes_for_its_partials(case):
    """The derivative's nodes that come from a rule's m.* calls are total ops
    (TotalOp): replaying them never raises."""
    from autograd.value import TotalOp

    program, point = case
    root = build(program, point)[-1]
    root.backward(create_graph=True)
    users = set(autograd.topological_order(root))
    for node in users:
        if isinstance(node.grad, Value):
            for made in autograd.topological_order(node.grad):
                if made in users or not made.inputs:
                    continue  # the user's own nodes, and constants
                arithmetic = made.op in ("add", "sub", "mul", "neg")
                assert arithmetic or isinstance(made.op, TotalOp), made.op


def test_negative_zero_contribution_is_added_as_the_float_pass_adds_it():
    """cos at 0 has partial -0.0; the float pass computes 0.0 + -0.0 = 0.0 for the
    leaf, and so does the differentiable pass."""
    x = Value(0.0)
    x.cos().backward(create_graph=True)
    y = Value(0.0)
    y.cos().backward()
    assert same_float(_number(x.grad), y.grad) and same_float(y.grad, 0.0)


# -- the points of issue 11 ------------------------------------------------------------


def test_second_derivative_of_x_to_the_n_at_a_negative_base():
    """grad(grad(x ** n))(-2, 2) is 2, the second derivative of x**2."""
    assert grad(grad(lambda x, n: x**n))(-2.0, 2.0) == 2.0


def test_value_exponent_at_a_negative_base_completes():
    """(x ** y).backward(create_graph=True) at x = -2, y = 3: x.grad = 12, y.grad NaN,
    as the float pass; no error naming an op the user never called."""
    x, y = Value(-2.0), Value(3.0)
    (x**y).backward(create_graph=True)
    assert x.grad.data == 12.0 and math.isnan(y.grad.data)


def test_value_exponent_at_a_negative_base_differentiates_again():
    """d/dx of x.grad there is 6x = -12; the mixed derivative d/dy is NaN (x**y has
    no real value for y near 3 at x < 0)."""
    x, y = Value(-2.0), Value(3.0)
    (x**y).backward(create_graph=True)
    dx_dx, dx_dy = gradients(x.grad, [x, y])
    assert dx_dx == -12.0 and math.isnan(dx_dy)


def test_sqrt_at_zero_has_an_infinite_derivative_in_both_passes():
    """Value(0).sqrt().backward(create_graph=True) gives inf, as the float pass."""
    x = Value(0.0)
    x.sqrt().backward(create_graph=True)
    assert x.grad.data == math.inf


@pytest.mark.parametrize(
    ("f", "x", "expected"),
    [
        (lambda x: x**3, 0.0, 0.0),
        (lambda x: x**2, -0.0, 2.0),
        (lambda x: x**2, math.inf, 2.0),
        (lambda x: x**3, math.inf, math.inf),
        (lambda x: x**0, 0.0, 0.0),
        (lambda x: x**0, 2.0, 0.0),
        (lambda x: x**0.5, 0.0, -math.inf),
        (lambda x: x**-1, -2.0, -0.25),
        (lambda x: x**1.5, 0.0, math.inf),
        (lambda x: x.sqrt(), 0.0, -math.inf),
        (lambda x: x.relu(), 0.0, 0.0),
        (lambda x: abs(x), 0.0, 0.0),
        (lambda x: x.tanh(), 40.0, -2.0 * math.tanh(40.0) / math.cosh(40.0) ** 2),
    ],
    ids=[
        "x**3 at 0",
        "x**2 at -0.0",
        "x**2 at inf",
        "x**3 at inf",
        "x**0 at 0",
        "x**0 at 2",
        "x**0.5 at 0",
        "x**-1 at -2",
        "x**1.5 at 0",
        "sqrt at 0",
        "relu at 0",
        "abs at 0",
        "tanh at 40",
    ],
)
def test_second_derivative_is_the_limit(f, x, expected):
    """grad(grad(f))(x) at a kink, a singularity or an infinite x is the limit the
    second derivative has there."""
    got = grad(grad(f))(x)
    if expected == 0.0 or math.isinf(expected):
        assert got == expected
    else:
        assert math.isclose(got, expected, rel_tol=1e-12)


def test_anomaly_in_a_differentiable_pass_names_the_users_op():
    """In anomaly mode a create_graph pass through sqrt at 0 names sqrt (the op the
    user wrote), in the backward phase, not the rule's div."""
    x = Value(0.0)
    y = x.sqrt()
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"^sqrt\(0\.0\)") as caught,
    ):
        y.backward(create_graph=True)
    assert (caught.value.phase, caught.value.op) == ("backward", "sqrt")


def test_anomaly_names_the_users_op_where_contributions_add_up():
    """Two infinite contributions to one node are added in the differentiable pass;
    the error still names sqrt, the op whose contribution is infinite."""
    x = Value(0.0)
    y = x.sqrt() * 2.0 + x.sqrt()
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"^sqrt\(0\.0\)"):
        y.backward(create_graph=True)


def test_anomaly_in_nested_grad_names_the_users_op():
    """grad(grad(f)) in anomaly mode at x**y with x < 0: pow, not the rule's log."""
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"^pow\(") as caught:
        grad(grad(lambda x, y: x**y, 0), 1)(-2.0, 3.0)
    assert caught.value.op == "pow"


# -- one rule for x ** y ---------------------------------------------------------------

_BASES = (0.0, -0.0, 5e-324, 1e-300, 0.25, 1.0, 2.0, 7.5, 1e300, math.inf, -1.0, -2.5)
_BASES += (-1e300, -math.inf, math.nan)
_EXPONENTS = (0.0, -0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 0.3, -0.3, 1.5, 1e-17)
_EXPONENTS += (4e15, 2.0**60, -(2.0**60), math.inf, -math.inf, math.nan)


@pytest.mark.parametrize("y", _EXPONENTS)
@pytest.mark.parametrize("x", _BASES)
def test_value_and_number_exponents_share_one_first_derivative(x, y):
    """d/dx x ** y with y a Value (pow) and a number (pow_const) are the same bits."""
    if (x == 0.0 and y < 0.0) or (x < 0.0 and math.isfinite(y) and y % 1.0):
        return  # outside the domain: both raise (tests/test_errors.py)
    try:
        out = Value(x) ** y
    except OverflowError:
        return
    a, b = Value(x), Value(x)
    (a**y).backward()
    (b ** Value(y)).backward()
    assert out.op == "pow_const" and same_float(a.grad, b.grad), (a.grad, b.grad)


@pytest.mark.parametrize("y", [0.0, 1.0, 2.0, 3.0, -1.0, 0.5, -0.5, 0.3, 1.5, 1e-17])
@pytest.mark.parametrize("x", [0.0, 1e-300, 0.25, 1.0, 2.0, 7.5, 1e10, -1.0, -2.5])
def test_value_and_number_exponents_share_one_second_derivative(x, y):
    """d2/dx2 x ** y with y a Value and a number: the same bits."""
    if (x == 0.0 and y < 0.0) or (x < 0.0 and y % 1.0):
        return
    with_number = grad(grad(lambda x: x**y))(x)
    with_value = grad(grad(lambda x, y: x**y))(x, y)
    assert same_float(with_number, with_value), (with_number, with_value)


@given(st.floats(-1e6, 1e6), st.floats(-50.0, 50.0))
def test_value_and_number_exponents_agree_at_random_points(x, y):
    """On random points, first and second derivatives of x**y agree for both."""
    if (x == 0.0 and y < 0.0) or (x < 0.0 and y % 1.0):
        return
    try:
        Value(x) ** y
    except OverflowError:
        return
    assert same_float(grad(lambda x: x**y)(x), grad(lambda x, y: x**y)(x, y))
    assert same_float(
        grad(grad(lambda x: x**y))(x), grad(grad(lambda x, y: x**y))(x, y)
    )


@pytest.mark.parametrize("x", [0.0, -0.0, 2.0, -3.0, math.inf, -math.inf, 1e-300])
def test_x_to_the_zero_has_derivative_zero_for_both_exponents(x):
    """d/dx x ** 0 is 0 everywhere (NaN at NaN), with a Value or a number 0."""
    assert grad(lambda x: x**0)(x) == 0.0
    assert grad(lambda x, n: x**n)(x, 0.0) == 0.0
    assert math.isnan(grad(lambda x: x**0)(math.nan))
    assert math.isnan(grad(lambda x, n: x**n)(math.nan, 0.0))


@pytest.mark.parametrize("x", [0.5, 2.0, 10.0, 1e-100, 1e100])
def test_mixed_derivative_of_x_to_the_y_at_y_zero_is_one_over_x(x):
    """d/dy (d/dx x ** y) at y = 0 is 1/x (the rule keeps the factor y there)."""
    assert math.isclose(grad(grad(lambda x, y: x**y, 0), 1)(x, 0.0), 1.0 / x)


@pytest.mark.parametrize("y", [-0.3, 0.2, 1e-9, 0.3, 2.5])
@pytest.mark.parametrize("x", [1e-200, 1e-10, 3.0, 1e100])
def test_mixed_derivative_of_x_to_the_y_is_right(x, y):
    """d/dy (d/dx x ** y) = x**(y-1) (1 + y log x), to a few ulps (mpmath), also
    where y - 1 rounds and |log x| is large."""
    with mpmath.workprec(120):
        X, Y = mpmath.mpf(x), mpmath.mpf(y)
        expected = float(X ** (Y - 1) * (1 + Y * mpmath.log(X)))
    got = grad(grad(lambda x, y: x**y, 0), 1)(x, y)
    assert math.isclose(got, expected, rel_tol=2e-15)
