"""Fill measured figures into the Markdown from the results files the demos write.

No number from a measurement is typed by hand in README.md or docs/: it stands
between markers, and this script writes it there from ``docs/results/<file>.json``.
The key is ``<file>.<dotted.path>``: ``moons.ms_per_step`` is the value at
``["ms_per_step"]`` of ``docs/results/moons.json`` (a list index is a number:
``why_backprop.sizes.0.params``). Values are strings, formatted for the page. Two forms:

    inline: <!-- fig moons.ms_per_step -->12.9 ms<!-- /fig -->

    block (the opening marker alone at the end of its line; for tables):
    <!-- fig benchmarks.tape_table -->
    | ... |
    <!-- /fig -->

Markers inside code (fenced blocks or `backtick spans`) are examples, not markers.

    python scripts/figures.py            rewrite every marker from the results files
    python scripts/figures.py --check    change nothing; list every stale or missing
                                         marker and exit 1 if there is one (CI)

Both scan README.md and every ``*.md`` under docs/ (or the files given), and both
exit 1 when a marker cannot be filled (no such results file or key, a value that is
not a string, a marker left open) or when a results file is not listed in
docs/results/README.md with the command that regenerates it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path("docs", "results")  # relative to the root

OPEN = re.compile(r"<!--\s*fig\s+(?P<key>[^\s>]+)\s*-->")
CLOSE = re.compile(r"<!--\s*/fig\s*-->")
ANY_MARKER = re.compile(r"<!--\s*/?fig\b")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
BLANK_LINES_BEFORE = re.compile(r"(?:[ \t]*\n)+")
BLANK_LINES_AFTER = re.compile(r"(?:\n[ \t]*)+\Z")


@dataclass(frozen=True)
class Problem:
    """A marker that is stale or cannot be filled: where, which key, what is wrong."""

    path: str
    line: int
    key: str
    message: str
    stale: bool = False  # the marker can be filled; its text is just out of date

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.key}: {self.message}"


@dataclass(frozen=True)
class Marker:
    """One ``<!-- fig KEY -->text<!-- /fig -->`` pair, with the text's offsets."""

    key: str
    start: int  # offset of the text between the markers
    end: int
    line: int  # of the opening marker, 1-based
    block: bool  # the opening marker ends its line


class MarkerError(ValueError):
    """A malformed marker: unclosed, nested, or a closing marker with no opening."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks and inline code spans: markers there are text."""
    spans: list[tuple[int, int]] = []
    offset = 0
    fence: str | None = None
    fence_start = 0
    prose_start = 0
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line)
        if fence is None and match:
            spans.extend(_inline_code(text, prose_start, offset))
            fence, fence_start = match.group(1), offset
        elif (
            fence is not None
            and match
            and match.group(1).startswith(fence)
            and line.strip() == match.group(1)  # a closing fence has no info string
        ):
            spans.append((fence_start, offset + len(line)))
            fence, prose_start = None, offset + len(line)
        offset += len(line)
    if fence is not None:  # an unclosed fence runs to the end, as in CommonMark
        spans.append((fence_start, len(text)))
    else:
        spans.extend(_inline_code(text, prose_start, len(text)))
    return spans


def _inline_code(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Backtick code spans in ``text[start:end]`` (a run of n backticks to the next)."""
    position = start
    while True:
        opening = text.find("`", position, end)
        if opening < 0:
            return
        run = len(text[opening:end]) - len(text[opening:end].lstrip("`"))
        ticks = "`" * run
        search = opening + run
        while True:
            closing = text.find(ticks, search, end)
            if closing < 0:  # no closing run: the backticks are literal
                position = opening + run
                break
            after = closing + run
            if after < end and text[after] == "`":  # a longer run: not a match
                search = after + len(text[after:end]) - len(text[after:end].lstrip("`"))
                continue
            yield (opening, after)
            position = after
            break


def find_markers(text: str) -> list[Marker]:
    """Every marker pair of ``text`` outside code, in order; raises MarkerError."""
    code = _code_spans(text)

    def in_code(offset: int) -> bool:
        return any(start <= offset < end for start, end in code)

    def line_of(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    markers: list[Marker] = []
    opened: re.Match[str] | None = None
    for found in ANY_MARKER.finditer(text):
        if in_code(found.start()):
            continue
        opening = OPEN.match(text, found.start())
        closing = CLOSE.match(text, found.start())
        line = line_of(found.start())
        if opening:
            if opened is not None:
                raise MarkerError(
                    line,
                    f"a new marker opens before {opened.group('key')} "
                    f"(line {line_of(opened.start())}) is closed",
                )
            opened = opening
        elif closing:
            if opened is None:
                raise MarkerError(line, "a closing <!-- /fig --> with no opening")
            start, end = opened.end(), closing.start()
            line_end = text.find("\n", opened.end())
            block = line_end >= 0 and text[opened.end() : line_end].strip() == ""
            markers.append(
                Marker(opened.group("key"), start, end, line_of(opened.start()), block)
            )
            opened = None
        else:
            raise MarkerError(line, "malformed marker: write <!-- fig FILE.KEY -->")
    if opened is not None:
        raise MarkerError(
            line_of(opened.start()),
            f"marker {opened.group('key')} is never closed with <!-- /fig -->",
        )
    return markers


class Results:
    """The results files of one folder, read once each, and lookups into them."""

    def __init__(self, folder: Path, shown: Path | None = None) -> None:
        self.folder = folder
        self.shown = shown or folder  # the folder as messages name it
        self._files: dict[str, object] = {}

    def lookup(self, key: str) -> str:
        """The string at ``key``; raises LookupError or TypeError saying why not."""
        name, _, dotted = key.partition(".")
        if not name or not dotted:
            raise LookupError(
                f"a key is <file>.<path> (e.g. moons.ms_per_step), got {key!r}"
            )
        value = self._load(name)
        walked = name
        for part in dotted.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict):
                keys = ", ".join(map(str, value)) or "nothing"
                raise LookupError(
                    f"{self.path(name)} has no key {part!r} in {walked} "
                    f"(it has: {keys})"
                )
            else:
                raise LookupError(
                    f"{self.path(name)}: {walked} has no element {part!r}"
                )
            walked += f".{part}"
        if not isinstance(value, str):
            raise TypeError(
                f"{self.path(name)}: {key} is a {type(value).__name__}, not a string "
                "formatted for the page"
            )
        return value

    def path(self, name: str) -> str:
        """The results file ``name`` as messages name it."""
        return str(self.shown / f"{name}.json")

    def _load(self, name: str) -> object:
        if name not in self._files:
            path = self.folder / f"{name}.json"
            shown = self.path(name)
            try:
                self._files[name] = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise LookupError(
                    f"no results file {shown} (docs/results/README.md says which "
                    "command writes it)"
                ) from None
            except json.JSONDecodeError as error:
                raise LookupError(f"{shown} is not valid JSON: {error}") from None
        return self._files[name]


@dataclass
class Filled:
    """What ``fill`` did to one file: the new text, its markers, what went wrong."""

    text: str
    markers: int = 0
    stale: int = 0
    problems: list[Problem] = field(default_factory=list)


def _shorten(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 40 and "\n" not in text else text[:37] + "...")


def fill(text: str, results: Results, path: str) -> Filled:
    """``text`` with every marker filled from ``results``, and what was wrong."""
    try:
        markers = find_markers(text)
    except MarkerError as error:
        return Filled(text, problems=[Problem(path, error.line, "-", str(error))])
    filled = Filled(text, markers=len(markers))
    pieces: list[str] = []
    last = 0
    for marker in markers:
        current = text[marker.start : marker.end]
        try:
            value = results.lookup(marker.key)
        except (LookupError, TypeError) as error:
            filled.problems.append(Problem(path, marker.line, marker.key, str(error)))
            continue
        if marker.block:
            # Keep the author's blank lines around the block; compare what is inside.
            before = BLANK_LINES_BEFORE.match(current)
            start = before.end() if before else 0
            after = BLANK_LINES_AFTER.search(current, start)
            stop = after.start() if after else len(current)
            if current[start:stop] == value.strip("\n"):
                continue
            lead, trail = current[:start] or "\n", current[stop:] or "\n"
            wanted = lead + value.strip("\n") + trail
        elif "\n" in value:
            filled.problems.append(
                Problem(
                    path,
                    marker.line,
                    marker.key,
                    "a value of several lines needs the block form (the opening "
                    "marker alone at the end of its line, the value below it)",
                )
            )
            continue
        elif current == value:
            continue
        else:
            wanted = value
        filled.stale += 1
        filled.problems.append(
            Problem(
                path,
                marker.line,
                marker.key,
                f"stale: the page says {_shorten(current)}, "
                f"{results.path(marker.key.partition('.')[0])} says "
                f"{_shorten(value)}",
                stale=True,
            )
        )
        pieces.append(text[last : marker.start])
        pieces.append(wanted)
        last = marker.end
    pieces.append(text[last:])
    filled.text = "".join(pieces)
    return filled


def unlisted_results(root: Path) -> list[Problem]:
    """Results files that docs/results/README.md does not mention by name."""
    folder = root / RESULTS
    if not folder.is_dir():
        return []
    readme = folder / "README.md"
    listed = readme.read_text(encoding="utf-8") if readme.exists() else ""
    return [
        Problem(
            str(RESULTS / "README.md"),
            1,
            path.stem,
            f"{path.name} is not listed: add it with the command that writes it",
        )
        for path in sorted(folder.glob("*.json"))
        if path.name not in listed
    ]


def markdown_files(root: Path) -> list[Path]:
    """README.md and every Markdown file under docs/, sorted."""
    files = [root / "README.md"] if (root / "README.md").exists() else []
    docs = root / "docs"
    if docs.is_dir():
        files += sorted(docs.rglob("*.md"))
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with --check, verify) the markers; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python scripts/figures.py",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; list stale or missing markers and exit 1 if any",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the repository (default: this script's); results in ROOT/docs/results",
    )
    parser.add_argument(
        "files", nargs="*", type=Path, help="Markdown files (default: all)"
    )
    args = parser.parse_args(argv)
    root: Path = args.root
    results = Results(root / RESULTS, RESULTS)
    files = args.files or markdown_files(root)
    problems: list[Problem] = []
    markers = stale = changed = 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        try:
            shown = str(file.resolve().relative_to(root.resolve()))
        except ValueError:
            shown = str(file)
        filled = fill(text, results, shown)
        markers += filled.markers
        stale += filled.stale
        if args.check:
            problems += filled.problems
        else:
            problems += [p for p in filled.problems if not p.stale]
            if filled.text != text:
                file.write_text(filled.text, encoding="utf-8")
                changed += 1
    problems += unlisted_results(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.check:
        verdict = "up to date" if not problems else f"{len(problems)} problem(s)"
        print(f"figures: {markers} marker(s) in {len(files)} file(s), {verdict}")
    else:
        print(
            f"figures: {markers} marker(s) in {len(files)} file(s); "
            f"rewrote {stale} in {changed} file(s)"
            + (f"; {len(problems)} could not be filled" if problems else "")
        )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
