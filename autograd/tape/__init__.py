"""Record once, replay fast: a graph written down as a program, run again and again.

``Tape(root, inputs)`` records the graph that made ``root``, with ``inputs`` (leaf
Values, typically ``model.parameters()``) as its arguments. Replaying it at new
numbers gives exactly what rebuilding the graph eagerly at those numbers and calling
``backward()`` gives, bit for bit, without making a single Value:

    tape = autograd.Tape(loss, model.parameters())
    value, grads = tape([p.data for p in model.parameters()])
    loss_value = tape.backward()  # reads .data, accumulates into .grad

**Frozen at recording**: the graph's shape and its constants (every leaf that is not
an input), including any Python ``if`` that read a ``.data`` while recording, as with
``jax.jit``. **Not frozen**: every op's value and the branch inside its rule (relu,
abs, leaky_relu at the kink, pow) are recomputed on every replay.

Two backends give the same bits: ``"python"`` (no dependency) and ``"c"`` (a small
virtual machine compiled once with the system's C compiler, cached on disk);
``"auto"`` picks C where a compiler is available. ``tape.source()`` prints the
recording as a Python program: the forward pass, then one line per chain-rule
contribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd.tape.record import Recording, check_values, record
from autograd.tape.source import Program, namespace, program
from autograd.value import Value

__all__ = ["Tape"]

_BACKENDS = ("auto", "python", "c")
_FLOAT = {float}

# Up to this many lines the Python backend compiles the printed program (fast to
# run, slow to compile); past it, it interprets the arrays (see tape/python.py).
PROGRAM_LIMIT = 250_000


class _ProgramReplay:
    """The Python backend for tapes of moderate size: the printed program, compiled."""

    name = "python"

    def __init__(self, recording: Recording, printed: Program) -> None:
        names = namespace()
        exec(compile(printed.text, "<autograd.Tape>", "exec"), names)
        self.function = names[printed.name]
        self.printed = printed
        self.forward_function: Any = None

    def value(self, inputs: Sequence[float]) -> float:
        """The root's value alone (the forward pass, compiled on first use)."""
        if self.forward_function is None:
            names = namespace()
            exec(compile(self.printed.forward_text, "<autograd.Tape>", "exec"), names)
            self.forward_function = names[f"{self.printed.name}_forward"]
        return float(self.forward_function(*inputs))

    def run(self, inputs: Sequence[float]) -> tuple[float, list[float]]:
        value, grads = self.function(*inputs)
        return value, grads


class Tape:
    """A recorded graph with ``inputs`` as arguments, replayed in Python or in C."""

    def __init__(self, root: Value, inputs: Sequence[Value], *, backend: str = "auto"):
        if backend not in _BACKENDS:
            raise ValueError(
                f"Tape: backend must be one of {', '.join(map(repr, _BACKENDS))}, "
                f"got {backend!r}"
            )
        self.recording = record(root, inputs)
        self.inputs = list(inputs)
        self._program: Program | None = None
        self._replay = self._backend(backend)

    def _backend(self, backend: str) -> Any:
        if backend in ("auto", "c"):
            from autograd.tape.c import CReplay

            try:
                return CReplay(self.recording)
            except RuntimeError:
                if backend == "c":
                    raise
        rec = self.recording
        size = len(rec.code) + len(rec.starts)
        if size <= PROGRAM_LIMIT:
            return _ProgramReplay(rec, program(rec, fast=True))
        from autograd.tape.python import PythonReplay

        return PythonReplay(rec)

    @property
    def backend(self) -> str:
        """Which backend replays this tape: ``"python"`` or ``"c"``."""
        return str(self._replay.name)

    def program(self) -> Program:
        """The recording printed as Python (cached)."""
        if self._program is None:
            self._program = program(self.recording)
        return self._program

    def source(self) -> str:
        """The recorded program as Python source: ``exec`` it and call ``replay``.

        The function's parameters are the inputs (named by their labels where those
        are identifiers, else ``v1``, ``v2``, ... in topological order); its body is
        the forward pass, one line per node, then the backward pass, one line per
        chain-rule contribution (``g_w1 += g_h * x1``); it returns the root's value
        and the gradient as a list. It reads ``m`` (the float library), the ops by
        name, ``nan`` and ``inf``: ``autograd.tape.source.namespace()`` has them.
        """
        return self.program().text

    def __call__(self, values: Sequence[float]) -> tuple[float, list[float]]:
        """``(value, grads)`` at ``values``, one number per input."""
        if (
            type(values) is list
            and len(values) == self.recording.n_inputs
            and set(map(type, values)) <= _FLOAT
        ):
            return self._replay.run(values)  # the common case, checked at C speed
        numbers = check_values(values, self.recording.n_inputs, "Tape")
        return self._replay.run(numbers)

    def forward(self, values: Sequence[float]) -> float:
        """The root's value at ``values``, one number per input."""
        numbers = check_values(values, self.recording.n_inputs, "Tape.forward")
        return self._forward(numbers)

    def _forward(self, numbers: Sequence[float]) -> float:
        replay = self._replay
        if isinstance(replay, _ProgramReplay):
            return replay.value(numbers)
        return float(replay.forward(numbers)[self.recording.root])

    def backward(self) -> float:
        """Replay at the inputs' current ``.data``, add the gradient into their
        ``.grad`` (as ``root.backward()`` does), and return the root's value."""
        inputs = self.inputs
        value, grads = self._replay.run([x.data for x in inputs])
        for x, g in zip(inputs, grads):
            before = x.grad
            # As backward() accumulates: the pass's total, plus what was there.
            x.grad = g if type(before) is float and not before else before + g
        return value

    def __repr__(self) -> str:
        rec = self.recording
        return (
            f"Tape({len(rec.starts)} ops, {rec.n_inputs} inputs, "
            f"backend={self.backend!r})"
        )
