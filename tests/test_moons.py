"""The two-moons data set and the demo that trains micrograd's MLP on it."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.datasets import make_moons
from scalar_autograd.demos import moons

# -- the data set --------------------------------------------------------------------


@given(n=st.integers(1, 300), seed=st.integers(0, 2**32))
def test_make_moons_sizes_and_label_counts(n: int, seed: int) -> None:
    """n points of two coordinates; n // 2 labelled 0 (outer) and the rest 1."""
    points, labels = make_moons(n, 0.1, seed=seed)
    assert len(points) == len(labels) == n
    assert all(len(p) == 2 for p in points)
    assert labels.count(0) == n // 2 and labels.count(1) == n - n // 2


def test_noiseless_moons_lie_on_their_half_circles() -> None:
    """Without noise, outer points are on the unit circle, inner ones on (1, 0.5)'s."""
    points, labels = make_moons(50, noise=0.0, seed=0)
    for (x, y), label in zip(points, labels):
        if label == 0:
            assert math.hypot(x, y) == pytest.approx(1.0, abs=1e-12) and y >= 0.0
        else:
            assert math.hypot(x - 1.0, y - 0.5) == pytest.approx(1.0, abs=1e-12)
            assert y <= 0.5


def test_noiseless_moons_span_zero_to_pi() -> None:
    """Each half circle starts at t = 0 and ends at t = pi, like numpy's linspace."""
    points, labels = make_moons(10, noise=0.0, shuffle=False)
    outer = points[:5]
    assert outer[0] == [1.0, 0.0]
    assert outer[-1] == pytest.approx([-1.0, 0.0], abs=1e-15)
    assert points[5] == [0.0, 0.5]
    assert labels == [0] * 5 + [1] * 5


def test_same_seed_same_data() -> None:
    """make_moons is deterministic given a seed."""
    assert make_moons(40, 0.2, seed=3) == make_moons(40, 0.2, seed=3)


def test_different_seeds_different_data() -> None:
    """Different seeds give different noise."""
    assert make_moons(40, 0.2, seed=3)[0] != make_moons(40, 0.2, seed=4)[0]


def test_noise_has_the_requested_spread() -> None:
    """The noise's standard deviation is close to ``noise`` over many points."""
    clean, _ = make_moons(4000, noise=0.0, shuffle=False)
    noisy, _ = make_moons(4000, noise=0.3, seed=0, shuffle=False)
    deltas = [a - b for p, q in zip(noisy, clean) for a, b in zip(p, q)]
    spread = math.sqrt(sum(d * d for d in deltas) / len(deltas))
    assert spread == pytest.approx(0.3, rel=0.05)


def test_make_moons_leaves_global_random_alone() -> None:
    """Drawing the data never reads or changes the global random state."""
    random.seed(99)
    expected = random.random()
    random.seed(99)
    make_moons(100, 0.1)
    assert random.random() == expected


@pytest.mark.parametrize(
    ("n", "noise"), [(0, 0.1), (-5, 0.1), (10, -0.1), (10, math.inf)]
)
def test_make_moons_rejects_bad_values(n, noise) -> None:
    """A non-positive n, or a negative or infinite noise: ValueError."""
    with pytest.raises(ValueError):
        make_moons(n, noise)


def test_make_moons_rejects_a_fractional_sample_count() -> None:
    """n_samples=2.5 is the wrong kind of argument: TypeError naming n_samples."""
    with pytest.raises(TypeError, match="n_samples"):
        make_moons(2.5, 0.1)


# -- the demo ------------------------------------------------------------------------


def test_default_training_reaches_full_training_accuracy() -> None:
    """The demo's defaults (100 points, seed 1, 100 steps) classify every point."""
    result = moons.train()
    assert result.final_accuracy == 1.0
    assert result.losses[-1] < result.losses[0]


def test_demo_writes_both_pictures_and_prints_their_paths(tmp_path, capsys) -> None:
    """A short run writes the boundary and loss PNGs to --out and prints the paths."""
    out = tmp_path / "pictures"
    assert moons.main(["--steps", "2", "--seed", "0", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("decision_boundary.png", "loss.png"):
        path = out / name
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert str(path) in printed


def test_demo_rejects_zero_steps(tmp_path) -> None:
    """--steps 0 is a usage error (exit status 2)."""
    with pytest.raises(SystemExit) as exit_info:
        moons.main(["--steps", "0", "--out", str(tmp_path)])
    assert exit_info.value.code == 2


def test_readme_training_example_reaches_full_accuracy(capsys) -> None:
    """The README's ten-line training example runs and prints 100% accuracy."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Training a model in ten lines", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    assert "accuracy 100%" in capsys.readouterr().out


def test_results_file_holds_the_formatted_figures(tmp_path, capsys) -> None:
    """--results FILE writes accuracy, final loss and time per step as page text."""
    path = tmp_path / "results" / "moons.json"
    status = moons.main(
        ["--steps", "3", "--seed", "1", "--out", str(tmp_path), "--results", str(path)]
    )
    assert status == 0
    measured = json.loads(path.read_text(encoding="utf-8"))
    raw = measured["raw"]
    assert measured["accuracy"] == f"{raw['accuracy']:.0%}"
    assert measured["final_loss"] == f"{raw['final_loss']:.4f}"
    assert measured["steps"] == "3" and measured["seed"] == "1"
    assert re.fullmatch(r"\d+(\.\d+)? ms", measured["ms_per_step"])
    median_ms = float(measured["ms_per_step"].split()[0])
    assert median_ms == pytest.approx(raw["seconds_per_step_median"] * 1e3, rel=0.01)
    assert str(path) in capsys.readouterr().out


def test_every_string_in_the_results_is_a_figure_the_docs_can_quote() -> None:
    """Outside ``raw`` every value is a string (what scripts/figures.py fills in)."""
    result = moons.train(steps=2)
    measured = moons.results(result, seed=1)
    assert len(result.step_seconds) == 2
    formatted = {k: v for k, v in measured.items() if k != "raw"}
    assert all(isinstance(v, str) for v in formatted.values())
    assert all(isinstance(v, float) for v in measured["raw"].values())
