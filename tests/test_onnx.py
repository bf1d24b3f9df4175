"""model.to_onnx(path): the file, run in onnxruntime, against our forward pass.

Where onnx or onnxruntime is missing these tests skip (``tests/capabilities.py``),
except the one that checks the error a user without onnx gets. The route through
PyTorch (``torch.onnx.export(model.to_torch(), ...)``) needs torch and onnxscript.
"""

from __future__ import annotations

import os
import random
import struct
import sys
import tempfile
from typing import Any

import pytest
from capabilities import missing
from hypothesis import given
from hypothesis import strategies as st
from torch_agreement import FORWARD_BOUND, absolute_network

import nn

FLOAT32_EPSILON = 2.0**-23
# float32 rounds every parameter and input once and every sum as it goes: a few
# epsilons of the absolute network per layer. (A bound, not a measurement.)
FLOAT32_BOUND = 16 * FLOAT32_EPSILON


def _onnx() -> tuple[Any, Any]:
    try:
        import onnx
        import onnxruntime
    except ImportError:
        missing(
            "onnx", 'onnx and onnxruntime are not installed (pip install -e ".[onnx]")'
        )
    return onnx, onnxruntime


def _run(
    path: str, batch: list[list[float]], dtype: str = "float64"
) -> list[list[float]]:
    """The ONNX file's outputs for ``batch``, run in onnxruntime."""
    import numpy

    _, onnxruntime = _onnx()
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    array = numpy.array(batch, dtype=dtype)
    return session.run(None, {"input": array})[0].astype("float64").tolist()


def _ours(model: nn.Module, batch: list[list[float]]) -> list[list[float]]:
    outs = [model(x) for x in batch]
    return [[v.data for v in (out if isinstance(out, list) else [out])] for out in outs]


@st.composite
def models_and_batches(draw: st.DrawFn) -> tuple[nn.MLP, list[list[float]]]:
    """A random MLP and a batch of 1-5 random inputs for it."""
    nin = draw(st.integers(1, 4))
    model = nn.MLP(
        nin,
        draw(st.lists(st.integers(1, 6), min_size=1, max_size=3)),
        draw(st.sampled_from(["relu", "tanh", "sigmoid", None])),
        seed=draw(st.integers(0, 2**32)),
    )
    point = st.lists(st.floats(-3.0, 3.0), min_size=nin, max_size=nin)
    return model, draw(st.lists(point, min_size=1, max_size=5))


def _within(model: nn.MLP, batch, theirs, bound: float) -> None:
    for ours, other, x in zip(_ours(model, batch), theirs, batch):
        sizes = absolute_network(model, x)
        for a, b, size in zip(ours, other, sizes):
            assert abs(a - b) <= bound * size, (a, b, size)


@given(models_and_batches())
def test_onnx_file_computes_our_forward_pass(case) -> None:
    """onnxruntime's outputs equal ours to FORWARD_BOUND (float64, as to_torch)."""
    _onnx()
    model, batch = case
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.onnx")
        model.to_onnx(path)
        theirs = _run(path, batch)
    _within(model, batch, theirs, FORWARD_BOUND)


@given(models_and_batches())
def test_float32_onnx_file_computes_our_forward_pass_in_float32(case) -> None:
    """With dtype='float32' the outputs agree to float32 rounding."""
    _onnx()
    model, batch = case
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.onnx")
        model.to_onnx(path, dtype="float32")
        theirs = _run(path, batch, "float32")
    _within(model, batch, theirs, FLOAT32_BOUND * len(model.layers))


@pytest.mark.parametrize(
    "build",
    [lambda: nn.Layer(3, 4, "sigmoid", seed=1), lambda: nn.Neuron(3, "tanh", seed=2)],
    ids=["Layer", "Neuron"],
)
def test_layer_and_neuron_export_too(tmp_path, build) -> None:
    """A Layer or a Neuron is a file with one Gemm and its activation."""
    _onnx()
    module = build()
    path = str(tmp_path / "m.onnx")
    module.to_onnx(path)
    batch = [[0.5, -1.0, 2.0], [0.0, 0.25, -0.75]]
    for ours, theirs in zip(_ours(module, batch), _run(path, batch)):
        assert ours == pytest.approx(theirs, rel=1e-15, abs=1e-15)


def test_onnx_file_holds_every_parameter_bit_for_bit(tmp_path) -> None:
    """The initializers are PyTorch's names and our floats, every bit (float64)."""
    onnx, _ = _onnx()
    from onnx import numpy_helper

    model = nn.MLP(2, [3, 4, 1], "tanh", seed=0)
    model.layers[0].neurons[0].w[0].data = -0.0
    model.layers[1].neurons[2].b.data = 5e-324
    path = tmp_path / "m.onnx"
    model.to_onnx(path)
    document = onnx.load(str(path))
    stored = {t.name: numpy_helper.to_array(t) for t in document.graph.initializer}
    names = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert list(stored) == names
    for i, layer in enumerate(model.layers):
        weight, bias = stored[f"{2 * i}.weight"], stored[f"{2 * i}.bias"]
        for k, neuron in enumerate(layer.neurons):
            pack = [struct.pack("<d", w.data) for w in neuron.w]
            assert [struct.pack("<d", float(x)) for x in weight[k]] == pack
            assert struct.pack("<d", float(bias[k])) == struct.pack("<d", neuron.b.data)


def test_onnx_file_declares_its_interface(tmp_path) -> None:
    """Opset 17, IR 8, input [batch, nin] and output [batch, nout], checker-clean."""
    onnx, _ = _onnx()
    path = tmp_path / "m.onnx"
    nn.MLP(3, [5, 2], seed=0).to_onnx(path)
    document = onnx.load(str(path))
    onnx.checker.check_model(document, full_check=True)
    assert document.ir_version == 8
    assert [(o.domain, o.version) for o in document.opset_import] == [("", 17)]
    (x,), (y,) = document.graph.input, document.graph.output
    dims = [
        [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
        for v in (x, y)
    ]
    assert (x.name, y.name) == ("input", "output")
    assert dims == [["batch", 3], ["batch", 2]]
    assert [n.op_type for n in document.graph.node] == ["Gemm", "Relu", "Gemm"]
    assert document.producer_name == "scalar-autograd"


def test_float32_export_refuses_a_parameter_beyond_its_range(tmp_path) -> None:
    """A parameter too large for float32 is named (ValueError), nothing is written."""
    _onnx()
    model = nn.MLP(2, [1], seed=0)
    model.layers[0].neurons[0].w[1].data = 1e300
    with pytest.raises(ValueError, match=r"'layers\.0\.neurons\.0\.w\.1' is 1e\+300"):
        model.to_onnx(tmp_path / "m.onnx", dtype="float32")
    assert os.listdir(tmp_path) == []


def test_to_onnx_writes_through_a_symlink_and_refuses_a_directory(tmp_path) -> None:
    """Written as save writes: a link stays a link; a directory is refused."""
    _onnx()
    target = tmp_path / "real.onnx"
    target.write_bytes(b"old")
    link = tmp_path / "link.onnx"
    link.symlink_to(target)
    nn.MLP(2, [1], seed=0).to_onnx(link)
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"\x08\x08\x12\x0fscalar-autograd")
    with pytest.raises(IsADirectoryError):
        nn.MLP(2, [1], seed=0).to_onnx(tmp_path)


def test_to_onnx_of_a_module_of_your_own_names_it(tmp_path) -> None:
    """A user's own Module has no ONNX counterpart: TypeError naming the class."""

    class Mine(nn.Module):
        pass

    with pytest.raises(TypeError, match="Mine has no PyTorch or ONNX counterpart"):
        Mine().to_onnx(tmp_path / "m.onnx")


def test_without_onnx_the_error_says_which_extra_to_install(tmp_path, monkeypatch):
    """With onnx not importable: ModuleNotFoundError naming the onnx extra."""
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ModuleNotFoundError) as error:
        nn.MLP(2, [1]).to_onnx(tmp_path / "m.onnx")
    assert 'pip install "scalar-autograd[onnx]"' in str(error.value)
    assert os.listdir(tmp_path) == []


def test_torch_onnx_export_of_the_twin_runs_too(tmp_path) -> None:
    """The route through PyTorch: torch.onnx.export(model.to_torch(), ...) works."""
    _onnx()
    try:
        import onnxscript  # noqa: F401 - torch.onnx.export's exporter needs it
        import torch
    except ImportError:
        missing("torch", "torch and onnxscript are needed for torch.onnx.export")
    model = nn.MLP(2, [8, 3], "sigmoid", seed=4)
    path = str(tmp_path / "twin.onnx")
    torch.onnx.export(
        model.to_torch().eval(),
        (torch.zeros(1, 2, dtype=torch.float64),),
        path,
        input_names=["input"],
        output_names=["output"],
        dynamic_shapes=({0: "batch"},),
        dynamo=True,
    )
    rng = random.Random(0)
    batch = [[rng.uniform(-3, 3), rng.uniform(-3, 3)] for _ in range(7)]
    _within(model, batch, _run(path, batch), FORWARD_BOUND)
