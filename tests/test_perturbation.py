"""Perturbation confusion: grad and jvp differentiate by argument position.

``grad(f)(x)`` is the derivative with respect to f's argument, not with respect to
the Value object passed in: the same Value used as another argument, through a
closure, or by an enclosing ``grad`` is a constant for it (as in ``jax.grad`` and
``torch.func.grad``). Siskind and Pearlmutter's example, d/dx (x * d/dy (x + y)) at
y = 1, is 1, not 2. Each case is checked against the same call with floats, against
``jvp``, and against ``torch.func.grad`` where PyTorch is installed.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from capabilities import missing
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    SMOOTH_OPS,
    VALUE_LIB,
    finite_floats,
    programs,
    programs_with_inputs,
    run,
    same_float,
)

from autograd import Value, grad, jvp, value_and_grad

_POINT = finite_floats(-2.0, 2.0)
_TWO_INPUT_SMOOTH = programs(n_inputs=st.just(2), ops=SMOOTH_OPS, max_steps=6)


def _number(v: Any) -> float:
    return v.data if isinstance(v, Value) else v


def _mul(a: Any, b: Any) -> Any:
    return a * b


# -- the same Value in two argument positions -------------------------------------


@given(_POINT)
def test_shared_argument_is_a_constant_for_the_other_position(x):
    """grad(a*b)(v, v) is d/da (a*b) = b = v, not d/dv (v*v) = 2v."""
    v = Value(x)
    assert _number(grad(_mul)(v, v)) == x
    assert _number(grad(_mul, argnums=1)(v, v)) == x


@given(_POINT)
def test_shared_argument_gives_what_floats_give(x):
    """Passing one Value twice gives, bit for bit, the derivative at two floats."""
    v = Value(x)
    with_value = grad(_mul, argnums=(0, 1))(v, v)
    with_floats = grad(_mul, argnums=(0, 1))(x, x)
    assert all(map(same_float, map(_number, with_value), with_floats))


@given(programs_with_inputs(_TWO_INPUT_SMOOTH), st.integers(0, 1))
def test_shared_argument_in_a_random_program_gives_what_floats_give(case, i):
    """On random programs, f(v, v) differentiated at position i is f's partial i at
    (x, x): the same bits as with two floats, and as jvp along that position."""
    program, (x, _) = case

    def f(a, b):
        return run(program, [a, b], VALUE_LIB)

    v = Value(x)
    shared = _number(grad(f, argnums=i)(v, v))
    floats = grad(f, argnums=i)(x, x)
    direction = [1.0 if j == i else 0.0 for j in range(2)]
    _, tangent = jvp(f, [x, x], direction)
    assert same_float(shared, floats)
    assert math.isclose(shared, tangent, rel_tol=1e-12, abs_tol=1e-12)


# -- closures ---------------------------------------------------------------------


@given(_POINT)
def test_closure_over_the_argument_is_a_constant(x):
    """grad(lambda a: a * v)(v) is v: the closed-over v is not the argument."""
    v = Value(x)
    assert _number(grad(lambda a: a * v)(v)) == x
    assert grad(lambda a: a * x)(x) == x  # the float reading


@given(_POINT)
def test_closure_and_jvp_agree(x):
    """jvp along the argument gives the same derivative as grad with a closure."""
    v = Value(x)
    by_grad = _number(grad(lambda a: a * v.sin())(v))
    _, by_jvp = jvp(lambda a: a * v.sin(), [v], [1.0], create_graph=False)
    # == rather than bit for bit: a reverse pass sums from +0.0 (d/da at v = -0.0
    # is +0.0 there), forward mode carries the partial itself (-0.0)
    assert by_grad == by_jvp == math.sin(x)


# -- grad inside grad ---------------------------------------------------------------


def test_siskind_pearlmutter_example():
    """d/dx (x * d/dy (x + y) at y = 1) at x = 1 is 1 (confusion gives 2)."""
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0


def test_siskind_pearlmutter_example_with_jvp():
    """The same with jvp inside, outside, and both (forward over forward)."""
    inner_jvp = lambda x: jvp(lambda y: x + y, [1.0], [1.0])[1]  # noqa: E731
    inner_grad = lambda x: grad(lambda y: x + y)(1.0)  # noqa: E731
    assert _number(grad(lambda x: x * inner_jvp(x))(1.0)) == 1.0
    assert jvp(lambda x: x * inner_grad(x), [1.0], [1.0])[1] == 1.0
    assert jvp(lambda x: x * inner_jvp(x), [1.0], [1.0])[1] == 1.0


@given(_POINT)
def test_inner_grad_closing_over_the_outer_argument(x):
    """d/dx (x * d/dy (x * y)) = d/dx (x * x) = 2x: the inner derivative depends on
    the outer x, and the outer grad sees that (number arguments inside a grad)."""
    assert grad(lambda x: x * grad(lambda y: x * y)(2.0))(x) == 2.0 * x


@given(_POINT)
def test_inner_jvp_closing_over_the_outer_argument(x):
    """The same with jvp inside grad, and grad inside jvp: 2x."""
    inner = lambda x: jvp(lambda y: x * y, [2.0], [1.0])[1]  # noqa: E731
    assert _number(grad(lambda x: x * inner(x))(x)) == 2.0 * x
    inner_grad = lambda x: grad(lambda y: x * y)(2.0)  # noqa: E731
    assert jvp(lambda x: x * inner_grad(x), [x], [1.0])[1] == 2.0 * x


@given(programs_with_inputs(_TWO_INPUT_SMOOTH))
def test_nested_grad_of_a_random_program_matches_the_mixed_partial(case):
    """d/dx of (d/dy f(x, y)) with the inner grad closing over x is the mixed
    partial, as grad(grad(f, 1), 0) computes it with both arguments passed."""
    program, (x, y) = case

    def f(a, b):
        return run(program, [a, b], VALUE_LIB)

    closed = grad(lambda a: grad(lambda b: f(a, b))(y))(x)
    passed = grad(grad(f, 1), 0)(x, y)
    assert same_float(_number(closed), passed)


def test_inner_grad_called_with_a_float_returns_a_value_inside_grad():
    """Inside another grad an inner grad's result is a Value (it may depend on the
    outer argument); at the top level it is a float."""
    seen = []
    grad(lambda x: seen.append(grad(lambda y: x * y)(2.0)) or x)(3.0)
    assert isinstance(seen[0], Value) and seen[0].data == 3.0
    assert type(grad(lambda y: y * 3.0)(2.0)) is float


def test_value_and_grad_differentiates_by_position_too():
    """value_and_grad(a*b)(v, v) is (v*v, v), not (v*v, 2v)."""
    v = Value(1.5)
    value, derivative = value_and_grad(_mul)(v, v)
    assert (_number(value), _number(derivative)) == (2.25, 1.5)


# -- PyTorch's torch.func.grad agrees -------------------------------------------------


@pytest.fixture
def torch() -> Any:
    """PyTorch, or skip (the torch capability)."""
    try:
        import torch
    except ImportError:
        missing("torch", "PyTorch is not installed (pip install torch==2.13.0)")
    torch.set_default_dtype(torch.float64)
    return torch


def _t(torch: Any, x: float) -> Any:
    return torch.tensor(x, dtype=torch.float64)


def test_shared_argument_and_closure_agree_with_torch(torch):
    """torch.func.grad gives b for a*b at (v, v), and v for a*v at v, as we do."""
    tgrad = torch.func.grad
    v = _t(torch, 3.0)
    assert tgrad(_mul)(v, v).item() == _number(grad(_mul)(Value(3.0), Value(3.0)))
    w = Value(3.0)
    assert tgrad(lambda a: a * v)(v).item() == _number(grad(lambda a: a * w)(w))


def test_nested_examples_agree_with_torch(torch):
    """Siskind and Pearlmutter's example and d/dx (x * d/dy (x*y)): as torch."""
    tgrad = torch.func.grad

    def sp(g, c):
        return g(lambda x: x * g(lambda y: x + y)(c(1.0)))(c(1.0))

    def square(g, c):
        return g(lambda x: x * g(lambda y: x * y)(c(2.0)))(c(-1.25))

    theirs = [sp(tgrad, lambda x: _t(torch, x)), square(tgrad, lambda x: _t(torch, x))]
    ours = [sp(grad, float), square(grad, float)]
    assert [t.item() for t in theirs] == ours == [1.0, -2.5]


class _TorchLib:
    """The smooth ops of the table in PyTorch (float64 tensors)."""

    def __init__(self, torch: Any) -> None:
        self.t = torch

    def __getattr__(self, name: str) -> Any:
        t = self.t
        functions = {
            "add": lambda a, b: a + b,
            "sub": lambda a, b: a - b,
            "mul": lambda a, b: a * b,
            "div": lambda a, b: a / b,
            "neg": lambda a: -a,
            "pow": lambda a, b: a**b,
            "pow_const": lambda a, c: a**c,
            "exp": t.exp,
            "log": t.log,
            "sqrt": t.sqrt,
            "tanh": t.tanh,
            "sigmoid": t.sigmoid,
            "softplus": t.nn.functional.softplus,
            "sin": t.sin,
            "cos": t.cos,
            "sum": lambda *xs: t.stack(xs).sum(),
            "dot": lambda *xs: (
                t.stack(xs[: len(xs) // 2]) * t.stack(xs[len(xs) // 2 :])
            ).sum(),
            "linear": lambda *xs: (
                (
                    t.stack(xs[: (len(xs) - 1) // 2])
                    * t.stack(xs[(len(xs) - 1) // 2 : -1])
                ).sum()
                + xs[-1]
            ),
        }
        return functions[name]


@given(programs_with_inputs(_TWO_INPUT_SMOOTH))
def test_nested_grad_of_a_random_program_agrees_with_torch(case):
    """d/dx (x * d/dy f(x, y)) on random smooth programs, the inner grad closing
    over x: our number and torch.func.grad's agree to rounding."""
    try:
        import torch
    except ImportError:
        missing("torch", "PyTorch is not installed (pip install torch==2.13.0)")
    program, (x, y) = case
    lib = _TorchLib(torch)
    tgrad = torch.func.grad

    def ours(a):
        return a * grad(lambda b: run(program, [a, b], VALUE_LIB))(y)

    def theirs(a):
        inner = tgrad(lambda b: run(program, [a, b], lib))
        return a * inner(torch.tensor(y, dtype=torch.float64))

    expected = tgrad(theirs)(torch.tensor(x, dtype=torch.float64)).item()
    assert math.isclose(grad(ours)(x), expected, rel_tol=1e-9, abs_tol=1e-9)
