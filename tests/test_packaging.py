"""Packaging: the wheel's contents, the sdist's, the LICENSE, and what CI asks for."""

from __future__ import annotations

import io
import re
import tarfile
import zipfile
from pathlib import Path

import pytest
from repo_scripts import ROOT, load

check_wheel = load("check_wheel")
README = (ROOT / "README.md").read_text(encoding="utf-8")
GOOD_WHEEL = [
    "autograd/__init__.py",
    "autograd/py.typed",
    "nn/__init__.py",
    "nn/py.typed",
    "scalar_autograd/__init__.py",
    "scalar_autograd/cli.py",
    "scalar_autograd/py.typed",
    "scalar_autograd-0.1.0.dist-info/METADATA",
    "scalar_autograd-0.1.0.dist-info/licenses/LICENSE",
]
ENTRY_POINTS = "[console_scripts]\nscalar-autograd = scalar_autograd.cli:main\n"


def make_wheel(path: Path, names: list[str], entry_points: str = ENTRY_POINTS) -> Path:
    """A zip laid out as a wheel, with the given files (empty) and entry points."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "")
        archive.writestr(
            "scalar_autograd-0.1.0.dist-info/entry_points.txt", entry_points
        )
    return path


def make_sdist(path: Path, names: list[str]) -> Path:
    """A .tar.gz laid out as an sdist (one top folder) holding the given files."""
    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            info = tarfile.TarInfo(f"scalar_autograd-0.1.0/{name}")
            archive.addfile(info, io.BytesIO(b""))
    return path


def test_top_level_names_skip_metadata_and_strip_py():
    """Folders and top-level modules count; .dist-info and .data do not."""
    names = ["a/__init__.py", "b.py", "x-1.dist-info/RECORD", "x-1.data/scripts/s"]
    assert check_wheel.wheel_top_level_names(names) == {"a", "b"}


def test_a_wheel_with_exactly_the_three_packages_passes(tmp_path):
    """autograd, nn, scalar_autograd, the command and the LICENSE: no problem."""
    wheel = make_wheel(tmp_path / "w.whl", GOOD_WHEEL)
    assert check_wheel.check_wheel_file(wheel, README) == []


@pytest.mark.parametrize("extra", ["demos/__init__.py", "tests/test_x.py", "bench.py"])
def test_a_generic_top_level_name_is_a_problem(tmp_path, extra):
    """A wheel that would add demos, tests or any other name is refused."""
    wheel = make_wheel(tmp_path / "w.whl", [*GOOD_WHEEL, extra])
    (problem,) = check_wheel.check_wheel_file(wheel, README)
    assert "expected exactly" in problem


def test_a_wheel_without_the_command_is_a_problem(tmp_path):
    """No scalar-autograd console script: the walkthrough says so."""
    wheel = make_wheel(tmp_path / "w.whl", GOOD_WHEEL, entry_points="")
    assert check_wheel.check_wheel_file(wheel, README) == [
        "wheel declares no scalar-autograd console script"
    ]


def test_an_sdist_missing_a_readme_picture_is_a_problem(tmp_path):
    """Every picture and page the README shows must be in the sdist."""
    targets = sorted(check_wheel.readme_local_targets(README))
    assert "docs/images/neuron_backward.gif" in targets
    present = [t for t in targets if t != "docs/images/neuron_backward.gif"]
    present += ["LICENSE", "README.md", "mkdocs.yml", "docs/index.md"]
    sdist = make_sdist(tmp_path / "s.tar.gz", present)
    assert check_wheel.check_sdist_file(sdist, README) == [
        "sdist lacks docs/images/neuron_backward.gif (the README shows or links it)"
    ]


def test_readme_targets_are_local_paths_without_anchors():
    """Links to other sites and anchors are not files the sdist must carry."""
    text = "[a](https://x.org/y) [b](docs/nn.md#losses) ![c](docs/i.png) [d](#top)"
    assert check_wheel.readme_local_targets(text) == {"docs/nn.md", "docs/i.png"}


def test_the_ten_line_example_is_the_readmes_first_block_under_its_heading():
    """The walkthrough runs the README's ten-line example, as written."""
    example = check_wheel.ten_line_example(README)
    assert example.startswith("from autograd import Value\n")
    assert "y.backward()" in example


def test_license_is_mit_as_the_metadata_says():
    """LICENSE holds the MIT text and pyproject.toml declares MIT with that file."""
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in license_text
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^license = "MIT"$', pyproject, re.M)
    assert re.search(r'^license-files = \["LICENSE"\]$', pyproject, re.M)


def test_sdist_and_wheel_configuration_carry_what_the_readme_needs():
    """The sdist includes docs, notebooks, LICENSE; the wheel the three packages."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = config["tool"]["hatch"]["build"]["targets"]
    assert sorted(build["wheel"]["packages"]) == sorted(check_wheel.IMPORT_NAMES)
    for needed in ("docs", "notebooks", "LICENSE", "README.md", "mkdocs.yml"):
        assert needed in build["sdist"]["include"], needed
    scripts = config["project"]["scripts"]
    assert scripts == {"scalar-autograd": "scalar_autograd.cli:main"}


def test_ci_requires_every_optional_capability():
    """.ci/run names all five capabilities for the torch/onnx run, so none can skip."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "SCALAR_AUTOGRAD_REQUIRE=browser,torch,onnx,cc,notebook" in ci
    assert (
        "SCALAR_AUTOGRAD_REQUIRE=browser,cc,notebook bash .ci/readme-commands.sh" in ci
    )
    for step in ("scripts/figures.py --check", "mkdocs build --strict", "check_wheel"):
        assert step in ci, step
