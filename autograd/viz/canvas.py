"""A picture as a list of shapes, written as SVG or drawn with Pillow: one layout.

The network diagram places every box, edge and text itself, in pixels, and this
module writes the same shapes two ways: SVG text (for pages and Jupyter) and a Pillow
image (for PNG and GIF, drawn at twice the size and scaled down, so lines are smooth).
Fonts: DejaVu, Liberation, then the platform's own, then Pillow's built-in one; widths
are planned with the widest of them (``autograd.viz.text``), so text fits in all.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Any

from autograd.viz.rendering import import_pillow
from autograd.viz.text import xml

SANS = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
MONO = "DejaVu Sans Mono, Liberation Mono, Menlo, Consolas, Courier New, monospace"

# Font files Pillow looks for (it searches the system's font folders), best first.
_FONT_FILES = {
    (False, False): ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf",
                     "arial.ttf", "Helvetica.ttc"),
    (True, False): ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf",
                    "Arial Bold.ttf", "arialbd.ttf", "Helvetica.ttc"),
    (False, True): ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "Menlo.ttc",
                    "consola.ttf", "Courier New.ttf", "cour.ttf"),
    (True, True): ("DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf", "Menlo.ttc",
                   "consolab.ttf", "Courier New Bold.ttf", "courbd.ttf"),
}  # fmt: skip

SUPERSAMPLE = 2  # Pillow draws at this multiple of the size, then scales down


@dataclass(frozen=True)
class Shape:
    """One rectangle, line or text, with its SVG attributes kept for the writer."""

    kind: str  # "rect", "line", "text"
    geometry: tuple[float, ...]  # rect: x, y, w, h; line: x1, y1, x2, y2; text: x, y
    fill: str | None = None
    stroke: str | None = None
    width: float = 1.0  # stroke width
    opacity: float = 1.0
    dash: bool = False
    text: str = ""
    size: float = 12.0
    anchor: str = "start"  # "start", "middle", "end"
    bold: bool = False
    mono: bool = False
    radius: float = 0.0


@dataclass
class Group:
    """Shapes drawn together; in SVG a ``<g>`` with attributes and a tooltip."""

    shapes: list[Shape] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    tooltip: str = ""


@dataclass
class Canvas:
    """A ``width`` x ``height`` pixel picture on white, as groups of shapes."""

    width: int
    height: int
    groups: list[Group] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)

    def group(self, tooltip: str = "", **attributes: str) -> Group:
        """A new group, drawn after (above) every earlier one."""
        g = Group(attributes=dict(attributes), tooltip=tooltip)
        self.groups.append(g)
        return g

    # -- SVG ---------------------------------------------------------------------

    def svg(self) -> str:
        """The picture as one ``<svg>`` element (no external references)."""
        extra = "".join(f' {k}="{xml(v)}"' for k, v in self.attributes.items())
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
            f'height="{self.height}" viewBox="0 0 {self.width} {self.height}"'
            f"{extra}>",
            f'<rect x="0" y="0" width="{self.width}" height="{self.height}" '
            'fill="white"/>',
        ]
        for g in self.groups:
            attrs = "".join(f' {k}="{xml(v)}"' for k, v in g.attributes.items())
            parts.append(f"<g{attrs}>")
            if g.tooltip:
                parts.append(f"<title>{xml(g.tooltip)}</title>")
            parts.extend(_svg_shape(s) for s in g.shapes)
            parts.append("</g>")
        parts.append("</svg>")
        return "\n".join(parts)

    # -- Pillow --------------------------------------------------------------------

    def image(self) -> Any:
        """The picture as a Pillow RGB image, ``width`` x ``height`` pixels."""
        image_module = import_pillow("a network picture (PNG, GIF)")
        from PIL import ImageDraw

        k = SUPERSAMPLE
        big = image_module.new("RGB", (self.width * k, self.height * k), "white")
        draw = ImageDraw.Draw(big, "RGBA")
        for g in self.groups:
            for s in g.shapes:
                _draw_shape(draw, s, k)
        return big.resize((self.width, self.height), image_module.Resampling.LANCZOS)


def _f(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _svg_shape(s: Shape) -> str:
    paint = f' fill="{s.fill or "none"}"'
    if s.stroke:
        paint += f' stroke="{s.stroke}" stroke-width="{_f(s.width)}"'
    if s.opacity < 1:
        paint += f' opacity="{_f(s.opacity)}"'
    if s.dash:
        paint += ' stroke-dasharray="4 3"'
    if s.kind == "rect":
        x, y, w, h = s.geometry
        rounded = f' rx="{_f(s.radius)}"' if s.radius else ""
        return (
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}"'
            f"{rounded}{paint}/>"
        )
    if s.kind == "line":
        x1, y1, x2, y2 = s.geometry
        return f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}"{paint}/>'
    x, y = s.geometry
    weight = ' font-weight="bold"' if s.bold else ""
    family = MONO if s.mono else SANS
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-family="{family}" '
        f'font-size="{_f(s.size)}"{weight} text-anchor="{s.anchor}" '
        f'fill="{s.fill or "#111827"}" xml:space="preserve">{xml(s.text)}</text>'
    )


def _rgba(color: str, opacity: float) -> tuple[int, int, int, int]:
    """``#rrggbb`` (or ``white``) with an opacity, as Pillow's RGBA tuple."""
    if color == "white":
        color = "#ffffff"
    value = int(color.lstrip("#"), 16)
    return (value >> 16 & 255, value >> 8 & 255, value & 255, round(255 * opacity))


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool, mono: bool) -> Any:
    """The first font file found for the style, at ``size`` pixels; else Pillow's."""
    from PIL import ImageFont

    for name in _FONT_FILES[bold, mono]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size)  # a scalable font, Pillow >= 10.1
    except TypeError:
        return ImageFont.load_default()


def _dashes(
    x1: float, y1: float, x2: float, y2: float, on: float, off: float
) -> list[tuple[float, float, float, float]]:
    """The dashes of a dashed line from (x1, y1) to (x2, y2)."""
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return []
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    out, t = [], 0.0
    while t < length:
        end = min(t + on, length)
        out.append((x1 + dx * t, y1 + dy * t, x1 + dx * end, y1 + dy * end))
        t = end + off
    return out


def _draw_shape(draw: Any, s: Shape, k: int) -> None:
    """Draw one shape at ``k`` times its size."""
    width = max(1, round(s.width * k))
    if s.kind == "rect":
        x, y, w, h = (v * k for v in s.geometry)
        box = (x, y, x + w, y + h)
        fill = _rgba(s.fill, s.opacity) if s.fill else None
        outline = _rgba(s.stroke, s.opacity) if s.stroke else None
        if s.dash and outline is not None:
            draw.rounded_rectangle(box, radius=s.radius * k, fill=fill)
            corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
            for a, b in itertools.pairwise(corners):
                for seg in _dashes(*a, *b, 4 * k, 3 * k):
                    draw.line(seg, fill=outline, width=width)
        else:
            draw.rounded_rectangle(
                box,
                radius=s.radius * k,
                fill=fill,
                outline=outline,
                width=width if outline else 0,
            )
    elif s.kind == "line":
        x1, y1, x2, y2 = (v * k for v in s.geometry)
        color = _rgba(s.stroke or "#000000", s.opacity)
        segments = (
            _dashes(x1, y1, x2, y2, 4 * k, 3 * k) if s.dash else [(x1, y1, x2, y2)]
        )
        for seg in segments:
            draw.line(seg, fill=color, width=width)
    else:
        x, y = (v * k for v in s.geometry)
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
        draw.text(
            (x, y),
            s.text,
            font=font(round(s.size * k), s.bold, s.mono),
            fill=_rgba(s.fill or "#111827", s.opacity),
            anchor=anchor,
        )
