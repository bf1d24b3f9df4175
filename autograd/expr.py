"""The table's formulas read as code: symbolic tracing, then Python or C source.

Every formula in ``ops.py`` is a function of its inputs and a library ``m``. Called
with ``Expr`` symbols and ``SYMBOLS`` as ``m``, it returns an expression tree instead
of a number; ``Python`` and ``C`` print such trees as source code. This is how the
eager engine's float kernels and the tape's Python and C are generated from the one
table: no op's formula is written twice.

A tree may share nodes (a formula that names a subexpression and uses it twice); the
printers compute a shared node once, in a temporary.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

__all__ = ["SYMBOLS", "C", "Expr", "Printer", "Python", "constant", "lift", "variable"]

_ARITHMETIC = {"add": "+", "sub": "-", "mul": "*"}
_COMPARISONS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}


class Expr:
    """A symbolic number (or truth value) built by running a formula on symbols.

    ``kind`` is ``"const"``, ``"var"``, an arithmetic op (``"add"``, ``"sub"``,
    ``"mul"``, ``"neg"``), a comparison (``"gt"``, ...), ``"and"``, ``"or"``, or
    ``"call"`` (``args[0]`` names an ``m`` function). Division, powers and ``if`` on
    a symbol raise ``TypeError``: a formula must use ``m.div``, ``m.pow`` and
    ``m.select``, which every reading of the table understands.
    """

    __slots__ = ("args", "kind")
    __hash__ = object.__hash__  # identity: __eq__ builds an expression

    def __init__(self, kind: str, *args: Any) -> None:
        self.kind = kind
        self.args = args

    def __repr__(self) -> str:
        return f"Expr({Python().expression(self)})"

    # -- arithmetic ----------------------------------------------------------------

    def __add__(self, other: Any) -> Expr:
        return Expr("add", self, lift(other))

    def __radd__(self, other: Any) -> Expr:
        return Expr("add", lift(other), self)

    def __sub__(self, other: Any) -> Expr:
        return Expr("sub", self, lift(other))

    def __rsub__(self, other: Any) -> Expr:
        return Expr("sub", lift(other), self)

    def __mul__(self, other: Any) -> Expr:
        return Expr("mul", self, lift(other))

    def __rmul__(self, other: Any) -> Expr:
        return Expr("mul", lift(other), self)

    def __neg__(self) -> Expr:
        return Expr("neg", self)

    def _refuse(self, *_: Any) -> Any:
        raise TypeError(
            "a formula in ops.py may use +, -, * and m.* functions only: divide "
            "with m.div, raise to a power with m.pow, branch with m.select"
        )

    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __bool__ = _refuse
    __floordiv__ = __mod__ = __abs__ = _refuse

    # -- conditions (domains) ------------------------------------------------------

    def __gt__(self, other: Any) -> Expr:
        return Expr("gt", self, lift(other))

    def __ge__(self, other: Any) -> Expr:
        return Expr("ge", self, lift(other))

    def __lt__(self, other: Any) -> Expr:
        return Expr("lt", self, lift(other))

    def __le__(self, other: Any) -> Expr:
        return Expr("le", self, lift(other))

    def __eq__(self, other: Any) -> Expr:  # type: ignore[override]
        return Expr("eq", self, lift(other))

    def __ne__(self, other: Any) -> Expr:  # type: ignore[override]
        return Expr("ne", self, lift(other))

    def __and__(self, other: Any) -> Expr:
        return Expr("and", self, lift(other))

    def __or__(self, other: Any) -> Expr:
        return Expr("or", self, lift(other))

    # -- structure -----------------------------------------------------------------

    def walk(self) -> Iterator[Expr]:
        """Every node of the tree, each shared node once, inputs before users."""
        seen: set[int] = set()
        stack: list[tuple[Expr, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                yield node
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(node.operands()))

    def operands(self) -> tuple[Expr, ...]:
        """The sub-expressions this node reads."""
        if self.kind in ("const", "var"):
            return ()
        if self.kind == "call":
            return self.args[1:]
        return self.args

    def variables(self) -> set[str]:
        """The names of the variables the expression reads."""
        return {n.args[0] for n in self.walk() if n.kind == "var"}

    def is_constant(self, value: float) -> bool:
        """Whether this is the constant ``value`` (bit for bit: -0.0 is not 0.0)."""
        if self.kind != "const":
            return False
        c = self.args[0]
        return c == value and math.copysign(1.0, c) == math.copysign(1.0, value)


def constant(value: float) -> Expr:
    """The constant ``value`` as an expression."""
    return Expr("const", float(value))


def variable(name: str) -> Expr:
    """A named input of a formula."""
    return Expr("var", name)


def lift(x: Any) -> Expr:
    """``x`` as an expression: a number becomes a constant."""
    if isinstance(x, Expr):
        return x
    if isinstance(x, (int, float)):
        return constant(x)
    raise TypeError(f"a formula combined a symbol with {type(x).__name__}: {x!r}")


class _Symbols:
    """The library ``m`` of the symbolic reading: each call is recorded, not run."""

    def __getattr__(self, name: str) -> Callable[..., Expr]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any) -> Expr:
            if name == "sum":
                raise TypeError("m.sum is read by the n-ary code generators")
            return Expr("call", name, *[lift(a) for a in args])

        return call


SYMBOLS: Any = _Symbols()
"""The symbolic library: ``rule(xs, out, SYMBOLS)`` gives the rule as ``Expr`` trees."""


# ---------------------------------------------------------------------------------
# Printers


class Printer:
    """Prints expressions as source code, hoisting shared nodes into temporaries.

    ``block(exprs, names)`` returns ``(statements, texts)``: the temporaries'
    assignments, then one source expression per input expression. ``names`` maps
    variable names to the source text that reads them.
    """

    temporary = "t"

    def __init__(self) -> None:
        self.counter = 0

    def block(
        self, exprs: Sequence[Expr], names: dict[str, str] | None = None
    ) -> tuple[list[str], list[str]]:
        """Statements computing shared sub-expressions, and each expression's text."""
        exprs = [lift(e) for e in exprs]
        names = dict(names or {})
        uses: dict[int, int] = {}
        for expr in exprs:
            for node in expr.walk():
                for operand in node.operands():
                    uses[id(operand)] = uses.get(id(operand), 0) + 1
                # select's condition and div's divisor are read twice in the code
                if node.kind == "call" and node.args[0] in ("select", "div"):
                    read_twice = (
                        node.args[1] if node.args[0] == "select" else node.args[2]
                    )
                    uses[id(read_twice)] = uses.get(id(read_twice), 0) + 2
        statements: list[str] = []
        texts: dict[int, str] = {}
        for expr in exprs:
            for node in expr.walk():
                if id(node) in texts:
                    continue
                text = self.node(node, [texts[id(a)] for a in node.operands()], names)
                simple = node.kind in ("const", "var")
                if uses.get(id(node), 0) > 1 and not simple:
                    self.counter += 1
                    temp = f"{self.temporary}{self.counter}"
                    statements.append(self.assign(temp, text))
                    text = temp
                texts[id(node)] = text
        return statements, [texts[id(e)] for e in exprs]

    def expression(self, expr: Expr, names: dict[str, str] | None = None) -> str:
        """One expression as source (shared nodes printed again, for display)."""
        names = names or {}
        texts: dict[int, str] = {}
        for node in expr.walk():
            texts[id(node)] = self.node(
                node, [texts[id(a)] for a in node.operands()], names
            )
        return texts[id(expr)]

    def node(self, node: Expr, args: list[str], names: dict[str, str]) -> str:
        """The source of one node, given its operands' source."""
        kind = node.kind
        if kind == "const":
            return self.number(node.args[0])
        if kind == "var":
            return names.get(node.args[0], node.args[0])
        if kind in _ARITHMETIC:
            return f"({args[0]} {_ARITHMETIC[kind]} {args[1]})"
        if kind == "neg":
            return f"(-{args[0]})"
        if kind in _COMPARISONS:
            return f"({args[0]} {_COMPARISONS[kind]} {args[1]})"
        if kind in ("and", "or"):
            return self.logic(kind, args)
        return self.call(node.args[0], args)

    def assign(self, name: str, text: str) -> str:
        """An assignment statement."""
        raise NotImplementedError

    def number(self, value: float) -> str:
        """A float literal."""
        raise NotImplementedError

    def logic(self, kind: str, args: list[str]) -> str:
        """``and``/``or`` of two conditions."""
        raise NotImplementedError

    def call(self, function: str, args: list[str]) -> str:
        """A call of an ``m`` function."""
        raise NotImplementedError


class Python(Printer):
    """Python source; calls of ``m`` functions become names bound by the caller.

    ``m.div(a, b)`` prints as ``(a / b if b else _div(a, b))`` and ``m.select(c, a,
    b)`` as a conditional expression: only the branch taken is evaluated, with the
    same result as evaluating both (every formula is total). Other calls print as
    ``_m_<name>(...)`` for a primitive of ``ops.FLOAT_MATH``, ``_op_<name>(...)``
    for any other op of the table: names the code's namespace must bind.
    """

    temporary = "_t"

    def __init__(self, primitives: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.primitives = primitives

    def assign(self, name: str, text: str) -> str:
        """``name = text``."""
        return f"{name} = {text}"

    def number(self, value: float) -> str:
        """``repr`` of the float; infinities and NaN by name."""
        if math.isnan(value):
            return "_NAN"
        if math.isinf(value):
            return "_INF" if value > 0 else "(-_INF)"
        return (
            f"({value!r})" if value < 0 or repr(value).startswith("-") else repr(value)
        )

    def logic(self, kind: str, args: list[str]) -> str:
        """Python's ``and``/``or``."""
        return f"({args[0]} {kind} {args[1]})"

    def call(self, function: str, args: list[str]) -> str:
        """The Python of an ``m`` call."""
        if function == "select":
            c, a, b = args
            return f"({a} if {c} > 0.0 else {b} if {c} <= 0.0 else _NAN)"
        if function == "div":
            a, b = args
            return f"({a} / {b} if {b} else _m_div({a}, {b}))"
        prefix = "_m_" if function in self.primitives else "_op_"
        return f"{prefix}{function}({', '.join(args)})"


class C(Printer):
    """C99 source: libm for the primitives, ``op_<name>()`` for the table's ops."""

    temporary = "t"

    _LIBM: ClassVar[dict[str, str]] = {
        "exp": "exp",
        "log": "log",
        "log1p": "log1p",
        "sqrt": "sqrt",
        "tanh": "tanh",
        "sin": "sin",
        "cos": "cos",
        "abs": "fabs",
        "pow": "pow",
    }

    def assign(self, name: str, text: str) -> str:
        """``double name = text;``."""
        return f"double {name} = {text};"

    def number(self, value: float) -> str:
        """A C double literal that reads back as the same float."""
        if math.isnan(value):
            return "NAN"
        if math.isinf(value):
            return "INFINITY" if value > 0 else "(-INFINITY)"
        text = repr(value)
        return f"({text})" if text.startswith("-") else text

    def logic(self, kind: str, args: list[str]) -> str:
        """C's ``&&``/``||``."""
        return f"({args[0]} {'&&' if kind == 'and' else '||'} {args[1]})"

    def call(self, function: str, args: list[str]) -> str:
        """The C of an ``m`` call."""
        if function == "select":
            c, a, b = args
            return f"({c} > 0.0 ? {a} : ({c} <= 0.0 ? {b} : NAN))"
        if function == "div":
            return f"({args[0]} / {args[1]})"
        if function in ("isinf", "isnan", "isfinite"):
            return f"{function}({args[0]})"
        if function == "is_fraction":
            y = args[0]
            return f"(isfinite({y}) && floor({y}) != {y})"
        if function in self._LIBM:
            return f"{self._LIBM[function]}({', '.join(args)})"
        return f"op_{function}({', '.join(args)})"  # another op of the table
