"""``Module``: parameters by name, gradients to zero, and saving and loading.

A module's parameters are found by walking its public attributes in the order they
were set: a ``Value`` is a parameter, a ``Module`` is walked in turn, and a list or
tuple of either is walked item by item. Names join the attribute path with dots, as
PyTorch's ``state_dict`` does: ``layers.0.neurons.3.w.1``, ``layers.2.neurons.0.b``.
Attributes whose names start with ``_`` are private and never walked.

Files are JSON (see ``save``): every float is written with ``repr``, which Python
reads back as the very same float, so a round trip restores every bit.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from autograd import Value
from nn import _checks, _files
from nn._checks import describe

if TYPE_CHECKING:  # torch is optional: imported only where it is used
    import torch

__all__ = ["FILE_FORMAT", "FILE_VERSION", "Module"]

FILE_FORMAT = "scalar-autograd/nn"
FILE_VERSION = 1

# How a saved file begins (json.dumps with indent=1 writes "format" first); the
# tidying of stale temporary files recognises our own by it.
FILE_HEAD = ('{\n "format": ' + json.dumps(FILE_FORMAT) + ",").encode()

# load refuses, before reading it, a file larger than this plus, per parameter,
# its name's length and PARAMETER_BYTES: far more than a saved file takes (a
# parameter's line is its name and about 30 bytes), far less than a file that
# would cost seconds and gigabytes to parse.
BASE_BYTES = 65536
PARAMETER_BYTES = 256

_TORCH_NAME = re.compile(r"\d+\.(weight|bias)")

_M = TypeVar("_M", bound="Module")


class Module:
    """Base class of models: ``parameters()``, ``state_dict()``, ``save``/``load``.

    A subclass sets its parameters (Values), sub-modules, or lists of them as public
    attributes in ``__init__`` and implements ``forward``; calling the module calls
    ``forward``, and ``forward_batch(batch)`` calls it once per sample.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward``."""
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def forward_batch(self, batch: Iterable[Any]) -> list[Any]:
        """``[self(x) for x in batch]``; ``Layer`` and ``MLP`` compute it faster."""
        if isinstance(batch, (str, bytes, Mapping)) or not isinstance(batch, Iterable):
            raise TypeError(
                f"{type(self).__name__}.forward_batch: batch must be a list of "
                f"samples, got {describe(batch)}"
            )
        return [self(x) for x in batch]

    # -- parameters --------------------------------------------------------------

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Yield ``(name, parameter)`` pairs in attribute order, each Value once."""
        seen: set[int] = set()
        for name, value in _walk(self, ""):
            if id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of ``named_parameters()``."""
        return [value for _, value in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0

    def architecture(self) -> dict[str, Any]:
        """A JSON-able description of the model's shape, checked when loading."""
        return {"type": type(self).__name__}

    # -- state ---------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Every parameter's number, by name."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state``: all of them or none.

        The keys must be exactly the parameter names and each value a finite real
        number; everything is checked before anything is assigned, so on error
        (``ValueError``, or ``TypeError`` for a value that is not a number) the model
        is left untouched.
        """
        if not isinstance(state, Mapping):
            hint = ""
            if isinstance(state, Module):
                hint = "; to copy another model's numbers pass other.state_dict()"
            elif isinstance(state, (str, os.PathLike)):
                hint = "; to read a file use model.load(path)"
            raise TypeError(
                f"load_state_dict: state must be a mapping of names to numbers "
                f"(from state_dict()), got {describe(state)}{hint}"
            )
        named = dict(self.named_parameters())
        missing = [name for name in named if name not in state]
        unexpected = [name for name in state if name not in named]
        if missing or unexpected:
            hint = ""
            if unexpected and all(
                isinstance(k, str) and _TORCH_NAME.fullmatch(k) for k in unexpected
            ):
                hint = (
                    "; these are PyTorch's names (0.weight, 0.bias, ...): for a "
                    "torch.nn.Sequential use nn.MLP.from_torch(module)"
                )
            raise ValueError(
                f"load_state_dict: the names in state do not match this "
                f"{type(self).__name__}'s parameters: "
                f"missing {_some(missing)}, unexpected {_some(unexpected)}{hint}"
            )
        numbers_by_name = {name: _finite(name, state[name]) for name in named}
        for name, p in named.items():
            p.data = numbers_by_name[name]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and every parameter to ``path`` as JSON, atomically.

        The text goes to a temporary file in the same folder, is flushed to disk,
        and then replaces ``path`` in one rename: an interrupted save leaves the old
        file as it was. A symlink is written through (the file it points to is
        replaced, the link stays); a path that is not a regular file (a directory,
        a FIFO, a device) raises ``OSError`` and nothing is touched; temporary
        files that earlier saves left behind when they died are removed.
        Non-finite parameters raise ``ValueError`` (JSON has no NaN or infinity)
        and nothing is written.
        """
        where = _checks.path("save", path)
        parameters = {}
        for name, p in self.named_parameters():
            if not math.isfinite(p.data):
                raise ValueError(f"save: parameter {name!r} is {p.data!r}, not finite")
            parameters[name] = p.data
        document = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "architecture": self.architecture(),
            "parameters": parameters,
        }
        # json writes floats with float.__repr__: the shortest text that reads back
        # as the same float, so the round trip is exact.
        data = (json.dumps(document, indent=1, allow_nan=False) + "\n").encode()
        _files.write_atomically("save", where, data, heads=_OWN_HEADS)

    def load(self: _M, path: str | os.PathLike[str]) -> _M:
        """Load parameters saved by ``save`` into this model; return the model.

        Raises ``ValueError`` naming the problem (not JSON, truncated, a non-finite
        number, another architecture, missing or extra parameters, a file far
        larger than this model's: see ``max_file_size``) and then leaves the
        model untouched; ``OSError`` for a path that is missing or not a regular
        file.
        """
        where = _checks.path("load", path)
        limit = self.max_file_size()
        size, raw = _files.read_regular("load", where, limit)
        if size > limit or len(raw) > limit:  # (it may have grown since)
            raise _too_large(where, max(size, len(raw)), limit, self)
        try:
            document = json.loads(
                raw.decode("utf-8"),
                parse_constant=_reject_constant,
                parse_float=_parse_float,
                object_pairs_hook=_unique_keys,
            )
        except RecursionError:
            raise ValueError(f"load: {where} is nested too deeply") from None
        except json.JSONDecodeError as error:
            ends_early = error.pos >= len(error.doc.rstrip()) or error.msg.startswith(
                "Unterminated string"
            )
            hint = " (the file ends early: truncated?)" if ends_early else ""
            raise ValueError(
                f"load: {where} is not valid JSON{hint}: {error}"
            ) from None
        except ValueError as error:  # bad UTF-8, non-finite numbers, duplicate keys
            raise ValueError(f"load: {where} is not a valid model file: {error}") from (
                None
            )
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(
                f"load: {where} is not a model file (no format {FILE_FORMAT!r})"
            )
        if document.get("version") != FILE_VERSION:
            raise ValueError(
                f"load: {where} has version {document.get('version')!r}; "
                f"this version reads {FILE_VERSION}"
            )
        saved = document.get("architecture")
        expected = self.architecture()
        if saved != expected:
            raise ValueError(
                f"load: {where} holds a model of another architecture: "
                f"file {_describe(saved)}, this model {_describe(expected)}"
            )
        parameters = document.get("parameters")
        if not isinstance(parameters, dict):
            raise ValueError(f"load: {where} has no 'parameters' object")
        try:
            self.load_state_dict(parameters)
        except (TypeError, ValueError) as error:
            raise ValueError(f"load: {where}: {error}") from None
        return self

    def max_file_size(self) -> int:
        """The largest file ``load`` reads for this model, in bytes (checked first).

        ``BASE_BYTES`` (64 KiB) plus, per parameter, its name's length and
        ``PARAMETER_BYTES`` (256): several times what a saved file takes.
        """
        names = sum(len(name) for name, _ in self.named_parameters())
        count = len(self.parameters())
        return BASE_BYTES + names + PARAMETER_BYTES * count

    # -- PyTorch and ONNX (nn.MLP, nn.Layer and nn.Neuron; see nn.pytorch) --------

    def to_torch(self) -> torch.nn.Sequential:
        """A float64 ``torch.nn.Sequential`` of ``Linear`` and activation modules.

        It holds copies of the parameters and computes what this model computes;
        ``TypeError`` for a module that has no such counterpart (your own
        subclass), ``ModuleNotFoundError`` without the ``torch`` extra.
        """
        from nn import pytorch  # torch is optional: imported only when used

        return pytorch.to_torch(self)

    def torch_state_dict(self) -> dict[str, torch.Tensor]:
        """The parameters under PyTorch's names (``0.weight``, ``0.bias``, ...).

        ``model.to_torch().load_state_dict(model.torch_state_dict())`` loads them;
        ``layers.i.neurons.k.w.j`` is entry ``[k, j]`` of the weight of the i-th
        ``Linear``, ``layers.i.neurons.k.b`` entry ``[k]`` of its bias.
        """
        from nn import pytorch

        return pytorch.torch_state_dict(self)

    def to_onnx(self, path: str | os.PathLike[str], *, dtype: str = "float64") -> None:
        """Write the model as an ONNX file at ``path`` (input ``input``: batch x nin).

        ``dtype`` is ``"float64"`` (the numbers as they are) or ``"float32"``
        (rounded to nearest). Written atomically, as ``save`` writes; needs the
        ``onnx`` extra.
        """
        from nn import onnx_file

        onnx_file.write_onnx(self, path, dtype=dtype)


# -- helpers -------------------------------------------------------------------------


# How our ONNX files begin (protobuf writes fields in order: ir_version 8, then the
# producer's name); nn.onnx_file checks that what it writes starts with it.
ONNX_HEAD = b"\x08\x08\x12\x0fscalar-autograd"

_OWN_HEADS = (FILE_HEAD, ONNX_HEAD)


def _too_large(where: str, size: int, limit: int, model: Module) -> ValueError:
    return ValueError(
        f"load: {where} is {size} bytes, far more than a file of this "
        f"{type(model).__name__} ({len(model.parameters())} parameters) takes "
        f"(load reads at most {limit}): not a model file for it"
    )


def _walk(obj: Module, prefix: str) -> Iterator[tuple[str, Value]]:
    for attribute, value in vars(obj).items():
        if not attribute.startswith("_"):
            yield from _walk_value(value, prefix + attribute)


def _walk_value(value: Any, name: str) -> Iterator[tuple[str, Value]]:
    if isinstance(value, Value):
        yield name, value
    elif isinstance(value, Module):
        yield from _walk(value, name + ".")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, (Value, Module, list, tuple)):
                yield from _walk_value(item, f"{name}.{i}")


def _some(names: list[str], limit: int = 5) -> str:
    if not names:
        return "none"
    shown = ", ".join(repr(name) for name in names[:limit])
    more = len(names) - limit
    return f"{len(names)} ({shown}{f' and {more} more' if more > 0 else ''})"


def _finite(name: str, number: Any) -> float:
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(
            f"load_state_dict: state[{name!r}] (a parameter) must be a real number, "
            f"got {describe(number)}"
        )
    try:
        value = float(number)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(
            f"load_state_dict: state[{name!r}] is {describe(number)}, not a finite "
            "number"
        )
    return value


def _reject_constant(token: str) -> float:
    raise ValueError(f"non-finite number {token} (JSON has no NaN or infinity)")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of the float range")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _describe(architecture: Any) -> str:
    if isinstance(architecture, dict) and "type" in architecture:
        rest = ", ".join(f"{k}={v!r}" for k, v in architecture.items() if k != "type")
        return f"{architecture['type']}({rest})"
    return repr(architecture)
