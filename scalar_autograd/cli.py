"""The ``scalar-autograd`` command: one entry point for the demos, wheel or clone.

``scalar-autograd NAME [OPTIONS]`` runs the demo NAME with its own options (each
demo's ``main(argv)`` parses them, so ``scalar-autograd tour --help`` lists the
tour's). The demos need the ``demos`` extra (plots, progress bars, drawing); without
it the command says which module is missing and what to install, and exits with
status 1 instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass

PROG = "scalar-autograd"
INSTALL_DEMOS = 'pip install "scalar-autograd[demos]"'


# What the demos extra installs, by import name: graphviz (DOT), PIL (Pillow: GIF
# frames), matplotlib (plots), tqdm (progress bars). Every demo is checked for all of
# them: the extra comes whole, and a demo that starts drawing later should not fail
# half-way through.
DEMOS_MODULES = ("graphviz", "PIL", "matplotlib", "tqdm")
DISTRIBUTIONS = {"PIL": "Pillow"}  # where the import name is not the package's name


@dataclass(frozen=True)
class Command:
    """A subcommand: the demo module it runs and a one-line summary."""

    module: str
    summary: str


COMMANDS = {
    "tour": Command(
        "scalar_autograd.demos.tour",
        "a neuron's backward pass, why backprop, two moons",
    ),
    "why": Command(
        "scalar_autograd.demos.why_backprop",
        "finite differences against forward and reverse mode",
    ),
    "moons": Command(
        "scalar_autograd.demos.moons",
        "train micrograd's MLP on two moons, draw the result",
    ),
    "backward-pass": Command(
        "scalar_autograd.demos.backward_pass",
        "animate the backward pass of a neuron and a net",
    ),
}

EXAMPLES = f"""\
examples:
  {PROG} tour                 the tour, about a minute (--quick: under 30 s)
  {PROG} tour --help          the tour's options
  {PROG} backward-pass --out out/backward_pass
  {PROG} moons --steps 100 --seed 1

The demos need the demos extra: {INSTALL_DEMOS}
"""

_HELP_FLAGS = frozenset({"-h", "--help"})


def missing_modules(names: Sequence[str]) -> list[str]:
    """The import names among ``names`` that cannot be found in this environment."""
    absent = []
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken or half-installed package
            found = False
        if not found:
            absent.append(name)
    return absent


def missing_extra_message(command: str, absent: Sequence[str]) -> str:
    """What to tell someone who runs ``command`` without the demos extra."""
    modules = ", ".join(
        f"{m} ({DISTRIBUTIONS[m]})" if m in DISTRIBUTIONS else m for m in absent
    )
    noun = "module" if len(absent) == 1 else "modules"
    return (
        f"{PROG} {command}: needs the 'demos' extra, which is not installed "
        f"(missing {noun}: {modules}).\n"
        f"Install it with:\n    {INSTALL_DEMOS}\n"
        f'or, in a clone of the repository:\n    pip install -e ".[demos]"'
    )


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' layout; room for ``backward-pass`` beside its help."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)


def _parser() -> argparse.ArgumentParser:
    from autograd import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The demos of scalar-autograd, a scalar reverse-mode autodiff\n"
        "engine you can read, watch and measure.",
        epilog=EXAMPLES,
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands"
    )
    for name, command in COMMANDS.items():
        # add_help=False: the demo's own parser answers --help, with its options.
        commands.add_parser(
            name, help=command.summary.replace("%", "%%"), add_help=False
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``scalar-autograd COMMAND [OPTIONS]``; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not args or args[0] not in COMMANDS:
        # No command, --help, --version or an unknown command: argparse answers (and
        # exits 0 for help and version, 2 for a usage error).
        parser.parse_args(args)
        parser.print_help()
        return 2
    name, options = args[0], args[1:]
    command = COMMANDS[name]
    asks_for_help = bool(_HELP_FLAGS.intersection(options))
    absent = [] if asks_for_help else missing_modules(DEMOS_MODULES)
    if absent:
        print(missing_extra_message(name, absent), file=sys.stderr)
        return 1
    try:
        demo = importlib.import_module(command.module)
        status = demo.main(options)
    except ModuleNotFoundError as error:
        # A demos-extra module that disappeared after the check above (or was found
        # but fails to import): still no traceback, still the same advice. Anything
        # else is a bug and keeps its traceback.
        top = (error.name or "").partition(".")[0]
        if top not in DEMOS_MODULES:
            raise
        print(missing_extra_message(name, [top]), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG} {name}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":
    raise SystemExit(main())
