"""The formula sheet: every op's forward, its domain and its local partial derivatives.

Contract
--------
Each entry of ``OPS`` declares one op, once. Every formula in it is a function of the
op's inputs and of a function library ``m``, written with ``+``, ``-``, ``*``, unary
``-`` and ``m.*`` functions only: no ``/`` or ``**`` (``m.div``, ``m.pow``), and no
``if`` on a number (``m.select``). That is what lets one formula be read four ways,
by passing another ``m``:

* with floats (``FLOAT_MATH``): the numbers of the forward pass and of the ordinary
  backward pass;
* with Values (``autograd.value.VALUE_MATH``): the graph of a derivative, which can be
  differentiated again (``backward(create_graph=True)``);
* with symbols (``autograd.expr``): code, generated once from the formula: the eager
  engine's float kernels, and the tape's Python and C (``autograd.Tape``);
* with tangents, through the partials (``autograd.jvp``).

An entry has:

* ``forward(xs, m)``: the output from the input numbers ``xs``. It is **total**:
  outside the op's domain it gives what IEEE arithmetic gives (``inf``, ``nan``) and
  never raises. ``m`` here is a library of numerical primitives (below).
* ``domain``: the errors the op raises when a user's program calls it: ``Domain(fails,
  error, message)``, where ``fails(xs, out, m)`` is a condition (built with
  comparisons, ``&``, ``|`` and ``m.isinf``-style predicates) and ``message`` a
  ``str.format`` template over the inputs (``{0!r}``, ``{1!r}``). Conditions are
  checked in order; one that reads ``out`` is checked after the forward.
* ``partials(xs, out, m)``: the local partials d(out)/d(xs[i]), one per input, in
  input order. ``out`` is the output. Here ``m`` offers every op of this table by
  name (``m.log(x)``, ``m.sigmoid(x)``, total, as the forwards are) and
  ``m.select``, so that with Values the partials are themselves graph nodes.
  The backward pass (``backward.py``) multiplies each partial by the upstream
  gradient and accumulates: the chain rule is written there, not here.
* ``nary``: for an op with any number of inputs, its shape (see ``NAry``): inputs in
  groups of equal length (``(*w, *x)`` for ``dot``) and a tail (``linear``'s bias);
  the output is ``m.sum(start(tail), [term(e) for e in zip(*groups)])``; the partials
  come element by element. ``forward`` and ``partials`` are derived from it.

The library ``m`` for forwards has: ``div``, ``pow``, ``exp``, ``log``, ``log1p``,
``sqrt``, ``tanh``, ``sin``, ``cos``, ``abs``, ``select``, ``sum``, and the predicates
``isinf``, ``isnan``, ``isfinite``, ``is_fraction`` (finite, not an integer) for
domains. All are total.
``select(c, a, b)`` is ``a`` if ``c > 0``, ``b`` if ``c <= 0`` and NaN if ``c`` is
NaN: the one way a formula branches, and the convention for kinks below.
``sum(start, terms)`` adds the terms to ``start`` from left to right exactly as
Python's built-in ``sum()`` adds floats (one by one up to Python 3.11, with Neumaier's
compensation from 3.12 on), so a fused op gives the same bits as the loop it replaces.

Conventions: at a kink the partial is the one-sided value on the flat side, so
relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope; at a NaN input a kinked op's
partials are NaN (no branch is right). Where a partial is singular (sqrt at 0) it is
``inf`` or NaN, never an exception, so a backward pass always completes; anomaly
mode reports it. ``x ** 0`` is the constant 1: d/dx x ** y is 0 wherever y = 0 (NaN
at x = NaN), for a number and a Value exponent alike (``pow_const`` and ``pow``
share that rule); a number exponent is a constant, whose partial is 0. Rules are
smooth wherever their op is: ``abs`` and ``select`` appear in a smooth function's
partial only to choose between forms of the same function (the ranges of ``pow``'s
rule), so that derivatives of every order are exact there. A branch not taken must
not turn a derivative of the rule into NaN: its inputs are chosen (with ``select``)
so that its own partials are finite where it is not taken, and conditions are linear
in the numbers they test, whose partials are then finite too (a select passes
upstream * 0 to its condition, NaN when that partial is infinite).

This module imports nothing of ours, so it can be read on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

__all__ = ["COMPENSATED_SUM", "FLOAT_MATH", "OPS", "PRIMITIVES", "Domain", "NAry", "Op"]

EXP_MAX = math.log(2.0**1023 * (2.0 - 2.0**-52))  # 709.78...: exp(x) overflows past it
_INF = math.inf
_MAX = 1.7976931348623157e308  # the largest float: _MAX - 0.5 * |x| > 0 iff x is finite
_TINY = 2.2250738585072014e-308  # the smallest normal float
_EXACT_INTEGERS = 2.0**53  # below it, y - 1 rounds by less than an ulp of 1
_NAN = math.nan

COMPENSATED_SUM = sum([1e16, 1.0, -1e16], 0.0) == 1.0
"""Whether this Python's ``sum()`` of floats is compensated (3.12 and later)."""


class Domain(NamedTuple):
    """An error the op raises when ``fails(xs, out, m)`` holds (see the contract)."""

    fails: Callable[[Sequence[Any], Any, Any], Any]
    error: type[Exception]
    message: str


class NAry(NamedTuple):
    """The shape of an n-ary op: ``groups`` input groups of equal length, a tail.

    Inputs are ``(*group_0, ..., *group_{g-1}, *tail)``; the output is
    ``m.sum(start(tail, m), [term(e, m) for e in zip(*groups)])``; the partial for
    the j-th input of element e is ``term_partials(e, m)[j]``, for the tail
    ``start_partials(tail, m)``.
    """

    groups: int
    tail: int
    term: Callable[[Sequence[Any], Any], Any]
    start: Callable[[Sequence[Any], Any], Any]
    term_partials: Callable[[Sequence[Any], Any], Sequence[Any]]
    start_partials: Callable[[Sequence[Any], Any], Sequence[Any]]

    def split(self, xs: Sequence[Any]) -> tuple[list[Sequence[Any]], Sequence[Any]]:
        """``xs`` as its groups and its tail."""
        n = (len(xs) - self.tail) // self.groups
        groups = [xs[g * n : (g + 1) * n] for g in range(self.groups)]
        return groups, xs[self.groups * n :]


class Op(NamedTuple):
    """One entry of the table (see the contract at the top of this module)."""

    name: str
    arity: int | None  # None: any number of inputs (see nary)
    forward: Callable[[Sequence[Any], Any], Any]
    partials: Callable[[Sequence[Any], Any, Any], Sequence[Any]]
    domain: tuple[Domain, ...]
    doc: str
    nary: NAry | None = None


# ---------------------------------------------------------------------------------
# The float library: total versions of the primitives, as C's libm computes them.


def _div(x: float, y: float) -> float:
    if y:
        return x / y
    if x == 0.0 or x != x:  # 0/0 and nan/0
        return _NAN
    return math.copysign(_INF, x) * math.copysign(1.0, y)


def _pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except ValueError:  # a zero to a negative power, or a negative base to a fraction
        if x != 0.0:
            return _NAN
        odd = y.is_integer() and y % 2.0 == 1.0
        return math.copysign(_INF, x) if odd else _INF
    except OverflowError:
        negative = x < 0.0 and y.is_integer() and y % 2.0 == 1.0
        return -_INF if negative else _INF


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -_INF if x == 0.0 else _NAN


def _log1p(x: float) -> float:
    if x > -1.0:
        return math.log1p(x)
    return -_INF if x == -1.0 else _NAN


def _sqrt(x: float) -> float:
    return math.sqrt(x) if not x < 0.0 else _NAN


def _periodic(fn: Callable[[float], float]) -> Callable[[float], float]:
    def total(x: float) -> float:
        return fn(x) if x - x == 0.0 else _NAN  # inf - inf and nan - nan are NaN

    total.__name__ = fn.__name__
    return total


def _select(c: float, a: Any, b: Any) -> Any:
    return a if c > 0.0 else b if c <= 0.0 else _NAN


def _is_fraction(y: float) -> bool:
    return math.isfinite(y) and not y.is_integer()


def _sum(start: float, terms: Any) -> float:
    return sum(terms, start)


class _FloatMath:
    """The library of the float readings: primitives, and every op's total forward."""

    div = staticmethod(_div)
    pow = staticmethod(_pow)
    exp = staticmethod(_exp)
    log = staticmethod(_log)
    log1p = staticmethod(_log1p)
    sqrt = staticmethod(_sqrt)
    tanh = staticmethod(math.tanh)
    sin = staticmethod(_periodic(math.sin))
    cos = staticmethod(_periodic(math.cos))
    abs = staticmethod(abs)
    select = staticmethod(_select)
    sum = staticmethod(_sum)
    isinf = staticmethod(math.isinf)
    isnan = staticmethod(math.isnan)
    isfinite = staticmethod(math.isfinite)
    is_fraction = staticmethod(_is_fraction)


PRIMITIVES = frozenset(name for name in vars(_FloatMath) if not name.startswith("_"))
"""The names of ``FLOAT_MATH``'s primitives (the rest of it are the table's ops)."""

FLOAT_MATH: Any = _FloatMath()
"""The float library ``m``; every op of ``OPS`` is also in it, by name (total)."""


# ---------------------------------------------------------------------------------
# The table.


def _unary(
    name: str,
    forward: Callable[[Any, Any], Any],
    partial: Callable[[Any, Any, Any], Any],
    doc: str,
    domain: Sequence[Domain] = (),
) -> Op:
    """An op of one input: ``forward(x, m)``, ``partial(x, out, m)``."""
    return Op(
        name,
        1,
        lambda xs, m: forward(xs[0], m),
        lambda xs, out, m: (partial(xs[0], out, m),),
        tuple(domain),
        doc,
    )


def _nary(name: str, shape: NAry, doc: str) -> Op:
    """An n-ary op, its forward and partials derived from its shape."""

    def forward(xs: Sequence[Any], m: Any) -> Any:
        groups, tail = shape.split(xs)
        terms = [shape.term(e, m) for e in zip(*groups)]
        return m.sum(shape.start(tail, m), terms)

    def partials(xs: Sequence[Any], out: Any, m: Any) -> list[Any]:
        groups, tail = shape.split(xs)
        by_element = [shape.term_partials(e, m) for e in zip(*groups)]
        result = [p[g] for g in range(shape.groups) for p in by_element]
        return result + list(shape.start_partials(tail, m))

    return Op(name, None, forward, partials, (), doc, shape)


def _power_dx(x: Any, y: Any, m: Any) -> Any:
    """d/dx x**y = y x**(y-1); at y = 0 it is 0 for every number x, as x**0 = 1.

    Read plainly, y * m.pow(x, y - 1) loses digits in two ways: ``y - 1`` rounds
    where |y| < 0.5 (and past 2**53), and x**(y-1) carries that error times log x,
    hundreds of ulps where |log x| is large; and x**(y-1) may overflow or underflow
    where y x**(y-1) is still a normal float. So for 0 < x < inf:

    * d = fl(y - 1) and e = (y - 1) - d exactly (Knuth's two-sum, + and - only);
      x**(y-1) = x**d * x**e, where x**e = 1 + e log x is correctly rounded by pow.
      Where y - 1 is exact (0.5 <= y <= 2**53, every integer) e = 0 and the factor
      is left out. e does not depend on y (de/dy = 0 in every reading), so the
      rule's own derivatives stay those of y x**(y-1).
    * Where x**d is not a normal float, y x**d is ((y * q) * q) with q = x**(d/2),
      whose partial products stay in range whenever the result does.

    Elsewhere (x <= 0, whose y is an integer or the result NaN; x = inf; NaN)
    y * x**d gives the limits and the signs. At y = 0 the derivative is y / x: 0
    for every x, but with the mixed derivative d/dy (d/dx x**y) = 1/x.

    A branch not taken reads 1.0 as its base or exponent where its own partials
    could be infinite (the "double where"), and every condition is linear in a
    number the rule has (x, |y|, |x**d|): a derivative of the rule, reverse or
    forward, meets no 0 * inf from a branch not taken or from a condition, except
    where a derivative is itself infinite (there it may be NaN rather than +-inf).
    """
    d = y - 1.0
    b = d - y
    e = (y - (d - b)) + (-1.0 - b)
    x_finite = _MAX - 0.5 * x  # > 0 unless x = +inf

    def where_positive(a: Any, other: Any) -> Any:
        """``a`` where 0 < x < inf, else ``other`` (conditions linear in x)."""
        return m.select(x, m.select(x_finite, a, other), other)

    size_y = m.abs(y)
    exponent = m.select(size_y, d, 1.0)  # d, and 1 where the branch y = 0 is taken
    base = where_positive(x, 1.0)
    p = m.pow(base, exponent)
    size_p = m.abs(p)
    half = m.pow(base, 0.5 * exponent)
    split = (y * half) * half
    # y * p where p is a normal float, else the split form
    scaled = m.select(
        size_p - _TINY, m.select(_MAX - 0.5 * size_p, y * p, split), split
    )
    y_finite = _MAX - 0.5 * size_y
    # e is tiny where |y| < 2**53; past it y - 1 is an integer that rounds by 1, 2,
    # ..., and x**(y-1) is a normal float only within ~1e-13 of x = 1: keep the
    # correction there (and never for an infinite y, whose e is NaN), so that its
    # partials stay finite.
    near_one = m.select(2.0**-20 - m.abs(x - 1.0), m.select(y_finite, e, 0.0), 0.0)
    small = m.select(_EXACT_INTEGERS - size_y, e, near_one)
    correction = m.select(m.abs(small), m.pow(base, small), 1.0)
    power = where_positive(scaled * correction, y * m.pow(x, exponent))
    # y / x = y * x**(y-1) at y = 0: 0, with d/dy = 1/x; its divisor is 1.0 where
    # the branch is not taken (y != 0, or x = 0)
    size_x = m.abs(x)
    at_zero = m.select(
        size_x, m.div(y, m.select(size_y, 1.0, m.select(size_x, x, 1.0))), 0.0
    )
    return m.select(size_y, power, at_zero)


def _tanh_partial(x: Any, out: Any, m: Any) -> Any:
    # sech(x)**2 with sech(x) = 2 / (e**x + e**-x): a few ulps over the whole range,
    # where 1 - tanh(x)**2 loses every digit past |x| ~ 12, and smooth, so that
    # derivatives of every order come out right.
    sech = m.div(2.0, m.exp(x) + m.exp(-x))
    return sech * sech


_POW_DOMAIN = (
    Domain(
        lambda xs, out, m: (xs[0] == 0.0) & (xs[1] < 0.0),
        ZeroDivisionError,
        "pow: zero to a negative power ({0!r} ** {1!r})",
    ),
    Domain(
        lambda xs, out, m: (xs[0] < 0.0) & m.is_fraction(xs[1]),
        ValueError,
        "pow: negative base with a non-integer exponent ({0!r} ** {1!r}) has no "
        "real value",
    ),
    Domain(
        lambda xs, out, m: m.isinf(out) & m.isfinite(xs[0]) & m.isfinite(xs[1]),
        OverflowError,
        "pow: {0!r} ** {1!r} is too large for a float",
    ),
)


def _periodic_domain(name: str) -> tuple[Domain]:
    return (
        Domain(
            lambda xs, out, m: m.isinf(xs[0]),
            ValueError,
            name + ": x must be finite, got {0!r}",
        ),
    )


_TABLE = [
    Op(
        "add",
        2,
        lambda xs, m: xs[0] + xs[1],
        lambda xs, out, m: (1.0, 1.0),
        (),
        "x + y",
    ),
    Op(
        "sub",
        2,
        lambda xs, m: xs[0] - xs[1],
        lambda xs, out, m: (1.0, -1.0),
        (),
        "x - y",
    ),
    Op(
        "mul",
        2,
        lambda xs, m: xs[0] * xs[1],
        lambda xs, out, m: (xs[1], xs[0]),
        (),
        "x * y",
    ),
    Op(
        "div",
        2,
        lambda xs, m: m.div(xs[0], xs[1]),
        lambda xs, out, m: (m.div(1.0, xs[1]), m.div(-out, xs[1])),
        (
            Domain(
                lambda xs, out, m: xs[1] == 0.0,
                ZeroDivisionError,
                "div: division by zero ({0!r} / {1!r})",
            ),
        ),
        "x / y",
    ),
    _unary("neg", lambda x, m: -x, lambda x, out, m: -1.0, "-x"),
    Op(
        "pow",
        2,
        lambda xs, m: m.pow(xs[0], xs[1]),
        lambda xs, out, m: (
            _power_dx(xs[0], xs[1], m),
            # d/dy x**y = x**y log x; at x = 0 the limit 0 (PyTorch's convention)
            m.select(m.abs(xs[0]), out * m.log(xs[0]), 0.0),
        ),
        _POW_DOMAIN,
        "x ** y, y a Value: d/dy = x**y log x",
    ),
    Op(
        "pow_const",
        2,
        lambda xs, m: m.pow(xs[0], xs[1]),
        lambda xs, out, m: (_power_dx(xs[0], xs[1], m), 0.0),
        _POW_DOMAIN,
        "x ** c, c a number (a constant, whose partial is 0)",
    ),
    _unary(
        "exp",
        lambda x, m: m.exp(x),
        lambda x, out, m: out,
        "e ** x",
        (
            Domain(
                lambda xs, out, m: xs[0] > EXP_MAX,
                OverflowError,
                "exp: exp({0!r}) is too large for a float "
                f"(x must be <= {EXP_MAX:.2f})",
            ),
        ),
    ),
    _unary(
        "log",
        lambda x, m: m.log(x),
        lambda x, out, m: m.div(1.0, x),
        "natural log, x > 0",
        (
            Domain(
                lambda xs, out, m: xs[0] <= 0.0,
                ValueError,
                "log: x must be > 0, got {0!r}",
            ),
        ),
    ),
    _unary(
        "sqrt",
        lambda x, m: m.sqrt(x),
        lambda x, out, m: m.div(0.5, out),
        "x ** 0.5, x >= 0",
        (
            Domain(
                lambda xs, out, m: xs[0] < 0.0,
                ValueError,
                "sqrt: x must be >= 0, got {0!r}",
            ),
        ),
    ),
    _unary("tanh", lambda x, m: m.tanh(x), _tanh_partial, "tanh x"),
    _unary(
        "sigmoid",
        # Two forms so that exp never overflows: 1 / (1 + e**-x) = e**x / (1 + e**x).
        lambda x, m: m.select(
            x, m.div(1.0, 1.0 + m.exp(-x)), m.div(m.exp(x), 1.0 + m.exp(x))
        ),
        # s(x) (1 - s(x)) = s(x) s(-x): keeps its digits in the tails, where
        # 1 - s(x) is 0 (x > 37).
        lambda x, out, m: out * m.sigmoid(-x),
        "1 / (1 + e**-x)",
    ),
    _unary(
        "softplus",
        # log(1 + e**x) = max(x, 0) + log1p(e**-|x|): exact for large |x|.
        lambda x, m: m.select(x, x, 0.0) + m.log1p(m.exp(-m.abs(x))),
        lambda x, out, m: m.sigmoid(x),
        "log(1 + e**x)",
    ),
    _unary(
        "relu",
        lambda x, m: m.select(x, x, 0.0),
        lambda x, out, m: m.select(x, 1.0, 0.0),
        "max(x, 0); relu'(0) = 0",
    ),
    Op(
        "leaky_relu",
        2,
        lambda xs, m: m.select(xs[0], xs[0], xs[1] * xs[0]),
        lambda xs, out, m: (
            m.select(xs[0], 1.0, xs[1]),
            m.select(xs[0], 0.0, xs[0]),
        ),
        (),
        "x if x > 0 else slope * x; inputs (x, slope)",
    ),
    _unary(
        "abs",
        lambda x, m: m.abs(x),
        lambda x, out, m: m.select(x, 1.0, m.select(-x, -1.0, 0.0)),
        "|x|; abs'(0) = 0",
    ),
    _unary(
        "sin",
        lambda x, m: m.sin(x),
        lambda x, out, m: m.cos(x),
        "sin x (radians)",
        _periodic_domain("sin"),
    ),
    _unary(
        "cos",
        lambda x, m: m.cos(x),
        lambda x, out, m: -m.sin(x),
        "cos x (radians)",
        _periodic_domain("cos"),
    ),
    Op(
        "select",
        3,
        lambda xs, m: m.select(xs[0], xs[1], xs[2]),
        lambda xs, out, m: (
            m.select(xs[0], 0.0, 0.0),  # flat in c: 0, NaN at NaN
            m.select(xs[0], 1.0, 0.0),
            m.select(xs[0], 0.0, 1.0),
        ),
        (),
        "a if c > 0 else b (NaN if c is NaN); inputs (c, a, b): a rule's branch",
    ),
    _nary(
        "sum",
        NAry(
            groups=1,
            tail=0,
            term=lambda e, m: e[0],
            start=lambda tail, m: 0.0,
            term_partials=lambda e, m: (1.0,),
            start_partials=lambda tail, m: (),
        ),
        "x1 + ... + xn (fused)",
    ),
    _nary(
        "dot",
        NAry(
            groups=2,
            tail=0,
            term=lambda e, m: e[0] * e[1],
            start=lambda tail, m: 0.0,
            term_partials=lambda e, m: (e[1], e[0]),
            start_partials=lambda tail, m: (),
        ),
        "w1*x1 + ... + wn*xn; inputs (*w, *x)",
    ),
    _nary(
        "linear",
        NAry(
            groups=2,
            tail=1,
            term=lambda e, m: e[0] * e[1],
            start=lambda tail, m: tail[0],
            term_partials=lambda e, m: (e[1], e[0]),
            start_partials=lambda tail, m: (1.0,),
        ),
        "w1*x1 + ... + wn*xn + b; inputs (*w, *x, b)",
    ),
]

OPS: dict[str, Op] = {op.name: op for op in _TABLE}


def _total_forward(op: Op) -> Callable[..., float]:
    def total(*xs: float) -> float:
        return op.forward(xs, FLOAT_MATH)

    total.__name__ = op.name
    return total


for _op in _TABLE:  # every op in the float library by name (rules call m.sigmoid)
    if not hasattr(_FloatMath, _op.name):
        setattr(_FloatMath, _op.name, staticmethod(_total_forward(_op)))
