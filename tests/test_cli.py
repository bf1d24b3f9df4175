"""The ``scalar-autograd`` command: subcommands, help, and the missing demos extra."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
import types

import pytest

from scalar_autograd import cli

SUBCOMMANDS = ("tour", "why", "moons", "backward-pass")


@pytest.fixture
def recorded(monkeypatch):
    """Every demo module replaced by one whose main records its argv and returns 0."""
    calls: list[tuple[str, list[str]]] = []
    real_import = importlib.import_module

    def fake_import(name: str, package: str | None = None) -> types.ModuleType:
        if not name.startswith("scalar_autograd.demos."):
            return real_import(name, package)
        module = types.ModuleType(name)

        def main(argv):
            calls.append((name, list(argv)))
            return 0

        module.main = main  # type: ignore[attr-defined]
        return module

    monkeypatch.setattr(importlib, "import_module", fake_import)
    monkeypatch.setattr(cli, "missing_modules", lambda names: [])
    return calls


def hide_module(monkeypatch, name: str) -> None:
    """Make ``name`` unimportable, as if its package were not installed."""
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setitem(sys.modules, name, None)  # import raises, find_spec is None


def test_console_script_is_installed_and_points_at_main():
    """The installed metadata maps scalar-autograd to scalar_autograd.cli:main."""
    (script,) = [
        e
        for e in importlib.metadata.entry_points(group="console_scripts")
        if e.name == "scalar-autograd"
    ]
    assert script.value == "scalar_autograd.cli:main"


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_forwards_its_options_to_the_demo(recorded, name):
    """``scalar-autograd NAME OPTIONS`` calls NAME's main with exactly OPTIONS."""
    options = ["--quick", "--out", "some dir", "--steps", "3"]
    assert cli.main([name, *options]) == 0
    assert recorded == [(cli.COMMANDS[name].module, options)]


def test_subcommands_name_the_demo_modules_that_exist():
    """Every subcommand's module imports and has a main function."""
    for name in SUBCOMMANDS:
        module = importlib.import_module(cli.COMMANDS[name].module)
        assert callable(module.main), name


def test_demo_exit_status_is_the_command_exit_status(monkeypatch):
    """A demo's non-zero status (e.g. no renderer) is what the command returns."""
    fake = types.ModuleType("fake")
    fake.main = lambda argv: 1  # type: ignore[attr-defined]
    monkeypatch.setattr(importlib, "import_module", lambda name: fake)
    monkeypatch.setattr(cli, "missing_modules", lambda names: [])
    assert cli.main(["backward-pass"]) == 1


def test_help_lists_every_subcommand_and_the_extra(capsys):
    """``scalar-autograd --help`` exits 0, listing each subcommand and the extra."""
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: scalar-autograd")
    for name in SUBCOMMANDS:
        assert f"\n    {name}" in out, name
    assert 'pip install "scalar-autograd[demos]"' in out


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_help_is_the_demos_own_under_its_command_name(capsys, name):
    """``scalar-autograd NAME --help`` is the demo's help, under that name."""
    with pytest.raises(SystemExit) as exited:
        cli.main([name, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: scalar-autograd {name} ")
    assert "--out" in out


def test_subcommand_help_works_without_the_demos_extra(monkeypatch, capsys):
    """Asking a demo for --help needs nothing from the demos extra."""
    hide_module(monkeypatch, "matplotlib")
    with pytest.raises(SystemExit) as exited:
        cli.main(["moons", "--help"])
    assert exited.value.code == 0
    assert "--steps" in capsys.readouterr().out


def test_version_is_the_package_version(capsys):
    """``scalar-autograd --version`` prints the package's version."""
    import autograd

    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"scalar-autograd {autograd.__version__}"


def test_no_subcommand_prints_usage_and_fails(capsys):
    """Without a subcommand the command shows its help and exits 2."""
    assert cli.main([]) == 2
    assert "commands:" in capsys.readouterr().out


def test_unknown_subcommand_is_a_usage_error_naming_it(capsys):
    """An unknown subcommand exits 2, naming it and the valid ones."""
    with pytest.raises(SystemExit) as exited:
        cli.main(["tuor"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "'tuor'" in err and "'tour'" in err


@pytest.mark.parametrize("module", cli.DEMOS_MODULES)
def test_missing_extra_names_the_module_and_the_install_command(
    monkeypatch, capsys, module
):
    """Without one of the demos extra's modules: exit 1, its name and the pip line."""
    hide_module(monkeypatch, module)
    assert cli.main(["tour", "--quick"]) == 1
    err = capsys.readouterr().err
    assert f"missing module: {module}" in err
    assert 'pip install "scalar-autograd[demos]"' in err


def test_missing_extra_found_late_still_gives_the_advice(monkeypatch, capsys):
    """A demos-extra import failing inside the demo gets the same advice, no trace."""

    def main(argv):
        raise ModuleNotFoundError("No module named 'tqdm'", name="tqdm")

    fake = types.ModuleType("fake")
    fake.main = main  # type: ignore[attr-defined]
    monkeypatch.setattr(importlib, "import_module", lambda name: fake)
    monkeypatch.setattr(cli, "missing_modules", lambda names: [])
    assert cli.main(["why"]) == 1
    err = capsys.readouterr().err
    assert "(missing module: tqdm)" in err
    assert 'pip install "scalar-autograd[demos]"' in err


def test_other_missing_modules_are_bugs_and_keep_their_traceback(monkeypatch):
    """A ModuleNotFoundError for a module outside the demos extra is re-raised."""

    def main(argv):
        raise ModuleNotFoundError(
            "No module named 'autograd.gone'", name="autograd.gone"
        )

    fake = types.ModuleType("fake")
    fake.main = main  # type: ignore[attr-defined]
    monkeypatch.setattr(importlib, "import_module", lambda name: fake)
    monkeypatch.setattr(cli, "missing_modules", lambda names: [])
    with pytest.raises(ModuleNotFoundError):
        cli.main(["why"])


def test_missing_modules_finds_what_is_absent(monkeypatch):
    """missing_modules lists exactly the names that cannot be imported."""
    hide_module(monkeypatch, "tqdm")
    assert cli.missing_modules(["json", "tqdm", "no_such_module_here"]) == [
        "tqdm",
        "no_such_module_here",
    ]


def test_without_the_extra_a_real_process_prints_no_traceback():
    """Run as a process with tqdm hidden: exit 1, the advice, no Python traceback."""
    code = (
        "import sys; sys.modules['tqdm'] = None\n"
        "from scalar_autograd.cli import main\n"
        "raise SystemExit(main(['moons']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "scalar-autograd moons: needs the 'demos' extra" in done.stderr


def test_python_dash_m_scalar_autograd_is_the_same_command():
    """``python -m scalar_autograd --help`` runs the command (venv not on PATH)."""
    done = subprocess.run(
        [sys.executable, "-m", "scalar_autograd", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "backward-pass" in done.stdout
