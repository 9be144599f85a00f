"""The bounds' options: a size or a time that is no bound is refused before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from .judge import canary_env, judge, suite

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--max-answer-bytes", "0", "is not a size"),
        ("--max-answer-bytes", "-5", "is not a size"),
        ("--max-answer-bytes", "lots", "is not a number of bytes"),
        ("--request-timeout", "0", "is not a time limit"),
        ("--request-timeout", "-1", "is not a time limit"),
        ("--request-timeout", "inf", "is not a time limit"),
    ],
)
def test_a_bound_that_is_no_bound_is_refused(tmp_path: Path, option: str, value: str, message: str) -> None:
    """Exit 4 naming the option and the problem; no traceback."""
    judged = judge(*suite("--base-url", "http://127.0.0.1:9", f"{option}={value}"), env=canary_env(tmp_path),
                   tmp_path=tmp_path)  # fmt: skip

    assert 4 == judged.code, judged.output[-2000:]
    assert option in judged.stderr
    assert message in judged.stderr
    assert "Traceback" not in judged.output
