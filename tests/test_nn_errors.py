"""nn's errors: the common mistakes, and every argument of the wrong kind, by name.

The first part checks, one test per case, that the mistakes people make first get an
error saying what was wrong and what to do. The second feeds every public ``nn``
callable arguments of the wrong kinds (hypothesis) and checks that only ``TypeError``
or ``ValueError`` comes out, with a message that names the argument.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value


def _model() -> nn.MLP:
    return nn.MLP(2, [3, 1], seed=0)


MODEL = "MLP(nin=2, layer_sizes=[3, 1], activation='relu')"


# -- the common mistakes, one test each ----------------------------------------------


def test_mlp_with_an_int_for_layer_sizes_says_to_pass_a_list() -> None:
    """nn.MLP(2, 3) names layer_sizes and shows the list to write."""
    with pytest.raises(TypeError, match=re.escape("layer_sizes must be a list")) as e:
        nn.MLP(2, 3)  # type: ignore[arg-type]
    assert "for one layer write [3]" in str(e.value)


def test_mlp_with_a_float_layer_size_names_its_index() -> None:
    """nn.MLP(2, [3.0]) names layer_sizes[0] and the float."""
    with pytest.raises(TypeError, match=re.escape("layer_sizes[0] must be an int")):
        nn.MLP(2, [3.0])  # type: ignore[list-item]


def test_calling_a_model_with_a_number_says_to_pass_a_list() -> None:
    """model(1.0) names the model and x, and asks for a list of 2 inputs."""
    expected = f"{MODEL}: x must be a list of 2 inputs (numbers or Values), got float"
    with pytest.raises(TypeError, match=re.escape(expected)):
        _model()(1.0)


def test_calling_a_one_input_model_with_a_number_suggests_brackets() -> None:
    """For a model of one input, model(1.0) says '1 input' and to write [x]."""
    with pytest.raises(TypeError, match=r"list of 1 input \(.*write \[x\]"):
        nn.MLP(1, [2, 1])(1.0)


def test_calling_a_model_with_a_batch_points_to_forward_batch() -> None:
    """model([[...], [...]]) names x[0] and says to use forward_batch."""
    with pytest.raises(TypeError, match=r"x\[0\] must be a number .*forward_batch"):
        _model()([[1.0, 2.0], [3.0, 4.0]])


def test_calling_a_model_with_a_string_names_x() -> None:
    """model("ab") is refused as a whole (not read letter by letter)."""
    with pytest.raises(TypeError, match=r"x must be a list .* got str 'ab'"):
        _model()("ab")


def test_calling_a_model_with_a_non_number_names_its_position() -> None:
    """model([1.0, "a"]) names x[1] and what it got."""
    with pytest.raises(TypeError, match=re.escape("x[1] must be a number or a Value")):
        _model()([1.0, "a"])


@pytest.mark.parametrize(
    ("nin", "x", "message"),
    [
        (2, [1, 2, 3], "takes 2 inputs, got 3 in x"),
        (2, [1], "takes 2 inputs, got 1 in x"),
        (1, [1, 2], "takes 1 input, got 2 in x"),
    ],
)
def test_wrong_input_length_names_the_model_and_both_lengths(nin, x, message) -> None:
    """MLP(2, [3, 1])([1, 2, 3]) names the model and both lengths, plurals right."""
    model = nn.MLP(nin, [3, 1])
    with pytest.raises(ValueError, match=re.escape(f"{model!r} {message}")):
        model(x)


@pytest.mark.parametrize(
    "build",
    [lambda: nn.Layer(2, 3, seed=0), lambda: nn.Neuron(2, seed=0)],
    ids=["Layer", "Neuron"],
)
def test_wrong_input_length_names_the_layer_or_neuron(build) -> None:
    """A Layer or a Neuron called with 3 inputs names itself and both lengths."""
    module = build()
    with pytest.raises(
        ValueError, match=re.escape(f"{module!r} takes 2 inputs, got 3")
    ):
        module([1.0, 2.0, 3.0])


def test_layer_outputs_with_wrong_length_names_the_layer() -> None:
    """Layer.outputs, called on its own, names the layer (not linear_layer)."""
    layer = nn.Layer(2, 3, seed=0)
    with pytest.raises(ValueError, match=re.escape(f"{layer!r} takes 2 inputs, got 1")):
        layer.outputs([Value(1.0)])


@pytest.mark.parametrize(
    "build",
    [lambda: nn.MLP(2, [3, 1], seed=0), lambda: nn.Layer(2, 3, seed=0)],
    ids=["MLP", "Layer"],
)
def test_forward_batch_with_a_short_sample_names_the_sample(build) -> None:
    """forward_batch names the model, the sample's index and both lengths."""
    model = build()
    expected = f"{model!r}.forward_batch: sample 1 (batch[1]) has 1 input, but the "
    with pytest.raises(ValueError, match=re.escape(expected + "model takes 2")):
        model.forward_batch([[1.0, 2.0], [1.0]])


def test_forward_batch_of_one_sample_says_to_call_the_model() -> None:
    """forward_batch([1.0, 2.0]) (one sample, not a batch) says so."""
    with pytest.raises(TypeError, match=r"batch\[0\] .* for one sample use model\(x\)"):
        _model().forward_batch([1.0, 2.0])


def test_optimizer_given_the_model_says_to_pass_its_parameters() -> None:
    """nn.SGD(model, lr=0.1) says to pass model.parameters()."""
    with pytest.raises(TypeError, match=re.escape("pass model.parameters()")):
        nn.SGD(_model(), lr=0.1)  # type: ignore[arg-type]


def test_optimizer_given_one_value_says_to_wrap_it() -> None:
    """nn.Adam(p) with a single Value says to write [p]."""
    with pytest.raises(TypeError, match=re.escape("write [p]")):
        nn.Adam(Value(1.0))  # type: ignore[arg-type]


def test_optimizer_refuses_a_parameter_listed_twice() -> None:
    """The same Value twice would be updated twice per step: ValueError naming both."""
    p = Value(1.0)
    with pytest.raises(ValueError, match=re.escape("params[1] is the same Value as")):
        nn.SGD([p, p], lr=0.1)


def test_lr_as_a_string_is_refused() -> None:
    """lr="0.1" raises TypeError naming lr (it used to be accepted)."""
    with pytest.raises(
        TypeError, match=re.escape("lr must be a real number, got str '0.1'")
    ):
        nn.SGD([Value(1.0)], lr="0.1")  # type: ignore[arg-type]


def test_adam_refuses_eps_zero() -> None:
    """eps=0.0 is refused at once (it used to divide by zero at the first step)."""
    with pytest.raises(ValueError, match=re.escape("eps must be > 0, got 0.0")):
        nn.Adam([Value(1.0)], eps=0.0)


def test_lr_set_between_steps_is_checked() -> None:
    """A schedule that sets lr to a bad value is refused when it sets it."""
    optimizer = nn.SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        optimizer.lr = math.nan
    assert optimizer.lr == 0.1


def test_a_gradient_that_is_not_a_number_is_named_at_step() -> None:
    """A .grad set by hand to a string names the parameter at step()."""
    ps = [Value(1.0), Value(2.0)]
    optimizer = nn.SGD(ps, lr=0.1)
    ps[1].grad = "0.5"
    with pytest.raises(TypeError, match=re.escape("params[1].grad must be a real")):
        optimizer.step()


def test_loss_lengths_that_differ_use_the_singular_for_one() -> None:
    """hinge_loss: '2 scores but 1 label', singular where it is one."""
    with pytest.raises(ValueError, match=r"hinge_loss: 2 scores but 1 label$"):
        nn.hinge_loss([0.5, -0.5], [1])


def test_loss_with_a_model_output_list_per_sample_says_to_flatten() -> None:
    """mse_loss of per-sample lists names predictions[0] and says why."""
    with pytest.raises(TypeError, match=r"predictions\[0\] .* flatten"):
        nn.mse_loss([[Value(1.0)], [Value(2.0)]], [1.0, 2.0])


def test_loss_with_none_targets_names_targets() -> None:
    """mse_loss(predictions, None) names targets."""
    with pytest.raises(TypeError, match="targets must be a number, a Value or a list"):
        nn.mse_loss([Value(1.0)], None)  # type: ignore[arg-type]


def test_cross_entropy_with_a_float_target_names_target_index() -> None:
    """cross_entropy(logits, 1.0) says the target must be an int class index."""
    with pytest.raises(TypeError, match="target_index must be an int"):
        nn.cross_entropy([0.5, 1.5], 1.0)  # type: ignore[arg-type]


def test_load_state_dict_given_a_model_says_to_pass_its_state_dict() -> None:
    """load_state_dict(other_model) says to pass other.state_dict()."""
    with pytest.raises(TypeError, match=re.escape("pass other.state_dict()")):
        _model().load_state_dict(_model())  # type: ignore[arg-type]


def test_load_state_dict_given_a_path_says_to_use_load() -> None:
    """load_state_dict("model.json") says to use model.load(path)."""
    with pytest.raises(TypeError, match=re.escape("use model.load(path)")):
        _model().load_state_dict("model.json")  # type: ignore[arg-type]


def test_load_state_dict_given_pytorch_names_points_to_from_torch() -> None:
    """A state with PyTorch's names (0.weight, ...) points to MLP.from_torch."""
    with pytest.raises(ValueError, match=re.escape("nn.MLP.from_torch(module)")):
        _model().load_state_dict({"0.weight": 0.5, "0.bias": 0.5})


def test_load_state_dict_names_a_bad_value_by_its_key() -> None:
    """A value that is not a number is named as state['its name']."""
    state = _model().state_dict()
    state["layers.0.neurons.0.b"] = "x"  # type: ignore[assignment]
    with pytest.raises(TypeError, match=re.escape("state['layers.0.neurons.0.b']")):
        _model().load_state_dict(state)


def test_custom_module_to_torch_names_the_class() -> None:
    """A module of the user's own has no PyTorch mapping: TypeError naming it."""

    class Scaled(nn.Module):
        def __init__(self) -> None:
            self.scale = Value(2.0)

        def forward(self, x: Value) -> Value:
            return self.scale * x

    for method in ("to_torch", "torch_state_dict"):
        with pytest.raises(TypeError, match="Scaled has no PyTorch"):
            getattr(Scaled(), method)()


def test_subclass_with_its_own_forward_has_no_torch_mapping() -> None:
    """An MLP subclass that computes something else is not exported as an MLP."""

    class Doubled(nn.MLP):
        def forward(self, x: Any) -> Any:
            return super().forward(x) * 2

    with pytest.raises(TypeError, match="Doubled has no PyTorch"):
        Doubled(2, [1]).to_torch()


# -- every argument of the wrong kind, by name (hypothesis) --------------------------


def _named(name: str) -> re.Pattern[str]:
    """The argument's name as a word of the message (x, x[1], state['b'], ...)."""
    return re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")


not_numbers = st.sampled_from(
    ["0.1", "", None, [0.1], (0.1,), {"a": 1}, b"1", Value(1.0), _model(), 1j]
)
bools = st.booleans()
non_finite = st.sampled_from([math.nan, math.inf, -math.inf, 10**400])
negative = st.floats(max_value=-1e-300, allow_nan=False, allow_infinity=False)
non_ints = st.one_of(
    not_numbers, bools, st.floats(allow_nan=True), st.sampled_from([2.0, 3.5])
)
non_positive_ints = st.integers(max_value=0)
non_seeds = st.one_of(
    not_numbers.filter(lambda v: v is not None), bools, st.floats(), st.just(1.0)
)
not_lists = st.one_of(
    st.floats(allow_nan=True), st.integers(), bools, st.sampled_from(["ab", None])
)
bad_items = st.sampled_from(["a", None, [1.0], {"a": 1.0}, _model(), 1j, b"1"])


def rates(low_open: bool = False) -> st.SearchStrategy[Any]:
    """Anything that is not a finite real number >= 0 (> 0 if ``low_open``)."""
    wrong = [not_numbers, bools, non_finite, negative]
    if low_open:
        wrong.append(st.sampled_from([0.0, -0.0, 0]))
    return st.one_of(*wrong)


def betas_wrong() -> st.SearchStrategy[Any]:
    """Not a pair of numbers in [0, 1)."""
    member = st.one_of(
        not_numbers, bools, non_finite, negative, st.floats(min_value=1.0)
    )
    return st.one_of(
        not_numbers.filter(lambda v: not isinstance(v, (list, tuple))),
        st.floats(),
        st.tuples(member, st.floats(0.0, 0.99)),
        st.tuples(st.floats(0.0, 0.99), member),
        st.lists(st.floats(0.0, 0.9), max_size=5).filter(lambda v: len(v) != 2),
    )


@st.composite
def wrong_sample(draw: st.DrawFn, nin: int) -> Any:
    """Not a list of ``nin`` numbers: a number, a string, None, wrong lengths, ..."""
    right = draw(st.lists(st.floats(-2.0, 2.0), min_size=nin, max_size=nin))
    kind = draw(st.sampled_from(["not a list", "length", "item"]))
    if kind == "not a list":
        return draw(st.one_of(not_lists, st.sampled_from([Value(1.0), _model()])))
    if kind == "length":
        n = draw(st.integers(0, 5).filter(lambda n: n != nin))
        return draw(st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n))
    right[draw(st.integers(0, nin - 1))] = draw(bad_items)
    return right


@st.composite
def wrong_paired(draw: st.DrawFn, labels: st.SearchStrategy[Any]) -> list[Any]:
    """Two samples, one of the wrong kind; or something that is not a list."""
    if draw(st.booleans()):
        return draw(st.sampled_from(["ab", None, {"a": 1.0}, {1.0}]))
    items = draw(st.lists(labels, min_size=2, max_size=2))
    items[draw(st.integers(0, 1))] = draw(bad_items)
    return items


def _wrong_path() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.floats(), st.integers(), bools, st.sampled_from([None, [1], b"m.json"])
    )


# Each case: (description, argument name, strategy of wrong values, call(value)).
Case = tuple[str, str, st.SearchStrategy[Any], Callable[[Any], Any]]

CASES: list[Case] = [
    (
        "Neuron nin",
        "nin",
        st.one_of(non_ints, non_positive_ints),
        lambda v: nn.Neuron(v),
    ),
    (
        "Layer nin",
        "nin",
        st.one_of(non_ints, non_positive_ints),
        lambda v: nn.Layer(v, 2),
    ),
    (
        "Layer nout",
        "nout",
        st.one_of(non_ints, non_positive_ints),
        lambda v: nn.Layer(2, v),
    ),
    (
        "MLP nin",
        "nin",
        st.one_of(non_ints, non_positive_ints),
        lambda v: nn.MLP(v, [2]),
    ),
    (
        "MLP layer_sizes",
        "layer_sizes",
        st.one_of(
            not_lists,
            st.sampled_from([[], {"a": 1}, _model()]),
            st.lists(st.one_of(non_ints, non_positive_ints), min_size=1, max_size=3),
        ),
        lambda v: nn.MLP(2, v),
    ),
    (
        "activation",
        "activation",
        st.one_of(
            st.text().filter(lambda t: t not in nn.ACTIVATIONS),
            st.integers(),
            bools,
            st.sampled_from([["relu"], Value.relu, 1.5]),
        ),
        lambda v: nn.MLP(2, [2], activation=v),
    ),
    ("Neuron seed", "seed", non_seeds, lambda v: nn.Neuron(2, seed=v)),
    ("Layer seed", "seed", non_seeds, lambda v: nn.Layer(2, 2, seed=v)),
    ("MLP seed", "seed", non_seeds, lambda v: nn.MLP(2, [2], seed=v)),
    ("MLP call", "x", wrong_sample(2), lambda v: _model()(v)),
    ("Layer call", "x", wrong_sample(2), lambda v: nn.Layer(2, 2, seed=0)(v)),
    ("Neuron call", "x", wrong_sample(2), lambda v: nn.Neuron(2, seed=0)(v)),
    ("forward_layers", "x", wrong_sample(2), lambda v: _model().forward_layers(v)),
    ("MLP forward_batch", "batch", not_lists, lambda v: _model().forward_batch(v)),
    (
        "MLP forward_batch sample",
        "batch",
        wrong_sample(2),
        lambda v: _model().forward_batch([[0.5, 0.5], v]),
    ),
    (
        "Layer forward_batch sample",
        "batch",
        wrong_sample(2),
        lambda v: nn.Layer(2, 2, seed=0).forward_batch([v]),
    ),
    (
        "Neuron forward_batch",
        "batch",
        not_lists.filter(lambda v: not isinstance(v, str) or len(v) != 2),
        lambda v: nn.Neuron(2, seed=0).forward_batch(v),
    ),
    (
        "SGD params",
        "params",
        st.one_of(
            not_lists,
            st.sampled_from(
                [
                    [],
                    [1.0],
                    [None],
                    _model(),
                    Value(1.0),
                    {"w": Value(1.0)},
                    [{"params": []}],
                ]
            ),
        ),
        lambda v: nn.SGD(v, lr=0.1),
    ),
    (
        "Adam params",
        "params",
        st.one_of(not_lists, st.sampled_from([[], _model(), Value(1.0)])),
        lambda v: nn.Adam(v),
    ),
    ("SGD lr", "lr", rates(), lambda v: nn.SGD([Value(1.0)], lr=v)),
    ("SGD momentum", "momentum", rates(), lambda v: nn.SGD([Value(1.0)], 0.1, v)),
    (
        "SGD weight_decay",
        "weight_decay",
        rates(),
        lambda v: nn.SGD([Value(1.0)], 0.1, weight_decay=v),
    ),
    ("Adam lr", "lr", rates(), lambda v: nn.Adam([Value(1.0)], lr=v)),
    ("Adam betas", "betas", betas_wrong(), lambda v: nn.Adam([Value(1.0)], betas=v)),
    ("Adam eps", "eps", rates(low_open=True), lambda v: nn.Adam([Value(1.0)], eps=v)),
    (
        "Adam weight_decay",
        "weight_decay",
        rates(),
        lambda v: nn.Adam([Value(1.0)], weight_decay=v),
    ),
    ("lr set later", "lr", rates(), lambda v: setattr(nn.Adam([Value(1.0)]), "lr", v)),
    (
        "mse predictions",
        "predictions",
        wrong_paired(st.floats(-1, 1)),
        lambda v: nn.mse_loss(v, [0.0, 1.0]),
    ),
    (
        "mse targets",
        "targets",
        wrong_paired(st.floats(-1, 1)),
        lambda v: nn.mse_loss([0.0, 1.0], v),
    ),
    (
        "hinge scores",
        "scores",
        wrong_paired(st.floats(-1, 1)),
        lambda v: nn.hinge_loss(v, [1, -1]),
    ),
    (
        "hinge labels",
        "labels",
        st.one_of(
            wrong_paired(st.sampled_from([-1, 1])),
            st.lists(
                st.one_of(st.floats().filter(lambda y: y not in (1, -1)), bad_items),
                min_size=2,
                max_size=2,
            ),
        ),
        lambda v: nn.hinge_loss([0.5, -0.5], v),
    ),
    (
        "bce logits",
        "logits",
        wrong_paired(st.floats(-1, 1)),
        lambda v: nn.binary_cross_entropy(v, [0, 1]),
    ),
    (
        "bce labels",
        "labels",
        st.one_of(
            wrong_paired(st.sampled_from([0, 1])),
            st.lists(
                st.one_of(
                    st.floats().filter(lambda y: not 0 <= y <= 1),
                    st.just(Value(0.5)),
                ),
                min_size=2,
                max_size=2,
            ),
        ),
        lambda v: nn.binary_cross_entropy([0.5, -0.5], v),
    ),
    (
        "cross_entropy logits",
        "logits",
        st.one_of(
            st.sampled_from([None, "ab", {"a": 1.0}]),
            st.lists(st.one_of(st.floats(-1, 1), bad_items), min_size=3, max_size=3)
            .filter(lambda row: not all(isinstance(z, float) for z in row))
            .map(lambda row: [row]),
        ),
        lambda v: nn.cross_entropy(v, [0]),
    ),
    (
        "cross_entropy target_index",
        "target_index",
        st.one_of(
            st.floats(),
            st.lists(
                st.one_of(st.floats(), bools, st.integers(3), st.sampled_from(["1"])),
                min_size=1,
                max_size=1,
            ),
            st.sampled_from(["1", None, Value(1.0)]),
        ),
        lambda v: nn.cross_entropy([[0.5, 1.0, -1.0]], v),
    ),
    (
        "load_state_dict state",
        "state",
        st.one_of(
            not_lists,
            st.sampled_from([[1.0], _model(), "model.json"]),
            st.dictionaries(st.text(max_size=5), st.floats(), max_size=3),
        ),
        lambda v: _model().load_state_dict(v),
    ),
    ("save path", "path", _wrong_path(), lambda v: _model().save(v)),
    ("load path", "path", _wrong_path(), lambda v: _model().load(v)),
    ("to_onnx path", "path", _wrong_path(), lambda v: _model().to_onnx(v)),
    (
        "to_onnx dtype",
        "dtype",
        st.one_of(
            st.text().filter(lambda t: t not in ("float64", "float32")),
            not_lists.filter(lambda v: not isinstance(v, str)),
        ),
        lambda v: _model().to_onnx("/no such folder/model.onnx", dtype=v),
    ),
    (
        "make_moons n_samples",
        "n_samples",
        st.one_of(non_ints, non_positive_ints),
        lambda v: nn.datasets.make_moons(v),
    ),
    ("make_moons noise", "noise", rates(), lambda v: nn.datasets.make_moons(10, v)),
    (
        "make_moons seed",
        "seed",
        non_seeds,
        lambda v: nn.datasets.make_moons(10, seed=v),
    ),
    (
        "make_moons shuffle",
        "shuffle",
        st.one_of(st.integers(), st.floats(), st.sampled_from([None, "yes"])),
        lambda v: nn.datasets.make_moons(10, shuffle=v),
    ),
]


@pytest.mark.parametrize(
    ("name", "strategy", "call"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
@given(data=st.data())
def test_wrong_kind_of_argument_is_refused_by_name(name, strategy, call, data) -> None:
    """A wrong value raises TypeError or ValueError whose message names the argument."""
    value = data.draw(strategy, label=name)
    with pytest.raises((TypeError, ValueError)) as error:
        call(value)
    assert type(error.value) in (TypeError, ValueError)
    assert _named(name).search(str(error.value)), str(error.value)


def test_every_public_nn_callable_is_swept() -> None:
    """The sweep above covers each public nn function, class and method taking input."""
    swept = " ".join(case[0] for case in CASES)
    for name in [
        "Neuron",
        "Layer",
        "MLP",
        "call",
        "forward_batch",
        "forward_layers",
        "SGD",
        "Adam",
        "mse",
        "hinge",
        "bce",
        "cross_entropy",
        "load_state_dict",
        "save",
        "load",
        "to_onnx",
        "make_moons",
    ]:
        assert name in swept, name
