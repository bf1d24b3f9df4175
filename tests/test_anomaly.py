"""Anomaly mode: the first NaN or inf, forward or backward, raises with its culprit."""

from __future__ import annotations

import gc
import inspect
import math
import weakref

import pytest

import autograd
from autograd import AnomalyError, Value, detect_anomaly
from autograd.modes import state

nan, inf = math.nan, math.inf


def here(offset: int = 0) -> str:
    """``file:line`` of the caller's line plus ``offset``."""
    frame = inspect.currentframe().f_back  # type: ignore[union-attr]
    return f"{__file__}:{frame.f_lineno + offset}"  # type: ignore[union-attr]


def test_off_by_default() -> None:
    """Without detect_anomaly, inf - inf is a NaN Value, not an error."""
    assert math.isnan((Value(inf) - Value(inf)).data)


def test_anomaly_error_is_an_arithmetic_error() -> None:
    """AnomalyError is an ArithmeticError, like OverflowError and ZeroDivisionError."""
    assert issubclass(AnomalyError, ArithmeticError)


def test_forward_nan_raises_naming_op_inputs_and_site() -> None:
    """A NaN forward result raises with the op, its inputs and the creating line."""
    x, y = Value(inf), Value(inf)
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        site = here(1)
        x - y
    message = str(info.value)
    assert message.startswith("sub(inf, inf) returned nan in the forward pass")
    assert site in message
    assert (info.value.phase, info.value.op, info.value.inputs) == (
        "forward",
        "sub",
        (inf, inf),
    )
    assert info.value.site == site


def test_forward_overflow_to_inf_raises() -> None:
    """A finite op that overflows to inf (1e308 * 10) is an anomaly."""
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"mul\(1e\+308, 10.0\)"):
        Value(1e308) * 10


def test_nan_leaf_is_not_an_anomaly() -> None:
    """Value(nan) is data: making it inside anomaly mode raises nothing."""
    with detect_anomaly():
        assert math.isnan(Value(nan).data)


def test_first_op_reading_a_nan_leaf_is_flagged() -> None:
    """The first op that reads a NaN leaf raises, showing the NaN among its inputs."""
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"add\(nan, 1.0\)"):
        Value(nan) + 1


def test_finite_result_from_non_finite_input_is_not_flagged() -> None:
    """tanh(inf) = 1.0 and nan ** 0 = 1.0 are finite results: no anomaly."""
    with detect_anomaly():
        assert Value(inf).tanh().data == 1.0
        assert (Value(nan) ** 0).data == 1.0


def test_backward_inf_raises_naming_upstream_partial_and_site() -> None:
    """sqrt at 0 has an infinite partial: the backward error names it all."""
    with detect_anomaly():
        x = Value(0.0)
        site = here(1)
        y = x.sqrt() * 3
        with pytest.raises(AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert message.startswith(
        "sqrt(0.0) = 0.0: its backward contribution to input 0 is inf "
        "(upstream gradient 3.0 * local partial inf)"
    )
    assert f"created at {site}" in message
    assert (info.value.phase, info.value.op) == ("backward", "sqrt")


def test_backward_nan_contribution_raises() -> None:
    """0 * inf in a backward pass (upstream 0, partial inf) is an anomaly."""
    x = Value(0.0)
    with detect_anomaly():
        y = x.sqrt() * 0
        with pytest.raises(AnomalyError, match="contribution to input 0 is nan"):
            y.backward()


def test_graph_built_outside_anomaly_mode_has_an_unknown_site() -> None:
    """Backward in anomaly mode over a graph made outside it: the site is unknown."""
    y = Value(0.0).sqrt()
    with detect_anomaly(), pytest.raises(AnomalyError, match="site unknown"):
        y.backward()


def test_site_is_remembered_across_blocks() -> None:
    """A graph built in one block and backpropagated in another keeps its site."""
    with detect_anomaly():
        site = here(1)
        y = Value(0.0).sqrt()
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        y.backward()
    assert info.value.site == site


def test_backward_outside_anomaly_mode_is_unchecked() -> None:
    """A graph built in anomaly mode backpropagates freely once the mode is off."""
    with detect_anomaly():
        x = Value(0.0)
        y = x.sqrt()
    y.backward()
    assert x.grad == inf


def test_differentiable_backward_is_checked() -> None:
    """backward(create_graph=True) also raises at a non-finite contribution."""
    with detect_anomaly():
        x = Value(-1.0)
        (abs(x) * 2 + x.exp()).backward(create_graph=True)  # finite: no error
        y = Value(1.0) * 1e300
        with pytest.raises(AnomalyError, match=r"^mul\(1\.0, 1e\+300\) = ") as caught:
            y.backward(1e10, create_graph=True)
    assert caught.value.phase == "backward"  # the user's op, not the rule's nodes


def test_no_grad_forward_names_the_op() -> None:
    """Under no_grad the node records no op, yet the error still names it."""
    with (
        detect_anomaly(),
        autograd.no_grad(),
        pytest.raises(AnomalyError, match=r"^mul\(inf, 0.0\) returned nan"),
    ):
        Value(inf) * 0.0


def test_n_ary_message_is_abbreviated_and_points_at_the_bad_input() -> None:
    """A sum of many inputs shows a few and the index of each non-finite one."""
    values = [1.0] * 20 + [nan]
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        autograd.sum(values)
    message = str(info.value)
    assert "21 inputs; non-finite: #20=nan" in message
    assert len(message.splitlines()[0]) < 120


def test_op_made_inside_nn_names_the_user_line_and_the_nn_line() -> None:
    """A NaN made inside an nn layer points at the user's call and the nn line."""
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [3, 1], seed=0)
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        site = here(1)
        model([nan, 1.0])
    assert info.value.site is not None
    assert info.value.site.startswith(f"{site} (in ")
    assert "nn" in info.value.site.split(" (in ")[1]


def test_nested_blocks_keep_the_mode_on_until_the_outer_one_ends() -> None:
    """Leaving an inner detect_anomaly block does not turn the mode off."""
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(AnomalyError):
            Value(inf) - inf
    assert math.isnan((Value(inf) - inf).data)


def test_mode_is_off_after_an_anomaly() -> None:
    """After an AnomalyError escapes the block, the fast path is back."""
    with pytest.raises(AnomalyError), detect_anomaly():
        Value(inf) - inf
    assert state.plain and not state.observers


def test_remembered_sites_do_not_keep_a_graph_alive() -> None:
    """Nodes made in anomaly mode are freed when dropped (sites are held weakly)."""
    with detect_anomaly():
        y = Value(1.0) * 2
        ref = weakref.ref(y)
        del y
    gc.collect()
    assert ref() is None


def test_example_message_in_the_readme() -> None:
    """The example message of docs/errors.md is what anomaly mode prints."""
    with detect_anomaly():
        x = Value(-1.0)
        y = (x * x - 1.0).sqrt() + x
        with pytest.raises(AnomalyError) as info:
            y.backward()
    assert str(info.value).splitlines()[0] == (
        "sqrt(0.0) = 0.0: its backward contribution to input 0 is inf "
        "(upstream gradient 1.0 * local partial inf)"
    )
