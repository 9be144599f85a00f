"""The load generator: threads of httpx clients POSTing invitations to a loopback server.

Run as its own process (`python -m bench._load URL ...`) so it does not share a GIL with the server;
prints one JSON line: answers and wall seconds, latency percentiles, the count of each status and of each
transport error. Bounded by a count of requests and, optionally, by time; refuses any host but loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench._load")
    parser.add_argument("url")
    parser.add_argument("--email", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--threads", type=_at_least_one, default=4)
    parser.add_argument(
        "--seconds", type=_positive, default=None, help="stop sending after this long (default: only --max-requests)"
    )
    parser.add_argument("--max-requests", type=_at_least_one, default=50_000)
    parser.add_argument("--tag", required=True, help="makes every address of this run unique")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if urlsplit(args.url).hostname not in LOOPBACK:
        print(f"refusing {args.url}: the load generator only targets loopback", file=sys.stderr)
        return 2
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    budget = iter(range(args.max_requests))
    auth = httpx.BasicAuth(args.email, args.api_key)
    # One keep-alive connection per thread, as a real client has. (Both servers' listening sockets are
    # created as IPPROTO_TCP so that asyncio sets TCP_NODELAY; without it each answer waited ~40 ms.)
    options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]

    def worker(number: int, client: httpx.Client, deadline: float) -> None:
        mine: list[float] = []
        seen: Counter[int] = Counter()
        failed: Counter[str] = Counter()
        # Each thread sends at least once, so a machine too busy to start a thread before the deadline
        # gives a slow sample, not an empty one.
        while (not mine and not failed) or time.perf_counter() < deadline:
            with lock:
                index = next(budget, None)
            if index is None:
                break
            body = {"user": {"first_name": "Load", "email_address": f"{args.tag}-{number}-{index}@example.com"}}
            start = time.perf_counter()
            try:
                response = client.post("/users", json=body)
            except httpx.TransportError as error:  # a timeout or a reset under load: counted, not fatal
                failed[type(error).__name__] += 1
                continue
            mine.append(time.perf_counter() - start)
            seen[response.status_code] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors.update(failed)

    with contextlib.ExitStack() as stack:
        # Clients (each loads an SSL context) are made before the clock starts: under load that took longer
        # than a short timed run, and the run sent nothing.
        clients = [
            stack.enter_context(
                httpx.Client(
                    base_url=args.url, auth=auth, timeout=30.0, transport=httpx.HTTPTransport(socket_options=options)
                )
            )
            for _ in range(args.threads)
        ]
        start = time.perf_counter()
        deadline = start + args.seconds if args.seconds is not None else float("inf")
        threads = [
            threading.Thread(target=worker, args=(number, client, deadline)) for number, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [sum(latencies)] * 99
    result = {
        "requests": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "statuses": dict(statuses),
        "errors": dict(errors),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
