""".ci/run and the browser install it starts with: what it installs, and what it says where it cannot.

The install script runs for real, with PATH holding only stand-ins for the system's tools (`id`, `apt-get`, the
browser), each recording how it was called: the script's own decisions are what is tested, and nothing is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CI_RUN = ROOT / ".ci" / "run"
INSTALL = ROOT / ".ci" / "install-browser"
PACKAGES = "chromium chromium-driver fonts-liberation"
BASH = shutil.which("bash") or "/bin/bash"


def stand_in(bin_dir: Path, name: str, body: str) -> None:
    """An executable *name* in *bin_dir* running the bash *body*."""
    path = bin_dir / name
    path.write_text(f"#!{BASH}\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def install_browser(
    tmp_path: Path, *, uid: int = 0, apt_get: int | None = 0, browser: bool = False
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run .ci/install-browser on a PATH of stand-ins; *apt_get* is its exit code, None for no apt-get at all."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "apt-get-calls.txt"
    bin_dir.mkdir()
    stand_in(bin_dir, "id", f'[ "$1" = -u ] && echo {uid}')
    if apt_get is not None:
        stand_in(bin_dir, "apt-get", f'echo "$*" >> "{calls}"; exit {apt_get}')
    if browser:
        stand_in(bin_dir, "chromium", "exit 0")
        stand_in(bin_dir, "chromedriver", "exit 0")
    result = subprocess.run(
        [BASH, str(INSTALL)], env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30, check=False
    )
    return result, calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []


def test_ci_run_installs_the_browser_then_runs_nox() -> None:
    """.ci/run starts with the browser install and ends with nox's default sessions, the README's test command."""
    commands = [line for line in CI_RUN.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert ("python3 -m nox --error-on-missing-interpreters", True) == (
        commands[-1],
        "bash .ci/install-browser" in commands[:-1],
    )


def test_root_without_a_browser_installs_debians_packages(tmp_path: Path) -> None:
    """As root with apt-get and no browser, it updates the lists and installs Chromium, its driver and fonts."""
    result, calls = install_browser(tmp_path)
    assert (0, ["update -qq", f"install -y -qq --no-install-recommends {PACKAGES}"]) == (result.returncode, calls)


def test_an_installed_browser_is_left_alone(tmp_path: Path) -> None:
    """With Chromium and chromedriver on PATH it does nothing and prints nothing."""
    result, calls = install_browser(tmp_path, browser=True)
    assert (0, [], "") == (result.returncode, calls, result.stdout + result.stderr)


@pytest.mark.parametrize(
    ("situation", "says"),
    [
        pytest.param({"apt_get": None}, "apt-get was not found", id="no apt-get"),
        pytest.param({"uid": 1000}, f"run 'sudo apt-get install -y --no-install-recommends {PACKAGES}'", id="not root"),
        pytest.param({"apt_get": 100}, f"apt-get could not install {PACKAGES}", id="apt-get fails"),
    ],
)
def test_a_machine_that_cannot_install_gets_a_clear_message(
    tmp_path: Path, situation: dict[str, Any], says: str
) -> None:
    """Where it cannot install, it says why and what to do, and lets the run go on (the test itself decides)."""
    result, _ = install_browser(tmp_path, **situation)
    assert (0, True) == (result.returncode, says in result.stderr), result.stderr


def test_not_root_sends_nothing_to_apt_get(tmp_path: Path) -> None:
    """A user who is not root is told what to run; apt-get is never called."""
    _, calls = install_browser(tmp_path, uid=1000)
    assert [] == calls
