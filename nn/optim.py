"""Optimizers with the update rules of ``torch.optim.SGD`` and ``torch.optim.Adam``.

Each reads ``p.grad`` (a float; after ``backward(create_graph=True)`` a Value, whose
number is used) and changes ``p.data`` in place. ``lr`` is a plain attribute: set it
between steps for a schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value

__all__ = ["SGD", "Adam", "Optimizer"]


def _check(name: str, value: float, low: float = 0.0, high: float = math.inf) -> float:
    value = float(value)
    if not low <= value < high:
        bounds = f"[{low:g}, {high:g})" if high != math.inf else f">= {low:g}"
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return value


def _grad(p: Value) -> float:
    g = p.grad
    if type(g) is float:
        return g
    return g.data if isinstance(g, Value) else float(g)


class Optimizer:
    """Holds the parameters and the learning rate; ``zero_grad`` and ``step``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} is a "
                    f"{type(p).__name__}, not a Value"
                )
        self.lr = _check("lr", lr)

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
    buf; then p = p - lr * g.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check("momentum", momentum)
        self.weight_decay = _check("weight_decay", weight_decay)
        self._buffers: list[float] | None = None  # momentum buffers, from step 1

    def step(self) -> None:
        """One update of every parameter."""
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        if not momentum:
            for p in self.params:
                g = _grad(p)
                if decay:
                    g = g + decay * p.data
                p.data -= lr * g
            return
        buffers = self._buffers
        first = buffers is None
        if buffers is None:
            buffers = self._buffers = [0.0] * len(self.params)
        for i, p in enumerate(self.params):
            g = _grad(p)
            if decay:
                g = g + decay * p.data
            g = buffers[i] = g if first else momentum * buffers[i] + g
            p.data -= lr * g


class Adam(Optimizer):
    """Adam with bias correction, and L2 weight decay added to the gradient.

    As ``torch.optim.Adam`` (not AdamW, no amsgrad): at step t, g = grad +
    weight_decay * p; m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) *
    g**2; p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps).
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
        beta1, beta2 = betas
        self.betas = (
            _check("betas[0]", beta1, high=1.0),
            _check("betas[1]", beta2, high=1.0),
        )
        self.eps = _check("eps", eps)
        self.weight_decay = _check("weight_decay", weight_decay)
        self.t = 0  # steps taken
        self._m = [0.0] * len(self.params)  # first moments
        self._v = [0.0] * len(self.params)  # second moments

    def step(self) -> None:
        """One update of every parameter."""
        self.t += 1
        beta1, beta2 = self.betas
        decay, eps = self.weight_decay, self.eps
        # Arranged as torch computes it (the same formula): m moves towards g by
        # (1 - beta1) of the gap; step_size = lr / (1 - beta1**t); the denominator is
        # sqrt(v) / sqrt(1 - beta2**t) + eps.
        step_size = self.lr / (1.0 - beta1**self.t)
        correction2_sqrt = math.sqrt(1.0 - beta2**self.t)
        m, v = self._m, self._v
        for i, p in enumerate(self.params):
            g = _grad(p)
            if decay:
                g = g + decay * p.data
            m[i] = mi = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = vi = v[i] * beta2 + (1.0 - beta2) * g * g
            p.data -= step_size * (mi / (math.sqrt(vi) / correction2_sqrt + eps))
