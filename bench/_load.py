"""The load generator: threads of httpx clients POSTing invitations to a loopback server.

Run as its own process (`python -m bench._load URL ...`) so it does not share a GIL with the server;
prints one JSON line: requests sent, wall seconds, latency percentiles, and the count of each status.
Bounded in both time and count, and refuses any host but loopback.
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._load")
    parser.add_argument("url")
    parser.add_argument("--email", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--tag", required=True, help="makes every address of this run unique")
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in LOOPBACK:
        print(f"refusing {args.url}: the load generator only targets loopback", file=sys.stderr)
        return 2
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    budget = iter(range(args.max_requests))
    deadline = time.perf_counter() + args.seconds

    def worker(number: int) -> None:
        mine: list[float] = []
        seen: Counter[int] = Counter()
        auth = httpx.BasicAuth(args.email, args.api_key)
        # One keep-alive connection per thread, as a real client has. (Both servers' listening sockets are
        # created as IPPROTO_TCP so that asyncio sets TCP_NODELAY; without it each answer waited ~40 ms.)
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        with httpx.Client(base_url=args.url, auth=auth, timeout=30.0, transport=transport) as client:
            while time.perf_counter() < deadline:
                with lock:
                    index = next(budget, None)
                if index is None:
                    break
                body = {"user": {"first_name": "Load", "email_address": f"{args.tag}-{number}-{index}@example.com"}}
                start = time.perf_counter()
                response = client.post("/users", json=body)
                mine.append(time.perf_counter() - start)
                seen[response.status_code] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(args.threads)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    result = {
        "requests": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "statuses": dict(statuses),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
