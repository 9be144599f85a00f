"""Preflight: a target that cannot be judged is refused in one line (exit 4) after at most two requests."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from deployhq_sandbox import Accounts, create_app, serve
from mutants.harness import CountRequests, environment, run_suite

pytestmark = pytest.mark.slow
ACCOUNTS = Accounts.defaults()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def html_site() -> Starlette:
    """A web server that is not the API: every path answers a page."""

    async def page(request: Any) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>Sign in</title><p>Please sign in.</p>")

    return Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST"])])


def refused(base_url: str, tmp_path: Path, **env: str) -> tuple[int, str, str]:
    """Run the suite at *base_url*: exit code, the refusal line (stderr), stdout."""
    finished = run_suite(
        "--base-url", base_url, f"--junitxml={tmp_path / 'junit.xml'}", env={**environment(ACCOUNTS), **env},
        timeout=120,
    )  # fmt: skip
    lines = [line for line in finished.stderr.splitlines() if line.strip()]
    return finished.code, "\n".join(lines), finished.stdout


REFUSALS: list[Any] = [
    pytest.param(lambda database: None, {}, "cannot be reached (Connection refused)", 0, id="closed port"),
    pytest.param(
        lambda database: create_app(database, accounts=ACCOUNTS),
        {"DEPLOYHQ_API_KEY": "wrong-key-for-the-preflight-test-000000"},
        "refused the credentials of admin@example.com (401); check DEPLOYHQ_EMAIL and DEPLOYHQ_API_KEY",
        1,
        id="wrong key",
    ),
    pytest.param(
        lambda database: create_app(database, accounts=ACCOUNTS),
        {"DEPLOYHQ_EMAIL": "member@example.com", "DEPLOYHQ_API_KEY": ACCOUNTS.member.api_key},  # type: ignore[union-attr]
        "member@example.com may not manage users",
        1,
        id="member's key",
    ),
    pytest.param(lambda database: html_site(), {}, "body that is not JSON (text/html)", 1, id="a web page"),
]


@pytest.mark.parametrize(("make_app", "env", "line", "requests"), REFUSALS)
def test_unjudgeable_target_is_refused_in_one_line(
    tmp_path: Path, make_app: Callable[[Path], Any], env: dict[str, str], line: str, requests: int
) -> None:
    """The cause in plain words, what to check, exit 4, no traceback, no key, and no more requests than needed."""
    app = make_app(tmp_path / "users.sqlite3")
    if app is None:
        code, message, stdout = refused(f"http://127.0.0.1:{free_port()}", tmp_path, **env)
        seen = 0
    else:
        counted = CountRequests(app)
        with serve(counted) as base_url:
            code, message, stdout = refused(base_url, tmp_path, **env)
        seen = counted.count

    assert 4 == code, message + stdout[-2000:]
    assert line in message
    assert 1 == len(message.splitlines()), message
    assert requests == seen
    assert f"requests sent: {requests}" in message
    assert "Traceback" not in message + stdout
    for secret in (ACCOUNTS.administrator.api_key, env.get("DEPLOYHQ_API_KEY", ACCOUNTS.administrator.api_key)):
        assert secret not in message + stdout
    assert not (tmp_path / "junit.xml").exists()


def test_a_tls_failure_is_named_with_its_reason_whole(tmp_path: Path) -> None:
    """https:// to a plain HTTP server: the TLS handshake is named, and its reason keeps its closing bracket."""
    from deployhq_contract.preflight import check
    from deployhq_contract.target import Credentials

    with serve(create_app(tmp_path / "users.sqlite3", accounts=ACCOUNTS)) as base_url:
        refusal, _sent = check(
            base_url.replace("http://", "https://"), Credentials(ACCOUNTS.administrator.email, "k" * 40)
        )

    assert refusal is not None
    assert refusal.cause.startswith("the TLS handshake with https://127.0.0.1:")
    assert refusal.cause.count("(") == refusal.cause.count(")"), refusal.cause
