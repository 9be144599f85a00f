"""deployhq_users._users: what goes on the wire for each call, and what comes back."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import stamina

import deployhq_users
from deployhq_client.models import User, UserInvitation
from deployhq_users import (
    AlreadyActivatedError,
    AuthenticationError,
    BadRequestError,
    DeployHQError,
    InvalidIdentifierError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ValidationError,
    delete_user,
    delete_user_async,
    get_user,
    get_user_async,
    invite_user,
    invite_user_async,
    list_users,
    list_users_async,
    resend_invitation,
    resend_invitation_async,
    update_user,
    update_user_async,
)

from .conftest import API_KEY, BASE_URL, EMAIL

IDENTIFIER = "a1b2c3d4-5e6f-7890-abcd-ef1234567890"
JANE = UserInvitation(
    first_name="Jane", last_name="Smith", email_address="jane@example.com", can_create_projects=True,
    all_projects_allowed=False,
)  # fmt: skip


def expected_headers() -> dict[str, str]:
    token = base64.b64encode(f"{EMAIL}:{API_KEY}".encode()).decode()
    return {"authorization": f"Basic {token}", "accept": "application/json"}


def sent_headers(request: httpx.Request) -> dict[str, str]:
    return {name: request.headers.get(name, "") for name in expected_headers()}


def fields(user: User, example: dict[str, Any]) -> dict[str, Any]:
    """The user's value for each key of *example*."""
    return {name: getattr(user, name) for name in example}


def typed(example: dict[str, Any]) -> dict[str, Any]:
    """*example* with its identifier as the UUID the client gives back."""
    return {**example, "identifier": UUID(example["identifier"])}


def test_invite_sends_exactly_the_seed_request(api, seed):
    """invite_user POSTs the seed body to <base>/users: wrapped in `user`, omitted flags not sent, Basic auth, JSON."""
    client, server = api(httpx.Response(201, json=seed["response"]))
    invite_user(client, JANE)
    [request] = server.requests
    assert ("POST", f"{BASE_URL}/users") == (request.method, str(request.url))
    assert {**expected_headers(), "content-type": "application/json"} == {
        **sent_headers(request), "content-type": request.headers.get("content-type", "")
    }  # fmt: skip
    assert seed["request"] == json.loads(request.content)


def test_invite_returns_the_seed_response_as_a_user(api, seed):
    """The seed's 201 body comes back as a User equal to it field by field, with nothing left over."""
    client, _ = api(httpx.Response(201, json=seed["response"]))
    user = invite_user(client, JANE)
    assert (typed(seed["response"]), {}) == (fields(user, seed["response"]), user.additional_properties)


@pytest.mark.anyio
async def test_invite_async_sends_the_seed_request_and_returns_the_user(api, seed):
    """invite_user_async sends the same request as invite_user and parses the same User."""
    client, server = api(httpx.Response(201, json=seed["response"]))
    user = await invite_user_async(client, JANE)
    [request] = server.requests
    assert ("POST", f"{BASE_URL}/users", seed["request"], expected_headers()) == (
        request.method, str(request.url), json.loads(request.content), sent_headers(request)
    )  # fmt: skip
    assert typed(seed["response"]) == fields(user, seed["response"])


def test_minimal_invitation_sends_only_the_required_fields(api, seed):
    """An invitation with only a first name and an address sends just those two keys."""
    client, server = api(httpx.Response(201, json=seed["response"]))
    invite_user(client, UserInvitation(first_name="Ada", email_address="ada@example.com"))
    assert json.loads(server.requests[0].content) == {"user": {"first_name": "Ada", "email_address": "ada@example.com"}}


def test_unknown_response_fields_are_kept(api, seed):
    """A field the spec does not list (servers may add some) is kept in additional_properties."""
    client, _ = api(httpx.Response(201, json={**seed["response"], "avatar_url": "https://example.com/j.png"}))
    assert invite_user(client, JANE).additional_properties == {"avatar_url": "https://example.com/j.png"}


def test_get_user_reads_one_user(api, seed):
    """get_user GETs <base>/users/<identifier> with auth and returns the User."""
    client, server = api(httpx.Response(200, json=seed["response"]))
    user = get_user(client, IDENTIFIER)
    [request] = server.requests
    assert ("GET", f"{BASE_URL}/users/{IDENTIFIER}", expected_headers()) == (
        request.method, str(request.url), sent_headers(request)
    )  # fmt: skip
    assert typed(seed["response"]) == fields(user, seed["response"])


def test_delete_user_removes_one_user(api):
    """delete_user DELETEs <base>/users/<identifier> (a UUID object works too)."""
    client, server = api(httpx.Response(200, json={"status": "ok"}))
    delete_user(client, UUID(IDENTIFIER))
    [request] = server.requests
    assert ("DELETE", f"{BASE_URL}/users/{IDENTIFIER}") == (request.method, str(request.url))


def test_list_users_returns_every_user(api, seed):
    """list_users GETs <base>/users and returns one User per element, in order."""
    second = {**seed["response"], "id": 12346, "identifier": "0f0e0d0c-0b0a-4908-8706-050403020100"}
    client, server = api(httpx.Response(200, json=[seed["response"], second]))
    users = list_users(client)
    assert ("GET", f"{BASE_URL}/users") == (server.requests[0].method, str(server.requests[0].url))
    assert [user.id for user in users] == [12345, 12346]


@pytest.mark.anyio
async def test_async_twins_read_list_and_delete(api, seed):
    """get_user_async, list_users_async and delete_user_async hit the same URLs as their sync forms."""
    client, server = api(
        httpx.Response(200, json=seed["response"]), httpx.Response(200, json=[seed["response"]]),
        httpx.Response(200, json={"status": "ok"}),
    )  # fmt: skip
    user = await get_user_async(client, IDENTIFIER)
    users = await list_users_async(client)
    await delete_user_async(client, IDENTIFIER)
    assert [
        ("GET", f"{BASE_URL}/users/{IDENTIFIER}"), ("GET", f"{BASE_URL}/users"),
        ("DELETE", f"{BASE_URL}/users/{IDENTIFIER}"),
    ] == [(request.method, str(request.url)) for request in server.requests]  # fmt: skip
    assert (user.id, [u.id for u in users]) == (12345, [12345])


@pytest.mark.parametrize(
    "call",
    [get_user, delete_user, update_user, resend_invitation, get_user_async, delete_user_async, update_user_async,
     resend_invitation_async],
)  # fmt: skip
def test_a_malformed_identifier_is_refused_before_sending(api, call):
    """A non-UUID identifier raises InvalidIdentifierError (a DeployHQError, a ValueError) naming it; none is sent."""
    client, server = api(httpx.Response(200, json={"status": "ok"}))
    with pytest.raises(DeployHQError, match=r"^identifier '\.\./admin' is not a UUID") as caught:
        run(call(client, "../admin"))
    assert (InvalidIdentifierError, True, []) == (
        type(caught.value),
        isinstance(caught.value, ValueError),
        server.requests,
    )


CALLS = {
    "invite_user": (lambda client, **kw: invite_user(client, JANE, **kw), 201, "seed"),
    "get_user": (lambda client, **kw: get_user(client, IDENTIFIER, **kw), 200, "seed"),
    "delete_user": (lambda client, **kw: delete_user(client, IDENTIFIER, **kw), 200, {"status": "ok"}),
    "list_users": (lambda client, **kw: list_users(client, **kw), 200, ["seed"]),
    "invite_user_async": (lambda client, **kw: invite_user_async(client, JANE, **kw), 201, "seed"),
    "get_user_async": (lambda client, **kw: get_user_async(client, IDENTIFIER, **kw), 200, "seed"),
    "delete_user_async": (lambda client, **kw: delete_user_async(client, IDENTIFIER, **kw), 200, {"status": "ok"}),
    "list_users_async": (lambda client, **kw: list_users_async(client, **kw), 200, ["seed"]),
    "update_user": (lambda client, **kw: update_user(client, IDENTIFIER, can_manage_users=True, **kw), 200, "seed"),
    "update_user_async": (
        lambda client, **kw: update_user_async(client, IDENTIFIER, can_manage_users=True, **kw),
        200,
        "seed",
    ),
    "resend_invitation": (lambda client, **kw: resend_invitation(client, IDENTIFIER, **kw), 200, {"status": "ok"}),
    "resend_invitation_async": (
        lambda client, **kw: resend_invitation_async(client, IDENTIFIER, **kw),
        200,
        {"status": "ok"},
    ),
}


def run(result):
    """The call's result, awaited on a fresh event loop when it is a coroutine."""
    return asyncio.run(result) if inspect.iscoroutine(result) else result


@pytest.mark.parametrize("name", CALLS)
def test_every_call_waits_out_a_429_when_asked(api, seed, name):
    """Every public call takes rate_limit_retries: with 1, a 429 then a success is one retry and the success."""
    call, status, body = CALLS[name]
    body = seed["response"] if body == "seed" else [seed["response"]] if body == ["seed"] else body
    client, server = api(
        httpx.Response(429, json={"status": 429, "error": "slow down"}, headers={"Retry-After": "0"}),
        httpx.Response(status, json=body),
    )
    with stamina.set_testing(True, attempts=10, cap=True):
        run(call(client, rate_limit_retries=1))
    assert 2 == len(server.requests)


@pytest.mark.parametrize(
    ("retries", "expected"),
    [(-1, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError), (None, TypeError)],
)
@pytest.mark.parametrize("name", CALLS)
def test_a_bad_rate_limit_retries_is_refused_before_sending(api, name, retries, expected):
    """A negative or non-integer rate_limit_retries raises an error naming it, and nothing is sent."""
    call, _, _ = CALLS[name]
    client, server = api(httpx.Response(500))
    with pytest.raises(expected, match=r"rate_limit_retries must be .*, got "):
        run(call(client, rate_limit_retries=retries))
    assert [] == server.requests


def test_every_public_call_documents_rate_limit_retries():
    """Each public call has a keyword-only `rate_limit_retries: int = 0` and a docstring."""
    functions = [getattr(deployhq_users, name) for name in CALLS]
    assert [(inspect.Parameter.KEYWORD_ONLY, 0, "int", True)] * len(CALLS) == [
        (
            inspect.signature(f).parameters["rate_limit_retries"].kind,
            inspect.signature(f).parameters["rate_limit_retries"].default,
            inspect.signature(f).parameters["rate_limit_retries"].annotation,
            bool(f.__doc__),
        )
        for f in functions
    ]


# -- update_user and resend_invitation: every answer the spec lists, scripted ------------------------------------

EXCEPTIONS = {
    400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError,
    413: BadRequestError, 415: BadRequestError, 429: RateLimitedError, 500: ServerError,
}  # fmt: skip
CHANGES = {
    "updateUser": (lambda client: update_user(client, IDENTIFIER, can_manage_users=True), ValidationError),
    "resendInvitation": (lambda client: resend_invitation(client, IDENTIFIER), AlreadyActivatedError),
}
SPEC_PATHS = {
    "updateUser": ("/users/{identifier}", "patch"),
    "resendInvitation": ("/users/{identifier}/resend_invitation", "post"),
}


def spec_shaped(status: int, operation: str) -> httpx.Response:
    """An error answer in the shape the spec gives *status* for *operation*."""
    if status == 403:
        return httpx.Response(403, json={"error": "You may not manage users.", "error_code": "forbidden"})
    if status == 422 and operation == "resendInvitation":
        return httpx.Response(422, json={"error": "User already activated"})
    if status == 422:
        return httpx.Response(422, json={"email_address": ["has already been taken"]})
    return httpx.Response(status, json={"status": status, "error": f"scripted {status}"})


@pytest.mark.parametrize("operation", CHANGES)
def test_every_error_status_the_spec_lists_has_its_exception(api, spec, operation):
    """Each error status the spec lists for updateUser and resendInvitation raises its class, after one request."""
    call, unprocessable = CHANGES[operation]
    path, method = SPEC_PATHS[operation]
    statuses = sorted(int(status) for status in spec["paths"][path][method]["responses"] if status[0] != "2")
    expected = {status: (EXCEPTIONS.get(status, unprocessable), 1) for status in statuses}
    raised = {}
    for status in statuses:
        client, server = api(spec_shaped(status, operation))
        with pytest.raises(DeployHQError) as caught:
            call(client)
        raised[status] = (type(caught.value), len(server.requests))
    assert expected == raised


def test_update_user_returns_the_user_after_the_change(api, seed):
    """The 200 of a PATCH is parsed into the whole User, as for a read."""
    changed = {**seed["response"], "can_manage_users": True}
    client, _ = api(httpx.Response(200, json=changed))
    user = update_user(client, IDENTIFIER, can_manage_users=True)
    assert (typed(changed), {}) == (fields(user, changed), user.additional_properties)


def test_resend_posts_to_the_users_resend_path_without_a_body(api):
    """resend_invitation POSTs <base>/users/<identifier>/resend_invitation, empty, with auth, and returns None."""
    client, server = api(httpx.Response(200, json={"status": "ok"}))
    result = resend_invitation(client, UUID(IDENTIFIER))
    [request] = server.requests
    assert ("POST", f"{BASE_URL}/users/{IDENTIFIER}/resend_invitation", b"", expected_headers(), None) == (
        request.method, str(request.url), request.content, sent_headers(request), result
    )  # fmt: skip


@pytest.mark.anyio
async def test_the_async_twins_send_what_the_sync_calls_send(api, seed):
    """update_user_async and resend_invitation_async hit the same method and URL as their sync forms."""
    client, server = api(httpx.Response(200, json=seed["response"]), httpx.Response(200, json={"status": "ok"}))
    user = await update_user_async(client, IDENTIFIER, first_name="Janet")
    result = await resend_invitation_async(client, IDENTIFIER)
    assert [
        ("PATCH", f"{BASE_URL}/users/{IDENTIFIER}", b'{"user":{"first_name":"Janet"}}'),
        ("POST", f"{BASE_URL}/users/{IDENTIFIER}/resend_invitation", b""),
    ] == [(request.method, str(request.url), request.content.replace(b" ", b"")) for request in server.requests]
    assert (12345, None) == (user.id, result)


@pytest.mark.parametrize("code", ["forbidden", "last_administrator", "a_code_the_spec_does_not_list"])
@pytest.mark.parametrize(
    "call",
    [
        lambda client: update_user(client, IDENTIFIER, account_administrator=False),
        lambda client: delete_user(client, IDENTIFIER),
        lambda client: resend_invitation(client, IDENTIFIER),
    ],
    ids=["update", "delete", "resend"],
)
def test_a_coded_403_gives_its_error_code(api, call, code):
    """The {error, error_code} 403 of PATCH, DELETE and resend gives .error_code (any code) and .message."""
    client, _ = api(httpx.Response(403, json={"error": "Not allowed.", "error_code": code}))
    with pytest.raises(PermissionDeniedError) as caught:
        call(client)
    error = caught.value
    assert (403, "Not allowed.", code, True) == (error.status_code, error.message, error.error_code, code in str(error))


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(422, json={"error": "User already activated"}),
        httpx.Response(422, text="<html>already active</html>"),
    ],
    ids=["spec", "html"],
)
def test_a_422_to_resend_is_already_activated(api, answer):
    """Resend's only 422 is AlreadyActivatedError, a ValidationError, whatever its body says."""
    client, _ = api(answer)
    with pytest.raises(ValidationError) as caught:
        resend_invitation(client, IDENTIFIER)
    assert (AlreadyActivatedError, 422, True) == (
        type(caught.value), caught.value.status_code, str(caught.value).startswith("resend_invitation: 422 ")
    )  # fmt: skip


def test_already_activated_keeps_the_servers_words(api):
    """The spec's body gives .message "User already activated" and .errors {"error": [...]}, like any 422."""
    client, _ = api(httpx.Response(422, json={"error": "User already activated"}))
    with pytest.raises(AlreadyActivatedError) as caught:
        resend_invitation(client, IDENTIFIER)
    words = "User already activated"
    assert (words, {"error": [words]}, f"resend_invitation: 422 {words}") == (
        caught.value.message, caught.value.errors, str(caught.value)
    )  # fmt: skip


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteTimeout])
@pytest.mark.parametrize("retries", [0, 3])
@pytest.mark.parametrize("call", [resend_invitation, resend_invitation_async])
def test_a_resend_with_unknown_outcome_is_never_sent_again(api, call, failure, retries):
    """A lost answer to a resend is OutcomeUnknownError, not safe to resend, after exactly one request."""
    client, server = api(failure)
    with pytest.raises(DeployHQError) as caught:
        run(call(client, IDENTIFIER, rate_limit_retries=retries))
    error = caught.value
    assert (OutcomeUnknownError, False, 1, True) == (
        type(error), getattr(error, "safe_to_resend", None), len(server.requests),
        "ask the person whether it arrived before resending" in str(error),
    )  # fmt: skip


@pytest.mark.parametrize("call", [update_user, update_user_async])
def test_an_update_with_lost_answer_is_safe_to_send_again_but_not_sent(api, call):
    """A lost answer to an update is OutcomeUnknownError with safe_to_resend, and still only one request went."""
    client, server = api(httpx.ReadTimeout)
    with pytest.raises(DeployHQError) as caught:
        run(call(client, IDENTIFIER, rate_limit_retries=3, can_create_projects=True))
    assert (OutcomeUnknownError, True, 1) == (
        type(caught.value), getattr(caught.value, "safe_to_resend", None), len(server.requests)
    )  # fmt: skip


# -- update_user and resend_invitation over real HTTP, against the reference server -----------------------------

JANE_IN_PARIS = UserInvitation(
    first_name="Jane", last_name="Smith", email_address="jane@example.com", time_zone="Europe/Paris",
    can_create_projects=True, all_projects_allowed=True,
)  # fmt: skip


def identifier_of(client, email: str) -> UUID:
    """The identifier of the account's user with *email*."""
    return next(user.identifier for user in list_users(client) if user.email_address == email)


@pytest.mark.slow
def test_an_update_changes_only_the_field_given(served):
    """One flag sent over HTTP changes that flag only: the answer and a later read are the user before, plus it."""
    with served.connect() as client:
        before = invite_user(client, JANE_IN_PARIS)
        after = update_user(client, before.identifier, can_manage_users=True)
        read = get_user(client, before.identifier)
    expected = {**before.to_dict(), "can_manage_users": True}
    assert (expected, expected) == (after.to_dict(), read.to_dict())


@pytest.mark.slow
def test_an_update_of_several_fields_keeps_the_rest(served):
    """Names, zone, the user's own address in capitals and a flag change together; the other fields stay."""
    changes = {
        "first_name": "Janet", "last_name": "", "time_zone": "Europe/London", "email_address": "JANE@example.com",
        "can_create_projects": False,
    }  # fmt: skip
    with served.connect() as client:
        before = invite_user(client, JANE_IN_PARIS)
        after = update_user(client, str(before.identifier), **changes)
        read = get_user(client, before.identifier)
    expected = {**before.to_dict(), **changes}
    assert (expected, expected) == (after.to_dict(), read.to_dict())


@pytest.mark.slow
def test_the_async_calls_update_and_resend(served):
    """update_user_async and resend_invitation_async do over HTTP what the sync calls do."""

    async def main():
        async with served.connect() as client:
            invited = await invite_user_async(client, JANE_IN_PARIS)
            updated = await update_user_async(client, invited.identifier, all_projects_allowed=False)
            resent = await resend_invitation_async(client, invited.identifier)
            return invited, updated, resent

    invited, updated, resent = asyncio.run(main())
    assert ({**invited.to_dict(), "all_projects_allowed": False}, None) == (updated.to_dict(), resent)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"email_address": "ADMIN@example.com"}, {"email_address": ["has already been taken"]}),
        ({"first_name": "  "}, {"first_name": ["can't be blank"]}),
        ({"email_address": "not-an-address"}, {"email_address": ["is invalid"]}),
        ({"time_zone": "Mars/Olympus_Mons"}, {"time_zone": ["is not included in the list"]}),
    ],
    ids=["taken address", "blank first name", "malformed address", "unknown zone"],
)
def test_a_refused_update_names_the_field_and_changes_nothing(served, changes, errors):
    """A 422 over HTTP is a ValidationError whose .errors names the field; the user reads as before."""
    with served.connect() as client:
        before = invite_user(client, JANE_IN_PARIS)
        with pytest.raises(ValidationError) as caught:
            update_user(client, before.identifier, can_manage_agents=True, **changes)
        read = get_user(client, before.identifier)
    assert (ValidationError, errors, before.to_dict()) == (type(caught.value), caught.value.errors, read.to_dict())


@pytest.mark.slow
def test_unknown_identifiers_are_named_in_the_404(served):
    """update_user and resend_invitation of an identifier nobody has raise NotFoundError naming it."""
    unknown = uuid4()
    messages = []
    with served.connect() as client:
        for call in (
            lambda: update_user(client, unknown, first_name="Janet"),
            lambda: resend_invitation(client, unknown),
        ):
            with pytest.raises(NotFoundError) as caught:
                call()
            messages.append(str(caught.value).rsplit(": 404 ", 1)[0])
    assert [
        f"update_user: no user with identifier {unknown}", f"resend_invitation: no user with identifier {unknown}"
    ] == messages  # fmt: skip


@pytest.mark.slow
def test_the_last_administrator_keeps_the_flag(served):
    """Taking the flag from the account's only administrator is a 403 `last_administrator`; nothing changes."""
    with served.connect() as client:
        admin = identifier_of(client, served.email)
        before = get_user(client, admin)
        with pytest.raises(PermissionDeniedError) as caught:
            update_user(client, admin, account_administrator=False)
        read = get_user(client, admin)
    assert ("last_administrator", before.to_dict()) == (caught.value.error_code, read.to_dict())


@pytest.mark.slow
def test_a_plain_member_gets_a_coded_403_from_each_change(served):
    """A caller who may not manage users gets PermissionDeniedError `forbidden` from update, remove and resend."""
    with served.connect() as admin:
        jane = invite_user(admin, JANE_IN_PARIS).identifier
    codes = []
    with served.connect(served.accounts.member) as member:
        for call in (
            lambda: update_user(member, jane, first_name="Janet"), lambda: delete_user(member, jane),
            lambda: resend_invitation(member, jane),
        ):  # fmt: skip
            with pytest.raises(PermissionDeniedError) as caught:
                call()
            codes.append(caught.value.error_code)
    assert ["forbidden"] * 3 == codes


@pytest.mark.slow
def test_a_manager_changes_what_it_may_and_the_admin_only_flags_stay(served):
    """A manager's update applies all_projects_allowed and ignores admin-only flags: the answer shows which."""
    with served.connect() as admin:
        before = invite_user(admin, JANE_IN_PARIS)
    with served.connect(served.accounts.manager) as manager:
        after = update_user(manager, before.identifier, all_projects_allowed=False, can_manage_billing=True)
    assert {**before.to_dict(), "all_projects_allowed": False} == after.to_dict()


@pytest.mark.slow
def test_resend_to_a_pending_invitation_and_to_an_activated_user(served):
    """Resending to a new invitation returns None; to the administrator, who is activated, AlreadyActivatedError."""
    with served.connect() as client:
        jane = invite_user(client, JANE_IN_PARIS)
        resent = resend_invitation(client, jane.identifier, rate_limit_retries=1)
        admin = get_user(client, identifier_of(client, served.email))
        with pytest.raises(ValidationError) as caught:
            resend_invitation(client, admin.identifier)
        read = get_user(client, jane.identifier)
    assert (None, True, AlreadyActivatedError, "User already activated", jane.to_dict()) == (
        resent, admin.activated, type(caught.value), caught.value.message, read.to_dict()
    )  # fmt: skip
