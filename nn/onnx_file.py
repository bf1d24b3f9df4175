"""``model.to_onnx(path)``: an ``nn`` model as an ONNX file, written directly.

The graph is the model's stack of dense layers: per layer one ``Gemm`` (inputs
times the transposed weight, plus the bias) and the activation's op (``Relu``,
``Tanh``, ``Sigmoid``; none for a linear layer). Input ``input`` has shape
``[batch, nin]``, output ``output`` ``[batch, nout]``; the weights are initializers
named as PyTorch names them (``0.weight``, ``0.bias``, ``2.weight``, ...). Opset 17,
IR version 8, so that any onnxruntime of the last years reads it. The numbers are
written as raw little-endian float64 (exact) or float32 (rounded to nearest).

Only the ``onnx`` package is needed to write it (not PyTorch); ``onnxruntime`` runs
it. Both come with the ``onnx`` extra.
"""

from __future__ import annotations

import math
import os
import struct
from typing import Any

import autograd
from nn import _checks, _files
from nn.module import _OWN_HEADS, ONNX_HEAD, Module
from nn.pytorch import ACTIVATION_MODULES, _positions

__all__ = ["IR_VERSION", "ONNX_OPS", "OPSET", "write_onnx"]

OPSET = 17
IR_VERSION = 8
ONNX_OPS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid"}
"""Our activation names and their ONNX ops (None: no op)."""

DTYPES = ("float64", "float32")

assert set(ONNX_OPS) == set(ACTIVATION_MODULES)  # the same activations as to_torch


def import_onnx(where: str) -> Any:
    """The ``onnx`` module, or ``ModuleNotFoundError`` saying what to install."""
    return _checks.import_extra("onnx", "onnx", where, "the onnx package")


def _pack(numbers: list[float], dtype: str, names: list[str]) -> bytes:
    """The numbers as raw little-endian floats; float32 must not overflow."""
    if dtype == "float64":
        return struct.pack(f"<{len(numbers)}d", *numbers)
    try:
        return struct.pack(f"<{len(numbers)}f", *numbers)
    except OverflowError:
        for name, x in zip(names, numbers):
            if math.isfinite(x) and abs(x) > 3.4028234663852886e38:
                raise ValueError(
                    f"to_onnx: parameter {name!r} is {x!r}, beyond float32's range "
                    "(use dtype='float64')"
                ) from None
        raise  # pragma: no cover - every overflow is one of the above


def build_onnx(model: Module, dtype: str = "float64") -> Any:
    """The ``onnx.ModelProto`` of ``model`` (checked with ``onnx.checker``)."""
    from nn.layers import dense_layers

    wanted = "to_onnx: dtype must be 'float64' or 'float32'"
    if not isinstance(dtype, str):
        raise TypeError(f"{wanted}, got {_checks.describe(dtype)}")
    if dtype not in DTYPES:
        raise ValueError(f"{wanted}, got {dtype!r}")
    stack = dense_layers(model, "to_onnx")
    positions = _positions(stack, "to_onnx")
    onnx = import_onnx("to_onnx")
    helper, proto = onnx.helper, onnx.TensorProto
    element = proto.DOUBLE if dtype == "float64" else proto.FLOAT
    nodes, initializers = [], []
    current = "input"
    for i, (index, layer) in enumerate(zip(positions, stack)):
        nout, nin = len(layer.rows), len(layer.rows[0])
        weights = [w for row in layer.rows for w in row]
        names = [name for row in layer.names for name in row]
        initializers.append(
            helper.make_tensor(
                f"{index}.weight",
                element,
                [nout, nin],
                _pack(weights, dtype, names),
                raw=True,
            )
        )
        initializers.append(
            helper.make_tensor(
                f"{index}.bias",
                element,
                [nout],
                _pack(layer.biases, dtype, layer.bias_names),
                raw=True,
            )
        )
        last = i == len(stack) - 1
        linear_out = "output" if last and layer.activation is None else f"linear_{i}"
        nodes.append(
            helper.make_node(
                "Gemm",
                [current, f"{index}.weight", f"{index}.bias"],
                [linear_out],
                name=f"linear_{i}",
                transB=1,
            )
        )
        current = linear_out
        if layer.activation is not None:
            out = "output" if last else f"{layer.activation}_{i}"
            nodes.append(
                helper.make_node(
                    ONNX_OPS[layer.activation],
                    [current],
                    [out],
                    name=f"{layer.activation}_{i}",
                )
            )
            current = out
    nin, nout = len(stack[0].rows[0]), len(stack[-1].rows)
    graph = helper.make_graph(
        nodes,
        type(model).__name__,
        [helper.make_tensor_value_info("input", element, ["batch", nin])],
        [helper.make_tensor_value_info("output", element, ["batch", nout])],
        initializer=initializers,
    )
    document = helper.make_model(
        graph,
        producer_name="scalar-autograd",
        producer_version=autograd.__version__,
        doc_string=repr(model),
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    document.ir_version = IR_VERSION
    onnx.checker.check_model(document, full_check=True)
    return document


def write_onnx(
    model: Module, path: str | os.PathLike[str], *, dtype: str = "float64"
) -> None:
    """Write ``model`` as an ONNX file at ``path``, atomically (as ``save`` does)."""
    where = _checks.path("to_onnx", path)
    data = build_onnx(model, dtype).SerializeToString()
    if not data.startswith(ONNX_HEAD):  # pragma: no cover - a guard for editors
        raise RuntimeError("to_onnx: the file does not start with ONNX_HEAD")
    _files.write_atomically("to_onnx", where, data, heads=_OWN_HEADS)
