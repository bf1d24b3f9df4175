"""Every public object of the API reference has a docstring (scripts/docstrings.py)."""

from __future__ import annotations

import contextlib
import sys
import types

import pytest
from repo_scripts import load

docstrings = load("docstrings")


def test_every_public_object_has_a_docstring():
    """autograd, autograd.viz, nn and nn.datasets: no public object lacks one."""
    missing = docstrings.missing_docstrings()
    assert missing == [], "\n".join(map(str, missing))


@pytest.fixture
def fake_package(monkeypatch):
    """A module ``fakepkg`` registered in sys.modules, to be filled by each test."""
    module = types.ModuleType("fakepkg", "A package for the test.")
    monkeypatch.setitem(sys.modules, "fakepkg", module)
    return module


def _define(module: types.ModuleType, source: str) -> None:
    exec(compile(source, "fakepkg.py", "exec"), module.__dict__)
    for value in list(module.__dict__.values()):
        if isinstance(value, type) or callable(value):
            with contextlib.suppress(AttributeError, TypeError):  # builtins
                value.__module__ = "fakepkg"


def test_a_function_without_a_docstring_is_found(fake_package):
    """A public function in __all__ with no docstring is listed by its full name."""
    _define(fake_package, "def f(x):\n    return x\n__all__ = ['f']\n")
    assert [m.name for m in docstrings.missing_docstrings(["fakepkg"])] == ["fakepkg.f"]


def test_methods_and_properties_are_checked_but_private_ones_are_not(fake_package):
    """A class's public method and property count; _private and dunders do not."""
    _define(
        fake_package,
        "class C:\n"
        "    '''Documented.'''\n"
        "    def method(self): pass\n"
        "    @property\n"
        "    def prop(self): return 1\n"
        "    @staticmethod\n"
        "    def static(): pass\n"
        "    def _private(self): pass\n"
        "    def __len__(self): return 0\n"
        "__all__ = ['C']\n",
    )
    names = [m.name for m in docstrings.missing_docstrings(["fakepkg"])]
    assert names == ["fakepkg.C.method", "fakepkg.C.prop", "fakepkg.C.static"]


def test_a_dataclass_signature_is_not_a_docstring(fake_package):
    """A dataclass without a docstring (Python fills in its signature) is listed."""
    _define(
        fake_package,
        "import dataclasses\n"
        "@dataclasses.dataclass\n"
        "class Point:\n"
        "    x: float\n"
        "__all__ = ['Point']\n",
    )
    assert [m.name for m in docstrings.missing_docstrings(["fakepkg"])] == [
        "fakepkg.Point"
    ]


def test_without_all_the_public_names_defined_in_the_package_count(fake_package):
    """With no __all__, public functions defined in the package count, imports not."""
    _define(fake_package, "from os.path import join\ndef g():\n    pass\n")
    assert [m.name for m in docstrings.missing_docstrings(["fakepkg"])] == ["fakepkg.g"]


def test_documented_objects_pass(fake_package):
    """A documented function and class with documented members: nothing listed."""
    _define(
        fake_package,
        "def f():\n    '''Yes.'''\n"
        "class C:\n    '''Yes.'''\n    def m(self):\n        '''Yes.'''\n"
        "__all__ = ['f', 'C']\n",
    )
    assert docstrings.missing_docstrings(["fakepkg"]) == []


def test_the_docs_hook_warns_under_the_mkdocs_logger(fake_package, monkeypatch, caplog):
    """As a MkDocs hook each missing docstring is a warning that --strict counts."""
    _define(fake_package, "def f(x):\n    return x\n__all__ = ['f']\n")
    monkeypatch.setattr(docstrings, "MODULES", ("fakepkg",))
    with caplog.at_level("WARNING", logger="mkdocs"):
        docstrings.on_pre_build(config=None)
    (record,) = caplog.records
    assert record.name.startswith("mkdocs.") and record.levelname == "WARNING"
    assert "fakepkg.f has no docstring" in record.getMessage()
