"""Recording: a graph of Values written down once as flat arrays of numbers.

Every node gets a slot: the tape's inputs first, in the order given, then every other
node in topological order. A node made by an op becomes an instruction,

    kind, out, n, slot_1, ..., slot_n

in ``code`` (an ``array('i')``), where ``kind`` numbers the op (``variants``: each op
of the table, then the total variant of each op with a domain, which a differentiable
backward pass makes), ``out`` is the node's slot and the slots are its inputs in
operand order. ``starts`` holds where each instruction begins. Leaves that are not
inputs are constants: their numbers are kept in ``values``. Nothing else is kept, so
a recorded node costs a few dozen bytes, against a Value's 159.
"""

from __future__ import annotations

import keyword
import math
import numbers
from array import array
from collections.abc import Sequence
from typing import Any

from autograd.backward import topological_order
from autograd.ops import OPS, Op
from autograd.value import TotalOp, Value

__all__ = ["VARIANTS", "Recording", "record"]

VARIANTS: list[tuple[Op, bool]] = [(op, False) for op in OPS.values()] + [
    (op, True) for op in OPS.values() if op.domain
]
"""The instruction kinds: ``(op, total)``; total ops never raise (``TotalOp``)."""

_CHECKED = {op.name: k for k, (op, total) in enumerate(VARIANTS) if not total}
_TOTAL = dict(_CHECKED)  # an op without a domain is total already: one kind
_TOTAL.update({op.name: k for k, (op, total) in enumerate(VARIANTS) if total})


class Recording:
    """A graph as flat arrays (see the module docstring)."""

    __slots__ = (
        "code",
        "constants",
        "labels",
        "n_inputs",
        "n_slots",
        "root",
        "starts",
        "topological",
        "values",
    )

    def __init__(
        self,
        code: array[int],
        starts: array[int],
        values: array[float],
        n_inputs: int,
        root: int,
        labels: dict[int, str],
        constants: list[int],
        topological: array[int],
    ) -> None:
        self.code = code
        self.starts = starts
        self.values = values
        self.n_inputs = n_inputs
        self.n_slots = len(values)
        self.root = root
        self.labels = labels  # slot -> label, for the printed program
        self.constants = constants  # the slots of constant leaves
        self.topological = topological  # the slots in topological order

    def instructions(self) -> Any:
        """``(kind, out, slots)`` for each instruction, in order (``VARIANTS[kind]``
        is its op and whether it is total)."""
        code = self.code
        for p in self.starts:
            n = code[p + 2]
            yield code[p], code[p + 1], code[p + 3 : p + 3 + n]


def _describe(v: Any) -> str:
    if isinstance(v, Value):
        return f"a Value made by op {str(v.op)!r}" if v.op else "a leaf Value"
    return type(v).__name__


def record(root: Any, inputs: Any) -> Recording:
    """Write down the graph that made ``root``, with ``inputs`` as its arguments."""
    if not isinstance(root, Value):
        raise TypeError(f"Tape: root must be a Value, got {type(root).__name__}")
    if isinstance(inputs, (Value, str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(
            "Tape: inputs must be a sequence of leaf Values (e.g. "
            f"model.parameters()), got {type(inputs).__name__}"
        )
    inputs = list(inputs)
    slot_of: dict[Value, int] = {}
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"Tape: inputs[{i}] must be a Value, got {_describe(x)}")
        if x.inputs:
            raise ValueError(
                f"Tape: inputs[{i}] is not a leaf: it was made by op {str(x.op)!r} "
                "(inputs are the leaves whose numbers change between replays)"
            )
        if x in slot_of:
            raise ValueError(
                f"Tape: inputs[{i}] is inputs[{slot_of[x]}] again: each input once"
            )
        slot_of[x] = i
    order = topological_order(root)
    n_inputs = len(inputs)
    for node in order:
        if node not in slot_of:
            slot_of[node] = len(slot_of)
    values = array("d", bytes(8 * len(slot_of)))
    labels = {slot: node._label for node, slot in slot_of.items() if node._label}
    for x in inputs:
        values[slot_of[x]] = x.data
    constants: list[int] = []
    words: list[int] = []  # the instructions, flat; an array at the end
    begins: list[int] = []
    checked, total = _CHECKED, _TOTAL
    for node in order:
        parents = node._inputs
        if not parents:
            slot = slot_of[node]
            if slot >= n_inputs:
                values[slot] = node.data  # a constant: frozen at recording
                constants.append(slot)
            continue
        op = node._op
        begins.append(len(words))
        words += (
            (total if type(op) is TotalOp else checked)[op],
            slot_of[node],
            len(parents),
            *[slot_of[x] for x in parents],
        )
    code = array("i", words)
    starts = array("q", begins)
    topological = array("i", [slot_of[node] for node in order])
    return Recording(
        code, starts, values, n_inputs, slot_of[root], labels, constants, topological
    )


def identifier(label: str, taken: set[str]) -> str | None:
    """``label`` as a Python name for the printed program, or None if it cannot be."""
    if not label.isidentifier() or keyword.iskeyword(label) or label in taken:
        return None
    if label.startswith("g_") or label.startswith("_"):
        return None
    return label


def finite_repr(x: float) -> str:
    """A float literal for the printed program (inf and nan by name)."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def check_values(values: Any, n_inputs: int, where: str) -> Sequence[float]:
    """One float per input, or the error a user needs."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(
            f"{where}: values must be a sequence of numbers (one per input), got "
            f"{type(values).__name__}"
        )
    if len(values) != n_inputs:
        raise ValueError(
            f"{where}: got {len(values)} value{'s' if len(values) != 1 else ''} for "
            f"{n_inputs} input{'s' if n_inputs != 1 else ''}"
        )
    result = []
    for i, v in enumerate(values):
        if type(v) is float:
            result.append(v)
            continue
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"{where}: values[{i}] must be a number, got {type(v).__name__}"
            )
        try:
            result.append(float(v))
        except OverflowError:
            raise OverflowError(
                f"{where}: values[{i}] is too large for a float"
            ) from None
    return result
