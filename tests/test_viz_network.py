"""The layer view: the network diagram and backprop drawn on it, layer by layer."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import autograd
import nn
from autograd import Value, viz
from autograd.viz.diagram import BOX_WIDTH, PANEL_WIDTH, fmt
from autograd.viz.text import text_width

SVG = "{http://www.w3.org/2000/svg}"
X = [0.8, -0.6]


def squared_error(y: Any) -> Value:
    """(y - 1) ** 2, summed over the outputs when there are several."""
    if isinstance(y, list):
        return autograd.sum([(v - 1.0) ** 2 for v in y])
    return (y - 1.0) ** 2


def frames_of(model: Any, x: Any = X, loss_fn: Any = squared_error) -> list[ET.Element]:
    """The animation's frames, each its SVG parsed."""
    return [ET.fromstring(f.svg) for f in viz.network_frames(model, x, loss_fn)]


def groups(svg: ET.Element, cls: str) -> list[ET.Element]:
    """The ``<g>`` elements of one class."""
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == cls]


def texts(element: ET.Element) -> list[str]:
    """The texts inside an element, in order."""
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def graph_after_backward(model: nn.MLP, x: Any = X) -> list[nn.LayerRecord]:
    """The model's layer records after ``loss.backward()`` on fresh gradients."""
    model.zero_grad()
    records = model.forward_layers(x)
    squared_error(records[-1].outputs[0]).backward()
    return records


# -- frames ------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[16, 16, 1], [1], [3, 2], [4, 3, 2, 1]])
def test_frames_go_forward_by_column_then_backward_by_layer(sizes: list[int]) -> None:
    """2L + 2 frames: input, each layer, loss; then layer L down to layer 1."""
    model = nn.MLP(2, sizes, seed=0)
    count = len(sizes)
    order = [(f.get("data-phase"), int(f.get("data-column"))) for f in frames_of(model)]
    forward = [("forward", c) for c in range(count + 2)]
    backward = [("backward", k) for k in range(count, 0, -1)]
    assert order == forward + backward


def test_forward_frames_reveal_one_column_at_a_time() -> None:
    """Frame n of the forward pass shows the activations of columns 0 to n - 1."""
    model = nn.MLP(2, [3, 2], seed=1)
    for n, frame in enumerate(frames_of(model)[:4]):
        shown = {
            int(g.get("data-layer"))
            for g in groups(frame, "neuron")
            if g.get("data-activation") is not None
        }
        assert shown == set(range(min(n, 2) + 1))


def test_backward_frames_reveal_deltas_from_the_output_back() -> None:
    """Backward frame for layer k shows the deltas of layers k to L, none before."""
    model = nn.MLP(2, [4, 3, 2], seed=2)
    for frame in frames_of(model, loss_fn=lambda ys: ys[0] * ys[1])[5:]:
        k = int(frame.get("data-column"))
        shown = {
            int(g.get("data-layer"))
            for g in groups(frame, "neuron")
            if g.get("data-delta") is not None
        }
        assert shown == set(range(k, 4))
        graded = {
            int(g.get("data-layer"))
            for g in groups(frame, "edge")
            if g.get("data-grad") is not None
        }
        assert graded == set(range(k, 4))


# -- the numbers are the graph's ---------------------------------------------------


def test_deltas_shown_are_the_pre_activation_grads_bit_for_bit() -> None:
    """Each neuron's delta is d(loss)/dz of the graph after loss.backward()."""
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=3)
    last = frames_of(model)[-1]
    records = graph_after_backward(model)
    for g in groups(last, "neuron"):
        k, j = int(g.get("data-layer")), int(g.get("data-neuron"))
        if k == 0:
            continue
        assert float(g.get("data-delta")) == records[k - 1].pre_activations[j].grad


def test_delta_is_upstream_times_slope_bit_for_bit() -> None:
    """The two factors shown multiply to the delta exactly, as the engine does."""
    model = nn.MLP(2, [8, 8, 1], activation="sigmoid", seed=4)
    for g in groups(frames_of(model)[-1], "neuron"):
        if g.get("data-layer") == "0":
            continue
        up, slope = float(g.get("data-upstream")), float(g.get("data-slope"))
        assert up * slope == float(g.get("data-delta"))


def test_upstream_is_the_weighted_sum_of_the_next_layers_deltas() -> None:
    """A hidden neuron's first factor is sum_i w_ij * delta_i over the next layer."""
    model = nn.MLP(3, [5, 4, 2], activation="tanh", seed=5)
    last = frames_of(model, [0.3, -1.0, 2.0], lambda ys: ys[0] * ys[1])[-1]
    neurons = {
        (int(g.get("data-layer")), int(g.get("data-neuron"))): g
        for g in groups(last, "neuron")
    }
    for k in (1, 2):
        nxt = model.layers[k]  # layer k + 1
        for j in range(model.layer_sizes[k - 1]):
            expected = sum(
                n.w[j].data * float(neurons[k + 1, i].get("data-delta"))
                for i, n in enumerate(nxt.neurons)
            )
            got = float(neurons[k, j].get("data-upstream"))
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_output_upstream_is_dloss_doutput() -> None:
    """The output neuron's first factor is d(loss)/d(output) = 2 (y - 1)."""
    model = nn.MLP(2, [4, 1], seed=6)
    out = [g for g in groups(frames_of(model)[-1], "neuron") if g.get("data-layer")]
    output = next(g for g in out if g.get("data-layer") == "2")
    y = float(output.get("data-activation"))
    assert float(output.get("data-upstream")) == pytest.approx(2 * (y - 1.0))
    assert float(output.get("data-slope")) == 1.0


@pytest.mark.parametrize(
    ("activation", "slope"),
    [
        ("tanh", lambda z: 1 - math.tanh(z) ** 2),
        ("sigmoid", lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
        ("relu", lambda z: 1.0 if z > 0 else 0.0),
    ],
)
def test_slope_is_the_activations_derivative(activation: str, slope: Any) -> None:
    """Each hidden neuron's slope is f'(z) at its own z."""
    model = nn.MLP(2, [12, 1], activation=activation, seed=7)
    for g in groups(frames_of(model)[-1], "neuron"):
        if g.get("data-layer") == "1":
            z = float(g.get("data-z"))
            assert float(g.get("data-slope")) == pytest.approx(slope(z), rel=1e-12)


def test_edge_gradients_are_the_weight_grads_and_delta_times_a() -> None:
    """Each edge's gradient equals w.grad after backward and delta x a, bit for bit."""
    model = nn.MLP(2, [16, 16, 1], seed=8)
    last = frames_of(model)[-1]
    records = graph_after_backward(model)
    edges = groups(last, "edge")
    assert len(edges) == 2 * 16 + 16 * 16 + 16
    for g in edges:
        k, i, j = (int(g.get(a)) for a in ("data-layer", "data-from", "data-to"))
        record = records[k - 1]
        weight = record.layer.neurons[j].w[i]
        grad = float(g.get("data-grad"))
        assert grad == weight.grad
        assert grad == record.pre_activations[j].grad * record.inputs[i].data
        assert float(g.get("data-weight")) == weight.data


def test_numbers_printed_are_the_graphs_numbers() -> None:
    """The text in each neuron's box is its activation and delta, formatted."""
    model = nn.MLP(2, [6, 1], activation="tanh", seed=9)
    last = frames_of(model)[-1]
    for g in groups(last, "neuron"):
        if g.get("data-layer") == "0":
            continue
        shown = texts(g)
        assert shown[1] == fmt(float(g.get("data-activation")))
        assert shown[3] == fmt(float(g.get("data-delta")))


def test_loss_box_shows_the_loss() -> None:
    """The loss box appears with the loss frame and holds loss_fn(output)."""
    model = nn.MLP(2, [3, 1], seed=10)
    frames = frames_of(model)
    y = model(X)
    expected = squared_error(y).data
    [before] = groups(frames[2], "loss")
    [at] = groups(frames[3], "loss")
    assert before.get("data-loss") is None
    assert float(at.get("data-loss")) == expected


def test_animation_leaves_every_grad_as_it_was(tmp_path: Path) -> None:
    """Grads from earlier passes are untouched by the animation."""
    model = nn.MLP(2, [4, 1], seed=11)
    squared_error(model(X)).backward()
    before = [p.grad for p in model.parameters()]
    viz.animate_network_backward(model, X, squared_error, tmp_path / "a.html")
    assert [p.grad for p in model.parameters()] == before
    assert any(before)


def test_a_loss_that_ignores_an_output_gives_it_zero_delta() -> None:
    """Outputs the loss does not use get delta 0 and a slope all the same."""
    model = nn.MLP(2, [3, 2], activation="tanh", seed=12)
    last = frames_of(model, loss_fn=lambda ys: ys[0] * 2.0)[-1]
    second = next(
        g
        for g in groups(last, "neuron")
        if g.get("data-layer") == "2" and g.get("data-neuron") == "1"
    )
    assert float(second.get("data-delta")) == 0.0
    assert float(second.get("data-slope")) == 1.0


# -- marks -------------------------------------------------------------------------


def test_dead_relus_are_exactly_those_with_z_at_most_zero() -> None:
    """A ReLU is marked dead exactly when its pre-activation is <= 0."""
    model = nn.MLP(2, [16, 16, 1], seed=2)
    dead = 0
    for g in groups(frames_of(model)[-1], "neuron"):
        if g.get("data-layer") in ("1", "2"):
            is_dead = float(g.get("data-z")) <= 0
            assert (g.get("data-mark") == "dead") == is_dead
            dead += is_dead
    assert dead > 0


def test_saturated_units_are_those_with_a_flat_slope() -> None:
    """A tanh unit is marked saturated exactly when its slope is below 0.05."""
    model = nn.MLP(2, [16, 1], activation="tanh", seed=0)
    marked = 0
    for g in groups(frames_of(model, [2.5, -2.0])[-1], "neuron"):
        if g.get("data-layer") == "1":
            flat = float(g.get("data-slope")) < viz.SATURATED
            assert (g.get("data-mark") == "saturated") == flat
            marked += flat
    assert marked > 0


def test_linear_units_are_never_marked() -> None:
    """The output layer (linear) has no dead or saturated units."""
    model = nn.MLP(2, [3, 2], seed=13)
    for g in groups(frames_of(model, loss_fn=lambda ys: ys[0] + ys[1])[-1], "neuron"):
        if g.get("data-layer") == "2":
            assert g.get("data-mark") == ""


# -- output files ------------------------------------------------------------------


def test_gif_has_one_frame_per_column(tmp_path: Path) -> None:
    """The GIF of MLP(2, [16, 16, 1]) has 8 frames of 1,340 pixels wide."""
    from PIL import Image

    model = nn.MLP(2, [16, 16, 1], seed=0)
    path = viz.animate_network_backward(model, X, squared_error, tmp_path / "a.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 8
        assert gif.width == 1340


def test_png_is_the_last_frame(tmp_path: Path) -> None:
    """The PNG is the finished backward pass, at the picture's size."""
    from PIL import Image

    model = nn.MLP(2, [16, 16, 1], seed=0)
    path = viz.animate_network_backward(model, X, squared_error, tmp_path / "a.png")
    last = viz.network_frames(model, X, squared_error)[-1]
    with Image.open(path) as png:
        assert png.size == (last.width, last.height)


def test_html_page_has_every_frame_and_nothing_external(tmp_path: Path) -> None:
    """The page inlines 8 SVG frames, a slider, and loads nothing from elsewhere."""
    model = nn.MLP(2, [16, 16, 1], seed=0)
    path = viz.animate_network_backward(model, X, squared_error, tmp_path / "a.html")
    page = path.read_text()
    assert page.count("<svg") == 8
    assert 'type="range"' in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)


def test_folder_has_one_svg_per_frame(tmp_path: Path) -> None:
    """A path without a suffix becomes a folder of SVG frames."""
    model = nn.MLP(2, [3, 1], seed=0)
    folder = viz.animate_network_backward(model, X, squared_error, tmp_path / "f")
    assert sorted(p.name for p in folder.iterdir()) == [
        f"frame_0{n}.svg" for n in range(1, 7)
    ]


def test_every_frame_is_well_formed_svg_of_one_size() -> None:
    """Each frame parses as XML, and all have the same width and height."""
    model = nn.MLP(2, [16, 16, 1], seed=0)
    sizes = {(f.get("width"), f.get("height")) for f in frames_of(model)}
    assert len(sizes) == 1
    assert sizes.pop()[0] == "1340"


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    """``a.mp4`` is a ValueError naming the path."""
    with pytest.raises(ValueError, match=r"a\.mp4"):
        viz.animate_network_backward(
            nn.MLP(2, [1]), X, squared_error, tmp_path / "a.mp4"
        )


# -- draw_network ------------------------------------------------------------------


def test_draw_network_with_x_shows_each_activation() -> None:
    """Every neuron's box shows its activation for x; no deltas."""
    model = nn.MLP(2, [5, 3, 1], seed=14)
    svg = ET.fromstring(viz.draw_network(model, X).svg)
    records = model.forward_layers(X)
    for g in groups(svg, "neuron"):
        k, j = int(g.get("data-layer")), int(g.get("data-neuron"))
        a = records[k - 1].outputs[j].data if k else X[j]
        assert float(g.get("data-activation")) == a
        assert g.get("data-delta") is None


def test_draw_network_without_x_draws_structure_and_weights() -> None:
    """Without x: no activations, one edge per weight with the weight's value."""
    model = nn.MLP(3, [4, 2], seed=15)
    svg = ET.fromstring(viz.draw_network(model).svg)
    assert all(g.get("data-activation") is None for g in groups(svg, "neuron"))
    edges = groups(svg, "edge")
    assert len(edges) == 3 * 4 + 4 * 2
    for g in edges:
        k, i, j = (int(g.get(a)) for a in ("data-layer", "data-from", "data-to"))
        assert float(g.get("data-weight")) == model.layers[k - 1].neurons[j].w[i].data


def test_draw_network_saves_svg_and_png(tmp_path: Path) -> None:
    """A diagram saves as SVG or PNG, directly or through viz.render."""
    from PIL import Image

    diagram = viz.draw_network(nn.MLP(2, [4, 1], seed=0), X)
    assert diagram.save(tmp_path / "n.svg").read_text().startswith("<svg")
    png = viz.render(diagram, tmp_path / "n.png")
    with Image.open(png) as image:
        assert image.size == (diagram.width, diagram.height)
    assert diagram._repr_svg_() == diagram.svg
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        diagram.save(tmp_path / "n.jpg")


def test_drawing_leaves_the_graph_untouched() -> None:
    """Drawing with x changes no parameter's grad."""
    model = nn.MLP(2, [4, 1], activation="tanh", seed=16)
    squared_error(model(X)).backward()
    before = [p.grad for p in model.parameters()]
    viz.draw_network(model, X)
    assert [p.grad for p in model.parameters()] == before


# -- models by duck typing, and refusals -------------------------------------------


@dataclass
class Record:
    """A hand-made layer record, as a model of one's own might give."""

    inputs: list[Value]
    pre_activations: list[Value]
    outputs: list[Value]


class TinyNet:
    """A model that is not an nn.MLP: two sigmoid units and a linear output."""

    nin = 2

    def __init__(self) -> None:
        self.w1 = [[Value(0.5), Value(-1.0)], [Value(1.5), Value(0.25)]]
        self.b1 = [Value(0.1), Value(-0.2)]
        self.w2 = [[Value(1.0), Value(-2.0)]]
        self.b2 = [Value(0.0)]

    def forward_layers(self, x: Any) -> list[Record]:
        """Two records built by hand with autograd.linear_layer."""
        xs = [v if isinstance(v, Value) else Value(v) for v in x]
        z1 = autograd.linear_layer(self.w1, xs, self.b1)
        a1 = [z.sigmoid() for z in z1]
        z2 = autograd.linear_layer(self.w2, a1, self.b2)
        return [Record(xs, z1, a1), Record(a1, z2, z2)]


def test_any_model_with_forward_layers_works() -> None:
    """A model of one's own with forward_layers draws and animates."""
    net = TinyNet()
    frames = frames_of(net)
    assert len(frames) == 6
    deltas = [g.get("data-delta") for g in groups(frames[-1], "neuron")]
    assert sum(d is not None for d in deltas) == 3


@pytest.mark.parametrize(
    "model", [None, 3.0, [1, 2], nn.Layer(2, 3, seed=0), nn.Neuron(2, seed=0)]
)
def test_a_model_without_forward_layers_is_a_type_error(model: Any) -> None:
    """Anything without forward_layers is refused with a TypeError that says so."""
    with pytest.raises(TypeError, match="forward_layers"):
        viz.draw_network(model, X)
    with pytest.raises(TypeError, match="forward_layers"):
        viz.network_frames(model, X, squared_error)


def test_loss_fn_must_return_a_value() -> None:
    """A loss_fn returning a float is a TypeError naming loss_fn."""
    with pytest.raises(TypeError, match=r"loss_fn\(output\) must return a Value"):
        viz.network_frames(nn.MLP(2, [1]), X, lambda y: 1.0)


def test_loss_fn_must_be_callable() -> None:
    """A loss that is not a function is a TypeError naming loss_fn."""
    with pytest.raises(TypeError, match="loss_fn must be a function"):
        viz.network_frames(nn.MLP(2, [1]), X, 1.0)  # type: ignore[arg-type]


def test_x_must_be_a_sequence() -> None:
    """A number for x is a TypeError naming x."""
    with pytest.raises(TypeError, match="x must be a sequence"):
        viz.draw_network(nn.MLP(2, [1]), 1.0)  # type: ignore[arg-type]


def test_without_x_the_model_must_say_its_inputs() -> None:
    """A model without .nin needs x."""

    class NoNin(TinyNet):
        nin = None  # type: ignore[assignment]

    with pytest.raises(TypeError, match="pass x"):
        viz.draw_network(NoNin())


def test_a_record_that_is_not_a_linear_layer_is_refused() -> None:
    """A layer whose pre-activations are not linear nodes is a ValueError."""

    class Odd(TinyNet):
        def forward_layers(self, x: Any) -> list[Record]:
            xs = [Value(v) for v in x]
            z = [xs[0] * xs[1]]
            return [Record(xs, z, z)]

    with pytest.raises(ValueError, match="not linear"):
        viz.draw_network(Odd(), X)


def test_too_wide_a_layer_is_refused() -> None:
    """A 65-neuron layer is more than a column holds: a ValueError says so."""
    with pytest.raises(ValueError, match="1 to 64"):
        viz.draw_network(nn.MLP(2, [65, 1], seed=0), X)


def test_hostile_model_repr_is_escaped() -> None:
    """A model whose repr holds control characters and markup draws valid SVG."""

    class Hostile(TinyNet):
        def __repr__(self) -> str:
            return "<net\x00 & 'q' \\ \x1b>"

    svg = ET.fromstring(viz.draw_network(Hostile(), X).svg)
    title = texts(groups(svg, "title")[0])[0]
    assert title.startswith("<net\\x00 & 'q' \\ \\x1b>")


# -- it fits -----------------------------------------------------------------------


def test_box_texts_fit_their_boxes_in_every_frame() -> None:
    """Every box's label and number fit inside its 100-pixel box, with a gap."""
    model = nn.MLP(2, [16, 16, 1], activation="sigmoid", seed=17)
    frames = viz.network_frames(model, [1e-5, -3e4], squared_error)
    frames += viz.network_frames(model, [0.1, 0.2], lambda y: (y + 1.5) * -1.2e7)
    for frame in frames:
        for group in frame.canvas.groups:
            if group.attributes.get("class") not in ("neuron", "loss"):
                continue
            lines: dict[float, float] = {}  # text width by baseline
            for s in group.shapes:
                if s.kind == "text":
                    width = text_width(s.text, s.size, mono=True)
                    lines[s.geometry[1]] = lines.get(s.geometry[1], 0.0) + width
            assert lines
            assert max(lines.values()) + 18 <= BOX_WIDTH


def test_panel_lines_fit_the_panel_in_every_frame() -> None:
    """Every line of the side panel fits its width in the widest measured font."""
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=18)
    for frame in viz.network_frames(model, [-1.5e-7, 123.0], squared_error):
        for group in frame.canvas.groups:
            if group.attributes.get("class") != "panel":
                continue
            for s in group.shapes:
                if s.kind == "text":
                    width = text_width(s.text, s.size, bold=s.bold, mono=s.mono)
                    assert width <= PANEL_WIDTH - 20, s.text


def test_the_16_16_1_picture_is_1340_pixels_wide() -> None:
    """MLP(2, [16, 16, 1]) draws 1,340 pixels wide, under a 1,400-pixel window."""
    frame = viz.network_frames(nn.MLP(2, [16, 16, 1]), X, squared_error)[0]
    assert frame.width == 1340
    assert frame.height < 900


def test_every_text_stays_in_the_picture_and_clear_of_the_panel() -> None:
    """Every text ends inside the picture; the legend and headers before the panel."""
    from autograd.viz.diagram import MARGIN

    model = nn.MLP(2, [3, 2, 1], activation="tanh", seed=19)
    for frame in viz.network_frames(model, X, squared_error):
        panel_left = frame.width - MARGIN - PANEL_WIDTH
        for group in frame.canvas.groups:
            for s in group.shapes:
                if s.kind != "text":
                    continue
                width = text_width(s.text, s.size, bold=s.bold, mono=s.mono)
                left = (
                    s.geometry[0]
                    - {"start": 0, "middle": 0.5, "end": 1}[s.anchor] * width
                )
                assert left >= 0, s.text
                assert left + width <= frame.width - MARGIN, s.text
                if group.attributes.get("class") in ("legend", "headers"):
                    assert left + width < panel_left, s.text


def test_a_record_without_value_lists_is_refused() -> None:
    """A record whose inputs are not a list of Values is a TypeError naming them."""

    class Broken(TinyNet):
        def forward_layers(self, x: Any) -> list[Record]:
            return [Record(3, [], [])]  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="inputs as a list of Values"):
        viz.draw_network(Broken(), X)
