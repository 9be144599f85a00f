"""Example integrator code: invite a list of people to a DeployHQ account, each at most once.

- An address the account already has (in any letter case) is skipped, not invited again.
- A 429 is waited out (as long as its Retry-After says), up to `rate_limit_retries` times per call.
- An invitation whose answer was lost (or met a server error) is never sent again: each accepted invitation emails
  the person, so the address is looked up instead, and reported as `unconfirmed` when it cannot be found.
  A later run invites it if it is still missing.

Its tests, `test_onboarding.py`, run it against the `deployhq_sandbox` pytest fixture.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from deployhq_client import Client
from deployhq_client.models import UserInvitation
from deployhq_users import (
    DeployHQError,
    OutcomeUnknownError,
    ServerError,
    ValidationError,
    invite_user,
    list_users,
)

TAKEN = "has already been taken"


@dataclass(frozen=True)
class Person:
    """Someone to invite."""

    first_name: str
    email_address: str
    last_name: str | None = None


@dataclass
class Report:
    """What a run did, address by address."""

    invited: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the account
    refused: dict[str, str] = field(default_factory=dict)  # address -> why the API refused it
    unconfirmed: list[str] = field(default_factory=list)  # answer lost and not found afterwards: run again later


def onboard(client: Client, people: Iterable[Person], *, rate_limit_retries: int = 5) -> Report:
    """Invite each person whose address the account does not have yet; see the module docstring."""
    report = Report()
    known = {user.email_address.lower() for user in list_users(client, rate_limit_retries=rate_limit_retries)}
    for person in people:
        address = person.email_address
        if address.lower() in known:
            report.skipped.append(address)
            continue
        invitation = UserInvitation(first_name=person.first_name, email_address=address)
        if person.last_name is not None:
            invitation.last_name = person.last_name
        try:
            invite_user(client, invitation, rate_limit_retries=rate_limit_retries)
        except ValidationError as refused:
            if TAKEN in refused.errors.get("email_address", []):  # invited by someone else meanwhile
                report.skipped.append(address)
            else:
                report.refused[address] = str(refused)
            known.add(address.lower())
            continue
        except (OutcomeUnknownError, ServerError):
            # The invitation may have been accepted, and sending it again would email the person twice.
            if _is_in_account(client, address, rate_limit_retries):
                report.invited.append(address)
            else:
                report.unconfirmed.append(address)
            known.add(address.lower())
            continue
        report.invited.append(address)
        known.add(address.lower())
    return report


def _is_in_account(client: Client, address: str, rate_limit_retries: int) -> bool:
    """Whether the account has a user with *address*; False when that cannot be found out now either."""
    try:
        users = list_users(client, rate_limit_retries=rate_limit_retries)
    except DeployHQError:
        return False
    return any(user.email_address.lower() == address.lower() for user in users)
