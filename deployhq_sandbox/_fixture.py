"""A fresh sandbox account per test: the reference server on its own SQLite file, with an outbox and faults.

One uvicorn server on a loopback port serves every sandbox of a process, each under a path of its own
(`http://127.0.0.1:PORT/sandbox-3`): starting a server costs a thread and stopping one up to uvicorn's 0.1 s tick,
while a new account costs only its SQLite file. Requests to a sandbox that has ended get a 404 naming it.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
from starlette.types import ASGIApp, Receive, Scope, Send

from deployhq_client import Client
from deployhq_users import connect

from ._app import create_app, error_response
from ._config import Account, Accounts
from ._controls import Controls, Email
from ._models import User
from ._serve import serve
from ._spec import load_spec

__all__ = ["Sandbox", "SandboxServer"]

DATABASE_NAME = "deployhq-sandbox.sqlite3"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class Sandbox:
    """One sandbox account, served over HTTP on loopback: what the `deployhq_sandbox` pytest fixture gives a test.

    `client` is a `deployhq_users.connect()` client signed in as the administrator; `base_url` and the
    `administrator`, `manager` and `member` accounts (`.email`, `.api_key`) are for code that builds its own.
    """

    def __init__(self, base_url: str, controls: Controls, accounts: Accounts, database: Path) -> None:
        self.base_url = base_url
        self.database = database
        self.administrator: Account = accounts.administrator
        assert accounts.manager is not None
        assert accounts.member is not None
        self.manager: Account = accounts.manager
        self.member: Account = accounts.member
        self._controls = controls
        self.client: Client = self.connect(self.administrator)

    def __repr__(self) -> str:
        return f"<Sandbox {self.base_url} database={self.database}>"

    def connect(self, account: Account | None = None) -> Client:
        """A new client of this sandbox signed in as *account* (the administrator by default); close it yourself."""
        account = self.administrator if account is None else account
        # env={}: a DEPLOYHQ_* variable of the test run must not send the test's calls elsewhere.
        client = connect(base_url=self.base_url, email=account.email, api_key=account.api_key, env={})
        # Each new httpx client loads the CA bundle (about 70 ms, most of a fixture's cost) though a sandbox is plain
        # HTTP; one default context, built once per process, serves them all the same.
        return attrs.evolve(client, verify_ssl=_tls_context())

    @property
    def outbox(self) -> list[Email]:
        """Every email the account sent, oldest first: items with `.to`, `.kind` (`"invitation"` or `"resend"`)
        and `.identifier`. A refused, failed or injected-failure call sends none."""
        return self._controls.outbox

    def fail_next(self, operation_id: str, status: int, *, retry_after: int | None = None) -> None:
        """The next call of *operation_id* (the spec's, e.g. `"createUser"`) is answered *status* with the spec's
        body for it, and changes nothing. A 429 carries `Retry-After` (*retry_after*, default 0)."""
        self._controls.fail_next(operation_id, status, retry_after=retry_after)

    def lose_next_answer(self, operation_id: str) -> None:
        """The next call of *operation_id* is carried out, then its connection is closed before the answer."""
        self._controls.lose_next_answer(operation_id)

    def activate(self, email_address: str) -> User:
        """The invitation of *email_address* is accepted (LookupError when no user has that address)."""
        return self._controls.activate(email_address)

    def close(self) -> None:
        """Close the client's connections and the store."""
        self.client.get_httpx_client().close()
        self._controls.store.close()


class _Router:
    """Hands each request to the sandbox its first path segment names, with that segment as its `root_path`."""

    def __init__(self) -> None:
        self.apps: dict[str, ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # Nothing to start or stop here: each sandbox's store is opened and closed by SandboxServer.sandbox.
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        prefix, _, rest = scope["path"].lstrip("/").partition("/")
        app = self.apps.get(prefix)
        if app is None:
            await error_response(404, f"No sandbox is served at /{prefix} (its test has ended?)")(scope, receive, send)
            return
        path = "/" + rest
        raw = scope.get("raw_path")
        inner = {
            **scope,
            "path": path,
            "raw_path": raw[len(prefix) + 1 :] if raw else path.encode(),
            "root_path": scope.get("root_path", "") + "/" + prefix,
        }
        await app(inner, receive, send)


class SandboxServer:
    """A loopback HTTP server for sandboxes: `with SandboxServer() as server, server.sandbox(folder) as sandbox:`.

    Outside pytest this is how to get the fixture's sandbox (e.g. in unittest's setUp).
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._router = _Router()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._stack: contextlib.ExitStack | None = None
        self.base_url: str | None = None

    def __enter__(self) -> SandboxServer:
        with contextlib.ExitStack() as stack:
            # A request of a sandbox outside its test lands on the router, which answers 404: nothing leaks.
            self.base_url = stack.enter_context(serve(self._router, host=self.host))
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    @contextlib.contextmanager
    def sandbox(self, folder: str | os.PathLike[str], *, http_controls: bool = True) -> Iterator[Sandbox]:
        """A fresh account whose SQLite file is created in *folder* (which must exist and not hold one yet).

        With *http_controls* (the default) its controls are also served under `<base_url>/_sandbox/`.
        """
        if self.base_url is None:
            raise RuntimeError("the sandbox server is not running: use it as `with SandboxServer() as server:`")
        database = Path(folder) / DATABASE_NAME
        if database.exists():
            raise ValueError(f"{database} already exists: give each sandbox a folder of its own")
        accounts = Accounts.defaults()
        app = create_app(database, accounts=accounts, spec=load_spec())
        controls = Controls(
            app,
            spec=load_spec(),
            store=app.state.store,
            accounts=accounts,
            http_controls=http_controls,
            # An async client's connection belongs to the test's event loop, which has ended by the teardown: left
            # open, it would be closed by the garbage collector with a ResourceWarning (an error under `-W error`).
            keep_alive=False,
        )
        with self._lock:
            name = f"sandbox-{next(self._numbers)}"
            self._router.apps[name] = controls
        sandbox = Sandbox(f"{self.base_url}/{name}", controls, accounts, database)
        try:
            yield sandbox
        finally:
            with self._lock:
                del self._router.apps[name]
            sandbox.close()
