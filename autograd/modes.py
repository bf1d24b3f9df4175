"""Per-thread switches of the engine: whether ops record the graph (``no_grad``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Observer", "enable_grad", "is_grad_enabled", "no_grad", "observe", "state"]


class Observer:
    """Watches the engine in one thread: every node made, every backward step.

    Subclasses override the hooks they need. While any observer is active, ops and
    backward passes in that thread take a slower, observed path; with none, the
    fast path pays a single flag check (``state.plain``).
    """

    def on_node(self, node: Any) -> None:
        """Called with each Value an op makes (before it is returned)."""

    def on_backward_step(self, step: Any) -> None:
        """Called with each ``backward.Step`` of a backward pass."""

    def on_gradient_step(self, step: Any) -> None:
        """Called with each ``backward.Step`` of ``gradients()`` (``grad``'s pass)."""


class _State(threading.local):
    """The switches, one copy per thread; class attributes are the defaults.

    ``plain`` is True exactly when ops take the fast path (recording, no observers);
    ``set`` keeps it up to date so that making a node reads one flag.
    """

    recording: bool = True
    observers: tuple[Observer, ...] = ()
    plain: bool = True
    # grad/value_and_grad/jvp calls running f in this thread: one nested inside
    # another must return Values even for number arguments, since f may close over
    # an enclosing call's Values (perturbation confusion otherwise).
    transforms: int = 0
    # > 0 while a differentiable backward pass makes the nodes of a derivative: they
    # are the rules' arithmetic, not the user's ops (anomaly mode checks the
    # contributions instead, naming the user's op).
    deriving: int = 0

    def set(
        self,
        *,
        recording: bool | None = None,
        observers: tuple[Observer, ...] | None = None,
    ) -> None:
        if recording is not None:
            self.recording = recording
        if observers is not None:
            self.observers = observers
        self.plain = self.recording and not self.observers


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops made in this thread record their inputs."""
    return state.recording


@contextmanager
def no_grad() -> Iterator[None]:
    """Within the block, this thread's ops record no inputs: results are leaves."""
    previous = state.recording
    state.set(recording=False)
    try:
        yield
    finally:
        state.set(recording=previous)


@contextmanager
def enable_grad() -> Iterator[None]:
    """Within the block, this thread's ops record the graph, even inside ``no_grad``."""
    previous = state.recording
    state.set(recording=True)
    try:
        yield
    finally:
        state.set(recording=previous)


@contextmanager
def observe(observer: Observer) -> Iterator[Observer]:
    """Within the block, ``observer`` sees this thread's nodes and backward steps."""
    previous = state.observers
    state.set(observers=(*previous, observer))
    try:
        yield observer
    finally:
        state.set(observers=previous)
