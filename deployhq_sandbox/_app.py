"""The app factory: a plain Starlette app whose every answer, errors included, is JSON.

Broken variants are built by replacing one piece: `store_class`, `validator_class`, `authenticator_class`
or `api_class` (subclasses overriding one method), or by wrapping the returned app in ASGI middleware
that rewrites responses.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ._auth import Authenticator
from ._config import API_KEY_VARIABLE, MIN_API_KEY_LENGTH, Accounts
from ._connections import check_positive
from ._db import Store, StoreUnavailableError
from ._docs import docs_routes
from ._limit import RateLimit
from ._routes import CodedRefusal, UsersAPI
from ._spec import Spec, load_spec
from ._validation import Validator

__all__ = ["DEFAULT_BODY_TIMEOUT", "DEFAULT_MAX_BODY_BYTES", "check_max_body_bytes", "create_app", "error_response"]

DEFAULT_MAX_BODY_BYTES = 65536
# Seconds for a whole request body, from when the handler starts reading it: 64 KiB in 30 s is a 2 KiB/s line.
DEFAULT_BODY_TIMEOUT = 30.0
logger = logging.getLogger(__name__)


def check_max_body_bytes(value: object) -> int:
    """*value* as a body limit: a whole number of bytes, at least 1 (else ValueError naming it)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"max_body_bytes must be a whole number of bytes, at least 1; got {value!r}")
    return value


def _check_accounts(accounts: Accounts, validator: Validator) -> None:
    """ValueError unless every account's address is one `POST /users` accepts (`Validator.email_key`): each
    account is a user of the account, and `GET /users` would otherwise show an address that breaks the spec;
    and unless every key has at least MIN_API_KEY_LENGTH characters, as the client and the judge require.

    The message names where the address came from, never its value: a key set in the wrong variable would be shown.
    """
    roles = {"administrator": accounts.administrator, "manager": accounts.manager, "member": accounts.member}
    for role, account in roles.items():
        if account is not None and len(account.api_key) < MIN_API_KEY_LENGTH:
            from_env = role == "administrator" and accounts.api_key_source != "default"
            raise ValueError(
                f"{API_KEY_VARIABLE if from_env else f'the {role} API key'} is too short: it has "
                f"{len(account.api_key)} characters, fewer than the {MIN_API_KEY_LENGTH} an API key needs "
                "(DeployHQ's have 40); set a longer key"
            )
        if account is None or validator.email_key(account.email) is not None:
            continue
        from_env = role == "administrator" and accounts.email_source != "default"
        origin = accounts.email_source if from_env else f"the {role}'s address"
        raise ValueError(
            f"{origin} is not an email address the API accepts: it must be ASCII, with a dotted domain that can "
            "receive email (.test is fine; .invalid, .localhost and a bare host name are not), like you@example.com"
        )


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The body of every error answer except 422: `{"status": <int>, "error": <str>}`."""
    return JSONResponse({"status": status, "error": message}, status_code=status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, exc.detail, dict(exc.headers) if exc.headers else None)


async def _coded_refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CodedRefusal)
    return JSONResponse({"error": exc.detail, "error_code": exc.error_code}, status_code=exc.status_code)


async def _store_unavailable(request: Request, exc: Exception) -> Response:
    # The store logged why its writer stopped; this write was not done, and the next one gets a new writer.
    logger.error("%s %s: %s", request.method, request.url.path, exc)
    return error_response(500, "The user store failed before confirming this change; try again.")


async def _client_gone(request: Request, exc: Exception) -> Response:
    # Nobody is left to answer, and nothing was written: one line, not a traceback.
    logger.warning("%s %s: the client disconnected before its request body arrived", request.method, request.url.path)
    return Response(status_code=400)


async def _server_error(request: Request, exc: Exception) -> Response:
    # The goal is that no input gets here; if one does, the client still gets the contract's JSON shape.
    logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(500, "Internal server error")


def create_app(
    database: str | os.PathLike[str],
    *,
    accounts: Accounts | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    rate_limit: int | None = None,
    spec: Spec | None = None,
    store_class: type[Store] = Store,
    validator_class: type[Validator] = Validator,
    authenticator_class: type[Authenticator] = Authenticator,
    api_class: type[UsersAPI] = UsersAPI,
) -> Starlette:
    """The reference server on the SQLite file *database* (created if missing).

    *accounts* defaults to `Accounts.from_env()`; each account is also a user of the account.
    *max_body_bytes*: larger request bodies get 413.
    *body_timeout*: seconds for a whole request body once its handler reads it, then 408 and the connection closes.
    *rate_limit* (off by default): at most that many requests a second per caller, then 429 with `Retry-After`.
    A limit that is not a whole number >= 1, an account address the API would refuse, or a *database* the store
    cannot use (see `Store`) is a ValueError saying which, raised before any file is created or changed.
    The app's `state` holds `store`, `api`, `accounts` and `orphans` (the accounts whose key signs in as nobody,
    see `Store.add_accounts`). The store closes when the app's lifespan ends.
    """
    check_max_body_bytes(max_body_bytes)
    check_positive(body_timeout, "body_timeout")
    limit = None if rate_limit is None else RateLimit(rate_limit)
    accounts = Accounts.from_env() if accounts is None else accounts
    spec = load_spec() if spec is None else spec
    validator = validator_class(spec)
    _check_accounts(accounts, validator)
    store = store_class(database)
    orphans = store.add_accounts(accounts)
    api = api_class(
        store=store,
        validator=validator,
        authenticator=authenticator_class(accounts),
        spec=spec,
        max_body_bytes=max_body_bytes,
        rate_limit=limit,
        body_timeout=body_timeout,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if store.closed:
            # A second run of the same app: its store closed when the first run ended.
            raise RuntimeError("this app's store was closed when it last stopped; build a new app with create_app()")
        try:
            yield
        finally:
            store.close()

    handlers: dict[Any, Any] = {
        HTTPException: _http_error,
        CodedRefusal: _coded_refusal,
        ClientDisconnect: _client_gone,
        StoreUnavailableError: _store_unavailable,
        Exception: _server_error,
    }
    app = Starlette(routes=[*api.routes(), *docs_routes()], exception_handlers=handlers, lifespan=lifespan)
    # "/users/" must be a 404, not a redirect to the list.
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.api = api
    app.state.accounts = accounts
    app.state.orphans = orphans
    return app
