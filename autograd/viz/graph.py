"""The graph a forward pass leaves, drawn: a node per Value and one per op.

Each Value is a small table, its name above its data and grad (numbers in a fixed
width, so the frames of an animation share one layout); each op is an ellipse whose
edges arrive in operand order. Cells are sized with measured font metrics
(``autograd.viz.text``), so labels fit whichever common font the viewer has.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from autograd.backward import topological_order
from autograd.value import Value
from autograd.viz.rendering import graph_class
from autograd.viz.text import display, dot_html, number, text_width

if TYPE_CHECKING:
    import graphviz

MAX_NODES = 500
"""``draw_graph`` draws at most this many Values unless ``max_nodes`` says more."""

# -- colours by role -----------------------------------------------------------------

LEAF = ("#dbeafe", "#3b82f6")  # (fill, border): inputs and parameters
INNER = ("#ffffff", "#9ca3af")  # intermediate results
ROOT = ("#dcfce7", "#16a34a")  # the output the pass starts from
OP = ("#f3f4f6", "#9ca3af")
HOT = "#ea580c"  # the current step: its node, op and edges
HOT_NODE = "#ffedd5"
HOT_OP = "#fdba74"
MUTED = "#6b7280"

_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
_SYMBOLS["pow_const"] = "**"

# Sizes in points. Names in bold sans, numbers in monospace; a cell is as wide as its
# text in the widest of the fonts viewers have, plus padding and a margin.
NAME_SIZE = 11.0
NUMBER_SIZE = 10.0
OP_SIZE = 11.0
CAPTION_SIZE = 12.0
_PADDING = 2  # CELLPADDING
_SLACK = 4.0  # points beyond the measured width: rounding, hinting, borders


@dataclass
class Frame:
    """What one animation frame shows beyond the plain graph."""

    grads: dict[Value, str]  # grad text of each node that has one so far
    current: Value | None = None  # the node whose step this is
    receiving: frozenset[Value] = frozenset()  # its inputs
    caption: list[str] = field(default_factory=list)  # lines, each padded alike


def names(order: Sequence[Value]) -> dict[Value, str]:
    """Each node's display name: its label, else ``#k`` (its place in the order)."""
    return {v: display(v.label) if v.label else f"#{k}" for k, v in enumerate(order)}


def depths(root: Value) -> dict[Value, int]:
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


def check_size(
    depth: dict[Value, int], max_depth: int | None, max_nodes: int, what: str
) -> None:
    """Refuse a drawing of more than ``max_nodes`` Values, suggesting a ``max_depth``.

    The suggestion is the largest depth whose cut graph fits, counted exactly.
    """
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{what}: max_nodes must be a positive int, got {max_nodes!r}")
    limit = math.inf if max_depth is None else max_depth
    shown = sum(1 for d in depth.values() if d <= limit)
    if shown <= max_nodes:
        return
    per_depth: dict[int, int] = {}
    for d in depth.values():
        per_depth[d] = per_depth.get(d, 0) + 1
    fits, total = 0, 0
    for d in sorted(per_depth):
        if total + per_depth[d] > max_nodes:
            break
        total += per_depth[d]
        fits = d
    raise ValueError(
        f"{what}: the drawing would have {shown:,} Values, more than max_nodes="
        f"{max_nodes:,} (a picture that size is unreadable and slow to render). Pass "
        f"max_depth={fits} to draw the {total:,} Values nearest the root, or raise "
        "max_nodes; for a neural network, autograd.viz.draw_network draws one node "
        "per neuron."
    )


def _fits(text: str, size: float, *, bold: bool = False, mono: bool = False) -> int:
    """A cell WIDTH (points) that holds ``text`` in any of the measured fonts."""
    return math.ceil(
        text_width(text, size, bold=bold, mono=mono) + 2 * _PADDING + _SLACK
    )


def _value_label(
    name: str, labelled: bool, data: str, grad: str | None, fill: str, border: str
) -> str:
    """The name above the data and the grad, in a table as wide as its widest text."""
    rows = [f"data {data}"] + ([] if grad is None else [f"grad {grad}"])
    width = max(
        _fits(name, NAME_SIZE, bold=labelled),
        *(_fits(r, NUMBER_SIZE, mono=True) for r in rows),
    )
    shown = dot_html(name)
    shown = f"<B>{shown}</B>" if labelled else f'<FONT COLOR="{MUTED}">{shown}</FONT>'
    # Left-aligned: a renderer centres text by its own width estimate, so a wider
    # font would run past the right edge; from the left edge it fits in ``width``.
    body = f'<TR><TD WIDTH="{width}" ALIGN="LEFT">{shown}</TD></TR>'
    for row in rows:
        body += (
            f'<TR><TD ALIGN="LEFT"><FONT FACE="Courier" POINT-SIZE="{NUMBER_SIZE:g}">'
            f"{dot_html(row)}</FONT></TD></TR>"
        )
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="{_PADDING}" '
        f'BGCOLOR="{fill}" COLOR="{border}">{body}</TABLE>>'
    )


def _op_text(node: Value) -> str:
    """An op node's text: a symbol or the op's name, with the arity of n-ary ops."""
    if node.op in ("sum", "dot", "linear"):
        return f"{node.op} ({len(node.inputs)})"
    return _SYMBOLS.get(node.op, display(node.op))


def _caption_label(lines: Sequence[str]) -> str:
    """Left-aligned monospace lines as a Graphviz HTML label."""
    body = "".join(f'{dot_html(line)}<BR ALIGN="LEFT"/>' for line in lines)
    return f'<<FONT FACE="Courier" POINT-SIZE="{CAPTION_SIZE:g}">{body}</FONT>>'


def build(
    root: Value,
    *,
    rankdir: str,
    show_grad: bool,
    max_depth: int | None,
    frame: Frame | None = None,
    order: Sequence[Value] | None = None,
    depth: dict[Value, int] | None = None,
    number_width: int | None = None,
) -> Any:
    """The Digraph of ``root``'s graph, plain or as one frame of an animation.

    Numbers are right-aligned in ``number_width`` characters (by default the widest
    number drawn): the frames of an animation pass one width, for one layout.
    """
    graph = graph_class()(name="autograd", format="svg")
    graph.attr(rankdir=rankdir, bgcolor="white", nodesep="0.12", ranksep="0.22")
    graph.attr("node", fontname="Helvetica", fontsize=f"{NAME_SIZE:g}")
    graph.attr("edge", color="#4b5563", arrowsize="0.7")
    if frame is not None and frame.caption:
        graph.attr(label=_caption_label(frame.caption), labelloc="t", labeljust="l")
    order = topological_order(root) if order is None else order
    shown_names = names(order)
    depth = depths(root) if depth is None else depth
    limit = math.inf if max_depth is None else max_depth
    index = {v: k for k, v in enumerate(order)}
    drawn = [v for v in order if depth[v] <= limit]
    if number_width is None:
        texts = [number(v.data).strip() for v in drawn]
        if frame is not None:
            texts += [t.strip() for t in frame.grads.values()]
        elif show_grad:
            texts += [number(v.grad).strip() for v in drawn]
        number_width = max(len(t) for t in texts)
    width = number_width

    for node in drawn:
        k = index[node]
        if node is root:
            fill, border = ROOT
        elif node.inputs:
            fill, border = INNER
        else:
            fill, border = LEAF
        grad: str | None = None
        if frame is not None:
            grad = frame.grads.get(node, "?").strip().rjust(width)
            if node is frame.current:
                fill, border = HOT_NODE, HOT
            elif node in frame.receiving:
                border = HOT
        elif show_grad:
            grad = number(node.grad).strip().rjust(width)
        data = number(node.data).strip().rjust(width)
        label = _value_label(
            shown_names[node], bool(node.label), data, grad, fill, border
        )
        graph.node(f"v{k}", label=label, shape="plain", id=f"v{k}")
        if not node.inputs:
            continue
        # The op that made the node, as its own node; its edges in operand order.
        hot = frame is not None and node is frame.current
        text = _op_text(node)
        graph.node(
            f"v{k}op",
            label=dot_html(text),
            shape="ellipse",
            fontsize=f"{OP_SIZE:g}",
            width=f"{(text_width(text, OP_SIZE) + 16) / 72:.3f}",
            height="0.32",
            fixedsize="true",
            style="filled",
            fillcolor=HOT_OP if hot else OP[0],
            color=OP[1],
            ordering="in",
            id=f"v{k}op",
        )
        out_attrs = {"color": HOT, "penwidth": "2"} if hot else {}
        graph.edge(f"v{k}op", f"v{k}", id=f"e{k}", **out_attrs)
        hidden = 0
        for i, inp in enumerate(node.inputs):
            if depth[inp] > limit:
                hidden += 1
                continue
            attrs = {"color": HOT, "penwidth": "2"} if hot else {}
            graph.edge(f"v{index[inp]}", f"v{k}op", id=f"e{k}_{i}", **attrs)
        if hidden:
            graph.node(
                f"v{k}more",
                label=f"... {hidden} more",
                shape="box",
                style="dashed",
                color=MUTED,
                fontcolor=MUTED,
                id=f"v{k}more",
            )
            graph.edge(f"v{k}more", f"v{k}op", style="dashed", color=MUTED)
    return graph


def check_depth(max_depth: int | None, what: str) -> None:
    """Refuse a ``max_depth`` that is not None or an int >= 0."""
    if max_depth is None:
        return
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0:
        raise ValueError(f"{what}: max_depth must be an int >= 0, got {max_depth!r}")


def check_root(root: Any, what: str) -> None:
    """Refuse a root that is not a Value."""
    if not isinstance(root, Value):
        raise TypeError(f"{what}: root must be a Value, got {type(root).__name__}")


def check_rankdir(rankdir: Any, what: str) -> None:
    """Refuse a direction Graphviz does not know."""
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(
            f"{what}: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}"
        )


def draw_graph(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    *,
    max_depth: int | None = None,
    max_nodes: int = MAX_NODES,
) -> graphviz.Digraph:
    """The graph that computed ``root``: a node per Value (label, data, grad) and op.

    Edges run in operand order (``x * x`` has two). Leaves are blue, intermediate
    results white, the root green; a fused op shows its arity (``linear (33)``).
    ``max_depth`` keeps only the Values at most that many ops above the root, each cut
    op's hidden inputs shown as one ``... k more`` node. A drawing of more than
    ``max_nodes`` Values (500) is refused with a ``ValueError`` that names the
    ``max_depth`` that fits. The result is a ``graphviz.Digraph``: Jupyter shows it
    inline, ``render(g, "g.svg")`` saves it.
    """
    check_root(root, "draw_graph")
    check_rankdir(rankdir, "draw_graph")
    check_depth(max_depth, "draw_graph")
    depth = depths(root)
    check_size(depth, max_depth, max_nodes, "draw_graph")
    return build(
        root,
        rankdir=rankdir,
        show_grad=bool(show_grad),
        max_depth=max_depth,
        depth=depth,
    )
