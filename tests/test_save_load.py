"""state_dict, save and load: exact round trips, and failures that corrupt nothing."""

from __future__ import annotations

import json
import math
import os
import re
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn

# Every finite float, with the awkward ones drawn often.
EXTREMES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1e308,
            1.7976931348623157e308, 0.1, 1 / 3]  # fmt: skip
parameter_values = st.one_of(
    st.sampled_from(EXTREMES), st.floats(allow_nan=False, allow_infinity=False)
)
tmp_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _model() -> nn.MLP:
    return nn.MLP(2, [3, 1], seed=0)


def _snapshot(model: nn.Module) -> list[bytes]:
    return [_bits(p.data) for p in model.parameters()]


def _saved_text(tmp_path) -> str:
    path = tmp_path / "model.json"
    _model().save(path)
    return path.read_text()


# -- round trips ---------------------------------------------------------------------


@tmp_ok
@given(values=st.lists(parameter_values, min_size=13, max_size=13))
def test_save_load_round_trip_is_bit_exact(tmp_path, values: list[float]) -> None:
    """Every parameter, extremes and -0.0 included, comes back bit for bit."""
    model = _model()
    for p, v in zip(model.parameters(), values):
        p.data = v
    path = tmp_path / "model.json"
    model.save(path)
    other = nn.MLP(2, [3, 1], seed=1)
    other.load(path)
    assert _snapshot(other) == [_bits(v) for v in values]


@given(values=st.lists(parameter_values, min_size=13, max_size=13))
def test_state_dict_round_trip_is_bit_exact(values: list[float]) -> None:
    """load_state_dict(state_dict()) restores every parameter bit for bit."""
    model = _model()
    for p, v in zip(model.parameters(), values):
        p.data = v
    other = nn.MLP(2, [3, 1], seed=1)
    other.load_state_dict(model.state_dict())
    assert _snapshot(other) == _snapshot(model)


def test_state_dict_maps_names_to_floats() -> None:
    """state_dict() maps each parameter name to its number."""
    model = _model()
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    assert list(state.values()) == [p.data for p in model.parameters()]


def test_saved_file_is_json_with_architecture_and_parameters(tmp_path) -> None:
    """The file is JSON naming its format, the architecture and every parameter."""
    document = json.loads(_saved_text(tmp_path))
    assert document["architecture"] == {
        "type": "MLP",
        "nin": 2,
        "layer_sizes": [3, 1],
        "activation": "relu",
    }
    assert document["parameters"] == _model().state_dict()


def test_load_returns_the_model(tmp_path) -> None:
    """load() returns the model itself, so building and loading chain."""
    path = tmp_path / "model.json"
    _model().save(path)
    model = nn.MLP(2, [3, 1])
    assert model.load(path) is model


def test_save_replaces_an_existing_file_and_leaves_no_temporary(tmp_path) -> None:
    """Saving over a file replaces it; the folder holds only that file afterwards."""
    path = tmp_path / "model.json"
    path.write_text("old")
    _model().save(path)
    assert json.loads(path.read_text())["parameters"] == _model().state_dict()
    assert os.listdir(tmp_path) == ["model.json"]


# -- load_state_dict: all or nothing ------------------------------------------------


def test_load_state_dict_missing_key_names_it_and_changes_nothing() -> None:
    """A state without some parameter raises ValueError naming it; nothing changes."""
    model = _model()
    before = _snapshot(model)
    state = {name: 0.5 for name in model.state_dict()}
    del state["layers.1.neurons.0.b"]
    with pytest.raises(ValueError, match=r"missing 1 .*layers\.1\.neurons\.0\.b"):
        model.load_state_dict(state)
    assert _snapshot(model) == before


def test_load_state_dict_unexpected_key_names_it_and_changes_nothing() -> None:
    """A state with an extra name raises ValueError naming it; nothing changes."""
    model = _model()
    before = _snapshot(model)
    state = {name: 0.5 for name in model.state_dict()} | {"extra": 1.0}
    with pytest.raises(ValueError, match=r"unexpected 1 .*'extra'"):
        model.load_state_dict(state)
    assert _snapshot(model) == before


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 10**400])
def test_load_state_dict_non_finite_last_value_changes_nothing(bad) -> None:
    """A non-finite number in the last entry raises before any entry is assigned."""
    model = _model()
    before = _snapshot(model)
    state = {name: 0.5 for name in model.state_dict()}
    state["layers.1.neurons.0.b"] = bad
    with pytest.raises(ValueError, match=re.escape("layers.1.neurons.0.b")):
        model.load_state_dict(state)
    assert _snapshot(model) == before


@pytest.mark.parametrize("bad", ["0.5", None, True, [0.5]])
def test_load_state_dict_non_number_is_a_type_error(bad) -> None:
    """A value that is not a real number raises TypeError; nothing changes."""
    model = _model()
    before = _snapshot(model)
    state = {name: 0.5 for name in model.state_dict()}
    state["layers.0.neurons.0.w.0"] = bad
    with pytest.raises(TypeError, match=re.escape("layers.0.neurons.0.w.0")):
        model.load_state_dict(state)
    assert _snapshot(model) == before


# -- load: every broken file raises ValueError and changes nothing -------------------


def _assert_load_fails(tmp_path, content: str | bytes, match: str) -> None:
    path = tmp_path / "broken.json"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    model = _model()
    before = _snapshot(model)
    with pytest.raises(ValueError, match=match):
        model.load(path)
    assert _snapshot(model) == before


def test_every_truncation_of_a_saved_file_is_rejected(tmp_path) -> None:
    """Cutting a saved file short anywhere gives ValueError and an untouched model."""
    text = _saved_text(tmp_path).rstrip()
    for end in range(len(text)):
        _assert_load_fails(tmp_path, text[:end], "broken.json is not valid JSON")


def test_truncated_file_error_suggests_truncation(tmp_path) -> None:
    """A file cut off after a complete line says it ends early."""
    text = _saved_text(tmp_path)
    cut = text[: text.index("\n", len(text) // 2) + 1]
    _assert_load_fails(tmp_path, cut, "ends early: truncated")


@pytest.mark.parametrize(
    "content",
    [b"", b"\x89PNG\r\n\x1a\n\x00\xff", "not json at all", "[[[[[[[[" * 200_000],
)
def test_non_json_file_is_rejected(tmp_path, content) -> None:
    """Empty, binary, plain-text and absurdly nested files raise ValueError."""
    _assert_load_fails(tmp_path, content, "broken.json")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_number_in_file_is_rejected(tmp_path, token: str) -> None:
    """JSON's NaN/Infinity extensions and out-of-range numbers raise ValueError."""
    text = _saved_text(tmp_path)
    name = "layers.0.neurons.2.w.1"
    document = json.loads(text)
    number = repr(document["parameters"][name])
    broken = text.replace(f'"{name}": {number}', f'"{name}": {token}')
    assert broken != text
    _assert_load_fails(tmp_path, broken, "broken.json")


@pytest.mark.parametrize(
    "architecture",
    [
        nn.MLP(2, [4, 1]),
        nn.MLP(3, [3, 1]),
        nn.MLP(2, [3, 1], activation="tanh"),
        nn.Layer(2, 3),
    ],
)
def test_file_of_another_architecture_is_rejected(tmp_path, architecture) -> None:
    """A file saved from another architecture raises ValueError naming both."""
    path = tmp_path / "other.json"
    architecture.save(path)
    model = _model()
    before = _snapshot(model)
    with pytest.raises(ValueError, match=r"another architecture.*MLP\(nin=2"):
        model.load(path)
    assert _snapshot(model) == before


def test_file_whose_parameters_do_not_match_is_rejected(tmp_path) -> None:
    """A file with the right architecture but a missing parameter raises ValueError."""
    document = json.loads(_saved_text(tmp_path))
    del document["parameters"]["layers.0.neurons.0.b"]
    _assert_load_fails(tmp_path, json.dumps(document), "missing 1")


def test_file_with_a_string_parameter_is_rejected(tmp_path) -> None:
    """A parameter written as a string raises ValueError (not TypeError) from load."""
    document = json.loads(_saved_text(tmp_path))
    document["parameters"]["layers.0.neurons.0.b"] = "0.5"
    _assert_load_fails(tmp_path, json.dumps(document), "must be a real number")


def test_duplicate_keys_in_file_are_rejected(tmp_path) -> None:
    """A name written twice (which JSON readers silently collapse) raises ValueError."""
    text = _saved_text(tmp_path)
    name = '"layers.0.neurons.0.b": '
    broken = text.replace(name, name + "1.0,\n  " + name, 1)
    _assert_load_fails(tmp_path, broken, "duplicate key")


@pytest.mark.parametrize(
    "document",
    [[], {}, {"format": "something else"}, {"format": "scalar-autograd/nn"}],
)
def test_json_that_is_not_a_model_file_is_rejected(tmp_path, document) -> None:
    """Valid JSON without the model-file format and version raises ValueError."""
    _assert_load_fails(tmp_path, json.dumps(document), "broken.json")


def test_missing_file_raises_file_not_found(tmp_path) -> None:
    """Loading a path that does not exist raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        _model().load(tmp_path / "absent.json")


# -- save: never destroys the previous file ------------------------------------------


def test_failed_rename_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    """If the final rename fails, the old file is intact and no temporary remains."""
    path = tmp_path / "model.json"
    path.write_text("previous contents")

    def fail(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        _model().save(path)
    assert path.read_text() == "previous contents"
    assert os.listdir(tmp_path) == ["model.json"]


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    """If flushing to disk fails, the old file is intact and no temporary remains."""
    path = tmp_path / "model.json"
    path.write_text("previous contents")

    def fail(fd: int) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="no space left"):
        _model().save(path)
    assert path.read_text() == "previous contents"
    assert os.listdir(tmp_path) == ["model.json"]


def test_saving_non_finite_parameters_is_refused(tmp_path) -> None:
    """A NaN parameter raises ValueError naming it, and the old file stays."""
    path = tmp_path / "model.json"
    path.write_text("previous contents")
    model = _model()
    model.layers[0].neurons[1].b.data = math.nan
    with pytest.raises(ValueError, match=re.escape("layers.0.neurons.1.b")):
        model.save(path)
    assert path.read_text() == "previous contents"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_save_keeps_the_old_files_permissions(tmp_path) -> None:
    """Replacing a file keeps its permission bits (not the temp file's 0600)."""
    path = tmp_path / "model.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    _model().save(path)
    assert os.stat(path).st_mode & 0o777 == 0o640
