"""An account's own rules, judged with the built-in promises: `deployhq-contract docs/examples/own_promises`.

The reference server keeps the first promise and breaks the second (it has no naming policy): a run shows both.

Each test is a promise: its docstring is the line the summary lists, kept or broken. The fixtures come from the
judge: `client` (the generated client, connected), `api` (each operation as raw HTTP) and `target` (the server,
its email domain, whether the run is live). Every request goes through the same rails (email budget, pacing,
ownership) and every user created is in the ledger, deleted at the end of a live run.
"""

from __future__ import annotations

import pytest

from deployhq_client import Client
from deployhq_contract.api import Api, exchange
from deployhq_users import list_users

# Where these run among the built-in promises: after the explicit ones (up to 90), before the generated ones.
pytestmark = pytest.mark.contract_rank(100)

MAX_ADMINISTRATORS = 3


@pytest.mark.operation("listUsers")  # the summary lists the promise under this operation
def test_at_most_three_administrators(client: Client) -> None:
    """The account has at most three activated administrators."""
    administrators = [u.email_address for u in list_users(client) if u.account_administrator and u.activated]

    assert len(administrators) <= MAX_ADMINISTRATORS, administrators


@pytest.mark.operation("createUser")
def test_first_names_start_with_a_capital(api: Api) -> None:
    """An invitation whose first name starts in lower case is refused (422) and creates nobody."""
    response = api.invite({"first_name": "ada", "email_address": api.address()})

    assert 422 == response.status_code, exchange(response)
