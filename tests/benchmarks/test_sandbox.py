"""bench/sandbox.py: each side's pytest run is timed test by test, and a run that fails has no figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._harness import NotMeasured
from bench.sandbox import per_test_ms, write_tests


def test_both_sides_run_their_tests_and_give_a_time_per_test(tmp_path: Path) -> None:
    """The fixture's and the mock's files each pass, with every test timed: a positive median per test."""
    fixture, mock = write_tests(tmp_path, 3)

    figures = [per_test_ms(fixture, 3), per_test_ms(mock, 3)]

    assert [True, True] == [figure > 0 for figure in figures]


def test_a_failing_run_is_not_measured(tmp_path: Path) -> None:
    """A test file whose tests fail gives no figure: NotMeasured names the file and pytest's closing line."""
    fixture, _ = write_tests(tmp_path, 2)
    fixture.write_text(fixture.read_text(encoding="utf-8").replace('"invitation")', '"resend")'), encoding="utf-8")

    with pytest.raises(NotMeasured, match=r"test_fixture\.py exited 1: .*2 failed"):
        per_test_ms(fixture, 2)
