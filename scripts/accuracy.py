"""How accurate is each op's float partial? Its error in ulps, against mpmath.

For every op of ``autograd.ops.OPS``, the float partials the backward pass uses
(``autograd.kernels.PARTIALS``, given the engine's own forward value ``out``) are
compared with the exact derivative, computed by mpmath at 160 bits from the same
float inputs. The error is counted in ulps of the exact value:
``|computed - exact| / ulp(exact)``, where ``ulp(v)`` is the spacing of the floats
in ``v``'s binade. A correctly rounded result is within 0.5 ulp.

The inputs cover the whole range where the op's output and the derivative are
normal floats: every binade of the float range (both signs, several mantissas),
the neighbourhoods of the zeros of sin and cos, bases and exponents of ``x ** y``
that put y x**(y-1) anywhere in the range (where y - 1 rounds, |y| < 0.5, and where
x**(y-1) alone would overflow or underflow), and random points. Inputs where the
output or the exact derivative is not a normal float (zero, subnormal, inf, NaN)
are left out; an exact derivative of 0 (relu's flat side) must come out 0.

For the ops whose rule is not the textbook formula (tanh' = 1 - tanh**2, sigmoid'
= s (1 - s), d/dx x**y = y x**(y-1) read plainly), the textbook formula is measured
on the same inputs, for comparison.

    python scripts/accuracy.py       measure, write docs/results/accuracy.json

``tests/test_accuracy.py`` checks every op against ``BOUNDS`` on a smaller sample
and at random points.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import mpmath

from autograd import kernels
from autograd.ops import OPS

__all__ = [
    "BOUNDS",
    "EXACT",
    "Worst",
    "exact_partials",
    "float_partials",
    "main",
    "measure",
    "measure_textbook",
    "samples",
    "ulp_error",
]

PRECISION = 160  # bits: enough for every derivative here, sin of 1e308 included
TINY = sys.float_info.min  # the smallest normal float, 2.2e-308
HUGE = sys.float_info.max
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results" / "accuracy.json"

mp = mpmath.mp

# ---------------------------------------------------------------------------------
# The exact derivatives, one function per op: exact partials from float inputs.


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


def _pow_partials(x: Any, y: Any) -> tuple[Any, Any]:
    dx = mpmath.mpf(0) if y == 0 else y * mpmath.power(x, y - 1)
    if x < 0:  # x**y is not real near a negative x: no d/dy to compare
        dy = mpmath.nan
    else:
        dy = mpmath.mpf(0) if x == 0 else mpmath.power(x, y) * mpmath.log(x)
    return dx, dy


def _n_ary(name: str) -> Callable[..., tuple[Any, ...]]:
    def partials(*xs: Any) -> tuple[Any, ...]:
        if name == "sum":
            return tuple(mpmath.mpf(1) for _ in xs)
        n = (len(xs) - (name == "linear")) // 2
        ws, vs = xs[:n], xs[n : 2 * n]
        tail = (mpmath.mpf(1),) if name == "linear" else ()
        return (*vs, *ws, *tail)

    return partials


def _step(x: Any) -> Any:
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


EXACT: dict[str, Callable[..., tuple[Any, ...]]] = {
    "add": lambda x, y: (mpmath.mpf(1), mpmath.mpf(1)),
    "sub": lambda x, y: (mpmath.mpf(1), mpmath.mpf(-1)),
    "mul": lambda x, y: (y, x),
    "div": lambda x, y: (1 / y, -x / (y * y)),
    "neg": lambda x: (mpmath.mpf(-1),),
    "pow": _pow_partials,
    "pow_const": lambda x, y: (_pow_partials(x, y)[0], mpmath.mpf(0)),
    "exp": lambda x: (mpmath.exp(x),),
    "log": lambda x: (1 / x,),
    "sqrt": lambda x: (1 / (2 * mpmath.sqrt(x)),),
    "tanh": lambda x: (mpmath.sech(x) ** 2,),
    "sigmoid": lambda x: (_sigmoid(x) * _sigmoid(-x),),
    "softplus": lambda x: (_sigmoid(x),),
    "relu": lambda x: (_step(x),),
    "leaky_relu": lambda x, s: (
        mpmath.mpf(1) if x > 0 else s,
        mpmath.mpf(0) if x > 0 else x,
    ),
    "abs": lambda x: (mpmath.sign(x),),
    "sin": lambda x: (mpmath.cos(x),),
    "cos": lambda x: (-mpmath.sin(x),),
    "select": lambda c, a, b: (mpmath.mpf(0), _step(c), 1 - _step(c)),
    "sum": _n_ary("sum"),
    "dot": _n_ary("dot"),
    "linear": _n_ary("linear"),
}
"""For each op, its exact partials (mpmath numbers) at exact inputs, in input order."""

BOUNDS: dict[str, float] = {
    "add": 0.0,
    "sub": 0.0,
    "mul": 0.0,
    "div": 1.5,
    "neg": 0.0,
    "pow": 3.0,
    "pow_const": 3.0,
    "exp": 1.0,
    "log": 1.0,
    "sqrt": 1.5,
    "tanh": 4.0,
    "sigmoid": 3.5,
    "softplus": 2.0,
    "relu": 0.0,
    "leaky_relu": 0.0,
    "abs": 0.0,
    "sin": 1.0,
    "cos": 1.0,
    "select": 0.0,
    "sum": 0.0,
    "dot": 0.0,
    "linear": 0.0,
}
"""The most ulps each op's float partials may be off: the worst measured (``main``,
and the smaller sample of the tests), rounded up to a half ulp; a single call of
libm (exp, log, sin, cos) to 1 ulp, as libm documents."""


# ---------------------------------------------------------------------------------
# Errors in ulps.


def is_normal(v: float) -> bool:
    """Whether ``v`` is a normal float (finite, not zero, not subnormal)."""
    return TINY <= abs(v) <= HUGE


def ulp_error(computed: float, exact: Any) -> float:
    """|computed - exact| in ulps of ``exact``; 0 or inf for an exact zero."""
    if exact == 0:
        return 0.0 if computed == 0.0 else math.inf
    if not math.isfinite(computed):
        return math.inf
    _, exponent = mpmath.frexp(exact)  # exact = m * 2**exponent, 0.5 <= |m| < 1
    ulp = mpmath.ldexp(1, int(exponent) - 53)
    return float(abs(mpmath.mpf(computed) - exact) / ulp)


def float_partials(name: str, xs: Sequence[float]) -> tuple[float, ...]:
    """The engine's float partials of op ``name`` at ``xs`` (its forward as ``out``)."""
    op = OPS[name]
    if op.nary is not None:
        from autograd.ops import FLOAT_MATH

        out = op.forward(xs, FLOAT_MATH)
        return tuple(op.partials(xs, out, FLOAT_MATH))
    out = kernels.TOTAL[name](*xs)
    return tuple(kernels.PARTIALS[name](*xs, out))


def exact_partials(name: str, xs: Sequence[float]) -> tuple[Any, ...] | None:
    """The exact partials at ``xs``, or None where the op's output is not normal.

    The exact output is checked, not the engine's: an input is in the range when the
    true value of the op is a normal float there.
    """
    with mpmath.workprec(PRECISION):
        exact_xs = [mpmath.mpf(x) for x in xs]
        out = kernels.TOTAL[name](*xs) if OPS[name].nary is None else None
        if out is not None and not is_normal(out) and name not in _FLAT_OUTPUT:
            return None
        return EXACT[name](*exact_xs)


# Ops whose output may be 0 or a copy where their partials are still of interest.
LOST = 2.0**52  # this many ulps: the result is 0 or inf where the truth is not
_FLAT_OUTPUT = frozenset({"relu", "leaky_relu", "abs", "select", "add", "sub", "mul"})


class Worst:
    """The largest error seen for one op, and where."""

    def __init__(self) -> None:
        self.error = 0.0
        self.where: tuple[float, ...] = ()
        self.input = -1  # which partial
        self.count = 0  # partials compared
        self.lost = 0  # partials that came out 0, inf or NaN (no digit right)
        self.numbers = 0.0  # the worst error among the others

    def see(self, error: float, xs: Sequence[float], index: int) -> None:
        """Record one partial's error at ``xs``."""
        self.count += 1
        if error >= LOST:
            self.lost += 1
        elif error > self.numbers:
            self.numbers = error
        if error > self.error or not self.where:
            self.error, self.where, self.input = error, tuple(xs), index


def measure(name: str, points: Iterator[Sequence[float]]) -> Worst:
    """The worst ulp error of op ``name``'s float partials over ``points``."""
    worst = Worst()
    for xs in points:
        exact = exact_partials(name, xs)
        if exact is None:
            continue
        computed = float_partials(name, xs)
        for i, (c, e) in enumerate(zip(computed, exact)):
            if e != 0 and not TINY <= abs(e) <= HUGE:
                continue  # the derivative is not a normal float here
            worst.see(ulp_error(c, e), xs, i)
    return worst


# ---------------------------------------------------------------------------------
# Inputs: the whole float range, and the places where rules go wrong.

_MANTISSAS = (1.0, 1.0000000000000002, 1.1, 1.25, 1.3333333333333333, 1.5)
_MANTISSAS += (1.7320508075688772, 1.9999999999999998)


def _binades(low: int, high: int, step: int) -> list[float]:
    """Positive floats m * 2**k for every step-th binade k in [low, high]."""
    return [math.ldexp(m, k) for k in range(low, high + 1, step) for m in _MANTISSAS]


def _signed(xs: Sequence[float]) -> list[float]:
    return [s * x for x in xs for s in (1.0, -1.0)]


def _uniform(rng: random.Random, low: float, high: float, n: int) -> list[float]:
    return [rng.uniform(low, high) for _ in range(n)]


def _log_uniform(rng: random.Random, low: float, high: float, n: int) -> list[float]:
    """Positive floats spread evenly in log scale between low and high."""
    a, b = math.log2(low), math.log2(high)
    return [2.0 ** rng.uniform(a, b) for _ in range(n)]


def _near_multiples(step: float, count: int, offsets: Sequence[float]) -> list[float]:
    """Floats near k * step (the zeros of sin and cos), k up to count."""
    return [
        math.nextafter(k * step, math.inf) + o for k in range(1, count) for o in offsets
    ]


def _unary_points(name: str, rng: random.Random, scale: int) -> list[float]:
    step = max(1, 8 // scale)
    wide = _signed(_binades(-1074, 1023, step))
    dense = _uniform(rng, -40.0, 40.0, 400 * scale)
    near_zero = _signed(_log_uniform(rng, 1e-300, 1.0, 200 * scale))
    points = wide + dense + near_zero
    if name in ("tanh", "sigmoid", "softplus", "exp"):
        points += _uniform(rng, -745.0, 710.0, 400 * scale)
    if name in ("sin", "cos"):
        offsets = (0.0, 1e-9, -1e-9, 1e-15, 3e-16)
        points += _near_multiples(math.pi / 2, 60 * scale, offsets)
        points += _signed(_log_uniform(rng, 1.0, 1e300, 300 * scale))
    if name in ("log", "sqrt"):
        points += [1.0 + d for d in _uniform(rng, -1e-3, 1e-3, 100 * scale)]
    return points


def _pow_points(rng: random.Random, scale: int) -> list[tuple[float, float]]:
    """Bases and exponents over the range, dense where y - 1 rounds (|y| < 0.5)."""
    bases = _binades(-1022, 1023, max(1, 16 // scale))
    exponents = [0.0, 0.5, 1.0, 2.0, 3.0, -1.0, -2.0, 0.1, -0.3, 1e-9, -1e-17, 4.5]
    exponents += _uniform(rng, -0.5, 0.5, 6 * scale)
    exponents += _signed(_log_uniform(rng, 1e-20, 1e3, 6 * scale))
    points = [(x, y) for x in bases for y in exponents]
    for _ in range(2000 * scale):  # random bases, exponents that keep x**y normal
        x = 2.0 ** rng.uniform(-1000.0, 1000.0)
        limit = 1000.0 / max(abs(math.log2(x)), 1e-3)
        points.append((x, rng.uniform(-limit, limit)))
        points.append((x, rng.uniform(-0.5, 0.5)))
    for _ in range(1000 * scale):  # y x**(y-1) anywhere in the range: the slivers
        # where x**(y-1) over- or underflows although y x**(y-1) does not included
        y = rng.choice((-1.0, 1.0)) * 2.0 ** rng.uniform(-60.0, 60.0)
        if abs(y - 1.0) < 1e-9:
            continue
        target = rng.uniform(-1020.0, 1022.0)  # log2 of the derivative
        exponent = (target - math.log2(abs(y))) / (y - 1.0)
        x = 2.0**exponent if abs(exponent) < 1023.0 else 0.0
        if x > 0.0:
            points.append((x, y))
    for _ in range(300 * scale):  # negative bases with integer exponents
        x = -rng.uniform(0.01, 100.0)
        points.append((x, float(rng.randint(-8, 8))))
    return points


def samples(name: str, scale: int = 1, seed: int = 0) -> list[tuple[float, ...]]:
    """The inputs op ``name`` is measured at; ``scale`` multiplies their number."""
    rng = random.Random(f"{name}-{seed}")
    op = OPS[name]
    if op.nary is not None:
        values = _signed(_binades(-1000, 1000, 50)) + _uniform(rng, -10, 10, 20)
        cases = []
        for _ in range(200 * scale):
            n = rng.randint(1, 4)
            width = op.nary.groups * n + op.nary.tail
            cases.append(tuple(rng.choice(values) for _ in range(width)))
        return cases
    if name in ("pow", "pow_const"):
        return list(_pow_points(rng, scale))
    if op.arity == 1:
        return [(x,) for x in _unary_points(name, rng, scale)]
    left = _unary_points(name, rng, scale)
    right = _unary_points(name, rng, scale)
    rng.shuffle(right)
    points = list(zip(left, right))
    if name == "leaky_relu":  # slopes are small, non-negative numbers
        points = [(x, abs(s) % 1.0) for x, s in points]
    if name == "select":
        points = [(c, a, rng.choice(left)) for c, a in points]
    return points


# ---------------------------------------------------------------------------------
# The textbook formulas, for comparison.


def _textbook_power(x: float, y: float) -> float:
    if y == 0.0:
        return 0.0 if x == x else math.nan
    try:
        return y * math.pow(x, y - 1.0)
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.inf


TEXTBOOK: dict[str, Callable[..., tuple[float, ...]]] = {
    "tanh": lambda x: (1.0 - math.tanh(x) ** 2,),
    "sigmoid": lambda x: (
        kernels.TOTAL["sigmoid"](x) * (1.0 - kernels.TOTAL["sigmoid"](x)),
    ),
    "pow_const": lambda x, y: (_textbook_power(x, y), 0.0),
}
"""The textbook form of some partials: 1 - tanh**2, s (1 - s), y x**(y-1)."""


def measure_textbook(name: str, points: Iterator[Sequence[float]]) -> Worst:
    """As ``measure``, for ``TEXTBOOK[name]`` instead of the engine's partials."""
    worst = Worst()
    for xs in points:
        exact = exact_partials(name, xs)
        if exact is None:
            continue
        for i, (c, e) in enumerate(zip(TEXTBOOK[name](*xs), exact)):
            if e != 0 and not TINY <= abs(e) <= HUGE:
                continue
            worst.see(ulp_error(c, e), xs, i)
    return worst


# ---------------------------------------------------------------------------------
# The results file.


def _format(error: float) -> str:
    if error == 0.0:
        return "0 (exact)"
    if error >= LOST:
        return "all digits lost"
    return f"{error:.2f}" if error < 100.0 else f"{error:,.0f}"


def _where(w: Worst) -> str:
    if not w.error:
        return ""
    shown = ", ".join(repr(x) for x in w.where[:3])
    if len(w.where) > 3:
        shown += ", ..."
    return f"input {w.input} at ({shown})"


def table(worst: dict[str, Worst]) -> str:
    """The Markdown table of the worst errors, one row per op."""
    lines = [
        "| op | worst error (ulps) | where | partials compared |",
        "|---|---|---|---|",
    ]
    for name, w in worst.items():
        lines.append(f"| `{name}` | {_format(w.error)} | {_where(w)} | {w.count:,} |")
    return "\n".join(lines)


def textbook_table(ours: dict[str, Worst], textbook: dict[str, Worst]) -> str:
    """Our rule against the textbook formula, on the same inputs."""
    forms = {
        "tanh": ("sech(x)**2, via exp", "1 - tanh(x)**2"),
        "sigmoid": ("s(x) s(-x)", "s(x) (1 - s(x))"),
        "pow_const": ("two-sum corrected, range-safe", "y * x**(y - 1)"),
    }
    lines = [
        "| op | our rule | worst (ulps) | textbook form | worst (ulps) | "
        "worst where it gives a number | partials with no digit right |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (rule, book) in forms.items():
        t = textbook[name]
        lines.append(
            f"| `{name}` | {rule} | {_format(ours[name].error)} | {book} | "
            f"{_format(t.error)}, {_where(t)} | {_format(t.numbers)} | "
            f"{t.lost:,} of {t.count:,} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every op's partials and write the results file."""
    parser = argparse.ArgumentParser(
        prog="python scripts/accuracy.py",
        description="Measure every op's float partials against mpmath, in ulps.",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="the JSON file to write (default: docs/results/accuracy.json)",
    )
    parser.add_argument("--scale", type=int, default=4, help="sample size multiplier")
    args = parser.parse_args(argv)
    worst: dict[str, Worst] = {}
    for name in OPS:
        worst[name] = measure(name, iter(samples(name, args.scale)))
        w = worst[name]
        print(f"{name:12s} {_format(w.error):>10s} ulps  {_where(w)}  ({w.count:,})")
    textbook = {
        name: measure_textbook(name, iter(samples(name, args.scale)))
        for name in TEXTBOOK
    }
    for name, w in textbook.items():
        print(f"textbook {name:12s} {_format(w.error):>10s} ulps  {_where(w)}")
    results = {
        "worst_ulps": {name: _format(w.error) for name, w in worst.items()},
        "table": table(worst),
        "textbook_table": textbook_table(worst, textbook),
        "partials_compared": f"{sum(w.count for w in worst.values()):,}",
        "precision_bits": str(PRECISION),
        "command": "python scripts/accuracy.py",
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
