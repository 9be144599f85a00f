"""Accounts: the credentials the server accepts, from the environment or the documented defaults."""

from __future__ import annotations

from deployhq_sandbox import Accounts
from deployhq_sandbox._config import (
    DEFAULT_ADMIN_API_KEY,
    DEFAULT_ADMIN_EMAIL,
    DEFAULT_MANAGER_API_KEY,
    DEFAULT_MEMBER_API_KEY,
)


def test_defaults_without_environment() -> None:
    """With no variables set, the administrator has the documented defaults and says so."""
    accounts = Accounts.from_env({})
    admin = accounts.administrator
    assert (admin.email, admin.api_key, accounts.email_source, accounts.api_key_source) == (
        DEFAULT_ADMIN_EMAIL,
        DEFAULT_ADMIN_API_KEY,
        "default",
        "default",
    )


def test_environment_overrides_the_administrator() -> None:
    """DEPLOYHQ_EMAIL and DEPLOYHQ_API_KEY replace the administrator's credentials and are named as sources."""
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": "me@example.org", "DEPLOYHQ_API_KEY": "s3cret"})
    admin = accounts.administrator
    assert (admin.email, admin.api_key, accounts.email_source, accounts.api_key_source) == (
        "me@example.org",
        "s3cret",
        "DEPLOYHQ_EMAIL",
        "DEPLOYHQ_API_KEY",
    )


def test_empty_variables_count_as_unset() -> None:
    """An empty DEPLOYHQ_API_KEY falls back to the default rather than accepting an empty key."""
    assert Accounts.from_env({"DEPLOYHQ_API_KEY": ""}).administrator.api_key == DEFAULT_ADMIN_API_KEY


def test_roles() -> None:
    """The administrator, a manager who is not an administrator, and a member who may not manage users."""
    roles = [
        (account.account_administrator, account.can_manage_users, account.may_manage_users)
        for account in Accounts.defaults()
    ]
    assert roles == [(True, True, True), (False, True, True), (False, False, False)]


def test_role_users_are_optional() -> None:
    """Without role users only the administrator is accepted."""
    assert len(list(Accounts.defaults(with_role_users=False))) == 1


def test_default_keys_look_like_api_keys() -> None:
    """Each default key is 40 characters, like a DeployHQ API key, and all differ."""
    keys = {DEFAULT_ADMIN_API_KEY, DEFAULT_MANAGER_API_KEY, DEFAULT_MEMBER_API_KEY}
    assert ({len(key) for key in keys}, len(keys)) == ({40}, 3)


def test_repr_hides_keys() -> None:
    """No key appears in the repr of the accounts (it ends up in logs and pytest output)."""
    accounts = Accounts.from_env({"DEPLOYHQ_API_KEY": "s3cret-key"})
    assert ("s3cret-key" in repr(accounts), DEFAULT_MANAGER_API_KEY in repr(accounts)) == (False, False)
