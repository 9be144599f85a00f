"""Basic auth: the right account for the right key, None for anything else."""

from __future__ import annotations

import base64

import pytest

from deployhq_sandbox import Accounts, Authenticator


def basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


@pytest.fixture
def authenticator(accounts: Accounts) -> Authenticator:
    return Authenticator(accounts)


def test_each_account_is_recognised(authenticator: Authenticator, accounts: Accounts) -> None:
    """Each account's email and key find that account."""
    found = [authenticator.authenticate(basic(f"{a.email}:{a.api_key}")) for a in accounts]
    assert found == list(accounts)


def test_email_is_case_insensitive(authenticator: Authenticator, accounts: Accounts) -> None:
    """The email address matches in any case; the key does not."""
    admin = accounts.administrator
    assert (
        authenticator.authenticate(basic(f"{admin.email.upper()}:{admin.api_key}")),
        authenticator.authenticate(basic(f"{admin.email}:{admin.api_key.upper()}")),
    ) == (admin, None)


def test_a_key_only_opens_its_own_account(authenticator: Authenticator, accounts: Accounts) -> None:
    """The manager's key with the administrator's email is refused."""
    assert accounts.manager is not None
    assert authenticator.authenticate(basic(f"{accounts.administrator.email}:{accounts.manager.api_key}")) is None


@pytest.mark.parametrize(
    "header", [None, "", "Basic", "Basic ===", "Digest abc", basic("no-colon"), basic(":"), "Basic " + "é"]
)
def test_malformed_headers_are_refused(authenticator: Authenticator, header: str | None) -> None:
    """Missing, malformed or non-Basic headers authenticate nobody."""
    assert authenticator.authenticate(header) is None


def test_key_may_contain_colons() -> None:
    """Only the first colon separates the email from the key."""
    accounts = Accounts.from_env({"DEPLOYHQ_API_KEY": "a:b:c"}, with_role_users=False)
    admin = accounts.administrator
    assert Authenticator(accounts).authenticate(basic(f"{admin.email}:a:b:c")) == admin
