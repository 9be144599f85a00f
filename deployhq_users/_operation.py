"""One description per API operation; the sync and the async call are both derived from it.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import httpx
import stamina

from deployhq_client import AuthenticatedClient, Client
from deployhq_client.errors import UnexpectedStatus

from ._answer import AnswerOverdueError, AnswerTooLargeError, Limits, receive, receive_async
from ._client import usable_async_client, usable_client
from ._errors import DeployHQError, RateLimitedError, ValidationError
from ._translate import (
    Effect,
    error_for,
    failure,
    misfit,
    overdue,
    safe_url,
    shows_credentials,
    too_large,
    unexpected,
)

__all__ = ["Effect", "Operation"]

T = TypeVar("T")

# What httpx raises when a request fails on the way (connection, timeout, protocol, an undecodable body). Anything
# else raised while sending (a bug in a caller's transport, say) is the caller's to see as it is.
_SEND_FAILURES = httpx.RequestError
_LOG = logging.getLogger("deployhq_users")
# Set while this package's retry loop runs: stamina's own log line for its retries is dropped then (see _Quiet).
_RETRYING: contextvars.ContextVar[bool] = contextvars.ContextVar("deployhq_users_retrying", default=False)


class _Quiet(logging.Filter):
    """Drops stamina's "stamina.retry_scheduled" record for a retry of this package's (this package logs its own,
    under `deployhq_users`); every other stamina record passes.

    stamina's hooks are process-wide (stamina.instrumentation.set_on_retry_hooks), so replacing them would change
    them for the whole application; its default hook logs a WARNING to the `stamina` logger, which with no logging
    configured Python prints as a bare line on stderr. The hook runs in the retrying task or thread, so the
    context variable set around this package's retry loop tells its records apart.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not _RETRYING.get()


logging.getLogger("stamina").addFilter(_Quiet())


def _limits(client: Client) -> Limits:
    """The client's limits: set by connect(), the defaults for a `Client` built otherwise."""
    limits = getattr(client, "call_limits", None)
    return limits if isinstance(limits, Limits) else Limits()


class Generated(Protocol):
    """What is used of a generated `deployhq_client.api.users.<operation>` module (a module fits a Protocol).

    Its `sync_detailed` parses every answer with the shape the spec gives its status, and raises on any other
    body, losing the status: an HTML 429 from a proxy would not be a RateLimitedError. So the request is built
    by the module, sent here, and only a 2xx is handed back to the module to parse.
    """

    def _get_kwargs(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    def _parse_response(self, *, client: AuthenticatedClient | Client, response: httpx.Response) -> object: ...


@dataclass(frozen=True)
class Operation(Generic[T]):
    """An API operation: its public name, its generated module, what a success returns and what it does.

    *not_found* says what a 404 means, formatted with the call's arguments and the request's `url`;
    *invalid* is what its 422 raises; *if_lost* tells the caller of an email-sending operation whose answer
    was lost how to find out whether it was accepted.
    """

    name: str
    generated: Generated
    returns: type[T]
    effect: Effect
    not_found: str = "nothing at {url} (is the base URL right?)"
    invalid: type[ValidationError] = ValidationError
    if_lost: str = ""

    def call(self, client: Client, rate_limit_retries: int, **arguments: Any) -> T:
        """Send the request; retry 429s up to *rate_limit_retries* times; return the parsed success."""
        _check_retries(rate_limit_retries)
        request_args = self.generated._get_kwargs(**arguments)
        limits = _limits(client)

        def once() -> T:
            http = usable_client(client, self.name)
            request = http.build_request(**request_args)
            try:
                response = receive(http, request, limits)
            except _SEND_FAILURES as error:
                # The transport's error stays the cause, unless it would print the credentials.
                raise self._lost(error, request) from (None if shows_credentials(error, request) else error)
            except AnswerTooLargeError as error:
                raise too_large(error.response, error.limit, operation=self.name) from None
            except AnswerOverdueError as error:
                raise self._overdue(error, request) from None
            return self._result(client, response, arguments)

        return _retrying(once, self._backoff(rate_limit_retries, limits), rate_limit_retries)

    async def call_async(self, client: Client, rate_limit_retries: int, **arguments: Any) -> T:
        """The async form of `call`."""
        _check_retries(rate_limit_retries)
        request_args = self.generated._get_kwargs(**arguments)
        limits = _limits(client)

        async def once() -> T:
            http = usable_async_client(client, self.name)
            request = http.build_request(**request_args)
            try:
                response = await receive_async(http, request, limits)
            except _SEND_FAILURES as error:
                # The transport's error stays the cause, unless it would print the credentials.
                raise self._lost(error, request) from (None if shows_credentials(error, request) else error)
            except AnswerTooLargeError as error:
                raise too_large(error.response, error.limit, operation=self.name) from None
            except AnswerOverdueError as error:
                raise self._overdue(error, request) from None
            return self._result(client, response, arguments)

        return await _retrying_async(once, self._backoff(rate_limit_retries, limits), rate_limit_retries)

    def _lost(self, error: httpx.RequestError, request: httpx.Request) -> DeployHQError:
        return failure(error, request, operation=self.name, effect=self.effect, advice=self.if_lost)

    def _overdue(self, error: AnswerOverdueError, request: httpx.Request) -> DeployHQError:
        return overdue(
            error.seconds, request, error.response, operation=self.name, effect=self.effect, advice=self.if_lost
        )

    def _backoff(self, retries: int, limits: Limits) -> Callable[[Exception], bool | float]:
        """stamina's `on` hook for one call: retry only 429s, waiting what Retry-After asks for, at most
        *limits.max_retry_wait* seconds (a longer wait is raised at once), and log each wait.
        """
        failures = 0

        def backoff(error: Exception) -> bool | float:
            nonlocal failures
            if not isinstance(error, RateLimitedError):
                return False
            failures += 1
            if failures > retries:  # the last attempt: stamina stops, whatever is returned
                return False
            wait = error.retry_after
            if wait is not None and wait > limits.max_retry_wait:
                error.args = (
                    f"{error}; its Retry-After of {wait:g} s is over the {limits.max_retry_wait:g} s this client "
                    "waits (connect(max_retry_wait=...)), so it was not retried",
                )
                return False
            _LOG.info(
                "%s: answered 429, retry %d of %d in %s",
                self.name, failures, retries, f"{wait:g} s (its Retry-After)" if wait is not None else "a backoff",
                extra={"deployhq_operation": self.name, "deployhq_retry": failures, "deployhq_wait": wait},
            )  # fmt: skip
            return wait if wait is not None else True

        return backoff

    def _result(self, client: Client, response: httpx.Response, arguments: dict[str, Any]) -> T:
        if not response.is_success:
            missing = self.not_found.format(url=safe_url(response.request.url), **arguments)
            raise error_for(response, operation=self.name, missing=missing, invalid=self.invalid)
        if self.returns is type(None):
            # The call returns nothing: a success is a success, whatever its body says (a DELETE answered
            # `{"status": "done"}` has still removed the user), so the body is not parsed.
            return None
        try:
            parsed = self.generated._parse_response(client=client, response=response)
        # ValueError: not JSON (json.JSONDecodeError), or a value such as a malformed UUID; RecursionError: JSON
        # nested too deeply for json.loads; the others: JSON of another shape than the spec's.
        except (ValueError, RecursionError, KeyError, TypeError, AttributeError) as error:
            # `from None`: the message already names the misfit, redacted; the cause's frames would keep the
            # target's body in their locals, and a target may echo the API key there (pytest -l shows them).
            raise unexpected(response, misfit(response, error, self.returns), operation=self.name) from None
        except UnexpectedStatus:  # the caller's Client has raise_on_unexpected_status=True
            parsed = None
        if isinstance(parsed, self.returns):
            return parsed
        raise unexpected(response, f"which the spec does not describe for {self.name}", operation=self.name)


def _check_retries(retries: object) -> None:
    """Refuse a retry count that is not a whole number >= 0, before anything is sent."""
    if isinstance(retries, bool) or not isinstance(retries, int):
        raise TypeError(f"rate_limit_retries must be a whole number of retries (0 for none), got {retries!r}")
    if retries < 0:
        raise ValueError(f"rate_limit_retries must be 0 or more (0 for no retry), got {retries}")


@contextlib.contextmanager
def _stamina_quiet(quiet: bool) -> Iterator[None]:
    """Whether stamina's records are dropped here: in this package's retry loop, but not inside an attempt, where a
    caller's own transport may retry with stamina and be logged as usual.
    """
    token = _RETRYING.set(quiet)
    try:
        yield
    finally:
        _RETRYING.reset(token)


def _retrying(call: Callable[[], T], backoff: Callable[[Exception], bool | float], retries: int) -> T:
    if retries <= 0:
        return call()
    with _stamina_quiet(True):
        for attempt in stamina.retry_context(on=backoff, attempts=retries + 1, timeout=None):
            with attempt, _stamina_quiet(False):
                return call()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover


async def _retrying_async(
    call: Callable[[], Awaitable[T]], backoff: Callable[[Exception], bool | float], retries: int
) -> T:
    if retries <= 0:
        return await call()
    with _stamina_quiet(True):
        async for attempt in stamina.retry_context(on=backoff, attempts=retries + 1, timeout=None):
            with attempt, _stamina_quiet(False):
                return await call()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover
