"""The opt-in rate limit: 429 with the spec's body and an integer Retry-After, per caller, over real HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from deployhq_sandbox import Accounts, create_app, serve

from .conftest import ROOT, ServerProcess, credentials


def burst(http: httpx.Client, count: int, **kwargs: object) -> list[httpx.Response]:
    """*count* GET /users as fast as one connection sends them."""
    return [http.get("/users", **kwargs) for _ in range(count)]  # type: ignore[arg-type]


def test_past_the_limit_is_a_429_with_retry_after(database: Path, accounts: Accounts) -> None:
    """Past N requests in a second a caller gets 429 `{status, error}` and an integer Retry-After >= 0."""
    app = create_app(database, accounts=accounts, rate_limit=5)
    with serve(app) as base_url, httpx.Client(base_url=base_url, auth=credentials(accounts.administrator)) as http:
        responses = burst(http, 12)
    limited = [response for response in responses if response.status_code == 429]
    retry_after = {int(response.headers["retry-after"]) for response in limited}
    assert [200] * 5 == [response.status_code for response in responses[:5]]
    assert (True, True) == (len(limited) >= 5, retry_after <= {0, 1})
    assert {
        "status": 429,
        "error": "Rate limit exceeded: at most 5 requests a second per caller.",
    } == limited[0].json()


def test_the_limit_is_per_caller_and_ends(database: Path, accounts: Accounts) -> None:
    """One caller's 429 leaves another caller's requests alone, and after Retry-After the first is served again."""
    assert accounts.manager is not None
    app = create_app(database, accounts=accounts, rate_limit=3)
    with serve(app) as base_url, httpx.Client(base_url=base_url) as http:
        admin = burst(http, 6, auth=credentials(accounts.administrator))
        manager = burst(http, 3, auth=credentials(accounts.manager))
        spec = [http.get("/openapi.yaml").status_code for _ in range(10)]
        time.sleep(int(admin[-1].headers["retry-after"]) + 0.05)
        again = http.get("/users", auth=credentials(accounts.administrator)).status_code
    assert (429, [200] * 3, [200] * 10, 200) == (
        admin[-1].status_code,
        [response.status_code for response in manager],
        spec,
        again,
    )


def test_wrong_keys_and_no_credentials_are_limited_too(database: Path, accounts: Accounts) -> None:
    """The limit comes before authentication: a flood of 401s turns into 429s."""
    app = create_app(database, accounts=accounts, rate_limit=2)
    with serve(app) as base_url, httpx.Client(base_url=base_url) as http:
        statuses = [response.status_code for response in burst(http, 5)]
    assert [401, 401, 429, 429, 429] == statuses


def test_no_limit_by_default(client: object, accounts: Accounts, app: object) -> None:
    """Without rate_limit, a burst of 200 requests gets no 429."""
    statuses = {client.get("/users").status_code for _ in range(200)}  # type: ignore[attr-defined]
    assert {200} == statuses


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "5"])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(database: Path, value: object) -> None:
    """create_app refuses 0, negatives, fractions, booleans and strings, naming rate_limit, before opening the file."""
    with pytest.raises(ValueError, match="rate_limit must be a whole number of requests per second"):
        create_app(database, accounts=Accounts.defaults(), rate_limit=value)  # type: ignore[arg-type]
    assert not database.exists()


@pytest.mark.parametrize("value", ["0", "-3", "abc", "2.5"])
def test_the_cli_refuses_a_bad_limit(database: Path, value: str) -> None:
    """`--rate-limit 0` (or negative, or not a number) is a usage error naming the option, exit 2."""
    result = subprocess.run(
        [sys.executable, "-m", "deployhq_sandbox", "--rate-limit", value, "--database", str(database), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (2, True, False) == (result.returncode, "argument --rate-limit" in result.stderr, database.exists())


@pytest.mark.slow
def test_the_cli_limits_when_asked(database: Path, start_server: Callable[..., ServerProcess]) -> None:
    """`deployhq-sandbox --rate-limit 2` says so and answers the third request of a second with 429."""
    server = start_server(database, args=["--rate-limit", "2"])
    server.wait_ready()
    admin = credentials(Accounts.defaults().administrator)
    with httpx.Client(base_url=server.base_url, auth=admin) as http:
        statuses = [response.status_code for response in burst(http, 4)]
    server.process.send_signal(signal.SIGINT)
    stdout, _stderr = server.process.communicate(timeout=15)
    assert (429, True) == (statuses[-1], "rate limit: 2 requests a second per caller" in stdout)
