"""The network diagram's layout and frames: columns of neurons, edges, side panel.

Sizes are in pixels, chosen for a 1,400-pixel window: boxes 100 x 32 with two lines
of 12-pixel monospace (up to 9-character numbers, 4 significant digits), rows 38
pixels apart, a 372-pixel side panel for what does not fit on the picture (each
neuron's z or the two factors of its delta, the largest weight gradients). Edges
are never labelled: 256 labels between two 16-neuron layers would be unreadable;
their colour and width carry the sign and size, and in a page each has a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from autograd.viz.canvas import Canvas, Group, Shape
from autograd.viz.network import Backward, Layer, mark
from autograd.viz.text import display

WIDTH = 1340  # fits a 1,400-pixel window beside its scroll bar and margins
MARGIN = 14
PANEL_WIDTH = 372
BOX_WIDTH = 100
BOX_HEIGHT = 32
PITCH = 38  # vertical distance between neurons
TOP = 108  # y of the first row of boxes
MIN_GAP = 70  # the narrowest space between two columns of boxes
NUMBER_SIZE = 12.0
PANEL_SIZE = 12.0
LINE = 16  # panel line height

INK = "#111827"
MUTED = "#6b7280"
POSITIVE = "#dc2626"
NEGATIVE = "#2563eb"
IDLE_EDGE = "#d1d5db"
HOT = "#ea580c"
DEAD = ("#e5e7eb", "#6b7280")  # (fill, border)
SATURATED_BOX = ("#fef3c7", "#d97706")
BOX = ("#ffffff", "#9ca3af")
INPUT_BOX = ("#dbeafe", "#3b82f6")
LOSS_BOX = ("#dcfce7", "#16a34a")


@dataclass
class Picture:
    """A network and what is known about it, to be drawn as one or more frames."""

    layers: list[Layer]
    title: str
    slopes: Sequence[Sequence[float] | None] | None = None  # per layer, where known
    backward: Backward | None = None


def fmt(x: float) -> str:
    """A number in at most 9 characters, 4 significant digits."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    for digits in (2, 1, 0):  # fewer digits for three-digit exponents
        text = f"{x:.{digits}e}"
        if len(text) <= 9:
            break
    return text


def neuron_name(layer: int, j: int) -> str:
    """``x3`` for input 3, ``2.5`` for neuron 5 of layer 2 (counting from 1)."""
    return f"x{j + 1}" if layer == 0 else f"{layer}.{j + 1}"


@dataclass
class _Layout:
    width: int
    height: int
    columns: list[int]  # sizes: inputs, layers, and the loss if drawn
    xs: list[float]  # left edge of each column's boxes
    rows: int  # the tallest column

    def box(self, column: int, j: int) -> tuple[float, float]:
        """The top-left corner of box j of ``column``."""
        offset = (self.rows - self.columns[column]) / 2
        return self.xs[column], TOP + (offset + j) * PITCH


def _layout(picture: Picture, panel_lines: int) -> _Layout:
    sizes = [len(picture.layers[0].inputs), *(len(x.pre) for x in picture.layers)]
    if picture.backward is not None:
        sizes.append(1)
    count = len(sizes)
    left = MARGIN + 4
    needed = left + count * BOX_WIDTH + (count - 1) * MIN_GAP + 24 + PANEL_WIDTH
    width = max(WIDTH, math.ceil(needed + MARGIN))
    right = width - MARGIN - PANEL_WIDTH - 24
    step = (right - left - BOX_WIDTH) / (count - 1) if count > 1 else 0.0
    xs = [left + c * step for c in range(count)]
    rows = max(sizes)
    net_bottom = TOP + rows * PITCH + 52  # two legend lines below the boxes
    panel_bottom = TOP - 26 + (panel_lines + 1) * LINE + 12
    height = math.ceil(max(net_bottom, panel_bottom) + MARGIN)
    return _Layout(width, height, sizes, xs, rows)


# -- what a frame knows ------------------------------------------------------------


@dataclass
class _State:
    phase: str  # "static", "values", "forward", "backward"
    column: int  # forward: the column computed last; backward: the layer reached
    layer_count: int

    def activations_known(self, column: int) -> bool:
        if self.phase == "static":
            return False
        if self.phase == "forward":
            return column <= self.column
        return True

    def loss_known(self) -> bool:
        return self.phase == "backward" or (
            self.phase == "forward" and self.column == self.layer_count + 1
        )

    def deltas_known(self, layer: int) -> bool:
        return self.phase == "backward" and layer >= self.column

    def current(self, column: int) -> bool:
        return self.phase in ("forward", "backward") and column == self.column


# -- drawing -----------------------------------------------------------------------


def _edge_style(value: float, largest: float, power: float) -> dict[str, object]:
    """Colour by sign, width and opacity by size relative to the layer's largest.

    The relative size is raised to ``power``: 2 for weights, which are all of one
    scale, so that the strong ones stand out of 256; 1.5 for gradients.
    """
    if value == 0 or not math.isfinite(value) or largest == 0:
        strength = 0.0 if value == 0 else 1.0
    else:
        strength = min(1.0, abs(value) / largest) ** power
    if strength == 0:
        return {"stroke": IDLE_EDGE, "width": 0.6, "opacity": 0.6}
    return {
        "stroke": POSITIVE if value > 0 else NEGATIVE,
        "width": 0.4 + 3.2 * strength,
        "opacity": 0.15 + 0.85 * strength,
    }


def _largest(values: Sequence[float]) -> float:
    finite = [abs(v) for v in values if math.isfinite(v)]
    return max(finite, default=0.0)


def _marks(picture: Picture, k: int) -> list[str]:
    """Each neuron's mark in layer ``k`` (from 1): dead, saturated, or none."""
    layer = picture.layers[k - 1]
    slopes = None if picture.slopes is None else picture.slopes[k - 1]
    if slopes is None:
        return [
            mark(layer, z.data, 1.0) if layer.activation == "relu" else ""
            for z in layer.pre
        ]
    return [mark(layer, z.data, s) for z, s in zip(layer.pre, slopes)]


def _draw_edges(
    canvas: Canvas, picture: Picture, layout: _Layout, state: _State
) -> None:
    backward = picture.backward
    for k, layer in enumerate(picture.layers, 1):
        weights = [[w.data for w in row] for row in layer.weights]
        grads = None if backward is None else backward.weight_grad[k - 1]
        show_grads = grads is not None and state.deltas_known(k)
        if show_grads:
            assert grads is not None
            values = grads
        else:
            values = weights
        colour = state.phase in ("static", "values") or (
            state.phase == "forward" and state.current(k)
        )
        largest = _largest([v for row in values for v in row])
        edges = []
        for j, row in enumerate(values):
            for i, v in enumerate(row):
                edges.append((abs(v) if math.isfinite(v) else math.inf, j, i, v))
        edges.sort()  # the strongest drawn last, on top
        for _, j, i, v in edges:
            x1, y1 = layout.box(k - 1, i)
            x2, y2 = layout.box(k, j)
            if show_grads or colour:
                style = _edge_style(v, largest, 1.5 if show_grads else 2.0)
            else:
                style = {"stroke": IDLE_EDGE, "width": 0.6, "opacity": 0.6}
            attrs = {
                "class": "edge",
                "data-layer": str(k),
                "data-from": str(i),
                "data-to": str(j),
                "data-weight": repr(weights[j][i]),
            }
            source, target = neuron_name(k - 1, i), neuron_name(k, j)
            tip = f"weight {source} -> {target}: w = {fmt(weights[j][i])}"
            if show_grads and backward is not None:
                assert grads is not None
                delta = backward.delta[k - 1][j]
                a = layer.inputs[i].data
                attrs["data-grad"] = repr(grads[j][i])
                tip += (
                    f"; grad = delta x a = {fmt(delta)} x {fmt(a)} = {fmt(grads[j][i])}"
                )
            group = canvas.group(tip, **attrs)
            group.shapes.append(
                Shape(
                    "line",
                    (x1 + BOX_WIDTH, y1 + BOX_HEIGHT / 2, x2, y2 + BOX_HEIGHT / 2),
                    **style,  # type: ignore[arg-type]
                )
            )
    if picture.backward is not None:  # the outputs feed the loss
        last = len(picture.layers)
        x2, y2 = layout.box(last + 1, 0)
        group = canvas.group(**{"class": "loss-edge"})
        for j in range(layout.columns[last]):
            x1, y1 = layout.box(last, j)
            known = state.loss_known()
            group.shapes.append(
                Shape(
                    "line",
                    (x1 + BOX_WIDTH, y1 + BOX_HEIGHT / 2, x2, y2 + BOX_HEIGHT / 2),
                    stroke=MUTED if known else IDLE_EDGE,
                    width=1.5,
                )
            )


def _box(
    group: Group,
    x: float,
    y: float,
    colours: tuple[str, str],
    *,
    current: bool,
    dashed: bool = False,
) -> None:
    fill, border = colours
    group.shapes.append(
        Shape(
            "rect",
            (x, y, BOX_WIDTH, BOX_HEIGHT),
            fill=fill,
            stroke=HOT if current else border,
            width=2.5 if current else 1.0,
            dash=dashed and not current,
            radius=4,
        )
    )


def _line(group: Group, x: float, y: float, label: str, value: str | None) -> None:
    """A box's line: a muted label on the left, the number on the right."""
    group.shapes.append(
        Shape("text", (x + 6, y), fill=MUTED, text=label, size=NUMBER_SIZE, mono=True)
    )
    if value is not None:
        group.shapes.append(
            Shape(
                "text",
                (x + BOX_WIDTH - 6, y),
                fill=INK,
                text=value,
                size=NUMBER_SIZE,
                anchor="end",
                mono=True,
            )
        )


def _draw_neurons(
    canvas: Canvas, picture: Picture, layout: _Layout, state: _State
) -> None:
    backward = picture.backward
    known_inputs = state.activations_known(0)
    for i, v in enumerate(picture.layers[0].inputs):
        x, y = layout.box(0, i)
        attrs = {"class": "neuron", "data-layer": "0", "data-neuron": str(i)}
        if known_inputs:
            attrs["data-activation"] = repr(v.data)
        group = canvas.group(f"input {neuron_name(0, i)} = {fmt(v.data)}", **attrs)
        _box(group, x, y, INPUT_BOX, current=state.current(0))
        _line(
            group, x, y + 21, neuron_name(0, i), fmt(v.data) if known_inputs else None
        )
    for k, layer in enumerate(picture.layers, 1):
        marks = _marks(picture, k)
        shown = state.activations_known(k)
        deltas = state.deltas_known(k) and backward is not None
        for j, (z, a) in enumerate(zip(layer.pre, layer.outputs)):
            x, y = layout.box(k, j)
            attrs = {"class": "neuron", "data-layer": str(k), "data-neuron": str(j)}
            name = neuron_name(k, j)
            tip = f"neuron {name} ({layer.activation})"
            if shown:
                attrs["data-activation"] = repr(a.data)
                attrs["data-z"] = repr(z.data)
                attrs["data-mark"] = marks[j]
                tip += f": z = {fmt(z.data)}, a = {fmt(a.data)}"
                if marks[j]:
                    tip += f" ({marks[j]})"
            if deltas and backward is not None:
                up = backward.upstream[k - 1][j]
                slope = backward.slope[k - 1][j]
                delta = backward.delta[k - 1][j]
                attrs["data-upstream"] = repr(up)
                attrs["data-slope"] = repr(slope)
                attrs["data-delta"] = repr(delta)
                tip += f"; delta = {fmt(up)} x {fmt(slope)} = {fmt(delta)}"
            group = canvas.group(tip, **attrs)
            colours = BOX
            if shown and marks[j] == "dead":
                colours = DEAD
            elif shown and marks[j] == "saturated":
                colours = SATURATED_BOX
            _box(
                group,
                x,
                y,
                colours,
                current=state.current(k),
                dashed=shown and marks[j] == "dead",
            )
            if state.phase == "static":
                _line(group, x, y + 21, name, None)
                continue
            _line(group, x, y + 13, "a", fmt(a.data) if shown else None)
            if backward is not None:
                delta_text = fmt(backward.delta[k - 1][j]) if deltas else None
                _line(group, x, y + 28, "\N{GREEK SMALL LETTER DELTA}", delta_text)
            else:
                _line(group, x, y + 28, name, None)
    if backward is not None:
        column = len(picture.layers) + 1
        x, y = layout.box(column, 0)
        attrs = {"class": "loss"}
        if state.loss_known():
            attrs["data-loss"] = repr(backward.loss)
        group = canvas.group(f"loss = {fmt(backward.loss)}", **attrs)
        _box(group, x, y, LOSS_BOX, current=state.current(column))
        value = fmt(backward.loss) if state.loss_known() else None
        _line(group, x, y + 13, "loss", None)
        _line(group, x, y + 28, "", value)


def _headers(canvas: Canvas, picture: Picture, layout: _Layout) -> None:
    group = canvas.group(**{"class": "headers"})
    count = len(picture.layers)
    for c in range(len(layout.columns)):
        x = layout.xs[c] + BOX_WIDTH / 2
        if c == 0:
            head, sub = "input", "x"
        elif c <= count:
            activation = picture.layers[c - 1].activation
            head = "output" if c == count else f"layer {c}"
            sub = f"layer {c}, {activation}" if c == count else activation
        else:
            head, sub = "loss", "loss_fn(output)"
        group.shapes.append(
            Shape("text", (x, TOP - 26), text=head, size=13, anchor="middle", bold=True)
        )
        group.shapes.append(
            Shape(
                "text", (x, TOP - 10), fill=MUTED, text=sub, size=11.5, anchor="middle"
            )
        )


def _subtitle(picture: Picture, state: _State) -> str:
    count = state.layer_count
    if state.phase == "static":
        return "Edges: one per weight, coloured by its sign, as wide as its size."
    if state.phase == "values":
        return "One forward pass: each neuron shows its activation a = f(z)."
    if state.phase == "forward":
        c = state.column
        if c == 0:
            return "Forward pass: the input x is the first column of activations."
        if c == count + 1:
            return "Forward pass: the loss, computed from the output."
        layer = picture.layers[c - 1]
        return (
            f"Forward pass, layer {c} of {count}: z = w . a + b from the column "
            f"before, a = {layer.activation}(z)."
        )
    k = state.column
    if k == count:
        return (
            f"Backward pass, layer {k} of {count} (the output): "
            "delta = d(loss)/d(output) x slope."
        )
    return (
        f"Backward pass, layer {k} of {count}: delta = (sum of w x delta over layer "
        f"{k + 1}) x slope; each weight's gradient = delta x a."
    )


# -- the side panel ----------------------------------------------------------------


def _panel_lines(picture: Picture, state: _State) -> list[tuple[str, str]]:
    """The panel's lines, each with its style: title, head, row, dead, sat, muted."""
    lines: list[tuple[str, str]] = []
    layers = picture.layers
    count = len(layers)
    backward = picture.backward
    if state.phase in ("static", "values"):
        lines.append(("The layers", "title"))
        for k, layer in enumerate(layers, 1):
            n, nin = len(layer.pre), len(layer.inputs)
            ws = [w.data for row in layer.weights for w in row]
            lines.append((f"layer {k}: {n} x {layer.activation}", "head"))
            lines.append(
                (f"  {n * nin} weights in [{fmt(min(ws))}, {fmt(max(ws))}]", "row")
            )
            if state.phase == "values":
                marks = _marks(picture, k)
                dead, sat = marks.count("dead"), marks.count("saturated")
                if dead or sat:
                    lines.append((f"  {dead} dead, {sat} saturated", "row"))
        return lines
    if state.phase == "forward":
        c = state.column
        if c == 0:
            lines.append(("The input", "title"))
            for i, v in enumerate(layers[0].inputs):
                lines.append((f"{neuron_name(0, i):>5}  = {fmt(v.data):>9}", "row"))
            return lines
        if c == count + 1 and backward is not None:
            lines.append(("The loss", "title"))
            lines.append((f"loss = loss_fn(output) = {fmt(backward.loss)}", "row"))
            lines.append(("The backward pass starts here and", "muted"))
            lines.append(("goes back one layer at a time.", "muted"))
            return lines
        layer = layers[c - 1]
        lines.append((f"Layer {c}: z = w . a + b, a = {layer.activation}(z)", "title"))
        lines.append((f"{'neuron':>6}  {'z':>9}  {'a':>9}", "head"))
        marks = _marks(picture, c)
        for j, (z, a) in enumerate(zip(layer.pre, layer.outputs)):
            tag = {"dead": "dead", "saturated": "sat"}.get(marks[j], "")
            style = {"dead": "dead", "saturated": "sat"}.get(marks[j], "row")
            text = f"{neuron_name(c, j):>6}  {fmt(z.data):>9}  {fmt(a.data):>9}  {tag}"
            lines.append((text.rstrip(), style))
        return lines
    assert backward is not None
    k = state.column
    layer = layers[k - 1]
    first = "dloss/dy" if k == count else "sum w.delta"
    lines.append((f"Layer {k}: delta = ({first}) x slope", "title"))
    lines.append((f"{'neuron':>6}  {first:>11}   {'slope':>9}   {'delta':>9}", "head"))
    marks = _marks(picture, k)
    for j in range(len(layer.pre)):
        up = backward.upstream[k - 1][j]
        slope = backward.slope[k - 1][j]
        delta = backward.delta[k - 1][j]
        tag = {"dead": "dead", "saturated": "sat"}.get(marks[j], "")
        style = {"dead": "dead", "saturated": "sat"}.get(marks[j], "row")
        text = (
            f"{neuron_name(k, j):>6}  {fmt(up):>11} x {fmt(slope):>9} = "
            f"{fmt(delta):>9} {tag}"
        )
        lines.append((text.rstrip(), style))
    lines.append(("", "row"))
    lines.append(("Largest weight gradients, delta x a:", "title"))
    grads = backward.weight_grad[k - 1]
    ranked = sorted(
        ((abs(g) if math.isfinite(g) else math.inf, j, i) for j, row in enumerate(grads)
         for i, g in enumerate(row)),
        reverse=True,
    )  # fmt: skip
    for _, j, i in ranked[:5]:
        delta = backward.delta[k - 1][j]
        source = layer.inputs[i].data
        edge = f"{neuron_name(k - 1, i)}->{neuron_name(k, j)}"
        product = f"{fmt(delta):>9} x {fmt(source):>9} = {fmt(grads[j][i]):>9}"
        lines.append((f"{edge:>10} {product}", "row"))
    return lines


@dataclass(frozen=True)
class _Style:
    size: float
    bold: bool
    mono: bool
    fill: str


_PANEL_STYLE = {
    "title": _Style(13.0, True, False, INK),
    "head": _Style(PANEL_SIZE, True, True, INK),
    "row": _Style(PANEL_SIZE, False, True, INK),
    "dead": _Style(PANEL_SIZE, False, True, "#4b5563"),
    "sat": _Style(PANEL_SIZE, False, True, "#b45309"),
    "muted": _Style(PANEL_SIZE, False, True, MUTED),
}


def _draw_panel(
    canvas: Canvas, layout: _Layout, lines: Sequence[tuple[str, str]]
) -> None:
    x = layout.width - MARGIN - PANEL_WIDTH
    top = TOP - 44
    group = canvas.group(**{"class": "panel"})
    height = (len(lines) + 1) * LINE + 8
    group.shapes.append(
        Shape(
            "rect",
            (x, top, PANEL_WIDTH, height),
            fill="#f9fafb",
            stroke="#e5e7eb",
            radius=6,
        )
    )
    y = top + LINE + 4
    for text, style in lines:
        s = _PANEL_STYLE[style]
        group.shapes.append(
            Shape(
                "text",
                (x + 10, y),
                fill=s.fill,
                text=text,
                size=s.size,
                bold=s.bold,
                mono=s.mono,
            )
        )
        y += LINE


def draw(picture: Picture, phase: str, column: int) -> Canvas:
    """One frame of ``picture``: ``phase`` static, values, forward or backward.

    ``column`` is, forward, the column computed last (0 the input, L+1 the loss);
    backward, the layer the pass has reached (L the output, down to 1).
    """
    state = _State(phase, column, len(picture.layers))
    lines = _panel_lines(picture, state)
    layout = _layout(picture, len(lines))
    canvas = Canvas(layout.width, layout.height)
    canvas.attributes.update({"data-phase": phase, "data-column": str(column)})
    head = canvas.group(**{"class": "title"})
    head.shapes.append(
        Shape("text", (MARGIN, 26), text=display(picture.title, 90), size=17, bold=True)
    )
    head.shapes.append(
        Shape(
            "text",
            (MARGIN, 50),
            fill="#374151",
            text=_subtitle(picture, state),
            size=13.5,
        )
    )
    _headers(canvas, picture, layout)
    _draw_edges(canvas, picture, layout, state)
    _draw_neurons(canvas, picture, layout, state)
    _draw_panel(canvas, layout, lines)
    legend = canvas.group(**{"class": "legend"})
    y = TOP + layout.rows * PITCH + 18
    for text in (
        "Edges: weights (forward) or weight gradients (backward); red +, blue -; "
        "width: size over the largest in the layer.",
        "Grey dashed box: dead ReLU (z <= 0, slope 0: no gradient passes). "
        "Amber box: saturated (slope < 5% of its largest).",
    ):
        legend.shapes.append(Shape("text", (MARGIN, y), fill=MUTED, text=text, size=12))
        y += 17
    return canvas
