"""Optimizers: they lower a loss, and their steps match hand-computed updates."""

from __future__ import annotations

import math
import random
import re

import pytest
from capabilities import missing
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value


def _quadratic(params: list[Value]) -> Value:
    """sum((p - 3)**2): minimum 0 at p = 3."""
    return nn.mse_loss(params, [3.0] * len(params)) * len(params)


def _set_grads(params: list[Value], grads: list[float]) -> None:
    for p, g in zip(params, grads):
        p.grad = g


def _train(optimizer: nn.Optimizer, params: list[Value], steps: int) -> list[float]:
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = _quadratic(params)
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


# -- they train ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.SGD(ps, lr=0.1),
        lambda ps: nn.SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: nn.Adam(ps, lr=0.1),
    ],
)
def test_optimizer_lowers_a_quadratic_loss(make) -> None:
    """150 steps bring sum((p - 3)**2) below 1% of its starting value."""
    params = [Value(-1.0), Value(0.5), Value(10.0)]
    losses = _train(make(params), params, 150)
    assert losses[-1] < 1e-2 * losses[0]


@pytest.mark.parametrize(
    "make", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.Adam(ps, lr=0.01)]
)
def test_optimizer_lowers_an_mlp_regression_loss(make) -> None:
    """Training an MLP on a small regression problem lowers its loss."""
    model = nn.MLP(1, [8, 1], activation="tanh", seed=0)
    xs = [[x / 5.0] for x in range(-5, 6)]
    ys = [math.sin(2.0 * x[0]) for x in xs]
    optimizer = make(model.parameters())

    def loss() -> Value:
        return nn.mse_loss([model(x) for x in xs], ys)

    before = loss().data
    for _ in range(100):
        optimizer.zero_grad()
        current = loss()
        current.backward()
        optimizer.step()
    assert loss().data < 0.5 * before


# -- SGD by hand ---------------------------------------------------------------------


def test_sgd_step_is_p_minus_lr_times_grad() -> None:
    """Plain SGD: p <- p - lr * g."""
    p = Value(1.0)
    optimizer = nn.SGD([p], lr=0.5)
    p.grad = 0.25
    optimizer.step()
    assert p.data == 1.0 - 0.5 * 0.25


def test_sgd_momentum_buffer_starts_at_the_gradient() -> None:
    """Momentum, as torch: buf1 = g1, buf2 = m*buf1 + g2, p -= lr * buf each step."""
    p = Value(1.0)
    optimizer = nn.SGD([p], lr=0.1, momentum=0.9)
    p.grad = 2.0
    optimizer.step()  # buf = 2.0
    assert p.data == 1.0 - 0.1 * 2.0
    p.grad = -1.0
    optimizer.step()  # buf = 0.9 * 2.0 - 1.0 = 0.8
    assert p.data == pytest.approx(1.0 - 0.1 * 2.0 - 0.1 * 0.8, rel=1e-15)


def test_sgd_weight_decay_adds_decay_times_p_to_the_gradient() -> None:
    """Weight decay: g <- g + wd * p before the update."""
    p = Value(2.0)
    optimizer = nn.SGD([p], lr=0.1, weight_decay=0.5)
    p.grad = 1.0
    optimizer.step()  # g = 1 + 0.5 * 2 = 2
    assert p.data == pytest.approx(2.0 - 0.1 * 2.0, rel=1e-15)


def test_sgd_weight_decay_enters_the_momentum_buffer() -> None:
    """With both, the decayed gradient is what the buffer accumulates."""
    p = Value(1.0)
    optimizer = nn.SGD([p], lr=0.1, momentum=0.5, weight_decay=0.1)
    p.grad = 1.0
    optimizer.step()  # g = 1.1, buf = 1.1, p = 1 - 0.11 = 0.89
    assert p.data == pytest.approx(0.89, rel=1e-15)
    p.grad = 0.0
    optimizer.step()  # g = 0.089, buf = 0.55 + 0.089 = 0.639, p = 0.89 - 0.0639
    assert p.data == pytest.approx(0.89 - 0.0639, rel=1e-14)


# -- Adam by hand --------------------------------------------------------------------


def test_adam_first_step_moves_by_lr_times_the_sign() -> None:
    """After bias correction, Adam's first step is lr * g / (|g| + eps)."""
    ps = [Value(0.0), Value(0.0)]
    optimizer = nn.Adam(ps, lr=0.01)
    _set_grads(ps, [3.0, -1e-3])
    optimizer.step()
    assert ps[0].data == pytest.approx(-0.01 * 3.0 / (3.0 + 1e-8), rel=1e-12)
    assert ps[1].data == pytest.approx(0.01 * 1e-3 / (1e-3 + 1e-8), rel=1e-12)


def test_adam_two_steps_match_the_formula() -> None:
    """Two steps of Adam with weight decay match the textbook formula by hand."""
    lr, (b1, b2), eps, wd = 0.1, (0.8, 0.9), 1e-6, 0.05
    p = Value(1.0)
    optimizer = nn.Adam([p], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    theta, m, v = 1.0, 0.0, 0.0
    for t, g in enumerate([0.5, -2.0], start=1):
        p.grad = g
        optimizer.step()
        g = g + wd * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
        assert p.data == pytest.approx(theta, rel=1e-13)


# -- schedules, zero_grad, gradients that are Values --------------------------------


@pytest.mark.parametrize(
    "make", [lambda ps: nn.SGD(ps, lr=1.0), lambda ps: nn.Adam(ps, lr=1.0)]
)
def test_lr_may_change_between_steps(make) -> None:
    """Setting ``lr`` to 0 between steps stops the updates."""
    p = Value(1.0)
    optimizer = make([p])
    p.grad = 1.0
    optimizer.step()
    moved = p.data
    assert moved != 1.0
    optimizer.lr = 0.0
    optimizer.step()
    assert p.data == moved


def test_optimizer_zero_grad_clears_its_parameters() -> None:
    """The optimizer's zero_grad sets each parameter's gradient to 0.0."""
    ps = [Value(1.0), Value(2.0)]
    optimizer = nn.Adam(ps)
    _set_grads(ps, [1.0, -1.0])
    optimizer.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_a_value_gradient_is_read_by_its_number() -> None:
    """After backward(create_graph=True), ``.grad`` is a Value; step uses its data."""
    p = Value(3.0)
    (p * p).backward(create_graph=True)
    assert isinstance(p.grad, Value)
    nn.SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(3.0 - 0.1 * 6.0, rel=1e-15)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.SGD(ps, lr=-1.0),
        lambda ps: nn.SGD(ps, lr=0.1, momentum=-0.5),
        lambda ps: nn.SGD(ps, lr=0.1, weight_decay=-1.0),
        lambda ps: nn.Adam(ps, betas=(1.0, 0.999)),
        lambda ps: nn.Adam(ps, eps=-1.0),
        lambda ps: nn.Adam(ps, eps=0.0),
        lambda ps: nn.Adam(ps, betas=(0.9, 1.5)),
        lambda ps: nn.SGD(ps, lr=float("inf")),
        lambda ps: nn.SGD([], lr=0.1),
    ],
)
def test_invalid_settings_are_rejected(make) -> None:
    """Negative or infinite rates, betas outside [0, 1), eps <= 0 and no parameters
    raise ValueError."""
    with pytest.raises(ValueError):
        make([Value(1.0)])


def test_non_value_parameters_are_rejected() -> None:
    """A parameter list holding a float raises TypeError naming its position."""
    with pytest.raises(TypeError, match=re.escape("params[1] (parameter 1)")):
        nn.SGD([Value(1.0), 2.0], lr=0.1)  # type: ignore[list-item]


def test_adam_with_a_zero_gradient_steps_by_zero() -> None:
    """A zero gradient moves nothing (eps > 0 keeps the denominator positive)."""
    p = Value(1.5)
    optimizer = nn.Adam([p], lr=0.1)
    p.grad = 0.0
    optimizer.step()
    assert p.data == 1.5


# -- against PyTorch, when it is installed -------------------------------------------

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.3, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": (0.3, 0.4), "eps": 1e-6}),
]


@pytest.mark.parametrize(("name", "settings"), CONFIGS)
@given(
    seed=st.integers(0, 2**32),
    steps=st.integers(1, 12),
)
def test_updates_match_torch_optim(name: str, settings: dict, seed: int, steps: int):
    """The same gradients give the same parameters as torch.optim (to rounding)."""
    try:
        import torch
    except ImportError:
        missing("torch", 'PyTorch is not installed (pip install -e ".[torch]")')
    rng = random.Random(seed)
    start = [rng.uniform(-2.0, 2.0) for _ in range(5)]
    ours = [Value(x) for x in start]
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = getattr(nn, name)(ours, **settings)
    reference = getattr(torch.optim, name)([theirs], **settings)
    for _ in range(steps):
        grads = [rng.gauss(0.0, 1.0) for _ in start]
        _set_grads(ours, grads)
        theirs.grad = torch.tensor(grads, dtype=torch.float64)
        optimizer.step()
        reference.step()
    expected = theirs.detach().tolist()
    assert [p.data for p in ours] == pytest.approx(expected, rel=1e-12, abs=1e-12)
