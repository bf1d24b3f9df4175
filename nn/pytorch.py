"""``nn`` models to PyTorch and back: ``to_torch``, ``MLP.from_torch``, state dicts.

An ``nn.MLP`` is a stack of dense layers, so its PyTorch twin is a
``torch.nn.Sequential`` of ``Linear`` modules, each followed by the hidden
activation's module (none for a linear layer). Activations map one to one:

    relu -> torch.nn.ReLU, tanh -> torch.nn.Tanh, sigmoid -> torch.nn.Sigmoid,
    None (linear) -> no module

Positions in the ``Sequential`` count the activation modules too, so PyTorch's
names of an ``MLP(2, [16, 16, 1])`` (relu) are ``0.weight``, ``0.bias``,
``2.weight``, ``2.bias``, ``4.weight``, ``4.bias``; ours map onto them entry by
entry: ``layers.i.neurons.k.w.j`` is ``<index of the i-th Linear>.weight[k, j]``
and ``layers.i.neurons.k.b`` is ``<index>.bias[k]``. A ``Layer`` is a one-layer
stack (``neurons.k.w.j``), a ``Neuron`` a one-neuron layer (``w.j``, ``b``).

Everything is float64, so the numbers cross exactly: PyTorch holds the very floats
our parameters hold, and ``MLP.from_torch`` reads any float dtype back as Python
floats without rounding (every float16, bfloat16 or float32 is a float64).

PyTorch is optional: it is imported when one of these functions is called, and its
absence is a ``ModuleNotFoundError`` that says which extra to install.
"""

from __future__ import annotations

from typing import Any

from nn._checks import describe, import_extra
from nn.layers import MLP, DenseLayer, dense_layers
from nn.module import Module

__all__ = ["ACTIVATION_MODULES", "mlp_from_torch", "to_torch", "torch_state_dict"]

ACTIVATION_MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}
"""Our activation names and the ``torch.nn`` modules they map to (None: no module)."""


def import_torch(where: str) -> Any:
    """The ``torch`` module, or ``ModuleNotFoundError`` saying what to install."""
    return import_extra("torch", "torch", where, "PyTorch")


def _positions(stack: list[DenseLayer], where: str) -> list[int]:
    """The index of each layer's ``Linear`` in the ``Sequential``."""
    positions, index = [], 0
    for layer in stack:
        positions.append(index)
        index += 1
        if layer.activation is not None:
            if layer.activation not in ACTIVATION_MODULES:
                raise TypeError(
                    f"{where}: activation {layer.activation!r} has no torch.nn "
                    f"module; mapped: {', '.join(ACTIVATION_MODULES)} and None"
                )
            index += 1
    return positions


def to_torch(model: Module) -> Any:
    """``model`` as a float64 ``torch.nn.Sequential`` holding copies of its numbers."""
    stack = dense_layers(model, "to_torch")
    _positions(stack, "to_torch")  # an activation without a module: TypeError
    torch = import_torch("to_torch")
    modules = []
    for layer in stack:
        nout, nin = len(layer.rows), len(layer.rows[0])
        # skip_init: no random initialisation, so torch's global RNG is untouched.
        linear = torch.nn.utils.skip_init(
            torch.nn.Linear, nin, nout, dtype=torch.float64
        )
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.rows, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(layer.biases, dtype=torch.float64))
        modules.append(linear)
        if layer.activation is not None:
            modules.append(getattr(torch.nn, ACTIVATION_MODULES[layer.activation])())
    return torch.nn.Sequential(*modules)


def torch_state_dict(model: Module) -> dict[str, Any]:
    """``model``'s parameters as ``to_torch(model).state_dict()`` names them."""
    stack = dense_layers(model, "torch_state_dict")
    positions = _positions(stack, "torch_state_dict")
    torch = import_torch("torch_state_dict")
    state = {}
    for index, layer in zip(positions, stack):
        state[f"{index}.weight"] = torch.tensor(layer.rows, dtype=torch.float64)
        state[f"{index}.bias"] = torch.tensor(layer.biases, dtype=torch.float64)
    return state


# -- from PyTorch --------------------------------------------------------------------


def mlp_from_torch(module: Any) -> MLP:
    """The ``nn.MLP`` that computes what ``module`` (a ``Sequential``) computes."""
    where = "MLP.from_torch"
    torch = import_torch(where)
    activations = {getattr(torch.nn, v): k for k, v in ACTIVATION_MODULES.items()}
    if isinstance(module, torch.nn.Sequential):
        children = list(module.named_children())
    elif _is_linear(torch, module):
        children = [("0", module)]
    else:
        raise TypeError(
            f"{where}: module must be a torch.nn.Sequential of Linear and activation "
            f"modules (or one Linear), got {describe(module)}"
        )
    if not children:
        raise ValueError(f"{where}: the Sequential is empty; an MLP needs a Linear")

    def label(index: int) -> str:
        key, child = children[index]
        named = "" if key == str(index) else f" {key!r}"
        return f"layer {index}{named} ({type(child).__name__})"

    linears: list[tuple[int, Any]] = []  # (index, Linear)
    hidden: list[tuple[int, str | None]] = []  # after each Linear but the last
    previous_was_activation = True  # nothing before the first Linear
    for index, (_, child) in enumerate(children):
        if _is_linear(torch, child):
            if linears and not previous_was_activation:
                hidden.append((index, None))  # Linear after Linear: linear layer
            linears.append((index, child))
            previous_was_activation = False
        elif type(child) in activations:
            if not linears:
                raise ValueError(
                    f"{where}: {label(index)} comes before the first Linear; an "
                    "MLP starts with a Linear"
                )
            if previous_was_activation:
                raise ValueError(
                    f"{where}: {label(index)} follows another activation; an MLP "
                    "has one activation after each hidden Linear"
                )
            hidden.append((index, activations[type(child)]))
            previous_was_activation = True
        else:
            raise TypeError(
                f"{where}: {label(index)} is not supported; nn.MLP is made of Linear "
                f"layers (with bias) and one hidden activation: "
                f"{', '.join(f'torch.nn.{v}' for v in ACTIVATION_MODULES.values())}"
                " or none"
            )
    if previous_was_activation:
        index = len(children) - 1
        raise ValueError(
            f"{where}: {label(index)} comes after the last Linear; nn.MLP's output "
            "layer is linear (apply the activation to its outputs yourself)"
        )
    kinds = {name for _, name in hidden}
    if len(kinds) > 1:
        (first, a), other = hidden[0], next(h for h in hidden if h[1] != hidden[0][1])
        raise ValueError(
            f"{where}: mixed hidden activations: {_what(label, first, a)} but "
            f"{_what(label, other[0], other[1])}; nn.MLP uses one activation for "
            "every hidden layer"
        )
    activation = kinds.pop() if kinds else "relu"  # one layer: no hidden activation

    rows_by_layer, biases_by_layer = [], []
    previous_out = None
    for index, linear in linears:
        rows, biases = _linear_numbers(torch, linear, label(index), where)
        nin = len(rows[0])
        if previous_out is not None and nin != previous_out:
            before = linears[len(rows_by_layer) - 1][0]
            raise ValueError(
                f"{where}: {label(index)} has {nin} inputs but {label(before)} has "
                f"{previous_out} outputs"
            )
        previous_out = len(rows)
        rows_by_layer.append(rows)
        biases_by_layer.append(biases)

    sizes = [len(rows) for rows in rows_by_layer]
    model = MLP(len(rows_by_layer[0][0]), sizes, activation, seed=0)
    for layer, rows, biases in zip(model.layers, rows_by_layer, biases_by_layer):
        for neuron, row, bias in zip(layer.neurons, rows, biases):
            for w, number in zip(neuron.w, row):
                w.data = number
            neuron.b.data = bias
    return model


def _is_linear(torch: Any, module: Any) -> bool:
    """A ``torch.nn.Linear`` (or a subclass that computes as it does)."""
    return (
        isinstance(module, torch.nn.Linear)
        and type(module).forward is torch.nn.Linear.forward
    )


def _what(label: Any, index: int, activation: str | None) -> str:
    if activation is None:
        return f"{label(index)} follows a Linear with no activation between"
    return label(index)


def _linear_numbers(
    torch: Any, linear: Any, label: str, where: str
) -> tuple[list[list[float]], list[float]]:
    """A ``Linear``'s weight rows and biases as Python floats, exactly."""
    weight, bias = linear.weight, linear.bias
    if isinstance(weight, torch.nn.parameter.UninitializedParameter):
        raise ValueError(f"{where}: {label} is not initialised (a lazy module)")
    if bias is None:
        raise ValueError(
            f"{where}: {label} has no bias (bias=False); every neuron of nn.MLP has "
            "one (use torch.nn.Linear(..., bias=True), or set it to zeros)"
        )
    for name, tensor in (("weight", weight), ("bias", bias)):
        if not tensor.dtype.is_floating_point:
            raise TypeError(
                f"{where}: {label} has a {name} of dtype {tensor.dtype}; "
                "a float dtype is needed"
            )
        if tensor.device.type == "meta":
            raise ValueError(f"{where}: {label}'s {name} is on the meta device")
    nout, nin = linear.out_features, linear.in_features
    if nin < 1 or nout < 1:
        raise ValueError(f"{where}: {label} has {nin} inputs and {nout} outputs")
    if tuple(weight.shape) != (nout, nin) or tuple(bias.shape) != (nout,):
        raise ValueError(
            f"{where}: {label} has a weight of shape {tuple(weight.shape)} and a "
            f"bias of shape {tuple(bias.shape)}; expected ({nout}, {nin}) and "
            f"({nout},)"
        )
    # Every float16, bfloat16 and float32 is exactly a float64: no rounding here.
    rows = weight.detach().to(device="cpu", dtype=torch.float64).tolist()
    biases = bias.detach().to(device="cpu", dtype=torch.float64).tolist()
    return rows, biases
