"""Watch the backward pass: a neuron and a two-layer net step by step, an MLP by layer.

The neuron is the one from micrograd's lecture, tanh(w1*x1 + w2*x2 + b), written with
binary ops so that every multiply and add is a step of its own. The net has two inputs,
three tanh units and one output, with a squared error as its loss. For each, writes the
graph (SVG, PNG) and the backward pass (an animated GIF and an HTML page with a
slider), and prints the pass as a table. Then the layer view: an MLP(2, [16, 16, 1])
drawn as the network diagram, and backprop on it layer by layer (GIF, HTML, PNG).
Prints the paths it wrote. ``--images DIR`` writes only the pictures of the docs;
``--results FILE`` times ``print_backward`` on long chains and writes the figures the
docs quote as JSON (``docs/results/pictures.json``).

    scalar-autograd backward-pass [--out out/backward_pass]
    scalar-autograd backward-pass --images docs/images \\
        --results docs/results/pictures.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import autograd
import nn
from autograd import Value, viz

SAMPLE = (0.8, -0.6)  # the MLP's input in the layer view
TARGET = 1.0  # and the output it should give


def neuron() -> Value:
    """micrograd's neuron, tanh(x1*w1 + x2*w2 + b), with its output o = 0.7071."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")  # makes o come out at 1/sqrt(2)
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def two_layer_net(seed: int = 0) -> Value:
    """The squared error of a 2-3-1 tanh net on one example, with fused linear nodes."""
    rng = random.Random(seed)
    xs = [Value(0.5, label="x1"), Value(-1.5, label="x2")]
    hidden = []
    for j in range(1, 4):
        ws = [Value(rng.uniform(-1, 1), label=f"h{j}.w{i}") for i in (1, 2)]
        b = Value(rng.uniform(-1, 1), label=f"h{j}.b")
        z = autograd.linear(ws, xs, b)  # one fused node: w1*x1 + w2*x2 + b
        z.label = f"z{j}"
        h = z.tanh()
        h.label = f"h{j}"
        hidden.append(h)
    vs = [Value(rng.uniform(-1, 1), label=f"y.w{j}") for j in (1, 2, 3)]
    y = autograd.linear(vs, hidden, Value(rng.uniform(-1, 1), label="y.b"))
    y.label = "y"
    error = y - Value(1.0, label="target")
    error.label = "error"
    loss = error * error  # two edges from one node: its grad is the sum of both
    loss.label = "loss"
    return loss


def layer_model(activation: str = "relu", seed: int = 2) -> nn.MLP:
    """The MLP of the layer view: 2 inputs, two hidden layers of 16, one output."""
    return nn.MLP(2, [16, 16, 1], activation=activation, seed=seed)


def squared_error(output: Value) -> Value:
    """The layer view's loss: (output - TARGET) ** 2."""
    return (output - TARGET) ** 2


def write_pictures(root: Value, out: str, name: str) -> list[str]:
    """The graph (SVG, PNG) and the backward pass (GIF, HTML) of root; their paths."""
    root.backward()  # so the graph shows every grad
    graph = viz.draw_graph(root)
    paths = [
        viz.render(graph, os.path.join(out, f"{name}_graph.svg")),
        viz.render(graph, os.path.join(out, f"{name}_graph.png")),
        viz.animate_backward(root, os.path.join(out, f"{name}_backward.gif")),
        viz.animate_backward(root, os.path.join(out, f"{name}_backward.html")),
    ]
    return [str(p) for p in paths]


def write_layer_view(out: str) -> list[str]:
    """The MLP's diagram (SVG, PNG) and backprop on it (GIF, HTML, PNG); their paths."""
    model = layer_model()
    diagram = viz.draw_network(model, SAMPLE)
    paths = [
        diagram.save(os.path.join(out, "network.svg")),
        diagram.save(os.path.join(out, "network.png")),
    ]
    for suffix in (".gif", ".html", ".png"):
        target = os.path.join(out, f"network_backward{suffix}")
        paths.append(viz.animate_network_backward(model, SAMPLE, squared_error, target))
    return [str(p) for p in paths]


def write_doc_images(folder: str) -> list[str]:
    """The pictures docs/pictures.md (and the front page) show, into ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    o = neuron()
    o.backward()
    paths = [
        viz.render(viz.draw_graph(o), out / "neuron_graph.png"),
        viz.animate_backward(neuron(), out / "neuron_backward.gif"),
    ]
    net = two_layer_net()
    paths.append(viz.animate_backward(net, out / "net_backward.gif"))
    model = layer_model()
    paths.append(viz.draw_network(model, SAMPLE).save(out / "network.png"))
    for suffix in (".gif", ".png"):
        target = out / f"network_backward{suffix}"
        paths.append(viz.animate_network_backward(model, SAMPLE, squared_error, target))
    # Saturation shows best with tanh on a larger input.
    tanh_model = layer_model("tanh", seed=0)
    paths.append(
        viz.animate_network_backward(
            tanh_model, (2.5, -2.0), squared_error, out / "network_tanh_backward.png"
        )
    )
    return [str(p) for p in paths]


def chain(n: int) -> Value:
    """sin applied ``n`` times to a leaf: a graph of n + 1 Values, n steps."""
    y = Value(0.5, label="x")
    for _ in range(n):
        y = y.sin()
    return y


def measure_print_backward(n: int, repeats: int = 3) -> dict[str, float]:
    """Seconds (median of ``repeats``) and peak traced memory of printing a chain."""
    root = chain(n)
    times = []
    for _ in range(repeats):
        out = io.StringIO()
        start = time.perf_counter()
        viz.print_backward(root, file=out)
        times.append(time.perf_counter() - start)
    tracemalloc.start()  # a separate run: tracing slows the pass down several times
    try:
        viz.print_backward(root, file=io.StringIO())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {
        "seconds": statistics.median(times),
        "peak_bytes": float(peak),
        "text_bytes": float(len(out.getvalue())),
    }


def results(sizes: Sequence[int] = (10_000, 100_000)) -> dict[str, object]:
    """What ``--results`` writes: formatted figures for the docs, then raw numbers."""
    raw = {f"chain_{n}": measure_print_backward(n) for n in sizes}
    figures: dict[str, object] = {}
    for key, m in raw.items():
        figures[key] = {
            "seconds": f"{m['seconds']:.2f} s",
            "peak_memory": f"{m['peak_bytes'] / 1e6:.1f} MB",
            "text": f"{m['text_bytes'] / 1e6:.2f} MB",
        }
    small, large = raw[f"chain_{sizes[0]}"], raw[f"chain_{sizes[-1]}"]
    frame = viz.network_frames(layer_model(), SAMPLE, squared_error)[0]
    return {
        "command": "scalar-autograd backward-pass --images docs/images "
        "--results docs/results/pictures.json",
        "python": platform.python_version(),
        "print_backward": figures,
        "growth": {
            "nodes": f"{sizes[-1] // sizes[0]}x",
            "time": f"{large['seconds'] / small['seconds']:.1f}x",
            "memory": f"{large['peak_bytes'] / small['peak_bytes']:.1f}x",
        },
        "network": {
            "model": "MLP(2, [16, 16, 1])",
            "size": f"{frame.width} x {frame.height} px",
            "frames": str(2 * len(layer_model().layers) + 2),
        },
        "raw": raw,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print both backward passes and write their pictures; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="scalar-autograd backward-pass", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--out", default=os.path.join("out", "backward_pass"), help="folder"
    )
    parser.add_argument(
        "--images",
        metavar="DIR",
        help="only write the pictures of docs/pictures.md into DIR (docs/images)",
    )
    parser.add_argument(
        "--results",
        metavar="FILE",
        help="only time print_backward on long chains and write the figures as "
        "JSON (docs/results/pictures.json)",
    )
    args = parser.parse_args(argv)
    written: list[str] = []
    if args.images or args.results:
        try:
            if args.images:
                written += write_doc_images(args.images)
        except viz.RendererNotFound as error:
            print(error, file=sys.stderr)
            return 1
        if args.results:
            measured = results()
            Path(args.results).parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(measured, indent=2) + "\n"
            Path(args.results).write_text(text, encoding="utf-8")
            written.append(args.results)
        for path in written:
            print(f"wrote {path}")
        return 0
    os.makedirs(args.out, exist_ok=True)
    models = {"neuron": neuron(), "net": two_layer_net()}
    for name, root in models.items():
        print(f"== {name} ==")
        viz.print_backward(root)
        print()
    try:
        for name, root in models.items():
            written += write_pictures(root, args.out, name)
    except viz.RendererNotFound as error:
        print(error, file=sys.stderr)
        return 1
    written += write_layer_view(args.out)  # drawn with Pillow: no renderer needed
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
