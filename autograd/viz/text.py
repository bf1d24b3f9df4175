"""Text for pictures: numbers in fixed widths, labels any renderer can show, widths.

Labels are made printable ASCII before they are drawn: subscripts and accents are
decomposed (``w₁`` is drawn ``w1``), control characters are shown as their Python
escapes (``\\x00``, ``\\n``), anything else without an ASCII form as ``?``, and a
label longer than ``LABEL_LIMIT`` characters is cut, ending in ``...``. Then each
renderer gets its own escaping (Graphviz HTML labels, SVG), so any label draws.

Text widths come from measured font metrics, not from the renderer's guess: for each
printable ASCII character the widest advance among DejaVu Sans and Liberation Sans
(metrically Arial, and so about Helvetica), regular and bold, and among DejaVu Sans
Mono and Liberation Mono (Courier's metrics). A box sized with them holds its text
whichever of these fonts the viewer's machine substitutes.
"""

from __future__ import annotations

import html
import math
import unicodedata
from typing import Any

from autograd.value import Value

LABEL_LIMIT = 40
"""Labels longer than this many characters are drawn cut, ending in ``...``."""

# Advance widths in 1/1000 em of the characters " " (32) to "~" (126): the larger of
# DejaVu Sans and Liberation Sans (Arial's metrics), measured with Pillow's FreeType
# on the TTF files; tests/test_viz_text.py re-measures them where the fonts exist.
_SANS = (
    318, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337,
    637, 637, 637, 637, 637, 637, 637, 637, 637, 637, 337, 337, 838, 838, 838, 557,
    1016, 685, 687, 723, 771, 667, 611, 778, 752, 295, 500, 667, 558, 863, 749, 788,
    667, 788, 723, 667, 611, 732, 685, 989, 686, 667, 686, 391, 337, 391, 838, 557,
    500, 613, 635, 550, 635, 616, 353, 635, 634, 278, 278, 580, 278, 975, 634, 612,
    635, 635, 412, 521, 393, 634, 592, 818, 592, 592, 525, 637, 337, 637, 838,
)  # fmt: skip
_SANS_BOLD = (
    349, 457, 521, 838, 696, 1002, 873, 307, 458, 458, 523, 838, 380, 416, 380, 366,
    696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 611,
    1000, 774, 763, 734, 831, 684, 684, 821, 837, 373, 557, 775, 638, 996, 837, 851,
    733, 851, 771, 721, 683, 813, 774, 1104, 771, 725, 726, 458, 366, 458, 838, 557,
    500, 675, 716, 593, 716, 679, 436, 716, 712, 343, 343, 666, 343, 1042, 712, 688,
    716, 716, 494, 596, 479, 712, 652, 924, 646, 652, 583, 712, 366, 712, 838,
)  # fmt: skip
_MONO = 603  # every character of DejaVu Sans Mono (602) and Liberation Mono (600)

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def text_width(
    text: str, size: float, *, bold: bool = False, mono: bool = False
) -> float:
    """The width of ``text`` at font ``size``, in the unit of ``size`` (pt or px).

    The widest of DejaVu and Liberation (Arial, Courier metrics) for each character;
    ``text`` should be printable ASCII (see ``display``): other characters count as
    an ``M``.
    """
    if mono:
        return len(text) * _MONO * size / 1000
    table = _SANS_BOLD if bold else _SANS
    wide = table[ord("M") - 32]
    units = sum(table[ord(c) - 32] if " " <= c <= "~" else wide for c in text)
    return units * size / 1000


def display(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` as printable ASCII, control characters escaped, cut at ``limit``."""
    parts = []
    for char in unicodedata.normalize("NFKD", text):
        if " " <= char <= "~":
            parts.append(char)
        elif char in _ESCAPES:
            parts.append(_ESCAPES[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            parts.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        elif unicodedata.combining(char):
            continue  # the accent of a decomposed letter: the letter alone
        else:
            parts.append("?")
        if len(parts) > limit:  # enough to know it will be cut
            break
    shown = "".join(parts)
    if len(shown) > limit:
        shown = shown[: max(limit - 3, 1)] + "..."
    return shown


def dot_html(text: str) -> str:
    """``text`` (printable ASCII) inside a Graphviz HTML label, shown as it is.

    ``<``, ``>``, ``&`` and quotes become entities; a backslash is doubled, because
    Graphviz reads ``\\N``, ``\\G``, ``\\\\`` in label text as escapes.
    """
    return html.escape(text, quote=True).replace("\\", "\\\\")


def xml(text: str) -> str:
    """``text`` (printable ASCII) as SVG or HTML character data."""
    return html.escape(text, quote=True)


def to_float(x: Any) -> float:
    """The number of a Value, or the number itself, as a float."""
    return float(x.data if isinstance(x, Value) else x)


def number(x: Any) -> str:
    """A number in 10 characters: 4 decimals while they fit, else scientific."""
    value = to_float(x)
    if not math.isfinite(value):
        text = str(value)
    elif value == 0.0 or 1e-4 <= abs(value) < 9999.5:
        text = f"{value:.4f}"
    else:
        text = f"{value:.3e}"
    return text.rjust(10)


def short(x: Any, digits: int = 4) -> str:
    """A number in at most ``digits`` significant digits (labels, captions)."""
    return f"{to_float(x):.{digits}g}"
