"""An account administrator's address is for account administrators to change (openapi.yaml, updateUser).

Judged with a manager's credentials: DEPLOYHQ_MANAGER_EMAIL / DEPLOYHQ_MANAGER_API_KEY (the embedded reference
server has them). Never against a live target: a target that broke the promise would change an administrator's
address, and the administrator then signs in with an address nobody chose.
"""

from __future__ import annotations

import pytest

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import coded_error_promises, same_user
from deployhq_contract.target import ROLES

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(80), pytest.mark.operation("updateUser")]


def test_a_manager_cannot_change_an_administrators_address(api: Api) -> None:
    """A manager's change of an account administrator's address is 403 `forbidden`; the administrator is unchanged."""
    if api.target.live:
        pytest.skip("not judged against a live target: a broken target would change the administrator's address")
    manager = api.target.role("manager")
    if manager is None:
        prefix = ROLES["manager"]
        pytest.skip(f"not judged: no manager credentials (set {prefix}_EMAIL and {prefix}_API_KEY)")
    administrator = api.fresh_user(account_administrator=True)
    response = api.update(administrator["identifier"], {"email_address": api.address()}, auth=manager)

    assert 403 == response.status_code, exchange(response)
    assert [] == coded_error_promises(response.json(), "forbidden"), exchange(response)
    assert [] == same_user(administrator, api.get(administrator["identifier"]).json())
