"""Question 3: "Backprop propagates the error backwards, layer by layer."

It does, and this part reads one backward pass that way: ``nn.MLP.forward_layers``
keeps each layer's inputs, weighted sums (pre-activations) and outputs, and after
``loss.backward()`` each neuron's error signal (its blame) is

    delta = d(loss)/d(pre-activation)
          = (sum over the next layer of weight * that neuron's delta) * slope,

where the slope is the activation's derivative at the pre-activation (0 for a dead
ReLU: it passes no blame down), and each weight's gradient is its neuron's delta
times the input the weight multiplies (``blame``, ``format_blame_table``).

The same picture invites a misconception: "update the current layer's weights, then
compute the previous layer's gradient". That variant sends the error down through
weights that have already changed, so what the lower layers receive is not the
gradient. ``layer_by_layer_gradient`` computes it beside the true gradient on the
same model and batch, ``compare_updates`` measures the angle between the two update
vectors, and ``train_both`` trains two moons both ways for the same steps.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import autograd
import nn
from autograd import Value
from scalar_autograd.demos import moons
from scalar_autograd.demos.why_backprop.results import count, markdown_table

__all__ = [
    "Curves",
    "LayerBlame",
    "UpdateComparison",
    "angle_degrees",
    "blame",
    "compare_updates",
    "format_blame_table",
    "format_comparison_table",
    "layer_by_layer_gradient",
    "layer_slices",
    "moons_objective",
    "plot_misconception",
    "slope",
    "train_both",
]

WEIGHT_DECAY = 2.0 * moons.ALPHA  # d/dp of moons' ALPHA * sum(p**2): 2 ALPHA p
LEARNING_RATES = (0.01, 0.1, 1.0)  # moons' schedule starts at 1.0, ends at 0.1


def slope(activation: str | None, pre_activation: float, output: float) -> float:
    """The activation's derivative at the pre-activation (1 for a linear neuron)."""
    if activation is None:
        return 1.0
    if activation == "relu":
        return 1.0 if pre_activation > 0.0 else 0.0
    if activation == "tanh":
        return 1.0 - output * output
    if activation == "sigmoid":
        return output * (1.0 - output)
    raise ValueError(f"slope: unknown activation {activation!r}")


# ---------------------------------------------------------------------------------
# Blame, layer by layer, read from one backward pass.


@dataclass(frozen=True)
class LayerBlame:
    """One layer's share of one sample's backward pass."""

    index: int  # 1 for the first layer
    activation: str | None
    deltas: list[float]  # each neuron's d(loss)/d(pre-activation)
    slopes: list[float]  # each neuron's activation slope
    dead: int  # ReLUs with pre-activation <= 0: slope 0, no blame passed down
    weights: int  # weights and biases of the layer
    weights_exact: int  # of them, those whose .grad == delta * input, bit for bit
    deltas_exact: int  # neurons whose delta == slope * (blame from above), bitwise


def _output(records: Sequence[nn.LayerRecord]) -> Value | list[Value]:
    """The model's output as ``model(x)`` returns it: one Value, or a list."""
    outputs = records[-1].outputs
    return outputs[0] if len(outputs) == 1 else list(outputs)


def blame(
    model: nn.MLP, x: Sequence[float], loss_fn: Callable[[Any], Value]
) -> tuple[Value, list[nn.LayerRecord], list[LayerBlame]]:
    """One sample's forward pass layer by layer, its loss, its backward pass, read
    layer by layer: the loss, the records, and each layer's blame."""
    records = model.forward_layers(x)
    loss = loss_fn(_output(records))
    model.zero_grad()
    loss.backward()
    layers = []
    for index, record in enumerate(records, start=1):
        activation = record.layer.activation
        deltas = [pre.grad for pre in record.pre_activations]
        slopes = [
            slope(activation, pre.data, out.data)
            for pre, out in zip(record.pre_activations, record.outputs)
        ]
        # The blame from above is what reached the neuron's output: its .grad.
        deltas_exact = sum(
            pre.grad == (out.grad * s if activation is not None else out.grad)
            for pre, out, s in zip(record.pre_activations, record.outputs, slopes)
        )
        exact = total = 0
        for neuron, delta in zip(record.layer.neurons, deltas):
            for w, inp in zip(neuron.w, record.inputs):
                exact += w.grad == delta * inp.data
            exact += neuron.b.grad == delta
            total += len(neuron.w) + 1
        dead = (
            sum(pre.data <= 0.0 for pre in record.pre_activations)
            if activation == "relu"
            else 0
        )
        layers.append(
            LayerBlame(
                index, activation, deltas, slopes, dead, total, exact, deltas_exact
            )
        )
    return loss, records, layers


def format_blame_table(layers: Sequence[LayerBlame], markdown: bool = False) -> str:
    """Per layer: neurons, dead ReLUs, the size of the blame, and the two checks."""
    header = [
        "layer",
        "neurons",
        "activation",
        "dead ReLUs (no blame passed down)",
        "mean |delta|",
        "largest |delta|",
        "weight grad = delta x input, bit for bit",
    ]
    if markdown:  # a | would end a Markdown cell
        header[3:] = [
            "dead ReLUs",
            "δ, mean size",
            "δ, largest size",
            "grad = δ · input, bit for bit",
        ]
    cells = []
    for layer in layers:
        sizes = [abs(d) for d in layer.deltas]
        cells.append(
            [
                str(layer.index),
                str(len(layer.deltas)),
                layer.activation or "none (linear)",
                str(layer.dead) if layer.activation == "relu" else "-",
                f"{sum(sizes) / len(sizes):.3g}",
                f"{max(sizes):.3g}",
                f"{count(layer.weights_exact)} of {count(layer.weights)}",
            ]
        )
    if markdown:
        return markdown_table(header, cells, align="rrl")
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines.append("-" * len(lines[0]))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------
# The misconception: update a layer, then send the error down through it.


def moons_objective(
    model: nn.MLP, points: Sequence[Sequence[float]], labels: Sequence[int]
) -> tuple[Value, list[list[nn.LayerRecord]], float]:
    """``moons.objective`` built sample by sample with ``forward_layers``: the same
    loss (hinge plus ALPHA * sum(p**2)), the records of every sample, the accuracy."""
    records = [model.forward_layers(x) for x in points]
    scores = [r[-1].outputs[0] for r in records]
    params = model.parameters()
    loss = nn.hinge_loss(scores, labels) + moons.ALPHA * autograd.dot(params, params)
    correct = sum((s.data > 0) == (y > 0) for s, y in zip(scores, labels))
    return loss, records, correct / len(labels)


def layer_by_layer_gradient(
    model: nn.MLP,
    records: Sequence[Sequence[nn.LayerRecord]],
    learning_rate: float,
    update_first: bool = True,
    weight_decay: float = WEIGHT_DECAY,
) -> list[float]:
    """The gradient as the misconception computes it, in ``parameters()`` order.

    Needs ``loss.backward()`` to have run on the loss of ``records`` (one list of
    layer records per sample): the output layer's deltas are read from the graph.
    From the top layer down, each layer's gradient is delta times input (plus
    ``weight_decay * p``); with ``update_first`` the layer's weights are then moved
    by ``-learning_rate * gradient`` before the deltas are sent down through them.
    Without it this is backprop written layer by layer: the true gradient.
    """
    weights = {p: p.data for p in model.parameters()}  # the numbers the pass reads
    gradient: dict[Value, float] = {}
    deltas = [[pre.grad for pre in sample[-1].pre_activations] for sample in records]
    for index in range(len(model.layers) - 1, -1, -1):
        layer = model.layers[index]
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                g = weight_decay * weights[w]
                for delta, sample in zip(deltas, records):
                    g += delta[j] * sample[index].inputs[i].data
                gradient[w] = g
            g = weight_decay * weights[neuron.b]
            for delta in deltas:
                g += delta[j]
            gradient[neuron.b] = g
        if update_first:  # the misconception: this layer moves before the next one
            for neuron in layer.neurons:
                for p in (*neuron.w, neuron.b):
                    weights[p] -= learning_rate * gradient[p]
        if index == 0:
            break
        below = model.layers[index - 1]
        sent = []
        for delta, sample in zip(deltas, records):
            record = sample[index - 1]
            sent.append(
                [
                    slope(below.activation, pre.data, out.data)
                    * math.fsum(
                        weights[n.w[k]] * delta[j] for j, n in enumerate(layer.neurons)
                    )
                    for k, (pre, out) in enumerate(
                        zip(record.pre_activations, record.outputs)
                    )
                ]
            )
        deltas = sent
    return [gradient[p] for p in model.parameters()]


def angle_degrees(a: Sequence[float], b: Sequence[float]) -> float:
    """The angle between two nonzero vectors, in degrees (accurate near 0 and 180)."""
    # Kahan's form, 2 atan2(|u - v|, |u + v|) of the unit vectors: acos of the
    # cosine loses half the digits of a small angle.
    norm_a = math.sqrt(math.fsum(x * x for x in a))
    norm_b = math.sqrt(math.fsum(y * y for y in b))
    if norm_a == 0.0 or norm_b == 0.0:
        raise ValueError("angle_degrees: a zero vector has no direction")
    u = [x / norm_a for x in a]
    v = [y / norm_b for y in b]
    apart = math.sqrt(math.fsum((x - y) ** 2 for x, y in zip(u, v)))
    together = math.sqrt(math.fsum((x + y) ** 2 for x, y in zip(u, v)))
    return math.degrees(2.0 * math.atan2(apart, together))


def relative_difference(a: Sequence[float], b: Sequence[float]) -> float:
    """||b - a|| / ||a||."""
    return math.sqrt(math.fsum((y - x) ** 2 for x, y in zip(a, b))) / math.sqrt(
        math.fsum(x * x for x in a)
    )


@dataclass(frozen=True)
class UpdateComparison:
    """The true update against the layer-by-layer one, at one learning rate."""

    learning_rate: float
    angle: float  # degrees between the two update vectors
    relative: float  # ||variant - true|| / ||true||
    per_layer: list[float]  # the same, restricted to each layer's parameters


def layer_slices(model: nn.MLP) -> list[slice]:
    """Each layer's share of ``model.parameters()``, as a slice."""
    slices, start = [], 0
    for layer in model.layers:
        n = sum(len(neuron.w) + 1 for neuron in layer.neurons)
        slices.append(slice(start, start + n))
        start += n
    return slices


def compare_updates(
    model: nn.MLP,
    points: Sequence[Sequence[float]],
    labels: Sequence[int],
    learning_rates: Sequence[float] = LEARNING_RATES,
) -> list[UpdateComparison]:
    """Both updates on the same model and batch, at each learning rate."""
    loss, records, _ = moons_objective(model, points, labels)
    model.zero_grad()
    loss.backward()
    true = [p.grad for p in model.parameters()]
    slices = layer_slices(model)
    comparisons = []
    for lr in learning_rates:
        variant = layer_by_layer_gradient(model, records, lr)
        comparisons.append(
            UpdateComparison(
                learning_rate=lr,
                angle=angle_degrees(true, variant),
                relative=relative_difference(true, variant),
                per_layer=[relative_difference(true[s], variant[s]) for s in slices],
            )
        )
    return comparisons


def format_comparison_table(
    comparisons: Sequence[UpdateComparison], markdown: bool = False
) -> str:
    """Angle and relative difference of the two updates, per learning rate."""
    n_layers = len(comparisons[0].per_layer)
    header = [
        "learning rate",
        "angle between the updates",
        "relative difference",
        *(f"layer {i + 1} alone" for i in range(n_layers)),
    ]
    cells = [
        [
            f"{c.learning_rate:g}",
            f"{c.angle:.2f}°",
            f"{c.relative:.1%}",
            *(f"{d:.1%}" for d in c.per_layer),
        ]
        for c in comparisons
    ]
    if markdown:
        return markdown_table(header, cells)
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines.append("-" * len(lines[0]))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


@dataclass
class Curves:
    """Two moons trained both ways from the same start for the same steps."""

    steps: int
    true_losses: list[float] = field(default_factory=list)
    true_accuracies: list[float] = field(default_factory=list)
    variant_losses: list[float] = field(default_factory=list)
    variant_accuracies: list[float] = field(default_factory=list)
    angles: list[float] = field(default_factory=list)  # per step of the true run
    learning_rates: list[float] = field(default_factory=list)

    def first_perfect(self, accuracies: Sequence[float]) -> int | None:
        """The first step (1-based) at which training accuracy was 100%, or None."""
        for k, accuracy in enumerate(accuracies):
            if accuracy == 1.0:
                return k + 1
        return None


def _train(
    steps: int,
    seed: int,
    n_samples: int,
    variant: bool,
    curves: Curves,
    on_step: Callable[[], None] | None,
) -> None:
    points, classes = nn.datasets.make_moons(n_samples, 0.1, seed=seed)
    labels = [2 * c - 1 for c in classes]
    model = nn.MLP(2, [16, 16, 1], seed=seed)
    params = model.parameters()
    for k in range(steps):
        lr = 1.0 - 0.9 * k / steps  # moons' schedule, 1.0 down to 0.1
        loss, records, accuracy = moons_objective(model, points, labels)
        model.zero_grad()
        loss.backward()
        true = [p.grad for p in params]
        if variant:
            update = layer_by_layer_gradient(model, records, lr)
            curves.variant_losses.append(loss.data)
            curves.variant_accuracies.append(accuracy)
        else:
            update = true
            curves.true_losses.append(loss.data)
            curves.true_accuracies.append(accuracy)
            curves.angles.append(
                angle_degrees(true, layer_by_layer_gradient(model, records, lr))
            )
            curves.learning_rates.append(lr)
        for p, g in zip(params, update):
            p.data -= lr * g
        if on_step is not None:
            on_step()


def train_both(
    steps: int = moons.DEFAULT_STEPS,
    seed: int = moons.DEFAULT_SEED,
    n_samples: int = 100,
    on_step: Callable[[], None] | None = None,
) -> Curves:
    """Train moons' MLP with the true gradient and with the variant, same steps.

    The recipe of ``moons.train`` (hinge loss plus L2, full batch, learning rate
    1.0 down to 0.1); the true run is the same as ``moons.train``'s, and records
    at each step the angle between its update and the variant's.
    """
    curves = Curves(steps)
    _train(steps, seed, n_samples, False, curves, on_step)
    _train(steps, seed, n_samples, True, curves, on_step)
    return curves


# ---------------------------------------------------------------------------------
# The picture.


def plot_misconception(curves: Curves, path: str) -> None:
    """Loss and accuracy of both runs by step, and the angle between the updates."""
    import matplotlib.pyplot as plt

    steps = range(1, curves.steps + 1)
    figure, (losses, accuracies, angles) = plt.subplots(1, 3, figsize=(13, 4.0))
    for label, loss, accuracy, colour in (
        (
            "true gradient (backprop)",
            curves.true_losses,
            curves.true_accuracies,
            "tab:blue",
        ),
        (
            "layer by layer, updating as it goes",
            curves.variant_losses,
            curves.variant_accuracies,
            "tab:red",
        ),
    ):
        losses.plot(steps, loss, color=colour, label=label)
        accuracies.plot(steps, [100 * a for a in accuracy], color=colour, label=label)
    losses.set_yscale("log")
    losses.set_title("training loss (hinge + L2)", fontsize=10)
    accuracies.set_title("training accuracy (%)", fontsize=10)
    accuracies.set_ylim(40, 102)
    angles.plot(steps, curves.angles, color="tab:purple")
    angles.set_title(
        "angle between the two updates (degrees),\nalong the true-gradient run",
        fontsize=10,
    )
    rate = angles.twinx()
    rate.plot(steps, curves.learning_rates, color="grey", linestyle=":", linewidth=1)
    rate.set_ylabel("learning rate (dotted)", color="grey", fontsize=9)
    rate.set_ylim(0, 1.05)
    for axes in (losses, accuracies, angles):
        axes.set_xlabel("step")
        axes.grid(True, alpha=0.3)
    losses.legend(fontsize=8)
    figure.suptitle(
        "Two moons, MLP(2, [16, 16, 1]): the true gradient step against "
        "updating each layer before sending the error down",
        fontsize=11,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# ---------------------------------------------------------------------------------
# The part as a whole: measure, report, figures for the docs.

BLAME_SAMPLE = 0  # the moons point whose backward pass is read layer by layer


@dataclass
class LayersResult:
    """Everything this part measured."""

    sample: list[float]
    label: int
    points: int  # in the batch of the comparison and the training
    loss: float
    blame: list[LayerBlame]
    comparisons: list[UpdateComparison]
    curves: Curves
    pictures: list[str] = field(default_factory=list)  # files of the layer view


def moons_start(
    seed: int = moons.DEFAULT_SEED, n_samples: int = 100
) -> tuple[nn.MLP, list[list[float]], list[int]]:
    """The untrained model, points and -1/+1 labels of ``moons.train``."""
    points, classes = nn.datasets.make_moons(n_samples, 0.1, seed=seed)
    return nn.MLP(2, [16, 16, 1], seed=seed), points, [2 * c - 1 for c in classes]


def hinge_of(label: int) -> Callable[[Any], Value]:
    """The loss of one sample: ``loss_fn(score)`` is the hinge loss for ``label``."""

    def loss_fn(score: Any) -> Value:
        return nn.hinge_loss([score], [label])

    return loss_fn


NETWORK_PICTURES = {
    "network.png": "the network diagram for one sample: activations, dead ReLUs",
    "network_backward.gif": "backprop on the diagram, column by column: each delta",
    "network_backward.html": "the same with a slider and play button (open it)",
    "network_backward.png": "its last frame: every delta and weight gradient",
}


def network_pictures(
    model: nn.MLP, x: Sequence[float], loss_fn: Callable[[Any], Value], out: str
) -> list[str]:
    """Draw the layer view of one sample with ``autograd.viz``; the files written."""
    from autograd import viz

    viz.draw_network(model, x).save(os.path.join(out, "network.png"))
    for name in (
        "network_backward.gif",
        "network_backward.html",
        "network_backward.png",
    ):
        viz.animate_network_backward(model, x, loss_fn, os.path.join(out, name))
    return list(NETWORK_PICTURES)


def run(
    steps: int, out: str, on_step: Callable[[], None] | None = None
) -> LayersResult:
    """Read one backward pass layer by layer, draw it, measure the misconception;
    plot."""
    model, points, labels = moons_start()
    x, y = points[BLAME_SAMPLE], labels[BLAME_SAMPLE]
    loss, _, layers = blame(model, x, hinge_of(y))
    pictures = network_pictures(model, x, hinge_of(y), out)
    comparisons = compare_updates(model, points, labels)
    curves = train_both(steps, on_step=on_step)
    plot_misconception(curves, os.path.join(out, "misconception.png"))
    return LayersResult(
        list(x), y, len(points), loss.data, layers, comparisons, curves, pictures
    )


def _training_sentence(curves: Curves) -> str:
    true_first = curves.first_perfect(curves.true_accuracies)
    variant_first = curves.first_perfect(curves.variant_accuracies)

    def reached(first: int | None) -> str:
        if first is None:
            return "never reached 100% training accuracy"
        return f"reached 100% training accuracy at step {first}"

    return (
        f"Over {curves.steps} steps from the same start, the true gradient "
        f"{reached(true_first)} and ended at loss "
        f"{curves.true_losses[-1]:.4f} (accuracy {curves.true_accuracies[-1]:.0%}); "
        f"the layer-by-layer variant {reached(variant_first)} and ended at loss "
        f"{curves.variant_losses[-1]:.4f} (accuracy "
        f"{curves.variant_accuracies[-1]:.0%}). The angle between the two updates "
        f"fell from {curves.angles[0]:.1f}° at the first step to "
        f"{curves.angles[-1]:.2f}° at the last, as the learning rate and the "
        f"gradient shrank."
    )


def report(result: LayersResult) -> str:
    """What this part found, for the terminal."""
    layers = result.blame
    exact = sum(layer.weights_exact for layer in layers)
    total = sum(layer.weights for layer in layers)
    first = result.comparisons[-1]
    lines = [
        f"One sample, x = ({result.sample[0]:.3f}, {result.sample[1]:.3f}), label "
        f"{result.label:+d}, hinge loss {result.loss:.4f}, MLP(2, [16, 16, 1]) "
        "before training; each layer's blame after one backward pass:",
        format_blame_table(layers),
        f"Every weight's gradient is its neuron's delta times its input: {exact:,} "
        f"of {total:,} bit for bit. A dead ReLU's delta is 0: the weights into it "
        "get no blame from this sample, and it passes none down.",
        "",
        "The misconception: update a layer, then send the error down through its "
        "new weights. Both updates on the same model and the full batch "
        f"({result.points} points):",
        format_comparison_table(result.comparisons),
        f"At learning rate {first.learning_rate:g} the two updates are "
        f"{first.angle:.1f}° apart and differ by {first.relative:.0%} of the true "
        "update; the top layer's agree (nothing above it changed), and the "
        "difference grows towards the input.",
        _training_sentence(result.curves),
    ]
    if result.pictures:
        lines.append("The layer view: " + ", ".join(result.pictures))
    return "\n".join(lines)


def figures(result: LayersResult) -> dict[str, object]:
    """What this part measured, as strings formatted for the docs."""
    layers = result.blame
    exact = sum(layer.weights_exact for layer in layers)
    total = sum(layer.weights for layer in layers)
    curves = result.curves
    by_rate = {  # keys without dots, for the docs' dotted paths: lr_0_1 is 0.1
        "lr_" + f"{c.learning_rate:g}".replace(".", "_"): {
            "angle": f"{c.angle:.1f}°",
            "relative": f"{c.relative:.0%}",
            "first_layer": f"{c.per_layer[0]:.0%}",
            "last_layer": f"{c.per_layer[-1]:.0%}",
        }
        for c in result.comparisons
    }
    true_first = curves.first_perfect(curves.true_accuracies)
    variant_first = curves.first_perfect(curves.variant_accuracies)
    return {
        "blame_table": format_blame_table(layers, markdown=True),
        "blame": {
            "sample": f"({result.sample[0]:.3f}, {result.sample[1]:.3f})",
            "label": f"{result.label:+d}",
            "loss": f"{result.loss:.4f}",
            "exact": f"{exact:,} of {total:,}",
            "dead_first_layer": str(layers[0].dead),
        },
        "comparison_table": format_comparison_table(result.comparisons, markdown=True),
        "by_learning_rate": by_rate,
        "training": {
            "steps": str(curves.steps),
            "true_first_perfect": "never" if true_first is None else str(true_first),
            "variant_first_perfect": (
                "never" if variant_first is None else str(variant_first)
            ),
            "true_final_loss": f"{curves.true_losses[-1]:.4f}",
            "variant_final_loss": f"{curves.variant_losses[-1]:.4f}",
            "true_final_accuracy": f"{curves.true_accuracies[-1]:.0%}",
            "variant_final_accuracy": f"{curves.variant_accuracies[-1]:.0%}",
            "first_angle": f"{curves.angles[0]:.1f}°",
            "last_angle": f"{curves.angles[-1]:.2f}°",
            "sentence": _training_sentence(curves),
        },
    }
