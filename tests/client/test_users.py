"""deployhq_users._users: what goes on the wire for each call, and what comes back."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
from typing import Any
from uuid import UUID

import httpx
import pytest
import stamina

import deployhq_users
from deployhq_client.models import User, UserInvitation
from deployhq_users import (
    delete_user,
    delete_user_async,
    get_user,
    get_user_async,
    invite_user,
    invite_user_async,
    list_users,
    list_users_async,
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


@pytest.mark.parametrize("call", [get_user, delete_user])
def test_a_malformed_identifier_is_refused_before_sending(api, call):
    """An identifier that is not a UUID raises ValueError naming it, and nothing is sent."""
    client, server = api(httpx.Response(200, json={"status": "ok"}))
    with pytest.raises(ValueError, match=r"'\.\./admin' is not a UUID") as caught:
        call(client, "../admin")
    assert (ValueError, []) == (type(caught.value), server.requests)


CALLS = {
    "invite_user": (lambda client, **kw: invite_user(client, JANE, **kw), 201, "seed"),
    "get_user": (lambda client, **kw: get_user(client, IDENTIFIER, **kw), 200, "seed"),
    "delete_user": (lambda client, **kw: delete_user(client, IDENTIFIER, **kw), 200, {"status": "ok"}),
    "list_users": (lambda client, **kw: list_users(client, **kw), 200, ["seed"]),
    "invite_user_async": (lambda client, **kw: invite_user_async(client, JANE, **kw), 201, "seed"),
    "get_user_async": (lambda client, **kw: get_user_async(client, IDENTIFIER, **kw), 200, "seed"),
    "delete_user_async": (lambda client, **kw: delete_user_async(client, IDENTIFIER, **kw), 200, {"status": "ok"}),
    "list_users_async": (lambda client, **kw: list_users_async(client, **kw), 200, ["seed"]),
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
