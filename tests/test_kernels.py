"""The generated float kernels are the table's formulas, bit for bit, for every op."""

from __future__ import annotations

from typing import Any

import pytest
from strategies import probes, same_float

from autograd import Value, kernels
from autograd.backward import backward_steps
from autograd.ops import FLOAT_MATH, OPS

ALL_OPS = sorted(OPS)


def table_forward(name: str, xs: tuple[float, ...]) -> Any:
    """The op's checked forward read straight from the table: a float or an error."""
    op = OPS[name]
    out = op.forward(xs, FLOAT_MATH)
    for domain in op.domain:
        if domain.fails(xs, out, FLOAT_MATH):
            return domain.error(domain.message.format(*xs))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        return type(a) is type(b) and str(a) == str(b)
    return same_float(a, b)


def _run(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except (ArithmeticError, ValueError) as error:
        return error


@pytest.mark.parametrize("name", ALL_OPS)
def test_generated_forward_is_the_tables(name):
    """FORWARD[op] raises the table's error or returns the table's number, on probes."""
    op = OPS[name]
    for xs in probes(name):
        expected = table_forward(name, xs)
        if op.nary:
            got = _run(kernels.FORWARD[name], xs)
        else:
            got = _run(kernels.FORWARD[name], *xs)
        assert _same(got, expected), (xs, got, expected)


@pytest.mark.parametrize("name", [n for n in ALL_OPS if OPS[n].nary is None])
def test_generated_total_forward_never_raises(name):
    """TOTAL[op] is the table's total forward: the same bits, and never an error."""
    for xs in probes(name):
        expected = OPS[name].forward(xs, FLOAT_MATH)
        assert same_float(kernels.TOTAL[name](*xs), expected), xs


@pytest.mark.parametrize("name", [n for n in ALL_OPS if OPS[n].nary is None])
def test_generated_partials_are_the_rules(name):
    """PARTIALS[op] gives the rule's float partials bit for bit, kinks and NaN too."""
    for xs in probes(name):
        out = OPS[name].forward(xs, FLOAT_MATH)
        expected = OPS[name].partials(xs, out, FLOAT_MATH)
        got = kernels.PARTIALS[name](*xs, out)
        assert len(got) == len(expected) == len(xs)
        assert all(map(same_float, got, expected)), (xs, got, expected)


def _node(name: str, xs: tuple[float, ...]) -> tuple[Value, list[Value]]:
    """A node of op ``name`` on fresh leaves, its number the table's total forward."""
    from autograd.value import _node as make

    leaves = [Value(x) for x in xs]
    return make(OPS[name].forward(xs, FLOAT_MATH), tuple(leaves), name), leaves


@pytest.mark.parametrize("name", ALL_OPS)
@pytest.mark.parametrize("upstream", [1.0, -0.75, 0.0, float("inf"), float("nan")])
def test_generated_backward_is_upstream_times_the_rule(name, upstream):
    """backward through one node adds upstream * partial to its inputs, bit for bit."""
    for xs in probes(name):
        node, leaves = _node(name, xs)
        steps = list(backward_steps(node, upstream))
        reference = [leaf.grad for leaf in leaves]
        for leaf in leaves:
            leaf.grad = 0.0
        node.backward(upstream)
        assert len(steps) == (1 if xs else 0)  # a node of no inputs is a leaf
        assert all(map(same_float, [leaf.grad for leaf in leaves], reference)), xs


def test_the_generated_source_is_there_to_read():
    """kernels.SOURCE is the Python that runs, with one function per op."""
    for name, op in OPS.items():
        assert f"def forward_{name}(" in kernels.SOURCE
        if op.nary is None:
            assert f"def partials_{name}(" in kernels.SOURCE
    assert "def backward_pass(order):" in kernels.SOURCE


def test_an_op_added_to_the_table_gets_its_code(monkeypatch):
    """A new op needs no change outside the table: its kernels are generated."""
    from autograd.ops import Op

    cube = Op(
        "cube",
        1,
        lambda xs, m: xs[0] * xs[0] * xs[0],
        lambda xs, out, m: (3.0 * xs[0] * xs[0],),
        (),
        "x ** 3",
    )
    monkeypatch.setitem(OPS, "cube", cube)
    source, namespace = kernels._generate()
    assert namespace["forward_cube"](2.0) == 8.0
    assert namespace["partials_cube"](2.0, 8.0) == (12.0,)
    assert "# cube" in source
