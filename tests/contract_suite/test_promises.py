"""Tests for `deployhq_contract.promises`: what each promise calls broken, and what it must not."""

from __future__ import annotations

from typing import Any

import pytest

from deployhq_contract.promises import (
    invitation_promises,
    list_promises,
    order_promises,
    refusal_promises,
    update_promises,
    validation_body_promises,
)

USER: dict[str, Any] = {
    "id": 7, "identifier": "5c5b8c9e-0000-4000-8000-000000000001", "first_name": "Ada", "last_name": None,
    "email_address": "ada@example.com", "time_zone": "Etc/UTC", "account_administrator": False, "activated": False,
    "can_manage_users": False, "can_manage_billing": False, "can_create_projects": False, "can_manage_agents": False,
    "all_projects_allowed": False,
}  # fmt: skip


def test_a_faithful_invitation_keeps_every_promise() -> None:
    """The defaults and the echo of a minimal invitation: nothing broken."""
    assert [] == invitation_promises({"first_name": "Ada", "email_address": "ada@example.com"}, USER)


def test_an_echo_must_keep_its_type() -> None:
    """A flag sent true that comes back 1 is broken, though 1 == True in Python."""
    broken = invitation_promises({"first_name": "Ada", "email_address": "ada@example.com", "can_manage_users": True},
                                 {**USER, "can_manage_users": 1})  # fmt: skip

    assert ["permission flag can_manage_users was sent as true but came back 1"] == broken


def test_an_update_changes_only_what_was_sent() -> None:
    """A field that was not sent and changed anyway is named, with its old and new value."""
    after = {**USER, "first_name": "Grace", "time_zone": "UTC"}

    assert ["time_zone was not sent, so it must keep 'Etc/UTC', but came back 'UTC'"] == update_promises(
        USER, {"first_name": "Grace"}, after
    )


@pytest.mark.parametrize(
    ("status", "body", "broken"),
    [
        (422, {"first_name": ["can't be blank"]}, 0),
        (422, {"email_address": ["is invalid"]}, 1),
        (400, {"status": 400}, 1),
        (201, USER, 1),
        (415, {"status": 415}, 0),
        (401, {"status": 401}, 0),
    ],
)
def test_a_blank_first_name_must_be_a_422_naming_it(status: int, body: Any, broken: int) -> None:
    """Only a 422 naming first_name keeps the promise; 401, 415 and the like answer an earlier problem."""
    sent = {"first_name": "\u3000", "email_address": "ada@example.com"}

    assert broken == len(refusal_promises("createUser", sent, status, body))


def test_a_blank_by_python_but_not_by_the_spec_name_is_not_a_refusal() -> None:
    """`"\\x1c"` is not blank in the spec's terms: accepting it breaks nothing."""
    assert [] == refusal_promises("createUser", {"first_name": "\x1c", "email_address": "a@example.com"}, 201, USER)


def test_a_list_that_repeats_or_misses_or_keeps_a_removed_user_is_named() -> None:
    """Repeats, a missing written user and a lingering removed user are each one broken promise."""
    other = {**USER, "id": 8, "identifier": "5c5b8c9e-0000-4000-8000-000000000002"}
    broken = list_promises([USER, USER], {other["identifier"]: other}, [USER["identifier"]])

    assert 4 == len(broken)


def test_a_list_out_of_creation_order_is_named_once_with_where() -> None:
    """Oldest first: ids increase along the list; the first step back is named, with its position."""
    users = [{**USER, "id": n} for n in (1, 2, 5, 3, 4)]

    assert ["the list must be oldest first (ids increasing), but id 3 follows id 5 at position 4 of 5"] == (
        order_promises(users)
    )
    assert [] == order_promises([{**USER, "id": n} for n in (1, 2, 9, 1000)])
    assert [] == order_promises([{**USER, "id": "x"}, "not a user", {**USER, "id": 3}])


def test_a_422_must_give_each_field_a_list_of_messages() -> None:
    """The vendor's `{"field_with_error": "..."}` is not the Rails shape."""
    assert 2 == len(validation_body_promises({"field_with_error": "email_address"}, "email_address"))
