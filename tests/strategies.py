"""Shared hypothesis strategies: op inputs within each op's domain, random programs.

Two families, imported by every test module that needs them:

* ``OP_INPUTS`` maps each op name in ``autograd.ops.OPS`` to a strategy for that op's
  inputs (a tuple of floats, in the op's input order), inside the op's domain, away
  from its kinks and singularities, with magnitudes where central differences are
  well conditioned. ``tests/test_ops.py`` fails if an op has no entry.
* ``programs()`` draws random straight-line programs: each step applies an op of the
  table to earlier results, often reusing them, so a program is a DAG with shared
  nodes; it shrinks to a short counterexample. ``run(program, inputs, lib)`` evaluates
  one with Values (``VALUE_LIB``), with plain floats (``FLOAT_LIB``), or with any
  object that has one function per op name. ``programs_with_inputs()`` draws a program
  together with a point where it is defined, well conditioned and away from kinks.

A library ``lib`` has one function per op name, taking the op's inputs in the op's
input order (``lib.dot(*ws, *xs)``, ``lib.linear(*ws, *xs, b)``,
``lib.pow_const(x, c)`` with ``c`` a plain number) and returning the op's output.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

import autograd
from autograd import Value

__all__ = [
    "FLOAT_LIB",
    "KINK_OPS",
    "OP_INPUTS",
    "PROBE_NUMBERS",
    "SMOOTH_OPS",
    "VALUE_LIB",
    "Const",
    "Program",
    "Step",
    "apply_op",
    "away_from_zero",
    "evaluates_safely",
    "finite_floats",
    "probes",
    "programs",
    "programs_with_inputs",
    "run",
    "run_all",
    "same_float",
]

# ---------------------------------------------------------------------------------
# Libraries: one function per op name, on Values (public spellings) or on floats.


def _split_dot(xs: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any]]:
    n = len(xs) // 2
    return xs[:n], xs[n:]


def _split_linear(xs: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any], Any]:
    n = (len(xs) - 1) // 2
    return xs[:n], xs[n : 2 * n], xs[-1]


class _ValueLib:
    """Each op through its public spelling on Values: operators, methods, n-ary."""

    add = staticmethod(operator.add)
    sub = staticmethod(operator.sub)
    mul = staticmethod(operator.mul)
    div = staticmethod(operator.truediv)
    neg = staticmethod(operator.neg)
    pow = staticmethod(operator.pow)  # a Value exponent (or a number base): "pow"
    abs = staticmethod(operator.abs)
    exp = staticmethod(Value.exp)
    log = staticmethod(Value.log)
    sqrt = staticmethod(Value.sqrt)
    tanh = staticmethod(Value.tanh)
    sigmoid = staticmethod(Value.sigmoid)
    softplus = staticmethod(Value.softplus)
    relu = staticmethod(Value.relu)
    leaky_relu = staticmethod(Value.leaky_relu)
    sin = staticmethod(Value.sin)
    cos = staticmethod(Value.cos)

    select = staticmethod(autograd.select)

    @staticmethod
    def pow_const(x: Any, c: float) -> Any:
        """x ** c with c a plain number: the exponent is a constant."""
        return x**c

    @staticmethod
    def sum(*xs: Any) -> Any:
        return autograd.sum(xs)

    @staticmethod
    def dot(*xs: Any) -> Any:
        return autograd.dot(*_split_dot(xs))

    @staticmethod
    def linear(*xs: Any) -> Any:
        return autograd.linear(*_split_linear(xs))


def _stable_sigmoid(x: float) -> float:
    # The textbook overflow-free form: e^x never exceeds 1 in either branch.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class _FloatLib:
    """Each op as plain Python on floats (operators and the math module)."""

    add = staticmethod(operator.add)
    sub = staticmethod(operator.sub)
    mul = staticmethod(operator.mul)
    div = staticmethod(operator.truediv)
    neg = staticmethod(operator.neg)
    pow = staticmethod(operator.pow)
    pow_const = staticmethod(operator.pow)
    abs = staticmethod(abs)
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    tanh = staticmethod(math.tanh)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    sigmoid = staticmethod(_stable_sigmoid)

    @staticmethod
    def softplus(x: float) -> float:
        # log(1 + e^x) in the overflow-free form max(x, 0) + log1p(e^-|x|).
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))

    @staticmethod
    def relu(x: float) -> float:
        return x if x > 0.0 else 0.0

    @staticmethod
    def leaky_relu(x: float, slope: float = 0.01) -> float:
        return x if x > 0.0 else slope * x

    @staticmethod
    def select(c: float, a: float, b: float) -> float:
        return a if c > 0.0 else b

    @staticmethod
    def sum(*xs: float) -> float:
        return sum(xs, 0.0)

    @staticmethod
    def dot(*xs: float) -> float:
        ws, vs = _split_dot(xs)
        return sum((w * v for w, v in zip(ws, vs)), 0.0)

    @staticmethod
    def linear(*xs: float) -> float:
        ws, vs, b = _split_linear(xs)
        return sum((w * v for w, v in zip(ws, vs)), b)


VALUE_LIB = _ValueLib()
"""Every op spelled through the public Value API (``x + y``, ``x.exp()``, ...)."""

FLOAT_LIB = _FloatLib()
"""Every op as plain Python on floats: the reference for forward values."""


def apply_op(name: str, inputs: Sequence[Any], lib: Any = VALUE_LIB) -> Any:
    """Apply op ``name`` to ``inputs`` (in the op's input order) with ``lib``."""
    return getattr(lib, name)(*inputs)


# ---------------------------------------------------------------------------------
# Per-op input strategies.


def finite_floats(low: float, high: float) -> st.SearchStrategy[float]:
    """Finite floats in [low, high]."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def away_from_zero(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats with low <= |x| <= high, of either sign (for kinks and poles at 0)."""
    return st.one_of(finite_floats(low, high), finite_floats(-high, -low))


_ANY = finite_floats(-1e3, 1e3)  # arithmetic: well conditioned at any sign
_POSITIVE = finite_floats(1e-2, 1e6)  # log, sqrt: curvature 1/x**2 stays modest
_NONZERO = away_from_zero(0.1, 100.0)  # divisors and bases with negative exponents
_KINKED = away_from_zero(1e-3, 100.0)  # relu/abs/leaky_relu: h ~ 6e-6 never crosses 0


def _n_ary(arity_of: Callable[[int], int]) -> st.SearchStrategy[tuple[float, ...]]:
    # |inputs| <= 10 keeps |out| <= ~500, so the round-off of central differences,
    # ~u * |out| / h ~ 2e-8, stays under check_grad's atol even for tiny partials.
    return st.integers(1, 5).flatmap(
        lambda n: st.tuples(*[finite_floats(-10.0, 10.0)] * arity_of(n))
    )


_POW_CONST_INPUTS = st.one_of(
    # Any real exponent on a positive base.
    st.tuples(finite_floats(0.1, 10.0), finite_floats(-3.0, 3.0)),
    # An integer exponent on a base of either sign.
    st.tuples(_NONZERO.filter(lambda x: abs(x) <= 10.0), st.integers(-3, 4).map(float)),
)

OP_INPUTS: dict[str, st.SearchStrategy[tuple[float, ...]]] = {
    "add": st.tuples(_ANY, _ANY),
    "sub": st.tuples(_ANY, _ANY),
    "mul": st.tuples(_ANY, _ANY),
    "div": st.tuples(_ANY, _NONZERO),
    "neg": st.tuples(_ANY),
    # A Value exponent needs a positive base: d/dy = x**y log x.
    "pow": st.tuples(finite_floats(0.1, 10.0), finite_floats(-3.0, 3.0)),
    "pow_const": _POW_CONST_INPUTS,
    "exp": st.tuples(finite_floats(-30.0, 30.0)),
    "log": st.tuples(_POSITIVE),
    "sqrt": st.tuples(_POSITIVE),
    "tanh": st.tuples(finite_floats(-20.0, 20.0)),
    "sigmoid": st.tuples(finite_floats(-30.0, 30.0)),
    "softplus": st.tuples(finite_floats(-30.0, 30.0)),
    "relu": st.tuples(_KINKED),
    "leaky_relu": st.tuples(_KINKED, finite_floats(0.0, 1.0)),
    "abs": st.tuples(_KINKED),
    "sin": st.tuples(finite_floats(-50.0, 50.0)),
    "cos": st.tuples(finite_floats(-50.0, 50.0)),
    "select": st.tuples(_KINKED, _ANY, _ANY),
    "sum": _n_ary(lambda n: n),
    "dot": _n_ary(lambda n: 2 * n),
    "linear": _n_ary(lambda n: 2 * n + 1),
}
"""For each op name, a strategy for its inputs (floats, in input order) in its domain.

``pow_const``'s second input is the constant exponent: pass it as a plain number.
"""

# ---------------------------------------------------------------------------------
# Random straight-line programs.

KINK_OPS = frozenset({"relu", "abs", "leaky_relu", "select"})
"""Ops with a kink at 0: programs keep their first input away from it."""

SMOOTH_OPS = tuple(sorted(set(autograd.ops.OPS) - KINK_OPS))
"""Ops whose derivatives of every order exist on the program domain."""

_UNARY = ("neg", "exp", "log", "sqrt", "tanh", "sigmoid", "softplus")
_UNARY += ("relu", "abs", "sin", "cos")
_BINARY = ("add", "sub", "mul", "div", "pow", "leaky_relu")
_TERNARY = ("select",)
_N_ARY = ("sum", "dot", "linear")
_CONSTANTS = (-1.5, 0.5, 2.0, 3.0)  # numbers on one side of a binary operator
_POW_CONSTS = (2.0, 3.0, -1.0, 0.5, -1.5)  # exponents of pow_const


@dataclass(frozen=True)
class Const:
    """A plain number in a program (the other side of an operator: ``2 * x``)."""

    value: float

    def __str__(self) -> str:
        return repr(self.value)


@dataclass(frozen=True)
class Step:
    """One line of a program: ``op`` applied to ``args``.

    An int arg is the index of an earlier slot (inputs first, then steps' results);
    a ``Const`` is a number. The interpreter wraps arguments that could leave the
    op's domain (see ``run``).
    """

    op: str
    args: tuple[int | Const, ...]


@dataclass(frozen=True)
class Program:
    """A straight-line program: ``n_inputs`` inputs, then steps; the last slot is out.

    Slots ``0 .. n_inputs - 1`` are the inputs, slot ``n_inputs + k`` is step ``k``'s
    result. Steps may reuse any earlier slot any number of times (shared nodes).
    """

    n_inputs: int
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        names = [f"x{i}" for i in range(self.n_inputs)]
        lines = [f"inputs {', '.join(names)}"]
        for k, step in enumerate(self.steps):
            args = ", ".join(
                str(a) if isinstance(a, Const) else f"v{a}" for a in step.args
            )
            lines.append(f"v{self.n_inputs + k} = {step.op}({args})")
        return "\n".join(lines)


def _positive(lib: Any, x: Any) -> Any:
    # softplus(x) + 0.1 > 0.1 for every x: a safe argument for log.
    return lib.add(lib.softplus(x), 0.1)


def _square_plus(lib: Any, x: Any, c: float) -> Any:
    # x*x + c >= c > 0 for any x, a Value or a number.
    return lib.add(lib.mul(x, x), c)


def _apply_step(op: str, args: list[Any], lib: Any) -> Any:
    """Apply ``op`` to ``args``, wrapping the arguments that could leave its domain."""
    if op == "log":
        return lib.log(_positive(lib, args[0]))
    if op == "sqrt":
        return lib.sqrt(_square_plus(lib, args[0], 1.0))
    if op == "div":
        return lib.div(args[0], _square_plus(lib, args[1], 1.0))
    if op == "pow":
        return lib.pow(_square_plus(lib, args[0], 0.5), args[1])
    if op == "pow_const":
        base, c = args
        if c < 0.0 or not c.is_integer():
            base = _square_plus(lib, base, 0.5)
        return lib.pow_const(base, c)
    return getattr(lib, op)(*args)


def run(program: Program, inputs: Sequence[Any], lib: Any = VALUE_LIB) -> Any:
    """Evaluate ``program`` at ``inputs`` with ``lib``; return the last slot.

    Domain guards are part of the program's meaning and use the same ``lib``: log
    reads softplus(x) + 0.1, sqrt reads x*x + 1, div divides by y*y + 1, pow (Value
    exponent) and negative or fractional ``pow_const`` raise x*x + 0.5.
    """
    return run_all(program, inputs, lib)[-1]


def run_all(program: Program, inputs: Sequence[Any], lib: Any = VALUE_LIB) -> list[Any]:
    """Evaluate ``program`` at ``inputs`` with ``lib``; return every slot."""
    if len(inputs) != program.n_inputs:
        raise ValueError(f"program takes {program.n_inputs} inputs, got {len(inputs)}")
    slots = list(inputs)
    for step in program.steps:
        args = [a.value if isinstance(a, Const) else slots[a] for a in step.args]
        slots.append(_apply_step(step.op, args, lib))
    return slots


@st.composite
def _step(draw: st.DrawFn, n_slots: int, ops: Sequence[str]) -> Step:
    op = draw(st.sampled_from(ops))
    # Prefer recent slots (a long dependency chain) but reach back to any slot.
    slot = st.integers(0, n_slots - 1).map(lambda i: n_slots - 1 - i)
    if op in _UNARY:
        return Step(op, (draw(slot),))
    if op == "pow_const":
        return Step(op, (draw(slot), Const(draw(st.sampled_from(_POW_CONSTS)))))
    if op in _BINARY:
        left, right = draw(slot), draw(slot)
        if draw(st.integers(0, 3)) == 0:  # now and then a number on one side
            number = Const(draw(st.sampled_from(_CONSTANTS)))
            if op == "leaky_relu" or draw(st.booleans()):
                right = number  # x.leaky_relu(0.5) takes its slope on the right
            else:
                left = number
        return Step(op, (left, right))
    if op in _TERNARY:
        return Step(op, (draw(slot), draw(slot), draw(slot)))
    n = draw(st.integers(1, 3))
    if op == "sum":
        return Step(op, tuple(draw(slot) for _ in range(n)))
    width = 2 * n + (op == "linear")
    return Step(op, tuple(draw(slot) for _ in range(width)))


@st.composite
def programs(
    draw: st.DrawFn,
    n_inputs: int | st.SearchStrategy[int] | None = None,
    max_steps: int = 8,
    ops: Sequence[str] | None = None,
) -> Program:
    """A random straight-line program over ``ops`` (default: every op in the table).

    ``n_inputs`` is a number or a strategy (default: 1 to 3 inputs); ``max_steps``
    bounds the number of steps (at least one).

    Each step reads earlier slots, often the same one twice and often one already
    read by another step, so the graph is a DAG with shared nodes. It shrinks towards
    fewer inputs, fewer steps and earlier ops in ``ops``.
    """
    chosen = tuple(sorted(autograd.ops.OPS) if ops is None else ops)
    unknown = set(chosen) - set(autograd.ops.OPS)
    if unknown:
        raise ValueError(f"programs: unknown ops {sorted(unknown)}")
    if n_inputs is None:
        n = draw(st.integers(1, 3))
    elif isinstance(n_inputs, int):
        n = n_inputs
    else:
        n = draw(n_inputs)
    n_steps = draw(st.integers(1, max_steps))
    steps = tuple(draw(_step(n + k, chosen)) for k in range(n_steps))
    return Program(n, steps)


class _Rejected(Exception):
    """A point where a program is badly conditioned or near a kink."""


class _CheckingFloatLib:
    """FLOAT_LIB that rejects large intermediates and kink arguments near 0."""

    def __init__(self, bound: float, kink_margin: float) -> None:
        self.bound = bound
        self.kink_margin = kink_margin

    def __getattr__(self, name: str) -> Callable[..., float]:
        function = getattr(FLOAT_LIB, name)

        def checked(*args: float) -> float:
            if name in KINK_OPS and abs(args[0]) < self.kink_margin:
                raise _Rejected(f"{name} at {args[0]!r}")
            out = function(*args)
            if not abs(out) <= self.bound:
                raise _Rejected(f"{name} gave {out!r}")
            return out

        return checked


def evaluates_safely(
    program: Program,
    inputs: Sequence[float],
    bound: float = 100.0,
    kink_margin: float = 1e-2,
) -> bool:
    """Whether ``program`` at ``inputs`` stays within ``bound`` and away from kinks.

    Every intermediate (guards included) must satisfy |v| <= bound, and every
    relu/abs/leaky_relu argument |v| >= kink_margin, so that central differences
    (step ~6e-6) are well conditioned and never step across a kink.
    """
    lib = _CheckingFloatLib(bound, kink_margin)
    try:
        run(program, inputs, lib)
    except (_Rejected, ArithmeticError, ValueError):
        return False
    return True


@st.composite
def programs_with_inputs(
    draw: st.DrawFn,
    program_strategy: st.SearchStrategy[Program] | None = None,
    inputs: st.SearchStrategy[float] | None = None,
) -> tuple[Program, tuple[float, ...]]:
    """A program and a point where it evaluates safely (see ``evaluates_safely``).

    ``program_strategy`` defaults to ``programs()`` and ``inputs`` to floats in
    [-2, 2]. Badly conditioned points are rejected with ``assume``.
    """
    program = draw(_DEFAULT_PROGRAMS if program_strategy is None else program_strategy)
    element = finite_floats(-2.0, 2.0) if inputs is None else inputs
    point = draw(st.tuples(*[element] * program.n_inputs))
    assume(evaluates_safely(program, point))
    return program, point


_DEFAULT_PROGRAMS = programs()


# ---------------------------------------------------------------------------------
# Probes: the numbers every generated reading of the table is checked on, bit for bit.

PROBE_NUMBERS = (
    -2.5,
    -1.0,
    -0.0,
    0.0,
    0.5,
    1.0,
    3.0,
    7.25,
    40.0,
    710.0,
    -745.0,
    1e-300,
    5e-324,
    1e300,
    math.inf,
    -math.inf,
    math.nan,
)
"""Negative, zero, -0.0, positive, tiny, huge, past exp's range, infinite, NaN."""


def probes(name: str) -> list[tuple[float, ...]]:
    """Inputs for op ``name`` from ``PROBE_NUMBERS``: every pair for a binary op,
    a spread of triples for a ternary one, lengths 0 to 3 for an n-ary one."""
    arity = autograd.ops.OPS[name].arity
    numbers = PROBE_NUMBERS
    if arity == 1:
        return [(x,) for x in numbers]
    if arity == 2:
        return [(x, y) for x in numbers for y in numbers]
    if arity == 3:
        return [(c, a, b) for c in numbers for a in numbers[::3] for b in numbers[1::4]]
    shape = autograd.ops.OPS[name].nary
    assert shape is not None
    rng = random.Random(name)
    cases = []
    for n in range(4):
        for _ in range(12):
            width = shape.groups * n + shape.tail
            cases.append(tuple(rng.choice(numbers) for _ in range(width)))
    return cases


def same_float(a: float, b: float) -> bool:
    """Equal bit for bit, NaN payloads aside: NaN where NaN, -0.0 apart from 0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
