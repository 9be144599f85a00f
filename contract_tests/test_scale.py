"""Scale: what holds for five users holds past the sizes servers commonly cap at (100, 250 and 1000 users).

The account is grown, by invitations over real HTTP, past each size in turn, and at each the list is judged whole
(every user the run invited there, each once, as written, oldest first) and users at the edges are read back.
It runs on every loopback target; against a live one each invitation is an email, so only with --contract-scale.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from deployhq_contract.api import Api, exchange
from deployhq_contract.promises import list_promises, read_promises

pytestmark = [pytest.mark.contract_rank(145), pytest.mark.operation("listUsers"), pytest.mark.operation("getUser")]

SIZES = (100, 250, 1000)
# Invitations in flight at once: the reference server writes them in batches, so this is the growth's speed.
PARALLEL = 8


@dataclass(frozen=True)
class Size:
    """The account just past a size: its list then, and every user the run had invited by then."""

    listed: requests.Response
    invited: dict[str, dict[str, Any]]


@pytest.fixture(scope="module", name="grown")
def _grown(api: Api, request: pytest.FixtureRequest) -> dict[int, Size]:
    """Invite users until the account is past each size, and list it there."""
    if api.target.live and not request.config.getoption("contract_scale"):
        pytest.skip("not judged: the scale phase invites about 1000 users (emails); run it with --contract-scale")
    start = api.list()
    assert 200 == start.status_code, exchange(start)
    already = len(start.json())
    invited: dict[str, dict[str, Any]] = {}
    sizes: dict[int, Size] = {}
    with ThreadPoolExecutor(PARALLEL) as pool:
        for size in SIZES:
            missing = max(size + 1 - already - len(invited), 0)
            for user in pool.map(
                lambda n: api.fresh_user(first_name=f"Scale {n}"), range(len(invited), len(invited) + missing)
            ):
                invited[user["identifier"]] = user
            sizes[size] = Size(api.list(), dict(invited))
    return sizes


@pytest.mark.parametrize("size", SIZES)
def test_list_is_whole_past_a_size(grown: dict[int, Size], size: int) -> None:
    """Past 100, 250 and 1000 users the list holds every user once, as written, oldest first."""
    response = grown[size].listed
    assert 200 == response.status_code, exchange(response)
    users = response.json()

    assert len(users) > size, f"the account has over {size} users, but the list shows {len(users)}"
    assert [] == list_promises(users, grown[size].invited, ()), f"past {size} users:{exchange(response)[:600]}"


@pytest.mark.parametrize("size", SIZES)
def test_users_read_back_past_a_size(api: Api, grown: dict[int, Size], size: int) -> None:
    """Past 100, 250 and 1000 users the oldest, the one at the size and the newest read back as the list shows them."""
    response = grown[size].listed
    assert 200 == response.status_code, exchange(response)
    listed = [user for user in response.json() if isinstance(user, dict) and "identifier" in user]
    for user in (listed[i] for i in sorted({0, min(size, len(listed) - 1), len(listed) - 1})):
        read = api.get(user["identifier"])
        assert 200 == read.status_code, exchange(read)
        assert [] == read_promises(user["identifier"], read.json(), user), exchange(read)
