"""The eager engine's float code, generated from the table when autograd is imported.

For every op of ``ops.OPS`` this module prints, from the op's own formulas
(``autograd.expr``), and compiles once:

* ``forward_<op>(x0, ...)``: the forward a user's program calls; it checks the op's
  domain and raises the error the table names, else returns the total forward;
* ``op_<op>(x0, ...)``: the total forward (never raises), which formulas call;
* ``partials_<op>(x0, ..., out)``: the float partials, as a tuple;
* ``reduce_<op>(group_0, ..., tail_0, ...)`` for an n-ary op: its forward with the
  groups apart (``reduce_linear(w, x, b)``), so callers need not pack the numbers;
* ``backward_pass(order)``: the chain rule over nodes in reverse topological order,
  one multiply-add per edge, each op's partials written out inline.

``SOURCE`` holds the generated Python, for anyone who wants to read what runs:
``print(autograd.kernels.SOURCE)``. Nothing here is written per op by hand; adding an
op to the table adds its code here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from autograd.expr import SYMBOLS, Expr, Python, lift, variable
from autograd.ops import FLOAT_MATH, OPS, PRIMITIVES, Op

__all__ = [
    "FORWARD",
    "PARTIALS",
    "REDUCE",
    "SOURCE",
    "TOTAL",
    "backward_pass",
]

# The attributes of a node the generated backward pass reads (Value's slots).
_INPUTS, _OP = "_inputs", "_op"


def _printer() -> Python:
    return Python(PRIMITIVES)


def _inputs(op: Op, arity: int | None = None) -> list[Expr]:
    return [variable(f"x{i}") for i in range(op.arity or arity or 0)]


def _body(statements: Sequence[str], indent: str) -> list[str]:
    return [indent + s for s in statements]


def _total_source(op: Op) -> list[str]:
    xs = _inputs(op)
    statements, (text,) = _printer().block([op.forward(xs, SYMBOLS)])
    args = ", ".join(f"x{i}" for i in range(len(xs)))
    return [
        f"def op_{op.name}({args}):",
        *_body(statements, "    "),
        f"    return {text}",
    ]


def _checked_source(op: Op) -> list[str]:
    xs = _inputs(op)
    out = variable("out")
    printer = _printer()
    args = ", ".join(f"x{i}" for i in range(len(xs)))
    lines = [f"def forward_{op.name}({args}):"]
    after = []
    for k, domain in enumerate(op.domain):
        condition = domain.fails(xs, out, SYMBOLS)
        statements, (text,) = printer.block([condition])
        check = [
            *_body(statements, "    "),
            f"    if {text}:",
            f"        raise _E{op.name}{k}(_M{op.name}{k}.format({args}))",
        ]
        if "out" in condition.variables():
            after.extend(check)
        elif after:
            raise TypeError(
                f"{op.name}: a domain condition that reads out must come after "
                "those that do not (they are checked in order)"
            )
        else:
            lines.extend(check)
    statements, (text,) = printer.block([op.forward(xs, SYMBOLS)])
    lines += _body(statements, "    ")
    if after:
        lines += [f"    out = {text}", *after, "    return out"]
    else:
        lines.append(f"    return {text}")
    return lines


def _partials_source(op: Op) -> list[str]:
    xs = _inputs(op)
    statements, texts = _printer().block(
        list(op.partials(xs, variable("out"), SYMBOLS))
    )
    args = ", ".join([*(f"x{i}" for i in range(len(xs))), "out"])
    return [
        f"def partials_{op.name}({args}):",
        *_body(statements, "    "),
        f"    return ({', '.join(texts)},)",
    ]


def simple_term(shape: Any) -> str | None:
    """``"elements"`` if an n-ary op's term is its one element (``sum``),
    ``"product"`` if it is ``e0 * e1`` (``dot``, ``linear``), else None: the two
    terms a C function computes (``sum`` itself, ``operator.mul`` in ``map``)."""
    elements = [variable(f"e{j}") for j in range(shape.groups)]
    term = shape.term(elements, SYMBOLS)
    if term is elements[0] and shape.groups == 1:
        return "elements"
    if (
        term.kind == "mul"
        and shape.groups == 2
        and term.args[0] is elements[0]
        and term.args[1] is elements[1]
    ):
        return "product"
    return None


def _term(shape: Any) -> str:
    """The function ``map`` applies to the elements: a C function where one fits."""
    kind = simple_term(shape)
    if kind is not None:
        return "" if kind == "elements" else "_mul"
    elements = [variable(f"e{j}") for j in range(shape.groups)]
    statements, (text,) = _printer().block([shape.term(elements, SYMBOLS)])
    if statements:
        raise TypeError(f"a term with shared subexpressions: {text}")
    return f"lambda {', '.join(f'e{j}' for j in range(shape.groups))}: {text}"


def _reduce_source(op: Op) -> list[str]:
    shape = op.nary
    assert shape is not None
    groups = [f"g{j}" for j in range(shape.groups)]
    tail = [variable(f"t{k}") for k in range(shape.tail)]
    statements, (start,) = _printer().block([shape.start(tail, SYMBOLS)])
    term = _term(shape)
    terms = groups[0] if not term else f"map({term}, {', '.join(groups)})"
    args = ", ".join([*groups, *(f"t{k}" for k in range(shape.tail))])
    return [
        f"def reduce_{op.name}({args}):",
        *_body(statements, "    "),
        f"    return _sum({terms}, {start})",
        "",
        f"def forward_{op.name}(xs):",
        f"    n = (len(xs) - {shape.tail}) // {shape.groups}",
        "    return reduce_{}({})".format(
            op.name,
            ", ".join(
                [
                    *(f"xs[{j}*n:{j + 1}*n]" for j in range(shape.groups)),
                    *(f"xs[{shape.groups}*n+{k}]" for k in range(shape.tail)),
                ]
            ),
        ),
    ]


def _contribution(target: str, partial: Expr, text: str) -> str:
    """``target.grad += upstream * partial``, without the multiply where it is 1."""
    if partial.is_constant(1.0):
        return f"{target}.grad += g"
    if partial.is_constant(-1.0):
        return f"{target}.grad -= g"  # x - g is x + (g * -1.0), bit for bit
    return f"{target}.grad += g * {text}"


def _backward_fixed(op: Op, indent: str) -> list[str]:
    xs = _inputs(op)
    partials = [lift(p) for p in op.partials(xs, variable("out"), SYMBOLS)]
    used = set().union(*(p.variables() for p in partials))
    names = {f"x{i}": f"d{i}" for i in range(len(xs))}
    names["out"] = "node.data"
    statements, texts = _printer().block(partials, names)
    targets = ", ".join(f"x{i}" for i in range(len(xs)))
    lines = [f"{targets}, = inputs"]
    lines += [f"d{i} = x{i}.data" for i in range(len(xs)) if f"x{i}" in used]
    lines += statements
    lines += [
        _contribution(f"x{i}", p, t) for i, (p, t) in enumerate(zip(partials, texts))
    ]
    return _body(lines, indent)


def _backward_nary(op: Op, indent: str) -> list[str]:
    shape = op.nary
    assert shape is not None
    elements = [variable(f"e{j}") for j in range(shape.groups)]
    partials = [lift(p) for p in shape.term_partials(elements, SYMBOLS)]
    lines = []
    # The groups: inputs[j*n:(j+1)*n]; zip stops at the shortest, so the first group
    # of several needs no slice of its own.
    if shape.groups == 1 and shape.tail == 0:
        lines.append("G0 = inputs")
    else:
        lines.append(f"n = (len(inputs) - {shape.tail}) // {shape.groups}")
        for j in range(shape.groups):
            if j == 0 and shape.groups > 1:
                lines.append("G0 = inputs")
            elif j == shape.groups - 1 and shape.tail == 0:
                lines.append(f"G{j} = inputs[{j}*n:]" if j else "G0 = inputs[:n]")
            else:
                lines.append(f"G{j} = inputs[{j}*n:{j + 1}*n]")
    for j, partial in enumerate(partials):
        read = sorted(int(v[1:]) for v in partial.variables())
        loop = sorted({j, *read})
        names = {f"e{i}": f"a{i}.data" for i in loop}
        statements, (text,) = _printer().block([partial], names)
        targets = ", ".join(f"a{i}" for i in loop)
        sources = ", ".join(f"G{i}" for i in loop)
        header = (
            f"for {targets} in G{j}:"
            if len(loop) == 1
            else f"for {targets} in zip({sources}):"
        )
        lines.append(header)
        lines += _body([*statements, _contribution(f"a{j}", partial, text)], "    ")
    tail_vars = [variable(f"t{k}") for k in range(shape.tail)]
    tail_partials = [lift(p) for p in shape.start_partials(tail_vars, SYMBOLS)]
    names = {f"t{k}": f"inputs[{k - shape.tail}].data" for k in range(shape.tail)}
    statements, texts = _printer().block(tail_partials, names)
    lines += statements
    for k, (p, t) in enumerate(zip(tail_partials, texts)):
        lines.append(_contribution(f"inputs[{k - shape.tail}]", p, t))
    return _body(lines, indent)


def _dispatch(kinds: list[tuple[int, Op]], indent: str) -> list[str]:
    """A balanced tree of ``if k < ...``: every op costs log2(ops) comparisons."""
    if len(kinds) == 1:
        _, op = kinds[0]
        body = _backward_nary if op.nary else _backward_fixed
        return [f"{indent}# {op.name}", *body(op, indent)]
    middle = len(kinds) // 2
    return [
        f"{indent}if k < {kinds[middle][0]}:",
        *_dispatch(kinds[:middle], indent + "    "),
        f"{indent}else:",
        *_dispatch(kinds[middle:], indent + "    "),
    ]


def _backward_source() -> list[str]:
    kinds = list(enumerate(OPS.values()))
    return [
        "def backward_pass(order):",
        '    """The chain rule from the root (last in order) back: for each node,',
        "    input.grad += node.grad * d(node)/d(input), the partials inline.",
        '    Leaves are the caller\'s business (see backward.py)."""',
        "    kind_of = _KIND",
        "    for node in reversed(order):",
        f"        inputs = node.{_INPUTS}",
        "        g = node.grad",
        f"        k = kind_of[node.{_OP}]",
        *_dispatch(kinds, "        "),
    ]


def _generate() -> tuple[str, dict[str, Any]]:
    namespace: dict[str, Any] = {
        "_NAN": math.nan,
        "_INF": math.inf,
        "_mul": operator.mul,
        "_sum": sum,  # the table's m.sum: Python's own sum() of floats
        "_KIND": {name: k for k, name in enumerate(OPS)},
    }
    for name in PRIMITIVES:
        namespace[f"_m_{name}"] = getattr(FLOAT_MATH, name)
    lines = [
        '"""Generated by autograd.kernels from the table in autograd.ops."""',
        "",
    ]
    for op in OPS.values():
        for k, domain in enumerate(op.domain):
            namespace[f"_E{op.name}{k}"] = domain.error
            namespace[f"_M{op.name}{k}"] = domain.message
        if op.nary:
            lines += [*_reduce_source(op), ""]
            continue
        if op.name not in PRIMITIVES:
            lines += [*_total_source(op), ""]
        lines += [*_checked_source(op), "", *_partials_source(op), ""]
    lines += _backward_source()
    source = "\n".join(lines) + "\n"
    for op in OPS.values():  # formulas call ops by name: _op_exp, _op_sigmoid
        if not op.nary and op.name not in PRIMITIVES:
            namespace[f"_op_{op.name}"] = None  # bound below, once defined
    exec(compile(source, "<autograd.kernels>", "exec"), namespace)
    for op in OPS.values():
        if not op.nary and op.name not in PRIMITIVES:
            namespace[f"_op_{op.name}"] = namespace[f"op_{op.name}"]
    return source, namespace


SOURCE, _NAMESPACE = _generate()

TOTAL: dict[str, Callable[..., float]] = {
    op.name: (
        getattr(FLOAT_MATH, op.name)
        if op.name in PRIMITIVES
        else _NAMESPACE[f"op_{op.name}"]
    )
    for op in OPS.values()
    if not op.nary
}
"""Each fixed-arity op's total forward on floats (never raises)."""

FORWARD: dict[str, Callable[..., float]] = {
    name: _NAMESPACE[f"forward_{name}"] for name in OPS
}
"""Each op's checked forward: ``FORWARD["log"](x)``, ``FORWARD["sum"](xs)``."""

PARTIALS: dict[str, Callable[..., tuple[float, ...]]] = {
    name: _NAMESPACE[f"partials_{name}"] for name, op in OPS.items() if not op.nary
}
"""Each fixed-arity op's float partials: ``PARTIALS["mul"](x, y, out)``."""

REDUCE: dict[str, Callable[..., float]] = {
    name: _NAMESPACE[f"reduce_{name}"] for name, op in OPS.items() if op.nary
}
"""Each n-ary op's forward with its groups apart: ``REDUCE["linear"](w, x, b)``."""

backward_pass: Callable[[Sequence[Any]], None] = _NAMESPACE["backward_pass"]
