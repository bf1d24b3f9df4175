"""``python -m benchmarks``: run every case, print the results, write RESULTS.md."""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

from benchmarks.cases import CASES, MG, OURS, Config, Section

RESULTS = Path(__file__).with_name("RESULTS.md")


def _targets(sections: dict[str, Section]) -> list[str]:
    """The issue's speed targets, each with the measured number and met or not."""
    lines = ["| target | measured | met |", "|---|---|---|"]

    def row(target: str, measured: str, met: bool) -> None:
        lines.append(f"| {target} | {measured} | {'yes' if met else 'no'} |")

    demo = sections["demo_step"].numbers
    speedup = statistics.median(demo["speedup"])
    row(
        "demo step ≥ 100x faster than micrograd (incl. freeing the graph)",
        f"{speedup:.0f}x (min {min(demo['speedup']):.0f}x)",
        speedup >= 100,
    )
    graphs = sections["random_graphs"].numbers
    size = 100_000 if 100_000 in graphs else max(graphs)
    ratio = statistics.median(graphs[size]["ratios"])
    row(
        f"per-op build + backward, {size:,} random add/mul ops, ≥ 3x",
        f"{ratio:.2f}x",
        ratio >= 3,
    )
    mem = sections["memory"].numbers
    row(
        "bytes per node ≤ 1/4 of micrograd's",
        f"{mem[OURS]['bytes_per_node']:.0f} vs {mem[MG]['bytes_per_node']:.0f} "
        f"bytes: {mem['ratio']:.2f}",
        mem["ratio"] <= 0.25,
    )
    bf = statistics.median(demo["backward_over_forward"])
    row("our backward ≤ 1.5x our forward (demo step)", f"{bf:.2f}", bf <= 1.5)
    return lines


def run(config: Config, out: Path | None, quiet: bool = False) -> str:
    """Run every case with ``config``; return the Markdown (and write it to out)."""
    sections: dict[str, Section] = {}
    for case in CASES:
        start = time.perf_counter()
        if not quiet:
            print(f"running {case.__name__} ...", file=sys.stderr, flush=True)
        sections[case.__name__] = case(config)
        if not quiet:
            print(f"  {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    import micrograd  # noqa: F401 - its version is pinned by the bench extra

    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    text = [
        "# Benchmark results",
        "",
        f"`python -m benchmarks` on Python {platform.python_version()} "
        f"({platform.machine()}, {platform.system()}), micrograd 0.1.0, "
        f"PyTorch {torch_version}. Medians over rounds run in alternating turns; "
        "ratios are paired (each round's two turns), median (min..max). See "
        "[README.md](README.md) for the method.",
        "",
        "## Targets (issue 6)",
        "",
        *_targets(sections),
        "",
    ]
    text += [section.markdown() for section in sections.values()]
    markdown = "\n".join(text)
    if out is not None:
        out.write_text(markdown, encoding="utf-8")
    return markdown


def main(argv: list[str] | None = None) -> None:
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
    print(run(config, out))
    if out is not None:
        print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
