"""`deployhq-sandbox --controls`: the fixture's controls over HTTP under /_sandbox/, for tests in any language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployhq_sandbox import Accounts

from .conftest import ServerProcess, credentials

pytestmark = pytest.mark.slow

ADMIN = credentials(Accounts.defaults().administrator)
MEMBER = credentials(Accounts.defaults().member)  # type: ignore[arg-type]
JANE = {"user": {"first_name": "Jane", "email_address": "jane@example.com"}}


@pytest.fixture
def server(start_server: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """The CLI with --controls on a fresh file (start_server stops it)."""
    process = start_server(tmp_path / "users.sqlite3", args=["--controls"])
    process.wait_ready()
    return process


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    """A client of that server signed in as the administrator."""
    with httpx.Client(base_url=server.base_url, auth=ADMIN, timeout=10) as client:
        yield client


def control(http: httpx.Client, name: str, **body: Any) -> httpx.Response:
    """POST /_sandbox/<name> with a JSON body."""
    return http.post(f"/_sandbox/{name}", json=body)


def test_the_banner_names_the_controls(server: ServerProcess) -> None:
    """The start-up lines say where the controls are and that they are not the API."""
    assert server.process.stdout is not None
    output = ""
    while "Ctrl-C" not in output:  # the banner's last line
        output += server.process.stdout.readline()
    assert f"sandbox controls (not the DeployHQ API): {server.base_url}/_sandbox" in output


def test_the_index_lists_the_controls_and_is_marked(http: httpx.Client) -> None:
    """GET /_sandbox says what the controls are, which operations they take, and carries the sandbox's mark."""
    response = http.get("/_sandbox")
    body = response.json()
    assert (200, True, "createUser", True) == (
        response.status_code,
        response.headers["x-deployhq-sandbox"].startswith("control"),
        body["operation_ids"][1],
        "not part of the DeployHQ API" in body["about"],
    )


def test_the_outbox_is_readable_and_clearable(http: httpx.Client) -> None:
    """An invitation and a resend are in GET /_sandbox/outbox; a refused duplicate is not; DELETE empties it."""
    jane = http.post("/users", json=JANE).json()
    assert 422 == http.post("/users", json=JANE).status_code
    http.post(f"/users/{jane['identifier']}/resend_invitation")
    outbox = http.get("/_sandbox/outbox").json()
    http.delete("/_sandbox/outbox")
    assert (
        [
            {"to": "jane@example.com", "kind": "invitation", "identifier": jane["identifier"]},
            {"to": "jane@example.com", "kind": "resend", "identifier": jane["identifier"]},
        ],
        [],
    ) == (outbox, http.get("/_sandbox/outbox").json())


def test_fail_next_answers_the_spec_body_with_retry_after(http: httpx.Client) -> None:
    """POST /_sandbox/fail_next: the next invitation is a 429 with Retry-After and the spec's body; nothing made."""
    assert 200 == control(http, "fail_next", operation_id="createUser", status=429, retry_after=2).status_code
    refused = http.post("/users", json=JANE)
    assert (429, "2", {"status": 429, "error": "Rate limit exceeded"}, 3, []) == (
        refused.status_code,
        refused.headers["retry-after"],
        refused.json(),
        len(http.get("/users").json()),
        http.get("/_sandbox/outbox").json(),
    )


def test_lose_next_answer_closes_the_connection_after_the_change(http: httpx.Client) -> None:
    """POST /_sandbox/lose_next_answer: no answer at all, yet the user is there and the email went out."""
    control(http, "lose_next_answer", operation_id="createUser")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        http.post("/users", json=JANE)
    assert (["jane@example.com"], ["invitation"]) == (
        [user["email_address"] for user in http.get("/users").json()][3:],
        [email["kind"] for email in http.get("/_sandbox/outbox").json()],
    )


def test_activate_accepts_an_invitation(http: httpx.Client) -> None:
    """POST /_sandbox/activate: the user is activated; an unknown address is a 404 naming it."""
    jane = http.post("/users", json=JANE).json()
    done = control(http, "activate", email_address="jane@example.com")
    unknown = control(http, "activate", email_address="nobody@example.com")
    assert (200, True, 404, True) == (
        done.status_code,
        http.get(f"/users/{jane['identifier']}").json()["activated"],
        unknown.status_code,
        "nobody@example.com" in unknown.json()["error"],
    )


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("fail_next", {"operation_id": "createUser"}, "The JSON object has no status."),
        ("fail_next", {"operation_id": "nope", "status": 500}, "operation_id must be one of the spec's"),
        ("fail_next", {"operation_id": "createUser", "status": "500"}, "status must be an error status"),
        ("lose_next_answer", [], "Send a JSON object with operation_id."),
        ("activate", {"email_address": 1}, "email_address must be a string."),
    ],
)
def test_a_wrong_control_is_a_400_naming_the_problem(http: httpx.Client, name: str, body: object, message: str) -> None:
    """A control that cannot be applied is a 400 whose error names the problem; nothing is queued."""
    response = http.post(f"/_sandbox/{name}", json=body)
    assert (400, True, 201) == (
        response.status_code,
        response.json()["error"].startswith(message),
        http.post("/users", json=JANE).status_code,
    )


@pytest.mark.parametrize("auth", [None, MEMBER, (ADMIN[0], "wrong-key-0000000000000000000000000000000")])
def test_the_controls_need_the_administrator(server: ServerProcess, auth: tuple[str, str] | None) -> None:
    """Without the administrator's credentials every control is a 401, and nothing is injected."""
    with httpx.Client(base_url=server.base_url, auth=auth, timeout=10) as other:
        answers = {other.get("/_sandbox").status_code, other.get("/_sandbox/outbox").status_code}
        answers.add(other.post("/_sandbox/fail_next", json={"operation_id": "listUsers", "status": 500}).status_code)
    assert ({401}, 200) == (answers, httpx.get(f"{server.base_url}/users", auth=ADMIN).status_code)


def test_without_the_option_there_are_no_controls(start_server: Callable[..., ServerProcess], tmp_path: Path) -> None:
    """Off by default: /_sandbox is the API's JSON 404."""
    process = start_server(tmp_path / "users.sqlite3")
    process.wait_ready()
    response = httpx.get(f"{process.base_url}/_sandbox/outbox", auth=ADMIN)
    assert (404, "x-deployhq-sandbox" in response.headers) == (response.status_code, False)
