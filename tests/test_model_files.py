"""Model files under random architectures and extreme parameters (property tests).

The nn save/load guarantees (docs/nn.md, "Saving and loading"): a round trip
restores every bit; a file of another architecture, a truncated or corrupted file is
refused with ``ValueError`` and leaves the model untouched; a save that fails never
destroys the file that was there; a save through a symlink keeps the link; a save
removes its own stale temporary files and no one else's. ``tests/test_save_load.py``
checks each on fixed examples; these tests draw the models and the numbers.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

nn = pytest.importorskip("nn")

EXTREMES = (
    sys.float_info.max,
    -sys.float_info.max,
    1e308,
    -1e308,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.1,
    1 / 3,
)

parameter_values = st.one_of(
    st.sampled_from(EXTREMES), st.floats(allow_nan=False, allow_infinity=False)
)
"""Any finite float, with the extremes of the float range drawn often."""


@st.composite
def architectures(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments of a small random MLP: inputs, layer sizes, activation, seed."""
    return {
        "nin": draw(st.integers(1, 4)),
        "layer_sizes": draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)),
        "activation": draw(st.sampled_from(sorted(nn.ACTIVATIONS, key=str))),
        "seed": draw(st.integers(0, 2**32)),
    }


@st.composite
def models(draw: st.DrawFn) -> Any:
    """A random MLP whose parameters are random finite floats, extremes included."""
    model = nn.MLP(**draw(architectures()))
    for p in model.parameters():
        p.data = draw(parameter_values)
    return model


def bits(model: Any) -> list[str]:
    """Every parameter as its exact bits (``float.hex``: -0.0 differs from 0.0)."""
    return [p.data.hex() for p in model.parameters()]


def fresh_copy(model: Any, seed: int = 12345) -> Any:
    """A model of the same architecture with other (seeded) parameters."""
    return nn.MLP(model.nin, model.layer_sizes, model.activation, seed=seed)


@contextmanager
def model_file() -> Iterator[str]:
    """A path in a new temporary folder (hypothesis cannot reuse pytest's tmp_path)."""
    with tempfile.TemporaryDirectory() as folder:
        yield os.path.join(folder, "model.json")


@given(models())
def test_save_load_round_trip_is_bit_exact(model: Any) -> None:
    """Loading what was saved restores every parameter bit for bit."""
    with model_file() as path:
        model.save(path)
        loaded = fresh_copy(model).load(path)
    assert bits(loaded) == bits(model)


@given(models())
def test_state_dict_round_trip_is_bit_exact(model: Any) -> None:
    """load_state_dict(state_dict()) restores every parameter bit for bit."""
    copy = fresh_copy(model)
    copy.load_state_dict(model.state_dict())
    assert bits(copy) == bits(model)


@given(models(), architectures())
def test_file_of_another_architecture_is_refused(
    model: Any, other_arguments: dict[str, Any]
) -> None:
    """Loading into another architecture raises ValueError and changes nothing."""
    other = nn.MLP(**other_arguments)
    assume(other.architecture() != model.architecture())
    before = bits(other)
    with model_file() as path:
        model.save(path)
        with pytest.raises(ValueError, match="another architecture"):
            other.load(path)
    assert bits(other) == before


@given(models(), st.data())
def test_truncated_file_is_refused(model: Any, data: st.DataObject) -> None:
    """Every proper prefix of a saved file is refused with ValueError."""
    target = fresh_copy(model)
    before = bits(target)
    with model_file() as path:
        model.save(path)
        with open(path, "rb") as f:
            content = f.read()
        cut = data.draw(st.integers(0, len(content.rstrip()) - 1), label="cut")
        with open(path, "wb") as f:
            f.write(content[:cut])
        with pytest.raises(ValueError):
            target.load(path)
    assert bits(target) == before


@given(models(), st.data())
def test_corrupted_file_is_refused_or_loads_finite_numbers(
    model: Any, data: st.DataObject
) -> None:
    """A file with a random byte changed is refused, or loads finite floats only.

    A changed digit can leave a valid file with another number: no format without
    a checksum can tell; what must never happen is another error, a non-finite
    parameter, or a half-loaded model.
    """
    target = fresh_copy(model)
    before = bits(target)
    with model_file() as path:
        model.save(path)
        with open(path, "rb") as f:
            content = bytearray(f.read())
        index = data.draw(st.integers(0, len(content) - 1), label="index")
        content[index] = data.draw(st.integers(0, 255), label="byte")
        with open(path, "wb") as f:
            f.write(content)
        try:
            target.load(path)
        except ValueError:
            assert bits(target) == before
            return
    assert all(math.isfinite(p.data) for p in target.parameters())


@given(models(), models())
def test_failed_save_keeps_the_old_file(old: Any, new: Any) -> None:
    """A save that fails at the final rename leaves the previous file intact."""
    with model_file() as path:
        old.save(path)
        with (
            mock.patch("os.replace", side_effect=OSError("disk full")),
            pytest.raises(OSError, match="disk full"),
        ):
            new.save(path)
        assert os.listdir(os.path.dirname(path)) == ["model.json"]
        assert bits(fresh_copy(old).load(path)) == bits(old)


@given(models(), st.data())
def test_saving_a_non_finite_parameter_is_refused_and_keeps_the_old_file(
    model: Any, data: st.DataObject
) -> None:
    """A model with a NaN or inf parameter raises ValueError; the old file remains."""
    with model_file() as path:
        model.save(path)
        parameters = model.parameters()
        index = data.draw(st.integers(0, len(parameters) - 1), label="index")
        original = parameters[index].data
        parameters[index].data = data.draw(
            st.sampled_from([math.nan, math.inf, -math.inf])
        )
        with pytest.raises(ValueError, match="not finite"):
            model.save(path)
        parameters[index].data = original
        assert bits(fresh_copy(model).load(path)) == bits(model)


@given(models())
def test_save_through_a_symlink_round_trips_and_keeps_the_link(model: Any) -> None:
    """Saving to a link and loading from it restores every bit; the link stays."""
    with model_file() as path:
        target = path + ".target"
        os.symlink(target, path)
        model.save(path)
        assert os.path.islink(path) and os.path.isfile(target)
        assert bits(fresh_copy(model).load(path)) == bits(model)


our_heads = st.sampled_from([nn.module.FILE_HEAD, nn.module.ONNX_HEAD]).flatmap(
    lambda head: st.integers(0, len(head) + 20).map(lambda n: (head + b"0" * 20)[:n])
)
"""The first bytes of a file our own save or to_onnx was writing when it died."""

foreign = st.binary(min_size=1, max_size=60).filter(
    lambda b: (
        not any(
            h.startswith(b[: len(h)]) or b.startswith(h)
            for h in (nn.module.FILE_HEAD, nn.module.ONNX_HEAD)
        )
    )
)
"""Bytes that no save of ours begins with."""


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ours", "other target", "no token", "old style"]),
            st.one_of(
                our_heads.map(lambda b: ("ours", b)),
                foreign.map(lambda b: ("foreign", b)),
            ),
        ),
        max_size=6,
    )
)
def test_save_removes_exactly_its_own_stale_temporaries(files: list) -> None:
    """Of files beside the target, only those of our name and our content go."""
    names = {
        "ours": ".model.json.{}.scalar-autograd.tmp",
        "other target": ".other.json.{}.scalar-autograd.tmp",
        "no token": ".model.json.{}x.scalar-autograd.tmp",
        "old style": ".model.json.{}.tmp",
    }
    with model_file() as path:
        folder = os.path.dirname(path)
        expected_left = set()
        for i, (kind, (content_kind, content)) in enumerate(files):
            name = names[kind].format(f"{i:016x}")
            with open(os.path.join(folder, name), "wb") as f:
                f.write(content)
            if not (kind == "ours" and content_kind == "ours"):
                expected_left.add(name)
        nn.MLP(2, [1], seed=0).save(path)
        assert set(os.listdir(folder)) == expected_left | {"model.json"}
