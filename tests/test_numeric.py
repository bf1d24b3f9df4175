"""The finite-difference oracle: its step, its call count, its verdicts."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import finite_floats

from autograd import (
    GradientMismatch,
    Value,
    check_grad,
    gradients,
    is_grad_enabled,
    numeric_grad,
)

CBRT_EPS = sys.float_info.epsilon ** (1.0 / 3.0)  # the documented u**(1/3), ~6e-6


def _recording(calls):
    """A function of any number of Values that records each point it is called at."""

    def f(*xs):
        calls.append([x.data for x in xs])
        return sum((x * x for x in xs), Value(0.0))

    return f


@given(finite_floats(-1e6, 1e6))
def test_default_step_scales_with_x(x):
    """The step is u**(1/3) * max(1, |x|), up to the rounding of x + h."""
    calls = []
    numeric_grad(_recording(calls), [x])
    above, below = calls[0][0], calls[1][0]
    h = CBRT_EPS * max(1.0, abs(x))
    # The step taken is (x + h) - x, rounded once; x - step rounds once more.
    assert abs((above - x) - h) <= math.ulp(x + h)
    assert abs((x - below) - h) <= math.ulp(x + h) + math.ulp(x - h)


@given(finite_floats(-100.0, 100.0), finite_floats(1e-4, 1e-2))
def test_explicit_step_is_used(x, eps):
    """With eps given, f is evaluated at x + eps and x - eps (up to rounding)."""
    calls = []
    numeric_grad(_recording(calls), [x], eps=eps)
    assert abs((calls[0][0] - x) - eps) <= math.ulp(x + eps)


@given(st.lists(finite_floats(-10.0, 10.0), min_size=1, max_size=8))
def test_numeric_grad_calls_f_twice_per_input(xs):
    """numeric_grad evaluates f exactly 2P times for P inputs."""
    calls = []
    numeric_grad(_recording(calls), xs)
    assert len(calls) == 2 * len(xs)


@given(st.lists(finite_floats(-10.0, 10.0), min_size=1, max_size=4))
def test_numeric_grad_moves_one_input_at_a_time(xs):
    """Each call of f differs from the point in exactly one input."""
    calls = []
    numeric_grad(_recording(calls), xs)
    for k, point in enumerate(calls):
        moved = [i for i, (a, b) in enumerate(zip(point, xs)) if a != b]
        assert moved == [k // 2]


def test_numeric_grad_calls_f_with_values_under_no_grad():
    """f receives Values and runs with recording off, so it builds no graph."""
    seen = []

    def f(x, y):
        seen.append((type(x), type(y), is_grad_enabled()))
        return x * y

    numeric_grad(f, [1.0, 2.0])
    assert seen == [(Value, Value, False)] * 4


@given(finite_floats(-10.0, 10.0))
def test_numeric_grad_of_a_quadratic_is_exact_to_round_off(x):
    """Central differences have no truncation error on x**2: only round-off remains."""
    (estimate,) = numeric_grad(lambda v: v * v, [x])
    # Round-off: about u * x**2 / h with h >= 6e-6 * |x|, so <= 2.2e-16 * 10 / 6e-6.
    assert abs(estimate - 2.0 * x) <= 1e-8


@given(st.lists(finite_floats(-2.0, 2.0), min_size=1, max_size=5))
def test_check_grad_returns_the_largest_error(xs):
    """check_grad returns max |backprop - estimate| over the inputs."""

    def f(*vs):
        return sum(((v * v).sin() for v in vs), Value(0.0))

    leaves = [Value(x) for x in xs]
    exact = gradients(f(*leaves), leaves)
    estimate = numeric_grad(f, xs)
    expected = max(abs(g - e) for g, e in zip(exact, estimate))
    assert check_grad(f, xs) == expected


def _detached_product(x, y):
    """x * y in the forward pass, but backprop never reaches y (it is detached)."""
    return x * y.detach()


def _mismatch(rtol=3e-6, atol=7e-9):
    """The GradientMismatch raised for the detached product at (1.5, -2.5)."""
    with pytest.raises(GradientMismatch) as caught:
        check_grad(_detached_product, [1.5, -2.5], rtol=rtol, atol=atol)
    return caught.value


def test_gradient_mismatch_is_an_assertion_error():
    """GradientMismatch subclasses AssertionError, so pytest reports it as a failure."""
    assert isinstance(_mismatch(), AssertionError)


def test_gradient_mismatch_names_the_input_index():
    """The message names the input whose gradient is wrong (y, index 1)."""
    assert "input 1" in str(_mismatch())


def test_gradient_mismatch_names_both_values():
    """The message shows the backprop value and the finite-difference estimate."""
    (estimate,) = numeric_grad(lambda y: _detached_product(Value(1.5), y), [-2.5])
    message = str(_mismatch())
    assert repr(0.0) in message  # backprop misses the detached path
    assert repr(estimate) in message


def test_gradient_mismatch_names_the_tolerance():
    """The message names rtol and atol as given."""
    message = str(_mismatch(rtol=3e-6, atol=7e-9))
    assert "3e-06" in message
    assert "7e-09" in message


def test_check_grad_passes_on_a_correct_input():
    """Only the detached input is wrong: checking the product of x alone passes."""
    assert check_grad(lambda x: _detached_product(x, Value(-2.5)), [1.5]) >= 0.0


def test_check_grad_rejects_a_nan_gradient():
    """A NaN from backprop is never within tolerance (0 * inf through a sqrt at 0)."""

    def nan_path(x):
        # Forward: 0 for every x, so finite differences give 0. Backward: sqrt'(0)
        # is inf and the upstream gradient is 0, so x.grad is 0 * inf = NaN.
        return (x - x.detach()).sqrt() * 0.0

    leaf = Value(1.0)
    assert math.isnan(gradients(nan_path(leaf), [leaf])[0])
    with pytest.raises(GradientMismatch):
        check_grad(nan_path, [1.0])
