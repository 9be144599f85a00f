"""The server baseline: a bare Starlette endpoint answering POST /users with a constant 201, on the same uvicorn."""

from __future__ import annotations

import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .client import CREATED


async def created(request: Request) -> Response:
    await request.body()  # read it, as any real endpoint must
    return Response(CREATED, status_code=201, media_type="application/json")


def main() -> int:
    # Loopback only, any free port. proto=IPPROTO_TCP, as the reference server does: asyncio sets TCP_NODELAY
    # only on sockets that say they are TCP, and without it Nagle's algorithm adds ~40 ms to each answer.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    print(f"bare: serving at http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    app = Starlette(routes=[Route("/users", created, methods=["POST"])])
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
