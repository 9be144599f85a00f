"""Tests for `deployhq_contract.target`: which servers the suite may judge, and how it refuses."""

from __future__ import annotations

import pytest

from deployhq_contract.target import WRONG_API_KEY, Credentials, Target, TargetError, is_loopback

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


def test_a_base_url_without_scheme_is_refused_cleanly() -> None:
    """`127.0.0.1:20100` (no scheme) is a TargetError naming the URL, not a traceback."""
    with pytest.raises(TargetError, match=r"127\.0\.0\.1:20100"):
        Target.external(
            "127.0.0.1:20100", live=False, email_domain="example.com", create_budget=None, rate_limit=None,
            env=CREDENTIALS,
        )  # fmt: skip


def test_role_credentials_come_from_the_vendor_style_variables() -> None:
    """DEPLOYHQ_MANAGER_* and DEPLOYHQ_MEMBER_* give the manager and member callers; without them there are none."""
    roles = {
        "DEPLOYHQ_MANAGER_EMAIL": "m@example.com", "DEPLOYHQ_MANAGER_API_KEY": "m" * 40,
        "DEPLOYHQ_MEMBER_EMAIL": "p@example.com", "DEPLOYHQ_MEMBER_API_KEY": "p" * 40,
    }  # fmt: skip
    with_roles = Target.external("http://127.0.0.1:1", live=False, email_domain="example.com", create_budget=None,
                                 rate_limit=None, env={**CREDENTIALS, **roles})  # fmt: skip
    without = Target.external("http://127.0.0.1:1", live=False, email_domain="example.com", create_budget=None,
                              rate_limit=None, env=CREDENTIALS)  # fmt: skip

    assert with_roles is not None
    assert without is not None
    assert with_roles.manager is not None
    assert with_roles.member is not None
    assert ("m@example.com", "p@example.com") == (with_roles.manager.email, with_roles.member.email)
    assert (None, None) == (without.manager, without.member)


def test_half_a_role_is_refused_naming_the_missing_variable() -> None:
    """A manager address without its key is a TargetError naming DEPLOYHQ_MANAGER_API_KEY."""
    with pytest.raises(TargetError, match="DEPLOYHQ_MANAGER_API_KEY"):
        Target.external("http://127.0.0.1:1", live=False, email_domain="example.com", create_budget=None,
                        rate_limit=None, env={**CREDENTIALS, "DEPLOYHQ_MANAGER_EMAIL": "m@example.com"})  # fmt: skip


def test_credentials_never_show_their_key() -> None:
    """repr and str of Credentials name the address only; the wrong key is unrelated to the real one."""
    credentials = Credentials("ops@example.com", "k" * 40)

    assert "k" * 40 not in repr(credentials) + str(credentials)
    assert "ops@example.com" in repr(credentials)
    assert WRONG_API_KEY == credentials.with_wrong_key().api_key
    assert WRONG_API_KEY == Credentials("ops@example.com", "another-key").with_wrong_key().api_key


def test_leniency_is_forgiven_only_live_and_never_with_strict() -> None:
    """A loopback target is strict; a live one is lenient unless strict is asked for."""

    def target(live: bool, strict: bool) -> Target:
        found = Target.external("http://127.0.0.1:1", live=live, strict=strict, email_domain="example.com",
                                create_budget=None, rate_limit=None, env=CREDENTIALS)  # fmt: skip
        assert found is not None
        return found

    assert (True, False, True) == (target(False, False).strict, target(True, False).strict, target(True, True).strict)


def test_a_key_too_short_to_be_one_is_refused_without_showing_it() -> None:
    """A six-character DEPLOYHQ_API_KEY is refused up front, by its length, never echoed."""
    with pytest.raises(TargetError, match="DEPLOYHQ_API_KEY is 6 characters") as refused:
        Target.external(
            "http://127.0.0.1:1", live=False, email_domain="example.com", create_budget=None, rate_limit=None,
            env={"DEPLOYHQ_EMAIL": "ops@example.com", "DEPLOYHQ_API_KEY": "s3cret"},
        )  # fmt: skip

    assert "s3cret" not in str(refused.value)
