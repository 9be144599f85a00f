"""`serve()`: the app over real HTTP in a background thread, and what concurrent callers see."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from deployhq_sandbox import Accounts, create_app, serve

from .conftest import BreakingStore, credentials


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


def test_a_burst_of_connections_waits_in_the_queue_while_the_server_is_busy() -> None:
    """120 connections opened while the event loop is blocked all complete their handshake and are answered after.

    With a listen queue of 64, the kernel dropped the rest's handshakes (the client retries after 1, 3, 7 s) or their
    first request, and a request resent after its backoff came past the header deadline: a reset connection.
    """
    blocking = threading.Event()

    async def block(request: Request) -> PlainTextResponse:
        blocking.set()
        time.sleep(1.5)  # on the event loop on purpose: nothing is accepted meanwhile
        return PlainTextResponse("blocked")

    async def ok(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/block", block), Route("/ok", ok)])
    sockets: list[socket.socket] = []
    with serve(app) as base_url, ThreadPoolExecutor(max_workers=1) as pool:
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        blocked = pool.submit(httpx.get, f"{base_url}/block", timeout=30)
        assert blocking.wait(10)
        try:
            for _ in range(120):
                sock = socket.create_connection((host, int(port)), timeout=0.5)  # a dropped SYN takes 1 s to retry
                sockets.append(sock)
                sock.sendall(b"GET /ok HTTP/1.1\r\nhost: sandbox\r\nconnection: close\r\n\r\n")
        except TimeoutError:
            pass
        connected = len(sockets)
        answers = Counter(_read_all(sock).split(b"\r\n", 1)[0] for sock in sockets)
        assert blocked.result().text == "blocked"
    assert (connected, answers) == (120, Counter({b"HTTP/1.1 200 OK": 120}))


def _read_all(sock: socket.socket) -> bytes:
    """Everything *sock* receives until the server closes it (10 s at most)."""
    sock.settimeout(10)
    chunks = []
    with sock:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


class BreaksNow(BreakingStore):
    """Every 3rd batch raises before it runs, every 5th once it committed."""

    before = frozenset(range(3, 1000, 3))
    after = frozenset(range(5, 1000, 5))


@pytest.mark.slow
def test_a_breaking_writer_never_hangs_a_request_nor_loses_an_answered_invite(
    database: Path, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    """With the writer dying again and again, every request is answered (201 or a JSON 500) and every 201 is stored."""
    app = create_app(database, accounts=accounts, store_class=BreaksNow)
    with (
        serve(app) as base_url,
        httpx.Client(base_url=base_url, auth=credentials(accounts.administrator), timeout=10) as http,
    ):

        def invite(number: int) -> httpx.Response:
            return http.post("/users", json={"user": {"first_name": "W", "email_address": f"w-{number}@example.com"}})

        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(invite, range(120)))
        stored = {user["identifier"]: user for user in http.get("/users").json()}
    answered = [response.json() for response in responses if response.status_code == 201]
    failures = [response.json() for response in responses if response.status_code != 201]
    expected_failure = {"status": 500, "error": "The user store failed before confirming this change; try again."}
    assert answered == [stored.get(user["identifier"]) for user in answered]
    assert ([expected_failure] * len(failures), True) == (failures, 0 < len(failures) < 120)
    assert "the store's writer stopped on RuntimeError" in caplog.text
    assert all(account.api_key not in caplog.text for account in accounts)


def test_a_writer_that_cannot_open_the_file_answers_500_at_once(database: Path, accounts: Accounts) -> None:
    """A writer that cannot connect makes each write a prompt JSON 500; reads keep working."""

    class CannotWrite(BreakingStore):
        connect_fails = True

    with (
        serve(create_app(database, accounts=accounts, store_class=CannotWrite)) as base_url,
        httpx.Client(base_url=base_url, auth=credentials(accounts.administrator), timeout=10) as http,
    ):
        first = http.post("/users", json={"user": {"first_name": "A", "email_address": "a@example.com"}})
        second = http.post("/users", json={"user": {"first_name": "B", "email_address": "b@example.com"}})
        listed = http.get("/users")
    assert ((500, 500), 200) == ((first.status_code, second.status_code), listed.status_code)
    assert first.json()["status"] == 500


def test_a_server_that_crashes_on_startup_says_why(database: Path, accounts: Accounts) -> None:
    """An app whose startup fails is reported with its error, not as a server slow to start."""

    @contextlib.asynccontextmanager
    async def broken(app: Starlette) -> AsyncIterator[None]:
        raise ValueError("the lifespan breaks on purpose")
        yield

    app = Starlette(lifespan=broken)
    with pytest.raises(RuntimeError) as raised, serve(app, timeout=30):
        pass
    assert (True, "did not start" in str(raised.value)) == (
        str(raised.value).endswith("stopped before it started: ValueError: the lifespan breaks on purpose"),
        False,
    )


def test_a_busy_port_is_the_bind_error(database: Path, accounts: Accounts) -> None:
    """serve() on a port in use raises the OSError naming it, and leaves nothing running."""
    with serve(create_app(database, accounts=accounts)) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        threads = threading.active_count()
        with pytest.raises(OSError, match="in use"), serve(create_app(database, accounts=accounts), port=port):
            pass
        assert threads == threading.active_count()


def test_a_closed_store_refuses_reads_and_pools_nothing(database: Path, accounts: Accounts) -> None:
    """After the server stopped, its store refuses a read with a clear error instead of opening a connection."""
    app = create_app(database, accounts=accounts)
    with serve(app) as base_url:
        httpx.get(f"{base_url}/users", auth=credentials(accounts.administrator))
    store = app.state.store
    with pytest.raises(RuntimeError, match="the store is closed"):
        asyncio.run(store.list())
    assert (store._readers.empty(), store._quick_readers.empty()) == (True, True)


def test_serving_the_same_app_twice_says_to_build_a_new_one(database: Path, accounts: Accounts) -> None:
    """A second serve() of an app whose store closed with its first run fails at startup, saying what to do."""
    app = create_app(database, accounts=accounts)
    with serve(app):
        pass
    with pytest.raises(RuntimeError, match=r"store was closed when it last stopped; build a new app"), serve(app):
        pass
