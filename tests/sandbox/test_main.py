"""The `deployhq-sandbox` CLI: what it prints, Ctrl-C, and that a SIGKILL loses no answered invitation."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from deployhq_sandbox import Accounts, create_app
from deployhq_sandbox.__main__ import _exposure
from deployhq_sandbox._config import (
    DEFAULT_ADMIN_API_KEY,
    DEFAULT_ADMIN_EMAIL,
    DEFAULT_MANAGER_API_KEY,
    DEFAULT_MANAGER_EMAIL,
)

from .conftest import ROOT, ServerProcess, files, free_port, make_database

StartServer = Callable[..., ServerProcess]
ADMIN = (DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_API_KEY)


@pytest.mark.slow
def test_prints_url_and_default_credentials_and_stops_on_ctrl_c(database: Path, start_server: StartServer) -> None:
    """The CLI prints its URL and that it uses the documented defaults, and exits 0 on SIGINT."""
    server = start_server(database)
    server.wait_ready()
    server.process.send_signal(signal.SIGINT)
    stdout, stderr = server.process.communicate(timeout=15)
    assert (server.process.returncode, "Traceback" in stderr) == (0, False)
    assert f"at {server.base_url}" in stdout
    assert f"administrator: {DEFAULT_ADMIN_EMAIL} (from the documented default)" in stdout
    assert "API key: from the documented default" in stdout


@pytest.mark.slow
def test_never_prints_a_key_from_the_environment(database: Path, start_server: StartServer) -> None:
    """With DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY set, the CLI names the variables, never the key, and accepts them."""
    key = "k" * 40
    server = start_server(database, env={"DEPLOYHQ_EMAIL": "owner@example.org", "DEPLOYHQ_API_KEY": key})
    server.wait_ready()
    status = httpx.get(f"{server.base_url}/users", auth=("owner@example.org", key)).status_code
    server.process.send_signal(signal.SIGINT)
    stdout, stderr = server.process.communicate(timeout=15)
    assert (status, key in stdout + stderr) == (200, False)
    assert "administrator: owner@example.org (from DEPLOYHQ_EMAIL)" in stdout
    assert "API key: from DEPLOYHQ_API_KEY" in stdout


@pytest.mark.slow
def test_busy_port_is_a_clear_error(database: Path, start_server: StartServer) -> None:
    """A port already in use exits 1 with a message, not a traceback."""
    first = start_server(database)
    first.wait_ready()
    port = int(first.base_url.rsplit(":", 1)[1])
    second = start_server(database.with_name("other.sqlite3"), port=port)
    _stdout, stderr = second.process.communicate(timeout=15)
    assert (second.process.returncode, "cannot listen" in stderr, "Traceback" in stderr) == (1, True, False)
    assert not database.with_name("other.sqlite3").exists()


@pytest.mark.slow
def test_sigkill_loses_no_answered_invitation(database: Path, start_server: StartServer) -> None:
    """Every invitation answered 201 before a SIGKILL is still there after a restart on the same file."""
    server = start_server(database)
    server.wait_ready()
    created: list[dict[str, object]] = []
    lock = threading.Lock()
    enough = threading.Event()

    def invite_until_killed(worker: int) -> None:
        with httpx.Client(base_url=server.base_url, auth=ADMIN, timeout=10) as http:
            for number in range(100_000):
                body = {"user": {"first_name": "Durable", "email_address": f"d-{worker}-{number}@example.com"}}
                try:
                    response = http.post("/users", json=body)
                except httpx.TransportError:
                    return  # killed: this invitation's outcome is unknown, and nothing was promised
                assert response.status_code == 201
                with lock:
                    created.append(response.json())
                    if len(created) >= 300:
                        enough.set()

    threads = [threading.Thread(target=invite_until_killed, args=(worker,)) for worker in range(16)]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=60)
    server.process.kill()  # SIGKILL, in the middle of the burst
    for thread in threads:
        thread.join(timeout=30)

    restarted = start_server(database)
    restarted.wait_ready()
    with httpx.Client(base_url=restarted.base_url, auth=ADMIN, timeout=10) as http:
        found = [http.get(f"/users/{user['identifier']}").json() for user in created]
    assert found == created


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m deployhq_sandbox ARGS` from the checkout, to completion, with the credential variables of *env*
    (none of the test run's own)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DEPLOYHQ_EMAIL", "DEPLOYHQ_API_KEY"}}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "deployhq_sandbox", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_activate_marks_an_invitation_accepted_while_the_server_runs(database: Path, start_server: StartServer) -> None:
    """`deployhq-sandbox activate ADDRESS` makes a pending invitation activated, seen at once by the running server."""
    server = start_server(database)
    server.wait_ready()
    with httpx.Client(base_url=server.base_url, auth=ADMIN, timeout=10) as http:
        user = http.post("/users", json={"user": {"first_name": "Jane", "email_address": "jane@example.com"}}).json()
        result = run_cli("activate", "JANE@example.com", "--database", str(database))
        read = http.get(f"/users/{user['identifier']}").json()
        resend = http.post(f"/users/{user['identifier']}/resend_invitation")
    assert (0, "", True, 422) == (result.returncode, result.stderr, read["activated"], resend.status_code)
    assert f"jane@example.com ({user['identifier']}) has accepted the invitation" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["activate", "nobody@example.com"], "no user has the address nobody@example.com"),
        (["activate", "nobody@example.com", "--database", "missing.sqlite3"], "no database file"),
    ],
)
def test_activate_refuses_what_it_cannot_do(database: Path, args: list[str], message: str) -> None:
    """An unknown address or a missing file exits 1 with a message naming it, and creates no file."""
    create_app(database, accounts=Accounts.defaults()).state.store.close()
    if "--database" not in args:
        args = [*args, "--database", str(database)]
    else:
        args = [arg if arg != "missing.sqlite3" else str(database.with_name("missing.sqlite3")) for arg in args]
    result = run_cli(*args)
    assert (1, True, False, False) == (
        result.returncode,
        message in result.stderr,
        "Traceback" in result.stderr,
        database.with_name("missing.sqlite3").exists(),
    )


def test_activate_needs_an_address() -> None:
    """`activate` without an address is a usage error (exit 2) naming ADDRESS."""
    result = run_cli("activate")
    assert (2, True) == (result.returncode, "ADDRESS" in result.stderr)


def refusal(result: subprocess.CompletedProcess[str]) -> tuple[int, int, bool]:
    """(exit code, lines on stderr, whether a traceback was printed) of a refused start."""
    return result.returncode, len(result.stderr.splitlines()), "Traceback" in result.stderr


def test_an_email_variable_the_api_would_refuse_stops_the_start(database: Path) -> None:
    """DEPLOYHQ_EMAIL="not an address" exits 1 naming the variable, never the key, and creates no file."""
    key = "k3y-that-must-never-show-0000000000000000"
    result = run_cli(
        "--port", "0", "--database", str(database), env={"DEPLOYHQ_EMAIL": "not an address", "DEPLOYHQ_API_KEY": key}
    )
    assert ((1, 1, False), True, False, False) == (
        refusal(result),
        "DEPLOYHQ_EMAIL is not an email address the API accepts" in result.stderr,
        key in result.stdout + result.stderr,
        database.exists(),
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-body-bytes", "0"),
        ("--max-body-bytes", "-1"),
        ("--max-body-bytes", "1e3"),
        ("--port", "-1"),
        ("--port", "70000"),
        ("--port", "http"),
    ],
)
def test_an_option_out_of_range_is_a_usage_error(database: Path, option: str, value: str) -> None:
    """A body limit below 1 or a port outside 0-65535 is exit 2 naming the option, and creates no file."""
    result = run_cli(option, value, "--database", str(database), *(["--port", "0"] if option != "--port" else []))
    assert (2, True, False, False) == (
        result.returncode,
        f"argument {option}: must be" in result.stderr,
        "Traceback" in result.stderr,
        database.exists(),
    )


def test_a_busy_port_creates_no_file(database: Path) -> None:
    """A port that cannot be bound is refused before the database file is created."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("--port", str(taken.getsockname()[1]), "--database", str(database))
    assert ((1, 1, False), False) == (refusal(result), database.exists())


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing folder", "cannot be created: its folder {parent} does not exist"),
        ("folder", "is a folder, not a file"),
        ("not SQLite", "is not a SQLite database"),
        ("another SQLite database", "is a SQLite database of something else"),
        ("a newer version", "was written by deployhq-sandbox 9.1.0 (schema version 2); this deployhq-sandbox"),
    ],
)
def test_a_database_the_server_cannot_use_stops_the_start(tmp_path: Path, kind: str, message: str) -> None:
    """A --database the server cannot use is one line naming the path, exit 1, and nothing created or changed."""
    path = make_database(tmp_path, kind)
    before = files(tmp_path)
    result = run_cli("--port", "0", "--database", str(path))
    expected = f"deployhq-sandbox: the database {path} {message.format(parent=path.parent)}"
    assert ((1, 1, False), True, before) == (refusal(result), expected in result.stderr, files(tmp_path))


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("folder", "is a folder, not a file"),
        ("empty", "is not a deployhq-sandbox database: it holds no users"),
        ("not SQLite", "is not a SQLite database"),
        ("another SQLite database", "is a SQLite database of something else"),
    ],
)
def test_activate_refuses_a_file_that_is_not_a_sandbox_database(tmp_path: Path, kind: str, message: str) -> None:
    """`activate` on a folder, an empty file, or another file is one line naming the path, exit 1, nothing changed."""
    path = make_database(tmp_path, kind)
    before = files(tmp_path)
    result = run_cli("activate", "ada@example.com", "--database", str(path))
    expected = f"deployhq-sandbox activate: the database {path} {message}"
    assert ((1, 1, False), True, before) == (refusal(result), expected in result.stderr, files(tmp_path))


def test_activate_in_a_missing_folder_is_no_database_file(tmp_path: Path) -> None:
    """`activate --database` into a folder that does not exist says there is no such file, and creates nothing."""
    path = make_database(tmp_path, "missing folder")
    result = run_cli("activate", "ada@example.com", "--database", str(path))
    assert ((1, 1, False), f"deployhq-sandbox activate: no database file {path}\n", {}) == (
        refusal(result),
        result.stderr,
        files(tmp_path),
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--header-timeout", "0"),
        ("--body-timeout", "-1"),
        ("--keep-alive-timeout", "nan"),
        ("--max-connections", "0"),
    ],
)
def test_a_limit_that_is_not_above_zero_is_a_usage_error(database: Path, option: str, value: str) -> None:
    """A timeout or a connection cap that is not above 0 is exit 2 naming the option, and creates no file."""
    result = run_cli(option, value, "--database", str(database), "--port", "0")
    assert (2, True, False, False) == (
        result.returncode,
        f"argument {option}: must be" in result.stderr,
        "Traceback" in result.stderr,
        database.exists(),
    )


@pytest.mark.parametrize(
    ("env", "args", "named"),
    [
        ({}, [], "the administrator's, the manager's and the member's"),
        ({"DEPLOYHQ_API_KEY": "a-key-of-my-own-0000000000"}, [], "the manager's and the member's"),
        ({}, ["--no-role-users"], "the administrator's"),
    ],
)
def test_a_host_other_machines_reach_is_refused_while_a_documented_key_is_active(
    database: Path, env: dict[str, str], args: list[str], named: str
) -> None:
    """--host 0.0.0.0 with any README key active exits 1 naming whose keys and what to set, and creates no file."""
    # Refused before binding: the test never listens beyond loopback.
    result = run_cli("--host", "0.0.0.0", "--port", "0", "--database", str(database), *args, env=env)
    assert (refusal(result), f"documented keys are active ({named})" in result.stderr, database.exists()) == (
        (1, 1, False),
        True,
        False,
    )


def test_any_host_is_allowed_with_keys_of_your_own() -> None:
    """With DEPLOYHQ_API_KEY set and no role users nothing documented is active, and no host is refused."""
    own = Accounts.from_env({"DEPLOYHQ_API_KEY": "a-key-of-my-own-0000000000"}, with_role_users=False)
    assert [_exposure(host, own) for host in ["0.0.0.0", "::", "192.0.2.7", "127.0.0.1"]] == [None] * 4


@pytest.mark.slow
def test_role_users_can_be_left_out(database: Path, start_server: StartServer) -> None:
    """--no-role-users serves the administrator only: the documented manager key gets 401."""
    server = start_server(database, args=["--no-role-users"])
    server.wait_ready()
    manager = httpx.get(f"{server.base_url}/users", auth=(DEFAULT_MANAGER_EMAIL, DEFAULT_MANAGER_API_KEY), timeout=5)
    admin = httpx.get(f"{server.base_url}/users", auth=ADMIN, timeout=5)
    assert (manager.status_code, admin.status_code) == (401, 200)


@pytest.mark.parametrize("key", ["k3y", "fifteen-chars-0"])
def test_a_key_shorter_than_the_client_accepts_stops_the_start(database: Path, key: str) -> None:
    """DEPLOYHQ_API_KEY under 16 characters exits 1 naming the variable, never the key, and creates no file."""
    result = run_cli("--port", "0", "--database", str(database), env={"DEPLOYHQ_API_KEY": key})
    assert (refusal(result), "DEPLOYHQ_API_KEY is too short" in result.stderr, key in result.stderr) == (
        (1, 1, False),
        True,
        False,
    )
    assert not database.exists()


def test_the_servers_key_floor_is_the_clients() -> None:
    """The server refuses exactly the keys the client refuses."""
    from deployhq_sandbox._config import MIN_API_KEY_LENGTH
    from deployhq_users import MIN_API_KEY_LENGTH as CLIENT_MIN

    assert MIN_API_KEY_LENGTH == CLIENT_MIN


def limited_files(count: int) -> Callable[[], None]:
    """A preexec_fn giving the child process an open-file limit of *count*."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))

    return limit


def test_a_connection_cap_over_the_file_limit_stops_the_start(database: Path) -> None:
    """--max-connections that the open-file limit cannot hold exits 1 saying what to lower or raise."""
    result = subprocess.run(
        [sys.executable, "-m", "deployhq_sandbox", "--port", "0", "--database", str(database)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limited_files(200),  # the child sets its own limit only
    )
    assert (refusal(result), "lower --max-connections to" in result.stderr, database.exists()) == (
        (1, 1, False),
        True,
        False,
    )


@pytest.mark.slow
def test_a_flood_of_connections_at_a_low_file_limit_leaves_the_server_answering_and_quiet(database: Path) -> None:
    """Up to 1000 connections in 10 s against a server limited to 400 files: it keeps answering, logs nothing, and
    never runs out of descriptors (asyncio would log a traceback per failed accept). Connections past its listen
    queue wait in the kernel, so the count that got through varies; it is well over the file limit."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            *("-m", "deployhq_sandbox", "--port", str(port), "--database", str(database)),
            "--max-connections",
            "100",
            # The flood's silent connections hold the cap until their header deadline; the check comes after it.
            "--header-timeout",
            "2",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limited_files(400),  # the child sets its own limit only
    )
    opened: list[socket.socket] = []
    try:
        ServerProcess.wait_for(f"http://127.0.0.1:{port}", server)
        started = time.monotonic()
        while len(opened) < 1000 and time.monotonic() - started < 10:
            with contextlib.suppress(OSError):
                opened.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        time.sleep(3)
        answered = httpx.get(f"http://127.0.0.1:{port}/openapi.yaml", timeout=5).status_code
    finally:
        for sock in opened:
            sock.close()
        server.kill()
        _, stderr = server.communicate(timeout=10)
    assert (len(opened) > 400, answered, stderr.splitlines()) == (True, 200, [])
