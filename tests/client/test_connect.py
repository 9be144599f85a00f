"""deployhq_users._connect: where connect() aims, with which credentials and timeout, and what it never shows."""

from __future__ import annotations

import base64

import httpx
import pytest

from deployhq_client import Client
from deployhq_users import (
    DEFAULT_TIMEOUT,
    MIN_API_KEY_LENGTH,
    ConfigurationError,
    connect,
    list_users,
    resolve_base_url,
)

from .conftest import API_KEY, EMAIL, SECRETS, ScriptedAPI

ENV = {"DEPLOYHQ_ACCOUNT": "envco", "DEPLOYHQ_EMAIL": "env@example.com", "DEPLOYHQ_API_KEY": "env-key-" + "0" * 32}
ALL_VARIABLES = [*ENV, "DEPLOYHQ_BASE_URL", "DEPLOYHQ_HOST"]


def sent(client: Client, server: ScriptedAPI) -> tuple[str, str]:
    """Make one call and return the URL it went to and the `email:key` it authenticated with."""
    list_users(client)
    request = server.requests[-1]
    credentials = base64.b64decode(request.headers["authorization"].removeprefix("Basic ")).decode()
    return str(request.url), credentials


def connected(*args, **kwargs) -> tuple[Client, ScriptedAPI]:
    server = ScriptedAPI(httpx.Response(200, json=[]))
    return connect(*args, transport=httpx.MockTransport(server), **kwargs), server


def test_explicit_arguments():
    """connect("acme", email=, api_key=) calls https://acme.deployhq.com with those credentials."""
    client, server = connected("acme", email=EMAIL, api_key=API_KEY, env={})
    assert ("https://acme.deployhq.com/users", f"{EMAIL}:{API_KEY}") == sent(client, server)


def test_environment_variables(monkeypatch):
    """With no arguments, connect() reads DEPLOYHQ_ACCOUNT, DEPLOYHQ_EMAIL and DEPLOYHQ_API_KEY from os.environ."""
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    client, server = connected()
    assert sent(client, server) == ("https://envco.deployhq.com/users", f"env@example.com:{ENV['DEPLOYHQ_API_KEY']}")


def test_deployhq_host_replaces_the_domain():
    """DEPLOYHQ_HOST changes the domain an account name is joined to, as in the official CLI."""
    client, server = connected(env={**ENV, "DEPLOYHQ_HOST": "deployhq.test"})
    assert sent(client, server)[0] == "https://envco.deployhq.test/users"


def test_base_url_variable_beats_the_account_variable():
    """DEPLOYHQ_BASE_URL (trailing slash and all) wins over DEPLOYHQ_ACCOUNT, e.g. to aim at a local server."""
    client, server = connected(env={**ENV, "DEPLOYHQ_BASE_URL": "http://127.0.0.1:8765/"})
    assert sent(client, server)[0] == "http://127.0.0.1:8765/users"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"account": "acme"}, "https://acme.deployhq.com/users"),
        ({"base_url": "http://localhost:9000/api"}, "http://localhost:9000/api/users"),
        ({"account": "acme", "base_url": "http://localhost:9000"}, "http://localhost:9000/users"),
    ],
)
def test_arguments_beat_the_environment(args, expected):
    """An explicit account or base_url wins over DEPLOYHQ_BASE_URL and DEPLOYHQ_ACCOUNT; base_url wins over account."""
    env = {**ENV, "DEPLOYHQ_BASE_URL": "http://elsewhere.test"}
    client, server = connected(email=EMAIL, api_key=API_KEY, env=env, **args)
    assert (expected, f"{EMAIL}:{API_KEY}") == sent(client, server)


@pytest.mark.parametrize(("missing", "other"), [("DEPLOYHQ_EMAIL", "DEPLOYHQ_API_KEY"), ("DEPLOYHQ_API_KEY", None)])
def test_a_missing_credential_is_named(missing, other):
    """Without an email or an API key, ConfigurationError names exactly the variables that are missing."""
    env = {name: value for name, value in ENV.items() if name not in {missing, other}}
    with pytest.raises(ConfigurationError) as caught:
        connect(env=env)
    named = {name for name in ALL_VARIABLES if name in str(caught.value)}
    assert {missing, other} - {None} == named


def test_a_missing_target_is_named():
    """Without an account or base URL, ConfigurationError names DEPLOYHQ_ACCOUNT and DEPLOYHQ_BASE_URL."""
    with pytest.raises(ConfigurationError) as caught:
        connect(email=EMAIL, api_key=API_KEY, env={})
    assert {"DEPLOYHQ_ACCOUNT", "DEPLOYHQ_BASE_URL"} == {name for name in ALL_VARIABLES if name in str(caught.value)}


@pytest.mark.parametrize(
    "url",
    ["deployhq.com", "ftp://acme.deployhq.com", "http://", "https:///users", "http://[::1", "http://acme:99999"],
)
def test_a_malformed_base_url_is_refused(url):
    """A base URL that is not http(s) with a host (or does not parse) raises ConfigurationError quoting it."""
    with pytest.raises(ConfigurationError) as caught:
        resolve_base_url(base_url=url, env={})
    assert repr(url) in str(caught.value)


LONG_LABEL = "a" * 64
# Each URL httpx takes as it is, and what connect() must say about it: they used to pass connect() and then fail
# every call with a bare UnicodeError (sync) or ConnectionFailedError (async), or with httpx.InvalidURL (both).
UNREACHABLE = {
    "two dots": ("http://a..b", "has a host that cannot be looked up: 'a..b' has an empty label"),
    "leading dot": ("https://.acme.test", "has a host that cannot be looked up: '.acme.test' has an empty label"),
    "long label": (f"http://{LONG_LABEL}.com:8000", f"'{LONG_LABEL}.com' has a label of 64 characters (63 at most)"),
    "newline": ("http://127.0.0.1:18000\n", "has '\\n' at position 22: a URL has no white space"),
    "tab": ("http://127.0.0.1\t:18000", "has '\\t' at position 16"),
    "space in host": ("http://acme corp.test", "has ' ' at position 11"),
    "space at end": ("https://acme.test/ ", "has ' ' at position 18"),
    "zero-width space": ("https://acme\u200b.test", "has '\\u200b' at position 12"),
    "port out of range": ("http://acme:99999", "is malformed (Port out of range 0-65535)"),
}


@pytest.mark.parametrize("case", UNREACHABLE, ids=list(UNREACHABLE))
def test_a_base_url_no_call_could_use_is_refused_by_connect(case):
    """A base URL with white space, a control character or a host no lookup takes is refused, naming the problem."""
    url, named = UNREACHABLE[case]
    with pytest.raises(ConfigurationError) as caught:
        connect(base_url=url, email=EMAIL, api_key=API_KEY, env={})
    assert (True, True) == (str(caught.value).startswith(f"base URL {url!r} "), named in str(caught.value))


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DEPLOYHQ_BASE_URL", "http://a..b", "base URL 'http://a..b' has a host that cannot be looked up"),
        ("DEPLOYHQ_HOST", "deployhq.com\n", "account URL 'https://envco.deployhq.com\\n' has '\\n' at position 26"),
    ],
)
def test_a_bad_url_from_the_environment_is_refused(variable, value, expected):
    """The same checks apply to DEPLOYHQ_BASE_URL and to the URL that DEPLOYHQ_HOST makes with the account."""
    with pytest.raises(ConfigurationError) as caught:
        connect(env={**ENV, variable: value})
    assert expected == str(caught.value)[: len(expected)]


def test_an_account_name_too_long_for_a_host_is_refused():
    """An account of 64 letters makes a host label DNS refuses: ConfigurationError, not a UnicodeError per call."""
    with pytest.raises(ConfigurationError, match=r"has a label of 64 characters \(63 at most\)"):
        connect(LONG_LABEL, email=EMAIL, api_key=API_KEY, env={})


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (f"http://{'a' * 63}.test", f"{'a' * 63}.test"),
        ("https://acme.deployhq.com.", "acme.deployhq.com."),
        ("http://[::1]:8000/", "::1"),
        ("https://bücher.example", "xn--bcher-kva.example"),
    ],
    ids=["63-character label", "trailing dot", "IPv6", "international"],
)
def test_a_host_that_can_be_looked_up_is_kept(url, host):
    """A 63-character label, a fully qualified name, an IPv6 literal and an international name are all accepted."""
    client, server = connected(base_url=url, email=EMAIL, api_key=API_KEY, env={})
    list_users(client)
    assert host == server.requests[-1].url.raw_host.decode()


@pytest.mark.parametrize("length", [8, MIN_API_KEY_LENGTH - 1])
def test_an_implausibly_short_api_key_is_refused_without_showing_it(length):
    """A key under MIN_API_KEY_LENGTH characters is refused naming its length, never its value."""
    key = "kQ7!zX9#mP2$vB4&wR6*"[:length]
    with pytest.raises(ConfigurationError) as caught:
        connect("acme", email=EMAIL, api_key=key, env={})
    message = str(caught.value)
    assert (True, False) == (
        message.startswith(f"the API key has {length} characters, fewer than the 16"),
        key in message,
    )


def test_a_short_key_from_the_environment_is_refused_too():
    """DEPLOYHQ_API_KEY is held to the same minimum as api_key=."""
    with pytest.raises(ConfigurationError, match=r"^the API key has 1 characters"):
        connect(env={**ENV, "DEPLOYHQ_API_KEY": "k"})


def test_a_key_of_the_minimum_length_is_sent():
    """A key of exactly MIN_API_KEY_LENGTH (16) characters is accepted and sent as it is."""
    key = "k" * 16
    client, server = connected("acme", email=EMAIL, api_key=key, env={})
    assert (16, f"{EMAIL}:{key}") == (MIN_API_KEY_LENGTH, sent(client, server)[1])


@pytest.mark.parametrize(
    "url",
    [
        f"https://ops:{API_KEY}@acme.deployhq.com",
        f"https://{API_KEY}@acme.deployhq.com/",
        f"ftp://ops:{API_KEY}@acme",
        f"ops:{API_KEY}@acme.deployhq.com",
        f"https://ops:{API_KEY}@",
    ],
)
def test_credentials_in_the_base_url_are_refused_without_echoing_them(url):
    """A base URL with user info is refused, and the error does not repeat the key it contained."""
    with pytest.raises(ConfigurationError) as caught:
        connect(base_url=url, email=EMAIL, api_key=API_KEY, env={})
    assert (API_KEY in str(caught.value), "not in the base URL" in str(caught.value)) == (False, True)


@pytest.mark.parametrize(
    ("account", "env", "expected"),
    [
        ("acme.deployhq.com", {}, "https://acme.deployhq.com/users"),
        ("Acme.DeployHQ.com", {}, "https://acme.deployhq.com/users"),
        (None, {"DEPLOYHQ_ACCOUNT": "acme.deployhq.com"}, "https://acme.deployhq.com/users"),
        ("acme.deployhq.test", {"DEPLOYHQ_HOST": "deployhq.test"}, "https://acme.deployhq.test/users"),
        ("acme.deployhq.com", {"DEPLOYHQ_HOST": "deployhq.test"}, "https://acme.deployhq.test/users"),
    ],
)
def test_an_account_given_as_its_host_name_is_cut_to_the_account(account, env, expected):
    """connect("acme.deployhq.com") and DEPLOYHQ_ACCOUNT=acme.deployhq.com aim at https://acme.deployhq.com, as
    DeployHQ's CLI takes them (it cuts `.deployhq.com` off the account).
    """
    client, server = connected(account, email=EMAIL, api_key=API_KEY, env=env)
    assert expected == sent(client, server)[0]


@pytest.mark.parametrize(
    "account", ["acme.evil.test", "acme/..", "acmé", "acme corp", "evil.test.deployhq.com", "acme.deployhq.com.evil"]
)
def test_a_malformed_account_is_refused(account):
    """An account that is not letters, digits and dashes raises ConfigurationError instead of building a host."""
    with pytest.raises(ConfigurationError, match="is not a DeployHQ account name"):
        connect(account, email=EMAIL, api_key=API_KEY, env={})


def test_default_timeout_is_set():
    """The client has DEFAULT_TIMEOUT (the generated Client alone has none), with every phase bounded."""
    timeout = connect("acme", email=EMAIL, api_key=API_KEY, env={}).get_httpx_client().timeout
    phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    assert (timeout, None in phases) == (DEFAULT_TIMEOUT, False)


@pytest.mark.parametrize(("given", "expected"), [(10, httpx.Timeout(10.0)), (httpx.Timeout(3.0), httpx.Timeout(3.0))])
def test_explicit_timeout(given, expected):
    """timeout= takes seconds or an httpx.Timeout, for both the sync and the async httpx client."""
    client = connect("acme", email=EMAIL, api_key=API_KEY, env={}, timeout=given)
    assert (expected, expected) == (client.get_httpx_client().timeout, client.get_async_httpx_client().timeout)


def test_no_secret_in_the_clients_repr(api):
    """Neither the key nor its Basic token shows in repr/str of the client or its httpx clients, even after use."""
    client, _ = api(httpx.Response(200, json=[]))
    before = [repr(client), str(client)]
    list_users(client)
    shown = "\n".join([*before, repr(client), str(client), repr(client.get_httpx_client())])
    shown += repr(client.get_async_httpx_client()) + repr(client.get_httpx_client().auth)
    assert [secret for secret in SECRETS if secret in shown] == []


@pytest.mark.parametrize(
    ("timeout", "named"),
    [
        (0, "timeout=0 is not a duration"),
        (-1, "timeout=-1 is not a duration"),
        (-0.5, "timeout=-0.5 is not a duration"),
        (float("inf"), "timeout=inf is not a duration"),
        (float("nan"), "timeout=nan is not a duration"),
        (True, "timeout=True is not a number of seconds"),
        ("10", "timeout='10' is not a number of seconds"),
        (None, "timeout=None would let a server that never answers hang the call forever"),
        (httpx.Timeout(5.0, read=0), "the read phase of timeout=0 is not a duration"),
        (httpx.Timeout(5.0, connect=-2.0), "the connect phase of timeout=-2.0 is not a duration"),
    ],
    ids=["zero", "negative", "negative float", "inf", "nan", "bool", "string", "None", "zero read", "negative connect"],
)
def test_a_timeout_that_is_no_duration_is_refused(timeout, named):
    """Zero, negative, infinite or non-numeric timeouts (also inside an httpx.Timeout) raise ConfigurationError."""
    server = ScriptedAPI(httpx.Response(200, json=[]))
    with pytest.raises(ConfigurationError) as caught:
        connect("acme", email=EMAIL, api_key=API_KEY, env={}, timeout=timeout, transport=httpx.MockTransport(server))
    assert (True, []) == (str(caught.value).startswith(named), server.requests)


def test_a_bad_timeout_is_named_before_missing_credentials():
    """A bad timeout is reported even when the environment has no credentials: the argument is the caller's."""
    with pytest.raises(ConfigurationError, match=r"^timeout=0 is not a duration"):
        connect(env={}, timeout=0)


def test_an_explicit_timeout_without_limits_is_kept(served):
    """httpx.Timeout(None) is the deliberate way to wait forever: accepted, and the client works with it."""
    with served.connect(timeout=httpx.Timeout(None)) as client:
        users = list_users(client)
    assert (httpx.Timeout(None), 3) == (client.get_httpx_client().timeout, len(users))


def test_a_tiny_positive_timeout_is_accepted(served):
    """A small but positive timeout is a real duration: connect() takes it and a call over loopback succeeds."""
    with served.connect(timeout=0.5) as client:
        assert 3 == len(list_users(client))
