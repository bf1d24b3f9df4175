"""Timing in alternating turns: medians and paired ratios, never thresholds."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Runs", "Timer", "alternate", "fmt_ratio", "fmt_time"]

Phases = dict[str, float]  # phase name -> seconds


class Timer:
    """Times consecutive phases of one turn: ``t.lap("forward")`` after each."""

    def __init__(self) -> None:
        self.phases: Phases = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._last
        self._last = now

    def restart(self) -> None:
        """Start the next phase now (time since the last lap is not counted)."""
        self._last = time.perf_counter()


@dataclass
class Runs:
    """Every turn of every engine: ``turns[engine][round] = {phase: seconds}``."""

    turns: dict[str, list[Phases]] = field(default_factory=dict)

    def totals(self, engine: str, phases: Sequence[str] | None = None) -> list[float]:
        """Each round's time for ``engine``, summed over ``phases`` (default: all)."""
        return [
            sum(t for p, t in turn.items() if phases is None or p in phases)
            for turn in self.turns[engine]
        ]

    def median(self, engine: str, phases: Sequence[str] | None = None) -> float:
        return statistics.median(self.totals(engine, phases))

    def ratios(
        self,
        slow: str,
        fast: str,
        phases: Sequence[str] | None = None,
        fast_phases: Sequence[str] | None = None,
    ) -> list[float]:
        """Paired ratios slow / fast, one per round (the same round's two turns)."""
        a = self.totals(slow, phases)
        b = self.totals(fast, phases if fast_phases is None else fast_phases)
        return [x / y for x, y in zip(a, b)]


def alternate(
    engines: dict[str, Callable[[int], Phases]], rounds: int, *, collect: bool = True
) -> Runs:
    """Run each engine once per round, in turns, rotating who goes first.

    ``engines[name](round)`` runs one turn and returns its phase times. Before each
    turn a full ``gc.collect()`` (not timed) clears what earlier turns left, so no
    engine pays for another's garbage; within a turn the collector runs with its
    default settings, as a user has it.
    """
    runs = Runs({name: [] for name in engines})
    names = list(engines)
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            if collect:
                gc.collect()
            runs.turns[name].append(engines[name](r))
    return runs


def fmt_time(seconds: float) -> str:
    """A duration with a unit that keeps 3 significant digits."""
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.3g} µs"
    return f"{seconds * 1e9:.3g} ns"


def fmt_ratio(ratios: Sequence[float]) -> str:
    """``median (min..max)`` of paired ratios, e.g. ``112x (98..130)``."""
    med = statistics.median(ratios)

    def f(x: float) -> str:
        return f"{x:.3g}" if x < 100 else f"{x:.0f}"

    return f"{f(med)}x ({f(min(ratios))}..{f(max(ratios))})"
