"""The engine's pages say what is true: docs/engine.md and docs/errors.md.

Every code block runs; every message in the "you do / you get" table is the real
one; every test a guarantee names exists; every excerpt of the generated code is in
``autograd.kernels.SOURCE``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import textwrap
from pathlib import Path

import pytest

import autograd
from autograd import Value, kernels

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ["engine.md", "errors.md"]
BLOCK = re.compile(
    r"^(?P<indent> *)```python\n(?P<code>.*?)^(?P=indent)```", re.M | re.S
)
ROW = re.compile(
    r"^\| `(?P<code>[^`]+)` \| `(?P<error>\w+): (?P<message>[^`]+)` \|$", re.M
)
TEST = re.compile(r"tests/(?P<file>test_\w+)\.py::(?P<name>test_\w+)")
SOURCE = re.compile(
    r"<!-- source: (?P<name>\w+) -->\n```python\n(?P<code>.*?)^```", re.M | re.S
)


def _text(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def _runnable_blocks() -> list[tuple[str, int, str]]:
    """The blocks that are programs (they begin with an import)."""
    blocks = [
        (page, i, textwrap.dedent(m["code"]))
        for page in PAGES
        for i, m in enumerate(BLOCK.finditer(_text(page)))
    ]
    return [b for b in blocks if b[2].startswith(("from ", "import "))]


@pytest.mark.parametrize(
    ("page", "index", "code"),
    _runnable_blocks(),
    ids=[f"{p}-{i}" for p, i, _ in _runnable_blocks()],
)
def test_code_block_runs(page, index, code):
    """The block runs as it is."""
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"{page}:block{index}", "exec"), {"__name__": "__doc__"})


def test_pages_have_runnable_blocks():
    """The parametrisation found the blocks (a changed fence would hide them)."""
    assert len(_runnable_blocks()) >= 4


def _rows() -> list[tuple[str, str, str]]:
    return [
        (m["code"], m["error"], m["message"]) for m in ROW.finditer(_text("errors.md"))
    ]


@pytest.mark.parametrize(
    ("code", "error", "message"), _rows(), ids=[r[0] for r in _rows()]
)
def test_error_table_shows_the_real_message(code, error, message):
    """Each 'you do / you get' row raises that error with that message."""
    np = pytest.importorskip("numpy")
    x = Value(1.0)
    namespace = {
        "autograd": autograd,
        "Value": Value,
        "grad": autograd.grad,
        "np": np,
        "f": lambda x: x * x,
        "x": x,
        "y": x * x,
    }
    with pytest.raises(Exception) as caught:
        exec(code, namespace)
    assert type(caught.value).__name__ == error
    assert str(caught.value) == message


def test_the_error_table_has_its_rows():
    """The table was found (a changed layout would hide it)."""
    assert len(_rows()) >= 20


def _named_tests() -> list[tuple[str, str]]:
    names = set()
    for page in PAGES:
        names.update((m["file"], m["name"]) for m in TEST.finditer(_text(page)))
    return sorted(names)


def _defined(file: str) -> set[str]:
    tree = ast.parse((ROOT / "tests" / f"{file}.py").read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


@pytest.mark.parametrize(("file", "name"), _named_tests(), ids=lambda v: str(v))
def test_every_named_test_exists(file, name):
    """A guarantee names a test that is there (renaming one breaks this)."""
    assert name in _defined(file), f"tests/{file}.py has no {name}"


def test_guarantees_name_their_tests():
    """errors.md names many tests (each guarantee at least one)."""
    assert len(_named_tests()) >= 60


@pytest.mark.parametrize(
    "name", [m["name"] for m in SOURCE.finditer(_text("engine.md"))]
)
def test_generated_code_excerpt_is_what_runs(name):
    """An excerpt of autograd.kernels.SOURCE in engine.md is in SOURCE, verbatim."""
    excerpt = next(
        m["code"] for m in SOURCE.finditer(_text("engine.md")) if m["name"] == name
    )
    assert excerpt.startswith(f"def {name}(")
    assert excerpt in kernels.SOURCE


def test_anomaly_example_prints_what_the_page_shows():
    """The anomaly example's message is the first line of the output shown."""
    text = _text("errors.md")
    shown = text[text.index("```\nsqrt(0.0)") + 4 :].splitlines()[0]
    with autograd.detect_anomaly():
        x = Value(-1.0)
        y = (x * x - 1.0).sqrt() + x
        with pytest.raises(autograd.AnomalyError) as caught:
            y.backward()
    assert str(caught.value).splitlines()[0] == shown
