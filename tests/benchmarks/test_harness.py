"""bench/_harness.py: warm-ups are not recorded, order alternates, a row that cannot be measured says why."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from bench._harness import NotMeasured, Row, interleave, measuring


def counter(name: str, log: list[str], values: list[float]) -> Callable[[], float]:
    """A measurement that logs its calls and returns *values* in turn."""
    supply = iter(values)

    def measure() -> float:
        log.append(name)
        return next(supply)

    return measure


def test_warm_up_round_is_run_but_not_recorded() -> None:
    """The first (cold) call of each side is made and thrown away; the recorded samples are the later ones."""
    log: list[str] = []
    ours, theirs = interleave(counter("A", log, [9.2, 5.4, 5.5]), counter("B", log, [4.2, 4.1, 4.0]), 2)

    assert ([5.4, 5.5], [4.1, 4.0]) == (ours, theirs)
    assert ["A", "B", "A", "B", "B", "A"] == log  # warm-up, then ABBA


def test_warm_up_can_be_more_than_one_round() -> None:
    """`warmup=2` throws away two calls of each side."""
    ours, theirs = interleave(counter("A", [], [3, 2, 1]), counter("B", [], [6, 5, 4]), 1, warmup=2)

    assert ([1], [4]) == (ours, theirs)


@pytest.mark.parametrize(("repeats", "warmup"), [(0, 1), (-1, 1), (1, -1)])
def test_bounds_that_measure_nothing_are_refused(repeats: int, warmup: int) -> None:
    """No repeats (or a negative warm-up) is a clear error, not an empty row."""
    with pytest.raises(ValueError, match=f"repeats={repeats}, warmup={warmup}"):
        interleave(lambda: 1.0, lambda: 1.0, repeats, warmup=warmup)


def test_row_whose_measurement_raised_not_measured_says_why() -> None:
    """NotMeasured inside `measuring` marks every row it guards and goes no further."""
    first, second = Row("area", "one", "s"), Row("area", "two", "s")

    with measuring(first, second):
        first.candidate = [1.0]
        raise NotMeasured("the suite exited 1, not 0")

    summaries = [first.summary(), second.summary()]
    assert [("not measured", "the suite exited 1, not 0", None)] * 2 == [
        (summary["verdict"], summary["not_measured"], summary["candidate"]) for summary in summaries
    ]


def test_errors_other_than_not_measured_pass_through() -> None:
    """A bug in the bench is not hidden as a row that could not be measured."""
    row = Row("area", "one", "s")

    with pytest.raises(KeyError), measuring(row):
        raise KeyError("bug")

    assert "" == row.not_measured


def test_row_without_samples_is_not_measured() -> None:
    """A row nothing filled is reported as such instead of failing to compute a median."""
    assert ("not measured", "no sample was taken") == (
        Row("area", "one", "s").summary()["verdict"],
        Row("area", "one", "s").summary()["not_measured"],
    )


def test_single_baseline_sample_is_the_baseline_of_every_candidate() -> None:
    """One reference run for many candidates (detection, RSS) gives one ratio per candidate, not one in all."""
    row = Row("area", "one", "s", candidate=[2.0, 4.0, 6.0], baseline=[2.0])

    assert [1.0, 2.0, 3.0] == row.ratios()


def test_throughput_ratio_is_baseline_over_candidate_per_pair() -> None:
    """For a throughput the ratio is inverted, so above 1 still means worse, pair by pair."""
    row = Row("area", "one", "req/s", candidate=[50.0, 100.0], baseline=[100.0, 100.0], higher_is_better=True, goal=2)

    assert ([2.0, 1.0], "ok") == (row.ratios(), row.summary()["verdict"])


def test_ratio_over_its_goal_is_over_goal() -> None:
    """A median ratio above the goal reads `over goal`."""
    samples = list(itertools.repeat(2.0, 3))
    row = Row("area", "one", "s", candidate=samples, baseline=[1.0, 1.0, 1.0], goal=1.5)

    assert "over goal" == row.summary()["verdict"]
