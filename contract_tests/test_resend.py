"""Resending an invitation (POST /users/{identifier}/resend_invitation): only to someone who has not accepted."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.guard import Guard
from deployhq_contract.promises import error_body_promises, same_user

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(60), pytest.mark.operation("resendInvitation")]


def test_pending_invitation_is_sent_again(api: Api) -> None:
    """A user who has not accepted yet: 200 {"status": <text>}, and the user is as it was."""
    user = api.fresh_user()
    response = api.resend(user["identifier"])

    assert 200 == response.status_code, exchange(response)
    assert isinstance(response.json().get("status"), str), exchange(response)
    assert [] == same_user(user, api.get(user["identifier"]).json())


def test_activated_user_is_refused(api: Api, guard: Guard) -> None:
    """A user who has accepted (activated) gets no email: 422 {"error": <text>}."""
    if api.target.live:
        pytest.skip("not judged against a live target: every user the run creates is pending, and it changes no other")
    activated = [user for user in api.list().json() if user.get("activated") is True]
    if not activated:
        pytest.skip("not judged: the account has no activated user to try")
    user: dict[str, Any] = next((u for u in activated if u.get("email_address") == api.target.email), activated[0])
    with guard.permit(user["identifier"]):
        response = api.resend(user["identifier"])

    assert 422 == response.status_code, exchange(response)
    assert isinstance(response.json().get("error"), str), exchange(response)


def test_unknown_identifier_is_a_404(api: Api) -> None:
    """A resend to a user the account does not know is 404 {"status": 404, "error": ...}."""
    response = api.resend(str(uuid.uuid4()))

    assert 404 == response.status_code, exchange(response)
    assert [] == error_body_promises(404, response.json()), exchange(response)
