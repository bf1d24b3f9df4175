"""Toy data sets in pure Python, deterministic given a seed."""

from __future__ import annotations

import math
import random

from nn import _checks

__all__ = ["make_moons"]


def make_moons(
    n_samples: int = 100,
    noise: float = 0.1,
    seed: int | None = None,
    *,
    shuffle: bool = True,
) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles, as ``sklearn.datasets.make_moons``.

    Returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` points, ``y`` their labels, 0 for
    the outer moon (cos t, sin t) and 1 for the inner one (1 - cos t, 1/2 - sin t),
    t evenly spaced in [0, pi]; ``n_samples // 2`` points are outer. Gaussian noise
    of standard deviation ``noise`` is added to each coordinate. Randomness (noise,
    shuffling) comes from a private ``random.Random(seed)``. For -1/+1 labels (the
    hinge loss) use ``[2 * label - 1 for label in y]``. ``n_samples`` is an int
    >= 1, ``noise`` a finite number >= 0, ``seed`` an int or None.
    """
    where = "make_moons"
    n_samples = _checks.count(where, "n_samples", n_samples)
    noise = _checks.real(where, "noise", noise)
    seed = _checks.seed(where, seed)
    _checks.flag(where, "shuffle", shuffle)
    rng = random.Random(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    points = [[math.cos(t), math.sin(t)] for t in _linspace_pi(n_outer)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace_pi(n_inner)]
    labels = [0] * n_outer + [1] * n_inner
    if shuffle:
        order = list(range(n_samples))
        rng.shuffle(order)
        points = [points[i] for i in order]
        labels = [labels[i] for i in order]
    if noise:
        points = [
            [x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y in points
        ]
    return points, labels


def _linspace_pi(n: int) -> list[float]:
    """n angles evenly spaced from 0 to pi, both ends included (numpy's linspace)."""
    if n == 1:
        return [0.0]
    return [math.pi * i / (n - 1) for i in range(n)]
