"""``Value``: a scalar that records the graph of the computation that made it."""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Iterable
from typing import Any, Union

from autograd.modes import state
from autograd.ops import OPS, weighted_sum

__all__ = [
    "VALUE_MATH",
    "Value",
    "dot",
    "linear",
    "linear_layer",
    "linear_layer_batch",
    "sum",
]

Number = Union[int, float]  # noqa: UP007 - kept beside Operand, which needs Union
Operand = Union["Value", int, float]  # "Value" | int would fail at runtime

_new = object.__new__
_INF = float("inf")

# Forward functions looked up once; each is the table's own.
_ADD = OPS["add"].forward
_SUB = OPS["sub"].forward
_MUL = OPS["mul"].forward
_DIV = OPS["div"].forward
_NEG = OPS["neg"].forward
_POW = OPS["pow"].forward
_FORWARD = {name: op.forward for name, op in OPS.items()}
_RELU = OPS["relu"].forward
_SUM = OPS["sum"].forward
_DOT = OPS["dot"].forward
_LINEAR = OPS["linear"].forward
_SEQUENCES = (list, tuple)

# The operators write the table's forward inline for +, -, * and unary -, ``a + b`` on
# two floats, which is float.__add__ without the call; this check keeps the inline
# arithmetic and the table from drifting apart. The hottest (+, *, relu) also inline
# the fast path of ``_node`` (state.plain): one function call less per node.
if not (
    _ADD is float.__add__
    and _SUB is float.__sub__
    and _MUL is float.__mul__
    and _NEG is float.__neg__
):  # pragma: no cover - a guard for whoever edits ops.py
    raise ImportError("value.py inlines add, sub, mul and neg: update it with ops.py")


class Value:
    """A scalar node: its number, its gradient, and the op and inputs that made it.

    ``data`` is the number (a float). ``grad`` is d(root)/d(this node) after
    ``root.backward()``, 0.0 before. ``inputs`` is the tuple of Values the op read, in
    operand order (``x * x`` has inputs ``(x, x)``); ``()`` for a leaf. ``op`` is the
    op's name in ``autograd.ops.OPS``, ``""`` for a leaf. ``label`` is a name for
    display only.
    """

    __slots__ = ("__weakref__", "data", "grad", "inputs", "label", "op")

    data: float
    grad: Any  # a float, or a Value after backward(create_graph=True)
    inputs: tuple[Value, ...]
    op: str
    label: str

    def __init__(self, data: numbers.Real | float, label: str = "") -> None:
        self.data = _as_float(data)
        self.grad = 0.0
        self.inputs = ()
        self.op = ""
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.label = label

    def __repr__(self) -> str:
        parts = [repr(self.data), f"grad={self.grad!r}"]
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    # -- arithmetic --------------------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other)
        if right is None:
            return NotImplemented
        if state.plain:
            out = _new(Value)
            out.data = self.data + right.data
            out.grad = 0.0
            out.label = ""
            out.inputs = (self, right)
            out.op = "add"
            return out
        return _node(self.data + right.data, (self, right), "add")

    def __radd__(self, other: Number) -> Value:
        left = _constant(other)
        if left is None:
            return NotImplemented
        return _node(left.data + self.data, (left, self), "add")

    def __sub__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other)
        if right is None:
            return NotImplemented
        return _node(self.data - right.data, (self, right), "sub")

    def __rsub__(self, other: Number) -> Value:
        left = _constant(other)
        if left is None:
            return NotImplemented
        return _node(left.data - self.data, (left, self), "sub")

    def __mul__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other)
        if right is None:
            return NotImplemented
        if state.plain:
            out = _new(Value)
            out.data = self.data * right.data
            out.grad = 0.0
            out.label = ""
            out.inputs = (self, right)
            out.op = "mul"
            return out
        return _node(self.data * right.data, (self, right), "mul")

    def __rmul__(self, other: Number) -> Value:
        left = _constant(other)
        if left is None:
            return NotImplemented
        return _node(left.data * self.data, (left, self), "mul")

    def __truediv__(self, other: Operand) -> Value:
        right = other if type(other) is Value else _constant(other)
        if right is None:
            return NotImplemented
        return _node(_DIV(self.data, right.data), (self, right), "div")

    def __rtruediv__(self, other: Number) -> Value:
        left = _constant(other)
        if left is None:
            return NotImplemented
        return _node(_DIV(left.data, self.data), (left, self), "div")

    def __pow__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(_POW(self.data, other.data), (self, other), "pow")
        exponent = _constant(other)
        if exponent is None:
            return NotImplemented
        return _node(_POW(self.data, exponent.data), (self, exponent), "pow_const")

    def __rpow__(self, other: Number) -> Value:
        base = _constant(other)
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
            out.label = ""
            out.inputs = (self,)
            out.op = "relu"
            return out
        return _node(data, (self,), "relu")

    def leaky_relu(self, slope: Operand = 0.01) -> Value:
        """x if x > 0 else slope * x."""
        other = slope if type(slope) is Value else _constant(slope)
        if other is None:
            raise TypeError(
                f"leaky_relu: slope must be a number, got {type(slope).__name__}"
            )
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
        """Set every node's ``.grad`` to d(self)/d(node), accumulating into leaves."""
        from autograd.backward import backward

        backward(self, grad, create_graph=create_graph)

    def detach(self) -> Value:
        """A new leaf with the same number and label, cut off from the graph."""
        return Value(self.data, self.label)


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
    if kind.__module__ == "builtins":
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


def _constant(x: Any) -> Value | None:
    """A leaf for a number on the other side of an operator; None if not a number."""
    kind = type(x)
    if kind is float or kind is int or isinstance(x, numbers.Real):
        return Value(x)
    return None


def _lift(x: Any, where: str) -> Value:
    if type(x) is Value:
        return x
    if isinstance(x, numbers.Real):
        return Value(x)
    raise TypeError(f"{where}: expected a Value or a number, got {type(x).__name__}")


def _node(data: float, inputs: tuple[Value, ...], op: str) -> Value:
    """Make an op's output; under no_grad it is a leaf that records nothing."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if state.plain:  # the fast path: recording, nobody watching
        out.inputs = inputs
        out.op = op
        return out
    if state.recording:
        out.inputs = inputs
        out.op = op
    else:
        out.inputs = ()
        out.op = ""
    for observer in state.observers:  # op counting, anomaly checks
        observer.on_node(out)
    return out


# -- fused n-ary ops -----------------------------------------------------------------


def _values(items: Iterable[Operand], where: str) -> tuple[Value, ...]:
    """``items`` as a tuple of Values: the tuple itself when it holds only Values."""
    values: tuple[Any, ...] = tuple(items)
    for v in values:
        if type(v) is not Value:
            return tuple([_lift(x, where) for x in values])
    return values


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - mirrors torch.sum
    """x1 + ... + xn as one node with n inputs (fast to build and to backpropagate)."""
    inputs = _values(values, "sum")
    return _node(_SUM(*[v.data for v in inputs]), inputs, "sum")


def dot(weights: Iterable[Operand], inputs: Iterable[Operand]) -> Value:
    """w1*x1 + ... + wn*xn as one node with inputs ``(*weights, *inputs)``."""
    ws = _values(weights, "dot")
    xs = _values(inputs, "dot")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    nodes = (*ws, *xs)
    return _node(_DOT(*[v.data for v in nodes]), nodes, "dot")


def linear(
    weights: Iterable[Operand], inputs: Iterable[Operand], bias: Operand
) -> Value:
    """w1*x1 + ... + wn*xn + b as one node with inputs ``(*weights, *inputs, bias)``."""
    # The hottest op of a neural network: lists of Values go through with one type
    # check per input and no copies but the node's own inputs tuple.
    ws: Any = weights if type(weights) in _SEQUENCES else tuple(weights)
    xs: Any = inputs if type(inputs) in _SEQUENCES else tuple(inputs)
    if len(ws) != len(xs):
        _values(ws, "linear")  # a non-number raises TypeError before the lengths
        _values(xs, "linear")
        raise ValueError(f"linear: {len(ws)} weights but {len(xs)} inputs")
    nodes: tuple[Any, ...] = (*ws, *xs, bias)
    for v in nodes:
        if type(v) is not Value:
            nodes = tuple([_lift(v, "linear") for v in nodes])
            break
    return _node(_LINEAR(*[v.data for v in nodes]), nodes, "linear")


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
    xs = _values(inputs, "linear_layer")
    rows: Any = weight_rows if type(weight_rows) in _SEQUENCES else list(weight_rows)
    bs = _values(biases, "linear_layer")
    if len(rows) != len(bs):
        raise ValueError(f"linear_layer: {len(rows)} weight rows but {len(bs)} biases")
    n = len(xs)
    x_data = [x.data for x in xs]
    outs = []
    for ws, b in zip(rows, bs):
        if type(ws) not in _SEQUENCES:
            ws = tuple(ws)
        w_data = [w.data for w in ws if type(w) is Value]
        if len(w_data) != len(ws):  # a number among the weights: lift them
            ws = _values(ws, "linear_layer")
            w_data = [w.data for w in ws]
        if len(ws) != n:
            raise ValueError(f"linear_layer: {len(ws)} weights but {n} inputs")
        # The table's linear forward, with the inputs' numbers read once per layer.
        data = weighted_sum(w_data, x_data, b.data)
        outs.append(_node(data, (*ws, *xs, b), "linear"))
    return outs


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
    rows = [_values(ws, "linear_layer_batch") for ws in weight_rows]
    bs = _values(biases, "linear_layer_batch")
    if len(rows) != len(bs):
        raise ValueError(
            f"linear_layer_batch: {len(rows)} weight rows but {len(bs)} biases"
        )
    # Each row with its numbers, read once: (weights, their numbers, bias, its number)
    layer = [(ws, [w.data for w in ws], b, b.data) for ws, b in zip(rows, bs)]
    lengths = {len(ws) for ws in rows}
    outputs = []
    for i, inputs in enumerate(batch):
        xs = _values(inputs, "linear_layer_batch")
        if lengths and lengths != {len(xs)}:
            n = next(m for m in lengths if m != len(xs))
            raise ValueError(
                f"linear_layer_batch: sample {i} has {len(xs)} inputs "
                f"but a weight row has {n} weights"
            )
        x_data = [x.data for x in xs]
        # The table's linear forward, as linear_layer computes it: the same bits.
        outputs.append(
            [
                _node(weighted_sum(w_data, x_data, b_data), (*ws, *xs, b), "linear")
                for ws, w_data, b, b_data in layer
            ]
        )
    return outputs


# -- the function library for differentiable backward passes -------------------------


class _ValueMath:
    """Value versions of the functions that partial rules call (see ops.FLOAT_MATH)."""

    exp = staticmethod(Value.exp)
    log = staticmethod(Value.log)
    sin = staticmethod(Value.sin)
    cos = staticmethod(Value.cos)
    sigmoid = staticmethod(Value.sigmoid)

    @staticmethod
    def data(x: Value) -> float:
        return x.data

    @staticmethod
    def pow(x: Value, y: Operand) -> Value:
        return x**y

    @staticmethod
    def div(x: Operand, y: Value) -> Value:
        return x / y


VALUE_MATH = _ValueMath()
