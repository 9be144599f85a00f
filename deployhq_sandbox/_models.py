"""The data the server handles: a stored user, a validated invitation, and the field lists derived from them.

`User` is the one list of a user's fields (the spec's `User`, in its order); the permission flags, the fields a
request may set and the store's SQL column lists are all derived from it.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ADMIN_ONLY_FLAGS",
    "BOOLEANS",
    "COLUMNS",
    "FLAGS",
    "READ_ONLY",
    "WRITABLE",
    "Changes",
    "Invitation",
    "User",
]


@dataclass(frozen=True, slots=True)
class User:
    """A user of the account, with the 13 fields the spec requires, in its order."""

    id: int
    identifier: str
    first_name: str
    last_name: str | None
    email_address: str
    time_zone: str | None
    account_administrator: bool
    activated: bool
    can_manage_users: bool
    can_manage_billing: bool
    can_create_projects: bool
    can_manage_agents: bool
    all_projects_allowed: bool

    def as_json(self) -> dict[str, Any]:
        """The user as the API shows it."""
        return {name: getattr(self, name) for name in COLUMNS}


COLUMNS = tuple(field.name for field in dataclasses.fields(User))
_TYPES = typing.get_type_hints(User)
BOOLEANS = tuple(name for name in COLUMNS if _TYPES[name] is bool)
# Set by the server alone: in a request they are unknown keys, ignored.
READ_ONLY = ("id", "identifier", "activated")
# The fields a request may set, in the spec's order.
WRITABLE = tuple(name for name in COLUMNS if name not in READ_ONLY)
# The six permission flags of an invitation, in the spec's order.
FLAGS = tuple(name for name in WRITABLE if name in BOOLEANS)
# Forced to false when the caller is not an account administrator: "account_administrator and the can_*
# capabilities" (vendor SDK comment). all_projects_allowed is project access, not a capability, so it stays.
ADMIN_ONLY_FLAGS = tuple(name for name in FLAGS if name == "account_administrator" or name.startswith("can_"))


class Changes(dict[str, Any]):
    """What an update asks for: field -> validated value (an address comes with its `email_key`)."""


@dataclass(frozen=True, slots=True)
class Invitation:
    """A `POST /users` body that passed validation, with the server's defaults filled in: `WRITABLE` + `email_key`."""

    first_name: str
    last_name: str | None
    email_address: str
    email_key: str  # normalised and lower-cased: what duplicates are decided on
    time_zone: str
    account_administrator: bool = False
    can_manage_users: bool = False
    can_manage_billing: bool = False
    can_create_projects: bool = False
    can_manage_agents: bool = False
    all_projects_allowed: bool = False

    def without(self, flags: tuple[str, ...]) -> Invitation:
        """This invitation with the given flags forced to false."""
        changes: dict[str, Any] = dict.fromkeys(flags, False)
        return dataclasses.replace(self, **changes)
