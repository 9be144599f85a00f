"""Read by mypy (`nox -s typing`), never run: what a type checker makes of calls to deployhq_users.

Each `# type: ignore[code]` marks a call that must stay a type error: mypy --strict warns about an ignore that
is not needed, so the session fails if a typo or a None ever type-checks.
"""

from __future__ import annotations

from typing import assert_type

from deployhq_client import Client
from deployhq_client.models import User
from deployhq_users import (
    UserChangesDict,
    resend_invitation,
    resend_invitation_async,
    update_user,
    update_user_async,
)


def typed_update_calls(client: Client) -> None:
    """update_user's keywords are checked name by name and value by value."""
    assert_type(update_user(client, "id", can_manage_users=True), User)
    assert_type(update_user(client, "id", first_name="Janet", time_zone="Europe/London", rate_limit_retries=2), User)
    update_user(client, "id", can_manage_user=True)  # type: ignore[call-arg]
    update_user(client, "id", activated=True)  # type: ignore[call-arg]
    update_user(client, "id", first_name=None)  # type: ignore[arg-type]
    update_user(client, "id", can_manage_users="yes")  # type: ignore[arg-type]
    update_user(client, "id", time_zone="Mars/Olympus_Mons")  # type: ignore[arg-type]
    changes: UserChangesDict = {"first_name": "Janet", "can_create_projects": True}
    update_user(client, "id", **changes)
    misspelt: UserChangesDict = {"firstname": "Janet"}  # type: ignore[typeddict-unknown-key]
    update_user(client, "id", **misspelt)


async def typed_async_calls(client: Client) -> None:
    """The async twins take the same arguments and give the same types."""
    assert_type(await update_user_async(client, "id", all_projects_allowed=False), User)
    await update_user_async(client, "id", can_manage_user=True)  # type: ignore[call-arg]
    assert_type(await resend_invitation_async(client, "id"), None)


def typed_resend_calls(client: Client) -> None:
    """resend_invitation takes an identifier and rate_limit_retries, and returns nothing."""
    assert_type(resend_invitation(client, "id", rate_limit_retries=1), None)
    resend_invitation(client, "id", first_name="Janet")  # type: ignore[call-arg]
