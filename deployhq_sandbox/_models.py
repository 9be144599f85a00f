"""The data the server handles: a validated invitation and a stored user."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["ADMIN_ONLY_FLAGS", "FLAGS", "WRITABLE", "Changes", "Invitation", "User"]

# What an update asks for: field -> validated value (an address comes with its `email_key`).
Changes = dict[str, Any]

# The six permission flags of an invitation, in the spec's order.
FLAGS = (
    "account_administrator",
    "can_manage_users",
    "can_manage_billing",
    "can_create_projects",
    "can_manage_agents",
    "all_projects_allowed",
)
# Forced to false when the caller is not an account administrator: "account_administrator and the can_*
# capabilities" (vendor SDK comment). all_projects_allowed is project access, not a capability, so it stays.
ADMIN_ONLY_FLAGS = FLAGS[:5]
# The fields a request may set, in the spec's order.
WRITABLE = ("first_name", "last_name", "email_address", "time_zone", *FLAGS)


@dataclass(frozen=True, slots=True)
class Invitation:
    """A `POST /users` body that passed validation, with the server's defaults filled in."""

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
        return {
            "id": self.id,
            "identifier": self.identifier,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email_address": self.email_address,
            "time_zone": self.time_zone,
            "account_administrator": self.account_administrator,
            "activated": self.activated,
            "can_manage_users": self.can_manage_users,
            "can_manage_billing": self.can_manage_billing,
            "can_create_projects": self.can_create_projects,
            "can_manage_agents": self.can_manage_agents,
            "all_projects_allowed": self.all_projects_allowed,
        }
