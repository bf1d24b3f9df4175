"""Per-thread switches of the engine: whether ops record the graph (``no_grad``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "state"]


class _State(threading.local):
    """The switches, one copy per thread; class attributes are the defaults.

    ``plain`` is True exactly when ops take the fast path (recording, no checks); it
    is kept up to date by ``set`` so that making a node reads one flag.
    """

    recording: bool = True
    anomaly: bool = False
    plain: bool = True

    def set(
        self, *, recording: bool | None = None, anomaly: bool | None = None
    ) -> None:
        if recording is not None:
            self.recording = recording
        if anomaly is not None:
            self.anomaly = anomaly
        self.plain = self.recording and not self.anomaly


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
