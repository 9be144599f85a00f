"""judge(): one server behind Prism, the suite through it; again in the same process, with the same result."""

from __future__ import annotations

from pathlib import Path

import pytest

from second_judge.run import judge

pytestmark = pytest.mark.slow


def test_second_judgement_in_one_process_starts_afresh(prism: Path, tmp_path: Path) -> None:
    """Judging twice into the same folder gives the same counts: a fresh database and log each time, none kept."""
    first = judge("faithful", prism, tmp_path, pytest_args=["-k", "test_read"])
    (tmp_path / "stale.txt").write_text("from the first run", encoding="utf-8")
    second = judge("faithful", prism, tmp_path, pytest_args=["-k", "test_read"])

    assert (0, 0) == (first.suite.code, first.prism.response_violations)
    assert (first.suite.code, first.prism) == (second.suite.code, second.prism)
    assert first.prism.forwarded > 0
    assert not (tmp_path / "stale.txt").exists()
    assert 1 == (tmp_path / "prism.log").read_text(encoding="utf-8").count("Prism is listening on")
