"""How closely an ``nn`` model and its ``to_torch()`` twin agree: the measures.

``tests/test_pytorch.py`` checks the bounds below on random models; this module
also measures the worst differences over many models and writes them for the docs:

    python tests/torch_agreement.py --results docs/results/torch_agreement.json

The measures (float64 throughout; the two sides sum in different orders, PyTorch
with BLAS, so they differ by rounding only):

- **forward**: |ours - torch| of each output, divided by that output of the
  *absolute network* (every weight, bias and input replaced by its absolute value,
  no activations), which bounds the size of every term either side added up;
- **gradients**: |ours - torch| of each parameter's (or input's) gradient of a mean
  squared error, divided by that gradient in the *absolute backward pass*: the
  absolute network's backward pass from the magnitudes of the loss's own terms
  (2 (|y| + |t|) / n for an output y and its target t), every activation's slope
  taken as 1 (relu', tanh' and sigmoid' are at most 1). It bounds the size of
  every term either side added up, as the absolute network does forward;
- **losses**: each of the four losses and its gradients against PyTorch's
  (``mse_loss``, ``relu(1 - y s).mean()``, ``binary_cross_entropy_with_logits``,
  ``cross_entropy``) relative to the size of the terms they add up;
- **trajectory**: |ours - torch| of each parameter after each of 20 training steps
  on two moons (hinge loss, full batch), the same optimizer settings each side.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import nn  # noqa: E402
from autograd import Value  # noqa: E402

# The bounds the tests check. Each is a few times the worst difference measured
# (see docs/results/torch_agreement.json); they are not tuned per case.
FORWARD_BOUND = 1e-15  # relative to the absolute network's output
PARAMETER_GRADIENT_BOUND = 1e-15  # relative to the absolute backward pass
INPUT_GRADIENT_BOUND = 1e-15  # relative to the absolute backward pass
LOSS_BOUND = 1e-15  # relative to the size of the loss's terms
SGD_TRAJECTORY_BOUND = 2e-15  # absolute, per parameter, any step
# Adam moves a parameter by about lr * g / (sqrt(v) + eps): a gradient that is zero
# but for rounding (a sum of terms that cancel, left at ~1e-18 on one side and
# another ~1e-18 on the other) moves it by lr * 1e-18 / eps, so the two sides drift
# apart by up to about that much per step: far more with eps = 1e-8 than with 1e-6.
ADAM_TRAJECTORY_BOUND = 1e-10  # absolute, lr = 0.01, eps = 1e-8
ADAM_EPS6_TRAJECTORY_BOUND = 1e-14  # absolute, lr = 0.01, eps = 1e-6

ACTIVATIONS = ["relu", "tanh", "sigmoid", None]
STEPS = 20

# (our optimizer, torch.optim's, settings): the same settings on both sides.
OPTIMIZERS: dict[str, tuple[str, dict[str, Any], float]] = {
    "SGD momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}, SGD_TRAJECTORY_BOUND),
    "SGD momentum, weight decay": (
        "SGD",
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-3},
        SGD_TRAJECTORY_BOUND,
    ),
    "Adam": ("Adam", {"lr": 0.01, "eps": 1e-8}, ADAM_TRAJECTORY_BOUND),
    "Adam, eps 1e-6, weight decay": (
        "Adam",
        {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 1e-3},
        ADAM_EPS6_TRAJECTORY_BOUND,
    ),
}


def torch_module() -> Any:
    """The torch module (imported here so that this file imports without it)."""
    import torch

    return torch


def random_case(rng: random.Random) -> tuple[nn.MLP, list[list[float]]]:
    """A random MLP (1-5 inputs, 1-4 layers of 1-16, any activation) and 4 inputs."""
    nin = rng.randint(1, 5)
    sizes = [rng.randint(1, 16) for _ in range(rng.randint(1, 4))]
    model = nn.MLP(nin, sizes, rng.choice(ACTIVATIONS), seed=rng.getrandbits(32))
    batch = [[rng.uniform(-3.0, 3.0) for _ in range(nin)] for _ in range(4)]
    return model, batch


def absolute_network(model: nn.MLP, x: list[float]) -> list[float]:
    """The model with |w|, |b|, |x| and no activations: a bound on the terms' size."""
    h = [abs(v) for v in x]
    for layer in model.layers:
        h = [
            sum(abs(w.data) * hi for w, hi in zip(n.w, h)) + abs(n.b.data)
            for n in layer.neurons
        ]
    return h


def _outputs(out: Any) -> list[Value]:
    return out if isinstance(out, list) else [out]


TARGET = 0.5  # the mean squared error's target for every output


def absolute_gradients(
    model: nn.MLP, batch: list[list[float]]
) -> tuple[list[float], list[float]]:
    """The absolute backward pass: a bound on each parameter's and input's terms."""
    parameters = model.parameters()
    index = {id(p): i for i, p in enumerate(parameters)}
    outputs = len(batch) * model.layer_sizes[-1]
    by_parameter = [0.0] * len(parameters)
    by_input = []
    for x in batch:
        hs = [[abs(v) for v in x]]
        for layer in model.layers:
            hs.append(
                [
                    sum(abs(w.data) * h for w, h in zip(n.w, hs[-1])) + abs(n.b.data)
                    for n in layer.neurons
                ]
            )
        delta = [2.0 * (a + TARGET) / outputs for a in hs[-1]]
        for depth in range(len(model.layers) - 1, -1, -1):
            neurons, h = model.layers[depth].neurons, hs[depth]
            for d, neuron in zip(delta, neurons):
                for w, hj in zip(neuron.w, h):
                    by_parameter[index[id(w)]] += d * hj
                by_parameter[index[id(neuron.b)]] += d
            delta = [
                sum(abs(n.w[j].data) * d for n, d in zip(neurons, delta))
                for j in range(len(h))
            ]
        by_input.extend(delta)
    return by_parameter, by_input


def agreement(model: nn.MLP, batch: list[list[float]]) -> dict[str, float]:
    """The worst forward, parameter-gradient and input-gradient differences."""
    torch = torch_module()
    twin = model.to_torch()
    inputs = [[Value(v) for v in x] for x in batch]
    outputs = [_outputs(out) for out in model.forward_batch(inputs)]
    x = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    theirs = twin(x)
    forward = 0.0
    for i, (sample, point) in enumerate(zip(outputs, batch)):
        sizes = absolute_network(model, point)
        for j, (ours, size) in enumerate(zip(sample, sizes)):
            difference = abs(ours.data - theirs[i, j].item())
            forward = max(forward, difference / size if size else difference)
    flat = [v for sample in outputs for v in sample]
    model.zero_grad()
    nn.mse_loss(flat, [TARGET] * len(flat)).backward()
    ((theirs.reshape(-1) - TARGET) ** 2).mean().backward()
    ours_grads = [p.grad for p in model.parameters()]
    their_grads = [
        value
        for module in twin
        if isinstance(module, torch.nn.Linear)
        for k in range(module.out_features)
        for value in [*module.weight.grad[k].tolist(), module.bias.grad[k].item()]
    ]
    input_ours = [v.grad for point in inputs for v in point]
    input_theirs = x.grad.reshape(-1).tolist()
    parameter_sizes, input_sizes = absolute_gradients(model, batch)
    return {
        "forward": forward,
        "parameter_gradients": _relative(ours_grads, their_grads, parameter_sizes),
        "input_gradients": _relative(input_ours, input_theirs, input_sizes),
    }


def _relative(ours: list[float], theirs: list[float], sizes: list[float]) -> float:
    """The worst |a - b| / size (|a - b| where the size is 0)."""
    assert len(ours) == len(theirs) == len(sizes)
    return max(
        (abs(a - b) / m if m else abs(a - b) for a, b, m in zip(ours, theirs, sizes)),
        default=0.0,
    )


LOSSES = ["mse_loss", "hinge_loss", "binary_cross_entropy", "cross_entropy"]


@dataclass
class LossCase:
    """Our loss and PyTorch's on the same batch, and the size of their terms.

    ``value_size`` bounds the size of the terms the loss adds up and
    ``gradient_sizes`` those of each gradient, as the absolute network does for a
    model: differences are measured relative to them.
    """

    ours: Callable[[list[Value]], Value]
    theirs: Callable[[Any], Any]
    numbers: list[float]
    value_size: float
    gradient_sizes: list[float]


def loss_case(name: str, rng: random.Random) -> LossCase:
    """A random batch for the loss ``name``, with our loss and PyTorch's."""
    torch = torch_module()
    functional = torch.nn.functional
    n = rng.randint(1, 8)
    s = [rng.uniform(-5.0, 5.0) for _ in range(n)]
    if name == "mse_loss":  # mean (s - t)**2, gradient 2 (s - t) / n
        t = [rng.uniform(-5.0, 5.0) for _ in range(n)]
        tt = torch.tensor(t, dtype=torch.float64)
        return LossCase(
            lambda v: nn.mse_loss(v, t),
            lambda z: functional.mse_loss(z, tt),
            s,
            sum((abs(a) + abs(b)) ** 2 for a, b in zip(s, t)) / n,
            [2.0 * (abs(a) + abs(b)) / n for a, b in zip(s, t)],
        )
    if name == "hinge_loss":  # mean relu(1 - y s), gradient -y / n or 0
        y = [rng.choice([-1, 1]) for _ in range(n)]
        yt = torch.tensor(y, dtype=torch.float64)
        return LossCase(
            lambda v: nn.hinge_loss(v, y),
            lambda z: torch.relu(1.0 - yt * z).mean(),
            s,
            sum(1.0 + abs(a) for a in s) / n,
            [1.0 / n] * n,
        )
    if name == "binary_cross_entropy":  # mean softplus(s) - y s; (sigmoid - y) / n
        y = [rng.random() for _ in range(n)]
        yt = torch.tensor(y, dtype=torch.float64)
        return LossCase(
            lambda v: nn.binary_cross_entropy(v, y),
            lambda z: functional.binary_cross_entropy_with_logits(z, yt),
            s,
            sum(abs(a) + math.log(2.0) + b * abs(a) for a, b in zip(s, y)) / n,
            [(1.0 + b) / n for b in y],
        )
    # cross entropy: mean log(sum(exp(z - m))) + m - z_t; (softmax - onehot) / n
    classes = rng.randint(1, 5)
    z = [rng.uniform(-5.0, 5.0) for _ in range(n * classes)]
    rows = [z[i * classes : (i + 1) * classes] for i in range(n)]
    targets = [rng.randrange(classes) for _ in range(n)]
    index = torch.tensor(targets)
    return LossCase(
        lambda v: nn.cross_entropy(
            [v[i * classes : (i + 1) * classes] for i in range(n)], targets
        ),
        lambda x: functional.cross_entropy(x.reshape(n, classes), index),
        z,
        sum(3.0 * max(map(abs, row)) + math.log(classes) for row in rows) / n,
        [2.0 / n] * len(z),
    )


def loss_agreement(name: str, rng: random.Random) -> tuple[float, float]:
    """The worst difference of the loss and of its gradients, relative to sizes."""
    torch = torch_module()
    case = loss_case(name, rng)
    values = [Value(x) for x in case.numbers]
    ours = case.ours(values)
    ours.backward()
    z = torch.tensor(case.numbers, dtype=torch.float64, requires_grad=True)
    theirs = case.theirs(z)
    theirs.backward()
    value = abs(ours.data - theirs.item()) / case.value_size
    gradients = _relative(
        [v.grad for v in values], z.grad.tolist(), case.gradient_sizes
    )
    return value, gradients


def trajectory(name: str, activation: str | None, seed: int) -> list[float]:
    """Train an MLP and its twin 20 steps; the worst parameter difference per step."""
    torch = torch_module()
    optimizer_name, settings, _ = OPTIMIZERS[name]
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=1)
    labels = [2 * c - 1 for c in y]
    model = nn.MLP(2, [16, 16, 1], activation, seed=seed)
    twin = model.to_torch()
    ours = getattr(nn, optimizer_name)(model.parameters(), **settings)
    theirs = getattr(torch.optim, optimizer_name)(twin.parameters(), **settings)
    x = torch.tensor(X, dtype=torch.float64)
    targets = torch.tensor(labels, dtype=torch.float64)
    worst = []
    for _ in range(STEPS):
        loss = nn.hinge_loss(model.forward_batch(X), labels)
        ours.zero_grad()
        loss.backward()
        ours.step()
        theirs.zero_grad()
        torch.relu(1.0 - targets * twin(x).reshape(-1)).mean().backward()
        theirs.step()
        state = model.torch_state_dict()
        worst.append(
            max(
                (state[key] - tensor).abs().max().item()
                for key, tensor in twin.state_dict().items()
            )
        )
    return worst


def measure(models: int, seed: int = 0) -> dict[str, Any]:
    """The worst differences over ``models`` random models and every trajectory."""
    rng = random.Random(seed)
    worst = {"forward": 0.0, "parameter_gradients": 0.0, "input_gradients": 0.0}
    for _ in range(models):
        for key, value in agreement(*random_case(rng)).items():
            worst[key] = max(worst[key], value)
    losses = 0.0
    for _ in range(models):
        for name in LOSSES:
            losses = max(losses, *loss_agreement(name, rng))
    trajectories: dict[str, float] = {}
    for name in OPTIMIZERS:
        trajectories[name] = max(
            max(trajectory(name, activation, s))
            for activation in ("relu", "tanh")
            for s in range(4)
        )
    return {
        "models": models,
        **worst,
        "losses": losses,
        "trajectories": trajectories,
    }


def _format(number: float) -> str:
    return f"{number:.1e}"


def results(measured: dict[str, Any]) -> dict[str, Any]:
    """The measurements as strings for the page, with the bounds the tests check."""
    bounds = {
        "forward": FORWARD_BOUND,
        "parameter_gradients": PARAMETER_GRADIENT_BOUND,
        "input_gradients": INPUT_GRADIENT_BOUND,
        "losses": LOSS_BOUND,
    }
    rows = [
        "| what is compared | worst measured | bound the tests check |",
        "|---|---|---|",
    ]
    labels = {
        "forward": "forward outputs, relative to the absolute network",
        "parameter_gradients": "parameter gradients, relative to the absolute "
        "backward pass",
        "input_gradients": "input gradients, relative to the absolute backward pass",
        "losses": "the four losses and their gradients, relative to their terms",
    }
    for key, label in labels.items():
        rows.append(f"| {label} | {_format(measured[key])} | {bounds[key]:.0e} |")
    for name, value in measured["trajectories"].items():
        bound = OPTIMIZERS[name][2]
        rows.append(
            f"| 20 steps of {name}, any parameter, absolute | {_format(value)} | "
            f"{bound:.0e} |"
        )
    return {
        "models": str(measured["models"]),
        "forward": _format(measured["forward"]),
        "parameter_gradients": _format(measured["parameter_gradients"]),
        "input_gradients": _format(measured["input_gradients"]),
        "losses": _format(measured["losses"]),
        "trajectories": {k: _format(v) for k, v in measured["trajectories"].items()},
        "table": "\n".join(rows),
    }


def main(argv: list[str] | None = None, out: Callable[[str], Any] = print) -> int:
    """Measure and print; with ``--results FILE``, write the figures there too."""
    parser = argparse.ArgumentParser(prog="python tests/torch_agreement.py")
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, help="write the figures as JSON")
    arguments = parser.parse_args(argv)
    figures = results(measure(arguments.models, arguments.seed))
    out(figures["table"])
    if arguments.results:
        arguments.results.write_text(json.dumps(figures, indent=1) + "\n")
        out(f"wrote {arguments.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
