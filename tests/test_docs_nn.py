"""The nn pages of the docs do what they say: every code block runs, every error
message in the tables is the real one."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest
from capabilities import missing

import nn

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ["nn.md", "outgrow-scalars.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)
ROW = re.compile(
    r"^\| `(?P<code>[^`]+)` \| `(?P<error>\w+): (?P<message>[^`]+)` \|$", re.M
)
# What a block needs: a module it imports, or a call that imports it.
NEEDS = {
    r"^import torch\b|to_torch\(|torch_state_dict\(|from_torch\(": ("torch", "torch"),
    r"^import onnxruntime\b": ("onnx", "onnxruntime"),
    r"to_onnx\(": ("onnx", "onnx"),
    r"torch\.onnx\.export\(": ("onnx", "onnxscript"),
}


def _blocks() -> list[tuple[str, int, str]]:
    return [
        (page, i, code)
        for page in PAGES
        for i, code in enumerate(BLOCK.findall((DOCS / page).read_text()))
    ]


def _block_id(page: str, index: int, code: str) -> str:
    """``page-index``, and what the block needs (CI selects ``-k "torch or onnx"``)."""
    needs = sorted({c for p, (c, _) in NEEDS.items() if re.search(p, code, re.M)})
    return "-".join([page, str(index), *needs])


@pytest.mark.parametrize(
    ("page", "index", "code"),
    _blocks(),
    ids=[_block_id(*block) for block in _blocks()],
)
def test_code_block_runs(page, index, code, tmp_path, monkeypatch) -> None:
    """The block runs as it is, in a fresh folder (files it writes land there)."""
    for pattern, (capability, module) in NEEDS.items():
        if re.search(pattern, code, re.M):
            try:
                __import__(module)
            except ImportError:
                missing(capability, f"{page} block {index} needs {module}")
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"{page}:block{index}", "exec"), {"__name__": "__doc__"})


def test_pages_have_code_blocks() -> None:
    """The parametrisation above found the blocks (a changed fence would hide them)."""
    assert len(_blocks()) >= 6


def _rows() -> list[tuple[str, str, str]]:
    text = (DOCS / "nn.md").read_text()
    return [(m["code"], m["error"], m["message"]) for m in ROW.finditer(text)]


@pytest.mark.parametrize(
    ("code", "error", "message"), _rows(), ids=[r[0] for r in _rows()]
)
def test_error_table_shows_the_real_message(code, error, message, monkeypatch) -> None:
    """Each 'you do / you get' row raises that error and message ('...' elided)."""
    monkeypatch.setattr(os, "replace", _never)  # nothing in the table may write
    namespace = {"nn": nn, "model": nn.MLP(2, [3, 1], seed=0)}
    with pytest.raises(Exception) as raised:
        exec(code, namespace)
    assert type(raised.value).__name__ == error
    pattern = ".*".join(re.escape(part) for part in message.split("..."))
    assert re.fullmatch(pattern, str(raised.value)), str(raised.value)


def test_error_table_has_its_rows() -> None:
    """The table's rows were found (a changed layout would hide them)."""
    assert len(_rows()) >= 20


def _never(*args: object) -> None:
    raise AssertionError("a row of the error table tried to replace a file")
