"""bench/contract.py: a suite run that does not end as a user's would makes its row not measured, with the verdict."""

from __future__ import annotations

import pytest

from bench._harness import NotMeasured
from bench.contract import st_verdict, suite, verdict


def test_verdict_is_the_closing_line_and_the_first_failure() -> None:
    """The reason names pytest's closing line and the first failed test."""
    output = "..F\nFAILED contract_tests/test_a.py::test_one - boom\nFAILED b\n\n1 failed, 2 passed in 0.5s\n"

    assert "1 failed, 2 passed in 0.5s; first: FAILED contract_tests/test_a.py::test_one - boom" == verdict(output)


def test_verdict_of_no_output_says_so() -> None:
    """A run that printed nothing still gets a reason."""
    assert "no output" == verdict("\n")


def test_st_verdict_names_the_failed_checks_and_their_operations() -> None:
    """The reason names st run's closing line, each failed check and the operations it failed on."""
    output = (
        "___________ POST /users/{identifier}/resend_invitation ___________\n1. Test Case ID: aXY5Qv\n"
        "Failures:\n  ❌ ST202 Schema-valid request rejected: 1\n\nSeed: 42\n\n"
        "============================== 1 failure in 3.24s ==============================\n"
    )

    assert (
        "1 failure in 3.24s; ST202 Schema-valid request rejected: 1 (on POST /users/{identifier}/resend_invitation)"
        == st_verdict(output)
    )


@pytest.mark.slow
def test_suite_that_fails_where_it_should_pass_is_not_measured() -> None:
    """Against a broken server, a run expected to pass raises NotMeasured with the suite's own verdict."""
    with pytest.raises(NotMeasured) as raised:
        suite(1, "-x", profile="quick", variant="accepts-any-key")

    assert str(raised.value).startswith("the suite exited 1, not 0: ")
    assert "; first: FAILED contract_tests/" in str(raised.value)
