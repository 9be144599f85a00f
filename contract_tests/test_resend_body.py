"""A resend has no body (openapi.yaml, resendInvitation): one that is sent is ignored, and the user stays as it was.

Not judged against a live target: each resend there is a real email, and the run's own resends send no body.
"""

from __future__ import annotations

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import same_user
from deployhq_contract.spec import FLAGS

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(60), pytest.mark.operation("resendInvitation")]


def test_a_resend_ignores_a_body(api: Api) -> None:
    """A resend sent with a body that changes names, flags and the address leaves the user as it was."""
    if api.target.live:
        pytest.skip("not judged against a live target: each resend is a real email, and the run's send no body")
    user = api.fresh_user()
    changes = {"first_name": "Changed", "last_name": "Changed", "email_address": api.address(),
               **{flag: not user[flag] for flag in FLAGS}}  # fmt: skip
    response = api.call("resendInvitation", user["identifier"], body={"user": changes, **changes})

    assert 200 == response.status_code, exchange(response)
    assert [] == same_user(user, api.get(user["identifier"]).json())
