"""List the public objects of the API reference that have no docstring.

The API reference (docs/api.md) is generated from docstrings, and mkdocstrings hides
an object that has none instead of failing, so this check makes the omission loud:

    python scripts/docstrings.py        print each one, exit 1 if there is any

It is also a MkDocs hook (mkdocs.yml, ``hooks:``): each missing docstring is a
warning, which ``mkdocs build --strict`` turns into a failed build. And
tests/test_docstrings.py runs it with the test suite.

Public means: a name in the module's ``__all__`` (or, without one, a name without a
leading underscore defined in the package), and in a public class every method,
property, class method and static method its own body defines without a leading
underscore. A module in ``__all__`` is checked for its own docstring.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import sys
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The modules docs/api.md renders, and public names outside their __all__ that it
# renders too (autograd.sum is left out of __all__ so that a star import never
# shadows the builtin).
MODULES = ("autograd", "autograd.viz", "nn", "nn.datasets")
EXTRA_NAMES = {"autograd": ("sum",)}


@dataclass(frozen=True)
class Missing:
    """A public object without a docstring: its dotted name and where it is defined."""

    name: str
    where: str

    def __str__(self) -> str:
        return f"{self.name} has no docstring ({self.where})"


def _where(obj: Any) -> str:
    try:
        path = inspect.getsourcefile(obj) or "?"
        line = inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return getattr(obj, "__module__", "?") or "?"
    with contextlib.suppress(ValueError):  # outside the working folder: absolute
        path = str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    return f"{path}:{line}"


def _has_docstring(obj: Any) -> bool:
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
    if not isinstance(doc, str) or not doc.strip():
        return False
    # A dataclass without a docstring gets its signature as one: that is not one.
    return not (isinstance(obj, type) and doc.startswith(f"{obj.__name__}("))


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public callables and properties defined in ``cls``'s own body."""
    for name, attribute in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(attribute, (staticmethod, classmethod)):
            yield name, attribute.__func__
        elif isinstance(attribute, property):
            if attribute.fget is not None:
                yield name, attribute.fget
        elif inspect.isfunction(attribute):
            yield name, attribute


def _public_names(module: types.ModuleType) -> list[str]:
    exported = getattr(module, "__all__", None)
    if exported is not None:
        names = list(exported)
    else:
        package = module.__name__.partition(".")[0]
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and (inspect.isclass(value) or inspect.isfunction(value))
            and (getattr(value, "__module__", "") or "").partition(".")[0] == package
        ]
    return names + [n for n in EXTRA_NAMES.get(module.__name__, ()) if n not in names]


def missing_docstrings(modules: Sequence[str] = MODULES) -> list[Missing]:
    """Every public object of ``modules`` (as the module docstring says) lacking one."""
    missing: list[Missing] = []
    seen: set[int] = set()
    for module_name in modules:
        module = importlib.import_module(module_name)
        if not _has_docstring(module):
            missing.append(Missing(module_name, _where(module)))
        for name in _public_names(module):
            obj = getattr(module, name)
            qualified = f"{module_name}.{name}"
            if inspect.ismodule(obj):
                if not _has_docstring(obj):
                    missing.append(Missing(qualified, _where(obj)))
                continue
            if not (inspect.isclass(obj) or callable(obj)) or id(obj) in seen:
                continue  # a constant (no docstring of its own), or checked already
            seen.add(id(obj))
            if not _has_docstring(obj):
                missing.append(Missing(qualified, _where(obj)))
            if inspect.isclass(obj):
                for member_name, member in _members(obj):
                    if not _has_docstring(member):
                        missing.append(
                            Missing(f"{qualified}.{member_name}", _where(member))
                        )
    return missing


# -- as a MkDocs hook -------------------------------------------------------------

_log = logging.getLogger("mkdocs.hooks.docstrings")  # under "mkdocs": --strict counts


def on_pre_build(config: Any) -> None:
    """MkDocs hook: a warning per public object without a docstring."""
    for item in missing_docstrings(MODULES):
        _log.warning(f"API reference: {item}")


def main(argv: Sequence[str] | None = None) -> int:
    """Print every missing docstring; exit status 1 if there is one."""
    if argv is None:
        argv = sys.argv[1:]
    missing = missing_docstrings(tuple(argv) or MODULES)
    for item in missing:
        print(item)
    print(f"{len(missing)} public object(s) without a docstring", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
