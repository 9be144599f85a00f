"""`serve()`: the app over real HTTP in a background thread, and what concurrent callers see."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from deployhq_sandbox import Accounts, create_app, serve

from .conftest import credentials


def test_serve_yields_a_loopback_url_and_stops(database: Path, accounts: Accounts) -> None:
    """serve() answers on 127.0.0.1 at a free port and stops listening on exit."""
    with serve(create_app(database, accounts=accounts)) as base_url:
        status = httpx.get(f"{base_url}/openapi.yaml").status_code
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/openapi.yaml", timeout=2)
    assert (base_url.startswith("http://127.0.0.1:"), status) == (True, 200)


@pytest.mark.slow
def test_simultaneous_invites_of_the_same_addresses(database: Path, accounts: Accounts) -> None:
    """200 simultaneous invites for 20 addresses leave exactly 20 users: 20 x 201, 180 x 422, no 5xx."""
    start = threading.Barrier(200)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with (
        serve(create_app(database, accounts=accounts)) as base_url,
        httpx.Client(base_url=base_url, auth=credentials(accounts.administrator), limits=limits, timeout=60) as http,
    ):

        def invite(number: int) -> int:
            start.wait()
            body = {"user": {"first_name": "Same", "email_address": f"same-{number % 20}@example.com"}}
            return http.post("/users", json=body).status_code

        with ThreadPoolExecutor(max_workers=200) as pool:
            statuses = Counter(pool.map(invite, range(200)))
        users = http.get("/users").json()
    invited = Counter(user["email_address"] for user in users if user["email_address"].startswith("same-"))
    assert (statuses, len(invited), set(invited.values())) == (Counter({201: 20, 422: 180}), 20, {1})
