"""A server process on loopback for the bench: started, waited for until it answers HTTP, always stopped."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from ._harness import NotMeasured

__all__ = ["READY_SECONDS", "Server", "running", "wait_until_answering"]

# On a loaded 2-core machine a Python server can take several seconds to import and start its loop.
READY_SECONDS = 60.0


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


def wait_until_answering(
    url: str, *, timeout: float = READY_SECONDS, process: subprocess.Popen[str] | None = None
) -> None:
    """Return once *url* gives any HTTP answer (a 404 will do); NotMeasured if it never does or *process* exits."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            httpx.get(url, timeout=min(5.0, max(left, 0.1)))
            return
        except httpx.TransportError as error:
            last = error
        if process is not None and process.poll() is not None:
            raise NotMeasured(f"the server at {url} exited with code {process.returncode} before answering")
        if time.monotonic() >= deadline:
            raise NotMeasured(f"the server at {url} gave no answer within {timeout:g} s ({type(last).__name__})")
        time.sleep(0.05)


def with_tools_path(env: dict[str, str] | None = None) -> dict[str, str]:
    """*env* (default: this process's) with tools/ on PYTHONPATH, so `python -m bench...` runs in a child process also
    where the project is installed rather than editable (tools/ is never shipped)."""
    env = dict(os.environ if env is None else env)
    tools = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (tools, env.get("PYTHONPATH", "")) if p)
    return env


@contextlib.contextmanager
def running(command: list[str], *, timeout: float = READY_SECONDS) -> Iterator[Server]:
    """Start a server process, read its `... at http://...` line, wait until it answers, stop it on exit."""
    # The documented default credentials, whatever DEPLOYHQ_* the caller's shell holds.
    env = with_tools_path({name: value for name, value in os.environ.items() if not name.startswith("DEPLOYHQ_")})
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if " at http://" not in line:
                described = " ".join(command[1:3])[:60]
                raise NotMeasured(f"{described} did not start: its first line was {line.strip()!r}")
            url = line.rsplit(" at ", 1)[1].strip()
            # The line is printed once the socket listens, before the server's loop runs: timing starts at an answer.
            wait_until_answering(url, timeout=timeout, process=process)
            yield Server(url, process)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
