"""Per-thread switches of the engine: whether ops record the graph (``no_grad``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "state"]


class _State(threading.local):
    """The switches, one copy per thread; class attributes are the defaults."""

    recording: bool = True


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops made in this thread record their inputs."""
    return state.recording


@contextmanager
def no_grad() -> Iterator[None]:
    """Within the block, this thread's ops record no inputs: results are leaves."""
    previous = state.recording
    state.recording = False
    try:
        yield
    finally:
        state.recording = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Within the block, this thread's ops record the graph, even inside ``no_grad``."""
    previous = state.recording
    state.recording = True
    try:
        yield
    finally:
        state.recording = previous
