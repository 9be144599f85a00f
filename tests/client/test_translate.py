"""deployhq_users._translate: an error answer is typed by its status first, whatever its body looks like."""

from __future__ import annotations

import time

import httpx
import pytest
import stamina.instrumentation

from deployhq_client.models import UserInvitation
from deployhq_users import (
    APIError,
    AuthenticationError,
    BadRequestError,
    DeployHQError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    delete_user,
    invite_user,
    invite_user_async,
)

from .conftest import API_KEY, SECRETS

ADA = UserInvitation(first_name="Ada", email_address="ada@example.com")
IDENTIFIER = "a1b2c3d4-5e6f-7890-abcd-ef1234567890"
HTML = "<html><body><h1>Too busy</h1>\n<p>try later</p></body></html>"

# Each documented status and its exception; 520 is Cloudflare's, not in IANA's registry, and still a 5xx.
STATUSES = [
    (400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError),
    (413, BadRequestError), (415, BadRequestError), (422, ValidationError), (429, RateLimitedError),
    (500, ServerError), (502, ServerError), (503, ServerError), (520, ServerError),
]  # fmt: skip
# Bodies that are not the spec's {"status": <int>, "error": <str>}, and the message each must give.
OFF_SPEC = {
    "json without status": ({"json": {"error": "went wrong"}}, "went wrong"),
    "html": ({"text": HTML, "headers": {"Content-Type": "text/html"}}, " ".join(HTML.split())),
    "plain text": ({"text": "HTTP Basic: Access denied.\n"}, "HTTP Basic: Access denied."),
    "json list": ({"content": b'["went", "wrong"]'}, '["went", "wrong"]'),
    "empty": ({}, None),  # None: the status' reason phrase
}


@pytest.mark.parametrize(("status", "expected"), STATUSES, ids=[str(status) for status, _ in STATUSES])
@pytest.mark.parametrize("body", OFF_SPEC, ids=list(OFF_SPEC))
def test_an_off_spec_error_body_keeps_its_status(api, status, expected, body):
    """Whatever the body, the status picks the exception, which keeps the status and the body as its message."""
    answer, message = OFF_SPEC[body]
    response = httpx.Response(status, **answer)
    client, _ = api(response)
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA)
    error = caught.value
    assert (expected, status, message or response.reason_phrase) == (
        type(error), getattr(error, "status_code", None), getattr(error, "message", None)
    )  # fmt: skip


def test_a_long_body_is_cut_and_decoded(api):
    """A long, non-UTF-8 body becomes a message of at most 200 characters ending in an ellipsis, bad bytes replaced."""
    client, _ = api(httpx.Response(502, content=b"\xff\xfe bad gateway " + b"x" * 5000))
    with pytest.raises(ServerError) as caught:
        invite_user(client, ADA)
    message = caught.value.message
    assert (200, "…", "\ufffd\ufffd bad gateway") == (len(message), message[-1], message[:14])


def test_a_documented_error_body_gives_its_error(api):
    """The spec's own shape still gives just its `error` as the message."""
    client, _ = api(httpx.Response(403, json={"status": 403, "error": "You cannot manage users"}))
    with pytest.raises(PermissionDeniedError) as caught:
        invite_user(client, ADA)
    assert ("You cannot manage users", None) == (caught.value.message, caught.value.error_code)


def test_a_403_exposes_the_vendors_error_code(api):
    """The vendor's 403 body for DELETE ({error, error_code}, no status) gives .error_code, also in the text."""
    body = {"error": "You cannot remove the last account administrator", "error_code": "last_administrator"}
    client, _ = api(httpx.Response(403, json=body))
    with pytest.raises(PermissionDeniedError) as caught:
        delete_user(client, IDENTIFIER)
    error = caught.value
    assert (403, body["error"], "last_administrator", True) == (
        error.status_code, error.message, error.error_code, "last_administrator" in str(error)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "errors", "message"),
    [
        ({"error": "User already activated"}, {"error": ["User already activated"]}, "User already activated"),
        ({"email_address": "is invalid"}, {"email_address": ["is invalid"]}, "email_address is invalid"),
        (
            {"time_zone": ["is not included", 3]},
            {"time_zone": ["is not included", "3"]},
            "time_zone is not included, 3",
        ),  # noqa: E501
        ({"user": {"email_address": ["is invalid"]}}, {"user": ['{"email_address": ["is invalid"]}']}, None),
    ],
    ids=["error string", "string message", "non-string message", "nested"],
)
def test_an_off_spec_422_is_still_a_validation_error(api, body, errors, message):
    """A 422 that is not Rails-style {field: [messages]} is a ValidationError with .errors parsed as far as it goes."""
    client, _ = api(httpx.Response(422, json=body))
    with pytest.raises(ValidationError) as caught:
        invite_user(client, ADA)
    expected_message = message if message is not None else f"user {errors['user'][0]}"
    assert (errors, expected_message) == (caught.value.errors, caught.value.message)


@pytest.mark.parametrize(
    ("body", "message"),
    [({"text": HTML}, " ".join(HTML.split())), ({}, "Unprocessable Entity"), ({"json": ["no"]}, '["no"]')],
    ids=["html", "empty", "json list"],
)
def test_a_422_that_is_no_json_object_has_no_field_errors(api, body, message):
    """A 422 whose body is not a JSON object is a ValidationError with empty .errors and the body as its message."""
    client, _ = api(httpx.Response(422, **body))
    with pytest.raises(ValidationError) as caught:
        invite_user(client, ADA)
    assert ({}, message) == (caught.value.errors, caught.value.message)


def test_an_off_spec_429_is_retried_as_retry_after_says(api, seed, monkeypatch):
    """An HTML 429 and a 429 without `status` are still waited out, for exactly Retry-After's seconds each."""
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])
    try:
        client, server = api(
            httpx.Response(429, text=HTML, headers={"Retry-After": "3"}),
            httpx.Response(429, json={"error": "Rate limit exceeded"}, headers={"Retry-After": "1"}),
            httpx.Response(201, json=seed["response"]),
        )
        user = invite_user(client, ADA, rate_limit_retries=2)
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)
    assert (12345, 3, [3.0, 1.0]) == (user.id, len(server.requests), waits)


@pytest.mark.anyio
async def test_an_off_spec_429_is_retried_by_the_async_call(api, seed):
    """invite_user_async waits out an empty-bodied 429 the same way."""
    client, server = api(httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(201, json=seed["response"]))
    with stamina.set_testing(True, attempts=10, cap=True):
        user = await invite_user_async(client, ADA, rate_limit_retries=1)
    assert (12345, 2) == (user.id, len(server.requests))


@pytest.mark.parametrize("status", [301, 409, 418, 499])
def test_a_status_no_exception_stands_for_is_unexpected_and_keeps_it(api, status):
    """A status no exception stands for (a redirect, 409, 418, a non-IANA 499) is UnexpectedResponseError with it."""
    client, _ = api(httpx.Response(status, text="<html>elsewhere</html>"))
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA)
    assert (UnexpectedResponseError, status, True) == (
        type(caught.value), caught.value.status_code, "<html>elsewhere</html>" in str(caught.value)
    )  # fmt: skip


def test_a_body_echoing_the_credentials_is_shown_without_them(api):
    """A server that echoes the Authorization header or the key in an error page never gets them into a message."""

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text=f"debug: {request.headers['authorization']} key={API_KEY}")

    client, _ = api(echo)
    with pytest.raises(APIError) as caught:
        invite_user(client, ADA)
    shown = f"{caught.value}\n{caught.value!r}\n{caught.value.message}"
    leaked = [secret for secret in SECRETS if secret in shown]
    assert ([], True) == (leaked, "debug: Basic [hidden] key=[hidden]" in shown)
