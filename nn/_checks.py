"""Argument checks shared by the ``nn`` entry points.

Each check names the function (``where``) and the argument, says what was expected
and shows what came: ``SGD: lr must be a real number, got str '0.1'``. A value of the
wrong kind raises ``TypeError``; a value of the right kind out of range raises
``ValueError``. The checks run once per call at the entry points, never per element
in the loops that build graphs.
"""

from __future__ import annotations

import importlib
import math
import numbers
import os
from typing import Any

from autograd import Value

_SHOWN = 60  # characters of a repr shown in a message


def describe(value: Any) -> str:
    """``type repr`` for a message, the repr shortened: ``str '0.1'``, ``NoneType``."""
    if value is None:
        return "None"
    try:
        text = repr(value)
    except Exception:  # a repr that fails must not hide the real error
        text = "<unprintable>"
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    name = type(value).__name__
    if text.startswith(name):  # MLP(nin=2, ...), Value(data=...): no need to repeat
        return text
    return f"{name} {text}"


def plural(n: int, noun: str) -> str:
    """``1 input``, ``3 inputs``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def real(
    where: str,
    name: str,
    value: Any,
    *,
    low: float = 0.0,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = True,
) -> float:
    """``value`` as a finite float in the interval, or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got {describe(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(
            f"{where}: {name} must be a finite number, got {describe(value)}"
        )
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        if high == math.inf:
            bounds = f"> {low:g}" if low_open else f">= {low:g}"
        else:
            bounds = f"in {left}{low:g}, {high:g}{right}"
        raise ValueError(f"{where}: {name} must be {bounds}, got {number!r}")
    return number


def count(where: str, name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``, or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {describe(value)}")
    number = int(value)
    if number < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {number}")
    return number


def seed(where: str, value: Any) -> int | None:
    """``value`` as an int, or None (a fresh seed); else ``TypeError`` naming it."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: seed must be an int or None, got {describe(value)}")
    return int(value)


def flag(where: str, name: str, value: Any) -> bool:
    """``value`` if it is a bool, or a ``TypeError`` naming ``name``."""
    if not isinstance(value, bool):
        raise TypeError(f"{where}: {name} must be True or False, got {describe(value)}")
    return value


def path(where: str, value: Any) -> str:
    """``value`` (a str or an ``os.PathLike`` of str) as a str, or a ``TypeError``."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        text = os.fspath(value)
        if isinstance(text, str):
            return text
    raise TypeError(
        f"{where}: path must be a str or a path-like object, got {describe(value)}"
    )


def is_number(x: Any) -> bool:
    """A Value or a real number (what a Value's operators accept)."""
    return type(x) is Value or isinstance(x, (Value, numbers.Real))


def import_extra(module: str, extra: str, where: str, what: str) -> Any:
    """``module``, or ``ModuleNotFoundError`` naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"{where} needs {what}, which is not installed: "
            f'pip install "scalar-autograd[{extra}]" '
            f'(in a clone: pip install -e ".[{extra}]")',
            name=module,
        ) from error
