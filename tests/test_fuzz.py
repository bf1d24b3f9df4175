"""Fuzzing the public API with hostile numbers: plain-float results or known errors.

Every op of ``autograd.ops.OPS`` is called through its public spelling on inputs from
the whole float range (NaN, +-inf, -0.0, subnormals, 1e308, ...), and on random
programs over all ops. Each call must either return what plain-float math returns
(the same value, or both NaN) or raise a documented error; where the engine raises
but plain math returns a number, the case must be one of the documented deviations
(``DEVIATIONS``, docs/errors.md's hostile-number table). ``backward()`` afterwards
raises nothing, in an ordinary pass or a differentiable one.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from strategies import VALUE_LIB, Const, Program, programs

import autograd
from autograd import AnomalyError, Value, detect_anomaly
from autograd.ops import OPS

DOCUMENTED = (ValueError, ZeroDivisionError, OverflowError, TypeError)
"""The errors an op may raise outside anomaly mode (docs/errors.md)."""

HOSTILE = (
    math.nan,
    math.inf,
    -math.inf,
    0.0,
    -0.0,
    5e-324,  # the smallest subnormal
    -5e-324,
    2.2250738585072014e-308,  # the smallest normal
    1e308,
    -1e308,
    sys.float_info.max,
    709.78,  # exp's largest argument, about
    710.0,
    -745.2,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    3.0,
)

hostile_floats = st.one_of(st.sampled_from(HOSTILE), st.floats())
"""Any float, with the hostile values above drawn often."""

hostile_numbers = st.one_of(
    hostile_floats,
    st.booleans(),
    st.integers(-(10**310), 10**310),  # ints past the float range overflow
    st.fractions(max_denominator=10**320),
)
"""Numbers of every accepted type, as operands beside a Value."""


# ---------------------------------------------------------------------------------
# The plain-float reference: the operator or math function each op stands for.


def _relu(x: float) -> float:
    # max(x, 0) with NaN propagated (Python's max(nan, 0.0) depends on argument order).
    return x if x > 0.0 else 0.0 if x <= 0.0 else math.nan


def _sigmoid(x: float) -> float:
    # The identity sigmoid(x) = (1 + tanh(x/2)) / 2, which never overflows.
    return 0.5 + 0.5 * math.tanh(0.5 * x)


def _softplus(x: float) -> float:
    # log(1 + e^x); past x = 700 it equals x to double precision (and e^x overflows).
    return x if x > 700.0 else math.log1p(math.exp(x))


def _fold(start: float, terms: Sequence[float]) -> float:
    # The table's m.sum: as Python's own sum() adds floats (compensated from 3.12).
    return sum(terms, start)


def _dot(*xs: float) -> float:
    n = len(xs) // 2
    return _fold(0.0, [w * x for w, x in zip(xs[:n], xs[n:])])


def _linear(*xs: float) -> float:
    n = len(xs) // 2
    return _fold(xs[-1], [w * x for w, x in zip(xs[:n], xs[n : 2 * n])])


PLAIN: dict[str, Callable[..., float]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "neg": operator.neg,
    "pow": math.pow,
    "pow_const": math.pow,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "relu": _relu,
    "leaky_relu": lambda x, slope: x if x > 0.0 else slope * x,
    "abs": abs,
    "sin": math.sin,
    "cos": math.cos,
    "select": lambda c, a, b: a if c > 0.0 else b if c <= 0.0 else math.nan,
    "sum": lambda *xs: _fold(0.0, xs),
    "dot": _dot,
    "linear": _linear,
}
"""For each op, plain-float math on its inputs (in the op's input order)."""

# Where the reference is another formula than the engine's, allow a few ulps.
TOLERANT = {"sigmoid": 1e-15, "softplus": 1e-15, "sum": 0.0, "dot": 0.0, "linear": 0.0}


def _pow_deviates(x: float, y: float) -> bool:
    # 0 ** negative is ZeroDivisionError even for -inf (math.pow gives inf there);
    # a negative base with a non-integer exponent is ValueError, -inf included.
    return (x == 0.0 and y < 0.0) or (x < 0.0 and math.isfinite(y) and y % 1.0 != 0.0)


DEVIATIONS: dict[str, Callable[..., bool]] = {
    "pow": _pow_deviates,
    "pow_const": _pow_deviates,
    "exp": lambda x: x == math.inf,  # OverflowError, where math.exp gives inf
}
"""Where an op raises although plain math returns a number (docs/errors.md says so)."""


def same(a: float, b: float, tolerance: float = 0.0) -> bool:
    """Equal (for NaN: both NaN), or within ``tolerance`` relative to the scale."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b)) * 4


def outcome(call: Callable[[], Any]) -> Any:
    """The call's result, or the exception it raised (never swallowing others)."""
    try:
        return call()
    except Exception as error:
        return error


def check_call(op: str, result: Any, numbers: Sequence[float]) -> None:
    """Assert that ``result`` (a Value or an exception) agrees with plain math."""
    expected = outcome(lambda: PLAIN[op](*numbers))
    note(f"{op}{tuple(numbers)} -> {result!r}; plain math -> {expected!r}")
    if isinstance(result, BaseException):
        assert isinstance(result, DOCUMENTED), f"undocumented {result!r}"
        assert isinstance(expected, BaseException) or DEVIATIONS.get(
            op, lambda *_: False
        )(*numbers), f"{op} raised {result!r}; plain math gives {expected!r}"
        return
    assert isinstance(result, Value)
    assert not isinstance(expected, BaseException), (
        f"{op}{tuple(numbers)} returned {result.data!r}; plain math raises {expected!r}"
    )
    assert same(result.data, expected, TOLERANT.get(op, 0.0)), (
        f"{op}{tuple(numbers)} returned {result.data!r}; plain math gives {expected!r}"
    )


def _as_number(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


# ---------------------------------------------------------------------------------
# One op at a time, every public spelling, every kind of number.


@st.composite
def op_calls(draw: st.DrawFn) -> tuple[str, list[Any]]:
    """An op name and its arguments: Values, with a plain number now and then."""
    op = draw(st.sampled_from(sorted(OPS)))
    arity = OPS[op].arity
    if arity is None:
        n = draw(st.integers(1, 4))
        arity = {"sum": n, "dot": 2 * n, "linear": 2 * n + 1}[op]
    values: list[Any] = [Value(draw(hostile_floats)) for _ in range(arity)]
    if op == "pow_const":  # the exponent is a plain number
        values[1] = draw(hostile_numbers)
    elif arity == 2 and op != "leaky_relu" and draw(st.booleans()):
        values[draw(st.integers(0, 1))] = draw(hostile_numbers)  # 2 * x, x - 1
    elif op == "leaky_relu" and draw(st.booleans()):
        values[1] = draw(hostile_numbers)  # x.leaky_relu(0.5)
    return op, values


def test_every_op_has_a_plain_float_reference() -> None:
    """The fuzz covers the whole table: each op has its plain-float reference."""
    assert set(PLAIN) == set(OPS)


@given(op_calls())
def test_each_op_agrees_with_plain_float_math_or_raises_a_documented_error(
    call: tuple[str, list[Any]],
) -> None:
    """An op on hostile numbers returns the plain-float result or a documented error."""
    op, args = call
    try:
        numbers = [_as_number(a) for a in args]
    except OverflowError:  # a number past the float range: Value raises it too
        with pytest.raises(OverflowError, match="too large for a float"):
            getattr(VALUE_LIB, op)(*args)
        return
    check_call(op, outcome(lambda: getattr(VALUE_LIB, op)(*args)), numbers)


@given(op_calls())
def test_anomaly_mode_raises_exactly_where_the_result_is_not_finite(
    call: tuple[str, list[Any]],
) -> None:
    """In anomaly mode an op raises AnomalyError iff its result is NaN or infinite."""
    op, args = call
    plain = outcome(lambda: getattr(VALUE_LIB, op)(*args))
    with detect_anomaly():
        watched = outcome(lambda: getattr(VALUE_LIB, op)(*args))
    if isinstance(plain, Value) and not math.isfinite(plain.data):
        assert isinstance(watched, AnomalyError)
        assert watched.op == plain.op  # x ** 2.0 on Values is pow_const
    elif isinstance(plain, Value):
        assert isinstance(watched, Value) and same(watched.data, plain.data)
    else:
        assert type(watched) is type(plain)


@given(op_calls())
def test_backward_after_any_op_raises_nothing(call: tuple[str, list[Any]]) -> None:
    """An ordinary backward pass through any op on any numbers completes."""
    op, args = call
    out = outcome(lambda: getattr(VALUE_LIB, op)(*args))
    if isinstance(out, Value):
        out.backward()
        for leaf in args:
            if isinstance(leaf, Value):
                assert isinstance(leaf.grad, float)


# ---------------------------------------------------------------------------------
# Random programs over every op, without the shared strategies' domain guards.


def run_unguarded(program: Program, inputs: Sequence[float]) -> tuple[Any, Any]:
    """Run ``program`` on Value leaves, checking each step against plain math.

    Returns the last Value computed and the exception that stopped the program (or
    None): a program stops at its first error, as plain Python would.
    """
    slots: list[Any] = [Value(x) for x in inputs]
    for step in program.steps:
        args = [a.value if isinstance(a, Const) else slots[a] for a in step.args]
        result = outcome(lambda: getattr(VALUE_LIB, step.op)(*args))  # noqa: B023
        check_call(step.op, result, [_as_number(a) for a in args])
        if isinstance(result, BaseException):
            return slots[-1], result
        slots.append(result)
    return slots[-1], None


@st.composite
def hostile_programs(draw: st.DrawFn) -> tuple[Program, tuple[float, ...]]:
    """A random program over every op and a point drawn from the whole float range."""
    program = draw(programs(max_steps=10))
    point = draw(st.tuples(*[hostile_floats] * program.n_inputs))
    return program, point


@given(hostile_programs())
def test_programs_agree_with_plain_float_math_step_by_step(
    case: tuple[Program, tuple[float, ...]],
) -> None:
    """Every step of a random program on hostile inputs matches plain-float math."""
    program, point = case
    note(str(program))
    run_unguarded(program, point)


@given(hostile_programs())
def test_backward_after_a_random_program_raises_nothing(
    case: tuple[Program, tuple[float, ...]],
) -> None:
    """An ordinary backward pass after a hostile program completes, with float grads."""
    program, point = case
    last, _ = run_unguarded(program, point)
    last.backward()
    assert all(isinstance(v.grad, float) for v in autograd.topological_order(last))


@given(hostile_programs())
def test_differentiable_backward_raises_only_documented_errors(
    case: tuple[Program, tuple[float, ...]],
) -> None:
    """A differentiable backward pass on a hostile program raises only known errors."""
    program, point = case
    last, _ = run_unguarded(program, point)
    error = outcome(lambda: last.backward(create_graph=True))
    assert error is None or isinstance(error, DOCUMENTED), repr(error)


@given(hostile_programs())
def test_anomaly_mode_in_backward_raises_iff_a_contribution_is_not_finite(
    case: tuple[Program, tuple[float, ...]],
) -> None:
    """Anomaly mode stops a backward pass exactly when a contribution is not finite."""
    program, point = case
    last, _ = run_unguarded(program, point)
    bad = any(
        not math.isfinite(c)
        for step in autograd.backward_steps(last)
        for c in step.contributions
    )
    with detect_anomaly():
        error = outcome(lambda: last.backward())
    assert isinstance(error, AnomalyError) if bad else error is None


def test_huge_fraction_operand_is_an_overflow_error() -> None:
    """A Fraction past the float range beside a Value raises OverflowError."""
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(1.0) + Fraction(10**400, 3)
