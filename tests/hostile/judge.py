"""Running the judge (the suite or its cleanup) as a user does, in a subprocess whose time and peak memory are measured.

Peak memory is the kernel's high-water mark of the process's resident set (VmHWM), sampled until it exits; a judge
past `KILL_MB` or `KILL_SECONDS` is killed, so a judge that would grow or wait without end cannot take a test with it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mutants.harness import ROOT, environment

KILL_MB = 1500
KILL_SECONDS = 150.0
# The same canary as tests/contract_suite: no output or report may ever hold any 8 characters of it in a row.
CANARY_KEY = "canary-4f1c9a7e2b6d8035-do-not-print-0000"
ADMIN = "ops@example.com"


@dataclass(frozen=True)
class Judged:
    code: int  # -9 when killed for its memory or time
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    killed: str = ""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"exit {self.code}, {self.seconds:.1f} s, peak {self.peak_mb:.0f} MB{self.killed}"


def canary_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    variables = {
        "DEPLOYHQ_EMAIL": ADMIN,
        "DEPLOYHQ_API_KEY": CANARY_KEY,
        "DEPLOYHQ_CONTRACT_LEDGER": str(tmp_path / "ledger.txt"),
    }
    return environment(None, **variables, **extra)


def _peak_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def with_ctrl_c() -> None:
    """A child's `preexec_fn`: SIGINT at its default, as a terminal gives it, so Python installs its Ctrl-C handler.

    A shell that starts the tests in the background (`.ci/run &`, nohup) ignores SIGINT in them, every child inherits
    that, and Python keeps an inherited ignore: a test's Ctrl-C would then never reach the judge.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def judge(
    *arguments: str,
    env: Mapping[str, str],
    tmp_path: Path,
    cwd: Path = ROOT,
    interrupt_when: Callable[[], bool] | None = None,
    kill_seconds: float = KILL_SECONDS,
) -> Judged:
    """`python -m <arguments>` in *cwd*; Ctrl-C (SIGINT) is sent once *interrupt_when* says so.

    With an interruption, `seconds` is how long the judge took to exit after it.
    """
    out, err = tmp_path / "judge.stdout", tmp_path / "judge.stderr"
    started = time.monotonic()
    peak, killed, interrupted = 0.0, "", False
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", *arguments], cwd=cwd, env=dict(env), stdout=stdout, stderr=stderr,
            preexec_fn=with_ctrl_c if interrupt_when is not None else None,
        )  # fmt: skip
        while process.poll() is None:
            peak = max(peak, _peak_mb(process.pid) or 0.0)
            elapsed = time.monotonic() - started
            if interrupt_when is not None and not interrupted and interrupt_when():
                process.send_signal(signal.SIGINT)
                interrupted, started = True, time.monotonic()
            if peak > KILL_MB or elapsed > kill_seconds:
                killed = f" (killed: past {KILL_MB} MB or {kill_seconds:g} s)"
                process.kill()
                process.wait()
                break
            time.sleep(0.05)
    seconds = time.monotonic() - started
    code = process.returncode
    return Judged(code, out.read_text(errors="replace"), err.read_text(errors="replace"), seconds, peak, killed)


def suite(*options: str) -> tuple[str, ...]:
    return ("pytest", "contract_tests", "-p", "no:cacheprovider", *options)


def key_pieces(secret: str, size: int = 8) -> set[str]:
    """Every *size* characters in a row of *secret*."""
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}
