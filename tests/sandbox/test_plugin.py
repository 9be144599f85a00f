"""The pytest plugin as a user meets it: inert in a plain run, the README's example passing from a folder outside the
repository, and the onboarding example's own tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PLAIN = '''
import sys
import threading


def test_plain(request):
    """Nothing of the server is imported or started, yet the plugin is registered."""
    assert request.config.pluginmanager.has_plugin("deployhq_sandbox")
    servers = [t.name for t in threading.enumerate() if t.name.startswith("deployhq-sandbox")]
    assert (["pytest_deployhq_sandbox"], [], []) == (
        # The judge's options plugin (deployhq_contract.options) is registered too, and may import the client.
        [name for name in sys.modules if "sandbox" in name],
        [name for name in ("starlette", "uvicorn") if name in sys.modules],
        servers,
    )
'''

WITHOUT_THE_EXTRA = '''
import sys


class NoStarlette:
    """As if deployhq-users were installed without the [sandbox] extra."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "starlette":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoStarlette())
'''


ASYNC_LEFT_OPEN = """
import gc

import pytest
from deployhq_client.models import UserInvitation
from deployhq_users import invite_user_async, list_users


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_async_call_without_closing_the_client(deployhq_sandbox):
    await invite_user_async(deployhq_sandbox.client, UserInvitation(first_name="J", email_address="j@example.com"))


def test_later(deployhq_sandbox):
    gc.collect()  # where a connection left open by the test before would warn
    assert 3 == len(list_users(deployhq_sandbox.client))
"""


def readme_snippet() -> str:
    """The first Python block of the README's "Testing your code" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Testing your code\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Testing your code section has no Python example"
    return match.group(1)


def pytest_in(folder: Path, *arguments: str, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    """pytest run in *folder*, as a user's own project would run it: no repository on the path, no DEPLOYHQ_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYHQ_", "PYTHONPATH", "PYTEST_"))}
    return subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_plain_run_is_untouched(tmp_path: Path) -> None:
    """A test run that never asks for the fixture imports nothing of the server and starts nothing."""
    (tmp_path / "test_plain.py").write_text(PLAIN)
    result = pytest_in(tmp_path)
    assert (0, "1 passed") == (result.returncode, result.stdout.strip().splitlines()[-1].split(" in ")[0])


def test_without_the_extra_only_the_fixture_fails_saying_what_to_install(tmp_path: Path) -> None:
    """Without the reference server's packages a plain test still passes; the fixture's test errors with one line."""
    (tmp_path / "conftest.py").write_text(WITHOUT_THE_EXTRA)
    (tmp_path / "test_mixed.py").write_text(
        "def test_plain():\n    pass\n\n\ndef test_sandbox(deployhq_sandbox):\n    pass\n"
    )
    result = pytest_in(tmp_path)
    assert (1, True, True, False) == (
        result.returncode,
        "1 passed, 1 error" in result.stdout,
        "pip install 'deployhq-users[sandbox]'" in result.stdout,
        "Traceback" in result.stdout,
    )


def test_an_async_test_leaves_no_connection_open(tmp_path: Path) -> None:
    """An async test that never closes the fixture's client leaves nothing for `-W error` to turn into an error."""
    (tmp_path / "test_async.py").write_text(ASYNC_LEFT_OPEN)
    result = pytest_in(tmp_path, "-W", "error", "-p", "no:randomly")
    assert (0, "2 passed") == (result.returncode, result.stdout.strip().splitlines()[-1].split(" in ")[0]), (
        result.stdout
    )


def test_the_readme_example_passes_outside_the_repository(tmp_path: Path) -> None:
    """The README's example, copied alone into a folder outside the repository, passes against the installed package."""
    snippet = readme_snippet()
    (tmp_path / "test_onboarding.py").write_text(snippet)
    result = pytest_in(tmp_path)
    tests = snippet.count("\ndef test_")
    assert (0, f"{tests} passed") == (result.returncode, result.stdout.strip().splitlines()[-1].split(" in ")[0])


def test_the_onboarding_example_passes(tmp_path: Path) -> None:
    """docs/examples/test_onboarding.py, the integrator's tests of docs/examples/onboarding.py, pass."""
    # The file, not the folder: docs/examples/own_promises/ holds promises for the judge, not plain tests.
    result = pytest_in(ROOT, "docs/examples/test_onboarding.py", "-p", "no:randomly")
    assert (0, True) == (result.returncode, " passed" in result.stdout and "failed" not in result.stdout), result.stdout


def test_the_readme_example_passes_in_a_fresh_install(tmp_path: Path) -> None:
    """`pip install ".[sandbox]" pytest` into a new virtual environment, then the README's example from elsewhere."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-compile", f"{ROOT}[sandbox]", "pytest"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert 0 == install.returncode, install.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    snippet = readme_snippet()
    (elsewhere / "test_onboarding.py").write_text(snippet)
    result = pytest_in(elsewhere, python=python)
    tests = snippet.count("\ndef test_")
    assert (0, f"{tests} passed") == (result.returncode, result.stdout.strip().splitlines()[-1].split(" in ")[0])
