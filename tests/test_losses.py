"""Losses: values against their formulas, gradients against the oracle, shapes."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

# -- strategies ----------------------------------------------------------------------

moderate = st.floats(-5.0, 5.0)
sizes = st.integers(min_value=1, max_value=6)


@st.composite
def paired(draw: st.DrawFn, labels: st.SearchStrategy) -> tuple[list, list]:
    """Equal-length lists: moderate floats and labels drawn from ``labels``."""
    n = draw(sizes)
    xs = draw(st.lists(moderate, min_size=n, max_size=n))
    ys = draw(st.lists(labels, min_size=n, max_size=n))
    return xs, ys


@st.composite
def classification(draw: st.DrawFn) -> tuple[list[list[float]], list[int]]:
    """A batch of logit rows (same number of classes) and a target index per row."""
    classes = draw(st.integers(min_value=1, max_value=5))
    n = draw(sizes)
    rows = draw(
        st.lists(
            st.lists(moderate, min_size=classes, max_size=classes),
            min_size=n,
            max_size=n,
        )
    )
    targets = draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n))
    return rows, targets


def _softmax(row: list[float]) -> list[float]:
    m = max(row)
    exps = [math.exp(z - m) for z in row]
    return [e / sum(exps) for e in exps]


# -- mse -----------------------------------------------------------------------------


@given(paired(moderate))
def test_mse_is_the_mean_of_squared_differences(case) -> None:
    """mse_loss equals mean((p - t)**2)."""
    ps, ts = case
    expected = sum((p - t) ** 2 for p, t in zip(ps, ts)) / len(ps)
    assert nn.mse_loss(ps, ts).data == pytest.approx(expected, rel=1e-12, abs=1e-15)


@given(paired(moderate))
def test_mse_gradient_matches_finite_differences(case) -> None:
    """d(mse)/d(prediction) from backprop agrees with central differences."""
    ps, ts = case
    autograd.check_grad(lambda *p: nn.mse_loss(list(p), ts), ps)


def test_mse_accepts_a_single_value() -> None:
    """A bare Value and a bare number are one sample."""
    assert nn.mse_loss(Value(3.0), 1.0).data == 4.0


# -- hinge ---------------------------------------------------------------------------


@given(paired(st.sampled_from([-1, 1])))
def test_hinge_is_the_mean_of_relu_of_one_minus_margin(case) -> None:
    """hinge_loss equals mean(max(0, 1 - y*s))."""
    ss, ys = case
    expected = sum(max(0.0, 1.0 - y * s) for s, y in zip(ss, ys)) / len(ss)
    assert nn.hinge_loss(ss, ys).data == pytest.approx(expected, rel=1e-12, abs=1e-15)


@given(paired(st.sampled_from([-1, 1])))
def test_hinge_gradient_matches_finite_differences_away_from_the_kink(case) -> None:
    """d(hinge)/d(score) agrees with central differences where 1 - y*s is not 0."""
    ss, ys = case
    assume(all(abs(1.0 - y * s) > 1e-3 for s, y in zip(ss, ys)))
    autograd.check_grad(lambda *s: nn.hinge_loss(list(s), ys), ss)


@pytest.mark.parametrize("label", [0, 2, 0.5])
def test_hinge_rejects_labels_other_than_plus_minus_one(label) -> None:
    """hinge_loss names a label that is not -1 or +1 and its index."""
    with pytest.raises(ValueError, match="index 1"):
        nn.hinge_loss([0.1, 0.2], [1, label])


# -- binary cross-entropy ------------------------------------------------------------


@given(paired(st.sampled_from([0, 1])))
def test_bce_matches_the_log_likelihood_formula(case) -> None:
    """binary_cross_entropy equals -mean(y log s(z) + (1 - y) log(1 - s(z)))."""
    zs, ys = case

    def term(z: float, y: int) -> float:
        s = 1.0 / (1.0 + math.exp(-z))
        return -(y * math.log(s) + (1 - y) * math.log(1.0 - s))

    expected = sum(term(z, y) for z, y in zip(zs, ys)) / len(zs)
    result = nn.binary_cross_entropy(zs, ys).data
    assert result == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(paired(st.floats(0.0, 1.0)))
def test_bce_gradient_matches_finite_differences(case) -> None:
    """d(bce)/d(logit) from backprop agrees with central differences (soft labels)."""
    zs, ys = case
    autograd.check_grad(lambda *z: nn.binary_cross_entropy(list(z), ys), zs)


@pytest.mark.parametrize(
    ("logit", "label", "expected"),
    [(1000.0, 1, 0.0), (1000.0, 0, 1000.0), (-1000.0, 0, 0.0), (-1000.0, 1, 1000.0)],
)
def test_bce_is_exact_for_huge_logits(logit, label, expected) -> None:
    """From logits, the loss stays finite and exact at +-1000 (no log of 0)."""
    loss = nn.binary_cross_entropy([Value(logit)], [label])
    loss.backward()
    assert loss.data == expected
    assert math.isfinite(loss.inputs[0].inputs[0].grad)


def test_bce_rejects_labels_outside_zero_one() -> None:
    """binary_cross_entropy names a label outside [0, 1] and its index."""
    with pytest.raises(ValueError, match="index 0"):
        nn.binary_cross_entropy([0.0], [-1])


# -- cross-entropy -------------------------------------------------------------------


@given(classification())
def test_cross_entropy_is_minus_log_softmax_of_the_target(case) -> None:
    """cross_entropy equals mean(-log softmax(row)[target])."""
    rows, targets = case
    expected = sum(-math.log(_softmax(row)[t]) for row, t in zip(rows, targets)) / len(
        rows
    )
    result = nn.cross_entropy(rows, targets).data
    assert result == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(classification())
def test_cross_entropy_gradient_matches_finite_differences(case) -> None:
    """d(cross_entropy)/d(logit) from backprop agrees with central differences."""
    rows, targets = case
    classes = len(rows[0])
    flat = [z for row in rows for z in row]

    def f(*zs: Value) -> Value:
        batch = [list(zs[i : i + classes]) for i in range(0, len(zs), classes)]
        return nn.cross_entropy(batch, targets)

    autograd.check_grad(f, flat)


@given(classification())
def test_cross_entropy_gradient_is_softmax_minus_one_hot(case) -> None:
    """For one sample, d(loss)/d(z_i) = softmax(z)_i - [i == target]."""
    rows, targets = case
    row, t = rows[0], targets[0]
    zs = [Value(z) for z in row]
    nn.cross_entropy(zs, t).backward()
    expected = [p - (i == t) for i, p in enumerate(_softmax(row))]
    assert [z.grad for z in zs] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_cross_entropy_one_sample_equals_a_batch_of_one() -> None:
    """A row with an int target gives the same loss as a batch holding that row."""
    row = [0.3, -1.0, 2.0]
    assert nn.cross_entropy(row, 2).data == nn.cross_entropy([row], [2]).data


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cross_entropy_is_finite_for_logits_of_a_thousand(sign: float) -> None:
    """Logits of +-1000 give a finite, exact loss and finite gradients."""
    zs = [Value(sign * 1000.0), Value(0.0), Value(-sign * 1000.0)]
    loss = nn.cross_entropy(zs, 1)
    loss.backward()
    assert loss.data == 1000.0  # -log softmax: 1000 - 0, everything else underflows
    expected = [1.0, -1.0, 0.0] if sign > 0 else [0.0, -1.0, 1.0]
    assert [z.grad for z in zs] == expected


def test_cross_entropy_rows_of_different_lengths_are_rejected() -> None:
    """A batch whose rows differ in length names the sample and both lengths."""
    with pytest.raises(ValueError, match="sample 1 has 2 logits but sample 0 has 3"):
        nn.cross_entropy([[0.0, 1.0, 2.0], [0.0, 1.0]], [0, 1])


@pytest.mark.parametrize("target", [3, -1])
def test_cross_entropy_target_out_of_range_is_rejected(target: int) -> None:
    """A target index outside [0, classes) raises ValueError naming it."""
    with pytest.raises(ValueError, match=rf"target {target} .* \[0, 3\)"):
        nn.cross_entropy([0.0, 1.0, 2.0], target)


# -- shapes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "names"),
    [
        (nn.mse_loss, "3 predictions but 2 targets"),
        (nn.hinge_loss, "3 scores but 2 labels"),
        (nn.binary_cross_entropy, "3 logits but 2 labels"),
    ],
)
def test_length_mismatch_names_both_lengths(loss, names: str) -> None:
    """Lists of different lengths raise ValueError saying which lengths."""
    with pytest.raises(ValueError, match=names):
        loss([1.0, 1.0, 1.0], [1, 1])


def test_cross_entropy_batch_mismatch_names_both_lengths() -> None:
    """A batch of 2 rows with 3 targets raises ValueError saying so."""
    with pytest.raises(ValueError, match="2 samples of logits but 3 targets"):
        nn.cross_entropy([[0.0, 1.0], [1.0, 0.0]], [0, 1, 1])


@pytest.mark.parametrize(
    "loss", [nn.mse_loss, nn.hinge_loss, nn.binary_cross_entropy, nn.cross_entropy]
)
def test_empty_batch_is_rejected(loss) -> None:
    """The mean over no samples is undefined: ValueError."""
    with pytest.raises(ValueError, match="no samples"):
        loss([], [])


def test_the_mean_is_one_fused_sum_node() -> None:
    """Each loss averages with one n-ary sum node, not a chain of additions."""
    loss = nn.mse_loss([Value(1.0), Value(2.0), Value(3.0)], [0.0, 0.0, 0.0])
    assert loss.op == "div" and loss.inputs[0].op == "sum"
    assert len(loss.inputs[0].inputs) == 3
