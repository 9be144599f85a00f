"""Build a ready generated client from explicit arguments or the environment (DeployHQ's CLI's variables, and
DEPLOYHQ_BASE_URL, this package's own).

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from deployhq_client import Client

from ._answer import DEFAULT_DEADLINE, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_RETRY_WAIT, Limits
from ._client import LoopAwareClient
from ._errors import ConfigurationError
from ._hosts import host_problem

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_ANSWER_BYTES",
    "DEFAULT_MAX_RETRY_WAIT",
    "DEFAULT_TIMEOUT",
    "MIN_API_KEY_LENGTH",
    "connect",
    "resolve_base_url",
]

# The generated Client has no timeout at all by default; a hung connection must not hang a script.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_HOST = "deployhq.com"
# DeployHQ's CLI reads DEPLOYHQ_ACCOUNT, _EMAIL, _API_KEY, _PROJECT, _FORMAT and _HOST (`Keys` with viper's env
# prefix, and https://{account}.{host} from `host`, in deployhq/deployhq-cli, internal/config/config.go); no base URL.
# It takes a whole host name for the account: its SDK's newClient() does
# `account = strings.TrimSuffix(account, ".deployhq.com")` ("Tolerate users passing a full hostname ... instead of
# just the subdomain"), in deployhq/deployhq-cli, pkg/sdk/client.go (commit 15f4469). Cutting it in any letter case,
# and cutting `.<DEPLOYHQ_HOST>` too, is this package's own addition (a host name's case means nothing).
_CLI_SUFFIX = ".deployhq.com"
# DeployHQ's keys are 40 characters. Every message has the key cut out wherever it appears, so a very short key
# would garble them ("k" turns "not known" into "not [hidden]nown") and be no secret anyway.
MIN_API_KEY_LENGTH = 16


class _BasicAuth(httpx.BasicAuth):
    """httpx Basic auth whose repr names the user but never shows the key."""

    def __init__(self, email: str, api_key: str) -> None:
        super().__init__(email, api_key)
        self._email = email

    def __repr__(self) -> str:
        return f"<BasicAuth {self._email} api_key=[hidden]>"


def _seconds(where: str, value: object) -> float:
    """*value* if it is a finite number of seconds above 0, else ConfigurationError naming it (*where* is its name)."""
    # bool is an int, and True would be a 1-second timeout nobody meant.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{where}{value!r} is not a number of seconds (pass e.g. 10, or an httpx.Timeout)")
    # httpx hands it to the socket as it is: 0 fails every connection at once ("Operation now in progress"),
    # a negative value raises a bare ValueError while sending.
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(
            f"{where}{value!r} is not a duration: a timeout must be a finite number of seconds above 0"
        )
    return float(value)


def _checked_limits(max_answer_bytes: object, deadline: object, max_retry_wait: object) -> Limits:
    """The limits as given, or ConfigurationError naming the one that is no size or no duration."""
    if isinstance(max_answer_bytes, bool) or not isinstance(max_answer_bytes, int) or max_answer_bytes < 1:
        raise ConfigurationError(
            f"max_answer_bytes={max_answer_bytes!r} is not a size: pass a whole number of bytes above 0 "
            f"(the default is {DEFAULT_MAX_ANSWER_BYTES}, 10 MiB)"
        )
    wait = max_retry_wait
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not (math.isfinite(wait) and wait >= 0):
        raise ConfigurationError(
            f"max_retry_wait={max_retry_wait!r} is not a duration: pass a finite number of seconds, 0 or more "
            f"(the default is {DEFAULT_MAX_RETRY_WAIT:g})"
        )
    return Limits(max_answer_bytes, _seconds("deadline=", deadline), float(wait))


def _checked_timeout(timeout: object) -> httpx.Timeout:
    """*timeout* as an httpx.Timeout whose every limit is a finite number of seconds above 0, else
    ConfigurationError naming the value. In an httpx.Timeout, None (no limit for that phase) is allowed.
    """
    if timeout is None:
        raise ConfigurationError(
            "timeout=None would let a server that never answers hang the call forever; pass a number of seconds, "
            "or httpx.Timeout(None) if waiting forever is really what you want"
        )
    if isinstance(timeout, httpx.Timeout):
        for phase in ("connect", "read", "write", "pool"):
            limit = getattr(timeout, phase)
            if limit is not None:
                _seconds(f"the {phase} phase of timeout=", limit)
        return timeout
    return httpx.Timeout(_seconds("timeout=", timeout))


def _checked_url(url: str, what: str) -> str:
    """*url* without trailing slashes if it is an http(s) URL whose host can be looked up, else
    ConfigurationError naming the problem; *what* names where the URL came from.
    """
    # httpx refuses control characters only when a request is built, and encodes a space in the host as %20:
    # either would pass here and fail at the first call. A stray newline from a file or a shell is the usual one.
    odd = next((index for index, char in enumerate(url) if char.isspace() or not char.isprintable()), None)
    if odd is not None:
        raise ConfigurationError(
            f"{what} {url!r} has {url[odd]!r} at position {odd}: a URL has no white space or non-printing characters"
        )
    try:
        parsed = httpx.URL(url)
        urlsplit(url).port  # noqa: B018 -- httpx takes any port number; urlsplit checks the range when it is read
    except (httpx.InvalidURL, ValueError) as error:
        raise ConfigurationError(f"{what} {url!r} is malformed ({error})") from None
    if parsed.scheme not in {"http", "https"} or not parsed.raw_host:
        raise ConfigurationError(f"{what} {url!r} is not an http(s) URL with a host")
    # raw_host is ASCII (httpx turns an international name into its xn-- form) and is what is looked up.
    host = parsed.raw_host.decode("ascii")
    problem = host_problem(host)
    if problem:
        raise ConfigurationError(f"{what} {url!r} has a host that cannot be looked up: {host!r} {problem}")
    return url.rstrip("/")


def resolve_base_url(
    account: str | None = None, base_url: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The API's base URL: *base_url*, else https://<account>.<DEPLOYHQ_HOST>, else DEPLOYHQ_BASE_URL,
    else https://<DEPLOYHQ_ACCOUNT>.<DEPLOYHQ_HOST>. An argument always beats the environment.

    The account may be given as its host name, `acme.deployhq.com`, as DeployHQ's CLI takes it: the
    `.deployhq.com` is cut off (in any letter case), and so is `.<DEPLOYHQ_HOST>` when that is set.

    A URL that is not http(s), has white space or a control character, or a host that cannot be looked up
    (an empty label, one over 63 characters) raises ConfigurationError naming the problem.
    """
    env = os.environ if env is None else env
    # An explicit account must not be redirected by a DEPLOYHQ_BASE_URL left in the environment:
    # that would send the caller's credentials for that account to another server.
    url = base_url or (None if account else env.get("DEPLOYHQ_BASE_URL"))
    if url:
        # Credentials first: a refused URL is quoted in the errors below, and it must never carry a key.
        if "@" in re.split(r"[/?#]", url.split("://", 1)[-1], maxsplit=1)[0]:
            raise ConfigurationError("put credentials in DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY, not in the base URL")
        return _checked_url(url, "base URL")
    account = account or env.get("DEPLOYHQ_ACCOUNT")
    if not account:
        raise ConfigurationError(
            "no target: pass account= or base_url=, or set DEPLOYHQ_ACCOUNT (your <account>.deployhq.com) "
            "or DEPLOYHQ_BASE_URL"
        )
    host = env.get("DEPLOYHQ_HOST") or DEFAULT_HOST
    name = account
    for suffix in {_CLI_SUFFIX, f".{host}"}:
        if name.lower().endswith(suffix.lower()):
            name = name[: -len(suffix)]
    if not re.fullmatch(r"[A-Za-z0-9-]+", name):  # str.isalnum() would let "acmé" through
        raise ConfigurationError(
            f"account {account!r} is not a DeployHQ account name (letters, digits, dashes, as in acme or "
            "acme.deployhq.com); pass a whole URL as base_url="
        )
    account = name
    return _checked_url(f"https://{account}.{host}", "account URL")


def connect(
    account: str | None = None,
    *,
    email: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    deadline: float = DEFAULT_DEADLINE,
    max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
) -> Client:
    """A generated `Client` with Basic auth, a timeout and `Accept: application/json`.

    Arguments left out come from DEPLOYHQ_ACCOUNT, DEPLOYHQ_EMAIL, DEPLOYHQ_API_KEY and DEPLOYHQ_HOST, names
    DeployHQ's CLI reads too, and from DEPLOYHQ_BASE_URL, which is this package's own (the CLI has none).
    The account may be `acme` or `acme.deployhq.com`, as the CLI takes it.

    Against a server that sends too much or too slowly, a call ends: an answer over *max_answer_bytes* (10 MiB) raises
    ResponseTooLargeError, and one not whole within *deadline* seconds (120) of sending raises
    DeadlineExceededError, however slowly it trickles in, head or body (httpx's *timeout* is per read): no read
    of the transport built here waits past it, sync or async. Through a *transport* of yours a sync call checks the
    deadline only between reads, so a head dripped byte by byte is bounded there only per read; an async one ends
    on time whatever the transport.
    A 429 whose Retry-After is over *max_retry_wait* seconds (60) is raised at once instead of waited out.

    The client keeps connections open between calls. Close them with `with client:` (sync calls) or
    `async with client:` (async calls, inside the coroutine that runs them), or with
    `client.get_httpx_client().close()` / `await client.get_async_httpx_client().aclose()`; a call on a client
    closed that way raises ClientUnusableError and sends nothing. Async calls may come from one event loop after
    another (e.g. several `asyncio.run` calls): each loop gets its own async httpx client with the same settings,
    built on first use in it; close it in the loop that used it. For event loops running at the same time in
    several threads, give each thread its own client.

    An API key shorter than MIN_API_KEY_LENGTH (16) characters raises ConfigurationError: DeployHQ's have 40.

    *timeout* is seconds (every phase) or an `httpx.Timeout`; zero, a negative or an infinite number of seconds,
    and None, raise ConfigurationError (`httpx.Timeout(None)` is the way to wait forever on purpose).

    *transport* replaces httpx's network transport, e.g. `httpx.MockTransport(handler)` to test code
    that calls the API without a server (it serves both the sync and the async calls), or
    `httpx.HTTPTransport(retries=2)` to retry failed connections (sync calls only; an async client
    needs an `httpx.AsyncHTTPTransport`, which holds connections of one event loop and so serves only
    the first loop that uses it). Such a transport stays as given: it is not bound to the deadline as the one built
    here is (see above).
    """
    checked_timeout = _checked_timeout(timeout)  # before the environment: a bad argument is named first
    limits = _checked_limits(max_answer_bytes, deadline, max_retry_wait)
    env = os.environ if env is None else env
    email = email or env.get("DEPLOYHQ_EMAIL")
    api_key = api_key or env.get("DEPLOYHQ_API_KEY")
    missing = [name for name, value in (("DEPLOYHQ_EMAIL", email), ("DEPLOYHQ_API_KEY", api_key)) if not value]
    if missing:
        raise ConfigurationError(
            f"missing credentials: pass email=/api_key= or set {' and '.join(missing)} "
            "(the API key is under Settings -> Security in DeployHQ)"
        )
    assert email  # narrowed by the check above
    assert api_key
    if len(api_key) < MIN_API_KEY_LENGTH:
        # The length only: the key itself is never shown, however wrong it looks.
        raise ConfigurationError(
            f"the API key has {len(api_key)} characters, fewer than the {MIN_API_KEY_LENGTH} accepted (DeployHQ's "
            "have 40): pass the whole key from Settings -> Security in DeployHQ as api_key= or DEPLOYHQ_API_KEY"
        )
    return LoopAwareClient(
        base_url=resolve_base_url(account, base_url, env),
        headers={"Accept": "application/json"},
        timeout=checked_timeout,
        call_limits=limits,
        # httpx.BasicAuth instead of AuthenticatedClient(token=...): the latter shows the token in its repr.
        httpx_args={"auth": _BasicAuth(email, api_key), **({"transport": transport} if transport is not None else {})},
    )
