"""The reference server under load: invites/s and latency against a bare Starlette endpoint, and growth with size.

Every server runs as its own process on a loopback port (one uvicorn worker), the load generator as another
(`bench._load`: httpx clients in threads, a keep-alive connection each), so on a small machine each gets about a core.
The baseline is a Starlette endpoint returning a constant 201 under the same uvicorn and the same load: the
ratio is what validation, auth, SQLite and a durable commit per invitation cost on top of the framework.
Growth: servers over stores prefilled (through `Store.create`, no HTTP) with 1k, 10k and 100k users,
measured interleaved; each growth run is bounded in count so the stores grow little while measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from deployhq_sandbox import Accounts, Invitation, Store

from ._harness import NotMeasured, Row, Settings, measuring
from ._process import running, with_tools_path

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Accounts.defaults().administrator
# A load run's own bound: its requests time out after 30 s each, so this is only reached by a hung generator.
LOAD_TIMEOUT = 300.0


def reference(database: Path) -> list[str]:
    return [sys.executable, "-m", "deployhq_sandbox", "--port", "0", "--database", str(database)]


def bare() -> list[str]:
    return [sys.executable, "-m", "bench._bare"]


def load(url: str, tag: str, *, max_requests: int, seconds: float | None = None, threads: int = 8) -> dict[str, Any]:
    """One load run against the server at *url*, bounded by *max_requests* and, if given, *seconds*; its figures."""
    command = [
        sys.executable, "-m", "bench._load", url, "--email", ADMIN.email, "--api-key", ADMIN.api_key,
        "--threads", str(threads), "--max-requests", str(max_requests), "--tag", tag,
    ]  # fmt: skip
    if seconds is not None:
        command += ["--seconds", str(seconds)]
    limit = LOAD_TIMEOUT + (seconds or 0)
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=with_tools_path(), capture_output=True, text=True, check=False, timeout=limit
        )
    except subprocess.TimeoutExpired:
        raise NotMeasured(f"load run {tag} did not finish within {limit:g} s") from None
    if result.returncode != 0:
        raise NotMeasured(f"load run {tag} exited with code {result.returncode}: {result.stderr.strip()[-500:]}")
    figures: dict[str, Any] = json.loads(result.stdout)
    statuses = figures.pop("statuses")
    if set(statuses) - {"201"}:
        raise NotMeasured(f"load run {tag} got statuses {statuses}: the benchmark would not measure invitations")
    if not figures["requests"]:
        raise NotMeasured(f"load run {tag} got no answer at all (transport errors: {figures['errors']})")
    return figures


def _errors_note(runs: list[dict[str, Any]]) -> str:
    """Transport errors a noisy machine caused, summed over *runs*: they widen the ranges, so the note says so."""
    errors: Counter[str] = Counter()
    for run in runs:
        errors.update(run["errors"])
    if not errors:
        return ""
    return "; requests lost to transport errors: " + ", ".join(f"{name} x{count}" for name, count in errors.items())


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
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        return [*_against_bare(Path(tmp), settings), *_growth(Path(tmp), settings)]


def _against_bare(root: Path, settings: Settings) -> list[Row]:
    """Throughput and latency of the reference server next to the bare endpoint, interleaved."""
    repeats = settings.pick(5, 2)
    seconds = settings.pick(3.0, 1.0)
    baseline_name = "bare Starlette, constant 201"
    # Goal: at least half the bare endpoint's throughput, with durable commits (ratio = bare / ours).
    throughput = Row("server", "invites/s", "req/s", baseline_name=baseline_name, goal=2.0, higher_is_better=True)
    p50 = Row("server", "invite p50", "ms", baseline_name=baseline_name)
    p99 = Row("server", "invite p99", "ms", baseline_name=baseline_name)
    with measuring(throughput, p50, p99):
        with running(reference(root / "empty.sqlite3")) as ours, running(bare()) as theirs:
            runs: dict[str, list[dict[str, Any]]] = {"ours": [], "theirs": []}
            # Warm-ups bounded by a count, not a time: a busy machine makes them slower, never empty.
            load(ours.url, "warm-ours", max_requests=200)
            load(theirs.url, "warm-theirs", max_requests=200)
            for round_ in range(repeats):
                order = [("ours", ours), ("theirs", theirs)]
                for name, server in order if round_ % 2 == 0 else order[::-1]:
                    runs[name].append(load(server.url, f"{name}-{round_}", seconds=seconds, max_requests=50_000))
        note = f"{repeats} interleaved runs of {seconds:g} s after a warm-up of 200, 8 client threads, loopback"
        note += _errors_note(runs["ours"] + runs["theirs"])
        for row, key in ((throughput, "per_second"), (p50, "p50_ms"), (p99, "p99_ms")):
            row.candidate = [run[key] for run in runs["ours"]]
            row.baseline = [run[key] for run in runs["theirs"]]
            row.note = note
    return [throughput, p50, p99]


def _growth(root: Path, settings: Settings) -> list[Row]:
    """The same server over stores prefilled with more and more users, interleaved."""
    repeats = settings.pick(5, 2)
    seconds = settings.pick(3.0, 1.0)
    sizes: list[int] = settings.pick([1_000, 10_000, 100_000], [1_000, 10_000])
    growth_requests = settings.pick(400, 200)
    small, largest = sizes[0], sizes[-1]
    base = f"the same at {small // 1000}k stored"
    per_size = {
        size: (
            Row("server", f"invites/s at {size // 1000}k stored", "req/s", baseline_name=base, higher_is_better=True),
            Row("server", f"invite p99 at {size // 1000}k stored", "ms", baseline_name=base),
        )
        for size in sizes[1:]
    }
    rss = Row(
        "server",
        f"RSS after {largest // 1000}k users",
        "MiB",
        baseline_name=f"server over {small // 1000}k users",
        note="one sample: resident set of the server process",
    )
    out = [row for pair in per_size.values() for row in pair] + [rss]
    with measuring(*out):
        for size in sizes:
            prefill(root / f"{size}.sqlite3", size)
        with contextlib.ExitStack() as stack:
            servers = {size: stack.enter_context(running(reference(root / f"{size}.sqlite3"))) for size in sizes}
            growth: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
            for size, server in servers.items():
                load(server.url, f"warm-{size}", max_requests=100)
            for round_ in range(repeats):
                for size in sizes if round_ % 2 == 0 else sizes[::-1]:
                    growth[size].append(
                        load(servers[size].url, f"g{size}-{round_}", seconds=seconds * 4, max_requests=growth_requests)
                    )
            memory = {size: server.rss_mb() for size, server in servers.items()}
        note = f"{repeats} interleaved runs of ≤{growth_requests} invites after a warm-up of 100; "
        note += f"each store grows by ≤{repeats * growth_requests + 100}"
        note += _errors_note([run for runs in growth.values() for run in runs])
        for size, (throughput, p99) in per_size.items():
            throughput.candidate = [run["per_second"] for run in growth[size]]
            throughput.baseline = [run["per_second"] for run in growth[small]]
            p99.candidate = [run["p99_ms"] for run in growth[size]]
            p99.baseline = [run["p99_ms"] for run in growth[small]]
            throughput.note = p99.note = note
        rss.candidate, rss.baseline = [memory[largest]], [memory[small]]
    return out
