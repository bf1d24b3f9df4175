"""``Value``: a scalar that records the graph of the computation that made it."""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Iterable
from typing import Any, Union

from autograd.kernels import FORWARD, REDUCE, TOTAL
from autograd.modes import state
from autograd.ops import OPS

__all__ = [
    "VALUE_MATH",
    "TotalOp",
    "Value",
    "dot",
    "linear",
    "linear_layer",
    "linear_layer_batch",
    "select",
    "sum",
]

Number = Union[int, float]  # noqa: UP007 - kept beside Operand, which needs Union
Operand = Union["Value", int, float]  # "Value" | int would fail at runtime

_new = object.__new__
_INF = float("inf")

# The checked forwards, generated from the table (autograd.kernels).
_FORWARD = FORWARD
_DIV = FORWARD["div"]
_POW = FORWARD["pow"]
_POW_CONST = FORWARD["pow_const"]
_RELU = FORWARD["relu"]
_SUM = REDUCE["sum"]
_DOT = REDUCE["dot"]
_LINEAR = REDUCE["linear"]
_SEQUENCES = (list, tuple)


class TotalOp(str):
    """The op name of a node made by a differentiable backward pass.

    Such a node computes its op's total forward (``inf``/NaN outside the domain, as
    the float pass does, never an error): the tape replays it so. It compares, hashes
    and prints as the op's name.
    """

    __slots__ = ()


class Value:
    """A scalar node: its number, its gradient, and the op and inputs that made it.

    ``data`` is the number (a float). ``grad`` is d(root)/d(this node) after
    ``root.backward()``, 0.0 before. ``inputs`` is the tuple of Values the op read, in
    operand order (``x * x`` has inputs ``(x, x)``); ``()`` for a leaf. ``op`` is the
    op's name in ``autograd.ops.OPS``, ``""`` for a leaf. ``label`` is a name for
    display only.

    ``inputs`` and ``op`` are read-only: a node's inputs exist before it, so every
    graph is acyclic, and its op is an entry of the table. ``bool(v)`` is
    ``bool(v.data)``, as for a 0-d tensor in PyTorch.
    """

    __slots__ = ("__weakref__", "_inputs", "_label", "_op", "data", "grad")
    __array_ufunc__ = None  # numpy defers to our operators (and so refuses arrays)

    data: float
    grad: Any  # a float, or a Value after backward(create_graph=True)
    _inputs: tuple[Value, ...]
    _op: str
    _label: str

    def __init__(self, data: numbers.Real | float, label: str = "") -> None:
        self.data = _as_float(data)
        self.grad = 0.0
        self._inputs = ()
        self._op = ""
        if type(label) is not str:
            _check_label(label)
        self._label = label

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The Values the op read, in operand order; ``()`` for a leaf."""
        return self._inputs

    @inputs.setter
    def inputs(self, value: Any) -> None:
        _read_only("inputs")

    @inputs.deleter
    def inputs(self) -> None:
        _read_only("inputs")

    @property
    def op(self) -> str:
        """The op's name in ``autograd.ops.OPS``; ``""`` for a leaf."""
        return self._op

    @op.setter
    def op(self, value: Any) -> None:
        _read_only("op")

    @op.deleter
    def op(self) -> None:
        _read_only("op")

    @property
    def label(self) -> str:
        """A name for display only (pictures, tables, the tape's source)."""
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        if type(value) is not str:
            _check_label(value)
        self._label = value

    @label.deleter
    def label(self) -> None:
        self._label = ""

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        parts = [repr(self.data), f"grad={self.grad!r}"]
        if self._op:
            parts.append(f"op={str(self._op)!r}")
        if self._label:
            parts.append(f"label={self._label!r}")
        return f"Value({', '.join(parts)})"

    # -- arithmetic --------------------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other, "+", False)
        if right is None:
            return NotImplemented
        if state.plain:
            out = _new(Value)
            out.data = self.data + right.data
            out.grad = 0.0
            out._label = ""
            out._inputs = (self, right)
            out._op = "add"
            return out
        return _node(self.data + right.data, (self, right), "add")

    def __radd__(self, other: Number) -> Value:
        left = _constant(other, "+", True)
        if left is None:
            return NotImplemented
        return _node(left.data + self.data, (left, self), "add")

    def __sub__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other, "-", False)
        if right is None:
            return NotImplemented
        return _node(self.data - right.data, (self, right), "sub")

    def __rsub__(self, other: Number) -> Value:
        left = _constant(other, "-", True)
        if left is None:
            return NotImplemented
        return _node(left.data - self.data, (left, self), "sub")

    def __mul__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other, "*", False)
        if right is None:
            return NotImplemented
        if state.plain:
            out = _new(Value)
            out.data = self.data * right.data
            out.grad = 0.0
            out._label = ""
            out._inputs = (self, right)
            out._op = "mul"
            return out
        return _node(self.data * right.data, (self, right), "mul")

    def __rmul__(self, other: Number) -> Value:
        left = _constant(other, "*", True)
        if left is None:
            return NotImplemented
        return _node(left.data * self.data, (left, self), "mul")

    def __truediv__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other, "/", False)
        if right is None:
            return NotImplemented
        return _node(_DIV(self.data, right.data), (self, right), "div")

    def __rtruediv__(self, other: Number) -> Value:
        left = _constant(other, "/", True)
        if left is None:
            return NotImplemented
        return _node(_DIV(left.data, self.data), (left, self), "div")

    def __pow__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(_POW(self.data, other.data), (self, other), "pow")
        exponent = _constant(other, "**", False)
        if exponent is None:
            return NotImplemented
        return _node(
            _POW_CONST(self.data, exponent.data), (self, exponent), "pow_const"
        )

    def __rpow__(self, other: Number) -> Value:
        base = _constant(other, "**", True)
        if base is None:
            return NotImplemented
        return _node(_POW(base.data, self.data), (base, self), "pow")

    def __neg__(self) -> Value:
        return _node(-self.data, (self,), "neg")

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return self._unary("abs")

    # -- functions -----------------------------------------------------------------

    def _unary(self, op: str) -> Value:
        return _node(_FORWARD[op](self.data), (self,), op)

    def exp(self) -> Value:
        """e ** self; raises OverflowError past x = 709.78 (the float range)."""
        return self._unary("exp")

    def log(self) -> Value:
        """Natural logarithm; raises ValueError unless self > 0."""
        return self._unary("log")

    def sqrt(self) -> Value:
        """Square root; raises ValueError if self < 0."""
        return self._unary("sqrt")

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return self._unary("tanh")

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x), computed without overflow."""
        return self._unary("sigmoid")

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow."""
        return self._unary("softplus")

    def relu(self) -> Value:
        """max(x, 0), with relu'(0) = 0."""
        data = _RELU(self.data)
        if state.plain:  # _node inlined: relu follows every neuron
            out = _new(Value)
            out.data = data
            out.grad = 0.0
            out._label = ""
            out._inputs = (self,)
            out._op = "relu"
            return out
        return _node(data, (self,), "relu")

    def leaky_relu(self, slope: Operand = 0.01) -> Value:
        """x if x > 0 else slope * x."""
        other = slope if type(slope) is Value else _lift(slope, "leaky_relu: slope")
        return _node(
            _FORWARD["leaky_relu"](self.data, other.data), (self, other), "leaky_relu"
        )

    def abs(self) -> Value:
        """|x|, with abs'(0) = 0."""
        return self._unary("abs")

    def sin(self) -> Value:
        """Sine (radians); raises ValueError for an infinite x."""
        return self._unary("sin")

    def cos(self) -> Value:
        """Cosine (radians); raises ValueError for an infinite x."""
        return self._unary("cos")

    # -- graph ---------------------------------------------------------------------

    def backward(self, grad: Any = 1.0, *, create_graph: bool = False) -> None:
        """Set every node's ``.grad`` to d(self)/d(node), accumulating into leaves.

        An exception or ``KeyboardInterrupt`` during the pass leaves every leaf's
        ``.grad`` as it was before the call.
        """
        from autograd.backward import backward

        backward(self, grad, create_graph=create_graph)

    def detach(self) -> Value:
        """A new leaf with the same number and label, cut off from the graph."""
        return Value(self.data, self.label)


def _read_only(name: str) -> None:
    why = {
        "inputs": "a node's inputs are fixed when its op makes it (so every graph "
        "is acyclic)",
        "op": "a node's op is fixed when it is made (an entry of autograd.ops.OPS)",
    }[name]
    raise AttributeError(
        f"Value.{name} is read-only: {why}; build a new node instead "
        "(or a new leaf: v.detach())"
    )


def _check_label(label: Any) -> None:
    raise TypeError(f"Value: label must be a str, got {type(label).__name__}")


def _as_float(data: Any) -> float:
    """``data`` as a float: any ``numbers.Real``, as Python's float arithmetic."""
    if type(data) is float:
        return data
    if isinstance(data, numbers.Real):
        try:
            result = float(data)
        except OverflowError:
            raise OverflowError(
                f"Value: {_show(data)} is too large for a float"
            ) from None
        # float() of a finite numpy longdouble past the float range gives inf quietly.
        if result in (_INF, -_INF) and data != result:
            raise OverflowError(f"Value: {_show(data)} is too large for a float")
        return result
    if isinstance(data, Value):
        raise TypeError(
            "Value: data is already a Value; use v.detach() for a new leaf "
            "or Value(v.data)"
        )
    if isinstance(data, decimal.Decimal):  # not a numbers.Real, by design
        raise TypeError(
            f"Value: data must be a real number, got {_show(data)}; a Decimal is "
            "not converted implicitly (Python does not mix Decimal with float "
            "either): pass float(d)"
        )
    raise TypeError(
        f"Value: data must be a real number (int, float, bool, Fraction, ...), "
        f"got {_type_name(data)}: {_show(data)}"
    )


def _type_name(data: Any) -> str:
    """``str`` for a builtin type, ``numpy.bool`` (module and name) for any other."""
    kind = type(data)
    if kind.__module__ == "builtins" or kind is Value:
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _show(data: Any) -> str:
    """A short repr for error messages (a huge int's repr may itself raise)."""
    try:
        text = repr(data)
    except ValueError:  # past sys.get_int_max_str_digits(): too long to print
        return f"<{_type_name(data)} too long to print>"
    if len(text) > 60:
        text = f"{text[:40]}...{text[-12:]} ({len(text)} characters)"
    return text


def _constant(x: Any, symbol: str = "", reflected: bool = False) -> Value | None:
    """A leaf for a number on the other side of an operator.

    None (the operator returns NotImplemented) for a type that may know how to
    combine with a Value; for what surely cannot (a str, a list, None, a complex, a
    numpy array or bool, ...) a TypeError that says so, where Python's own message
    would be confusing (``can't multiply sequence by non-int``) or numpy's would
    not name the operand.
    """
    kind = type(x)
    if kind is float or kind is int or isinstance(x, numbers.Real):
        return Value(x)
    if symbol and (isinstance(x, _NOT_NUMBERS) or kind.__module__ == "numpy"):
        names = (_type_name(x), "Value") if reflected else ("Value", _type_name(x))
        if kind.__module__ == "numpy":
            why = (
                "numpy arrays and numpy bools are not numbers (a numpy number is: "
                "float(x) converts one)"
            )
        elif isinstance(x, decimal.Decimal):
            why = "a Decimal is not converted implicitly, as with floats: float(d)"
        else:
            why = (
                "a Value combines with numbers and Values only (autograd.sum, "
                "dot and linear take lists)"
            )
        raise TypeError(
            f"unsupported operand type(s) for {symbol}: '{names[0]}' and "
            f"'{names[1]}': {why}"
        )
    return None


_NOT_NUMBERS = (
    str,
    bytes,
    bytearray,
    list,
    tuple,
    dict,
    set,
    frozenset,
    range,
    type(None),
    complex,
    decimal.Decimal,
)


def _node(data: float, inputs: tuple[Value, ...], op: str) -> Value:
    """Make an op's output; under no_grad it is a leaf that records nothing."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._label = ""
    if state.plain:  # the fast path: recording, nobody watching
        out._inputs = inputs
        out._op = op
        return out
    if state.recording:
        out._inputs = inputs
        out._op = op
    else:
        out._inputs = ()
        out._op = ""
    for observer in state.observers:  # op counting, anomaly checks
        observer.on_node(out)
    return out


# -- fused n-ary ops -----------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    """``1 input``, ``2 inputs``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _items(items: Any, where: str, what: str, of: str) -> tuple[Any, ...]:
    """``items`` as a tuple; a TypeError naming ``what`` if it is not a collection."""
    if isinstance(items, (Value, str, bytes, bytearray)) or not hasattr(
        items, "__iter__"
    ):
        error = None
    else:
        try:
            return tuple(items)
        except TypeError as caught:  # iter() refused: a 0-d numpy array, ...
            error = caught
    raise TypeError(
        f"{where}: {what} must be a list (or other iterable) of {of}, got "
        f"{_type_name(items)}"
    ) from error


def _values(items: Iterable[Operand], where: str, what: str) -> tuple[Value, ...]:
    """``items`` as a tuple of Values: the tuple itself when it holds only Values."""
    values: tuple[Any, ...] = (
        items
        if type(items) is tuple
        else _items(items, where, what, "Values or numbers")
    )
    for v in values:
        if type(v) is not Value:
            return tuple(
                [_lift(x, f"{where}: {what}[{i}]") for i, x in enumerate(values)]
            )
    return values


def _lift(x: Any, where: str) -> Value:
    if type(x) is Value:
        return x
    if isinstance(x, numbers.Real):
        try:
            return Value(x)
        except OverflowError:
            raise OverflowError(
                f"{where} ({_show(x)}) is too large for a float"
            ) from None
    raise TypeError(f"{where} must be a Value or a number, got {_type_name(x)}")


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - mirrors torch.sum
    """x1 + ... + xn as one node with n inputs (fast to build and to backpropagate)."""
    inputs = _values(values, "sum", "values")
    return _node(_SUM([v.data for v in inputs]), inputs, "sum")


def dot(weights: Iterable[Operand], inputs: Iterable[Operand]) -> Value:
    """w1*x1 + ... + wn*xn as one node with inputs ``(*weights, *inputs)``."""
    ws = _values(weights, "dot", "weights")
    xs = _values(inputs, "dot", "inputs")
    if len(ws) != len(xs):
        raise ValueError(
            f"dot: {_count(len(ws), 'weight')} but {_count(len(xs), 'input')}"
        )
    return _node(_DOT([w.data for w in ws], [x.data for x in xs]), (*ws, *xs), "dot")


def linear(
    weights: Iterable[Operand], inputs: Iterable[Operand], bias: Operand
) -> Value:
    """w1*x1 + ... + wn*xn + b as one node with inputs ``(*weights, *inputs, bias)``."""
    # The hottest op of a neural network: lists of Values go through with one type
    # check per input and no copies but the node's own inputs tuple.
    ws: Any = (
        weights
        if type(weights) in _SEQUENCES
        else _values(weights, "linear", "weights")
    )
    xs: Any = (
        inputs if type(inputs) in _SEQUENCES else _values(inputs, "linear", "inputs")
    )
    if len(ws) != len(xs):
        _values(ws, "linear", "weights")  # a non-number raises TypeError first
        _values(xs, "linear", "inputs")
        raise ValueError(
            f"linear: {_count(len(ws), 'weight')} but {_count(len(xs), 'input')}"
        )
    nodes: tuple[Any, ...] = (*ws, *xs, bias)
    for v in nodes:
        if type(v) is not Value:
            ws = _values(ws, "linear", "weights")
            xs = _values(xs, "linear", "inputs")
            nodes = (*ws, *xs, _lift(bias, "linear: bias"))
            break
    n = len(ws)
    data = _LINEAR(
        [v.data for v in nodes[:n]], [v.data for v in nodes[n : 2 * n]], nodes[-1].data
    )
    return _node(data, nodes, "linear")


def linear_layer(
    weight_rows: Iterable[Iterable[Operand]],
    inputs: Iterable[Operand],
    biases: Iterable[Operand],
) -> list[Value]:
    """``linear(row, inputs, bias)`` for each weight row and its bias: a whole layer.

    The same nodes, one per row, and the same gradients as calling ``linear`` row by
    row; but the inputs, which every row reads, are checked and their numbers read
    once for the layer instead of once per row. Numbers among the inputs become
    leaves once, shared by all rows.
    """
    xs = _values(inputs, "linear_layer", "inputs")
    rows: Any = (
        weight_rows
        if type(weight_rows) in _SEQUENCES
        else list(_values_or_rows(weight_rows))
    )
    bs = _values(biases, "linear_layer", "biases")
    if len(rows) != len(bs):
        raise ValueError(
            f"linear_layer: {_count(len(rows), 'weight row')} but "
            f"{len(bs)} {'bias' if len(bs) == 1 else 'biases'}"
        )
    n = len(xs)
    x_data = [x.data for x in xs]
    outs = []
    for r, (ws, b) in enumerate(zip(rows, bs)):
        if type(ws) not in _SEQUENCES:
            ws = _values(ws, "linear_layer", f"weight_rows[{r}]")
        w_data = [w.data for w in ws if type(w) is Value]
        if len(w_data) != len(ws):  # a number among the weights: lift them
            ws = _values(ws, "linear_layer", f"weight_rows[{r}]")
            w_data = [w.data for w in ws]
        if len(ws) != n:
            raise ValueError(
                f"linear_layer: weight row {r}: {_count(len(ws), 'weight')} but "
                f"{_count(n, 'input')}"
            )
        # The table's linear forward, with the inputs' numbers read once per layer.
        outs.append(_node(_LINEAR(w_data, x_data, b.data), (*ws, *xs, b), "linear"))
    return outs


def _values_or_rows(rows: Any, where: str = "linear_layer") -> Any:
    return _items(rows, where, "weight_rows", "rows (lists of Values)")


def linear_layer_batch(
    weight_rows: Iterable[Iterable[Operand]],
    batch: Iterable[Iterable[Operand]],
    biases: Iterable[Operand],
) -> list[list[Value]]:
    """``linear_layer(weight_rows, inputs, biases)`` for each ``inputs`` in ``batch``.

    The same nodes, values and gradients as calling ``linear_layer`` sample by
    sample; but the weights and biases, which every sample reads, are checked and
    their numbers read once for the batch instead of once per sample. Numbers among
    the weights or biases become leaves once, shared by all samples.
    """
    # Why this exists: a full-batch forward pass reads every weight once per sample
    # through linear_layer; for the micrograd demo (100 samples, 337 parameters) that
    # was 40% of the forward pass. Here a weight's number is read once per batch.
    rows = [
        _values(ws, "linear_layer_batch", f"weight_rows[{r}]")
        for r, ws in enumerate(_values_or_rows(weight_rows, "linear_layer_batch"))
    ]
    bs = _values(biases, "linear_layer_batch", "biases")
    if len(rows) != len(bs):
        raise ValueError(
            f"linear_layer_batch: {_count(len(rows), 'weight row')} but "
            f"{len(bs)} {'bias' if len(bs) == 1 else 'biases'}"
        )
    # Each row with its numbers, read once: (weights, their numbers, bias, its number)
    layer = [(ws, [w.data for w in ws], b, b.data) for ws, b in zip(rows, bs)]
    lengths = {len(ws) for ws in rows}
    samples = _items(batch, "linear_layer_batch", "batch", "samples")
    outputs = []
    for i, inputs in enumerate(samples):
        xs = _values(inputs, "linear_layer_batch", f"batch[{i}]")
        if lengths and lengths != {len(xs)}:
            n = next(m for m in lengths if m != len(xs))
            raise ValueError(
                f"linear_layer_batch: sample {i} has {_count(len(xs), 'input')} "
                f"but a weight row has {_count(n, 'weight')}"
            )
        x_data = [x.data for x in xs]
        # The table's linear forward, as linear_layer computes it: the same bits.
        outputs.append(
            [
                _node(_LINEAR(w_data, x_data, b_data), (*ws, *xs, b), "linear")
                for ws, w_data, b, b_data in layer
            ]
        )
    return outputs


def select(condition: Operand, if_positive: Operand, otherwise: Operand) -> Value:
    """``if_positive`` where ``condition > 0``, else ``otherwise`` (NaN at NaN).

    One node (op ``select``), differentiable in both branches: the gradient flows to
    the branch taken. The differentiable backward pass writes a rule's branches
    (relu at its kink, pow at y = 0) with it, so they stay branches on replay.
    """
    inputs = (
        _lift(condition, "select: condition"),
        _lift(if_positive, "select: if_positive"),
        _lift(otherwise, "select: otherwise"),
    )
    return _node(_FORWARD["select"](*[v.data for v in inputs]), inputs, "select")


# -- the function library for differentiable backward passes -------------------------


def _value_op(name: str) -> Any:
    """``m.<name>`` for Values: a node of the op, with its total forward's number."""
    total = TOTAL[name]
    op = TotalOp(name)

    def make(*args: Any) -> Value:
        inputs = tuple([a if type(a) is Value else Value(a) for a in args])
        return _node(total(*[v.data for v in inputs]), inputs, op)

    make.__name__ = name
    return make


class _ValueMath:
    """The library ``m`` of the differentiable reading: each op makes a node.

    Its nodes compute the op's total forward (``ops`` contract), so a differentiable
    pass gives the float pass's numbers, ``inf`` and NaN included, bit for bit.
    """


for _name, _op in OPS.items():
    if _op.nary is None:
        setattr(_ValueMath, _name, staticmethod(_value_op(_name)))

VALUE_MATH: Any = _ValueMath()
"""The Value library: ``rule(node.inputs, node, VALUE_MATH)`` builds the partials."""
