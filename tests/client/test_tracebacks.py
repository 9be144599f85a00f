"""A failing call under pytest's most talkative options shows no API key, whatever the target echoes back."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import API_KEY, EMAIL, SECRETS

pytestmark = pytest.mark.slow

# A target that answers 200 with the caller's credentials where the spec has a user: the body is no list of users,
# so the call raises; its traceback is printed with every local of every frame.
TEST = textwrap.dedent(
    f"""
    import httpx
    from deployhq_users import connect, get_user, list_users

    def answer(request):
        echoed = request.headers["authorization"] + " {EMAIL}:{API_KEY}"
        return httpx.Response(200, json=[{{"identifier": echoed, "first_name": "{API_KEY}"}}], request=request)

    def client():
        return connect(base_url="https://acme.deployhq.com", email="{EMAIL}", api_key="{API_KEY}", env={{}},
                       transport=httpx.MockTransport(answer))

    def test_list():
        list_users(client())

    def test_get():
        get_user(client(), "3f2c8a1e-9b7d-4c6e-8f1a-2b3c4d5e6f70")
    """
)


@pytest.mark.parametrize("options", [["-l", "--tb=long", "-vv"], ["-l", "--full-trace", "-rA"]], ids=" ".join)
def test_an_echoed_key_stays_out_of_tracebacks(tmp_path: Path, options: list[str]) -> None:
    """Both calls fail with an UnexpectedResponseError; neither the key nor its Basic form appears in the output."""
    (tmp_path / "test_echo.py").write_text(TEST, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *options, str(tmp_path / "test_echo.py")],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    output = result.stdout + result.stderr
    failed = [line for line in output.splitlines() if line.startswith("FAILED test_echo.py::")]
    assert (1, 2, True) == (result.returncode, len(failed), "UnexpectedResponseError: " in output), output[-3000:]
    assert [] == [secret for secret in SECRETS if secret in output]
