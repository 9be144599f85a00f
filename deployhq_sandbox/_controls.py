"""Test controls around the reference server: an outbox of the emails it "sent", and faults injected on request.

`Controls` is ASGI middleware: it never changes how the API behaves, it only answers a call in its place
(`fail_next`), drops the connection after a call was carried out (`lose_next_answer`) or watches the answers that
send an email (a 201 to `createUser`, a 200 to `resendInvitation`). With `http_controls=True` it also answers the same
controls over HTTP under `/_sandbox/`: the sandbox's own paths, outside openapi.yaml, for tests in other languages.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import http
import json
import re
import threading
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._auth import Authenticator
from ._config import Accounts
from ._db import Store
from ._models import User
from ._routes import canonical_identifier
from ._spec import Spec

__all__ = ["CONTROL_PREFIX", "Controls", "Email"]

CONTROL_PREFIX = "/_sandbox"
# On every answer of a control, so a log or a proxy can tell them from the API's.
_MARK = {"X-DeployHQ-Sandbox": "control (not part of the DeployHQ API)"}
# The answers that mean an email went out: DeployHQ sends one per accepted invitation and per resend.
_Kind = Literal["invitation", "resend"]
_SENDS: dict[str, tuple[int, _Kind]] = {"createUser": (201, "invitation"), "resendInvitation": (200, "resend")}
# A lost answer waits at most this long for the server to notice the closed connection.
_DISCONNECT_WAIT = 5.0


@dataclass(frozen=True, slots=True)
class Email:
    """One email the sandbox account "sent": to whom, why (`"invitation"` or `"resend"`), and the user's identifier."""

    to: str
    kind: _Kind
    identifier: str


@dataclass(frozen=True, slots=True)
class _Fail:
    status: int
    retry_after: int | None


@dataclass(frozen=True, slots=True)
class _Lose:
    pass


@dataclass(frozen=True, slots=True)
class _Operation:
    operation_id: str
    method: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


@functools.lru_cache(maxsize=4)
def _operations(text: bytes) -> tuple[tuple[_Operation, ...], dict[str, Any]]:
    """Every operation of the spec *text* (method, path pattern, responses) and its `components`."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader, the C one when available)
    operations = []
    for path, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(path)) + "$")
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                operations.append(
                    _Operation(operation["operationId"], method.upper(), pattern, operation.get("responses", {}))
                )
    return tuple(operations), document.get("components", {})


def _resolve(node: Any, components: dict[str, Any]) -> Any:
    """*node* with a local `$ref` (`#/components/...`) followed."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/components/"):
        target: Any = components
        for part in node["$ref"].removeprefix("#/components/").split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node


def _phrase(status: int) -> str:
    """The reason phrase of *status*, or a stand-in for one outside the registry (a proxy's 520)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP error {status}"


class Controls:
    """The reference server *app* with an outbox and injected faults; see the module docstring.

    Every method may be called from any thread (a test's), while the server answers in its own.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        spec: Spec,
        store: Store,
        accounts: Accounts,
        http_controls: bool = False,
        keep_alive: bool = True,
    ) -> None:
        """*http_controls*: also serve the controls under `/_sandbox/`. Without *keep_alive* every answer says
        `Connection: close`, so no client is left holding a connection (see `_fixture`)."""
        self.app = app
        self.keep_alive = keep_alive
        self.store = store
        self.accounts = accounts
        self._operations, self._components = _operations(spec.text)
        self._lock = threading.Lock()
        self._faults: dict[str, collections.deque[_Fail | _Lose]] = collections.defaultdict(collections.deque)
        self._outbox: list[Email] = []
        self._http = _control_app(self) if http_controls else None

    # -- the controls -----------------------------------------------------------------------------------------

    @property
    def operation_ids(self) -> list[str]:
        """The spec's operation ids, in its order: what `fail_next` and `lose_next_answer` accept."""
        return list(dict.fromkeys(operation.operation_id for operation in self._operations))

    @property
    def outbox(self) -> list[Email]:
        """Every email sent so far, oldest first (a copy: later emails do not appear in it)."""
        with self._lock:
            return list(self._outbox)

    def clear_outbox(self) -> None:
        """Forget the emails sent so far."""
        with self._lock:
            self._outbox.clear()

    def fail_next(self, operation_id: str, status: int, *, retry_after: int | None = None) -> None:
        """Answer the next call of *operation_id* with *status* and the spec's body for it, without carrying it out.

        *status* is an error status (400-599). The body is the spec's example for that operation and status, or
        `{"status": ..., "error": <reason phrase>}` (the spec's `Error`) for a status the operation does not list,
        such as 503. A 429 has `Retry-After: <retry_after>` (0 when not given); a 503 has it when given.
        Calls queue up: two calls fail the next two calls, in order. ValueError names a wrong argument.
        """
        self._check_operation(operation_id)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f"status must be an error status from 400 to 599; got {status!r}")
        if retry_after is not None:
            if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
                raise ValueError(f"retry_after must be a whole number of seconds, 0 or more; got {retry_after!r}")
            if status not in {429, 503}:
                raise ValueError(f"retry_after goes with a 429 or a 503, not a {status}")
        with self._lock:
            self._faults[operation_id].append(
                _Fail(status, 0 if status == 429 and retry_after is None else retry_after)
            )

    def lose_next_answer(self, operation_id: str) -> None:
        """Carry out the next call of *operation_id*, then close its connection before any of the answer is sent.

        The client gets no answer at all (`OutcomeUnknownError` for a call that changes something) while the change
        is made, and an email it sends is in the outbox. Queues up with `fail_next`, in order.
        """
        self._check_operation(operation_id)
        with self._lock:
            self._faults[operation_id].append(_Lose())

    def activate(self, email_address: str) -> User:
        """Accept the invitation of *email_address*, as `deployhq-sandbox activate` does; LookupError if no user
        has that address."""
        user = self.store.activate(email_address)
        if user is None:
            raise LookupError(f"no user of this sandbox has the address {email_address!r}")
        return user

    def _check_operation(self, operation_id: object) -> None:
        known = self.operation_ids
        if operation_id not in known:
            raise ValueError(f"operation_id must be one of the spec's: {', '.join(known)}; got {operation_id!r}")

    # -- ASGI -------------------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The server's own `send` is kept for `_drop`, which needs what it is bound to.
        answer = send if self.keep_alive else _closing(send)
        path: str = scope["path"]
        if self._http is not None and (path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")):
            await self._http(scope, receive, answer)
            return
        found = self._match(scope["method"], path)
        if found is None:
            await self.app(scope, receive, answer)
            return
        operation, parameters = found
        fault = self._take(operation.operation_id)
        if isinstance(fault, _Fail):
            await self._failure(operation, fault)(scope, receive, answer)
            return
        sends = _SENDS.get(operation.operation_id)
        if sends is None and fault is None:
            await self.app(scope, receive, answer)
            return
        # Held back until the email is in the outbox (a test reads it as soon as its call returns), or for good.
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        status = next((m["status"] for m in held if m["type"] == "http.response.start"), None)
        if sends is not None and status == sends[0]:
            await self._record(sends[1], held, parameters)
        if fault is None:
            for message in held:
                await answer(message)
        else:
            await _drop(receive, send)

    def _match(self, method: str, path: str) -> tuple[_Operation, tuple[str, ...]] | None:
        method = "GET" if method == "HEAD" else method
        for operation in self._operations:
            if operation.method == method:
                match = operation.pattern.match(path)
                if match:
                    return operation, match.groups()
        return None

    def _take(self, operation_id: str) -> _Fail | _Lose | None:
        with self._lock:
            queued = self._faults.get(operation_id)
            return queued.popleft() if queued else None

    def _failure(self, operation: _Operation, fault: _Fail) -> Response:
        response = _resolve(operation.responses.get(str(fault.status)), self._components)
        body: Any = None
        if isinstance(response, dict):
            media = (response.get("content") or {}).get("application/json") or {}
            body = media.get("example")
            if body is None and media.get("examples"):
                body = _resolve(next(iter(media["examples"].values())), self._components).get("value")
        if body is None:
            body = {"status": fault.status, "error": _phrase(fault.status)}
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return JSONResponse(body, status_code=fault.status, headers=headers)

    async def _record(self, kind: _Kind, held: list[Message], parameters: tuple[str, ...]) -> None:
        if kind == "invitation":
            body = json.loads(b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body"))
            email = Email(to=body["email_address"], kind=kind, identifier=body["identifier"])
        else:
            identifier = canonical_identifier(parameters[0]) if parameters else None
            user = None if identifier is None else await self.store.get(identifier)
            if user is None:  # removed between the resend and now: nobody to name
                return
            email = Email(to=user.email_address, kind=kind, identifier=user.identifier)
        with self._lock:
            self._outbox.append(email)


def _closing(send: Send) -> Send:
    """*send* with `Connection: close` added to the answer's headers."""

    async def closing(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
        await send(message)

    return closing


async def _drop(receive: Receive, send: Send) -> None:
    """Close the connection of this request with nothing of its answer sent.

    ASGI has no message for that, so the server's transport is closed: uvicorn's `send` is a method of the request's
    cycle, which holds it. Waiting for `http.disconnect` lets uvicorn see the closed connection before the app
    returns, so it neither answers a 500 nor logs an error.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "close"):
        # Another server: start an answer and leave it unfinished; every ASGI server then closes the connection.
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-length", b"1")]})
        return
    transport.close()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(_DISCONNECT_WAIT):
            while (await receive())["type"] != "http.disconnect":
                pass


# -- the same controls over HTTP ------------------------------------------------------------------------------

_INDEX = {
    "about": "Controls of the deployhq-sandbox test server: not part of the DeployHQ API or of openapi.yaml. "
    "Each needs the administrator's credentials.",
    "controls": {
        "GET /_sandbox/outbox": "every email sent, oldest first: [{to, kind, identifier}]",
        "DELETE /_sandbox/outbox": "forget them",
        "POST /_sandbox/fail_next": '{"operation_id": "createUser", "status": 429, "retry_after": 1}: the next call '
        "of that operation gets that status and the spec's body for it, and changes nothing",
        "POST /_sandbox/lose_next_answer": '{"operation_id": "createUser"}: the next call of that operation is '
        "carried out, then its connection is closed before the answer",
        "POST /_sandbox/activate": '{"email_address": "jane@example.com"}: the invitation is accepted',
    },
}


def _control_app(controls: Controls) -> Starlette:
    """The `/_sandbox/...` routes of *controls*; every answer is JSON and carries the `X-DeployHQ-Sandbox` mark."""
    authenticator = Authenticator(controls.accounts)

    def administrator(request: Request) -> None:
        account = authenticator.authenticate(request.headers.get("authorization"))
        if account is None or account.email != controls.accounts.administrator.email:
            raise HTTPException(
                401,
                "The sandbox's controls need the administrator's credentials (Basic auth, as for the API).",
                headers={"WWW-Authenticate": 'Basic realm="DeployHQ sandbox controls"'},
            )

    async def fields(request: Request, *names: str) -> dict[str, Any]:
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise HTTPException(400, f"Send a JSON object with {', '.join(names)}.")
        missing = [name for name in names if name not in body]
        if missing:
            raise HTTPException(400, f"The JSON object has no {', '.join(missing)}.")
        return body

    def answer(body: Any, status: int = 200) -> Response:
        return JSONResponse(body, status_code=status, headers=_MARK)

    async def index(request: Request) -> Response:
        administrator(request)
        return answer({**_INDEX, "operation_ids": controls.operation_ids})

    async def outbox(request: Request) -> Response:
        administrator(request)
        if request.method == "DELETE":
            controls.clear_outbox()
            return answer({"status": "ok"})
        return answer([{"to": e.to, "kind": e.kind, "identifier": e.identifier} for e in controls.outbox])

    async def fail_next(request: Request) -> Response:
        administrator(request)
        body = await fields(request, "operation_id", "status")
        try:
            controls.fail_next(body["operation_id"], body["status"], retry_after=body.get("retry_after"))
        except ValueError as error:
            raise HTTPException(400, str(error)) from None
        return answer({"status": "ok"})

    async def lose_next_answer(request: Request) -> Response:
        administrator(request)
        body = await fields(request, "operation_id")
        try:
            controls.lose_next_answer(body["operation_id"])
        except ValueError as error:
            raise HTTPException(400, str(error)) from None
        return answer({"status": "ok"})

    async def activate(request: Request) -> Response:
        administrator(request)
        address = (await fields(request, "email_address"))["email_address"]
        if not isinstance(address, str):
            raise HTTPException(400, "email_address must be a string.")
        try:
            user = controls.activate(address)
        except LookupError as error:
            raise HTTPException(404, str(error)) from None
        return answer({"status": "ok", "identifier": user.identifier, "activated": user.activated})

    async def error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = {**_MARK, **(exc.headers or {})}
        return JSONResponse({"status": exc.status_code, "error": exc.detail}, exc.status_code, headers=headers)

    app = Starlette(
        routes=[
            Route(CONTROL_PREFIX, index, methods=["GET"]),
            Route(CONTROL_PREFIX + "/outbox", outbox, methods=["GET", "DELETE"]),
            Route(CONTROL_PREFIX + "/fail_next", fail_next, methods=["POST"]),
            Route(CONTROL_PREFIX + "/lose_next_answer", lose_next_answer, methods=["POST"]),
            Route(CONTROL_PREFIX + "/activate", activate, methods=["POST"]),
        ],
        exception_handlers={HTTPException: error},
    )
    app.router.redirect_slashes = False
    return app
