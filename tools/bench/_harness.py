"""What every area shares: settings, interleaved measurement, a row's statistics, rows that could not be measured."""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NotMeasured", "Row", "Settings", "interleave", "measuring", "timed"]


class NotMeasured(Exception):  # noqa: N818 - it reads as the verdict it carries
    """A figure this run could not take (a server that never answered, a suite that failed), and why."""


@dataclass(frozen=True)
class Settings:
    """How hard to measure: `quick` is a smoke run of about a minute, the default a careful one.

    `rows` names the contract area's rows to measure (`ratio`, `growth`, `detection`); empty: all of them.
    """

    quick: bool = False
    rows: tuple[str, ...] = ()

    def pick(self, default: Any, quick: Any) -> Any:
        """*quick* in a quick run, else *default*."""
        return quick if self.quick else default

    def wants(self, row: str) -> bool:
        """Whether the row group *row* is to be measured in this run."""
        return not self.rows or row in self.rows


@dataclass
class Row:
    """One figure: the candidate's samples next to its baseline's, taken interleaved in the same run.

    `goal` is an upper bound on the ratio candidate/baseline (for a throughput, where more is better,
    the ratio is baseline/candidate, so a ratio above 1 always means "the candidate costs more").
    `not_measured` says why a row has no figures; such a row is reported, never raised.
    """

    area: str
    name: str
    unit: str
    candidate: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    baseline_name: str = ""
    goal: float | None = None
    higher_is_better: bool = False
    note: str = ""
    not_measured: str = ""

    def ratios(self) -> list[float]:
        """Cost ratio of each interleaved pair (candidate over baseline, or the reverse for a throughput).

        A single baseline sample (one reference run for many candidates) is the baseline of every candidate.
        """
        baseline = self.baseline * len(self.candidate) if len(self.baseline) == 1 else self.baseline
        pairs = zip(self.candidate, baseline, strict=False)
        if self.higher_is_better:
            return [base / cand for cand, base in pairs if cand > 0]
        return [cand / base for cand, base in pairs if base > 0]

    def why_not_measured(self) -> str:
        """Why this row has no figure, or "" when it has one."""
        return self.not_measured or ("" if self.candidate else "no sample was taken")

    def summary(self) -> dict[str, Any]:
        reason = self.why_not_measured()
        ratios = [] if reason else self.ratios()
        ratio = statistics.median(ratios) if ratios else None
        if reason:
            verdict = "not measured"
        elif self.goal is None or ratio is None:
            verdict = "info"
        else:
            verdict = "ok" if ratio <= self.goal else "over goal"
        return {
            "area": self.area,
            "name": self.name,
            "unit": self.unit,
            "candidate": None if reason else spread(self.candidate),
            "baseline_name": self.baseline_name,
            "baseline": spread(self.baseline) if self.baseline and not reason else None,
            "ratio": spread(ratios) if ratios else None,
            "goal": self.goal,
            "verdict": verdict,
            "higher_is_better": self.higher_is_better,
            "note": self.note,
            "not_measured": reason,
        }


def spread(samples: list[float]) -> dict[str, Any]:
    """Median, min, max and interquartile range of *samples* (all samples kept, for anyone to recompute)."""
    ordered = sorted(samples)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else [ordered[0]] * 3
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "iqr": quartiles[2] - quartiles[0],
        "n": len(ordered),
        "samples": samples,
    }


@contextlib.contextmanager
def measuring(*rows: Row) -> Iterator[None]:
    """Fill *rows* inside the block; when it raises NotMeasured, each row records why and the bench goes on."""
    try:
        yield
    except NotMeasured as why:
        for row in rows:
            row.not_measured = str(why)
        names = ", ".join(row.name for row in rows)
        print(f"bench: not measured ({names}): {why}", file=sys.stderr, flush=True)


def timed(action: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of *action*."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleave(
    candidate: Callable[[], float], baseline: Callable[[], float], repeats: int, *, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Run both *repeats* times, alternating which goes first (ABBA), after *warmup* unrecorded rounds.

    Each callable returns its own measurement, so it can time exactly what it means to.
    Alternating the order spreads slow drifts (CPU frequency, page cache, a noisy neighbour) over both;
    the warm-up keeps one-off costs (imports from a cold page cache, pytest's first assertion rewriting) out.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"interleave needs repeats >= 1 and warmup >= 0, got repeats={repeats}, warmup={warmup}")
    for _ in range(warmup):
        candidate()
        baseline()
    ours: list[float] = []
    theirs: list[float] = []
    for round_ in range(repeats):
        if round_ % 2 == 0:
            ours.append(candidate())
            theirs.append(baseline())
        else:
            theirs.append(baseline())
            ours.append(candidate())
    return ours, theirs
