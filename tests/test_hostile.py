"""Hostile numbers: what Value accepts, and what each op does at NaN, +-inf and -0.0.

Each case here is a row of the hostile-number tables of docs/errors.md ("Errors and
guarantees"); the fuzz test (test_fuzz.py) checks the same rules at random.
"""

from __future__ import annotations

import decimal
import math
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

import autograd
from autograd import Value

nan, inf = math.nan, math.inf


def same(a: float, b: float) -> bool:
    """Equal including the sign of zero, or both NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


# ---------------------------------------------------------------------------------
# Conversion: what Value(x) and an operand beside a Value accept.


@pytest.mark.parametrize("x", [nan, inf, -inf], ids=["nan", "inf", "-inf"])
def test_non_finite_leaves_are_kept(x: float) -> None:
    """A NaN or infinite leaf keeps its value (it is data, not an error)."""
    assert same(Value(x).data, x)


def test_negative_zero_keeps_its_sign() -> None:
    """Value(-0.0) and -Value(0.0) are -0.0, as floats are."""
    assert same(Value(-0.0).data, -0.0)
    assert same((-Value(0.0)).data, -0.0)


@pytest.mark.parametrize("x", [5e-324, -5e-324, 2.2250738585072014e-308 / 3])
def test_subnormals_are_kept_exactly(x: float) -> None:
    """A subnormal float is stored bit for bit."""
    assert Value(x).data == x


def test_largest_float_is_kept() -> None:
    """The largest float is a valid leaf."""
    assert Value(sys.float_info.max).data == sys.float_info.max


def test_mul_overflow_gives_inf_like_float() -> None:
    """1e308 * 10 is inf, as with floats (not an error: anomaly mode flags it)."""
    assert (Value(1e308) * 10).data == inf


@pytest.mark.parametrize(("x", "expected"), [(True, 1.0), (False, 0.0)])
def test_bools_are_numbers(x: bool, expected: float) -> None:
    """A bool is an int in Python, so Value(True) is 1.0."""
    assert same(Value(x).data, expected)


def test_fraction_rounds_to_the_nearest_float() -> None:
    """Value(Fraction(1, 3)) is the float nearest to 1/3."""
    assert Value(Fraction(1, 3)).data == 1 / 3


def test_fraction_operand_is_converted() -> None:
    """A Fraction beside a Value is converted like a float."""
    assert (Value(1.0) + Fraction(1, 2)).data == 1.5


def test_huge_fraction_raises_overflow_error() -> None:
    """A Fraction past the float range raises OverflowError."""
    with pytest.raises(OverflowError, match=r"Value: Fraction.*too large for a float"):
        Value(Fraction(10**400, 3))


def test_huge_int_raises_overflow_error_naming_it() -> None:
    """An int past the float range raises OverflowError with the number, shortened."""
    with pytest.raises(OverflowError, match=r"Value: 1000.*\(401 characters\) is too"):
        Value(10**400)


def test_int_too_long_to_print_still_raises_overflow_error() -> None:
    """An int whose repr itself fails (past 4300 digits) still gets OverflowError."""
    with pytest.raises(OverflowError, match="too long to print"):
        Value(10**5000)


def test_decimal_is_refused_with_a_type_error_naming_it() -> None:
    """Value(Decimal) raises TypeError naming the value and suggesting float(d)."""
    with pytest.raises(TypeError, match=r"Decimal\('0\.1'\).*float\(d\)"):
        Value(decimal.Decimal("0.1"))


def test_decimal_operand_is_refused() -> None:
    """A Decimal beside a Value is refused, as float + Decimal is."""
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + decimal.Decimal(1)


def test_value_of_a_value_suggests_detach() -> None:
    """Value(v) raises TypeError pointing at v.detach()."""
    with pytest.raises(TypeError, match=r"detach\(\)"):
        Value(Value(1.0))


@pytest.mark.parametrize("x", ["a", None, 1j, [1.0]])
def test_non_numbers_are_refused_with_a_type_error_naming_them(x: object) -> None:
    """A str, None, complex or list raises TypeError naming its type."""
    with pytest.raises(TypeError, match=type(x).__name__):
        Value(x)


# ---------------------------------------------------------------------------------
# numpy scalars (where numpy is installed).


@pytest.fixture
def np() -> Any:
    """numpy, or skip."""
    return pytest.importorskip("numpy")


@pytest.mark.parametrize(
    "name", ["float16", "float32", "float64", "int8", "int64", "uint64"]
)
def test_numpy_real_scalars_convert_to_floats(np: Any, name: str) -> None:
    """numpy float and integer scalars become the equal Python float."""
    x = getattr(np, name)(3)
    value = Value(x)
    assert type(value.data) is float and value.data == 3.0


def test_numpy_scalar_on_the_left_gives_a_value(np: Any) -> None:
    """np.float64(2) * Value(3) is a Value (numpy defers), with a gradient."""
    x = Value(3.0)
    y = np.float64(2.0) * x
    assert isinstance(y, Value) and y.data == 6.0
    y.backward()
    assert x.grad == 2.0


def test_numpy_nan_converts_to_nan(np: Any) -> None:
    """np.float32('nan') becomes a NaN leaf."""
    assert math.isnan(Value(np.float32("nan")).data)


@pytest.mark.parametrize("make", [lambda np: np.bool_(True), lambda np: np.array(1.0)])
def test_numpy_bools_and_arrays_are_refused(
    np: Any, make: Callable[[Any], Any]
) -> None:
    """numpy bools and arrays are not numbers.Real: TypeError naming the type."""
    with pytest.raises(TypeError, match="numpy"):
        Value(make(np))


def test_numpy_longdouble_past_the_float_range_overflows(np: Any) -> None:
    """A finite longdouble too large for a float raises OverflowError, not inf."""
    if np.finfo(np.longdouble).max <= sys.float_info.max:
        pytest.skip("longdouble is a double on this platform")
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(np.longdouble("1e4000"))


# ---------------------------------------------------------------------------------
# Forward values at hostile inputs: plain-float math, or a documented error.

FORWARD = [
    # (description, computation, expected)
    ("relu(nan)", lambda: Value(nan).relu(), nan),
    ("relu(inf)", lambda: Value(inf).relu(), inf),
    ("relu(-inf)", lambda: Value(-inf).relu(), 0.0),
    ("relu(-0.0)", lambda: Value(-0.0).relu(), 0.0),
    ("leaky_relu(nan)", lambda: Value(nan).leaky_relu(), nan),
    ("leaky_relu(-inf)", lambda: Value(-inf).leaky_relu(0.1), -inf),
    ("leaky_relu(-inf, 0)", lambda: Value(-inf).leaky_relu(0.0), nan),
    ("abs(nan)", lambda: abs(Value(nan)), nan),
    ("abs(-inf)", lambda: abs(Value(-inf)), inf),
    ("abs(-0.0)", lambda: abs(Value(-0.0)), 0.0),
    ("sigmoid(inf)", lambda: Value(inf).sigmoid(), 1.0),
    ("sigmoid(-inf)", lambda: Value(-inf).sigmoid(), 0.0),
    ("sigmoid(nan)", lambda: Value(nan).sigmoid(), nan),
    ("softplus(inf)", lambda: Value(inf).softplus(), inf),
    ("softplus(-inf)", lambda: Value(-inf).softplus(), 0.0),
    ("softplus(nan)", lambda: Value(nan).softplus(), nan),
    ("tanh(inf)", lambda: Value(inf).tanh(), 1.0),
    ("tanh(-inf)", lambda: Value(-inf).tanh(), -1.0),
    ("tanh(nan)", lambda: Value(nan).tanh(), nan),
    ("exp(-inf)", lambda: Value(-inf).exp(), 0.0),
    ("exp(nan)", lambda: Value(nan).exp(), nan),
    ("log(inf)", lambda: Value(inf).log(), inf),
    ("log(nan)", lambda: Value(nan).log(), nan),
    ("sqrt(inf)", lambda: Value(inf).sqrt(), inf),
    ("sqrt(-0.0)", lambda: Value(-0.0).sqrt(), -0.0),
    ("sin(nan)", lambda: Value(nan).sin(), nan),
    ("inf ** 0", lambda: Value(inf) ** 0, 1.0),
    ("nan ** 0", lambda: Value(nan) ** 0, 1.0),
    ("1 ** nan", lambda: 1 ** Value(nan), 1.0),
    ("2 ** -inf", lambda: 2 ** Value(-inf), 0.0),
    ("(-inf) ** 3", lambda: Value(-inf) ** 3, -inf),
    ("inf - inf", lambda: Value(inf) - Value(inf), nan),
    ("0 * inf", lambda: Value(0.0) * inf, nan),
    ("inf / inf", lambda: Value(inf) / inf, nan),
    ("1 / inf", lambda: 1 / Value(inf), 0.0),
    ("-1 / inf", lambda: -1 / Value(inf), -0.0),
    ("5e-324 / 2", lambda: Value(5e-324) / 2, 0.0),
    ("1 / 5e-324", lambda: 1 / Value(5e-324), inf),
    ("1e308 + 1e308", lambda: Value(1e308) + 1e308, inf),
    ("sum(inf, -inf)", lambda: autograd.sum([inf, -inf]), nan),
    ("dot([inf], [0])", lambda: autograd.dot([inf], [0.0]), nan),
    ("linear([inf], [1], 1)", lambda: autograd.linear([inf], [1.0], 1.0), inf),
]


@pytest.mark.parametrize(
    ("computation", "expected"),
    [case[1:] for case in FORWARD],
    ids=[case[0] for case in FORWARD],
)
def test_forward_at_hostile_inputs_follows_plain_float_math(
    computation: Callable[[], Value], expected: float
) -> None:
    """The op gives the plain-float result, NaN propagated, sign of zero kept."""
    assert same(computation().data, expected)


ERRORS = [
    ("1 / -0.0", lambda: Value(1.0) / -0.0, ZeroDivisionError),
    ("nan / 0", lambda: Value(nan) / 0, ZeroDivisionError),
    ("0 ** -inf", lambda: Value(0.0) ** -inf, ZeroDivisionError),
    ("(-inf) ** 0.5", lambda: Value(-inf) ** 0.5, ValueError),
    ("(-8) ** (1/3)", lambda: Value(-8.0) ** (1 / 3), ValueError),
    ("1e308 ** 2", lambda: Value(1e308) ** 2, OverflowError),
    ("exp(inf)", lambda: Value(inf).exp(), OverflowError),
    ("exp(710)", lambda: Value(710.0).exp(), OverflowError),
    ("log(-0.0)", lambda: Value(-0.0).log(), ValueError),
    ("log(-inf)", lambda: Value(-inf).log(), ValueError),
    ("sqrt(-inf)", lambda: Value(-inf).sqrt(), ValueError),
    ("sqrt(-5e-324)", lambda: Value(-5e-324).sqrt(), ValueError),
    ("sin(inf)", lambda: Value(inf).sin(), ValueError),
    ("cos(-inf)", lambda: Value(-inf).cos(), ValueError),
]


@pytest.mark.parametrize(
    ("computation", "error"),
    [case[1:] for case in ERRORS],
    ids=[case[0] for case in ERRORS],
)
def test_outside_the_domain_an_op_raises_a_documented_error(
    computation: Callable[[], Value], error: type[Exception]
) -> None:
    """The op raises its documented error, naming itself."""
    with pytest.raises(error, match=r"^(div|pow|exp|log|sqrt|sin|cos): "):
        computation()


def test_exp_at_its_largest_argument_is_finite() -> None:
    """exp just below its overflow threshold returns a finite float, not an error."""
    from autograd.ops import EXP_MAX as _EXP_MAX

    assert math.isfinite(Value(_EXP_MAX).exp().data)


# ---------------------------------------------------------------------------------
# Local partials at hostile inputs: never a finite number where there is none.

PARTIALS = [
    ("relu'(nan)", lambda x: x.relu(), nan, nan),
    ("relu'(inf)", lambda x: x.relu(), inf, 1.0),
    ("relu'(-inf)", lambda x: x.relu(), -inf, 0.0),
    ("abs'(nan)", lambda x: abs(x), nan, nan),
    ("abs'(-0.0)", lambda x: abs(x), -0.0, 0.0),
    ("abs'(-inf)", lambda x: abs(x), -inf, -1.0),
    ("leaky_relu'(nan)", lambda x: x.leaky_relu(0.1), nan, nan),
    ("sigmoid'(inf)", lambda x: x.sigmoid(), inf, 0.0),
    ("tanh'(-inf)", lambda x: x.tanh(), -inf, 0.0),
    ("softplus'(inf)", lambda x: x.softplus(), inf, 1.0),
    ("sqrt'(0)", lambda x: x.sqrt(), 0.0, inf),
    ("d/dx x**0 at 0", lambda x: x**0, 0.0, 0.0),
    ("d/dx x**0 at inf", lambda x: x**0, inf, 0.0),
    ("d/dx x**0 at nan", lambda x: x**0, nan, nan),  # NaN in, NaN partial
    ("d/dx x**2 at nan", lambda x: x**2, nan, nan),
    ("log'(5e-324)", lambda x: x.log(), 5e-324, inf),
    ("exp'(nan)", lambda x: x.exp(), nan, nan),
]


@pytest.mark.parametrize(
    ("f", "x", "expected"),
    [case[1:] for case in PARTIALS],
    ids=[case[0] for case in PARTIALS],
)
def test_derivative_at_hostile_inputs(
    f: Callable[[Value], Value], x: float, expected: float
) -> None:
    """backward gives the true derivative there: NaN where no value is right."""
    leaf = Value(x)
    f(leaf).backward()
    assert same(leaf.grad, expected) or (expected == 0.0 and leaf.grad == 0.0)


def test_leaky_relu_slope_partial_at_nan_is_nan() -> None:
    """d/dslope leaky_relu(nan, slope) is NaN, not a branch's value."""
    slope = Value(0.1)
    Value(nan).leaky_relu(slope).backward()
    assert math.isnan(slope.grad)


@pytest.mark.parametrize("op", ["relu", "abs", "leaky_relu", "exp", "log", "sqrt"])
def test_nan_input_never_gives_a_finite_result(op: str) -> None:
    """A NaN input gives a NaN result (relu and abs included), never a number."""
    assert math.isnan(getattr(Value(nan), op)().data)
