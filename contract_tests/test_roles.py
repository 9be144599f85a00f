"""Roles: what a user who may manage users but is not an administrator may do, and what a plain member may not.

Judged only when the run has their credentials: DEPLOYHQ_MANAGER_EMAIL / DEPLOYHQ_MANAGER_API_KEY and
DEPLOYHQ_MEMBER_EMAIL / DEPLOYHQ_MEMBER_API_KEY (the embedded reference server has both).
"""

from __future__ import annotations

from typing import Any

import pytest

from deployhq_contract.api import Api, exchange, judge_read_back
from deployhq_contract.operations import OPERATIONS
from deployhq_contract.promises import (
    coded_error_promises,
    error_body_promises,
    invitation_promises,
    update_promises,
)
from deployhq_contract.spec import ADMIN_ONLY_FLAGS, FLAGS
from deployhq_contract.target import ROLES, Credentials

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(80)]


def signed_in_as(api: Api, role: str) -> Credentials:
    credentials = api.target.role(role)
    if credentials is None:
        prefix = ROLES[role]
        pytest.skip(f"not judged: no {role} credentials (set {prefix}_EMAIL and {prefix}_API_KEY)")
    return credentials


@pytest.mark.operation("createUser")
def test_manager_invites_without_admin_only_flags(api: Api) -> None:
    """A manager's invitation asking for every flag gets the admin-only ones false; all_projects_allowed as sent."""
    manager = signed_in_as(api, "manager")
    sent = {"first_name": "Ada", "email_address": api.address(), **dict.fromkeys(FLAGS, True)}
    response = api.invite(sent, auth=manager)

    assert 201 == response.status_code, exchange(response)
    assert [] == invitation_promises(sent, response.json(), administrator=False), exchange(response)


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("PATCH", marks=pytest.mark.operation("updateUser"), id="PATCH"),
        pytest.param("PUT", marks=pytest.mark.operation("replaceUser"), id="PUT"),
    ],
)
def test_manager_cannot_change_admin_only_flags(api: Api, method: str) -> None:
    """A manager's change keeps the admin-only flags as they were and applies everything else."""
    manager = signed_in_as(api, "manager")
    before = api.fresh_user()
    sent = {"last_name": "Changed", **dict.fromkeys(FLAGS, True)}
    response = api.update(before["identifier"], sent, method=method, auth=manager)

    assert 200 == response.status_code, exchange(response)
    assert [] == update_promises(before, sent, response.json(), administrator=False), exchange(response)
    read = api.get(before["identifier"]).json()
    assert dict.fromkeys(ADMIN_ONLY_FLAGS, False) == {flag: read[flag] for flag in ADMIN_ONLY_FLAGS}


# After every refusal, for each operation that could change a user, the read-back with --live (each request paced):
# one list serves them all, as no request goes between them, instead of a GET after each refusal.
READ_BACK = "read back"
MEMBER_CASES = [
    pytest.param(operation_id, step, marks=pytest.mark.operation(operation_id), id=f"{operation_id}{suffix}")
    for step, suffix in (("ask", ""), (READ_BACK, f"-{READ_BACK}"))
    for operation_id, operation in OPERATIONS.items()
    if step != READ_BACK or operation.effects.changes_user or operation.effects.creates_user
]


@pytest.mark.parametrize(("operation_id", "step"), MEMBER_CASES)
def test_member_may_not_manage_users(api: Api, operation_id: str, step: str) -> None:
    """A member without "can manage users" gets 403 on every operation, with the body the spec gives it."""
    member = signed_in_as(api, "member")
    batch = f"a member's {operation_id}"
    if step == READ_BACK:
        judge_read_back(api, batch)
        return
    victim = api.fresh_user()
    request = api.acceptable_request(operation_id, victim["identifier"])
    response = api.call(operation_id, **request, auth=member, refusal=True)

    assert 403 == response.status_code, exchange(response)
    body: Any = response.json()
    if OPERATIONS[operation_id].coded_403:  # the spec's ForbiddenWithCode, else {"status", "error"}
        assert [] == coded_error_promises(body, "forbidden"), exchange(response)
    else:
        assert [] == error_body_promises(403, body), exchange(response)
    api.refusal_changed_nothing(operation_id, victim, request, response, batch)
