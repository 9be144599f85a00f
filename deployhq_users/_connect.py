"""Build a ready generated client from explicit arguments or the official CLI's environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from deployhq_client import Client

from ._client import LoopAwareClient
from ._errors import ConfigurationError

__all__ = ["DEFAULT_TIMEOUT", "connect", "resolve_base_url"]

# The generated Client has no timeout at all by default; a hung connection must not hang a script.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_HOST = "deployhq.com"


class _BasicAuth(httpx.BasicAuth):
    """httpx Basic auth whose repr names the user but never shows the key."""

    def __init__(self, email: str, api_key: str) -> None:
        super().__init__(email, api_key)
        self._email = email

    def __repr__(self) -> str:
        return f"<BasicAuth {self._email} api_key=[hidden]>"


def resolve_base_url(
    account: str | None = None, base_url: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The API's base URL: *base_url*, else https://<account>.<DEPLOYHQ_HOST>, else DEPLOYHQ_BASE_URL,
    else https://<DEPLOYHQ_ACCOUNT>.<DEPLOYHQ_HOST>. An argument always beats the environment.
    """
    env = os.environ if env is None else env
    # An explicit account must not be redirected by a DEPLOYHQ_BASE_URL left in the environment:
    # that would send the caller's credentials for that account to another server.
    url = base_url or (None if account else env.get("DEPLOYHQ_BASE_URL"))
    if url:
        # Credentials first: a refused URL is quoted in the error below, and it must never carry a key.
        if "@" in re.split(r"[/?#]", url.split("://", 1)[-1], maxsplit=1)[0]:
            raise ConfigurationError("put credentials in DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY, not in the base URL")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 -- urlsplit checks the port only when it is read
        except ValueError as error:
            raise ConfigurationError(f"base URL {url!r} is malformed ({error})") from None
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigurationError(f"base URL {url!r} is not an http(s) URL with a host")
        return url.rstrip("/")
    account = account or env.get("DEPLOYHQ_ACCOUNT")
    if not account:
        raise ConfigurationError(
            "no target: pass account= or base_url=, or set DEPLOYHQ_ACCOUNT (your <account>.deployhq.com) "
            "or DEPLOYHQ_BASE_URL"
        )
    if not re.fullmatch(r"[A-Za-z0-9-]+", account):  # str.isalnum() would let "acmé" through
        raise ConfigurationError(f"account {account!r} is not a DeployHQ account name (letters, digits, dashes)")
    host = env.get("DEPLOYHQ_HOST") or DEFAULT_HOST
    return f"https://{account}.{host}"


def connect(
    account: str | None = None,
    *,
    email: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
) -> Client:
    """A generated `Client` with Basic auth, a timeout and `Accept: application/json`.

    Arguments left out come from DEPLOYHQ_ACCOUNT, DEPLOYHQ_EMAIL, DEPLOYHQ_API_KEY,
    DEPLOYHQ_BASE_URL and DEPLOYHQ_HOST, the names the official DeployHQ CLI reads.

    The client keeps connections open between calls. Close them with `with client:` (sync calls) or
    `async with client:` (async calls, inside the coroutine that runs them), or with
    `client.get_httpx_client().close()` / `await client.get_async_httpx_client().aclose()`; a call on a client
    closed that way raises ClientUnusableError and sends nothing. Async calls may come from one event loop after
    another (e.g. several `asyncio.run` calls): each loop gets its own async httpx client with the same settings,
    built on first use in it; close it in the loop that used it. For event loops running at the same time in
    several threads, give each thread its own client.

    *transport* replaces httpx's network transport, e.g. `httpx.MockTransport(handler)` to test code
    that calls the API without a server (it serves both the sync and the async calls), or
    `httpx.HTTPTransport(retries=2)` to retry failed connections (sync calls only; an async client
    needs an `httpx.AsyncHTTPTransport`, which holds connections of one event loop and so serves only
    the first loop that uses it).
    """
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
    return LoopAwareClient(
        base_url=resolve_base_url(account, base_url, env),
        headers={"Accept": "application/json"},
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        # httpx.BasicAuth instead of AuthenticatedClient(token=...): the latter shows the token in its repr.
        httpx_args={"auth": _BasicAuth(email, api_key), **({"transport": transport} if transport is not None else {})},
    )
