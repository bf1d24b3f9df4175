"""The why-backprop demo: its quick run and results file, and each question's parts:
the plain-float forward and the counts (nudging), expression swell and paths (the
whole formula), blame and the layer-by-layer misconception (layer by layer)."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
import subprocess
import sys

import pytest

import autograd
import nn
from autograd import Value
from scalar_autograd.demos import moons, why_backprop
from scalar_autograd.demos.why_backprop import formula, layers, results

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The demo run once in --quick mode: its folder, exit status and output."""
    out = tmp_path_factory.mktemp("why_backprop")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = why_backprop.main(
            ["--quick", "--out", str(out), "--results", str(out / "results.json")]
        )
    return out, status, printed.getvalue()


def test_quick_run_writes_every_plot(quick_run):
    """--quick exits 0 and writes the four plots, one per part, into --out."""
    out, status, _ = quick_run
    assert status == 0
    for name in ("cost.png", "accuracy.png", "formula.png", "misconception.png"):
        assert (out / name).read_bytes().startswith(PNG_SIGNATURE), name


def test_quick_run_draws_the_layer_view(quick_run):
    """Question 3 writes the network diagram and its backward pass, GIF and HTML."""
    out, _, text = quick_run
    assert (out / "network.png").read_bytes().startswith(PNG_SIGNATURE)
    assert (out / "network_backward.png").read_bytes().startswith(PNG_SIGNATURE)
    assert (out / "network_backward.gif").read_bytes().startswith(b"GIF89a")
    page = (out / "network_backward.html").read_text(encoding="utf-8")
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert "network_backward.gif" in text


def test_quick_run_answers_the_three_questions_in_order(quick_run):
    """The output has the three questions' headings, in order, each with its tables."""
    _, _, text = quick_run
    headings = [text.index(f"== {k}/3") for k in (1, 2, 3)]
    assert headings == sorted(headings)
    assert text.index("l(n) written out") > headings[1]
    assert text.index("paths, all weights") > headings[1]
    assert text.index("angle between the updates") > headings[2]


def test_results_file_holds_only_strings_and_the_printed_figures(quick_run):
    """--results writes JSON of strings whose figures are the ones printed."""
    out, _, text = quick_run
    figures = json.loads((out / "results.json").read_text(encoding="utf-8"))

    def leaves(tree):
        if isinstance(tree, dict):
            for value in tree.values():
                yield from leaves(value)
        elif isinstance(tree, list):
            for value in tree:
                yield from leaves(value)
        else:
            yield tree

    assert all(isinstance(leaf, str) for leaf in leaves(figures))
    assert set(figures) >= {"command", "nudging", "formula", "layers"}
    assert figures["nudging"]["summary"] in text
    assert figures["formula"]["paths"]["crossover"] in text
    assert figures["formula"]["vector"]["sentence"] in text
    assert figures["layers"]["training"]["sentence"] in text
    assert figures["formula"]["written_out"]["formula"] in text


def test_the_module_runs_as_a_command(tmp_path):
    """python -m scalar_autograd.demos.why_backprop --help lists --results."""
    done = subprocess.run(
        [sys.executable, "-m", "scalar_autograd.demos.why_backprop", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for option in ("--quick", "--out", "--budget", "--clock", "--results"):
        assert option in done.stdout


def test_quick_run_prints_the_table_the_summary_and_the_folder(quick_run):
    """The output names every method, the summary and where the plots went."""
    out, _, text = quick_run
    for method in why_backprop.METHODS:
        assert method in text
    assert "reverse mode was" in text
    assert str(out) in text


def test_plain_float_loss_equals_the_graph_loss():
    """The hand-written float forward computes the same loss as nn.MLP."""
    problem = why_backprop.Problem(4, (3, 5))
    assert problem.float_loss(problem.weights) == pytest.approx(
        problem.loss().data, rel=1e-12
    )


def test_loss_of_weights_reads_the_given_weights():
    """Problem.loss_of evaluates the model at the weights passed in."""
    problem = why_backprop.Problem(2, (2,))
    doubled = [2.0 * w for w in problem.weights]
    assert problem.loss_of(*doubled).data == pytest.approx(problem.float_loss(doubled))
    assert problem.loss_of(*problem.weights).data == problem.loss().data


def test_parameter_count_matches_the_model():
    """parameter_count agrees with len(model.parameters()) for every shape."""
    for nin, hidden in why_backprop.SHAPES:
        problem = why_backprop.Problem(nin, hidden)
        assert why_backprop.parameter_count(nin, hidden) == len(problem.parameters)


def test_every_method_computes_the_same_gradient():
    """All five methods agree with reverse mode to finite-difference accuracy."""
    problem = why_backprop.Problem(4, (3, 3))
    exact = why_backprop.reverse_mode(problem)
    for method, compute in why_backprop.GRADIENTS.items():
        assert compute(problem) == pytest.approx(exact, abs=1e-6), method


def test_measured_counts_are_exact_for_central_differences():
    """measure() reports 2P evaluations for central differences, counted."""
    problem = why_backprop.Problem(2, (2,))
    exact = why_backprop.reverse_mode(problem)
    row = why_backprop.measure(problem, why_backprop.CENTRAL, exact, 1, 0.0)
    assert row.evaluations == 2 * len(exact)
    with autograd.count_ops() as counts:
        problem.loss_of(*problem.weights)
    assert row.ops == row.evaluations * counts.forward_ops


# ---------------------------------------------------------------------------------
# Question 2: the whole formula.


def test_logistic_map_graph_and_tree_sizes_follow_their_closed_forms():
    """expression_swell: 5n + 1 graph nodes, 6 * 2**n - 5 tree nodes, 3n steps."""
    for row in formula.expression_swell(range(1, 16)):
        n = row.n
        assert row.graph_nodes == 5 * n + 1
        assert row.tree_nodes == 6 * 2**n - 5
        assert row.backward_steps == 3 * n
        assert row.backward_edges == 6 * n


def test_the_tape_program_of_the_logistic_map_grows_linearly():
    """Recorded with Tape, l(n) is 3n forward lines and 4n backward lines."""
    for row in formula.expression_swell([1, 4, 12]):
        assert row.program_forward_lines == 3 * row.n
        assert row.program_backward_lines == 4 * row.n


def test_the_tape_line_counts_are_those_of_the_printed_source():
    """The counts are the printed program's: one forward line per node."""
    x, l4 = formula.logistic_map(4)
    source = autograd.Tape(l4, [x]).source()
    body = source.split("# forward pass\n")[1].split("# backward pass")[0]
    (row,) = formula.expression_swell([4])
    assert len(body.strip().splitlines()) == row.program_forward_lines


def test_the_derivative_written_out_swells_faster_than_its_graph():
    """dl(n)/dx as a tree at least triples per step while its graph adds a constant."""
    rows = formula.expression_swell(range(1, 13))
    for before, after in itertools.pairwise(rows):
        assert after.derivative_tree_nodes > 3 * before.derivative_tree_nodes
        assert (
            after.derivative_graph_nodes - before.derivative_graph_nodes
            == rows[1].derivative_graph_nodes - rows[0].derivative_graph_nodes
        )


def test_the_derivative_graph_gives_the_derivative():
    """The create_graph derivative of l(n) equals the plain backward pass's x.grad."""
    for row in formula.expression_swell([1, 5, 9]):
        x, ln = formula.logistic_map(row.n)
        ln.backward()
        assert row.derivative == pytest.approx(x.grad, rel=1e-12)


def _evaluate(text: str, x: float) -> float:
    """A formula printed by written_out, evaluated as Python at x."""
    return eval(text.replace("·", "*"), {"x": x})


def test_written_out_formulas_evaluate_to_the_graph_values():
    """l(3) and its derivative, written out, evaluate to the graph's numbers."""
    x, l3 = formula.logistic_map(3)
    l3.backward(create_graph=True)
    assert _evaluate(formula.written_out(l3), x.data) == pytest.approx(
        l3.data, rel=1e-12
    )
    assert _evaluate(formula.written_out(x.grad), x.data) == pytest.approx(
        x.grad.data, rel=1e-12
    )


def test_written_out_of_one_step_reads_as_the_map():
    """l(1) is written 4·x·(1 - x)."""
    _, l1 = formula.logistic_map(1)
    assert formula.written_out(l1) == "4·x·(1 - x)"


def test_written_out_parenthesizes_subtraction_and_negative_numbers():
    """x - (y - z), x·(-2) and -(x + y) keep the parentheses their meaning needs."""
    x, y, z = Value(1.0, label="x"), Value(2.0, label="y"), Value(3.0, label="z")
    assert formula.written_out(x - (y - z)) == "x - (y - z)"
    assert formula.written_out((x - y) - z) == "x - y - z"
    assert formula.written_out(x * -2.0) == "x·(-2)"
    assert formula.written_out(-(x + y)) == "-(x + y)"


def test_written_out_refuses_a_formula_past_its_limit():
    """A formula longer than limit nodes is a ValueError giving its size."""
    _, l10 = formula.logistic_map(10)
    with pytest.raises(ValueError, match="6,139 nodes"):
        formula.written_out(l10, limit=1000)


def test_paths_to_root_agrees_with_path_count_for_every_node():
    """paths_to_root gives path_count(root, v) for every v of an MLP loss's graph."""
    loss = why_backprop.Problem(2, (3, 2)).loss()
    paths = formula.paths_to_root(loss)
    for v in autograd.topological_order(loss):
        assert paths[v] == autograd.path_count(loss, v)


def test_gradient_by_paths_equals_backprop():
    """The chain rule summed path by path gives backprop's gradient."""
    problem = why_backprop.Problem(3, (4, 3))
    exact = why_backprop.reverse_mode(problem)
    by_paths = formula.gradient_by_paths(problem.loss(), problem.parameters)
    assert by_paths == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_gradient_by_paths_counts_an_input_read_twice_twice():
    """d(x*x)/dx = 2x by paths: two paths, each with partial x."""
    x = Value(3.0)
    y = (x * x).sin()
    assert formula.gradient_by_paths(y, [x]) == [pytest.approx(6.0 * math.cos(9.0))]


def test_path_growth_counts_follow_the_mlp_closed_form():
    """MLP(4, [w] * L + [1]) on 4 samples: 2 * 4 * w**(L-1) paths from weight 0."""
    for row in formula.path_growth([1, 2, 3, 5], width=3, path_limit=0):
        assert row.paths_one == 2 * why_backprop.N_SAMPLES * 3 ** (row.depth - 1)
        assert not row.measured


def test_path_growth_runs_the_path_sum_only_below_its_limit():
    """Depths whose path sum fits the limit are run and agree with backprop."""
    rows = formula.path_growth([1, 2, 3], width=4, path_limit=5_000)
    assert [row.measured for row in rows] == [r.paths_all <= 5_000 for r in rows]
    for row in rows:
        if row.measured:
            assert row.max_difference is not None and row.max_difference < 1e-12


def test_crossover_depth_is_where_one_weights_paths_outnumber_the_edges():
    """crossover_depth names the first depth with more paths than edges."""
    rows = formula.path_growth(range(1, 7), path_limit=0)
    depth = formula.crossover_depth(rows)
    assert depth is not None
    for row in rows:
        assert (row.paths_one > row.edges) == (row.depth >= depth)


def test_the_full_gradient_agrees_with_central_differences():
    """One backward pass gives all P partials, equal to central differences."""
    vector = formula.gradient_vector(why_backprop.Problem(4, (6, 6)))
    assert vector.evaluations == 2 * vector.params
    assert vector.max_relative < 1e-8


def test_long_durations_read_in_large_units():
    """long_duration switches to minutes, hours, days and years."""
    assert formula.long_duration(90.0) == "1.5 minutes"
    assert formula.long_duration(7200.0) == "2.0 hours"
    assert formula.long_duration(3 * 86400.0) == "3.0 days"
    assert formula.long_duration(1000 * 365.25 * 86400.0) == "1,000 years"


# ---------------------------------------------------------------------------------
# Question 3: blame layer by layer, and the misconception.


@pytest.fixture(scope="module")
def moons_model():
    """The untrained moons MLP, its points and labels."""
    return layers.moons_start()


def test_every_weight_gradient_is_delta_times_input_bit_for_bit(moons_model):
    """After one sample's backward pass, w.grad == delta * input exactly."""
    model, points, labels = moons_model
    for k in (0, 1, 2):
        _, _, blame = layers.blame(model, points[k], layers.hinge_of(labels[k]))
        for layer in blame:
            assert layer.weights_exact == layer.weights


def test_every_delta_is_the_blame_from_above_times_the_slope(moons_model):
    """delta == slope * (d loss / d output) bit for bit, for every neuron."""
    model, points, labels = moons_model
    _, _, blame = layers.blame(model, points[0], layers.hinge_of(labels[0]))
    for layer in blame:
        assert layer.deltas_exact == len(layer.deltas)


def test_dead_relus_get_no_blame(moons_model):
    """A ReLU with pre-activation <= 0 has delta 0, and the count says how many."""
    model, points, labels = moons_model
    _, records, blame = layers.blame(model, points[0], layers.hinge_of(labels[0]))
    for record, layer in zip(records, blame):
        if layer.activation != "relu":
            continue
        dead = [pre.data <= 0.0 for pre in record.pre_activations]
        assert layer.dead == sum(dead)
        assert all(d == 0.0 for d, off in zip(layer.deltas, dead) if off)


def test_moons_objective_is_the_moons_loss_bit_for_bit(moons_model):
    """Built sample by sample, the objective and its gradients equal moons.objective."""
    model, points, labels = moons_model
    loss, _, accuracy = layers.moons_objective(model, points, labels)
    model.zero_grad()
    loss.backward()
    ours = [p.grad for p in model.parameters()]
    reference, reference_accuracy = moons.objective(model, points, labels)
    model.zero_grad()
    reference.backward()
    assert loss.data == reference.data
    assert accuracy == reference_accuracy
    assert ours == [p.grad for p in model.parameters()]


def _graph_gradient(model, points, labels):
    loss, records, _ = layers.moons_objective(model, points, labels)
    model.zero_grad()
    loss.backward()
    return records, [p.grad for p in model.parameters()]


def test_layer_by_layer_without_updating_first_is_the_gradient(moons_model):
    """Backprop written layer by layer (no update on the way) is the true gradient."""
    model, points, labels = moons_model
    records, exact = _graph_gradient(model, points, labels)
    ours = layers.layer_by_layer_gradient(model, records, 1.0, update_first=False)
    assert ours == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_the_misconception_leaves_the_top_layer_alone(moons_model):
    """Updating first changes nothing in the top layer: nothing above it moved."""
    model, points, labels = moons_model
    records, _ = _graph_gradient(model, points, labels)
    true = layers.layer_by_layer_gradient(model, records, 1.0, update_first=False)
    variant = layers.layer_by_layer_gradient(model, records, 1.0)
    top = layers.layer_slices(model)[-1]
    assert variant[top] == true[top]
    assert variant[: top.start] != true[: top.start]


def test_the_misconception_does_not_touch_the_model(moons_model):
    """Computing the variant reads the weights but leaves the model's numbers alone."""
    model, points, labels = moons_model
    records, _ = _graph_gradient(model, points, labels)
    before = [p.data for p in model.parameters()]
    layers.layer_by_layer_gradient(model, records, 1.0)
    assert [p.data for p in model.parameters()] == before


def test_the_misconception_grows_with_the_learning_rate(moons_model):
    """The two updates drift apart as the learning rate grows, and agree at 0."""
    model, points, labels = moons_model
    rows = layers.compare_updates(model, points, labels, (0.0, 0.01, 0.1, 1.0))
    assert rows[0].relative < 1e-12
    assert [r.angle for r in rows] == sorted(r.angle for r in rows)
    assert rows[-1].per_layer[-1] < 1e-12  # the top layer: the same up to rounding
    assert rows[-1].per_layer[0] > 0.1


def test_the_true_run_is_moons_training_bit_for_bit():
    """train_both's true-gradient curve is moons.train's, step for step."""
    curves = layers.train_both(steps=4, n_samples=30)
    reference = moons.train(steps=4, n_samples=30)
    assert curves.true_losses == reference.losses
    assert curves.true_accuracies == reference.accuracies
    assert len(curves.variant_losses) == len(curves.angles) == 4
    assert curves.variant_losses[0] == curves.true_losses[0]  # the same start


def test_angle_degrees_of_known_vectors():
    """Parallel vectors are 0 degrees apart, orthogonal ones 90, opposite ones 180."""
    assert layers.angle_degrees([1.0, 2.0], [2.0, 4.0]) == 0.0
    assert layers.angle_degrees([1.0, 0.0], [0.0, 3.0]) == pytest.approx(90.0)
    assert layers.angle_degrees([1.0, 1.0], [-1.0, -1.0]) == pytest.approx(180.0)
    assert layers.angle_degrees([1.0, 0.0], [1.0, 1e-9]) == pytest.approx(
        math.degrees(1e-9), rel=1e-6
    )
    with pytest.raises(ValueError, match="zero vector"):
        layers.angle_degrees([0.0, 0.0], [1.0, 0.0])


def test_slope_of_each_activation():
    """slope is the derivative of relu, tanh, sigmoid and the identity."""
    assert layers.slope("relu", 0.5, 0.5) == 1.0
    assert layers.slope("relu", -0.5, 0.0) == 0.0
    assert layers.slope("tanh", 0.3, math.tanh(0.3)) == pytest.approx(
        1 - math.tanh(0.3) ** 2
    )
    s = 1 / (1 + math.exp(-0.3))
    assert layers.slope("sigmoid", 0.3, s) == pytest.approx(s * (1 - s))
    assert layers.slope(None, 7.0, 7.0) == 1.0
    with pytest.raises(ValueError, match="'gelu'"):
        layers.slope("gelu", 0.0, 0.0)


def test_layer_by_layer_gradient_works_for_tanh_networks():
    """Without updating first, the layered gradient of a tanh MLP is backprop's."""
    model = nn.MLP(2, [5, 4, 1], activation="tanh", seed=3)
    points, classes = nn.datasets.make_moons(20, 0.1, seed=2)
    labels = [2 * c - 1 for c in classes]
    records, exact = _graph_gradient(model, points, labels)
    ours = layers.layer_by_layer_gradient(model, records, 0.5, update_first=False)
    assert ours == pytest.approx(exact, rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------------------------
# Results files.


def test_write_results_rejects_a_number_naming_its_key(tmp_path):
    """A figure that is not a string is a TypeError naming where it is."""
    with pytest.raises(TypeError, match=r"why\.formula\.n is a int"):
        results.write_results(str(tmp_path / "x.json"), "why", {"formula": {"n": 3}})


def test_write_results_round_trips_nested_strings(tmp_path):
    """Nested dicts and lists of strings come back as written."""
    figures = {"a": "1.02 ms", "b": {"c": ["x", "y"]}, "t": "| 1 |\n|---:|"}
    path = tmp_path / "sub" / "r.json"
    results.write_results(str(path), "r", figures)
    assert json.loads(path.read_text(encoding="utf-8")) == figures


def test_scientific_is_exact_below_its_threshold_and_counts_digits_above():
    """Counts print in full up to 10**12 and as mantissa and digits past it."""
    assert results.scientific(67_117_051) == "67,117,051"
    assert results.scientific(2**100) == "1.3e30 (31 digits)"  # 1.2676506...e30
    assert results.scientific(1_249_999_999_999) == "1.2e12 (13 digits)"
    assert results.scientific(1_250_000_000_000) == "1.3e12 (13 digits)"
    assert results.scientific(9_960_000_000_000) == "1.0e13 (13 digits)"
    assert results.scientific(10**400) == "1.0e400 (401 digits)"


def test_markdown_table_rejects_a_short_row():
    """A row with the wrong number of cells is a ValueError."""
    with pytest.raises(ValueError, match="one cell per column"):
        results.markdown_table(["a", "b"], [["1"]])


def test_markdown_table_refuses_a_pipe_in_a_cell():
    """A | inside a cell would split it: a ValueError naming the cell."""
    with pytest.raises(ValueError, match="mean"):
        results.markdown_table(["mean |x|"], [["1"]])
