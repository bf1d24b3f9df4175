"""The backward pass's fast kernels are derived from the op table, never assumed."""

from __future__ import annotations

from autograd import backward as engine
from autograd.ops import OPS


def test_hot_ops_get_kernels():
    """The ops a neural network spends its time in get a kernel from their rules."""
    expected = {
        "add": engine._ONES,
        "sum": engine._ONES,
        "sub": engine._CONSTANT,
        "neg": engine._CONSTANT,
        "mul": engine._SWAP,
        "dot": engine._DOT,
        "linear": engine._LINEAR,
        "relu": engine._STEP,
    }
    assert {name: engine._KIND[name] for name in expected} == expected


def test_constant_partials_come_from_the_rules():
    """sub's and neg's constant partials are the table's own numbers."""
    assert engine._CONSTANTS == {"sub": (1.0, -1.0), "neg": (-1.0,)}


def test_a_changed_rule_falls_back_to_the_generic_path(monkeypatch):
    """If mul's rule stops matching the swap pattern, mul loses its kernel."""
    changed = OPS["mul"]._replace(partials=lambda xs, out, m: (xs[1], 2.0 * xs[0]))
    monkeypatch.setitem(OPS, "mul", changed)
    assert engine._kernel_of("mul") == (engine._GENERIC, None)


def test_a_rule_with_a_kink_is_not_taken_for_a_constant():
    """A rule that is 1 for x > 0 only (relu's) is never given the ONES kernel."""
    assert engine._kernel_of("relu")[0] == engine._STEP
    assert engine._kernel_of("abs")[0] == engine._UNARY
