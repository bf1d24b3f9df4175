"""Every public callable of ``autograd`` refuses arguments of the wrong kind, by name.

A hypothesis sweep calls each function, constructor, method and operator of the
engine (``autograd.viz`` has its own sweep; ``autograd.Tape`` its own tests) with one
argument replaced by something of the wrong kind: strings, None, bools where numbers
are meant, lists where numbers are meant and numbers where lists are, numpy scalars,
bools and arrays, ints past the float range, NaN and infinities where a step or a
tolerance is meant, non-callables where a function is, and functions that return
non-numbers. Each call must raise a documented exception (``TypeError``,
``ValueError``, ``OverflowError``, ``IndexError``) whose message names the function
and the argument, and never a bare Python message.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import autograd
from autograd import Value

np = pytest.importorskip("numpy")

DOCUMENTED = (TypeError, ValueError, OverflowError, IndexError)

BARE = (
    "object is not iterable",
    "object is not callable",
    "object is not subscriptable",
    "has no len()",
    "has no attribute",
    "can't multiply sequence",
    "can only concatenate",
    "must be real number, not",
    "int too large to convert",
    "Exceeds the limit",
    "math domain error",
    "does not support ufuncs",
    "not supported between instances",
    "unhashable type",
    "positional arguments but",
    "unexpected keyword",
    "object cannot be interpreted",
    "argument must be",
)
"""Fragments of Python's and numpy's own messages: none may reach the user."""

HUGE = 10**400
ENORMOUS = 10**5000  # its repr itself fails past 4300 digits


def _returns(value: Any) -> Callable[..., Any]:
    def f(*args: Any) -> Any:
        return value

    f.__name__ = f"returns_{type(value).__name__}"
    return f


# -- the wrong kinds ---------------------------------------------------------------

NOT_NUMBERS = [
    "1.0",
    None,
    [1.0],
    (1.0,),
    {"x": 1.0},
    1j,
    decimal.Decimal("1.5"),
    np.bool_(True),
    np.array([1.0, 2.0]),
    np.array(1.0),
    object(),
]
"""Not numbers in any reading (a Value accepts bools and numpy numbers)."""

NOT_STRICT_NUMBERS = [*NOT_NUMBERS, True, False, Value(1.0)]
"""Not numbers where a plain number is meant (a step, a tolerance): bools, Values."""

_NOT_NONE = tuple(v for v in NOT_STRICT_NUMBERS if v is not None)
"""Not numbers where a number or None (the default) is meant: eps."""

NOT_SEQUENCES = [5, 1.5, None, "abc", b"ab", Value(1.0), True, np.float64(2.0)]
"""Not sequences of numbers."""

BAD_ELEMENTS = [["a"], [None], [[1.0]], [np.bool_(True)], [np.array([1.0])], [1j]]
"""Sequences with one element of the wrong kind."""

NOT_VALUES = [1.0, "x", None, [Value(1.0)], np.float64(1.0), True]
"""Not Values where a node is meant."""

NOT_CALLABLES = [5, "f", None, [len], Value(1.0)]

BAD_RESULTS = [
    _returns("x"),
    _returns(None),
    _returns([1.0]),
    _returns(np.array([1.0])),
    _returns(True),
    _returns(1j),
    _returns((Value(1.0),)),
]
"""Functions whose results are not numbers or Values."""

NOT_FLAGS = [1, 0, "yes", None, np.bool_(True), 1.0]
BAD_ARGNUMS = [1.5, "0", None, [0], True, (0, "1"), (), (0, 0), np.int64(0), HUGE]


@dataclass(frozen=True)
class Parameter:
    """One argument of a callable: its name(s) in messages and its wrong kinds."""

    name: str
    wrong: tuple[Any, ...]
    named: tuple[str, ...] = ()  # fragments any of which the message must contain

    def fragments(self) -> tuple[str, ...]:
        return self.named or (self.name,)


@dataclass(frozen=True)
class Callee:
    """A public callable, a call that works, and its parameters to spoil."""

    name: str
    call: Callable[..., Any]
    good: dict[str, Any]
    parameters: tuple[Parameter, ...]


def _x(**_: Any) -> Value:
    return Value(2.0)


def _graph() -> tuple[Value, Value]:
    x = Value(0.5)
    return x, (x * x).tanh()


_X, _ROOT = _graph()
_NUMBER = Parameter("x", tuple(NOT_NUMBERS))


def _f(*xs: Any) -> Any:
    """A function of any number of arguments (a wrong xs may change their count)."""
    return xs[0] * xs[0] if xs else 1.0


CALLEES = [
    Callee(
        "Value",
        lambda data, label: Value(data, label),
        {"data": 1.0, "label": "x"},
        (
            Parameter("data", (*NOT_NUMBERS, HUGE, ENORMOUS), ("data", "Value")),
            Parameter("label", (3, None, b"x", 1.0, ["x"]), ("label",)),
        ),
    ),
    Callee(
        "Value.leaky_relu",
        lambda slope: Value(-1.0).leaky_relu(slope),
        {"slope": 0.1},
        (Parameter("slope", tuple(NOT_NUMBERS)),),
    ),
    Callee(
        "Value.backward",
        lambda grad, create_graph: _graph()[1].backward(
            grad, create_graph=create_graph
        ),
        {"grad": 1.0, "create_graph": False},
        (
            Parameter("grad", (*NOT_STRICT_NUMBERS[:-1], HUGE, ENORMOUS)),
            Parameter("create_graph", tuple(NOT_FLAGS)),
        ),
    ),
    Callee(
        "backward_steps",
        lambda root, grad, create_graph: autograd.backward_steps(
            root, grad, create_graph=create_graph
        ),
        {"root": _ROOT, "grad": 1.0, "create_graph": False},
        (
            Parameter("root", tuple(NOT_VALUES)),
            Parameter("grad", (*NOT_STRICT_NUMBERS[:-1], HUGE)),
            Parameter("create_graph", tuple(NOT_FLAGS)),
        ),
    ),
    Callee(
        "topological_order",
        autograd.topological_order,
        {"root": _ROOT},
        (Parameter("root", tuple(NOT_VALUES)),),
    ),
    Callee(
        "gradients",
        lambda root, wrt, grad, create_graph: autograd.gradients(
            root, wrt, grad, create_graph=create_graph
        ),
        {"root": _ROOT, "wrt": [_X], "grad": 1.0, "create_graph": False},
        (
            Parameter("root", tuple(NOT_VALUES)),
            Parameter("wrt", (_X, 1.0, None, "x", [1.0], [None], [_X, "x"])),
            Parameter("grad", (*NOT_STRICT_NUMBERS[:-1], HUGE)),
            Parameter("create_graph", tuple(NOT_FLAGS)),
        ),
    ),
    Callee(
        "grad",
        lambda f, argnums, x: autograd.grad(f, argnums)(x),
        {"f": _f, "argnums": 0, "x": 1.5},
        (
            Parameter("f", (*NOT_CALLABLES, *BAD_RESULTS), ("f", "function")),
            Parameter("argnums", tuple(BAD_ARGNUMS)),
            Parameter("x", (*NOT_NUMBERS, True), ("argument 0",)),
        ),
    ),
    Callee(
        "value_and_grad",
        lambda f, argnums, x: autograd.value_and_grad(f, argnums)(x),
        {"f": _f, "argnums": 0, "x": 1.5},
        (
            Parameter("f", (*NOT_CALLABLES, *BAD_RESULTS), ("f", "function")),
            Parameter("argnums", tuple(BAD_ARGNUMS)),
            Parameter("x", (*NOT_NUMBERS, True), ("argument 0",)),
        ),
    ),
    Callee(
        "jvp",
        lambda f, xs, tangents, create_graph: autograd.jvp(
            f, xs, tangents, create_graph=create_graph
        ),
        {"f": _f, "xs": [1.0], "tangents": [1.0], "create_graph": None},
        (
            Parameter("f", (*NOT_CALLABLES, *BAD_RESULTS), ("f", "function")),
            Parameter("xs", (None, "ab", b"a", *BAD_ELEMENTS, [True], [HUGE])),
            Parameter("tangents", (None, "ab", *BAD_ELEMENTS, [True], [HUGE])),
            Parameter("create_graph", (1, "yes", np.bool_(True), 1.0)),
        ),
    ),
    Callee(
        "numeric_grad",
        lambda f, xs, eps, method: autograd.numeric_grad(f, xs, eps, method=method),
        {"f": _f, "xs": [1.0], "eps": None, "method": "central"},
        (
            Parameter("f", (*NOT_CALLABLES, *BAD_RESULTS), ("f", "function")),
            Parameter(
                "xs", (*NOT_SEQUENCES, *BAD_ELEMENTS, [True], [HUGE], [math.nan])
            ),
            Parameter(
                "eps",
                (*_NOT_NONE, math.nan, math.inf, -1e-3, 0.0, HUGE, ENORMOUS),
            ),
            Parameter("method", ("centre", None, 3, "", b"central")),
        ),
    ),
    Callee(
        "check_grad",
        lambda f, xs, rtol, atol, eps: autograd.check_grad(f, xs, rtol, atol, eps),
        {"f": _f, "xs": [1.0], "rtol": 1e-5, "atol": 1e-7, "eps": None},
        (
            Parameter("f", (*NOT_CALLABLES, *BAD_RESULTS), ("f", "function")),
            Parameter("xs", (*NOT_SEQUENCES, *BAD_ELEMENTS, [True], [math.inf])),
            Parameter("rtol", (*NOT_STRICT_NUMBERS, math.nan, -1.0, math.inf, HUGE)),
            Parameter("atol", (*NOT_STRICT_NUMBERS, math.nan, -1.0, math.inf, HUGE)),
            Parameter("eps", (*_NOT_NONE, math.nan, 0.0, -1.0, HUGE)),
        ),
    ),
    Callee(
        "sum",
        autograd.sum,
        {"values": [1.0, Value(2.0)]},
        (Parameter("values", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS, [HUGE])),),
    ),
    Callee(
        "dot",
        autograd.dot,
        {"weights": [1.0], "inputs": [Value(2.0)]},
        (
            Parameter("weights", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS, [1.0, 2.0])),
            Parameter("inputs", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS, [1.0, 2.0])),
        ),
    ),
    Callee(
        "linear",
        autograd.linear,
        {"weights": [1.0], "inputs": [Value(2.0)], "bias": 0.5},
        (
            Parameter("weights", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS, [1.0, 2.0])),
            Parameter("inputs", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS, [1.0, 2.0])),
            Parameter("bias", tuple(NOT_NUMBERS)),
        ),
    ),
    Callee(
        "linear_layer",
        autograd.linear_layer,
        {"weight_rows": [[1.0]], "inputs": [Value(2.0)], "biases": [0.5]},
        (
            Parameter(
                "weight_rows",
                (
                    *NOT_SEQUENCES[:-3],
                    [1.0],
                    [None],
                    [["a"]],
                    [[1.0, 2.0]],
                    [[1.0]] * 2,
                ),
                ("weight_rows", "weight row"),
            ),
            Parameter("inputs", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS)),
            Parameter(
                "biases", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS), ("biases", "bias")
            ),
        ),
    ),
    Callee(
        "linear_layer_batch",
        autograd.linear_layer_batch,
        {"weight_rows": [[1.0]], "batch": [[Value(2.0)]], "biases": [0.5]},
        (
            Parameter(
                "weight_rows",
                (*NOT_SEQUENCES[:-3], [1.0], [None], [["a"]], [[1.0]] * 2),
                ("weight_rows", "weight row"),
            ),
            Parameter(
                "batch",
                (*NOT_SEQUENCES[:-3], [1.0], [None], [["a"]], [[1.0, 2.0]]),
                ("batch", "sample"),
            ),
            Parameter(
                "biases", (*NOT_SEQUENCES[:-3], *BAD_ELEMENTS), ("biases", "bias")
            ),
        ),
    ),
    Callee(
        "select",
        autograd.select,
        {"condition": 1.0, "if_positive": 2.0, "otherwise": Value(3.0)},
        (
            Parameter("condition", tuple(NOT_NUMBERS)),
            Parameter("if_positive", tuple(NOT_NUMBERS)),
            Parameter("otherwise", tuple(NOT_NUMBERS)),
        ),
    ),
    Callee(
        "tree_size",
        autograd.tree_size,
        {"root": _ROOT},
        (Parameter("root", tuple(NOT_VALUES)),),
    ),
    Callee(
        "path_count",
        autograd.path_count,
        {"root": _ROOT, "node": _X},
        (Parameter("root", tuple(NOT_VALUES)), Parameter("node", tuple(NOT_VALUES))),
    ),
]
"""Every public callable of autograd that takes arguments (the context managers
no_grad, enable_grad, detect_anomaly, count_ops and is_grad_enabled take none)."""


def _spoiled_calls() -> list[tuple[str, str, int]]:
    return [
        (callee.name, parameter.name, i)
        for callee in CALLEES
        for parameter in callee.parameters
        for i in range(len(parameter.wrong))
    ]


SPOILED = _spoiled_calls()
_BY_NAME = {callee.name: callee for callee in CALLEES}


def _call(callee: Callee, arguments: dict[str, Any]) -> Any:
    result = callee.call(**arguments)
    if hasattr(result, "__next__"):  # a generator: run it
        list(result)
    return result


def _check_refused(callee: Callee, parameter: Parameter, wrong: Any) -> None:
    arguments = dict(callee.good)
    arguments[parameter.name] = wrong
    with pytest.raises(DOCUMENTED) as caught:
        _call(callee, arguments)
    message = str(caught.value)
    assert any(fragment in message for fragment in parameter.fragments()), message
    function = callee.name.split(".")[-1]
    assert function in message or callee.name in message, message
    for bare in BARE:
        assert bare not in message, message


@pytest.mark.parametrize("callee", CALLEES, ids=lambda c: c.name)
def test_the_good_call_works(callee):
    """The baseline call of each callable succeeds (so a refusal is the argument's)."""
    _call(callee, dict(callee.good))


@pytest.mark.parametrize(
    ("name", "parameter", "index"),
    SPOILED,
    ids=[f"{n}-{p}-{i}" for n, p, i in SPOILED],
)
def test_each_wrong_argument_is_refused_by_name(name, parameter, index):
    """Each wrong kind of each argument raises a documented error naming it."""
    callee = _BY_NAME[name]
    spoiled = next(p for p in callee.parameters if p.name == parameter)
    _check_refused(callee, spoiled, spoiled.wrong[index])


_ANYTHING = st.one_of(
    st.sampled_from(
        [*NOT_NUMBERS, *NOT_SEQUENCES, *NOT_CALLABLES, *BAD_RESULTS, *BAD_ARGNUMS]
    ),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.lists(st.floats(allow_nan=False), max_size=2),
    st.complex_numbers(allow_nan=False, max_magnitude=10),
    st.dictionaries(st.text(max_size=1), st.integers(), max_size=1),
)


def _is_acceptable(callee: Callee, parameter: Parameter, value: Any) -> bool:
    """Whether the value may be accepted (a number where numbers go, ...)."""
    arguments = dict(callee.good)
    arguments[parameter.name] = value
    try:
        _call(callee, arguments)
    except autograd.GradientMismatch:  # check_grad's verdict, not an argument error
        return True
    except DOCUMENTED as error:
        message = str(error)
        assert any(f in message for f in parameter.fragments()), message
        assert not any(bare in message for bare in BARE), message
        return False
    return True


@given(st.sampled_from(CALLEES), st.data())
def test_random_wrong_kinds_are_refused_or_accepted_never_bare(callee, data):
    """A value of any kind in any argument: a documented error naming the argument,
    or a result; never another exception, never a bare Python message."""
    parameter = data.draw(st.sampled_from(callee.parameters), label="parameter")
    value = data.draw(_ANYTHING, label="value")
    note(f"{callee.name}({parameter.name}={value!r:.60})")
    try:
        _is_acceptable(callee, parameter, value)
    except DOCUMENTED:
        raise
    except Exception as error:  # pragma: no cover - the failure being looked for
        pytest.fail(f"undocumented {type(error).__name__}: {error}")


# -- operators --------------------------------------------------------------------

OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
@pytest.mark.parametrize(
    "wrong", NOT_NUMBERS, ids=lambda w: type(w).__qualname__ + repr(w)[:12]
)
@pytest.mark.parametrize("side", ["right", "left"])
def test_an_operator_refuses_a_non_number_on_either_side(symbol, wrong, side):
    """Value op non-number and non-number op Value: TypeError naming the operator
    and the operand's type (numpy bools and arrays included), no numpy message."""
    operands = (Value(2.0), wrong) if side == "right" else (wrong, Value(2.0))
    with pytest.raises(TypeError) as caught:
        OPERATORS[symbol](*operands)
    message = str(caught.value)
    assert f"for {symbol}" in message and "'Value'" in message, message
    assert type(wrong).__qualname__ in message, message
    assert not any(bare in message for bare in BARE), message


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
def test_an_operator_takes_numpy_numbers_on_either_side(symbol):
    """numpy float and integer scalars are numbers: either side gives a Value."""
    for number in (np.float64(2.0), np.float32(0.5), np.int64(3)):
        assert isinstance(OPERATORS[symbol](Value(2.0), number), Value)
        assert isinstance(OPERATORS[symbol](number, Value(2.0)), Value)


def test_huge_ints_beside_a_value_overflow_by_name():
    """An int past the float range beside a Value: OverflowError naming Value."""
    for symbol in OPERATORS:
        with pytest.raises(OverflowError, match="too large for a float"):
            OPERATORS[symbol](Value(2.0), HUGE)
