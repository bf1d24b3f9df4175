"""The why-backprop demo: its quick run, its plain-float forward and its counts."""

from __future__ import annotations

import contextlib
import io

import pytest

import autograd
from scalar_autograd.demos import why_backprop

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The demo run once in --quick mode: its folder, exit status and output."""
    out = tmp_path_factory.mktemp("why_backprop")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = why_backprop.main(["--quick", "--out", str(out)])
    return out, status, printed.getvalue()


def test_quick_run_writes_both_plots(quick_run):
    """--quick exits 0 and writes cost.png and accuracy.png into --out."""
    out, status, _ = quick_run
    assert status == 0
    for name in ("cost.png", "accuracy.png"):
        assert (out / name).read_bytes().startswith(PNG_SIGNATURE)


def test_quick_run_prints_the_table_the_summary_and_the_folder(quick_run):
    """The output names every method, the summary and where the plots went."""
    out, _, text = quick_run
    for method in why_backprop.METHODS:
        assert method in text
    assert "reverse mode was" in text
    assert str(out) in text


def test_plain_float_loss_equals_the_graph_loss():
    """The hand-written float forward computes the same loss as nn.MLP."""
    problem = why_backprop.Problem(4, (3, 5))
    assert problem.float_loss(problem.weights) == pytest.approx(
        problem.loss().data, rel=1e-12
    )


def test_loss_of_weights_reads_the_given_weights():
    """Problem.loss_of evaluates the model at the weights passed in."""
    problem = why_backprop.Problem(2, (2,))
    doubled = [2.0 * w for w in problem.weights]
    assert problem.loss_of(*doubled).data == pytest.approx(problem.float_loss(doubled))
    assert problem.loss_of(*problem.weights).data == problem.loss().data


def test_parameter_count_matches_the_model():
    """parameter_count agrees with len(model.parameters()) for every shape."""
    for nin, hidden in why_backprop.SHAPES:
        problem = why_backprop.Problem(nin, hidden)
        assert why_backprop.parameter_count(nin, hidden) == len(problem.parameters)


def test_every_method_computes_the_same_gradient():
    """All five methods agree with reverse mode to finite-difference accuracy."""
    problem = why_backprop.Problem(4, (3, 3))
    exact = why_backprop.reverse_mode(problem)
    for method, compute in why_backprop.GRADIENTS.items():
        assert compute(problem) == pytest.approx(exact, abs=1e-6), method


def test_measured_counts_are_exact_for_central_differences():
    """measure() reports 2P evaluations for central differences, counted."""
    problem = why_backprop.Problem(2, (2,))
    exact = why_backprop.reverse_mode(problem)
    row = why_backprop.measure(problem, why_backprop.CENTRAL, exact, 1, 0.0)
    assert row.evaluations == 2 * len(exact)
    with autograd.count_ops() as counts:
        problem.loss_of(*problem.weights)
    assert row.ops == row.evaluations * counts.forward_ops
