"""The formula sheet: every op's forward and its local partial derivatives.

Contract
--------
Each entry of ``OPS`` declares one op, once:

* ``forward(*xs)`` takes the input values as Python floats and returns the output as a
  float. It raises a clear error (naming the op and the offending value) outside the
  op's domain: ``ValueError`` for a domain error, ``ZeroDivisionError`` for a division
  by zero, ``OverflowError`` when the result does not fit in a float.
* ``partials(xs, out, m)`` returns the local partials d(out)/d(xs[i]), one per input,
  in input order. ``xs`` are the inputs and ``out`` the output, and ``m`` is the
  function library to compute with. In an ordinary backward pass they are floats and
  ``m`` is ``FLOAT_MATH``; in a differentiable one (``create_graph=True``) they are the
  graph's own Values and ``m`` calls Value methods, so the very same rule builds the
  graph of the derivative. A rule therefore uses only arithmetic, ``m.*`` functions,
  and ``m.data(x)`` where it needs the number itself (to pick a branch).
* ``arity`` is the number of inputs, or ``None`` for an n-ary op.

The backward pass (``backward.py``) multiplies each partial by the upstream gradient
and accumulates into the inputs: the chain rule is written there. Forward mode
(``forward.py``) applies the same partials the other way round, pushing tangents from
the inputs to the output. Neither holds a derivative of its own.

Conventions: at a kink the partial is the one-sided value on the flat side, so
relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope; at a NaN input they are NaN (no
branch is right, and relu(nan) is nan). Where a partial is infinite (the derivative
of sqrt at 0) the float pass gives ``inf`` rather than raising, so the backward pass
never dies half-way; anomaly mode reports it. Constant exponents (``x ** 3``) are
constants: the ``pow_const`` rule gives them a zero partial, as PyTorch does for a
Python number, and d/dx x ** 0 = 0 everywhere.

This module imports nothing of ours, so it can be read on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import mul as _mul  # a C function: faster than float.__mul__
from typing import Any, NamedTuple

__all__ = ["FLOAT_MATH", "OPS", "Op", "weighted_sum"]

_EXP_MAX = math.log(2.0**1023 * (2.0 - 2.0**-52))  # 709.78...: exp(x) overflows past it


class Op(NamedTuple):
    """One entry of the table: an op's name, arity, forward and local partials."""

    name: str
    arity: int | None
    forward: Callable[..., float]
    partials: Callable[[Sequence[Any], Any, Any], Sequence[Any]]
    doc: str


# ---------------------------------------------------------------------------------
# Forward functions on floats, with errors that name the op and the value.


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({x!r} / {y!r})")
    return x / y


def _pow(x: float, y: float) -> float:
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"pow: zero to a negative power ({x!r} ** {y!r})")
    if x < 0.0 and math.isfinite(y) and not y.is_integer():
        raise ValueError(
            f"pow: negative base with a non-integer exponent ({x!r} ** {y!r}) "
            "has no real value"
        )
    try:
        return math.pow(x, y)
    except OverflowError:
        raise OverflowError(f"pow: {x!r} ** {y!r} is too large for a float") from None


def _exp(x: float) -> float:
    if x > _EXP_MAX:
        raise OverflowError(
            f"exp: exp({x!r}) is too large for a float (x must be <= {_EXP_MAX:.2f})"
        )
    return math.exp(x)


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: x must be > 0, got {x!r}")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt: x must be >= 0, got {x!r}")
    return math.sqrt(x)


def _periodic(name: str, fn: Callable[[float], float]) -> Callable[[float], float]:
    def forward(x: float) -> float:
        if math.isinf(x):
            raise ValueError(f"{name}: x must be finite, got {x!r}")
        return fn(x)

    forward.__name__ = name
    return forward


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: 1 / (1 + e^-x) = e^x / (1 + e^x).
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exact for large |x|, never overflows.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _relu(x: float) -> float:
    # "not x <= 0" rather than "x > 0": NaN passes through (relu(nan) is nan, not 0).
    return x if not x <= 0.0 else 0.0


def _leaky_relu(x: float, slope: float) -> float:
    return x if x > 0.0 else slope * x


def _dot(*xs: float) -> float:
    n = len(xs) // 2
    return sum(map(_mul, xs[:n], xs[n:]), 0.0)


def weighted_sum(
    weights: Sequence[float], inputs: Sequence[float], bias: float
) -> float:
    """w1*x1 + ... + wn*xn + b on floats: ``linear``'s forward with its inputs apart.

    ``OPS["linear"].forward(*w, *x, b)`` is ``weighted_sum(w, x, b)``; value.py calls
    this form to skip packing the numbers into one argument list and slicing it again.
    """
    return sum(map(_mul, weights, inputs), bias)


def _linear(*xs: float) -> float:
    n = len(xs) // 2
    return weighted_sum(xs[:n], xs[n : 2 * n], xs[-1])


def _sum(*xs: float) -> float:
    return sum(xs, 0.0)


# ---------------------------------------------------------------------------------
# The function library used by the rules in an ordinary (float) backward pass. Where a
# partial is singular it returns IEEE inf/nan instead of raising, so a backward pass
# always completes; the Value library (value.py) has the same names.


class _FloatMath:
    """Float versions of the functions that partial rules call."""

    exp = staticmethod(math.exp)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    sigmoid = staticmethod(_sigmoid)

    @staticmethod
    def data(x: float) -> float:
        return x

    @staticmethod
    def log(x: float) -> float:
        if x > 0.0:
            return math.log(x)
        return -math.inf if x == 0.0 else math.nan

    @staticmethod
    def pow(x: float, y: float) -> float:
        try:
            return math.pow(x, y)
        except ZeroDivisionError:  # pragma: no cover - math.pow raises ValueError
            return math.inf
        except ValueError:
            return math.inf if x == 0.0 else math.nan
        except OverflowError:
            return math.inf

    @staticmethod
    def div(x: float, y: float) -> float:
        if y != 0.0:
            return x / y
        if x == 0.0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)


FLOAT_MATH = _FloatMath()


# ---------------------------------------------------------------------------------
# Local partials. xs are the inputs, out the output, m the function library.


def _pow_partials(xs: Sequence[Any], out: Any, m: Any) -> tuple[Any, Any]:
    x, y = xs
    # d/dy x^y = x^y log x; at x = 0 the limit is 0 (PyTorch's convention).
    d_exponent = 0.0 if m.data(x) == 0.0 else out * m.log(x)
    return (y * m.pow(x, y - 1.0), d_exponent)


def _pow_const_partials(xs: Sequence[Any], out: Any, m: Any) -> tuple[Any, float]:
    x, y = xs
    c = m.data(y)  # the exponent is a constant: the derivative uses its number
    if c == 0.0:  # x ** 0 is the constant 1 (also at x = 0, inf, nan): 0 * inf is nan
        return (0.0, 0.0)
    return (c * m.pow(x, c - 1.0), 0.0)


def _dot_partials(xs: Sequence[Any], out: Any, m: Any) -> list[Any]:
    # d/dw_i = x_i and d/dx_i = w_i: the two halves swap places.
    n = len(xs) // 2
    return [*xs[n:], *xs[:n]]


def _linear_partials(xs: Sequence[Any], out: Any, m: Any) -> list[Any]:
    n = len(xs) // 2
    return [*xs[n : 2 * n], *xs[:n], 1.0]


def _relu_partials(xs: Sequence[Any], out: Any, m: Any) -> tuple[float]:
    x = m.data(xs[0])
    return (1.0 if x > 0.0 else 0.0 if x <= 0.0 else math.nan,)  # NaN at NaN


def _abs_partials(xs: Sequence[Any], out: Any, m: Any) -> tuple[float]:
    x = m.data(xs[0])
    return (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 if x == 0.0 else math.nan,)


def _leaky_relu_partials(xs: Sequence[Any], out: Any, m: Any) -> tuple[Any, Any]:
    x, slope = xs
    if m.data(x) > 0.0:
        return (1.0, 0.0)
    if m.data(x) <= 0.0:
        return (slope, x)
    return (math.nan, math.nan)  # x is NaN: no branch is right


_TABLE = [
    Op("add", 2, float.__add__, lambda xs, out, m: (1.0, 1.0), "x + y"),
    Op("sub", 2, float.__sub__, lambda xs, out, m: (1.0, -1.0), "x - y"),
    Op("mul", 2, float.__mul__, lambda xs, out, m: (xs[1], xs[0]), "x * y"),
    Op("div", 2, _div, lambda xs, out, m: (1.0 / xs[1], -out / xs[1]), "x / y"),
    Op("neg", 1, float.__neg__, lambda xs, out, m: (-1.0,), "-x"),
    Op("pow", 2, _pow, _pow_partials, "x ** y, y a Value: d/dy = x**y log x"),
    Op("pow_const", 2, _pow, _pow_const_partials, "x ** c, c a number (constant)"),
    Op("exp", 1, _exp, lambda xs, out, m: (out,), "e ** x"),
    Op("log", 1, _log, lambda xs, out, m: (1.0 / xs[0],), "natural log, x > 0"),
    Op("sqrt", 1, _sqrt, lambda xs, out, m: (m.div(0.5, out),), "x ** 0.5, x >= 0"),
    Op("tanh", 1, math.tanh, lambda xs, out, m: (1.0 - out * out,), "tanh x"),
    Op(
        "sigmoid",
        1,
        _sigmoid,
        lambda xs, out, m: (out * (1.0 - out),),
        "1 / (1 + e**-x)",
    ),
    Op(
        "softplus",
        1,
        _softplus,
        lambda xs, out, m: (m.sigmoid(xs[0]),),
        "log(1 + e**x)",
    ),
    Op(
        "relu",
        1,
        _relu,
        _relu_partials,
        "max(x, 0); relu'(0) = 0",
    ),
    Op("leaky_relu", 2, _leaky_relu, _leaky_relu_partials, "x if x > 0 else slope*x"),
    Op("abs", 1, abs, _abs_partials, "|x|; abs'(0) = 0"),
    Op("sin", 1, _periodic("sin", math.sin), lambda xs, out, m: (m.cos(xs[0]),), "sin"),
    Op(
        "cos",
        1,
        _periodic("cos", math.cos),
        lambda xs, out, m: (-m.sin(xs[0]),),
        "cos",
    ),
    Op(
        "sum",
        None,
        _sum,
        lambda xs, out, m: [1.0] * len(xs),
        "x1 + ... + xn (fused)",
    ),
    Op("dot", None, _dot, _dot_partials, "w1*x1 + ... + wn*xn; inputs (*w, *x)"),
    Op(
        "linear",
        None,
        _linear,
        _linear_partials,
        "w1*x1 + ... + wn*xn + b; inputs (*w, *x, b)",
    ),
]

OPS: dict[str, Op] = {op.name: op for op in _TABLE}
