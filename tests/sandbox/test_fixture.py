"""The `deployhq_sandbox` fixture: a fresh account per test, its outbox, and each control over real HTTP."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from deployhq_client.models import UserInvitation
from deployhq_sandbox import Sandbox, SandboxServer
from deployhq_users import (
    AlreadyActivatedError,
    ConnectionFailedError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ValidationError,
    delete_user,
    delete_user_async,
    get_user,
    invite_user,
    invite_user_async,
    list_users,
    list_users_async,
    resend_invitation,
    resend_invitation_async,
    update_user,
)

ACCOUNTS = ["admin@example.com", "manager@example.com", "member@example.com"]


def invitation(address: str, first_name: str = "Jane") -> UserInvitation:
    """An invitation with only the required fields."""
    return UserInvitation(first_name=first_name, email_address=address)


def addresses(sandbox: Sandbox) -> list[str]:
    """Every user's address, oldest first."""
    return [user.email_address for user in list_users(sandbox.client)]


def sent(sandbox: Sandbox) -> list[tuple[str, str]]:
    """The outbox as (to, kind) pairs."""
    return [(email.to, email.kind) for email in sandbox.outbox]


def test_onboarding_sends_one_invitation(deployhq_sandbox: Sandbox) -> None:
    """The issue's example: one invitation, one email in the outbox."""
    invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    assert [("jane@example.com", "invitation")] == sent(deployhq_sandbox)


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_a_fresh_account(deployhq_sandbox: Sandbox, run: int) -> None:
    """Both runs invite the same address and see only their own: no user or email carries over between tests."""
    assert ([*ACCOUNTS], []) == (addresses(deployhq_sandbox), deployhq_sandbox.outbox)
    invite_user(deployhq_sandbox.client, invitation("same@example.com"))
    assert [*ACCOUNTS, "same@example.com"] == addresses(deployhq_sandbox)


def test_two_sandboxes_at_once_do_not_share_users(deployhq_sandbox_server: SandboxServer, tmp_path: Path) -> None:
    """Two sandboxes alive together have their own base URL, users and outbox."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with deployhq_sandbox_server.sandbox(tmp_path / "a") as a, deployhq_sandbox_server.sandbox(tmp_path / "b") as b:
        invite_user(a.client, invitation("only-a@example.com"))
        assert (True, [*ACCOUNTS], []) == (a.base_url != b.base_url, addresses(b), b.outbox)


def test_an_ended_sandbox_answers_a_404_naming_it(deployhq_sandbox_server: SandboxServer, tmp_path: Path) -> None:
    """A call to a sandbox whose test has ended reaches nothing of another test: a 404 saying so."""
    with deployhq_sandbox_server.sandbox(tmp_path) as sandbox:
        base_url = sandbox.base_url
    auth = (sandbox.administrator.email, sandbox.administrator.api_key)
    response = httpx.get(f"{base_url}/users", auth=auth)
    assert (404, True) == (response.status_code, "its test has ended" in response.json()["error"])


def test_a_folder_holding_a_sandbox_is_refused(deployhq_sandbox_server: SandboxServer, tmp_path: Path) -> None:
    """Two sandboxes on one file would share users: the second is refused with a message naming the file."""
    with (
        deployhq_sandbox_server.sandbox(tmp_path),
        pytest.raises(ValueError, match="already exists: give each sandbox a folder of its own"),
        deployhq_sandbox_server.sandbox(tmp_path),
    ):
        pass


def test_the_credentials_sign_in_with_their_roles(deployhq_sandbox: Sandbox) -> None:
    """The manager may invite (admin-only flags forced false); the member gets 403; both from `.connect(account)`."""
    with deployhq_sandbox.connect(deployhq_sandbox.manager) as manager:
        user = invite_user(
            manager, UserInvitation(first_name="M", email_address="m@example.com", can_manage_billing=True)
        )
    with deployhq_sandbox.connect(deployhq_sandbox.member) as member, pytest.raises(PermissionDeniedError):
        list_users(member)
    assert (False, [("m@example.com", "invitation")]) == (user.can_manage_billing, sent(deployhq_sandbox))


def test_base_url_serves_code_in_another_process(deployhq_sandbox: Sandbox) -> None:
    """`.base_url` and the administrator's credentials work from another process, with any HTTP client."""
    admin = deployhq_sandbox.administrator
    code = (
        "import sys, httpx; r = httpx.get(sys.argv[1] + '/users', auth=(sys.argv[2], sys.argv[3])); "
        "print(r.status_code, len(r.json()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, deployhq_sandbox.base_url, admin.email, admin.api_key],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "200 3" == result.stdout.strip()


def test_the_controls_are_served_under_the_base_url_too(deployhq_sandbox: Sandbox) -> None:
    """Code in another process reads the outbox and sets faults at `<base_url>/_sandbox/`, as with --controls."""
    admin = (deployhq_sandbox.administrator.email, deployhq_sandbox.administrator.api_key)
    with httpx.Client(base_url=deployhq_sandbox.base_url, auth=admin) as http:
        http.post("/_sandbox/fail_next", json={"operation_id": "createUser", "status": 503})
        refused = http.post("/users", json={"user": {"first_name": "Jane", "email_address": "jane@example.com"}})
        invite_user(deployhq_sandbox.client, invitation("joe@example.com"))
        outbox = http.get("/_sandbox/outbox").json()
    assert (503, ["joe@example.com"]) == (refused.status_code, [email["to"] for email in outbox])


def test_no_key_in_the_reprs(deployhq_sandbox: Sandbox) -> None:
    """The sandbox, its accounts and its client show no API key."""
    shown = " ".join(
        repr(thing)
        for thing in (
            deployhq_sandbox,
            deployhq_sandbox.administrator,
            deployhq_sandbox.manager,
            deployhq_sandbox.member,
            deployhq_sandbox.client,
        )
    )
    keys = [account.api_key for account in (deployhq_sandbox.administrator, deployhq_sandbox.member)]
    assert [] == [key for key in keys if key in shown]


# -- the outbox --------------------------------------------------------------------------------------------------


def test_the_outbox_keeps_invitations_and_resends_in_order(deployhq_sandbox: Sandbox) -> None:
    """Each accepted invitation and resend is one email, in the order they were answered, with the user's id."""
    jane = invite_user(deployhq_sandbox.client, invitation("Jane@Example.com"))
    invite_user(deployhq_sandbox.client, invitation("joe@example.com", "Joe"))
    resend_invitation(deployhq_sandbox.client, jane.identifier)
    assert [
        ("Jane@Example.com", "invitation", str(jane.identifier)),
        ("joe@example.com", "invitation", str(invite := deployhq_sandbox.outbox[1].identifier)),
        ("Jane@Example.com", "resend", str(jane.identifier)),
    ] == [(email.to, email.kind, email.identifier) for email in deployhq_sandbox.outbox]
    assert "joe@example.com" == get_user(deployhq_sandbox.client, invite).email_address


def test_refused_requests_send_nothing(deployhq_sandbox: Sandbox) -> None:
    """A duplicate, an invalid address, a member's invitation, a resend to an activated or unknown user: no email."""
    jane = invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    with pytest.raises(ValidationError):
        invite_user(deployhq_sandbox.client, invitation("JANE@example.com"))
    with pytest.raises(ValidationError):
        invite_user(deployhq_sandbox.client, invitation("not an address"))
    with deployhq_sandbox.connect(deployhq_sandbox.member) as member, pytest.raises(PermissionDeniedError):
        invite_user(member, invitation("joe@example.com"))
    with deployhq_sandbox.connect(deployhq_sandbox.member) as member, pytest.raises(PermissionDeniedError):
        resend_invitation(member, jane.identifier)
    with pytest.raises(NotFoundError):
        resend_invitation(deployhq_sandbox.client, "00000000-0000-4000-8000-000000000000")
    deployhq_sandbox.activate("jane@example.com")
    with pytest.raises(AlreadyActivatedError):
        resend_invitation(deployhq_sandbox.client, jane.identifier)
    assert [("jane@example.com", "invitation")] == sent(deployhq_sandbox)


def test_the_outbox_is_a_copy(deployhq_sandbox: Sandbox) -> None:
    """A list taken before an invitation does not change afterwards; a new read has it."""
    before = deployhq_sandbox.outbox
    invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    assert ([], 1) == (before, len(deployhq_sandbox.outbox))


# -- fail_next ---------------------------------------------------------------------------------------------------


def test_a_429_carries_retry_after_and_changes_nothing(deployhq_sandbox: Sandbox) -> None:
    """fail_next(429): RateLimitedError with the given Retry-After; no user, no email; the call after it works."""
    deployhq_sandbox.fail_next("createUser", 429, retry_after=7)
    with pytest.raises(RateLimitedError) as refused:
        invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    assert (7, "Rate limit exceeded", ACCOUNTS, []) == (
        refused.value.retry_after,
        refused.value.message,
        addresses(deployhq_sandbox),
        deployhq_sandbox.outbox,
    )
    invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    assert [("jane@example.com", "invitation")] == sent(deployhq_sandbox)


def test_a_429_without_retry_after_says_zero(deployhq_sandbox: Sandbox) -> None:
    """The spec requires Retry-After on a 429: without retry_after it is 0, so a retrying client goes on at once."""
    deployhq_sandbox.fail_next("listUsers", 429)
    deployhq_sandbox.fail_next("listUsers", 429)
    users = list_users(deployhq_sandbox.client, rate_limit_retries=2)
    assert ACCOUNTS == [user.email_address for user in users]


@pytest.mark.parametrize(
    ("status", "message"),
    [(500, "Internal server error"), (503, "Service Unavailable"), (502, "Bad Gateway"), (520, "HTTP error 520")],
)
def test_a_server_error_changes_nothing(deployhq_sandbox: Sandbox, status: int, message: str) -> None:
    """fail_next(5xx) on a delete: ServerError with the spec's body (or the Error shape), and the user stays."""
    jane = invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    deployhq_sandbox.fail_next("deleteUser", status)
    with pytest.raises(ServerError) as failed:
        delete_user(deployhq_sandbox.client, jane.identifier)
    assert (status, message, True) == (
        failed.value.status_code,
        failed.value.message,
        "jane@example.com" in addresses(deployhq_sandbox),
    )


def test_the_spec_body_of_the_operation_is_answered(deployhq_sandbox: Sandbox) -> None:
    """A 403 on updateUser is that operation's coded body `{error, error_code}`, as the spec gives it."""
    jane = invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    deployhq_sandbox.fail_next("updateUser", 403)
    with pytest.raises(PermissionDeniedError) as refused:
        update_user(deployhq_sandbox.client, jane.identifier, first_name="Changed")
    assert ("forbidden", "Jane") == (
        refused.value.error_code,
        get_user(deployhq_sandbox.client, jane.identifier).first_name,
    )


def test_faults_queue_up_in_order(deployhq_sandbox: Sandbox) -> None:
    """Two fail_next calls fail the next two calls, in order; the third goes through."""
    deployhq_sandbox.fail_next("createUser", 500)
    deployhq_sandbox.fail_next("createUser", 429, retry_after=1)
    with pytest.raises(ServerError):
        invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    with pytest.raises(RateLimitedError):
        invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    assert [("jane@example.com", "invitation")] == sent(deployhq_sandbox)


def test_a_fault_waits_for_its_operation(deployhq_sandbox: Sandbox) -> None:
    """A fault set for createUser leaves listUsers alone."""
    deployhq_sandbox.fail_next("createUser", 500)
    assert ACCOUNTS == addresses(deployhq_sandbox)
    with pytest.raises(ServerError):
        invite_user(deployhq_sandbox.client, invitation("jane@example.com"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("createUsers", 500), "operation_id must be one of the spec's: listUsers, createUser"),
        (("createUser", 200), "status must be an error status from 400 to 599; got 200"),
        (("createUser", True), "status must be an error status from 400 to 599; got True"),
        (("createUser", 500, 3), "retry_after goes with a 429 or a 503, not a 500"),
        (("createUser", 429, -1), "retry_after must be a whole number of seconds, 0 or more; got -1"),
    ],
)
def test_a_wrong_fault_is_refused_by_name(
    deployhq_sandbox: Sandbox, arguments: tuple[object, ...], message: str
) -> None:
    """A fault that cannot be injected is a ValueError naming the argument, and nothing is queued."""
    operation_id, status, *retry_after = arguments
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        deployhq_sandbox.fail_next(operation_id, status, retry_after=retry_after[0] if retry_after else None)  # type: ignore[arg-type]
    invite_user(deployhq_sandbox.client, invitation("jane@example.com"))


# -- lose_next_answer --------------------------------------------------------------------------------------------


def test_a_lost_invitation_is_made_and_sent(deployhq_sandbox: Sandbox) -> None:
    """lose_next_answer(createUser): OutcomeUnknownError (not safe to resend), the user is there, the email went."""
    deployhq_sandbox.lose_next_answer("createUser")
    with pytest.raises(OutcomeUnknownError) as lost:
        invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    assert (False, [*ACCOUNTS, "jane@example.com"], [("jane@example.com", "invitation")]) == (
        lost.value.safe_to_resend,
        addresses(deployhq_sandbox),
        sent(deployhq_sandbox),
    )


def test_a_lost_resend_is_sent(deployhq_sandbox: Sandbox) -> None:
    """lose_next_answer(resendInvitation): OutcomeUnknownError, and the resend is in the outbox."""
    jane = invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    deployhq_sandbox.lose_next_answer("resendInvitation")
    with pytest.raises(OutcomeUnknownError):
        resend_invitation(deployhq_sandbox.client, jane.identifier)
    assert [("jane@example.com", "invitation"), ("jane@example.com", "resend")] == sent(deployhq_sandbox)


def test_a_lost_delete_is_done(deployhq_sandbox: Sandbox) -> None:
    """lose_next_answer(deleteUser): OutcomeUnknownError marked safe to resend; the user is gone."""
    jane = invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    deployhq_sandbox.lose_next_answer("deleteUser")
    with pytest.raises(OutcomeUnknownError) as lost:
        delete_user(deployhq_sandbox.client, jane.identifier)
    assert (True, ACCOUNTS) == (lost.value.safe_to_resend, addresses(deployhq_sandbox))


def test_the_client_works_after_a_lost_answer(deployhq_sandbox: Sandbox) -> None:
    """The dropped connection is the lost call's only: the same client's next calls are answered."""
    deployhq_sandbox.lose_next_answer("listUsers")
    with pytest.raises(ConnectionFailedError, match="no answer arrived"):
        list_users(deployhq_sandbox.client)
    assert ACCOUNTS == addresses(deployhq_sandbox)


def test_a_lost_answer_logs_nothing(deployhq_sandbox: Sandbox) -> None:
    """The server treats the closed connection as a client gone away: no error is logged, no 500 is sent."""
    # uvicorn's loggers do not propagate to the root logger, where caplog listens.
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("uvicorn.error").addHandler(handler)
    try:
        deployhq_sandbox.lose_next_answer("createUser")
        with pytest.raises(OutcomeUnknownError):
            invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
        users = addresses(deployhq_sandbox)
    finally:
        logging.getLogger("uvicorn.error").removeHandler(handler)
    assert ([*ACCOUNTS, "jane@example.com"], []) == (users, [record.getMessage() for record in records])


# -- activate ----------------------------------------------------------------------------------------------------


def test_activate_accepts_the_invitation(deployhq_sandbox: Sandbox) -> None:
    """activate(address), in any letter case, makes the user activated."""
    jane = invite_user(deployhq_sandbox.client, invitation("jane@example.com"))
    deployhq_sandbox.activate("JANE@example.com")
    assert get_user(deployhq_sandbox.client, jane.identifier).activated


def test_activate_an_unknown_address_is_a_lookup_error(deployhq_sandbox: Sandbox) -> None:
    """No user with the address: LookupError naming it."""
    with pytest.raises(LookupError, match=r"no user of this sandbox has the address 'nobody@example\.com'"):
        deployhq_sandbox.activate("nobody@example.com")


# -- async -------------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_calls_and_controls(deployhq_sandbox: Sandbox) -> None:
    """The same client's async calls meet the same account, faults and outbox."""
    client = deployhq_sandbox.client
    jane = await invite_user_async(client, invitation("jane@example.com"))
    deployhq_sandbox.fail_next("resendInvitation", 429)
    await resend_invitation_async(client, jane.identifier, rate_limit_retries=1)
    deployhq_sandbox.lose_next_answer("deleteUser")
    with pytest.raises(OutcomeUnknownError):
        await delete_user_async(client, jane.identifier)
    users = await list_users_async(client)
    await client.get_async_httpx_client().aclose()
    assert (ACCOUNTS, [("jane@example.com", "invitation"), ("jane@example.com", "resend")]) == (
        [user.email_address for user in users],
        sent(deployhq_sandbox),
    )
