"""The per-op code of the tape's backends, printed from the table's formulas.

Each instruction kind (``record.VARIANTS``: an op, checked or total) gets a forward
piece (read the inputs, check the domain unless total, compute the output) and a
backward piece (one ``grad[input] += upstream * partial`` per input, in input
order, as ``autograd.kernels.backward_pass`` does for Values), for Python and for C,
from the same traced expressions. Nothing here knows any op by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograd.expr import SYMBOLS, Expr, Printer, lift, variable
from autograd.ops import NAry, Op

__all__ = ["Backward", "Forward", "backward_piece", "contribution", "forward_piece"]


@dataclass
class Forward:
    """A fixed-arity op's forward, printed: checks before and after, the output."""

    before: list[tuple[list[str], str, int]]  # (statements, condition, domain index)
    statements: list[str]
    out: str
    after: list[tuple[list[str], str, int]]


@dataclass
class Backward:
    """A fixed-arity op's partials, printed: shared statements, one text per input."""

    statements: list[str]
    partials: list[Expr]
    texts: list[str]
    reads: set[str]  # the variables the partials read: x0.., out


def forward_piece(op: Op, total: bool, printer: Printer) -> Forward:
    """The forward of a fixed-arity op on variables ``x0, x1, ...``."""
    xs = [variable(f"x{i}") for i in range(op.arity or 0)]
    out = variable("out")
    before: list[tuple[list[str], str, int]] = []
    after: list[tuple[list[str], str, int]] = []
    if not total:
        for k, domain in enumerate(op.domain):
            condition = lift(domain.fails(xs, out, SYMBOLS))
            statements, (text,) = printer.block([condition])
            target = after if "out" in condition.variables() else before
            target.append((statements, text, k))
    statements, (text,) = printer.block([op.forward(xs, SYMBOLS)])
    return Forward(before, statements, text, after)


def backward_piece(op: Op, printer: Printer, names: dict[str, str]) -> Backward:
    """A fixed-arity op's partials, with variables read as ``names`` says."""
    xs = [variable(f"x{i}") for i in range(op.arity or 0)]
    partials = [lift(p) for p in op.partials(xs, variable("out"), SYMBOLS)]
    reads = set().union(*(p.variables() for p in partials))
    statements, texts = printer.block(partials, names)
    return Backward(statements, partials, texts, reads)


def nary_pieces(
    shape: NAry,
    printer: Printer,
    element: Callable[[int], str],
    tail: Callable[[int], str],
) -> tuple[
    tuple[list[str], str],
    list[tuple[list[str], str, Expr, list[int]]],
    list[tuple[list[str], str, Expr]],
]:
    """An n-ary op's term, per-group partials and tail partials, printed.

    ``element(j)`` and ``tail(k)`` give the text that reads the current element of
    group j and tail input k. Returns the term, then for each group the partial with
    the groups it reads, then each tail input's partial.
    """
    elements = [variable(f"e{j}") for j in range(shape.groups)]
    names = {f"e{j}": element(j) for j in range(shape.groups)}
    names.update({f"t{k}": tail(k) for k in range(shape.tail)})
    term_statements, (term,) = printer.block([shape.term(elements, SYMBOLS)], names)
    groups = []
    for j, partial in enumerate(shape.term_partials(elements, SYMBOLS)):
        partial = lift(partial)
        read = sorted({j, *(int(v[1:]) for v in partial.variables())})
        statements, (text,) = printer.block([partial], names)
        groups.append((statements, text, partial, read))
    tails = []
    tail_vars = [variable(f"t{k}") for k in range(shape.tail)]
    for partial in shape.start_partials(tail_vars, SYMBOLS):
        partial = lift(partial)
        statements, (text,) = printer.block([partial], names)
        tails.append((statements, text, partial))
    return (term_statements, term), groups, tails


def contribution(target: str, partial: Expr, text: str, upstream: str = "g") -> str:
    """``target += upstream * partial``, as the eager kernels write it (bit for bit:
    the multiply by 1.0 is left out, and x - g is x + g * -1.0)."""
    if partial.is_constant(1.0):
        return f"{target} += {upstream}"
    if partial.is_constant(-1.0):
        return f"{target} -= {upstream}"
    return f"{target} += {upstream} * {text}"


def start_text(
    shape: NAry, printer: Printer, tail: Callable[[int], str]
) -> tuple[list[str], str]:
    """The start of an n-ary op's sum, printed."""
    tail_vars = [variable(f"t{k}") for k in range(shape.tail)]
    names = {f"t{k}": tail(k) for k in range(shape.tail)}
    statements, (text,) = printer.block([lift(shape.start(tail_vars, SYMBOLS))], names)
    return statements, text
