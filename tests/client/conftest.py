"""The API two ways: a scripted stand-in (the real `connect()` client over an `httpx.MockTransport`),
and the reference server over real HTTP on loopback with a fresh SQLite file.
"""

from __future__ import annotations

import base64
import gc
import socket
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployhq_client import Client
from deployhq_sandbox import Account, Accounts, create_app, serve
from deployhq_users import connect

BASE_URL = "https://acme.deployhq.com"
EMAIL = "ops@example.com"
# A canary: no repr, str or exception text may ever contain it, raw or inside a Basic auth header.
API_KEY = "canary0api0key0b7e4c2a9d1f3e5a7c9b0d2f4e6"
SECRETS = (API_KEY, base64.b64encode(f"{EMAIL}:{API_KEY}".encode()).decode())

Answer = httpx.Response | type[httpx.TransportError] | Callable[[httpx.Request], httpx.Response]


class ScriptedAPI:
    """Answers each request with the next scripted answer (the last one repeats) and records the requests.

    An answer is a response, a transport error class to raise, or a function of the request.
    """

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, type):
            raise answer("scripted failure", request=request)
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


@pytest.fixture
def api() -> Callable[..., tuple[Client, ScriptedAPI]]:
    """Build a `connect()` client whose every request goes to a `ScriptedAPI` with the given answers."""

    def build(*answers: Answer, **connect_args: Any) -> tuple[Client, ScriptedAPI]:
        scripted = ScriptedAPI(*answers)
        client = connect(
            base_url=BASE_URL, email=EMAIL, api_key=API_KEY, env={}, transport=httpx.MockTransport(scripted),
            **connect_args,
        )  # fmt: skip
        return client, scripted

    return build


@pytest.fixture
def seed(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's `seed` examples of createUser: the request body and the 201 body."""
    post = spec["paths"]["/users"]["post"]
    return {
        "request": post["requestBody"]["content"]["application/json"]["examples"]["seed"]["value"],
        "response": post["responses"]["201"]["content"]["application/json"]["examples"]["seed"]["value"],
    }


@dataclass(frozen=True)
class Served:
    """A running reference server, its administrator's credentials and its other default accounts."""

    base_url: str
    email: str
    api_key: str
    accounts: Accounts
    database: Path

    def connect(self, account: Account | None = None, **kwargs: Any) -> Client:
        """A `connect()` client signed in as *account* (the administrator when not given)."""
        email, api_key = (self.email, self.api_key) if account is None else (account.email, account.api_key)
        return connect(base_url=self.base_url, email=email, api_key=api_key, env={}, **kwargs)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The reference server on a free loopback port, with a fresh SQLite file and its default accounts."""
    accounts = Accounts.defaults()
    admin = accounts.administrator
    database = tmp_path / "users.sqlite3"
    with serve(create_app(database, accounts=accounts)) as base_url:
        yield Served(base_url, admin.email, admin.api_key, accounts, database)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def ended_loops() -> Iterator[None]:
    """For a test whose scenario leaves connections open in an event loop that has ended, as a caller may: their
    sockets are closed when garbage-collected, with a ResourceWarning, and that happens here, not in a later test.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "unclosed", ResourceWarning)
        yield
        gc.collect()
