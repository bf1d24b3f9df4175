"""Record once, replay fast: a tape gives the eager engine's results bit for bit."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from capabilities import missing
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import apply_op, probes, programs, run_all, same_float

import autograd
import nn
from autograd import Tape, Value
from autograd.ops import FLOAT_MATH, OPS
from autograd.tape import c as c_backend
from autograd.tape.source import namespace

BACKENDS = ["python", "c"]


def _c_or_skip(backend: str) -> None:
    if backend == "c" and c_backend.compiler() is None:
        missing("cc", "no C compiler: the C backend cannot be built here")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend, the C one where a compiler is available."""
    _c_or_skip(request.param)
    return str(request.param)


def outcome(compute: Any) -> Any:
    """What ``compute()`` returns, or the error it raises."""
    try:
        return compute()
    except (ArithmeticError, ValueError) as error:
        return error


def same_outcome(a: Any, b: Any) -> bool:
    """The same error (type and message) or the same numbers bit for bit."""
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        return type(a) is type(b) and str(a) == str(b)
    value_a, grads_a = a
    value_b, grads_b = b
    return (
        same_float(value_a, value_b)
        and len(grads_a) == len(grads_b)
        and all(map(same_float, grads_a, grads_b))
    )


def root_of(program: Any, leaves: list[Value]) -> Value:
    """The sum of every step's result: a root that reads the whole program (a tape
    records what the root depends on; eager would also run dead code)."""
    return autograd.sum(run_all(program, leaves)[program.n_inputs :])


def eager(program: Any, point: tuple[float, ...]) -> tuple[float, list[float]]:
    """The program rebuilt eagerly at ``point``, then ``backward()``."""
    leaves = [Value(x) for x in point]
    out = root_of(program, leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def recorded(program: Any, point: tuple[float, ...], backend: str) -> Tape:
    leaves = [Value(x) for x in point]
    return Tape(root_of(program, leaves), leaves, backend=backend)


_HOSTILE = [0.0, -0.0, 1e300, -1e300, 5e-324, 800.0, math.inf, -math.inf, math.nan]
_ANY_FLOAT = st.one_of(st.floats(-3.0, 3.0), st.sampled_from(_HOSTILE))


@settings(max_examples=150, deadline=None)
@given(
    programs(max_steps=10),
    st.data(),
    st.sampled_from(BACKENDS),
)
def test_replay_at_new_inputs_is_eager_bit_for_bit(program, data, backend):
    """Recorded at one point, replayed at another: eager's value and gradient, or
    eager's error, at that other point."""
    _c_or_skip(backend)
    first = data.draw(st.tuples(*[st.floats(-2.0, 2.0)] * program.n_inputs))
    second = data.draw(st.tuples(*[_ANY_FLOAT] * program.n_inputs))
    try:
        tape = recorded(program, first, backend)
    except (ArithmeticError, ValueError):
        return  # the program is not defined at the recording point
    expected = outcome(lambda: eager(program, second))
    assert same_outcome(outcome(lambda: tape(list(second))), expected), second
    if not isinstance(expected, BaseException):
        assert same_float(tape.forward(list(second)), expected[0])


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_replays_as_the_table_says(name, backend):
    """Each op on probes: the table's forward (or its error) and 0.0 + 1.0 * partial
    for each input, in both backends: the generated code is the table's."""
    op = OPS[name]
    for xs in probes(name):
        if name == "pow_const":  # the exponent is a number, baked in
            leaves = [Value(1.0)]
            node = leaves[0] ** xs[1]
        else:
            leaves = [Value(1.0) for _ in xs]
            node = apply_op(name, leaves)
        tape = Tape(node, leaves, backend=backend)
        out = op.forward(list(xs), FLOAT_MATH)
        error = None
        for domain in op.domain:
            if domain.fails(list(xs), out, FLOAT_MATH):
                error = domain.error(domain.message.format(*xs))
                break
        if error is not None:
            expected: Any = error
        else:
            partials = op.partials(list(xs), out, FLOAT_MATH)
            grads = [0.0 + 1.0 * p for p in partials][: len(leaves)]
            expected = (out, grads)
        values = list(xs[: len(leaves)])
        got = outcome(lambda t=tape, v=values: t(v))
        assert same_outcome(got, expected), xs


def test_the_two_backends_agree_on_micrograds_demo():
    """The demo's loss: eager, Python and C give the same 337 gradient bits."""
    if c_backend.compiler() is None:
        missing("cc", "no C compiler")
    X, labels = nn.datasets.make_moons(100, noise=0.1, seed=0)
    y = [2 * c - 1 for c in labels]
    model = nn.MLP(2, [16, 16, 1], seed=1)
    params = model.parameters()
    loss = nn.hinge_loss(model.forward_batch(X), y) + 1e-4 * autograd.dot(
        params, params
    )
    tapes = [Tape(loss, params, backend=b) for b in BACKENDS]
    rng = random.Random(3)
    values = [p.data + rng.uniform(-0.1, 0.1) for p in params]
    for p, v in zip(params, values):
        p.data = v
    rebuilt = nn.hinge_loss(model.forward_batch(X), y) + 1e-4 * autograd.dot(
        params, params
    )
    model.zero_grad()
    rebuilt.backward()
    expected = (rebuilt.data, [p.grad for p in params])
    for tape in tapes:
        assert same_outcome(tape(values), expected), tape.backend


def test_tape_backward_accumulates_as_backward_does(backend):
    """tape.backward() reads .data, adds into .grad and returns the loss, twice."""
    x, y = Value(0.5, label="x"), Value(-2.0, label="y")
    f = (x * y).tanh() + x.exp() * y
    tape = Tape(f, [x, y], backend=backend)
    x.data, y.data = 0.75, 1.25
    eager_x, eager_y = Value(0.75), Value(1.25)
    g = (eager_x * eager_y).tanh() + eager_x.exp() * eager_y
    g.backward()
    g.backward()
    x.grad = y.grad = 0.0
    assert tape.backward() == g.data
    assert tape.backward() == g.data
    assert (x.grad, y.grad) == (eager_x.grad, eager_y.grad)


def test_the_training_loop_with_a_tape_matches_eager(backend):
    """SGD for 5 steps through a tape: the same parameters, bit for bit."""
    X, labels = nn.datasets.make_moons(20, noise=0.1, seed=2)
    y = [2 * c - 1 for c in labels]

    def loss_of(model: nn.MLP) -> Value:
        return nn.hinge_loss(model.forward_batch(X), y)

    ours, theirs = nn.MLP(2, [4, 1], seed=5), nn.MLP(2, [4, 1], seed=5)
    tape = Tape(loss_of(ours), ours.parameters(), backend=backend)
    opt_tape = nn.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    opt_eager = nn.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for _ in range(5):
        opt_tape.zero_grad()
        value = tape.backward()
        opt_tape.step()
        opt_eager.zero_grad()
        loss = loss_of(theirs)
        loss.backward()
        opt_eager.step()
        assert value == loss.data
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]


def test_constants_and_python_branches_are_frozen(backend):
    """A leaf that is not an input, and an if on .data, keep their recorded values."""
    x, c = Value(2.0), Value(10.0)
    y = x * c if x.data > 0 else -x  # the branch taken while recording
    tape = Tape(y, [x], backend=backend)
    c.data = 100.0  # changes nothing: c was baked in
    value, (grad,) = tape([-3.0])
    assert (value, grad) == (-30.0, 10.0)


def test_a_rules_branch_is_recomputed_on_replay(backend):
    """relu's kink and pow's y = 0 case are decided at replay time, not recorded."""
    x, y = Value(1.0), Value(2.0)
    tape = Tape(x.relu() + x**y, [x, y], backend=backend)
    value, grads = tape([-4.0, 0.0])
    assert value == 0.0 + (-4.0) ** 0.0
    assert grads[0] == 0.0  # relu'(-4) = 0, d/dx x**0 = 0


def test_domain_errors_on_replay_are_eagers(backend):
    """log of a negative number raises log's own ValueError, as eager does."""
    x = Value(1.0)
    tape = Tape(x.log() + 1.0, [x], backend=backend)
    with pytest.raises(ValueError, match=r"^log: x must be > 0, got -1.0$"):
        tape([-1.0])
    y = Value(1.0)
    tape = Tape(y.exp(), [y], backend=backend)
    with pytest.raises(OverflowError, match=r"^exp: "):
        tape([1000.0])


def test_an_input_the_root_does_not_read_has_gradient_zero(backend):
    """An input outside the graph is allowed; its gradient is 0.0."""
    x, unused = Value(2.0), Value(5.0)
    tape = Tape(x * x, [x, unused], backend=backend)
    assert tape([3.0, 7.0]) == (9.0, [6.0, 0.0])


def test_a_leaf_root_is_its_own_gradient(backend):
    """A tape of an input alone: value = the input, gradient 1."""
    x = Value(2.0)
    assert Tape(x, [x], backend=backend)([4.0]) == (4.0, [1.0])


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda x, y: Tape(2.0, [x]), TypeError, "root must be a Value"),
        (lambda x, y: Tape(y, [y]), ValueError, r"inputs\[0\] is not a leaf"),
        (lambda x, y: Tape(y, [x, x]), ValueError, r"inputs\[1\] is inputs\[0\]"),
        (lambda x, y: Tape(y, [x, 3.0]), TypeError, r"inputs\[1\] must be a Value"),
        (lambda x, y: Tape(y, x), TypeError, "inputs must be a sequence"),
        (lambda x, y: Tape(y, [x], backend="gpu"), ValueError, "backend must be"),
    ],
)
def test_bad_recordings_are_refused_by_name(make, error, match):
    """A bad root, input or backend raises an error naming it."""
    x = Value(1.0)
    with pytest.raises(error, match=match):
        make(x, x * 2.0)


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ([1.0, 2.0], ValueError, "got 2 values for 1 input"),
        (["a"], TypeError, r"values\[0\] must be a number"),
        ([True], TypeError, r"values\[0\] must be a number"),
        (3.0, TypeError, "values must be a sequence"),
        ([10**400], OverflowError, r"values\[0\] is too large"),
    ],
)
def test_bad_values_are_refused_by_name(values, error, match, backend):
    """A wrong count, a non-number or a huge int raises an error naming it."""
    x = Value(1.0)
    tape = Tape(x * 2.0, [x], backend=backend)
    with pytest.raises(error, match=match):
        tape(values)
    with pytest.raises(error, match=match):
        tape.forward(values)


@settings(max_examples=60, deadline=None)
@given(programs(max_steps=8), st.data())
def test_the_printed_source_runs_and_gives_the_tapes_results(program, data):
    """exec(tape.source()) defines replay(), and replay gives the tape's numbers."""
    point = data.draw(st.tuples(*[st.floats(-2.0, 2.0)] * program.n_inputs))
    try:
        tape = recorded(program, point, "python")
    except (ArithmeticError, ValueError):
        return
    names = namespace()
    exec(tape.source(), names)
    other = data.draw(st.tuples(*[st.floats(-2.0, 2.0)] * program.n_inputs))
    assert same_outcome(
        outcome(lambda: names["replay"](*other)), outcome(lambda: tape(list(other)))
    )


def test_the_neurons_program_reads_as_the_chain_rule():
    """Labels name the variables; one backward line per contribution."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    source = Tape(o, [x1, w1, x2, w2, b], backend="python").source()
    assert "def replay(x1, w1, x2, w2, b):" in source
    assert "    o = tanh(" in source
    assert "    g_w1 += g_v3 * x1" in source
    assert source.startswith("# recorded by autograd.Tape: 5 forward lines, 9 backward")


def test_a_derivative_graph_replays_total(backend):
    """A create_graph derivative (total nodes) replays with NaN, never an error."""
    x, y = Value(2.0), Value(3.0)
    (x**y).backward(create_graph=True)
    dy = y.grad  # x**y log x: a log node made by the backward pass
    tape = Tape(dy, [x, y], backend=backend)
    value, _ = tape([-2.0, 3.0])
    assert math.isnan(value)  # eager: log of -2 in a derivative is NaN


def test_asking_for_c_without_a_compiler_says_why(monkeypatch):
    """backend='c' with no compiler raises RuntimeError; 'auto' falls back."""
    monkeypatch.setattr(c_backend, "_library", None)
    monkeypatch.setattr(c_backend, "compiler", lambda: None)
    x = Value(1.0)
    with pytest.raises(RuntimeError, match="needs a C compiler"):
        Tape(x * x, [x], backend="c")
    assert Tape(x * x, [x]).backend == "python"


def test_auto_picks_c_where_it_can():
    """With a compiler, the default backend is C."""
    if c_backend.compiler() is None:
        missing("cc", "no C compiler")
    x = Value(1.0)
    assert Tape(x * x, [x]).backend == "c"


@pytest.mark.parametrize("program_limit", [0, 10**9])
def test_both_python_engines_give_the_same_bits(program_limit, monkeypatch):
    """The compiled program (small tapes) and the interpreter (large ones) agree."""
    import autograd.tape as tape_module

    monkeypatch.setattr(tape_module, "PROGRAM_LIMIT", program_limit)
    xs = [Value(0.1 * i - 1.0) for i in range(12)]
    total = autograd.linear(xs[:5], xs[5:10], xs[10]).tanh() * autograd.sum(xs)
    out = (total / (xs[11] * xs[11] + 1.0)).sigmoid().log() + xs[3].relu()
    tape = Tape(out, xs, backend="python")
    out.backward()
    assert same_outcome(tape([x.data for x in xs]), (out.data, [x.grad for x in xs]))


def test_a_long_chain_records_and_replays_without_recursion(backend):
    """A 200,000-node chain: no RecursionError anywhere, the eager gradient."""
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0000001
    tape = Tape(y, [x], backend=backend)
    y.backward()
    assert tape([1.0]) == (y.data, [x.grad])


def test_a_fused_sum_adds_as_pythons_sum_does(backend):
    """sum([1e16, 1.0, -1e16]): Python's sum() of floats (compensated from 3.12)."""
    xs = [Value(1e16), Value(1.0), Value(-1e16)]
    tape = Tape(autograd.sum(xs), xs, backend=backend)
    value, grads = tape([1e16, 1.0, -1e16])
    assert value == sum([1e16, 1.0, -1e16], 0.0)
    assert grads == [1.0, 1.0, 1.0]


def test_the_docs_show_the_neurons_program_as_printed():
    """docs/tape.md shows exactly what tape.source() prints for the neuron."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "tape.md").read_text()
    shown = re.search(r"<!-- tape: neuron -->\n```python\n(.*?)```", text, re.S)
    assert shown is not None
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    assert shown.group(1) == Tape(o, [x1, w1, x2, w2, b]).source()


def test_the_docs_training_loop_runs():
    """The replay example of docs/tape.md runs and trains."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "tape.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    loop = next(b for b in blocks if "tape.backward()" in b)
    names: dict[str, Any] = {}
    exec(loop, names)
    assert names["loss_value"] < 0.5
