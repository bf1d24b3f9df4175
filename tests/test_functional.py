"""grad and value_and_grad: argnums, floats in and out, higher derivatives."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    SMOOTH_OPS,
    VALUE_LIB,
    finite_floats,
    programs,
    programs_with_inputs,
    run,
)

from autograd import Value, check_grad, grad, no_grad, numeric_grad, value_and_grad

_POINT = finite_floats(-2.0, 2.0)


def f1(x):
    """A smooth function of one argument with non-trivial derivatives of every order."""
    return x.sin() * x.exp() + x.tanh() / (x * x + 1.0)


def f3(x, y, z):
    """A smooth function of three arguments, each derivative depending on all three.

    grad passes the arguments it does not differentiate as given (floats), so they
    are made Values here before calling Value methods on them.
    """
    x, y, z = (v if isinstance(v, Value) else Value(v) for v in (x, y, z))
    return (x * y).sin() + (y - z).exp() * x + z.sigmoid() * y


def _assert_matches_oracle(exact, estimate, rtol=1e-5, atol=1e-7):
    """The check_grad criterion: |exact - estimate| <= atol + rtol * |estimate|."""
    assert abs(exact - estimate) <= atol + rtol * abs(estimate), (exact, estimate)


@given(_POINT)
def test_grad_of_one_argument_matches_oracle(x):
    """grad(f)(x) is df/dx, as finite differences estimate it."""
    _assert_matches_oracle(grad(f1)(x), numeric_grad(f1, [x])[0])


@given(_POINT)
def test_grad_returns_a_float_for_a_float(x):
    """Called with a float, grad(f) returns a float, not a Value."""
    assert type(grad(f1)(x)) is float


@given(st.tuples(_POINT, _POINT, _POINT), st.integers(0, 2))
def test_grad_int_argnums_selects_the_argument(point, i):
    """grad(f, argnums=i) is the derivative with respect to argument i."""
    _assert_matches_oracle(grad(f3, argnums=i)(*point), numeric_grad(f3, point)[i])


@given(st.tuples(_POINT, _POINT, _POINT))
def test_grad_tuple_argnums_gives_a_tuple_of_floats(point):
    """grad(f, argnums=(2, 0)) returns a tuple of floats in the order asked for."""
    result = grad(f3, argnums=(2, 0))(*point)
    estimate = numeric_grad(f3, point)
    assert type(result) is tuple
    assert [type(g) for g in result] == [float, float]
    _assert_matches_oracle(result[0], estimate[2])
    _assert_matches_oracle(result[1], estimate[0])


@given(st.tuples(_POINT, _POINT, _POINT))
def test_value_and_grad_returns_the_value_and_the_gradient(point):
    """value_and_grad gives f's value as a float and the same gradient as grad."""
    value, gradient = value_and_grad(f3, argnums=(0, 1))(*point)
    assert type(value) is float
    assert value == f3(*[Value(x) for x in point]).data
    assert gradient == grad(f3, argnums=(0, 1))(*point)


@given(_POINT)
def test_value_and_grad_int_argnums_gives_a_single_gradient(x):
    """With an int argnums, value_and_grad's gradient is one float, not a tuple."""
    value, gradient = value_and_grad(f1)(x)
    assert type(value) is float and type(gradient) is float


def test_grad_of_constant_function_is_zero():
    """A function that ignores its argument has derivative 0.0."""
    assert grad(lambda x: 3.0)(1.5) == 0.0


def test_grad_works_inside_no_grad():
    """grad records its own graph even when called inside no_grad."""
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0


def test_grad_rejects_out_of_range_argnums():
    """An argnums beyond the arguments raises IndexError naming it."""
    with pytest.raises(IndexError, match="argnums 2"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)


@given(_POINT)
def test_second_derivative_matches_differences_of_first(x):
    """grad(grad(f))(x) agrees with finite differences of grad(f)."""
    _assert_matches_oracle(grad(grad(f1))(x), numeric_grad(grad(f1), [x])[0])


@given(_POINT)
def test_second_derivative_is_a_float(x):
    """Nested grad still returns a float at the outermost level."""
    assert type(grad(grad(f1))(x)) is float


@given(st.tuples(_POINT, _POINT, _POINT), st.integers(0, 2), st.integers(0, 2))
def test_mixed_second_derivatives_match_differences(point, i, j):
    """d/dx_j of grad(f, argnums=i) agrees with finite differences of grad(f, i)."""
    second = grad(grad(f3, argnums=i), argnums=j)(*point)
    _assert_matches_oracle(second, numeric_grad(grad(f3, argnums=i), point)[j])


@given(finite_floats(-1.0, 1.0))
def test_third_derivative_spot_check(x):
    """grad(grad(grad(f)))(x) agrees with finite differences of grad(grad(f))."""
    third = grad(grad(grad(f1)))(x)
    _assert_matches_oracle(third, numeric_grad(grad(grad(f1)), [x])[0])


@given(programs_with_inputs(programs(ops=SMOOTH_OPS)), st.data())
def test_random_program_hessian_rows_match_differences(program_and_inputs, data):
    """On random smooth programs, each row of second derivatives matches the oracle."""
    program, inputs = program_and_inputs
    i = data.draw(st.integers(0, len(inputs) - 1), label="argnum")

    def f(*xs):
        return run(program, xs, VALUE_LIB)

    # check_grad differentiates grad(f, i) by backprop (a nested, differentiable
    # pass) and compares with finite differences of grad(f, i).
    check_grad(grad(f, argnums=i), inputs)


@given(programs_with_inputs())
def test_random_program_grad_matches_oracle(program_and_inputs):
    """On random programs, grad(f, argnums=all) agrees with finite differences."""
    program, inputs = program_and_inputs

    def f(*xs):
        return run(program, xs, VALUE_LIB)

    result = grad(f, argnums=tuple(range(len(inputs))))(*inputs)
    for exact, estimate in zip(result, numeric_grad(f, inputs)):
        _assert_matches_oracle(exact, estimate)


def test_arguments_not_differentiated_reach_f_as_values():
    """A number argument outside argnums is a constant Value, so f may call methods."""
    df_dx = grad(lambda x, y: x * y.exp(), argnums=0)(1.5, 0.5)
    assert df_dx == pytest.approx(math.exp(0.5), rel=1e-15)
