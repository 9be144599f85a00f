"""Stoplight Prism, pinned: installed with npm into a cache folder, run as a validating proxy, always stopped."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PACKAGE", "VERSION", "PrismUnavailableError", "executable", "install", "installed_version", "proxy"]

PACKAGE = "@stoplight/prism-cli"
# Pinned: 5.16.0 never answers a JSON request whose body does not parse (the suite sends such bodies), and
# 5.15 and later declare Node.js 24 as their engine.
VERSION = "5.14.2"
# Prism's only install script is a telemetry postinstall (@scarf/scarf): never run it, and say no anyway.
_QUIET = {
    "SCARF_ANALYTICS": "false",
    "DO_NOT_TRACK": "1",
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
}
_LISTENING = "Prism is listening on "


class PrismUnavailableError(Exception):
    """Prism cannot be installed or started here; the message says why and what to do."""


def executable(directory: Path) -> Path:
    """Where npm puts the `prism` command of an install under *directory*."""
    return directory / "node_modules" / ".bin" / "prism"


def installed_version(directory: Path) -> str | None:
    """The version of Prism installed under *directory*, or None when there is none."""
    manifest = directory / "node_modules" / PACKAGE / "package.json"
    try:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None
    return version if isinstance(version, str) and executable(directory).exists() else None


def install(directory: Path, *, timeout: float = 300.0) -> Path:
    """The `prism` command of the pinned version under *directory*, installed with npm unless it is there.

    Node.js is checked first, installed or not: an installed Prism cannot start without it.
    """
    if shutil.which("node") is None:
        raise PrismUnavailableError(
            f"node not found on PATH: the second judge runs Stoplight Prism {VERSION}, a Node.js program; "
            "install Node.js 18.20 or later (with npm) and run it again"
        )
    if installed_version(directory) == VERSION:
        return executable(directory)
    npm = shutil.which("npm")
    if npm is None:
        raise PrismUnavailableError(
            f"npm not found on PATH: it installs Stoplight Prism {VERSION} (into {directory}); "
            "install npm (it comes with Node.js) and run it again"
        )
    directory.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(directory), "--save-exact", "--ignore-scripts", "--no-audit",
               "--no-fund", "--loglevel=error", f"{PACKAGE}@{VERSION}"]  # fmt: skip
    try:
        result = subprocess.run(
            command, env={**os.environ, **_QUIET}, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise PrismUnavailableError(f"npm install {PACKAGE}@{VERSION} took longer than {timeout:g} s") from None
    found = installed_version(directory)
    if result.returncode != 0 or found != VERSION:
        said = _tail(result.stderr or result.stdout)
        raise PrismUnavailableError(
            f"npm install {PACKAGE}@{VERSION} into {directory} failed (exit {result.returncode}, "
            f"found version {found or 'none'}): {said or 'npm said nothing'}"
        )
    return executable(directory)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def proxy(prism: Path, spec: Path, upstream: str, log: Path, *, port: int = 0, timeout: float = 60.0) -> Iterator[str]:
    """`prism proxy` for *spec* in front of *upstream* on a loopback port, logging to *log*; yields its URL.

    Without `--errors`: every request reaches *upstream* as sent (negative cases included), and Prism only
    records what it finds wrong, as `Violation: request...` and `Violation: response...` lines in its log.
    Prism is stopped when the block ends, whatever ends it.
    """
    port = port or free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [str(prism), "proxy", "--host", "127.0.0.1", "--port", str(port), str(spec), upstream]
    # FORCE_COLOR=0: plain text in the log whatever the CI's terminal settings, so it can be read and grepped.
    env = {**os.environ, **_QUIET, "FORCE_COLOR": "0"}
    with log.open("wb") as output:
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env
            )
        except OSError as error:
            raise PrismUnavailableError(f"cannot run {prism}: {error.strerror or error}") from None
        try:
            _wait_until_listening(process, log, port, timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            _settle(log, process)
            _stop(process)


def _wait_until_listening(process: subprocess.Popen[bytes], log: Path, port: int, timeout: float) -> None:
    # Prism's own line, not a TCP probe: another process on the port would answer a probe while Prism fails.
    expected = f"{_LISTENING}http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(encoding="utf-8", errors="replace")
        if expected in text:
            return
        code = process.poll()
        if code is not None:
            raise PrismUnavailableError(f"Prism exited ({code}) before listening on port {port}: {_tail(text)}")
        if time.monotonic() > deadline:
            raise PrismUnavailableError(f"Prism was not listening on port {port} after {timeout:g} s: {_tail(text)}")
        time.sleep(0.05)


def _settle(log: Path, process: subprocess.Popen[bytes], quiet: float = 0.5, longest: float = 10.0) -> None:
    # Prism writes its log after it has answered, asynchronously; stopped at once, it would lose the lines
    # (violations included) of the last answers. Wait until the log has not grown for *quiet* seconds.
    deadline = time.monotonic() + longest
    size, since = -1, time.monotonic()
    while process.poll() is None and time.monotonic() < deadline:
        current = log.stat().st_size
        if current != size:
            size, since = current, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])
