"""One description per API operation; the sync and the async call are both derived from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import httpx
import stamina

from deployhq_client import AuthenticatedClient, Client
from deployhq_client.errors import UnexpectedStatus

from ._client import usable_async_client, usable_client
from ._errors import DeployHQError, RateLimitedError, ValidationError
from ._translate import Effect, error_for, failure, misfit, safe_url, unexpected

__all__ = ["Effect", "Operation"]

T = TypeVar("T")

# httpx's own, and RuntimeError: what httpx and asyncio raise for a client or loop in the wrong state, possibly
# after the request was written (see _client.py), so it is translated like a lost answer.
_SEND_FAILURES = (httpx.RequestError, RuntimeError)


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

        def once() -> T:
            http = usable_client(client, self.name)
            request = http.build_request(**request_args)
            try:
                response = http.send(request)
            except _SEND_FAILURES as error:
                raise self._lost(error, request) from None
            return self._result(client, response, arguments)

        return _retrying(once, rate_limit_retries)

    async def call_async(self, client: Client, rate_limit_retries: int, **arguments: Any) -> T:
        """The async form of `call`."""
        _check_retries(rate_limit_retries)
        request_args = self.generated._get_kwargs(**arguments)

        async def once() -> T:
            http = usable_async_client(client, self.name)
            request = http.build_request(**request_args)
            try:
                response = await http.send(request)
            except _SEND_FAILURES as error:
                raise self._lost(error, request) from None
            return self._result(client, response, arguments)

        return await _retrying_async(once, rate_limit_retries)

    def _lost(self, error: Exception, request: httpx.Request) -> DeployHQError:
        return failure(error, request, operation=self.name, effect=self.effect, advice=self.if_lost)

    def _result(self, client: Client, response: httpx.Response, arguments: dict[str, Any]) -> T:
        if not response.is_success:
            missing = self.not_found.format(url=safe_url(response.request.url), **arguments)
            raise error_for(response, operation=self.name, missing=missing, invalid=self.invalid)
        try:
            parsed = self.generated._parse_response(client=client, response=response)
        # ValueError: not JSON (json.JSONDecodeError), or a value such as a malformed UUID; RecursionError: JSON
        # nested too deeply for json.loads; the others: JSON of another shape than the spec's.
        except (ValueError, RecursionError, KeyError, TypeError, AttributeError) as error:
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


def _rate_limit_backoff(error: Exception) -> bool | float:
    """stamina hook: retry only 429s, waiting what Retry-After asks for."""
    if isinstance(error, RateLimitedError):
        return error.retry_after if error.retry_after is not None else True
    return False


def _retrying(call: Callable[[], T], retries: int) -> T:
    if retries <= 0:
        return call()
    for attempt in stamina.retry_context(on=_rate_limit_backoff, attempts=retries + 1, timeout=None):
        with attempt:
            return call()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover


async def _retrying_async(call: Callable[[], Awaitable[T]], retries: int) -> T:
    if retries <= 0:
        return await call()
    async for attempt in stamina.retry_context(on=_rate_limit_backoff, attempts=retries + 1, timeout=None):
        with attempt:
            return await call()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover
