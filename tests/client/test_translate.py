"""deployhq_users._translate: an error answer is typed by its status first, whatever its body looks like."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import re
import socket
import time
import traceback
import uuid

import httpx
import pytest
import stamina.instrumentation

from deployhq_client import Client
from deployhq_client.models import UserInvitation
from deployhq_users import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConnectionFailedError,
    DeployHQError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    connect,
    delete_user,
    get_user,
    invite_user,
    invite_user_async,
    list_users,
    list_users_async,
)

from .conftest import API_KEY, BASE_URL, EMAIL, SECRETS

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
        ),
        (
            {"user": {"email_address": ["is invalid"]}},
            {"user": ['{"email_address": ["is invalid"]}']},
            'user {"email_address": ["is invalid"]}',
        ),
    ],
    ids=["error string", "string message", "non-string message", "nested"],
)
def test_an_off_spec_422_is_still_a_validation_error(api, body, errors, message):
    """A 422 that is not Rails-style {field: [messages]} is a ValidationError with .errors parsed as far as it goes."""
    client, _ = api(httpx.Response(422, json=body))
    with pytest.raises(ValidationError) as caught:
        invite_user(client, ADA)
    assert (errors, message) == (caught.value.errors, caught.value.message)


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


UNKNOWN_HOST = "no-such-account.deployhq.test"


@pytest.fixture
def unknown_host(monkeypatch) -> str:
    """A host name that does not resolve, without asking a DNS server (this machine may only talk to loopback)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == UNKNOWN_HOST:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return UNKNOWN_HOST


def connect_to(base_url: str):
    return connect(base_url=base_url, email=EMAIL, api_key=API_KEY, env={})


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_closed_port_and_an_unknown_host_read_differently(closed_port, unknown_host, mode):
    """A connection failure names the URL and the OS's reason: "Connection refused" or "Name or service not known"."""
    refused_url = f"http://127.0.0.1:{closed_port}"
    unknown_url = f"https://{unknown_host}"

    def failure(base_url: str) -> DeployHQError:
        client = connect_to(base_url)
        with pytest.raises(DeployHQError) as caught:
            list_users(client) if mode == "sync" else asyncio.run(list_users_async(client))
        return caught.value

    failures = [failure(refused_url), failure(unknown_url)]
    assert [ConnectionFailedError] * 2 == [type(error) for error in failures]
    assert [
        f"list_users: could not connect to {refused_url}/users: {os.strerror(errno.ECONNREFUSED)}; nothing was sent",
        f"list_users: could not connect to {unknown_url}/users: Name or service not known; nothing was sent",
    ] == [str(error) for error in failures]


def test_a_connection_failure_shows_no_credentials_from_the_url(closed_port):
    """A generated Client whose base URL carries user:key gets the URL named without them."""
    client = Client(base_url=f"http://ops:{API_KEY}@127.0.0.1:{closed_port}")
    with pytest.raises(ConnectionFailedError) as caught:
        list_users(client)
    assert (False, f"http://127.0.0.1:{closed_port}/users" in str(caught.value)) == (API_KEY in str(caught.value), True)


@pytest.mark.parametrize(
    ("call", "sent", "expected", "safe_to_resend"),
    [
        (lambda c: invite_user(c, ADA), "invite_user: POST /users", OutcomeUnknownError, False),
        (lambda c: delete_user(c, IDENTIFIER), f"delete_user: DELETE /users/{IDENTIFIER}", OutcomeUnknownError, True),
        (lambda c: get_user(c, IDENTIFIER), f"get_user: GET /users/{IDENTIFIER}", ConnectionFailedError, None),
    ],
    ids=["invite", "delete", "get"],
)  # fmt: skip
def test_a_lost_answer_says_what_it_means_for_the_operation(api, call, sent, expected, safe_to_resend):
    """A lost answer to a change is OutcomeUnknownError (resending is safe only when idempotent); the URL is named."""
    client, _ = api(httpx.ReadTimeout)
    with pytest.raises(DeployHQError) as caught:
        call(client)
    operation, path = sent.split(" /", 1)
    beginning = f"{operation} {BASE_URL}/{path} was sent but no answer arrived (ReadTimeout: scripted failure); "
    assert (expected, safe_to_resend, True) == (
        type(caught.value), getattr(caught.value, "safe_to_resend", None), str(caught.value).startswith(beginning)
    )  # fmt: skip


def test_a_404_names_the_user_that_was_not_found(served):
    """get_user and delete_user of an unknown identifier say which one, over real HTTP to the reference server."""
    unknown = uuid.uuid4()
    with served.connect() as client:
        messages = []
        for call in (get_user, delete_user):
            with pytest.raises(NotFoundError) as caught:
                call(client, unknown)
            messages.append(str(caught.value))
    assert [
        f"get_user: no user with identifier {unknown}: 404 Not found",
        f"delete_user: no user with identifier {unknown}: 404 Not found",
    ] == messages


def test_a_404_on_the_collection_points_at_the_base_url(served):
    """A base URL with a wrong path gives a NotFoundError that names the URL tried and suggests checking it."""
    client = connect(base_url=f"{served.base_url}/api", email=served.email, api_key=served.api_key, env={})
    with client, pytest.raises(NotFoundError) as caught:
        list_users(client)
    expected = f"list_users: nothing at {served.base_url}/api/users (is the base URL right?): 404 "
    assert (expected, 404) == (str(caught.value)[: len(expected)], caught.value.status_code)


DEEP = "[" * 100_000 + "]" * 100_000  # json.loads gives up near 1,000 levels with a RecursionError
DEEP_ANSWERS = {
    200: (UnexpectedResponseError, "list_users: the server answered 200 OK with JSON nested too deeply to read: [[["),
    404: (NotFoundError, f"list_users: nothing at {BASE_URL}/users (is the base URL right?): 404 [[["),
    422: (ValidationError, "list_users: 422 [[["),
    429: (RateLimitedError, "list_users: 429 [[["),
    500: (ServerError, "list_users: 500 [[["),
}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("status", DEEP_ANSWERS)
def test_json_nested_too_deeply_is_typed_by_its_status(api, status, mode):
    """A body nested 100,000 levels deep is no bare RecursionError: its status types it, the text is its message."""
    client, _ = api(httpx.Response(status, content=DEEP.encode()))
    with pytest.raises(DeployHQError) as caught:
        list_users(client) if mode == "sync" else asyncio.run(list_users_async(client))
    expected, beginning = DEEP_ANSWERS[status]
    assert (expected, beginning) == (type(caught.value), str(caught.value)[: len(beginning)])


@pytest.mark.parametrize(("levels", "errors"), [(32, {"email": ["[" * 30 + "]" * 30]}), (33, {})])
def test_a_422_is_read_as_fields_up_to_32_levels(api, levels, errors):
    """A 422 body nesting at most 32 levels gives .errors; deeper, it is shown as text (json.dumps could not)."""
    body = '{"email": [' + "[" * (levels - 2) + "]" * (levels - 2) + "]}"
    client, _ = api(httpx.Response(422, content=body.encode()))
    with pytest.raises(ValidationError) as caught:
        list_users(client)
    assert (errors, errors == {}) == (caught.value.errors, caught.value.message == body)


def shown(error: BaseException) -> str:
    """Everything an exception shows: str, repr, its message and field errors, and its printed traceback."""
    parts = [str(error), repr(error), str(getattr(error, "message", "")), repr(getattr(error, "errors", {}))]
    return "\n".join([*parts, *traceback.format_exception(error)])


def escaped(text: str) -> str:
    """*text* with every other character written as a JSON \\u escape, upper- and lower-case hex in turn."""
    return "".join(
        (f"\\u{ord(char):04x}" if index % 4 == 0 else f"\\u{ord(char):04X}") if index % 2 == 0 else char
        for index, char in enumerate(text)
    )


@pytest.mark.parametrize(
    "body",
    [
        {"email_address": [API_KEY]},
        {"email_address": [f"{API_KEY} is not an address"], "first_name": "is blank"},
        {API_KEY: ["is not a field"]},
        {"user": {"echo": API_KEY}},
        {"error": f"bad key {API_KEY}"},
    ],
    ids=["message", "inside a message", "field name", "nested value", "error"],
)
def test_a_422_echoing_the_key_shows_it_nowhere(api, body):
    """The key in a 422's field messages, field names or nested values is [hidden] in .errors, str and repr."""
    client, _ = api(httpx.Response(422, json=body))
    with pytest.raises(ValidationError) as caught:
        invite_user(client, ADA)
    text = shown(caught.value)
    assert ([], True) == ([secret for secret in SECRETS if secret in text], "[hidden]" in text)


def unescaped(text: str) -> str:
    """*text* with JSON's \\u escapes turned into the characters they stand for."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match[1], 16)), text)


@pytest.mark.parametrize("status", [201, 404, 422, 500])
def test_a_key_echoed_in_json_escapes_is_hidden(api, status):
    """A key or Basic token echoed with \\u escapes (any hex case) is hidden: what counts is the text decoded."""
    body = f'{{"detail": "{escaped(API_KEY)}", "token": "{escaped(SECRETS[1])}"}}'
    client, _ = api(httpx.Response(status, content=body.encode()))
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA)
    text = unescaped(shown(caught.value))
    assert ([], 2) == ([secret for secret in SECRETS if secret in text], str(caught.value).count("[hidden]"))


def test_a_key_with_json_special_characters_is_hidden_however_escaped():
    """A key holding "/" and a quote, echoed by a server that writes "/" as "\\/" (PHP does), is still hidden."""
    key = 'canary/with/slashes"and-a-quote-00000000'
    body = json.dumps({"detail": f"key={key}"}).replace("/", "\\/")
    transport = httpx.MockTransport(lambda _: httpx.Response(500, content=body.encode()))
    client = connect(base_url=BASE_URL, email=EMAIL, api_key=key, env={}, transport=transport)
    with pytest.raises(ServerError) as caught:
        invite_user(client, ADA)
    assert ({"detail": "key=[hidden]"}, False) == (json.loads(caught.value.message), key in shown(caught.value))


def test_a_reason_phrase_echoing_the_key_is_hidden(api):
    """A status line whose reason phrase echoes the key (a debugging proxy) shows it nowhere."""
    answer = httpx.Response(599, extensions={"reason_phrase": f"Bad key {API_KEY}".encode()})
    client, _ = api(answer)
    with pytest.raises(ServerError) as caught:
        invite_user(client, ADA)
    assert ("Bad key [hidden]", []) == (caught.value.message, [s for s in SECRETS if s in shown(caught.value)])


USER = {
    "id": 7, "identifier": IDENTIFIER, "first_name": "Ada", "last_name": None, "email_address": "ada@example.com",
    "time_zone": "Etc/UTC", "account_administrator": False, "activated": False, "can_manage_users": False,
    "can_manage_billing": False, "can_create_projects": False, "can_manage_agents": False,
    "all_projects_allowed": False,
}  # fmt: skip
MISFITS = {
    "object for a list": (list_users, {"a": 1}, "an object where the spec has an array"),
    "number in a list": (list_users, [USER, 1], "item 1 is a number where the spec has an object"),
    "array for a user": (lambda client: get_user(client, IDENTIFIER), [USER], "an array where the spec has an object"),
    "missing field": (lambda client: get_user(client, IDENTIFIER), {"id": 7}, "no 'identifier' field"),
    "bad uuid": (
        lambda client: get_user(client, IDENTIFIER), {**USER, "identifier": "nope"},
        "ValueError: badly formed hexadecimal UUID string",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", MISFITS, ids=list(MISFITS))
def test_json_of_the_wrong_shape_is_not_called_not_json(api, case):
    """A 200 whose JSON is not the spec's shape says so and what is wrong; it is no longer "not JSON"."""
    call, body, detail = MISFITS[case]
    client, _ = api(httpx.Response(200, json=body))
    with pytest.raises(UnexpectedResponseError) as caught:
        call(client)
    assert f"the server answered 200 OK with JSON the spec does not describe ({detail}): " in str(caught.value)


def test_a_body_that_is_not_json_still_says_so(api):
    """A 200 with a web page instead of JSON is still "a body that is not JSON"."""
    client, _ = api(httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(UnexpectedResponseError) as caught:
        list_users(client)
    expected = "list_users: the server answered 200 OK with a body that is not JSON: <html>login</html>"
    assert expected == str(caught.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_generated_client_whose_host_no_lookup_takes_fails_typed(mode):
    """A `Client` built directly on http://a..b (connect() refuses it) fails alike sync and async, sending nothing."""
    client = Client(base_url="http://a..b")
    with pytest.raises(DeployHQError) as caught:
        list_users(client) if mode == "sync" else asyncio.run(list_users_async(client))
    expected = "list_users: the client's base URL has a host that cannot be looked up: 'a..b' has an empty label"
    assert (ConfigurationError, expected) == (type(caught.value), str(caught.value)[: len(expected)])


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_generated_client_whose_base_url_httpx_refuses_fails_typed(mode):
    """A `Client` built directly on a base URL ending in a newline raises ConfigurationError, sync and async alike."""
    client = Client(base_url="http://127.0.0.1:18000\n")
    with pytest.raises(DeployHQError) as caught:
        list_users(client) if mode == "sync" else asyncio.run(list_users_async(client))
    expected = "list_users: the client's base URL is malformed (Invalid non-printable ASCII character in URL"
    assert (ConfigurationError, expected) == (type(caught.value), str(caught.value)[: len(expected)])


@pytest.mark.parametrize(
    "echoed",
    [
        pytest.param(API_KEY[3:15], id="12 characters from inside the key"),
        pytest.param(API_KEY[:8] + " and " + API_KEY[-8:], id="its first and last 8"),
        pytest.param(f"{API_KEY[10:30]}{API_KEY[10:30]}", id="20 characters twice in a row"),
        pytest.param("".join(f"\\u{ord(c):04x}" for c in API_KEY[5:17]), id="12 characters as JSON escapes"),
    ],
)
def test_a_body_echoing_pieces_of_the_key_shows_none_of_them(api, echoed):
    """A server that echoes part of the key (8 characters or more in a row) gets none of it into a message."""
    client, _ = api(httpx.Response(401, text=f"bad key: {echoed}!"))
    with pytest.raises(APIError) as caught:
        invite_user(client, ADA)
    text = shown(caught.value)
    pieces = {API_KEY[i : i + 8] for i in range(len(API_KEY) - 7)}
    assert ([], True) == ([piece for piece in pieces if piece in text], "[hidden]" in text)


def test_ordinary_words_in_an_error_page_stay(api):
    """Only pieces of the credentials are cut: the rest of an error page reads as the server wrote it."""
    client, _ = api(httpx.Response(500, text="Internal Server Error: the database is unavailable"))
    with pytest.raises(APIError) as caught:
        invite_user(client, ADA)
    assert "Internal Server Error: the database is unavailable" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("x" * 9_000_000 + API_KEY, id="a 9 MB page"),
        pytest.param(json.dumps({"status": 500, "error": "y" * 9_000_000 + API_KEY}), id="a 9 MB error message"),
    ],
)
def test_a_huge_error_answer_makes_a_short_error(api, body):
    """An error answer of megabytes (under the answer limit) is shown cut to a couple of thousand characters."""
    client, _ = api(httpx.Response(500, text=body, headers={"Content-Type": "application/json"}))
    with pytest.raises(APIError) as caught:
        invite_user(client, ADA)
    assert (len(caught.value.message) < 2100, len(str(caught.value)) < 2100) == (True, True)
    assert API_KEY[:8] not in shown(caught.value)


def test_a_body_echoing_the_key_in_upper_case_shows_none_of_it(api):
    """The key is hex: a server that upper-cases it still echoes the key, and it is hidden all the same."""
    client, _ = api(httpx.Response(401, text=f"bad key {API_KEY.upper()}"))
    with pytest.raises(APIError) as caught:
        invite_user(client, ADA)
    text = shown(caught.value).lower()
    assert ([], True) == ([s for s in {API_KEY[i : i + 8] for i in range(33)} if s in text], "[hidden]" in text)


def test_a_422_of_thousands_of_fields_is_read_as_far_as_a_person_reads(api):
    """A 422 with 5000 fields of 30 messages each keeps the first 50 fields and 20 messages of each in .errors."""
    body = {f"field_{n}": [f"message {m} of {API_KEY}" for m in range(30)] for n in range(5000)}
    client, _ = api(httpx.Response(422, json=body))
    with pytest.raises(ValidationError) as caught:
        invite_user(client, ADA)
    errors = caught.value.errors
    assert (len(errors), {len(messages) for messages in errors.values()}) == (50, {20})
    assert API_KEY[:8] not in shown(caught.value)


def test_a_transport_error_quoting_the_key_is_not_chained(api):
    """h11 quotes a malformed header line whole: an error that says the key is not kept as the cause, so no
    traceback prints it; an error that does not stays the cause, for the traceback's sake."""

    def quoting(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"illegal header line: bytearray(b'X{API_KEY}')")

    client, _ = api(quoting)
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA)
    assert (caught.value.__cause__, API_KEY[:8] in shown(caught.value)) == (None, False)

    def plain(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("illegal header line: bytearray(b'X-Junk')")

    client, _ = api(plain)
    with pytest.raises(DeployHQError) as caught:
        invite_user(client, ADA)
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
