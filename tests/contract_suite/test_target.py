"""Tests for `contract_tests.target`: which servers the suite may judge, and how it refuses."""

from __future__ import annotations

import pytest

from contract_tests.target import Target, TargetError, is_loopback

CREDENTIALS = {"DEPLOYHQ_EMAIL": "ops@example.com", "DEPLOYHQ_API_KEY": "k" * 40}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.8.9.10", True),
        ("http://localhost:1", True),
        ("http://[::1]:8000", True),
        ("https://acme.deployhq.com", False),
        ("http://10.0.0.1", False),
    ],
)
def test_loopback_detection(url: str, expected: bool) -> None:
    """Only 127.0.0.0/8, ::1 and localhost count as this machine."""
    assert expected == is_loopback(url)


def test_a_real_account_needs_live() -> None:
    """DEPLOYHQ_ACCOUNT without --live is refused, saying what to add."""
    with pytest.raises(TargetError, match="--live"):
        Target.external(
            None,
            live=False,
            email_domain="example.com",
            create_budget=None,
            rate_limit=None,
            env={"DEPLOYHQ_ACCOUNT": "acme", **CREDENTIALS},
        )


def test_live_account_target_is_built_from_the_cli_variables() -> None:
    """With --live, DEPLOYHQ_ACCOUNT becomes https://<account>.deployhq.com and the key stays out of repr."""
    target = Target.external(
        None,
        live=True,
        email_domain="example.com",
        create_budget=5,
        rate_limit=1.0,
        env={"DEPLOYHQ_ACCOUNT": "acme", **CREDENTIALS},
    )

    assert target is not None
    assert "https://acme.deployhq.com" == target.base_url
    assert "k" * 40 not in repr(target)


def test_no_target_means_the_embedded_server() -> None:
    """Without --base-url, DEPLOYHQ_BASE_URL or DEPLOYHQ_ACCOUNT the suite starts its own server."""
    assert None is Target.external(
        None, live=False, email_domain="example.com", create_budget=None, rate_limit=None, env={}
    )


def test_missing_credentials_are_named() -> None:
    """A target without DEPLOYHQ_API_KEY is refused, naming the variable."""
    with pytest.raises(TargetError, match="DEPLOYHQ_API_KEY"):
        Target.external(
            "http://127.0.0.1:1",
            live=False,
            email_domain="example.com",
            create_budget=None,
            rate_limit=None,
            env={"DEPLOYHQ_EMAIL": "ops@example.com"},
        )
