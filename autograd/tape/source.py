"""A recording printed as a Python program: the forward pass, then the chain rule.

One line per node for the forward pass, in topological order; then one line per
chain-rule contribution, ``g_w1 += g_h * x1``, from the root back, in the order the
eager engine adds them, so the program's results are the engine's bits. The partials
are the table's own formulas (``m`` is the float library of ``autograd.ops``).
``Tape.source()`` returns this text, and the Python backend compiles and runs it.

Each op's partials are traced and printed once, as a template with a hole for each
input; a node's lines are its op's templates filled in, so printing costs a string
format per line.
"""

from __future__ import annotations

import builtins
import math
import operator
import types
from dataclasses import dataclass
from typing import Any

from autograd.expr import SYMBOLS, Expr, Python, variable
from autograd.kernels import FORWARD, REDUCE, TOTAL, simple_term
from autograd.ops import COMPENSATED_SUM, FLOAT_MATH, OPS, PRIMITIVES, Op
from autograd.tape.codegen import backward_piece, contribution, nary_pieces, start_text
from autograd.tape.record import VARIANTS, Recording, finite_repr, identifier

__all__ = ["Program", "namespace", "program"]

_OPERATORS = {"add": "+", "sub": "-", "mul": "*"}
_RESERVED = {"m", "nan", "inf", *OPS, *dir(builtins)}


class _Readable(Python):
    """Python for people: ``m.exp(x)``, ``m.div(a, b)``, ``nan``; select inline."""

    temporary = "t{T}_"

    def number(self, value: float) -> str:
        """Floats as written, ``nan`` and ``inf`` by name."""
        text = finite_repr(value)
        return f"({text})" if text.startswith("-") else text

    def assign(self, name: str, text: str) -> str:
        """``name = text``, without parentheses around all of ``text``."""
        return f"{name} = {_bare(text)}"

    def call(self, function: str, args: list[str]) -> str:
        """``m.<function>(...)``; ``m.select`` as a conditional expression."""
        if function == "select":
            c, a, b = args
            return f"({a} if {c} > 0.0 else {b} if {c} <= 0.0 else nan)"
        return f"m.{function}({', '.join(_bare(a) for a in args)})"


def _bare(text: str) -> str:
    """``text`` without parentheses that enclose all of it (for a call's argument)."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1]
    return text


@dataclass
class _Template:
    """Statements and one partial per input, with holes ``{x0}``, ``{out}``, ``{T}``."""

    statements: list[str]
    partials: list[Expr]
    texts: list[str]


def _templates() -> tuple[dict[int, _Template], dict[str, Any]]:
    fixed: dict[int, _Template] = {}
    nary: dict[str, Any] = {}
    for k, (op, _total) in enumerate(VARIANTS):
        if op.nary:
            shape = op.nary
            _, groups, tails = nary_pieces(
                shape, _Readable(), lambda j: f"{{e{j}}}", lambda t: f"{{t{t}}}"
            )
            nary[op.name] = (groups, tails)
            continue
        names = {f"x{i}": f"{{x{i}}}" for i in range(op.arity or 0)}
        names["out"] = "{out}"
        piece = backward_piece(op, _Readable(), names)
        fixed[k] = _Template(piece.statements, piece.partials, piece.texts)
    return fixed, nary


_FIXED, _NARY = _templates()


def namespace() -> dict[str, Any]:
    """The names a printed program reads: the checked ops, ``m``, ``nan``, ``inf``."""
    library = types.SimpleNamespace(
        **{name: getattr(FLOAT_MATH, name) for name in PRIMITIVES},
        **{name: fn for name, fn in TOTAL.items() if name not in PRIMITIVES},
    )
    names: dict[str, Any] = {
        "m": library,
        "nan": math.nan,
        "inf": math.inf,
        "_sum": builtins.sum,
        "_mul": operator.mul,
    }
    for name, op in OPS.items():
        names[name] = REDUCE[name] if op.nary else FORWARD[name]
    return names


@dataclass
class Program:
    """A printed recording: the source, its line counts, the function's name."""

    text: str
    forward_lines: int
    backward_lines: int
    name: str
    forward_text: str  # the forward pass alone, as the function ``<name>_forward``


def _names(rec: Recording) -> dict[int, str]:
    taken = set(_RESERVED)
    names: dict[int, str] = {}

    def choose(slot: int, fallback: str) -> None:
        label = rec.labels.get(slot)
        chosen = (identifier(label, taken) if label else None) or fallback
        while chosen in taken:
            chosen += "_"
        taken.add(chosen)
        names[slot] = chosen

    for position, slot in enumerate(rec.topological, start=1):
        choose(slot, f"v{position}")
    for slot in range(rec.n_inputs):  # inputs the root does not depend on
        if slot not in names:
            choose(slot, f"unused{slot}")
    return names


def _forward_templates() -> dict[int, tuple[list[str], str]]:
    """Each fixed-arity kind's total forward, inline, with holes ``{x0}``, ``{T}``."""
    templates = {}
    for k, (op, _total) in enumerate(VARIANTS):
        if op.nary:
            continue
        names = {f"x{i}": f"{{x{i}}}" for i in range(op.arity or 0)}
        xs = [variable(f"x{i}") for i in range(op.arity or 0)]
        statements, (text,) = _Readable().block([op.forward(xs, SYMBOLS)], names)
        templates[k] = (statements, text)
    return templates


_INLINE = _forward_templates()


def _nary_inline(
    op: Op, parts: list[str], groups: list[list[str]], tail: list[str]
) -> str:
    """An n-ary forward as builtin sum() over C-level map where the term allows."""
    shape = op.nary
    assert shape is not None
    start_statements, start = start_text(shape, _Readable(), lambda t: tail[t])
    if start_statements:
        return ""
    kind = simple_term(shape)
    if kind == "elements":
        return f"_sum({parts[0]}, {start})"
    if kind == "product":
        if not COMPENSATED_SUM and len(groups[0]) <= 64:
            # sum() adds one by one up to Python 3.11: the same additions, inline
            return " + ".join([start, *(f"{w} * {x}" for w, x in zip(*groups))])
        return f"_sum(map(_mul, {parts[0]}, {parts[1]}), {start})"
    return ""


@dataclass
class _Event:
    """One instruction's share of the backward pass: temporaries, contributions."""

    out: int
    statements: list[str]
    contributions: list[tuple[int, Expr, str]]  # (input slot, partial, its text)


def program(
    recording: Recording, name: str = "replay", *, fast: bool = False
) -> Program:
    """Print ``recording`` as the Python function ``name``.

    ``fast`` prints the same arithmetic for speed rather than for reading: ops
    inline instead of called, and each gradient as one sum over its node's uses,
    ``g_x = 0.0 + g_a * w1 + g_b * w2`` (the very additions, in the very order, of
    ``g_x += g_a * w1`` then ``g_x += g_b * w2``). The Python backend runs that one.
    """
    rec = recording
    names = _names(rec)
    constants = set(rec.constants)
    labelled = [
        s for s in rec.constants if s in rec.labels and names[s] == rec.labels[s]
    ]

    def read(slot: int) -> str:
        if slot in constants and slot not in labelled:
            return finite_repr(rec.values[slot])
        return names[slot]

    forward = [f"{names[s]} = {finite_repr(rec.values[s])}" for s in labelled]
    instructions = list(rec.instructions())
    for position, (kind, out, slots) in enumerate(instructions):
        op, total = VARIANTS[kind]
        args = [read(s) for s in slots]
        line = ""
        if op.nary:
            shape = op.nary
            m = (len(args) - shape.tail) // shape.groups
            parts = []
            grouped = []
            for j in range(shape.groups):
                group = args[j * m : (j + 1) * m]
                grouped.append(group)
                parts.append(f"({', '.join(group)}{',' if len(group) == 1 else ''})")
            tail = args[shape.groups * m :]
            if fast:
                line = _nary_inline(op, parts, grouped, tail)
            line = line or f"{op.name}({', '.join(parts + tail)})"
        elif fast and (total or not op.domain):
            statements, text = _INLINE[kind]
            holes = {f"x{i}": a for i, a in enumerate(args)}
            holes["T"] = f"f{position}"
            forward += [s.format(**holes) for s in statements]
            line = text.format(**holes)
        elif op.name in _OPERATORS and len(args) == 2:
            line = f"{args[0]} {_OPERATORS[op.name]} {args[1]}"
        elif op.name == "neg":
            line = f"-{args[0]}"
        else:
            prefix = "m." if total and op.domain else ""  # a derivative's node
            line = f"{prefix}{op.name}({', '.join(args)})"
        forward.append(f"{names[out]} = {line}")
    events = _events(rec, instructions, read, names, constants)
    grads = {slot: f"g_{names[slot]}" for slot in names}
    if fast:
        backward = _pull(rec, events, grads, constants)
    else:
        backward = []
        for event in events:
            g = grads[event.out]
            backward += event.statements
            for target, partial, text in event.contributions:
                backward.append(contribution(grads[target], partial, text, g))
    contributions = sum(len(e.contributions) for e in events)
    params = ", ".join(names[s] for s in range(rec.n_inputs))
    root = read(rec.root)
    zeros = [grads[s] for s in names if s not in constants and s != rec.root]
    body = [
        f"def {name}({params}):",
        *_docstring(len(instructions), contributions),
        "    # forward pass",
        *("    " + line for line in forward),
        "    # backward pass, from the root back",
        f"    {grads[rec.root]} = 1.0",
    ]
    if not fast:
        body += [
            "    " + " = ".join(zeros[i : i + 6]) + " = 0.0"
            for i in range(0, len(zeros), 6)
        ]
    body += ["    " + line for line in backward]
    body.append(
        "    return {}, [{}]".format(
            root, ", ".join(grads[s] for s in range(rec.n_inputs))
        )
    )
    text = (
        f"# recorded by autograd.Tape: {len(instructions)} forward lines, "
        f"{contributions} backward lines\n" + "\n".join(body) + "\n"
    )
    forward_text = "\n".join(
        [
            f"def {name}_forward({params}):",
            *("    " + line for line in forward),
            f"    return {root}",
        ]
    )
    return Program(text, len(instructions), contributions, name, forward_text + "\n")


def _docstring(forward: int, backward: int) -> list[str]:
    words = (
        f"The recorded graph: {forward} forward lines, one per node, and {backward} "
        "backward lines, one per chain-rule contribution (g_v is d(root)/d(v)). "
        "Returns the root and its gradient, one entry per argument."
    ).split()
    lines, line = [], '    """'
    for word in words:
        if len(line) + len(word) > 84:
            lines.append(line.rstrip())
            line = "    "
        line += word + " "
    return [*lines, line.rstrip() + '"""']


def _events(
    rec: Recording,
    instructions: list[Any],
    read: Any,
    names: dict[int, str],
    constants: set[int],
) -> list[_Event]:
    """The backward pass, instruction by instruction from the root back."""
    events = []
    for position, (kind, out, slots) in enumerate(reversed(instructions)):
        op, _total = VARIANTS[kind]
        event = _Event(out, [], [])
        events.append(event)
        if op.nary:
            shape = op.nary
            groups, tails = _NARY[op.name]
            m = (len(slots) - shape.tail) // shape.groups
            tail = {
                f"t{t}": read(slots[shape.groups * m + t]) for t in range(shape.tail)
            }
            for j, (statements, text, partial, _) in enumerate(groups):
                for i in range(m):
                    target = slots[j * m + i]
                    if target in constants:
                        continue
                    holes = {
                        f"e{jj}": read(slots[jj * m + i]) for jj in range(shape.groups)
                    }
                    holes.update(tail, T=f"{position}_{j}_{i}")
                    event.statements += [s.format(**holes) for s in statements]
                    event.contributions.append((target, partial, text.format(**holes)))
            for t, (statements, text, partial) in enumerate(tails):
                target = slots[shape.groups * m + t]
                if target in constants:
                    continue
                holes = dict(tail, T=f"{position}_t{t}")
                event.statements += [s.format(**holes) for s in statements]
                event.contributions.append((target, partial, text.format(**holes)))
            continue
        template = _FIXED[kind]
        holes = {f"x{i}": read(s) for i, s in enumerate(slots)}
        holes.update(out=names[out], T=str(position))
        targets = [
            (s, p, t)
            for s, p, t in zip(slots, template.partials, template.texts)
            if s not in constants
        ]
        if targets:
            event.statements += [s.format(**holes) for s in template.statements]
        for s, partial, text in targets:
            event.contributions.append((s, partial, text.format(**holes)))
    return events


def _pull(
    rec: Recording,
    events: list[_Event],
    grads: dict[int, str],
    constants: set[int],
) -> list[str]:
    """Each gradient as one sum of its node's uses, in the order they are made."""
    uses: dict[int, list[tuple[str, Expr, str]]] = {}
    lines: list[str] = []

    def pull(slot: int) -> str:
        terms = uses.pop(slot, [])
        text = "0.0"
        for g, partial, t in terms:  # as contribution() writes them, in one sum
            if partial.is_constant(1.0):
                text += f" + {g}"
            elif partial.is_constant(-1.0):
                text += f" - {g}"
            else:
                text += f" + {g} * {t}"
        return f"{grads[slot]} = {text}"

    for event in events:
        if event.out != rec.root:
            lines.append(pull(event.out))
        lines += event.statements
        for target, partial, text in event.contributions:
            uses.setdefault(target, []).append((grads[event.out], partial, text))
    for slot in range(rec.n_inputs):
        if slot != rec.root:
            lines.append(pull(slot))
    return lines
