"""The backward pass as frames, one per step, written as a GIF, a page or SVGs.

Every frame is the same graph in the same layout: the step's node, op and edges in
orange, each gradient shown as it arrives (``?`` before), and a caption with the
step's arithmetic, one line per input: ``grad += upstream x local = contribution``.
The pass runs on scratch gradients (leaves from 0) and every ``.grad`` is put back.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from autograd.backward import Step, backward_steps, topological_order
from autograd.value import Value
from autograd.viz.graph import (
    Frame,
    build,
    check_depth,
    check_rankdir,
    check_root,
    check_size,
    depths,
    names,
)
from autograd.viz.page import html_page, write_gif
from autograd.viz.rendering import RendererNotFound, find_renderer, render_bytes
from autograd.viz.text import number, short

MAX_ANIMATION_NODES = 150
"""``animate_backward`` draws at most this many Values, unless ``max_nodes`` is set."""

CAPTION_INPUTS = 6  # a caption lists at most this many inputs of a step
GIF_WIDTH = 1400  # pixels: a GIF frame is rendered at most this wide
_GIF_DPI = 100  # and at most at this resolution


@contextmanager
def scratch_grads(nodes: Iterable[Value]) -> Iterator[None]:
    """Set every node's ``.grad`` to 0 for the block, then put each back as it was.

    Inside, a backward pass gives d(root)/d(node) itself, not added to what earlier
    passes accumulated; afterwards, even on an error, nothing has changed.
    """
    saved = [(v, v.grad) for v in nodes]
    try:
        for v, _ in saved:
            v.grad = 0.0
        yield
    finally:
        for v, g in saved:
            v.grad = g


def _caption(
    n: int, total: int, step: Step, shown: dict[Value, str]
) -> tuple[str, list[str]]:
    """Step ``n``'s caption: a heading, and ``grad += ...`` for each input (or most)."""
    node = step.node
    count = len(node.inputs)
    heading = (
        f"step {n}/{total}: {shown[node]} = {node.op}(...) passes its grad "
        f"{short(step.upstream)} back to {count} input{'s' * (count != 1)}:"
    )
    entries = []
    listed = list(zip(node.inputs, step.partials, step.contributions))
    for inp, local, contribution in listed[:CAPTION_INPUTS]:
        name = shown.get(inp, "(not drawn)")
        entries.append(
            f"{name}.grad += {short(step.upstream)} x {short(local)}"
            f" = {short(contribution)}"
        )
    if count > CAPTION_INPUTS:
        entries.append(f"... and {count - CAPTION_INPUTS} more inputs")
    return heading, entries


def _caption_lines(heading: str, entries: list[str], entry_width: int) -> list[str]:
    """The heading, then the entries two to a line when there are more than three."""
    if len(entries) <= 3:
        return [heading, *(f"  {e}" for e in entries)]
    lines = [heading]
    for i in range(0, len(entries), 2):
        pair = entries[i : i + 2]
        lines.append("  " + "   ".join(e.ljust(entry_width) for e in pair).rstrip())
    return lines


def backward_frames(
    root: Value, grad: float = 1.0, max_depth: int | None = None
) -> list[Frame]:
    """One frame per step of the pass from ``root`` (of the nodes drawn), in order.

    Captions are padded to one number of lines and one width, so that every frame
    has the same layout. Every ``.grad`` is left as it was.
    """
    order = topological_order(root)
    depth = depths(root)
    limit = math.inf if max_depth is None else max_depth
    shown = names(order)
    drawn = {v: shown[v] for v in order if depth[v] <= limit}
    texts: dict[Value, str] = {root: number(grad)}
    steps: list[Step] = []
    known: list[dict[Value, str]] = []  # the grads shown once each step is taken
    with scratch_grads(order):
        for step in backward_steps(root, grad):
            if depth[step.node] > limit:
                continue
            for inp in step.node.inputs:
                if inp in drawn:
                    texts[inp] = number(inp.grad)
            steps.append(step)
            known.append(dict(texts))
    total = len(steps)
    parts = [_caption(n, total, step, drawn) for n, step in enumerate(steps, 1)]
    entry_width = max((len(e) for _, entries in parts for e in entries), default=0)
    captions = [_caption_lines(h, e, entry_width) for h, e in parts]
    lines = max((len(c) for c in captions), default=0)
    width = max((len(line) for c in captions for line in c), default=0)
    frames: list[Frame] = []
    for step, caption, grads in zip(steps, captions, known):
        caption = caption + [""] * (lines - len(caption))
        frames.append(
            Frame(
                grads=grads,
                current=step.node,
                receiving=frozenset(step.node.inputs),
                caption=[line.ljust(width) for line in caption],
            )
        )
    return frames


def _svg_width_pt(svg: str) -> float:
    """The width, in points, that Graphviz gave an SVG."""
    found = re.search(r'<svg width="([\d.]+)pt"', svg)
    return float(found.group(1)) if found else 0.0


_LEGEND = (
    '<p class="legend">Each step takes one node\'s grad (the upstream gradient), '
    "multiplies it by the local derivative for each input and adds the product to "
    "that input's grad: <code>grad += upstream x local = contribution</code>. "
    '<span style="background:#dbeafe">leaf</span> '
    '<span style="background:#ffffff">intermediate</span> '
    '<span style="background:#dcfce7">root</span> '
    '<span style="background:#ffedd5">current step</span></p>'
)


def animate_backward(
    root: Value,
    path: str | os.PathLike[str],
    *,
    grad: float = 1.0,
    rankdir: str = "LR",
    seconds_per_step: float = 1.5,
    max_depth: int | None = None,
    max_nodes: int = MAX_ANIMATION_NODES,
) -> Path:
    """Write the backward pass from ``root`` as frames, one per step, and return path.

    Each frame highlights the step's node and edges, gradients filling in as they
    arrive, in one layout; its caption gives the step's arithmetic, ``grad +=
    upstream x local = contribution`` for each input. The suffix picks the format:
    ``.gif`` (animated), ``.html`` (one self-contained page: SVG frames, a slider,
    step and play buttons), none (a folder, one SVG per step). ``max_depth`` draws
    only the Values at most that many ops above the root, and the steps of those.
    A drawing of more than ``max_nodes`` Values (150) is refused with a
    ``ValueError`` naming the ``max_depth`` that fits. The pass runs on scratch
    gradients: every ``.grad`` is left as it was.
    """
    check_root(root, "animate_backward")
    check_rankdir(rankdir, "animate_backward")
    check_depth(max_depth, "animate_backward")
    if not isinstance(seconds_per_step, (int, float)) or not seconds_per_step > 0:
        raise ValueError(
            "animate_backward: seconds_per_step must be a number > 0, got "
            f"{seconds_per_step!r}"
        )
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in ("", ".gif", ".html", ".htm"):
        raise ValueError(
            f"animate_backward: {path} should end in .gif or .html, or name a folder"
        )
    if not root.inputs:
        raise ValueError("animate_backward: root is a leaf; its backward pass is empty")
    depth = depths(root)
    check_size(depth, max_depth, max_nodes, "animate_backward")
    order = topological_order(root)
    frames = backward_frames(root, grad, max_depth)
    limit = math.inf if max_depth is None else max_depth
    texts = [number(v.data).strip() for v in order if depth[v] <= limit]
    texts += [t.strip() for f in frames for t in f.grads.values()]
    width = max(len(t) for t in texts)
    sources = [
        build(
            root,
            rankdir=rankdir,
            show_grad=True,
            max_depth=max_depth,
            frame=frame,
            order=order,
            depth=depth,
            number_width=width,
        ).source
        for frame in frames
    ]
    if find_renderer() is None:
        dot_path = (path / "step_001.dot") if kind == "" else path.with_suffix(".dot")
        dot_path.parent.mkdir(parents=True, exist_ok=True)
        dot_path.write_text(sources[0], encoding="utf-8")
        raise RendererNotFound(dot_path)
    if kind == "":
        path.mkdir(parents=True, exist_ok=True)
        for n, source in enumerate(sources, 1):
            (path / f"step_{n:03d}.svg").write_bytes(render_bytes(source, "svg"))
    elif kind == ".gif":
        first = render_bytes(sources[0], "svg").decode("utf-8")
        points = _svg_width_pt(first)
        dpi = _GIF_DPI if points <= 0 else min(_GIF_DPI, int(GIF_WIDTH * 72 / points))
        pngs = [render_bytes(s, "png", max(dpi, 36)) for s in sources]
        write_gif(path, pngs, seconds_per_step, "animate_backward (a GIF)")
    else:
        svgs = [render_bytes(s, "svg").decode("utf-8") for s in sources]
        title = f"Backward pass of {names([root])[root] if root.label else 'the graph'}"
        page = html_page(title, _LEGEND, svgs, seconds_per_step)
        path.write_text(page, encoding="utf-8")
    return path
