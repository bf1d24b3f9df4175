"""Build the wheel once and use it as a new user would, on every Python 3.10-3.13 here.

    python scripts/check_wheel.py [--dist DIR] [--python PATH ...] [--jobs N]

1. ``python -m build`` makes the sdist and the wheel (needs the ``build`` package).
2. The wheel's import names are exactly autograd, nn and scalar_autograd (no generic
   ``demos``, ``benchmarks`` or ``tests``), each named in the README; it declares the
   ``scalar-autograd`` command and carries the LICENSE. The sdist carries everything
   the README shows or links (pictures, docs pages, notebook) and the LICENSE.
3. For each Python 3.10 to 3.13 it finds (on PATH, under pyenv, or given with
   ``--python``), in a fresh virtual environment and a folder outside the clone:
   install the wheel alone; import the packages; run the README's ten-line example;
   ``scalar-autograd tour`` must say to install the demos extra (exit status 1, no
   traceback); then install ``wheel[demos]`` and run ``scalar-autograd tour --quick``,
   which must write its pictures. The Pythons run in parallel (``--jobs``).

It prints which Pythons ran and exits 1 if any check failed or no Python ran.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORT_NAMES = {"autograd", "nn", "scalar_autograd"}
MINORS = (10, 11, 12, 13)
TOUR_FILES = (  # a few of what the tour writes, one of each kind
    "neuron_graph.svg",
    "neuron_backward.gif",
    "neuron_backward.html",
    "cost.png",
    "moons_decision_boundary.png",
)


# Run in the fresh venv, outside the clone: the packages come from the venv, and no
# generic top-level name came with them.
IMPORT_CHECK = """
import sys, autograd, nn, scalar_autograd, scalar_autograd.cli
assert autograd.__file__.startswith(sys.prefix), autograd.__file__
for name in ("demos", "benchmarks", "tests"):
    try:
        __import__(name)
    except ImportError:
        continue
    raise SystemExit(f"the wheel installed a module {name!r}")
print("autograd", autograd.__version__, "from", autograd.__file__)
"""


class CheckFailed(Exception):
    """One check of the walkthrough failed; the message says which and why."""


# -- the README ----------------------------------------------------------------------


def ten_line_example(readme: str) -> str:
    """The first Python block under the README's heading that says "Ten lines"."""
    match = re.search(
        r"^#+ [^\n]*Ten lines[^\n]*\n(.*?)^```python\n(.*?)^```", readme, re.M | re.S
    )
    if not match:
        raise CheckFailed(
            "README.md has no ```python block under a 'Ten lines' heading"
        )
    return match.group(2)


def readme_local_targets(readme: str) -> set[str]:
    """Relative paths the README shows or links (images, pages), anchors dropped."""
    targets = set(re.findall(r"\]\(([^)\s]+)\)", readme))
    targets |= set(re.findall(r"""<img[^>]*\bsrc=["']([^"']+)["']""", readme))
    local = set()
    for target in targets:
        path = target.split("#", 1)[0]
        if (
            path
            and not re.match(r"^[a-z][a-z0-9+.-]*:", path)
            and not path.startswith("/")
        ):
            local.add(os.path.normpath(path))
    return local


# -- the built files -----------------------------------------------------------------


def wheel_top_level_names(names: Sequence[str]) -> set[str]:
    """The import names a wheel installs: its top-level folders and modules."""
    top = set()
    for name in names:
        first = name.split("/", 1)[0]
        if first.endswith((".dist-info", ".data")):
            continue
        top.add(first[:-3] if first.endswith(".py") else first)
    return top


def check_wheel_file(wheel: Path, readme: str) -> list[str]:
    """The problems of the wheel's contents (empty when it is right)."""
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        top = wheel_top_level_names(names)
        if top != IMPORT_NAMES:
            problems.append(
                f"wheel installs {sorted(top)}, expected exactly {sorted(IMPORT_NAMES)}"
            )
        entry_points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(entry_points[0]).decode() if entry_points else ""
        if not re.search(
            r"^scalar-autograd\s*=\s*scalar_autograd\.cli:main$", text, re.M
        ):
            problems.append("wheel declares no scalar-autograd console script")
        if not any(re.search(r"\.dist-info/licenses/LICENSE$", n) for n in names):
            problems.append("wheel carries no LICENSE")
        for package in ("autograd", "nn", "scalar_autograd"):
            if f"{package}/py.typed" not in names:
                problems.append(f"wheel has no {package}/py.typed")
    for name in sorted(IMPORT_NAMES):
        if f"`{name}`" not in readme:
            problems.append(f"README.md does not list the import name `{name}`")
    return problems


def check_sdist_file(sdist: Path, readme: str) -> list[str]:
    """The problems of the sdist's contents: what the README shows must be in it."""
    with tarfile.open(sdist) as archive:
        members = {
            m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name
        }
    folders = {os.path.dirname(m) for m in members}
    while "" in folders:
        folders.discard("")
    wanted = readme_local_targets(readme) | {"LICENSE", "README.md", "mkdocs.yml"}
    problems = [
        f"sdist lacks {target} (the README shows or links it)"
        for target in sorted(wanted)
        if target not in members and target not in folders
    ]
    pages = [m for m in members if m.startswith("docs/") and m.endswith(".md")]
    if not pages:
        problems.append("sdist has no docs pages")
    return problems


# -- the Pythons ---------------------------------------------------------------------


# Prints the version and the base interpreter (not a virtual environment's copy).
PROBE = (
    "import sys, venv, ensurepip\n"
    "print('%d.%d.%d' % sys.version_info[:3])\n"
    "print(getattr(sys, '_base_executable', None) or sys.executable)\n"
)


def python_version(executable: str) -> tuple[str, str] | None:
    """``(3.x.y, base interpreter)`` of one that can make venvs, else None."""
    try:
        done = subprocess.run(
            [executable, "-c", PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.split("\n")
    if done.returncode != 0 or not re.fullmatch(r"\d+\.\d+\.\d+", lines[0]):
        return None
    base = lines[1].strip() if len(lines) > 1 and lines[1].strip() else executable
    return lines[0], base if os.path.exists(base) else executable


def candidates(minor: int) -> list[str]:
    """Where a Python 3.<minor> may be: PATH, pyenv's versions, the usual folders."""
    found = []
    on_path = shutil.which(f"python3.{minor}")
    if on_path:
        found.append(on_path)
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found += sorted(
        glob.glob(os.path.join(pyenv, "versions", f"3.{minor}.*", "bin", "python3")),
        reverse=True,  # the newest patch release first
    )
    for folder in ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin"):
        found.append(os.path.join(folder, f"python3.{minor}"))
    return [path for path in dict.fromkeys(found) if os.path.exists(path)]


def find_pythons() -> dict[str, str]:
    """One interpreter per minor version 3.10-3.13 found here: version -> path."""
    pythons = {}
    for minor in MINORS:
        for path in candidates(minor):
            probed = python_version(path)
            if probed and probed[0].startswith(f"3.{minor}."):
                pythons[probed[0]] = probed[1]
                break
    return pythons


# -- the walkthrough -----------------------------------------------------------------


@dataclass
class Walkthrough:
    """One Python's run: what it did, and the first failure if any."""

    version: str
    python: str
    log: list[str] = field(default_factory=list)
    failure: str | None = None
    seconds: float = 0.0


def _run(
    walk: Walkthrough, command: Sequence[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    walk.log.append("$ " + " ".join(command))
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    walk.log += [line for line in (done.stdout + done.stderr).splitlines()[-40:]]
    return done


def walk_through(
    version: str, python: str, wheel: Path, example: str, work: Path
) -> Walkthrough:
    """Install ``wheel`` with ``python`` in a fresh venv and run what a user runs."""
    walk = Walkthrough(version, python)
    started = time.perf_counter()
    home = work / f"py{version}"
    venv, cwd = home / "venv", home / "user"
    cwd.mkdir(parents=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.pop("CI", None)  # the tour gets --quick explicitly
    bin_python = str(venv / "bin" / "python")
    pip = [bin_python, "-m", "pip", "install", "-q"]
    try:
        steps: list[tuple[str, Sequence[str], int | None]] = [
            ("create a venv", [python, "-m", "venv", str(venv)], 0),
            ("install the wheel", [*pip, str(wheel)], 0),
            (
                "import the packages from the venv",
                [bin_python, "-c", IMPORT_CHECK],
                0,
            ),
            ("the README's ten-line example", [bin_python, "-c", example], 0),
        ]
        for what, command, status in steps:
            done = _run(walk, command, cwd, env)
            if done.returncode != status:
                raise CheckFailed(f"{what}: exit status {done.returncode}")
        done = _run(walk, ["scalar-autograd", "tour"], cwd, env)
        if done.returncode == 0 or "Traceback" in done.stderr:
            raise CheckFailed(
                "scalar-autograd tour without the demos extra: "
                + ("a traceback" if "Traceback" in done.stderr else "exit status 0")
            )
        if 'pip install "scalar-autograd[demos]"' not in done.stderr:
            raise CheckFailed(
                "scalar-autograd tour without the demos extra: no install advice"
            )
        done = _run(walk, [*pip, f"{wheel}[demos]"], cwd, env)
        if done.returncode != 0:
            raise CheckFailed(f"install wheel[demos]: exit status {done.returncode}")
        out = cwd / "out" / "tour"
        done = _run(
            walk, ["scalar-autograd", "tour", "--quick", "--out", str(out)], cwd, env
        )
        if done.returncode != 0:
            raise CheckFailed(
                f"scalar-autograd tour --quick: exit status {done.returncode}"
            )
        for name in TOUR_FILES:
            if not (out / name).is_file() or (out / name).stat().st_size == 0:
                raise CheckFailed(f"scalar-autograd tour --quick wrote no {name}")
    except (CheckFailed, subprocess.TimeoutExpired, OSError) as error:
        walk.failure = str(error)
    walk.seconds = time.perf_counter() - started
    return walk


def build(dist: Path) -> tuple[Path, Path]:
    """``python -m build`` into ``dist``: the sdist and the wheel."""
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise CheckFailed("python -m build failed (is the build package installed?)")
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    return sdist, wheel


def main(argv: Sequence[str] | None = None) -> int:
    """Build, inspect, and walk through the wheel on each Python; the exit status."""
    parser = argparse.ArgumentParser(
        prog="python scripts/check_wheel.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--dist", type=Path, help="build into this folder (default: a temporary one)"
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        help="an interpreter to use (repeatable; default: find 3.10-3.13)",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="Pythons at once (default 2)"
    )
    args = parser.parse_args(argv)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="check-wheel-") as temporary:
        work = Path(temporary)
        dist = args.dist or work / "dist"
        started = time.perf_counter()
        try:
            sdist, wheel = build(dist)
            example = ten_line_example(readme)
        except CheckFailed as error:
            print(f"check_wheel: {error}", file=sys.stderr)
            return 1
        seconds = time.perf_counter() - started
        print(f"built {sdist.name} and {wheel.name} in {seconds:.0f} s")
        problems = check_wheel_file(wheel, readme) + check_sdist_file(sdist, readme)
        for problem in problems:
            print(f"  problem: {problem}", file=sys.stderr)
        if not problems:
            print(
                f"  the wheel installs {', '.join(sorted(IMPORT_NAMES))} and the "
                "scalar-autograd command; the sdist carries what the README shows"
            )
        if args.python:
            pythons = {}
            for path in args.python:
                probed = python_version(path)
                if probed is None:
                    print(
                        f"  problem: {path} cannot make a virtual environment",
                        file=sys.stderr,
                    )
                    problems.append(path)
                else:
                    pythons[probed[0]] = probed[1]
        else:
            pythons = find_pythons()
            found = {v.rsplit(".", 1)[0] for v in pythons}
            absent = [f"3.{m}" for m in MINORS if f"3.{m}" not in found]
            if absent:
                print(f"  not on this machine (skipped): Python {', '.join(absent)}")
        if not pythons:
            print("check_wheel: no Python 3.10-3.13 found", file=sys.stderr)
            return 1
        versions = ", ".join(pythons)
        print(f"walking through the wheel on Python {versions}, {args.jobs} at a time")
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            walks = list(
                pool.map(
                    lambda item: walk_through(item[0], item[1], wheel, example, work),
                    pythons.items(),
                )
            )
    failed = [walk for walk in walks if walk.failure]
    for walk in walks:
        if walk.failure:
            print(
                f"\n--- Python {walk.version} ({walk.python}): FAILED: {walk.failure}"
            )
            print("\n".join(walk.log))
    print("\nwheel walkthrough (install, import, ten lines, tour without/with demos):")
    for walk in walks:
        verdict = f"FAILED: {walk.failure}" if walk.failure else "ok"
        took = f"{walk.seconds:.0f} s"
        print(f"  Python {walk.version:<8} {walk.python}: {verdict} ({took})")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
