"""ASGI middleware that lets a variant rewrite a request before the faithful server sees it, or its answer after.

Rewriting the request breaks the server for real (a PATCH whose omitted fields are filled with defaults
really resets them in the store); rewriting the answer breaks only what the client is told.
What a request is (an invitation, an update, ...) comes from the judge's own table of operations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deployhq_contract.operations import find

__all__ = ["Exchange", "Request", "Rewrite"]

ASGIApp = Callable[..., Any]


@dataclass
class Request:
    """One request on its way in; a variant may replace its body."""

    method: str
    path: str
    body: bytes

    @property
    def operation(self) -> str | None:
        """The operationId this request is for, or None."""
        found = find(self.method, self.path)
        return found[0].operation_id if found else None

    @property
    def identifier(self) -> str | None:
        found = find(self.method, self.path)
        return found[1] if found else None

    @property
    def user(self) -> dict[str, Any] | None:
        """The `user` object of the JSON body, if there is one."""
        try:
            user = json.loads(self.body).get("user")
        except (ValueError, AttributeError):
            return None
        return user if isinstance(user, dict) else None

    def set_user(self, user: dict[str, Any]) -> None:
        self.body = json.dumps({"user": user}).encode()


@dataclass
class Exchange:
    """One request and the answer the faithful server gave; a variant edits the answer in place."""

    request: Request
    status: int
    headers: dict[str, str]
    content: bytes
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def operation(self) -> str | None:
        return self.request.operation

    @property
    def sent(self) -> dict[str, Any]:
        """The `user` object that was sent ({} when there is none)."""
        return self.request.user or {}

    def json(self) -> Any:
        return json.loads(self.content)

    def set_json(self, value: Any) -> None:
        self.content = json.dumps(value).encode()
        self.headers["content-type"] = "application/json"


class Rewrite:
    """Passes each request through *request* and each buffered answer through *answer* (either may be None)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        request: Callable[[Request], None] | None = None,
        answer: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.app = app
        self.rewrite_request = request
        self.rewrite_answer = answer

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = Request(scope["method"], scope["path"], body)
        if self.rewrite_request is not None:
            self.rewrite_request(request)
            if request.body != body:
                headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
                scope = {**scope, "headers": [*headers, (b"content-length", str(len(request.body)).encode())]}
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()
                return message
            replayed = True
            return {"type": "http.request", "body": request.body, "more_body": False}

        if self.rewrite_answer is None:
            await self.app(scope, replay, send)
            return
        answer: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")

        await self.app(scope, replay, capture)
        answered = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in answer["headers"]}
        exchange = Exchange(request, answer["status"], answered, answer["body"])
        self.rewrite_answer(exchange)
        exchange.headers["content-length"] = str(len(exchange.content))
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in exchange.headers.items()]
        await send({"type": "http.response.start", "status": exchange.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": exchange.content})
