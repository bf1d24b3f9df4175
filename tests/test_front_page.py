"""The front page (README.md) and the docs' home page: short, runnable, linked."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
INDEX = ROOT / "docs" / "index.md"


def python_blocks(text: str) -> list[str]:
    """The fenced ```python blocks of a Markdown text, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def ci_blocks(text: str) -> dict[str, str]:
    """The ``<!-- ci: NAME -->`` command blocks, by name (as .ci/run reads them)."""
    found = re.findall(r"<!-- ci: (\w+) -->\s*```(?:bash|sh)?\n(.*?)```", text, re.S)
    return dict(found)


def test_readme_fits_in_fifteen_thousand_characters():
    """The front page stays short: at most 15,000 characters."""
    assert len(README) <= 15_000, len(README)


def test_readme_blocks_are_the_commands_ci_runs():
    """The tour, viz and test blocks use the console script and the test extra."""
    blocks = ci_blocks(README)
    assert set(blocks) == {"tour", "viz", "test"}
    assert blocks["tour"].splitlines() == [
        "python3 -m venv .venv && . .venv/bin/activate",
        'pip install -e ".[demos]"',
        "scalar-autograd tour",
    ]
    assert (
        blocks["viz"].strip() == "scalar-autograd backward-pass --out out/backward_pass"
    )
    assert blocks["test"].splitlines()[1:] == ['pip install -e ".[test]"', "pytest"]


def test_readme_names_the_three_import_packages():
    """The README lists what the wheel installs: autograd, nn, scalar_autograd."""
    for name in ("autograd", "nn", "scalar_autograd"):
        assert f"`{name}`" in README, name


def test_readme_speaks_to_users_not_to_the_project():
    """No project-internal wording: issue numbers, targets, the team's to-dos."""
    for phrase in ("issue", "target", "TODO", "the lead", "developer"):
        assert phrase.lower() not in README.lower(), phrase


@pytest.mark.parametrize(
    ("page", "text"),
    [("README.md", README), ("docs/index.md", INDEX.read_text(encoding="utf-8"))],
)
def test_every_python_block_runs(page, text, capsys):
    """Each ```python block of the page runs, in order, in one namespace."""
    namespace: dict[str, object] = {}
    blocks = python_blocks(text)
    assert blocks, page
    for block in blocks:
        exec(compile(block, page, "exec"), namespace)


def test_readme_ten_lines_print_what_their_comment_says(capsys):
    """The ten-line example prints 0.70710678 1.0 -1.5 (to 8 digits)."""
    exec(compile(python_blocks(README)[0], "README.md", "exec"), {})
    value, w_grad, x_grad = map(float, capsys.readouterr().out.split())
    assert round(value, 8) == 0.70710678
    assert (round(w_grad, 8), round(x_grad, 8)) == (1.0, -1.5)


def _local_targets(text: str) -> set[str]:
    targets = set(re.findall(r"\]\(([^)\s]+)\)", text))
    targets |= set(re.findall(r"""<img[^>]*\bsrc=["']([^"']+)["']""", text))
    return {
        target.split("#", 1)[0]
        for target in targets
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")
    }


def test_every_file_the_readme_shows_or_links_exists():
    """Each relative link and picture of README.md points at a file in the repo."""
    absent = sorted(t for t in _local_targets(README) if not (ROOT / t).exists())
    assert absent == [], absent


def test_every_picture_the_home_page_shows_exists():
    """Each picture of docs/index.md is under docs/ (links are checked by mkdocs)."""
    text = INDEX.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    assert pictures
    for picture in pictures:
        assert os.path.exists(INDEX.parent / picture), picture


def test_the_op_counts_the_readme_gives_are_the_tables():
    """Both op counts of the README (prose and table) are len(autograd.ops.OPS)."""
    from autograd.ops import OPS

    counts = re.findall(r"There are (\d+) ops", README)
    counts += re.findall(r"\| (\d+), each one entry of a table", README)
    assert len(counts) == 2
    assert {int(n) for n in counts} == {len(OPS)}


def test_no_line_of_the_readme_starts_with_an_inline_figure():
    """A line opening with ``<!--`` ends a paragraph on GitHub: markers go inside."""
    starts_inline = re.compile(r"\s*<!--\s*/?fig\b[^>]*-->\s*\S")
    bad = [line for line in README.splitlines() if starts_inline.match(line)]
    assert bad == []
