"""Loss functions: each the mean over samples, as one fused ``autograd.sum`` node.

Predictions, scores and logits may be Values or numbers; targets and labels are
numbers. A single sample may be passed as a bare Value (or number) instead of a list.
Lengths that do not match raise ``ValueError`` naming both.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Union

import autograd
from autograd import Value

__all__ = ["binary_cross_entropy", "cross_entropy", "hinge_loss", "mse_loss"]

Scalar = Union[Value, float, int]  # noqa: UP007 - a runtime alias must work on 3.10
Scalars = Union[Scalar, Sequence[Scalar]]  # noqa: UP007


def _samples(xs: Any) -> list[Any]:
    if isinstance(xs, (Value, numbers.Real)):
        return [xs]
    return list(xs)


def _value(x: Any) -> Value:
    return x if type(x) is Value else Value(x)


def _pair(
    where: str, first: Any, second: Any, names: tuple[str, str]
) -> tuple[list[Any], list[Any]]:
    a, b = _samples(first), _samples(second)
    if len(a) != len(b):
        raise ValueError(f"{where}: {len(a)} {names[0]} but {len(b)} {names[1]}")
    if not a:
        raise ValueError(f"{where}: no samples (the mean of nothing is undefined)")
    return a, b


def _mean(terms: list[Any]) -> Value:
    return autograd.sum(terms) / len(terms)


def mse_loss(predictions: Scalars, targets: Scalars) -> Value:
    """Mean squared error: mean of (prediction - target)**2."""
    ps, ts = _pair("mse_loss", predictions, targets, ("predictions", "targets"))
    terms = []
    for p, t in zip(ps, ts):
        d = _value(p) - t
        terms.append(d * d)
    return _mean(terms)


def hinge_loss(scores: Scalars, labels: Scalars) -> Value:
    """SVM hinge loss for labels -1/+1: mean of relu(1 - label * score)."""
    ss, ys = _pair("hinge_loss", scores, labels, ("scores", "labels"))
    one = Value(1.0)  # one constant leaf for every term, not one per term
    terms = []
    for i, (s, y) in enumerate(zip(ss, ys)):
        if y == 1:
            margin = one - _value(s)
        elif y == -1:
            margin = one + _value(s)
        else:
            raise ValueError(
                f"hinge_loss: labels must be -1 or +1, got {y!r} at index {i} "
                "(for 0/1 labels use 2*y - 1)"
            )
        terms.append(margin.relu())
    return _mean(terms)


def binary_cross_entropy(logits: Scalars, labels: Scalars) -> Value:
    """Binary cross-entropy of sigmoid(logit) against labels in [0, 1], from logits.

    Per sample -[y log s(z) + (1 - y) log(1 - s(z))] = softplus(z) - y*z, which is
    finite and exact for any logit z (no overflow, no log of 0).
    """
    zs, ys = _pair("binary_cross_entropy", logits, labels, ("logits", "labels"))
    terms = []
    for i, (z, y) in enumerate(zip(zs, ys)):
        if isinstance(y, Value) or not 0 <= y <= 1:
            raise ValueError(
                f"binary_cross_entropy: labels must be numbers in [0, 1], "
                f"got {y!r} at index {i}"
            )
        z = _value(z)
        terms.append(z.softplus() - y * z if y else z.softplus())
    return _mean(terms)


def cross_entropy(logits: Sequence[Any], target_index: int | Sequence[int]) -> Value:
    """Softmax cross-entropy: -log softmax(logits)[target], mean over samples.

    One sample: ``logits`` is a list of scores and ``target_index`` an int. Several:
    a list of such lists and a list of ints. Computed as log-sum-exp with the largest
    logit m taken out, log(sum(exp(z_i - m))) + m - z_target: exact, and finite for
    logits of any size (m is a constant, so the gradient is softmax - one_hot).
    """
    rows: list[Any]
    targets: list[Any]
    if isinstance(target_index, numbers.Integral):
        rows, targets = [logits], [target_index]
    else:
        rows, targets = _pair(
            "cross_entropy", logits, target_index, ("samples of logits", "targets")
        )
    classes = 0
    terms = []
    for i, (row, t) in enumerate(zip(rows, targets)):
        if isinstance(row, (Value, numbers.Real)):
            raise ValueError(
                f"cross_entropy: sample {i} is a single number; logits need one "
                "score per class (a list)"
            )
        zs = [_value(z) for z in row]
        if i == 0:
            classes = len(zs)
            if classes == 0:
                raise ValueError("cross_entropy: sample 0 has no logits")
        elif len(zs) != classes:
            raise ValueError(
                f"cross_entropy: sample {i} has {len(zs)} logits but sample 0 "
                f"has {classes}"
            )
        index = -1 if isinstance(t, bool) else t
        if not isinstance(index, numbers.Integral) or not 0 <= int(index) < classes:
            raise ValueError(
                f"cross_entropy: target {t!r} of sample {i} is not a class index "
                f"in [0, {classes})"
            )
        m = max(z.data for z in zs)  # a constant: subtracting it changes nothing
        total = autograd.sum([(z - m).exp() for z in zs])
        terms.append(total.log() - (zs[int(index)] - m))
    return _mean(terms)
