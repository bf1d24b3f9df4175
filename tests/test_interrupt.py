"""An interrupted backward pass leaves every leaf's gradient as it was.

``KeyboardInterrupt`` (or any exception) at any point of ``backward()`` (the fast
path, the differentiable path, the observed path) or of ``backward_steps()`` leaves
each leaf's ``.grad`` the very object it was before the call: ``-0.0`` stays
``-0.0``, NaN stays that NaN, a Value from an earlier ``create_graph`` pass stays
that Value. The interrupt is raised by a trace function (``sys.settrace``) after k
traced events, k drawn at random over the whole pass, so it lands anywhere: in the
walk, in the generated kernels, in the rules, in the final accumulation.
"""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from strategies import VALUE_LIB, Program, programs_with_inputs, run, same_float

import autograd
from autograd import AnomalyError, Value, backward_steps, count_ops, detect_anomaly

# What a leaf's gradient is before the pass: left from an earlier create_graph pass
# (a Value), or set to a float, -0.0 and NaN among them.
PRIORS = st.sampled_from(["value", 0.0, -0.0, 123.0, -1e-310, math.nan, math.inf])


class InterruptAfter:
    """A trace function that raises KeyboardInterrupt at its k-th event."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.events = 0

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        self.events += 1
        if self.events == self.k:
            raise KeyboardInterrupt(f"interrupted at event {self.k}")
        return self


class Counter:
    """A trace function that counts events and notes the last one of the commit
    (the engine's ``_accumulate``, which adds the pass's totals to the leaves)."""

    def __init__(self) -> None:
        self.events = 0
        self.commit = 0

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        self.events += 1
        if frame.f_code.co_name == "_accumulate":
            self.commit = self.events
        return self


@contextmanager
def _traced(tracer: Any) -> Iterator[None]:
    """``tracer`` on, and the cycle collector off: a collection could run Python
    code of its own (weakref callbacks, finalizers) and shift the count of events."""
    gc.collect()
    gc.disable()
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)
        gc.enable()


def events_of(call: Callable[[], Any]) -> Counter:
    """How many trace events ``call()`` makes (the range of k), and the commit's."""
    counter = Counter()
    with _traced(counter):
        call()
    return counter


def interrupt(call: Callable[[], Any], k: int) -> bool:
    """Run ``call()``, raising KeyboardInterrupt at its k-th event; whether it was."""
    try:
        with _traced(InterruptAfter(k)):
            call()
    except KeyboardInterrupt:
        return True
    return False


def graph(program: Program, point: tuple[float, ...], priors: list[Any]) -> Any:
    """The program's graph, its leaves' gradients set to ``priors`` (after an
    earlier create_graph pass, which leaves Values in them), and the leaves."""
    leaves = [Value(x) for x in point]
    root = run(program, leaves, VALUE_LIB)
    root.backward(create_graph=True)  # every leaf's .grad is now a Value
    for leaf, prior in zip(leaves, priors):
        if prior != "value":
            leaf.grad = prior
    constants = [
        v for v in autograd.topological_order(root) if not v.inputs and v not in leaves
    ]
    return root, leaves + constants


def snapshot(leaves: list[Value]) -> list[Any]:
    """Each leaf's gradient object."""
    return [leaf.grad for leaf in leaves]


def unchanged(leaves: list[Value], before: list[Any]) -> bool:
    """Every leaf holds the very object it held (identity: bits, NaN, Values)."""
    return all(leaf.grad is old for leaf, old in zip(leaves, before))


PASSES: dict[str, Callable[[Value], Any]] = {
    "backward": lambda root: root.backward(),
    "backward(create_graph=True)": lambda root: root.backward(create_graph=True),
    "backward, observed": lambda root: _observed(root),
    "backward_steps": lambda root: list(backward_steps(root)),
    "backward_steps(create_graph=True)": lambda root: list(
        backward_steps(root, create_graph=True)
    ),
}


def _observed(root: Value) -> None:
    with count_ops():  # an observer: the step-by-step path
        root.backward()


CASES = st.tuples(
    programs_with_inputs(),
    st.sampled_from(sorted(PASSES)),
    st.lists(PRIORS, min_size=3, max_size=3),
    st.floats(0.0, 1.0),
)


# An interrupt after the commit may land in a finalizer, where Python reports it as
# "Exception ignored" (unraisable) and goes on: expected there, see the test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@given(CASES)
def test_an_interrupt_anywhere_leaves_every_leaf_as_it_was(case):
    """KeyboardInterrupt at a random point of any backward path: every leaf's .grad
    is the object it was before (including -0.0, NaN and earlier Values)."""
    (program, point), name, priors, where = case
    note(f"{program}\n{name}")
    run_pass = PASSES[name]
    root, leaves = graph(program, point, priors)
    counted = events_of(lambda: run_pass(root))
    after = [_number(leaf.grad) for leaf in leaves]  # a completed pass
    root, leaves = graph(program, point, priors)  # the same graph, afresh
    before = snapshot(leaves)
    k = 1 + int(where * (counted.events - 1))
    note(f"interrupt at event {k} of {counted.events}, commit {counted.commit}")
    interrupted = interrupt(lambda: run_pass(root), k)
    done = [_number(leaf.grad) for leaf in leaves]
    if k <= counted.commit:
        assert interrupted and unchanged(leaves, before)
    else:  # after the commit: all of the pass (as after it returns) or none. (An
        # interrupt in a finalizer there is ignored by Python, as any exception is.)
        assert unchanged(leaves, before) or all(map(same_float, done, after))


@given(CASES)
def test_a_pass_run_after_an_interrupt_gives_the_uninterrupted_gradients(case):
    """After an interrupted pass, running it again gives what one pass would have:
    nothing of the interrupted pass was kept."""
    (program, point), name, priors, where = case
    run_pass = PASSES[name]
    root, leaves = graph(program, point, priors)
    commit = events_of(lambda: run_pass(root)).commit  # a completed pass
    expected = [_number(leaf.grad) for leaf in leaves]
    root, leaves = graph(program, point, priors)
    assert interrupt(lambda: run_pass(root), 1 + int(where * (commit - 1)))
    run_pass(root)
    assert all(map(same_float, [_number(leaf.grad) for leaf in leaves], expected))


def _number(v: Any) -> float:
    return v.data if isinstance(v, Value) else v


@given(programs_with_inputs(), st.lists(PRIORS, min_size=3, max_size=3), st.data())
def test_backward_steps_closed_early_leaves_every_leaf_as_it_was(case, priors, data):
    """A backward_steps iterator closed after any number of steps puts every leaf's
    gradient back; exhausted, it gives backward()'s gradients."""
    program, point = case
    root, leaves = graph(program, point, priors)
    before = snapshot(leaves)
    steps = backward_steps(root)
    count = len(autograd.topological_order(root)) - len(leaves)
    for _ in range(data.draw(st.integers(0, max(count - 1, 0)), label="steps")):
        next(steps)
    steps.close()
    assert unchanged(leaves, before)


def test_the_issue_example_keeps_an_earlier_gradient():
    """x.grad = 123.0, then a backward() interrupted halfway: x.grad is still 123.0."""

    def make() -> tuple[Value, Value]:
        x = Value(2.0)
        x.grad = 123.0
        return x, (x * x).tanh() * x

    commit = events_of(make()[1].backward).commit
    x, y = make()
    assert interrupt(y.backward, commit // 2)
    assert x.grad == 123.0


def _shared() -> tuple[Value, Value, Value]:
    """A leaf x read by many nodes (twice by some), y beside it; and the root."""
    x, y = Value(1.5), Value(-0.5)
    x.grad, y.grad = -0.0, math.nan
    root = autograd.sum([x * x, x * y, x.exp(), autograd.dot([x, x], [y, x])])
    return x, y, root


@pytest.mark.parametrize("fraction", [i / 40 for i in range(41)])
def test_a_leaf_shared_by_many_nodes_is_restored_at_every_event(fraction):
    """A leaf read by many nodes is held once and restored once, at whatever event
    the interrupt comes before the commit: -0.0 stays -0.0, NaN stays NaN."""
    commit = events_of(_shared()[2].backward).commit
    x, y, root = _shared()
    before = snapshot([x, y])
    assert interrupt(root.backward, 1 + int(fraction * (commit - 1)))
    assert unchanged([x, y], before)


def test_a_leaf_shared_by_many_nodes_gets_every_contribution():
    """Uninterrupted, the shared leaf gets the sum of its paths (the test above is
    about the same pass)."""
    x, _, root = _shared()
    root.backward()
    assert math.isclose(x.grad, 4 * 1.5 + 2 * -0.5 + math.exp(1.5))


def test_an_anomaly_error_leaves_every_leaf_as_it_was():
    """An AnomalyError in the middle of a backward pass (sqrt at 0) undoes it."""
    x, w = Value(0.0), Value(2.0)
    x.grad, w.grad = 5.0, -0.0
    y = (x.sqrt() + w * w).exp()
    with detect_anomaly(), pytest.raises(AnomalyError):
        y.backward()
    assert x.grad == 5.0 and same_float(w.grad, -0.0)


def test_an_exception_from_an_observer_leaves_every_leaf_as_it_was():
    """Any exception raised while the pass runs (here by an observer) undoes it."""
    from autograd.modes import Observer, observe

    class Fails(Observer):
        def on_backward_step(self, step: Any) -> None:
            if step.node.op == "tanh":
                raise RuntimeError("stop")

    x = Value(0.5)
    x.grad = 7.0
    y = (x * 3.0).tanh() * x
    with observe(Fails()), pytest.raises(RuntimeError):
        y.backward()
    assert x.grad == 7.0


def test_an_interrupted_leaf_root_keeps_its_gradient():
    """backward() of a leaf: interrupted at any event, its .grad is as it was."""
    x = Value(1.0)
    x.grad = -0.0
    commit = events_of(Value(1.0).backward).commit
    for k in range(1, commit + 1):
        assert interrupt(x.backward, k)
        assert same_float(x.grad, -0.0)
