"""``Neuron``, ``Layer`` and ``MLP``: micrograd's shapes, built on fused nodes.

A neuron computes ``activation(w1*x1 + ... + wn*xn + b)``; its weighted sum is one
``autograd.linear`` node (n weights, n inputs and the bias in, one number out), which
is what makes training fast: the graph has one node per neuron instead of 2n. A layer
makes its neurons' nodes with one ``autograd.linear_layer`` call, which reads the
inputs they share once rather than once per neuron; ``forward_batch`` makes a whole
batch's with one ``autograd.linear_layer_batch`` call, which also reads the weights
once per batch rather than once per sample. Both build the same graph as
``model(x)`` sample by sample.

Initialisation, as PyTorch's ``nn.Linear``: every weight and the bias are drawn
uniformly from [-1/sqrt(nin), 1/sqrt(nin)], so a neuron's output has about the same
scale whatever its number of inputs. ``seed`` makes it reproducible: each module
draws from its own ``random.Random(seed)`` (never the global ``random`` state), and a
layer or MLP derives a distinct seed for each neuron or layer from its own.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autograd import Value, linear, linear_layer, linear_layer_batch
from nn import _checks
from nn._checks import describe, plural
from nn.module import Module

if TYPE_CHECKING:  # torch is optional: imported only where it is used
    import torch

__all__ = ["ACTIVATIONS", "MLP", "Layer", "LayerRecord", "Neuron"]

ACTIVATIONS: dict[str | None, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    None: None,  # linear: the weighted sum itself
}
"""The activations by name; ``None`` means none (a linear neuron)."""

Inputs = Sequence[Any]  # floats or Values


def _activation(where: str, name: Any) -> Callable[[Value], Value] | None:
    choices = ", ".join(repr(k) for k in ACTIVATIONS)
    if name is not None and not isinstance(name, str):
        raise TypeError(
            f"{where}: activation must be a name ({choices}), got {describe(name)}"
        )
    if name not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {name!r}; choose one of {choices}"
        )
    return ACTIVATIONS[name]


def _count(where: str, name: str, n: Any) -> int:
    return _checks.count(where, name, n)


def _seeds(seed: int | None, n: int) -> list[int]:
    """n distinct-stream seeds derived from ``seed`` (fresh ones if it is None)."""
    rng = random.Random(seed)
    return [rng.getrandbits(64) for _ in range(n)]


_NOT_SAMPLES = (str, bytes, Mapping, set, frozenset)


def _sample(model: Module, x: Any, nin: int, index: int | None = None) -> list[Value]:
    """``x`` as a list of ``nin`` Values: a call's entry check, once per sample."""
    if (type(x) is not list and type(x) is not tuple) and (
        isinstance(x, _NOT_SAMPLES) or not isinstance(x, Iterable)
    ):
        raise _input_error(model, x, nin, index)
    try:
        values = [v if type(v) is Value else Value(v) for v in x]
    except TypeError:
        raise _input_error(model, x, nin, index) from None
    if len(values) != nin:
        if index is None:
            raise ValueError(
                f"{model!r} takes {plural(nin, 'input')}, got {len(values)} in x"
            )
        raise ValueError(
            f"{model!r}.forward_batch: sample {index} (batch[{index}]) has "
            f"{plural(len(values), 'input')}, but the model takes {nin}"
        )
    return values


def _input_error(model: Module, x: Any, nin: int, index: int | None) -> TypeError:
    """The error for an input that is not a list of numbers: what was wrong, and why."""
    name = "x" if index is None else f"batch[{index}]"
    wanted = f"a list of {plural(nin, 'input')} (numbers or Values)"
    if isinstance(x, _NOT_SAMPLES) or not isinstance(x, Iterable):
        hint = ""
        if _checks.is_number(x):
            if index is not None:
                hint = "; forward_batch takes a list of samples: for one sample use "
                hint += "model(x)"
            elif nin == 1:
                hint = "; for one input write [x]"
        return TypeError(f"{model!r}: {name} must be {wanted}, got {describe(x)}{hint}")
    for j, v in enumerate(x):
        if not _checks.is_number(v):
            hint = ""
            if isinstance(v, (list, tuple)) and index is None:
                hint = "; model(x) takes one sample: for a batch use forward_batch"
            return TypeError(
                f"{model!r}: {name}[{j}] must be a number or a Value, "
                f"got {describe(v)}{hint}"
            )
    return TypeError(f"{model!r}: {name} must be {wanted}, got {describe(x)}")


def _batch(model: Module, batch: Any, nin: int) -> list[list[Value]]:
    """Every sample of ``batch`` as a list of ``nin`` Values, or an error naming it."""
    if isinstance(batch, _NOT_SAMPLES) or not isinstance(batch, Iterable):
        raise TypeError(
            f"{model!r}.forward_batch: batch must be a list of samples (each a list "
            f"of {plural(nin, 'input')}), got {describe(batch)}"
        )
    return [_sample(model, x, nin, i) for i, x in enumerate(batch)]


class Neuron(Module):
    """``activation(w . x + b)`` with ``nin`` weights ``w`` and a bias ``b``."""

    def __init__(
        self, nin: int, activation: str | None = "relu", seed: int | None = None
    ) -> None:
        nin = _count("Neuron", "nin", nin)
        self._activate = _activation("Neuron", activation)
        self._activation_name = activation
        rng = random.Random(_checks.seed("Neuron", seed))
        bound = 1.0 / math.sqrt(nin)
        self.w = [Value(rng.uniform(-bound, bound)) for _ in range(nin)]
        self.b = Value(rng.uniform(-bound, bound))

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return len(self.w)

    @property
    def activation(self) -> str | None:
        """The activation's name, or None for a linear neuron."""
        return self._activation_name

    def forward(self, x: Inputs) -> Value:
        """The neuron's output for inputs ``x`` (floats or Values, ``nin`` of them)."""
        if type(x) is not list and type(x) is not tuple:
            x = _sample(self, x, len(self.w))
        try:
            out = linear(self.w, x, self.b)  # one fused node for the weighted sum
        except (TypeError, ValueError):
            _sample(self, x, len(self.w))  # names what was wrong with x
            raise
        activate = self._activate
        return out if activate is None else activate(out)

    def architecture(self) -> dict[str, Any]:
        """Type, number of inputs and activation."""
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        seed: int | None = None,
    ) -> None:
        nin = _count("Layer", "nin", nin)
        nout = _count("Layer", "nout", nout)
        _activation("Layer", activation)
        seeds = _seeds(_checks.seed("Layer", seed), nout)
        self.neurons = [Neuron(nin, activation, seed=s) for s in seeds]

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """The number of outputs (neurons)."""
        return len(self.neurons)

    @property
    def activation(self) -> str | None:
        """The neurons' activation."""
        return self.neurons[0].activation

    def pre_activations(self, x: Inputs) -> list[Value]:
        """Every neuron's weighted sum ``w . x + b`` (one ``linear`` node each)."""
        # What each neuron's forward computes, for all of them in one call: every
        # neuron reads the same inputs, so linear_layer reads their numbers once.
        neurons = self.neurons
        try:
            return linear_layer([n.w for n in neurons], x, [n.b for n in neurons])
        except (TypeError, ValueError):
            _sample(self, x, self.nin)  # names what was wrong with x
            raise

    def activate(self, pre_activations: Sequence[Value]) -> list[Value]:
        """The activation applied to each weighted sum (the same Values if linear)."""
        activate = self.neurons[0]._activate  # one activation for the whole layer
        if activate is None:
            return list(pre_activations)
        return [activate(s) for s in pre_activations]

    def outputs(self, x: Inputs) -> list[Value]:
        """Every neuron's output, as a list (even for one neuron)."""
        return self.activate(self.pre_activations(x))

    def forward(self, x: Inputs) -> Value | list[Value]:
        """The outputs for ``x``: a Value if the layer has one neuron, else a list."""
        out = self.outputs(_sample(self, x, self.nin))
        return out[0] if len(out) == 1 else out

    def outputs_batch(self, batch: Iterable[Inputs]) -> list[list[Value]]:
        """``outputs(x)`` for each sample ``x`` of ``batch``: the same nodes."""
        # Every sample reads the same weights, so linear_layer_batch reads their
        # numbers once for the batch instead of once per sample.
        neurons = self.neurons
        try:
            sums = linear_layer_batch(
                [n.w for n in neurons], batch, [n.b for n in neurons]
            )
        except (TypeError, ValueError):
            _batch(self, batch, self.nin)  # names the sample that was wrong
            raise
        activate = neurons[0]._activate
        if activate is None:
            return sums
        return [[activate(s) for s in sample] for sample in sums]

    def forward_batch(self, batch: Iterable[Inputs]) -> list[Value | list[Value]]:
        """``[self(x) for x in batch]``, the same graph, with the weights read once."""
        outs = self.outputs_batch(_batch(self, batch, self.nin))
        return [out[0] if len(out) == 1 else out for out in outs]

    def architecture(self) -> dict[str, Any]:
        """Type, inputs, outputs and activation."""
        return {
            "type": "Layer",
            "nin": self.nin,
            "nout": self.nout,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        return (
            f"Layer(nin={self.nin}, nout={self.nout}, activation={self.activation!r})"
        )


@dataclass(frozen=True)
class LayerRecord:
    """One layer's share of a forward pass (see ``MLP.forward_layers``).

    ``inputs``, ``pre_activations`` and ``outputs`` are Values of the graph: after
    ``loss.backward()``, ``pre_activations[k].grad`` is neuron k's error signal
    delta = d(loss)/d(pre-activation), and the gradient of its weight j is
    ``delta * inputs[j].data``. For a linear layer ``outputs`` holds the very
    ``pre_activations`` Values.
    """

    layer: Layer
    inputs: list[Value]
    pre_activations: list[Value]
    outputs: list[Value]


class MLP(Module):
    """Layers of sizes ``layer_sizes`` on ``nin`` inputs; the last one is linear.

    Hidden layers use ``activation``; the output layer has none (micrograd's
    convention), so outputs are scores or logits, ready for a loss.
    """

    def __init__(
        self,
        nin: int,
        layer_sizes: Sequence[int],
        activation: str | None = "relu",
        seed: int | None = None,
    ) -> None:
        nin = _count("MLP", "nin", nin)
        sizes = _layer_sizes(layer_sizes)
        _activation("MLP", activation)
        seed = _checks.seed("MLP", seed)
        self._activation_name = activation
        ins = [nin, *sizes[:-1]]
        last = len(sizes) - 1
        self.layers = [
            Layer(n_in, n_out, activation if i < last else None, seed=s)
            for i, (n_in, n_out, s) in enumerate(
                zip(ins, sizes, _seeds(seed, len(sizes)))
            )
        ]

    @classmethod
    def from_torch(cls, module: torch.nn.Module) -> MLP:
        """The MLP of a ``torch.nn.Sequential`` of ``Linear`` and activation modules.

        Its parameters are converted to Python floats exactly (from any float
        dtype), so ``MLP.from_torch(model.to_torch())`` restores every bit. A module
        that ``nn.MLP`` cannot express (a ``Conv2d``, a ``Linear`` without bias,
        sizes that do not chain, mixed hidden activations, an activation after the
        last ``Linear``) raises ``TypeError`` or ``ValueError`` naming the layer.
        """
        from nn import pytorch  # torch is optional: imported only when used

        model = pytorch.mlp_from_torch(module)
        if cls is not MLP:  # a subclass: build it with the same arguments
            other = cls(model.nin, model.layer_sizes, model.activation)
            other.load_state_dict(model.state_dict())
            return other
        return model

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return self.layers[0].nin

    @property
    def layer_sizes(self) -> list[int]:
        """The number of neurons in each layer."""
        return [layer.nout for layer in self.layers]

    @property
    def activation(self) -> str | None:
        """The hidden layers' activation."""
        return self._activation_name

    def forward(self, x: Inputs) -> Value | list[Value]:
        """Outputs for ``x``: a Value if the last layer has one neuron, else a list."""
        # Numbers become leaves once, not once per neuron.
        out = _sample(self, x, self.layers[0].nin)
        for layer in self.layers:
            out = layer.outputs(out)
        return out[0] if len(out) == 1 else out

    def forward_layers(self, x: Inputs) -> list[LayerRecord]:
        """The forward pass for one sample, layer by layer: one record per layer.

        The graph is the one ``self(x)`` builds (the last record's ``outputs`` are
        the model's outputs), with each layer's inputs, weighted sums and outputs
        kept, so that the backward pass can be read layer by layer.
        """
        inputs = _sample(self, x, self.nin)
        records = []
        for layer in self.layers:
            pre = layer.pre_activations(inputs)
            out = layer.activate(pre)
            records.append(LayerRecord(layer, inputs, pre, out))
            inputs = out
        return records

    def forward_batch(self, batch: Iterable[Inputs]) -> list[Value | list[Value]]:
        """``[self(x) for x in batch]``, the same graph, with the weights read once.

        Use it for a full-batch forward pass: each layer reads its weights' numbers
        once for all samples (``autograd.linear_layer_batch``), not once per sample.
        """
        outs = _batch(self, batch, self.nin)
        for layer in self.layers:
            outs = layer.outputs_batch(outs)
        return [out[0] if len(out) == 1 else out for out in outs]

    def architecture(self) -> dict[str, Any]:
        """Type, inputs, layer sizes and hidden activation."""
        return {
            "type": "MLP",
            "nin": self.nin,
            "layer_sizes": self.layer_sizes,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        return (
            f"MLP(nin={self.nin}, layer_sizes={self.layer_sizes}, "
            f"activation={self.activation!r})"
        )


def _layer_sizes(layer_sizes: Any) -> list[int]:
    """MLP's ``layer_sizes`` as a list of ints >= 1, or an error that says why."""
    if _checks.is_number(layer_sizes):
        example = f"[{layer_sizes!r}]" if isinstance(layer_sizes, int) else "[16, 1]"
        raise TypeError(
            f"MLP: layer_sizes must be a list of ints, one per layer (neurons in "
            f"each), got {describe(layer_sizes)}; for one layer write {example}, "
            "for example nn.MLP(2, [16, 16, 1])"
        )
    if isinstance(layer_sizes, _NOT_SAMPLES) or not isinstance(layer_sizes, Iterable):
        raise TypeError(
            f"MLP: layer_sizes must be a list of ints, one per layer, "
            f"got {describe(layer_sizes)}"
        )
    sizes = [_count("MLP", f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes)]
    if not sizes:
        raise ValueError("MLP: layer_sizes must name at least one layer, got []")
    return sizes


# -- the layers as matrices: what to_torch, torch_state_dict and to_onnx read --------


@dataclass(frozen=True)
class DenseLayer:
    """One layer as numbers: weight rows (one per neuron), biases, activation name.

    ``names[k][j]`` is our name of ``rows[k][j]`` and ``bias_names[k]`` that of
    ``biases[k]`` (``layers.0.neurons.3.w.1``, ``layers.0.neurons.3.b``).
    """

    rows: list[list[float]]
    biases: list[float]
    activation: str | None
    names: list[list[str]]
    bias_names: list[str]


def dense_layers(model: Module, where: str) -> list[DenseLayer]:
    """``model`` as a stack of dense layers, or ``TypeError`` if it is not one."""
    neurons_by_layer: list[tuple[str, list[Neuron]]]
    if type(model).forward is MLP.forward and isinstance(model, MLP):
        neurons_by_layer = [
            (f"layers.{i}.neurons.", layer.neurons)
            for i, layer in enumerate(model.layers)
        ]
    elif type(model).forward is Layer.forward and isinstance(model, Layer):
        neurons_by_layer = [("neurons.", model.neurons)]
    elif type(model).forward is Neuron.forward and isinstance(model, Neuron):
        neurons_by_layer = [("", [model])]
    else:
        raise TypeError(
            f"{where}: {type(model).__name__} has no PyTorch or ONNX counterpart; "
            "nn.MLP, nn.Layer and nn.Neuron have one (for a model of your own, write "
            "its torch.nn twin and copy the numbers from state_dict())"
        )
    stack = []
    for prefix, neurons in neurons_by_layer:
        names = [
            [f"{prefix}{k}.w.{j}" if prefix else f"w.{j}" for j in range(n.nin)]
            for k, n in enumerate(neurons)
        ]
        bias_names = [f"{prefix}{k}.b" if prefix else "b" for k in range(len(neurons))]
        stack.append(
            DenseLayer(
                rows=[[w.data for w in n.w] for n in neurons],
                biases=[n.b.data for n in neurons],
                activation=neurons[0].activation,
                names=names,
                bias_names=bias_names,
            )
        )
    return stack
