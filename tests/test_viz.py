"""The graph drawing, rendering, backward-pass frames, the terminal table, the demo."""

from __future__ import annotations

import html
import io
import math
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import VALUE_LIB, programs_with_inputs, run

import autograd
from autograd import Value, viz
from autograd.viz.text import LABEL_LIMIT, display, number


def neuron() -> Value:
    """micrograd's neuron tanh(x1*w1 + x2*w2 + b), labelled as in the lecture."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def chain(n: int) -> Value:
    """sin applied n times to a leaf: a graph of n + 1 Values, one per depth."""
    y = Value(0.5, label="x")
    for _ in range(n):
        y = y.sin()
    return y


def node_lines(source: str) -> dict[int, str]:
    """The DOT statement of each Value node ``v<k>``, by k."""
    return {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r"^\s*v(\d+) \[.*$", source, re.M)
    }


def edge_tails(source: str) -> dict[int, list[int]]:
    """For each op node ``v<k>op``, the Value nodes feeding it, in source order."""
    tails: dict[int, list[int]] = {}
    for m in re.finditer(r"^\s*v(\d+) -> v(\d+)op\b", source, re.M):
        tails.setdefault(int(m.group(2)), []).append(int(m.group(1)))
    return tails


def no_renderer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make every renderer unfindable: an empty PATH and a Python with no neighbours."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python"))


def only_pip_renderer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Hide any system ``dot``: only graphviz-pure beside this Python remains."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))


def node_geometry(svg: str) -> dict[str, list[str]]:
    """Every node's coordinates in an SVG from Graphviz, by node id."""
    return {
        m.group(1): re.findall(r'(?:points|cx|cy|rx|ry|x|y)="([^"]+)"', m.group(2))
        for m in re.finditer(r'<g id="([^"]+)" class="node">(.*?)</g>', svg, re.S)
    }


def svg_texts(svg: str) -> list[str]:
    """Every text of an SVG, unescaped, non-breaking spaces as spaces."""
    return [
        html.unescape(t).replace("\xa0", " ")
        for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    ]


def node_text(svg: str, node_id: str) -> str:
    """The texts of one node of a Graphviz SVG, joined by spaces."""
    found = re.search(rf'<g id="{node_id}" class="node">(.*?)</g>', svg, re.S)
    assert found, node_id
    return " ".join(svg_texts(found.group(1)))


# -- importing -----------------------------------------------------------------------


def test_import_autograd_imports_no_graphviz_pillow_or_nn() -> None:
    """``import autograd.viz`` loads neither graphviz, PIL nor the nn package."""
    code = (
        "import sys, autograd, autograd.viz; "
        "assert 'graphviz' not in sys.modules, 'graphviz'; "
        "assert 'PIL' not in sys.modules, 'PIL'; "
        "assert 'nn' not in sys.modules, 'nn'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names_are_where_users_import_them() -> None:
    """Every public name of ``autograd.viz`` is importable from the package."""
    names = [
        "draw_graph",
        "render",
        "animate_backward",
        "print_backward",
        "find_renderer",
        "RendererNotFound",
        "Step",
        "backward_steps",
        "draw_network",
        "animate_network_backward",
    ]
    for name in names:
        assert name in viz.__all__
        assert callable(getattr(viz, name))
    assert viz.Step is autograd.backward.Step
    assert viz.backward_steps is autograd.backward_steps


def test_viz_is_a_package_of_named_parts() -> None:
    """The graph, frames, page, table, rendering and network live in their modules."""
    from autograd.viz import frames, graph, network, page, rendering, table

    assert viz.draw_graph is graph.draw_graph
    assert viz.animate_backward is frames.animate_backward
    assert viz.print_backward is table.print_backward
    assert viz.render is rendering.render
    assert viz.draw_network is network.draw_network
    assert callable(page.html_page)


# -- the DOT source ------------------------------------------------------------------


@given(programs_with_inputs())
def test_dot_source_has_every_node_with_data_and_grad(case) -> None:
    """Every Value of a random graph is in the DOT source with its data and grad."""
    program, point = case
    out = run(program, [Value(x) for x in point], VALUE_LIB)
    out.backward()
    lines = node_lines(viz.draw_graph(out).source)
    order = autograd.topological_order(out)
    assert sorted(lines) == list(range(len(order)))
    for k, v in enumerate(order):
        assert re.search(rf"data +{re.escape(number(v.data).strip())}<", lines[k])
        assert re.search(rf"grad +{re.escape(number(v.grad).strip())}<", lines[k])


@given(programs_with_inputs())
def test_dot_source_has_every_edge_in_operand_order(case) -> None:
    """Each op node is fed by its inputs' nodes in operand order, repeats included."""
    program, point = case
    out = run(program, [Value(x) for x in point], VALUE_LIB)
    order = autograd.topological_order(out)
    index = {v: k for k, v in enumerate(order)}
    tails = edge_tails(viz.draw_graph(out).source)
    expected = {index[v]: [index[x] for x in v.inputs] for v in order if v.inputs}
    assert tails == expected


def test_x_times_x_draws_two_edges() -> None:
    """``x * x`` has two edges from x to the mul node."""
    x = Value(3.0, label="x")
    y = x * x
    assert edge_tails(viz.draw_graph(y).source) == {1: [0, 0]}


def test_graph_draws_before_backward_with_zero_grads() -> None:
    """Before ``backward()`` every node shows grad 0."""
    source = viz.draw_graph(neuron()).source
    assert len(re.findall(r"grad +0\.0000<", source)) == len(node_lines(source))


def test_numbers_share_one_width_in_a_drawing() -> None:
    """Data and grad numbers are padded to the widest number of the drawing."""
    o = neuron()
    o.backward()
    rows = re.findall(r">((?:data|grad) [^<]*)<", viz.draw_graph(o).source)
    assert len(rows) == 2 * 10
    assert len({len(r) for r in rows}) == 1
    assert max(len(r) for r in rows) == len("data -6.0000")


def test_show_grad_false_leaves_out_grads() -> None:
    """``show_grad=False`` draws data only."""
    source = viz.draw_graph(neuron(), show_grad=False).source
    assert ">data " in source
    assert ">grad " not in source


def test_rankdir_reaches_the_graph() -> None:
    """``rankdir`` is the graph's direction."""
    assert "rankdir=TB" in viz.draw_graph(neuron(), rankdir="TB").source


def test_unknown_rankdir_is_refused_by_name() -> None:
    """A direction Graphviz does not know is a ValueError naming rankdir."""
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(neuron(), rankdir="sideways")


def test_root_must_be_a_value() -> None:
    """Drawing a float is a TypeError naming the argument."""
    with pytest.raises(TypeError, match="root must be a Value"):
        viz.draw_graph(3.0)  # type: ignore[arg-type]


def test_fused_node_shows_its_arity() -> None:
    """A linear node with three weights, three inputs and a bias reads linear (7)."""
    y = autograd.linear([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], 0.5)
    assert "linear (7)" in viz.draw_graph(y).source


def test_roles_have_their_own_colours() -> None:
    """Leaves, intermediate results and the root are filled with three colours."""
    source = viz.draw_graph(neuron()).source
    order = autograd.topological_order(neuron())
    lines = node_lines(source)
    fill = {
        k: re.search(r'BGCOLOR="([^"]+)"', line).group(1) for k, line in lines.items()
    }
    leaf = {fill[k] for k, v in enumerate(order) if not v.inputs}
    inner = {fill[k] for k, v in enumerate(order[:-1]) if v.inputs}
    root = {fill[len(order) - 1]}
    assert len(leaf) == len(inner) == 1
    assert len(leaf | inner | root) == 3


def test_max_depth_hides_deeper_nodes_behind_one_stub() -> None:
    """``max_depth=1`` on a chain: the root, its input, and a '... 1 more' node."""
    x = Value(0.5, label="x")
    y = x.exp().sin().tanh()
    source = viz.draw_graph(y, max_depth=1).source
    assert len(node_lines(source)) == 2
    assert "... 1 more" in source


def test_negative_max_depth_is_refused() -> None:
    """``max_depth=-1`` is a ValueError naming max_depth."""
    with pytest.raises(ValueError, match="max_depth"):
        viz.draw_graph(neuron(), max_depth=-1)


def test_labels_are_ascii() -> None:
    """A label with a subscript is drawn in ASCII."""
    w = Value(1.0, label="w\N{SUBSCRIPT ONE}")
    source = viz.draw_graph(w * 2).source
    assert source.isascii()
    assert "<B>w1</B>" in source


def test_name_cells_are_as_wide_as_the_widest_font_needs() -> None:
    """Each name cell's WIDTH holds its bold label in DejaVu Sans Bold metrics."""
    from autograd.viz.text import text_width

    o = (Value(1.0, label="x1*w1 + x2*w2") * Value(2.0, label="WWWWWW")).tanh()
    o.label = "mmmmmmmmmmmm"
    source = viz.draw_graph(o).source
    cells = re.findall(r'<TD WIDTH="(\d+)"[^>]*><B>([^<]*)</B>', source)
    assert len(cells) == 3
    for width, text in cells:
        assert int(width) >= text_width(html.unescape(text), 11, bold=True) + 4


# -- size limits ---------------------------------------------------------------------


def test_a_graph_past_max_nodes_is_refused_with_a_max_depth_that_fits() -> None:
    """A 1,000-node chain is refused; the error names max_depth=499, which fits."""
    y = chain(999)
    with pytest.raises(ValueError, match=r"1,000 Values.*max_nodes=500") as caught:
        viz.draw_graph(y)
    assert "max_depth=499" in str(caught.value)
    assert "draw_network" in str(caught.value)
    source = viz.draw_graph(y, max_depth=499).source
    assert len(node_lines(source)) == 500


def test_the_suggested_max_depth_is_the_largest_that_fits() -> None:
    """On a wide graph the suggestion is exact: one more level would not fit."""
    xs = [Value(float(i)) for i in range(40)]
    level = xs
    while len(level) > 1:  # a binary tree of sums over 40 leaves
        level = [a + b for a, b in zip(level[::2], level[1::2])] + (
            [level[-1]] if len(level) % 2 else []
        )
    root = level[0]
    with pytest.raises(ValueError) as caught:
        viz.draw_graph(root, max_nodes=30)
    depth = int(re.search(r"max_depth=(\d+)", str(caught.value)).group(1))
    viz.draw_graph(root, max_depth=depth, max_nodes=30)
    with pytest.raises(ValueError):
        viz.draw_graph(root, max_depth=depth + 1, max_nodes=30)


def test_max_nodes_can_be_raised() -> None:
    """``max_nodes`` lets a larger drawing through."""
    source = viz.draw_graph(chain(599), max_nodes=600).source
    assert len(node_lines(source)) == 600


def test_max_nodes_must_be_a_positive_int() -> None:
    """``max_nodes=0`` is a ValueError naming max_nodes."""
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw_graph(neuron(), max_nodes=0)


def test_animation_past_its_limit_is_refused_before_writing(tmp_path: Path) -> None:
    """A 200-node chain's animation is refused naming max_depth; nothing is written."""
    with pytest.raises(ValueError, match=r"animate_backward: .*max_depth=149"):
        viz.animate_backward(chain(199), tmp_path / "pass.html")
    assert list(tmp_path.iterdir()) == []


def test_animation_with_max_depth_animates_the_steps_drawn(tmp_path: Path) -> None:
    """``max_depth=3`` on a long chain animates its first 4 steps."""
    folder = viz.animate_backward(chain(199), tmp_path / "frames", max_depth=3)
    assert len(list(folder.iterdir())) == 4


# -- hostile labels ------------------------------------------------------------------

HOSTILE_LABELS = [
    "nul\x00byte",
    "quote \" and ' apostrophe",
    "<b>not bold</b> & amp; &amp;",
    "back\\slash \\N \\G \\\\ \\",
    "tab\tnew\nline\r",
    "\x1b[31mred\x1b[0m \x7f",
    "x" * 500,
    "",
    "\N{GREEK SMALL LETTER DELTA} \N{BLACK STAR} \N{LEFT-TO-RIGHT MARK}",
]


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_hostile_labels_render_and_are_shown(tmp_path: Path, label: str) -> None:
    """Every label renders to SVG and its visible form is what the picture shows."""
    x = Value(2.0, label=label)
    y = x * 3.0
    y.label = label
    svg = viz.render(viz.draw_graph(y), tmp_path / "g.svg").read_text()
    shown = display(label) if label else "#0"
    assert shown in svg_texts(svg)


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=60))
def test_any_label_renders(label: str) -> None:
    """A random label never makes the renderer fail."""
    from autograd.viz.rendering import render_bytes

    x = Value(1.0, label=label)
    assert b"<svg" in render_bytes(viz.draw_graph(x.exp()).source, "svg")


def test_long_labels_are_cut_with_an_ellipsis() -> None:
    """A 500-character label is drawn as its first characters and '...'."""
    shown = display("y" * 500)
    assert len(shown) == LABEL_LIMIT
    assert shown.endswith("...")
    assert shown in viz.draw_graph(Value(1.0, label="y" * 500)).source


def test_control_characters_are_shown_as_escapes() -> None:
    """NUL, ESC and newline are shown as \\x00, \\x1b and \\n."""
    assert display("a\x00b\x1bc\nd") == "a\\x00b\\x1bc\\nd"


def test_print_backward_shows_hostile_labels(tmp_path: Path) -> None:
    """The terminal table prints control characters escaped, never raw."""
    y = Value(2.0, label="bell\x07") * Value(3.0, label="<&>")
    out = io.StringIO()
    viz.print_backward(y, file=out)
    text = out.getvalue()
    assert "bell\\x07" in text
    assert "<&>" in text
    assert "\x07" not in text


# -- backward_steps ------------------------------------------------------------------


@given(programs_with_inputs())
def test_backward_steps_end_with_the_gradients_of_backward(case) -> None:
    """After the last step every node's grad equals the one ``backward()`` gives."""
    program, point = case
    reference = run(program, [Value(x) for x in point], VALUE_LIB)
    stepped = run(program, [Value(x) for x in point], VALUE_LIB)
    reference.backward()
    for _ in viz.backward_steps(stepped):
        pass
    expected = [v.grad for v in autograd.topological_order(reference)]
    got = [v.grad for v in autograd.topological_order(stepped)]
    assert got == pytest.approx(expected, rel=1e-12, abs=0.0, nan_ok=True)


def test_each_step_contributes_upstream_times_partial() -> None:
    """Each step records its upstream grad and, per input, partial and product."""
    steps = list(viz.backward_steps(neuron()))
    assert [s.node.op for s in steps] == ["tanh", "add", "add", "mul", "mul"]
    for step in steps:
        assert len(step.partials) == len(step.contributions) == len(step.node.inputs)
        for p, c in zip(step.partials, step.contributions):
            assert c == step.upstream * p


# -- rendering -----------------------------------------------------------------------


def test_svg_and_png_render_with_the_pip_installed_renderer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With no ``dot`` on PATH, graphviz-pure beside Python renders SVG and PNG."""
    from PIL import Image

    only_pip_renderer(monkeypatch, tmp_path)
    renderer = viz.find_renderer()
    assert renderer is not None
    assert Path(renderer).name.startswith("graphviz-pure")
    o = neuron()
    o.backward()
    svg = viz.render(viz.draw_graph(o), tmp_path / "g.svg").read_text()
    png = viz.render(viz.draw_graph(o), tmp_path / "g.png")
    assert "<svg" in svg
    assert "-1.5000" in html.unescape(svg)  # x1's grad
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.width > image.height > 100


def test_dot_on_path_is_preferred(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A ``dot`` command on PATH (a system Graphviz) is the renderer picked."""
    fake = tmp_path / "bin"
    fake.mkdir()
    dot = fake / "dot"
    dot.write_text("#!/bin/sh\n")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    assert viz.find_renderer() == str(dot)


def test_missing_renderer_writes_dot_and_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without a renderer, the DOT source is written and the error names the fixes."""
    no_renderer(monkeypatch, tmp_path)
    graph = viz.draw_graph(neuron())
    with pytest.raises(viz.RendererNotFound) as caught:
        viz.render(graph, tmp_path / "g.svg")
    dot_path = tmp_path / "g.dot"
    assert dot_path.read_text() == graph.source
    message = str(caught.value)
    assert "pip install graphviz-pure" in message
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert str(dot_path) in message


def test_missing_renderer_in_animation_writes_dot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An animation without a renderer writes the DOT source beside the path too."""
    no_renderer(monkeypatch, tmp_path)
    with pytest.raises(viz.RendererNotFound, match="pip install graphviz-pure"):
        viz.animate_backward(neuron(), tmp_path / "pass.gif")
    assert "digraph" in (tmp_path / "pass.dot").read_text()


def test_render_writes_dot_source_without_a_renderer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``render`` to a ``.dot`` path needs no renderer."""
    no_renderer(monkeypatch, tmp_path)
    path = viz.render(neuron(), tmp_path / "g.dot")
    assert path.read_text().startswith("digraph")


def test_render_without_a_suffix_is_refused(tmp_path: Path) -> None:
    """A path without a suffix names no format: a ValueError says so."""
    with pytest.raises(ValueError, match="suffix"):
        viz.render(neuron(), tmp_path / "graph")


def test_jupyter_display_is_svg_from_our_renderer() -> None:
    """A drawn graph's Jupyter mimebundle holds the SVG that graphviz-pure makes."""
    bundle = viz.draw_graph(neuron())._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "<svg" in bundle["image/svg+xml"]


def test_jupyter_png_display_works_too() -> None:
    """The PNG mimetype, when asked for, holds a PNG."""
    bundle = viz.draw_graph(neuron())._repr_mimebundle_(include=["image/png"])
    assert bundle["image/png"].startswith(b"\x89PNG")


# -- animations ----------------------------------------------------------------------


def test_gif_has_one_frame_per_step(tmp_path: Path) -> None:
    """The GIF of the neuron's pass has five frames, one per step."""
    from PIL import Image

    path = viz.animate_backward(neuron(), tmp_path / "pass.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == len(list(viz.backward_steps(neuron()))) == 5


def test_gif_of_the_demo_net_fits_1400_pixels(tmp_path: Path) -> None:
    """The two-layer net's GIF is at most 1,400 pixels wide."""
    from PIL import Image

    from scalar_autograd.demos import backward_pass

    path = viz.animate_backward(backward_pass.two_layer_net(), tmp_path / "net.gif")
    with Image.open(path) as gif:
        assert 800 < gif.width <= 1400


def test_folder_has_one_svg_per_step(tmp_path: Path) -> None:
    """A path without a suffix becomes a folder of one SVG per step."""
    folder = viz.animate_backward(neuron(), tmp_path / "frames")
    assert sorted(p.name for p in folder.iterdir()) == [
        f"step_00{n}.svg" for n in range(1, 6)
    ]


def test_every_frame_has_the_same_layout(tmp_path: Path) -> None:
    """Every node sits at the same coordinates in every frame."""
    x = Value(1.5, label="x")
    y = autograd.linear([x, 2.0], [x * x, x.exp()], 1.0).tanh() * x
    folder = viz.animate_backward(y, tmp_path / "frames")
    geometries = [node_geometry(p.read_text()) for p in sorted(folder.iterdir())]
    assert len(geometries) > 1
    assert all(g == geometries[0] for g in geometries)


def test_frames_fill_in_gradients_as_they_arrive(tmp_path: Path) -> None:
    """x1's grad is unknown ('?') in the first frame and -1.5000 in the last."""
    folder = viz.animate_backward(neuron(), tmp_path / "frames")
    first, *_, last = (p.read_text() for p in sorted(folder.iterdir()))
    assert node_text(first, "v0").split()[-2:] == ["grad", "?"]
    assert node_text(last, "v0").split()[-2:] == ["grad", "-1.5000"]


def test_a_frame_shows_the_grads_known_at_its_step() -> None:
    """A node fed twice shows its first contribution, then the sum, frame by frame."""
    x = Value(3.0, label="x")
    y = x * 2.0
    z = (x + y) * 1.0  # x gets 1 from the add step, then 2 more from the mul step
    frames = viz.frames.backward_frames(z)
    seen = [f.grads.get(x, "?").strip() for f in frames]
    assert seen == ["?", "1.0000", "3.0000"]


def test_caption_gives_each_inputs_arithmetic_at_its_step(tmp_path: Path) -> None:
    """x1's step shows 'x1.grad += 0.5 x -3 = -1.5'; earlier frames do not."""
    folder = viz.animate_backward(neuron(), tmp_path / "frames")
    svgs = [p.read_text() for p in sorted(folder.iterdir())]
    wanted = "x1.grad += 0.5 x -3 = -1.5"
    shown = [any(wanted in t for t in svg_texts(svg)) for svg in svgs]
    assert shown == [False, False, False, False, True]


def test_captions_have_one_size_in_every_frame() -> None:
    """Every caption has the same number of lines, each of the same length."""
    from scalar_autograd.demos import backward_pass

    frames = viz.frames.backward_frames(backward_pass.two_layer_net())
    sizes = {(len(f.caption), *{len(line) for line in f.caption}) for f in frames}
    assert len(sizes) == 1


def test_animation_leaves_grads_as_they_were(tmp_path: Path) -> None:
    """Animating after ``backward()`` does not accumulate into any grad."""
    o = neuron()
    o.backward()
    before = [v.grad for v in autograd.topological_order(o)]
    viz.animate_backward(o, tmp_path / "frames")
    assert [v.grad for v in autograd.topological_order(o)] == before


def test_animating_a_leaf_is_an_error(tmp_path: Path) -> None:
    """A leaf's backward pass has no steps, so there is nothing to animate."""
    with pytest.raises(ValueError, match="leaf"):
        viz.animate_backward(Value(1.0), tmp_path / "pass.gif")


def test_animation_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    """``pass.mp4`` is refused by name."""
    with pytest.raises(ValueError, match=r"pass\.mp4"):
        viz.animate_backward(neuron(), tmp_path / "pass.mp4")


def test_animation_refuses_a_non_positive_step_time(tmp_path: Path) -> None:
    """``seconds_per_step=0`` is a ValueError naming it."""
    with pytest.raises(ValueError, match="seconds_per_step"):
        viz.animate_backward(neuron(), tmp_path / "p.gif", seconds_per_step=0)


def test_html_page_holds_every_frame_and_nothing_external(tmp_path: Path) -> None:
    """The page inlines one SVG per step and loads nothing from elsewhere."""
    page = viz.animate_backward(neuron(), tmp_path / "pass.html").read_text()
    assert page.count("<svg") == 5
    for n in range(1, 6):
        assert f'id="frame-{n}"' in page
    assert 'type="range"' in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert "<link" not in page
    assert "<!DOCTYPE svg" not in page


def test_html_title_escapes_the_label(tmp_path: Path) -> None:
    """A root labelled '<script>' is shown, escaped, in the page's title."""
    y = Value(1.0) * 2.0
    y.label = "<script>alert(1)</script>"
    page = viz.animate_backward(y, tmp_path / "pass.html").read_text()
    assert "<title>Backward pass of &lt;script&gt;" in page
    assert "<script>alert" not in page


# -- the terminal view ---------------------------------------------------------------


def test_print_backward_lists_each_input_of_each_step() -> None:
    """The table has a row per input per step, with partials and contributions."""
    out = io.StringIO()
    viz.print_backward(neuron(), file=out)
    text = out.getvalue()
    assert "5 steps" in text
    rows = [line for line in text.splitlines() if re.match(r"\s+\d+\s", line)]
    assert [row.split()[0] for row in rows] == ["1", "2", "3", "4", "5"]
    assert re.search(r"x1\s+-3\.0000\s+-1\.5000", text)  # 0.5 x -3 = -1.5 into x1
    assert re.search(r"^\s+x1\s+-1\.5000$", text, re.M)  # the leaf's final grad


def test_print_backward_columns_line_up() -> None:
    """Every row of the table has its contribution end in the same column."""
    out = io.StringIO()
    viz.print_backward(neuron(), file=out)
    lines = out.getvalue().splitlines()[1:12]  # header, rule and the nine rows
    assert len({len(line) for line in lines}) == 1


def test_print_backward_leaves_grads_as_they_were() -> None:
    """Printing the pass touches no grad, even those earlier passes left."""
    o = neuron()
    o.backward()
    before = [v.grad for v in autograd.topological_order(o)]
    viz.print_backward(o, file=io.StringIO())
    assert [v.grad for v in autograd.topological_order(o)] == before


def test_print_backward_goes_to_stdout_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without ``file`` the table is printed to standard output."""
    viz.print_backward(neuron())
    assert "contribution" in capsys.readouterr().out


def test_print_backward_of_a_leaf_prints_its_seed() -> None:
    """A leaf's pass has no steps; its gradient is the seed."""
    out = io.StringIO()
    viz.print_backward(Value(2.0, label="w"), file=out, grad=3.0)
    text = out.getvalue()
    assert "0 steps" in text
    assert re.search(r"^\s+w\s+3\.0000$", text, re.M)


def test_print_backward_has_a_row_per_input_on_a_long_chain() -> None:
    """A 3,000-node chain prints 3,000 rows and every leaf gradient."""
    out = io.StringIO()
    viz.print_backward(chain(3000), file=out)
    lines = out.getvalue().splitlines()
    assert "3000 steps" in lines[0]
    assert len(lines) == 3 + 3000 + 2


def _peak_memory_of_print_backward(n: int) -> int:
    root = chain(n)
    tracemalloc.start()
    try:
        viz.print_backward(root, file=io.StringIO())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_print_backward_memory_grows_linearly() -> None:
    """Four times the chain takes at most about four times the memory, not 16."""
    small = _peak_memory_of_print_backward(1000)
    large = _peak_memory_of_print_backward(4000)
    assert large < 6 * small


# -- the demo ------------------------------------------------------------------------


def test_demo_writes_its_pictures_and_prints_their_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``scalar-autograd backward-pass --out DIR`` writes 13 files and names each."""
    from scalar_autograd.demos import backward_pass

    assert backward_pass.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    written = re.findall(r"^wrote (.+)$", out, re.M)
    expected = [
        f"{name}{suffix}"
        for name in ("neuron", "net")
        for suffix in ("_graph.svg", "_graph.png", "_backward.gif", "_backward.html")
    ] + [
        "network.svg",
        "network.png",
        "network_backward.gif",
        "network_backward.html",
        "network_backward.png",
    ]
    assert sorted(written) == sorted(str(tmp_path / name) for name in expected)
    for name in expected:
        assert (tmp_path / name).stat().st_size > 0
    assert "contribution" in out


def test_demo_images_option_writes_the_docs_pictures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--images DIR`` writes the pictures docs/pictures.md shows, and only those."""
    from scalar_autograd.demos import backward_pass

    assert backward_pass.main(["--images", str(tmp_path / "images")]) == 0
    written = re.findall(r"^wrote (.+)$", capsys.readouterr().out, re.M)
    names = sorted(Path(p).name for p in written)
    assert names == sorted(p.name for p in (tmp_path / "images").iterdir())
    docs = (Path(__file__).parents[1] / "docs" / "pictures.md").read_text()
    for name in names:
        assert f"images/{name}" in docs


def test_demo_neuron_matches_the_lecture() -> None:
    """The demo's neuron outputs 1/sqrt(2) and gives x1 the grad -1.5."""
    from scalar_autograd.demos import backward_pass

    o = backward_pass.neuron()
    o.backward()
    leaves = {v.label: v for v in autograd.topological_order(o) if not v.inputs}
    assert o.data == pytest.approx(1 / math.sqrt(2))
    assert leaves["x1"].grad == pytest.approx(-1.5)
    assert leaves["w1"].grad == pytest.approx(1.0)


def test_render_refuses_what_it_cannot_draw(tmp_path: Path) -> None:
    """``render`` of a string is a TypeError naming what it takes."""
    with pytest.raises(TypeError, match="render: graph must be a Value"):
        viz.render("digraph {}", tmp_path / "g.svg")  # type: ignore[arg-type]


def test_print_backward_says_1_step_in_the_singular() -> None:
    """A one-op graph's table says '1 step'."""
    out = io.StringIO()
    viz.print_backward(Value(1.0) * 2.0, file=out)
    assert out.getvalue().splitlines()[0].endswith(": 1 step")
