"""Loss functions: each the mean over samples, as one fused ``autograd.sum`` node.

Predictions, scores and logits may be Values or numbers; targets and labels are
numbers. A single sample may be passed as a bare Value (or number) instead of a list.
Lengths that do not match raise ``ValueError`` naming both.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn, Union

import autograd
from autograd import Value
from nn._checks import describe, is_number

__all__ = ["binary_cross_entropy", "cross_entropy", "hinge_loss", "mse_loss"]

Scalar = Union[Value, float, int]  # noqa: UP007 - a runtime alias must work on 3.10
Scalars = Union[Scalar, Sequence[Scalar]]  # noqa: UP007

_NOT_LISTS = (str, bytes, Mapping, set, frozenset)


def _samples(where: str, name: str, xs: Any) -> list[Any]:
    """``xs`` as a list of samples: a bare Value or number is one sample."""
    if type(xs) is list:
        return xs
    if isinstance(xs, (Value, numbers.Real)):
        return [xs]
    if isinstance(xs, _NOT_LISTS) or not isinstance(xs, Iterable):
        raise TypeError(
            f"{where}: {name} must be a number, a Value or a list of them, "
            f"got {describe(xs)}"
        )
    return list(xs)


def _how_many(n: int, nouns: str) -> str:
    """``1 label``, ``2 labels`` (from the plural)."""
    return f"{n} {nouns[:-1] if n == 1 else nouns}"


def _value(x: Any) -> Value:
    return x if type(x) is Value else Value(x)


def _pair(
    where: str, first: Any, second: Any, names: tuple[str, str]
) -> tuple[list[Any], list[Any]]:
    a, b = _samples(where, names[0], first), _samples(where, names[1], second)
    if len(a) != len(b):
        raise ValueError(
            f"{where}: {_how_many(len(a), names[0])} but {_how_many(len(b), names[1])}"
        )
    if not a:
        raise ValueError(f"{where}: no samples (the mean of nothing is undefined)")
    return a, b


def _wrong_element(
    where: str, error: Exception, *columns: tuple[str, list[Any], bool]
) -> NoReturn:
    """Raise the error naming the first element that is not a number, or ``error``.

    Each column is (name, items, Values allowed). Called only once the fast loop
    has failed, so that loop checks nothing per element itself.
    """
    for name, items, values_allowed in columns:
        for i, x in enumerate(items):
            ok = is_number(x) if values_allowed else _is_real(x)
            if not ok:
                kind = "a number or a Value" if values_allowed else "a number"
                hint = ""
                if isinstance(x, (list, tuple)):
                    hint = " (one number per sample: flatten a model's list outputs)"
                raise TypeError(
                    f"{where}: {name}[{i}] must be {kind}, got {describe(x)}{hint}"
                ) from None
    raise error


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, Value)


def _mean(terms: list[Any]) -> Value:
    return autograd.sum(terms) / len(terms)


def mse_loss(predictions: Scalars, targets: Scalars) -> Value:
    """Mean squared error: mean of (prediction - target)**2."""
    where = "mse_loss"
    ps, ts = _pair(where, predictions, targets, ("predictions", "targets"))
    terms = []
    try:
        for p, t in zip(ps, ts):
            d = _value(p) - t
            terms.append(d * d)
    except TypeError as error:
        _wrong_element(where, error, ("predictions", ps, True), ("targets", ts, True))
    return _mean(terms)


def hinge_loss(scores: Scalars, labels: Scalars) -> Value:
    """SVM hinge loss for labels -1/+1: mean of relu(1 - label * score)."""
    where = "hinge_loss"
    ss, ys = _pair(where, scores, labels, ("scores", "labels"))
    one = Value(1.0)  # one constant leaf for every term, not one per term
    terms = []
    try:
        for i, (s, y) in enumerate(zip(ss, ys)):
            if y == 1:
                margin = one - _value(s)
            elif y == -1:
                margin = one + _value(s)
            else:
                raise ValueError(
                    f"hinge_loss: labels must be -1 or +1, got {describe(y)} at "
                    f"index {i} (labels[{i}]; for 0/1 labels use 2*y - 1)"
                )
            terms.append(margin.relu())
    except TypeError as error:
        _wrong_element(where, error, ("scores", ss, True))
    return _mean(terms)


def binary_cross_entropy(logits: Scalars, labels: Scalars) -> Value:
    """Binary cross-entropy of sigmoid(logit) against labels in [0, 1], from logits.

    Per sample -[y log s(z) + (1 - y) log(1 - s(z))] = softplus(z) - y*z, which is
    finite and exact for any logit z (no overflow, no log of 0).
    """
    where = "binary_cross_entropy"
    zs, ys = _pair(where, logits, labels, ("logits", "labels"))
    terms = []
    try:
        for i, (z, y) in enumerate(zip(zs, ys)):
            if isinstance(y, Value) or not 0 <= y <= 1:
                raise ValueError(
                    f"binary_cross_entropy: labels must be numbers in [0, 1], "
                    f"got {describe(y)} at index {i} (labels[{i}])"
                )
            z = _value(z)
            terms.append(z.softplus() - y * z if y else z.softplus())
    except TypeError as error:
        _wrong_element(where, error, ("labels", ys, False), ("logits", zs, True))
    return _mean(terms)


def cross_entropy(logits: Sequence[Any], target_index: int | Sequence[int]) -> Value:
    """Softmax cross-entropy: -log softmax(logits)[target], mean over samples.

    One sample: ``logits`` is a list of scores and ``target_index`` an int. Several:
    a list of such lists and a list of ints. Computed as log-sum-exp with the largest
    logit m taken out, log(sum(exp(z_i - m))) + m - z_target: exact, and finite for
    logits of any size (m is a constant, so the gradient is softmax - one_hot).
    """
    where = "cross_entropy"
    rows: list[Any]
    targets: list[Any]
    single = isinstance(target_index, numbers.Integral)
    if single:
        rows, targets = [logits], [target_index]
    elif isinstance(target_index, (Value, numbers.Real)):
        raise TypeError(
            f"{where}: target_index must be an int (a class index) or a list of "
            f"ints, got {describe(target_index)}"
        )
    else:
        if isinstance(logits, _NOT_LISTS) or not isinstance(logits, Iterable):
            raise TypeError(
                f"{where}: logits must be a list of scores (one sample) or a list "
                f"of such lists, got {describe(logits)}"
            )
        rows = list(logits)
        targets = _samples(where, "target_index", target_index)
        if len(rows) != len(targets):
            raise ValueError(
                f"{where}: {_how_many(len(rows), 'samples')} of logits but "
                f"{_how_many(len(targets), 'targets')}"
            )
        if not rows:
            raise ValueError(f"{where}: no samples (the mean of nothing is undefined)")
    classes = 0
    terms = []
    for i, (row, t) in enumerate(zip(rows, targets)):
        name = "logits" if single else f"logits[{i}]"
        if isinstance(row, (Value, numbers.Real)):
            raise ValueError(
                f"{where}: sample {i} is a single number; logits need one "
                f"score per class (a list), got {name} = {describe(row)}"
            )
        if isinstance(row, _NOT_LISTS) or not isinstance(row, Iterable):
            raise TypeError(
                f"{where}: {name} must be a list of scores (one per class), "
                f"got {describe(row)}"
            )
        row = list(row)
        if single and row and isinstance(row[0], (list, tuple)):
            raise TypeError(
                f"{where}: logits is a list of lists (several samples) but "
                f"target_index is one int ({target_index!r}); pass one target per "
                "sample, a list of ints"
            )
        try:
            zs = [_value(z) for z in row]
        except TypeError as error:
            _wrong_element(where, error, (name, row, True))
        if i == 0:
            classes = len(zs)
            if classes == 0:
                raise ValueError(f"{where}: sample 0 has no logits")
        elif len(zs) != classes:
            raise ValueError(
                f"{where}: sample {i} has {len(zs)} logits but sample 0 has {classes}"
            )
        index = -1 if isinstance(t, bool) else t
        if not isinstance(index, numbers.Integral) or not 0 <= int(index) < classes:
            raise ValueError(
                f"{where}: target {t!r} of sample {i} (target_index) is not a class "
                f"index in [0, {classes})"
            )
        m = max(z.data for z in zs)  # a constant: subtracting it changes nothing
        total = autograd.sum([(z - m).exp() for z in zs])
        terms.append(total.log() - (zs[int(index)] - m))
    return _mean(terms)
