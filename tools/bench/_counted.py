"""The reference server in a process of its own, counting the requests it answers: `python -m bench._counted DB`.

For the breakdown (bench/breakdown.py): with the server apart, the profiled suite's process holds only the judge's
own time, and `GET /__bench__/requests` tells how many requests a run sent, whatever sent them (the suite, `st run`).
"""

from __future__ import annotations

import json
import socket
import sys
from typing import Any

import uvicorn

from deployhq_sandbox import Accounts, create_app

COUNT_PATH = "/__bench__/requests"


class Counted:
    """ASGI middleware: counts every HTTP request but its own, and answers COUNT_PATH with the count."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == COUNT_PATH:
            body = json.dumps({"requests": self.count}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http":
            self.count += 1
        await self.app(scope, receive, send)


def main() -> int:
    app = Counted(create_app(sys.argv[1], accounts=Accounts.defaults()))
    # proto=IPPROTO_TCP, as the reference server does: asyncio sets TCP_NODELAY only on sockets that say they are TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    print(f"counted: serving at http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="critical", access_log=False, lifespan="on")).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
