"""Whatever a server answers, a call returns its result or raises a DeployHQError: nothing else escapes.

Answers come through httpx's own MockTransport, so everything from the status line on is the client's real path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deployhq_client.models import User
from deployhq_users import (
    DeployHQError,
    ServerError,
    connect,
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

from .conftest import API_KEY, EMAIL
from .test_errors import ADA

IDENTIFIER = "3f2c8a1e-9b7d-4c6e-8f1a-2b3c4d5e6f70"
# Each call, and what it returns on success: a user, a list of users, or nothing.
CALLS: dict[str, tuple[Callable[[Any], Any], Callable[[object], bool]]] = {
    "invite_user": (lambda c: invite_user(c, ADA), lambda result: isinstance(result, User)),
    "get_user": (lambda c: get_user(c, IDENTIFIER), lambda result: isinstance(result, User)),
    "update_user": (lambda c: update_user(c, IDENTIFIER, first_name="Ada"), lambda result: isinstance(result, User)),
    "list_users": (list_users, lambda result: isinstance(result, list)),
    "delete_user": (lambda c: delete_user(c, IDENTIFIER), lambda result: result is None),
    "resend_invitation": (lambda c: resend_invitation(c, IDENTIFIER), lambda result: result is None),
    "invite_user_async": (lambda c: invite_user_async(c, ADA), lambda result: isinstance(result, User)),
    "get_user_async": (lambda c: get_user_async(c, IDENTIFIER), lambda result: isinstance(result, User)),
    "update_user_async": (
        lambda c: update_user_async(c, IDENTIFIER, first_name="Ada"),
        lambda result: isinstance(result, User),
    ),
    "list_users_async": (list_users_async, lambda result: isinstance(result, list)),
    "delete_user_async": (lambda c: delete_user_async(c, IDENTIFIER), lambda result: result is None),
    "resend_invitation_async": (lambda c: resend_invitation_async(c, IDENTIFIER), lambda result: result is None),
}
USER_FIELDS = [
    "id", "identifier", "first_name", "last_name", "email_address", "time_zone", "account_administrator",
    "activated", "can_manage_users", "can_manage_billing", "can_create_projects", "can_manage_agents",
    "all_projects_allowed", "status", "error", "error_code", "user",
]  # fmt: skip

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
    | st.sampled_from([IDENTIFIER, "ada@example.com", "Europe/London", "ok", "done", 2**70, -1])
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(USER_FIELDS) | st.text(), inner),
    max_leaves=30,
)
# Users as the spec has them, with some fields gone or of another type: the parser's edge, not just its far side.
seed_user = {
    "id": 1, "identifier": IDENTIFIER, "first_name": "Ada", "last_name": None, "email_address": "ada@example.com",
    "time_zone": None, "account_administrator": False, "activated": False, "can_manage_users": False,
    "can_manage_billing": False, "can_create_projects": False, "can_manage_agents": False,
    "all_projects_allowed": False,
}  # fmt: skip
near_users = st.builds(
    lambda drop, changes: {**{k: v for k, v in seed_user.items() if k not in drop}, **changes},
    st.sets(st.sampled_from(list(seed_user))),
    st.dictionaries(st.sampled_from(list(seed_user)), json_values, max_size=3),
)


def nested(depth: int, closed: bool) -> bytes:
    return b"[" * depth + (b"]" * depth if closed else b"")


bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    near_users.map(lambda user: json.dumps(user).encode()),
    st.lists(near_users, max_size=3).map(lambda users: json.dumps(users).encode()),
    st.binary(max_size=200),
    st.text(max_size=100).map(lambda text: text.encode("utf-16")),
    st.builds(nested, st.integers(1, 200_000), st.booleans()),
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(
            ["application/json", "text/html", "application/json; charset=utf-16", "application/json; charset=nope"]
        ),
        "Retry-After": st.sampled_from(["0", "-5", "nan", "inf", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "soon"]),
        "Content-Encoding": st.sampled_from(["gzip", "br", "identity", "x-unknown"]),
    },
)
statuses = st.integers(100, 599) | st.sampled_from([200, 201, 204, 422, 429, 600, 999])


def outcome(name: str, status: int, body: bytes, answer_headers: dict[str, str]) -> object:
    """What *name* returns, or the exception it raises, for this one answer."""
    client = connect(
        base_url="https://acme.deployhq.com", email=EMAIL, api_key=API_KEY, env={}, max_retry_wait=0,
        transport=httpx.MockTransport(lambda request: httpx.Response(status, content=body, headers=answer_headers)),
    )  # fmt: skip
    call, _ = CALLS[name]
    try:
        result = call(client)
        return asyncio.run(result) if asyncio.iscoroutine(result) else result
    except Exception as error:  # the property: any exception at all is judged below
        return error


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(list(CALLS)), status=statuses, body=bodies, answer_headers=headers)
def test_any_answer_gives_a_result_or_a_deployhq_error(name, status, body, answer_headers):
    """Any status, any body (JSON of every shape, not JSON, deeply nested), any headers: a result or a DeployHQError."""
    result = outcome(name, status, body, answer_headers)
    _, succeeded = CALLS[name]
    assert isinstance(result, DeployHQError) or (200 <= status <= 299 and succeeded(result)), repr(result)


def test_a_delete_answered_off_spec_has_still_removed_the_user():
    """DELETE answered 200 `{"status": "done"}` (not the spec's "ok") returns None: the user is gone, no error."""
    assert [None, None] == [
        outcome(name, 200, b'{"status": "done"}', {"Content-Type": "application/json"})
        for name in ("delete_user", "delete_user_async")
    ]


def test_a_resend_answered_off_spec_has_still_sent_the_email():
    """resend_invitation answered 200 with HTML or an empty body returns None, sync and async."""
    assert [None] * 4 == [
        outcome(name, 200, body, {})
        for name in ("resend_invitation", "resend_invitation_async")
        for body in (b"<html>sent</html>", b"")
    ]


def test_an_error_body_in_a_charset_its_codec_refuses_is_still_typed():
    """A 500 labelled utf-16 without a byte-order mark (found by the property above) is a ServerError, not a
    UnicodeError from decoding its text.
    """
    error = outcome("list_users", 500, b"[]", {"Content-Type": "application/json; charset=utf-16"})
    assert (ServerError, "[]") == (type(error), getattr(error, "message", None))
