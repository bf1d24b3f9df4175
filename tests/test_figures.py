"""scripts/figures.py: measured figures filled in between markers from results files."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from repo_scripts import ROOT, load

figures = load("figures")

TABLE = "| P | time |\n|---:|---:|\n| 4 | 42 µs |"


def make_repo(tmp_path: Path, readme: str, results: dict[str, object]) -> Path:
    """A tiny repository: README.md, docs/results/*.json and their README listing."""
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    folder = tmp_path / "docs" / "results"
    folder.mkdir(parents=True)
    listing = ["# Results files", ""]
    for name, content in results.items():
        (folder / f"{name}.json").write_text(json.dumps(content), encoding="utf-8")
        listing.append(f"- `{name}.json`: `make {name}`")
    (folder / "README.md").write_text("\n".join(listing) + "\n", encoding="utf-8")
    return tmp_path


def run(repo: Path, *args: str) -> int:
    return figures.main([*args, "--root", str(repo)])


def test_inline_marker_is_rewritten_from_the_results_file(tmp_path):
    """An inline marker's text becomes the value at its key."""
    repo = make_repo(
        tmp_path,
        "A step takes <!-- fig moons.ms_per_step -->99 ms<!-- /fig --> here.\n",
        {"moons": {"ms_per_step": "12.9 ms"}},
    )
    assert run(repo) == 0
    assert (repo / "README.md").read_text() == (
        "A step takes <!-- fig moons.ms_per_step -->12.9 ms<!-- /fig --> here.\n"
    )


def test_block_marker_is_rewritten_with_its_blank_lines_kept(tmp_path):
    """A block marker's lines become the value; the blank lines around it stay."""
    repo = make_repo(
        tmp_path,
        "Before.\n\n<!-- fig bench.table -->\n\n| old |\n\n<!-- /fig -->\n\nAfter.\n",
        {"bench": {"table": TABLE + "\n"}},
    )
    assert run(repo) == 0
    assert (repo / "README.md").read_text() == (
        f"Before.\n\n<!-- fig bench.table -->\n\n{TABLE}\n\n<!-- /fig -->\n\nAfter.\n"
    )


def test_empty_block_marker_gets_the_value_on_its_own_lines(tmp_path):
    """A block marker with nothing between gets the value between two newlines."""
    repo = make_repo(
        tmp_path,
        "<!-- fig bench.table -->\n<!-- /fig -->\n",
        {"bench": {"table": TABLE}},
    )
    assert run(repo) == 0
    text = (repo / "README.md").read_text()
    assert text == f"<!-- fig bench.table -->\n{TABLE}\n<!-- /fig -->\n"


def test_check_lists_a_stale_marker_and_changes_nothing(tmp_path, capsys):
    """--check exits 1, names file, line and key of a stale marker, writes nothing."""
    readme = "x\n\nspeed <!-- fig moons.ms_per_step -->99 ms<!-- /fig -->\n"
    repo = make_repo(tmp_path, readme, {"moons": {"ms_per_step": "12.9 ms"}})
    assert run(repo, "--check") == 1
    err = capsys.readouterr().err
    assert "README.md:3: moons.ms_per_step: stale" in err
    assert "'99 ms'" in err and "'12.9 ms'" in err
    assert (repo / "README.md").read_text() == readme


def test_check_passes_after_a_rewrite(tmp_path):
    """Rewriting then checking finds nothing to report."""
    repo = make_repo(
        tmp_path,
        "<!-- fig a.b.c -->?<!-- /fig -->\n<!-- fig a.t -->\n?\n<!-- /fig -->\n",
        {"a": {"b": {"c": "1.5x"}, "t": TABLE}},
    )
    assert run(repo) == 0
    assert run(repo, "--check") == 0


def test_check_lists_every_problem_not_just_the_first(tmp_path, capsys):
    """Two stale markers and a missing key in two files: all three are listed."""
    repo = make_repo(
        tmp_path,
        "<!-- fig m.a -->0<!-- /fig --> <!-- fig m.b -->0<!-- /fig -->\n",
        {"m": {"a": "1", "b": "2"}},
    )
    (repo / "docs" / "page.md").write_text("<!-- fig m.zzz -->0<!-- /fig -->\n")
    assert run(repo, "--check") == 1
    err = capsys.readouterr().err
    assert "README.md:1: m.a: stale" in err
    assert "README.md:1: m.b: stale" in err
    assert "docs/page.md:1: m.zzz: " in err and "no key 'zzz'" in err


def test_missing_results_file_fails_both_modes(tmp_path, capsys):
    """A key into a results file that does not exist: exit 1, naming the file."""
    repo = make_repo(tmp_path, "<!-- fig nothere.x -->1<!-- /fig -->\n", {})
    assert run(repo) == 1
    assert run(repo, "--check") == 1
    err = capsys.readouterr().err
    assert "no results file" in err and "nothere.json" in err


def test_missing_key_names_what_the_file_has(tmp_path, capsys):
    """A key that is not in its file is reported with the keys that are there."""
    repo = make_repo(
        tmp_path, "<!-- fig m.nope -->1<!-- /fig -->\n", {"m": {"yes": "1"}}
    )
    assert run(repo, "--check") == 1
    err = capsys.readouterr().err
    assert "no key 'nope' in m" in err and "it has: yes" in err


def test_a_number_is_not_a_formatted_figure(tmp_path, capsys):
    """A value that is not a string is refused: results files hold page text."""
    repo = make_repo(tmp_path, "<!-- fig m.raw -->1<!-- /fig -->\n", {"m": {"raw": 1}})
    assert run(repo, "--check") == 1
    assert "is a int, not a string" in capsys.readouterr().err


def test_a_dotted_path_indexes_lists_by_number(tmp_path):
    """``sizes.1.time`` reads the second element of the list ``sizes``."""
    repo = make_repo(
        tmp_path,
        "<!-- fig w.sizes.1.time -->?<!-- /fig -->\n",
        {"w": {"sizes": [{"time": "1 ms"}, {"time": "2 ms"}]}},
    )
    assert run(repo) == 0
    assert "-->2 ms<!--" in (repo / "README.md").read_text()


def test_several_lines_in_an_inline_marker_are_refused(tmp_path, capsys):
    """A table for an inline marker would break the line: it must be a block."""
    repo = make_repo(
        tmp_path, "see <!-- fig b.t -->x<!-- /fig -->\n", {"b": {"t": TABLE}}
    )
    assert run(repo) == 1
    assert "block form" in capsys.readouterr().err
    assert "-->x<!--" in (repo / "README.md").read_text()


def test_markers_in_code_are_examples_not_markers(tmp_path):
    """Markers inside fenced code or a backtick span are left as they are."""
    readme = (
        "Write `<!-- fig m.a -->1 ms<!-- /fig -->` like this, or:\n\n"
        "```markdown\n<!-- fig m.a -->\n| old |\n<!-- /fig -->\n```\n\n"
        "~~~\n<!-- fig nothere.x -->1<!-- /fig -->\n~~~\n"
    )
    repo = make_repo(tmp_path, readme, {"m": {"a": "2 ms"}})
    assert run(repo, "--check") == 0
    assert run(repo) == 0
    assert (repo / "README.md").read_text() == readme


def test_unclosed_marker_is_reported_with_its_line(tmp_path, capsys):
    """An opening marker without its closing one: exit 1, naming the line."""
    repo = make_repo(tmp_path, "a\n<!-- fig m.a -->1 ms\n", {"m": {"a": "1 ms"}})
    assert run(repo, "--check") == 1
    assert "README.md:2: -: marker m.a is never closed" in capsys.readouterr().err


def test_nested_and_stray_markers_are_reported(tmp_path):
    """A marker opened inside another, or a closing one alone, is an error."""
    for number, text in enumerate(
        (
            "<!-- fig m.a --><!-- fig m.a -->1<!-- /fig --><!-- /fig -->",
            "1<!-- /fig -->",
            "<!-- fig -->1<!-- /fig -->",
        )
    ):
        (tmp_path / str(number)).mkdir()
        repo = make_repo(tmp_path / str(number), text, {"m": {"a": "1"}})
        assert run(repo, "--check") == 1, text


def test_results_file_missing_from_the_listing_is_reported(tmp_path, capsys):
    """Every docs/results/*.json must be listed in docs/results/README.md."""
    repo = make_repo(tmp_path, "nothing here\n", {"m": {"a": "1"}})
    (repo / "docs" / "results" / "extra.json").write_text("{}")
    assert run(repo, "--check") == 1
    assert "extra.json is not listed" in capsys.readouterr().err


@given(
    value=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r<`"),
        max_size=30,
    )
)
def test_any_one_line_value_round_trips(value):
    """Whatever one-line string a results file holds, a rewrite puts it in exactly."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "r.json").write_text(json.dumps({"k": value}))
        results = figures.Results(Path(folder))
        text = "a <!-- fig r.k -->old<!-- /fig --> b"
        filled = figures.fill(text, results, "t.md")
        assert filled.text == f"a <!-- fig r.k -->{value}<!-- /fig --> b"
        again = figures.fill(filled.text, results, "t.md")
        assert again.problems == [] and again.text == filled.text


def test_the_repository_figures_are_up_to_date(capsys):
    """README.md and docs/ agree with docs/results/ (what CI checks)."""
    status = figures.main(["--check", "--root", str(ROOT)])
    assert status == 0, capsys.readouterr().err
