"""Every op's float partial is within a few ulps of the exact derivative (mpmath).

The measurement is ``scripts/accuracy.py`` (which writes docs/results/accuracy.json,
the table in docs/errors.md); here each op is measured on a smaller sample and at
random points against the bounds there, ``BOUNDS``.
"""

from __future__ import annotations

import json
import math

import mpmath  # noqa: F401 - the oracle, from the test extra: fail, never skip
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from repo_scripts import ROOT, load

from autograd.ops import OPS

accuracy = load("accuracy")

ALL_OPS = sorted(OPS)
UNARY = [name for name in ALL_OPS if OPS[name].arity == 1]


def _worst(name: str, points) -> float:
    return accuracy.measure(name, iter(points)).error


def test_every_op_has_a_bound_and_an_oracle():
    """BOUNDS and the mpmath derivatives cover the whole table."""
    assert set(accuracy.BOUNDS) == set(OPS) == set(accuracy.EXACT)


@pytest.mark.parametrize("name", ALL_OPS)
def test_partials_are_within_their_bound_across_the_range(name):
    """On inputs spread over the whole float range, the worst ulp error of the op's
    float partials is within its bound, and the sample is not empty."""
    worst = accuracy.measure(name, iter(accuracy.samples(name, scale=1, seed=1)))
    assert worst.count >= 400, worst.count
    assert worst.error <= accuracy.BOUNDS[name], (worst.error, worst.where)


_ANY_FLOAT = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("name", UNARY)
@given(x=_ANY_FLOAT)
def test_unary_partials_are_within_their_bound_at_random_points(name, x):
    """At any float where the op's output and derivative are normal: within bound."""
    assert _worst(name, [(x,)]) <= accuracy.BOUNDS[name]


@given(
    x=st.floats(min_value=1e-300, max_value=1e300),
    y=st.one_of(st.floats(-0.5, 0.5), st.floats(-1e3, 1e3)),
)
def test_power_partials_are_within_their_bound_at_random_points(x, y):
    """x ** y for a positive base, y near 0 (where y - 1 rounds) or anywhere."""
    assume(math.isfinite(x**y) if abs(y * math.log(x)) < 700 else False)
    for name in ("pow", "pow_const"):
        assert _worst(name, [(x, y)]) <= accuracy.BOUNDS[name]


@given(x=_ANY_FLOAT, y=_ANY_FLOAT.filter(lambda y: y != 0.0))
def test_division_partials_are_within_their_bound_at_random_points(x, y):
    """x / y anywhere in the range."""
    assert _worst("div", [(x, y)]) <= accuracy.BOUNDS["div"]


@pytest.mark.parametrize("name", sorted(accuracy.TEXTBOOK))
def test_the_measurement_catches_the_textbook_formulas(name):
    """1 - tanh**2, s (1 - s) and y x**(y-1) read plainly lose every digit somewhere
    in the range: the measurement would fail a rule that did the same."""
    worst = accuracy.measure_textbook(name, iter(accuracy.samples(name, scale=1)))
    assert worst.error > 100 * accuracy.BOUNDS[name]
    assert worst.lost > 0


def test_the_textbook_power_rule_loses_hundreds_of_ulps_where_y_minus_1_rounds():
    """y * x**(y-1) with |y| < 0.5 and |log x| large: hundreds of ulps (the rule
    corrects it)."""
    x, y = 1e-300, -0.3000000000000001
    textbook = accuracy.TEXTBOOK["pow_const"](x, y)[0]
    exact = accuracy.exact_partials("pow_const", (x, y))[0]
    assert accuracy.ulp_error(textbook, exact) > 50
    assert _worst("pow_const", [(x, y)]) <= accuracy.BOUNDS["pow_const"]


def _number(text: str) -> float:
    return 0.0 if text.startswith("0 ") else float(text)


def test_the_results_file_is_within_the_bounds():
    """docs/results/accuracy.json (the docs' table) has every op, each within its
    bound: the published figures and the tested bounds agree."""
    results = json.loads((ROOT / "docs" / "results" / "accuracy.json").read_text())
    measured = results["worst_ulps"]
    assert set(measured) == set(OPS)
    for name, text in measured.items():
        assert _number(text) <= accuracy.BOUNDS[name], (name, text)
