"""Servers that break a refusal's "nothing changed" behind its answer, for the --live read-back's tests.

`python -m tests.contract_suite.refusal_variants MODES --port P --database FILE`, MODES joined by `+`:

- `put-noauth-applies`: a PUT without valid credentials answers 401 but still applies the change (as the
  administrator would), the fault only a read after the refusal shows;
- `list-429`: `GET /users` answers 429 (Retry-After 0) from its third request on, a rate limit that outlasts the
  judge's retries.

Not in mutants/: these break the judge's --live batching of reads, which the loopback teeth never use.
"""

from __future__ import annotations

import argparse
import base64
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from deployhq_sandbox import Accounts, create_app

USER = re.compile(r"^/users/[^/]+$")
LISTS_BEFORE_429 = 2

Asgi = Callable[..., Any]


def build(modes: set[str], database: Path) -> Asgi:
    accounts = Accounts.from_env()
    inner = create_app(database, accounts=accounts)
    admin = accounts.administrator
    signed = b"Basic " + base64.b64encode(f"{admin.email}:{admin.api_key}".encode())
    lists = [0]

    async def app(scope: dict[str, Any], receive: Asgi, send: Asgi) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if "list-429" in modes and scope["method"] == "GET" and scope["path"] == "/users":
            lists[0] += 1
            if lists[0] > LISTS_BEFORE_429:
                refused = b'{"status": 429, "error": "Slow down"}'
                headers = [(b"content-type", b"application/json"), (b"retry-after", b"0")]
                await send({"type": "http.response.start", "status": 429, "headers": headers})
                await send({"type": "http.response.body", "body": refused})
                return
        answered: list[dict[str, Any]] = []
        await inner(scope, _once(body), _into(answered))
        status = next(m["status"] for m in answered if m["type"] == "http.response.start")
        if "put-noauth-applies" in modes and scope["method"] == "PUT" and USER.match(scope["path"]) and status == 401:
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
            await inner({**scope, "headers": [*headers, (b"authorization", signed)]}, _once(body), _into([]))
        for message in answered:
            await send(message)

    return app


def _once(body: bytes) -> Asgi:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _into(messages: list[dict[str, Any]]) -> Asgi:
    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    return send


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.contract_suite.refusal_variants", description=__doc__)
    parser.add_argument("modes")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", type=Path, required=True)
    args = parser.parse_args()
    uvicorn.run(build(set(args.modes.split("+")), args.database), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
