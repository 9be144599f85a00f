"""deployhq_users._errors, raised by _users: each failure is one typed exception, retried only when asked."""

from __future__ import annotations

import time
import traceback

import httpx
import pytest
import stamina
import stamina.instrumentation

from deployhq_client.models import UserInvitation
from deployhq_users import (
    AlreadyActivatedError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientUnusableError,
    ConfigurationError,
    ConnectionFailedError,
    DeadlineExceededError,
    DeployHQError,
    InvalidIdentifierError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseTooLargeError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    connect,
    get_user,
    invite_user,
    invite_user_async,
    list_users,
    resend_invitation,
    update_user,
)

from .conftest import API_KEY, EMAIL, SECRETS

ADA = UserInvitation(first_name="Ada", email_address="ada@example.com")
IDENTIFIER = "a1b2c3d4-5e6f-7890-abcd-ef1234567890"


def error(status: int, message: str = "scripted", **headers: str) -> httpx.Response:
    """An error answer in the spec's Error shape."""
    return httpx.Response(status, json={"status": status, "error": message}, headers=headers)


def limited(retry_after: str) -> httpx.Response:
    """A 429 with a Retry-After header."""
    return error(429, "Rate limit exceeded", **{"Retry-After": retry_after})


def created(seed_response) -> httpx.Response:
    return httpx.Response(201, json=seed_response)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (413, BadRequestError),
        (415, BadRequestError),
        (429, RateLimitedError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_each_error_status_has_its_exception(api, status, expected):
    """Each documented error status raises its own APIError subclass carrying the status and the server's message."""
    client, _ = api(error(status, "what went wrong"))
    with pytest.raises(APIError) as caught:
        invite_user(client, ADA)
    assert (expected, status, "what went wrong") == (type(caught.value), caught.value.status_code, caught.value.message)


def test_422_exposes_the_field_errors(api):
    """A 422 raises ValidationError whose .errors maps each field to its messages, all named in the message."""
    errors = {"email_address": ["has already been taken"], "first_name": ["can't be blank"]}
    client, _ = api(httpx.Response(422, json=errors))
    with pytest.raises(ValidationError) as caught:
        invite_user(client, ADA)
    assert (errors, 422, "invite_user: 422 email_address has already been taken; first_name can't be blank") == (
        caught.value.errors, caught.value.status_code, str(caught.value)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("7", 7.0), ("0", 0.0), (None, None), ("Wed, 21 Oct 2015 07:28:00 GMT", None), ("inf", None), ("nan", None)],
)
def test_429_exposes_retry_after(api, retry_after, expected):
    """RateLimitedError.retry_after is Retry-After in seconds; None when absent, a date, or not a finite number."""
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    client, _ = api(error(429, "Rate limit exceeded", **headers))
    with pytest.raises(RateLimitedError) as caught:
        invite_user(client, ADA)
    assert expected == caught.value.retry_after


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(418, json={"status": 418}),  # IANA, but not in the spec
        httpx.Response(200, json={"status": "ok"}),  # a success status invite_user does not expect
        httpx.Response(201, text="<html>welcome</html>"),  # the right status, but not JSON
        httpx.Response(201, json={"id": 1}),  # JSON, but not a User
    ],
    ids=["418", "200", "201-html", "201-partial"],
)
def test_an_answer_the_spec_does_not_describe_is_unexpected(api, answer):
    """A status no exception stands for, or a success whose body is not the documented JSON, is unexpected."""
    client, _ = api(answer)
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA)
    assert type(caught.value) is UnexpectedResponseError


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteTimeout])
@pytest.mark.parametrize("retries", [0, 3])
def test_an_invite_with_unknown_outcome_is_never_resent(api, failure, retries):
    """A timeout or dropped connection after sending raises OutcomeUnknownError after exactly one request."""
    client, server = api(failure)
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA, rate_limit_retries=retries)
    assert (OutcomeUnknownError, 1) == (type(caught.value), len(server.requests))


@pytest.mark.anyio
async def test_an_async_invite_with_unknown_outcome_is_never_resent(api):
    """invite_user_async also raises OutcomeUnknownError after a single request, retries or not."""
    client, server = api(httpx.ReadTimeout)
    with pytest.raises(DeployHQError) as caught:
        await invite_user_async(client, ADA, rate_limit_retries=3)
    assert (OutcomeUnknownError, 1) == (type(caught.value), len(server.requests))


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ConnectTimeout])
def test_a_failed_connection_is_connection_failed(api, failure):
    """When no connection could be made, ConnectionFailedError says nothing was sent."""
    client, _ = api(failure)
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA)
    assert (ConnectionFailedError, True) == (type(caught.value), "nothing was sent" in str(caught.value))


def test_a_read_timeout_on_a_read_is_connection_failed(api):
    """For an idempotent call (get_user) a lost answer is ConnectionFailedError: trying again is safe."""
    client, _ = api(httpx.ReadTimeout)
    with pytest.raises(DeployHQError) as caught:
        get_user(client, IDENTIFIER)
    assert type(caught.value) is ConnectionFailedError


def test_rate_limit_retries_wait_out_429s(api, seed):
    """With rate_limit_retries=2, two 429s then a 201 give the user after exactly three requests."""
    client, server = api(limited("0"), limited("0"), created(seed["response"]))
    with stamina.set_testing(True, attempts=10, cap=True):  # no waits; the caller's attempts still apply
        user = invite_user(client, ADA, rate_limit_retries=2)
    assert (user.id, len(server.requests)) == (12345, 3)


def test_rate_limit_retries_give_up_after_the_last_retry(api):
    """With rate_limit_retries=2 and only 429s, RateLimitedError is raised after exactly three requests."""
    client, server = api(limited("0"))
    with stamina.set_testing(True, attempts=10, cap=True), pytest.raises(RateLimitedError):
        invite_user(client, ADA, rate_limit_retries=2)
    assert len(server.requests) == 3


@pytest.mark.anyio
async def test_async_rate_limit_retries(api, seed):
    """invite_user_async retries 429s the same way: two 429s then a 201 is three requests."""
    client, server = api(limited("0"), limited("0"), created(seed["response"]))
    with stamina.set_testing(True, attempts=10, cap=True):
        user = await invite_user_async(client, ADA, rate_limit_retries=2)
    assert (user.id, len(server.requests)) == (12345, 3)


def test_no_retries_by_default(api):
    """Without rate_limit_retries a 429 raises at once, after one request."""
    client, server = api(limited("0"))
    with stamina.set_testing(True, attempts=10, cap=True), pytest.raises(RateLimitedError):
        invite_user(client, ADA, rate_limit_retries=0)
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [400, 422, 500])
def test_only_429_is_retried(api, status):
    """Even with rate_limit_retries, any other error answer raises after one request."""
    client, server = api(error(status) if status != 422 else httpx.Response(422, json={"first_name": ["is invalid"]}))
    with stamina.set_testing(True, attempts=10, cap=True), pytest.raises(APIError):
        invite_user(client, ADA, rate_limit_retries=3)
    assert len(server.requests) == 1


def test_retry_after_is_the_wait_asked_for(api, seed, monkeypatch):
    """stamina is asked to wait exactly Retry-After's seconds before each retry (the sleep itself is skipped)."""
    waits: list[float] = []
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])
    try:
        client, _ = api(limited("7"), limited("2"), created(seed["response"]))
        invite_user(client, ADA, rate_limit_retries=2)
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)
    assert (waits, slept) == ([7.0, 2.0], [7.0, 2.0])


CALLS = (
    lambda c: invite_user(c, ADA), list_users, lambda c: get_user(c, IDENTIFIER),
    lambda c: update_user(c, IDENTIFIER, first_name="Ada"), lambda c: resend_invitation(c, IDENTIFIER),
)  # fmt: skip


def failures(client_with, seed) -> list[BaseException]:
    """Provoke every kind of error the package raises, with the canary key configured."""
    caught: list[BaseException] = []
    answers = [
        error(401, "Access denied"), error(429), httpx.Response(422, json={"email_address": ["is invalid"]}),
        httpx.Response(520, text="oops"), httpx.Response(201, text="<html>"), httpx.Response(418, json={}),
        httpx.ReadTimeout, httpx.ConnectError, httpx.RemoteProtocolError,
        lambda request: httpx.Response(500, text=f"echo {request.headers['authorization']} {API_KEY}"),
        httpx.Response(422, json={"email_address": [API_KEY], API_KEY: {"nested": API_KEY}}),
        httpx.Response(500, content=b"[" * 100_000), httpx.Response(200, json={"not": "the spec's"}),
        # A success echoing the key where the parser looks: its parse error is chained, and must not show it.
        httpx.Response(200, json={"identifier": API_KEY, API_KEY: [API_KEY]}),
    ]  # fmt: skip
    for answer in answers:
        client, _ = client_with(answer)
        for call in CALLS:
            try:
                call(client)
            except DeployHQError as exc:
                caught.append(exc)
    closed, _ = client_with(httpx.Response(200, json=[]))
    closed.get_httpx_client().close()
    for call in CALLS:
        try:
            call(closed)
        except DeployHQError as exc:
            caught.append(exc)
    bad_targets = (
        {"base_url": f"https://ops:{API_KEY}@x.test"}, {"base_url": "ftp://x"}, {"account": "a.b"},
        {"base_url": "http://a..b"}, {"base_url": "http://x.test\n"},
    )  # fmt: skip
    for bad in bad_targets:
        try:
            connect(email=EMAIL, api_key=API_KEY, env={}, **bad)
        except DeployHQError as exc:
            caught.append(exc)
    try:
        get_user(client_with(httpx.Response(200, json={}))[0], "not-a-uuid")
    except DeployHQError as exc:
        caught.append(exc)
    # An answer over the size limit, whose reason phrase echoes the key, for every call.
    echoing = httpx.Response(200, content=b"x" * 2_000, extensions={"reason_phrase": f"OK {API_KEY}".encode()})
    client, _ = client_with(echoing, max_answer_bytes=1_000)
    for call in CALLS:
        try:
            call(client)
        except DeployHQError as exc:
            caught.append(exc)
    return caught


def test_no_secret_in_any_exception_text(api, seed):
    """No exception the package raises shows the key, raw or base64'd, in str, repr or its printed traceback."""
    caught = failures(api, seed)
    text = "\n".join(f"{exc}\n{exc!r}\n{''.join(traceback.format_exception(exc))}" for exc in caught)
    # 14 answers to 5 calls, but resend_invitation takes the 201 HTML and the off-spec 200s as the successes they are.
    assert (len(caught), [secret for secret in SECRETS if secret in text]) == (14 * 5 - 3 + 5 + 5 + 1 + 5, [])


def test_the_hierarchy():
    """Every exception is a DeployHQError; answers are APIErrors; only InvalidIdentifierError is also a ValueError."""
    api_errors = [BadRequestError, AuthenticationError, PermissionDeniedError, NotFoundError, ValidationError,
                  AlreadyActivatedError, RateLimitedError, ServerError]  # fmt: skip
    others = [ConfigurationError, ConnectionFailedError, OutcomeUnknownError, UnexpectedResponseError,
              InvalidIdentifierError, ClientUnusableError, DeadlineExceededError, ResponseTooLargeError]  # fmt: skip
    assert (
        [issubclass(cls, DeployHQError) for cls in api_errors + others],
        [issubclass(cls, APIError) for cls in api_errors],
        [issubclass(cls, APIError) for cls in others],
        issubclass(AlreadyActivatedError, ValidationError),
        [cls for cls in api_errors + others if issubclass(cls, ValueError)],
        # A lost answer and an answer the spec does not describe, each caught by its family's except clause.
        issubclass(DeadlineExceededError, OutcomeUnknownError),
        issubclass(ResponseTooLargeError, UnexpectedResponseError),
    ) == ([True] * 16, [True] * 8, [False] * 8, True, [InvalidIdentifierError], True, True)  # fmt: skip
