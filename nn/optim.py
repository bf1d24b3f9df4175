"""Optimizers with the update rules of ``torch.optim.SGD`` and ``torch.optim.Adam``.

Each reads ``p.grad`` (a float; after ``backward(create_graph=True)`` a Value, whose
number is used) and changes ``p.data`` in place. ``lr`` is a plain attribute: set it
between steps for a schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from autograd import Value
from nn._checks import describe, real
from nn.module import Module

__all__ = ["SGD", "Adam", "Optimizer"]


def _parameters(where: str, params: Any) -> list[Value]:
    """``params`` as a list of distinct Values, or an error that says what to pass."""
    if isinstance(params, Module):
        raise TypeError(
            f"{where}: params must be the parameters, not the model: pass "
            f"model.parameters() (got {describe(params)})"
        )
    if isinstance(params, Value):
        raise TypeError(
            f"{where}: params must be a list of Values, got one Value; write [p]"
        )
    if isinstance(params, Mapping):
        raise TypeError(
            f"{where}: params must be a list of Values, got {describe(params)}; "
            "pass model.parameters()"
        )
    if isinstance(params, (str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(
            f"{where}: params must be a list of Values (model.parameters()), "
            f"got {describe(params)}"
        )
    values = list(params)
    if not values:
        raise ValueError(f"{where}: params is empty (got no parameters)")
    first: dict[int, int] = {}
    for i, p in enumerate(values):
        if not isinstance(p, Value):
            hint = (
                "; parameter groups (dicts) are not supported"
                if isinstance(p, Mapping)
                else ""
            )
            raise TypeError(
                f"{where}: params[{i}] (parameter {i}) is {describe(p)}, "
                f"not a Value{hint}"
            )
        if id(p) in first:
            raise ValueError(
                f"{where}: params[{i}] is the same Value as params[{first[id(p)]}]; "
                "each parameter once (it would be updated twice per step)"
            )
        first[id(p)] = i
    return values


def _grad(optimizer: Optimizer, p: Value) -> float:
    """``p.grad`` as a float (the step's loops call this only when it is not one)."""
    g = p.grad
    if type(g) is float:
        return g
    if isinstance(g, Value):  # after backward(create_graph=True)
        return g.data
    where = f"{type(optimizer).__name__}.step"
    name = f"params[{optimizer.params.index(p)}].grad"
    try:
        return real(where, name, g, low=-math.inf)
    except ValueError:  # not finite: used as a float gradient would be
        return float(g)


class Optimizer:
    """Holds the parameters and the learning rate; ``zero_grad`` and ``step``.

    ``lr`` and the other settings are attributes, checked whenever they are set
    (a schedule sets ``lr`` between steps): real numbers in range, else
    ``TypeError`` or ``ValueError`` naming them.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = _parameters(type(self).__name__, params)
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate, a finite number >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = real(type(self).__name__, "lr", value)

    @property
    def weight_decay(self) -> float:
        """The L2 penalty's factor, a finite number >= 0."""
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._weight_decay = real(type(self).__name__, "weight_decay", value)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and L2 weight decay.

    As ``torch.optim.SGD`` (dampening 0, no Nesterov): g = grad + weight_decay * p;
    with momentum, buf = g on the first step and momentum * buf + g after, and g =
    buf; then p = p - lr * g. ``lr``, ``momentum`` and ``weight_decay`` are finite
    numbers >= 0.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.weight_decay = weight_decay
        self._buffers: list[float] | None = None  # momentum buffers, from step 1

    @property
    def momentum(self) -> float:
        """The momentum factor, a finite number >= 0 (0: plain SGD)."""
        return self._momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        self._momentum = real(type(self).__name__, "momentum", value)

    def step(self) -> None:
        """One update of every parameter."""
        lr, momentum, decay = self._lr, self._momentum, self._weight_decay
        if not momentum:
            for p in self.params:
                g = p.grad
                if type(g) is not float:
                    g = _grad(self, p)
                if decay:
                    g = g + decay * p.data
                p.data -= lr * g
            return
        buffers = self._buffers
        first = buffers is None
        if buffers is None:
            buffers = self._buffers = [0.0] * len(self.params)
        for i, p in enumerate(self.params):
            g = p.grad
            if type(g) is not float:
                g = _grad(self, p)
            if decay:
                g = g + decay * p.data
            g = buffers[i] = g if first else momentum * buffers[i] + g
            p.data -= lr * g


class Adam(Optimizer):
    """Adam with bias correction, and L2 weight decay added to the gradient.

    As ``torch.optim.Adam`` (not AdamW, no amsgrad): at step t, g = grad +
    weight_decay * p; m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) *
    g**2; p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps).
    ``lr`` and ``weight_decay`` are finite numbers >= 0, each beta is in [0, 1),
    and ``eps`` > 0 (it keeps the step finite where a gradient is 0).
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.t = 0  # steps taken
        self._m = [0.0] * len(self.params)  # first moments
        self._v = [0.0] * len(self.params)  # second moments

    @property
    def betas(self) -> tuple[float, float]:
        """(beta1, beta2): the moments' decay rates, each in [0, 1)."""
        return self._betas

    @betas.setter
    def betas(self, value: tuple[float, float]) -> None:
        if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
            raise TypeError(
                f"Adam: betas must be a pair (beta1, beta2) such as (0.9, 0.999), "
                f"got {describe(value)}"
            )
        if len(value) != 2:
            raise ValueError(
                f"Adam: betas must be a pair (beta1, beta2), got {len(value)} numbers"
            )
        self._betas = (
            real("Adam", "betas[0]", value[0], high=1.0),
            real("Adam", "betas[1]", value[1], high=1.0),
        )

    @property
    def eps(self) -> float:
        """The term added to the denominator, a finite number > 0."""
        return self._eps

    @eps.setter
    def eps(self, value: float) -> None:
        self._eps = real(type(self).__name__, "eps", value, low_open=True)

    def step(self) -> None:
        """One update of every parameter."""
        self.t += 1
        beta1, beta2 = self._betas
        decay, eps = self._weight_decay, self._eps
        # Arranged as torch computes it (the same formula): m moves towards g by
        # (1 - beta1) of the gap; step_size = lr / (1 - beta1**t); the denominator is
        # sqrt(v) / sqrt(1 - beta2**t) + eps.
        step_size = self._lr / (1.0 - beta1**self.t)
        correction2_sqrt = math.sqrt(1.0 - beta2**self.t)
        m, v = self._m, self._v
        for i, p in enumerate(self.params):
            g = p.grad
            if type(g) is not float:
                g = _grad(self, p)
            if decay:
                g = g + decay * p.data
            m[i] = mi = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = vi = v[i] * beta2 + (1.0 - beta2) * g * g
            p.data -= step_size * (mi / (math.sqrt(vi) / correction2_sqrt + eps))
