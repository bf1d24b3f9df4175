"""docs/pictures.md: its code runs, its table is the one print_backward prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).parents[1] / "docs" / "pictures.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_code_block_runs(
    n: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Python block of the page runs, writing its files where it says."""
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(BLOCKS[n], f"pictures.md block {n}", "exec"), {})
    written = re.findall(r'"([\w.]+\.(?:svg|png|gif|html))"', BLOCKS[n])
    assert written
    for name in written:
        assert (tmp_path / name).stat().st_size > 0


def test_the_table_shown_is_what_print_backward_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's print_backward table is the first block's output, line for line."""
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[0], "pictures.md block 0", "exec"), {})
    page = PAGE.read_text(encoding="utf-8")
    shown = re.search(r"```\n  (backward pass from o.*?)\n  ```", page, re.S).group(1)
    assert [line.strip() for line in shown.splitlines()] == [
        line.strip() for line in out.getvalue().strip().splitlines()
    ]
