"""The tour, ``scalar-autograd tour --quick``: it runs, writes, reports everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scalar_autograd.demos import tour

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytest.importorskip("graphviz")

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = {  # the first bytes of each kind of file the tour writes
    ".png": b"\x89PNG\r\n\x1a\n",
    ".gif": b"GIF89a",
    ".svg": b"<?xml",
    ".html": b"<!DOCTYPE html>",
}


@pytest.fixture(scope="module")
def quick_tour(tmp_path_factory):
    """``scalar-autograd tour --quick --out DIR`` run once: DIR and the process."""
    out = tmp_path_factory.mktemp("tour")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scalar_autograd",  # the scalar-autograd command
            "tour",
            "--quick",
            "--out",
            str(out),
            "--results",
            str(out / "tour.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return out, done


def test_quick_tour_exits_zero(quick_tour):
    """The quick tour finishes with exit status 0."""
    _, done = quick_tour
    assert done.returncode == 0, done.stderr


def test_quick_tour_writes_every_file_it_lists(quick_tour):
    """Each file in tour.FILES is in --out and starts as its format should."""
    out, _ = quick_tour
    for name in tour.FILES:
        data = (out / name).read_bytes()
        assert data.lstrip().startswith(SIGNATURES[Path(name).suffix]), name


def test_quick_tour_prints_the_folder_and_the_measured_numbers(quick_tour):
    """The output names --out and gives the speed-up, the ratio and the accuracy."""
    out, done = quick_tour
    assert f"Wrote to {out}" in done.stdout
    assert "x slower;" in done.stdout  # backprop against central differences
    assert "backward pass / forward pass time" in done.stdout
    assert "two moons: training accuracy 100%" in done.stdout


def test_quick_tour_shows_the_swell_table_and_the_blame_table(quick_tour):
    """Part 2 prints the logistic map's sizes; part 3 each layer's blame."""
    _, done = quick_tour
    assert "dl(n)/dx written out" in done.stdout
    assert "weight grad = delta x input, bit for bit" in done.stdout
    assert "337 of 337 weight gradients are delta x input" in done.stdout


def test_quick_tour_prints_the_neurons_backward_pass_as_a_program(quick_tour):
    """Part 1 prints Tape(o, leaves).source(): one line per chain-rule contribution."""
    _, done = quick_tour
    assert "def replay(x1, w1, x2, w2, b):" in done.stdout
    assert "    g_w1 += g_v3 * x1" in done.stdout


def test_quick_tour_results_file_holds_the_printed_summary(quick_tour):
    """--results writes JSON of strings; its summary is the block the tour printed."""
    out, done = quick_tour
    figures = json.loads((out / "tour.json").read_text(encoding="utf-8"))
    assert figures["summary"] in done.stdout
    assert figures["moons"]["accuracy"] == "100%"
    assert all(isinstance(v, str) for v in figures["largest"].values())


def test_ci_true_makes_the_tour_quick(monkeypatch):
    """With CI=true and no flag the tour runs its quick sizes."""
    monkeypatch.setenv("CI", "true")
    assert tour.parse_args([]).quick


def test_full_overrides_ci(monkeypatch):
    """--full runs the full tour even with CI=true."""
    monkeypatch.setenv("CI", "true")
    assert not tour.parse_args(["--full"]).quick


def test_full_tour_is_the_default_outside_ci(monkeypatch):
    """Without CI=true and without --quick the tour runs the full sizes."""
    monkeypatch.delenv("CI", raising=False)
    assert not tour.parse_args([]).quick
