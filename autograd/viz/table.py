"""The backward pass as a table in the terminal, a row per input per step.

Rows are printed as the pass runs: the time and memory it takes grow with the size of
the graph (a pass over it, names and widths computed once), never with the square.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from autograd.backward import backward_steps, topological_order
from autograd.value import Value
from autograd.viz.frames import scratch_grads
from autograd.viz.graph import check_root, names
from autograd.viz.text import display, number

NAME_WIDTH = 20  # names are cut to this many characters in the table

_HEADER = ("step", "node", "op", "upstream", "input", "local", "contribution")
_RIGHT = frozenset({0, 3, 5, 6})  # numbers line up on the right


def print_backward(
    root: Value, file: TextIO | None = None, *, grad: float = 1.0
) -> None:
    """Print the backward pass from ``root`` as a table, a row per input per step.

    Each row: the step, the node and its op, its upstream gradient, then for one input
    the local partial and the contribution (their product) added to its grad; then
    every leaf's gradient. Every ``.grad`` is left as it was.
    """
    check_root(root, "print_backward")
    out = sys.stdout if file is None else file
    order = topological_order(root)
    shown = {v: name[:NAME_WIDTH] for v, name in names(order).items()}
    interior = [v for v in order if v.inputs]
    leaves = [v for v in order if not v.inputs]
    # Every width is known before the first row: names and ops from the graph, the
    # step numbers from its size, numbers have a fixed width.
    steps_width = len(str(len(interior)))
    name_width = max((len(shown[v]) for v in interior), default=0)
    input_width = max((len(shown[v]) for v in order if v is not root), default=0)
    op_width = max((len(display(v.op)) for v in interior), default=0)
    widths = [
        max(len(_HEADER[0]), steps_width),
        max(len(_HEADER[1]), name_width),
        max(len(_HEADER[2]), op_width),
        max(len(_HEADER[3]), 10),
        max(len(_HEADER[4]), input_width),
        max(len(_HEADER[5]), 10),
        max(len(_HEADER[6]), 10),
    ]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if j in _RIGHT else c.ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    write = out.write
    write(
        f"backward pass from {shown[root]}, seed grad {number(grad).strip()}: "
        f"{len(interior)} step{'s' * (len(interior) != 1)}\n"
    )
    write(line(_HEADER) + "\n")
    write(line(["-" * w for w in widths]) + "\n")
    blank = ("",) * 4
    final: dict[Value, float] = {}
    with scratch_grads(order):
        for n, step in enumerate(backward_steps(root, grad), 1):
            node = step.node
            lead = (str(n), shown[node], display(node.op), number(step.upstream))
            for i, (inp, p, c) in enumerate(
                zip(node.inputs, step.partials, step.contributions)
            ):
                cells = (*(lead if i == 0 else blank), shown[inp], number(p), number(c))
                write(line(cells) + "\n")
        final = {v: float(v.grad) for v in leaves}
    if not interior:
        final = {root: float(grad)}
    if leaves:
        width = max(len(shown[v]) for v in leaves)
        write("gradients of the leaves (d root / d leaf):\n")
        for v in leaves:
            write(f"  {shown[v].ljust(width)}  {number(final.get(v, 0.0))}\n")
