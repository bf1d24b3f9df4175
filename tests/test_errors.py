"""Bad input: each gets its error type and a message naming the op and the value."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import finite_floats

import autograd
from autograd import Value

# (what the user does, the error type, fragments the message must contain)
BAD_INPUTS = [
    pytest.param(lambda: Value(-1.0).log(), ValueError, ["log", "-1.0"], id="log<0"),
    pytest.param(lambda: Value(0.0).log(), ValueError, ["log", "0.0"], id="log0"),
    pytest.param(lambda: Value(-1.0).sqrt(), ValueError, ["sqrt", "-1.0"], id="sqrt"),
    pytest.param(
        lambda: Value(1.0) / 0, ZeroDivisionError, ["div", "1.0", "0.0"], id="x/0"
    ),
    pytest.param(
        lambda: Value(1.0) / Value(0.0),
        ZeroDivisionError,
        ["div", "1.0", "0.0"],
        id="x/Value(0)",
    ),
    pytest.param(
        lambda: 2 / Value(0.0), ZeroDivisionError, ["div", "2.0", "0.0"], id="2/x"
    ),
    pytest.param(
        lambda: Value(0.0) ** -1,
        ZeroDivisionError,
        ["pow", "0.0", "-1"],
        id="0**negative",
    ),
    pytest.param(
        lambda: Value(0.0) ** Value(-2.0),
        ZeroDivisionError,
        ["pow", "0.0", "-2.0"],
        id="0**Value(negative)",
    ),
    pytest.param(
        lambda: 0 ** Value(-1.0),
        ZeroDivisionError,
        ["pow", "0.0", "-1.0"],
        id="number 0**Value",
    ),
    pytest.param(
        lambda: Value(-8.0) ** (1 / 3),
        ValueError,
        ["pow", "-8.0", "0.333"],
        id="negative**fraction",
    ),
    pytest.param(
        lambda: Value(-8.0) ** Value(0.5),
        ValueError,
        ["pow", "-8.0", "0.5"],
        id="negative**Value(fraction)",
    ),
    pytest.param(
        lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000.0"], id="exp"
    ),
    pytest.param(
        lambda: Value(10.0) ** 400, OverflowError, ["pow", "10.0", "400"], id="10**400"
    ),
    pytest.param(
        lambda: Value(math.inf).sin(), ValueError, ["sin", "inf"], id="sin(inf)"
    ),
    pytest.param(
        lambda: Value(-math.inf).cos(), ValueError, ["cos", "-inf"], id="cos(-inf)"
    ),
    pytest.param(
        lambda: Value(1.0) + "a", TypeError, ["+", "Value", "str"], id="Value+str"
    ),
    pytest.param(
        lambda: None - Value(1.0), TypeError, ["-", "Value", "None"], id="None-Value"
    ),
    pytest.param(lambda: Value("a"), TypeError, ["Value", "str", "'a'"], id="str"),
    pytest.param(lambda: Value(None), TypeError, ["Value", "NoneType"], id="None"),
    pytest.param(lambda: Value(1j), TypeError, ["Value", "complex"], id="complex"),
    pytest.param(
        lambda: Value(Value(1.0)), TypeError, ["Value", "detach"], id="Value(Value)"
    ),
    pytest.param(
        lambda: autograd.dot([1.0, 2.0], [3.0]),
        ValueError,
        ["dot", "2", "1"],
        id="dot lengths",
    ),
    pytest.param(
        lambda: autograd.sum([Value(1.0), "a"]), TypeError, ["sum", "str"], id="sum"
    ),
    pytest.param(
        lambda: Value(1.0).leaky_relu("a"),
        TypeError,
        ["leaky_relu", "str"],
        id="leaky_relu slope",
    ),
    pytest.param(
        lambda: Value(1.0).backward("a"), TypeError, ["backward", "str"], id="seed"
    ),
]


@pytest.mark.parametrize(("action", "error", "fragments"), BAD_INPUTS)
def test_bad_input_raises_its_error(action, error, fragments):
    """The bad input raises the documented error type."""
    with pytest.raises(error):
        action()


@pytest.mark.parametrize(("action", "error", "fragments"), BAD_INPUTS)
def test_bad_input_message_names_op_and_value(action, error, fragments):
    """The message names the op and the offending value."""
    with pytest.raises(error) as caught:
        action()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(("action", "error", "fragments"), BAD_INPUTS)
def test_bad_input_is_never_a_bare_math_domain_error(action, error, fragments):
    """No message is Python's bare 'math domain error'."""
    with pytest.raises(Exception) as caught:
        action()
    assert "math domain error" not in str(caught.value)


@given(finite_floats(-1e300, 0.0))
def test_log_of_any_non_positive_number_names_it(x):
    """log raises ValueError naming x for every x <= 0."""
    with pytest.raises(ValueError, match="log") as caught:
        Value(x).log()
    assert repr(x) in str(caught.value)


@given(finite_floats(-1e300, -5e-324))
def test_sqrt_of_any_negative_number_names_it(x):
    """sqrt raises ValueError naming x for every x < 0."""
    with pytest.raises(ValueError, match="sqrt") as caught:
        Value(x).sqrt()
    assert repr(x) in str(caught.value)


@given(finite_floats(-1e300, 1e300))
def test_division_of_any_number_by_zero_names_it(x):
    """x / 0 raises ZeroDivisionError naming x for every x."""
    with pytest.raises(ZeroDivisionError, match="div") as caught:
        Value(x) / 0.0
    assert repr(x) in str(caught.value)


@given(
    finite_floats(-100.0, -1e-3),
    finite_floats(-5.0, 5.0).filter(lambda y: not y.is_integer()),
)
def test_negative_base_with_fractional_exponent_names_both(x, y):
    """A negative base with a non-integer exponent raises ValueError naming both."""
    with pytest.raises(ValueError, match="pow") as caught:
        Value(x) ** y
    assert repr(x) in str(caught.value)
    assert repr(y) in str(caught.value)


@given(finite_floats(709.79, 1e300))
def test_exp_overflow_names_x(x):
    """exp raises OverflowError naming x past the float range (x > 709.78)."""
    with pytest.raises(OverflowError, match="exp") as caught:
        Value(x).exp()
    assert repr(x) in str(caught.value)


@given(finite_floats(-745.0, 709.78))
def test_exp_in_range_does_not_raise(x):
    """exp of any x up to 709.78 is a finite float: the overflow check is not early."""
    assert math.isfinite(Value(x).exp().data)


@given(st.sampled_from(["sin", "cos"]), st.sampled_from([math.inf, -math.inf]))
def test_periodic_of_infinity_names_the_op(name, x):
    """sin and cos of an infinite x raise ValueError naming the op and x."""
    with pytest.raises(ValueError, match=name) as caught:
        getattr(Value(x), name)()
    assert repr(x) in str(caught.value)
