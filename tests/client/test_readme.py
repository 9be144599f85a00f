"""README.md's client snippets: short, and they work as printed against the reference server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from deployhq_sandbox.__main__ import main as deployhq_sandbox
from deployhq_users import DEFAULT_TIMEOUT, get_user, list_users

README = Path(__file__).resolve().parents[2] / "README.md"
PRINTED_URL = "http://127.0.0.1:8000"


def snippet(heading: str, level: str = "##") -> str:
    """The first python code block of the README section *heading* (a `##` one, or `###` with *level*)."""
    section = README.read_text(encoding="utf-8").split(f"\n{level} {heading}\n", 1)[1]
    section = re.split(r"\n##+ ", section, maxsplit=1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, f"no python block under '{level} {heading}'"
    return match.group(1)


def test_the_invite_snippet_is_at_most_five_lines():
    """The README shows inviting a user in five lines of code or fewer."""
    assert len([line for line in snippet("Invite a user").splitlines() if line.strip()]) <= 5


@pytest.mark.slow
def test_the_invite_snippet_runs_against_the_reference_server(served, monkeypatch):
    """Run as printed, but at the test server's port, the snippet creates the user and closes the client."""
    for name in ("DEPLOYHQ_ACCOUNT", "DEPLOYHQ_BASE_URL", "DEPLOYHQ_EMAIL", "DEPLOYHQ_API_KEY", "DEPLOYHQ_HOST"):
        monkeypatch.delenv(name, raising=False)
    code = snippet("Invite a user")
    assert 1 == code.count(PRINTED_URL)  # the port `deployhq-sandbox --port 8000` serves on, as the README says
    namespace: dict[str, Any] = {}
    exec(compile(code.replace(PRINTED_URL, served.base_url), str(README), "exec"), namespace)
    with served.connect() as client:
        stored = {user.email_address: user for user in list_users(client)}
    invited = namespace["user"]
    assert stored["jane@example.com"].to_dict() == invited.to_dict()
    assert ("Jane", False, True) == (
        invited.first_name, invited.activated, namespace["client"].get_httpx_client().is_closed
    )  # fmt: skip


def test_the_default_timeout_is_the_one_stated():
    """The README states connect()'s default timeout as it is: one for reading, writing and the pool; one to connect."""
    stated = re.search(
        r"has a timeout of (\d+) s, (\d+) s to connect", " ".join(README.read_text(encoding="utf-8").split())
    )
    assert stated is not None, "the README no longer states the default timeout"
    phases = (DEFAULT_TIMEOUT.read, DEFAULT_TIMEOUT.write, DEFAULT_TIMEOUT.pool, DEFAULT_TIMEOUT.connect)
    assert (float(stated[1]),) * 3 + (float(stated[2]),) == phases


CHANGE = "Change a user, resend an invitation"


def test_the_change_snippet_is_at_most_eight_lines():
    """The README shows changing a user and resending an invitation in eight lines of code or fewer."""
    assert len([line for line in snippet(CHANGE, "###").splitlines() if line.strip()]) <= 8


@pytest.mark.slow
def test_the_change_snippet_runs_after_the_invite_snippet(served, monkeypatch, capsys):
    """After the invite snippet, the change snippet changes what it names and resends; once accepted, it says so."""
    for name in ("DEPLOYHQ_ACCOUNT", "DEPLOYHQ_BASE_URL", "DEPLOYHQ_EMAIL", "DEPLOYHQ_API_KEY", "DEPLOYHQ_HOST"):
        monkeypatch.delenv(name, raising=False)
    namespace: dict[str, Any] = {}
    invite, change = (
        compile(snippet(heading, level).replace(PRINTED_URL, served.base_url), str(README), "exec")
        for heading, level in (("Invite a user", "##"), (CHANGE, "###"))
    )
    exec(invite, namespace)
    exec(change, namespace)
    pending = capsys.readouterr().out
    accepted = deployhq_sandbox(["activate", "jane@example.com", "--database", str(served.database)])
    capsys.readouterr()
    exec(change, namespace)
    with served.connect() as client:
        stored = get_user(client, namespace["user"].identifier)
    changes = {"can_create_projects": True, "time_zone": "Europe/London", "activated": True}
    assert ({**namespace["user"].to_dict(), **changes}, "", 0, "jane@example.com has already accepted\n") == (
        stored.to_dict(), pending, accepted, capsys.readouterr().out
    )  # fmt: skip


@pytest.mark.slow
def test_the_async_snippet_runs_twice_against_the_reference_server(served, monkeypatch, capsys):
    """The async snippet, run as printed with only environment variables set, lists the users from both runs."""
    for name in ("DEPLOYHQ_ACCOUNT", "DEPLOYHQ_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEPLOYHQ_BASE_URL", served.base_url)
    monkeypatch.setenv("DEPLOYHQ_EMAIL", served.email)
    monkeypatch.setenv("DEPLOYHQ_API_KEY", served.api_key)
    exec(compile(snippet("Async calls, and closing the client", "###"), str(README), "exec"), {})
    assert "3 users\n3 users\n" == capsys.readouterr().out
