"""Threads: the modes are per thread, and separate graphs in parallel threads are right.

Sharing one graph across threads (building or backpropagating it from two threads at
once) is unsupported, as the README says; these tests give each thread its own graph.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

import autograd
from autograd import AnomalyError, Value, detect_anomaly

THREADS = 4
ITERATIONS = 1000


def run_in_threads(work: Callable[[int], object], n: int = THREADS) -> list[object]:
    """Run ``work(i)`` in ``n`` threads at once; return results, re-raise any error."""
    results: list[object] = [None] * n
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def target(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.fixture(autouse=True)
def frequent_switches() -> Iterator[None]:
    """Switch threads every few microseconds, so that they really interleave."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def test_no_grad_in_one_thread_leaves_another_recording() -> None:
    """While one thread is inside no_grad, another thread's ops record their inputs."""
    inside, done = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def quiet() -> None:
        with autograd.no_grad():
            seen["quiet"] = bool((Value(1.0) * 2).inputs)
            inside.set()
            done.wait()

    thread = threading.Thread(target=quiet)
    thread.start()
    inside.wait()
    seen["main"] = bool((Value(1.0) * 2).inputs)
    done.set()
    thread.join()
    assert seen == {"quiet": False, "main": True}


def test_detect_anomaly_in_one_thread_leaves_another_unchecked() -> None:
    """While one thread is in anomaly mode, inf - inf in another is a plain NaN."""
    inside, done = threading.Event(), threading.Event()
    caught: list[BaseException] = []

    def watched() -> None:
        with detect_anomaly():
            try:
                Value(math.inf) - math.inf
            except AnomalyError as error:
                caught.append(error)
            inside.set()
            done.wait()

    thread = threading.Thread(target=watched)
    thread.start()
    inside.wait()
    plain = Value(math.inf) - math.inf
    done.set()
    thread.join()
    assert math.isnan(plain.data)
    assert len(caught) == 1


def test_a_new_thread_starts_recording_without_anomaly_mode() -> None:
    """A thread started inside no_grad and detect_anomaly gets the defaults."""
    with autograd.no_grad(), detect_anomaly():
        [result] = run_in_threads(lambda i: Value(math.inf) - math.inf, n=1)
    assert isinstance(result, Value) and result.inputs and math.isnan(result.data)


def model(seed: int, step: int) -> tuple[float, list[float]]:
    """A small network's loss and gradients at a point fixed by (seed, step)."""
    xs = [Value(math.sin(seed + step + k)) for k in range(3)]
    ws = [Value(math.cos(seed * step + k)) for k in range(6)]
    hidden = [
        autograd.linear(ws[0:3], xs, 0.1).tanh(),
        autograd.dot(ws[3:6], xs).sigmoid(),
    ]
    loss = (hidden[0] * hidden[1] - xs[0]) ** 2 + hidden[1].softplus().log()
    loss.backward()
    return loss.data, [v.grad for v in xs + ws]


def test_parallel_threads_get_the_single_threaded_gradients() -> None:
    """Threads building and backpropagating their own graphs match a lone thread."""
    expected = [[model(i, step) for step in range(ITERATIONS)] for i in range(THREADS)]
    got = run_in_threads(lambda i: [model(i, step) for step in range(ITERATIONS)])
    assert got == expected


def test_parallel_threads_in_anomaly_mode_get_the_same_gradients() -> None:
    """Anomaly mode in every thread changes no result (each has its own observer)."""
    expected = [[model(i, step) for step in range(50)] for i in range(THREADS)]

    def watched(i: int) -> object:
        with detect_anomaly():
            return [model(i, step) for step in range(50)]

    assert run_in_threads(watched) == expected
