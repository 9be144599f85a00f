"""Where one contract run spends its time: `python -m bench.breakdown [--examples 25] [--output DIR]`.

Three runs, each against a fresh reference server in a process of its own (`bench._counted`), so the server's time
is apart from the judge's: the suite as the bench times it (wall time and requests per phase and per test file,
from `bench._phases`), the same suite under cProfile (where the suite's own process spends its time, by library),
and the raw `st run` of the bench's baseline at the same budget and seed. Every run counts the requests its server
answered and the server's CPU seconds. Prints Markdown tables and writes them to DIR/breakdown.md (the profile:
DIR/breakdown.prof).
The profiled run is slower than the plain one (cProfile's own cost): read its column as shares, not as seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from deployhq_sandbox import Accounts
from mutants.harness import ROOT, environment

from ._counted import COUNT_PATH
from ._harness import NotMeasured
from ._process import running
from .contract import RUN_TIMEOUT, st_run_command

HERE = Path(__file__).resolve().parent

# The phase each built-in promise file belongs to; a file not named here is a team's own promises.
PHASES = {
    "test_conformance.py": "fuzzing (schemathesis: examples, coverage, generated)",
    "test_stateful.py": "stateful (schemathesis' link scenarios)",
    "test_consistency.py": "consistency state machine",
    "test_client_roundtrip.py": "client round trip",
}
EXPLICIT = "explicit promises"

# Where a function's own time (cProfile's tottime) is booked, by the first pattern its file path contains.
# Socket calls that block are the suite waiting for the server (or the kernel) to answer.
BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("Hypothesis generation", ("/hypothesis/", "/hypothesis_jsonschema/", "/schemathesis/generation/")),
    (
        "schema validation",
        ("/jsonschema_rs", "/jsonschema/", "/referencing/", "/jsonschema_specifications/", "/schemathesis/specs/"),
    ),
    ("schemathesis, other", ("/schemathesis/",)),
    (
        "HTTP client (requests, urllib3, httpx, http.client)",
        ("/requests/", "/urllib3/", "/httpx/", "/httpcore/", "/h11/", "/http/client", "/email/", "/urllib/", "os>"),
    ),
    ("the judge (deployhq_contract, promises, client)", ("/deployhq_", "/contract_tests/", "/deployhq_client/")),
    ("pytest and reporting", ("/_pytest/", "/pluggy/", "/xml/", "/bench/_phases")),
    ("imports", ("importlib", "marshal", "zipimport")),
]
WAITING = "waiting for an answer (socket calls)"
_SOCKET_CALLS = ("recv", "sendall", "connect", "poll", "select", "accept")
# A lock held while another thread works: the scale phase and the cleanup wait for their pools' requests this way.
WAITING_THREADS = "waiting for other threads (their requests)"
_LOCK_WAITS = ("acquire' of '_thread.lock", "acquire' of '_thread.RLock")


@dataclass
class Run:
    """One run's outside view: wall seconds, requests its server answered, the server process' CPU seconds."""

    seconds: float
    requests: int
    server_cpu: float
    phases: dict[str, Any] = field(default_factory=dict)
    profile: Path | None = None


@contextlib.contextmanager
def _server(folder: Path, name: str) -> Iterator[tuple[str, int]]:
    """A fresh counting reference server in its own process, and that process' id."""
    with running([sys.executable, "-m", "bench._counted", str(folder / f"{name}.sqlite3")]) as server:
        yield server.url, server.process.pid


def _cpu(pid: int) -> float:
    """CPU seconds (user and system) of process *pid* so far."""
    try:
        import psutil  # the bench group's; a bare venv falls back to /proc
    except ImportError:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _count(url: str) -> int:
    return int(httpx.get(url + COUNT_PATH, timeout=10).json()["requests"])


def suite_run(folder: Path, examples: int, *, profiled: bool) -> Run:
    """The whole suite as the bench times it, with `bench._phases` (and cProfile when *profiled*)."""
    name = "suite-profiled" if profiled else "suite"
    phases, profile = folder / f"{name}.json", folder / f"{name}.prof"
    accounts = Accounts.defaults()
    with _server(folder, name) as (url, process):
        python = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profiled else [])]
        command = [*python, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider", "-p", "bench._phases"]
        command += ["-q", "--contract-profile", "ci", "--max-examples", str(examples), "--base-url", url]
        command += ["--junitxml", str(folder / f"{name}-junit.xml")]
        env = environment(accounts, BENCH_PHASES_OUTPUT=str(phases), PYTHONPATH=str(HERE.parent))
        before = _cpu(process)
        started = time.time()
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=RUN_TIMEOUT
        )
        seconds = time.time() - started
        if result.returncode != 0:
            raise NotMeasured(f"the suite exited {result.returncode}: {result.stdout.strip()[-800:]}")
        run = Run(seconds, _count(url), _cpu(process) - before, profile=profile if profiled else None)
    run.phases = json.loads(phases.read_text())
    run.phases["marks"]["started"] = started
    return run


def st_run(folder: Path, examples: int) -> Run:
    """The bench's baseline: a raw `st run` with every check, the same budget and seed."""
    with _server(folder, "st") as (url, process):
        command, env = st_run_command(url, Accounts.defaults(), examples)
        before = _cpu(process)
        started = time.time()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900)
        seconds = time.time() - started
        if result.returncode != 0:
            raise NotMeasured(f"st run exited {result.returncode}: {result.stdout.strip()[-800:]}")
        return Run(seconds, _count(url), _cpu(process) - before)


def phase_table(run: Run) -> tuple[list[list[str]], list[list[str]]]:
    """Rows per phase and per test file: tests, wall seconds, share of the run, requests."""
    tests, marks = run.phases["tests"], run.phases["marks"]
    cleanup_s, cleanup_n = marks.get("cleanup_seconds", 0.0), marks.get("cleanup_requests", 0)
    by_phase: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    by_file: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    for test in tests:
        seconds, requests = test["seconds"], test["requests"]
        if test["last"]:
            seconds, requests = seconds - cleanup_s, requests - cleanup_n
        for key, table in ((PHASES.get(test["file"], EXPLICIT), by_phase), (test["file"], by_file)):
            table[key][0] += 1
            table[key][1] += seconds
            table[key][2] += requests
    in_tests = sum(test["requests"] for test in tests)
    startup = marks["first_test"] - marks["started"]
    closing = run.seconds - (marks["last_test_end"] - marks["started"])
    rows = [["start: imports, preflight, schema, collection", "", startup, run.requests - in_tests]]
    order = [EXPLICIT, *dict.fromkeys(PHASES.values())]
    rows += [[phase, int(by_phase[phase][0]), by_phase[phase][1], int(by_phase[phase][2])] for phase in order]
    rows += [["cleanup of the users the run created", "", cleanup_s, cleanup_n]]
    rows += [["verdict, reports and exit", "", closing, 0]]
    rows += [["whole run", len(tests), run.seconds, run.requests]]

    def cells(row: list[Any]) -> list[str]:
        name, count, seconds, requests = row
        return [name, str(count), f"{seconds:.2f}", f"{100 * seconds / run.seconds:.0f}%", str(requests)]

    files = sorted(by_file.items(), key=lambda item: -item[1][1])
    return [cells(row) for row in rows], [cells([name, int(n), s, int(r)]) for name, (n, s, r) in files]


def bucket_of(path: str, function: str) -> str:
    if path == "~":
        if any(call in function for call in _SOCKET_CALLS):
            return WAITING
        return WAITING_THREADS if any(wait in function for wait in _LOCK_WAITS) else "built-ins (len, isinstance, ...)"
    for name, patterns in BUCKETS:
        if any(pattern in path for pattern in patterns):
            return name
    return "other (standard library)"


def inside_table(run: Run, server_cpu: float) -> list[list[str]]:
    """The profiled suite's own time by library, and the server's CPU seconds beside it."""
    assert run.profile is not None
    stats = pstats.Stats(str(run.profile)).stats  # type: ignore[attr-defined]  # pstats' documented dict
    totals: Counter[str] = Counter()
    for (path, _line, function), (_calls, _primitive, own, _cumulative, _callers) in stats.items():
        totals[bucket_of(path, function)] += own
    whole = sum(totals.values())
    rows = [[name, f"{seconds:.2f}", f"{100 * seconds / whole:.0f}%"] for name, seconds in totals.most_common()]
    rows.append(["(apart) the server process' CPU, same run", f"{server_cpu:.2f}", ""])
    return rows


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.breakdown", description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="examples per operation (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=HERE, help="where breakdown.md goes (default: the bench's)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-breakdown-") as tmp:
        folder = Path(tmp)
        try:
            plain = suite_run(folder, args.examples, profiled=False)
            raw = st_run(folder, args.examples)
            profiled = suite_run(folder, args.examples, profiled=True)
        except NotMeasured as why:
            print(f"breakdown: not measured: {why}", file=sys.stderr)
            return 1
        phases, files = phase_table(plain)
        inside = inside_table(profiled, profiled.server_cpu)
        args.output.mkdir(parents=True, exist_ok=True)
        assert profiled.profile is not None
        shutil.copyfile(profiled.profile, args.output / "breakdown.prof")  # for `python -m pstats` and the like
    ratio = plain.seconds / raw.seconds
    text = "\n\n".join(
        [
            f"Contract run at {args.examples} examples, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC: "
            f"suite {plain.seconds:.1f} s, {plain.requests} requests, server CPU {plain.server_cpu:.1f} s; "
            f"raw st run {raw.seconds:.1f} s, {raw.requests} requests, server CPU {raw.server_cpu:.1f} s; "
            f"ratio {ratio:.2f} (one pair, not interleaved: `python -m bench` gives the ratio).",
            markdown(["phase", "tests", "s", "share", "requests"], phases),
            markdown(["test file", "tests", "s", "share", "requests"], files),
            f"Inside the suite's process (cProfile, {profiled.seconds:.1f} s wall, own time by library):",
            markdown(["where", "s (profiled)", "share"], inside),
        ]
    )
    print(text)
    (args.output / "breakdown.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
