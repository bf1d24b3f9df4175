"""Forward mode: ``autograd.jvp`` against reverse mode, the oracle and itself."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import SMOOTH_OPS, finite_floats, programs, programs_with_inputs, run

import autograd
from autograd import Value, gradients, jvp, numeric_grad
from autograd.modes import state

SMOOTH_PROGRAMS = programs(ops=SMOOTH_OPS, max_steps=6)
ONE_INPUT_SMOOTH = programs(n_inputs=st.just(1), ops=SMOOTH_OPS, max_steps=5)


def _directions(n: int) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*[finite_floats(-2.0, 2.0)] * n)


def _with_direction(programs_and_points):
    """A program, a point and a tangent direction of the program's input count."""
    return programs_and_points.flatmap(
        lambda pp: st.tuples(st.just(pp), _directions(pp[0].n_inputs))
    )


CASES = _with_direction(programs_with_inputs())


def _reverse_directional(program, point, direction) -> float:
    """sum_i df/dx_i * t_i by reverse mode."""
    leaves = [Value(x) for x in point]
    out = run(program, leaves)
    grads = gradients(out, leaves) if isinstance(out, Value) else [0.0] * len(point)
    return math.fsum(g * t for g, t in zip(grads, direction))


def _close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


@given(CASES)
def test_jvp_matches_reverse_mode_on_random_programs(case):
    """The directional derivative equals the gradient dotted with the tangent."""
    (program, point), direction = case
    _, tangent = jvp(lambda *xs: run(program, xs), point, direction)
    assert _close(tangent, _reverse_directional(program, point, direction))


@given(CASES)
def test_jvp_value_is_the_function_value(case):
    """The first result is f(xs), the same number as an ordinary forward pass."""
    (program, point), direction = case
    value, _ = jvp(lambda *xs: run(program, xs), point, direction)
    expected = run(program, [Value(x) for x in point])
    assert value == (expected.data if isinstance(expected, Value) else expected)


@given(CASES)
def test_jvp_agrees_with_finite_differences(case):
    """The oracle's gradient dotted with the tangent agrees to about 1e-5."""
    (program, point), direction = case
    f = lambda *xs: run(program, xs)  # noqa: E731 - a one-line function of the program
    _, tangent = jvp(f, point, direction)
    estimate = math.fsum(g * t for g, t in zip(numeric_grad(f, point), direction))
    assert _close(tangent, estimate, rel=1e-5, abs_=1e-6)


def test_jvp_returns_floats_for_floats():
    """With float inputs and tangents both results are floats, not Values."""
    value, tangent = jvp(lambda x, y: x * y + x.sin(), [1.0, 2.0], [0.5, -1.0])
    assert type(value) is float and type(tangent) is float
    assert tangent == pytest.approx(0.5 * (2.0 + math.cos(1.0)) - 1.0)


def test_jvp_of_a_constant_function_is_zero():
    """A function that ignores its inputs has tangent 0."""
    assert jvp(lambda x: 3.0, [1.0], [1.0]) == (3.0, 0.0)


def test_jvp_of_the_identity_is_the_tangent():
    """f(x) = x returns the tangent itself."""
    assert jvp(lambda x: x, [2.0], [0.25]) == (2.0, 0.25)


def test_jvp_accepts_a_single_number():
    """One number for xs and tangents is read as a one-element sequence."""
    assert jvp(lambda x: x * x, 3.0, 1.0) == (9.0, 6.0)


def test_jvp_rejects_mismatched_lengths():
    """One tangent per input, or a ValueError naming both counts."""
    with pytest.raises(ValueError, match="xs has 2 inputs but tangents has 1"):
        jvp(lambda x, y: x * y, [1.0, 2.0], [1.0])


def test_jvp_rejects_a_non_number_tangent():
    """A string tangent is a TypeError naming its index."""
    with pytest.raises(TypeError, match=r"tangents\[0\]"):
        jvp(lambda x: x, [1.0], ["a"])


def test_jvp_zero_tangent_through_an_infinite_partial_is_zero():
    """An input with tangent 0 contributes nothing, even where its partial is inf."""
    _, tangent = jvp(lambda x, y: x.sqrt() + y, [0.0, 1.0], [0.0, 1.0])
    assert tangent == 1.0


def test_jvp_uses_the_table_convention_at_a_kink():
    """relu'(0) = 0 in forward mode too, as in the table."""
    assert jvp(lambda x: x.relu(), [0.0], [1.0]) == (0.0, 0.0)


def test_jvp_works_inside_no_grad():
    """jvp records what it needs even when the caller turned recording off."""
    with autograd.no_grad():
        assert jvp(lambda x: x * x, [3.0], [1.0]) == (9.0, 6.0)
        assert not autograd.is_grad_enabled()


def test_jvp_removes_its_observer_after_an_error():
    """An exception inside f leaves no tracer behind."""
    before = state.observers
    with pytest.raises(ValueError):
        jvp(lambda x: x.log(), [-1.0], [1.0])
    assert state.observers == before


def test_jvp_perturbs_only_its_arguments_not_closures():
    """A closure over the same Value is not perturbed (no perturbation confusion)."""
    x = Value(2.0)
    _, tangent = jvp(lambda y: y * x, [x], [1.0], create_graph=False)
    assert tangent == 2.0  # d/dy (y * x) at y = x, with x held fixed


# -- second order: where jvp and reverse mode compose ---------------------------------


@given(programs_with_inputs(ONE_INPUT_SMOOTH))
def test_jvp_of_grad_is_the_second_derivative(case):
    """Forward over reverse: jvp(grad(f)) equals grad(grad(f))."""
    program, (x,) = case
    f = lambda x: run(program, [x])  # noqa: E731
    _, tangent = jvp(autograd.grad(f), [x], [1.0])
    assert _close(tangent, autograd.grad(autograd.grad(f))(x), 1e-8, 1e-8)


@given(programs_with_inputs(ONE_INPUT_SMOOTH))
def test_grad_of_jvp_is_the_second_derivative(case):
    """Reverse over forward: grad of the tangent equals grad(grad(f))."""
    program, (x,) = case
    f = lambda x: run(program, [x])  # noqa: E731
    second = autograd.grad(lambda x: jvp(f, [x], [1.0])[1])(x)
    assert _close(second, autograd.grad(autograd.grad(f))(x), 1e-8, 1e-8)


@given(programs_with_inputs(ONE_INPUT_SMOOTH))
def test_jvp_of_jvp_is_the_second_derivative(case):
    """Forward over forward: the tangent of the tangent equals grad(grad(f))."""
    program, (x,) = case
    f = lambda x: run(program, [x])  # noqa: E731
    _, second = jvp(lambda x: jvp(f, [x], [1.0])[1], [x], [1.0])
    assert _close(second, autograd.grad(autograd.grad(f))(x), 1e-8, 1e-8)


@given(_with_direction(programs_with_inputs(SMOOTH_PROGRAMS)))
def test_jvp_of_a_partial_is_a_hessian_vector_product(case):
    """jvp of df/dx_0 along v equals row 0 of the Hessian (reverse over reverse) . v."""
    (program, point), direction = case
    f = lambda *xs: run(program, xs)  # noqa: E731
    _, tangent = jvp(autograd.grad(f, 0), point, direction)
    row = autograd.grad(autograd.grad(f, 0), tuple(range(len(point))))(*point)
    expected = math.fsum(h * v for h, v in zip(row, direction))
    assert _close(tangent, expected, 1e-8, 1e-8)


def test_nested_jvp_keeps_perturbations_apart():
    """d/dx [x * d/dy (x*y)] = 2x: the inner jvp's direction does not leak out."""
    value, tangent = jvp(
        lambda x: x * jvp(lambda y: x * y, [1.0], [1.0])[1], [2.0], [1.0]
    )
    assert (value, tangent) == (4.0, 4.0)


def test_grad_through_a_closure_over_its_argument():
    """Inside grad, jvp with float inputs still differentiates a closed-over Value
    (its tangents are Values by default there); create_graph=False makes it a
    constant, as asked."""
    inner = lambda x, **kw: jvp(lambda y: x * y, [1.0], [1.0], **kw)[1]  # noqa: E731
    assert autograd.grad(inner)(2.0) == 1.0
    assert autograd.grad(lambda x: inner(x, create_graph=False))(2.0) == 0.0


def test_jvp_with_value_inputs_returns_values():
    """Value inputs give a differentiable value and tangent."""
    x = Value(3.0)
    value, tangent = jvp(lambda y: y * y, [x], [1.0])
    assert isinstance(value, Value) and isinstance(tangent, Value)
    assert (value.data, tangent.data) == (9.0, 6.0)
