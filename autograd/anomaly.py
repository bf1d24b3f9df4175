"""Anomaly mode: stop at the first op whose result or gradient is NaN or infinite.

Inside ``with autograd.detect_anomaly():`` every node an op makes in this thread is
checked as it is made, and every contribution ``upstream * partial`` of a backward
pass (``Value.backward``) as it is computed; the first one that is NaN or +-inf
raises ``AnomalyError`` naming the op, its input values and the file:line in user
code where the op was created. Off (the default) it costs nothing: it is an
``Observer``, and the engine's fast path only checks that no observer is active.

A leaf that is already NaN (``Value(float("nan"))``) is data, not an anomaly: the
first op that reads it is flagged, and its message shows the NaN among the inputs.
An op whose result is finite is never flagged, even with a non-finite input
(``tanh(inf) = 1.0`` is fine; so is ``nan ** 0 = 1.0``, as in Python).
"""

from __future__ import annotations

import math
import os
import sys
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from autograd.modes import Observer, observe, state

__all__ = ["AnomalyError", "detect_anomaly"]

# Frames in these folders are library code; a creation site is the first frame
# outside them: the autograd package, and nn next to it in the same distribution.
_AUTOGRAD_DIR = os.path.dirname(os.path.abspath(__file__))
_NN_DIR = os.path.join(os.path.dirname(_AUTOGRAD_DIR), "nn")
_USER, _AUTOGRAD, _NN = 0, 1, 2
_kind_of_file: dict[str, int] = {}  # co_filename -> _USER, _AUTOGRAD or _NN
_MAX_SHOWN = 6  # inputs listed in a message before it abbreviates


class AnomalyError(ArithmeticError):
    """An op's result or backward contribution was NaN or infinite in anomaly mode.

    ``phase`` is ``"forward"`` or ``"backward"``; ``op`` the op's name; ``inputs``
    the input values (floats); ``site`` the ``"file:line"`` where the op was created
    (``None`` if the node was made outside anomaly mode).
    """

    def __init__(
        self,
        message: str,
        *,
        phase: str,
        op: str,
        inputs: Sequence[float],
        site: str | None,
    ) -> None:
        super().__init__(message)
        self.phase = phase
        self.op = op
        self.inputs = tuple(inputs)
        self.site = site


def _kind(filename: str) -> int:
    kind = _kind_of_file.get(filename)
    if kind is None:
        folder = os.path.dirname(os.path.abspath(filename))
        kind = {_AUTOGRAD_DIR: _AUTOGRAD, _NN_DIR: _NN}.get(folder, _USER)
        _kind_of_file[filename] = kind
    return kind


def _creation_site() -> str | None:
    """``file:line`` of the innermost frame outside the library (autograd, nn)."""
    frame: Any = sys._getframe(2)  # skip this function and on_node
    in_nn = None  # the innermost nn frame, if the op was made inside nn
    while frame is not None:
        kind = _kind(frame.f_code.co_filename)
        if kind == _USER:
            break
        if kind == _NN and in_nn is None:
            in_nn = f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    if frame is None:
        return in_nn
    site = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    return site if in_nn is None else f"{site} (in {in_nn})"


def _show_inputs(values: Sequence[float]) -> str:
    """``op(x0, x1, ...)``'s argument list, abbreviated for n-ary ops."""
    if len(values) <= _MAX_SHOWN:
        return ", ".join(repr(v) for v in values)
    shown = ", ".join(repr(v) for v in values[:3])
    bad = [f"#{i}={v!r}" for i, v in enumerate(values) if not math.isfinite(v)]
    text = f"{shown}, ... ({len(values)} inputs"
    if bad:
        text += "; non-finite: " + ", ".join(bad[:_MAX_SHOWN])
        if len(bad) > _MAX_SHOWN:
            text += ", ..."
    return text + ")"


def _number(x: Any) -> float:
    """The float in a float or a Value (a differentiable pass computes with Values)."""
    return x if type(x) is float else float(getattr(x, "data", x))


class _Sites(weakref.WeakKeyDictionary[Any, Any]):
    """Creation sites by node, weakly; the table shrinks when its graphs are gone.

    A dict never gives back the room it grew to: after a million-node graph is
    dropped, its entries are removed but the table would keep tens of MiB for the
    thread's lifetime. So when fewer than an eighth of the most it held are left,
    the entries move to a new dict of their size.
    """

    _COMPACT_ABOVE = 4096

    def __init__(self) -> None:
        super().__init__()
        self.peak = 0
        remove = self._remove  # type: ignore[has-type]
        selfref = weakref.ref(self)

        def removed(key: Any) -> None:
            remove(key)
            sites = selfref()
            if sites is not None:
                sites.compact()

        self._remove = removed

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        size = len(self.data)
        if size > self.peak:
            self.peak = size

    def compact(self) -> None:
        """Move the entries to a dict of their size if most of them are gone."""
        size = len(self.data)  # type: ignore[has-type]
        if self.peak > self._COMPACT_ABOVE and size < self.peak // 8:
            self.data = dict(self.data)  # type: ignore[has-type]
            self.peak = size


class _AnomalyObserver(Observer):
    """Checks this thread's nodes and backward steps; remembers creation sites."""

    def __init__(self) -> None:
        # node -> "file:line"; weak, so a dropped graph leaves nothing behind.
        self.sites = _Sites()
        self.depth = 0  # nested detect_anomaly() blocks in this thread

    def on_node(self, node: Any) -> None:
        """Remember where ``node`` was made; raise if its value is NaN or infinite."""
        site = _creation_site()
        data = node.data
        if state.deriving:  # a derivative's own node: its contributions are checked
            if node.inputs:
                self.sites[node] = site
            return
        if math.isfinite(data):
            if node.inputs:  # a leaf (no_grad) never reaches a backward pass
                self.sites[node] = site
            return
        op, inputs = node.op, node.inputs
        if not op:  # made under no_grad: the node keeps no op; _node's frame has it
            caller = sys._getframe(1).f_locals
            op, inputs = caller.get("op", "an op"), caller.get("inputs", ())
        values = [x.data for x in inputs]
        raise AnomalyError(
            f"{op}({_show_inputs(values)}) returned {data!r} in the forward pass\n"
            f"  the op was created at {site}",
            phase="forward",
            op=op,
            inputs=values,
            site=site,
        )

    def on_gradient_step(self, step: Any) -> None:
        """As ``on_backward_step``, for the pass of ``gradients()`` (and ``grad``)."""
        self.on_backward_step(step)

    def on_backward_step(self, step: Any) -> None:
        """Raise if a contribution ``upstream * partial`` of ``step`` is not finite."""
        for index, contribution in enumerate(step.contributions):
            if math.isfinite(_number(contribution)):
                continue
            node = step.node
            values = [x.data for x in node.inputs]
            site = self.sites.get(node)
            where = (
                f"the op was created at {site}"
                if site is not None
                else "the op was created outside detect_anomaly(), site unknown"
            )
            raise AnomalyError(
                f"{node.op}({_show_inputs(values)}) = {node.data!r}: its backward "
                f"contribution to input {index} is {_number(contribution)!r} "
                f"(upstream gradient {_number(step.upstream)!r} * local partial "
                f"{_number(step.partials[index])!r})\n  {where}",
                phase="backward",
                op=node.op,
                inputs=values,
                site=site,
            )


class _PerThread(threading.local):
    observer: _AnomalyObserver | None = None


_per_thread = _PerThread()


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Within the block, this thread raises ``AnomalyError`` at the first NaN or inf.

    Forward results and backward contributions are checked; nested blocks are fine.
    Creation sites are remembered (weakly) for nodes made inside a block, so a graph
    built in one block can be backpropagated in another.
    """
    observer = _per_thread.observer
    if observer is None:
        observer = _per_thread.observer = _AnomalyObserver()
    if observer in state.observers:  # already on in this thread
        yield
        return
    with observe(observer):
        yield
