"""Prism, pinned and installed with npm, in front of real servers: what reaches them, what its log says."""

from __future__ import annotations

import base64
import contextlib
import shutil
import socket
from pathlib import Path

import httpx
import pytest

from deployhq_sandbox import Accounts
from second_judge.prism import VERSION, PrismUnavailableError, install, installed_version, proxy
from second_judge.run import SPEC
from second_judge.verdicts import PrismLog

from .conftest import served

pytestmark = pytest.mark.slow  # each test starts Prism (about a second)
ADMIN = Accounts.defaults().administrator
INVITATION = {"user": {"first_name": "Ada", "email_address": "ada@example.com"}}


def invite_and_read(base_url: str, auth: tuple[str, str] = (ADMIN.email, ADMIN.api_key)) -> list[httpx.Response]:
    """An invitation, the user read back, and the list: three requests every server implements."""
    with httpx.Client(base_url=base_url, auth=auth, headers={"Accept": "application/json"}, timeout=10) as http:
        created = http.post("/users", json=INVITATION)
        identifier = created.json().get("identifier", "unknown")
        return [created, http.get(f"/users/{identifier}"), http.get("/users")]


def refused(port: int) -> bool:
    """Whether nothing listens on *port* any more."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_install_gives_the_pinned_version_and_reuses_it(prism: Path) -> None:
    """The installed Prism is the pinned version, and a second install reuses it without running npm."""
    directory = prism.parent.parent.parent
    manifest = directory / "package.json"
    before = manifest.stat().st_mtime_ns

    assert prism == install(directory)
    assert VERSION == installed_version(directory)
    assert before == manifest.stat().st_mtime_ns


def test_install_without_nodejs_says_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Node.js is missing, install() says so and what to do, and creates nothing."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(PrismUnavailableError, match=r"node not found on PATH.*install Node\.js"):
        install(tmp_path / "prism")
    assert not (tmp_path / "prism").exists()


def test_installed_prism_without_nodejs_is_refused(prism: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed Prism is not offered where Node.js is missing: it could not start."""
    monkeypatch.setenv("PATH", str(prism.parent / "empty"))

    with pytest.raises(PrismUnavailableError, match="node not found on PATH"):
        install(prism.parent.parent.parent)


def test_another_installed_version_is_not_used(prism: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An install of another Prism version is not taken for the pinned one: install() goes to npm to replace it."""
    directory = tmp_path / "prism"
    manifest = directory / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"version": "5.16.0"}', encoding="utf-8")
    (directory / "node_modules" / ".bin").mkdir()
    (directory / "node_modules" / ".bin" / "prism").symlink_to(prism)
    # Node.js but no npm on PATH: replacing it fails at once, saying npm is what is missing.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "node").symlink_to(str(shutil.which("node")))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    assert "5.16.0" == installed_version(directory)
    with pytest.raises(PrismUnavailableError, match=rf"npm not found on PATH: it installs Stoplight Prism {VERSION}"):
        install(directory)


def test_answers_that_keep_the_contract_raise_no_violation(prism: Path, tmp_path: Path) -> None:
    """The reference server's answers pass through Prism unchanged, and its log has no response violation."""
    log = tmp_path / "prism.log"
    with served("faithful", tmp_path / "users.sqlite3") as (upstream, app), proxy(prism, SPEC, upstream, log) as url:
        answers = invite_and_read(url)

    assert [201, 200, 200] == [answer.status_code for answer in answers]
    assert 3 == app.count
    found = PrismLog.read(log)
    assert (3, 0, 0) == (found.forwarded, found.response_violations, found.request)


@pytest.mark.parametrize(
    ("variant", "where", "message"),
    [
        ("field-missing", "response.body", "Response body must have required property 'time_zone'"),
        ("id-mistyped", "response.body.id", "Response body property id must be integer"),
    ],
)
def test_schema_fault_is_a_response_violation(
    prism: Path, tmp_path: Path, variant: str, where: str, message: str
) -> None:
    """A variant whose invitation answer breaks the schema gets exactly one response.body error in Prism's log."""
    log = tmp_path / "prism.log"
    with served(variant, tmp_path / "users.sqlite3") as (upstream, _), proxy(prism, SPEC, upstream, log) as url:
        invite_and_read(url)

    found = PrismLog.read(log)
    assert [("error", where, message)] == [(v.severity, v.where, v.message) for v in found.response]
    assert 1 == found.response_violations


def test_body_that_is_not_json_never_reaches_the_server(prism: Path, tmp_path: Path) -> None:
    """Prism answers a JSON body that does not parse with its own 400 and never forwards it (see deselect.py)."""
    log = tmp_path / "prism.log"
    with served("faithful", tmp_path / "users.sqlite3") as (upstream, app), proxy(prism, SPEC, upstream, log) as url:
        answer = httpx.post(
            f"{url}/users", content=b'{"user": ', auth=(ADMIN.email, ADMIN.api_key),
            headers={"Content-Type": "application/json"}, timeout=10,
        )  # fmt: skip

    assert (400, "invalid_json") == (answer.status_code, answer.json()["error"]["code"])
    assert 0 == app.count


@pytest.mark.parametrize("fails", [False, True], ids=["block ends", "block raises"])
def test_prism_is_stopped_when_the_block_ends(prism: Path, tmp_path: Path, fails: bool) -> None:
    """Prism stops listening when the block ends, also when it ends with an exception."""
    ports = []
    with (
        served("faithful", tmp_path / "users.sqlite3") as (upstream, _),
        contextlib.suppress(RuntimeError),
        proxy(prism, SPEC, upstream, tmp_path / "prism.log") as url,
    ):
        ports.append(int(url.rsplit(":", 1)[1]))
        assert not refused(ports[0])
        if fails:
            raise RuntimeError("the run failed")

    assert refused(ports[0])


def test_port_taken_is_a_clear_error(prism: Path, tmp_path: Path) -> None:
    """Asked for a port another process listens on, proxy() says Prism could not listen there, with its reason."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(PrismUnavailableError, match=rf"exited \(1\) before listening on port {port}.*EADDRINUSE"),
            proxy(prism, SPEC, "http://127.0.0.1:9", tmp_path / "prism.log", port=port),
        ):
            pass


def test_missing_prism_command_is_a_clear_error(tmp_path: Path) -> None:
    """A Prism command that does not exist is refused with its path, not a traceback from subprocess."""
    missing = tmp_path / "no-prism"
    with (
        pytest.raises(PrismUnavailableError, match=rf"cannot run {missing}"),
        proxy(missing, SPEC, "http://127.0.0.1:9", tmp_path / "prism.log"),
    ):
        pass


def test_server_that_never_answers_is_no_judged_answer(prism: Path, tmp_path: Path) -> None:
    """Behind Prism a closed port gives Prism's own 500, logged as terminated: nothing judged, nothing passed."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        upstream = f"http://127.0.0.1:{closed.getsockname()[1]}"
    log = tmp_path / "prism.log"
    with proxy(prism, SPEC, upstream, log) as url:
        answers = invite_and_read(url)

    assert [500, 500, 500] == [answer.status_code for answer in answers]
    found = PrismLog.read(log)
    assert (0, 3, 0) == (found.forwarded, found.terminated, found.response_violations)


def test_log_never_shows_an_api_key(prism: Path, tmp_path: Path) -> None:
    """Prism's log holds no key, raw, as `email:key` or as the Basic auth header's base64, right or wrong."""
    canary = "canary-4f1c9a7e2b6d8035-do-not-print-0000"
    accounts = Accounts.from_env({"DEPLOYHQ_EMAIL": "ops@example.com", "DEPLOYHQ_API_KEY": canary})
    log = tmp_path / "prism.log"
    with (
        served("faithful", tmp_path / "users.sqlite3", accounts) as (upstream, _),
        proxy(prism, SPEC, upstream, log) as url,
    ):
        accepted = invite_and_read(url, ("ops@example.com", canary))
        wrong = invite_and_read(url, ("ops@example.com", canary[::-1]))

    assert [201, 401] == [accepted[0].status_code, wrong[0].status_code]
    text = log.read_text(encoding="utf-8")
    for key in (canary, canary[::-1]):
        pair = f"ops@example.com:{key}"
        assert [] == [secret for secret in (key, pair, base64.b64encode(pair.encode()).decode()) if secret in text]
