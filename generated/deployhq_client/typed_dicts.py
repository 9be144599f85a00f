"""TypedDicts of request schemas, for typed keyword arguments. Written by scripts/regenerate.py from the spec."""

from typing import TypedDict

from .models import TimeZone

__all__ = ["UserChangesDict"]


class UserChangesDict(TypedDict, total=False):
    """The properties of the spec's `UserChanges`, every key optional."""

    first_name: str
    last_name: str
    email_address: str
    time_zone: TimeZone
    account_administrator: bool
    can_manage_users: bool
    can_manage_billing: bool
    can_create_projects: bool
    can_manage_agents: bool
    all_projects_allowed: bool
