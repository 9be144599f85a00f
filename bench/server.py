"""The reference server under load: invites/s and latency against a bare Starlette endpoint, and growth with size.

Every server runs as its own process on a loopback port (one uvicorn worker), the load generator as another
(`bench._load`: httpx clients in threads, one connection per request), so on a small machine each gets about a core.
The baseline is a Starlette endpoint returning a constant 201 under the same uvicorn and the same load: the
ratio is what validation, auth, SQLite and a durable commit per invitation cost on top of the framework.
Growth: servers over stores prefilled (through `Store.create`, no HTTP) with 1k, 10k and 100k users,
measured interleaved; each growth run is bounded in count so the stores grow little while measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deployhq_sandbox import Accounts, Invitation, Store

from ._harness import Row, Settings

ADMIN = Accounts.defaults().administrator


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]

    def rss_mb(self) -> float:
        """Resident set size of the server process, in MiB."""
        try:
            import psutil  # the bench group's; a bare venv falls back to /proc
        except ImportError:
            pages = int(Path(f"/proc/{self.process.pid}/statm").read_text().split()[1])
            return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        return float(psutil.Process(self.process.pid).memory_info().rss) / 2**20


@contextlib.contextmanager
def running(command: list[str]) -> Iterator[Server]:
    """Start a server process, wait for its `... at http://...` line, stop it on exit."""
    # The documented default credentials, whatever DEPLOYHQ_* the caller's shell holds.
    env = {name: value for name, value in os.environ.items() if not name.startswith("DEPLOYHQ_")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if " at http://" not in line:
            raise RuntimeError(f"{command[2]} did not start: {line!r}")
        yield Server(line.rsplit(" at ", 1)[1].strip(), process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def reference(database: Path) -> list[str]:
    return [sys.executable, "-m", "deployhq_sandbox", "--port", "0", "--database", str(database)]


def bare() -> list[str]:
    return [sys.executable, "-m", "bench._bare"]


def load(server: Server, tag: str, *, seconds: float, max_requests: int, threads: int = 8) -> dict[str, float]:
    """One bounded load run against *server*; its figures."""
    command = [
        sys.executable, "-m", "bench._load", server.url, "--email", ADMIN.email, "--api-key", ADMIN.api_key,
        "--threads", str(threads), "--seconds", str(seconds), "--max-requests", str(max_requests), "--tag", tag,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120)
    figures: dict[str, Any] = json.loads(result.stdout)
    statuses = figures.pop("statuses")
    if set(statuses) != {"201"}:
        raise RuntimeError(f"load run {tag} got statuses {statuses}: the benchmark would not measure invitations")
    return figures


def _stored(number: int) -> Invitation:
    address = f"stored-{number}@example.com"
    return Invitation(
        first_name="Stored", last_name=None, email_address=address, email_key=address, time_zone="Etc/UTC"
    )


async def _prefill(database: Path, count: int) -> None:
    store = Store(database)
    try:
        for start in range(0, count, 1000):
            await asyncio.gather(*(store.create(_stored(number)) for number in range(start, min(start + 1000, count))))
    finally:
        store.close()


def prefill(database: Path, count: int) -> None:
    """Store *count* users in a new database through the store's own writes (no HTTP, same SQL)."""
    asyncio.run(_prefill(database, count))


def rows(settings: Settings) -> list[Row]:
    repeats = settings.pick(5, 2)
    seconds = settings.pick(3.0, 1.0)
    sizes = settings.pick([1_000, 10_000, 100_000], [1_000, 10_000])
    growth_requests = settings.pick(400, 200)
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        root = Path(tmp)
        with running(reference(root / "empty.sqlite3")) as ours, running(bare()) as theirs:
            runs: dict[str, list[dict[str, float]]] = {"ours": [], "theirs": []}
            load(ours, "warm-ours", seconds=0.5, max_requests=200)
            load(theirs, "warm-theirs", seconds=0.5, max_requests=200)
            for round_ in range(repeats):
                order = [("ours", ours), ("theirs", theirs)]
                for name, server in order if round_ % 2 == 0 else order[::-1]:
                    runs[name].append(load(server, f"{name}-{round_}", seconds=seconds, max_requests=50_000))
        note = f"{repeats} interleaved runs of {seconds:g} s, 8 client threads, a connection per request, loopback"

        def series(name: str, key: str) -> list[float]:
            return [run[key] for run in runs[name]]

        baseline_name = "bare Starlette, constant 201"
        out += [
            # Goal: at least half the bare endpoint's throughput, with durable commits (ratio = bare / ours).
            Row("server", "invites/s", "req/s", series("ours", "per_second"), series("theirs", "per_second"),
                baseline_name, goal=2.0, higher_is_better=True, note=note),
            Row("server", "invite p50", "ms", series("ours", "p50_ms"), series("theirs", "p50_ms"), baseline_name,
                note=note),
            Row("server", "invite p99", "ms", series("ours", "p99_ms"), series("theirs", "p99_ms"), baseline_name,
                note=note),
        ]  # fmt: skip

        for size in sizes:
            prefill(root / f"{size}.sqlite3", size)
        with contextlib.ExitStack() as stack:
            servers = {size: stack.enter_context(running(reference(root / f"{size}.sqlite3"))) for size in sizes}
            growth: dict[int, list[dict[str, float]]] = {size: [] for size in sizes}
            for size, server in servers.items():
                load(server, f"warm-{size}", seconds=0.5, max_requests=100)
            for round_ in range(repeats):
                for size in sizes if round_ % 2 == 0 else sizes[::-1]:
                    growth[size].append(
                        load(servers[size], f"g{size}-{round_}", seconds=seconds * 4, max_requests=growth_requests)
                    )
            rss = {size: server.rss_mb() for size, server in servers.items()}
        small = sizes[0]
        gnote = f"{repeats} interleaved runs of ≤{growth_requests} invites; each store grows by ≤{repeats * 500}"
        for size in sizes[1:]:
            base = f"the same at {small // 1000}k stored"
            out += [
                Row("server", f"invites/s at {size // 1000}k stored", "req/s",
                    [run["per_second"] for run in growth[size]], [run["per_second"] for run in growth[small]],
                    base, higher_is_better=True, note=gnote),
                Row("server", f"invite p99 at {size // 1000}k stored", "ms", [run["p99_ms"] for run in growth[size]],
                    [run["p99_ms"] for run in growth[small]], base, note=gnote),
            ]  # fmt: skip
        largest = sizes[-1]
        out.append(
            Row("server", f"RSS after {largest // 1000}k users", "MiB", [rss[largest]], [rss[small]],
                f"server over {small // 1000}k users", note="one sample: resident set of the server process")
        )  # fmt: skip
    return out
