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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd import Value, linear, linear_layer, linear_layer_batch
from nn.module import Module

__all__ = ["ACTIVATIONS", "MLP", "Layer", "LayerRecord", "Neuron"]

ACTIVATIONS: dict[str | None, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    None: None,  # linear: the weighted sum itself
}
"""The activations by name; ``None`` means none (a linear neuron)."""

Inputs = Sequence[Any]  # floats or Values


def _activation(name: str | None) -> Callable[[Value], Value] | None:
    if name not in ACTIVATIONS:
        choices = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {choices}")
    return ACTIVATIONS[name]


def _count(name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
    return n


def _seeds(seed: int | None, n: int) -> list[int]:
    """n distinct-stream seeds derived from ``seed`` (fresh ones if it is None)."""
    rng = random.Random(seed)
    return [rng.getrandbits(64) for _ in range(n)]


def _lift(x: Inputs) -> list[Value]:
    return [v if type(v) is Value else Value(v) for v in x]


class Neuron(Module):
    """``activation(w . x + b)`` with ``nin`` weights ``w`` and a bias ``b``."""

    def __init__(
        self, nin: int, activation: str | None = "relu", seed: int | None = None
    ) -> None:
        _count("nin", nin)
        self._activate = _activation(activation)
        self._activation_name = activation
        rng = random.Random(seed)
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
        out = linear(self.w, x, self.b)  # one fused node for the weighted sum
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
        _count("nin", nin)
        _count("nout", nout)
        _activation(activation)
        self.neurons = [Neuron(nin, activation, seed=s) for s in _seeds(seed, nout)]

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
        return linear_layer([n.w for n in neurons], x, [n.b for n in neurons])

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
        out = self.outputs(_lift(x))
        return out[0] if len(out) == 1 else out

    def outputs_batch(self, batch: Iterable[Inputs]) -> list[list[Value]]:
        """``outputs(x)`` for each sample ``x`` of ``batch``: the same nodes."""
        # Every sample reads the same weights, so linear_layer_batch reads their
        # numbers once for the batch instead of once per sample.
        neurons = self.neurons
        sums = linear_layer_batch([n.w for n in neurons], batch, [n.b for n in neurons])
        activate = neurons[0]._activate
        if activate is None:
            return sums
        return [[activate(s) for s in sample] for sample in sums]

    def forward_batch(self, batch: Iterable[Inputs]) -> list[Value | list[Value]]:
        """``[self(x) for x in batch]``, the same graph, with the weights read once."""
        outs = self.outputs_batch([_lift(x) for x in batch])
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
        _count("nin", nin)
        sizes = [_count("layer size", n) for n in layer_sizes]
        if not sizes:
            raise ValueError("MLP: layer_sizes must name at least one layer")
        _activation(activation)
        self._activation_name = activation
        ins = [nin, *sizes[:-1]]
        last = len(sizes) - 1
        self.layers = [
            Layer(n_in, n_out, activation if i < last else None, seed=s)
            for i, (n_in, n_out, s) in enumerate(
                zip(ins, sizes, _seeds(seed, len(sizes)))
            )
        ]

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
        out = _lift(x)  # numbers become leaves once, not once per neuron
        for layer in self.layers:
            out = layer.outputs(out)
        return out[0] if len(out) == 1 else out

    def forward_layers(self, x: Inputs) -> list[LayerRecord]:
        """The forward pass for one sample, layer by layer: one record per layer.

        The graph is the one ``self(x)`` builds (the last record's ``outputs`` are
        the model's outputs), with each layer's inputs, weighted sums and outputs
        kept, so that the backward pass can be read layer by layer.
        """
        inputs = _lift(x)
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
        outs = [_lift(x) for x in batch]
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
