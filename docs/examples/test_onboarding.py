"""Tests of `onboarding.py`, written against the `deployhq_sandbox` fixture as an integrator would write them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from onboarding import Person, Report, onboard

from deployhq_client.models import UserInvitation
from deployhq_sandbox import Sandbox
from deployhq_users import RateLimitedError, invite_user, list_users

JANE = Person("Jane", "jane@example.com", "Smith")
JOE = Person("Joe", "joe@example.com")
ANN = Person("Ann", "ann@example.com")


def invitations(sandbox: Sandbox) -> list[str]:
    """To whom the account sent an invitation, in order."""
    return [email.to for email in sandbox.outbox if email.kind == "invitation"]


def test_each_new_person_gets_one_invitation(deployhq_sandbox: Sandbox) -> None:
    """Everyone on the list is invited once, in the list's order."""
    report = onboard(deployhq_sandbox.client, [JANE, JOE])
    assert (["jane@example.com", "joe@example.com"], report.invited) == (invitations(deployhq_sandbox), report.invited)


def test_existing_addresses_are_skipped(deployhq_sandbox: Sandbox) -> None:
    """An address the account has, in any letter case, and a repeat within the list get no invitation."""
    invite_user(deployhq_sandbox.client, UserInvitation(first_name="Jane", email_address="jane@example.com"))
    report = onboard(deployhq_sandbox.client, [Person("Jane", "JANE@example.com"), JOE, JOE])
    assert (["jane@example.com", "joe@example.com"], ["JANE@example.com", "joe@example.com"]) == (
        invitations(deployhq_sandbox),
        report.skipped,
    )


def test_429s_are_waited_out(deployhq_sandbox: Sandbox) -> None:
    """Two 429s on the invitation and one on the list: everyone is still invited, once."""
    deployhq_sandbox.fail_next("listUsers", 429, retry_after=0)
    deployhq_sandbox.fail_next("createUser", 429, retry_after=0)
    deployhq_sandbox.fail_next("createUser", 429, retry_after=0)
    report = onboard(deployhq_sandbox.client, [JANE, JOE])
    assert (["jane@example.com", "joe@example.com"], ["jane@example.com", "joe@example.com"]) == (
        report.invited,
        invitations(deployhq_sandbox),
    )


def test_too_many_429s_stop_the_run(deployhq_sandbox: Sandbox) -> None:
    """Past its retries the 429 reaches the caller, and nothing was sent."""
    for _ in range(3):
        deployhq_sandbox.fail_next("createUser", 429, retry_after=0)
    with pytest.raises(RateLimitedError):
        onboard(deployhq_sandbox.client, [JANE], rate_limit_retries=2)
    assert [] == deployhq_sandbox.outbox


def test_a_lost_answer_is_looked_up_not_resent(deployhq_sandbox: Sandbox) -> None:
    """The invitation's answer is lost after it was made: it counts as invited, and the email went out once."""
    deployhq_sandbox.lose_next_answer("createUser")
    report = onboard(deployhq_sandbox.client, [JANE, JOE])
    assert (["jane@example.com", "joe@example.com"], ["jane@example.com", "joe@example.com"]) == (
        report.invited,
        invitations(deployhq_sandbox),
    )


def test_a_server_error_is_looked_up_and_left_for_a_later_run(deployhq_sandbox: Sandbox) -> None:
    """A 500 made nothing: the address is `unconfirmed`, not re-sent; the next run invites it."""
    deployhq_sandbox.fail_next("createUser", 500)
    first = onboard(deployhq_sandbox.client, [JANE, JOE])
    second = onboard(deployhq_sandbox.client, [JANE, JOE])
    assert (["jane@example.com"], ["joe@example.com"], ["jane@example.com"]) == (
        first.unconfirmed,
        first.invited,
        second.invited,
    )
    assert ["joe@example.com", "jane@example.com"] == invitations(deployhq_sandbox)


def test_an_address_the_api_refuses_is_reported(deployhq_sandbox: Sandbox) -> None:
    """An invalid address is reported with the API's reason, and the others are still invited."""
    report = onboard(deployhq_sandbox.client, [Person("Bad", "not an address"), ANN])
    assert (["not an address"], ["ann@example.com"], ["ann@example.com"]) == (
        list(report.refused),
        report.invited,
        invitations(deployhq_sandbox),
    )


def test_an_address_invited_meanwhile_is_skipped(deployhq_sandbox: Sandbox) -> None:
    """Someone else invites Joe between the list and his invitation: the 422 `taken` is a skip, not a refusal."""
    other = deployhq_sandbox.connect()
    people = iter([JANE, JOE])

    def list_then_race() -> Iterator[Person]:
        yield next(people)
        invite_user(other, UserInvitation(first_name="Joe", email_address="joe@example.com"))
        yield next(people)

    report = onboard(deployhq_sandbox.client, list_then_race())
    other.get_httpx_client().close()
    assert Report(invited=["jane@example.com"], skipped=["joe@example.com"]) == report
    assert 5 == len(list_users(deployhq_sandbox.client))
