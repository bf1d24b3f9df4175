"""Text for pictures: the measured width table, labels made safe, number formats."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd.viz.diagram import fmt
from autograd.viz.text import LABEL_LIMIT, display, dot_html, number, text_width, xml

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
]
PRINTABLE = "".join(chr(c) for c in range(32, 127))


def font_file(name: str) -> Path:
    """A TTF file of the system's, or a skip saying it is not installed."""
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    pytest.skip(f"font {name} is not installed here (fonts-dejavu, fonts-liberation)")


@pytest.mark.parametrize(
    ("name", "bold", "mono"),
    [
        ("DejaVuSans.ttf", False, False),
        ("DejaVuSans-Bold.ttf", True, False),
        ("LiberationSans-Regular.ttf", False, False),
        ("LiberationSans-Bold.ttf", True, False),
        ("DejaVuSansMono.ttf", False, True),
        ("DejaVuSansMono-Bold.ttf", False, True),
        ("LiberationMono-Regular.ttf", False, True),
    ],
)
def test_width_table_covers_each_font(name: str, bold: bool, mono: bool) -> None:
    """No printable character is wider in the font than the table says."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(font_file(name)), 1000)
    for char in PRINTABLE:
        assert font.getlength(char) <= text_width(char, 1000, bold=bold, mono=mono)


def test_width_table_is_tight() -> None:
    """The bold table is the wider of DejaVu and Liberation, rounded up: no guess."""
    from PIL import ImageFont

    fonts = [
        ImageFont.truetype(str(font_file(name)), 1000)
        for name in ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
    ]
    for char in PRINTABLE:
        widest = max(f.getlength(char) for f in fonts)
        assert 0 <= text_width(char, 1000, bold=True) - widest < 1.0


def test_a_label_is_as_wide_as_the_sum_of_its_characters() -> None:
    """Widths add up: 'ab' is as wide as 'a' and 'b'."""
    assert text_width("ab", 1000) == text_width("a", 1000) + text_width("b", 1000)


@given(st.text(max_size=200))
def test_display_is_printable_ascii_within_the_limit(text: str) -> None:
    """Any text displays as printable ASCII of at most LABEL_LIMIT characters."""
    shown = display(text)
    assert all(" " <= c <= "~" for c in shown)
    assert len(shown) <= LABEL_LIMIT


@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
)
def test_display_keeps_printable_ascii_as_it_is(text: str) -> None:
    """A short printable ASCII label is shown unchanged."""
    assert display(text) == text


def test_display_decomposes_subscripts_and_accents() -> None:
    """w-subscript-1 reads w1, e-acute reads e."""
    assert display("w\N{SUBSCRIPT ONE} caf\N{LATIN SMALL LETTER E WITH ACUTE}") == (
        "w1 cafe"
    )


def test_dot_html_escapes_markup_and_doubles_backslashes() -> None:
    """<, &, quotes become entities; a backslash is doubled for Graphviz."""
    assert dot_html('<a href="x">&\\N') == "&lt;a href=&quot;x&quot;&gt;&amp;\\\\N"


def test_xml_escapes_markup() -> None:
    """SVG text has its markup characters escaped."""
    assert xml("<&>'\"") == "&lt;&amp;&gt;&#x27;&quot;"


@pytest.mark.parametrize(
    "x", [0.0, -0.0, 1.5, -2.25, 1e-9, -123456.789, 9999.4999, math.inf, math.nan]
)
def test_number_has_ten_characters(x: float) -> None:
    """The graph's numbers are 10 characters wide, whatever the value."""
    assert len(number(x)) == 10


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_network_numbers_have_at_most_nine_characters(x: float) -> None:
    """The layer view's numbers fit in 9 characters and keep 4 significant digits."""
    text = fmt(x)
    assert len(text) <= 9
    if math.isfinite(x) and x != 0 and 1e-3 <= abs(x) < 1e4:
        assert float(text) == pytest.approx(x, rel=5e-4)
