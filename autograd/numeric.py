"""The finite-difference oracle: estimate a gradient by nudging each input.

Central differences, (f(x + h) - f(x - h)) / 2h, have a truncation error of order
h**2 * |f'''| and a round-off error of order u * |f| / h, where u = 2**-52 is the
float precision. The two balance at h ~ u**(1/3) ~ 6e-6 (times the scale of x), which
leaves about 10 correct digits: good enough to catch any wrong derivative rule, never
exact. That is the whole reason to use backpropagation (see docs/why-backprop.md).

Forward differences, (f(x + h) - f(x)) / h, need one call per input (plus one for
f(x)) but have a truncation error of order h * |f''|: the best step is u**(1/2) ~ 1.5e-8
and leaves about 8 digits.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Sequence
from typing import Any

from autograd.backward import gradients
from autograd.cost import record
from autograd.functional import result_value
from autograd.modes import no_grad
from autograd.value import Value, _show, _type_name

__all__ = ["GradientMismatch", "check_grad", "default_step", "numeric_grad"]

_CBRT_EPS = sys.float_info.epsilon ** (1.0 / 3.0)  # 6.06e-6
_SQRT_EPS = sys.float_info.epsilon**0.5  # 1.49e-8
_METHODS = ("central", "forward")


class GradientMismatch(AssertionError):
    """Backpropagation and finite differences disagree beyond the tolerance."""


def default_step(x: float, method: str = "central") -> float:
    """The step for ``x``: u**(1/3) * max(1, |x|) (forward: u**(1/2)), x + h exact."""
    scale = _SQRT_EPS if method == "forward" else _CBRT_EPS
    h = scale * max(1.0, abs(x))
    return (x + h) - x  # the step the float arithmetic actually takes


def _call(f: Callable[..., Any], xs: Sequence[float]) -> float:
    record(evaluations=1)  # for autograd.count_ops()
    return result_value(f(*[Value(x) for x in xs]), "numeric_grad").data


def _check_callable(f: Any, where: str) -> None:
    if not callable(f):
        raise TypeError(f"{where}: f must be callable, got {_type_name(f)}")


def _check_step(eps: Any, where: str) -> None:
    if eps is None:
        return
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"{where}: eps must be a number or None, got {_type_name(eps)}")
    if not (_finite(eps) and float(eps) > 0.0):
        raise ValueError(f"{where}: eps must be a finite number > 0, got {_show(eps)}")


def _finite(x: numbers.Real) -> bool:
    """Whether ``x`` is a finite number within the float range."""
    try:
        return math.isfinite(float(x))
    except OverflowError:  # an int or Fraction past the float range
        return False


def _points(xs: Any, where: str) -> list[float]:
    if isinstance(xs, (Value, numbers.Real, str, bytes, bytearray)) or not hasattr(
        xs, "__iter__"
    ):
        raise TypeError(
            f"{where}: xs must be a sequence of numbers, got {_type_name(xs)}"
        )
    return [_number(x, i, where) for i, x in enumerate(xs)]


def numeric_grad(
    f: Callable[..., Any],
    xs: Sequence[float],
    eps: float | None = None,
    *,
    method: str = "central",
) -> list[float]:
    """Estimate df/dx_i for each input by finite differences.

    ``f`` takes ``len(xs)`` scalars and returns a scalar; it is called with Values
    under ``no_grad`` (so it builds no graph). ``eps`` is the step; by default
    ``default_step(x_i, method)`` for each input. ``method="central"`` (the default)
    calls f twice per input, 2P calls in all; ``"forward"`` calls it once per input
    and once at ``xs``, P + 1 calls, and is less accurate.
    """
    _check_callable(f, "numeric_grad")
    if not isinstance(method, str):
        raise TypeError(
            f"numeric_grad: method must be 'central' or 'forward', got "
            f"{_type_name(method)}"
        )
    if method not in _METHODS:
        raise ValueError(
            f"numeric_grad: method must be 'central' or 'forward', got {method!r}"
        )
    _check_step(eps, "numeric_grad")
    point = _points(xs, "numeric_grad")
    estimate = []
    with no_grad():
        center = _call(f, point) if method == "forward" and point else 0.0
        for i, x in enumerate(point):
            h = default_step(x, method) if eps is None else (x + eps) - x
            if h == 0.0:
                raise ValueError(
                    f"numeric_grad: step eps={eps!r} vanishes at xs[{i}]={x!r}"
                )
            point[i] = x + h
            above = _call(f, point)
            if method == "forward":
                point[i] = x
                estimate.append((above - center) / h)
                continue
            point[i] = x - h
            below = _call(f, point)
            point[i] = x
            estimate.append((above - below) / (2.0 * h))
    return estimate


def check_grad(
    f: Callable[..., Any],
    xs: Sequence[float],
    rtol: float = 1e-5,
    atol: float = 1e-7,
    eps: float | None = None,
) -> float:
    """Compare backprop with finite differences; return the largest error found.

    Raises ``GradientMismatch`` naming the input index, both values and the
    tolerance when |backprop - estimate| > atol + rtol * |estimate| for some input.
    """
    _check_callable(f, "check_grad")
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real):
            raise TypeError(
                f"check_grad: {name} must be a number, got {_type_name(tolerance)}"
            )
        if not (_finite(tolerance) and tolerance >= 0.0):
            raise ValueError(
                f"check_grad: {name} must be a finite number >= 0, got "
                f"{_show(tolerance)}"
            )
    _check_step(eps, "check_grad")
    point = _points(xs, "check_grad")
    leaves = [Value(x) for x in point]
    out = result_value(f(*leaves), "check_grad")
    exact = gradients(out, leaves)
    estimate = numeric_grad(f, point, eps)
    worst = 0.0
    for i, (g, e) in enumerate(zip(exact, estimate)):
        error = abs(g - e)
        allowed = atol + rtol * abs(e)
        if not error <= allowed:  # also catches NaN
            raise GradientMismatch(
                f"gradient of input {i} (x={point[i]!r}): backprop {g!r}, "
                f"finite differences {e!r}, error {error:.3g} > tolerance "
                f"{allowed:.3g} (atol={atol:g}, rtol={rtol:g})"
            )
        worst = max(worst, error)
    return worst


def _number(x: Any, i: int, where: str) -> float:
    if isinstance(x, Value):
        value = x.data
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: xs[{i}] must be a number, got {_type_name(x)}")
    else:
        try:
            value = float(x)
        except OverflowError:
            value = math.inf
    if not math.isfinite(value):
        raise ValueError(
            f"{where}: finite differences need finite inputs, got xs[{i}]={_show(x)}"
        )
    return value
