"""The benchmark harness runs, and its equivalence checks hold (no timing asserted)."""

from __future__ import annotations

import pytest

pytest.importorskip("micrograd")

from autograd import topological_order
from benchmarks import cases
from benchmarks.__main__ import run


def test_tiny_run_writes_every_section(tmp_path):
    """`python -m benchmarks --tiny` runs every case and writes the Markdown table."""
    out = tmp_path / "RESULTS.md"
    text = run(cases.Config.tiny(), out, quiet=True)
    assert out.read_text(encoding="utf-8") == text
    for heading in (
        "## Targets",
        "### Demo training step",
        "### Random add/mul graphs",
        "### Memory",
        "### Longest chain",
        "### Cost of the fast-path flag",
    ):
        assert heading in text


def test_demo_step_same_loss_and_gradients_as_micrograd():
    """On micrograd's demo (100 points), both engines give the same loss and grads."""
    X, y = cases._demo_data(100)
    mg = cases._MicrogradDemo()
    ours = cases._OurDemo([p.data for p in mg.model.parameters()])
    check = cases._check_demo_equivalence(ours, mg, X, y)  # raises if they differ
    assert check["parameters"] == 337
    assert check["loss_difference"] <= 1e-9


def test_random_program_same_gradients_as_micrograd():
    """A random add/mul program gives the same root and leaf gradients in both."""
    assert cases._check_program(cases.make_program(2_000, seed=3)) <= 1e-9


def test_random_program_reaches_every_node():
    """Every op of a random program is in the root's graph (nothing is dead code)."""
    program = cases.make_program(1_000, seed=1)
    root = cases.build(program, cases.Value)
    n_nodes = len(topological_order(root))
    assert n_nodes == len(program.leaves) + program.n_ops


def test_benchmarks_without_micrograd_say_which_extra(monkeypatch):
    """python -m benchmarks without micrograd names the bench extra."""
    import builtins

    real_import = builtins.__import__

    def no_micrograd(name, *args, **kwargs):
        if name.startswith("micrograd"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_micrograd)
    with pytest.raises(SystemExit, match=r'pip install -e "\.\[bench\]"'):
        run(cases.Config.tiny(), None, quiet=True)


def test_tiny_run_writes_the_results_file(tmp_path):
    """The figures file carries the tape's and the demo's formatted figures."""
    import json

    figures = tmp_path / "benchmarks.json"
    run(cases.Config.tiny(), None, quiet=True, figures=figures)
    document = json.loads(figures.read_text())
    assert document["demo_step"]["speedup"].endswith(")")
    assert "python_speedup" in document["tape_step"]
    assert "| target |" in document["targets"]
