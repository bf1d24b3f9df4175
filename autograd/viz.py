"""Pictures of the graph and of the backward pass, step by step.

``draw_graph`` gives a ``graphviz.Digraph`` (shown inline in Jupyter),
``animate_backward`` writes the backward pass as a GIF, a self-contained HTML page or a
folder of SVGs, and ``print_backward`` prints it as a table in the terminal.

Rendering runs a Graphviz command on the DOT source: ``dot`` when it is on PATH (a
system Graphviz), else ``graphviz-pure`` (``pip install graphviz-pure``, in the ``viz``
extra), found on PATH or beside the running Python. The graphviz package and Pillow are
imported inside the functions that need them: ``import autograd`` needs neither.

Every label is ASCII and every number has a fixed width, so each renderer shows them
and the frames of an animation all have the same layout.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from autograd.backward import Step, backward_steps, topological_order
from autograd.value import Value

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "RendererNotFound",
    "Step",
    "animate_backward",
    "backward_steps",
    "draw_graph",
    "find_renderer",
    "print_backward",
    "render",
]

# -- colours by role -----------------------------------------------------------------

_LEAF = ("#dbeafe", "#3b82f6")  # (fill, border): inputs and parameters
_INNER = ("#ffffff", "#9ca3af")  # intermediate results
_ROOT = ("#dcfce7", "#16a34a")  # the output the pass starts from
_OP = ("#f3f4f6", "#9ca3af")
_HOT = "#ea580c"  # the current step: its node, op and edges
_HOT_NODE = "#ffedd5"
_HOT_OP = "#fdba74"
_DONE = "#4b5563"  # edge labels of steps already taken
_MUTED = "#6b7280"

_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
_SYMBOLS["pow_const"] = "**"
_PNG_DPI = 144  # PNGs at twice the 72 dpi of an SVG point: sharp when shared
_GIF_DPI = 100  # animation frames: legible, and a GIF of a small net stays < 1 MB


# -- renderer ------------------------------------------------------------------------


class RendererNotFound(RuntimeError):
    """No Graphviz command to render with; the message says how to install one."""

    def __init__(self, dot_path: Path | None = None) -> None:
        self.dot_path = dot_path
        beside = Path(sys.executable).parent
        lines = [
            "no Graphviz renderer found: looked for `dot` and `graphviz-pure` on PATH",
            f"and for `graphviz-pure` in {beside}. Install one of:",
            "  pip install graphviz-pure    (or: pip install 'scalar-autograd[viz]')",
            "  apt-get install graphviz     (Debian, Ubuntu)",
            "  brew install graphviz        (macOS)",
        ]
        if dot_path is not None:
            lines.append(
                f"The DOT source was written to {dot_path}; once a renderer is "
                f"installed: graphviz-pure -Tsvg {dot_path} -o "
                f"{dot_path.with_suffix('.svg')}"
            )
        super().__init__("\n".join(lines))


def find_renderer() -> str | None:
    """The Graphviz command to render with: ``dot``, else ``graphviz-pure``; or None.

    ``dot`` (a system Graphviz) and ``graphviz-pure`` are looked up on PATH, then
    ``graphviz-pure`` beside ``sys.executable``, where pip puts it in a virtual
    environment that is not activated.
    """
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name)
        if found:
            return found
    return shutil.which("graphviz-pure", path=str(Path(sys.executable).parent))


def _run(source: str, args: Sequence[str]) -> bytes:
    """Run the renderer on DOT ``source`` with command-line ``args``; its stdout."""
    binary = find_renderer()
    if binary is None:
        raise RendererNotFound()
    done = subprocess.run(
        [binary, *args], input=source.encode("utf-8"), capture_output=True, check=False
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{binary} {' '.join(args)} failed: {message}")
    return done.stdout


def _render_bytes(source: str, fmt: str, dpi: int = _PNG_DPI) -> bytes:
    args = [f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={dpi}")
    return _run(source, args)


def render(graph: graphviz.Digraph | Value, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` (or the graph of a Value) to ``path`` in its suffix's format.

    ``.svg``, ``.png`` and the renderer's other formats are rendered; ``.dot`` and
    ``.gv`` hold the DOT source. Without a renderer the DOT source is written beside
    ``path`` and ``RendererNotFound`` says how to install one.
    """
    if isinstance(graph, Value):
        graph = draw_graph(graph)
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    if not fmt:
        raise ValueError(f"render: {path} has no suffix to name a format (.svg, .png)")
    try:
        path.write_bytes(_render_bytes(graph.source, fmt))
    except RendererNotFound:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(graph.source, encoding="utf-8")
        raise RendererNotFound(dot_path) from None
    return path


def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ModuleNotFoundError(
            "autograd.viz needs the graphviz package: pip install "
            "'scalar-autograd[viz]' (or: pip install graphviz graphviz-pure)"
        ) from None
    return graphviz


_GRAPH_CLASS: Any = None


def _graph_class() -> Any:
    """A ``graphviz.Digraph`` whose ``pipe`` (and so Jupyter display) uses our renderer.

    Made on first use, so that graphviz is imported only when a graph is drawn.
    """
    global _GRAPH_CLASS
    if _GRAPH_CLASS is None:
        graphviz = _import_graphviz()

        class Digraph(graphviz.Digraph):  # type: ignore[name-defined]
            """A ``graphviz.Digraph`` rendered by ``dot`` or ``graphviz-pure``."""

            def pipe(
                self,
                format: str | None = None,  # noqa: A002 - graphviz's own name
                renderer: str | None = None,
                formatter: str | None = None,
                neato_no_op: bool | int | None = None,
                quiet: bool = False,
                *,
                engine: str | None = None,
                encoding: str | None = None,
            ) -> bytes | str:
                """The graph rendered (``svg``, ``png``, ...) as bytes, or str."""
                parts = [format or self.format or "svg", renderer, formatter]
                fmt = ":".join(p for p in parts if p)
                args = [f"-K{engine or self.engine}", f"-T{fmt}"]
                if neato_no_op:
                    args.append(f"-n{int(neato_no_op)}")
                data = _run(self.source, args)
                return data.decode(encoding) if encoding else data

        Digraph.__module__ = __name__
        _GRAPH_CLASS = Digraph
    return _GRAPH_CLASS


# -- text ----------------------------------------------------------------------------


def _number(x: Any) -> str:
    """A number in 10 characters: 4 decimals while they fit, else scientific."""
    x = float(x.data if isinstance(x, Value) else x)
    if not math.isfinite(x):
        text = str(x)
    elif x == 0.0 or 1e-4 <= abs(x) < 9999.5:
        text = f"{x:.4f}"
    else:
        text = f"{x:.3e}"
    return text.rjust(10)


def _short(x: Any) -> str:
    """A number in at most 4 significant digits (for edge labels and captions)."""
    return f"{float(x.data if isinstance(x, Value) else x):.4g}"


def _ascii(text: str) -> str:
    """``text`` in ASCII (w1 for a subscripted w, ? for what has no ASCII form)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "replace").decode("ascii").replace("\n", " ")


def _op_text(node: Value) -> str:
    """An op node's text: a symbol or the op's name, with the arity of n-ary ops."""
    if node.op in ("sum", "dot", "linear"):
        return f"{node.op} ({len(node.inputs)})"
    return _SYMBOLS.get(node.op, node.op)


# -- the drawing ---------------------------------------------------------------------


@dataclass
class _Frame:
    """What one animation frame shows beyond the plain graph."""

    grads: dict[Value, str]  # grad text of each node that has one so far
    current: Value | None = None  # the node whose step this is
    receiving: frozenset[Value] = frozenset()  # its inputs
    edge_labels: dict[tuple[int, int], str] = field(default_factory=dict)
    done_edges: frozenset[tuple[int, int]] = frozenset()  # labels already shown
    caption: str = ""


def _names(order: Sequence[Value]) -> dict[Value, str]:
    """Each node's display name: its label, else ``#k`` (its place in the order)."""
    return {v: _ascii(v.label) if v.label else f"#{k}" for k, v in enumerate(order)}


def _depths(root: Value) -> dict[Value, int]:
    """Each node's distance (in ops) from the root, the shortest way."""
    depth = {root: 0}
    frontier = [root]
    while frontier:
        nxt = []
        for node in frontier:
            for inp in node.inputs:
                if inp not in depth:
                    depth[inp] = depth[node] + 1
                    nxt.append(inp)
        frontier = nxt
    return depth


def _cell(text: str, color: str | None = None, bold: bool = False) -> str:
    body = html.escape(text, quote=False)
    if bold:
        body = f"<B>{body}</B>"
    if color:
        body = f'<FONT COLOR="{color}">{body}</FONT>'
    return f"<TD>{body}</TD>"


def _mono_cell(text: str, color: str | None = None) -> str:
    face = '<FONT FACE="Courier"'
    if color:
        face += f' COLOR="{color}"'
    return f"<TD>{face}>{html.escape(text, quote=False)}</FONT></TD>"


def _value_label(
    name: str, labelled: bool, data: str, grad: str | None, fill: str, border: str
) -> str:
    """The name on the left; data above grad on the right (a compact block)."""
    rows = 1 if grad is None else 2
    name_cell = _cell(name, bold=True) if labelled else _cell(name, color=_MUTED)
    name_cell = name_cell.replace("<TD>", f'<TD ROWSPAN="{rows}">', 1)
    body = f"<TR>{name_cell}{_mono_cell(f'data {data}')}</TR>"
    if grad is not None:
        body += f"<TR>{_mono_cell(f'grad {grad}')}</TR>"
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
        f'BGCOLOR="{fill}" COLOR="{border}">{body}</TABLE>>'
    )


def _build(
    root: Value,
    *,
    rankdir: str,
    show_grad: bool,
    max_depth: int | None,
    frame: _Frame | None = None,
) -> Any:
    """The Digraph of ``root``'s graph, plain or as one frame of an animation."""
    graph = _graph_class()(name="autograd", format="svg")
    graph.attr(rankdir=rankdir, bgcolor="white", nodesep="0.2", ranksep="0.35")
    graph.attr("node", fontname="Helvetica", fontsize="11")
    graph.attr("edge", fontname="Courier", fontsize="10", color="#4b5563")
    if frame is not None and frame.caption:
        caption = html.escape(frame.caption, quote=False)
        graph.attr(
            label=f'<<FONT FACE="Courier" POINT-SIZE="13">{caption}</FONT>>',
            labelloc="t",
            labeljust="l",
        )
    order = topological_order(root)
    names = _names(order)
    depth = _depths(root)
    limit = math.inf if max_depth is None else max_depth
    shown = [v for v in order if depth[v] <= limit]
    index = {v: k for k, v in enumerate(order)}

    for node in shown:
        k = index[node]
        if node is root:
            fill, border = _ROOT
        elif node.inputs:
            fill, border = _INNER
        else:
            fill, border = _LEAF
        grad: str | None = None
        if frame is not None:
            grad = frame.grads.get(node, "?".rjust(10))
            if node is frame.current:
                fill, border = _HOT_NODE, _HOT
            elif node in frame.receiving:
                border = _HOT
        elif show_grad:
            grad = _number(node.grad)
        label = _value_label(
            names[node], bool(node.label), _number(node.data), grad, fill, border
        )
        graph.node(f"v{k}", label=label, shape="plain", id=f"v{k}")
        if not node.inputs:
            continue
        # The op that made the node, as its own node; its edges in operand order.
        op_fill = _HOT_OP if frame is not None and node is frame.current else _OP[0]
        graph.node(
            f"v{k}op",
            label=_op_text(node),
            shape="ellipse",
            fontsize="14",
            height="0.4",
            style="filled",
            fillcolor=op_fill,
            color=_OP[1],
            ordering="in",
            id=f"v{k}op",
        )
        hot = frame is not None and node is frame.current
        out_attrs = {"color": _HOT, "penwidth": "2"} if hot else {}
        graph.edge(f"v{k}op", f"v{k}", id=f"e{k}", **out_attrs)
        hidden = 0
        for i, inp in enumerate(node.inputs):
            if depth[inp] > limit:
                hidden += 1
                continue
            attrs: dict[str, str] = {}
            if frame is not None:
                text = frame.edge_labels.get((k, i), "")
                if hot:
                    attrs.update(color=_HOT, penwidth="2", fontcolor=_HOT)
                elif (k, i) in frame.done_edges:
                    attrs["fontcolor"] = _DONE
                else:
                    attrs["fontcolor"] = "white"  # not yet: same size, unseen
                if text:
                    attrs["label"] = f" {text} "
            graph.edge(f"v{index[inp]}", f"v{k}op", id=f"e{k}_{i}", **attrs)
        if hidden:
            graph.node(
                f"v{k}more",
                label=f"... {hidden} more",
                shape="box",
                style="dashed",
                color=_MUTED,
                fontcolor=_MUTED,
                id=f"v{k}more",
            )
            graph.edge(f"v{k}more", f"v{k}op", style="dashed", color=_MUTED)
    return graph


def draw_graph(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    *,
    max_depth: int | None = None,
) -> graphviz.Digraph:
    """The graph that computed ``root``: a node per Value (label, data, grad) and op.

    Edges run in operand order (``x * x`` has two). Leaves are blue, intermediate
    results white, the root green; a fused op shows its arity (``linear (33)``).
    ``max_depth`` keeps only the Values at most that many ops above the root, each cut
    op's hidden inputs shown as one ``... k more`` node. The result is a
    ``graphviz.Digraph``: Jupyter shows it inline, ``render(g, "g.svg")`` saves it.
    """
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"draw_graph: max_depth must be >= 0, got {max_depth}")
    return _build(root, rankdir=rankdir, show_grad=show_grad, max_depth=max_depth)


# -- the backward pass, recorded -----------------------------------------------------


@dataclass
class _Record:
    """A step of the pass and every gradient known once it is taken."""

    step: Step
    grads: dict[Value, float]


def _record(root: Value, grad: float) -> list[_Record]:
    """Run a fresh backward pass from ``root`` and record it; restore every .grad.

    Leaves start from 0 (not from what earlier passes accumulated), so the numbers
    shown are d(root)/d(node); afterwards every ``.grad`` is as it was.
    """
    order = topological_order(root)
    saved = [(v, v.grad) for v in order]
    records: list[_Record] = []
    try:
        for v in order:
            v.grad = 0.0
        known: dict[Value, None] = {root: None}
        for step in backward_steps(root, grad):
            known.update(dict.fromkeys(step.node.inputs))
            records.append(_Record(step, {v: _float(v.grad) for v in known}))
    finally:
        for v, g in saved:
            v.grad = g
    return records


def _float(x: Any) -> float:
    return float(x.data if isinstance(x, Value) else x)


def _frames(root: Value, records: Sequence[_Record]) -> list[_Frame]:
    """One frame per step; every text already has its final width in every frame."""
    order = topological_order(root)
    index = {v: k for k, v in enumerate(order)}
    names = _names(order)
    labels: dict[tuple[int, int], str] = {}
    for record in records:
        step = record.step
        k = index[step.node]
        for i, (p, c) in enumerate(zip(step.partials, step.contributions)):
            up, local, out = (_short(x) for x in (step.upstream, p, c))
            labels[k, i] = f"{up} x {local} = {out}"
    total = len(records)
    captions = []
    for n, record in enumerate(records, 1):
        node = record.step.node
        count = len(node.inputs)
        captions.append(
            f"step {n}/{total}: {names[node]} ({node.op}) sends its grad "
            f"{_short(record.step.upstream)} x local derivative to {count} "
            f"input{'s' * (count != 1)}"
        )
    width = max(len(c) for c in captions)
    frames = []
    done: set[tuple[int, int]] = set()
    for record, caption in zip(records, captions):
        k = index[record.step.node]
        current = {(k, i) for i in range(len(record.step.node.inputs))}
        frames.append(
            _Frame(
                grads={v: _number(g) for v, g in record.grads.items()},
                current=record.step.node,
                receiving=frozenset(record.step.node.inputs),
                edge_labels=labels,
                done_edges=frozenset(done),
                caption=caption.ljust(width),
            )
        )
        done |= current
    return frames


def animate_backward(
    root: Value,
    path: str | os.PathLike[str],
    *,
    grad: float = 1.0,
    rankdir: str = "LR",
    seconds_per_step: float = 1.5,
) -> Path:
    """Write the backward pass from ``root`` as frames, one per step, and return path.

    Each frame highlights the step's node and edges, each edge labelled ``upstream x
    local = contribution``, gradients filling in as they arrive, in one layout. The
    suffix picks the format: ``.gif`` (animated), ``.html`` (one self-contained page:
    SVG frames, a slider, step and play buttons), none (a folder, one SVG per step).
    The pass runs on a fresh copy of the gradients: every ``.grad`` is left as it was.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in ("", ".gif", ".html", ".htm"):
        raise ValueError(
            f"animate_backward: {path} should end in .gif or .html, or name a folder"
        )
    records = _record(root, grad)
    if not records:
        raise ValueError("animate_backward: root is a leaf; its backward pass is empty")
    sources = [
        _build(root, rankdir=rankdir, show_grad=True, max_depth=None, frame=f).source
        for f in _frames(root, records)
    ]
    if find_renderer() is None:
        dot_path = (path / "step_001.dot") if kind == "" else path.with_suffix(".dot")
        dot_path.parent.mkdir(parents=True, exist_ok=True)
        dot_path.write_text(sources[0], encoding="utf-8")
        raise RendererNotFound(dot_path)
    if kind == "":
        path.mkdir(parents=True, exist_ok=True)
        for n, source in enumerate(sources, 1):
            (path / f"step_{n:03d}.svg").write_bytes(_render_bytes(source, "svg"))
    elif kind == ".gif":
        pngs = [_render_bytes(s, "png", _GIF_DPI) for s in sources]
        _write_gif(path, pngs, seconds_per_step)
    else:
        svgs = [_render_bytes(s, "svg").decode("utf-8") for s in sources]
        path.write_text(_html_page(svgs, root, seconds_per_step), encoding="utf-8")
    return path


def _write_gif(path: Path, pngs: Sequence[bytes], seconds_per_step: float) -> None:
    """Assemble PNG frames into a looping GIF, padded to one size, last frame held."""
    try:
        from PIL import Image
    except ImportError:
        raise ModuleNotFoundError(
            "animate_backward needs Pillow for a GIF: "
            "pip install 'scalar-autograd[viz]'"
        ) from None
    import io

    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    frames = []
    for im in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(im, (0, 0))
        frames.append(canvas.quantize(colors=256, method=Image.Quantize.MEDIANCUT))
    step_ms = round(seconds_per_step * 1000)
    durations = [step_ms] * (len(frames) - 1) + [step_ms * 3]
    frames[0].save(
        path,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        disposal=1,
    )


def _svg_element(svg: str) -> str:
    """The ``<svg>`` element alone (no XML prolog or DOCTYPE pointing elsewhere)."""
    return svg[svg.index("<svg") :].strip()


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Backward pass of {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; color: #111827; }}
#controls {{ display: flex; gap: .5rem; align-items: center; margin: .5rem 0; }}
#slider {{ flex: 1; max-width: 40rem; }}
#readout {{ font-family: monospace; min-width: 8rem; }}
.frame {{ display: none; }}
.frame.current {{ display: block; }}
.frame svg {{ max-width: 100%; height: auto; }}
p.legend span {{ padding: 0 .4rem; border: 1px solid #9ca3af; }}
</style>
</head>
<body>
<h1>Backward pass of {title}</h1>
<p class="legend">Each step takes one node's upstream gradient, multiplies it by the
local derivative for each input and adds the product to that input's grad:
<code>upstream x local = contribution</code>.
<span style="background:#dbeafe">leaf</span>
<span style="background:#ffffff">intermediate</span>
<span style="background:#dcfce7">root</span>
<span style="background:#ffedd5">current step</span></p>
<div id="controls">
<button id="prev" type="button">&lt; prev</button>
<button id="play" type="button">play</button>
<button id="next" type="button">next &gt;</button>
<input id="slider" type="range" min="1" max="{count}" value="1" step="1"
 aria-label="step">
<span id="readout">step 1 / {count}</span>
</div>
<div id="frames">
{frames}
</div>
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var slider = document.getElementById("slider");
  var readout = document.getElementById("readout");
  var play = document.getElementById("play");
  var timer = null;
  function show(n) {{
    n = Math.max(1, Math.min(frames.length, n));
    for (var i = 0; i < frames.length; i++) {{
      frames[i].classList.toggle("current", i === n - 1);
    }}
    slider.value = String(n);
    readout.textContent = "step " + n + " / " + frames.length;
  }}
  function current() {{ return Number(slider.value); }}
  function stop() {{
    if (timer !== null) {{ clearInterval(timer); timer = null; }}
    play.textContent = "play";
  }}
  slider.addEventListener("input", function () {{ show(current()); }});
  slider.addEventListener("change", function () {{ show(current()); }});
  document.getElementById("prev").addEventListener("click", function () {{
    stop(); show(current() - 1);
  }});
  document.getElementById("next").addEventListener("click", function () {{
    stop(); show(current() + 1);
  }});
  play.addEventListener("click", function () {{
    if (timer !== null) {{ stop(); return; }}
    if (current() === frames.length) {{ show(1); }}
    play.textContent = "pause";
    timer = setInterval(function () {{
      if (current() >= frames.length) {{ stop(); return; }}
      show(current() + 1);
    }}, {interval});
  }});
  document.addEventListener("keydown", function (event) {{
    if (event.target === slider) {{ return; }}
    if (event.key === "ArrowLeft") {{ stop(); show(current() - 1); }}
    if (event.key === "ArrowRight") {{ stop(); show(current() + 1); }}
  }});
  show(1);
}})();
</script>
</body>
</html>
"""


def _html_page(svgs: Sequence[str], root: Value, seconds_per_step: float) -> str:
    """One page: every frame's SVG inline, a slider and buttons, nothing external."""
    frames = "\n".join(
        f'<div class="frame{" current" * (n == 1)}" id="frame-{n}">\n'
        f"{_svg_element(svg)}\n</div>"
        for n, svg in enumerate(svgs, 1)
    )
    title = html.escape(_ascii(root.label) if root.label else "the graph")
    return _PAGE.format(
        title=title,
        count=len(svgs),
        frames=frames,
        interval=max(1, round(seconds_per_step * 1000)),
    )


# -- the terminal view ---------------------------------------------------------------


def print_backward(
    root: Value, file: TextIO | None = None, *, grad: float = 1.0
) -> None:
    """Print the backward pass from ``root`` as a table, a row per input per step.

    Each row: the step, the node and its op, its upstream gradient, then for one input
    the local partial and the contribution (their product) added to its grad; then
    every leaf's gradient. Every ``.grad`` is left as it was.
    """
    out = sys.stdout if file is None else file
    records = _record(root, grad)
    order = topological_order(root)
    names = {v: name[:20] for v, name in _names(order).items()}
    header = ("step", "node", "op", "upstream", "input", "local", "contribution")
    rows: list[tuple[str, ...]] = []
    for n, record in enumerate(records, 1):
        step = record.step
        first = (str(n), names[step.node], step.node.op, _number(step.upstream))
        for i, (inp, p, c) in enumerate(
            zip(step.node.inputs, step.partials, step.contributions)
        ):
            lead = first if i == 0 else ("",) * 4
            rows.append((*lead, names[inp], _number(p), _number(c)))
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    right = {0, 3, 5, 6}  # numbers line up on the right

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if j in right else c.ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    print(
        f"backward pass from {names[root]}, seed grad {_number(grad).strip()}: "
        f"{len(records)} steps",
        file=out,
    )
    print(line(header), file=out)
    print(line(["-" * w for w in widths]), file=out)
    for row in rows:
        print(line(row), file=out)
    leaves = [v for v in order if not v.inputs]
    final = records[-1].grads if records else {root: _float(grad)}
    if leaves:
        width = max(len(names[v]) for v in leaves)
        print("gradients of the leaves (d root / d leaf):", file=out)
        for v in leaves:
            g = final.get(v, 0.0)
            print(f"  {names[v].ljust(width)}  {_number(g)}", file=out)
