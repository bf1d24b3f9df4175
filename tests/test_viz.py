"""The visualiser: DOT source, rendering, animations, terminal view and the demo."""

from __future__ import annotations

import html
import io
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from strategies import VALUE_LIB, programs_with_inputs, run

import autograd
from autograd import Value, viz

IN_CI = os.environ.get("CI") == "true"


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


# -- importing -----------------------------------------------------------------------


def test_import_autograd_imports_no_graphviz_or_pillow() -> None:
    """``import autograd`` and ``import autograd.viz`` load neither graphviz nor PIL."""
    code = (
        "import sys, autograd, autograd.viz; "
        "assert 'graphviz' not in sys.modules, 'graphviz'; "
        "assert 'PIL' not in sys.modules, 'PIL'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


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
        assert re.search(rf"data +{re.escape(viz._number(v.data).strip())}<", lines[k])
        assert re.search(rf"grad +{re.escape(viz._number(v.grad).strip())}<", lines[k])


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
    assert source.count("grad     0.0000<") == len(node_lines(source))


def test_show_grad_false_leaves_out_grads() -> None:
    """``show_grad=False`` draws data only."""
    source = viz.draw_graph(neuron(), show_grad=False).source
    assert '">data ' in source
    assert '">grad ' not in source


def test_rankdir_reaches_the_graph() -> None:
    """``rankdir`` is the graph's direction."""
    assert "rankdir=TB" in viz.draw_graph(neuron(), rankdir="TB").source


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


def test_labels_are_ascii() -> None:
    """A label with a subscript is drawn in ASCII."""
    w = Value(1.0, label="w\N{SUBSCRIPT ONE}")
    source = viz.draw_graph(w * 2).source
    assert source.isascii()
    assert "<B>w1</B>" in source


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

    o = neuron()
    path = viz.animate_backward(o, tmp_path / "pass.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == len(list(viz.backward_steps(neuron()))) == 5


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

    def x1_text(svg: str) -> str:
        group = re.search(r'<g id="v0" class="node">(.*?)</g>', svg, re.S).group(1)
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", group)
        return " ".join(html.unescape(t) for t in texts).replace("\xa0", " ")

    assert x1_text(first).split()[-2:] == ["grad", "?"]
    assert x1_text(last).split()[-2:] == ["grad", "-1.5000"]


def test_edge_labels_stay_unseen_until_their_step(tmp_path: Path) -> None:
    """x1's edge label is drawn in white before its step and in colour at it."""
    folder = viz.animate_backward(neuron(), tmp_path / "frames")
    first, *_, last = (p.read_text() for p in sorted(folder.iterdir()))
    label = re.compile(r'<text[^>]*fill="([^"]+)"[^>]*>[^<]*0\.5 x &#45;3 = &#45;1\.5')
    assert label.search(first).group(1) == "white"
    assert label.search(last).group(1) not in ("white", "#ffffff")


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


def _browser() -> tuple[str, str] | None:
    """Chromium and its driver, when installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Headless Chromium driven by chromedriver (skipped outside CI if absent)."""
    found = _browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        found = None
    if found is None:
        if IN_CI:
            pytest.fail("CI needs chromium, chromium-driver and selenium (see .ci/run)")
        pytest.skip("chromium, chromedriver or selenium is not installed")
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium download anything
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(found[1]))
    yield driver
    driver.quit()


def test_html_slider_works_in_headless_chromium(browser, tmp_path: Path) -> None:
    """In Chromium, keys on the slider and the buttons show the matching frame."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    page = viz.animate_backward(neuron(), tmp_path / "pass.html", seconds_per_step=0.05)
    browser.get(page.as_uri())

    def shown() -> list[int]:
        frames = browser.find_elements(By.CLASS_NAME, "frame")
        return [n for n, f in enumerate(frames, 1) if f.is_displayed()]

    slider = browser.find_element(By.ID, "slider")
    assert shown() == [1]
    slider.send_keys(Keys.END)
    assert shown() == [5]
    assert browser.find_element(By.ID, "readout").text == "step 5 / 5"
    slider.send_keys(Keys.HOME)
    slider.send_keys(Keys.ARROW_RIGHT)
    assert shown() == [2]
    browser.find_element(By.ID, "next").click()
    assert shown() == [3]
    browser.find_element(By.ID, "prev").click()
    assert shown() == [2]
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 60).until(lambda _: shown() == [5])
    assert slider.get_attribute("value") == "5"


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


def test_print_backward_leaves_grads_as_they_were() -> None:
    """Printing the pass touches no grad."""
    o = neuron()
    viz.print_backward(o, file=io.StringIO())
    assert all(v.grad == 0.0 for v in autograd.topological_order(o))


def test_print_backward_goes_to_stdout_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without ``file`` the table is printed to standard output."""
    viz.print_backward(neuron())
    assert "contribution" in capsys.readouterr().out


# -- the demo ------------------------------------------------------------------------


def test_demo_writes_its_pictures_and_prints_their_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m demos.backward_pass --out DIR`` writes 8 files and names each."""
    from scalar_autograd.demos import backward_pass

    assert backward_pass.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    written = re.findall(r"^wrote (.+)$", out, re.M)
    assert len(written) == 8
    for name in ("neuron", "net"):
        for suffix in ("_graph.svg", "_graph.png", "_backward.gif", "_backward.html"):
            path = tmp_path / f"{name}{suffix}"
            assert str(path) in written
            assert path.stat().st_size > 0
    assert "contribution" in out


def test_demo_neuron_matches_the_lecture() -> None:
    """The demo's neuron outputs 1/sqrt(2) and gives x1 the grad -1.5."""
    from scalar_autograd.demos import backward_pass

    o = backward_pass.neuron()
    o.backward()
    leaves = {v.label: v for v in autograd.topological_order(o) if not v.inputs}
    assert o.data == pytest.approx(1 / math.sqrt(2))
    assert leaves["x1"].grad == pytest.approx(-1.5)
    assert leaves["w1"].grad == pytest.approx(1.0)
