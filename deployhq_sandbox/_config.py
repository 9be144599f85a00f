"""The credentials the reference server accepts, and the documented local defaults.

Every default credential lives here, not in the handler modules: schemathesis' constants analysis
harvests string literals from the modules that handle requests and would feed keys into generated data.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_ADMIN_API_KEY",
    "DEFAULT_ADMIN_EMAIL",
    "DEFAULT_MANAGER_API_KEY",
    "DEFAULT_MANAGER_EMAIL",
    "DEFAULT_MEMBER_API_KEY",
    "DEFAULT_MEMBER_EMAIL",
    "MIN_API_KEY_LENGTH",
    "Account",
    "Accounts",
]

# Local sandbox credentials, documented in the README: they guard nothing but a file on your machine.
# 40 characters each, like a real DeployHQ API key.
DEFAULT_ADMIN_EMAIL = "admin@example.com"
DEFAULT_ADMIN_API_KEY = "sandbox-admin-key-0000000000000000000000"
DEFAULT_MANAGER_EMAIL = "manager@example.com"
DEFAULT_MANAGER_API_KEY = "sandbox-manager-key-00000000000000000000"
DEFAULT_MEMBER_EMAIL = "member@example.com"
DEFAULT_MEMBER_API_KEY = "sandbox-member-key-000000000000000000000"

# The client's and the judge's floor (deployhq_users.MIN_API_KEY_LENGTH): a key they refuse is refused here too.
MIN_API_KEY_LENGTH = 16

EMAIL_VARIABLE = "DEPLOYHQ_EMAIL"
API_KEY_VARIABLE = "DEPLOYHQ_API_KEY"


@dataclass(frozen=True, slots=True)
class Account:
    """One user who may call the API: an email address, its API key (never shown) and its role."""

    email: str
    api_key: str = field(repr=False)
    first_name: str
    last_name: str
    account_administrator: bool = False
    can_manage_users: bool = False

    @property
    def may_manage_users(self) -> bool:
        """Whether this caller may invite, read and remove users (else 403)."""
        return self.account_administrator or self.can_manage_users


@dataclass(frozen=True, slots=True)
class Accounts:
    """The callers the server accepts: an administrator, and optionally a manager and a plain member.

    `email_source` and `api_key_source` say where the administrator's credentials came from
    (`"default"` or the environment variable's name), so a CLI can say so without showing a key.
    """

    administrator: Account
    manager: Account | None = None
    member: Account | None = None
    email_source: str = "default"
    api_key_source: str = "default"

    @property
    def documented_keys(self) -> list[str]:
        """Whose documented default key (printed in the README) is active: anyone who read the README can use it."""
        roles = ["administrator"] if self.api_key_source == "default" else []
        return roles + [role for role, account in (("manager", self.manager), ("member", self.member)) if account]

    def __iter__(self) -> Iterator[Account]:
        yield self.administrator
        if self.manager is not None:
            yield self.manager
        if self.member is not None:
            yield self.member

    @classmethod
    def defaults(cls, *, with_role_users: bool = True) -> Accounts:
        """The documented local defaults only, whatever the environment says."""
        return cls.from_env({}, with_role_users=with_role_users)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, with_role_users: bool = True) -> Accounts:
        """The administrator from DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY when set, else the documented defaults.

        With *with_role_users* (the default) a manager (`can_manage_users`, not an administrator) and a
        plain member are added with their default credentials, so role rules can be exercised.
        """
        env = os.environ if env is None else env
        email = env.get(EMAIL_VARIABLE) or DEFAULT_ADMIN_EMAIL
        api_key = env.get(API_KEY_VARIABLE) or DEFAULT_ADMIN_API_KEY
        administrator = Account(
            email=email,
            api_key=api_key,
            first_name="Sandbox",
            last_name="Administrator",
            account_administrator=True,
            can_manage_users=True,
        )
        manager = member = None
        if with_role_users:
            manager = Account(
                email=DEFAULT_MANAGER_EMAIL,
                api_key=DEFAULT_MANAGER_API_KEY,
                first_name="Sandbox",
                last_name="Manager",
                can_manage_users=True,
            )
            member = Account(
                email=DEFAULT_MEMBER_EMAIL, api_key=DEFAULT_MEMBER_API_KEY, first_name="Sandbox", last_name="Member"
            )
        return cls(
            administrator=administrator,
            manager=manager,
            member=member,
            email_source=EMAIL_VARIABLE if env.get(EMAIL_VARIABLE) else "default",
            api_key_source=API_KEY_VARIABLE if env.get(API_KEY_VARIABLE) else "default",
        )
