"""Fixtures of the reference-server tests: a fresh SQLite file per test and an in-process client."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x wants httpx2 for its TestClient; the project pins httpx (the generated client's), which the
    # TestClient still supports. Silenced here, once, rather than in pytest's global filters.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from deployhq_sandbox import Account, Accounts, Store, create_app

ROOT = Path(__file__).resolve().parents[2]

Invite = Callable[..., httpx.Response]


@pytest.fixture
def accounts() -> Accounts:
    """The documented default credentials, whatever the environment of the test run says."""
    return Accounts.defaults()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A SQLite file no other test uses."""
    return tmp_path / "users.sqlite3"


@pytest.fixture
def app(database: Path, accounts: Accounts) -> Starlette:
    """The reference server on this test's database."""
    return create_app(database, accounts=accounts)


@pytest.fixture
def client(app: Starlette, accounts: Accounts) -> Iterator[TestClient]:
    """An in-process client signed in as the administrator; the app's lifespan runs around the test."""
    with TestClient(app) as test_client:
        test_client.auth = credentials(accounts.administrator)
        yield test_client


@pytest.fixture
def invite(client: TestClient) -> Invite:
    """POST /users with `{"user": fields}`, as the administrator unless told otherwise."""

    def post(auth: Any = None, **fields: Any) -> httpx.Response:
        kwargs: dict[str, Any] = {"json": {"user": fields}}
        if auth is not None:
            kwargs["auth"] = auth
        return client.post("/users", **kwargs)

    return post


class BreakingStore(Store):
    """A store whose writer breaks on purpose: batches numbered in `before` raise before they run, those in
    `after` once they committed; with `connect_fails` the writer thread cannot open the file."""

    before: frozenset[int] = frozenset()
    after: frozenset[int] = frozenset()
    connect_fails = False

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.count = 0
        super().__init__(path)

    def _connect(self, timeout: float = 30) -> sqlite3.Connection:
        if self.connect_fails and threading.current_thread().name == "deployhq-sandbox-writer":
            raise sqlite3.OperationalError("unable to open database file (on purpose)")
        return super()._connect(timeout)

    def _run_batch(self, connection: sqlite3.Connection, batch: list[Any]) -> None:
        self.count += 1
        if self.count in self.before:
            raise RuntimeError("the writer breaks before this batch (on purpose)")
        super()._run_batch(connection, batch)
        if self.count in self.after:
            raise RuntimeError("the writer breaks after this batch (on purpose)")


def credentials(account: Account) -> tuple[str, str]:
    """Basic-auth credentials of an account."""
    return (account.email, account.api_key)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def files(folder: Path) -> dict[str, bytes | None]:
    """Every path under *folder*, relative, with a file's bytes (None for a folder): what a refusal must not change."""
    return {str(path.relative_to(folder)): path.read_bytes() if path.is_file() else None for path in folder.rglob("*")}


def make_database(folder: Path, kind: str) -> Path:
    """A path for --database that the sandbox cannot use (or, for "empty", an empty file)."""
    path = folder / "users.sqlite3"
    if kind == "missing folder":
        return folder / "nowhere" / "users.sqlite3"
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "not SQLite":
        path.write_text("name,email\nAda,ada@example.com\n")
    elif kind == "a newer version":
        Store(path).close()
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("UPDATE sandbox SET value = '9.1.0' WHERE name = 'written_by'")
            connection.execute("PRAGMA user_version = 2")
            connection.commit()
    elif kind == "another SQLite database":
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
            connection.execute("INSERT INTO notes VALUES ('keep me')")
            connection.commit()
    return path


class ServerProcess:
    """The real CLI in a subprocess, on a given port and database."""

    def __init__(
        self, database: Path, port: int, env: dict[str, str] | None = None, args: list[str] | None = None
    ) -> None:
        environment = {k: v for k, v in os.environ.items() if k not in {"DEPLOYHQ_EMAIL", "DEPLOYHQ_API_KEY"}}
        environment.update(env or {})
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
        self.base_url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deployhq_sandbox", "--port", str(port), "--database", str(database), *(args or [])],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Block until the server answers its spec."""
        self.wait_for(self.base_url, self.process, timeout)

    @staticmethod
    def wait_for(base_url: str, process: subprocess.Popen[str], timeout: float = 15.0) -> None:
        """Block until the server *process* answers its spec at *base_url*."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {process.stderr.read() if process.stderr else ''}")
            try:
                if httpx.get(f"{base_url}/openapi.yaml", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not answer within {timeout} s")

    def stop(self) -> None:
        """Kill the process if it still runs, and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=10)


@pytest.fixture
def start_server() -> Iterator[Callable[..., ServerProcess]]:
    """Start CLI servers; every one still running is killed after the test."""
    started: list[ServerProcess] = []

    def start(
        database: Path, port: int | None = None, env: dict[str, str] | None = None, args: list[str] | None = None
    ) -> ServerProcess:
        server = ServerProcess(database, port or free_port(), env, args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
