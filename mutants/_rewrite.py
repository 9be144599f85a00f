"""ASGI middleware that lets a variant rewrite any answer, seeing the request that caused it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Exchange", "RewriteAnswers"]

ASGIApp = Callable[..., Any]


@dataclass
class Exchange:
    """One request and the answer the faithful server gave; a variant edits the answer in place."""

    method: str
    path: str
    request_body: bytes
    status: int
    headers: dict[str, str]
    content: bytes
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def invitation(self) -> dict[str, Any]:
        """The `user` object that was sent to POST /users ({} when there is none)."""
        try:
            user = json.loads(self.request_body).get("user")
        except (ValueError, AttributeError):
            return {}
        return user if isinstance(user, dict) else {}

    def is_create(self) -> bool:
        return self.method == "POST" and self.path.rstrip("/") == "/users"

    def json(self) -> Any:
        return json.loads(self.content)

    def set_json(self, value: Any) -> None:
        self.content = json.dumps(value).encode()
        self.headers["content-type"] = "application/json"


class RewriteAnswers:
    """Buffers each answer of *app* and passes it through *rewrite* before sending it."""

    def __init__(self, app: ASGIApp, rewrite: Callable[[Exchange], None]) -> None:
        self.app = app
        self.rewrite = rewrite

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
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()
                return message
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        answer: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")

        await self.app(scope, replay, capture)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in answer["headers"]}
        exchange = Exchange(scope["method"], scope["path"], body, answer["status"], headers, answer["body"])
        self.rewrite(exchange)
        exchange.headers["content-length"] = str(len(exchange.content))
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in exchange.headers.items()]
        await send({"type": "http.response.start", "status": exchange.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": exchange.content})
