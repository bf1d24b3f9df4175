"""``python -m benchmarks``: run every case, print the results, write RESULTS.md.

Also writes ``docs/results/benchmarks.json``: the figures the README and the docs
quote, formatted, so that no number there is typed by hand (``scripts/figures.py``
fills them in).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("RESULTS.md")
FIGURES = (
    Path(__file__).resolve().parent.parent / "docs" / "results" / "benchmarks.json"
)


def _need_micrograd() -> None:
    try:
        import micrograd  # noqa: F401 - its version is pinned by the bench extra
    except ImportError:
        raise SystemExit(
            "python -m benchmarks runs micrograd 0.1.0 beside this engine, and "
            'micrograd is not installed: pip install -e ".[bench]"'
        ) from None


class _Targets:
    """The targets the benchmarks check, each with the measured number."""

    def __init__(self) -> None:
        self.lines = ["| target | measured | met |", "|---|---|---|"]

    def row(self, target: str, ratios: list[float], at_least: float) -> None:
        from benchmarks.harness import fmt_ratio

        med = statistics.median(ratios)
        self.lines.append(
            f"| {target} | {fmt_ratio(ratios)} | {'yes' if med >= at_least else 'no'} |"
        )

    def plain(self, target: str, measured: str, met: bool) -> None:
        self.lines.append(f"| {target} | {measured} | {'yes' if met else 'no'} |")


def _targets(sections: dict[str, Any]) -> list[str]:
    """Each speed and memory target, with the measured number and met or not."""
    from benchmarks.cases import MG, OURS

    t = _Targets()
    demo = sections["demo_step"].numbers
    t.row(
        "eager demo step vs micrograd, freeing the graph included: ≥ 100x",
        demo["speedup"],
        100,
    )
    graphs = sections["random_graphs"].numbers
    size = 100_000 if 100_000 in graphs else max(graphs)
    t.row(
        f"eager build + backward, {size:,} random add/mul ops: ≥ 3x",
        graphs[size]["ratios"],
        3,
    )
    mem = sections["memory"].numbers
    t.plain(
        "eager bytes per node ≤ 1/4 of micrograd's",
        f"{mem[OURS]['bytes_per_node']:.0f} vs {mem[MG]['bytes_per_node']:.0f}: "
        f"{mem['ratio']:.2f}",
        mem["ratio"] <= 0.25,
    )
    step = sections["tape_step"].numbers
    t.row("demo step replayed, Python tape vs eager: ≥ 5x", step["python"], 5)
    if "c" in step:
        t.row("demo step replayed, C tape vs eager: ≥ 100x", step["c"], 100)
    if "torch_over_c" in step:
        t.row(
            "demo step, C tape vs PyTorch vectorized (1 thread): > 1x",
            step["torch_over_c"],
            1.0000001,
        )
    train = sections["tape_training"].numbers
    t.row(
        "100 training steps with recording, Python tape vs eager: ≥ 3x",
        train["python"],
        3,
    )
    if "c" in train:
        t.row(
            "100 training steps with recording, C tape vs eager: ≥ 20x", train["c"], 20
        )
        t.row(
            "the same, compiling the C VM from an empty cache: ≥ 20x",
            train["c_cold"],
            20,
        )
    scale = sections["tape_scale"].numbers
    for shape in ("chain", "sum"):
        for backend in ("python", "c"):
            key = f"{shape}_{backend}"
            if key in scale:
                t.plain(
                    f"a 1,000,000-node {shape} tape ({backend}): fewer bytes per node "
                    "than the eager graph",
                    f"{scale[key]:.0f} vs {scale[f'{shape}_eager']:.0f}",
                    scale[key] < scale[f"{shape}_eager"],
                )
    return t.lines


def _figures(
    sections: dict[str, Any], targets: list[str], header: str
) -> dict[str, Any]:
    """The results file: every section's figures, and the tables as Markdown."""
    from benchmarks.cases import MG, OURS
    from benchmarks.harness import fmt_ratio, fmt_time

    out: dict[str, Any] = {"run": header, "targets": "\n".join(targets)}
    for name, section in sections.items():
        out[name] = dict(section.figures)
        out[name]["table"] = section.markdown().split("\n", 2)[2].strip()
    demo = sections["demo_step"].numbers
    runs = demo["runs"]
    out["demo_step"].update(
        ours=fmt_time(runs.median(OURS)),
        micrograd=fmt_time(runs.median(MG)),
        speedup=fmt_ratio(demo["speedup"]),
        nodes=f"{demo['nodes'][OURS]:,}",
        micrograd_nodes=f"{demo['nodes'][MG]:,}",
        backward_over_forward=f"{statistics.median(demo['backward_over_forward']):.2f}",
    )
    graphs = sections["random_graphs"].numbers
    size = 100_000 if 100_000 in graphs else max(graphs)
    out["random_graphs"].update(
        size=f"{size:,}", speedup=fmt_ratio(graphs[size]["ratios"])
    )
    torch_numbers = sections["pytorch"].numbers
    if "runs" in torch_numbers:
        from benchmarks.cases import TORCH_SCALAR, TORCH_VEC

        torch_runs = torch_numbers["runs"]
        out["pytorch"].update(
            vectorized=fmt_time(torch_runs.median(TORCH_VEC)),
            vectorized_over_ours=fmt_ratio(torch_runs.ratios(TORCH_VEC, OURS)),
            scalar_over_ours=fmt_ratio(torch_runs.ratios(TORCH_SCALAR, OURS)),
        )
    chains = sections["chains"].numbers
    out["chains"].update(
        micrograd=f"{chains['micrograd']:,}", ours=f"{chains['ours']:,}"
    )
    mem = sections["memory"].numbers
    out["memory"].update(
        ours=f"{mem[OURS]['bytes_per_node']:.0f}",
        micrograd=f"{mem[MG]['bytes_per_node']:.0f}",
        ratio=f"{mem['ratio']:.2f}",
    )
    return out


def run(
    config: Any,
    out: Path | None,
    quiet: bool = False,
    figures: Path | None = None,
) -> str:
    """Run every case with ``config``; return the Markdown (and write it to out)."""
    _need_micrograd()
    from benchmarks.cases import CASES
    from benchmarks.tape_cases import TAPE_CASES

    every: list[Callable[..., Any]] = [
        *CASES[:-1],
        *TAPE_CASES[:-1],
        CASES[-1],
        TAPE_CASES[-1],
    ]
    sections: dict[str, Any] = {}
    for case in every:  # PyTorch's cases last: importing torch slows the collector
        start = time.perf_counter()
        if not quiet:
            print(f"running {case.__name__} ...", file=sys.stderr, flush=True)
        sections[case.__name__] = case(config)
        if not quiet:
            print(f"  {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    header = (
        f"`python -m benchmarks` on Python {platform.python_version()} "
        f"({platform.machine()}, {platform.system()}), micrograd 0.1.0, "
        f"PyTorch {torch_version}"
    )
    targets = _targets(sections)
    text = [
        "# Benchmark results",
        "",
        f"{header}. Medians over rounds run in alternating turns; ratios are paired "
        "(each round's two turns), median (min..max). See [README.md](README.md) for "
        "the method.",
        "",
        "## Targets",
        "",
        *targets,
        "",
    ]
    text += [section.markdown() for section in sections.values()]
    markdown = "\n".join(text)
    if out is not None:
        out.write_text(markdown, encoding="utf-8")
    if figures is not None:
        figures.parent.mkdir(parents=True, exist_ok=True)
        document = _figures(sections, targets, header)
        figures.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return markdown


def main(argv: list[str] | None = None) -> None:
    """The command line: ``python -m benchmarks [--tiny] [--no-torch] [--out F]``."""
    from benchmarks.cases import Config

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--tiny", action="store_true", help="tiny sizes: checks that everything runs"
    )
    parser.add_argument(
        "--no-torch", action="store_true", help="skip PyTorch even if installed"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"where to write (default {RESULTS}; with --tiny, nowhere)",
    )
    args = parser.parse_args(argv)
    config = Config.tiny() if args.tiny else Config()
    if args.no_torch:
        config.torch = False
    # A tiny run only checks that everything works: it never replaces the results.
    out = args.out if args.out is not None or args.tiny else RESULTS
    figures = None if args.tiny or args.out is not None else FIGURES
    print(run(config, out, figures=figures))
    if out is not None:
        print(f"written to {out}", file=sys.stderr)
    if figures is not None:
        print(f"written to {figures}", file=sys.stderr)


if __name__ == "__main__":
    main()
