"""nn models to PyTorch and back: to_torch, MLP.from_torch, torch_state_dict.

Where PyTorch is missing these tests skip (``tests/capabilities.py``), except those
that check the error a user without PyTorch gets. The bounds are defined, and
measured over many models, in ``tests/torch_agreement.py``.
"""

from __future__ import annotations

import math
import random
import re
import struct
import subprocess
import sys
from collections import OrderedDict
from typing import Any

import pytest
from capabilities import missing
from hypothesis import given
from hypothesis import strategies as st
from torch_agreement import (
    FORWARD_BOUND,
    INPUT_GRADIENT_BOUND,
    LOSS_BOUND,
    LOSSES,
    OPTIMIZERS,
    PARAMETER_GRADIENT_BOUND,
    absolute_network,
    agreement,
    loss_agreement,
    random_case,
    trajectory,
)

import nn

seeds = st.integers(0, 2**32)
EXTREMES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1e308,
            1.7976931348623157e308, 0.1, 1 / 3, math.inf, -math.inf]  # fmt: skip
parameter_values = st.one_of(
    st.sampled_from(EXTREMES), st.floats(allow_nan=False, allow_infinity=False)
)


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        missing("torch", 'PyTorch is not installed (pip install -e ".[torch]")')
    return torch


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _model_bits(model: nn.Module) -> list[bytes]:
    return [_bits(p.data) for p in model.parameters()]


@st.composite
def mlps(draw: st.DrawFn, values: st.SearchStrategy[float] | None = None) -> nn.MLP:
    """A small random MLP; with ``values``, its parameters drawn from them."""
    model = nn.MLP(
        draw(st.integers(1, 4)),
        draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)),
        draw(st.sampled_from(["relu", "tanh", "sigmoid", None])),
        seed=draw(seeds),
    )
    if values is not None:
        for p in model.parameters():
            p.data = draw(values)
    return model


# -- to_torch: the module ------------------------------------------------------------


@pytest.mark.parametrize(
    ("activation", "module"),
    [("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid"), (None, None)],
)
def test_to_torch_is_a_sequential_of_linear_and_activation_modules(
    activation, module
) -> None:
    """MLP(2, [3, 4, 1]) becomes Linear, act, Linear, act, Linear (no act if None)."""
    torch = _torch()
    twin = nn.MLP(2, [3, 4, 1], activation, seed=0).to_torch()
    assert isinstance(twin, torch.nn.Sequential)
    kinds = [type(m).__name__ for m in twin]
    expected = ["Linear", module, "Linear", module, "Linear"]
    assert kinds == [k for k in expected if k is not None]
    linears = [m for m in twin if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (2, 3),
        (3, 4),
        (4, 1),
    ]
    assert all(p.dtype == torch.float64 for p in twin.parameters())


@pytest.mark.parametrize(
    ("build", "kinds"),
    [
        (lambda: nn.Layer(3, 2, "tanh", seed=0), ["Linear", "Tanh"]),
        (lambda: nn.Layer(3, 2, None, seed=0), ["Linear"]),
        (lambda: nn.Neuron(3, "sigmoid", seed=0), ["Linear", "Sigmoid"]),
    ],
    ids=["Layer tanh", "Layer linear", "Neuron sigmoid"],
)
def test_layer_and_neuron_become_one_linear_and_their_activation(build, kinds) -> None:
    """A Layer or a Neuron is a one-Linear Sequential (a Neuron has one output)."""
    _torch()
    module = build()
    twin = module.to_torch()
    assert [type(m).__name__ for m in twin] == kinds
    assert twin[0].out_features == (module.nout if isinstance(module, nn.Layer) else 1)


@given(mlps(parameter_values))
def test_to_torch_copies_every_parameter_bit_for_bit(model: nn.MLP) -> None:
    """Each weight and bias of the twin is our parameter's float, every bit."""
    torch = _torch()
    linears = [m for m in model.to_torch() if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.layers, linears):
        for k, neuron in enumerate(layer.neurons):
            row = linear.weight[k].tolist()
            assert [_bits(x) for x in row] == [_bits(w.data) for w in neuron.w]
            assert _bits(linear.bias[k].item()) == _bits(neuron.b.data)


def test_to_torch_holds_copies() -> None:
    """Changing our parameter afterwards leaves the twin as it was (and back)."""
    _torch()
    model = nn.MLP(2, [2, 1], seed=0)
    twin = model.to_torch()
    before = twin[0].weight[0, 0].item()
    model.layers[0].neurons[0].w[0].data = 123.0
    assert twin[0].weight[0, 0].item() == before


def test_to_torch_leaves_torch_random_state_alone() -> None:
    """Building the twin draws nothing from PyTorch's global random generator."""
    torch = _torch()
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    nn.MLP(2, [16, 16, 1], seed=0).to_torch()
    assert torch.equal(torch.rand(3), expected)


# -- to_torch: the same numbers --------------------------------------------------------


@given(seed=seeds)
def test_forward_agrees_with_the_twin(seed: int) -> None:
    """Every output agrees to FORWARD_BOUND relative to the absolute network."""
    _torch()
    assert agreement(*random_case(random.Random(seed)))["forward"] <= FORWARD_BOUND


@given(seed=seeds)
def test_parameter_gradients_agree_with_the_twin(seed: int) -> None:
    """Every parameter's gradient agrees to PARAMETER_GRADIENT_BOUND of the largest."""
    _torch()
    measured = agreement(*random_case(random.Random(seed)))
    assert measured["parameter_gradients"] <= PARAMETER_GRADIENT_BOUND


@given(seed=seeds)
def test_input_gradients_agree_with_the_twin(seed: int) -> None:
    """Every input's gradient agrees to INPUT_GRADIENT_BOUND of the largest."""
    _torch()
    measured = agreement(*random_case(random.Random(seed)))
    assert measured["input_gradients"] <= INPUT_GRADIENT_BOUND


@pytest.mark.parametrize("loss", LOSSES)
@given(seed=seeds)
def test_losses_agree_with_pytorch(loss: str, seed: int) -> None:
    """Our losses and PyTorch's (value and gradient) agree to LOSS_BOUND."""
    _torch()
    value, gradients = loss_agreement(loss, random.Random(seed))
    assert value <= LOSS_BOUND
    assert gradients <= LOSS_BOUND


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("seed", [0, 1])
def test_training_trajectory_matches_torch_optim(optimizer, activation, seed) -> None:
    """20 steps on two moons: every parameter agrees with the twin after every step."""
    _torch()
    bound = OPTIMIZERS[optimizer][2]
    worst = trajectory(optimizer, activation, seed)
    assert len(worst) == 20
    assert max(worst) <= bound, worst


# -- from_torch ------------------------------------------------------------------------


@given(mlps(parameter_values))
def test_from_torch_of_to_torch_restores_every_bit(model: nn.MLP) -> None:
    """MLP.from_torch(m.to_torch()) has m's shape and every parameter's bits."""
    _torch()
    back = nn.MLP.from_torch(model.to_torch())
    assert (back.nin, back.layer_sizes) == (model.nin, model.layer_sizes)
    assert [layer.activation for layer in back.layers] == [
        layer.activation for layer in model.layers
    ]
    assert _model_bits(back) == _model_bits(model)


def test_from_torch_of_one_layer_has_the_default_hidden_activation() -> None:
    """One Linear shows no hidden activation: the MLP gets the default, relu."""
    _torch()
    back = nn.MLP.from_torch(nn.MLP(2, [3], "tanh", seed=0).to_torch())
    assert back.activation == "relu"


def test_from_torch_keeps_nan_parameters() -> None:
    """A NaN parameter (even with a payload) crosses both ways bit for bit."""
    _torch()
    model = nn.MLP(2, [2, 1], seed=0)
    payload = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF))[0]
    model.layers[1].neurons[0].b.data = payload
    model.layers[0].neurons[1].w[0].data = -math.nan
    assert _model_bits(nn.MLP.from_torch(model.to_torch())) == _model_bits(model)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_from_torch_reads_any_float_dtype_exactly(dtype: str) -> None:
    """Parameters of any float dtype become the very float64 they are."""
    torch = _torch()
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
    ).to(getattr(torch, dtype))
    model = nn.MLP.from_torch(module)
    expected = [
        x
        for linear in (module[0], module[2])
        for k in range(linear.out_features)
        for x in [*linear.weight[k].double().tolist(), linear.bias[k].double().item()]
    ]
    assert [p.data for p in model.parameters()] == expected
    assert (model.nin, model.layer_sizes, model.activation) == (3, [4, 2], "tanh")


def test_from_torch_of_a_pytorch_model_computes_what_it_computes() -> None:
    """A Sequential built and trained in PyTorch gives the same outputs here."""
    torch = _torch()
    torch.manual_seed(1)
    module = torch.nn.Sequential(
        torch.nn.Linear(2, 8), torch.nn.Sigmoid(), torch.nn.Linear(8, 3)
    ).double()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
    x = torch.randn(10, 2, dtype=torch.float64)
    optimizer.zero_grad()
    module(x).pow(2).sum().backward()
    optimizer.step()
    model = nn.MLP.from_torch(module)
    ours = [[v.data for v in out] for out in model.forward_batch(x.tolist())]
    theirs = module(x).tolist()
    for a, b, point in zip(ours, theirs, x.tolist()):
        sizes = absolute_network(model, point)
        assert all(abs(p - q) <= FORWARD_BOUND * m for p, q, m in zip(a, b, sizes))


def test_from_torch_of_one_linear_is_a_one_layer_mlp() -> None:
    """A Linear alone (or in a Sequential) is an MLP with one (linear) layer."""
    torch = _torch()
    linear = torch.nn.Linear(3, 2).double()
    for module in (linear, torch.nn.Sequential(linear)):
        model = nn.MLP.from_torch(module)
        assert (model.nin, model.layer_sizes) == (3, [2])


def test_from_torch_of_linear_layers_only_has_no_activation() -> None:
    """Linear, Linear: an MLP whose hidden activation is None."""
    torch = _torch()
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    assert nn.MLP.from_torch(module).activation is None


REFUSED = [
    "Conv2d", "no bias", "sizes", "mixed", "mixed with none", "activation last",
    "unsupported activation", "LeakyReLU", "activation first", "two activations",
    "nested", "empty", "not a module", "our own model", "Linear subclass", "lazy",
    "meta", "named",
]  # fmt: skip


def _refused(torch: Any) -> dict[str, tuple[Any, type, str]]:
    """Modules nn.MLP cannot express: (module, error, what the message says)."""
    t = torch.nn

    class Scaled(t.Linear):
        def forward(self, x: Any) -> Any:
            return 2 * super().forward(x)

    mixed = [t.Linear(2, 3), t.ReLU(), t.Linear(3, 3), t.Tanh(), t.Linear(3, 1)]
    named = OrderedDict([("fc", t.Linear(2, 3)), ("act", t.Dropout())])
    return {
        "Conv2d": (t.Sequential(t.Conv2d(1, 1, 1)), TypeError, "layer 0 (Conv2d)"),
        "no bias": (
            t.Sequential(t.Linear(2, 3), t.ReLU(), t.Linear(3, 1, bias=False)),
            ValueError,
            "layer 2 (Linear) has no bias",
        ),
        "sizes": (
            t.Sequential(t.Linear(2, 3), t.ReLU(), t.Linear(4, 1)),
            ValueError,
            "layer 2 (Linear) has 4 inputs but layer 0 (Linear) has 3 outputs",
        ),
        "mixed": (
            t.Sequential(*mixed),
            ValueError,
            "mixed hidden activations: layer 1 (ReLU) but layer 3 (Tanh)",
        ),
        "mixed with none": (
            t.Sequential(t.Linear(2, 3), t.Linear(3, 3), t.Tanh(), t.Linear(3, 1)),
            ValueError,
            "mixed hidden activations: layer 1 (Linear)",
        ),
        "activation last": (
            t.Sequential(t.Linear(2, 3), t.ReLU(), t.Linear(3, 1), t.Sigmoid()),
            ValueError,
            "layer 3 (Sigmoid) comes after the last Linear",
        ),
        "unsupported activation": (
            t.Sequential(t.Linear(2, 3), t.GELU(), t.Linear(3, 1)),
            TypeError,
            "layer 1 (GELU) is not supported",
        ),
        "LeakyReLU": (
            t.Sequential(t.Linear(2, 3), t.LeakyReLU(), t.Linear(3, 1)),
            TypeError,
            "layer 1 (LeakyReLU) is not supported",
        ),
        "activation first": (
            t.Sequential(t.ReLU(), t.Linear(2, 1)),
            ValueError,
            "layer 0 (ReLU) comes before the first Linear",
        ),
        "two activations": (
            t.Sequential(t.Linear(2, 3), t.ReLU(), t.ReLU(), t.Linear(3, 1)),
            ValueError,
            "layer 2 (ReLU) follows another activation",
        ),
        "nested": (
            t.Sequential(t.Sequential(t.Linear(2, 1))),
            TypeError,
            "layer 0 (Sequential) is not supported",
        ),
        "empty": (t.Sequential(), ValueError, "the Sequential is empty"),
        "not a module": (5, TypeError, "module must be a torch.nn.Sequential"),
        "our own model": (nn.MLP(2, [1]), TypeError, "got MLP(nin=2"),
        "Linear subclass": (
            t.Sequential(Scaled(2, 1)),
            TypeError,
            "layer 0 (Scaled) is not supported",
        ),
        "lazy": (
            t.Sequential(t.LazyLinear(3)),
            ValueError,
            "layer 0 (LazyLinear) is not initialised",
        ),
        "meta": (
            t.Sequential(t.Linear(2, 1, device="meta")),
            ValueError,
            "layer 0 (Linear)'s weight is on the meta device",
        ),
        "named": (
            t.Sequential(named),
            TypeError,
            "layer 1 'act' (Dropout) is not supported",
        ),
    }


@pytest.mark.parametrize("case", REFUSED)
def test_from_torch_refuses_what_an_mlp_cannot_express(case: str) -> None:
    """Each module an MLP cannot express raises TypeError/ValueError naming it."""
    torch = _torch()
    module, error, message = _refused(torch)[case]
    with pytest.raises(error, match=re.escape(message)):
        nn.MLP.from_torch(module)


def test_refusal_cases_are_all_parametrised() -> None:
    """The parametrisation above runs every refusal case (none left out)."""
    torch = _torch()
    assert sorted(_refused(torch)) == sorted(REFUSED)


def test_from_torch_on_a_subclass_builds_the_subclass() -> None:
    """MyMLP.from_torch returns a MyMLP with the same numbers."""
    _torch()

    class MyMLP(nn.MLP):
        pass

    model = nn.MLP(2, [3, 1], "tanh", seed=0)
    back = MyMLP.from_torch(model.to_torch())
    assert type(back) is MyMLP
    assert _model_bits(back) == _model_bits(model)


# -- torch_state_dict ------------------------------------------------------------------


@given(mlps())
def test_torch_state_dict_loads_into_the_twin(model: nn.MLP) -> None:
    """torch_state_dict() has the twin's names and shapes and loads strictly into it."""
    torch = _torch()
    twin = model.to_torch()
    state = model.torch_state_dict()
    assert list(state) == list(twin.state_dict())
    for p in twin.parameters():
        p.data.zero_()
    twin.load_state_dict(state, strict=True)
    for key, tensor in twin.state_dict().items():
        assert torch.equal(tensor, state[key])
        assert tensor.dtype == torch.float64


def _torch_entry(name: str, positions: list[int]) -> tuple[str, tuple[int, ...]]:
    """The mapping table of docs/outgrow-scalars.md, as code: our name -> theirs."""
    parts = name.split(".")
    if parts[0] == "layers":  # layers.i.neurons.k.w.j / layers.i.neurons.k.b
        i, k, rest = int(parts[1]), int(parts[3]), parts[4:]
    elif parts[0] == "neurons":  # a Layer: neurons.k.w.j
        i, k, rest = 0, int(parts[1]), parts[2:]
    else:  # a Neuron: w.j / b
        i, k, rest = 0, 0, parts
    if rest[0] == "w":
        return f"{positions[i]}.weight", (k, int(rest[1]))
    return f"{positions[i]}.bias", (k,)


@pytest.mark.parametrize(
    ("build", "positions"),
    [
        (lambda: nn.MLP(3, [4, 5, 2], "relu", seed=0), [0, 2, 4]),
        (lambda: nn.MLP(3, [4, 5, 2], None, seed=0), [0, 1, 2]),
        (lambda: nn.Layer(3, 4, "tanh", seed=0), [0]),
        (lambda: nn.Neuron(3, "sigmoid", seed=0), [0]),
    ],
    ids=["MLP relu", "MLP linear", "Layer", "Neuron"],
)
def test_name_mapping_table_holds_entry_by_entry(build, positions) -> None:
    """layers.i.neurons.k.w.j is <Linear i's index>.weight[k, j], bit for bit."""
    _torch()
    model = build()
    state = model.torch_state_dict()
    assert sorted(state) == sorted(
        f"{p}.{kind}" for p in positions for kind in ("weight", "bias")
    )
    for name, p in model.named_parameters():
        key, index = _torch_entry(name, positions)
        assert _bits(state[key][index].item()) == _bits(p.data), name


def test_mlp_state_dict_names_of_the_issue() -> None:
    """MLP(2, [16, 16, 1]): 0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias."""
    _torch()
    state = nn.MLP(2, [16, 16, 1], seed=0).torch_state_dict()
    assert list(state) == [
        "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
    ]  # fmt: skip
    assert tuple(state["2.weight"].shape) == (16, 16)


def test_torch_state_dict_is_detached_and_a_copy() -> None:
    """The tensors need no grad and changing them changes nothing of ours."""
    _torch()
    model = nn.MLP(2, [2, 1], seed=0)
    state = model.torch_state_dict()
    assert not any(t.requires_grad for t in state.values())
    before = model.layers[0].neurons[0].w[0].data
    state["0.weight"][0, 0] = 99.0
    assert model.layers[0].neurons[0].w[0].data == before


def test_activation_without_a_torch_module_raises_type_error(monkeypatch) -> None:
    """An activation added to nn.ACTIVATIONS by hand has no module: TypeError."""
    _torch()
    monkeypatch.setitem(nn.ACTIVATIONS, "square", lambda v: v * v)
    model = nn.MLP(2, [3, 1], activation="square", seed=0)
    with pytest.raises(TypeError, match=r"activation 'square' has no torch\.nn module"):
        model.to_torch()


# -- without PyTorch -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: nn.MLP(2, [1]).to_torch(),
        lambda: nn.Layer(2, 1).torch_state_dict(),
        lambda: nn.MLP.from_torch(object()),
    ],
    ids=["to_torch", "torch_state_dict", "from_torch"],
)
def test_without_torch_the_error_says_which_extra_to_install(monkeypatch, call) -> None:
    """With torch not importable: ModuleNotFoundError naming the torch extra."""
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails
    with pytest.raises(ModuleNotFoundError) as error:
        call()
    assert 'pip install "scalar-autograd[torch]"' in str(error.value)
    assert error.value.name == "torch"


def test_nn_imports_without_torch() -> None:
    """Importing nn (and building, training, saving) never needs torch."""
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['onnx'] = None\n"
        "import nn\n"
        "m = nn.MLP(2, [3, 1], seed=0)\n"
        "nn.SGD(m.parameters(), lr=0.1).step()\n"
        "print(type(m([1.0, 2.0])).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "Value"
