"""Results files: the figures a demo printed, as strings formatted for the docs.

A results file is JSON whose leaves are strings ("1.02 ms", "1,079x") or whole
Markdown blocks (a table as one string); ``scripts/figures.py`` copies them between
the ``<!-- fig file.key -->`` markers of the docs, so no measured number is typed by
hand. The formatters here are shared by the why-backprop demo and the tour, so that a
number reads the same on the terminal and on the page.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "count",
    "duration",
    "markdown_table",
    "ratio",
    "scientific",
    "write_results",
]


def duration(seconds: float) -> str:
    """A time for people: "1.10 s", "23.27 ms", "42 µs"."""
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def ratio(value: float) -> str:
    """A speed-up or slow-down: "1,079x" from 100 up, "2.0x" below."""
    return f"{value:,.0f}x" if value >= 100 else f"{value:.1f}x"


def count(n: int) -> str:
    """An exact count with thousands separators: "1,490"."""
    return f"{n:,}"


def scientific(n: int, exact_up_to: int = 10**12) -> str:
    """An exact int in full up to ``exact_up_to``, past it "7.6e30 (31 digits)"."""
    if n < exact_up_to:
        return f"{n:,}"
    text = str(n)
    exponent = len(text) - 1
    # Two significant digits, rounded half up on the exact digits (no float).
    lead = int(text[:2]) + (text[2] >= "5")
    if lead == 100:
        lead, exponent = 10, exponent + 1
    return f"{lead // 10}.{lead % 10}e{exponent} ({len(text)} digits)"


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], align: str = ""
) -> str:
    """A Markdown table; ``align`` has one letter per column, "l" or "r" (default r)."""
    if any(len(row) != len(header) for row in rows):
        raise ValueError("markdown_table: every row needs one cell per column")
    for cell in [*header, *(c for row in rows for c in row)]:
        if "|" in cell:
            raise ValueError(f"markdown_table: a | would split the cell {cell!r}")
    marks = [
        ":---" if (align[i : i + 1] or "r") == "l" else "---:"
        for i in range(len(header))
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(marks) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    return "\n".join(lines)


def _check(figures: Any, where: str) -> None:
    if isinstance(figures, Mapping):
        for key, value in figures.items():
            if not isinstance(key, str):
                raise TypeError(f"results: key {key!r} in {where} is not a string")
            _check(value, f"{where}.{key}")
    elif isinstance(figures, list):
        for i, value in enumerate(figures):
            _check(value, f"{where}.{i}")
    elif not isinstance(figures, str):
        raise TypeError(
            f"results: {where} is a {type(figures).__name__}, not a string "
            "formatted for the page"
        )


def write_results(path: str, name: str, figures: Mapping[str, Any]) -> None:
    """Write ``figures`` (nested dicts and lists of strings) to ``path`` as JSON."""
    _check(figures, name)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(figures, file, indent=2, ensure_ascii=False)
        file.write("\n")
