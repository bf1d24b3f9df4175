"""nn modules: parameters, names, initialisation, seeds, calls, and gradients."""

from __future__ import annotations

import itertools
import math
import random
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

# -- strategies ----------------------------------------------------------------------

SMOOTH_ACTIVATIONS = ["tanh", "sigmoid", None]  # no kinks: finite differences hold

seeds = st.integers(min_value=0, max_value=2**32)
layer_sizes = st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3)


@st.composite
def mlps_with_input(draw: st.DrawFn, activations: list[str | None]) -> tuple:
    """A small MLP (any activation from the list) and an input point for it."""
    nin = draw(st.integers(min_value=1, max_value=4))
    sizes = draw(layer_sizes)
    model = nn.MLP(nin, sizes, draw(st.sampled_from(activations)), seed=draw(seeds))
    x = draw(st.lists(st.floats(-2.0, 2.0), min_size=nin, max_size=nin))
    return model, x


def _outputs(model: nn.MLP, x: list) -> list:
    out = model(x)
    return out if isinstance(out, list) else [out]


def _loss(model: nn.MLP, x: list) -> Value:
    """A scalar of every output: mean squared distance to a fixed target of 0.5."""
    outputs = _outputs(model, x)
    return nn.mse_loss(outputs, [0.5] * len(outputs))


def _check_parameter_gradients(model: nn.MLP, x: list) -> None:
    """Backprop's d(loss)/d(parameter) against central differences, each parameter."""
    params = model.parameters()
    model.zero_grad()
    _loss(model, x).backward()
    exact = [p.grad for p in params]
    original = [p.data for p in params]

    def f(*values: Value) -> Value:
        for p, v in zip(params, values):
            p.data = v.data
        return _loss(model, x)

    estimate = autograd.numeric_grad(f, original)
    for p, v in zip(params, original):
        p.data = v
    for i, (g, e) in enumerate(zip(exact, estimate)):
        assert abs(g - e) <= 1e-7 + 1e-5 * abs(e), (i, g, e)


# -- shapes and order ----------------------------------------------------------------


def test_micrograd_mlp_has_337_parameters() -> None:
    """MLP(2, [16, 16, 1]) has (2+1)*16 + (16+1)*16 + (16+1)*1 = 337 parameters."""
    assert len(nn.MLP(2, [16, 16, 1]).parameters()) == 337


@given(nin=st.integers(1, 6), sizes=layer_sizes)
def test_parameter_count_is_weights_plus_biases(nin: int, sizes: list[int]) -> None:
    """An MLP has sum over layers of (inputs + 1) * outputs parameters."""
    ins = [nin, *sizes[:-1]]
    expected = sum((a + 1) * b for a, b in zip(ins, sizes))
    assert len(nn.MLP(nin, sizes).parameters()) == expected


def test_parameters_are_layer_by_layer_neuron_by_neuron_weights_then_bias() -> None:
    """parameters() lists each neuron's weights then its bias, in micrograd's order."""
    model = nn.MLP(3, [4, 2])
    expected = [
        p
        for layer in model.layers
        for neuron in layer.neurons
        for p in [*neuron.w, neuron.b]
    ]
    assert model.parameters() == expected


def test_parameters_are_distinct_leaves() -> None:
    """Every parameter is its own leaf Value (no sharing, no graph)."""
    params = nn.MLP(2, [3, 3, 1]).parameters()
    assert len({id(p) for p in params}) == len(params)
    assert all(p.inputs == () for p in params)


def test_named_parameters_use_dotted_paths() -> None:
    """Names are dotted attribute paths: layers.i.neurons.j.w.k and ...b."""
    names = [name for name, _ in nn.MLP(2, [3, 1]).named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.0.b"


def test_named_parameters_match_parameters() -> None:
    """named_parameters() yields the same Values as parameters(), in the same order."""
    model = nn.MLP(2, [3, 2])
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_custom_module_finds_values_modules_and_lists() -> None:
    """A user's Module exposes its Values, sub-modules and lists; private ones not."""

    class Model(nn.Module):
        def __init__(self) -> None:
            self.scale = Value(2.0)
            self.blocks = [nn.Neuron(1), nn.Neuron(1)]
            self._cache = Value(9.0)  # private: not a parameter

    names = [name for name, _ in Model().named_parameters()]
    assert names == [
        "scale",
        "blocks.0.w.0",
        "blocks.0.b",
        "blocks.1.w.0",
        "blocks.1.b",
    ]


def test_shared_parameter_is_listed_once() -> None:
    """A Value reachable by two names appears once, under its first name."""

    class Tied(nn.Module):
        def __init__(self) -> None:
            self.a = Value(1.0)
            self.b = self.a

    assert [name for name, _ in Tied().named_parameters()] == ["a"]


# -- initialisation and seeds -------------------------------------------------------


@given(nin=st.integers(1, 50), seed=seeds)
def test_initial_parameters_lie_within_one_over_sqrt_nin(nin: int, seed: int) -> None:
    """Weights and bias start uniform in [-1/sqrt(nin), 1/sqrt(nin)]."""
    bound = 1.0 / math.sqrt(nin)
    assert all(abs(p.data) <= bound for p in nn.Neuron(nin, seed=seed).parameters())


def test_initialisation_spreads_over_the_interval() -> None:
    """Over many draws the parameters cover the interval (not all near zero)."""
    data = [p.data for p in nn.Layer(4, 200, seed=0).parameters()]
    assert min(data) < -0.45 and max(data) > 0.45


@given(seed=seeds)
def test_same_seed_same_parameters(seed: int) -> None:
    """Two MLPs built with the same seed are identical."""
    a = nn.MLP(2, [4, 3, 1], seed=seed).state_dict()
    b = nn.MLP(2, [4, 3, 1], seed=seed).state_dict()
    assert a == b


def test_different_seeds_different_parameters() -> None:
    """Different seeds give different parameters."""
    a = nn.MLP(2, [4, 1], seed=1).state_dict()
    b = nn.MLP(2, [4, 1], seed=2).state_dict()
    assert a != b


def test_seeded_neurons_and_layers_differ_from_each_other() -> None:
    """Within one seeded MLP no two neurons share initial weights."""
    model = nn.MLP(3, [5, 5], seed=0)
    weights = [
        tuple(p.data for p in n.w) for layer in model.layers for n in layer.neurons
    ]
    assert len(set(weights)) == len(weights)


@pytest.mark.parametrize("seed", [None, 7])
def test_building_models_leaves_global_random_alone(seed: int | None) -> None:
    """Initialisation never reads or changes the global random state."""
    random.seed(12345)
    expected = random.random()
    random.seed(12345)
    nn.MLP(2, [8, 1], seed=seed)
    assert random.random() == expected


# -- calling -------------------------------------------------------------------------


def test_single_output_returns_a_value() -> None:
    """A model whose last layer has one neuron returns a Value."""
    assert isinstance(nn.MLP(2, [3, 1])([0.5, -0.5]), Value)


def test_several_outputs_return_a_list() -> None:
    """A model whose last layer has several neurons returns a list of Values."""
    out = nn.MLP(2, [3, 4])([0.5, -0.5])
    assert isinstance(out, list) and len(out) == 4
    assert all(isinstance(v, Value) for v in out)


def test_layer_call_matches_its_neurons() -> None:
    """A layer's outputs are its neurons' outputs, in order."""
    layer = nn.Layer(2, 3, seed=0)
    x = [0.3, -1.2]
    assert [v.data for v in layer(x)] == [n(x).data for n in layer.neurons]


def test_inputs_may_be_values_and_receive_gradients() -> None:
    """Called with Values, a model backpropagates into its inputs."""
    x = [Value(0.5), Value(-0.25)]
    nn.MLP(2, [3, 1], activation="tanh", seed=0)(x).backward()
    assert any(v.grad != 0.0 for v in x)


def test_neuron_weighted_sum_is_one_fused_linear_node() -> None:
    """A neuron's weighted sum is a single linear node over (*w, *x, b)."""
    neuron = nn.Neuron(3, activation=None, seed=0)
    x = [Value(1.0), Value(2.0), Value(3.0)]
    out = neuron(x)
    assert out.op == "linear"
    assert out.inputs == (*neuron.w, *x, neuron.b)


def test_layer_outputs_are_its_neurons_outputs() -> None:
    """A layer's outputs are what each neuron computes on its own, node for node."""
    layer = nn.Layer(3, 4, activation="tanh", seed=1)
    x = [Value(0.5), Value(-1.5), Value(2.0)]
    outs = layer.outputs(x)
    for out, neuron in zip(outs, layer.neurons):
        alone = neuron(x)
        assert (out.op, out.data) == (alone.op, alone.data)
        assert out.inputs[0].inputs == alone.inputs[0].inputs


# -- forward_batch: the same graph as model(x) sample by sample --------------------


@st.composite
def models_with_batch(draw: st.DrawFn) -> tuple:
    """A small Layer or MLP (one output or several) and a batch of numbers for it."""
    nin = draw(st.integers(min_value=1, max_value=3))
    activation = draw(st.sampled_from(["relu", "tanh", "sigmoid", None]))
    seed = draw(seeds)
    if draw(st.booleans()):
        model: nn.Module = nn.MLP(nin, draw(layer_sizes), activation, seed=seed)
    else:
        model = nn.Layer(nin, draw(st.integers(1, 3)), activation, seed=seed)
    point = st.lists(st.floats(-2.0, 2.0), min_size=nin, max_size=nin)
    return model, draw(st.lists(point, max_size=4))


def _graph(outputs: list, leaves: dict[int, str]) -> tuple[list, list]:
    """Each node of the graph (op, data bits, inputs), and the leaves' gradients.

    An input is named if it is one of ``leaves`` (by identity), else by its position
    in the order, so two graphs compare node for node.
    """
    roots = [v for out in outputs for v in (out if isinstance(out, list) else [out])]
    if not roots:
        return [], []
    root = autograd.sum(roots)
    order = autograd.topological_order(root)
    position = {id(node): i for i, node in enumerate(order)}
    nodes = [
        (
            node.op,
            repr(node.data),
            tuple(leaves.get(id(v), position[id(v)]) for v in node.inputs),
        )
        for node in order
    ]
    root.backward()
    return nodes, [repr(v.grad) for v in order if id(v) in leaves]


@given(models_with_batch(), st.booleans())
def test_forward_batch_builds_the_graph_of_sample_by_sample_calls(
    case, as_values: bool
) -> None:
    """forward_batch gives what model(x) gives per sample: the same outputs, nodes,
    inputs (weights, biases and Value inputs by identity) and gradients, bit for bit."""
    model, numbers = case
    batch = [[Value(x) for x in point] for point in numbers] if as_values else numbers
    leaves = {id(p): name for name, p in model.named_parameters()}
    if as_values:
        leaves |= {id(v): f"x{i}" for i, v in enumerate(v for p in batch for v in p)}

    model.zero_grad()
    alone = _graph([model(x) for x in batch], leaves)
    model.zero_grad()
    if as_values:
        for point in batch:
            for v in point:
                v.grad = 0.0
    batched = _graph(model.forward_batch(batch), leaves)
    assert batched == alone


def test_forward_batch_returns_what_a_call_returns() -> None:
    """Per sample a Value for one output, a list of Values for several."""
    batch = [[0.5, -0.5], [1.0, 2.0]]
    single = nn.MLP(2, [3, 1], seed=0).forward_batch(batch)
    several = nn.MLP(2, [3, 4], seed=0).forward_batch(batch)
    assert all(isinstance(out, Value) for out in single)
    assert all(isinstance(out, list) and len(out) == 4 for out in several)


def test_neuron_forward_batch_is_a_call_per_sample() -> None:
    """A neuron (any Module) gets forward_batch as one call per sample."""
    neuron = nn.Neuron(2, seed=0)
    batch = [[0.5, -0.5], [1.0, 2.0]]
    assert [v.data for v in neuron.forward_batch(batch)] == [
        neuron(x).data for x in batch
    ]


@pytest.mark.parametrize("model", [nn.MLP(2, [3, 1], seed=0), nn.Layer(2, 3, seed=0)])
def test_forward_batch_names_a_ragged_sample(model: nn.Module) -> None:
    """A sample of the wrong length raises ValueError naming the model, the sample
    and both lengths."""
    expected = re.escape(
        f"{model!r}.forward_batch: sample 2 (batch[2]) has 3 inputs, but the model "
        "takes 2"
    )
    with pytest.raises(ValueError, match=expected):
        model.forward_batch([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0, 7.0]])


@pytest.mark.parametrize(
    ("activation", "formula"),
    [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1.0 / (1.0 + math.exp(-z))),
        (None, lambda z: z),
    ],
)
def test_activation_is_applied_to_the_weighted_sum(activation, formula) -> None:
    """A neuron's output is activation(w . x + b)."""
    neuron = nn.Neuron(2, activation=activation, seed=3)
    x = [0.7, -0.4]
    z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
    assert neuron(x).data == pytest.approx(formula(z), rel=1e-12, abs=1e-15)


def test_hidden_layers_use_the_activation_and_the_last_layer_is_linear() -> None:
    """MLP hidden layers take ``activation``; the output layer has none."""
    model = nn.MLP(2, [3, 3, 2], activation="tanh")
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", None]


def test_unknown_activation_is_rejected() -> None:
    """An activation name outside the table raises ValueError naming it."""
    with pytest.raises(ValueError, match="'gelu'"):
        nn.MLP(2, [3, 1], activation="gelu")


@pytest.mark.parametrize(
    "build",
    [
        lambda: nn.Neuron(0),
        lambda: nn.Layer(2, 0),
        lambda: nn.MLP(2, []),
        lambda: nn.MLP(2, [3, -1]),
    ],
)
def test_bad_sizes_are_rejected(build) -> None:
    """Sizes below one (or no layers at all) raise ValueError."""
    with pytest.raises(ValueError):
        build()


def test_wrong_number_of_inputs_is_rejected() -> None:
    """Calling a model with the wrong number of inputs names it and both lengths."""
    message = "MLP(nin=3, layer_sizes=[2, 1], activation='relu') takes 3 inputs, got 2"
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.MLP(3, [2, 1])([1.0, 2.0])


def test_zero_grad_clears_every_gradient() -> None:
    """zero_grad() sets every parameter's gradient back to 0.0."""
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# -- gradients against the finite-difference oracle ---------------------------------


@given(mlps_with_input(SMOOTH_ACTIVATIONS))
def test_mlp_parameter_gradients_match_finite_differences(case) -> None:
    """d(loss)/d(parameter) from backprop agrees with central differences."""
    model, x = case
    _check_parameter_gradients(model, x)


@given(mlps_with_input(["relu"]))
def test_relu_mlp_parameter_gradients_match_away_from_kinks(case) -> None:
    """With ReLU, gradients agree wherever no pre-activation sits near its kink."""
    model, x = case
    out = _loss(model, x)
    pre_activations = [
        v.data for v in autograd.topological_order(out) if v.op == "linear"
    ]
    assume(all(abs(z) > 1e-3 for z in pre_activations))
    _check_parameter_gradients(model, x)


@given(mlps_with_input(SMOOTH_ACTIVATIONS))
def test_mlp_input_gradients_match_finite_differences(case) -> None:
    """d(loss)/d(input) from backprop agrees with central differences."""
    model, x = case
    autograd.check_grad(lambda *xs: _loss(model, list(xs)), x)


def test_forward_layers_is_the_forward_pass_layer_by_layer():
    """forward_layers builds model(x)'s graph: same output bits, records chained."""
    model = nn.MLP(3, [4, 5, 2], activation="tanh", seed=3)
    x = [0.5, -1.25, 2.0]
    records = model.forward_layers(x)
    assert [r.layer for r in records] == model.layers
    expected = model(x)
    assert [v.data for v in records[-1].outputs] == [v.data for v in expected]
    for before, after in itertools.pairwise(records):
        assert after.inputs == before.outputs
    assert [v.data for v in records[0].inputs] == x
    assert records[-1].outputs == records[-1].pre_activations  # the last is linear


def test_forward_layers_deltas_and_weight_gradients():
    """After backward, each weight's gradient is its neuron's delta times its input."""
    model = nn.MLP(2, [3, 3, 1], seed=5)
    records = model.forward_layers([0.7, -0.4])
    loss = nn.mse_loss(records[-1].outputs, [0.25])
    model.zero_grad()
    loss.backward()
    for record in records:
        for k, neuron in enumerate(record.layer.neurons):
            delta = record.pre_activations[k].grad
            assert neuron.b.grad == delta
            for w, x in zip(neuron.w, record.inputs):
                assert w.grad == delta * x.data  # one contribution: the same bits
        for k, (pre, out) in enumerate(zip(record.pre_activations, record.outputs)):
            if out is not pre:  # relu: delta = upstream * relu'(pre)
                slope = 1.0 if pre.data > 0 else 0.0
                assert pre.grad == out.grad * slope, k
