"""The layer view: the network diagram, and backprop drawn on it layer by layer.

``draw_network(model, x)`` draws the picture learners know: the inputs, then each
layer's neurons in a column, one edge per weight. ``animate_network_backward(model,
x, loss_fn, path)`` runs the forward pass column by column and then the backward pass
from the output error back to the first layer: each neuron's error signal

    delta = d(loss)/d(z) = (sum over the next layer of w * delta) * slope,

with ``z`` its pre-activation (weighted sum) and ``slope`` its activation's
derivative at ``z`` (for the output layer the first factor is d(loss)/d(output)), and
each weight's gradient ``delta * a``, ``a`` the input activation it multiplies.

Every number drawn is read from the graph: ``model.forward_layers(x)`` gives, per
layer, the Values of its inputs, pre-activations and outputs; the backward pass runs
on scratch gradients, so every ``.grad`` is left as it was. Any model with such a
``forward_layers`` works (``nn.MLP`` has one); ``autograd`` does not import ``nn``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd.backward import backward_steps, topological_order
from autograd.value import Value
from autograd.viz.canvas import Canvas
from autograd.viz.frames import scratch_grads
from autograd.viz.page import html_page, write_gif
from autograd.viz.rendering import import_pillow

MAX_LAYER_WIDTH = 64
"""The most neurons (or inputs) a column of the diagram may have."""
MAX_LAYERS = 12
"""The most layers a diagram may have."""
SATURATED = 0.05
"""A tanh, sigmoid or softplus unit is saturated when its slope is below this
fraction of its activation's largest slope (tanh: 1, so |z| > 2.2; sigmoid: 0.25,
so |z| > 4.4): its delta, and its weights' gradients, are then at most 5% of what the
same upstream signal would give at the steepest point."""

_MAX_SLOPE = {"tanh": 1.0, "sigmoid": 0.25, "softplus": 1.0}


@dataclass
class Layer:
    """One layer as the diagram reads it from the graph."""

    inputs: list[Value]
    pre: list[Value]  # z, one linear node per neuron
    outputs: list[Value]  # a = activation(z); the very z Values if linear
    weights: list[list[Value]]  # weights[j][i]: from input i to neuron j
    biases: list[Value]
    activation: str  # the op name, or "linear"


@dataclass
class Backward:
    """What the backward pass gives each neuron and weight, read from the graph."""

    loss: float
    upstream: list[list[float]]  # d(loss)/d(a) per layer and neuron
    slope: list[list[float]]  # d(a)/d(z)
    delta: list[list[float]]  # d(loss)/d(z), the pre-activation's grad
    weight_grad: list[list[list[float]]]  # [layer][j][i]


def _model_name(model: Any) -> str:
    from autograd.viz.text import display

    return display(repr(model), 60)


def read_layers(model: Any, x: Sequence[Any] | None, what: str) -> list[Layer]:
    """Run ``model.forward_layers(x)`` and check that it is a network of linear layers.

    With ``x=None`` the forward pass runs on zeros (``model.nin`` of them), for the
    structure alone.
    """
    forward_layers = getattr(model, "forward_layers", None)
    if not callable(forward_layers):
        raise TypeError(
            f"{what}: model must have a forward_layers(x) method returning one record "
            "per layer with inputs, pre_activations and outputs (as nn.MLP has); got "
            f"{type(model).__name__}"
        )
    if x is None:
        nin = getattr(model, "nin", None)
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise TypeError(
                f"{what}: without x the model must say its number of inputs as an "
                f"int .nin; {type(model).__name__} does not: pass x"
            )
        x = [0.0] * nin
    elif isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{what}: x must be a sequence of numbers or Values (one sample), got "
            f"{type(x).__name__}"
        )
    records = list(forward_layers(x))
    if not records:
        raise ValueError(f"{what}: model.forward_layers(x) returned no layers")
    if len(records) > MAX_LAYERS:
        raise ValueError(
            f"{what}: {len(records)} layers, more than the {MAX_LAYERS} a diagram "
            "can show"
        )
    layers: list[Layer] = []
    previous: list[Value] | None = None
    for k, record in enumerate(records, 1):
        layers.append(_read_layer(record, k, previous, what))
        previous = layers[-1].outputs
    return layers


def _values(record: Any, name: str, k: int, what: str) -> list[Value]:
    items = getattr(record, name, None)
    if not isinstance(items, Sequence) or not all(isinstance(v, Value) for v in items):
        raise TypeError(
            f"{what}: layer {k}'s record must have {name} as a list of Values, got "
            f"{type(items).__name__}"
        )
    values = list(items)
    if not values or len(values) > MAX_LAYER_WIDTH:
        raise ValueError(
            f"{what}: layer {k} has {len(values)} {name}; a diagram column holds "
            f"1 to {MAX_LAYER_WIDTH}"
        )
    return values


def _read_layer(record: Any, k: int, previous: list[Value] | None, what: str) -> Layer:
    inputs = _values(record, "inputs", k, what)
    pre = _values(record, "pre_activations", k, what)
    outputs = _values(record, "outputs", k, what)
    if previous is not None and (
        len(previous) != len(inputs)
        or any(a is not b for a, b in zip(previous, inputs))
    ):
        raise ValueError(f"{what}: layer {k}'s inputs are not layer {k - 1}'s outputs")
    if len(outputs) != len(pre):
        raise ValueError(
            f"{what}: layer {k} has {len(pre)} pre-activations but {len(outputs)} "
            "outputs"
        )
    n = len(inputs)
    weights, biases = [], []
    for j, z in enumerate(pre):
        ins = z.inputs
        if (
            z.op != "linear"
            or len(ins) != 2 * n + 1
            or any(a is not b for a, b in zip(ins[n : 2 * n], inputs))
        ):
            raise ValueError(
                f"{what}: neuron {j + 1} of layer {k} is not linear(weights, inputs, "
                f"bias) of the layer's {n} inputs (its op is {z.op!r})"
            )
        weights.append(list(ins[:n]))
        biases.append(ins[-1])
    kinds = set()
    for j, (z, a) in enumerate(zip(pre, outputs)):
        if a is z:
            kinds.add("linear")
        elif a.inputs == (z,):
            kinds.add(a.op)
        else:
            raise ValueError(
                f"{what}: output {j + 1} of layer {k} is neither its pre-activation "
                "nor an activation of it"
            )
    if len(kinds) != 1:
        raise ValueError(f"{what}: layer {k} mixes activations {sorted(kinds)}")
    return Layer(inputs, pre, outputs, weights, biases, kinds.pop())


def _network_values(layers: Sequence[Layer]) -> list[Value]:
    values: list[Value] = list(layers[0].inputs)
    for layer in layers:
        values += layer.pre + layer.outputs + layer.biases
        for row in layer.weights:
            values += row
    return values


def run_backward(
    layers: Sequence[Layer], loss_fn: Callable[[Any], Any], what: str
) -> Backward:
    """``loss_fn`` of the output, and its backward pass read neuron by neuron.

    The pass runs on scratch gradients and every ``.grad`` is put back after.
    """
    if not callable(loss_fn):
        raise TypeError(
            f"{what}: loss_fn must be a function of the output, got "
            f"{type(loss_fn).__name__}"
        )
    last = layers[-1].outputs
    loss = loss_fn(last[0] if len(last) == 1 else list(last))
    if not isinstance(loss, Value):
        raise TypeError(
            f"{what}: loss_fn(output) must return a Value (the loss), got "
            f"{type(loss).__name__}"
        )
    activations = {
        a for layer in layers for a, z in zip(layer.outputs, layer.pre) if a is not z
    }
    slopes: dict[Value, float] = {}
    scratch = dict.fromkeys([*topological_order(loss), *_network_values(layers)])
    with scratch_grads(scratch):
        for step in backward_steps(loss):
            if step.node in activations:
                slopes[step.node] = float(step.partials[0])
        upstream = [[float(a.grad) for a in layer.outputs] for layer in layers]
        delta = [[float(z.grad) for z in layer.pre] for layer in layers]
        weight_grad = [
            [[float(w.grad) for w in row] for row in layer.weights] for layer in layers
        ]
    slope = []
    for layer in layers:
        row = []
        for a, z in zip(layer.outputs, layer.pre):
            if a is z:
                row.append(1.0)
            elif a in slopes:
                row.append(slopes[a])
            else:  # the loss does not depend on this neuron: its own step
                row.append(_slope(a))
        slope.append(row)
    return Backward(float(loss.data), upstream, slope, delta, weight_grad)


def _slope(a: Value) -> float:
    """d(a)/d(z) of an activation node ``a``, from the first step of its own pass."""
    with scratch_grads(topological_order(a)):
        steps = backward_steps(a)
        try:
            return float(next(steps).partials[0])
        finally:
            close = getattr(steps, "close", None)  # a generator: end its pass now
            if close is not None:
                close()


def mark(layer: Layer, z: float, slope: float) -> str:
    """``dead`` (a ReLU at z <= 0), ``saturated`` (see ``SATURATED``) or ``""``."""
    if layer.activation == "relu" and z <= 0:
        return "dead"
    top = _MAX_SLOPE.get(layer.activation)
    if top is not None and math.isfinite(slope) and abs(slope) < SATURATED * top:
        return "saturated"
    return ""


def _forward_slopes(layers: Sequence[Layer]) -> list[list[float] | None]:
    """Each activation's slope at z, for marks in a drawing without a backward pass."""
    out: list[list[float] | None] = []
    for layer in layers:
        if layer.activation not in _MAX_SLOPE:
            out.append(None)
            continue
        out.append([_slope(a) for a in layer.outputs])
    return out


class NetworkDiagram:
    """A drawn network: ``.svg`` (text), ``.image()`` (Pillow), ``save(path)``.

    Jupyter shows it inline (its SVG); ``save`` and ``autograd.viz.render`` write
    ``.svg`` or ``.png`` by the suffix. No Graphviz renderer is needed.
    """

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas

    @property
    def svg(self) -> str:
        """The picture as an ``<svg>`` element."""
        return self.canvas.svg()

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.canvas.width

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.canvas.height

    def image(self) -> Any:
        """The picture as a Pillow RGB image (needs Pillow)."""
        return self.canvas.image()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the picture to ``path``: ``.svg`` or ``.png`` by the suffix."""
        path = Path(path)
        kind = path.suffix.lower()
        if kind == ".svg":
            path.write_text(self.svg, encoding="utf-8")
        elif kind == ".png":
            image_module = import_pillow("a network picture (PNG)")
            # 256 colours hold the picture (a few hues and their antialiasing) at a
            # third of the size of full colour.
            median_cut = image_module.Quantize.MEDIANCUT
            palette = self.image().quantize(colors=256, method=median_cut)
            palette.save(path, format="PNG", optimize=True)
        else:
            raise ValueError(f"NetworkDiagram.save: {path} should end in .svg or .png")
        return path

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"NetworkDiagram({self.width}x{self.height} px)"


def draw_network(model: Any, x: Sequence[Any] | None = None) -> NetworkDiagram:
    """The network diagram of ``model``: inputs, neurons in columns, an edge per weight.

    ``model`` is anything with ``forward_layers(x)`` (as ``nn.MLP``), duck-typed, else
    ``TypeError``. Edges are coloured by the weight's sign (red +, blue -) and as wide
    as its size relative to the largest in its layer. With ``x`` (one sample) each
    neuron shows its activation, a side panel its weighted sum z, and dead ReLUs (z
    <= 0) and saturated units (see ``SATURATED``) are marked; without it (the model
    then needs ``.nin``) the structure and weights alone.
    """
    from autograd.viz.diagram import Picture, draw

    layers = read_layers(model, x, "draw_network")
    picture = Picture(
        layers=layers,
        title=f"{_model_name(model)}" + ("" if x is None else ", one sample"),
        slopes=None if x is None else _forward_slopes(layers),
    )
    phase = "static" if x is None else "values"
    return NetworkDiagram(draw(picture, phase, len(layers)))


def network_frames(
    model: Any, x: Sequence[Any], loss_fn: Callable[[Any], Any]
) -> list[NetworkDiagram]:
    """The frames of ``animate_network_backward``: forward columns, then backward.

    Frame 1 shows the input, frames 2 to L+1 layers 1 to L, frame L+2 the loss;
    frames L+3 to 2L+2 the backward pass, layer L (the output) down to layer 1.
    """
    from autograd.viz.diagram import Picture, draw

    layers = read_layers(model, x, "animate_network_backward")
    backward = run_backward(layers, loss_fn, "animate_network_backward")
    picture = Picture(
        layers=layers,
        title=f"Backpropagation in {_model_name(model)}",
        slopes=backward.slope,
        backward=backward,
    )
    count = len(layers)
    frames = [draw(picture, "forward", c) for c in range(count + 2)]
    frames += [draw(picture, "backward", k) for k in range(count, 0, -1)]
    total = len(frames)
    for n, canvas in enumerate(frames, 1):
        canvas.attributes["data-frame"] = str(n)
        canvas.attributes["data-frames"] = str(total)
    return [NetworkDiagram(c) for c in frames]


_LEGEND = (
    '<p class="legend">Forward, column by column: <code>z = w . a + b</code>, '
    "<code>a = activation(z)</code>. Backward, from the loss to the first layer: "
    "<code>&delta; = d(loss)/dz = (sum of w &delta; over the next layer) x slope"
    "</code>, and each weight's gradient is <code>&delta; x a</code>. Hover over a "
    "neuron or an edge for its numbers.</p>"
)


def animate_network_backward(
    model: Any,
    x: Sequence[Any],
    loss_fn: Callable[[Any], Any],
    path: str | os.PathLike[str],
    *,
    seconds_per_step: float = 2.0,
) -> Path:
    """Write backprop on the network diagram, a frame per column, and return path.

    The forward pass column by column (the input, each layer, the loss), then the
    backward pass from the output back to the first layer: each neuron shows its
    delta = d(loss)/d(z), the side panel its two factors (the weighted sum of the next
    layer's deltas, or d(loss)/d(output), times the activation's slope), and the
    layer's edges are coloured and sized by their gradients (delta x input).
    ``loss_fn(output)`` must return a Value; the output is a Value for a one-neuron
    last layer, else a list. The suffix picks the format: ``.gif`` (animated),
    ``.html`` (self-contained: SVG frames, slider, play), ``.png`` (the last frame),
    none (a folder of one SVG per frame). Needs Pillow for ``.gif`` and ``.png``.
    Every ``.grad`` is left as it was. ``model``: see ``draw_network``.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in ("", ".gif", ".html", ".htm", ".png"):
        raise ValueError(
            f"animate_network_backward: {path} should end in .gif, .html or .png, "
            "or name a folder"
        )
    if not isinstance(seconds_per_step, (int, float)) or not seconds_per_step > 0:
        raise ValueError(
            "animate_network_backward: seconds_per_step must be a number > 0, got "
            f"{seconds_per_step!r}"
        )
    frames = network_frames(model, x, loss_fn)
    if kind == "":
        path.mkdir(parents=True, exist_ok=True)
        for n, frame in enumerate(frames, 1):
            frame.save(path / f"frame_{n:02d}.svg")
    elif kind == ".png":
        frames[-1].save(path)
    elif kind == ".gif":
        images = [f.image() for f in frames]
        write_gif(path, images, seconds_per_step, "animate_network_backward (a GIF)")
    else:
        title = "Backpropagation, layer by layer"
        svgs = [f.svg for f in frames]
        page = html_page(title, _LEGEND, svgs, seconds_per_step, noun="frame")
        path.write_text(page, encoding="utf-8")
    return path
