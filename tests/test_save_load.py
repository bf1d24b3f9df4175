"""state_dict, save and load: exact round trips, and failures that corrupt nothing."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

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


# -- save: symlinks, files that are not regular, stale temporary files --------------


def _temporaries(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


def test_save_writes_through_a_symlink_and_keeps_the_link(tmp_path) -> None:
    """Saving to a link replaces the file it points to; the link stays a link."""
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    _model().save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["parameters"] == _model().state_dict()
    assert _snapshot(nn.MLP(2, [3, 1], seed=5).load(link)) == _snapshot(_model())


def test_save_follows_a_chain_of_links_and_a_dangling_one(tmp_path) -> None:
    """A link to a link is followed to the end; a dangling link's target is made."""
    final = tmp_path / "sub" / "final.json"
    final.parent.mkdir()
    middle = tmp_path / "middle.json"
    middle.symlink_to(final)  # dangling: final does not exist yet
    first = tmp_path / "first.json"
    first.symlink_to(middle)
    _model().save(first)
    assert first.is_symlink() and middle.is_symlink()
    assert json.loads(final.read_text())["format"] == "scalar-autograd/nn"
    assert _temporaries(final.parent) == [] and _temporaries(tmp_path) == []


def test_save_keeps_the_targets_permissions_through_a_link(tmp_path) -> None:
    """The file a link points to keeps its permission bits."""
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o604)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    _model().save(link)
    assert os.stat(target).st_mode & 0o777 == 0o604


def test_save_refuses_a_directory_and_touches_nothing(tmp_path) -> None:
    """A directory is refused with IsADirectoryError (an OSError); nothing is made."""
    folder = tmp_path / "models"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="is a directory, not a regular file"):
        _model().save(folder)
    assert os.listdir(folder) == [] and os.listdir(tmp_path) == ["models"]


def test_save_refuses_a_fifo_and_touches_nothing(tmp_path) -> None:
    """A FIFO is refused with OSError at once (no blocking open); it stays a FIFO."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match=r"is a FIFO \(named pipe\), not a regular file"):
        _model().save(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe.json"]


def test_save_refuses_a_link_to_a_fifo(tmp_path) -> None:
    """A link whose target is not a regular file is refused like the target."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.json"
    link.symlink_to(fifo)
    with pytest.raises(OSError, match="FIFO"):
        _model().save(link)
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_save_refuses_dev_null_before_writing_anything(monkeypatch) -> None:
    """/dev/null (a character device) is refused before any file is created.

    Renaming is disabled for this test, so that even a broken save could not
    replace the device node (we may run as root).
    """

    def never(*args: object) -> None:
        raise AssertionError("save tried to replace /dev/null")

    monkeypatch.setattr(os, "replace", never)
    monkeypatch.setattr(os, "rename", never)
    before = sorted(os.listdir("/dev"))
    with pytest.raises(OSError, match="is a character device, not a regular file"):
        _model().save("/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert sorted(os.listdir("/dev")) == before


def test_load_refuses_what_is_not_a_regular_file(tmp_path) -> None:
    """load of a FIFO (which would block), a directory or a device: OSError."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    model = _model()
    before = _snapshot(model)
    with pytest.raises(OSError, match="FIFO"):
        model.load(fifo)
    with pytest.raises(IsADirectoryError):
        model.load(tmp_path)
    if os.path.exists("/dev/zero"):  # endless: must not be read
        with pytest.raises(OSError, match="character device"):
            model.load("/dev/zero")
    assert _snapshot(model) == before


# A child process that saves and stops inside the save, at a point it names, and
# tells the parent by creating a file; the parent then kills it (SIGKILL) or not.
_CHILD = """
import os, sys, time
import nn

path, ready, where = sys.argv[1], sys.argv[2], sys.argv[3]


def stall(*args, **kwargs):
    open(ready, "w").close()
    time.sleep(120)


setattr(os, where, stall)  # "fsync": written, not renamed; "write": still empty
nn.MLP(2, [16, 16, 1], seed=0).save(path)
"""


@contextmanager
def _stalled_save(folder, where: str) -> Iterator[subprocess.Popen]:
    """A child process stopped inside ``save(folder/'model.json')`` at ``where``."""
    ready = os.path.join(folder, "..", f"ready-{os.getpid()}-{where}")
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, os.path.join(folder, "model.json"), ready, where]
    )
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(ready):
            assert child.poll() is None, "the saving child exited early"
            assert time.monotonic() < deadline, "the saving child never got there"
            time.sleep(0.02)
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        os.unlink(ready)


@pytest.mark.skipif(os.name == "nt", reason="POSIX locks and signals")
@pytest.mark.parametrize("where", ["fsync", "write"])
def test_save_removes_the_temporary_file_of_a_killed_save(tmp_path, where) -> None:
    """kill -9 during a save leaves a temporary file; the next save removes it."""
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "model.json").write_text("previous")
    with _stalled_save(folder, where) as child:
        child.kill()  # SIGKILL: no cleanup of its own runs
    left = _temporaries(folder)
    assert len(left) == 1 and left[0].startswith(".model.json.")
    assert (folder / "model.json").read_text() == "previous"
    _model().save(folder / "model.json")
    assert _temporaries(folder) == []
    assert _snapshot(nn.MLP(2, [3, 1], seed=9).load(folder / "model.json")) == (
        _snapshot(_model())
    )


@pytest.mark.skipif(os.name == "nt", reason="POSIX locks and signals")
def test_save_leaves_the_temporary_file_of_a_save_in_progress(tmp_path) -> None:
    """Another process's save that is still running keeps its temporary file."""
    folder = tmp_path / "models"
    folder.mkdir()
    with _stalled_save(folder, "fsync"):
        running = _temporaries(folder)
        assert len(running) == 1
        _model().save(folder / "model.json")
        assert _temporaries(folder) == running  # locked by the live child
    _model().save(folder / "model.json")  # now it is dead: removed
    assert _temporaries(folder) == []


def test_save_never_removes_a_file_it_did_not_make(tmp_path) -> None:
    """Files that only look like stale temporaries are kept, links and all."""
    name = ".model.json.0123456789abcdef.scalar-autograd.tmp"
    others = {
        name: b"a user's own bytes",  # our name, not our content
        ".model.json.abc123.tmp": b"",  # another program's temporary file
        ".model.json.0123456789abcdeF.scalar-autograd.tmp": b"",  # not our name
        ".other.json.0123456789abcdef.scalar-autograd.tmp": b"",  # another target
    }
    for file_name, content in others.items():
        (tmp_path / file_name).write_bytes(content)
    precious = tmp_path / "precious"
    precious.write_bytes(b"")
    linked = ".model.json.fedcba9876543210.scalar-autograd.tmp"
    (tmp_path / linked).symlink_to(precious)
    folder = ".model.json.00000000000000ff.scalar-autograd.tmp"
    (tmp_path / folder).mkdir()
    _model().save(tmp_path / "model.json")
    for file_name, content in others.items():
        assert (tmp_path / file_name).read_bytes() == content
    assert (tmp_path / linked).is_symlink() and precious.exists()
    assert (tmp_path / folder).is_dir()


def test_save_removes_a_stale_temporary_with_our_content(tmp_path) -> None:
    """An unlocked file with our name and a model file's first bytes is removed."""
    stale = tmp_path / ".model.json.0123456789abcdef.scalar-autograd.tmp"
    stale.write_bytes(_saved_text(tmp_path).encode()[:40])
    _model().save(tmp_path / "model.json")
    assert not stale.exists()


# -- load: a file far larger than the model is refused before it is parsed -----------


def test_max_file_size_is_the_stated_bound() -> None:
    """64 KiB, plus each parameter's name and 256 bytes."""
    model = _model()
    names = sum(len(name) for name, _ in model.named_parameters())
    assert model.max_file_size() == 65536 + names + 256 * 13


def test_load_refuses_a_huge_file_without_reading_it(tmp_path, monkeypatch) -> None:
    """A 200 MB file is refused (ValueError) before a byte is parsed."""
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(200_000_000)  # sparse: nothing is written to disk

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("load parsed the file")

    monkeypatch.setattr(json, "loads", never)
    model = _model()
    before = _snapshot(model)
    with pytest.raises(ValueError, match="200000000 bytes, far more than a file"):
        model.load(path)
    assert _snapshot(model) == before


def test_load_reads_a_file_up_to_the_bound_and_not_a_byte_more(tmp_path) -> None:
    """A valid file padded to max_file_size() loads; one byte more is refused."""
    model = _model()
    text = _saved_text(tmp_path).encode()
    limit = model.max_file_size()
    path = tmp_path / "padded.json"
    path.write_bytes(text + b" " * (limit - len(text)))
    model.load(path)
    path.write_bytes(text + b" " * (limit - len(text) + 1))
    with pytest.raises(ValueError, match="far more than a file"):
        model.load(path)
