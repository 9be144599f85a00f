"""One description per API operation; the sync and the async call are both derived from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import stamina

from deployhq_client import Client
from deployhq_client.types import Response

from ._errors import RateLimitedError
from ._translate import Effect, raise_for, translated

__all__ = ["Effect", "Operation"]

T = TypeVar("T")


class Generated(Protocol):
    """What is used of a generated `deployhq_client.api.users.<operation>` module (a module fits a Protocol)."""

    def sync_detailed(self, *args: Any, **kwargs: Any) -> Response[Any]: ...

    async def asyncio_detailed(self, *args: Any, **kwargs: Any) -> Response[Any]: ...


@dataclass(frozen=True)
class Operation(Generic[T]):
    """An API operation: its public name, its generated module, what a success returns and what it does."""

    name: str
    generated: Generated
    returns: type[T]
    effect: Effect

    def call(self, client: Client, rate_limit_retries: int, **arguments: Any) -> T:
        """Send the request; retry 429s up to *rate_limit_retries* times; return the parsed success."""

        def once() -> T:
            with translated(self.name, self.effect):
                response = self.generated.sync_detailed(client=client, **arguments)
            return self._expect(response)

        return _retrying(once, rate_limit_retries)

    async def call_async(self, client: Client, rate_limit_retries: int, **arguments: Any) -> T:
        """The async form of `call`."""

        async def once() -> T:
            with translated(self.name, self.effect):
                response = await self.generated.asyncio_detailed(client=client, **arguments)
            return self._expect(response)

        return await _retrying_async(once, rate_limit_retries)

    def _expect(self, response: Response[Any]) -> T:
        if isinstance(response.parsed, self.returns):
            return response.parsed
        raise_for(response)


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
